/* vdsm-rpc-server.h: VDSM's JSON-RPC 2.0 over STOMP 1.2 server core.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "vdsm-schema.h"

G_BEGIN_DECLS

/**
 * VdsmRpcCall:
 * @user_data: the @user_data given to vdsm_rpc_server_new() (the daemon's
 *   context: libvirt connection...)
 * @method: the method name, e.g. "VM.getStats"
 * @flow_id: (nullable): the SEND frame's `ovirtCorrelationId` header
 *
 * What a handler knows about the call it serves. Valid for the duration of
 * the invoke function only.
 */
typedef struct {
  gpointer    user_data;
  const char *method;
  const char *flow_id;
} VdsmRpcCall;

/**
 * VdsmRpcInvokeFunc:
 * @call: the call
 * @params: (transfer none): the params, already validated against the
 *   schema by vdsm_schema_validate_params(): keyed by parameter name,
 *   positional params named, JSON nulls dropped
 * @result: (transfer none): where to append the result's JSON text (`true`
 *   for a method without a return value)
 * @error: where to report failure
 *
 * Runs one method. Called on a worker thread, or on the I/O thread for
 * %VDSM_RPC_METHOD_INLINE methods; several calls may run concurrently.
 *
 * Failure is reported through @error: a #GError in `VDSM_ERROR` goes on
 * the wire as `{"code": error->code, "message": error->message}` (a
 * %VDSM_ERROR_INVALID_PARAMS message is wrapped as
 * `Invalid method parameter(s): {'reason': '…'}`); any other domain becomes
 * -32603 `Internal JSON-RPC error: {'reason': '…'}`. Whatever was appended
 * to @result on failure is discarded.
 *
 * Returns: %TRUE on success
 */
typedef gboolean (*VdsmRpcInvokeFunc) (VdsmRpcCall *call, JsonObject *params,
                                       GString *result, GError **error);

/**
 * VdsmRpcMethodFlags:
 * @VDSM_RPC_METHOD_INLINE: run on the I/O thread, without the worker pool
 *   (for cheap calls that never block, e.g. Host.ping); never refused with
 *   code 1100
 *
 * How a method is run.
 */
typedef enum {
  VDSM_RPC_METHOD_INLINE = 1 << 0,
} VdsmRpcMethodFlags;

/**
 * VdsmRpcMethod:
 * @name: the schema method name, e.g. "Host.getVMList"
 * @invoke: the function serving it
 * @flags: how to run it
 *
 * One entry of a method table (the generated `vdsm_rpc_methods[]`).
 */
typedef struct {
  const char *name;
  VdsmRpcInvokeFunc invoke;
  VdsmRpcMethodFlags flags;
} VdsmRpcMethod;

/**
 * VDSM_RPC_REQUEST_QUEUE:
 *
 * The request destination every client uses. `jms.topic.vdsm_irs_requests`
 * and either name followed by `.<anything>` are served as well.
 */
#define VDSM_RPC_REQUEST_QUEUE "jms.topic.vdsm_requests"

/**
 * VDSM_RPC_RESPONSE_QUEUE:
 *
 * Where responses go when a SEND has no `reply-to` header.
 */
#define VDSM_RPC_RESPONSE_QUEUE "jms.topic.vdsm_responses"

/**
 * VDSM_RPC_EVENT_QUEUE:
 *
 * The destination events are published to.
 */
#define VDSM_RPC_EVENT_QUEUE "jms.queue.events"

/* Defaults of the properties (see #VdsmRpcServer). */
#define VDSM_RPC_SERVER_DEFAULT_WORKER_THREADS 8
#define VDSM_RPC_SERVER_DEFAULT_MAX_QUEUED_TASKS 80
#define VDSM_RPC_SERVER_DEFAULT_MAX_FRAME_SIZE (4u * 1024u * 1024u)
#define VDSM_RPC_SERVER_DEFAULT_MAX_HEADER_SIZE (64u * 1024u)
#define VDSM_RPC_SERVER_DEFAULT_MAX_SEND_QUEUE (128u * 1024u * 1024u)
/* The most max-buffered defaults to: less on a host with less than 4 GiB. */
#define VDSM_RPC_SERVER_DEFAULT_MAX_BUFFERED (1024u * 1024u * 1024u)
#define VDSM_RPC_SERVER_DEFAULT_MAX_CONNECTIONS 1024
#define VDSM_RPC_SERVER_DEFAULT_MAX_BATCH_LENGTH 1024
#define VDSM_RPC_SERVER_DEFAULT_MAX_SUBSCRIPTIONS 256
#define VDSM_RPC_SERVER_DEFAULT_HANDSHAKE_TIMEOUT_MS 10000
#define VDSM_RPC_SERVER_DEFAULT_IDLE_TIMEOUT_MS 60000
#define VDSM_RPC_SERVER_DEFAULT_CALL_TIMEOUT_MS 60000

