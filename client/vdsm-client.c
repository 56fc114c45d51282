/* vdsm-client.c: VdsmClient, a JSON-RPC 2.0 client over STOMP 1.2.
 *
 * Threading. All socket I/O, the table of pending calls, call timeouts and
 * cancellation live in a private worker thread that runs its own
 * GMainContext, as GDBus does: a _sync call made from any thread, even one
 * whose main loop is not running, cannot deadlock. Async results are
 * delivered in the main context that was thread-default when the call was
 * started (the GIO convention); signals in the one that was thread-default
 * when the client was constructed.
 *
 * The worker never holds a strong reference to the client. It reaches the
 * client through a raw pointer (safe: dispose joins the worker before
 * anything is freed), hands every GTask back to its own main context to be
 * completed and released there, and emits signals through a weak reference.
 * So the last unref, which joins the worker, never runs in the worker.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vdsm-client.h"
#include "vdsm-client-private.h"

#include "vdsm-client-uri.h"
#include "vdsm-error.h"
#include "vdsm-json.h"
#include "vdsm-stomp.h"

#include <netinet/in.h>
#include <netinet/tcp.h>

#define REQUEST_QUEUE "jms.topic.vdsm_requests"
#define EVENT_QUEUE "jms.queue.events"

/* A server silent for a negotiated interval plus half of it is lost: the
 * half absorbs scheduling and network jitter. */
#define HEARTBEAT_GRACE(interval_ms) ((gint64) (interval_ms) * 3 / 2)
/* Largest interval accepted from either side. */
#define HEARTBEAT_MAX_MS (G_MAXUINT / 2)

#define READ_CHUNK_SIZE 65536
/* Longest server-supplied text (ERROR frame) copied into a GError. */
#define MAX_SERVER_TEXT 1024

typedef enum {
  STATE_IDLE,          /* the worker has not started connecting */
  STATE_CONNECTING,    /* socket connect, then CONNECT sent, waiting for CONNECTED */
  STATE_CONNECTED,
  STATE_DISCONNECTED,  /* refused, lost or closed: final */
} ClientState;

/* Lets idle sources in the caller's context find the client, if it still
 * exists, without the worker ever owning a reference. */
typedef struct {
  GWeakRef client;
} SignalTarget;

struct _VdsmClient
{
  GObject parent_instance;

  /* Set at construction, read-only afterwards. */
  char *uri;
  GMainContext *signal_context;
  SignalTarget *target;
  char *reply_to;
  char *reply_subscription;
  char *events_subscription;
  GMainContext *worker_context;
  GMainLoop *worker_loop;

  /* Protected by lock. */
  GMutex lock;
  char *flow_id;
  guint timeout;
  guint heartbeat_ms;      /* construct-only: offered both ways */
  gboolean init_started;
  gboolean closing;        /* vdsm_client_close() was called */
  gboolean disconnected;   /* the worker reached STATE_DISCONNECTED */
  GThread *thread;

  /* Set by init before the worker starts, then owned by the worker. */
  GSocketConnectable *address;
  GTask *init_task;

  /* Worker thread only. */
  ClientState state;
  gboolean shutting_down;
  GSource *init_timeout_source;
  GSource *init_cancel_source;
  GCancellable *io_cancellable;
  GSocketConnection *connection;
  guint n_io_ops;          /* async operations in flight on connection */
  VdsmStompParser *parser;
  guint8 *read_buffer;
  GQueue write_queue;      /* GBytes, in order */
  GBytes *writing;
  gint64 last_read_time;
  gint64 last_write_time;
  guint server_beat_ms;    /* negotiated: the server sends at least this often */
  guint client_beat_ms;    /* negotiated: we send at least this often */
  GSource *heartbeat_source;
  GHashTable *pending;     /* request id -> PendingCall (not owned) */
  GError *disconnect_error;
};

/**
 * VdsmClient:
 *
 * A connection to a VDSM-compatible server speaking JSON-RPC 2.0 over
 * STOMP 1.2 (vdsmd, or VDSM itself without TLS). Create it with
 * vdsm_client_new() or vdsm_client_new_sync(), call methods with
 * vdsm_client_call() or the typed wrappers of vdsm-client-methods.h, and
 * receive server events through #VdsmClient::event.
 *
 * All methods are thread-safe. The socket is served by a private thread, so
 * the _sync variants work from any thread, including one whose main loop
 * is not running.
 */

enum {
  PROP_0,
  PROP_URI,
  PROP_TIMEOUT,
  PROP_FLOW_ID,
  PROP_HEARTBEAT,
  N_PROPS
};

enum {
  SIGNAL_EVENT,
  SIGNAL_CLOSED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void vdsm_client_initable_iface_init (GInitableIface *iface);
static void vdsm_client_async_initable_iface_init (GAsyncInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (VdsmClient, vdsm_client, G_TYPE_OBJECT,
  G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE, vdsm_client_initable_iface_init)
  G_IMPLEMENT_INTERFACE (G_TYPE_ASYNC_INITABLE, vdsm_client_async_initable_iface_init))

/* ---- Delivery into other main contexts ---- */

static void
attach_idle (GMainContext *context, GSourceFunc func, gpointer data, GDestroyNotify destroy)
{
  /* An explicit source rather than g_main_context_invoke(): invoke runs the
   * function in the calling thread when nobody owns the context. */
  GSource *source = g_idle_source_new ();

  /* Once attached, the source may run at once in @context's thread, whose
   * owner may then drop the last reference to @context (a _sync call frees
   * its private context as soon as the outcome arrives). Dropping our
   * reference to the source locks the source's context, so @context must
   * outlive that: hold it across attach and unref. */
  g_main_context_ref (context);
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, func, data, destroy);
  g_source_attach (source, context);
  g_source_unref (source);
  g_main_context_unref (context);
}

typedef struct {
  GTask *task;
  JsonNode *result;
  GError *error;
} TaskOutcome;

static void
task_outcome_free (gpointer data)
{
  TaskOutcome *outcome = data;

  g_clear_object (&outcome->task);
  g_clear_pointer (&outcome->result, json_node_unref);
  g_clear_error (&outcome->error);
  g_free (outcome);
}

static gboolean
deliver_outcome (gpointer data)
{
  TaskOutcome *outcome = data;

  if (outcome->error != NULL)
    g_task_return_error (outcome->task, g_steal_pointer (&outcome->error));
  else if (outcome->result != NULL)
    g_task_return_pointer (outcome->task, g_steal_pointer (&outcome->result),
                           (GDestroyNotify) json_node_unref);
  else
    g_task_return_boolean (outcome->task, TRUE);
  return G_SOURCE_REMOVE;
}

/* Completes @task (transfer full) with @result or @error (both transfer
 * full; neither means boolean TRUE) in the task's own main context. */
