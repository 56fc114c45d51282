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

/* The words vdsm's detector accepts (docs/protocol.md §3): STOMP only. */
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
  g_free (conn->local_address);
  g_free (conn->peer_key);
  g_clear_object (&conn->socket);
  g_hash_table_unref (conn->subscriptions);
  g_clear_pointer (&conn->subscription_order, g_ptr_array_unref);
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
  if (vdsm_rpc_log_enabled (G_LOG_LEVEL_DEBUG))
    {
      /* A reason may quote the client: its command word, a parser error. */
      char reason_log[VDSM_RPC_LOG_TEXT_SIZE];

      g_debug ("connection %" G_GUINT64_FORMAT " (%s) closed after %" G_GUINT64_FORMAT
               " sends: %s", conn->id, conn->peer, conn->n_sends,
               vdsm_rpc_log_text (reason_log, sizeof reason_log, reason, -1));
    }
  conn->closed = TRUE;
  clear_source (&conn->read_source);
  clear_source (&conn->write_source);
  clear_source (&conn->timer_source);
  clear_source (&conn->close_source);
  if (conn->handshake_peer != NULL)
    vdsm_rpc_listener_handshake_ended (server, g_steal_pointer (&conn->handshake_peer));
  g_clear_pointer (&conn->tls, vdsm_rpc_tls_free);
  g_socket_close (conn->socket, NULL);
  g_clear_pointer (&conn->parser, vdsm_stomp_parser_free);
  if (conn->held_input != NULL)
    g_string_free (g_steal_pointer (&conn->held_input), TRUE);
  g_string_free (conn->outbuf, TRUE);
  conn->outbuf = NULL;
  g_clear_pointer (&conn->out_shared, g_array_unref);
  vdsm_rpc_budget_remove (conn);
  vdsm_rpc_broker_remove_connection (server->broker, conn);
  vdsm_rpc_peer_closed (server, conn->peer_key);
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

/* ---- Writing ----
 *
 * What waits to be sent is @outbuf from @out_pos on, with shared byte
 * blocks spliced in: @out_shared lists them in order, each to be sent
 * after the @outbuf byte at its @at. Frames are written into @outbuf in
 * place (the common case: replies); a body sent to many subscribers is
 * one refcounted block that each connection's queue only points to. */

typedef struct {
  gsize at;                         /* an offset in outbuf */
  GBytes *bytes;
} SharedOutput;

/* At most this many pieces per write: bounded stack, and a client that
 * lags behind is served in large writes anyway. */
#define MAX_VECTORS 64
/* Consumed entries at the front of out_shared are dropped in batches. */
#define SHARED_COMPACT 1024

static void arm_timer (VdsmRpcConnection *conn);

static gsize
pending (VdsmRpcConnection *conn)
{
  return conn->outbuf->len - conn->out_pos + conn->out_shared_pending;
}

/* The shared block to send next, when the outbuf bytes before it are
 * sent; NULL when the rest of outbuf comes first or alone. */
