/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* One epoll thread drives every connection. Each connection talks like
 * vdsm's Python client: CONNECT (accept-version 1.2, heart-beat 0,0) and a
 * SUBSCRIBE to a private uuid reply-to in one write, then SENDs to
 * jms.topic.vdsm_requests with reply-to and content-length once CONNECTED.
 *
 * Request ids are uuid-shaped and carry the connection and window slot
 * ("cccccccc-ssss-4000-8qqq-qqqqqqqqqqqq", q the per-connection sequence),
 * so a reply finds its request in O(1) whatever order the server answers in,
 * and a stale or foreign id is detected rather than mis-timed.
 *
 * Timing: a request is stamped when its frame is queued, right before the
 * write; a reply when the read that completed it returned. Requests queued
 * in one pass go out in one write, which is what pipelining means here. */
#include "load-engine.h"

#include <errno.h>
#include <gio/gio.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>
#include <sys/resource.h>
#include <time.h>

#include "load-proc.h"
#include "load-reply.h"
#include "load-socket.h"
#include "load-stomp.h"

#define REQUEST_QUEUE "jms.topic.vdsm_requests"
#define UUID_LEN 36
#define MAX_FRAME (512u * 1024u * 1024u)
#define REFUSED_CODE 1100

typedef enum
{
  CONN_NEW,
  CONN_CONNECTING,
  CONN_HANDSHAKE,
  CONN_WAIT_CONNECTED,
  CONN_READY,
  CONN_CLOSED,
} ConnState;

typedef struct
{
  guint64 seq;        /* 0: free */
  gint64  sent_ns;
} Slot;

typedef struct
{
  LoadSocket sock;
  ConnState  state;
  guint32    index;
  guint32    events;          /* registered epoll mask; 0: not registered */
  gboolean   want_write;      /* the last TLS/socket call needs writability */
  gboolean   settled;         /* burst: answered, or closed without */
  char      *rbuf;
  gsize      rcap, rlen, rneed;
  char      *wbuf;
  gsize      wcap, wlen, wpos;
  Slot      *slots;
  guint32   *free_slots;
  guint      n_free;
  guint      inflight;
  guint64    next_seq;
  gint64     started_ns;
  char       reply_to[UUID_LEN + 1];
} Conn;

typedef struct
{
  const LoadConfig *config;
  LoadResult       *result;
  int               epfd;
  Conn             *conns;
  guint             next_open;
  guint32          *retry;          /* connects the backlog refused */
  guint             n_retry;
  guint             window;
  gsize             read_chunk;
  guint             opening;
  guint             settled;
  guint64           inflight;
  gboolean          started;
  gboolean          measuring;
  gboolean          sending;
  gint64            t0, t_start, t_end, t_last_reply, deadline;
  gdouble           cpu_start;
  /* The SEND frame, with room for the reply-to and the id. */
  char             *frame;
  gsize             frame_len, reply_to_at, id_at;
} Engine;

static gint64
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

static void
build_frame (Engine *e)
{
  const LoadConfig *c = e->config;
  g_autoptr(GString) body = g_string_new (NULL);
  g_autoptr(GString) frame = g_string_new (NULL);
  gsize id_in_body;

  /* vdsm's Python client sends a one-element batch, spaced like Python's
   * json.dumps; the Java client a compact bare object. */
  if (c->compact)
    g_string_append_printf (body, "{\"jsonrpc\":\"2.0\",\"method\":\"%s\","
                            "\"params\":%s,\"id\":\"", c->method, c->params);
  else
    g_string_append_printf (body, "[{\"jsonrpc\": \"2.0\", \"method\": \"%s\", "
                            "\"params\": %s, \"id\": \"", c->method, c->params);
  id_in_body = body->len;
  g_string_append_len (body, "00000000-0000-4000-8000-000000000000", UUID_LEN);
  g_string_append (body, c->compact ? "\"}" : "\"}]");

  g_string_append (frame, "SEND\ndestination:" REQUEST_QUEUE
                   "\ncontent-type:application/json\nreply-to:");
  e->reply_to_at = frame->len;
  g_string_append_len (frame, "00000000-0000-4000-8000-000000000000", UUID_LEN);
  g_string_append_printf (frame, "\ncontent-length:%" G_GSIZE_FORMAT "\n\n",
                          body->len);
  e->id_at = frame->len + id_in_body;
  g_string_append_len (frame, body->str, body->len);
  g_string_append_c (frame, '\0');
  e->frame_len = frame->len;
  e->frame = g_string_free (g_steal_pointer (&frame), FALSE);
}

