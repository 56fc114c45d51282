/* test-client.c: VdsmClient against a scripted fake STOMP server.
 *
 * The fake server (fake-stomp-server.c) answers each request through the
 * handler a test gives it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vdsm-client.h"
#include "vdsm-error.h"

#include "fake-stomp-server.h"

#include <string.h>

/* ---- Handlers ---- */

static void
handle_foreign_id_first (FakeServer *server, const char *method, JsonNode *id, JsonNode *params)
{
  g_autoptr(JsonNode) foreign = json_from_string ("\"00000000-0000-0000-0000-000000000000\"", NULL);

  fake_server_reply (server, foreign, "result", "\"someone else's\"");
  fake_server_reply (server, id, "result", "\"mine\"");
}

static void
handle_silently (FakeServer *server, const char *method, JsonNode *id, JsonNode *params)
{
}

static void
handle_drop (FakeServer *server, const char *method, JsonNode *id, JsonNode *params)
{
  fake_server_drop (server);
}

static void
handle_event_then_reply (FakeServer *server, const char *method, JsonNode *id, JsonNode *params)
{
  fake_server_message (server, "jms.queue.events",
                       "{\"jsonrpc\": \"2.0\", \"method\": \"|virt|VM_status|7a6d2d6e-1f6c-4b7e-9f3a-2c0b6a7d9e11\", "
                       "\"params\": {\"7a6d2d6e-1f6c-4b7e-9f3a-2c0b6a7d9e11\": {\"status\": \"Up\"}, \"notify_time\": 2149739098}}");
  fake_server_message (server, "jms.queue.events",
                       "{\"jsonrpc\": \"2.0\", \"method\": \"|net|host_conn|no_id\", \"params\": {\"notify_time\": 2149739099}}");
  fake_server_reply (server, id, "result", "true");
}

static void
handle_garbage_then_reply (FakeServer *server, const char *method, JsonNode *id, JsonNode *params)
{
  g_autofree char *deep = g_strnfill (200000, '[');

  /* Not JSON, nested too deep, not JSON-RPC, a bad error object elsewhere:
   * all ignored; the connection stays usable. */
  fake_server_message (server, "jms.queue.events", "this is not JSON");
  fake_server_message (server, "jms.queue.events", deep);
  fake_server_message (server, "jms.queue.events", "[1, \"x\", {\"id\": 5}, {\"method\": 7}]");
  fake_server_reply (server, id, "result", "[1, 2, 3]");
}

static void
handle_bad_error_object (FakeServer *server, const char *method, JsonNode *id, JsonNode *params)
{
  fake_server_reply (server, id, "error", "{\"code\": \"one\", \"message\": 3}");
}

static void
handle_broken_frame (FakeServer *server, const char *method, JsonNode *id, JsonNode *params)
{
  /* content-length does not end at a NUL: the stream cannot be trusted. */
  static const char broken[] = "MESSAGE\ndestination:x\ncontent-length:2\n\nabcdef";

  fake_server_write (server, broken, sizeof broken);
}

/* ---- Client helpers ---- */

static VdsmClient *
connect_sync (FakeServer *server)
{
  g_autoptr(GError) error = NULL;
  VdsmClient *client = vdsm_client_new_sync (server->uri, NULL, &error);

  g_assert_no_error (error);
  g_assert_true (VDSM_IS_CLIENT (client));
  return client;
}

/* Starts @server on loopback TCP and connects to it. */
static VdsmClient *
connect_tcp (FakeServer *server)
{
  fake_server_start_tcp (server);
  return connect_sync (server);
}

static void
store_result (GObject *source, GAsyncResult *res, gpointer data)
{
  GAsyncResult **out = data;

  g_assert_null (*out);
  *out = g_object_ref (res);
}