static void
complete_task (GTask *task, JsonNode *result, GError *error)
{
  TaskOutcome *outcome = g_new0 (TaskOutcome, 1);

  outcome->task = task;
  outcome->result = result;
  outcome->error = error;
  attach_idle (g_task_get_context (task), deliver_outcome, outcome, task_outcome_free);
}

typedef struct {
  SignalTarget *target;
  char *event_id;
  GQuark detail;
  JsonNode *params;
  GError *error;
} SignalDelivery;

static void
signal_target_clear (gpointer data)
{
  SignalTarget *target = data;

  g_weak_ref_clear (&target->client);
}

static void
signal_delivery_free (gpointer data)
{
  SignalDelivery *delivery = data;

  g_atomic_rc_box_release_full (delivery->target, signal_target_clear);
  g_free (delivery->event_id);
  g_clear_pointer (&delivery->params, json_node_unref);
  g_clear_error (&delivery->error);
  g_free (delivery);
}

static gboolean
deliver_event (gpointer data)
{
  SignalDelivery *delivery = data;
  g_autoptr(VdsmClient) self = g_weak_ref_get (&delivery->target->client);

  if (self != NULL)
    g_signal_emit (self, signals[SIGNAL_EVENT], delivery->detail,
                   delivery->event_id, delivery->params);
  return G_SOURCE_REMOVE;
}

static gboolean
deliver_closed (gpointer data)
{
  SignalDelivery *delivery = data;
  g_autoptr(VdsmClient) self = g_weak_ref_get (&delivery->target->client);

  if (self != NULL)
    g_signal_emit (self, signals[SIGNAL_CLOSED], 0, delivery->error);
  return G_SOURCE_REMOVE;
}

static SignalDelivery *
signal_delivery_new (VdsmClient *self)
{
  SignalDelivery *delivery = g_new0 (SignalDelivery, 1);

  delivery->target = g_atomic_rc_box_acquire (self->target);
  return delivery;
}

/* ---- Synchronous waits on a private main context ---- */

typedef struct {
  GMainContext *context;
  GAsyncResult *result;
} SyncWait;

static void
sync_wait_begin (SyncWait *wait)
{
  wait->context = g_main_context_new ();
  wait->result = NULL;
  g_main_context_push_thread_default (wait->context);
}

static void
sync_wait_done (GObject *source, GAsyncResult *result, gpointer data)
{
  SyncWait *wait = data;

  wait->result = g_object_ref (result);
}

static GAsyncResult *
sync_wait_result (SyncWait *wait)
{
  while (wait->result == NULL)
    g_main_context_iteration (wait->context, TRUE);
  return wait->result;
}

static void
sync_wait_end (SyncWait *wait)
{
  g_main_context_pop_thread_default (wait->context);
  g_clear_object (&wait->result);
  g_main_context_unref (wait->context);
}

/* ---- Pending calls ---- */

typedef struct {
  VdsmClient *client;      /* borrowed: the worker stops before the client goes */
  char *id;
  char *method;
  GTask *task;
  GBytes *frame;           /* the SEND frame, until queued */
  guint timeout;           /* seconds, 0 for none */
  GSource *timeout_source;
  GSource *cancel_source;
} PendingCall;

static void
pending_call_free (PendingCall *call)
{
  g_free (call->id);
  g_free (call->method);
  g_clear_object (&call->task);
  g_clear_pointer (&call->frame, g_bytes_unref);
  g_free (call);
}

static void
destroy_source (GSource **source)
{
  if (*source == NULL)
    return;
  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}

/* Worker thread: ends @call with @result or @error (transfer full). */
static void
pending_call_complete (PendingCall *call, JsonNode *result, GError *error)
{
  g_hash_table_remove (call->client->pending, call->id);
  destroy_source (&call->timeout_source);
  destroy_source (&call->cancel_source);
  complete_task (g_steal_pointer (&call->task), result, error);
  pending_call_free (call);
}

static GBytes *
build_request_frame (VdsmClient *self, const char *id, const char *method,
                     const char *params_json, const char *flow_id)
{
  g_autoptr(GString) body = g_string_new ("{\"jsonrpc\":\"2.0\",\"method\":");
  GString *frame = g_string_new (NULL);

  vdsm_json_write_string (body, method);
  g_string_append (body, ",\"params\":");
  g_string_append (body, params_json != NULL ? params_json : "{}");
  g_string_append (body, ",\"id\":");
  vdsm_json_write_string (body, id);
  g_string_append_c (body, '}');

  vdsm_stomp_write_command (frame, "SEND");
  vdsm_stomp_write_header (frame, "destination", REQUEST_QUEUE);
  vdsm_stomp_write_header (frame, "content-type", "application/json");
  vdsm_stomp_write_header (frame, "reply-to", self->reply_to);
  if (flow_id != NULL)
    vdsm_stomp_write_header (frame, "ovirtCorrelationId", flow_id);
  vdsm_stomp_write_body (frame, body->str, body->len);
  return g_string_free_to_bytes (frame);
}

/* ---- Worker: writing ---- */

static void worker_disconnect (VdsmClient *self, GError *error);

static void
worker_release_if_idle (VdsmClient *self)
{
  /* Closing the socket under an operation in flight would leave its source
   * watching a dead descriptor: wait until every operation returned. */
  if (self->state != STATE_DISCONNECTED || self->n_io_ops > 0)
    return;
  if (self->connection != NULL)
    {
      g_io_stream_close (G_IO_STREAM (self->connection), NULL, NULL);
      g_clear_object (&self->connection);
    }
  if (self->shutting_down)
    g_main_loop_quit (self->worker_loop);
}

static void worker_flush (VdsmClient *self);

static void
on_written (GObject *source, GAsyncResult *res, gpointer data)
{
  VdsmClient *self = data;
  g_autoptr(GError) error = NULL;
  gboolean ok = g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), res, NULL, &error);

  self->n_io_ops--;
  g_clear_pointer (&self->writing, g_bytes_unref);
  if (self->state == STATE_DISCONNECTED)
    {
      worker_release_if_idle (self);
      return;
    }
  if (!ok)
    {
      worker_disconnect (self, g_error_new (G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                                            "Connection to %s lost: %s",
                                            self->uri, error->message));
      return;
    }
  self->last_write_time = g_get_monotonic_time ();
  worker_flush (self);
}

static void
worker_flush (VdsmClient *self)
{
  GOutputStream *out;
  const void *data;
  gsize size;

  if (self->writing != NULL || self->connection == NULL || self->state == STATE_DISCONNECTED)
    return;
  self->writing = g_queue_pop_head (&self->write_queue);
  if (self->writing == NULL)
    return;

  out = g_io_stream_get_output_stream (G_IO_STREAM (self->connection));
  data = g_bytes_get_data (self->writing, &size);
  self->n_io_ops++;
  g_output_stream_write_all_async (out, data, size, G_PRIORITY_DEFAULT,
                                   self->io_cancellable, on_written, self);
}

