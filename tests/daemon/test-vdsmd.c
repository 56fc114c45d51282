/* test-vdsmd.c: end-to-end tests of the built vdsmd. The daemon runs on the
 * repository's data/host.xml (libvirt's test driver), and the tests speak
 * raw STOMP 1.2 and JSON-RPC to it over TCP and a unix socket, with their
 * own minimal frame reader so that they do not share code with vdsmd.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include "vdsm-schema.h"
#include "vdsm-test-run.h"

#define IO_TIMEOUT_S 10
#define START_TIMEOUT_S 20
#define MAX_FRAME (4 * 1024 * 1024)

#define REPLY_DEST "test-replies"
#define EVENTS_DEST "jms.queue.events"

typedef struct {
  const char *name;
  const char *uuid;
  const char *status;
  guint vcpus;
  guint mem_mib;
} ExpectedVm;

/* The guests of data/host.xml. */
static const ExpectedVm expected_vms[] = {
  { "web01", "1b4e28ba-2fa1-11d2-883f-0016d3cca427", "Up", 2, 2048 },
  { "db01", "6f1c3a52-8e0b-4d47-9d6a-3f2b7c1e5a90", "Up", 4, 4096 },
  { "batch01", "9a7d2c44-51e3-4f0a-b6c8-0e2d4f6a8b13", "Paused", 1, 1024 },
  { "template01", "c3e5f7a9-0b1d-4e2f-8a4c-6d8e0f2a4c6e", "Down", 1, 1024 },
  { "backup01", "e8b0d2f4-6a8c-4e0a-9c2e-4f6a8c0e2a4b", "Down", 1, 512 },
};

#define UNKNOWN_UUID "00000000-1111-2222-3333-444444444444"

/* Our schema, to check every result and event against. */
static VdsmSchema *schema;

/* A running vdsmd. */
typedef struct {
  GSubprocess *proc;
  char *tmpdir;
  char *socket_path;
  guint16 port;
  GDataInputStream *out;            /* its standard output, past the listening lines */
  char *err_path;                   /* its standard error, when kept in a file */
} Daemon;

/* The daemon most tests share. */
static Daemon daemon_state;

/* ---- A minimal STOMP client ---- */

typedef struct {
  char *command;
  GHashTable *headers;
  char *body;
} Frame;

static void
frame_free (Frame *f)
{
  g_free (f->command);
  g_hash_table_unref (f->headers);
  g_free (f->body);
  g_free (f);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Frame, frame_free)

typedef struct {
  GSocketConnection *conn;
  GSocket *socket;
  GByteArray *buf;
  guint next_id;
  GQueue events;   /* JsonNode * of event MESSAGEs not consumed yet */
} Client;

static void
client_free (Client *c)
{
  g_object_unref (c->conn);
  g_byte_array_unref (c->buf);
  g_queue_clear_full (&c->events, (GDestroyNotify) json_node_unref);
  g_free (c);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Client, client_free)

static void
client_write (Client *c, const char *data, gsize len)
{
  g_autoptr(GError) error = NULL;
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (c->conn));

  g_output_stream_write_all (out, data, len, NULL, NULL, &error);
  g_assert_no_error (error);
}

static void
client_send_frame (Client *c, const char *command, const char *headers,
                   const char *body)
{
  g_autoptr(GString) f = g_string_new (command);

  g_string_append_c (f, '\n');
  g_string_append (f, headers);
  if (body != NULL)
    g_string_append_printf (f, "content-length:%zu\n", strlen (body));
  g_string_append_c (f, '\n');
  if (body != NULL)
    g_string_append (f, body);
  g_string_append_c (f, '\0');
  client_write (c, f->str, f->len);
}

/* Read more bytes; FALSE at end of stream. Fails the test on timeout. */
static gboolean
client_fill (Client *c)
{
  g_autoptr(GError) error = NULL;
  guint8 chunk[8192];
  gssize n = g_socket_receive (c->socket, (char *) chunk, sizeof chunk, NULL,
                               &error);

  if (n < 0 && (g_error_matches (error, G_IO_ERROR,
                                 G_IO_ERROR_CONNECTION_CLOSED) ||
                g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE)))
    return FALSE;
  g_assert_no_error (error);
  if (n == 0)
    return FALSE;
  g_byte_array_append (c->buf, chunk, (guint) n);
  g_assert_cmpuint (c->buf->len, <, MAX_FRAME);
  return TRUE;
}

static gssize
find_byte (GByteArray *buf, gsize from, guint8 byte)
{
  for (gsize i = from; i < buf->len; i++)
    if (buf->data[i] == byte)
      return (gssize) i;
  return -1;
}

/* Parse one frame from the buffer, or return NULL when more bytes are
 * needed. Heart-beat newlines before a frame are skipped. */
static Frame *
client_parse (Client *c)
{
  gsize start = 0;
  gssize head_end = -1;
  g_autoptr(Frame) f = NULL;
  g_auto(GStrv) lines = NULL;
  const char *clen;
  gsize body_start, body_len;

  while (start < c->buf->len &&
         (c->buf->data[start] == '\n' || c->buf->data[start] == '\r'))
    start++;
  for (gsize i = start; i + 1 < c->buf->len; i++)
    if (c->buf->data[i] == '\n' && c->buf->data[i + 1] == '\n')
      {
        head_end = (gssize) i;
        break;
      }
  if (head_end < 0)
    return NULL;

  f = g_new0 (Frame, 1);
  f->headers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  {
    g_autofree char *head = g_strndup ((char *) c->buf->data + start,
                                       (gsize) head_end - start);
    lines = g_strsplit (head, "\n", -1);
  }
  f->command = g_strdup (lines[0]);
  for (guint i = 1; lines[i] != NULL; i++)
    {
      char *colon = strchr (lines[i], ':');
      g_assert_nonnull (colon);
      /* STOMP: the first occurrence of a header wins. */
      if (!g_hash_table_contains (f->headers, lines[i]))
        g_hash_table_insert (f->headers,
                             g_strndup (lines[i], (gsize) (colon - lines[i])),
                             g_strdup (colon + 1));
    }

  body_start = (gsize) head_end + 2;
  clen = g_hash_table_lookup (f->headers, "content-length");
  if (clen != NULL)
    {
      body_len = (gsize) g_ascii_strtoull (clen, NULL, 10);
      if (c->buf->len < body_start + body_len + 1)
        return NULL;
      g_assert_cmpint (c->buf->data[body_start + body_len], ==, 0);
    }
  else
    {
      gssize nul = find_byte (c->buf, body_start, 0);
      if (nul < 0)
        return NULL;
      body_len = (gsize) nul - body_start;
    }
  f->body = g_strndup ((char *) c->buf->data + body_start, body_len);
  g_byte_array_remove_range (c->buf, 0, (guint) (body_start + body_len + 1));
  return g_steal_pointer (&f);
}

/* The next frame; NULL when the server closed the connection. */
static Frame *
client_read_frame (Client *c)
{
  for (;;)
    {
      Frame *f = client_parse (c);
      if (f != NULL)
        return f;
      if (!client_fill (c))
        return NULL;
    }
}