static void
wait_for (GAsyncResult **res)
{
  gint64 end = g_get_monotonic_time () + WAIT_SECONDS * G_TIME_SPAN_SECOND;

  while (*res == NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static void
wait_until (const gboolean *flag)
{
  gint64 end = g_get_monotonic_time () + WAIT_SECONDS * G_TIME_SPAN_SECOND;

  while (!*flag)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

/* ---- Tests: connecting ---- */

static void
test_handshake (void)
{
  g_autoptr(FakeServer) server = fake_server_new (NULL);
  g_autoptr(VdsmClient) client = NULL;
  FakeFrame *connect, *reply_sub, *events_sub;
  guint n;

  client = connect_tcp (server);
  g_assert_false (vdsm_client_is_closed (client));
  g_assert_cmpstr (vdsm_client_get_uri (client), ==, server->uri);

  connect = fake_server_wait_frame (server, 1);
  g_assert_cmpstr (connect->command, ==, "CONNECT");
  g_assert_cmpstr (fake_frame_header (connect, "accept-version"), ==, "1.2");
  /* The default offer, both ways. */
  g_assert_cmpstr (fake_frame_header (connect, "heart-beat"), ==, G_STRINGIFY (VDSM_CLIENT_DEFAULT_HEARTBEAT) ","
                   G_STRINGIFY (VDSM_CLIENT_DEFAULT_HEARTBEAT));

  reply_sub = fake_server_wait_frame (server, 2);
  events_sub = fake_server_wait_frame (server, 3);
  g_assert_cmpstr (reply_sub->command, ==, "SUBSCRIBE");
  g_assert_true (g_uuid_string_is_valid (fake_frame_header (reply_sub, "destination")));
  g_assert_nonnull (fake_frame_header (reply_sub, "id"));
  g_assert_cmpstr (fake_frame_header (reply_sub, "ack"), ==, "auto");
  g_assert_cmpstr (events_sub->command, ==, "SUBSCRIBE");
  g_assert_cmpstr (fake_frame_header (events_sub, "destination"), ==, "jms.queue.events");
  g_assert_cmpstr (fake_frame_header (events_sub, "ack"), ==, "auto");
  g_assert_cmpstr (fake_frame_header (events_sub, "id"), !=, fake_frame_header (reply_sub, "id"));

  vdsm_client_close (client);
  g_assert_true (vdsm_client_is_closed (client));
  n = fake_server_n_frames (server);
  g_assert_cmpuint (n, ==, 3);
}

static void
test_connect_async (void)
{
  g_autoptr(FakeServer) server = fake_server_new (fake_handle_echo);
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(VdsmClient) client = NULL;
  g_autoptr(JsonNode) result = NULL;

  fake_server_start_tcp (server);
  vdsm_client_new (server->uri, NULL, store_result, &res);
  wait_for (&res);
  client = vdsm_client_new_finish (res, &error);
  g_assert_no_error (error);
  g_assert_true (VDSM_IS_CLIENT (client));

  result = vdsm_client_call_sync (client, "Host.ping", NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (result));
}

static void
test_connect_unix (void)
{
  g_autoptr(FakeServer) server = fake_server_new (fake_handle_echo);
  g_autoptr(VdsmClient) client = NULL;
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;

  fake_server_start_unix (server);
  client = connect_sync (server);
  result = vdsm_client_call_sync (client, "Host.ping", NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (result);
}

static void
test_connect_refused_by_stomp (void)
{
  g_autoptr(FakeServer) server = fake_server_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(VdsmClient) client = NULL;

  server->refuse = TRUE;
  fake_server_start_tcp (server);
  client = vdsm_client_new_sync (server->uri, NULL, &error);
  g_assert_null (client);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "Version unsupported"));
}

static void
test_connect_no_server (void)
{
  g_autoptr(FakeServer) server = fake_server_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(VdsmClient) client = NULL;
  g_autofree char *uri = NULL;

  /* Bind a port, then give it up: nobody listens there now. */
  fake_server_start_tcp (server);
  uri = g_strdup (server->uri);
  g_clear_pointer (&server, fake_server_free);

  client = vdsm_client_new_sync (uri, NULL, &error);
  g_assert_null (client);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  g_assert_nonnull (strstr (error->message, uri));
}

static void
test_connect_invalid_uri (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VdsmClient) client = vdsm_client_new_sync ("http://localhost:54321", NULL, &error);
  g_autoptr(GAsyncResult) res = NULL;

  g_assert_null (client);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  vdsm_client_new ("localhost", NULL, store_result, &res);
  wait_for (&res);
  g_assert_null (vdsm_client_new_finish (res, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
}

/* A listening socket nobody accepts on: the kernel completes the TCP
 * handshake, but CONNECTED never comes. */
static GSocketListener *
mute_listener_new (char **uri)
{
  GSocketListener *listener = g_socket_listener_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(GError) error = NULL;

  g_socket_listener_add_address (listener, address, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                 NULL, &effective, &error);
  g_assert_no_error (error);
  *uri = g_strdup_printf ("tcp://127.0.0.1:%u",
                          g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective)));
  return listener;
}

static void
test_connect_timeout (void)
{
  g_autofree char *uri = NULL;
  /* Listens, never accepts: held for the test's duration. */
  G_GNUC_UNUSED g_autoptr(GSocketListener) mute = mute_listener_new (&uri);
  g_autoptr(GError) error = NULL;
  g_autoptr(VdsmClient) client = NULL;
  gint64 start = g_get_monotonic_time ();

  client = g_initable_new (VDSM_TYPE_CLIENT, NULL, &error, "uri", uri, "timeout", 1, NULL);
  g_assert_null (client);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, G_TIME_SPAN_SECOND / 2);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_TIME_SPAN_SECOND);
}

