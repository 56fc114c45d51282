/* fuzz-jsonrpc.c: the JSON-RPC 2.0 request layer of the server
 * (server/vdsm-rpc-jsonrpc.c with the worker, pyrepr and broker code it
 * calls) on arbitrary SEND bodies, with the fuzz schema (fuzz-schema.c)
 * and a method table of inline handlers.
 *
 * The layer answers through a VdsmRpcConnection, which owns a socket: each
 * input gets a connection over a fresh socketpair() (fuzz-connection.c),
 * subscribed to the reply queue, and the harness reads what the server
 * wrote from the other end (nothing reaches the network). The body is handed straight to
 * vdsm_rpc_jsonrpc_handle(), as vdsm-rpc-session.c does for a SEND to a
 * request queue.
 *
 * The replies are checked against docs/protocol.md §7, §8: one MESSAGE at most per
 * SEND, to the reply queue, its body UTF-8 JSON; a parse error for bad JSON; an array reply for
 * a batch of two or more, a bare object for one; no reply for a
 * notification; one reply per invalid or identified request, in order,
 * each echoing its request's id with either a result or an error whose
 * code and message prefix fit the case (-32700, -32600, -32601, -32602,
 * -32603 or the handler's code), and the echo method's result equal to
 * its validated argument.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "fuzz-common.h"
#include "fuzz-connection.h"
#include "fuzz-schema.h"
#include "vdsm-error.h"
#include "vdsm-json.h"
#include "vdsm-rpc-private.h"

#include <string.h>

#define REPLY_QUEUE "fuzz.replies"
#define SUBSCRIPTION_ID "fuzz-subscription"
#define FLOW_ID "fuzz-flow"

/* ---- Handlers ---- */

static gboolean
invoke_ping (VdsmRpcCall *call, JsonObject *params, GString *result, GError **error)
{
  g_string_append (result, "true");
  return TRUE;
}

static gboolean
invoke_echo (VdsmRpcCall *call, JsonObject *params, GString *result, GError **error)
{
  vdsm_json_write_node (result, json_object_get_member (params, "value"));
  return TRUE;
}

/* The error code Test.fail reports for its `code` param. */
static int
fail_code (gint64 code)
{
  return code >= G_MININT && code <= G_MAXINT ? (int) code : VDSM_ERROR_GENERAL;
}

static gboolean
invoke_fail (VdsmRpcCall *call, JsonObject *params, GString *result, GError **error)
{
  const char *message = json_object_has_member (params, "message")
                        ? json_object_get_string_member (params, "message") : "failed";

  g_string_append (result, "\"discarded on failure\"");
  g_set_error_literal (error, VDSM_ERROR, fail_code (json_object_get_int_member (params, "code")),
                       message);
  return FALSE;
}

static gboolean
invoke_internal (VdsmRpcCall *call, JsonObject *params, GString *result, GError **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "not in the VDSM error domain");
  return FALSE;
}

static gboolean
invoke_silent (VdsmRpcCall *call, JsonObject *params, GString *result, GError **error)
{
  return TRUE;
}

/* Inline, so that every reply is written before vdsm_rpc_jsonrpc_handle()
 * returns. Test.unserved is in the schema only, Test.hidden here only. */
static const VdsmRpcMethod methods[] = {
  { "Test.ping", invoke_ping, VDSM_RPC_METHOD_INLINE },
  { "Test.echo", invoke_echo, VDSM_RPC_METHOD_INLINE },
  { "Test.fail", invoke_fail, VDSM_RPC_METHOD_INLINE },
  { "Test.internal", invoke_internal, VDSM_RPC_METHOD_INLINE },
  { "Test.silent", invoke_silent, VDSM_RPC_METHOD_INLINE },
  { "Test.hidden", invoke_ping, VDSM_RPC_METHOD_INLINE },
};

static VdsmSchema *schema;
static VdsmRpcServer *server;

/* ---- Expected replies ---- */

typedef enum {
  EXPECT_RESULT_TRUE,
  EXPECT_RESULT_ECHO,
  EXPECT_ERROR,
} ExpectKind;

typedef struct {
  ExpectKind kind;
  char *id;              /* the request id as the server writes it */
  int code;              /* EXPECT_ERROR */
  const char *prefix;    /* EXPECT_ERROR: the start of the message */
  char *echo;            /* EXPECT_RESULT_ECHO: the value as JSON text */
} Expect;