static Client *
client_connect (GSocketAddress *address)
{
  g_autoptr(GSocketClient) sc = g_socket_client_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(Frame) connected = NULL;
  Client *c = g_new0 (Client, 1);

  g_socket_client_set_timeout (sc, IO_TIMEOUT_S);
  c->conn = g_socket_client_connect (sc, G_SOCKET_CONNECTABLE (address), NULL,
                                     &error);
  g_assert_no_error (error);
  c->socket = g_socket_connection_get_socket (c->conn);
  g_socket_set_timeout (c->socket, IO_TIMEOUT_S);
  c->buf = g_byte_array_new ();
  g_queue_init (&c->events);

  client_send_frame (c, "CONNECT", "accept-version:1.2\nhost:localhost\n",
                     NULL);
  connected = client_read_frame (c);
  g_assert_nonnull (connected);
  g_assert_cmpstr (connected->command, ==, "CONNECTED");
  g_assert_cmpstr (g_hash_table_lookup (connected->headers, "version"), ==,
                   "1.2");

  client_send_frame (c, "SUBSCRIBE",
                     "destination:" REPLY_DEST "\nid:replies\nack:auto\n",
                     NULL);
  client_send_frame (c, "SUBSCRIBE",
                     "destination:" EVENTS_DEST "\nid:events\nack:auto\n",
                     NULL);
  return c;
}

static Client *
client_connect_tcp (void)
{
  g_autoptr(GSocketAddress) a = g_inet_socket_address_new_from_string (
    "127.0.0.1", daemon_state.port);
  return client_connect (a);
}

static Client *
client_connect_unix (void)
{
  g_autoptr(GSocketAddress) a = g_unix_socket_address_new (
    daemon_state.socket_path);
  return client_connect (a);
}

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(JsonParser) p = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (p, text, -1, &error);
  g_assert_no_error (error);
  return json_node_ref (json_parser_get_root (p));
}

/* Send one request and return the whole response object; event MESSAGEs
 * that arrive meanwhile are queued. */
static JsonNode *
client_request (Client *c, const char *method, const char *params_json)
{
  g_autofree char *id = g_strdup_printf ("req-%u", ++c->next_id);
  g_autofree char *body = g_strdup_printf (
    "{\"jsonrpc\": \"2.0\", \"method\": \"%s\", \"params\": %s, "
    "\"id\": \"%s\"}", method, params_json, id);

  client_send_frame (c, "SEND",
                     "destination:jms.topic.vdsm_requests\n"
                     "reply-to:" REPLY_DEST "\n"
                     "content-type:application/json\n", body);
  for (;;)
    {
      g_autoptr(Frame) f = client_read_frame (c);
      JsonNode *msg;
      const char *sub;

      g_assert_nonnull (f);
      g_assert_cmpstr (f->command, ==, "MESSAGE");
      sub = g_hash_table_lookup (f->headers, "subscription");
      msg = parse_json (f->body);
      if (g_strcmp0 (sub, "events") == 0)
        {
          g_queue_push_tail (&c->events, msg);
          continue;
        }
      g_assert_cmpstr (sub, ==, "replies");
      g_assert_cmpstr (json_object_get_string_member (
                         json_node_get_object (msg), "id"), ==, id);
      return msg;
    }
}

/* The result of a call that must succeed. */
static JsonNode *
client_call (Client *c, const char *method, const char *params_json)
{
  g_autoptr(JsonNode) resp = client_request (c, method, params_json);
  JsonObject *o = json_node_get_object (resp);

  g_autoptr(GError) error = NULL;
  JsonNode *result;

  if (json_object_has_member (o, "error"))
    g_error ("%s failed: %s", method,
             json_to_string (json_object_get_member (o, "error"), FALSE));
  g_assert_true (json_object_has_member (o, "result"));
  result = json_object_get_member (o, "result");
  vdsm_schema_validate_result (vdsm_schema_lookup_method (schema, method),
                               result, &error);
  g_assert_no_error (error);
  return json_node_copy (result);
}

/* The error code of a call that must fail; its message in @message. */
static gint64
client_call_error (Client *c, const char *method, const char *params_json,
                   char **message)
{
  g_autoptr(JsonNode) resp = client_request (c, method, params_json);
  JsonObject *o = json_node_get_object (resp);
  JsonObject *err;

  g_assert_false (json_object_has_member (o, "result"));
  g_assert_true (json_object_has_member (o, "error"));
  err = json_object_get_object_member (o, "error");
  if (message != NULL)
    *message = g_strdup (json_object_get_string_member (err, "message"));
  return json_object_get_int_member (err, "code");
}

/* The next event MESSAGE, queued or still to come, checked against the
 * schema. */
static JsonNode *
client_next_event (Client *c)
{
  g_autoptr(GError) error = NULL;
  JsonNode *ev;
  JsonObject *o;
  const VdsmSchemaEvent *event;

  if (!g_queue_is_empty (&c->events))
    ev = g_queue_pop_head (&c->events);
  else
    {
      g_autoptr(Frame) f = client_read_frame (c);

      g_assert_nonnull (f);
      g_assert_cmpstr (f->command, ==, "MESSAGE");
      g_assert_cmpstr (g_hash_table_lookup (f->headers, "subscription"), ==,
                       "events");
      g_assert_cmpstr (g_hash_table_lookup (f->headers, "destination"), ==,
                       EVENTS_DEST);
      ev = parse_json (f->body);
    }
  o = json_node_get_object (ev);
  event = vdsm_schema_lookup_event (schema,
                                    json_object_get_string_member (o,
                                                                   "method"));
  g_assert_nonnull (event);
  vdsm_schema_validate_event (event, json_object_get_member (o, "params"),
                              &error);
  g_assert_no_error (error);
  return ev;
}

/* ---- Checks on results ---- */

static const ExpectedVm *
expected_vm (const char *uuid)
{
  for (gsize i = 0; i < G_N_ELEMENTS (expected_vms); i++)
    if (g_strcmp0 (expected_vms[i].uuid, uuid) == 0)
      return &expected_vms[i];
  g_error ("unexpected VM %s", uuid);
  return NULL;
}

static guint64
uint_string (JsonObject *o, const char *member)
{
  const char *s = json_object_get_string_member (o, member);
  guint64 v = 0;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (s);
  g_ascii_string_to_unsigned (s, 10, 0, G_MAXUINT64, &v, &error);
  g_assert_no_error (error);
  return v;
}

static gdouble
float_string (JsonObject *o, const char *member)
{
  const char *s = json_object_get_string_member (o, member);
  char *end = NULL;
  gdouble v;

  g_assert_nonnull (s);
  v = g_ascii_strtod (s, &end);
  g_assert_true (end != s && *end == '\0');
  return v;
}

/* Check one VmStats record against what host.xml says, with @status the
 * status the VM should have now. */
static void
check_vm_stats (JsonObject *st, const char *status)
{
  const char *uuid = json_object_get_string_member (st, "vmId");
  const ExpectedVm *vm = expected_vm (uuid);

  g_assert_cmpstr (json_object_get_string_member (st, "status"), ==, status);
  if (g_str_equal (status, "Down"))
    {
      g_assert_true (json_object_has_member (st, "exitCode"));
      g_assert_true (json_object_has_member (st, "exitReason"));
      g_assert_nonnull (json_object_get_string_member (st, "exitMessage"));
      g_assert_false (json_object_has_member (st, "vmName"));
    }
  else
    {
      g_assert_cmpstr (json_object_get_string_member (st, "vmName"), ==,
                       vm->name);
      g_assert_cmpuint (uint_string (st, "vcpuCount"), ==, vm->vcpus);
      uint_string (st, "elapsedTime");
      g_assert_cmpstr (json_object_get_string_member (st, "monitorResponse"),
                       ==, "0");
      g_assert_cmpstr (json_object_get_string_member (st, "pauseCode"), ==,
                       "NOERR");
      g_assert_false (json_object_has_member (st, "exitCode"));
    }
}