static void
worker_queue_write (VdsmClient *self, GBytes *bytes)
{
  g_queue_push_tail (&self->write_queue, bytes);
  worker_flush (self);
}

/* ---- Worker: connection end ---- */

static void
worker_fail_pending (VdsmClient *self)
{
  GList *calls = g_hash_table_get_values (self->pending);

  for (GList *l = calls; l != NULL; l = l->next)
    pending_call_complete (l->data, NULL, g_error_copy (self->disconnect_error));
  g_list_free (calls);
}

/* Enters the final state: @error (transfer full) is why, and what every
 * pending and later call fails with. */
static void
worker_disconnect (VdsmClient *self, GError *error)
{
  if (self->state == STATE_DISCONNECTED)
    {
      g_error_free (error);
      return;
    }
  self->state = STATE_DISCONNECTED;
  self->disconnect_error = error;
  g_mutex_lock (&self->lock);
  self->disconnected = TRUE;
  g_mutex_unlock (&self->lock);

  destroy_source (&self->init_timeout_source);
  destroy_source (&self->init_cancel_source);
  destroy_source (&self->heartbeat_source);
  if (self->io_cancellable != NULL)
    g_cancellable_cancel (self->io_cancellable);
  g_queue_clear_full (&self->write_queue, (GDestroyNotify) g_bytes_unref);

  if (self->init_task != NULL)
    {
      complete_task (g_steal_pointer (&self->init_task), NULL, g_error_copy (error));
    }
  else
    {
      SignalDelivery *delivery = signal_delivery_new (self);

      /* A close asked for by the owner is not an error. */
      if (!self->shutting_down)
        delivery->error = g_error_copy (error);
      attach_idle (self->signal_context, deliver_closed, delivery, signal_delivery_free);
    }
  worker_fail_pending (self);
  worker_release_if_idle (self);
}

static gboolean
worker_shutdown (gpointer data)
{
  VdsmClient *self = data;

  self->shutting_down = TRUE;
  worker_disconnect (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CLOSED,
                                                "The client was closed"));
  /* Already disconnected before: the line above did nothing. */
  worker_release_if_idle (self);
  return G_SOURCE_REMOVE;
}

/* ---- Worker: heart-beats ---- */

static gboolean
on_heartbeat_tick (gpointer data)
{
  VdsmClient *self = data;
  gint64 now = g_get_monotonic_time ();

  if (self->server_beat_ms > 0 &&
      now - self->last_read_time > HEARTBEAT_GRACE (self->server_beat_ms) * 1000)
    {
      worker_disconnect (self, g_error_new (G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                                            "Connection to %s lost: nothing received for "
                                            "%" G_GINT64_FORMAT " ms (heart-beats every %u ms "
                                            "were agreed)",
                                            self->uri, (now - self->last_read_time) / 1000,
                                            self->server_beat_ms));
      return G_SOURCE_REMOVE;
    }
  if (self->client_beat_ms > 0 && self->writing == NULL &&
      g_queue_is_empty (&self->write_queue) &&
      now - self->last_write_time >= (gint64) self->client_beat_ms * 1000 / 2)
    worker_queue_write (self, g_bytes_new_static ("\n", 1));
  return G_SOURCE_CONTINUE;
}

/* One side's value of a heart-beat header; malformed counts as 0 (none). */
static guint
parse_beat (const char *text)
{
  guint64 value;

  if (!g_ascii_string_to_unsigned (text, 10, 0, HEARTBEAT_MAX_MS, &value, NULL))
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
worker_start_heartbeats (VdsmClient *self, const char *header)
{
  g_auto(GStrv) parts = NULL;
  guint tick;

  /* We sent "hb,hb" (we can send and want to receive every hb ms); the
   * server answers "sx,sy": it can send every sx ms and wants to hear from
   * us every sy ms. */
  if (header == NULL || self->heartbeat_ms == 0)
    return;
  parts = g_strsplit (header, ",", 0);
  if (g_strv_length (parts) != 2)
    return;
  self->server_beat_ms = negotiate_beat (parse_beat (parts[0]), self->heartbeat_ms);
  self->client_beat_ms = negotiate_beat (self->heartbeat_ms, parse_beat (parts[1]));
  if (self->server_beat_ms == 0 && self->client_beat_ms == 0)
    return;

  /* Often enough to send before the interval ends and to notice silence
   * within a quarter interval of the grace period. */
  if (self->server_beat_ms == 0)
    tick = self->client_beat_ms / 2;
  else if (self->client_beat_ms == 0)
    tick = self->server_beat_ms / 4;
  else
    tick = MIN (self->server_beat_ms / 4, self->client_beat_ms / 2);
  self->heartbeat_source = g_timeout_source_new (MAX (tick, 1));
  g_source_set_callback (self->heartbeat_source, on_heartbeat_tick, self, NULL);
  g_source_attach (self->heartbeat_source, self->worker_context);
}

/* ---- Worker: incoming frames ---- */

/* Gives @node (borrowed from a tree this thread is about to free) a life of
 * its own, so that it can travel to another thread. */
static JsonNode *
detach_node (JsonNode *node)
{
  JsonNode *detached = json_node_ref (node);

  json_node_set_parent (detached, NULL);
  return detached;
}

static GError *
error_from_reply (JsonNode *node, const char *method)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      JsonNode *code = json_object_get_member (object, "code");
      JsonNode *message = json_object_get_member (object, "message");

      if (code != NULL && json_node_get_value_type (code) == G_TYPE_INT64 &&
          json_node_get_int (code) >= G_MININT && json_node_get_int (code) <= G_MAXINT)
        {
          gboolean has_text = message != NULL && json_node_get_value_type (message) == G_TYPE_STRING;

          return g_error_new_literal (VDSM_ERROR, (int) json_node_get_int (code),
                                      has_text ? json_node_get_string (message) : "Unknown error");
        }
    }
  return g_error_new (VDSM_ERROR, VDSM_ERROR_INVALID_REPLY,
                      "The reply to %s has a malformed error object", method);
}

/* "|virt|VM_status|<id>" -> the quark of "virt.VM_status". Only an existing
 * quark: one made from every id a server sends would grow the process-wide
 * quark table without bound, and a detail nobody connected to has no
 * handlers anyway. */
static GQuark
event_detail (const char *event_id)
{
  g_auto(GStrv) parts = NULL;
  g_autofree char *name = NULL;

  if (event_id[0] != '|')
    return 0;
  parts = g_strsplit (event_id + 1, "|", 3);
  if (g_strv_length (parts) < 2 || *parts[0] == '\0' || *parts[1] == '\0')
    return 0;
  name = g_strconcat (parts[0], ".", parts[1], NULL);
  return g_quark_try_string (name);
}