static void
put_hex (char *out, guint64 value, guint digits)
{
  static const char hex[] = "0123456789abcdef";

  while (digits-- > 0)
    {
      out[digits] = hex[value & 0xf];
      value >>= 4;
    }
}

static inline int
hex_digit (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1;
}

/* Lower-case only: the ids are ours, and the server must echo them. */
static gboolean
get_hex (const char *in, guint digits, guint64 *value)
{
  *value = 0;
  for (guint i = 0; i < digits; i++)
    {
      int d = hex_digit (in[i]);

      if (d < 0)
        return FALSE;
      *value = (*value << 4) | (guint64) d;
    }
  return TRUE;
}

static void
write_id (char *out, guint32 conn, guint32 slot, guint64 seq)
{
  put_hex (out, conn, 8);
  put_hex (out + 9, slot, 4);
  put_hex (out + 20, (seq >> 48) & 0xfff, 3);
  put_hex (out + 24, seq, 12);
}

static gboolean
read_id (const char *id, gsize len, guint64 *conn, guint64 *slot, guint64 *seq)
{
  guint64 high, low;

  if (len != UUID_LEN || id[8] != '-' || id[13] != '-'
      || memcmp (id + 13, "-4000-8", 7) != 0 || id[23] != '-')
    return FALSE;
  if (!get_hex (id, 8, conn) || !get_hex (id + 9, 4, slot)
      || !get_hex (id + 20, 3, &high) || !get_hex (id + 24, 12, &low))
    return FALSE;
  *seq = (high << 48) | low;
  return TRUE;
}

static void
reserve (char **buf, gsize *cap, gsize needed)
{
  if (needed <= *cap)
    return;
  *cap = MAX (needed, MAX (*cap * 2, (gsize) 4096));
  *buf = g_realloc (*buf, *cap);
}

static void
set_first_error (LoadResult *r, gint64 code, const char *text, gsize len)
{
  if (r->first_error[0] != '\0')
    return;
  r->first_error_code = code;
  g_strlcpy (r->first_error, text,
             MIN (len + 1, sizeof r->first_error));
}

static void
update_events (Engine *e, Conn *c)
{
  guint32 want = EPOLLIN;
  struct epoll_event ev;

  if (c->state == CONN_CLOSED)
    return;
  if (c->state == CONN_CONNECTING || c->want_write || c->wpos < c->wlen)
    want |= EPOLLOUT;
  if (want == c->events)
    return;
  ev.events = want;
  ev.data.u32 = c->index;
  epoll_ctl (e->epfd, c->events ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, c->sock.fd, &ev);
  c->events = want;
}

/* Burst accounting: each connection ends once, answered or not. */
static void
settle (Engine *e, Conn *c)
{
  if (!c->settled)
    {
      c->settled = TRUE;
      e->settled++;
    }
}

static void
close_conn (Engine *e, Conn *c)
{
  if (c->state == CONN_CLOSED)
    return;
  if (c->state != CONN_NEW && c->state != CONN_READY)
    e->opening--;
  if (c->state == CONN_READY)
    {
      e->result->lost += c->inflight;
      e->inflight -= c->inflight;
      c->inflight = 0;
    }
  load_socket_close (&c->sock);
  c->state = CONN_CLOSED;
  c->events = 0;
  g_clear_pointer (&c->rbuf, g_free);
  g_clear_pointer (&c->wbuf, g_free);
  c->rcap = c->rlen = c->wcap = c->wlen = c->wpos = 0;
}

