/* test-rpc-validation.c: one judge of a request's params, on the wire
 * (docs/architecture.md, "Validation"). A VdsmRpcServer serves
 * tests/tools/data/test-api.yml with the method table generated from it
 * and the stand-in handlers of tests/tools/test-api-handlers.c, which
 * write down what they are given; the tests speak STOMP to it over a unix
 * socket and check what reaches a handler and with which words the rest is
 * refused.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "test-api-handlers.h"
#include "vdsm-error.h"
#include "vdsm-json.h"
#include "vdsm-rpc-dispatch.h"
#include "vdsm-rpc-server.h"
#include "vdsm-stomp.h"

#include <string.h>
#include <glib/gstdio.h>
#include <gio/gunixsocketaddress.h>

#define TIMEOUT_S 5

static VdsmSchema *schema;

/* ---- The server, in its own thread ---- */

typedef struct {
  const VdsmRpcMethod *methods;
  gsize n_methods;
  GThread *thread;
  GMainContext *context;
  GMainLoop *loop;
  char *tmpdir;
  char *socket_path;
  GMutex lock;
  GCond cond;
  gboolean ready;
} Server;

static gpointer
server_thread (gpointer data)
{
  Server *s = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(VdsmRpcServer) server = NULL;

  g_main_context_push_thread_default (s->context);
  server = vdsm_rpc_server_new (schema, s->methods, s->n_methods, NULL);
  g_assert_true (vdsm_rpc_server_listen_unix (server, s->socket_path, &error));
  g_assert_no_error (error);
  g_mutex_lock (&s->lock);
  s->ready = TRUE;
  g_cond_signal (&s->cond);
  g_mutex_unlock (&s->lock);
  g_main_loop_run (s->loop);
  vdsm_rpc_server_stop (server);
  while (g_main_context_iteration (s->context, FALSE))
    ;
  g_clear_object (&server);
  g_main_context_pop_thread_default (s->context);
  return NULL;
}

static Server *
server_start (const VdsmRpcMethod *methods, gsize n_methods)
{
  Server *s = g_new0 (Server, 1);
  g_autoptr(GError) error = NULL;

  s->methods = methods;
  s->n_methods = n_methods;
  s->tmpdir = g_dir_make_tmp ("test-rpc-validation-XXXXXX", &error);
  g_assert_no_error (error);
  s->socket_path = g_build_filename (s->tmpdir, "vdsm.sock", NULL);
  g_mutex_init (&s->lock);
  g_cond_init (&s->cond);
  s->context = g_main_context_new ();
  s->loop = g_main_loop_new (s->context, FALSE);
  s->thread = g_thread_new ("server", server_thread, s);
  g_mutex_lock (&s->lock);
  while (!s->ready)
    g_cond_wait (&s->cond, &s->lock);
  g_mutex_unlock (&s->lock);
  return s;
}

static gboolean
quit_loop (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static void
server_stop (Server *s)
{
  g_main_context_invoke (s->context, quit_loop, s->loop);
  g_thread_join (s->thread);
  g_main_loop_unref (s->loop);
  g_main_context_unref (s->context);
  g_rmdir (s->tmpdir);
  g_free (s->socket_path);
  g_free (s->tmpdir);
  g_mutex_clear (&s->lock);
  g_cond_clear (&s->cond);
  g_free (s);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Server, server_stop)

/* ---- A blocking client, subscribed as VDSM's Python client is ---- */

typedef struct {
  GSocketConnection *connection;
  VdsmStompParser *parser;
  GString *pending;
} Client;

static void
client_free (Client *c)
{
  g_object_unref (c->connection);
  vdsm_stomp_parser_free (c->parser);
  g_string_free (c->pending, TRUE);
  g_free (c);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Client, client_free)

static void
client_send (Client *c, const char *data, gsize length)
{
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (c->connection));
  g_autoptr(GError) error = NULL;

  g_assert_true (g_output_stream_write_all (out, data, length, NULL, NULL, &error));
  g_assert_no_error (error);
}