static void
worker_handle_event (VdsmClient *self, JsonObject *object)
{
  JsonNode *method = json_object_get_member (object, "method");
  JsonNode *params = json_object_get_member (object, "params");
  SignalDelivery *delivery;

  if (method == NULL || json_node_get_value_type (method) != G_TYPE_STRING)
    return;
  delivery = signal_delivery_new (self);
  delivery->event_id = g_strdup (json_node_get_string (method));
  delivery->detail = event_detail (delivery->event_id);
  delivery->params = params != NULL ? detach_node (params) : NULL;
  attach_idle (self->signal_context, deliver_event, delivery, signal_delivery_free);
}

static void
worker_handle_rpc (VdsmClient *self, JsonObject *object)
{
  JsonNode *id = json_object_get_member (object, "id");
  JsonNode *error;
  JsonNode *result;
  PendingCall *call;

  if (id == NULL || JSON_NODE_HOLDS_NULL (id))
    {
      /* Without an id: an event, or an error nobody can own. */
      if (json_object_has_member (object, "method"))
        worker_handle_event (self, object);
      return;
    }
  if (json_node_get_value_type (id) != G_TYPE_STRING)
    return;
  call = g_hash_table_lookup (self->pending, json_node_get_string (id));
  if (call == NULL)
    {
      /* Late (after a timeout or cancellation) or someone else's. */
      g_debug ("Ignoring a reply to unknown request %s", json_node_get_string (id));
      return;
    }

  error = json_object_get_member (object, "error");
  result = json_object_get_member (object, "result");
  if (error != NULL && !JSON_NODE_HOLDS_NULL (error))
    pending_call_complete (call, NULL, error_from_reply (error, call->method));
  else if (result != NULL)
    pending_call_complete (call, detach_node (result), NULL);
  else
    pending_call_complete (call, NULL,
                           g_error_new (VDSM_ERROR, VDSM_ERROR_INVALID_REPLY,
                                        "The reply to %s has neither result nor error",
                                        call->method));
}

static void
worker_handle_message (VdsmClient *self, VdsmStompFrame *frame)
{
  g_autoptr(GError) error = NULL;
  gsize length;
  const char *body = vdsm_stomp_frame_get_body (frame, &length);
  g_autoptr(JsonNode) root = vdsm_json_parse_data (body, length, &error);

  if (root == NULL)
    {
      g_debug ("Ignoring a message from %s that is not JSON: %s", self->uri, error->message);
      return;
    }
  if (JSON_NODE_HOLDS_OBJECT (root))
    {
      worker_handle_rpc (self, json_node_get_object (root));
    }
  else if (JSON_NODE_HOLDS_ARRAY (root))
    {
      JsonArray *array = json_node_get_array (root);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);

          if (JSON_NODE_HOLDS_OBJECT (element))
            worker_handle_rpc (self, json_node_get_object (element));
        }
    }
}

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
worker_handshake_done (VdsmClient *self, VdsmStompFrame *frame)
{
  self->state = STATE_CONNECTED;
  destroy_source (&self->init_timeout_source);
  destroy_source (&self->init_cancel_source);
  worker_start_heartbeats (self, vdsm_stomp_frame_get_header (frame, "heart-beat"));
  complete_task (g_steal_pointer (&self->init_task), NULL, NULL);
}

static void
worker_handle_frame (VdsmClient *self, VdsmStompFrame *frame)
{
  g_autofree char *text = NULL;

  switch (vdsm_stomp_frame_get_command (frame))
    {
    case VDSM_STOMP_COMMAND_CONNECTED:
      if (self->state == STATE_CONNECTING)
        worker_handshake_done (self, frame);
      break;

    case VDSM_STOMP_COMMAND_MESSAGE:
      worker_handle_message (self, frame);
      break;

    case VDSM_STOMP_COMMAND_ERROR:
      text = server_text (frame);
      if (self->state == STATE_CONNECTING)
        worker_disconnect (self, g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED,
                                              "%s refused the connection: %s",
                                              self->uri, text));
      else
        /* It cannot be matched to a request; vdsm keeps the connection. */
        g_debug ("STOMP error from %s: %s", self->uri, text);
      break;

    default:
      /* RECEIPT and anything else carry nothing for a client. */
      break;
    }
}

/* Returns FALSE once the connection is gone. */
static gboolean
worker_feed (VdsmClient *self, const char *data, gsize length)
{
  while (length > 0 && self->state != STATE_DISCONNECTED)
    {
      g_autoptr(VdsmStompFrame) frame = NULL;
      g_autoptr(GError) error = NULL;

      switch (vdsm_stomp_parser_parse (self->parser, &data, &length, &frame, &error))
        {
        case VDSM_STOMP_PARSE_FRAME:
          worker_handle_frame (self, frame);
          break;
        case VDSM_STOMP_PARSE_HEARTBEAT:
          break;
        case VDSM_STOMP_PARSE_NEED_MORE:
          return TRUE;
        case VDSM_STOMP_PARSE_ERROR:
        default:
          worker_disconnect (self, g_error_new (G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                                                "Connection to %s dropped: invalid data: %s",
                                                self->uri, error->message));
          return FALSE;
        }
    }
  return self->state != STATE_DISCONNECTED;
}

static void worker_read (VdsmClient *self);

static void
on_read (GObject *source, GAsyncResult *res, gpointer data)
{
  VdsmClient *self = data;
  g_autoptr(GError) error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), res, &error);

  self->n_io_ops--;
  if (self->state == STATE_DISCONNECTED)
    {
      worker_release_if_idle (self);
      return;
    }
  if (n < 0)
    {
      worker_disconnect (self, g_error_new (G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                                            "Connection to %s lost: %s",
                                            self->uri, error->message));
      return;
    }
  if (n == 0)
    {
      worker_disconnect (self, g_error_new (G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                                            "Connection closed by %s", self->uri));
      return;
    }
  self->last_read_time = g_get_monotonic_time ();
  if (worker_feed (self, (const char *) self->read_buffer, (gsize) n))
    worker_read (self);
}

static void
worker_read (VdsmClient *self)
{
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (self->connection));

  self->n_io_ops++;
  g_input_stream_read_async (in, self->read_buffer, READ_CHUNK_SIZE, G_PRIORITY_DEFAULT,
                             self->io_cancellable, on_read, self);
}

/* ---- Worker: connecting ---- */

