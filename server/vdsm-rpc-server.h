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
 * @local_address: (nullable): the IP address the client connected to (the
 *   server's end of a TCP or TLS connection), NULL over a unix socket
 *
 * What a handler knows about the call it serves. Valid for the duration of
 * the invoke function only.
 */
typedef struct {
  gpointer    user_data;
  const char *method;
  const char *flow_id;
  const char *local_address;
} VdsmRpcCall;

/**
 * VdsmRpcInvokeFunc:
 * @call: the call
 * @params: (transfer none) (nullable): the params, already validated
 *   against the schema by vdsm_schema_validate_params_full(): keyed by
 *   parameter name, positional params named, JSON nulls dropped; %NULL for
 *   a method that declares no params. The validator alone judges them
 *   (docs/architecture.md, "Validation"): a generated invoke function only
 *   unmarshals them, and reports one it cannot unmarshal with
 *   vdsm_json_params_unreadable(), which the server answers with -32603
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
 * @invoke: (nullable): the function serving it; %NULL for a method of the
 *   schema this server does not implement, answered with -32601
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
#define VDSM_RPC_SERVER_DEFAULT_MAX_CONNECTIONS_PER_PEER 64
#define VDSM_RPC_SERVER_DEFAULT_MAX_BATCH_LENGTH 1024
#define VDSM_RPC_SERVER_DEFAULT_MAX_SUBSCRIPTIONS 256
#define VDSM_RPC_SERVER_DEFAULT_MAX_SUBSCRIPTIONS_PER_DESTINATION 4
#define VDSM_RPC_SERVER_DEFAULT_MAX_EVENT_PATTERNS 64
#define VDSM_RPC_SERVER_DEFAULT_HANDSHAKE_TIMEOUT_MS 10000
#define VDSM_RPC_SERVER_DEFAULT_IDLE_TIMEOUT_MS 60000
#define VDSM_RPC_SERVER_DEFAULT_FRAME_TIMEOUT_MS 30000
#define VDSM_RPC_SERVER_DEFAULT_CALL_TIMEOUT_MS 60000
#define VDSM_RPC_SERVER_DEFAULT_MAX_TLS_HANDSHAKES 256
#define VDSM_RPC_SERVER_DEFAULT_MAX_TLS_HANDSHAKES_PER_PEER 32
#define VDSM_RPC_SERVER_DEFAULT_TLS_FIRST_BYTE_TIMEOUT_MS 2000

/**
 * VdsmRpcListenFlags:
 * @VDSM_RPC_LISTEN_PLAIN: plain TCP: STOMP straight on the socket
 * @VDSM_RPC_LISTEN_TLS: every connection starts with a TLS handshake (see
 *   vdsm_rpc_server_set_tls()); STOMP is detected inside TLS
 *
 * How a TCP listener serves its connections. Whether a port speaks TLS is
 * configuration, never detected (docs/protocol.md §3).
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
 * - `max-connections-per-peer` (default 64, 0 = none): open connections
 *   from one TCP address; a further one from it is closed at once
 *   (logged), so that one host cannot take every connection. Not counted:
 *   unix socket clients, and TCP clients from 127.0.0.1 or ::1, the
 *   address every local client connects from (counting those would only
 *   make a smaller max-connections for them; the local tools and
 *   benchmarks open thousands). A client that binds another loopback
 *   address (127.0.0.2) is counted.
 * - `max-subscriptions` (default 256): subscriptions per connection; one
 *   more gets an ERROR frame `Too many subscriptions (limit N)` and the
 *   connection stays open.
 * - `max-subscriptions-per-destination` (default 4): subscriptions one
 *   connection may hold to one destination; one more gets an ERROR frame
 *   `Too many subscriptions to one destination (limit N)` and the
 *   connection stays open. Every subscription gets its own copy of a
 *   message: this bounds the copies of an event to N per connection.
 * - `max-event-patterns` (default 64): patterns one subscription may
 *   carry in its `event-filter` header (docs/protocol.md §9.1); more get
 *   an ERROR frame `Too many event patterns (limit N)`, no subscription is
 *   made and the connection stays open. Each event is matched against
 *   every pattern of every subscription to the events.
 * - `handshake-timeout` (ms, default 10000): the TLS handshake and the
 *   STOMP protocol detection share this deadline, counted from accept
 *   (vdsm's SSL_HANDSHAKE_TIMEOUT); then the connection is closed.
 * - `idle-timeout` (ms, default 60000, 0 = none): a connection that has not
 *   sent one complete STOMP frame this long after accept is closed. A
 *   frame of any command counts, so connections that never send CONNECT
 *   but do send SUBSCRIBE/SEND (docs/protocol.md §5.2) are served.
 * - `frame-timeout` (ms, default 30000, 0 = none): a STOMP frame must be
 *   complete this long after its first byte arrived, or the connection is
 *   closed (logged); this bounds a client that sends a frame a byte at a
 *   time, after its first frame too (see `idle-timeout` for before it).
 *   Heart-beats between frames do not count as a frame.
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
 * - `max-tls-handshakes` (default 256): TLS connections accepted and not
 *   through their handshake yet. While that many are in progress, TLS
 *   listeners stop accepting: further clients wait in the listen backlog
 *   (their handshakes are not refused) until one ends.
 * - `max-tls-handshakes-per-peer` (default 32): the same for one client
 *   address (an IPv4 address, or the /64 prefix of an IPv6 one); a further
 *   connection from there is closed at once (logged, rate-limited as
 *   every line a client can cause).
 * - `tls-first-byte-timeout` (ms, default 2000): a TLS client that has not
 *   sent one byte this long after accept is closed. The handshake then
 *   has the rest of `handshake-timeout`.
 * - `broker-forwarding` (default %FALSE): VDSM's permissive broker. Off,
 *   clients reach the server only: a SEND to a request queue is served and
 *   copied to nobody, a SEND to any other destination gets the ERROR
 *   `Subscription not available`, and a SUBSCRIBE to a request queue, to a
 *   destination under one or to a dot-prefix of one (`jms`, `jms.topic`)
 *   gets the ERROR `Subscribing to the request queues is not allowed`; the
 *   connection stays open. On, every SEND is also copied to each
 *   subscription whose destination is the SEND's or a dot-separated prefix
 *   of it (docs/protocol.md §6.4), and any destination may be subscribed to:
 *   clients then see each other's requests (passwords included) and can
 *   forge replies and events. See docs/security.md, "Broker destinations".
 *
 * Limits that are not properties: a client that promised heart-beats
 * every N ms is closed after N + max(N/5, 500) ms of silence. A client
 * that ends its input (shutdown(SHUT_WR), `nc -N`; under TLS with or
 * without a close_notify) is answered every request it sent, calls on workers
 * included, then closed; `call-timeout` bounds that wait, and sending what
 * is queued at a close is bounded by 5 s. With these
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
 * Configures TLS for the listeners started with %VDSM_RPC_LISTEN_TLS. The
 * files are read now. A later call, at any time (vdsmd calls it on
 * SIGHUP, so that certificates are rotated without a restart), replaces
 * the configuration for the connections accepted afterwards on every TLS
 * listener, those already listening included; established connections
 * keep theirs. When it fails, the configuration in use stays.
 *
 * With @require_client_cert (vdsm's behaviour, docs/protocol.md §12) a client
 * without a certificate fails the handshake, and @ca_path is required.
 * Without it, a client certificate is requested when @ca_path is given
 * and checked when one is sent; without @ca_path none is asked for. A
 * client certificate is accepted only when its chain verifies against
 * @ca_path (validity dates included; no identity: the CN is not matched
 * against the peer address) and it may serve for client authentication,
 * as OpenSSL's `sslclient` purpose that vdsm applies: an extended key usage,
 * when present in the chain, includes clientAuth, and a key usage, when
 * present, allows signing. A CA certificate (basicConstraints CA:TRUE) is
 * never a client's, not even the one of @ca_path. A refusal is logged with
 * the certificate's subject and the reason.
 *
 * TLS is GnuTLS's, driven on the server's I/O thread without blocking;
 * sessions resume from TLS 1.3 (and 1.2) tickets encrypted with a key made
 * by each call, so a client resumes only with a server that checked its
 * certificate against the files in use (a ticket issued before a reload
 * gets a full handshake). Fails with the error of loading a file.
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
 * TLS). The socket file appears at @path with that mode, whatever the
 * umask, and already accepting: it is made in a directory of its own,
 * created (mode 0700) and removed beside @path, so the directory of @path
 * must be writable. The peer's pid, uid and gid (#GCredentials) are logged
 * for every connection and name it in later log lines. A stale socket file
 * at @path (nobody accepting on it) is removed first; a live one is an
 * error (%G_IO_ERROR_ADDRESS_IN_USE), and so is a file that is not a
 * socket. A path too long for a socket address is refused before anything
 * is made (see vdsm_rpc_server_check_unix_path()). The socket file is
 * removed when the server stops.
 *
 * Returns: %TRUE on success
 */
gboolean vdsm_rpc_server_listen_unix (VdsmRpcServer *server,
                                      const char *path,
                                      GError **error);

/**
 * vdsm_rpc_server_check_unix_path:
 * @path: a socket path
 * @error: return location for a #GError
 *
 * Whether @path fits in a unix socket address: `sun_path` holds 108 bytes
 * on Linux, the terminating NUL included. A longer path fails with
 * %G_IO_ERROR_FILENAME_TOO_LONG, naming the path and the limit. For
 * callers that prepare the path (create its directory) before
 * vdsm_rpc_server_listen_unix(), which checks it too.
 *
 * Returns: %TRUE when @path fits
 */
gboolean vdsm_rpc_server_check_unix_path (const char *path,
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
 * VDSM_RPC_LOG_TEXT_SIZE:
 *
 * A buffer size for vdsm_rpc_log_text() that suits a field of a log line.
 */
#define VDSM_RPC_LOG_TEXT_SIZE 512

/**
 * vdsm_rpc_log_text:
 * @buf: where the result is written
 * @size: the size of @buf, more than 32 (%VDSM_RPC_LOG_TEXT_SIZE suits a
 *   field of a log line)
 * @text: (nullable): a text a client chose, or a message that may quote one
 * @length: the length of @text in bytes, or -1 when it is NUL-terminated
 *
 * Writes @text to @buf so that it cannot break or flood a log line: control
 * characters (newlines included), NUL bytes and bytes that are not UTF-8
 * become escapes (`\n`, `\r`, `\t`, `\xNN`, as in the error texts clients
 * get); a text that does not fit in @size is cut at a character and ends
 * with `…(N bytes)`, N being its whole length. A backslash is kept as it
 * is, so JSON text passes unchanged.
 *
 * Every client-controlled field logged by the server and by handlers goes
 * through this function.
 *
 * Returns: @buf
 */
const char *vdsm_rpc_log_text (char *buf,
                               gsize size,
                               const char *text,
                               gssize length);

/**
 * vdsm_rpc_server_get_n_connections:
 * @server: a server
 *
 * Returns: the number of open client connections (detected or not)
 */
guint vdsm_rpc_server_get_n_connections (VdsmRpcServer *server);

G_END_DECLS
