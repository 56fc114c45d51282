/* vdsm-rpc-private.h: internals shared by the files of the server core.
 *
 * Everything here is touched only on the server's I/O thread (the
 * GMainContext captured by vdsm_rpc_server_new()), except where a comment
 * says otherwise.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "vdsm-event-filter.h"
#include "vdsm-rpc-server.h"
#include "vdsm-stomp.h"

G_BEGIN_DECLS

#ifndef G_LOG_DOMAIN
#error "G_LOG_DOMAIN must be set by the build"
#endif

/* One read buffer serves every connection: there is one I/O thread. */
#define VDSM_RPC_READ_BUFFER_SIZE (64 * 1024)

typedef struct _VdsmRpcConnection VdsmRpcConnection;
typedef struct _VdsmRpcBroker VdsmRpcBroker;
typedef struct _VdsmRpcListener VdsmRpcListener;
typedef struct _VdsmRpcBatch VdsmRpcBatch;
typedef struct _VdsmRpcTlsConfig VdsmRpcTlsConfig;
typedef struct _VdsmRpcTls VdsmRpcTls;

struct _VdsmRpcServer {
  GObject parent_instance;

  VdsmSchema *schema;               /* not owned */
  const VdsmRpcMethod *method_table;
  gsize n_methods;
  GHashTable *methods;              /* name -> const VdsmRpcMethod* */
  gpointer user_data;
  GMainContext *context;            /* the I/O thread's context */

  guint worker_threads;
  guint max_queued_tasks;
  guint max_connections;
  guint max_connections_per_peer;   /* 0: no limit */
  guint max_subscriptions;
  guint max_subscriptions_per_destination;
  guint max_event_patterns;
  gsize max_frame_size;
  gsize max_header_size;
  gsize max_send_queue;
  guint max_batch_length;
  gsize max_buffered;               /* the budget: see vdsm-rpc-budget.c */
  guint handshake_timeout_ms;
  guint idle_timeout_ms;
  guint frame_timeout_ms;
  guint call_timeout_ms;
  gboolean strict_replies;          /* read by workers: set before serving */
  gboolean insecure;
  gboolean broker_forwarding;        /* VDSM's permissive SEND rule */

  guint max_tls_handshakes;
  guint max_tls_handshakes_per_peer;
  guint tls_first_byte_timeout_ms;

  /* TLS, from vdsm_rpc_server_set_tls(), replaced by each call: a
   * connection takes a ref of it when accepted. */
  VdsmRpcTlsConfig *tls;
  /* TLS handshakes in progress, in all and by peer key (see
   * vdsm_rpc_listener_handshake_ended()): key -> count, as a pointer. */
  guint n_tls_handshakes;
  GHashTable *tls_handshakes_by_peer;

  GThreadPool *pool;                /* of VdsmRpcJob*; thread-safe */
  GPtrArray *listeners;             /* VdsmRpcListener* */
  GHashTable *connections;          /* set of VdsmRpcConnection* (owning a ref) */
  GHashTable *peer_connections;     /* peer key -> open connections (GUINT_TO_POINTER) */
  VdsmRpcBroker *broker;
  char *read_buffer;                /* shared by all connections: one I/O thread */
  GString *json_scratch;            /* likewise, for the request envelope reader */
  guint64 next_connection_id;
  gsize buffered;                   /* the connections' shares of the budget, summed */
  GSource *trim_source;             /* gives freed memory back, soon */
  GMutex log_lock;                  /* guards log_limits: workers log too */
  GHashTable *log_limits;           /* format -> VdsmRpcLogLimit*, see vdsm_rpc_log_limited() */
  gboolean stopped;                 /* atomic: read by emit_event on any thread */
};

/* ---- vdsm-rpc-listener.c ---- */

/* A TLS listener gives each connection it accepts the server's TLS
 * configuration of that moment (server->tls). */
VdsmRpcListener *vdsm_rpc_listener_new_tcp (VdsmRpcServer *server, const char *host,
                                            guint16 port, VdsmRpcListenFlags flags,
                                            guint16 *bound_port, GError **error);