static void
append_subscribe (GString *out, const char *destination, const char *id)
{
  vdsm_stomp_write_command (out, "SUBSCRIBE");
  vdsm_stomp_write_header (out, "destination", destination);
  vdsm_stomp_write_header (out, "ack", "auto");
  vdsm_stomp_write_header (out, "id", id);
  vdsm_stomp_write_body (out, NULL, 0);
}

static GBytes *
build_handshake (VdsmClient *self)
{
  GString *out = g_string_new (NULL);
  g_autofree char *beat = g_strdup_printf ("%u,%u", self->heartbeat_ms, self->heartbeat_ms);

  /* One write, as vdsm's own client does: subscribing before any request
   * guarantees the replies have somewhere to go. */
  vdsm_stomp_write_command (out, "CONNECT");
  vdsm_stomp_write_header (out, "accept-version", "1.2");
  vdsm_stomp_write_header (out, "heart-beat", beat);
  vdsm_stomp_write_body (out, NULL, 0);
  append_subscribe (out, self->reply_to, self->reply_subscription);
  append_subscribe (out, EVENT_QUEUE, self->events_subscription);
  return g_string_free_to_bytes (out);
}

static void
on_connected (GObject *source, GAsyncResult *res, gpointer data)
{
  VdsmClient *self = data;
  g_autoptr(GError) error = NULL;
  GSocket *socket;

  self->connection = g_socket_client_connect_finish (G_SOCKET_CLIENT (source), res, &error);
  self->n_io_ops--;
  if (self->state == STATE_DISCONNECTED)
    {
      worker_release_if_idle (self);
      return;
    }
  if (self->connection == NULL)
    {
      g_prefix_error (&error, "Cannot connect to %s: ", self->uri);
      worker_disconnect (self, g_steal_pointer (&error));
      return;
    }

  /* Requests are written whole; waiting for the previous one's ACK (Nagle)
   * would only add latency to pipelined calls. */
  socket = g_socket_connection_get_socket (self->connection);
  if (g_socket_get_family (socket) != G_SOCKET_FAMILY_UNIX)
    g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, TRUE, NULL);

  self->parser = vdsm_stomp_parser_new (0, 0);
  self->read_buffer = g_malloc (READ_CHUNK_SIZE);
  self->last_read_time = self->last_write_time = g_get_monotonic_time ();
  worker_queue_write (self, build_handshake (self));
  worker_read (self);
}

static gboolean
on_init_timeout (gpointer data)
{
  VdsmClient *self = data;
  guint timeout;

  g_mutex_lock (&self->lock);
  timeout = self->timeout;
  g_mutex_unlock (&self->lock);
  worker_disconnect (self, g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                                        "Timed out connecting to %s after %u s",
                                        self->uri, timeout));
  return G_SOURCE_REMOVE;
}

static gboolean
on_init_cancelled (GCancellable *cancellable, gpointer data)
{
  VdsmClient *self = data;

  worker_disconnect (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                "Operation was cancelled"));
  return G_SOURCE_REMOVE;
}

static gboolean
worker_connect (gpointer data)
{
  VdsmClient *self = data;
  g_autoptr(GSocketClient) socket_client = NULL;
  GCancellable *cancellable;
  guint timeout;

  /* Closed before the worker got here: the init task has already failed. */
  if (self->state == STATE_DISCONNECTED)
    return G_SOURCE_REMOVE;

  self->state = STATE_CONNECTING;
  self->io_cancellable = g_cancellable_new ();

  g_mutex_lock (&self->lock);
  timeout = self->timeout;
  g_mutex_unlock (&self->lock);
  if (timeout > 0)
    {
      self->init_timeout_source = g_timeout_source_new_seconds (timeout);
      g_source_set_callback (self->init_timeout_source, on_init_timeout, self, NULL);
      g_source_attach (self->init_timeout_source, self->worker_context);
    }
  cancellable = g_task_get_cancellable (self->init_task);
  if (cancellable != NULL)
    {
      self->init_cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (self->init_cancel_source, G_SOURCE_FUNC (on_init_cancelled), self, NULL);
      g_source_attach (self->init_cancel_source, self->worker_context);
    }

  socket_client = g_socket_client_new ();
  /* A management connection goes straight to the host, never via a proxy
   * found in the environment. */
  g_socket_client_set_enable_proxy (socket_client, FALSE);
  self->n_io_ops++;
  g_socket_client_connect_async (socket_client, self->address, self->io_cancellable,
                                 on_connected, self);
  return G_SOURCE_REMOVE;
}

static gpointer
worker_main (gpointer data)
{
  VdsmClient *self = data;

  g_main_context_push_thread_default (self->worker_context);
  g_main_loop_run (self->worker_loop);
  g_main_context_pop_thread_default (self->worker_context);
  return NULL;
}

/* ---- Worker: calls ---- */

static gboolean
on_call_timeout (gpointer data)
{
  PendingCall *call = data;

  pending_call_complete (call, NULL, g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                                                  "No reply to %s within %u s",
                                                  call->method, call->timeout));
  return G_SOURCE_REMOVE;
}

static gboolean
on_call_cancelled (GCancellable *cancellable, gpointer data)
{
  PendingCall *call = data;

  pending_call_complete (call, NULL, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                          "Operation was cancelled"));
  return G_SOURCE_REMOVE;
}

static gboolean
worker_submit (gpointer data)
{
  PendingCall *call = data;
  VdsmClient *self = call->client;
  GCancellable *cancellable;

  if (self->state != STATE_CONNECTED)
    {
      GError *error = self->state == STATE_DISCONNECTED
        ? g_error_copy (self->disconnect_error)
        : g_error_new (G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED, "Not connected to %s", self->uri);

      pending_call_complete (call, NULL, error);
      return G_SOURCE_REMOVE;
    }

  g_hash_table_insert (self->pending, call->id, call);
  if (call->timeout > 0)
    {
      call->timeout_source = g_timeout_source_new_seconds (call->timeout);
      g_source_set_callback (call->timeout_source, on_call_timeout, call, NULL);
      g_source_attach (call->timeout_source, self->worker_context);
    }
  cancellable = g_task_get_cancellable (call->task);
  if (cancellable != NULL)
    {
      call->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (call->cancel_source, G_SOURCE_FUNC (on_call_cancelled), call, NULL);
      g_source_attach (call->cancel_source, self->worker_context);
    }
  worker_queue_write (self, g_steal_pointer (&call->frame));
  return G_SOURCE_REMOVE;
}

/* ---- GObject ---- */

static void
vdsm_client_init (VdsmClient *self)
{
  g_mutex_init (&self->lock);
  self->timeout = VDSM_CLIENT_DEFAULT_TIMEOUT;
  self->target = g_atomic_rc_box_new0 (SignalTarget);
  g_weak_ref_init (&self->target->client, self);
  self->reply_to = g_uuid_string_random ();
  self->reply_subscription = g_uuid_string_random ();
  self->events_subscription = g_uuid_string_random ();
  self->worker_context = g_main_context_new ();
  self->worker_loop = g_main_loop_new (self->worker_context, FALSE);
  self->pending = g_hash_table_new (g_str_hash, g_str_equal);
  g_queue_init (&self->write_queue);
}