/* The server closed or broke the connection, or spoke something else. */
static void
lose_conn (Engine *e, Conn *c)
{
  if (c->state == CONN_CLOSED)
    return;
  if (c->state == CONN_READY)
    {
      e->result->conns_dropped++;
      set_first_error (e->result, 0, "connection closed by the server", 31);
    }
  else
    {
      e->result->conns_failed++;
      set_first_error (e->result, 0, "connection closed before CONNECTED", 34);
    }
  settle (e, c);
  close_conn (e, c);
}

static void
flush (Engine *e, Conn *c)
{
  while (c->wpos < c->wlen)
    {
      gsize n;

      switch (load_socket_write (&c->sock, c->wbuf + c->wpos,
                                 c->wlen - c->wpos, &n))
        {
        case LOAD_IO_DONE:
          c->wpos += n;
          break;
        case LOAD_IO_WANT_WRITE:
          c->want_write = TRUE;
          update_events (e, c);
          return;
        case LOAD_IO_WANT_READ:
          return;
        case LOAD_IO_CLOSED:
        case LOAD_IO_FAILED:
          lose_conn (e, c);
          return;
        }
    }
  c->wpos = c->wlen = 0;
  c->want_write = FALSE;
  update_events (e, c);
}

static gboolean
may_send (Engine *e, Conn *c)
{
  if (c->n_free == 0)
    return FALSE;
  if (e->config->mode == LOAD_MODE_BURST)
    return c->next_seq == 0;
  return e->sending;
}

/* Tops the connection's window up with new requests. */
static void
fill_window (Engine *e, Conn *c)
{
  gint64 now;

  if (c->state != CONN_READY || !may_send (e, c))
    return;
  now = now_ns ();
  while (may_send (e, c))
    {
      guint32 slot = c->free_slots[--c->n_free];
      char *f;

      c->slots[slot].seq = ++c->next_seq;
      c->slots[slot].sent_ns = now;
      reserve (&c->wbuf, &c->wcap, c->wlen + e->frame_len);
      f = c->wbuf + c->wlen;
      memcpy (f, e->frame, e->frame_len);
      memcpy (f + e->reply_to_at, c->reply_to, UUID_LEN);
      write_id (f + e->id_at, c->index, slot, c->next_seq);
      c->wlen += e->frame_len;
      c->inflight++;
      e->inflight++;
      e->result->sent++;
      if (e->config->total > 0 && e->result->sent >= e->config->total)
        e->sending = FALSE;
    }
}

static void
on_reply (Engine *e, Conn *c, const LoadStompFrame *f, gint64 now)
{
  LoadResult *r = e->result;
  LoadReply reply;
  guint64 conn, slot, seq;

  if (!load_reply_scan (f->body, f->body_len, &reply)
      || !read_id (reply.id, reply.id_len, &conn, &slot, &seq)
      || conn != c->index || slot >= e->window
      || c->slots[slot].seq != seq || seq == 0)
    {
      r->invalid++;
      set_first_error (r, 0, f->body, f->body_len);
      return;
    }

  if (e->config->mode == LOAD_MODE_BURST)
    {
      load_histogram_record (&r->latency, (guint64) (now - c->started_ns));
      r->measured++;
      e->t_last_reply = now;
    }
  else if (e->measuring && c->slots[slot].sent_ns >= e->t_start)
    {
      load_histogram_record (&r->latency,
                             (guint64) (now - c->slots[slot].sent_ns));
      r->measured++;
      e->t_last_reply = now;
    }
  c->slots[slot].seq = 0;
  c->free_slots[c->n_free++] = (guint32) slot;
  c->inflight--;
  e->inflight--;
  r->replies++;
  if (reply.kind == LOAD_REPLY_RESULT)
    r->ok++;
  else
    {
      if (reply.error_code == REFUSED_CODE)
        r->refused++;
      else
        r->errors++;
      set_first_error (r, reply.error_code, f->body, f->body_len);
    }
  if (e->config->mode == LOAD_MODE_BURST)
    settle (e, c);
}