/* ---- Tests ---- */

static void
test_ping (void)
{
  g_autoptr(Client) c = client_connect_tcp ();
  g_autoptr(JsonNode) r = client_call (c, "Host.ping", "{}");

  g_assert_true (JSON_NODE_HOLDS_VALUE (r));
  g_assert_true (json_node_get_boolean (r));
}

static void
check_uuid_list (JsonNode *r)
{
  JsonArray *a = json_node_get_array (r);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  g_assert_cmpuint (json_array_get_length (a), ==, G_N_ELEMENTS (expected_vms));
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      const char *uuid = json_array_get_string_element (a, i);
      g_assert_nonnull (expected_vm (uuid));
      g_assert_true (g_hash_table_add (seen, (gpointer) uuid));
    }
}

static void
test_get_vm_list (void)
{
  g_autoptr(Client) c = client_connect_tcp ();
  g_autoptr(JsonNode) plain = client_call (c, "Host.getVMList", "{}");
  g_autoptr(JsonNode) positional = client_call (c, "Host.getVMList", "[]");
  g_autoptr(JsonNode) shortst = NULL;
  g_autoptr(JsonNode) full = NULL;
  g_autoptr(JsonNode) filtered = NULL;
  JsonArray *a;

  /* VDSM's clients call it without params and expect bare UUIDs. */
  check_uuid_list (plain);
  check_uuid_list (positional);

  shortst = client_call (c, "Host.getVMList", "{\"onlyUUID\": false}");
  a = json_node_get_array (shortst);
  g_assert_cmpuint (json_array_get_length (a), ==, G_N_ELEMENTS (expected_vms));
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      JsonObject *o = json_array_get_object_element (a, i);
      const ExpectedVm *vm = expected_vm (json_object_get_string_member (o,
                                                                    "vmId"));
      g_assert_cmpstr (json_object_get_string_member (o, "status"), ==,
                       vm->status);
      g_assert_cmpuint (json_object_get_size (o), ==, 2);
    }

  full = client_call (c, "Host.getVMList", "{\"fullStatus\": true}");
  a = json_node_get_array (full);
  g_assert_cmpuint (json_array_get_length (a), ==, G_N_ELEMENTS (expected_vms));
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      JsonObject *o = json_array_get_object_element (a, i);
      const ExpectedVm *vm = expected_vm (json_object_get_string_member (o,
                                                                    "vmId"));
      g_assert_cmpstr (json_object_get_string_member (o, "vmName"), ==,
                       vm->name);
      g_assert_cmpstr (json_object_get_string_member (o, "status"), ==,
                       vm->status);
      g_assert_cmpint (json_object_get_int_member (o, "smp"), ==, vm->vcpus);
      g_assert_cmpint (json_object_get_int_member (o, "memSize"), ==,
                       vm->mem_mib);
    }

  /* The filter keeps known UUIDs, in any letter case, and drops others. */
  filtered = client_call (c, "Host.getVMList",
                          "{\"vmList\": "
                          "[\"9A7D2C44-51E3-4F0A-B6C8-0E2D4F6A8B13\", "
                          "\"" UNKNOWN_UUID "\"]}");
  a = json_node_get_array (filtered);
  g_assert_cmpuint (json_array_get_length (a), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (a, 0), ==,
                   "9a7d2c44-51e3-4f0a-b6c8-0e2d4f6a8b13");
}

static void
test_get_all_vm_stats (void)
{
  g_autoptr(Client) c = client_connect_tcp ();
  g_autoptr(JsonNode) r = client_call (c, "Host.getAllVmStats", "{}");
  JsonArray *a = json_node_get_array (r);

  g_assert_cmpuint (json_array_get_length (a), ==, G_N_ELEMENTS (expected_vms));
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      JsonObject *o = json_array_get_object_element (a, i);
      const ExpectedVm *vm = expected_vm (json_object_get_string_member (o,
                                                                    "vmId"));
      check_vm_stats (o, vm->status);
    }
}

/* Calls within --stats-max-age share a sample: even the running VMs'
 * elapsedTime, which counts seconds, stays the same. */
static void
test_get_all_vm_stats_sample (void)
{
  g_autoptr(Client) c = client_connect_tcp ();
  g_autoptr(JsonNode) first = client_call (c, "Host.getAllVmStats", "{}");
  g_autoptr(JsonNode) again = NULL;

  g_usleep (1100 * 1000);
  again = client_call (c, "Host.getAllVmStats", "{}");
  g_assert_true (json_node_equal (first, again));
}

/* The status of @vm_id in a Host.getAllVmStats answer. */
static const char *
status_in_all_vm_stats (JsonNode *all, const char *vm_id)
{
  JsonArray *a = json_node_get_array (all);

  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      JsonObject *o = json_array_get_object_element (a, i);

      if (g_str_equal (json_object_get_string_member (o, "vmId"), vm_id))
        return json_object_get_string_member (o, "status");
    }
  g_error ("%s is not in Host.getAllVmStats", vm_id);
}

static void
test_vm_get_stats (void)
{
  g_autoptr(Client) c = client_connect_tcp ();
  g_autofree char *message = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (expected_vms); i++)
    {
      g_autofree char *params = g_strdup_printf ("{\"vmID\": \"%s\"}",
                                                 expected_vms[i].uuid);
      g_autoptr(JsonNode) r = client_call (c, "VM.getStats", params);
      JsonArray *a = json_node_get_array (r);

      g_assert_cmpuint (json_array_get_length (a), ==, 1);
      check_vm_stats (json_array_get_object_element (a, 0),
                      expected_vms[i].status);
    }

  g_assert_cmpint (client_call_error (c, "VM.getStats",
                                      "{\"vmID\": \"" UNKNOWN_UUID "\"}",
                                      &message), ==, 1);
  g_assert_cmpstr (message, ==,
                   "Virtual machine does not exist: {'vmId': '"
                   UNKNOWN_UUID "'}");
  g_clear_pointer (&message, g_free);
  g_assert_cmpint (client_call_error (c, "VM.getStats",
                                      "{\"vmID\": \"not-a-uuid\"}", NULL),
                   ==, 1);
}

