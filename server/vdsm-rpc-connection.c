/* vdsm-rpc-connection.c: one client socket: protocol detection, reading
 * into the STOMP parser, the bounded send queue, heart-beat timers.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#if defined(__linux__)
#define _GNU_SOURCE                            /* struct ucred */
#include <sys/socket.h>
#endif
#include "vdsm-rpc-private.h"

#include <string.h>

#define DETECT_BYTES 11                        /* strlen ("UNSUBSCRIBE") */
#define FLUSH_TIMEOUT_US (5 * G_USEC_PER_SEC)  /* closing: time to drain */
#define OUTBUF_KEEP (256 * 1024)               /* larger drained buffers are freed */
#define OUTBUF_COMPACT (1024 * 1024)

/* The words vdsm's detector accepts (§1): STOMP only. */
static const char *const detect_words[] = {
  "CONNECT", "CONNECTED", "SEND", "SUBSCRIBE", "UNSUBSCRIBE",
  "MESSAGE", "ERROR", "RECEIPT", "DISCONNECT",
};

typedef enum { DETECT_WAIT, DETECT_STOMP, DETECT_REJECT } DetectResult;

/* Like vdsm: STOMP once 11 bytes start with a command word. Also decided
 * earlier when a complete command line is there (a short header-less
 * frame), or when no command word can match any more (garbage). */
static DetectResult
detect (const char *buf, gsize len)
{
  gboolean possible = FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (detect_words); i++)
    {
      const char *w = detect_words[i];
      gsize wlen = strlen (w);

      if (len >= wlen && memcmp (buf, w, wlen) == 0)
        {
          if (len >= DETECT_BYTES || (len > wlen && (buf[wlen] == '\n' || buf[wlen] == '\r')))
            return DETECT_STOMP;
          possible = TRUE;
        }
      else if (len < wlen && memcmp (buf, w, len) == 0)
        possible = TRUE;
    }
  return possible && len < DETECT_BYTES ? DETECT_WAIT : DETECT_REJECT;
}

VdsmRpcConnection *
vdsm_rpc_connection_ref (VdsmRpcConnection *conn)
{
  g_atomic_ref_count_inc (&conn->ref);
  return conn;
}

void
vdsm_rpc_connection_unref (VdsmRpcConnection *conn)
{
  if (!g_atomic_ref_count_dec (&conn->ref))
    return;
  g_assert (conn->closed);
  g_free (conn->peer);
  g_clear_object (&conn->stream);
  g_clear_object (&conn->socket);
  g_hash_table_unref (conn->subscriptions);
  g_free (conn);
}

gboolean
vdsm_rpc_connection_is_open (VdsmRpcConnection *conn)
{
  return !conn->closed && !conn->closing && conn->close_source == NULL;
}