static void
on_frame (Engine *e, Conn *c, const LoadStompFrame *f, gint64 now)
{
  switch (f->command)
    {
    case LOAD_STOMP_CONNECTED:
      if (c->state == CONN_WAIT_CONNECTED)
        {
          c->state = CONN_READY;
          e->opening--;
          e->result->conns_ready++;
        }
      break;
    case LOAD_STOMP_MESSAGE:
      on_reply (e, c, f, now);
      break;
    case LOAD_STOMP_ERROR:
      e->result->stomp_errors++;
      set_first_error (e->result, 0, f->body, f->body_len);
      break;
    case LOAD_STOMP_OTHER:
      break;
    }
}

/* Consumes every whole frame in the read buffer. */
static gboolean
parse_frames (Engine *e, Conn *c, gint64 now)
{
  gsize pos = 0;

  while (pos < c->rlen && c->state != CONN_CLOSED)
    {
      LoadStompFrame f;
      gsize consumed, need;

      if (c->rneed > 0 && c->rlen - pos < c->rneed)
        break;
      switch (load_stomp_next (c->rbuf + pos, c->rlen - pos, MAX_FRAME, &f,
                               &consumed, &need))
        {
        case LOAD_STOMP_FRAME:
          pos += consumed;
          c->rneed = 0;
          on_frame (e, c, &f, now);
          continue;
        case LOAD_STOMP_NEED_MORE:
          pos += consumed;
          c->rneed = need > consumed ? need - consumed : 0;
          break;
        case LOAD_STOMP_BAD:
          e->result->stomp_errors++;
          set_first_error (e->result, 0, "malformed STOMP stream", 22);
          return FALSE;
        }
      break;
    }
  if (c->state == CONN_CLOSED)
    return TRUE;
  if (pos > 0 && pos < c->rlen)
    memmove (c->rbuf, c->rbuf + pos, c->rlen - pos);
  c->rlen -= pos;
  return TRUE;
}

static void
read_all (Engine *e, Conn *c)
{
  for (;;)
    {
      gsize want, n;
      LoadIoStatus st;

      reserve (&c->rbuf, &c->rcap, MAX (c->rlen + e->read_chunk, c->rneed));
      want = c->rcap - c->rlen;
      st = load_socket_read (&c->sock, c->rbuf + c->rlen, want, &n);
      if (st == LOAD_IO_WANT_READ)
        return;
      if (st == LOAD_IO_WANT_WRITE)
        {
          c->want_write = TRUE;
          update_events (e, c);
          return;
        }
      if (st != LOAD_IO_DONE)
        {
          lose_conn (e, c);
          return;
        }
      c->rlen += n;
      if (!parse_frames (e, c, now_ns ()))
        {
          lose_conn (e, c);
          return;
        }
      if (c->state == CONN_CLOSED)
        return;
      /* A short plain read drained the socket; epoll reports the rest.
       * TLS may hold decrypted bytes epoll cannot see, so it reads on. */
      if (c->sock.ssl == NULL && n < want)
        return;
    }
}

static void
start_session (Engine *e, Conn *c)
{
  static const char connect_frame[] =
    "CONNECT\naccept-version:1.2\nheart-beat:0,0\n\n";
  g_autofree char *sub_id = g_uuid_string_random ();
  g_autofree char *reply_to = g_uuid_string_random ();
  g_autofree char *subscribe = g_strdup_printf (
    "SUBSCRIBE\ndestination:%s\nack:auto\nid:%s\n\n", reply_to, sub_id);
  gsize connect_len = sizeof connect_frame;   /* with its NUL */
  gsize subscribe_len = strlen (subscribe) + 1;

  memcpy (c->reply_to, reply_to, UUID_LEN + 1);
  c->state = CONN_WAIT_CONNECTED;
  reserve (&c->wbuf, &c->wcap, c->wlen + connect_len + subscribe_len);
  memcpy (c->wbuf + c->wlen, connect_frame, connect_len);
  memcpy (c->wbuf + c->wlen + connect_len, subscribe, subscribe_len);
  c->wlen += connect_len + subscribe_len;
  flush (e, c);
}