static void
test_get_stats (void)
{
  g_autoptr(Client) c = client_connect_tcp ();
  g_autoptr(JsonNode) r2 = NULL;

  /* The first call only takes the CPU sample the second one measures from. */
  json_node_unref (client_call (c, "Host.getStats", "{}"));
  r2 = client_call (c, "Host.getStats", "{}");
  JsonObject *o = json_node_get_object (r2);
  gdouble user = float_string (o, "cpuUser");
  gdouble sys = float_string (o, "cpuSys");
  gdouble idle = float_string (o, "cpuIdle");

  g_assert_cmpfloat (user, >=, 0);
  g_assert_cmpfloat (sys, >=, 0);
  g_assert_cmpfloat (idle, >=, 0);
  g_assert_cmpfloat (user + sys + idle, <=, 100.5);
  g_assert_cmpint (json_object_get_int_member (o, "vmCount"), ==, 5);
  /* Up VMs only, as VDSM counts them: the paused one is not active. */
  g_assert_cmpint (json_object_get_int_member (o, "vmActive"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (o, "vmMigrating"), ==, 0);
  g_assert_cmpuint (uint_string (o, "memUsed"), <=, 100);
  g_assert_cmpint (json_object_get_int_member (o, "memFree"), >=, 0);
  uint_string (o, "elapsedTime");
  g_assert_true (g_str_has_suffix (json_object_get_string_member (o,
                                                                  "dateTime"),
                                   " GMT"));
}

static void
test_get_capabilities (void)
{
  g_autoptr(Client) c = client_connect_tcp ();
  g_autoptr(JsonNode) r = client_call (c, "Host.getCapabilities", "{}");
  JsonObject *o = json_node_get_object (r);
  JsonObject *pkgs = json_object_get_object_member (o, "packages2");
  JsonObject *os = json_object_get_object_member (o, "operatingSystem");

  /* host.xml: 1 NUMA node, 2 sockets, 4 cores each, 2 threads per core. */
  g_assert_cmpuint (uint_string (o, "cpuSockets"), ==, 2);
  g_assert_cmpuint (uint_string (o, "cpuCores"), ==, 8);
  g_assert_cmpuint (uint_string (o, "cpuThreads"), ==, 16);
  g_assert_cmpuint (uint_string (o, "memSize"), ==, 16384);
  g_assert_cmpfloat (float_string (o, "cpuSpeed"), ==, 2400);
  g_assert_cmpstr (json_object_get_string_member (o, "cpuModel"), ==,
                   "x86_64");
  g_assert_cmpstr (json_object_get_string_member (o, "kvmEnabled"), ==,
                   "false");
  g_assert_cmpuint (json_array_get_length (
                      json_object_get_array_member (o, "vmTypes")), ==, 0);
  g_assert_nonnull (json_object_get_array_member (o, "emulatedMachines"));
  g_assert_cmpstr (json_object_get_string_member (o, "software_version"), !=,
                   "");
  g_assert_nonnull (pkgs);
  g_assert_true (json_object_has_member (pkgs, "kernel"));
  g_assert_true (json_object_has_member (pkgs, "vdsm"));
  g_assert_cmpstr (json_object_get_string_member (
                     json_object_get_object_member (pkgs, "libvirt"),
                     "version"), !=, "");
  g_assert_nonnull (os);
  g_assert_nonnull (json_object_get_string_member (os, "name"));
}

/* ---- VDSM's whole records (the strict replies check their shape; these
 * check the values vdsmd derives for the test driver's host) ---- */

static void
test_vm_records_full (void)
{
  g_autoptr(Client) c = client_connect_tcp ();
  g_autoptr(JsonNode) stats = client_call (c, "VM.getStats",
                                           "{\"vmID\": \"1b4e28ba-2fa1-11d2-883f-0016d3cca427\"}");
  g_autoptr(JsonNode) list = client_call (c, "Host.getVMList",
                                          "{\"fullStatus\": true}");
  JsonObject *o = json_array_get_object_element (json_node_get_array (stats), 0);
  JsonArray *a = json_node_get_array (list);

  /* From the definition: a test-driver domain, no ACPI, no clock offset,
   * no display. */
  g_assert_cmpstr (json_object_get_string_member (o, "vmType"), ==, "test");
  g_assert_cmpstr (json_object_get_string_member (o, "kvmEnable"), ==, "false");
  g_assert_cmpstr (json_object_get_string_member (o, "acpiEnable"), ==, "false");
  g_assert_cmpstr (json_object_get_string_member (o, "timeOffset"), ==, "0");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (o, "displayInfo")),
                    ==, 0);
  /* VDSM's event_time() is above 2^31 - 1. */
  g_assert_cmpuint (uint_string (o, "statusTime"), >, G_MAXINT32);
  /* No guest agent, no display client. */
  g_assert_cmpstr (json_object_get_string_member (o, "username"), ==, "Unknown");
  g_assert_cmpstr (json_object_get_string_member (o, "session"), ==, "Unknown");
  g_assert_cmpint (json_object_get_int_member (o, "guestCPUCount"), ==, -1);
  g_assert_cmpstr (json_object_get_string_member (o, "clientIp"), ==, "");
  /* The test driver gives neither the user/system split nor per-device
   * counters: nothing is measured, nothing made up. */
  g_assert_false (json_object_get_boolean_member (o, "cpuActual"));
  g_assert_false (json_object_has_member (o, "network"));
  g_assert_false (json_object_has_member (o, "disks"));
  g_assert_cmpstr (json_object_get_string_member (o, "memUsage"), ==, "0");

  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      JsonObject *d = json_array_get_object_element (a, i);

      g_assert_cmpstr (json_object_get_string_member (d, "vmType"), ==, "test");
      g_assert_false (json_object_get_boolean_member (d, "kvmEnable"));
      /* No QEMU process behind the test driver. */
      g_assert_cmpint (json_object_get_int_member (d, "pid"), ==, 0);
      g_assert_cmpint (json_object_get_int_member (d, "memGuaranteedSize"), ==, 0);
    }
}

static void
test_host_records_full (void)
{
  g_autoptr(Client) tcp = client_connect_tcp ();
  g_autoptr(Client) unix_client = client_connect_unix ();
  g_autoptr(JsonNode) stats = client_call (tcp, "Host.getStats", "{}");
  g_autoptr(JsonNode) caps = client_call (tcp, "Host.getCapabilities", "{}");
  g_autoptr(JsonNode) caps_unix = client_call (unix_client, "Host.getCapabilities", "{}");
  JsonObject *s = json_node_get_object (stats);
  JsonObject *cp = json_node_get_object (caps);
  JsonObject *ha = json_object_get_object_member (s, "haStats");

  /* What VDSM answers for what vdsmd does not have. */
  g_assert_cmpstr (json_object_get_string_member (s, "momStatus"), ==, "inactive");
  g_assert_cmpuint (json_object_get_size (json_object_get_object_member (s, "storageDomains")),
                    ==, 0);
  g_assert_false (json_object_get_boolean_member (ha, "configured"));
  g_assert_cmpstr (json_object_get_string_member (s, "netConfigDirty"), ==, "False");
  g_assert_cmpint (json_object_get_int_member (s, "swapFree"), <=,
                   json_object_get_int_member (s, "swapTotal"));
  /* The loopback device, which every host has. */
  g_assert_true (json_object_has_member (json_object_get_object_member (s, "network"), "lo"));

  g_assert_cmpuint (json_object_get_size (json_object_get_object_member (cp, "networks")),
                    ==, 0);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (cp, "clusterLevels")),
                    ==, 0);
  g_assert_cmpstr (json_object_get_string_member (cp, "reservedMem"), ==, "321");
  g_assert_cmpstr (json_object_get_string_member (cp, "guestOverhead"), ==, "65");
  /* The device holding the address the client reached: 127.0.0.1 is on
   * the loopback; a unix socket has none. */
  g_assert_cmpstr (json_object_get_string_member (cp, "lastClientIface"), ==, "lo");
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (caps_unix),
                                                  "lastClientIface"), ==, "");
}

static void
test_unix_socket (void)
{
  g_autoptr(Client) c = client_connect_unix ();
  g_autoptr(JsonNode) r = client_call (c, "Host.ping", "{}");
  g_autoptr(JsonNode) list = client_call (c, "Host.getVMList", "{}");

  g_assert_true (json_node_get_boolean (r));
  check_uuid_list (list);
}

