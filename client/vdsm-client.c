/* vdsm-client.c: VdsmClient, a JSON-RPC 2.0 client over STOMP 1.2.
 *
 * Threading. All socket I/O, the table of pending calls, call timeouts,
 * cancellation and reconnection live in a private worker thread that runs
 * its own GMainContext, as GDBus does: a _sync call made from any thread,
 * even one whose main loop is not running, cannot deadlock. Async results
 * are delivered in the main context that was thread-default when the call
 * was started (the GIO convention); signals and notify::state in the one
 * that was thread-default when the client was constructed.
 *
 * The worker never holds a strong reference to the client. It reaches the
 * client through a raw pointer (safe: dispose joins the worker before
 * anything is freed), hands every GTask back to its own main context to be
 * completed and released there, and emits signals through a weak reference.
 * So the last unref, which joins the worker, never runs in the worker.
 *
 * Connections. The worker owns at most one live VdsmClientLink (one socket,
 * vdsm-client-link.c). When it is lost, pending calls fail (they may have
 * run on the server: resending is the caller's choice), and with
 * #VdsmClient:reconnect the worker tries again after a back-off, with the
 * same reply destination and event subscription.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vdsm-client.h"
#include "vdsm-client-private.h"

#include "vdsm-client-link.h"
#include "vdsm-client-tls.h"
#include "vdsm-client-uri.h"
#include "vdsm-error.h"
#include "vdsm-event-filter.h"
#include "vdsm-json.h"
#include "vdsm-stomp.h"

#define REQUEST_QUEUE "jms.topic.vdsm_requests"
#define EVENT_QUEUE "jms.queue.events"

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
  char *tls_cert_file;
  char *tls_key_file;
  char *tls_ca_file;
  char *tls_server_name;
  gboolean reconnect;
  guint heartbeat_ms;
  GMainContext *signal_context;
  SignalTarget *target;
  char *reply_to;
  char *reply_subscription;
  GMainContext *worker_context;
  GMainLoop *worker_loop;

  /* Protected by lock. */
  GMutex lock;
  char *flow_id;
  guint timeout;
  char **event_patterns;     /* NULL: every event; empty: none */
  VdsmClientState state;     /* the worker's, for other threads */
  gboolean init_started;
  gboolean closing;          /* vdsm_client_close() was called */
  GThread *thread;

  /* Set by init before the worker starts, then owned by the worker. */
  VdsmClientAddress *address;
  VdsmClientTls *tls;
  GTask *init_task;

  /* Worker thread only. */
  VdsmClientState worker_state;
  gboolean shutting_down;
  VdsmClientLink *link;      /* the live one, if any */
  guint n_links;             /* not yet released, closed or not */
  gulong init_cancel_handler;
  GSource *reconnect_source;
  guint backoff_ms;
  GHashTable *pending;       /* request id -> PendingCall (not owned) */
  GError *last_error;        /* why the last link ended; final when CLOSED */
  char *events_subscription; /* on the live link; NULL: none */
  VdsmEventFilter *event_filter;  /* NULL: every event */
  gboolean events_wanted;
};

/**
 * VdsmClient:
 *
 * A connection to a VDSM-compatible server speaking JSON-RPC 2.0 over
 * STOMP 1.2: vdsmd, or VDSM itself (over `tls://` with its client
 * certificate). Create it with vdsm_client_new() or vdsm_client_new_sync()
 * (or g_initable_new() / g_async_initable_new_async() to set TLS and
 * other construct properties), call methods with vdsm_client_call() or
 * the typed wrappers of vdsm-client-methods.h, and receive server events
 * through #VdsmClient::event.
 *
 * All methods are thread-safe: several threads may make calls on one
 * client at once. The socket is served by a private thread, so the _sync
 * variants work from any thread, including one whose main loop is not
 * running.
 */