static void
clear_source (GSource **source)
{
  if (*source)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

void
vdsm_rpc_connection_close (VdsmRpcConnection *conn, const char *reason)
{
  VdsmRpcServer *server = conn->server;

  if (conn->closed)
    return;
  g_debug ("connection %" G_GUINT64_FORMAT " (%s) closed after %" G_GUINT64_FORMAT " sends: %s",
           conn->id, conn->peer, conn->n_sends, reason);
  conn->closed = TRUE;
  clear_source (&conn->read_source);
  clear_source (&conn->write_source);
  clear_source (&conn->timer_source);
  clear_source (&conn->close_source);
  if (conn->handshake != NULL)
    {
      /* The TLS backend's thread is using the socket: wake it up and let
       * the handshake callback close it. */
      g_cancellable_cancel (conn->handshake);
      g_socket_shutdown (conn->socket, TRUE, TRUE, NULL);
    }
  else
    g_socket_close (conn->socket, NULL);
  g_clear_pointer (&conn->parser, vdsm_stomp_parser_free);
  if (conn->held_input != NULL)
    g_string_free (g_steal_pointer (&conn->held_input), TRUE);
  g_string_free (conn->outbuf, TRUE);
  conn->outbuf = NULL;
  vdsm_rpc_budget_remove (conn);
  vdsm_rpc_broker_remove_connection (server->broker, conn);
  conn->server = NULL;
  /* Drops the server's ref; the caller may hold another. */
  g_hash_table_remove (server->connections, conn);
}

static gboolean
on_deferred_close (gpointer user_data)
{
  VdsmRpcConnection *conn = user_data;

  vdsm_rpc_connection_close (conn, conn->close_reason);
  return G_SOURCE_REMOVE;
}

static void drop_output (VdsmRpcConnection *conn);

/* Closing from a write must wait: the write may come from the broker
 * iterating subscriptions that the close would remove. Nothing is read,
 * sent or queued meanwhile (vdsm_rpc_connection_is_open() is FALSE), and
 * what was queued is dropped now. The close runs before any source of
 * default priority: at idle priority it waited for the loop to run dry,
 * which a busy server never does, and the write source of a client that
 * read once stayed ready for ever, spinning while the memory stayed held. */
void
vdsm_rpc_connection_close_later (VdsmRpcConnection *conn, const char *reason)
{
  if (conn->closed || conn->close_source != NULL)
    return;
  conn->close_reason = reason;
  clear_source (&conn->read_source);
  clear_source (&conn->write_source);
  drop_output (conn);
  vdsm_rpc_budget_remove (conn);
  conn->close_source = g_idle_source_new ();
  g_source_set_priority (conn->close_source, G_PRIORITY_HIGH);
  g_source_set_callback (conn->close_source, on_deferred_close, conn, NULL);
  vdsm_rpc_source_attach (conn->close_source, "vdsm-rpc-close", conn->server);
}

/* ---- Writing ---- */

static void arm_timer (VdsmRpcConnection *conn);

static gsize
pending (VdsmRpcConnection *conn)
{
  return conn->outbuf->len - conn->out_pos;
}

void
vdsm_rpc_connection_get_buffered (VdsmRpcConnection *conn, gsize *input, gsize *output)
{
  *input = (conn->parser ? vdsm_stomp_parser_get_buffered (conn->parser) : 0) +
           (conn->held_input ? conn->held_input->len : 0) + conn->held_received;
  *output = (conn->outbuf ? pending (conn) : 0) + conn->held_to_send;
}

void
vdsm_rpc_connection_count_held (VdsmRpcConnection *conn, gssize received, gssize to_send)
{
  conn->held_received += received;
  conn->held_to_send += to_send;
  vdsm_rpc_budget_update (conn);
}

/* Everything queued was sent, or will never be. */
static void
drop_output (VdsmRpcConnection *conn)
{
  conn->out_pos = 0;
  if (conn->outbuf->allocated_len > OUTBUF_KEEP)
    {
      g_string_free (conn->outbuf, TRUE);
      conn->outbuf = g_string_sized_new (4096);
    }
  else
    g_string_truncate (conn->outbuf, 0);
}

static gboolean on_writable (GObject *stream, gpointer user_data);

/* Sends as much as the socket takes; arms the write source for the rest.
 * Returns FALSE when the connection was closed or is about to be. */
static gboolean
flush (VdsmRpcConnection *conn)
{
  if (conn->close_source != NULL)
    return FALSE;
  while (pending (conn) > 0)
    {
      g_autoptr(GError) error = NULL;
      gssize n = g_pollable_output_stream_write_nonblocking (conn->output,
                                                             conn->outbuf->str + conn->out_pos,
                                                             pending (conn), NULL, &error);

      if (n < 0)
        {
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            break;
          g_debug ("connection %" G_GUINT64_FORMAT " (%s): send failed: %s",
                   conn->id, conn->peer, error->message);
          clear_source (&conn->write_source);
          vdsm_rpc_connection_close_later (conn, "send failed");
          return FALSE;
        }
      conn->out_pos += n;
      conn->n_sends++;
      conn->last_send = g_get_monotonic_time ();
    }

  if (pending (conn) == 0)
    {
      drop_output (conn);
      clear_source (&conn->write_source);
      if (conn->closing)
        {
          vdsm_rpc_connection_close (conn, "closed after flush");
          return FALSE;
        }
    }
  else
    {
      if (conn->out_pos >= OUTBUF_COMPACT)
        {
          g_string_erase (conn->outbuf, 0, conn->out_pos);
          conn->out_pos = 0;
        }
      if (conn->write_source == NULL)
        {
          conn->write_source = g_pollable_output_stream_create_source (conn->output, NULL);
          g_source_set_callback (conn->write_source, G_SOURCE_FUNC (on_writable), conn, NULL);
          vdsm_rpc_source_attach (conn->write_source, "vdsm-rpc-write", conn->server);
        }
    }
  vdsm_rpc_budget_update (conn);
  return TRUE;
}

static gboolean
on_writable (GObject *stream, gpointer user_data)
{
  VdsmRpcConnection *conn = user_data;
  /* Keeps @conn alive while a callback may close it. */
  G_GNUC_UNUSED g_autoptr(VdsmRpcConnection) hold = vdsm_rpc_connection_ref (conn);

  flush (conn);
  /* flush() destroyed this source when done or closed. */
  return G_SOURCE_CONTINUE;
}

GString *
vdsm_rpc_connection_begin_frame (VdsmRpcConnection *conn, gsize *mark)
{
  g_assert (!conn->closed);
  *mark = conn->outbuf->len;
  return conn->outbuf;
}

void
vdsm_rpc_connection_end_frame (VdsmRpcConnection *conn, gsize mark)
{
  VdsmRpcServer *server = conn->server;

  /* One frame larger than the limit may go out alone; queueing behind
   * unread data past the limit means the client is not reading. */
  if (mark > conn->out_pos && pending (conn) > server->max_send_queue)
    {
      g_message ("connection %" G_GUINT64_FORMAT " (%s): %" G_GSIZE_FORMAT " bytes queued "
                 "for sending exceed the send queue limit of %" G_GSIZE_FORMAT " bytes "
                 "(max-send-queue): the client does not read; closing",
                 conn->id, conn->peer, pending (conn), server->max_send_queue);
      vdsm_rpc_connection_close_later (conn, "send queue limit exceeded: the client does not read");
      return;
    }
  /* The replies to the frames of one read leave in one send, once they
   * are all written (see on_readable()): a send per frame costs more than
   * the rest of a Host.ping. Not to the Java client, which handles one
   * frame per read and leaves a second one waiting until more bytes come
   * (protocol.md §3). */
  if (conn->write_source == NULL && !(conn->reading && !conn->frame_per_send))
    flush (conn);
  else
    vdsm_rpc_budget_update (conn);
}

void
vdsm_rpc_connection_close_after_flush (VdsmRpcConnection *conn, const char *reason)
{
  if (conn->closed || conn->closing)
    return;
  g_debug ("connection %" G_GUINT64_FORMAT " (%s) closing: %s", conn->id, conn->peer, reason);
  conn->closing = TRUE;
  conn->closing_deadline = g_get_monotonic_time () + FLUSH_TIMEOUT_US;
  clear_source (&conn->read_source);
  if (flush (conn))
    arm_timer (conn);
}

/* ---- Timers ---- */

static gint64
recv_deadline (VdsmRpcConnection *conn)
{
  gint64 ms = conn->recv_interval_ms;

  /* Paused, its heart-beats are not read: they may be waiting. */
  if (conn->paused)
    return G_MAXINT64;
  return conn->last_recv + (ms + MAX (ms / 5, 500)) * 1000;
}

/* Closing deadlines of a connection still being set up. */
static gint64
handshake_deadline (VdsmRpcConnection *conn)
{
  return conn->accepted_at + (gint64) conn->server->handshake_timeout_ms * 1000;
}

static gint64
idle_deadline (VdsmRpcConnection *conn)
{
  return conn->accepted_at + (gint64) conn->server->idle_timeout_ms * 1000;
}

static gboolean
idle_limited (VdsmRpcConnection *conn)
{
  return !conn->got_frame && conn->server->idle_timeout_ms > 0;
}

static void
arm_timer (VdsmRpcConnection *conn)
{
  gint64 next = -1;

#define CONSIDER(t) G_STMT_START { gint64 t_ = (t); if (next < 0 || t_ < next) next = t_; } G_STMT_END
  if (!conn->detected)
    CONSIDER (handshake_deadline (conn));
  if (idle_limited (conn))
    CONSIDER (idle_deadline (conn));
  if (conn->closing)
    CONSIDER (conn->closing_deadline);
  if (conn->recv_interval_ms > 0 && !conn->closing)
    CONSIDER (recv_deadline (conn));
  if (conn->send_interval_ms > 0)
    CONSIDER (conn->last_send + (gint64) conn->send_interval_ms * 1000);
#undef CONSIDER
  g_source_set_ready_time (conn->timer_source, next);
}

static gboolean
on_timer (gpointer user_data)
{
  VdsmRpcConnection *conn = user_data;
  /* Keeps @conn alive while a callback may close it. */
  G_GNUC_UNUSED g_autoptr(VdsmRpcConnection) hold = vdsm_rpc_connection_ref (conn);
  gint64 now = g_get_monotonic_time ();

  if (!conn->detected && now >= handshake_deadline (conn))
    {
      g_message ("connection %" G_GUINT64_FORMAT " (%s): %s not done within %u ms",
                 conn->id, conn->peer,
                 conn->handshake ? "TLS handshake" : "protocol detection",
                 conn->server->handshake_timeout_ms);
      vdsm_rpc_connection_close (conn, "handshake timeout");
      return G_SOURCE_CONTINUE;
    }
  if (idle_limited (conn) && now >= idle_deadline (conn))
    {
      g_message ("connection %" G_GUINT64_FORMAT " (%s): no complete frame within %u ms",
                 conn->id, conn->peer, conn->server->idle_timeout_ms);
      vdsm_rpc_connection_close (conn, "idle timeout");
      return G_SOURCE_CONTINUE;
    }
  if (conn->closing && now >= conn->closing_deadline)
    {
      vdsm_rpc_connection_close (conn, "timed out flushing before close");
      return G_SOURCE_CONTINUE;
    }
  if (conn->recv_interval_ms > 0 && !conn->closing && now >= recv_deadline (conn))
    {
      vdsm_rpc_connection_close (conn, "no heart-beat from the client");
      return G_SOURCE_CONTINUE;
    }
  if (conn->send_interval_ms > 0 &&
      now >= conn->last_send + (gint64) conn->send_interval_ms * 1000)
    {
      if (pending (conn) == 0)
        {
          g_string_append_c (conn->outbuf, '\n');
          if (!flush (conn))
            return G_SOURCE_CONTINUE;
        }
      else
        /* Bytes are queued but not taken: no beat needed, look again later. */
        conn->last_send = now;
    }
  arm_timer (conn);
  return G_SOURCE_CONTINUE;
}

static gboolean
timer_dispatch (GSource *source, GSourceFunc callback, gpointer user_data)
{
  return callback (user_data);
}

static GSourceFuncs timer_funcs = {
  .dispatch = timer_dispatch,
};

void
vdsm_rpc_connection_update_timer (VdsmRpcConnection *conn)
{
  if (!conn->closed)
    arm_timer (conn);
}

/* ---- Reading ---- */

/* Returns FALSE when the connection was closed. */
static gboolean
feed (VdsmRpcConnection *conn, const char *data, gsize len)
{
  while (len > 0)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(VdsmStompFrame) frame = NULL;

      if (conn->paused)
        {
          /* Kept in its own buffer: the read buffer is shared. */
          g_assert (conn->held_input == NULL);
          conn->held_input = g_string_new_len (data, len);
          return TRUE;
        }
      switch (vdsm_stomp_parser_parse (conn->parser, &data, &len, &frame, &error))
        {
        case VDSM_STOMP_PARSE_FRAME:
          if (!conn->got_frame)
            {
              conn->got_frame = TRUE;
              arm_timer (conn);
            }
          vdsm_rpc_session_handle_frame (conn, frame);
          if (conn->closed)
            return FALSE;
          /* Closing: the rest is not read. */
          if (!vdsm_rpc_connection_is_open (conn))
            return TRUE;
          break;
        case VDSM_STOMP_PARSE_HEARTBEAT:
        case VDSM_STOMP_PARSE_NEED_MORE:
          break;
        case VDSM_STOMP_PARSE_ERROR:
          if (g_error_matches (error, VDSM_STOMP_ERROR, VDSM_STOMP_ERROR_TOO_LARGE))
            {
              /* The client can be told why; then the stream is lost. */
              g_message ("connection %" G_GUINT64_FORMAT " (%s): %s",
                         conn->id, conn->peer, error->message);
              vdsm_rpc_session_send_error (conn, error->message);
              vdsm_rpc_connection_close_after_flush (conn, error->message);
              return !conn->closed;
            }
          vdsm_rpc_connection_close (conn, error->message);
          return FALSE;
        }
    }
  return TRUE;
}

