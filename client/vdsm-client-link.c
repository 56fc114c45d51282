/* vdsm-client-link.c: one STOMP connection of VdsmClient, from the socket
 * connect (and TLS handshake) to CONNECTED, then frames both ways and
 * heart-beats. Runs in the client's I/O thread only.
 *
 * A link outlives its close while I/O operations are in flight: closing a
 * socket under an operation would leave its source watching a dead
 * descriptor, so the memory goes when the last operation returned.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vdsm-client-link.h"

#include <netinet/in.h>
#include <netinet/tcp.h>

#define READ_CHUNK_SIZE 65536
/* Longest server-supplied text (ERROR frame) copied into a GError. */
#define MAX_SERVER_TEXT 1024

struct _VdsmClientLink {
  VdsmClientLinkCallbacks callbacks;
  gpointer data;
  char *uri;
  guint heartbeat_ms;
  VdsmClientTls *tls;               /* borrowed: the client outlives its links */

  gboolean closed;                  /* by the owner: no more callbacks */
  gboolean failed;                  /* `lost` was called */
  gboolean connected;               /* CONNECTED arrived */
  guint n_ops;                      /* async operations in flight */
  GCancellable *cancellable;
  GIOStream *stream;                /* the socket connection, or TLS over it */
  GSource *timeout_source;          /* until CONNECTED */
  GSource *heartbeat_source;
  VdsmStompParser *parser;
  guint8 *read_buffer;
  GQueue write_queue;               /* GBytes, in order */
  GBytes *writing;
  gint64 last_read_time;
  gint64 last_write_time;
  guint server_beat_ms;             /* negotiated: the server sends at least this often */
  guint client_beat_ms;             /* negotiated: we send at least this often */
};

static void
destroy_source (GSource **source)
{
  if (*source == NULL)
    return;
  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}

static void
link_free (VdsmClientLink *link)
{
  void (*released) (gpointer) = link->callbacks.released;
  gpointer data = link->data;

  if (link->stream != NULL)
    g_io_stream_close (link->stream, NULL, NULL);
  g_clear_object (&link->stream);
  g_clear_object (&link->cancellable);
  g_clear_pointer (&link->parser, vdsm_stomp_parser_free);
  g_free (link->read_buffer);
  g_queue_clear_full (&link->write_queue, (GDestroyNotify) g_bytes_unref);
  g_clear_pointer (&link->writing, g_bytes_unref);
  g_free (link->uri);
  g_free (link);
  released (data);
}

/* Stops everything that could call back; the memory waits for @link's
 * operations to return. */
static void
link_stop (VdsmClientLink *link)
{
  destroy_source (&link->timeout_source);
  destroy_source (&link->heartbeat_source);
  g_cancellable_cancel (link->cancellable);
  g_queue_clear_full (&link->write_queue, (GDestroyNotify) g_bytes_unref);
}

/* Called as each operation returns: FALSE when @link is no longer in use
 * (and may have been freed). */
static gboolean
link_op_done (VdsmClientLink *link)
{
  link->n_ops--;
  if (!link->closed && !link->failed)
    return TRUE;
  if (link->closed && link->n_ops == 0)
    link_free (link);
  return FALSE;
}

/* @error (transfer full) is why: told to the owner once. */
static void
link_fail (VdsmClientLink *link, GError *error)
{
  g_autoptr(GError) owned = error;

  if (link->closed || link->failed)
    return;
  link->failed = TRUE;
  link_stop (link);
  link->callbacks.lost (link, owned, link->data);
}

static void
link_fail_lost (VdsmClientLink *link, const char *what, const GError *cause)
{
  link_fail (link, g_error_new (G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                                "Connection to %s lost: %s%s%s", link->uri, what,
                                cause != NULL ? ": " : "", cause != NULL ? cause->message : ""));
}

static gboolean
free_idle_link (gpointer data)
{
  link_free (data);
  return G_SOURCE_REMOVE;
}

void
vdsm_client_link_close (VdsmClientLink *link)
{
  if (link->closed)
    return;
  link->closed = TRUE;
  link_stop (link);
  /* Not at once: the owner may be closing from a callback of this link,
   * whose caller still reads it on the way out. */
  if (link->n_ops == 0)
    {
      g_autoptr(GSource) source = g_idle_source_new ();

      g_source_set_callback (source, free_idle_link, link, NULL);
      g_source_attach (source, g_main_context_get_thread_default ());
    }
}