/**
 * VdsmRpcListenFlags:
 * @VDSM_RPC_LISTEN_PLAIN: plain TCP: STOMP straight on the socket
 * @VDSM_RPC_LISTEN_TLS: every connection starts with a TLS handshake (see
 *   vdsm_rpc_server_set_tls()); STOMP is detected inside TLS
 *
 * How a TCP listener serves its connections. Whether a port speaks TLS is
 * configuration, never detected (protocol.md §1).
 */
typedef enum {
  VDSM_RPC_LISTEN_PLAIN = 0,
  VDSM_RPC_LISTEN_TLS = 1 << 0,
} VdsmRpcListenFlags;

#define VDSM_TYPE_RPC_SERVER (vdsm_rpc_server_get_type ())
G_DECLARE_FINAL_TYPE (VdsmRpcServer, vdsm_rpc_server, VDSM, RPC_SERVER, GObject)

/**
 * VdsmRpcServer:
 *
 * Serves the methods of a schema over STOMP 1.2 on any number of TCP and
 * unix listening sockets.
 *
 * Threading: the server does all its I/O in the #GMainContext that was the
 * thread-default context of the thread calling vdsm_rpc_server_new(); that
 * context must be iterated (e.g. g_main_loop_run()) for the server to work.
 * Method handlers run in a pool of worker threads (or inline, see
 * #VdsmRpcMethodFlags). vdsm_rpc_server_emit_event() may be called from any
 * thread; the other functions must be called from the thread owning that
 * context.
 *
 * Properties. `worker-threads` is construct-only (g_object_new() or
 * vdsm_rpc_server_new_full()); the others may also be set with
 * g_object_set() after construction, from the thread owning the server's
 * context, before the first listen call (a later change applies to later
 * connections and calls only):
 *
 * - `worker-threads` (default 8): handler threads.
 * - `max-queued-tasks` (default 80): calls waiting for a worker; above it a
 *   call is refused at once with error 1100 "Not enough resources".
 * - `max-frame-size` (default 4 MiB): largest incoming STOMP frame; a
 *   larger one gets an ERROR frame and the connection is closed. A frame
 *   is refused as soon as its header block or body crosses the limit, so
 *   no more than this is ever buffered for one connection. Requests are
 *   small (a VM definition is tens of KiB), but one request is parsed
 *   into a tree on the I/O thread in one go: 4 MiB of tiny JSON values
 *   make some 180 MiB of tree and most of a second of parsing (64 MiB:
 *   2.7 GiB and 10 s, while every other client waited).
 * - `max-header-size` (default 64 KiB): largest incoming header block.
 * - `max-send-queue` (default 128 MiB): bytes queued for a client that does
 *   not read; above it the queue is dropped and the connection closed
 *   before anything else runs (logged with the numbers). A single reply
 *   larger than this limit is still sent when nothing else is queued.
 * - `max-buffered` (default 1 GiB, or a quarter of the physical memory
 *   when that is less): bytes all connections together hold in partial
 *   frames and send queues. Above it the connection holding the most is
 *   closed before anything else runs (the oldest among equals; its queue
 *   is dropped at once), and the next, until the rest fits; each close is
 *   logged with the numbers. The per-connection limits above bound one
 *   client; this bounds their sum (1024 connections times 132 MiB).
 * - `max-batch-length` (default 1024): requests in one JSON-RPC batch. A
 *   longer batch is refused whole with one -32600 error (id null) `Invalid
 *   request: {'reason': 'the batch has more than N requests, the most this
 *   server takes'}`, as soon as its request N + 1 is read; none of it runs
 *   (logged). Real clients send one request per batch; more than
 *   max-queued-tasks calls for workers in one batch are refused with 1100
 *   anyway. A batch is checked, then dispatched, a slice at a time (64
 *   requests or 64 KiB of its text per main-loop iteration), so other
 *   connections are served meanwhile; the connection's later frames wait.
 * - `max-connections` (default 1024): open connections, TLS handshakes
 *   included; a further one is closed at once (logged).
 * - `max-subscriptions` (default 256): subscriptions per connection; one
 *   more gets an ERROR frame `Too many subscriptions (limit N)` and the
 *   connection stays open.
 * - `handshake-timeout` (ms, default 10000): the TLS handshake and the
 *   STOMP protocol detection share this deadline, counted from accept
 *   (vdsm's SSL_HANDSHAKE_TIMEOUT); then the connection is closed.
 * - `idle-timeout` (ms, default 60000, 0 = none): a connection that has not
 *   sent one complete STOMP frame this long after accept is closed. A
 *   frame of any command counts, so connections that never send CONNECT
 *   but do send SUBSCRIBE/SEND (protocol.md §12.2) are served.
 * - `call-timeout` (ms, default 60000, 0 = none): a call running on a
 *   worker longer than this is answered with -32603
 *   `Internal JSON-RPC error: {'reason': '<method> did not finish within N ms'}`
 *   (logged); its late result is dropped and logged. The handler itself is
 *   not interrupted (its worker stays busy); a call that timed out before
 *   a worker took it is not run at all. Inline methods have no timeout.
 * - `strict-replies` (default %FALSE): validate every result against the
 *   method's return type (vdsm_schema_validate_result()); a mismatch is
 *   logged with the text `STRICT REPLY VIOLATION` and answered with
 *   -32603 carrying the validation message instead of the result. For
 *   tests and development: it costs a JSON parse per reply.
 * - `insecure` (default %FALSE): allow plain-TCP listeners on addresses
 *   that are not loopback.
 *
 * Limits that are not properties: a client that promised heart-beats
 * every N ms is closed after N + max(N/5, 500) ms of silence. With these
 * limits, memory per connection is bounded by max-frame-size +
 * max-header-size + max-send-queue (+ one reply), all connections' buffers
 * by max-buffered, and jobs by max-queued-tasks server-wide.
 */