VdsmRpcListener *vdsm_rpc_listener_new_unix (VdsmRpcServer *server, const char *path,
                                             GError **error);
/* Stops accepting, closes the socket, removes a unix socket file. */
void vdsm_rpc_listener_free (VdsmRpcListener *listener);
/* Connections from a peer are counted under its key (see
 * max-connections-per-peer in vdsm-rpc-server.h): the listener counts one
 * in when it accepts it, and this one out when it closes. */
void vdsm_rpc_peer_closed (VdsmRpcServer *server, const char *key);
/* A TLS connection counts against max-tls-handshakes, and under its peer
 * key (an IPv4 address or IPv6 /64) against max-tls-handshakes-per-peer,
 * from accept until its handshake ends (done, failed or closed): then this
 * releases @peer_key (freeing it) and lets listeners that waited for room
 * accept again. */
void vdsm_rpc_listener_handshake_ended (VdsmRpcServer *server, char *peer_key);

/* ---- vdsm-rpc-tls.c: TLS over a connection's socket (GnuTLS) ---- */

/* Credentials, trust and the session-ticket key, held by the server and
 * by the sessions made with it; what changes in it (a read buffer, the
 * chains checked lately) is used on the I/O thread only. A reload
 * (vdsm_rpc_server_set_tls() again) makes a new one, with a ticket key of
 * its own: a ticket issued before resumes nothing, and a returning client
 * is checked against the new CA file. */
VdsmRpcTlsConfig *vdsm_rpc_tls_config_new (const char *cert_path, const char *key_path,
                                           const char *ca_path, gboolean require_client_cert,
                                           GError **error);
VdsmRpcTlsConfig *vdsm_rpc_tls_config_ref (VdsmRpcTlsConfig *config);
void vdsm_rpc_tls_config_unref (VdsmRpcTlsConfig *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VdsmRpcTlsConfig, vdsm_rpc_tls_config_unref)

typedef enum {
  VDSM_RPC_TLS_DONE,
  VDSM_RPC_TLS_WANT_READ,           /* call again when the socket is readable */
  VDSM_RPC_TLS_WANT_WRITE,          /* ... writable */
  VDSM_RPC_TLS_FAILED,
} VdsmRpcTlsStatus;

/* A server session over the non-blocking socket @fd (not owned). It holds
 * a ref of @config: vdsm_rpc_server_set_tls() may replace the server's
 * configuration while the connections made with this one live on. */
VdsmRpcTls *vdsm_rpc_tls_new (VdsmRpcTlsConfig *config, int fd, GError **error);
void vdsm_rpc_tls_free (VdsmRpcTls *tls);
/* Advances the handshake as far as the bytes received allow; the client's
 * certificate is checked inside it. */
VdsmRpcTlsStatus vdsm_rpc_tls_handshake (VdsmRpcTls *tls, GError **error);
/* Like g_socket_receive() and g_socket_send_message() on a non-blocking
 * socket: 0 at the end of the stream, -1 with G_IO_ERROR_WOULD_BLOCK when
 * nothing can be done now. A send takes one TLS record of the bytes of
 * @vectors at most; after a WOULD_BLOCK, send again starting with the same
 * bytes. vdsm_rpc_tls_wants_write() tells whether a receive waits for the
 * socket to take bytes first (a TLS 1.3 key update answer). */
gssize vdsm_rpc_tls_receive (VdsmRpcTls *tls, char *buf, gsize len, GError **error);
gssize vdsm_rpc_tls_send (VdsmRpcTls *tls, const GOutputVector *vectors, gsize n_vectors,
                          GError **error);
gboolean vdsm_rpc_tls_wants_write (VdsmRpcTls *tls);
/* Whether bytes already taken from the socket wait to be read: polling the
 * socket would not tell. */
gboolean vdsm_rpc_tls_has_buffered (VdsmRpcTls *tls);
/* "TLS1.3 (resumed session), client certificate CN=...", for logs (the
 * subject escaped as vdsm_rpc_log_text() does). */
char *vdsm_rpc_tls_describe (VdsmRpcTls *tls);


/* ---- vdsm-rpc-connection.c: bytes, protocol detection, timers ---- */