static void
expect_clear (gpointer data)
{
  Expect *e = data;

  g_free (e->id);
  g_free (e->echo);
}

/* @node as the server writes it, read back and rendered by json-glib:
 * equal values give equal texts whatever escapes the writer chose. Text
 * that does not read back is returned as is (the reply check reports it). */
static char *
node_text (JsonNode *node)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(JsonNode) back = NULL;

  vdsm_json_write_node (out, node);
  back = json_from_string (out->str, NULL);
  return back ? json_to_string (back, FALSE) : g_strdup (out->str);
}

static void
expect_error (GArray *expects, JsonNode *id, int code, const char *prefix)
{
  Expect e = { EXPECT_ERROR, node_text (id), code, prefix, NULL };

  g_array_append_val (expects, e);
}

/* What the server must answer to one request of a batch (nothing for a
 * notification), following docs/protocol.md §7.1-§7.5 and §8. */
static void
expect_request (GArray *expects, JsonNode *request)
{
  JsonObject *object;
  JsonNode *id, *version, *method_node, *params = NULL;
  const VdsmSchemaMethod *schema_method;
  const char *name;
  g_autoptr(JsonObject) validated = NULL;
  Expect e = { 0 };

  if (!JSON_NODE_HOLDS_OBJECT (request))
    {
      expect_error (expects, NULL, VDSM_ERROR_INVALID_REQUEST, "Invalid request: {'request': ");
      return;
    }
  object = json_node_get_object (request);
  id = json_object_get_member (object, "id");
  if (id && JSON_NODE_HOLDS_NULL (id))
    id = NULL;
  version = json_object_get_member (object, "jsonrpc");
  method_node = json_object_get_member (object, "method");
  if (json_object_has_member (object, "params"))
    params = json_object_get_member (object, "params");
  if (version == NULL || json_node_get_value_type (version) != G_TYPE_STRING
      || strcmp (json_node_get_string (version), "2.0") != 0
      || method_node == NULL || json_node_get_value_type (method_node) != G_TYPE_STRING
      || (params && !JSON_NODE_HOLDS_OBJECT (params) && !JSON_NODE_HOLDS_ARRAY (params)))
    {
      expect_error (expects, id, VDSM_ERROR_INVALID_REQUEST, "Invalid request: {'request': ");
      return;
    }
  if (id == NULL)
    return;

  name = json_node_get_string (method_node);
  schema_method = vdsm_schema_lookup_method (schema, name);
  if (schema_method == NULL || strcmp (name, "Test.unserved") == 0)
    {
      expect_error (expects, id, VDSM_ERROR_METHOD_NOT_FOUND,
                    "The method does not exist or is not available: {'method': ");
      return;
    }
  validated = vdsm_schema_validate_params (schema_method, params, NULL);
  if (validated == NULL)
    {
      expect_error (expects, id, VDSM_ERROR_INVALID_PARAMS, "Invalid method parameter(s): ");
      return;
    }

  e.id = node_text (id);
  if (strcmp (name, "Test.ping") == 0)
    e.kind = EXPECT_RESULT_TRUE;
  else if (strcmp (name, "Test.echo") == 0)
    {
      e.kind = EXPECT_RESULT_ECHO;
      e.echo = node_text (json_object_get_member (validated, "value"));
    }
  else if (strcmp (name, "Test.fail") == 0)
    {
      e.kind = EXPECT_ERROR;
      e.code = fail_code (json_object_get_int_member (validated, "code"));
      e.prefix = "";
    }
  else
    {
      /* Test.internal fails outside VDSM_ERROR; Test.silent writes nothing. */
      e.kind = EXPECT_ERROR;
      e.code = VDSM_ERROR_INTERNAL;
      e.prefix = "Internal JSON-RPC error: {'reason': ";
    }
  g_array_append_val (expects, e);
}

/* Whether the server refuses @data as a batch longer than max-batch-length:
 * it does once it has read the first request past the limit, whatever
 * follows (vdsm-rpc-jsonrpc.c). */
static gboolean
batch_too_long (const char *data, gsize size)
{
  g_autoptr(GString) scratch = g_string_new (NULL);
  VdsmJsonReader reader;
  guint limit;

  g_object_get (server, "max-batch-length", &limit, NULL);
  vdsm_json_reader_init (&reader, data, size, scratch, NULL);
  if (!vdsm_json_reader_skip (&reader, '['))
    return FALSE;
  reader.depth = 1;
  for (guint n = 0; ; n++)
    {
      g_autoptr(JsonNode) request = vdsm_json_reader_value (&reader);

      if (request == NULL)
        return FALSE;
      if (n == limit)
        return TRUE;
      if (!vdsm_json_reader_skip (&reader, ','))
        return FALSE;
    }
}