/* ---- Writing ---- */

static void link_flush (VdsmClientLink *link);

static void
on_written (GObject *source, GAsyncResult *res, gpointer data)
{
  VdsmClientLink *link = data;
  g_autoptr(GError) error = NULL;
  gboolean ok = g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), res, NULL, &error);

  g_clear_pointer (&link->writing, g_bytes_unref);
  if (!link_op_done (link))
    return;
  if (!ok)
    {
      link_fail_lost (link, "cannot write", error);
      return;
    }
  link->last_write_time = g_get_monotonic_time ();
  link_flush (link);
}

static void
link_flush (VdsmClientLink *link)
{
  GOutputStream *out;
  const void *data;
  gsize size;

  if (link->writing != NULL || link->parser == NULL || link->closed || link->failed)
    return;
  link->writing = g_queue_pop_head (&link->write_queue);
  if (link->writing == NULL)
    return;

  out = g_io_stream_get_output_stream (link->stream);
  data = g_bytes_get_data (link->writing, &size);
  link->n_ops++;
  g_output_stream_write_all_async (out, data, size, G_PRIORITY_DEFAULT, link->cancellable,
                                   on_written, link);
}

void
vdsm_client_link_send (VdsmClientLink *link, GBytes *bytes)
{
  if (link->closed || link->failed)
    {
      g_bytes_unref (bytes);
      return;
    }
  g_queue_push_tail (&link->write_queue, bytes);
  link_flush (link);
}

/* ---- Heart-beats ---- */

static gboolean
on_heartbeat_tick (gpointer data)
{
  VdsmClientLink *link = data;
  gint64 now = g_get_monotonic_time ();

  if (link->server_beat_ms > 0 &&
      now - link->last_read_time > VDSM_CLIENT_HEARTBEAT_GRACE (link->server_beat_ms) * 1000)
    {
      link_fail (link, g_error_new (G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                                    "Connection to %s lost: nothing received for "
                                    "%" G_GINT64_FORMAT " ms (heart-beats every %u ms "
                                    "were agreed)",
                                    link->uri, (now - link->last_read_time) / 1000,
                                    link->server_beat_ms));
      return G_SOURCE_REMOVE;
    }
  if (link->client_beat_ms > 0 && link->writing == NULL &&
      g_queue_is_empty (&link->write_queue) &&
      now - link->last_write_time >= (gint64) link->client_beat_ms * 1000 / 2)
    vdsm_client_link_send (link, g_bytes_new_static ("\n", 1));
  return G_SOURCE_CONTINUE;
}

/* One side's value of a heart-beat header; malformed counts as 0 (none). */
static guint
parse_beat (const char *text)
{
  guint64 value;

  if (!g_ascii_string_to_unsigned (text, 10, 0, VDSM_CLIENT_HEARTBEAT_MAX_MS, &value, NULL))
    return 0;
  return (guint) value;
}

/* STOMP 1.2's rule for one direction: none when the sender cannot or the
 * receiver does not want, else the larger of the two values. */
static guint
negotiate_beat (guint sender_can, guint receiver_wants)
{
  return sender_can == 0 || receiver_wants == 0 ? 0 : MAX (sender_can, receiver_wants);
}

static void
link_start_heartbeats (VdsmClientLink *link, const char *header)
{
  g_auto(GStrv) parts = NULL;
  guint tick;

  /* We sent "hb,hb" (we can send and want to receive every hb ms); the
   * server answers "sx,sy": it can send every sx ms and wants to hear from
   * us every sy ms. */
  if (header == NULL || link->heartbeat_ms == 0)
    return;
  parts = g_strsplit (header, ",", 0);
  if (g_strv_length (parts) != 2)
    return;
  link->server_beat_ms = negotiate_beat (parse_beat (parts[0]), link->heartbeat_ms);
  link->client_beat_ms = negotiate_beat (link->heartbeat_ms, parse_beat (parts[1]));
  if (link->server_beat_ms == 0 && link->client_beat_ms == 0)
    return;

  /* Often enough to send before the interval ends and to notice silence
   * within a quarter interval of the grace period. */
  if (link->server_beat_ms == 0)
    tick = link->client_beat_ms / 2;
  else if (link->client_beat_ms == 0)
    tick = link->server_beat_ms / 4;
  else
    tick = MIN (link->server_beat_ms / 4, link->client_beat_ms / 2);
  link->heartbeat_source = g_timeout_source_new (MAX (tick, 1));
  g_source_set_callback (link->heartbeat_source, on_heartbeat_tick, link, NULL);
  g_source_attach (link->heartbeat_source, g_main_context_get_thread_default ());
}