struct _VdsmRpcConnection {
  gatomicrefcount ref;              /* jobs on worker threads hold refs */
  VdsmRpcServer *server;            /* borrowed; NULL once closed */
  guint64 id;
  char *peer;                       /* for logs */
  char *local_address;              /* the IP the client reached; NULL: unix */
  char *peer_key;                   /* counted in server->peer_connections; NULL: exempt */
  GSocket *socket;
  VdsmRpcTls *tls;                  /* NULL: plain */
  /* The peer key the TLS handshake counts under (see
   * vdsm_rpc_listener_handshake_ended()); NULL once it ended. */
  char *handshake_peer;
  GSource *read_source;
  GSource *write_source;            /* armed while output is pending */
  GSource *timer_source;            /* detection, heart-beats, flush deadline */
  GSource *close_source;            /* a deferred close */
  const char *close_reason;         /* static text, for the deferred close */
  gboolean detected;
  gboolean got_byte;                /* TLS: the client sent something */
  gboolean read_wants_write;        /* TLS: retry the read once writable */
  gboolean got_frame;               /* a complete frame came in: not idle */
  gboolean closed;
  gboolean closing;                 /* flush what is queued, then close */
  gboolean reading;                 /* frames of one read being handled */
  gboolean frame_per_send;          /* a Java client: see vdsm_rpc_connection_end_frame() */
  gboolean input_ended;             /* the client shut its sending side down */
  guint replies_pending;            /* batches of its requests not answered yet */
  char detect_buf[16];
  gsize detect_len;
  gint64 accepted_at;
  gint64 frame_started;             /* first byte of a frame not complete yet; 0: none */
  gint64 closing_deadline;
  VdsmStompParser *parser;
  GString *outbuf;                  /* see "Writing" in vdsm-rpc-connection.c */
  gsize out_pos;                    /* bytes of outbuf already sent */
  GArray *out_shared;               /* SharedOutput, blocks spliced into outbuf; or NULL */
  guint out_shared_first;           /* the first not sent completely */
  gsize out_shared_sent;            /* bytes of that one already sent */
  gsize out_shared_pending;         /* bytes of shared blocks not sent yet */
  guint64 n_sends;                  /* writes to the stream, for the close log */
  gint64 last_recv;
  gint64 last_send;
  guint send_interval_ms;           /* negotiated: server heart-beats */
  guint recv_interval_ms;           /* negotiated: client promised */
  GHashTable *subscriptions;        /* id -> VdsmRpcSubscription*, owned by the broker */
  GPtrArray *subscription_order;    /* the same in subscription order; NULL before one */
  gsize budget_share;               /* its bytes as counted in server->buffered */
  gboolean paused;                  /* a request takes several iterations: input waits */
  GString *held_input;              /* the rest of the read that paused it */
  gsize held_received;              /* see vdsm_rpc_connection_count_held() */
  gsize held_to_send;
};

/* Takes over @socket (an accepted, connected socket); @tls: NULL for plain,
 * else with @handshake_peer (taken), the key its handshake counts under;
 * takes @peer_key, counted in server->peer_connections (NULL: none). The
 * result may already be closed (a failed TLS setup). */
VdsmRpcConnection *vdsm_rpc_connection_new (VdsmRpcServer *server, GSocket *socket,
                                            VdsmRpcTlsConfig *tls, char *peer_key,
                                            char *handshake_peer);
VdsmRpcConnection *vdsm_rpc_connection_ref (VdsmRpcConnection *conn);
void vdsm_rpc_connection_unref (VdsmRpcConnection *conn);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VdsmRpcConnection, vdsm_rpc_connection_unref)

/* Whether frames may still be queued. */
gboolean vdsm_rpc_connection_is_open (VdsmRpcConnection *conn);
/* Closes now: sources, socket, subscriptions; drops the server's ref.
 * Must not be called while the broker iterates subscriptions. */
void vdsm_rpc_connection_close (VdsmRpcConnection *conn, const char *reason);
/* Stops reading, sends what is queued (bounded in time), then closes. */
void vdsm_rpc_connection_close_after_flush (VdsmRpcConnection *conn, const char *reason);
/* Stops reading and sending, drops what is queued, and closes before any
 * other source runs: safe while the broker iterates. @reason: static. */