static void
vdsm_client_constructed (GObject *object)
{
  VdsmClient *self = VDSM_CLIENT (object);

  G_OBJECT_CLASS (vdsm_client_parent_class)->constructed (object);
  self->signal_context = g_main_context_ref_thread_default ();
}

static void
vdsm_client_dispose (GObject *object)
{
  VdsmClient *self = VDSM_CLIENT (object);

  vdsm_client_close (self);
  g_weak_ref_set (&self->target->client, NULL);
  G_OBJECT_CLASS (vdsm_client_parent_class)->dispose (object);
}

static void
vdsm_client_finalize (GObject *object)
{
  VdsmClient *self = VDSM_CLIENT (object);

  /* The worker has been joined: its state can be freed from here. */
  g_free (self->uri);
  g_clear_pointer (&self->signal_context, g_main_context_unref);
  g_atomic_rc_box_release_full (self->target, signal_target_clear);
  g_free (self->reply_to);
  g_free (self->reply_subscription);
  g_free (self->events_subscription);
  g_free (self->flow_id);
  g_clear_object (&self->address);
  g_clear_object (&self->io_cancellable);
  g_clear_object (&self->connection);
  g_clear_pointer (&self->parser, vdsm_stomp_parser_free);
  g_free (self->read_buffer);
  g_queue_clear_full (&self->write_queue, (GDestroyNotify) g_bytes_unref);
  g_clear_pointer (&self->writing, g_bytes_unref);
  g_hash_table_unref (self->pending);
  g_clear_error (&self->disconnect_error);
  g_main_loop_unref (self->worker_loop);
  g_main_context_unref (self->worker_context);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (vdsm_client_parent_class)->finalize (object);
}