static void
test_bad_params (void)
{
  g_autoptr(Client) c = client_connect_tcp ();

  g_assert_cmpint (client_call_error (c, "VM.getStats", "{\"vmID\": 12}",
                                      NULL), ==, -32602);
  g_assert_cmpint (client_call_error (c, "Host.getVMList",
                                      "{\"fullStatus\": \"yes\"}", NULL),
                   ==, -32602);
  g_assert_cmpint (client_call_error (c, "VM.destroy",
                                      "{\"vmID\": \"" UNKNOWN_UUID "\","
                                      " \"gracefulAttempts\": -1}", NULL),
                   ==, -32602);
  g_assert_cmpint (client_call_error (c, "Host.noSuchVerb", "{}", NULL), ==,
                   -32601);
}

static void
test_destroy (void)
{
  g_autoptr(Client) c = client_connect_tcp ();
  const ExpectedVm *vm = &expected_vms[1];   /* db01, running */
  g_autofree char *params = g_strdup_printf ("{\"vmID\": \"%s\"}", vm->uuid);
  g_autofree char *event_id = g_strdup_printf ("|virt|VM_status|%s",
                                               vm->uuid);
  g_autoptr(JsonNode) r = NULL;
  g_autoptr(JsonNode) ev = NULL;
  g_autoptr(JsonNode) stats = NULL;
  JsonObject *params_obj, *details;

  stats = client_call (c, "Host.getAllVmStats", "{}");
  g_assert_cmpstr (status_in_all_vm_stats (stats, vm->uuid), ==, "Up");
  g_clear_pointer (&stats, json_node_unref);
  r = client_call (c, "VM.destroy", params);
  g_assert_true (json_node_get_boolean (r));
  /* The change makes the next call sample anew, event or not. */
  stats = client_call (c, "Host.getAllVmStats", "{}");
  g_assert_cmpstr (status_in_all_vm_stats (stats, vm->uuid), ==, "Down");
  g_clear_pointer (&stats, json_node_unref);

  ev = client_next_event (c);
  g_assert_false (json_object_has_member (json_node_get_object (ev), "id"));
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (ev),
                                                  "method"), ==, event_id);
  params_obj = json_object_get_object_member (json_node_get_object (ev),
                                              "params");
  g_assert_cmpint (json_object_get_int_member (params_obj, "notify_time"), >,
                   G_MAXINT32 - 1);
  g_assert_cmpuint (json_object_get_size (params_obj), ==, 2);
  details = json_object_get_object_member (params_obj, vm->uuid);
  g_assert_nonnull (details);
  g_assert_cmpstr (json_object_get_string_member (details, "status"), ==,
                   "Down");
  g_assert_cmpstr (json_object_get_string_member (details, "vmId"), ==,
                   vm->uuid);
  g_assert_cmpint (json_object_get_int_member (details, "exitCode"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (details, "exitReason"), ==, 6);
  g_assert_nonnull (json_object_get_string_member (details, "exitMessage"));

  stats = client_call (c, "VM.getStats", params);
  check_vm_stats (json_array_get_object_element (json_node_get_array (stats),
                                                 0), "Down");
  g_assert_cmpint (json_object_get_int_member (
                     json_array_get_object_element (
                       json_node_get_array (stats), 0), "exitReason"), ==, 6);

  /* Destroying a VM that is down already changes nothing and succeeds. */
  g_clear_pointer (&r, json_node_unref);
  r = client_call (c, "VM.destroy", params);
  g_assert_true (json_node_get_boolean (r));

  g_assert_cmpint (client_call_error (c, "VM.destroy",
                                      "{\"vmID\": \"" UNKNOWN_UUID "\"}",
                                      NULL), ==, 1);
}

static void
test_bad_frame (void)
{
  g_autoptr(Client) bad = client_connect_tcp ();
  g_autoptr(Client) good = NULL;
  g_autoptr(JsonNode) r = NULL;
  static const char garbage[] = "NOT-A-COMMAND\nfoo\n\n\0";

  client_write (bad, garbage, sizeof garbage - 1);
  /* The server may answer ERROR first; then it must close. */
  for (;;)
    {
      g_autoptr(Frame) f = client_read_frame (bad);
      if (f == NULL)
        break;
      g_assert_cmpstr (f->command, ==, "ERROR");
    }

  good = client_connect_tcp ();
  r = client_call (good, "Host.ping", "{}");
  g_assert_true (json_node_get_boolean (r));
}

/* ---- Memory ---- */

static gsize
daemon_rss (void)
{
  g_autofree char *path = g_strdup_printf (
    "/proc/%s/status", g_subprocess_get_identifier (daemon_state.proc));
  g_autofree char *status = NULL;
  const char *line;

  g_assert_true (g_file_get_contents (path, &status, NULL, NULL));
  line = strstr (status, "\nVmRSS:");
  g_assert_nonnull (line);
  return g_ascii_strtoull (line + strlen ("\nVmRSS:"), NULL, 10) * 1024;
}

/* What one large request takes is given back once it is answered: the
 * tree of its 1.5 M small JSON values (some 100 MiB) used to stay in RSS
 * for good, in GSlice caches and freed heap pages. */
static void
test_memory_returned (void)
{
  g_autoptr(Client) c = NULL;
  g_autoptr(GString) params = NULL;
  gsize before;
  gint64 deadline;

#if defined(__SANITIZE_ADDRESS__)
  g_test_skip ("AddressSanitizer keeps freed memory in its quarantine");
  return;
#endif
  c = client_connect_unix ();
  params = g_string_new ("{\"values\": [0");
  before = daemon_rss ();
  while (params->len < 3 * 1024 * 1024)
    g_string_append (params, ",0");
  g_string_append (params, "]}");
  g_assert_cmpint (client_call_error (c, "Host.ping", params->str, NULL), ==, -32602);
  deadline = g_get_monotonic_time () + IO_TIMEOUT_S * G_USEC_PER_SEC;
  while (daemon_rss () > before + 32 * 1024 * 1024)
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("vdsmd holds %zu MiB, %zu MiB before the request",
                 daemon_rss () >> 20, before >> 20);
      g_usleep (100 * 1000);
    }
}

/* ---- The daemon ---- */

static void
load_schema (void)
{
  const char *source_root = g_getenv ("VDSM_SOURCE_ROOT");
  static const char *const files[] = { "vdsm-api.yml", "vdsm-events.yml" };
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (source_root);
  schema = vdsm_schema_new ();
  for (gsize i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_build_filename (source_root, "api", files[i],
                                                NULL);
      vdsm_schema_load_file (schema, path, VDSM_SCHEMA_LOAD_DEFAULT, &error);
      g_assert_no_error (error);
    }
}

static gboolean
timeout_cb (gpointer data)
{
  gboolean *expired = data;
  *expired = TRUE;
  return G_SOURCE_REMOVE;
}