static SharedOutput *
next_shared (VdsmRpcConnection *conn)
{
  if (conn->out_shared == NULL || conn->out_shared_first >= conn->out_shared->len)
    return NULL;
  return &g_array_index (conn->out_shared, SharedOutput, conn->out_shared_first);
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

static void
shared_output_clear (gpointer data)
{
  /* NULL once sent. */
  g_clear_pointer (&((SharedOutput *) data)->bytes, g_bytes_unref);
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
  if (conn->out_shared != NULL)
    g_array_set_size (conn->out_shared, 0);
  conn->out_shared_first = 0;
  conn->out_shared_sent = 0;
  conn->out_shared_pending = 0;
}

/* Drops what was sent from the front of the queue, once it is large. */
static void
compact_output (VdsmRpcConnection *conn)
{
  gsize sent = conn->out_pos;

  if (sent >= OUTBUF_COMPACT)
    {
      g_string_erase (conn->outbuf, 0, sent);
      conn->out_pos = 0;
      for (guint i = conn->out_shared_first; conn->out_shared && i < conn->out_shared->len; i++)
        g_array_index (conn->out_shared, SharedOutput, i).at -= sent;
    }
  if (conn->out_shared_first >= SHARED_COMPACT &&
      conn->out_shared_first * 2 >= conn->out_shared->len)
    {
      g_array_remove_range (conn->out_shared, 0, conn->out_shared_first);
      conn->out_shared_first = 0;
    }
}

/* The pending output as vectors for one write, in order. */
static gsize
output_vectors (VdsmRpcConnection *conn, GOutputVector *v)
{
  gsize pos = conn->out_pos, skip = conn->out_shared_sent, n = 0;
  guint i = conn->out_shared_first;

  /* Two vectors per block, and room for the end of outbuf. */
  for (; conn->out_shared && i < conn->out_shared->len && n + 3 <= MAX_VECTORS; i++)
    {
      SharedOutput *shared = &g_array_index (conn->out_shared, SharedOutput, i);
      gsize size;
      const char *data = g_bytes_get_data (shared->bytes, &size);

      if (shared->at > pos)
        v[n++] = (GOutputVector) { conn->outbuf->str + pos, shared->at - pos };
      pos = shared->at;
      v[n++] = (GOutputVector) { data + skip, size - skip };
      skip = 0;
    }
  if ((conn->out_shared == NULL || i == conn->out_shared->len) && pos < conn->outbuf->len)
    v[n++] = (GOutputVector) { conn->outbuf->str + pos, conn->outbuf->len - pos };
  return n;
}

/* @n bytes of output were written. */
static void
output_sent (VdsmRpcConnection *conn, gsize n)
{
  while (n > 0)
    {
      SharedOutput *shared = next_shared (conn);
      gsize take;

      if (shared != NULL && conn->out_pos == shared->at)
        {
          gsize size = g_bytes_get_size (shared->bytes);

          take = MIN (n, size - conn->out_shared_sent);
          conn->out_shared_sent += take;
          conn->out_shared_pending -= take;
          if (conn->out_shared_sent == size)
            {
              g_clear_pointer (&shared->bytes, g_bytes_unref);
              conn->out_shared_first++;
              conn->out_shared_sent = 0;
            }
        }
      else
        {
          take = MIN (n, (shared ? shared->at : conn->outbuf->len) - conn->out_pos);
          conn->out_pos += take;
        }
      g_assert (take > 0);
      n -= take;
    }
}

gsize
vdsm_rpc_connection_get_queued (VdsmRpcConnection *conn, gsize *own)
{
  if (own != NULL)
    *own = conn->outbuf->len - conn->out_pos;
  return pending (conn);
}

static gboolean on_writable (gpointer user_data);

static gboolean
fd_source_dispatch (GSource *source, GSourceFunc callback, gpointer user_data)
{
  return callback (user_data);
}

static GSourceFuncs fd_source_funcs = {
  .dispatch = fd_source_dispatch,
};

/* Calls back when the socket is ready for @condition, or when the ready
 * time set on it comes (a read to retry: see on_readable()). A GSocket
 * source would reset that ready time after each dispatch, and, once it
 * came, fail the socket's next call with "timed out". */
static GSource *
socket_source_new (VdsmRpcConnection *conn, GIOCondition condition, GSourceFunc callback,
                   const char *static_name)
{
  GSource *source = g_source_new (&fd_source_funcs, sizeof (GSource));

  g_source_add_unix_fd (source, g_socket_get_fd (conn->socket), condition);
  g_source_set_callback (source, callback, conn, NULL);
  vdsm_rpc_source_attach (source, static_name, conn->server);
  return source;
}

static void
watch_writable (VdsmRpcConnection *conn)
{
  if (conn->write_source == NULL)
    conn->write_source = socket_source_new (conn, G_IO_OUT, on_writable, "vdsm-rpc-write");
}

/* One write of the output pending: as much of it as the socket takes, in
 * one sendmsg() (plain) or one TLS record. */
static GPollableReturn
send_output (VdsmRpcConnection *conn, gsize *written, GError **error)
{
  GOutputVector vectors[MAX_VECTORS];
  gsize n_vectors = output_vectors (conn, vectors);
  gssize n;

  if (conn->tls == NULL)
    return g_socket_send_message_with_timeout (conn->socket, NULL, vectors, n_vectors, NULL, 0,
                                               G_SOCKET_MSG_NONE, 0, written, NULL, error);
  n = vdsm_rpc_tls_send (conn->tls, vectors, n_vectors, error);
  if (n >= 0)
    {
      *written = n;
      return G_POLLABLE_RETURN_OK;
    }
  if (!g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
    return G_POLLABLE_RETURN_FAILED;
  g_clear_error (error);
  return G_POLLABLE_RETURN_WOULD_BLOCK;
}

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
      gsize written = 0;
      GPollableReturn r = send_output (conn, &written, &error);

      if (r == G_POLLABLE_RETURN_WOULD_BLOCK)
        break;
      if (r == G_POLLABLE_RETURN_FAILED)
        {
          g_debug ("connection %" G_GUINT64_FORMAT " (%s): send failed: %s",
                   conn->id, conn->peer, error->message);
          clear_source (&conn->write_source);
          vdsm_rpc_connection_close_later (conn, "send failed");
          return FALSE;
        }
      output_sent (conn, written);
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
      compact_output (conn);
      watch_writable (conn);
    }
  vdsm_rpc_budget_update (conn);
  return TRUE;
}