static void
vdsm_client_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  VdsmClient *self = VDSM_CLIENT (object);

  switch (prop_id)
    {
    case PROP_URI:
      g_value_set_string (value, self->uri);
      break;
    case PROP_TIMEOUT:
      g_value_set_uint (value, vdsm_client_get_timeout (self));
      break;
    case PROP_FLOW_ID:
      g_value_take_string (value, vdsm_client_dup_flow_id (self));
      break;
    case PROP_HEARTBEAT:
      g_value_set_uint (value, self->heartbeat_ms);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vdsm_client_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  VdsmClient *self = VDSM_CLIENT (object);

  switch (prop_id)
    {
    case PROP_URI:
      self->uri = g_value_dup_string (value);
      break;
    case PROP_TIMEOUT:
      vdsm_client_set_timeout (self, g_value_get_uint (value));
      break;
    case PROP_FLOW_ID:
      vdsm_client_set_flow_id (self, g_value_get_string (value));
      break;
    case PROP_HEARTBEAT:
      self->heartbeat_ms = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vdsm_client_class_init (VdsmClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = vdsm_client_constructed;
  object_class->dispose = vdsm_client_dispose;
  object_class->finalize = vdsm_client_finalize;
  object_class->get_property = vdsm_client_get_property;
  object_class->set_property = vdsm_client_set_property;

  /**
   * VdsmClient:uri:
   *
   * The server address: `tcp://HOST:PORT` (HOST may be a bracketed IPv6
   * literal; the port defaults to 54321) or `unix:///PATH`.
   */
  properties[PROP_URI] =
    g_param_spec_string ("uri", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * VdsmClient:timeout:
   *
   * Seconds to wait for the connection handshake and for each reply; 0
   * waits forever. A call that runs out fails with %G_IO_ERROR_TIMED_OUT
   * (the request is not cancelled on the server). Read when a call starts.
   */
  properties[PROP_TIMEOUT] =
    g_param_spec_uint ("timeout", NULL, NULL, 0, G_MAXUINT / 1000, VDSM_CLIENT_DEFAULT_TIMEOUT,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * VdsmClient:flow-id:
   *
   * When set, sent with every request as the STOMP header
   * `ovirtCorrelationId`, which VDSM logs as the flow id.
   */
  properties[PROP_FLOW_ID] =
    g_param_spec_string ("flow-id", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * VdsmClient:heartbeat:
   *
   * STOMP heart-beats, in milliseconds: the client offers to send one at
   * least this often and asks the server to do the same; 0 turns them off.
   * The server's answer settles each direction by STOMP 1.2's rule (the
   * larger of the two sides' values; none when either side says 0). When
   * the server promised beats and nothing arrives for one and a half
   * negotiated intervals, the connection is declared lost.
   */
  properties[PROP_HEARTBEAT] =
    g_param_spec_uint ("heartbeat", NULL, NULL, 0, HEARTBEAT_MAX_MS,
                       VDSM_CLIENT_DEFAULT_HEARTBEAT,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * VdsmClient::event:
   * @client: the client
   * @event_id: the event id as sent, e.g. `|virt|VM_status|<vm uuid>`
   * @params: (nullable): the event's params (with `notify_time`)
   *
   * Emitted for every event the server publishes on `jms.queue.events`.
   * The detail is the event's schema name `namespace.name`, so
   * `event::virt.VM_status` receives VM status changes only. Emitted in the
   * main context that was thread-default when the client was created.
   */
  signals[SIGNAL_EVENT] =
    g_signal_new ("event", G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2,
                  G_TYPE_STRING,
                  JSON_TYPE_NODE | G_SIGNAL_TYPE_STATIC_SCOPE);

  /**
   * VdsmClient::closed:
   * @client: the client
   * @error: (nullable): why the connection was lost, or %NULL after
   *   vdsm_client_close()
   *
   * Emitted once when an established connection ends. Every pending call
   * has failed by then; later calls fail at once. Emitted in the main
   * context that was thread-default when the client was created.
   */
  signals[SIGNAL_CLOSED] =
    g_signal_new ("closed", G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1,
                  G_TYPE_ERROR);
}

/* ---- Initialization ---- */

static void
vdsm_client_init_async (GAsyncInitable *initable, int io_priority, GCancellable *cancellable,
                        GAsyncReadyCallback callback, gpointer user_data)
{
  VdsmClient *self = VDSM_CLIENT (initable);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GError) error = NULL;

  g_task_set_source_tag (task, vdsm_client_init_async);

  g_mutex_lock (&self->lock);
  if (self->init_started || self->closing)
    {
      g_mutex_unlock (&self->lock);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                               "The client was already initialized or closed");
      return;
    }
  self->init_started = TRUE;
  g_mutex_unlock (&self->lock);

  if (self->uri == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               "No server address given");
      return;
    }
  self->address = vdsm_client_uri_parse (self->uri, &error);
  if (self->address == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_mutex_lock (&self->lock);
  self->init_task = g_steal_pointer (&task);
  self->thread = g_thread_try_new ("vdsm-client", worker_main, self, &error);
  if (self->thread == NULL)
    {
      task = g_steal_pointer (&self->init_task);
      g_mutex_unlock (&self->lock);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  attach_idle (self->worker_context, worker_connect, self, NULL);
  g_mutex_unlock (&self->lock);
}

static gboolean
vdsm_client_init_finish (GAsyncInitable *initable, GAsyncResult *res, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (res, initable), FALSE);
  return g_task_propagate_boolean (G_TASK (res), error);
}

static gboolean
vdsm_client_initable_init (GInitable *initable, GCancellable *cancellable, GError **error)
{
  SyncWait wait;
  gboolean ok;

  sync_wait_begin (&wait);
  vdsm_client_init_async (G_ASYNC_INITABLE (initable), G_PRIORITY_DEFAULT, cancellable,
                          sync_wait_done, &wait);
  ok = vdsm_client_init_finish (G_ASYNC_INITABLE (initable), sync_wait_result (&wait), error);
  sync_wait_end (&wait);
  return ok;
}

static void
vdsm_client_initable_iface_init (GInitableIface *iface)
{
  iface->init = vdsm_client_initable_init;
}

static void
vdsm_client_async_initable_iface_init (GAsyncInitableIface *iface)
{
  iface->init_async = vdsm_client_init_async;
  iface->init_finish = vdsm_client_init_finish;
}

/* ---- Public API ---- */

/**
 * vdsm_client_new:
 * @uri: the server address: `tcp://HOST:PORT` or `unix:///PATH`
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when connected or failed
 * @user_data: data for @callback
 *
 * Connects to a VDSM server: STOMP `CONNECT`, then subscriptions to a
 * private reply destination and to `jms.queue.events`. The client is ready
 * when the server answered `CONNECTED`. Any other address form fails with
 * %G_IO_ERROR_INVALID_ARGUMENT. Finish with vdsm_client_new_finish().
 */
void
vdsm_client_new (const char *uri, GCancellable *cancellable,
                 GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (uri != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  g_async_initable_new_async (VDSM_TYPE_CLIENT, G_PRIORITY_DEFAULT, cancellable,
                              callback, user_data, "uri", uri, NULL);
}

/**
 * vdsm_client_new_finish:
 * @res: the result given to the callback of vdsm_client_new()
 * @error: return location for an error
 *
 * Returns: (transfer full): the connected client, or %NULL on error
 */
VdsmClient *
vdsm_client_new_finish (GAsyncResult *res, GError **error)
{
  g_autoptr(GObject) source = NULL;
  GObject *object;

  g_return_val_if_fail (G_IS_ASYNC_RESULT (res), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  source = g_async_result_get_source_object (res);
  object = g_async_initable_new_finish (G_ASYNC_INITABLE (source), res, error);
  return object != NULL ? VDSM_CLIENT (object) : NULL;
}

/**
 * vdsm_client_new_sync:
 * @uri: the server address: `tcp://HOST:PORT` or `unix:///PATH`
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * The synchronous form of vdsm_client_new(). Safe from any thread.
 *
 * Returns: (transfer full): the connected client, or %NULL on error
 */
VdsmClient *
vdsm_client_new_sync (const char *uri, GCancellable *cancellable, GError **error)
{
  g_return_val_if_fail (uri != NULL, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return g_initable_new (VDSM_TYPE_CLIENT, cancellable, error, "uri", uri, NULL);
}

/* @params (NULL: none) as JSON text in *@text (NULL for none); FALSE
 * when they are neither an object nor an array. */
static gboolean
write_params (JsonNode *params, const char *method, char **text, GError **error)
{
  GString *out;

  *text = NULL;
  if (params == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (params) && !JSON_NODE_HOLDS_ARRAY (params))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "The params of %s must be a JSON object or array", method);
      return FALSE;
    }
  out = g_string_new (NULL);
  vdsm_json_write_node (out, params);
  *text = g_string_free (out, FALSE);
  return TRUE;
}

/**
 * vdsm_client_call:
 * @client: a #VdsmClient
 * @method: the method, e.g. `Host.getVMList`
 * @params: (nullable): the params, a JSON object (by name) or array (by
 *   position); %NULL sends `{}`. Not modified.
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the outcome
 * @user_data: data for @callback
 *
 * Sends one JSON-RPC request and waits for its reply, at most
 * #VdsmClient:timeout seconds. @callback runs in the thread-default main
 * context of the caller. Finish with vdsm_client_call_finish().
 */
void
vdsm_client_call (VdsmClient *client, const char *method, JsonNode *params,
                  GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  g_autofree char *text = NULL;
  GError *error = NULL;

  g_return_if_fail (VDSM_IS_CLIENT (client));
  g_return_if_fail (method != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  if (!write_params (params, method, &text, &error))
    {
      g_autoptr(GTask) task = g_task_new (client, cancellable, callback, user_data);

      g_task_set_source_tag (task, vdsm_client_call);
      g_task_return_error (task, error);
      return;
    }
  vdsm_client_call_json (client, method, text, cancellable, callback, user_data);
}

void
vdsm_client_call_json (VdsmClient *client, const char *method, const char *params_json,
                       GCancellable *cancellable, GAsyncReadyCallback callback,
                       gpointer user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *flow_id = NULL;
  PendingCall *call;
  GError *refusal = NULL;

  g_return_if_fail (VDSM_IS_CLIENT (client));
  g_return_if_fail (method != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (client, cancellable, callback, user_data);
  g_task_set_source_tag (task, vdsm_client_call);
  if (g_task_return_error_if_cancelled (task))
    return;

  call = g_new0 (PendingCall, 1);
  call->client = client;
  call->id = g_uuid_string_random ();
  call->method = g_strdup (method);

  g_mutex_lock (&client->lock);
  flow_id = g_strdup (client->flow_id);
  call->timeout = client->timeout;
  g_mutex_unlock (&client->lock);
  call->frame = build_request_frame (client, call->id, method, params_json, flow_id);

  g_mutex_lock (&client->lock);
  if (client->closing)
    refusal = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CLOSED, "The client was closed");
  else if (client->thread == NULL)
    refusal = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                                   "The client was not initialized");
  else
    {
      /* Under the lock: close() queues its shutdown after this. */
      call->task = g_steal_pointer (&task);
      attach_idle (client->worker_context, worker_submit, call, NULL);
    }
  g_mutex_unlock (&client->lock);

  if (refusal != NULL)
    {
      g_task_return_error (task, refusal);
      pending_call_free (call);
    }
}

/**
 * vdsm_client_call_finish:
 * @client: a #VdsmClient
 * @res: the result given to the callback of vdsm_client_call()
 * @error: return location for an error
 *
 * An error reply from the server is a #VDSM_ERROR with the server's code
 * and message; a reply that breaks the protocol (neither result nor
 * error, a malformed error object) is %VDSM_ERROR_INVALID_REPLY, as is a
 * result that does not match the schema in the typed calls. A lost
 * connection gives %G_IO_ERROR_CONNECTION_CLOSED, a closed client
 * %G_IO_ERROR_CLOSED, no reply in time %G_IO_ERROR_TIMED_OUT.
 *
 * Returns: (transfer full): the `result` of the reply (a JSON null node for
 *   `null`), or %NULL on error
 */
JsonNode *
vdsm_client_call_finish (VdsmClient *client, GAsyncResult *res, GError **error)
{
  g_return_val_if_fail (VDSM_IS_CLIENT (client), NULL);
  g_return_val_if_fail (g_task_is_valid (res, client), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (res)) == vdsm_client_call, NULL);

  return g_task_propagate_pointer (G_TASK (res), error);
}

/**
 * vdsm_client_call_sync:
 * @client: a #VdsmClient
 * @method: the method, e.g. `Host.getVMList`
 * @params: (nullable): the params, a JSON object or array; %NULL sends `{}`
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * The synchronous form of vdsm_client_call(). Safe from any thread,
 * including one whose main loop is not running.
 *
 * Returns: (transfer full): the `result` of the reply, or %NULL on error
 */
JsonNode *
vdsm_client_call_sync (VdsmClient *client, const char *method, JsonNode *params,
                       GCancellable *cancellable, GError **error)
{
  g_autofree char *text = NULL;

  g_return_val_if_fail (VDSM_IS_CLIENT (client), NULL);
  g_return_val_if_fail (method != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!write_params (params, method, &text, error))
    return NULL;
  return vdsm_client_call_json_sync (client, method, text, cancellable, error);
}

JsonNode *
vdsm_client_call_json_sync (VdsmClient *client, const char *method, const char *params_json,
                            GCancellable *cancellable, GError **error)
{
  SyncWait wait;
  JsonNode *result;

  g_return_val_if_fail (VDSM_IS_CLIENT (client), NULL);
  g_return_val_if_fail (method != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  sync_wait_begin (&wait);
  vdsm_client_call_json (client, method, params_json, cancellable, sync_wait_done, &wait);
  result = vdsm_client_call_finish (client, sync_wait_result (&wait), error);
  sync_wait_end (&wait);
  return result;
}

/**
 * vdsm_client_close:
 * @client: a #VdsmClient
 *
 * Closes the connection and stops the I/O thread. Pending calls fail with
 * %G_IO_ERROR_CLOSED, as do later ones. Idempotent; also done when the
 * last reference goes.
 */
void
vdsm_client_close (VdsmClient *client)
{
  GThread *thread;

  g_return_if_fail (VDSM_IS_CLIENT (client));

  g_mutex_lock (&client->lock);
  client->closing = TRUE;
  thread = g_steal_pointer (&client->thread);
  if (thread != NULL)
    attach_idle (client->worker_context, worker_shutdown, client, NULL);
  g_mutex_unlock (&client->lock);

  if (thread != NULL)
    g_thread_join (thread);
}

/**
 * vdsm_client_is_closed:
 * @client: a #VdsmClient
 *
 * Returns: %TRUE once the client was closed or its connection ended
 */
gboolean
vdsm_client_is_closed (VdsmClient *client)
{
  gboolean closed;

  g_return_val_if_fail (VDSM_IS_CLIENT (client), TRUE);

  g_mutex_lock (&client->lock);
  closed = client->closing || client->disconnected;
  g_mutex_unlock (&client->lock);
  return closed;
}

/**
 * vdsm_client_get_uri:
 * @client: a #VdsmClient
 *
 * Returns: (transfer none): the server address given at construction
 */
const char *
vdsm_client_get_uri (VdsmClient *client)
{
  g_return_val_if_fail (VDSM_IS_CLIENT (client), NULL);

  return client->uri;
}

/**
 * vdsm_client_get_timeout:
 * @client: a #VdsmClient
 *
 * Returns: the #VdsmClient:timeout, in seconds
 */
guint
vdsm_client_get_timeout (VdsmClient *client)
{
  guint timeout;

  g_return_val_if_fail (VDSM_IS_CLIENT (client), 0);

  g_mutex_lock (&client->lock);
  timeout = client->timeout;
  g_mutex_unlock (&client->lock);
  return timeout;
}

/**
 * vdsm_client_set_timeout:
 * @client: a #VdsmClient
 * @timeout: seconds to wait for each reply; 0 for no limit
 *
 * Sets #VdsmClient:timeout, used by calls started afterwards.
 */
void
vdsm_client_set_timeout (VdsmClient *client, guint timeout)
{
  gboolean changed;

  g_return_if_fail (VDSM_IS_CLIENT (client));
  g_return_if_fail (timeout <= G_MAXUINT / 1000);

  g_mutex_lock (&client->lock);
  changed = client->timeout != timeout;
  client->timeout = timeout;
  g_mutex_unlock (&client->lock);
  if (changed)
    g_object_notify_by_pspec (G_OBJECT (client), properties[PROP_TIMEOUT]);
}

/**
 * vdsm_client_dup_flow_id:
 * @client: a #VdsmClient
 *
 * Returns: (transfer full) (nullable): a copy of #VdsmClient:flow-id
 */
char *
vdsm_client_dup_flow_id (VdsmClient *client)
{
  char *flow_id;

  g_return_val_if_fail (VDSM_IS_CLIENT (client), NULL);

  g_mutex_lock (&client->lock);
  flow_id = g_strdup (client->flow_id);
  g_mutex_unlock (&client->lock);
  return flow_id;
}

/**
 * vdsm_client_set_flow_id:
 * @client: a #VdsmClient
 * @flow_id: (nullable): the flow id for calls started afterwards, or %NULL
 *
 * Sets #VdsmClient:flow-id.
 */
void
vdsm_client_set_flow_id (VdsmClient *client, const char *flow_id)
{
  gboolean changed;

  g_return_if_fail (VDSM_IS_CLIENT (client));

  g_mutex_lock (&client->lock);
  changed = g_strcmp0 (client->flow_id, flow_id) != 0;
  if (changed)
    {
      g_free (client->flow_id);
      client->flow_id = g_strdup (flow_id);
    }
  g_mutex_unlock (&client->lock);
  if (changed)
    g_object_notify_by_pspec (G_OBJECT (client), properties[PROP_FLOW_ID]);
}
