/* fake-stomp-server.c: a scripted STOMP server for the client tests.
 *
 * It runs in its own thread with blocking I/O and speaks the frames by hand
 * (independently of the codec under test): it answers CONNECT, records
 * SUBSCRIBEs, and hands each SEND's JSON-RPC request to the test's handler,
 * which replies, stays silent, or misbehaves.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "fake-stomp-server.h"

#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>
#include <string.h>

/* ---- Frames as the fake server sees them ---- */

static void
fake_frame_free (FakeFrame *frame)
{
  g_free (frame->command);
  g_hash_table_unref (frame->headers);
  g_free (frame->body);
  g_free (frame);
}

static FakeFrame *
fake_frame_parse (const char *data, gsize length)
{
  g_autofree char *text = g_strndup (data, length);
  char *body = strstr (text, "\n\n");
  g_auto(GStrv) lines = NULL;
  FakeFrame *frame;

  g_assert_nonnull (body);
  *body = '\0';
  frame = g_new0 (FakeFrame, 1);
  frame->body = g_strdup (body + 2);
  frame->headers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  lines = g_strsplit (text, "\n", -1);
  frame->command = g_strdup (lines[0]);
  for (guint i = 1; lines[i] != NULL; i++)
    {
      char *colon = strchr (lines[i], ':');

      g_assert_nonnull (colon);
      *colon = '\0';
      if (!g_hash_table_contains (frame->headers, lines[i]))
        g_hash_table_insert (frame->headers, g_strdup (lines[i]), g_strdup (colon + 1));
    }
  return frame;
}

const char *
fake_frame_header (FakeFrame *frame, const char *name)
{
  return g_hash_table_lookup (frame->headers, name);
}

/* ---- The fake server ---- */

void
fake_server_write (FakeServer *server, const char *data, gsize length)
{
  GOutputStream *out;

  g_mutex_lock (&server->write_lock);
  if (server->connection != NULL)
    {
      out = g_io_stream_get_output_stream (G_IO_STREAM (server->connection));
      g_output_stream_write_all (out, data, length, NULL, NULL, NULL);
    }
  g_mutex_unlock (&server->write_lock);
}

static gpointer
fake_server_beat_main (gpointer data)
{
  FakeServer *server = data;

  while (!g_cancellable_is_cancelled (server->cancellable))
    {
      g_usleep (server->beat_every_ms * 1000);
      fake_server_write (server, "\n", 1);
    }
  return NULL;
}

/* Sends @body as a MESSAGE to whoever subscribed to @destination. */
void
fake_server_message (FakeServer *server, const char *destination, const char *body)
{
  g_autoptr(GString) frame = g_string_new (NULL);
  const char *subscription;

  g_mutex_lock (&server->lock);
  subscription = g_hash_table_lookup (server->subscriptions, destination);
  g_mutex_unlock (&server->lock);
  g_assert_nonnull (subscription);

  g_string_append_printf (frame,
                          "MESSAGE\ndestination:%s\ncontent-type:application/json\n"
                          "subscription:%s\ncontent-length:%zu\n\n%s",
                          destination, subscription, strlen (body), body);
  fake_server_write (server, frame->str, frame->len + 1);
}

char *
fake_json_text (JsonNode *node)
{
  return json_to_string (node, FALSE);
}

void
fake_handle_echo (FakeServer *server, const char *method, JsonNode *id, JsonNode *params)
{
  g_autofree char *text = params != NULL ? fake_json_text (params) : g_strdup ("true");

  fake_server_reply (server, id, "result", text);
}

void
fake_handle_vm_error (FakeServer *server, const char *method, JsonNode *id, JsonNode *params)
{
  fake_server_reply (server, id, "error",
                     "{\"code\": 1, \"message\": \"Virtual machine does not exist\"}");
}

/* Replies to the request @id on the reply-to destination of the
 * connection with `"<member>": <json>`. */
void
fake_server_reply (FakeServer *server, JsonNode *id, const char *member, const char *json)
{
  g_autofree char *id_text = fake_json_text (id);
  g_autofree char *body = g_strdup_printf ("{\"jsonrpc\": \"2.0\", \"id\": %s, \"%s\": %s}",
                                           id_text, member, json);
  FakeFrame *send;
  const char *reply_to;

  g_mutex_lock (&server->lock);
  send = g_ptr_array_index (server->frames, server->frames->len - 1);
  g_mutex_unlock (&server->lock);
  reply_to = fake_frame_header (send, "reply-to");
  g_assert_nonnull (reply_to);
  fake_server_message (server, reply_to, body);
}

void
fake_server_drop (FakeServer *server)
{
  g_io_stream_close (G_IO_STREAM (server->connection), NULL, NULL);
  g_clear_object (&server->connection);
}

static void
fake_server_dispatch (FakeServer *server, FakeFrame *frame)
{
  if (g_str_equal (frame->command, "CONNECT"))
    {
      g_autofree char *reply = NULL;

      if (server->refuse)
        reply = g_strdup ("ERROR\ncontent-length:19\n\nVersion unsupported");
      else
        reply = g_strdup_printf ("CONNECTED\nversion:1.2\nheart-beat:%s\n\n",
                                 server->connected_heartbeat);
      fake_server_write (server, reply, strlen (reply) + 1);
      if (server->beat_every_ms > 0 && server->beat_thread == NULL)
        server->beat_thread = g_thread_new ("fake-beats", fake_server_beat_main, server);
    }
  else if (g_str_equal (frame->command, "SUBSCRIBE"))
    {
      g_mutex_lock (&server->lock);
      g_hash_table_insert (server->subscriptions, g_strdup (fake_frame_header (frame, "destination")),
                           g_strdup (fake_frame_header (frame, "id")));
      g_mutex_unlock (&server->lock);
    }
  else if (g_str_equal (frame->command, "SEND") && server->handler != NULL)
    {
      g_autoptr(JsonNode) request = json_from_string (frame->body, NULL);
      JsonObject *object;

      g_assert_nonnull (request);
      object = json_node_get_object (request);
      server->handler (server, json_object_get_string_member (object, "method"),
                       json_object_get_member (object, "id"),
                       json_object_get_member (object, "params"));
    }
}