static void
process (VdsmRpcConnection *conn, const char *data, gsize len)
{
  if (!conn->detected)
    {
      gsize take = MIN (len, DETECT_BYTES - conn->detect_len);

      memcpy (conn->detect_buf + conn->detect_len, data, take);
      conn->detect_len += take;
      data += take;
      len -= take;
      switch (detect (conn->detect_buf, conn->detect_len))
        {
        case DETECT_WAIT:
          return;
        case DETECT_REJECT:
          g_message ("connection %" G_GUINT64_FORMAT " (%s): unrecognized protocol",
                     conn->id, conn->peer);
          vdsm_rpc_connection_close (conn, "unrecognized protocol");
          return;
        case DETECT_STOMP:
          conn->detected = TRUE;
          conn->parser = vdsm_stomp_parser_new (conn->server->max_frame_size,
                                                conn->server->max_header_size);
          arm_timer (conn);
          if (!feed (conn, conn->detect_buf, conn->detect_len))
            return;
          break;
        }
    }
  if (len > 0 && vdsm_rpc_connection_is_open (conn))
    feed (conn, data, len);
}

/* The replies to the frames in @data leave in one send. */
static void
handle_input (VdsmRpcConnection *conn, const char *data, gsize len)
{
  conn->reading = TRUE;
  process (conn, data, len);
  conn->reading = FALSE;
  if (conn->closed)
    return;
  /* Both count against the budget: what the parser holds, what waits. */
  if (conn->write_source == NULL)
    flush (conn);
  else
    vdsm_rpc_budget_update (conn);
}