static void
line_ready_cb (GObject *source, GAsyncResult *res, gpointer data)
{
  char **line = data;
  g_autoptr(GError) error = NULL;

  *line = g_data_input_stream_read_line_finish_utf8 (
    G_DATA_INPUT_STREAM (source), res, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (*line);
}

/* Read one line of the daemon's stdout, within START_TIMEOUT_S. */
static char *
read_daemon_line (GDataInputStream *in)
{
  char *line = NULL;
  gboolean expired = FALSE;
  guint timer = g_timeout_add_seconds (START_TIMEOUT_S, timeout_cb, &expired);

  g_data_input_stream_read_line_async (in, G_PRIORITY_DEFAULT, NULL,
                                       line_ready_cb, &line);
  while (line == NULL && !expired)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (expired);
  g_source_remove (timer);
  return line;
}

/* How a daemon is started; zeros keep the defaults. */
typedef struct {
  const char *const *args;          /* after --listen, --unix, --host-definition */
  gboolean keep_stderr;             /* in a file (see daemon_stderr()) */
  rlim_t nofile_soft, nofile_hard;  /* RLIMIT_NOFILE of the daemon */
} DaemonSetup;

static const DaemonSetup default_setup;

/* A failed assertion aborts the test program: take vdsmd down with it. */
static void
child_setup (gpointer data)
{
  const DaemonSetup *setup = data;

  prctl (PR_SET_PDEATHSIG, SIGTERM);
  if (setup->nofile_soft > 0)
    {
      struct rlimit limit = { setup->nofile_soft, setup->nofile_hard };

      setrlimit (RLIMIT_NOFILE, &limit);
    }
}

/* The built daemon. */
static char *
vdsmd_path (void)
{
  const char *build_root = g_getenv ("VDSM_BUILD_ROOT");

  g_assert_nonnull (build_root);
  return g_build_filename (build_root, "daemon", "vdsmd", NULL);
}

/* The repository's host definition. */
static char *
host_xml_path (void)
{
  const char *source_root = g_getenv ("VDSM_SOURCE_ROOT");

  g_assert_nonnull (source_root);
  return g_build_filename (source_root, "data", "host.xml", NULL);
}

/* The port of a "listening on 127.0.0.1:PORT" line; FALSE for another. */
static gboolean
parse_tcp_listening (const char *line, guint16 *port)
{
  const char *prefix = "listening on 127.0.0.1:";
  g_autoptr(GError) error = NULL;
  guint64 value = 0;

  if (!g_str_has_prefix (line, prefix))
    return FALSE;
  g_ascii_string_to_unsigned (line + strlen (prefix), 10, 1, 65535, &value, &error);
  g_assert_no_error (error);
  *port = (guint16) value;
  return TRUE;
}

/* Starts vdsmd on a free port, a unix socket of its own and data/host.xml,
 * and waits for its two listening lines. */
static void
daemon_start (Daemon *d, const DaemonSetup *setup)
{
  g_autofree char *vdsmd = vdsmd_path ();
  g_autofree char *host_xml = host_xml_path ();
  g_autofree char *expected_unix = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  gboolean have_tcp = FALSE, have_unix = FALSE;

  d->tmpdir = g_dir_make_tmp ("vdsmd-test-XXXXXX", &error);
  g_assert_no_error (error);
  d->socket_path = g_build_filename (d->tmpdir, "vdsmd.sock", NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, (gpointer) setup, NULL);
  if (setup->keep_stderr)
    {
      d->err_path = g_build_filename (d->tmpdir, "stderr", NULL);
      g_subprocess_launcher_set_stderr_file_path (launcher, d->err_path);
    }
  g_ptr_array_add (argv, vdsmd);
  g_ptr_array_add (argv, "--listen");
  g_ptr_array_add (argv, "127.0.0.1:0");
  g_ptr_array_add (argv, "--unix");
  g_ptr_array_add (argv, d->socket_path);
  g_ptr_array_add (argv, "--host-definition");
  g_ptr_array_add (argv, host_xml);
  for (guint i = 0; setup->args != NULL && setup->args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) setup->args[i]);
  g_ptr_array_add (argv, NULL);
  d->proc = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);

  d->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (d->proc));
  expected_unix = g_strconcat ("listening on unix:", d->socket_path, NULL);
  while (!have_tcp || !have_unix)
    {
      g_autofree char *line = read_daemon_line (d->out);

      if (g_str_equal (line, expected_unix))
        have_unix = TRUE;
      else if (parse_tcp_listening (line, &d->port))
        have_tcp = TRUE;
      else
        g_error ("unexpected output from vdsmd: %s", line);
    }
}

static void
start_daemon (void)
{
  /* A stats sample that never ages: only changes may refresh it. */
  static const char *const args[] = {
    "--strict-replies", "--stats-max-age", "600000", NULL
  };
  static const DaemonSetup setup = { .args = args };

  daemon_start (&daemon_state, &setup);
}

static void
wait_cb (GObject *source, GAsyncResult *res, gpointer data)
{
  gboolean *done = data;
  g_autoptr(GError) error = NULL;

  g_subprocess_wait_finish (G_SUBPROCESS (source), res, &error);
  g_assert_no_error (error);
  *done = TRUE;
}

/* SIGTERM, then the clean exit vdsmd promises. */
static void
stop_daemon (GSubprocess *proc)
{
  gboolean done = FALSE, expired = FALSE;
  guint timer;

  g_subprocess_send_signal (proc, SIGTERM);
  timer = g_timeout_add_seconds (IO_TIMEOUT_S, timeout_cb, &expired);
  g_subprocess_wait_async (proc, NULL, wait_cb, &done);
  while (!done && !expired)
    g_main_context_iteration (NULL, TRUE);
  if (expired)
    {
      g_subprocess_force_exit (proc);
      g_error ("vdsmd did not stop within %d s of SIGTERM", IO_TIMEOUT_S);
    }
  g_source_remove (timer);
  g_assert_true (g_subprocess_get_if_exited (proc));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 0);
}

/* SIGTERM: the daemon must exit with status 0 and remove its socket. */
static void
daemon_stop (Daemon *d)
{
  stop_daemon (d->proc);
  /* A clean stop removes the socket it created. */
  g_assert_false (g_file_test (d->socket_path, G_FILE_TEST_EXISTS));
}

static void
daemon_clear (Daemon *d)
{
  if (d->proc != NULL && g_subprocess_get_identifier (d->proc) != NULL)
    g_subprocess_force_exit (d->proc);
  g_unlink (d->socket_path);
  if (d->err_path != NULL)
    g_unlink (d->err_path);
  g_rmdir (d->tmpdir);
  g_clear_object (&d->proc);
  g_clear_object (&d->out);
  g_free (d->socket_path);
  g_free (d->err_path);
  g_free (d->tmpdir);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Daemon, daemon_clear)

static void
test_sigterm (void)
{
  daemon_stop (&daemon_state);
}

/* SIGHUP's default action kills: vdsmd handles it and keeps serving, on
 * the connections open before and on new ones. */
static void
test_sighup (void)
{
  g_autoptr(Client) before = client_connect_tcp ();
  g_autoptr(Client) after = NULL;
  g_autoptr(JsonNode) r = NULL;

  g_assert_true (g_subprocess_get_identifier (daemon_state.proc) != NULL);
  g_subprocess_send_signal (daemon_state.proc, SIGHUP);
  after = client_connect_unix ();
  r = client_call (after, "Host.ping", "{}");
  g_assert_true (json_node_get_boolean (r));
  g_clear_pointer (&r, json_node_unref);
  r = client_call (before, "Host.ping", "{}");
  g_assert_true (json_node_get_boolean (r));
}

/* scripts/make-test-certs into a new directory; NULL when it cannot run
 * (no openssl). */