/**
 * vdsm_rpc_server_new:
 * @schema: (transfer none): the schema the methods are validated against;
 *   must outlive the server
 * @methods: (array length=n_methods): the method table; must outlive the
 *   server (a static table such as the generated `vdsm_rpc_methods`)
 * @n_methods: the number of entries in @methods
 * @user_data: passed to every handler as #VdsmRpcCall.user_data
 *
 * Creates a server with the default limits. It serves nothing until
 * vdsm_rpc_server_listen_tcp() or vdsm_rpc_server_listen_unix() is called.
 * A method is served when it is both in @schema and in @methods; any other
 * name gets -32601.
 *
 * Returns: (transfer full): a new server
 */
VdsmRpcServer *vdsm_rpc_server_new (VdsmSchema *schema,
                                    const VdsmRpcMethod *methods,
                                    gsize n_methods,
                                    gpointer user_data);

/**
 * vdsm_rpc_server_new_full:
 * @schema: (transfer none): as for vdsm_rpc_server_new()
 * @methods: (array length=n_methods): as for vdsm_rpc_server_new()
 * @n_methods: as for vdsm_rpc_server_new()
 * @user_data: as for vdsm_rpc_server_new()
 * @worker_threads: number of worker threads, 0 for the default
 * @max_frame_size: largest incoming frame in bytes, 0 for the default
 *
 * Creates a server with the two most commonly tuned limits set. Use
 * g_object_new() with the properties listed under #VdsmRpcServer for the
 * others.
 *
 * Returns: (transfer full): a new server
 */
VdsmRpcServer *vdsm_rpc_server_new_full (VdsmSchema *schema,
                                         const VdsmRpcMethod *methods,
                                         gsize n_methods,
                                         gpointer user_data,
                                         guint worker_threads,
                                         gsize max_frame_size);

/**
 * vdsm_rpc_server_listen_tcp:
 * @server: a server
 * @host: (nullable): an address literal or a host name to bind; %NULL
 *   binds `::` (dual stack), falling back to `0.0.0.0` without IPv6
 * @port: the TCP port, 0 for an ephemeral one
 * @bound_port: (out) (optional): the port actually bound
 * @error: return location for a #GError
 *
 * Starts accepting plain-TCP STOMP connections (no TLS): the same as
 * vdsm_rpc_server_listen_tcp_full() with %VDSM_RPC_LISTEN_PLAIN, so an
 * address that is not loopback needs the `insecure` property.
 *
 * Returns: %TRUE on success
 */
gboolean vdsm_rpc_server_listen_tcp (VdsmRpcServer *server,
                                     const char *host,
                                     guint16 port,
                                     guint16 *bound_port,
                                     GError **error);