/* One read per wake-up, then the other ready connections get their turn.
 * A pipelining client refills its window while it is being served, so
 * reading on until the socket runs dry (or for several reads) serves it
 * again and again while every other client waits a whole round. */
static gboolean
on_readable (GObject *stream, gpointer user_data)
{
  VdsmRpcConnection *conn = user_data;
  /* Keeps @conn alive while a callback may close it. */
  G_GNUC_UNUSED g_autoptr(VdsmRpcConnection) hold = vdsm_rpc_connection_ref (conn);
  g_autoptr(GError) error = NULL;
  char *buffer = conn->server->read_buffer;
  gssize n;

  g_source_set_ready_time (conn->read_source, -1);
  n = g_pollable_input_stream_read_nonblocking (conn->input, buffer, VDSM_RPC_READ_BUFFER_SIZE,
                                                NULL, &error);
  if (n < 0)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        vdsm_rpc_connection_close (conn, error->message);
      return G_SOURCE_CONTINUE;
    }
  if (n == 0)
    {
      vdsm_rpc_connection_close (conn, "closed by the client");
      return G_SOURCE_CONTINUE;
    }

  conn->last_recv = g_get_monotonic_time ();
  handle_input (conn, buffer, n);
  /* Closing and pausing stop reading. */
  if (conn->read_source == NULL)
    return G_SOURCE_CONTINUE;
  /* Come back after the other sources ran when polling the socket may
   * not tell: a full buffer may have left more behind, and TLS may hold
   * decrypted data. The read that finds nothing stops this. */
  if (n == VDSM_RPC_READ_BUFFER_SIZE || G_IS_TLS_CONNECTION (conn->stream))
    g_source_set_ready_time (conn->read_source, 0);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_socket_readable (GSocket *socket, GIOCondition condition, gpointer user_data)
{
  return on_readable (NULL, user_data);
}