static gpointer
fake_server_main (gpointer data)
{
  FakeServer *server = data;
  g_autoptr(GString) buffer = g_string_new (NULL);
  char chunk[4096];
  gssize n;

  server->connection = g_socket_listener_accept (server->listener, NULL, server->cancellable, NULL);
  if (server->connection == NULL)
    return NULL;

  while (server->connection != NULL &&
         (n = g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (server->connection)),
                                   chunk, sizeof chunk, server->cancellable, NULL)) > 0)
    {
      char *nul;

      g_string_append_len (buffer, chunk, n);
      /* Heart-beats: bare LFs between frames. */
      while (buffer->len > 0 && buffer->str[0] == '\n')
        {
          g_string_erase (buffer, 0, 1);
          g_mutex_lock (&server->lock);
          server->n_heartbeats++;
          g_cond_broadcast (&server->cond);
          g_mutex_unlock (&server->lock);
        }
      while (server->connection != NULL && (nul = memchr (buffer->str, '\0', buffer->len)) != NULL)
        {
          gsize length = (gsize) (nul - buffer->str);
          FakeFrame *frame = fake_frame_parse (buffer->str, length);

          g_string_erase (buffer, 0, (gssize) length + 1);
          while (buffer->len > 0 && buffer->str[0] == '\n')
            g_string_erase (buffer, 0, 1);
          g_mutex_lock (&server->lock);
          g_ptr_array_add (server->frames, frame);
          g_cond_broadcast (&server->cond);
          g_mutex_unlock (&server->lock);
          fake_server_dispatch (server, frame);
        }
    }
  return NULL;
}

FakeServer *
fake_server_new (FakeHandler handler)
{
  FakeServer *server = g_new0 (FakeServer, 1);

  server->listener = g_socket_listener_new ();
  server->cancellable = g_cancellable_new ();
  server->connected_heartbeat = "0,0";
  server->handler = handler;
  server->frames = g_ptr_array_new_with_free_func ((GDestroyNotify) fake_frame_free);
  server->subscriptions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_mutex_init (&server->lock);
  g_mutex_init (&server->write_lock);
  g_cond_init (&server->cond);
  return server;
}

void
fake_server_start_tcp (FakeServer *server)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(GError) error = NULL;

  g_socket_listener_add_address (server->listener, address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &effective, &error);
  g_assert_no_error (error);
  server->uri = g_strdup_printf ("tcp://127.0.0.1:%u",
                                 g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective)));
  server->thread = g_thread_new ("fake-server", fake_server_main, server);
}

void
fake_server_start_unix (FakeServer *server)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autofree char *path = NULL;

  server->tmpdir = g_dir_make_tmp ("vdsm-client-test-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (server->tmpdir, "vdsm.sock", NULL);
  address = g_unix_socket_address_new (path);
  g_socket_listener_add_address (server->listener, address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_DEFAULT, NULL, NULL, &error);
  g_assert_no_error (error);
  server->uri = g_strconcat ("unix://", path, NULL);
  server->thread = g_thread_new ("fake-server", fake_server_main, server);
}

void
fake_server_free (FakeServer *server)
{
  g_cancellable_cancel (server->cancellable);
  if (server->thread != NULL)
    g_thread_join (server->thread);
  if (server->beat_thread != NULL)
    g_thread_join (server->beat_thread);
  g_socket_listener_close (server->listener);
  if (server->tmpdir != NULL)
    {
      g_autofree char *path = g_build_filename (server->tmpdir, "vdsm.sock", NULL);

      g_unlink (path);
      g_rmdir (server->tmpdir);
      g_free (server->tmpdir);
    }
  g_clear_object (&server->connection);
  g_object_unref (server->listener);
  g_object_unref (server->cancellable);
  g_ptr_array_unref (server->frames);
  g_hash_table_unref (server->subscriptions);
  g_mutex_clear (&server->lock);
  g_mutex_clear (&server->write_lock);
  g_cond_clear (&server->cond);
  g_free (server->uri);
  g_free (server);
}


/* Waits until the server received @n frames; returns the @n-th (borrowed). */
FakeFrame *
fake_server_wait_frame (FakeServer *server, guint n)
{
  gint64 end = g_get_monotonic_time () + WAIT_SECONDS * G_TIME_SPAN_SECOND;
  FakeFrame *frame;

  g_mutex_lock (&server->lock);
  while (server->frames->len < n)
    g_assert_true (g_cond_wait_until (&server->cond, &server->lock, end));
  frame = g_ptr_array_index (server->frames, n - 1);
  g_mutex_unlock (&server->lock);
  return frame;
}

guint
fake_server_n_frames (FakeServer *server)
{
  guint n;

  g_mutex_lock (&server->lock);
  n = server->frames->len;
  g_mutex_unlock (&server->lock);
  return n;
}