static void
handshake (Engine *e, Conn *c)
{
  switch (load_socket_handshake (&c->sock, e->config->tls))
    {
    case LOAD_IO_DONE:
      c->want_write = FALSE;
      start_session (e, c);
      break;
    case LOAD_IO_WANT_READ:
      c->want_write = FALSE;
      update_events (e, c);
      break;
    case LOAD_IO_WANT_WRITE:
      c->want_write = TRUE;
      update_events (e, c);
      break;
    case LOAD_IO_CLOSED:
    case LOAD_IO_FAILED:
      lose_conn (e, c);
      break;
    }
}

static void
on_event (Engine *e, Conn *c, guint32 events)
{
  switch (c->state)
    {
    case CONN_CONNECTING:
      if (load_socket_connected (&c->sock) != LOAD_IO_DONE)
        {
          lose_conn (e, c);
          return;
        }
      c->state = CONN_HANDSHAKE;
      handshake (e, c);
      return;
    case CONN_HANDSHAKE:
      handshake (e, c);
      return;
    case CONN_WAIT_CONNECTED:
    case CONN_READY:
      if (c->wpos < c->wlen)
        flush (e, c);
      /* TLS may need a read retried on writability, and plain reads only
       * on readability. */
      if (c->state != CONN_CLOSED
          && (c->sock.ssl != NULL || (events & (EPOLLIN | EPOLLHUP | EPOLLERR))))
        read_all (e, c);
      if (c->state == CONN_CLOSED)
        return;
      if (e->started || e->config->mode == LOAD_MODE_BURST)
        fill_window (e, c);
      flush (e, c);
      return;
    case CONN_NEW:
    case CONN_CLOSED:
      return;
    }
}

static void
open_conn (Engine *e, Conn *c)
{
  c->started_ns = now_ns ();
  switch (load_socket_connect (&c->sock, e->config->address,
                               e->config->address_len))
    {
    case LOAD_IO_DONE:
      e->opening++;
      c->state = CONN_HANDSHAKE;
      handshake (e, c);
      break;
    case LOAD_IO_WANT_WRITE:
      e->opening++;
      c->state = CONN_CONNECTING;
      update_events (e, c);
      break;
    case LOAD_IO_WANT_READ:
      e->retry[e->n_retry++] = c->index;
      break;
    case LOAD_IO_CLOSED:
    case LOAD_IO_FAILED:
      {
        const char *why = g_strerror (errno);

        c->state = CONN_CLOSED;
        e->result->conns_failed++;
        settle (e, c);
        set_first_error (e->result, 0, why, strlen (why));
      }
      break;
    }
}

/* Opens connections up to the parallel limit; stops at the first one the
 * listener's backlog pushed back, to retry on the next turn. */
static void
open_more (Engine *e)
{
  while (e->opening < e->config->parallel
         && (e->n_retry > 0 || e->next_open < e->config->connections))
    {
      guint32 index = e->n_retry > 0 ? e->retry[--e->n_retry] : e->next_open++;
      guint before = e->n_retry;

      open_conn (e, &e->conns[index]);
      if (e->n_retry > before)
        break;
    }
}

static void
read_server_cpu (Engine *e, gdouble *cpu)
{
  if (e->config->server_pid > 0)
    load_proc_cpu_seconds (e->config->server_pid, cpu);
}

/* Measurement starts after the warm-up: latencies of requests sent from
 * then on, and the server's CPU time from then on. */
static void
start_measuring (Engine *e, gint64 now)
{
  e->measuring = TRUE;
  e->t_last_reply = now;
  read_server_cpu (e, &e->cpu_start);
}