static void
watch_input (VdsmRpcConnection *conn)
{
  /* A socket source has no child source for GLib to block and unblock
   * around each dispatch (see vdsm_rpc_source_attach()); TLS needs the
   * stream's own source, which knows about data it already decrypted. */
  if (G_IS_TLS_CONNECTION (conn->stream))
    {
      conn->read_source = g_pollable_input_stream_create_source (conn->input, NULL);
      g_source_set_callback (conn->read_source, G_SOURCE_FUNC (on_readable), conn, NULL);
    }
  else
    {
      conn->read_source = g_socket_create_source (conn->socket, G_IO_IN, NULL);
      g_source_set_callback (conn->read_source, G_SOURCE_FUNC (on_socket_readable), conn, NULL);
    }
  vdsm_rpc_source_attach (conn->read_source, "vdsm-rpc-read", conn->server);
}

static void
start_reading (VdsmRpcConnection *conn)
{
  conn->input = G_POLLABLE_INPUT_STREAM (g_io_stream_get_input_stream (conn->stream));
  conn->output = G_POLLABLE_OUTPUT_STREAM (g_io_stream_get_output_stream (conn->stream));
  watch_input (conn);
}

void
vdsm_rpc_connection_pause_input (VdsmRpcConnection *conn)
{
  g_assert (!conn->paused);
  conn->paused = TRUE;
  clear_source (&conn->read_source);
  arm_timer (conn);
}