/* ---- Reading ---- */

static char *
server_text (VdsmStompFrame *frame)
{
  const char *text = vdsm_stomp_frame_get_header (frame, "message");
  gsize length;

  if (text != NULL)
    length = strlen (text);
  else
    text = vdsm_stomp_frame_get_body (frame, &length);
  return g_utf8_make_valid (text, MIN (length, MAX_SERVER_TEXT));
}

static void
link_handle_frame (VdsmClientLink *link, VdsmStompFrame *frame)
{
  g_autofree char *text = NULL;

  if (link->connected)
    {
      link->callbacks.frame (link, frame, link->data);
      return;
    }
  switch (vdsm_stomp_frame_get_command (frame))
    {
    case VDSM_STOMP_COMMAND_CONNECTED:
      link->connected = TRUE;
      destroy_source (&link->timeout_source);
      link_start_heartbeats (link, vdsm_stomp_frame_get_header (frame, "heart-beat"));
      link->callbacks.connected (link, link->data);
      break;

    case VDSM_STOMP_COMMAND_ERROR:
      text = server_text (frame);
      link_fail (link, g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED,
                                    "%s refused the connection: %s", link->uri, text));
      break;

    default:
      /* Nothing is meant for us before CONNECTED. */
      break;
    }
}

/* Returns FALSE once the link is no longer in use. */
static gboolean
link_feed (VdsmClientLink *link, const char *data, gsize length)
{
  while (length > 0 && !link->closed && !link->failed)
    {
      g_autoptr(VdsmStompFrame) frame = NULL;
      g_autoptr(GError) error = NULL;

      switch (vdsm_stomp_parser_parse (link->parser, &data, &length, &frame, &error))
        {
        case VDSM_STOMP_PARSE_FRAME:
          link_handle_frame (link, frame);
          break;
        case VDSM_STOMP_PARSE_HEARTBEAT:
          break;
        case VDSM_STOMP_PARSE_NEED_MORE:
          return TRUE;
        case VDSM_STOMP_PARSE_ERROR:
        default:
          link_fail (link, g_error_new (G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                                        "Connection to %s dropped: invalid data: %s",
                                        link->uri, error->message));
          return FALSE;
        }
    }
  return !link->closed && !link->failed;
}

static void link_read (VdsmClientLink *link);

static void
on_read (GObject *source, GAsyncResult *res, gpointer data)
{
  VdsmClientLink *link = data;
  g_autoptr(GError) error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), res, &error);

  if (!link_op_done (link))
    return;
  if (n < 0)
    {
      link_fail_lost (link, "cannot read", error);
      return;
    }
  if (n == 0)
    {
      link_fail (link, g_error_new (G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                                    "Connection closed by %s", link->uri));
      return;
    }
  link->last_read_time = g_get_monotonic_time ();
  if (link_feed (link, (const char *) link->read_buffer, (gsize) n))
    link_read (link);
}

static void
link_read (VdsmClientLink *link)
{
  GInputStream *in = g_io_stream_get_input_stream (link->stream);

  link->n_ops++;
  g_input_stream_read_async (in, link->read_buffer, READ_CHUNK_SIZE, G_PRIORITY_DEFAULT,
                             link->cancellable, on_read, link);
}

/* ---- Connecting ---- */

/* The stream is ready (TLS done if any): STOMP starts. */
static void
link_start_stomp (VdsmClientLink *link, GBytes *handshake)
{
  link->parser = vdsm_stomp_parser_new (0, 0);
  link->read_buffer = g_malloc (READ_CHUNK_SIZE);
  link->last_read_time = link->last_write_time = g_get_monotonic_time ();
  /* Before whatever the owner queued while the socket was not ready. */
  g_queue_push_head (&link->write_queue, handshake);
  link_flush (link);
  link_read (link);
}