static void
start_requests (Engine *e, gint64 now)
{
  e->started = TRUE;
  e->sending = TRUE;
  e->t_start = now + (gint64) (e->config->warmup * 1e9);
  e->t_end = e->t_start + (gint64) (e->config->duration * 1e9);
  if (e->t_start <= now)
    start_measuring (e, now);
  for (guint i = 0; i < e->config->connections; i++)
    {
      fill_window (e, &e->conns[i]);
      flush (e, &e->conns[i]);
    }
}

/* Every connection is READY or closed. */
static gboolean
all_settled (Engine *e)
{
  return e->opening == 0 && e->n_retry == 0
         && e->next_open == e->config->connections;
}

/* Decides, after each turn of the loop, whether the run is over. */
static gboolean
finished (Engine *e, gint64 now)
{
  const LoadConfig *c = e->config;

  switch (c->mode)
    {
    case LOAD_MODE_REQUESTS:
      if (!e->started && all_settled (e))
        {
          if (e->result->conns_ready == 0)
            return TRUE;
          start_requests (e, now);
          e->deadline = (c->total > 0 ? now : e->t_end)
                        + (gint64) (c->timeout * 1e9);
        }
      if (e->started && !e->measuring && now >= e->t_start)
        start_measuring (e, now);
      if (e->started && e->sending && c->total == 0 && now >= e->t_end)
        e->sending = FALSE;
      return e->started && !e->sending && e->inflight == 0;
    case LOAD_MODE_IDLE:
      if (!e->started && all_settled (e))
        {
          e->started = TRUE;
          e->t_start = now;
          e->t_end = now + (gint64) (c->hold * 1e9);
          e->deadline = e->t_end + (gint64) (c->timeout * 1e9);
        }
      return e->started && now >= e->t_end;
    case LOAD_MODE_BURST:
      return e->settled >= c->connections;
    }
  g_assert_not_reached ();
}

static int
wait_ms (Engine *e, gint64 now)
{
  gint64 until = e->deadline;

  if (e->n_retry > 0)
    return 1;
  if (e->started && !e->measuring && e->config->mode == LOAD_MODE_REQUESTS)
    until = MIN (until, e->t_start);
  if ((e->config->mode == LOAD_MODE_IDLE || e->sending) && e->started
      && e->t_end < until)
    until = e->t_end;
  return until <= now ? 0 : (int) MIN ((until - now + 999999) / 1000000, 1000);
}

static gboolean
raise_fd_limit (guint connections, GError **error)
{
  struct rlimit rl;
  rlim_t needed = connections + 64;

  if (getrlimit (RLIMIT_NOFILE, &rl) < 0)
    return TRUE;
  if (rl.rlim_cur < needed && rl.rlim_cur < rl.rlim_max)
    {
      rl.rlim_cur = MIN (rl.rlim_max, MAX (needed, rl.rlim_cur));
      setrlimit (RLIMIT_NOFILE, &rl);
    }
  if (rl.rlim_cur < needed)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TOO_MANY_OPEN_FILES,
                   "%u connections need %lu file descriptors; the limit is "
                   "%lu (raise ulimit -n)", connections, (unsigned long) needed,
                   (unsigned long) rl.rlim_cur);
      return FALSE;
    }
  return TRUE;
}

static void
engine_init (Engine *e, const LoadConfig *config, LoadResult *result)
{
  guint window = config->mode == LOAD_MODE_REQUESTS ? config->window : 1;

  memset (e, 0, sizeof *e);
  e->window = window;
  /* Idle connections only ever read CONNECTED; keep the client small. */
  e->read_chunk = config->mode == LOAD_MODE_IDLE ? 4096 : 64 * 1024;
  e->config = config;
  e->result = result;
  e->conns = g_new0 (Conn, config->connections);
  e->retry = g_new (guint32, config->connections);
  for (guint i = 0; i < config->connections; i++)
    {
      Conn *c = &e->conns[i];

      c->index = i;
      c->sock.fd = -1;
      if (config->mode == LOAD_MODE_IDLE)
        continue;
      c->slots = g_new0 (Slot, window);
      c->free_slots = g_new (guint32, window);
      for (guint s = 0; s < window; s++)
        c->free_slots[s] = window - 1 - s;
      c->n_free = window;
    }
  build_frame (e);
}