/* The next frame; the socket's timeout fails the test if none comes. */
static VdsmStompFrame *
client_frame (Client *c)
{
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (c->connection));

  for (;;)
    {
      const char *p = c->pending->str;
      gsize length = c->pending->len;
      VdsmStompFrame *frame = NULL;
      g_autoptr(GError) error = NULL;
      char buf[4096];
      gssize n;

      while (length > 0 && frame == NULL)
        g_assert_cmpint (vdsm_stomp_parser_parse (c->parser, &p, &length, &frame, &error),
                         !=, VDSM_STOMP_PARSE_ERROR);
      g_string_erase (c->pending, 0, p - c->pending->str);
      if (frame != NULL)
        return frame;
      n = g_input_stream_read (in, buf, sizeof buf, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpint (n, >, 0);
      g_string_append_len (c->pending, buf, n);
    }
}

static Client *
client_new (Server *s)
{
  Client *c = g_new0 (Client, 1);
  g_autoptr(GSocketClient) connector = g_socket_client_new ();
  g_autoptr(GSocketAddress) address = g_unix_socket_address_new (s->socket_path);
  g_autoptr(GError) error = NULL;
  static const char hello[] =
    "CONNECT\naccept-version:1.2\nheart-beat:0,0\n\n\0"
    "SUBSCRIBE\ndestination:replies\nack:auto\nid:sub\n\n\0";

  c->connection = g_socket_client_connect (connector, G_SOCKET_CONNECTABLE (address), NULL,
                                           &error);
  g_assert_no_error (error);
  g_socket_set_timeout (g_socket_connection_get_socket (c->connection), TIMEOUT_S);
  c->parser = vdsm_stomp_parser_new (0, 0);
  c->pending = g_string_new (NULL);
  client_send (c, hello, sizeof hello - 1);
  {
    g_autoptr(VdsmStompFrame) connected = client_frame (c);

    g_assert_cmpstr (vdsm_stomp_frame_get_command_name (connected), ==, "CONNECTED");
  }
  return c;
}

/* Calls @method with @params_json; returns the reply's "result" or
 * "error" member (@member). */
static JsonNode *
client_call (Client *c, const char *method, const char *params_json, const char *member)
{
  g_autoptr(GString) frame = g_string_new (NULL);
  g_autofree char *body = g_strdup_printf ("{\"jsonrpc\":\"2.0\",\"id\":\"1\",\"method\":\"%s\","
                                           "\"params\":%s}", method, params_json);
  g_autoptr(VdsmStompFrame) reply = NULL;
  g_autoptr(JsonNode) parsed = NULL;
  g_autoptr(GError) error = NULL;
  const char *text;
  gsize length;

  vdsm_stomp_write_command (frame, "SEND");
  vdsm_stomp_write_header (frame, "destination", VDSM_RPC_REQUEST_QUEUE);
  vdsm_stomp_write_header (frame, "reply-to", "replies");
  vdsm_stomp_write_body (frame, body, -1);
  client_send (c, frame->str, frame->len);
  reply = client_frame (c);
  g_assert_cmpstr (vdsm_stomp_frame_get_command_name (reply), ==, "MESSAGE");
  text = vdsm_stomp_frame_get_body (reply, &length);
  parsed = vdsm_json_parse_data (text, length, &error);
  g_assert_no_error (error);
  g_test_message ("%s %s: %.*s", method, params_json, (int) length, text);
  g_assert_true (json_object_has_member (json_node_get_object (parsed), member));
  return json_node_copy (json_object_get_member (json_node_get_object (parsed), member));
}

/* The call succeeds and its handler was given @seen (JSON). */
static void
assert_handler_got (Client *c, const char *method, const char *params_json, const char *seen)
{
  g_autoptr(JsonNode) result = client_call (c, method, params_json, "result");
  g_autofree char *got = test_api_handlers_take_seen ();
  g_autoptr(JsonNode) got_node = vdsm_json_parse (got, NULL);
  g_autoptr(JsonNode) expected = vdsm_json_parse (seen, NULL);

  g_assert_nonnull (got);
  if (!json_node_equal (got_node, expected))
    g_error ("%s %s: the handler got %s, not %s", method, params_json, got, seen);
}