static char *
make_certs (void)
{
  const char *source_root = g_getenv ("VDSM_SOURCE_ROOT");
  g_autofree char *script = g_build_filename (source_root, "scripts", "make-test-certs",
                                              NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("vdsmd-certs-XXXXXX", &error);
  const char *argv[] = { script, dir, NULL };
  g_auto(VdsmTestRun) run = { 0 };

  g_assert_no_error (error);
  vdsm_test_run (&run, NULL, argv, NULL);
  if (run.status != 0)
    {
      g_rmdir (dir);
      return NULL;
    }
  return g_steal_pointer (&dir);
}

static void
remove_tree (const char *dir)
{
  g_autoptr(GFile) file = g_file_new_for_path (dir);
  g_autoptr(GFileEnumerator) children = g_file_enumerate_children (
    file, G_FILE_ATTRIBUTE_STANDARD_NAME, G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
  GFileInfo *info;

  while (children != NULL &&
         (info = g_file_enumerator_next_file (children, NULL, NULL)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, g_file_info_get_name (info), NULL);

      g_unlink (path);
      g_object_unref (info);
    }
  g_rmdir (dir);
}

/* The server's files of @from, copied over those of @to. */
static void
copy_server_files (const char *from, const char *to)
{
  static const char *const names[] = { "server.pem", "server-key.pem", "ca.pem" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *source = g_build_filename (from, names[i], NULL);
      g_autofree char *target = g_build_filename (to, names[i], NULL);
      g_autofree char *contents = NULL;
      g_autoptr(GError) error = NULL;
      gsize length;

      g_file_get_contents (source, &contents, &length, &error);
      g_assert_no_error (error);
      g_file_set_contents (target, contents, (gssize) length, &error);
      g_assert_no_error (error);
    }
}

/* TLS to vdsmd on @port, trusting the CA of @certs and presenting its
 * client certificate; the server must present @certs' certificate. */
static GIOStream *
tls_connect (guint16 port, const char *certs)
{
  g_autoptr(GSocketClient) sc = g_socket_client_new ();
  g_autoptr(GSocketConnection) conn = NULL;
  g_autoptr(GSocketConnectable) identity = g_network_address_new ("localhost", port);
  g_autofree char *ca = g_build_filename (certs, "ca.pem", NULL);
  g_autofree char *server_cert = g_build_filename (certs, "server.pem", NULL);
  g_autofree char *client_cert = g_build_filename (certs, "client.pem", NULL);
  g_autofree char *client_key = g_build_filename (certs, "client-key.pem", NULL);
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(GTlsCertificate) identity_cert = NULL;
  g_autoptr(GTlsCertificate) expected = NULL;
  g_autoptr(GIOStream) tls = NULL;
  g_autoptr(GError) error = NULL;

  g_socket_client_set_timeout (sc, IO_TIMEOUT_S);
  conn = g_socket_client_connect_to_host (sc, "127.0.0.1", port, NULL, &error);
  g_assert_no_error (error);
  tls = g_tls_client_connection_new (G_IO_STREAM (conn), identity, &error);
  g_assert_no_error (error);
  database = g_tls_file_database_new (ca, &error);
  g_assert_no_error (error);
  identity_cert = g_tls_certificate_new_from_files (client_cert, client_key, &error);
  g_assert_no_error (error);
  g_tls_connection_set_database (G_TLS_CONNECTION (tls), database);
  g_tls_connection_set_certificate (G_TLS_CONNECTION (tls), identity_cert);
  g_tls_connection_handshake (G_TLS_CONNECTION (tls), NULL, &error);
  g_assert_no_error (error);

  expected = g_tls_certificate_new_from_file (server_cert, &error);
  g_assert_no_error (error);
  g_assert_true (g_tls_certificate_is_same (
                   expected, g_tls_connection_get_peer_certificate (G_TLS_CONNECTION (tls))));
  return g_steal_pointer (&tls);
}

/* STOMP's CONNECT over @stream is answered. */
static void
assert_stomp_answers (GIOStream *stream)
{
  static const char connect[] = "CONNECT\naccept-version:1.2\nheart-beat:0,0\n\n";
  char answer[256] = "";
  g_autoptr(GError) error = NULL;

  g_output_stream_write_all (g_io_stream_get_output_stream (stream), connect,
                             sizeof connect, NULL, NULL, &error);
  g_assert_no_error (error);
  g_input_stream_read (g_io_stream_get_input_stream (stream), answer, sizeof answer - 1,
                       NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (answer, "CONNECTED\n"));
}

/* Certificates rotated under a running vdsmd: after SIGHUP, new
 * connections get the new ones; the open one still works. */
static void
test_sighup_tls (void)
{
  g_autofree char *old_certs = make_certs ();
  g_autofree char *new_certs = old_certs ? make_certs () : NULL;
  g_autofree char *served = NULL;
  g_autofree char *cert = NULL, *key = NULL, *ca = NULL;
  g_autofree char *vdsmd = vdsmd_path ();
  g_autofree char *host_xml = host_xml_path ();
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GDataInputStream) err = NULL;
  g_autoptr(GIOStream) before = NULL;
  g_autoptr(GIOStream) after = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  guint16 port = 0;

  if (new_certs == NULL)
    {
      g_test_skip ("scripts/make-test-certs failed (openssl missing?)");
      if (old_certs != NULL)
        remove_tree (old_certs);
      return;
    }
  served = g_dir_make_tmp ("vdsmd-served-XXXXXX", &error);
  g_assert_no_error (error);
  copy_server_files (old_certs, served);
  cert = g_build_filename (served, "server.pem", NULL);
  key = g_build_filename (served, "server-key.pem", NULL);
  ca = g_build_filename (served, "ca.pem", NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, (gpointer) &default_setup, NULL);
  proc = g_subprocess_launcher_spawn (launcher, &error, vdsmd, "--listen", "127.0.0.1:0",
                                      "--unix", "", "--tls", "--tls-cert", cert,
                                      "--tls-key", key, "--tls-ca", ca,
                                      "--host-definition", host_xml, NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proc));
  err = g_data_input_stream_new (g_subprocess_get_stderr_pipe (proc));
  line = read_daemon_line (out);
  g_assert_true (parse_tcp_listening (line, &port));

  before = tls_connect (port, old_certs);
  copy_server_files (new_certs, served);
  g_subprocess_send_signal (proc, SIGHUP);
  for (;;)
    {
      g_autofree char *log = read_daemon_line (err);

      g_test_message ("vdsmd: %s", log);
      if (strstr (log, "SIGHUP: reloaded the TLS certificate ") != NULL)
        break;
    }
  after = tls_connect (port, new_certs);
  assert_stomp_answers (after);
  assert_stomp_answers (before);

  stop_daemon (proc);
  remove_tree (served);
  remove_tree (old_certs);
  remove_tree (new_certs);
}

/* sun_path holds 108 bytes: a longer --unix is refused before anything
 * is made, naming the path and the limit. */
