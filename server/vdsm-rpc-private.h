/* vdsm-rpc-private.h: internals shared by the files of the server core.
 *
 * Everything here is touched only on the server's I/O thread (the
 * GMainContext captured by vdsm_rpc_server_new()), except where a comment
 * says otherwise.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

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
  guint max_subscriptions;
  gsize max_frame_size;
  gsize max_header_size;
  gsize max_send_queue;
  guint max_batch_length;
  gsize max_buffered;               /* the budget: see vdsm-rpc-budget.c */
  guint handshake_timeout_ms;
  guint idle_timeout_ms;
  guint call_timeout_ms;
  gboolean strict_replies;          /* read by workers: set before serving */
  gboolean insecure;

  /* TLS, from vdsm_rpc_server_set_tls(); listeners keep their own refs. */
  GTlsCertificate *tls_certificate;
  GTlsDatabase *tls_database;       /* NULL: client certificates not checked */
  GTlsAuthenticationMode tls_auth_mode;

  GThreadPool *pool;                /* of VdsmRpcJob*; thread-safe */
  GPtrArray *listeners;             /* VdsmRpcListener* */
  GHashTable *connections;          /* set of VdsmRpcConnection* (owning a ref) */
  VdsmRpcBroker *broker;
  char *read_buffer;                /* shared by all connections: one I/O thread */
  GString *json_scratch;            /* likewise, for the request envelope reader */
  guint64 next_connection_id;
  gsize buffered;                   /* the connections' shares of the budget, summed */
  GSource *trim_source;             /* gives freed memory back, soon */
  gboolean stopped;                 /* atomic: read by emit_event on any thread */
};

/* ---- vdsm-rpc-listener.c ---- */

/* A TLS listener takes the server's current TLS configuration. */
VdsmRpcListener *vdsm_rpc_listener_new_tcp (VdsmRpcServer *server, const char *host,
                                            guint16 port, VdsmRpcListenFlags flags,
                                            guint16 *bound_port, GError **error);
VdsmRpcListener *vdsm_rpc_listener_new_unix (VdsmRpcServer *server, const char *path,
                                             GError **error);
/* Stops accepting, closes the socket, removes a unix socket file. */
void vdsm_rpc_listener_free (VdsmRpcListener *listener);

/* ---- vdsm-rpc-tls.c: TLS configuration of a listener ---- */

typedef struct _VdsmRpcTlsConfig VdsmRpcTlsConfig;

VdsmRpcTlsConfig *vdsm_rpc_tls_config_new (VdsmRpcServer *server);
void vdsm_rpc_tls_config_free (VdsmRpcTlsConfig *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VdsmRpcTlsConfig, vdsm_rpc_tls_config_free)
/* A server-side TLS connection over @base, set up to check the client's
 * certificate as configured. */
GIOStream *vdsm_rpc_tls_wrap (VdsmRpcTlsConfig *config, GIOStream *base, GError **error);

/* ---- vdsm-rpc-connection.c: bytes, protocol detection, timers ---- */

struct _VdsmRpcConnection {
  gatomicrefcount ref;              /* jobs on worker threads hold refs */
  VdsmRpcServer *server;            /* borrowed; NULL once closed */
  guint64 id;
  char *peer;                       /* for logs */
  GSocket *socket;
  GIOStream *stream;                /* over @socket: a GSocketConnection or TLS */
  GPollableInputStream *input;      /* of @stream */
  GPollableOutputStream *output;    /* of @stream */
  GCancellable *handshake;          /* while the TLS handshake runs */
  GSource *read_source;
  GSource *write_source;            /* armed while output is pending */
  GSource *timer_source;            /* detection, heart-beats, flush deadline */
  GSource *close_source;            /* a deferred close */
  const char *close_reason;         /* static text, for the deferred close */
  gboolean detected;
  gboolean got_frame;               /* a complete frame came in: not idle */
  gboolean closed;
  gboolean closing;                 /* flush what is queued, then close */
  gboolean reading;                 /* frames of one read being handled */
  gboolean frame_per_send;          /* a Java client: see vdsm_rpc_connection_end_frame() */
  char detect_buf[16];
  gsize detect_len;
  gint64 accepted_at;
  gint64 closing_deadline;
  VdsmStompParser *parser;
  GString *outbuf;
  gsize out_pos;                    /* bytes of outbuf already sent */
  guint64 n_sends;                  /* writes to the stream, for the close log */
  gint64 last_recv;
  gint64 last_send;
  guint send_interval_ms;           /* negotiated: server heart-beats */
  guint recv_interval_ms;           /* negotiated: client promised */
  GHashTable *subscriptions;        /* id -> VdsmRpcSubscription*, owned by the broker */
  gsize budget_share;               /* its bytes as counted in server->buffered */
  gboolean paused;                  /* a request takes several iterations: input waits */
  GString *held_input;              /* the rest of the read that paused it */
  gsize held_received;              /* see vdsm_rpc_connection_count_held() */
  gsize held_to_send;
};

/* Takes over @socket (an accepted, connected socket); @tls: NULL for plain.
 * The result may already be closed (a failed TLS setup). */
VdsmRpcConnection *vdsm_rpc_connection_new (VdsmRpcServer *server, GSocket *socket,
                                            VdsmRpcTlsConfig *tls);
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
 * is paused, requests being handled; @output, its send queue and replies
 * waiting for the rest of their batch. */
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

/* Writing: append one frame to the returned buffer, then end it. The end
 * enforces the send-queue limit and sends; a connection that exceeds the
 * limit or fails to send is closed later, never synchronously, so writing
 * is safe while the broker iterates. */
GString *vdsm_rpc_connection_begin_frame (VdsmRpcConnection *conn, gsize *mark);
void vdsm_rpc_connection_end_frame (VdsmRpcConnection *conn, gsize mark);

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

/* ---- vdsm-rpc-broker.c: subscriptions ---- */

typedef struct {
  VdsmRpcConnection *conn;          /* borrowed: removed when it closes */
  char *id;
  char *destination;
} VdsmRpcSubscription;

VdsmRpcBroker *vdsm_rpc_broker_new (void);
void vdsm_rpc_broker_free (VdsmRpcBroker *broker);
/* FALSE when @id is already used on @conn. */
gboolean vdsm_rpc_broker_subscribe (VdsmRpcBroker *broker, VdsmRpcConnection *conn,
                                    const char *id, const char *destination);
/* An unknown id is ignored. */
void vdsm_rpc_broker_unsubscribe (VdsmRpcBroker *broker, VdsmRpcConnection *conn,
                                  const char *id);
void vdsm_rpc_broker_remove_connection (VdsmRpcBroker *broker, VdsmRpcConnection *conn);
/* Sends @body as a MESSAGE to every subscription whose destination equals
 * @destination, or only those of @only_conn when it is not NULL. Returns
 * the number of copies sent. */
guint vdsm_rpc_broker_publish (VdsmRpcBroker *broker, const char *destination,
                               VdsmRpcConnection *only_conn,
                               const char *body, gsize length);
/* Copies a SEND frame to every subscription whose destination is the SEND's
 * or a dot-separated prefix of it. Returns the number of copies sent. */
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
void vdsm_rpc_pyrepr_node (GString *out, JsonNode *node);

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