static void
test_connect_cancel (void)
{
  g_autofree char *uri = NULL;
  /* Listens, never accepts: held for the test's duration. */
  G_GNUC_UNUSED g_autoptr(GSocketListener) mute = mute_listener_new (&uri);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;

  vdsm_client_new (uri, cancellable, store_result, &res);
  g_cancellable_cancel (cancellable);
  wait_for (&res);
  g_assert_null (vdsm_client_new_finish (res, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* ---- Tests: calls ---- */

static void
test_call_success (void)
{
  g_autoptr(FakeServer) server = fake_server_new (fake_handle_echo);
  g_autoptr(VdsmClient) client = NULL;
  g_autoptr(JsonNode) params = json_from_string ("{\"vmID\": \"abc\", \"n\": 3}", NULL);
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(JsonNode) request = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *flow_id = NULL;
  FakeFrame *reply_sub, *send;
  JsonObject *object;

  client = connect_tcp (server);
  result = vdsm_client_call_sync (client, "VM.getStats", params, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (json_node_equal (result, params));
  g_assert_null (json_node_get_parent (result));

  reply_sub = fake_server_wait_frame (server, 2);
  send = fake_server_wait_frame (server, 4);
  g_assert_cmpstr (send->command, ==, "SEND");
  g_assert_cmpstr (fake_frame_header (send, "destination"), ==, "jms.topic.vdsm_requests");
  g_assert_cmpstr (fake_frame_header (send, "reply-to"), ==, fake_frame_header (reply_sub, "destination"));
  g_assert_cmpstr (fake_frame_header (send, "content-type"), ==, "application/json");
  g_assert_cmpuint (g_ascii_strtoull (fake_frame_header (send, "content-length"), NULL, 10), ==,
                    strlen (send->body));
  g_assert_null (fake_frame_header (send, "ovirtCorrelationId"));
  request = json_from_string (send->body, &error);
  g_assert_no_error (error);
  object = json_node_get_object (request);
  g_assert_cmpstr (json_object_get_string_member (object, "jsonrpc"), ==, "2.0");
  g_assert_cmpstr (json_object_get_string_member (object, "method"), ==, "VM.getStats");
  g_assert_true (g_uuid_string_is_valid (json_object_get_string_member (object, "id")));
  g_assert_true (json_node_equal (json_object_get_member (object, "params"), params));
  g_clear_pointer (&result, json_node_unref);

  /* No params: an empty object goes out; the flow id rides along. */
  vdsm_client_set_flow_id (client, "my:flow");
  flow_id = vdsm_client_dup_flow_id (client);
  g_assert_cmpstr (flow_id, ==, "my:flow");
  result = vdsm_client_call_sync (client, "Host.ping", NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (result));
  g_assert_cmpuint (json_object_get_size (json_node_get_object (result)), ==, 0);
  send = fake_server_wait_frame (server, 5);
  /* Escaped on the wire as STOMP 1.2 says: "my\cflow". */
  g_assert_cmpstr (fake_frame_header (send, "ovirtCorrelationId"), ==, "my\\cflow");
  g_clear_pointer (&result, json_node_unref);

  /* Positional params are passed through. */
  g_clear_pointer (&params, json_node_unref);
  params = json_from_string ("[false, [], 1.5]", NULL);
  result = vdsm_client_call_sync (client, "Host.getVMList", params, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (json_node_equal (result, params));
}

static void
test_call_invalid_params (void)
{
  g_autoptr(FakeServer) server = fake_server_new (fake_handle_echo);
  g_autoptr(VdsmClient) client = NULL;
  g_autoptr(JsonNode) params = json_from_string ("\"just a string\"", NULL);
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;

  client = connect_tcp (server);
  result = vdsm_client_call_sync (client, "Host.ping", params, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  /* The handshake's three frames may still be on their way; nothing else
   * went out: a ping after them is the fourth. */
  fake_server_wait_frame (server, 3);
  g_clear_pointer (&result, json_node_unref);
  g_clear_error (&error);
  result = vdsm_client_call_sync (client, "Host.ping", NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (fake_server_wait_frame (server, 4)->command, ==, "SEND");
  g_assert_cmpuint (fake_server_n_frames (server), ==, 4);
}

static void
test_call_server_error (void)
{
  g_autoptr(FakeServer) server = fake_server_new (fake_handle_vm_error);
  g_autoptr(VdsmClient) client = NULL;
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;

  client = connect_tcp (server);
  result = vdsm_client_call_sync (client, "VM.getStats", NULL, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, VDSM_ERROR, VDSM_ERROR_NO_SUCH_VM);
  g_assert_cmpstr (error->message, ==, "Virtual machine does not exist");
  g_assert_false (vdsm_client_is_closed (client));
}

static void
test_call_bad_error_object (void)
{
  g_autoptr(FakeServer) server = fake_server_new (handle_bad_error_object);
  g_autoptr(VdsmClient) client = NULL;
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;

  client = connect_tcp (server);
  result = vdsm_client_call_sync (client, "Host.ping", NULL, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, VDSM_ERROR, VDSM_ERROR_INVALID_REPLY);
}

static void
test_call_unknown_id_ignored (void)
{
  g_autoptr(FakeServer) server = fake_server_new (handle_foreign_id_first);
  g_autoptr(VdsmClient) client = NULL;
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;

  client = connect_tcp (server);
  result = vdsm_client_call_sync (client, "Host.ping", NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_node_get_string (result), ==, "mine");
}

static void
test_call_garbage_ignored (void)
{
  g_autoptr(FakeServer) server = fake_server_new (handle_garbage_then_reply);
  g_autoptr(VdsmClient) client = NULL;
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;

  client = connect_tcp (server);
  result = vdsm_client_call_sync (client, "Host.ping", NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (result));
  g_assert_cmpuint (json_array_get_length (json_node_get_array (result)), ==, 3);
}

static void
on_closed (VdsmClient *client, GError *error, gpointer data)
{
  GError **out = data;

  g_assert_null (*out);
  *out = error != NULL ? g_error_copy (error)
                       : g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CLOSED, "(no error)");
}

/* Starts @server on loopback TCP and connects to it without reconnecting. */
static VdsmClient *
connect_tcp_once (FakeServer *server)
{
  g_autoptr(GError) error = NULL;
  VdsmClient *client;

  fake_server_start_tcp (server);
  client = g_initable_new (VDSM_TYPE_CLIENT, NULL, &error, "uri", server->uri,
                           "reconnect", FALSE, NULL);
  g_assert_no_error (error);
  return client;
}

static void
check_connection_lost (FakeHandler handler)
{
  g_autoptr(FakeServer) server = fake_server_new (handler);
  g_autoptr(VdsmClient) client = NULL;
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) closed_error = NULL;
  g_autoptr(GAsyncResult) res = NULL;

  client = connect_tcp_once (server);
  g_signal_connect (client, "closed", G_CALLBACK (on_closed), &closed_error);

  vdsm_client_call (client, "Host.ping", NULL, NULL, store_result, &res);
  wait_for (&res);
  result = vdsm_client_call_finish (client, res, &error);
  g_assert_null (result);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED);
  g_test_message ("%s", error->message);
  g_clear_error (&error);

  while (closed_error == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (closed_error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED);
  g_assert_true (vdsm_client_is_closed (client));

  /* Later calls fail at once, with the same reason. */
  result = vdsm_client_call_sync (client, "Host.ping", NULL, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED);
}

static void
test_call_connection_lost (void)
{
  check_connection_lost (handle_drop);
}

static void
test_call_invalid_frame (void)
{
  check_connection_lost (handle_broken_frame);
}

static void
test_call_timeout (void)
{
  g_autoptr(FakeServer) server = fake_server_new (handle_silently);
  g_autoptr(VdsmClient) client = NULL;
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start;

  client = connect_tcp (server);
  g_assert_cmpuint (vdsm_client_get_timeout (client), ==, VDSM_CLIENT_DEFAULT_TIMEOUT);
  g_object_set (client, "timeout", 1, NULL);
  g_assert_cmpuint (vdsm_client_get_timeout (client), ==, 1);

  start = g_get_monotonic_time ();
  result = vdsm_client_call_sync (client, "Host.ping", NULL, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, G_TIME_SPAN_SECOND / 2);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_TIME_SPAN_SECOND);
  /* A timeout is not a connection problem. */
  g_assert_false (vdsm_client_is_closed (client));
}

static void
test_call_cancel (void)
{
  g_autoptr(FakeServer) server = fake_server_new (handle_silently);
  g_autoptr(VdsmClient) client = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;

  client = connect_tcp (server);

  vdsm_client_call (client, "Host.ping", NULL, cancellable, store_result, &res);
  fake_server_wait_frame (server, 4);
  g_assert_null (res);
  g_cancellable_cancel (cancellable);
  wait_for (&res);
  result = vdsm_client_call_finish (client, res, &error);
  g_assert_null (result);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  /* Already cancelled: nothing is sent. */
  result = vdsm_client_call_sync (client, "Host.ping", NULL, cancellable, &error);
  g_assert_null (result);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (fake_server_n_frames (server), ==, 4);
}

static void
test_close (void)
{
  g_autoptr(FakeServer) server = fake_server_new (handle_silently);
  g_autoptr(VdsmClient) client = NULL;
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;

  client = connect_tcp (server);

  vdsm_client_call (client, "Host.ping", NULL, NULL, store_result, &res);
  fake_server_wait_frame (server, 4);
  vdsm_client_close (client);
  vdsm_client_close (client);
  g_assert_true (vdsm_client_is_closed (client));
  wait_for (&res);
  result = vdsm_client_call_finish (client, res, &error);
  g_assert_null (result);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  g_clear_error (&error);

  result = vdsm_client_call_sync (client, "Host.ping", NULL, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
}

/* The last reference goes while a call is pending on the server side:
 * the call's task keeps the client alive until it completes. */
static void
test_unref_with_pending_call (void)
{
  g_autoptr(FakeServer) server = fake_server_new (handle_silently);
  VdsmClient *client;
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  GWeakRef weak;

  client = connect_tcp (server);
  g_weak_ref_init (&weak, client);
  vdsm_client_set_timeout (client, 1);
  vdsm_client_call (client, "Host.ping", NULL, NULL, store_result, &res);
  g_object_unref (client);
  wait_for (&res);
  client = VDSM_CLIENT (g_async_result_get_source_object (res));
  g_assert_null (vdsm_client_call_finish (client, res, &error));
  g_object_unref (client);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_clear_object (&res);
  g_assert_null (g_weak_ref_get (&weak));
  g_weak_ref_clear (&weak);
}

/* ---- Tests: events ---- */

typedef struct {
  guint n_any;
  guint n_vm_status;
  guint n_other_detail;
  char *vm_status_id;
  JsonNode *vm_status_params;
  GThread *thread;
} EventCounts;

static void
on_any_event (VdsmClient *client, const char *event_id, JsonNode *params, gpointer data)
{
  EventCounts *counts = data;

  g_assert_true (g_thread_self () == counts->thread);
  counts->n_any++;
}

static void
on_vm_status (VdsmClient *client, const char *event_id, JsonNode *params, gpointer data)
{
  EventCounts *counts = data;

  counts->n_vm_status++;
  counts->vm_status_id = g_strdup (event_id);
  counts->vm_status_params = json_node_ref (params);
}

static void
on_other_detail (VdsmClient *client, const char *event_id, JsonNode *params, gpointer data)
{
  EventCounts *counts = data;

  counts->n_other_detail++;
}

static void
test_events (void)
{
  g_autoptr(FakeServer) server = fake_server_new (handle_event_then_reply);
  g_autoptr(VdsmClient) client = NULL;
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;
  EventCounts counts = { 0, };
  JsonObject *params;

  counts.thread = g_thread_self ();
  client = connect_tcp (server);
  g_signal_connect (client, "event", G_CALLBACK (on_any_event), &counts);
  g_signal_connect (client, "event::virt.VM_status", G_CALLBACK (on_vm_status), &counts);
  g_signal_connect (client, "event::virt.VM_migration_status", G_CALLBACK (on_other_detail), &counts);

  result = vdsm_client_call_sync (client, "Host.ping", NULL, NULL, &error);
  g_assert_no_error (error);

  /* The sync call did not run the main context: events are delivered there. */
  while (counts.n_any < 2)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (counts.n_vm_status, ==, 1);
  g_assert_cmpuint (counts.n_other_detail, ==, 0);
  g_assert_cmpstr (counts.vm_status_id, ==, "|virt|VM_status|7a6d2d6e-1f6c-4b7e-9f3a-2c0b6a7d9e11");
  params = json_node_get_object (counts.vm_status_params);
  g_assert_cmpint (json_object_get_int_member (params, "notify_time"), ==, 2149739098);
  g_assert_cmpstr (json_object_get_string_member (
                     json_object_get_object_member (params, "7a6d2d6e-1f6c-4b7e-9f3a-2c0b6a7d9e11"),
                     "status"), ==, "Up");
  g_free (counts.vm_status_id);
  json_node_unref (counts.vm_status_params);
}

/* ---- Tests: heart-beats ---- */

/* Connects with #VdsmClient:heartbeat set to @heartbeat_ms. */
static VdsmClient *
connect_with_heartbeat (FakeServer *server, guint heartbeat_ms)
{
  g_autoptr(GError) error = NULL;
  VdsmClient *client;

  fake_server_start_tcp (server);
  client = g_initable_new (VDSM_TYPE_CLIENT, NULL, &error, "uri", server->uri,
                           "heartbeat", heartbeat_ms, "reconnect", FALSE, NULL);
  g_assert_no_error (error);
  return client;
}

static void
test_heartbeat_sent (void)
{
  g_autoptr(FakeServer) server = fake_server_new (NULL);
  g_autoptr(VdsmClient) client = NULL;
  gint64 end = g_get_monotonic_time () + WAIT_SECONDS * G_TIME_SPAN_SECOND;

  /* We can send every 200 ms, the server wants one every 100 ms: by STOMP's
   * rule, one at least every 200 ms. */
  server->connected_heartbeat = "0,100";
  client = connect_with_heartbeat (server, 200);
  g_assert_cmpstr (fake_frame_header (fake_server_wait_frame (server, 1), "heart-beat"), ==,
                   "200,200");

  g_mutex_lock (&server->lock);
  while (server->n_heartbeats < 3)
    g_assert_true (g_cond_wait_until (&server->cond, &server->lock, end));
  g_mutex_unlock (&server->lock);
  g_assert_false (vdsm_client_is_closed (client));
}

static void
test_heartbeat_off (void)
{
  g_autoptr(FakeServer) server = fake_server_new (NULL);
  g_autoptr(VdsmClient) client = NULL;

  server->connected_heartbeat = "1000,1000";
  client = connect_with_heartbeat (server, 0);
  g_assert_cmpstr (fake_frame_header (fake_server_wait_frame (server, 1), "heart-beat"), ==,
                   "0,0");
}

static void
test_heartbeat_missed (void)
{
  g_autoptr(FakeServer) server = fake_server_new (NULL);
  g_autoptr(VdsmClient) client = NULL;
  g_autoptr(GError) closed_error = NULL;

  /* The server promises a beat every 200 ms and never sends one. */
  server->connected_heartbeat = "200,0";
  client = connect_with_heartbeat (server, 200);
  g_signal_connect (client, "closed", G_CALLBACK (on_closed), &closed_error);
  while (closed_error == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (closed_error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED);
  g_assert_nonnull (strstr (closed_error->message, "heart-beats every 200 ms"));
}

static gboolean
quit_loop (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

/* A server that follows STOMP's rule: it said it can beat every 200 ms,
 * we asked for 1500, so it beats every 1500 ms (here a little faster), and
 * the connection is healthy. Taking the server's own 200 ms as the interval
 * would declare it dead after a few hundred ms. */
static void
test_heartbeat_spec_rule (void)
{
  g_autoptr(FakeServer) server = fake_server_new (fake_handle_echo);
  g_autoptr(VdsmClient) client = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;

  server->connected_heartbeat = "200,0";
  server->beat_every_ms = 1400;
  client = connect_with_heartbeat (server, 1500);
  g_timeout_add (3500, quit_loop, loop);
  g_main_loop_run (loop);
  g_assert_false (vdsm_client_is_closed (client));
  result = vdsm_client_call_sync (client, "Host.ping", NULL, NULL, &error);
  g_assert_no_error (error);
}

/* ---- Tests: threads ---- */

#define N_ASYNC 20
#define N_SYNC 20

typedef struct {
  VdsmClient *client;
  guint n_async_done;
  GThread *main_thread;
  gboolean thread_done;
} ThreadsData;

static void
on_async_echo (GObject *source, GAsyncResult *res, gpointer data)
{
  ThreadsData *td = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) result = vdsm_client_call_finish (VDSM_CLIENT (source), res, &error);

  g_assert_no_error (error);
  g_assert_true (g_thread_self () == td->main_thread);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (result));
  td->n_async_done++;
}

static gpointer
sync_caller (gpointer data)
{
  ThreadsData *td = data;

  for (guint i = 0; i < N_SYNC; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *text = g_strdup_printf ("[%u]", i);
      g_autoptr(JsonNode) params = json_from_string (text, NULL);
      g_autoptr(JsonNode) result = vdsm_client_call_sync (td->client, "Test.echo", params, NULL, &error);

      g_assert_no_error (error);
      g_assert_true (json_node_equal (result, params));
    }
  g_atomic_int_set (&td->thread_done, TRUE);
  g_main_context_wakeup (NULL);
  return NULL;
}

static void
test_threads (void)
{
  g_autoptr(FakeServer) server = fake_server_new (fake_handle_echo);
  g_autoptr(VdsmClient) client = NULL;
  ThreadsData td = { 0, };
  GThread *thread;

  client = connect_tcp (server);
  td.client = client;
  td.main_thread = g_thread_self ();

  for (guint i = 0; i < N_ASYNC; i++)
    vdsm_client_call (client, "Host.ping", NULL, NULL, on_async_echo, &td);
  thread = g_thread_new ("sync-caller", sync_caller, &td);
  while (td.n_async_done < N_ASYNC || !g_atomic_int_get (&td.thread_done))
    g_main_context_iteration (NULL, TRUE);
  g_thread_join (thread);
  g_assert_cmpuint (td.n_async_done, ==, N_ASYNC);
}

/* A sync call from a signal handler, on the thread that runs the main
 * loop, must not deadlock. */
static void
on_event_call_sync (VdsmClient *client, const char *event_id, JsonNode *params, gpointer data)
{
  gboolean *done = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) result = NULL;

  if (*done)
    return;
  result = vdsm_client_call_sync (client, "Host.ping", NULL, NULL, &error);
  g_assert_no_error (error);
  *done = TRUE;
}

static void
test_sync_in_handler (void)
{
  g_autoptr(FakeServer) server = fake_server_new (handle_event_then_reply);
  g_autoptr(VdsmClient) client = NULL;
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;
  gboolean done = FALSE;

  client = connect_tcp (server);
  g_signal_connect (client, "event", G_CALLBACK (on_event_call_sync), &done);
  vdsm_client_call (client, "Host.ping", NULL, NULL, store_result, &res);
  wait_for (&res);
  result = vdsm_client_call_finish (client, res, &error);
  g_assert_no_error (error);
  wait_until (&done);
}

/* ---- Tests: per-call timeouts ---- */

/* A sync call runs a private main context: cancel from a thread. */
static gpointer
cancel_after_1500_ms (gpointer data)
{
  g_usleep (1500 * 1000);
  g_cancellable_cancel (data);
  return NULL;
}

/* vdsm_client_call_full() overrides #VdsmClient:timeout both ways: a
 * shorter limit, and none at all. */
static void
test_call_timeout_per_call (void)
{
  g_autoptr(FakeServer) server = fake_server_new (handle_silently);
  g_autoptr(VdsmClient) client = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;
  GThread *canceller;
  gint64 start;

  client = connect_tcp (server);
  start = g_get_monotonic_time ();
  result = vdsm_client_call_full_sync (client, "Host.ping", NULL, 200, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_nonnull (strstr (error->message, "200 ms"));
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_TIME_SPAN_SECOND);
  g_clear_error (&error);

  /* 0 waits past the client's own 1 s: the call ends when cancelled. */
  vdsm_client_set_timeout (client, 1);
  canceller = g_thread_new ("canceller", cancel_after_1500_ms, cancellable);
  result = vdsm_client_call_full_sync (client, "Host.ping", NULL, 0, cancellable, &error);
  g_thread_join (canceller);
  g_assert_null (result);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* ---- Tests: event patterns ---- */

static const char *
frame_command_at (FakeServer *server, guint n)
{
  return fake_server_wait_frame (server, n)->command;
}

/* The patterns go to the server as the SUBSCRIBE header event-filter; a
 * change subscribes anew before it drops the old subscription; no
 * patterns, no subscription; NULL, every event again. */
static void
test_event_patterns_subscribe (void)
{
  g_autoptr(FakeServer) server = fake_server_new (fake_handle_echo);
  g_autoptr(VdsmClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) result = NULL;
  g_auto(GStrv) got = NULL;
  const char *vm_status[] = { "*|virt|VM_status|*", NULL };
  const char *two[] = { "*|net|*|*", "|virt|VM_status|x", NULL };
  const char *none[] = { NULL };
  FakeFrame *events_sub, *again, *dropped;

  fake_server_start_tcp (server);
  client = g_initable_new (VDSM_TYPE_CLIENT, NULL, &error, "uri", server->uri,
                           "event-patterns", vm_status, NULL);
  g_assert_no_error (error);
  events_sub = fake_server_wait_frame (server, 3);
  g_assert_cmpstr (fake_frame_header (events_sub, "destination"), ==, "jms.queue.events");
  g_assert_cmpstr (fake_frame_header (events_sub, "event-filter"), ==, "*|virt|VM_status|*");

  g_assert_true (vdsm_client_set_event_patterns (client, two, &error));
  g_assert_no_error (error);
  got = vdsm_client_dup_event_patterns (client);
  g_assert_true (g_strv_equal ((const char *const *) got, two));
  again = fake_server_wait_frame (server, 4);
  dropped = fake_server_wait_frame (server, 5);
  g_assert_cmpstr (again->command, ==, "SUBSCRIBE");
  g_assert_cmpstr (fake_frame_header (again, "event-filter"), ==, "*|net|*|*,|virt|VM_status|x");
  g_assert_cmpstr (fake_frame_header (again, "id"), !=, fake_frame_header (events_sub, "id"));
  g_assert_cmpstr (dropped->command, ==, "UNSUBSCRIBE");
  g_assert_cmpstr (fake_frame_header (dropped, "id"), ==, fake_frame_header (events_sub, "id"));

  g_assert_true (vdsm_client_set_event_patterns (client, none, &error));
  g_assert_cmpstr (frame_command_at (server, 6), ==, "UNSUBSCRIBE");
  g_assert_true (vdsm_client_set_event_patterns (client, NULL, &error));
  again = fake_server_wait_frame (server, 7);
  g_assert_cmpstr (again->command, ==, "SUBSCRIBE");
  g_assert_null (fake_frame_header (again, "event-filter"));
  /* Nothing else went out. */
  result = vdsm_client_call_sync (client, "Host.ping", NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (frame_command_at (server, 8), ==, "SEND");
}

/* A server that ignores the filter (VDSM) sends every event: the client
 * drops those its patterns do not select. */
static void
test_event_patterns_client_side (void)
{
  g_autoptr(FakeServer) server = fake_server_new (handle_event_then_reply);
  g_autoptr(VdsmClient) client = NULL;
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(GError) error = NULL;
  const char *net[] = { "*|net|*|*", NULL };
  EventCounts counts = { 0, };

  counts.thread = g_thread_self ();
  fake_server_start_tcp (server);
  client = g_initable_new (VDSM_TYPE_CLIENT, NULL, &error, "uri", server->uri,
                           "event-patterns", net, NULL);
  g_assert_no_error (error);
  g_signal_connect (client, "event", G_CALLBACK (on_any_event), &counts);
  g_signal_connect (client, "event::virt.VM_status", G_CALLBACK (on_vm_status), &counts);
  result = vdsm_client_call_sync (client, "Host.ping", NULL, NULL, &error);
  g_assert_no_error (error);
  while (counts.n_any < 1)
    g_main_context_iteration (NULL, TRUE);
  /* The VM_status event came first: had it passed, it would be here. */
  g_assert_cmpuint (counts.n_vm_status, ==, 0);
}

/* A malformed pattern is refused, with what is wrong. */
static void
test_event_patterns_invalid (void)
{
  g_autoptr(FakeServer) server = fake_server_new (NULL);
  g_autoptr(VdsmClient) client = connect_tcp (server);
  const char *const invalid[][2] = {
    { "virt|VM_status", NULL }, { "*|vi*rt|*|*", NULL }, { "*|a,b|*|*", NULL },
    { "*|a|b\n|*", NULL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (vdsm_client_set_event_patterns (client, invalid[i], &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      g_test_message ("%s", error->message);
    }
  g_assert_null (vdsm_client_dup_event_patterns (client));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/client/connect/handshake", test_handshake);
  g_test_add_func ("/client/connect/async", test_connect_async);
  g_test_add_func ("/client/connect/unix", test_connect_unix);
  g_test_add_func ("/client/connect/refused-by-stomp", test_connect_refused_by_stomp);
  g_test_add_func ("/client/connect/no-server", test_connect_no_server);
  g_test_add_func ("/client/connect/invalid-uri", test_connect_invalid_uri);
  g_test_add_func ("/client/connect/timeout", test_connect_timeout);
  g_test_add_func ("/client/connect/cancel", test_connect_cancel);
  g_test_add_func ("/client/call/success", test_call_success);
  g_test_add_func ("/client/call/invalid-params", test_call_invalid_params);
  g_test_add_func ("/client/call/server-error", test_call_server_error);
  g_test_add_func ("/client/call/bad-error-object", test_call_bad_error_object);
  g_test_add_func ("/client/call/unknown-id-ignored", test_call_unknown_id_ignored);
  g_test_add_func ("/client/call/garbage-ignored", test_call_garbage_ignored);
  g_test_add_func ("/client/call/connection-lost", test_call_connection_lost);
  g_test_add_func ("/client/call/invalid-frame", test_call_invalid_frame);
  g_test_add_func ("/client/call/timeout", test_call_timeout);
  g_test_add_func ("/client/call/cancel", test_call_cancel);
  g_test_add_func ("/client/close", test_close);
  g_test_add_func ("/client/unref-with-pending-call", test_unref_with_pending_call);
  g_test_add_func ("/client/events", test_events);
  g_test_add_func ("/client/heartbeat/sent", test_heartbeat_sent);
  g_test_add_func ("/client/heartbeat/missed", test_heartbeat_missed);
  g_test_add_func ("/client/heartbeat/off", test_heartbeat_off);
  g_test_add_func ("/client/heartbeat/spec-rule", test_heartbeat_spec_rule);
  g_test_add_func ("/client/threads", test_threads);
  g_test_add_func ("/client/sync-in-handler", test_sync_in_handler);
  g_test_add_func ("/client/call/timeout-per-call", test_call_timeout_per_call);
  g_test_add_func ("/client/event-patterns/subscribe", test_event_patterns_subscribe);
  g_test_add_func ("/client/event-patterns/client-side", test_event_patterns_client_side);
  g_test_add_func ("/client/event-patterns/invalid", test_event_patterns_invalid);

  return g_test_run ();
}