/**
 * vdsm_rpc_server_listen_tcp_full:
 * @server: a server
 * @host: (nullable): an address literal or a host name to bind; %NULL
 *   binds `::` (dual stack), falling back to `0.0.0.0` without IPv6
 * @port: the TCP port, 0 for an ephemeral one
 * @flags: %VDSM_RPC_LISTEN_TLS for TLS (vdsm_rpc_server_set_tls() must have
 *   been called), %VDSM_RPC_LISTEN_PLAIN for plain TCP
 * @bound_port: (out) (optional): the port actually bound
 * @error: return location for a #GError
 *
 * Starts accepting STOMP connections on TCP.
 *
 * Plain TCP is refused (%G_IO_ERROR_PERMISSION_DENIED, before binding) on
 * an address that is not loopback, %NULL included, unless the server's
 * `insecure` property is set: clients would not be authenticated and the
 * traffic would be readable on the network. A host name is checked by the
 * address it resolves to (the first one, which is the one bound).
 *
 * Returns: %TRUE on success
 */
gboolean vdsm_rpc_server_listen_tcp_full (VdsmRpcServer *server,
                                          const char *host,
                                          guint16 port,
                                          VdsmRpcListenFlags flags,
                                          guint16 *bound_port,
                                          GError **error);

/**
 * vdsm_rpc_server_set_tls:
 * @server: a server
 * @cert_path: the server certificate file (PEM); it may hold the chain
 *   and, when @key_path is %NULL, the private key too
 * @key_path: (nullable): the private key file (PEM)
 * @ca_path: (nullable): the CA certificate file (PEM) client certificates
 *   must chain to
 * @require_client_cert: whether a client must present a certificate
 * @error: return location for a #GError
 *
 * Configures TLS for the listeners started with %VDSM_RPC_LISTEN_TLS
 * afterwards. The files are read now; a later call replaces the
 * configuration for later listeners only.
 *
 * With @require_client_cert (vdsm's behaviour, protocol.md §1) a client
 * without a certificate fails the handshake, and @ca_path is required.
 * Without it, a client certificate is requested when @ca_path is given
 * and checked when one is sent; without @ca_path none is asked for. A client certificate is accepted only when
 * its chain verifies against @ca_path for client authentication
 * (g_tls_database_verify_chain() with no identity: the CN is not matched
 * against the peer address). The verdict and the certificate's subject
 * are logged.
 *
 * Fails with %G_TLS_ERROR_UNAVAILABLE when GIO has no TLS backend
 * (glib-networking), or with the error of loading a file.
 *
 * Returns: %TRUE on success
 */
gboolean vdsm_rpc_server_set_tls (VdsmRpcServer *server,
                                  const char *cert_path,
                                  const char *key_path,
                                  const char *ca_path,
                                  gboolean require_client_cert,
                                  GError **error);

/**
 * vdsm_rpc_server_listen_unix:
 * @server: a server
 * @path: the socket path
 * @error: return location for a #GError
 *
 * Starts accepting STOMP connections on a unix socket created with mode
 * 0660 (access is controlled by the file's owner and group; there is no
 * TLS). The peer's pid, uid and gid (#GCredentials) are logged for every
 * connection and name it in later log lines. A stale socket file at @path
 * (nobody accepting on it) is removed first; a live one is an error
 * (%G_IO_ERROR_ADDRESS_IN_USE), and so is a file that is not a socket. The
 * socket file is removed when the server stops.
 *
 * Returns: %TRUE on success
 */
gboolean vdsm_rpc_server_listen_unix (VdsmRpcServer *server,
                                      const char *path,
                                      GError **error);

/**
 * vdsm_rpc_server_emit_event:
 * @server: a server
 * @event_id: the event id, `|<component>|<operation>|<unique id>`
 * @params_json: the params as JSON object text, e.g. `{"<vmId>": {…}}`;
 *   must not contain `notify_time`
 *
 * Publishes `{"jsonrpc": "2.0", "method": @event_id, "params": {…,
 * "notify_time": <ms>}}` to every subscriber of `jms.queue.events`, where
 * notify_time is 2^31 − 1 + the monotonic clock in ms. Thread-safe: the
 * message is built in the calling thread and queued to the I/O thread, so
 * events from one thread reach each subscriber in emission order. A stopped
 * server drops events.
 */
void vdsm_rpc_server_emit_event (VdsmRpcServer *server,
                                 const char *event_id,
                                 const char *params_json);

/**
 * vdsm_rpc_server_stop:
 * @server: a server
 *
 * Closes every listening socket (removing unix socket files) and every
 * connection. Calls already running finish; their replies are dropped.
 * Idempotent; the server cannot be restarted.
 */
void vdsm_rpc_server_stop (VdsmRpcServer *server);

/**
 * vdsm_rpc_server_get_n_connections:
 * @server: a server
 *
 * Returns: the number of open client connections (detected or not)
 */
guint vdsm_rpc_server_get_n_connections (VdsmRpcServer *server);

G_END_DECLS