/* ---- Checking the replies ---- */

static void
check_reply (JsonNode *reply, const Expect *e, const char *body)
{
  JsonObject *object;
  JsonNode *id, *version, *result, *error;
  g_autofree char *id_text = NULL;

  FUZZ_CHECK (JSON_NODE_HOLDS_OBJECT (reply), "reply not an object: %s", body);
  object = json_node_get_object (reply);
  version = json_object_get_member (object, "jsonrpc");
  FUZZ_CHECK (version && json_node_get_value_type (version) == G_TYPE_STRING
              && strcmp (json_node_get_string (version), "2.0") == 0,
              "reply without jsonrpc 2.0: %s", body);
  id = json_object_get_member (object, "id");
  FUZZ_CHECK (id != NULL, "reply without id: %s", body);
  id_text = json_to_string (id, FALSE);
  FUZZ_CHECK (strcmp (id_text, e->id) == 0, "reply id %s, request id %s: %s", id_text, e->id,
              body);
  result = json_object_get_member (object, "result");
  error = json_object_get_member (object, "error");
  FUZZ_CHECK ((result == NULL) != (error == NULL), "need one of result and error: %s", body);
  FUZZ_CHECK (json_object_get_size (object) == 3, "extra reply members: %s", body);

  switch (e->kind)
    {
    case EXPECT_RESULT_TRUE:
      FUZZ_CHECK (result && json_node_get_value_type (result) == G_TYPE_BOOLEAN
                  && json_node_get_boolean (result), "expected result true: %s", body);
      break;
    case EXPECT_RESULT_ECHO:
      {
        g_autofree char *text = NULL;

        FUZZ_CHECK (result != NULL, "expected a result: %s", body);
        text = node_text (result);
        FUZZ_CHECK (strcmp (text, e->echo) == 0, "echo of %s came back as %s", e->echo, text);
      }
      break;
    case EXPECT_ERROR:
      {
        JsonObject *err;
        JsonNode *code, *message;

        FUZZ_CHECK (error && JSON_NODE_HOLDS_OBJECT (error), "expected error %d: %s", e->code,
                    body);
        err = json_node_get_object (error);
        code = json_object_get_member (err, "code");
        message = json_object_get_member (err, "message");
        FUZZ_CHECK (json_object_get_size (err) == 2 && code && message,
                    "error needs exactly code and message: %s", body);
        FUZZ_CHECK (json_node_get_value_type (code) == G_TYPE_INT64
                    && json_node_get_int (code) == e->code, "expected error %d: %s", e->code,
                    body);
        FUZZ_CHECK (json_node_get_value_type (message) == G_TYPE_STRING
                    && g_str_has_prefix (json_node_get_string (message), e->prefix),
                    "expected a message starting with \"%s\": %s", e->prefix, body);
      }
      break;
    }
}

static void
check_body (const char *body, GArray *expects, gboolean is_array)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) error = NULL;
  JsonNode *root;

  FUZZ_CHECK (json_parser_load_from_data (parser, body, -1, &error),
              "reply is not JSON (%s): %s", error->message, body);
  root = json_parser_get_root (parser);
  if (!is_array)
    {
      g_assert (expects->len == 1);
      check_reply (root, &g_array_index (expects, Expect, 0), body);
      return;
    }
  FUZZ_CHECK (JSON_NODE_HOLDS_ARRAY (root)
              && json_array_get_length (json_node_get_array (root)) == expects->len,
              "expected an array of %u replies: %s", expects->len, body);
  for (guint i = 0; i < expects->len; i++)
    check_reply (json_array_get_element (json_node_get_array (root), i),
                 &g_array_index (expects, Expect, i), body);
}

/* ---- Running one body ---- */