/* The call fails with @code and @message, and no handler ran. */
static void
assert_refused (Client *c, const char *method, const char *params_json, gint64 code,
                const char *message)
{
  g_autoptr(JsonNode) error = client_call (c, method, params_json, "error");
  g_autofree char *seen = test_api_handlers_take_seen ();
  JsonObject *object = json_node_get_object (error);

  g_assert_cmpint (json_object_get_int_member (object, "code"), ==, code);
  g_assert_cmpstr (json_object_get_string_member (object, "message"), ==, message);
  g_assert_null (seen);
}

static Server *
server_with_generated_table (void)
{
  return server_start (vdsm_rpc_methods, vdsm_rpc_n_methods);
}

/* ---- Tests ---- */

/* A union value goes to the handler as the member the validator accepted
 * it as. The generated reader used to pick the first member the value fits
 * by its names: a Label ({"side": "a"}) fits Square by its names and was
 * refused as a bad Square, with the reader's words, after the validator
 * had accepted it; a Unit was handed over as a Square. */
static void
test_union_member (void)
{
  g_autoptr(Server) s = server_with_generated_table ();
  g_autoptr(Client) c = client_new (s);

  assert_handler_got (c, "Test.set", "{\"shape\":{\"side\":\"a\"}}",
                      "{\"shape\":{\"side\":\"a\"},\"shapes\":[],\"items\":{}}");
  assert_handler_got (c, "Test.set", "{\"shape\":{\"unit\":\"cm\"}}",
                      "{\"shape\":{\"unit\":\"cm\"},\"shapes\":[],\"items\":{}}");
  assert_handler_got (c, "Test.set",
                      "{\"shapes\":[{\"unit\":\"cm\"},{\"side\":\"a\"},{\"side\":2},true]}",
                      "{\"shapes\":[{\"unit\":\"cm\"},{\"side\":\"a\"},{\"side\":2},true],"
                      "\"items\":{}}");
  /* Refused values: the validator's words. */
  assert_refused (c, "Test.set", "{\"shape\":{}}", VDSM_ERROR_INVALID_PARAMS,
                  "Invalid method parameter(s): {'reason': 'params.shape: missing required "
                  "key \"side\" of Square'}");
}

/* long and ulong reach handlers as 64-bit integers: the validator refuses
 * a number beyond them. It used to accept any finite number, and the
 * reader then refused it with words of its own. */
static void
test_integers_beyond_c (void)
{
  g_autoptr(Server) s = server_with_generated_table ();
  g_autoptr(Client) c = client_new (s);

  assert_refused (c, "Test.set", "{\"offset\":1e300}", VDSM_ERROR_INVALID_PARAMS,
                  "Invalid method parameter(s): {'reason': 'params.offset: expected long, "
                  "got 1e+300'}");
  assert_refused (c, "Test.set", "{\"offset\":-1e19}", VDSM_ERROR_INVALID_PARAMS,
                  "Invalid method parameter(s): {'reason': 'params.offset: expected long, "
                  "got -1e+19'}");
  assert_refused (c, "Test.set", "[null,null,null,18446744073709551616]",
                  VDSM_ERROR_INVALID_PARAMS,
                  "Invalid method parameter(s): {'reason': 'params.size: expected ulong, "
                  "got 1.8446744073709552e+19'}");
  /* At the edges, and a fraction dropped. */
  assert_handler_got (c, "Test.set",
                      "{\"offset\":-9223372036854775808,\"size\":18446744073709549568.0}",
                      "{\"offset\":-9223372036854775808,\"size\":18446744073709549568,"
                      "\"shapes\":[],\"items\":{}}");
  assert_handler_got (c, "Test.set", "{\"offset\":-2.5,\"size\":0.5}",
                      "{\"offset\":-2,\"size\":0,\"shapes\":[],\"items\":{}}");
}