void vdsm_rpc_connection_close_later (VdsmRpcConnection *conn, const char *reason);
/* The bytes @conn holds: @input, a partial frame, input waiting while it
 * is paused, requests being handled; @output, its send queue (shared
 * blocks counted in full, as the send-queue limit counts them) and
 * replies waiting for the rest of their batch. */
void vdsm_rpc_connection_get_buffered (VdsmRpcConnection *conn, gsize *input, gsize *output);
/* Bytes the JSON-RPC layer keeps for @conn (a batch body being run,
 * replies of an unfinished batch) change by @received and @to_send. */
void vdsm_rpc_connection_count_held (VdsmRpcConnection *conn, gssize received, gssize to_send);

/* A request that takes several loop iterations (a large batch) pauses its
 * connection's input: the frames after it, in the same read or later, wait
 * until it is resumed, so one client has one such request at a time and
 * the order of its requests holds. Only while a frame is being handled. */
void vdsm_rpc_connection_pause_input (VdsmRpcConnection *conn);
/* Handles the input that waited, then reads again. */
void vdsm_rpc_connection_resume_input (VdsmRpcConnection *conn);

/* A batch of requests whose reply is not sent yet keeps the connection
 * open when the client shuts its sending side down (shutdown(SHUT_WR),
 * `nc -N`): the end of its input closes the connection only once the last
 * pending reply is queued, then flushed. Bounded by the call timeout,
 * which answers every call, and by the flush deadline. A batch run a
 * slice at a time is pending from its first slice to its last. */
void vdsm_rpc_connection_reply_pending (VdsmRpcConnection *conn);
void vdsm_rpc_connection_reply_done (VdsmRpcConnection *conn);

/* Writing: append one frame to the returned buffer, then end it. The end
 * enforces the send-queue limit and sends; a connection that exceeds the
 * limit or fails to send is closed later, never synchronously, so writing
 * is safe while the broker iterates. */
GString *vdsm_rpc_connection_begin_frame (VdsmRpcConnection *conn, gsize *mark);
void vdsm_rpc_connection_end_frame (VdsmRpcConnection *conn, gsize mark);
/* The same for a frame that ends with @tail, which is queued by reference
 * (a ref is taken), not copied: one body sent to many subscribers is held
 * once. The send-queue limit counts it in full. */
void vdsm_rpc_connection_end_frame_shared (VdsmRpcConnection *conn, gsize mark, GBytes *tail);
/* Bytes waiting to be sent; @own: how many of them this connection holds
 * alone (the others are shared blocks). */
gsize vdsm_rpc_connection_get_queued (VdsmRpcConnection *conn, gsize *own);

/* Re-reads the heart-beat intervals after a CONNECT. */
void vdsm_rpc_connection_update_timer (VdsmRpcConnection *conn);

/* ---- vdsm-rpc-budget.c: the bytes all connections hold, bounded; freed
 * memory given back ---- */

/* The default of max-buffered: 1 GiB or a quarter of the physical memory,
 * whichever is less. */
gsize vdsm_rpc_budget_default (void);
/* Counts @conn's bytes again (after they changed). Over max-buffered, the
 * connections holding the most are closed (logged) until the rest fits. */
void vdsm_rpc_budget_update (VdsmRpcConnection *conn);
/* @conn closes or is about to: its bytes no longer count. */
void vdsm_rpc_budget_remove (VdsmRpcConnection *conn);
/* The server stops: no more checks for memory to give back. */
void vdsm_rpc_budget_stop (VdsmRpcServer *server);

/* ---- vdsm-rpc-session.c: STOMP commands ---- */

void vdsm_rpc_session_handle_frame (VdsmRpcConnection *conn, VdsmStompFrame *frame);
/* ERROR with a `message` header and the text as body. */
void vdsm_rpc_session_send_error (VdsmRpcConnection *conn, const char *text);
/* MESSAGE with destination, content-type, subscription, content-length. */
void vdsm_rpc_session_send_message (VdsmRpcConnection *conn, const char *destination,
                                    const char *subscription_id,
                                    const char *body, gsize length);