static void
engine_clear (Engine *e)
{
  for (guint i = 0; i < e->config->connections; i++)
    {
      Conn *c = &e->conns[i];

      load_socket_close (&c->sock);
      g_free (c->rbuf);
      g_free (c->wbuf);
      g_free (c->slots);
      g_free (c->free_slots);
    }
  g_free (e->conns);
  g_free (e->retry);
  g_free (e->frame);
  if (e->epfd >= 0)
    close (e->epfd);
}

/**
 * load_engine_run:
 * @config: what to run
 * @result: (out caller-allocates): counters, latencies and server figures
 * @error: return location for an error
 *
 * Runs one bounded load. @result->elapsed is, for requests, the time from
 * the end of the warm-up to the last reply to a request sent after it; for a burst, from the first connect
 * to the last reply; for idle connections, the time to set them all up.
 * Latencies are request to reply, or for a burst connect to reply.
 *
 * Returns: FALSE only when the load could not start at all.
 */
gboolean
load_engine_run (const LoadConfig *config, LoadResult *result, GError **error)
{
  Engine e;
  struct epoll_event events[512];
  gint64 now;

  memset (result, 0, sizeof *result);
  load_histogram_init (&result->latency);
  if (!raise_fd_limit (config->connections, error))
    return FALSE;
  engine_init (&e, config, result);
  e.epfd = epoll_create1 (EPOLL_CLOEXEC);
  if (e.epfd < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                   "epoll_create1: %s", g_strerror (errno));
      engine_clear (&e);
      return FALSE;
    }

  result->server_measured = config->server_pid > 0
    && load_proc_memory_kib (config->server_pid, &result->server_rss_before_kib,
                             &result->server_hwm_kib);
  result->server_peak_reset = result->server_measured
    && load_proc_reset_peak (config->server_pid);
  e.t0 = now = now_ns ();
  e.deadline = e.t0 + (gint64) (config->timeout * 1e9);
  if (config->mode != LOAD_MODE_REQUESTS)
    read_server_cpu (&e, &e.cpu_start);
  if (config->mode == LOAD_MODE_BURST)
    e.t_start = e.t_last_reply = e.t0;
  open_more (&e);
  while (!finished (&e, now))
    {
      int n;

      if (now >= e.deadline)
        {
          /* Requests in flight are lost; connections that never got as
           * far as CONNECTED failed. */
          for (guint i = 0; i < config->connections; i++)
            {
              if (e.conns[i].state == CONN_READY)
                result->lost += e.conns[i].inflight;
              else if (e.conns[i].state != CONN_CLOSED)
                result->conns_failed++;
            }
          set_first_error (result, 0, "timed out", 9);
          break;
        }
      n = epoll_wait (e.epfd, events, G_N_ELEMENTS (events), wait_ms (&e, now));
      for (int i = 0; i < n; i++)
        on_event (&e, &e.conns[events[i].data.u32], events[i].events);
      open_more (&e);
      now = now_ns ();
    }

  switch (config->mode)
    {
    case LOAD_MODE_REQUESTS:
    case LOAD_MODE_BURST:
      result->elapsed = result->measured ? (e.t_last_reply - e.t_start) / 1e9 : 0;
      break;
    case LOAD_MODE_IDLE:
      result->elapsed = ((e.started ? e.t_start : now) - e.t0) / 1e9;
      break;
    }
  if (result->server_measured)
    {
      gdouble cpu_end = e.cpu_start;

      read_server_cpu (&e, &cpu_end);
      result->server_cpu = cpu_end - e.cpu_start;
      load_proc_memory_kib (config->server_pid, &result->server_rss_kib,
                            &result->server_hwm_kib);
    }
  engine_clear (&e);
  return TRUE;
}