static void
test_unix_path_too_long (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("vdsmd-long-XXXXXX", &error);
  g_autofree char *deep = NULL;
  g_autofree char *path = NULL;
  g_autofree char *name = g_strnfill (120, 'd');
  g_autofree char *vdsmd = vdsmd_path ();
  g_autofree char *host_xml = host_xml_path ();
  g_auto(VdsmTestRun) run = { 0 };

  g_assert_no_error (error);
  deep = g_build_filename (dir, name, NULL);
  path = g_build_filename (deep, "vdsmd.sock", NULL);
  {
    const char *argv[] = { vdsmd, "--listen", "", "--unix", path,
                           "--host-definition", host_xml, NULL };

    vdsm_test_run (&run, NULL, argv, NULL);
  }
  g_assert_cmpint (run.status, ==, 1);
  g_assert_nonnull (strstr (run.err, path));
  g_assert_nonnull (strstr (run.err, "108 bytes with the terminating NUL"));
  /* Not even the directory. */
  g_assert_false (g_file_test (deep, G_FILE_TEST_EXISTS));
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* ---- The process contract and its limits, on daemons of their own ---- */

static char *
daemon_stderr (Daemon *d)
{
  g_autoptr(GError) error = NULL;
  char *text = NULL;

  g_file_get_contents (d->err_path, &text, NULL, &error);
  g_assert_no_error (error);
  return text;
}

static Client *
daemon_connect (Daemon *d)
{
  g_autoptr(GSocketAddress) a = g_inet_socket_address_new_from_string ("127.0.0.1", d->port);

  return client_connect (a);
}

/* With --verbose, standard output still carries only the listening lines:
 * the logs go to standard error. */
static void
test_verbose_stdout (void)
{
  static const char *const args[] = { "--verbose", NULL };
  static const DaemonSetup setup = { .args = args, .keep_stderr = TRUE };
  g_auto(Daemon) d = { NULL };
  g_autoptr(Client) c = NULL;
  g_autoptr(JsonNode) r = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  g_autofree char *err = NULL;

  daemon_start (&d, &setup);
  c = daemon_connect (&d);
  r = client_call (c, "Host.ping", "{}");
  daemon_stop (&d);
  line = g_data_input_stream_read_line_utf8 (d.out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, NULL);
  /* The debug lines are there. */
  err = daemon_stderr (&d);
  g_assert_nonnull (strstr (err, "Host.ping"));
}

/* A soft limit of open files below --max-connections is raised: 200
 * clients are served with a soft limit of 64 at start. */
static void
test_fd_limit_raised (void)
{
  static const char *const args[] = { "--max-connections", "300", NULL };
  DaemonSetup setup = { .args = args, .nofile_soft = 64 };
  g_auto(Daemon) d = { NULL };
  g_autoptr(GPtrArray) clients = g_ptr_array_new_with_free_func ((GDestroyNotify) client_free);
  struct rlimit ours;

  g_assert_cmpint (getrlimit (RLIMIT_NOFILE, &ours), ==, 0);
  if (ours.rlim_max != RLIM_INFINITY && ours.rlim_max < 300 + 256)
    {
      g_test_skip ("the hard limit of open files is too low for this test");
      return;
    }
  if (ours.rlim_cur != RLIM_INFINITY && ours.rlim_cur < 256)
    {
      g_test_skip ("this test needs 200 descriptors of its own");
      return;
    }
  setup.nofile_hard = ours.rlim_max;
  daemon_start (&d, &setup);
  /* Each connect waits for CONNECTED: an accept that failed would time out. */
  for (int i = 0; i < 200; i++)
    g_ptr_array_add (clients, daemon_connect (&d));
  {
    g_autoptr(JsonNode) r = client_call (clients->pdata[199], "Host.ping", "{}");
  }
  g_ptr_array_set_size (clients, 0);
  daemon_stop (&d);
}

/* A hard limit too low for --max-connections is said at start. */
static void
test_fd_limit_warning (void)
{
  static const char *const args[] = { "--max-connections", "1000", NULL };
  static const DaemonSetup setup = {
    .args = args, .keep_stderr = TRUE, .nofile_soft = 100, .nofile_hard = 100,
  };
  g_auto(Daemon) d = { NULL };
  g_autofree char *err = NULL;

  daemon_start (&d, &setup);
  daemon_stop (&d);
  err = daemon_stderr (&d);
  g_assert_nonnull (strstr (err, "open files are limited to 100 (hard limit 100) but "
                                 "--max-connections 1000 needs"));
}

/* --frame-timeout reaches the server: a frame sent a byte at a time is
 * cut off; --max-connections-per-peer does not count 127.0.0.1. */
static void
test_limit_options (void)
{
  static const char *const args[] = {
    "--frame-timeout", "700", "--max-connections-per-peer", "1", NULL
  };
  static const DaemonSetup setup = { .args = args, .keep_stderr = TRUE };
  static const char partial[] = "SEND\ndestination:jms.topic.vdsm_requests\n";
  g_auto(Daemon) d = { NULL };
  g_autoptr(Client) dribbler = NULL;
  g_autoptr(Client) second = NULL;
  g_autoptr(JsonNode) r = NULL;
  g_autofree char *err = NULL;
  gboolean closed = FALSE;
  gint64 start;
  double elapsed;

  daemon_start (&d, &setup);
  dribbler = daemon_connect (&d);
  second = daemon_connect (&d);
  r = client_call (second, "Host.ping", "{}");

  start = g_get_monotonic_time ();
  client_write (dribbler, partial, sizeof partial - 1);
  while (!closed && g_get_monotonic_time () - start < 5 * G_USEC_PER_SEC)
    {
      g_socket_send (dribbler->socket, "x", 1, NULL, NULL);
      if (g_socket_condition_timed_wait (dribbler->socket, G_IO_IN, 100 * 1000, NULL, NULL))
        closed = !client_fill (dribbler);
    }
  elapsed = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  g_assert_true (closed);
  g_assert_cmpfloat (elapsed, >=, 0.65);
  daemon_stop (&d);
  err = daemon_stderr (&d);
  g_assert_null (strstr (err, "WARNING"));
}

int
main (int argc, char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  load_schema ();
  start_daemon ();

  /* Registered in order: destroy changes the state the earlier tests
   * check, and sigterm ends the daemon. */
  g_test_add_func ("/vdsmd/ping", test_ping);
  g_test_add_func ("/vdsmd/get-vm-list", test_get_vm_list);
  g_test_add_func ("/vdsmd/get-all-vm-stats", test_get_all_vm_stats);
  g_test_add_func ("/vdsmd/get-all-vm-stats-sample", test_get_all_vm_stats_sample);
  g_test_add_func ("/vdsmd/vm-get-stats", test_vm_get_stats);
  g_test_add_func ("/vdsmd/get-stats", test_get_stats);
  g_test_add_func ("/vdsmd/get-capabilities", test_get_capabilities);
  g_test_add_func ("/vdsmd/vm-records-full", test_vm_records_full);
  g_test_add_func ("/vdsmd/host-records-full", test_host_records_full);
  g_test_add_func ("/vdsmd/unix-socket", test_unix_socket);
  g_test_add_func ("/vdsmd/bad-params", test_bad_params);
  g_test_add_func ("/vdsmd/bad-frame", test_bad_frame);
  g_test_add_func ("/vdsmd/memory-returned", test_memory_returned);
  g_test_add_func ("/vdsmd/destroy", test_destroy);
  g_test_add_func ("/vdsmd/sighup", test_sighup);
  g_test_add_func ("/vdsmd/sighup-tls", test_sighup_tls);
  g_test_add_func ("/vdsmd/unix-path-too-long", test_unix_path_too_long);
  g_test_add_func ("/vdsmd/sigterm", test_sigterm);
  g_test_add_func ("/vdsmd/process/verbose-stdout", test_verbose_stdout);
  g_test_add_func ("/vdsmd/process/fd-limit-raised", test_fd_limit_raised);
  g_test_add_func ("/vdsmd/process/fd-limit-warning", test_fd_limit_warning);
  g_test_add_func ("/vdsmd/process/limit-options", test_limit_options);

  ret = g_test_run ();

  daemon_clear (&daemon_state);
  vdsm_schema_free (schema);
  return ret;
}