/* The same with the end of the frame shared by every copy: @tail from
 * vdsm_rpc_session_message_tail() (content-length, body and NUL). */
GBytes *vdsm_rpc_session_message_tail (const char *body, gsize length);
void vdsm_rpc_session_send_message_shared (VdsmRpcConnection *conn, const char *destination,
                                           const char *subscription_id, GBytes *tail);

/* ---- vdsm-rpc-broker.c: subscriptions ---- */

typedef struct _VdsmRpcDestination VdsmRpcDestination;

typedef struct {
  VdsmRpcConnection *conn;          /* borrowed: removed when it closes */
  char *id;
  VdsmRpcDestination *destination;  /* the broker's, with its name */
  VdsmEventFilter *filter;          /* owned; NULL: every event */
} VdsmRpcSubscription;

VdsmRpcBroker *vdsm_rpc_broker_new (void);
void vdsm_rpc_broker_free (VdsmRpcBroker *broker);
/* FALSE when @id is already used on @conn. @filter (transfer full,
 * nullable) selects the events the subscription receives. */
gboolean vdsm_rpc_broker_subscribe (VdsmRpcBroker *broker, VdsmRpcConnection *conn,
                                    const char *id, const char *destination,
                                    VdsmEventFilter *filter);
/* How many subscriptions @conn holds to @destination. */
guint vdsm_rpc_broker_count_subscriptions (VdsmRpcBroker *broker, VdsmRpcConnection *conn,
                                           const char *destination);
/* An unknown id is ignored. */
void vdsm_rpc_broker_unsubscribe (VdsmRpcBroker *broker, VdsmRpcConnection *conn,
                                  const char *id);
void vdsm_rpc_broker_remove_connection (VdsmRpcBroker *broker, VdsmRpcConnection *conn);
/* Sends @body as a MESSAGE to every subscription whose destination equals
 * @destination, or only those of @only_conn when it is not NULL (a reply),
 * in subscription order; for an event (@event_id not NULL), only to those
 * whose filter matches it. Returns the number of copies sent. */
guint vdsm_rpc_broker_publish (VdsmRpcBroker *broker, const char *destination,
                               VdsmRpcConnection *only_conn, const char *event_id,
                               const char *body, gsize length);
/* Copies a SEND frame to every subscription whose destination is the SEND's
 * or a dot-separated prefix of it (the session calls it only with the
 * server's broker-forwarding). Returns the number of copies sent. */
guint vdsm_rpc_broker_forward (VdsmRpcBroker *broker, VdsmStompFrame *send);

/* ---- vdsm-rpc-jsonrpc.c: the JSON-RPC 2.0 envelope ---- */

/* Serves the body of @send, a SEND to a request queue. A batch that takes
 * more than one slice keeps a ref to @send and pauses @conn's input. */
void vdsm_rpc_jsonrpc_handle (VdsmRpcConnection *conn, const char *reply_to,
                              const char *flow_id, VdsmStompFrame *send);
/* A reply slot of @batch is ready (takes @reply). */
void vdsm_rpc_batch_complete (VdsmRpcBatch *batch, guint slot, GString *reply);

/* Reply texts. `{"jsonrpc": "2.0", "id": <id>, ` (a NULL @id writes null): */
void vdsm_rpc_write_reply_start (GString *out, JsonNode *id);
/* `"error": {"code": <code>, "message": <message>}}`, ending the reply: */
void vdsm_rpc_write_error_member (GString *out, int code, const char *message);
/* The same for a handler's GError (see VdsmRpcInvokeFunc): */
void vdsm_rpc_write_gerror_member (GString *out, const GError *error);
/* A whole error reply: */
void vdsm_rpc_write_error (GString *out, JsonNode *id, int code, const char *message);

/* ---- vdsm-rpc-worker.c: running handlers ---- */