/* What vdsm-client sends: every value as text, read by the validator. */
static void
test_command_line_strings (void)
{
  g_autoptr(Server) s = server_with_generated_table ();
  g_autoptr(Client) c = client_new (s);

  assert_handler_got (c, "Test.set",
                      "{\"flag\":\"false\",\"level\":\"2.5\",\"offset\":\"-1\",\"size\":\"42\"}",
                      "{\"flag\":false,\"level\":2.5,\"offset\":-1,\"size\":42,\"shapes\":[],"
                      "\"items\":{}}");
  assert_refused (c, "Test.set", "{\"flag\":\"no\"}", VDSM_ERROR_INVALID_PARAMS,
                  "Invalid method parameter(s): {'reason': 'params.flag: expected boolean, "
                  "got \"no\"'}");
}

/* ---- A method whose unmarshaller disagrees with the validator ---- */

static gboolean
invoke_disagreeing (VdsmRpcCall *call, JsonObject *params, GString *result, GError **error)
{
  g_set_error_literal (error, VDSM_ERROR, VDSM_ERROR_INVALID_PARAMS,
                       "params.code: expected integer, got 1");
  return vdsm_json_params_unreadable (error);
}

static GPtrArray *bug_lines;
static GMutex bug_lock;

static GLogWriterOutput
capture_bugs (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer data)
{
  for (gsize i = 0; i < n_fields; i++)
    if (strcmp (fields[i].key, "MESSAGE") == 0 && g_str_has_prefix (fields[i].value, "BUG: "))
      {
        g_mutex_lock (&bug_lock);
        g_ptr_array_add (bug_lines, g_strdup (fields[i].value));
        g_mutex_unlock (&bug_lock);
        return G_LOG_WRITER_HANDLED;
      }
  return g_log_writer_default (level, fields, n_fields, data);
}

/* A reader that refuses validated params is a bug: answered as an internal
 * error (-32603) and logged as such, never as a second wording of -32602. */
static void
test_disagreement_is_internal (void)
{
  g_autofree VdsmRpcMethod *methods = g_memdup2 (vdsm_rpc_methods,
                                                 (vdsm_rpc_n_methods + 1) * sizeof *methods);
  g_autoptr(Server) s = NULL;
  g_autoptr(Client) c = NULL;

  for (gsize i = 0; i < vdsm_rpc_n_methods; i++)
    if (strcmp (methods[i].name, "Test.fail") == 0)
      methods[i].invoke = invoke_disagreeing;
  s = server_start (methods, vdsm_rpc_n_methods);
  c = client_new (s);
  assert_refused (c, "Test.fail", "{\"code\":1}", VDSM_ERROR_INTERNAL,
                  "Internal JSON-RPC error: {'reason': 'params the validator accepted do not "
                  "unmarshal: params.code: expected integer, got 1'}");
  g_mutex_lock (&bug_lock);
  g_assert_cmpuint (bug_lines->len, ==, 1);
  g_assert_true (strstr (bug_lines->pdata[0], "Test.fail: validator and unmarshaller "
                                                "disagree: params the validator accepted"));
  g_mutex_unlock (&bug_lock);
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  const char *root = g_getenv ("VDSM_SOURCE_ROOT");
  const char *files[] = { "test-api.yml", "test-events.yml" };
  int ret;

  g_test_init (&argc, &argv, NULL);
  g_assert_nonnull (root);
  bug_lines = g_ptr_array_new_with_free_func (g_free);
  g_log_set_writer_func (capture_bugs, NULL, NULL);
  /* The server's "BUG:" line is a warning, which a test makes fatal. */
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  schema = vdsm_schema_new ();
  for (gsize i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_build_filename (root, "tests", "tools", "data", files[i], NULL);

      if (!vdsm_schema_load_file (schema, path, VDSM_SCHEMA_LOAD_DEFAULT, &error))
        g_error ("%s: %s", path, error->message);
    }

  g_test_add_func ("/rpc-validation/union-member", test_union_member);
  g_test_add_func ("/rpc-validation/integers-beyond-c", test_integers_beyond_c);
  g_test_add_func ("/rpc-validation/command-line-strings", test_command_line_strings);
  g_test_add_func ("/rpc-validation/disagreement-is-internal", test_disagreement_is_internal);
  ret = g_test_run ();
  vdsm_schema_free (schema);
  g_ptr_array_unref (bug_lines);
  return ret;
}