/* The MESSAGE frames in @wire; their bodies appended to @bodies. */
static void
parse_messages (GString *wire, GPtrArray *bodies)
{
  g_autoptr(VdsmStompParser) parser = vdsm_stomp_parser_new (0, 0);
  const char *data = wire->str;
  gsize length = wire->len;

  while (length > 0)
    {
      g_autoptr(VdsmStompFrame) frame = NULL;
      g_autoptr(GError) error = NULL;
      VdsmStompParseResult r = vdsm_stomp_parser_parse (parser, &data, &length, &frame, &error);
      const char *body;
      gsize body_len;

      FUZZ_CHECK (r == VDSM_STOMP_PARSE_FRAME, "server wrote a bad frame (%d, %s)", r,
                  error ? error->message : "incomplete");
      FUZZ_CHECK (vdsm_stomp_frame_get_command (frame) == VDSM_STOMP_COMMAND_MESSAGE,
                  "server wrote %s", vdsm_stomp_frame_get_command_name (frame));
      FUZZ_CHECK (g_strcmp0 (vdsm_stomp_frame_get_header (frame, "destination"), REPLY_QUEUE) == 0
                  && g_strcmp0 (vdsm_stomp_frame_get_header (frame, "subscription"),
                                SUBSCRIPTION_ID) == 0,
                  "MESSAGE to the wrong destination or subscription");
      body = vdsm_stomp_frame_get_body (frame, &body_len);
      g_ptr_array_add (bodies, g_strndup (body, body_len));
      FUZZ_CHECK (strlen (bodies->pdata[bodies->len - 1]) == body_len, "NUL in a MESSAGE body");
      /* JSON-RPC bodies are UTF-8 text (docs/protocol.md §7.1): clients decode
       * them before parsing. */
      FUZZ_CHECK_UTF8 (body, body_len, "MESSAGE body");
    }
}

static void
setup (void)
{
  schema = fuzz_schema_new ();
  server = vdsm_rpc_server_new (schema, methods, G_N_ELEMENTS (methods), NULL);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(GArray) expects = g_array_new (FALSE, TRUE, sizeof (Expect));
  g_autoptr(GPtrArray) bodies = g_ptr_array_new_with_free_func (g_free);
  FuzzPeer peer;
  gboolean is_array = FALSE;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(VdsmStompFrame) send = NULL;

  if (server == NULL)
    setup ();
  g_array_set_clear_func (expects, expect_clear);

  /* The expected replies, from our own reading of the body. */
  root = vdsm_json_parse_data ((const char *) data, size, NULL);
  if (batch_too_long ((const char *) data, size))
    expect_error (expects, NULL, VDSM_ERROR_INVALID_REQUEST, "Invalid request: ");
  else if (root == NULL)
    expect_error (expects, NULL, VDSM_ERROR_PARSE,
                  "Invalid JSON was received by the server. An error occurred on the "
                  "server while parsing the JSON text.");
  else if (JSON_NODE_HOLDS_ARRAY (root) && json_array_get_length (json_node_get_array (root)) == 0)
    expect_error (expects, NULL, VDSM_ERROR_INVALID_REQUEST,
                  "Invalid request: {'request': [], 'reason': 'request batch is empty'}");
  else if (JSON_NODE_HOLDS_ARRAY (root))
    {
      JsonArray *array = json_node_get_array (root);

      is_array = json_array_get_length (array) > 1;
      for (guint i = 0; i < json_array_get_length (array); i++)
        expect_request (expects, json_array_get_element (array, i));
    }
  else
    expect_request (expects, root);

  /* One connection per input: no state carries over between inputs. */
  fuzz_peer_open (&peer, server);
  FUZZ_CHECK (vdsm_rpc_broker_subscribe (server->broker, peer.conn, SUBSCRIPTION_ID, REPLY_QUEUE, NULL),
              "subscription refused");

  send = vdsm_stomp_frame_new ("SEND");
  vdsm_stomp_frame_set_body (send, (const char *) data, size);
  vdsm_rpc_jsonrpc_handle (peer.conn, REPLY_QUEUE, FLOW_ID, send);

  fuzz_peers_exchange (&peer, 1, &peer, NULL, 0);
  FUZZ_CHECK (!peer.closed, "the server closed the connection");
  parse_messages (peer.received, bodies);
  fuzz_peer_close (&peer);

  if (expects->len == 0)
    FUZZ_CHECK (bodies->len == 0, "a reply to notifications only: %s",
                (char *) bodies->pdata[0]);
  else
    {
      FUZZ_CHECK (bodies->len == 1, "%u MESSAGE frames for one SEND", bodies->len);
      check_body (bodies->pdata[0], expects, is_array);
    }
  return 0;
}