void
vdsm_rpc_connection_resume_input (VdsmRpcConnection *conn)
{
  g_autoptr(GString) held = g_steal_pointer (&conn->held_input);

  g_assert (conn->paused);
  conn->paused = FALSE;
  if (!vdsm_rpc_connection_is_open (conn))
    return;
  /* Its heart-beats were not read meanwhile. */
  conn->last_recv = g_get_monotonic_time ();
  arm_timer (conn);
  if (held != NULL)
    handle_input (conn, held->str, held->len);
  if (conn->paused || !vdsm_rpc_connection_is_open (conn))
    return;
  watch_input (conn);
  /* TLS may hold decrypted bytes that polling the socket does not show.
   * (A ready time on a socket source would mean its I/O timed out.) */
  if (G_IS_TLS_CONNECTION (conn->stream))
    g_source_set_ready_time (conn->read_source, 0);
}

static void
on_handshake_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(VdsmRpcConnection) conn = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok = g_tls_connection_handshake_finish (G_TLS_CONNECTION (source), result, &error);
  GTlsCertificate *peer;
  g_autofree char *subject = NULL;

  g_clear_object (&conn->handshake);
  if (conn->closed)
    {
      /* Closed meanwhile: the close left the socket to us. */
      g_socket_close (conn->socket, NULL);
      return;
    }
  if (!ok)
    {
      g_message ("connection %" G_GUINT64_FORMAT " (%s): TLS handshake failed: %s",
                 conn->id, conn->peer, error->message);
      vdsm_rpc_connection_close (conn, "TLS handshake failed");
      return;
    }

  peer = g_tls_connection_get_peer_certificate (G_TLS_CONNECTION (source));
  subject = peer ? g_tls_certificate_get_subject_name (peer) : NULL;
  g_info ("connection %" G_GUINT64_FORMAT " (%s): TLS established, client certificate %s",
          conn->id, conn->peer, peer ? (subject ? subject : "(no subject)") : "none");
  start_reading (conn);
}

static void
start_handshake (VdsmRpcConnection *conn, VdsmRpcTlsConfig *tls)
{
  g_autoptr(GError) error = NULL;
  GIOStream *tls_stream = vdsm_rpc_tls_wrap (tls, conn->stream, &error);

  if (tls_stream == NULL)
    {
      g_message ("connection %" G_GUINT64_FORMAT " (%s): cannot set up TLS: %s",
                 conn->id, conn->peer, error->message);
      vdsm_rpc_connection_close (conn, "TLS setup failed");
      return;
    }
  g_object_unref (conn->stream);
  conn->stream = tls_stream;
  conn->handshake = g_cancellable_new ();
  /* The backend calls back (and asks about the client's certificate) in
   * the thread-default context: make that the server's. */
  g_main_context_push_thread_default (conn->server->context);
  g_tls_connection_handshake_async (G_TLS_CONNECTION (tls_stream), G_PRIORITY_DEFAULT,
                                    conn->handshake, on_handshake_done,
                                    vdsm_rpc_connection_ref (conn));
  g_main_context_pop_thread_default (conn->server->context);
}