typedef struct {
  VdsmClientLink *link;
  GBytes *handshake;
} ConnectStep;

static void
connect_step_free (ConnectStep *step)
{
  g_bytes_unref (step->handshake);
  g_free (step);
}

static void
on_tls_handshake (GObject *source, GAsyncResult *res, gpointer data)
{
  ConnectStep *step = data;
  VdsmClientLink *link = step->link;
  g_autoptr(GError) error = NULL;

  if (g_tls_connection_handshake_finish (G_TLS_CONNECTION (source), res, &error))
    {
      if (link_op_done (link))
        link_start_stomp (link, g_steal_pointer (&step->handshake));
    }
  else if (link_op_done (link))
    {
      g_prefix_error (&error, "TLS handshake with %s failed: ", link->uri);
      link_fail (link, g_steal_pointer (&error));
    }
  connect_step_free (step);
}

static void
on_socket_connected (GObject *source, GAsyncResult *res, gpointer data)
{
  ConnectStep *step = data;
  VdsmClientLink *link = step->link;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) connection =
    g_socket_client_connect_finish (G_SOCKET_CLIENT (source), res, &error);
  GSocket *socket;

  if (!link_op_done (link))
    goto out;
  if (connection == NULL)
    {
      g_prefix_error (&error, "Cannot connect to %s: ", link->uri);
      link_fail (link, g_steal_pointer (&error));
      goto out;
    }

  /* Requests are written whole; waiting for the previous one's ACK (Nagle)
   * would only add latency to pipelined calls. */
  socket = g_socket_connection_get_socket (connection);
  if (g_socket_get_family (socket) != G_SOCKET_FAMILY_UNIX)
    g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, TRUE, NULL);

  if (link->tls == NULL)
    {
      link->stream = G_IO_STREAM (g_steal_pointer (&connection));
      link_start_stomp (link, g_steal_pointer (&step->handshake));
      goto out;
    }
  link->stream = vdsm_client_tls_wrap (link->tls, G_IO_STREAM (connection), &error);
  if (link->stream == NULL)
    {
      g_prefix_error (&error, "Cannot start TLS with %s: ", link->uri);
      link_fail (link, g_steal_pointer (&error));
      goto out;
    }
  link->n_ops++;
  g_tls_connection_handshake_async (G_TLS_CONNECTION (link->stream), G_PRIORITY_DEFAULT,
                                    link->cancellable, on_tls_handshake, step);
  return;

out:
  connect_step_free (step);
}

static gboolean
on_connect_timeout (gpointer data)
{
  VdsmClientLink *link = data;

  g_clear_pointer (&link->timeout_source, g_source_unref);
  link_fail (link, g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                                "Timed out connecting to %s", link->uri));
  return G_SOURCE_REMOVE;
}

VdsmClientLink *
vdsm_client_link_new (const VdsmClientLinkConfig *config, GBytes *handshake,
                      const VdsmClientLinkCallbacks *callbacks, gpointer data)
{
  VdsmClientLink *link = g_new0 (VdsmClientLink, 1);
  g_autoptr(GSocketClient) socket_client = g_socket_client_new ();
  ConnectStep *step = g_new0 (ConnectStep, 1);

  link->callbacks = *callbacks;
  link->data = data;
  link->uri = g_strdup (config->uri);
  link->heartbeat_ms = config->heartbeat_ms;
  link->tls = config->tls;
  link->cancellable = g_cancellable_new ();
  g_queue_init (&link->write_queue);

  if (config->timeout_ms > 0)
    {
      link->timeout_source = g_timeout_source_new (config->timeout_ms);
      g_source_set_callback (link->timeout_source, on_connect_timeout, link, NULL);
      g_source_attach (link->timeout_source, g_main_context_get_thread_default ());
    }

  /* A management connection goes straight to the host, never via a proxy
   * found in the environment. */
  g_socket_client_set_enable_proxy (socket_client, FALSE);
  step->link = link;
  step->handshake = handshake;
  link->n_ops++;
  g_socket_client_connect_async (socket_client, config->address->connectable, link->cancellable,
                                 on_socket_connected, step);
  return link;
}