typedef struct {
  VdsmRpcServer *server;            /* a ref */
  VdsmRpcBatch *batch;              /* NULL for a notification */
  guint slot;
  const VdsmRpcMethod *method;
  const VdsmSchemaMethod *schema_method;
  JsonNode *params;                 /* sealed; may be NULL */
  JsonNode *id;                     /* sealed; NULL for a notification */
  char *flow_id;
  char *local_address;              /* VdsmRpcCall.local_address */
  gint64 start;                     /* monotonic, for the log */
  GString *reply;                   /* filled by the run */
  GSource *timeout;                 /* call-timeout, on the I/O thread */
  gint timed_out;                   /* atomic: answered already, drop the result */
} VdsmRpcJob;

GThreadPool *vdsm_rpc_worker_pool_new (VdsmRpcServer *server, GError **error);
/* Takes @job: runs it inline or queues it. Returns FALSE (job untouched)
 * when the queue is full. */
gboolean vdsm_rpc_worker_submit (VdsmRpcServer *server, VdsmRpcJob *job);
void vdsm_rpc_job_free (VdsmRpcJob *job);

/* ---- vdsm-rpc-pyrepr.c: message texts in VDSM's Python-repr style ---- */

void vdsm_rpc_pyrepr_string (GString *out, const char *text);
/* How repr() shows the character at @p (before @end): writes its escape
 * (`\n`, `\r`, `\t`, `\xNN` for other control characters and for a byte
 * that is not UTF-8 or is NUL) to @escape and returns its length, or
 * returns 0 when the character stands for itself. Sets @next past it. */
gsize vdsm_rpc_escape_char (const char *p, const char *end, const char **next,
                            char escape[5]);
void vdsm_rpc_pyrepr_node (GString *out, JsonNode *node);

/* ---- vdsm-rpc-log.c: lines clients cannot flood (see vdsm_rpc_log_text()) ---- */

/* Lines of one kind: at most VDSM_RPC_LOG_BURST per VDSM_RPC_LOG_WINDOW_US;
 * the next one logged says how many were left out. */
#define VDSM_RPC_LOG_BURST 5
#define VDSM_RPC_LOG_WINDOW_US (10 * G_USEC_PER_SEC)
#define VDSM_RPC_LOG_NOTE_SIZE 80

typedef struct {
  gint64 window_start;              /* monotonic; 0 before the first line */
  guint lines;                      /* logged in the window */
  guint suppressed;                 /* left out since the last line logged */
  gint64 suppressed_since;
} VdsmRpcLogLimit;

/* Whether a line counted by @limit may be logged at @now. When it may and
 * lines were left out before it, @note gets " (N more suppressed in the
 * last S s)" to end it with; else "". */
gboolean vdsm_rpc_log_limit_pass (VdsmRpcLogLimit *limit, gint64 now, char *note,
                                  gsize note_size);
/* g_log() of a line a client can cause at will (a refused connection or
 * request, a protocol error), rate-limited per @format and @server: the
 * format, a string literal, names the kind, so it should say what happened
 * (not a bare "%s"). Any thread. Put client texts in with
 * vdsm_rpc_log_text(). */
void vdsm_rpc_log_limited (VdsmRpcServer *server, GLogLevelFlags level,
                           const char *format, ...) G_GNUC_PRINTF (3, 4);
#define vdsm_rpc_message_limited(server, ...) \
  vdsm_rpc_log_limited ((server), G_LOG_LEVEL_MESSAGE, __VA_ARGS__)

/* ---- vdsm-rpc-redact.c: logging without secrets ---- */

/* Compact JSON of @node with the values of keys named `password` or
 * starting with `_X_` (any depth) replaced by "********". */
char *vdsm_rpc_redact_json (JsonNode *node);
/* Attaches @source to the I/O thread's context under @static_name. Its
 * dispatch is not wrapped in GLib's block/unblock of its fds, which signals
 * the context's wake-up eventfd twice per dispatch: three syscalls and a
 * spurious loop iteration per request. Nothing here runs a nested loop. */
void vdsm_rpc_source_attach (GSource *source, const char *static_name, VdsmRpcServer *server);

/* Whether a message (a validator's, quoting values) mentions a secret key. */
gboolean vdsm_rpc_text_may_hold_secret (const char *text);
/* Whether messages of @level from the server would be written: guards
 * formatting costs on the request path. */
gboolean vdsm_rpc_log_enabled (GLogLevelFlags level);

G_END_DECLS