static void continue_handshake (VdsmRpcConnection *conn);

static gboolean
on_writable (gpointer user_data)
{
  VdsmRpcConnection *conn = user_data;
  /* Keeps @conn alive while a callback may close it. */
  G_GNUC_UNUSED g_autoptr(VdsmRpcConnection) hold = vdsm_rpc_connection_ref (conn);

  if (conn->handshake_peer != NULL)
    {
      continue_handshake (conn);
      return G_SOURCE_CONTINUE;
    }
  if (conn->read_wants_write)
    {
      conn->read_wants_write = FALSE;
      /* Unless reading stopped meanwhile (the end of the input, a close). */
      if (conn->read_source != NULL)
        g_source_set_ready_time (conn->read_source, 0);
    }
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
vdsm_rpc_connection_end_frame_shared (VdsmRpcConnection *conn, gsize mark, GBytes *tail)
{
  VdsmRpcServer *server = conn->server;
  gsize tail_size = tail ? g_bytes_get_size (tail) : 0;
  gsize before = mark - conn->out_pos + conn->out_shared_pending;

  /* One frame larger than the limit may go out alone; queueing behind
   * unread data past the limit means the client is not reading. The
   * limit counts shared bytes in full: they are what the client has to
   * read. */
  if (before > 0 && pending (conn) + tail_size > server->max_send_queue)
    {
      vdsm_rpc_message_limited (server, "connection %" G_GUINT64_FORMAT " (%s): %"
                                G_GSIZE_FORMAT " bytes queued for sending exceed the send "
                                "queue limit of %" G_GSIZE_FORMAT " bytes (max-send-queue): "
                                "the client does not read; closing", conn->id, conn->peer,
                                pending (conn) + tail_size, server->max_send_queue);
      vdsm_rpc_connection_close_later (conn, "send queue limit exceeded: the client does not read");
      return;
    }
  if (tail_size > 0)
    {
      SharedOutput shared = { conn->outbuf->len, g_bytes_ref (tail) };

      if (conn->out_shared == NULL)
        {
          conn->out_shared = g_array_new (FALSE, FALSE, sizeof (SharedOutput));
          g_array_set_clear_func (conn->out_shared, shared_output_clear);
        }
      g_array_append_val (conn->out_shared, shared);
      conn->out_shared_pending += tail_size;
    }
  /* The replies to the frames of one read leave in one send, once they
   * are all written (see on_readable()): a send per frame costs more than
   * the rest of a Host.ping. Not to the Java client, which handles one
   * frame per read and leaves a second one waiting until more bytes come
   * (docs/protocol.md §6.2). */
  if (conn->write_source == NULL && !(conn->reading && !conn->frame_per_send))
    flush (conn);
  else
    vdsm_rpc_budget_update (conn);
}

void
vdsm_rpc_connection_end_frame (VdsmRpcConnection *conn, gsize mark)
{
  vdsm_rpc_connection_end_frame_shared (conn, mark, NULL);
}

void
vdsm_rpc_connection_close_after_flush (VdsmRpcConnection *conn, const char *reason)
{
  if (conn->closed || conn->closing)
    return;
  if (vdsm_rpc_log_enabled (G_LOG_LEVEL_DEBUG))
    {
      char reason_log[VDSM_RPC_LOG_TEXT_SIZE];

      g_debug ("connection %" G_GUINT64_FORMAT " (%s) closing: %s", conn->id, conn->peer,
               vdsm_rpc_log_text (reason_log, sizeof reason_log, reason, -1));
    }
  conn->closing = TRUE;
  conn->closing_deadline = g_get_monotonic_time () + FLUSH_TIMEOUT_US;
  clear_source (&conn->read_source);
  if (flush (conn))
    arm_timer (conn);
}

void
vdsm_rpc_connection_reply_pending (VdsmRpcConnection *conn)
{
  conn->replies_pending++;
}

void
vdsm_rpc_connection_reply_done (VdsmRpcConnection *conn)
{
  g_assert (conn->replies_pending > 0);
  if (--conn->replies_pending == 0 && conn->input_ended)
    vdsm_rpc_connection_close_after_flush (conn, "closed by the client, replies sent");
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

/* A TLS peer that sends nothing holds a handshake slot for nothing. */
static gboolean
first_byte_limited (VdsmRpcConnection *conn)
{
  return conn->handshake_peer != NULL && !conn->got_byte;
}

static gint64
first_byte_deadline (VdsmRpcConnection *conn)
{
  return conn->accepted_at + (gint64) conn->server->tls_first_byte_timeout_ms * 1000;
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

/* Heart-beats are awaited from a client that promised them, as long as it
 * can still send. */
static gboolean
recv_limited (VdsmRpcConnection *conn)
{
  return conn->recv_interval_ms > 0 && !conn->closing && !conn->input_ended;
}

static gint64
frame_deadline (VdsmRpcConnection *conn)
{
  return conn->frame_started + (gint64) conn->server->frame_timeout_ms * 1000;
}

/* A frame has begun and must end in time; not while closing, which stops
 * reading and has a deadline of its own. */
static gboolean
frame_limited (VdsmRpcConnection *conn)
{
  return conn->frame_started > 0 && conn->server->frame_timeout_ms > 0 && !conn->closing;
}

static void
arm_timer (VdsmRpcConnection *conn)
{
  gint64 next = -1;

#define CONSIDER(t) G_STMT_START { gint64 t_ = (t); if (next < 0 || t_ < next) next = t_; } G_STMT_END
  if (!conn->detected)
    CONSIDER (handshake_deadline (conn));
  if (first_byte_limited (conn))
    CONSIDER (first_byte_deadline (conn));
  if (idle_limited (conn))
    CONSIDER (idle_deadline (conn));
  if (frame_limited (conn))
    CONSIDER (frame_deadline (conn));
  if (conn->closing)
    CONSIDER (conn->closing_deadline);
  if (recv_limited (conn))
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

  if (first_byte_limited (conn) && now >= first_byte_deadline (conn))
    {
      vdsm_rpc_message_limited (conn->server, "connection %" G_GUINT64_FORMAT " (%s): nothing "
                                "received within %u ms (tls-first-byte-timeout)", conn->id,
                                conn->peer, conn->server->tls_first_byte_timeout_ms);
      vdsm_rpc_connection_close (conn, "first byte timeout");
      return G_SOURCE_CONTINUE;
    }
  if (!conn->detected && now >= handshake_deadline (conn))
    {
      vdsm_rpc_message_limited (conn->server, "connection %" G_GUINT64_FORMAT
                                " (%s): %s not done within %u ms", conn->id, conn->peer,
                                conn->handshake_peer ? "TLS handshake" : "protocol detection",
                                conn->server->handshake_timeout_ms);
      vdsm_rpc_connection_close (conn, "handshake timeout");
      return G_SOURCE_CONTINUE;
    }
  if (idle_limited (conn) && now >= idle_deadline (conn))
    {
      vdsm_rpc_message_limited (conn->server, "connection %" G_GUINT64_FORMAT
                                " (%s): no complete frame within %u ms", conn->id,
                                conn->peer, conn->server->idle_timeout_ms);
      vdsm_rpc_connection_close (conn, "idle timeout");
      return G_SOURCE_CONTINUE;
    }
  if (frame_limited (conn) && now >= frame_deadline (conn))
    {
      vdsm_rpc_message_limited (conn->server, "connection %" G_GUINT64_FORMAT
                                " (%s): a frame was not complete within %u ms of its first "
                                "byte", conn->id, conn->peer, conn->server->frame_timeout_ms);
      vdsm_rpc_connection_close (conn, "frame timeout");
      return G_SOURCE_CONTINUE;
    }
  if (conn->closing && now >= conn->closing_deadline)
    {
      vdsm_rpc_connection_close (conn, "timed out flushing before close");
      return G_SOURCE_CONTINUE;
    }
  if (recv_limited (conn) && now >= recv_deadline (conn))
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

/* Parse errors the client is told about in an ERROR frame before the
 * close: its frame was too large, or its content-length no number. Other
 * malformed bytes close the connection without a word. */
static gboolean
is_reported (const GError *error)
{
  return g_error_matches (error, VDSM_STOMP_ERROR, VDSM_STOMP_ERROR_TOO_LARGE) ||
         g_error_matches (error, VDSM_STOMP_ERROR, VDSM_STOMP_ERROR_CONTENT_LENGTH);
}

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
          conn->frame_started = 0;
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
          if (is_reported (error))
            {
              char reason[VDSM_RPC_LOG_TEXT_SIZE];

              /* The client can be told why; then the stream is lost. */
              vdsm_rpc_message_limited (conn->server, "connection %" G_GUINT64_FORMAT
                                        " (%s): frame refused: %s", conn->id, conn->peer,
                                        vdsm_rpc_log_text (reason, sizeof reason,
                                                           error->message, -1));
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
          vdsm_rpc_message_limited (conn->server, "connection %" G_GUINT64_FORMAT
                                    " (%s): unrecognized protocol", conn->id, conn->peer);
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

static gssize
receive_bytes (VdsmRpcConnection *conn, char *buffer, gsize len, GError **error)
{
  if (conn->tls != NULL)
    return vdsm_rpc_tls_receive (conn->tls, buffer, len, error);
  return g_socket_receive_with_blocking (conn->socket, buffer, len, FALSE, NULL, error);
}

/* The TLS handshake advances on the I/O thread as the client's bytes come
 * in: a client that is slow, or never sends a byte, holds no thread and
 * delays nobody (docs/architecture.md, "TLS"). */
static void
continue_handshake (VdsmRpcConnection *conn)
{
  g_autoptr(GError) error = NULL;

  switch (vdsm_rpc_tls_handshake (conn->tls, &error))
    {
    case VDSM_RPC_TLS_WANT_READ:
      clear_source (&conn->write_source);
      return;
    case VDSM_RPC_TLS_WANT_WRITE:
      watch_writable (conn);
      return;
    case VDSM_RPC_TLS_FAILED:
      /* Port scanners and health checks connect and leave: not news. */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED))
        g_debug ("connection %" G_GUINT64_FORMAT " (%s): closed by the client during the "
                 "TLS handshake", conn->id, conn->peer);
      else
        {
          char reason[VDSM_RPC_LOG_TEXT_SIZE];

          vdsm_rpc_message_limited (conn->server, "connection %" G_GUINT64_FORMAT
                                    " (%s): TLS handshake failed: %s", conn->id, conn->peer,
                                    vdsm_rpc_log_text (reason, sizeof reason, error->message,
                                                       -1));
        }
      vdsm_rpc_connection_close (conn, "TLS handshake failed");
      return;
    case VDSM_RPC_TLS_DONE:
      break;
    }
  clear_source (&conn->write_source);
  vdsm_rpc_listener_handshake_ended (conn->server, g_steal_pointer (&conn->handshake_peer));
  if (vdsm_rpc_log_enabled (G_LOG_LEVEL_INFO))
    {
      g_autofree char *tls = vdsm_rpc_tls_describe (conn->tls);

      g_info ("connection %" G_GUINT64_FORMAT " (%s): %s", conn->id, conn->peer, tls);
    }
  /* The client's first frame may have come with its last handshake
   * record. */
  if (vdsm_rpc_tls_has_buffered (conn->tls))
    g_source_set_ready_time (conn->read_source, 0);
}

/* The end of the client's input may be a half-close (shutdown(SHUT_WR),
 * `nc -N`, socat scripts): the client still reads. What it asked is
 * answered, calls on workers included, then the connection closes. */
static void
end_input (VdsmRpcConnection *conn)
{
  conn->input_ended = TRUE;
  if (conn->replies_pending == 0)
    {
      vdsm_rpc_connection_close_after_flush (conn, "closed by the client");
      return;
    }
  g_debug ("connection %" G_GUINT64_FORMAT " (%s): input ended by the client, "
           "%u replies pending", conn->id, conn->peer, conn->replies_pending);
  /* At its end the socket stays readable: stop watching it. */
  clear_source (&conn->read_source);
  arm_timer (conn);
}

/* After a read: a frame left incomplete starts its frame-timeout, counted
 * from the read that brought its first byte. */
static void
watch_frame_progress (VdsmRpcConnection *conn, gint64 now)
{
  if (conn->parser == NULL || vdsm_stomp_parser_is_idle (conn->parser))
    conn->frame_started = 0;
  else if (conn->frame_started == 0)
    {
      conn->frame_started = now;
      arm_timer (conn);
    }
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
  watch_frame_progress (conn, conn->last_recv);
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
on_readable (gpointer user_data)
{
  VdsmRpcConnection *conn = user_data;
  /* Keeps @conn alive while a callback may close it. */
  G_GNUC_UNUSED g_autoptr(VdsmRpcConnection) hold = vdsm_rpc_connection_ref (conn);
  g_autoptr(GError) error = NULL;
  char *buffer = conn->server->read_buffer;
  gssize n;

  g_source_set_ready_time (conn->read_source, -1);
  if (conn->handshake_peer != NULL)
    {
      if (!conn->got_byte)
        {
          conn->got_byte = TRUE;
          arm_timer (conn);
        }
      continue_handshake (conn);
      return G_SOURCE_CONTINUE;
    }
  n = receive_bytes (conn, buffer, VDSM_RPC_READ_BUFFER_SIZE, &error);
  if (n < 0)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        vdsm_rpc_connection_close (conn, error->message);
      else if (conn->tls != NULL && vdsm_rpc_tls_wants_write (conn->tls))
        {
          conn->read_wants_write = TRUE;
          watch_writable (conn);
        }
      return G_SOURCE_CONTINUE;
    }
  if (n == 0)
    {
      end_input (conn);
      return G_SOURCE_CONTINUE;
    }

  conn->last_recv = g_get_monotonic_time ();
  handle_input (conn, buffer, n);
  /* Closing and pausing stop reading. */
  if (conn->read_source == NULL)
    return G_SOURCE_CONTINUE;
  /* Come back after the other sources ran when polling the socket may
   * not tell: a full buffer may have left more behind, and TLS may hold
   * bytes it took from the socket already. */
  if (n == VDSM_RPC_READ_BUFFER_SIZE ||
      (conn->tls != NULL && vdsm_rpc_tls_has_buffered (conn->tls)))
    g_source_set_ready_time (conn->read_source, 0);
  return G_SOURCE_CONTINUE;
}

/* The source has no child source for GLib to block and unblock around
 * each dispatch (see vdsm_rpc_source_attach()). */
static void
start_reading (VdsmRpcConnection *conn)
{
  conn->read_source = socket_source_new (conn, G_IO_IN, on_readable, "vdsm-rpc-read");
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
  start_reading (conn);
  /* TLS may hold decrypted bytes that polling the socket does not show,
   * or have wanted to write before it could read on: read once anyway. */
  if (conn->tls != NULL)
    g_source_set_ready_time (conn->read_source, 0);
}

static void
start_tls (VdsmRpcConnection *conn, VdsmRpcTlsConfig *tls)
{
  g_autoptr(GError) error = NULL;

  conn->tls = vdsm_rpc_tls_new (tls, g_socket_get_fd (conn->socket), &error);
  if (conn->tls == NULL)
    {
      g_message ("connection %" G_GUINT64_FORMAT " (%s): cannot set up TLS: %s",
                 conn->id, conn->peer, error->message);
      vdsm_rpc_connection_close (conn, "TLS setup failed");
      return;
    }
  /* The handshake starts with the client's hello: wait for it. */
  start_reading (conn);
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

static char *
describe_local_address (GSocket *socket)
{
  g_autoptr(GSocketAddress) local = g_socket_get_local_address (socket, NULL);

  if (local == NULL || !G_IS_INET_SOCKET_ADDRESS (local))
    return NULL;
  return g_inet_address_to_string (
    g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (local)));
}

VdsmRpcConnection *
vdsm_rpc_connection_new (VdsmRpcServer *server, GSocket *socket, VdsmRpcTlsConfig *tls,
                         char *peer_key, char *handshake_peer)
{
  VdsmRpcConnection *conn = g_new0 (VdsmRpcConnection, 1);

  g_atomic_ref_count_init (&conn->ref);
  conn->server = server;
  conn->id = ++server->next_connection_id;
  conn->peer = describe_peer (socket);
  conn->local_address = describe_local_address (socket);
  conn->peer_key = peer_key;
  conn->socket = g_object_ref (socket);
  g_socket_set_blocking (socket, FALSE);
  conn->handshake_peer = handshake_peer;
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
    start_tls (conn, tls);
  else
    start_reading (conn);
  return conn;
}
