/* vdsm-rpc-server.c: the server object: configuration, listeners, events,
 * shutdown.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vdsm-rpc-private.h"
#include "vdsm-json.h"

#include <string.h>

/* notify_time = 2^31 - 1 + monotonic ms (docs/protocol.md §9): old engines
 * could not parse values below INT_MAX. */
#define NOTIFY_TIME_OFFSET G_GINT64_CONSTANT (2147483647)

enum {
  PROP_0,
  PROP_SCHEMA,
  PROP_METHODS,
  PROP_N_METHODS,
  PROP_USER_DATA,
  PROP_WORKER_THREADS,
  PROP_MAX_QUEUED_TASKS,
  PROP_MAX_FRAME_SIZE,
  PROP_MAX_HEADER_SIZE,
  PROP_MAX_SEND_QUEUE,
  PROP_MAX_BUFFERED,
  PROP_MAX_BATCH_LENGTH,
  PROP_MAX_CONNECTIONS,
  PROP_MAX_CONNECTIONS_PER_PEER,
  PROP_MAX_SUBSCRIPTIONS,
  PROP_MAX_SUBSCRIPTIONS_PER_DESTINATION,
  PROP_MAX_EVENT_PATTERNS,
  PROP_HANDSHAKE_TIMEOUT,
  PROP_IDLE_TIMEOUT,
  PROP_FRAME_TIMEOUT,
  PROP_CALL_TIMEOUT,
  PROP_STRICT_REPLIES,
  PROP_INSECURE,
  PROP_MAX_TLS_HANDSHAKES,
  PROP_MAX_TLS_HANDSHAKES_PER_PEER,
  PROP_TLS_FIRST_BYTE_TIMEOUT,
  PROP_BROKER_FORWARDING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (VdsmRpcServer, vdsm_rpc_server, G_TYPE_OBJECT)

static void
vdsm_rpc_server_init (VdsmRpcServer *server)
{
  server->worker_threads = VDSM_RPC_SERVER_DEFAULT_WORKER_THREADS;
  server->max_queued_tasks = VDSM_RPC_SERVER_DEFAULT_MAX_QUEUED_TASKS;
  server->max_frame_size = VDSM_RPC_SERVER_DEFAULT_MAX_FRAME_SIZE;
  server->max_header_size = VDSM_RPC_SERVER_DEFAULT_MAX_HEADER_SIZE;
  server->max_send_queue = VDSM_RPC_SERVER_DEFAULT_MAX_SEND_QUEUE;
  server->max_buffered = vdsm_rpc_budget_default ();
  server->max_batch_length = VDSM_RPC_SERVER_DEFAULT_MAX_BATCH_LENGTH;
  server->max_connections = VDSM_RPC_SERVER_DEFAULT_MAX_CONNECTIONS;
  server->max_connections_per_peer = VDSM_RPC_SERVER_DEFAULT_MAX_CONNECTIONS_PER_PEER;
  server->max_subscriptions = VDSM_RPC_SERVER_DEFAULT_MAX_SUBSCRIPTIONS;
  server->max_subscriptions_per_destination =
    VDSM_RPC_SERVER_DEFAULT_MAX_SUBSCRIPTIONS_PER_DESTINATION;
  server->max_event_patterns = VDSM_RPC_SERVER_DEFAULT_MAX_EVENT_PATTERNS;
  server->handshake_timeout_ms = VDSM_RPC_SERVER_DEFAULT_HANDSHAKE_TIMEOUT_MS;
  server->idle_timeout_ms = VDSM_RPC_SERVER_DEFAULT_IDLE_TIMEOUT_MS;
  server->frame_timeout_ms = VDSM_RPC_SERVER_DEFAULT_FRAME_TIMEOUT_MS;
  server->call_timeout_ms = VDSM_RPC_SERVER_DEFAULT_CALL_TIMEOUT_MS;
  server->max_tls_handshakes = VDSM_RPC_SERVER_DEFAULT_MAX_TLS_HANDSHAKES;
  server->max_tls_handshakes_per_peer = VDSM_RPC_SERVER_DEFAULT_MAX_TLS_HANDSHAKES_PER_PEER;
  server->tls_first_byte_timeout_ms = VDSM_RPC_SERVER_DEFAULT_TLS_FIRST_BYTE_TIMEOUT_MS;
  server->tls_handshakes_by_peer = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  server->listeners = g_ptr_array_new_with_free_func ((GDestroyNotify) vdsm_rpc_listener_free);
  server->connections = g_hash_table_new_full (g_direct_hash, g_direct_equal,
                                               (GDestroyNotify) vdsm_rpc_connection_unref,
                                               NULL);
  server->peer_connections = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  server->broker = vdsm_rpc_broker_new ();
  server->read_buffer = g_malloc (VDSM_RPC_READ_BUFFER_SIZE);
  server->json_scratch = g_string_sized_new (256);
  g_mutex_init (&server->log_lock);
  server->log_limits = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
}

static void
vdsm_rpc_server_constructed (GObject *object)
{
  VdsmRpcServer *server = VDSM_RPC_SERVER (object);
  g_autoptr(GError) error = NULL;

  G_OBJECT_CLASS (vdsm_rpc_server_parent_class)->constructed (object);

  g_return_if_fail (server->schema != NULL);
  server->context = g_main_context_ref_thread_default ();
  server->methods = g_hash_table_new (g_str_hash, g_str_equal);
  for (gsize i = 0; i < server->n_methods; i++)
    g_hash_table_insert (server->methods, (gpointer) server->method_table[i].name,
                         (gpointer) &server->method_table[i]);
  server->pool = vdsm_rpc_worker_pool_new (server, &error);
  /* A non-exclusive pool starts no thread yet: it cannot fail. */
  g_assert_no_error (error);
}

static void
vdsm_rpc_server_dispose (GObject *object)
{
  vdsm_rpc_server_stop (VDSM_RPC_SERVER (object));
  G_OBJECT_CLASS (vdsm_rpc_server_parent_class)->dispose (object);
}

static void
vdsm_rpc_server_finalize (GObject *object)
{
  VdsmRpcServer *server = VDSM_RPC_SERVER (object);

  /* Jobs hold a server ref, so no job is queued or running any more. */
  if (server->pool)
    g_thread_pool_free (server->pool, FALSE, TRUE);
  g_ptr_array_unref (server->listeners);
  g_hash_table_unref (server->connections);
  g_hash_table_unref (server->peer_connections);
  vdsm_rpc_broker_free (server->broker);
  g_clear_pointer (&server->methods, g_hash_table_unref);
  g_clear_pointer (&server->context, g_main_context_unref);
  g_clear_pointer (&server->tls, vdsm_rpc_tls_config_unref);
  g_hash_table_unref (server->tls_handshakes_by_peer);
  g_free (server->read_buffer);
  g_string_free (server->json_scratch, TRUE);
  g_hash_table_unref (server->log_limits);
  g_mutex_clear (&server->log_lock);
  G_OBJECT_CLASS (vdsm_rpc_server_parent_class)->finalize (object);
}

static void
vdsm_rpc_server_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  VdsmRpcServer *server = VDSM_RPC_SERVER (object);