enum {
  PROP_0,
  PROP_URI,
  PROP_TIMEOUT,
  PROP_FLOW_ID,
  PROP_HEARTBEAT,
  PROP_TLS_CERT_FILE,
  PROP_TLS_KEY_FILE,
  PROP_TLS_CA_FILE,
  PROP_TLS_SERVER_NAME,
  PROP_RECONNECT,
  PROP_STATE,
  PROP_EVENT_PATTERNS,
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

G_DEFINE_ENUM_TYPE (VdsmClientState, vdsm_client_state,
  G_DEFINE_ENUM_VALUE (VDSM_CLIENT_STATE_CONNECTING, "connecting"),
  G_DEFINE_ENUM_VALUE (VDSM_CLIENT_STATE_CONNECTED, "connected"),
  G_DEFINE_ENUM_VALUE (VDSM_CLIENT_STATE_DISCONNECTED, "disconnected"),
  G_DEFINE_ENUM_VALUE (VDSM_CLIENT_STATE_CLOSED, "closed"))

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

static gboolean
deliver_state_notify (gpointer data)
{
  SignalDelivery *delivery = data;
  g_autoptr(VdsmClient) self = g_weak_ref_get (&delivery->target->client);

  if (self != NULL)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  return G_SOURCE_REMOVE;
}

static void
signal_deliver (VdsmClient *self, GSourceFunc func, SignalDelivery *delivery)
{
  attach_idle (self->signal_context, func, delivery, signal_delivery_free);
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
  guint timeout_ms;        /* 0 for none */
  GSource *timeout_source;
  gulong cancel_handler;
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

/* ---- Cancellation ---- */

/* Cancellation reaches the worker through a handler, not a
 * GCancellableSource: in GLib 2.74 such a source disposed while another
 * thread cancels it can lose its last reference (ASan found the leak
 * under the client tests' cross-thread cancellations). */
typedef struct {
  VdsmClient *client;      /* borrowed: handlers are gone before the worker */
  char *call_id;           /* NULL: the first connection */
} CancelHook;

static void
cancel_hook_free (gpointer data)
{
  CancelHook *hook = data;

  g_free (hook->call_id);
  g_free (hook);
}

static CancelHook *
cancel_hook_new (VdsmClient *client, const char *call_id)
{
  CancelHook *hook = g_new0 (CancelHook, 1);

  hook->client = client;
  hook->call_id = g_strdup (call_id);
  return hook;
}

static gboolean worker_on_cancelled (gpointer data);

/* Any thread, the one that cancels: on to the worker. */
static void
on_cancelled (GCancellable *cancellable, gpointer data)
{
  CancelHook *hook = data;

  attach_idle (hook->client->worker_context, worker_on_cancelled,
               cancel_hook_new (hook->client, hook->call_id), cancel_hook_free);
}

/* Worker thread: what cancelling @cancellable ends (a call by id, or the
 * first connection), until worker_unwatch_cancellable(). */
static gulong
worker_watch_cancellable (VdsmClient *self, GCancellable *cancellable, const char *call_id)
{
  if (cancellable == NULL)
    return 0;
  return g_cancellable_connect (cancellable, G_CALLBACK (on_cancelled),
                                cancel_hook_new (self, call_id), cancel_hook_free);
}

static void
worker_unwatch_cancellable (GTask *task, gulong *handler)
{
  if (*handler != 0)
    g_cancellable_disconnect (g_task_get_cancellable (task), *handler);
  *handler = 0;
}

/* Worker thread: ends @call with @result or @error (transfer full). */
static void
pending_call_complete (PendingCall *call, JsonNode *result, GError *error)
{
  g_hash_table_remove (call->client->pending, call->id);
  destroy_source (&call->timeout_source);
  worker_unwatch_cancellable (call->task, &call->cancel_handler);
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

/* ---- Worker: state ---- */

static void
worker_set_state (VdsmClient *self, VdsmClientState state)
{
  if (self->worker_state == state)
    return;
  self->worker_state = state;
  g_mutex_lock (&self->lock);
  self->state = state;
  g_mutex_unlock (&self->lock);
  signal_deliver (self, deliver_state_notify, signal_delivery_new (self));
}

static void
worker_fail_pending (VdsmClient *self, const GError *error)
{
  GList *calls = g_hash_table_get_values (self->pending);

  for (GList *l = calls; l != NULL; l = l->next)
    pending_call_complete (l->data, NULL, g_error_copy (error));
  g_list_free (calls);
}

/* The loop stops once closed and every link is released. */
static void
worker_quit_if_done (VdsmClient *self)
{
  if (self->shutting_down && self->n_links == 0)
    g_main_loop_quit (self->worker_loop);
}

/* The client ends for good: @error (transfer full) is what later calls
 * fail with, and pending ones too; the closed signal gets it, or NULL
 * when the owner closed. */
static void
worker_enter_closed (VdsmClient *self, GError *error)
{
  SignalDelivery *delivery;

  g_clear_error (&self->last_error);
  self->last_error = error;
  destroy_source (&self->reconnect_source);
  worker_set_state (self, VDSM_CLIENT_STATE_CLOSED);
  worker_fail_pending (self, error);
  delivery = signal_delivery_new (self);
  if (!self->shutting_down)
    delivery->error = g_error_copy (error);
  signal_deliver (self, deliver_closed, delivery);
}

/* ---- Worker: events ---- */

static void
append_subscribe (GString *out, const char *destination, const char *id,
                  const VdsmEventFilter *filter)
{
  vdsm_stomp_write_command (out, "SUBSCRIBE");
  vdsm_stomp_write_header (out, "destination", destination);
  vdsm_stomp_write_header (out, "ack", "auto");
  vdsm_stomp_write_header (out, "id", id);
  if (filter != NULL)
    vdsm_stomp_write_header (out, VDSM_EVENT_FILTER_HEADER, vdsm_event_filter_to_header (filter));
  vdsm_stomp_write_body (out, NULL, 0);
}

/* Takes the patterns the owner set: whether events are wanted, and which. */
static void
worker_load_event_patterns (VdsmClient *self)
{
  g_auto(GStrv) patterns = NULL;

  g_mutex_lock (&self->lock);
  patterns = g_strdupv (self->event_patterns);
  g_mutex_unlock (&self->lock);

  g_clear_pointer (&self->event_filter, vdsm_event_filter_free);
  self->events_wanted = patterns == NULL || patterns[0] != NULL;
  /* Checked when set: they parse. */
  if (patterns != NULL && patterns[0] != NULL)
    self->event_filter = vdsm_event_filter_new ((const char *const *) patterns, NULL);
}

/* A SUBSCRIBE to the events with the current patterns, under a new id
 * (the previous one's late messages are then told apart); nothing when
 * no event is wanted. */
static void
worker_append_events_subscribe (VdsmClient *self, GString *out)
{
  g_clear_pointer (&self->events_subscription, g_free);
  if (!self->events_wanted)
    return;
  self->events_subscription = g_uuid_string_random ();
  append_subscribe (out, EVENT_QUEUE, self->events_subscription, self->event_filter);
}

/* Owner changed the patterns: subscribe anew, then drop the old
 * subscription, so that no event falls in between. vdsmd sends only the
 * matching events (docs/protocol.md §9.1); VDSM ignores the filter and the
 * client drops what does not match. */
static gboolean
worker_update_events (gpointer data)
{
  VdsmClient *self = data;
  g_autofree char *old = NULL;
  GString *out;

  worker_load_event_patterns (self);
  /* A link not yet connected has its handshake queued first: these
   * frames follow it. */
  if (self->link == NULL)
    return G_SOURCE_REMOVE;
  old = g_steal_pointer (&self->events_subscription);
  out = g_string_new (NULL);
  worker_append_events_subscribe (self, out);
  if (old != NULL)
    {
      vdsm_stomp_write_command (out, "UNSUBSCRIBE");
      vdsm_stomp_write_header (out, "id", old);
      vdsm_stomp_write_body (out, NULL, 0);
    }
  vdsm_client_link_send (self->link, g_string_free_to_bytes (out));
  return G_SOURCE_REMOVE;
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

/* ---- Worker: incoming messages ---- */

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

static void
worker_handle_event (VdsmClient *self, JsonObject *object)
{
  JsonNode *method = json_object_get_member (object, "method");
  JsonNode *params = json_object_get_member (object, "params");
  SignalDelivery *delivery;
  const char *event_id;

  if (method == NULL || json_node_get_value_type (method) != G_TYPE_STRING)
    return;
  event_id = json_node_get_string (method);
  if (!self->events_wanted ||
      (self->event_filter != NULL && !vdsm_event_filter_matches (self->event_filter, event_id)))
    return;
  delivery = signal_delivery_new (self);
  delivery->event_id = g_strdup (event_id);
  delivery->detail = event_detail (delivery->event_id);
  delivery->params = params != NULL ? detach_node (params) : NULL;
  signal_deliver (self, deliver_event, delivery);
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

/* Whether a MESSAGE came through one of our current subscriptions; one of
 * an events subscription replaced by new patterns is stale. */
static gboolean
worker_subscription_is_current (VdsmClient *self, VdsmStompFrame *frame)
{
  const char *id = vdsm_stomp_frame_get_header (frame, "subscription");

  return id == NULL || g_strcmp0 (id, self->reply_subscription) == 0 ||
         g_strcmp0 (id, self->events_subscription) == 0;
}

static void
worker_handle_message (VdsmClient *self, VdsmStompFrame *frame)
{
  g_autoptr(GError) error = NULL;
  gsize length;
  const char *body;
  g_autoptr(JsonNode) root = NULL;

  if (!worker_subscription_is_current (self, frame))
    return;
  body = vdsm_stomp_frame_get_body (frame, &length);
  root = vdsm_json_parse_data (body, length, &error);
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

/* ---- Worker: the link's callbacks ---- */

static void
on_link_frame (VdsmClientLink *link, VdsmStompFrame *frame, gpointer data)
{
  VdsmClient *self = data;

  switch (vdsm_stomp_frame_get_command (frame))
    {
    case VDSM_STOMP_COMMAND_MESSAGE:
      worker_handle_message (self, frame);
      break;
    case VDSM_STOMP_COMMAND_ERROR:
      /* It cannot be matched to a request; vdsm keeps the connection. */
      g_debug ("STOMP error from %s", self->uri);
      break;
    default:
      /* RECEIPT and anything else carry nothing for a client. */
      break;
    }
}

static void
on_link_connected (VdsmClientLink *link, gpointer data)
{
  VdsmClient *self = data;

  self->backoff_ms = 0;
  worker_unwatch_cancellable (self->init_task, &self->init_cancel_handler);
  worker_set_state (self, VDSM_CLIENT_STATE_CONNECTED);
  if (self->init_task != NULL)
    complete_task (g_steal_pointer (&self->init_task), NULL, NULL);
}

static void
on_link_released (gpointer data)
{
  VdsmClient *self = data;

  self->n_links--;
  worker_quit_if_done (self);
}

static void worker_connect (VdsmClient *self);

static gboolean
on_reconnect_due (gpointer data)
{
  VdsmClient *self = data;

  g_clear_pointer (&self->reconnect_source, g_source_unref);
  worker_connect (self);
  return G_SOURCE_REMOVE;
}

/* Doubles the delay after each failed attempt; a quarter of it is random,
 * so that the clients of a restarted server do not all come back at once. */
static void
worker_schedule_reconnect (VdsmClient *self)
{
  guint delay;

  self->backoff_ms = self->backoff_ms == 0
    ? VDSM_CLIENT_RECONNECT_FIRST_DELAY
    : MIN (self->backoff_ms * 2, VDSM_CLIENT_RECONNECT_MAX_DELAY);
  delay = self->backoff_ms - (guint) g_random_int_range (0, (gint32) self->backoff_ms / 4 + 1);
  worker_set_state (self, VDSM_CLIENT_STATE_DISCONNECTED);
  self->reconnect_source = g_timeout_source_new (delay);
  g_source_set_callback (self->reconnect_source, on_reconnect_due, self, NULL);
  g_source_attach (self->reconnect_source, self->worker_context);
}

/* The live link ended with @error (borrowed): the first connection's
 * task fails, or the client waits to reconnect, or it is closed for good.
 * The state changes before pending calls fail with @error, so that their
 * owners see it changed. */
static void
worker_link_ended (VdsmClient *self, const GError *error)
{
  if (self->link != NULL)
    vdsm_client_link_close (g_steal_pointer (&self->link));
  g_clear_pointer (&self->events_subscription, g_free);

  if (self->init_task != NULL)
    {
      worker_unwatch_cancellable (self->init_task, &self->init_cancel_handler);
      g_clear_error (&self->last_error);
      self->last_error = g_error_copy (error);
      worker_set_state (self, VDSM_CLIENT_STATE_CLOSED);
      complete_task (g_steal_pointer (&self->init_task), NULL, g_error_copy (error));
      return;
    }
  if (self->reconnect && !self->shutting_down)
    {
      g_clear_error (&self->last_error);
      self->last_error = g_error_copy (error);
      worker_schedule_reconnect (self);
      worker_fail_pending (self, error);
      return;
    }
  worker_enter_closed (self, g_error_copy (error));
}

static void
on_link_lost (VdsmClientLink *link, const GError *error, gpointer data)
{
  worker_link_ended (data, error);
}

/* ---- Worker: connecting ---- */

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
  append_subscribe (out, self->reply_to, self->reply_subscription, NULL);
  worker_append_events_subscribe (self, out);
  return g_string_free_to_bytes (out);
}

static void
worker_connect (VdsmClient *self)
{
  static const VdsmClientLinkCallbacks callbacks = {
    on_link_connected, on_link_frame, on_link_lost, on_link_released,
  };
  VdsmClientLinkConfig config = {
    .uri = self->uri,
    .address = self->address,
    .tls = self->tls,
    .heartbeat_ms = self->heartbeat_ms,
  };

  g_mutex_lock (&self->lock);
  config.timeout_ms = self->timeout * 1000;
  g_mutex_unlock (&self->lock);
  worker_load_event_patterns (self);

  worker_set_state (self, VDSM_CLIENT_STATE_CONNECTING);
  self->n_links++;
  self->link = vdsm_client_link_new (&config, build_handshake (self), &callbacks, self);
}

static gboolean
worker_start (gpointer data)
{
  VdsmClient *self = data;

  /* Closed before the worker got here: the init task has already failed. */
  if (self->shutting_down)
    return G_SOURCE_REMOVE;

  worker_connect (self);
  /* After: an init already cancelled is ended at once, from the idle its
   * handler queues. */
  self->init_cancel_handler = worker_watch_cancellable (self, g_task_get_cancellable (self->init_task),
                                                        NULL);
  return G_SOURCE_REMOVE;
}

static gboolean
worker_shutdown (gpointer data)
{
  VdsmClient *self = data;
  g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CLOSED,
                                                 "The client was closed");

  self->shutting_down = TRUE;
  if (self->link != NULL)
    worker_link_ended (self, error);
  else if (self->init_task != NULL)
    {
      /* The worker had not started connecting. */
      complete_task (g_steal_pointer (&self->init_task), NULL, g_error_copy (error));
      worker_set_state (self, VDSM_CLIENT_STATE_CLOSED);
    }
  else if (self->worker_state != VDSM_CLIENT_STATE_CLOSED)
    worker_enter_closed (self, g_steal_pointer (&error));
  worker_quit_if_done (self);
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
                                                  "No reply to %s within %u ms",
                                                  call->method, call->timeout_ms));
  return G_SOURCE_REMOVE;
}

static gboolean
worker_on_cancelled (gpointer data)
{
  CancelHook *hook = data;
  VdsmClient *self = hook->client;
  PendingCall *call;
  g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                 "Operation was cancelled");

  if (hook->call_id == NULL)
    {
      if (self->init_task != NULL)
        worker_link_ended (self, error);
      return G_SOURCE_REMOVE;
    }
  /* Not found: the reply won the race. */
  call = g_hash_table_lookup (self->pending, hook->call_id);
  if (call != NULL)
    pending_call_complete (call, NULL, g_steal_pointer (&error));
  return G_SOURCE_REMOVE;
}

/* Why a call cannot be sent now. */
static GError *
worker_refusal (VdsmClient *self)
{
  if (self->worker_state == VDSM_CLIENT_STATE_CLOSED)
    return g_error_copy (self->last_error);
  if (self->last_error != NULL)
    return g_error_new (G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                        "Not connected to %s, reconnecting: %s", self->uri,
                        self->last_error->message);
  return g_error_new (G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED, "Not connected to %s", self->uri);
}

static gboolean
worker_submit (gpointer data)
{
  PendingCall *call = data;
  VdsmClient *self = call->client;

  if (self->worker_state != VDSM_CLIENT_STATE_CONNECTED)
    {
      pending_call_complete (call, NULL, worker_refusal (self));
      return G_SOURCE_REMOVE;
    }

  g_hash_table_insert (self->pending, call->id, call);
  if (call->timeout_ms > 0)
    {
      call->timeout_source = g_timeout_source_new (call->timeout_ms);
      g_source_set_callback (call->timeout_source, on_call_timeout, call, NULL);
      g_source_attach (call->timeout_source, self->worker_context);
    }
  call->cancel_handler = worker_watch_cancellable (self, g_task_get_cancellable (call->task),
                                                  call->id);
  vdsm_client_link_send (self->link, g_steal_pointer (&call->frame));
  return G_SOURCE_REMOVE;
}

/* ---- GObject ---- */

static void
vdsm_client_init (VdsmClient *self)
{
  g_mutex_init (&self->lock);
  self->timeout = VDSM_CLIENT_DEFAULT_TIMEOUT;
  self->reconnect = TRUE;
  self->target = g_atomic_rc_box_new0 (SignalTarget);
  g_weak_ref_init (&self->target->client, self);
  self->reply_to = g_uuid_string_random ();
  self->reply_subscription = g_uuid_string_random ();
  self->worker_context = g_main_context_new ();
  self->worker_loop = g_main_loop_new (self->worker_context, FALSE);
  self->pending = g_hash_table_new (g_str_hash, g_str_equal);
  self->state = self->worker_state = VDSM_CLIENT_STATE_CONNECTING;
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
  g_free (self->tls_cert_file);
  g_free (self->tls_key_file);
  g_free (self->tls_ca_file);
  g_free (self->tls_server_name);
  g_clear_pointer (&self->signal_context, g_main_context_unref);
  g_atomic_rc_box_release_full (self->target, signal_target_clear);
  g_free (self->reply_to);
  g_free (self->reply_subscription);
  g_free (self->flow_id);
  g_strfreev (self->event_patterns);
  g_clear_pointer (&self->address, vdsm_client_address_free);
  g_clear_pointer (&self->tls, vdsm_client_tls_free);
  g_hash_table_unref (self->pending);
  g_clear_error (&self->last_error);
  g_free (self->events_subscription);
  g_clear_pointer (&self->event_filter, vdsm_event_filter_free);
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
    case PROP_TLS_CERT_FILE:
      g_value_set_string (value, self->tls_cert_file);
      break;
    case PROP_TLS_KEY_FILE:
      g_value_set_string (value, self->tls_key_file);
      break;
    case PROP_TLS_CA_FILE:
      g_value_set_string (value, self->tls_ca_file);
      break;
    case PROP_TLS_SERVER_NAME:
      g_value_set_string (value, self->tls_server_name);
      break;
    case PROP_RECONNECT:
      g_value_set_boolean (value, self->reconnect);
      break;
    case PROP_STATE:
      g_value_set_enum (value, vdsm_client_get_state (self));
      break;
    case PROP_EVENT_PATTERNS:
      g_value_take_boxed (value, vdsm_client_dup_event_patterns (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vdsm_client_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  VdsmClient *self = VDSM_CLIENT (object);
  g_autoptr(GError) error = NULL;

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
    case PROP_TLS_CERT_FILE:
      self->tls_cert_file = g_value_dup_string (value);
      break;
    case PROP_TLS_KEY_FILE:
      self->tls_key_file = g_value_dup_string (value);
      break;
    case PROP_TLS_CA_FILE:
      self->tls_ca_file = g_value_dup_string (value);
      break;
    case PROP_TLS_SERVER_NAME:
      self->tls_server_name = g_value_dup_string (value);
      break;
    case PROP_RECONNECT:
      self->reconnect = g_value_get_boolean (value);
      break;
    case PROP_EVENT_PATTERNS:
      if (!vdsm_client_set_event_patterns (self, g_value_get_boxed (value), &error))
        g_warning ("VdsmClient:event-patterns: %s", error->message);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static GParamSpec *
construct_string (const char *name)
{
  return g_param_spec_string (name, NULL, NULL, NULL,
                              G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
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
   * The server address: `tcp://HOST[:PORT]`, `tls://HOST[:PORT]` (HOST may
   * be a bracketed IPv6 literal; the port defaults to 54321, VDSM's) or
   * `unix:///PATH`.
   */
  properties[PROP_URI] = construct_string ("uri");

  /**
   * VdsmClient:timeout:
   *
   * Seconds to wait for each connection (socket, TLS, STOMP handshake) and
   * for each reply; 0 waits forever. A call that runs out fails with
   * %G_IO_ERROR_TIMED_OUT (the request is not cancelled on the server).
   * Read when a call starts; vdsm_client_call_full() overrides it per call.
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
    g_param_spec_uint ("heartbeat", NULL, NULL, 0, VDSM_CLIENT_HEARTBEAT_MAX_MS,
                       VDSM_CLIENT_DEFAULT_HEARTBEAT,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * VdsmClient:tls-cert-file:
   *
   * For `tls://`: the client certificate presented to the server, a PEM
   * file (it may hold the key too). VDSM hosts require one signed by their
   * CA. %NULL: none.
   */
  properties[PROP_TLS_CERT_FILE] = construct_string ("tls-cert-file");

  /**
   * VdsmClient:tls-key-file:
   *
   * For `tls://`: the private key of #VdsmClient:tls-cert-file, a PEM file;
   * %NULL when the certificate file holds it.
   */
  properties[PROP_TLS_KEY_FILE] = construct_string ("tls-key-file");

  /**
   * VdsmClient:tls-ca-file:
   *
   * For `tls://`: the CA certificates (PEM) the server's certificate must
   * chain to; %NULL trusts the system's store.
   */
  properties[PROP_TLS_CA_FILE] = construct_string ("tls-ca-file");

  /**
   * VdsmClient:tls-server-name:
   *
   * For `tls://`: the name the server's certificate must carry; %NULL: the
   * host of #VdsmClient:uri. An IP address is checked against the
   * certificate's IP addresses.
   */
  properties[PROP_TLS_SERVER_NAME] = construct_string ("tls-server-name");

  /**
   * VdsmClient:reconnect:
   *
   * Whether a lost connection is made again: the client waits
   * %VDSM_CLIENT_RECONNECT_FIRST_DELAY ms, then twice as long after each
   * failed attempt (at most %VDSM_CLIENT_RECONNECT_MAX_DELAY, a quarter
   * of it random), and subscribes to events again. Calls pending when the
   * connection is lost fail with %G_IO_ERROR_CONNECTION_CLOSED; calls made
   * before it is back fail at once with %G_IO_ERROR_NOT_CONNECTED. Without
   * it, a lost connection closes the client. The first connection is not
   * retried: vdsm_client_new() fails.
   */
  properties[PROP_RECONNECT] =
    g_param_spec_boolean ("reconnect", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * VdsmClient:state:
   *
   * Where the connection is; notify::state is emitted, in the main context
   * that was thread-default when the client was created, after each
   * change (by then the state may have changed again).
   */
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, VDSM_TYPE_CLIENT_STATE,
                       VDSM_CLIENT_STATE_CONNECTING,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * VdsmClient:event-patterns:
   *
   * Which events to receive: %NULL for all of them, an empty list for
   * none, else patterns such as `*|virt|VM_status|*` (receiver, namespace,
   * name and unique part of the event id; `*` stands for any one field).
   * vdsmd then sends only the matching events; from a VDSM server, which
   * sends them all, the others are dropped here. See
   * vdsm_client_set_event_patterns().
   */
  properties[PROP_EVENT_PATTERNS] =
    g_param_spec_boxed ("event-patterns", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * VdsmClient::event:
   * @client: the client
   * @event_id: the event id as sent, e.g. `|virt|VM_status|<vm uuid>`
   * @params: (nullable): the event's params (with `notify_time`); the
   *   generated `vdsm_<namespace>_<name>_event_from_json()` reads them
   *   into the event's type
   *
   * Emitted for every event the server publishes on `jms.queue.events`
   * that #VdsmClient:event-patterns selects. The detail is the event's
   * schema name `namespace.name`, so `event::virt.VM_status` receives VM
   * status changes only. Emitted in the main context that was
   * thread-default when the client was created.
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
   * Emitted once when the client reaches %VDSM_CLIENT_STATE_CLOSED after
   * it was connected. Every pending call has failed by then; later calls
   * fail at once. Emitted in the main context that was thread-default
   * when the client was created.
   */
  signals[SIGNAL_CLOSED] =
    g_signal_new ("closed", G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1,
                  G_TYPE_ERROR);
}

/* ---- Initialization ---- */

/* What init needs before the worker starts: the address and, for tls://,
 * the credentials, loaded once for every connection to come. */
static gboolean
prepare_connection (VdsmClient *self, GError **error)
{
  if (self->uri == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "No server address given");
      return FALSE;
    }
  self->address = vdsm_client_uri_parse (self->uri, error);
  if (self->address == NULL)
    return FALSE;
  if (self->address->tls)
    {
      self->tls = vdsm_client_tls_new (self->address, self->tls_cert_file, self->tls_key_file,
                                       self->tls_ca_file, self->tls_server_name, error);
      return self->tls != NULL;
    }
  if (self->tls_cert_file != NULL || self->tls_key_file != NULL || self->tls_ca_file != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "TLS files were given, but “%s” is not a tls:// address", self->uri);
      return FALSE;
    }
  return TRUE;
}

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

  if (!prepare_connection (self, &error))
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
  attach_idle (self->worker_context, worker_start, self, NULL);
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
 * @uri: the server address: `tcp://HOST[:PORT]`, `tls://HOST[:PORT]` or
 *   `unix:///PATH`
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when connected or failed
 * @user_data: data for @callback
 *
 * Connects to a VDSM server: STOMP `CONNECT`, then subscriptions to a
 * private reply destination and to `jms.queue.events`. The client is ready
 * when the server answered `CONNECTED`. Any other address form fails with
 * %G_IO_ERROR_INVALID_ARGUMENT. A `tls://` server that requires a client
 * certificate (as VDSM does) needs the #VdsmClient:tls-cert-file and
 * related construct properties: use g_async_initable_new_async() then.
 * Finish with vdsm_client_new_finish().
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
 * @uri: the server address: `tcp://HOST[:PORT]`, `tls://HOST[:PORT]` or
 *   `unix:///PATH`
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

/* The one way every call goes: the typed calls, the generic ones, sync
 * or not. */
static void
call_json_full (VdsmClient *client, const char *method, const char *params_json,
                int timeout_ms, GCancellable *cancellable, GAsyncReadyCallback callback,
                gpointer user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *flow_id = NULL;
  PendingCall *call;
  GError *refusal = NULL;

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
  call->timeout_ms = timeout_ms >= 0 ? (guint) timeout_ms : client->timeout * 1000;
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

static void
call_node_full (VdsmClient *client, const char *method, JsonNode *params, int timeout_ms,
                GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  g_autofree char *text = NULL;
  GError *error = NULL;

  if (!write_params (params, method, &text, &error))
    {
      g_autoptr(GTask) task = g_task_new (client, cancellable, callback, user_data);

      g_task_set_source_tag (task, vdsm_client_call);
      g_task_return_error (task, error);
      return;
    }
  call_json_full (client, method, text, timeout_ms, cancellable, callback, user_data);
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
  g_return_if_fail (VDSM_IS_CLIENT (client));
  g_return_if_fail (method != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  call_node_full (client, method, params, VDSM_CLIENT_TIMEOUT_DEFAULT, cancellable, callback,
                  user_data);
}

/**
 * vdsm_client_call_full:
 * @client: a #VdsmClient
 * @method: the method, e.g. `Host.getVMList`
 * @params: (nullable): the params, a JSON object or array; %NULL sends `{}`
 * @timeout_ms: milliseconds to wait for the reply; 0 waits forever;
 *   %VDSM_CLIENT_TIMEOUT_DEFAULT (-1) uses #VdsmClient:timeout
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the outcome
 * @user_data: data for @callback
 *
 * vdsm_client_call() with a timeout of its own. Finish with
 * vdsm_client_call_finish().
 */
void
vdsm_client_call_full (VdsmClient *client, const char *method, JsonNode *params,
                       int timeout_ms, GCancellable *cancellable, GAsyncReadyCallback callback,
                       gpointer user_data)
{
  g_return_if_fail (VDSM_IS_CLIENT (client));
  g_return_if_fail (method != NULL);
  g_return_if_fail (timeout_ms >= VDSM_CLIENT_TIMEOUT_DEFAULT);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  call_node_full (client, method, params, timeout_ms, cancellable, callback, user_data);
}

void
vdsm_client_call_json (VdsmClient *client, const char *method, const char *params_json,
                       GCancellable *cancellable, GAsyncReadyCallback callback,
                       gpointer user_data)
{
  g_return_if_fail (VDSM_IS_CLIENT (client));
  g_return_if_fail (method != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  call_json_full (client, method, params_json, VDSM_CLIENT_TIMEOUT_DEFAULT, cancellable,
                  callback, user_data);
}

/**
 * vdsm_client_call_finish:
 * @client: a #VdsmClient
 * @res: the result given to the callback of vdsm_client_call() or
 *   vdsm_client_call_full()
 * @error: return location for an error
 *
 * An error reply from the server is a #VDSM_ERROR with the server's code
 * and message; a reply that breaks the protocol (neither result nor
 * error, a malformed error object) is %VDSM_ERROR_INVALID_REPLY, as is a
 * result that does not match the schema in the typed calls. A connection
 * lost while the call was pending gives %G_IO_ERROR_CONNECTION_CLOSED (the
 * server may have run it), a call made while the client reconnects
 * %G_IO_ERROR_NOT_CONNECTED, a closed client %G_IO_ERROR_CLOSED, no reply
 * in time %G_IO_ERROR_TIMED_OUT, a cancelled call %G_IO_ERROR_CANCELLED
 * (at once; a reply that comes later is dropped).
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

/* Runs one call to its end on a private main context. */
static JsonNode *
call_sync (VdsmClient *client, const char *method, JsonNode *params, const char *params_json,
           int timeout_ms, GCancellable *cancellable, GError **error)
{
  SyncWait wait;
  JsonNode *result;

  sync_wait_begin (&wait);
  if (params != NULL)
    call_node_full (client, method, params, timeout_ms, cancellable, sync_wait_done, &wait);
  else
    call_json_full (client, method, params_json, timeout_ms, cancellable, sync_wait_done, &wait);
  result = vdsm_client_call_finish (client, sync_wait_result (&wait), error);
  sync_wait_end (&wait);
  return result;
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
  g_return_val_if_fail (VDSM_IS_CLIENT (client), NULL);
  g_return_val_if_fail (method != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return call_sync (client, method, params, NULL, VDSM_CLIENT_TIMEOUT_DEFAULT, cancellable,
                    error);
}

/**
 * vdsm_client_call_full_sync:
 * @client: a #VdsmClient
 * @method: the method, e.g. `Host.getVMList`
 * @params: (nullable): the params, a JSON object or array; %NULL sends `{}`
 * @timeout_ms: as for vdsm_client_call_full()
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * The synchronous form of vdsm_client_call_full().
 *
 * Returns: (transfer full): the `result` of the reply, or %NULL on error
 */
JsonNode *
vdsm_client_call_full_sync (VdsmClient *client, const char *method, JsonNode *params,
                            int timeout_ms, GCancellable *cancellable, GError **error)
{
  g_return_val_if_fail (VDSM_IS_CLIENT (client), NULL);
  g_return_val_if_fail (method != NULL, NULL);
  g_return_val_if_fail (timeout_ms >= VDSM_CLIENT_TIMEOUT_DEFAULT, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return call_sync (client, method, params, NULL, timeout_ms, cancellable, error);
}

JsonNode *
vdsm_client_call_json_sync (VdsmClient *client, const char *method, const char *params_json,
                            GCancellable *cancellable, GError **error)
{
  g_return_val_if_fail (VDSM_IS_CLIENT (client), NULL);
  g_return_val_if_fail (method != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return call_sync (client, method, NULL, params_json, VDSM_CLIENT_TIMEOUT_DEFAULT, cancellable,
                    error);
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
 * Returns: %TRUE once the client was closed or reached
 *   %VDSM_CLIENT_STATE_CLOSED; %FALSE while it reconnects
 */
gboolean
vdsm_client_is_closed (VdsmClient *client)
{
  gboolean closed;

  g_return_val_if_fail (VDSM_IS_CLIENT (client), TRUE);

  g_mutex_lock (&client->lock);
  closed = client->closing || client->state == VDSM_CLIENT_STATE_CLOSED;
  g_mutex_unlock (&client->lock);
  return closed;
}

/**
 * vdsm_client_get_state:
 * @client: a #VdsmClient
 *
 * Returns: the #VdsmClient:state
 */
VdsmClientState
vdsm_client_get_state (VdsmClient *client)
{
  VdsmClientState state;

  g_return_val_if_fail (VDSM_IS_CLIENT (client), VDSM_CLIENT_STATE_CLOSED);

  g_mutex_lock (&client->lock);
  state = client->state;
  g_mutex_unlock (&client->lock);
  return state;
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

/**
 * vdsm_client_set_event_patterns:
 * @client: a #VdsmClient
 * @patterns: (nullable) (array zero-terminated=1): %NULL for every event,
 *   an empty list for none, or patterns such as `*|virt|VM_status|*`
 * @error: return location for an error
 *
 * Sets #VdsmClient:event-patterns. A pattern has four fields separated by
 * `|`: receiver (empty in the ids vdsmd sends: `*` or empty), namespace,
 * name and unique part of the event id; each is `*` (any) or must equal
 * the event's. A connected client subscribes anew at once (the server
 * sends no event twice nor misses one in between); a reconnected one
 * subscribes with the patterns of the moment. Patterns cannot hold `,`.
 *
 * Returns: %FALSE with %G_IO_ERROR_INVALID_ARGUMENT when a pattern is
 *   malformed (nothing is changed then)
 */
gboolean
vdsm_client_set_event_patterns (VdsmClient *client, const char *const *patterns,
                                GError **error)
{
  gboolean changed;

  g_return_val_if_fail (VDSM_IS_CLIENT (client), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  for (guint i = 0; patterns != NULL && patterns[i] != NULL; i++)
    if (!vdsm_event_pattern_check (patterns[i], error))
      return FALSE;

  g_mutex_lock (&client->lock);
  changed = !(client->event_patterns == NULL && patterns == NULL) &&
            (client->event_patterns == NULL || patterns == NULL ||
             !g_strv_equal ((const char *const *) client->event_patterns, patterns));
  if (changed)
    {
      g_strfreev (client->event_patterns);
      client->event_patterns = g_strdupv ((char **) patterns);
      if (client->thread != NULL)
        attach_idle (client->worker_context, worker_update_events, client, NULL);
    }
  g_mutex_unlock (&client->lock);
  if (changed)
    g_object_notify_by_pspec (G_OBJECT (client), properties[PROP_EVENT_PATTERNS]);
  return TRUE;
}

/**
 * vdsm_client_dup_event_patterns:
 * @client: a #VdsmClient
 *
 * Returns: (transfer full) (nullable): a copy of #VdsmClient:event-patterns
 */
char **
vdsm_client_dup_event_patterns (VdsmClient *client)
{
  char **patterns;

  g_return_val_if_fail (VDSM_IS_CLIENT (client), NULL);

  g_mutex_lock (&client->lock);
  patterns = g_strdupv (client->event_patterns);
  g_mutex_unlock (&client->lock);
  return patterns;
}