/* "unix pid=1 uid=0 gid=0": who is on the other end of a unix socket. */
static char *
unix_peer (GSocket *socket)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GCredentials) credentials = g_socket_get_credentials (socket, &error);
  GString *text = g_string_new ("unix");

  if (credentials == NULL)
    {
      g_string_append_printf (text, " (credentials unknown: %s)", error->message);
      return g_string_free (text, FALSE);
    }
#if defined(__linux__)
  {
    const struct ucred *ucred = g_credentials_get_native (credentials,
                                                          G_CREDENTIALS_TYPE_LINUX_UCRED);

    g_string_append_printf (text, " pid=%ld uid=%lu gid=%lu", (long) ucred->pid,
                            (unsigned long) ucred->uid, (unsigned long) ucred->gid);
  }
#else
  {
    pid_t pid = g_credentials_get_unix_pid (credentials, NULL);
    uid_t uid = g_credentials_get_unix_user (credentials, NULL);

    g_string_append_printf (text, " pid=%ld uid=%lu", (long) pid, (unsigned long) uid);
  }
#endif
  return g_string_free (text, FALSE);
}

static char *
describe_peer (GSocket *socket)
{
  g_autoptr(GSocketAddress) remote = g_socket_get_remote_address (socket, NULL);

  if (remote && G_IS_INET_SOCKET_ADDRESS (remote))
    {
      GInetSocketAddress *inet = G_INET_SOCKET_ADDRESS (remote);
      g_autofree char *ip = g_inet_address_to_string (g_inet_socket_address_get_address (inet));

      return g_strdup_printf ("%s:%u", ip, g_inet_socket_address_get_port (inet));
    }
  if (g_socket_get_family (socket) == G_SOCKET_FAMILY_UNIX)
    return unix_peer (socket);
  return g_strdup ("unknown peer");
}

VdsmRpcConnection *
vdsm_rpc_connection_new (VdsmRpcServer *server, GSocket *socket, VdsmRpcTlsConfig *tls)
{
  VdsmRpcConnection *conn = g_new0 (VdsmRpcConnection, 1);

  g_atomic_ref_count_init (&conn->ref);
  conn->server = server;
  conn->id = ++server->next_connection_id;
  conn->peer = describe_peer (socket);
  conn->socket = g_object_ref (socket);
  g_socket_set_blocking (socket, FALSE);
  conn->stream = G_IO_STREAM (g_socket_connection_factory_create_connection (socket));
  conn->outbuf = g_string_sized_new (4096);
  conn->subscriptions = g_hash_table_new (g_str_hash, g_str_equal);
  conn->accepted_at = conn->last_recv = conn->last_send = g_get_monotonic_time ();

  conn->timer_source = g_source_new (&timer_funcs, sizeof (GSource));
  g_source_set_callback (conn->timer_source, on_timer, conn, NULL);
  vdsm_rpc_source_attach (conn->timer_source, "vdsm-rpc-timer", server);
  arm_timer (conn);

  g_hash_table_add (server->connections, vdsm_rpc_connection_ref (conn));
  if (g_socket_get_family (socket) == G_SOCKET_FAMILY_UNIX)
    /* No certificate on a unix socket: who it is matters for the audit. */
    g_info ("connection %" G_GUINT64_FORMAT " accepted from %s", conn->id, conn->peer);
  else
    g_debug ("connection %" G_GUINT64_FORMAT " (%s) accepted%s", conn->id, conn->peer,
             tls ? ", TLS handshake" : "");

  if (tls != NULL)
    start_handshake (conn, tls);
  else
    start_reading (conn);
  return conn;
}