  switch (prop_id)
    {
    case PROP_SCHEMA: g_value_set_pointer (value, server->schema); break;
    case PROP_METHODS: g_value_set_pointer (value, (gpointer) server->method_table); break;
    case PROP_N_METHODS: g_value_set_uint64 (value, server->n_methods); break;
    case PROP_USER_DATA: g_value_set_pointer (value, server->user_data); break;
    case PROP_WORKER_THREADS: g_value_set_uint (value, server->worker_threads); break;
    case PROP_MAX_QUEUED_TASKS: g_value_set_uint (value, server->max_queued_tasks); break;
    case PROP_MAX_FRAME_SIZE: g_value_set_uint64 (value, server->max_frame_size); break;
    case PROP_MAX_HEADER_SIZE: g_value_set_uint64 (value, server->max_header_size); break;
    case PROP_MAX_SEND_QUEUE: g_value_set_uint64 (value, server->max_send_queue); break;
    case PROP_MAX_BUFFERED: g_value_set_uint64 (value, server->max_buffered); break;
    case PROP_MAX_BATCH_LENGTH: g_value_set_uint (value, server->max_batch_length); break;
    case PROP_MAX_CONNECTIONS: g_value_set_uint (value, server->max_connections); break;
    case PROP_MAX_CONNECTIONS_PER_PEER: g_value_set_uint (value, server->max_connections_per_peer); break;
    case PROP_MAX_SUBSCRIPTIONS: g_value_set_uint (value, server->max_subscriptions); break;
    case PROP_MAX_SUBSCRIPTIONS_PER_DESTINATION:
      g_value_set_uint (value, server->max_subscriptions_per_destination);
      break;
    case PROP_MAX_EVENT_PATTERNS:
      g_value_set_uint (value, server->max_event_patterns);
      break;
    case PROP_HANDSHAKE_TIMEOUT: g_value_set_uint (value, server->handshake_timeout_ms); break;
    case PROP_IDLE_TIMEOUT: g_value_set_uint (value, server->idle_timeout_ms); break;
    case PROP_FRAME_TIMEOUT: g_value_set_uint (value, server->frame_timeout_ms); break;
    case PROP_CALL_TIMEOUT: g_value_set_uint (value, server->call_timeout_ms); break;
    case PROP_STRICT_REPLIES: g_value_set_boolean (value, server->strict_replies); break;
    case PROP_INSECURE: g_value_set_boolean (value, server->insecure); break;
    case PROP_MAX_TLS_HANDSHAKES: g_value_set_uint (value, server->max_tls_handshakes); break;
    case PROP_MAX_TLS_HANDSHAKES_PER_PEER:
      g_value_set_uint (value, server->max_tls_handshakes_per_peer);
      break;
    case PROP_TLS_FIRST_BYTE_TIMEOUT:
      g_value_set_uint (value, server->tls_first_byte_timeout_ms);
      break;
    case PROP_BROKER_FORWARDING: g_value_set_boolean (value, server->broker_forwarding); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vdsm_rpc_server_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  VdsmRpcServer *server = VDSM_RPC_SERVER (object);

  switch (prop_id)
    {
    case PROP_SCHEMA: server->schema = g_value_get_pointer (value); break;
    case PROP_METHODS: server->method_table = g_value_get_pointer (value); break;
    case PROP_N_METHODS: server->n_methods = g_value_get_uint64 (value); break;
    case PROP_USER_DATA: server->user_data = g_value_get_pointer (value); break;
    case PROP_WORKER_THREADS: server->worker_threads = g_value_get_uint (value); break;
    case PROP_MAX_QUEUED_TASKS: server->max_queued_tasks = g_value_get_uint (value); break;
    case PROP_MAX_FRAME_SIZE: server->max_frame_size = g_value_get_uint64 (value); break;
    case PROP_MAX_HEADER_SIZE: server->max_header_size = g_value_get_uint64 (value); break;
    case PROP_MAX_SEND_QUEUE: server->max_send_queue = g_value_get_uint64 (value); break;
    case PROP_MAX_BUFFERED: server->max_buffered = g_value_get_uint64 (value); break;
    case PROP_MAX_BATCH_LENGTH: server->max_batch_length = g_value_get_uint (value); break;
    case PROP_MAX_CONNECTIONS: server->max_connections = g_value_get_uint (value); break;
    case PROP_MAX_CONNECTIONS_PER_PEER: server->max_connections_per_peer = g_value_get_uint (value); break;
    case PROP_MAX_SUBSCRIPTIONS: server->max_subscriptions = g_value_get_uint (value); break;
    case PROP_MAX_SUBSCRIPTIONS_PER_DESTINATION:
      server->max_subscriptions_per_destination = g_value_get_uint (value);
      break;
    case PROP_MAX_EVENT_PATTERNS:
      server->max_event_patterns = g_value_get_uint (value);
      break;
    case PROP_HANDSHAKE_TIMEOUT: server->handshake_timeout_ms = g_value_get_uint (value); break;
    case PROP_IDLE_TIMEOUT: server->idle_timeout_ms = g_value_get_uint (value); break;
    case PROP_FRAME_TIMEOUT: server->frame_timeout_ms = g_value_get_uint (value); break;
    case PROP_CALL_TIMEOUT: server->call_timeout_ms = g_value_get_uint (value); break;
    case PROP_STRICT_REPLIES: server->strict_replies = g_value_get_boolean (value); break;
    case PROP_INSECURE: server->insecure = g_value_get_boolean (value); break;
    case PROP_MAX_TLS_HANDSHAKES: server->max_tls_handshakes = g_value_get_uint (value); break;
    case PROP_MAX_TLS_HANDSHAKES_PER_PEER:
      server->max_tls_handshakes_per_peer = g_value_get_uint (value);
      break;
    case PROP_TLS_FIRST_BYTE_TIMEOUT:
      server->tls_first_byte_timeout_ms = g_value_get_uint (value);
      break;
    case PROP_BROKER_FORWARDING: server->broker_forwarding = g_value_get_boolean (value); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vdsm_rpc_server_class_init (VdsmRpcServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;
  /* Read where they are used, so they may change after construction. */
  const GParamFlags tunable = G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS;

  object_class->constructed = vdsm_rpc_server_constructed;
  object_class->dispose = vdsm_rpc_server_dispose;
  object_class->finalize = vdsm_rpc_server_finalize;
  object_class->get_property = vdsm_rpc_server_get_property;
  object_class->set_property = vdsm_rpc_server_set_property;

  /**
   * VdsmRpcServer:schema:
   *
   * The #VdsmSchema requests are validated against (not owned).
   */
  properties[PROP_SCHEMA] = g_param_spec_pointer ("schema", NULL, NULL, flags);
  /**
   * VdsmRpcServer:methods:
   *
   * The #VdsmRpcMethod table (not copied: must outlive the server).
   */
  properties[PROP_METHODS] = g_param_spec_pointer ("methods", NULL, NULL, flags);
  /**
   * VdsmRpcServer:n-methods:
   *
   * The number of entries of #VdsmRpcServer:methods.
   */
  properties[PROP_N_METHODS] = g_param_spec_uint64 ("n-methods", NULL, NULL,
                                                    0, G_MAXUINT64, 0, flags);
  /**
   * VdsmRpcServer:user-data:
   *
   * Passed to handlers as #VdsmRpcCall.user_data.
   */
  properties[PROP_USER_DATA] = g_param_spec_pointer ("user-data", NULL, NULL, flags);
  /**
   * VdsmRpcServer:worker-threads:
   *
   * Number of handler threads.
   */
  properties[PROP_WORKER_THREADS] =
    g_param_spec_uint ("worker-threads", NULL, NULL, 1, 1024,
                       VDSM_RPC_SERVER_DEFAULT_WORKER_THREADS, flags);
  /**
   * VdsmRpcServer:max-queued-tasks:
   *
   * Calls that may wait for a worker; more are refused with error 1100.
   */
  properties[PROP_MAX_QUEUED_TASKS] =
    g_param_spec_uint ("max-queued-tasks", NULL, NULL, 1, G_MAXUINT,
                       VDSM_RPC_SERVER_DEFAULT_MAX_QUEUED_TASKS, tunable);
  /**
   * VdsmRpcServer:max-frame-size:
   *
   * Largest incoming STOMP frame, in bytes.
   */
  properties[PROP_MAX_FRAME_SIZE] =
    g_param_spec_uint64 ("max-frame-size", NULL, NULL, 1024, G_MAXSIZE / 2,
                         VDSM_RPC_SERVER_DEFAULT_MAX_FRAME_SIZE, tunable);
  /**
   * VdsmRpcServer:max-header-size:
   *
   * Largest incoming STOMP header block, in bytes.
   */
  properties[PROP_MAX_HEADER_SIZE] =
    g_param_spec_uint64 ("max-header-size", NULL, NULL, 256, G_MAXSIZE / 2,
                         VDSM_RPC_SERVER_DEFAULT_MAX_HEADER_SIZE, tunable);
  /**
   * VdsmRpcServer:max-send-queue:
   *
   * Bytes that may wait for a client to read them before it is dropped.
   */
  properties[PROP_MAX_SEND_QUEUE] =
    g_param_spec_uint64 ("max-send-queue", NULL, NULL, 1024, G_MAXSIZE / 2,
                         VDSM_RPC_SERVER_DEFAULT_MAX_SEND_QUEUE, tunable);
  /**
   * VdsmRpcServer:max-buffered:
   *
   * Bytes all connections together may hold in partial frames and send
   * queues; above it the connections holding the most are closed. The
   * default, 1 GiB or a quarter of the physical memory, whichever is
   * less, is computed when the server is made (not a construct property).
   */
  properties[PROP_MAX_BUFFERED] =
    g_param_spec_uint64 ("max-buffered", NULL, NULL, 1024, G_MAXSIZE / 2,
                         VDSM_RPC_SERVER_DEFAULT_MAX_BUFFERED,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  /**
   * VdsmRpcServer:max-batch-length:
   *
   * Requests one JSON-RPC batch may hold; a longer batch is refused whole
   * with -32600.
   */
  properties[PROP_MAX_BATCH_LENGTH] =
    g_param_spec_uint ("max-batch-length", NULL, NULL, 1, G_MAXUINT,
                       VDSM_RPC_SERVER_DEFAULT_MAX_BATCH_LENGTH, tunable);
  /**
   * VdsmRpcServer:max-connections:
   *
   * Open client connections; more are closed at once.
   */
  properties[PROP_MAX_CONNECTIONS] =
    g_param_spec_uint ("max-connections", NULL, NULL, 1, G_MAXUINT,
                       VDSM_RPC_SERVER_DEFAULT_MAX_CONNECTIONS, tunable);
  /**
   * VdsmRpcServer:max-connections-per-peer:
   *
   * Open connections from one TCP address, 127.0.0.1 and ::1 not counted;
   * more are closed at once. 0 disables the limit.
   */
  properties[PROP_MAX_CONNECTIONS_PER_PEER] =
    g_param_spec_uint ("max-connections-per-peer", NULL, NULL, 0, G_MAXUINT,
                       VDSM_RPC_SERVER_DEFAULT_MAX_CONNECTIONS_PER_PEER, tunable);

  /**
   * VdsmRpcServer:max-subscriptions:
   *
   * Subscriptions one connection may hold; one more gets an ERROR frame.
   */
  properties[PROP_MAX_SUBSCRIPTIONS] =
    g_param_spec_uint ("max-subscriptions", NULL, NULL, 1, G_MAXUINT,
                       VDSM_RPC_SERVER_DEFAULT_MAX_SUBSCRIPTIONS, tunable);
  /**
   * VdsmRpcServer:max-subscriptions-per-destination:
   *
   * Subscriptions one connection may hold to one destination; one more
   * gets an ERROR frame. Each gets its own copy of every message.
   */
  properties[PROP_MAX_SUBSCRIPTIONS_PER_DESTINATION] =
    g_param_spec_uint ("max-subscriptions-per-destination", NULL, NULL, 1, G_MAXUINT,
                       VDSM_RPC_SERVER_DEFAULT_MAX_SUBSCRIPTIONS_PER_DESTINATION, tunable);
  /**
   * VdsmRpcServer:max-event-patterns:
   *
   * Patterns one subscription may carry in its `event-filter` header; more
   * get an ERROR frame. Every event is matched against each of them.
   */
  properties[PROP_MAX_EVENT_PATTERNS] =
    g_param_spec_uint ("max-event-patterns", NULL, NULL, 1, G_MAXUINT,
                       VDSM_RPC_SERVER_DEFAULT_MAX_EVENT_PATTERNS, tunable);
  /**
   * VdsmRpcServer:handshake-timeout:
   *
   * Milliseconds from accept to a finished TLS handshake and STOMP
   * protocol detection; a connection that is slower is closed.
   */
  properties[PROP_HANDSHAKE_TIMEOUT] =
    g_param_spec_uint ("handshake-timeout", NULL, NULL, 100, G_MAXINT32,
                       VDSM_RPC_SERVER_DEFAULT_HANDSHAKE_TIMEOUT_MS, tunable);
  /**
   * VdsmRpcServer:idle-timeout:
   *
   * Milliseconds from accept to the first complete STOMP frame; a
   * connection that is slower is closed. 0 disables the limit.
   */
  properties[PROP_IDLE_TIMEOUT] =
    g_param_spec_uint ("idle-timeout", NULL, NULL, 0, G_MAXINT32,
                       VDSM_RPC_SERVER_DEFAULT_IDLE_TIMEOUT_MS, tunable);
  /**
   * VdsmRpcServer:frame-timeout:
   *
   * Milliseconds from the first byte of a STOMP frame to its end; a
   * connection that is slower is closed. 0 disables the limit.
   */
  properties[PROP_FRAME_TIMEOUT] =
    g_param_spec_uint ("frame-timeout", NULL, NULL, 0, G_MAXINT32,
                       VDSM_RPC_SERVER_DEFAULT_FRAME_TIMEOUT_MS, tunable);
  /**
   * VdsmRpcServer:call-timeout:
   *
   * Milliseconds a call may run on a worker before it is answered with an
   * error; its late result is dropped. 0 disables the limit.
   */
  properties[PROP_CALL_TIMEOUT] =
    g_param_spec_uint ("call-timeout", NULL, NULL, 0, G_MAXINT32,
                       VDSM_RPC_SERVER_DEFAULT_CALL_TIMEOUT_MS, tunable);
  /**
   * VdsmRpcServer:strict-replies:
   *
   * Whether every result is validated against the method's return type;
   * a mismatch is logged (`STRICT REPLY VIOLATION`) and answered with
   * -32603.
   */
  properties[PROP_STRICT_REPLIES] =
    g_param_spec_boolean ("strict-replies", NULL, NULL, FALSE, tunable);
  /**
   * VdsmRpcServer:insecure:
   *
   * Whether plain-TCP listeners may bind addresses that are not loopback.
   */
  properties[PROP_INSECURE] =
    g_param_spec_boolean ("insecure", NULL, NULL, FALSE, tunable);
  /**
   * VdsmRpcServer:max-tls-handshakes:
   *
   * TLS handshakes in progress at once; further clients wait in the
   * listen backlog until one ends.
   */
  properties[PROP_MAX_TLS_HANDSHAKES] =
    g_param_spec_uint ("max-tls-handshakes", NULL, NULL, 1, G_MAXUINT,
                       VDSM_RPC_SERVER_DEFAULT_MAX_TLS_HANDSHAKES, tunable);
  /**
   * VdsmRpcServer:max-tls-handshakes-per-peer:
   *
   * TLS handshakes in progress from one IPv4 address or IPv6 /64; a
   * further connection from there is closed at once.
   */
  properties[PROP_MAX_TLS_HANDSHAKES_PER_PEER] =
    g_param_spec_uint ("max-tls-handshakes-per-peer", NULL, NULL, 1, G_MAXUINT,
                       VDSM_RPC_SERVER_DEFAULT_MAX_TLS_HANDSHAKES_PER_PEER, tunable);
  /**
   * VdsmRpcServer:tls-first-byte-timeout:
   *
   * Milliseconds from accept to the first byte of a TLS client; a client
   * that sends nothing this long is closed.
   */
  properties[PROP_TLS_FIRST_BYTE_TIMEOUT] =
    g_param_spec_uint ("tls-first-byte-timeout", NULL, NULL, 100, G_MAXINT32,
                       VDSM_RPC_SERVER_DEFAULT_TLS_FIRST_BYTE_TIMEOUT_MS, tunable);
  /**
   * VdsmRpcServer:broker-forwarding:
   *
   * Whether clients' SEND frames are copied to other clients'
   * subscriptions, requests included, as VDSM's broker does; off, a SEND
   * reaches the server only (docs/security.md, "Broker destinations").
   */
  properties[PROP_BROKER_FORWARDING] =
    g_param_spec_boolean ("broker-forwarding", NULL, NULL, FALSE, tunable);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

VdsmRpcServer *
vdsm_rpc_server_new_full (VdsmSchema *schema, const VdsmRpcMethod *methods, gsize n_methods,
                          gpointer user_data, guint worker_threads, gsize max_frame_size)
{
  g_return_val_if_fail (schema != NULL, NULL);
  g_return_val_if_fail (methods != NULL || n_methods == 0, NULL);

  return g_object_new (VDSM_TYPE_RPC_SERVER,
                       "schema", schema,
                       "methods", methods,
                       "n-methods", (guint64) n_methods,
                       "user-data", user_data,
                       "worker-threads", worker_threads ? worker_threads
                                                        : VDSM_RPC_SERVER_DEFAULT_WORKER_THREADS,
                       "max-frame-size", (guint64) (max_frame_size ? max_frame_size
                                                                   : VDSM_RPC_SERVER_DEFAULT_MAX_FRAME_SIZE),
                       NULL);
}

VdsmRpcServer *
vdsm_rpc_server_new (VdsmSchema *schema, const VdsmRpcMethod *methods, gsize n_methods,
                     gpointer user_data)
{
  return vdsm_rpc_server_new_full (schema, methods, n_methods, user_data, 0, 0);
}

static gboolean
check_listen (VdsmRpcServer *server, GError **error)
{
  if (g_atomic_int_get (&server->stopped))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CLOSED, "the server was stopped");
      return FALSE;
    }
  return TRUE;
}

gboolean
vdsm_rpc_server_listen_tcp_full (VdsmRpcServer *server, const char *host, guint16 port,
                                 VdsmRpcListenFlags flags, guint16 *bound_port,
                                 GError **error)
{
  VdsmRpcListener *listener;

  g_return_val_if_fail (VDSM_IS_RPC_SERVER (server), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_listen (server, error))
    return FALSE;
  listener = vdsm_rpc_listener_new_tcp (server, host, port, flags, bound_port, error);
  if (listener == NULL)
    return FALSE;
  g_ptr_array_add (server->listeners, listener);
  return TRUE;
}

gboolean
vdsm_rpc_server_listen_tcp (VdsmRpcServer *server, const char *host, guint16 port,
                            guint16 *bound_port, GError **error)
{
  return vdsm_rpc_server_listen_tcp_full (server, host, port, VDSM_RPC_LISTEN_PLAIN,
                                          bound_port, error);
}

gboolean
vdsm_rpc_server_listen_unix (VdsmRpcServer *server, const char *path, GError **error)
{
  VdsmRpcListener *listener;

  g_return_val_if_fail (VDSM_IS_RPC_SERVER (server), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_listen (server, error))
    return FALSE;
  listener = vdsm_rpc_listener_new_unix (server, path, error);
  if (listener == NULL)
    return FALSE;
  g_ptr_array_add (server->listeners, listener);
  return TRUE;
}

typedef struct {
  VdsmRpcServer *server;
  char *event_id;
  GString *body;
} PendingEvent;

static void
pending_event_free (gpointer data)
{
  PendingEvent *event = data;

  g_object_unref (event->server);
  g_free (event->event_id);
  g_string_free (event->body, TRUE);
  g_free (event);
}

static gboolean
on_publish_event (gpointer data)
{
  PendingEvent *event = data;
  VdsmRpcServer *server = event->server;

  if (!g_atomic_int_get (&server->stopped))
    vdsm_rpc_broker_publish (server->broker, VDSM_RPC_EVENT_QUEUE, NULL, event->event_id,
                             event->body->str, event->body->len);
  return G_SOURCE_REMOVE;
}

void
vdsm_rpc_server_emit_event (VdsmRpcServer *server, const char *event_id,
                            const char *params_json)
{
  const char *open, *close, *inner;
  PendingEvent *event;
  g_autoptr(GSource) source = NULL;
  gint64 notify_time = NOTIFY_TIME_OFFSET + g_get_monotonic_time () / 1000;

  g_return_if_fail (VDSM_IS_RPC_SERVER (server));
  g_return_if_fail (event_id != NULL && params_json != NULL);

  /* Splice notify_time in before the params object's closing brace. */
  open = params_json;
  while (g_ascii_isspace (*open))
    open++;
  close = params_json + strlen (params_json);
  while (close > open && g_ascii_isspace (close[-1]))
    close--;
  g_return_if_fail (*open == '{' && close - open >= 2 && close[-1] == '}');
  close--;
  inner = open + 1;
  while (inner < close && g_ascii_isspace (*inner))
    inner++;

  if (g_atomic_int_get (&server->stopped))
    return;

  event = g_new0 (PendingEvent, 1);
  event->server = g_object_ref (server);
  event->event_id = g_strdup (event_id);
  event->body = g_string_sized_new (96 + strlen (event_id) + (close - open));
  g_string_append (event->body, "{\"jsonrpc\": \"2.0\", \"method\": ");
  vdsm_json_write_string (event->body, event_id);
  g_string_append (event->body, ", \"params\": ");
  g_string_append_len (event->body, open, close - open);
  g_string_append_printf (event->body, "%s\"notify_time\": %" G_GINT64_FORMAT "}}",
                          inner == close ? "" : ", ", notify_time);

  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, on_publish_event, event, pending_event_free);
  vdsm_rpc_source_attach (source, "vdsm-rpc-event", server);
}

void
vdsm_rpc_server_stop (VdsmRpcServer *server)
{
  GHashTableIter iter;
  gpointer conn;

  g_return_if_fail (VDSM_IS_RPC_SERVER (server));

  g_atomic_int_set (&server->stopped, TRUE);
  vdsm_rpc_budget_stop (server);
  g_ptr_array_set_size (server->listeners, 0);
  /* Closing removes the connection from the table: steal them first,
   * each with the table's ref. */
  g_hash_table_iter_init (&iter, server->connections);
  while (g_hash_table_iter_next (&iter, &conn, NULL))
    {
      g_hash_table_iter_steal (&iter);
      vdsm_rpc_connection_close (conn, "server stopped");
      vdsm_rpc_connection_unref (conn);
    }
}

guint
vdsm_rpc_server_get_n_connections (VdsmRpcServer *server)
{
  g_return_val_if_fail (VDSM_IS_RPC_SERVER (server), 0);
  return g_hash_table_size (server->connections);
}

void
vdsm_rpc_source_attach (GSource *source, const char *static_name, VdsmRpcServer *server)
{
  g_source_set_static_name (source, static_name);
  g_source_set_can_recurse (source, TRUE);
  g_source_attach (source, server->context);
}
