/* vdsm-rpc-jsonrpc.c: the JSON-RPC 2.0 envelope: requests, batches,
 * notifications, error replies with VDSM's texts (docs/protocol.md §7, §8).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vdsm-rpc-private.h"
#include "vdsm-error-private.h"
#include "vdsm-json.h"

#include <string.h>

/* The replies to one SEND: one slot per request, answered in any order,
 * sent together once the last one is in. */
struct _VdsmRpcBatch {
  VdsmRpcConnection *conn;          /* a ref */
  char *reply_to;
  gboolean is_array;                /* reply with an array (batch of >= 2) */
  guint pending;                    /* slots not answered yet */
  GPtrArray *replies;               /* GString* per slot; NULL for notifications */
  gsize held;                       /* bytes of the replies in, for the budget */
};

/* ---- Reply texts ---- */

void
vdsm_rpc_write_reply_start (GString *out, JsonNode *id)
{
  g_string_append (out, "{\"jsonrpc\": \"2.0\", \"id\": ");
  vdsm_json_write_node (out, id);
  g_string_append (out, ", ");
}

void
vdsm_rpc_write_error_member (GString *out, int code, const char *message)
{
  g_string_append_printf (out, "\"error\": {\"code\": %d, \"message\": ", code);
  vdsm_json_write_string (out, message);
  g_string_append (out, "}}");
}

void
vdsm_rpc_write_error (GString *out, JsonNode *id, int code, const char *message)
{
  vdsm_rpc_write_reply_start (out, id);
  vdsm_rpc_write_error_member (out, code, message);
}

/* "<VDSM's text for code>: {'reason': '<text>'}" */
static char *
reason_message (VdsmError code, const char *text)
{
  GString *message = vdsm_error_message_new (code);

  g_string_append (message, "{'reason': ");
  vdsm_rpc_pyrepr_string (message, text);
  g_string_append_c (message, '}');
  return g_string_free (message, FALSE);
}

/* Whether @message already starts as VDSM writes the messages of @code. */
static gboolean
has_code_text (const char *message, VdsmError code)
{
  const char *text = vdsm_error_code_message (code);
  gsize length = strlen (text);

  return strncmp (message, text, length) == 0 && g_str_has_prefix (message + length, ": ");
}

void
vdsm_rpc_write_gerror_member (GString *out, const GError *error)
{
  g_autofree char *message = NULL;

  if (error->domain != VDSM_ERROR)
    {
      message = reason_message (VDSM_ERROR_INTERNAL, error->message);
      vdsm_rpc_write_error_member (out, VDSM_ERROR_INTERNAL, message);
    }
  else if (error->code == VDSM_ERROR_INVALID_PARAMS &&
           !has_code_text (error->message, VDSM_ERROR_INVALID_PARAMS))
    {
      /* The validator reports bare "params.x: …" texts (job_run()). */
      message = reason_message (VDSM_ERROR_INVALID_PARAMS, error->message);
      vdsm_rpc_write_error_member (out, error->code, message);
    }
  else
    vdsm_rpc_write_error_member (out, error->code, error->message);
}

/* ---- Batches ---- */

static void
batch_free (VdsmRpcBatch *batch)
{
  if (batch->held > 0)
    vdsm_rpc_connection_count_held (batch->conn, 0, -(gssize) batch->held);
  vdsm_rpc_connection_reply_done (batch->conn);
  vdsm_rpc_connection_unref (batch->conn);
  g_free (batch->reply_to);
  g_ptr_array_unref (batch->replies);
  g_free (batch);
}

static void
gstring_free (gpointer data)
{
  if (data)
    g_string_free (data, TRUE);
}

static VdsmRpcBatch *
batch_new (VdsmRpcConnection *conn, const char *reply_to, guint n, gboolean is_array)
{
  VdsmRpcBatch *batch = g_new0 (VdsmRpcBatch, 1);

  batch->conn = vdsm_rpc_connection_ref (conn);
  vdsm_rpc_connection_reply_pending (conn);
  batch->reply_to = g_strdup (reply_to);
  batch->is_array = is_array;
  batch->replies = g_ptr_array_new_full (n, gstring_free);
  g_ptr_array_set_size (batch->replies, n);
  /* Held until every request was looked at, so that answers given at once
   * do not send a partial batch. */
  batch->pending = 1;
  return batch;
}

static void
batch_send (VdsmRpcBatch *batch)
{
  VdsmRpcConnection *conn = batch->conn;
  GString *body = NULL;
  g_autoptr(GString) joined = NULL;

  if (!vdsm_rpc_connection_is_open (conn))
    return;

  for (guint i = 0; i < batch->replies->len; i++)
    {
      GString *reply = batch->replies->pdata[i];

      if (reply == NULL)
        continue;
      if (!batch->is_array)
        {
          body = reply;
          break;
        }
      if (joined == NULL)
        joined = g_string_new ("[");
      else
        g_string_append (joined, ", ");
      g_string_append_len (joined, reply->str, reply->len);
    }
  if (joined)
    {
      g_string_append_c (joined, ']');
      body = joined;
    }
  /* Only notifications: nothing to say. */
  if (body == NULL)
    return;

  if (vdsm_rpc_broker_publish (conn->server->broker, batch->reply_to, conn, NULL,
                               body->str, body->len) == 0)
    {
      char reply_to[VDSM_RPC_LOG_TEXT_SIZE];

      vdsm_rpc_message_limited (conn->server, "connection %" G_GUINT64_FORMAT
                                " (%s) has no subscription to %s: reply dropped",
                                conn->id, conn->peer,
                                vdsm_rpc_log_text (reply_to, sizeof reply_to,
                                                   batch->reply_to, -1));
    }
}

static void
batch_release (VdsmRpcBatch *batch)
{
  if (--batch->pending > 0)
    return;
  batch_send (batch);
  batch_free (batch);
}

void
vdsm_rpc_batch_complete (VdsmRpcBatch *batch, guint slot, GString *reply)
{
  g_assert (batch->replies->pdata[slot] == NULL);
  batch->replies->pdata[slot] = reply;
  /* A reply of an array waits for the others: it counts against the
   * budget. A lone one leaves now. */
  if (batch->is_array)
    {
      batch->held += reply->len;
      vdsm_rpc_connection_count_held (batch->conn, 0, reply->len);
    }
  batch_release (batch);
}

static void
batch_reply_error (VdsmRpcBatch *batch, guint slot, JsonNode *id, int code,
                   const char *message)
{
  GString *reply = g_string_sized_new (128 + strlen (message));

  vdsm_rpc_write_error (reply, id, code, message);
  batch->pending++;
  vdsm_rpc_batch_complete (batch, slot, reply);
}

/* ---- Requests ---- */

static void
invalid_request (VdsmRpcBatch *batch, guint slot, JsonNode *request, JsonNode *id,
                 const char *reason)
{
  g_autoptr(GString) message = vdsm_error_message_new (VDSM_ERROR_INVALID_REQUEST);

  g_string_append (message, "{'request': ");
  vdsm_rpc_pyrepr_node (message, request);
  g_string_append (message, ", 'reason': ");
  vdsm_rpc_pyrepr_string (message, reason);
  g_string_append_c (message, '}');
  vdsm_rpc_message_limited (batch->conn->server, "connection %" G_GUINT64_FORMAT
                            ": invalid request: %s", batch->conn->id, reason);
  batch_reply_error (batch, slot, id, VDSM_ERROR_INVALID_REQUEST, message->str);
}

/* The debug line of a call shows this much of its params. */
#define LOG_PARAMS_SIZE 4096

static void
log_call (VdsmRpcConnection *conn, const char *flow_id, const char *method,
          JsonNode *id, JsonNode *params)
{
  g_autofree char *id_text = NULL;
  g_autofree char *params_text = NULL;
  char flow_log[VDSM_RPC_LOG_TEXT_SIZE], method_log[VDSM_RPC_LOG_TEXT_SIZE];
  char id_log[VDSM_RPC_LOG_TEXT_SIZE], params_log[LOG_PARAMS_SIZE];

  if (!vdsm_rpc_log_enabled (G_LOG_LEVEL_DEBUG))
    return;
  id_text = id ? vdsm_rpc_redact_json (id) : g_strdup ("(notification)");
  params_text = params ? vdsm_rpc_redact_json (params) : g_strdup ("{}");
  g_debug ("connection %" G_GUINT64_FORMAT ": flow_id=%s call %s id=%s params=%s", conn->id,
           vdsm_rpc_log_text (flow_log, sizeof flow_log, flow_id ? flow_id : "", -1),
           vdsm_rpc_log_text (method_log, sizeof method_log, method, -1),
           vdsm_rpc_log_text (id_log, sizeof id_log, id_text, -1),
           vdsm_rpc_log_text (params_log, sizeof params_log, params_text, -1));
}

static void dispatch_request (VdsmRpcServer *server, VdsmRpcBatch *batch, guint slot,
                              const char *name, JsonNode *id, JsonNode *params,
                              const char *flow_id);

/* Checks the envelope of a request from the whole tree, wording VDSM's
 * errors for every way it can be wrong. */
static void
handle_request (VdsmRpcServer *server, VdsmRpcBatch *batch, guint slot,
                JsonNode *request, const char *flow_id)
{
  JsonObject *object;
  JsonNode *id = NULL, *version, *method_node, *params = NULL;

  if (!JSON_NODE_HOLDS_OBJECT (request))
    {
      invalid_request (batch, slot, request, NULL, "Wrong protocol version");
      return;
    }
  object = json_node_get_object (request);
  id = json_object_get_member (object, "id");
  if (id && JSON_NODE_HOLDS_NULL (id))
    id = NULL;

  /* Envelope errors are answered even without an id: the client should
   * learn its request was not understood. */
  version = json_object_get_member (object, "jsonrpc");
  if (version == NULL || json_node_get_value_type (version) != G_TYPE_STRING ||
      strcmp (json_node_get_string (version), "2.0") != 0)
    {
      invalid_request (batch, slot, request, id, "Wrong protocol version");
      return;
    }
  method_node = json_object_get_member (object, "method");
  if (method_node == NULL || json_node_get_value_type (method_node) != G_TYPE_STRING)
    {
      invalid_request (batch, slot, request, id, "missing method header in method");
      return;
    }
  if (json_object_has_member (object, "params"))
    {
      params = json_object_get_member (object, "params");
      if (!JSON_NODE_HOLDS_OBJECT (params) && !JSON_NODE_HOLDS_ARRAY (params))
        {
          invalid_request (batch, slot, request, id, "wrong params type");
          return;
        }
    }
  dispatch_request (server, batch, slot, json_node_get_string (method_node), id, params,
                    flow_id);
}

/* A request whose envelope is sound: @id NULL for a notification, @params
 * NULL when absent. */
static void
dispatch_request (VdsmRpcServer *server, VdsmRpcBatch *batch, guint slot, const char *name,
                  JsonNode *id, JsonNode *params, const char *flow_id)
{
  const VdsmSchemaMethod *schema_method;
  const VdsmRpcMethod *method;
  VdsmRpcJob *job;

  log_call (batch->conn, flow_id, name, id, params);

  /* The method before its params, as vdsm. */
  schema_method = vdsm_schema_lookup_method (server->schema, name);
  method = g_hash_table_lookup (server->methods, name);
  if (schema_method == NULL || method == NULL || method->invoke == NULL)
    {
      g_autoptr(GString) message = NULL;
      gboolean unserved = method != NULL && schema_method != NULL;

      if (id == NULL)
        {
          char name_log[VDSM_RPC_LOG_TEXT_SIZE];

          vdsm_rpc_message_limited (server, "notification for %s method %s ignored",
                                    unserved ? "unserved" : "unknown",
                                    vdsm_rpc_log_text (name_log, sizeof name_log, name, -1));
          return;
        }
      /* VDSM's text for a verb it lacks, so clients that match on it keep
       * working; a method of the API this server does not implement says
       * so in a reason. */
      message = vdsm_error_message_new (VDSM_ERROR_METHOD_NOT_FOUND);
      g_string_append (message, "{'method': ");
      vdsm_rpc_pyrepr_string (message, name);
      if (unserved)
        g_string_append (message, ", 'reason': 'defined by the API but not served by this server'");
      g_string_append_c (message, '}');
      batch_reply_error (batch, slot, id, VDSM_ERROR_METHOD_NOT_FOUND, message->str);
      return;
    }

  job = g_new0 (VdsmRpcJob, 1);
  job->server = g_object_ref (server);
  job->method = method;
  job->schema_method = schema_method;
  job->params = params ? json_node_ref (params) : NULL;
  job->id = id ? json_node_ref (id) : NULL;
  job->flow_id = g_strdup (flow_id);
  job->local_address = g_strdup (batch->conn->local_address);
  job->start = g_get_monotonic_time ();
  if (id != NULL)
    {
      job->batch = batch;
      job->slot = slot;
      batch->pending++;
    }

  if (!vdsm_rpc_worker_submit (server, job))
    {
      guint queued = g_thread_pool_unprocessed (server->pool);
      char name_log[VDSM_RPC_LOG_TEXT_SIZE];

      if (id != NULL)
        batch->pending--;
      vdsm_rpc_job_free (job);
      vdsm_rpc_message_limited (server, "request queue full (%u tasks): %s refused", queued,
                                vdsm_rpc_log_text (name_log, sizeof name_log, name, -1));
      if (id != NULL)
        {
          g_autoptr(GString) message = vdsm_error_message_new (VDSM_ERROR_NOT_ENOUGH_RESOURCES);

          g_string_append_printf (message, "{'resource': 'jsonrpc', 'current_tasks': %u, "
                                  "'reason': 'Too many tasks'}", queued);
          batch_reply_error (batch, slot, id, VDSM_ERROR_NOT_ENOUGH_RESOURCES, message->str);
        }
    }
}

/* ---- Plain requests: the envelope without a tree ---- */

/* Larger batches take the generic way. */
#define MAX_PLAIN_BATCH 8

typedef struct {
  char *method;
  JsonNode *id;                     /* NULL: notification */
  JsonNode *params;                 /* NULL: absent */
} PlainRequest;

static void
plain_request_clear (PlainRequest *request)
{
  g_free (request->method);
  g_clear_pointer (&request->id, json_node_unref);
  g_clear_pointer (&request->params, json_node_unref);
}

/* One request object of the shape clients send: members among "jsonrpc":
 * "2.0", "method" (a string), "params" (an object or an array) and "id",
 * each at most once, the first two present. Anything else returns FALSE,
 * and the whole body goes the generic way, which words the errors. */
static gboolean
read_plain_request (VdsmJsonReader *reader, PlainRequest *request)
{
  guint seen = 0;
  gsize length;

  if (!vdsm_json_reader_skip (reader, '{'))
    return FALSE;
  do
    {
      const char *key = vdsm_json_reader_string (reader, &length);
      const char *text;
      guint member;

      if (key == NULL || !vdsm_json_reader_skip (reader, ':'))
        return FALSE;
      member = strcmp (key, "jsonrpc") == 0 ? 1 : strcmp (key, "method") == 0 ? 2
             : strcmp (key, "params") == 0 ? 4 : strcmp (key, "id") == 0 ? 8 : 0;
      if (member == 0 || (seen & member))
        return FALSE;
      seen |= member;
      switch (member)
        {
        case 1:
          text = vdsm_json_reader_string (reader, &length);
          if (text == NULL || strcmp (text, "2.0") != 0)
            return FALSE;
          break;
        case 2:
          text = vdsm_json_reader_string (reader, &length);
          if (text == NULL)
            return FALSE;
          request->method = g_strndup (text, length);
          break;
        case 4:
          request->params = vdsm_json_reader_value (reader);
          if (request->params == NULL ||
              !(JSON_NODE_HOLDS_OBJECT (request->params) || JSON_NODE_HOLDS_ARRAY (request->params)))
            return FALSE;
          break;
        default:
          request->id = vdsm_json_reader_value (reader);
          if (request->id == NULL)
            return FALSE;
          if (JSON_NODE_HOLDS_NULL (request->id))
            g_clear_pointer (&request->id, json_node_unref);
          break;
        }
    }
  while (vdsm_json_reader_skip (reader, ','));
  return vdsm_json_reader_skip (reader, '}') && (seen & 3) == 3;
}

/* A body of one plain request, or a batch of up to MAX_PLAIN_BATCH. Fills
 * @requests (to be cleared even on failure) and returns how many, or 0. */
static guint
read_plain_body (VdsmRpcServer *server, const char *body, gsize length,
                 PlainRequest requests[MAX_PLAIN_BATCH])
{
  VdsmJsonReader reader;
  guint n = 0;

  /* No error: a failure here is not the client's, only a detour. */
  vdsm_json_reader_init (&reader, body, length, server->json_scratch, NULL);
  if (!vdsm_json_reader_skip (&reader, '['))
    n = read_plain_request (&reader, &requests[0]) ? 1 : 0;
  else
    {
      do
        if (n == MAX_PLAIN_BATCH || !read_plain_request (&reader, &requests[n++]))
          return 0;
      while (vdsm_json_reader_skip (&reader, ','));
      if (!vdsm_json_reader_skip (&reader, ']'))
        return 0;
    }
  return vdsm_json_reader_at_end (&reader) ? n : 0;
}

/* ---- Any other body ---- */

/* The one reply to a body that is wrong as a whole. */
static void
reply_alone (VdsmRpcConnection *conn, const char *reply_to, int code, const char *message)
{
  VdsmRpcBatch *batch = batch_new (conn, reply_to, 1, FALSE);

  batch_reply_error (batch, 0, NULL, code, message);
  batch_release (batch);
}

static void
reply_unparsable (VdsmRpcConnection *conn, const char *reply_to, const char *why)
{
  char reason[VDSM_RPC_LOG_TEXT_SIZE];

  vdsm_rpc_message_limited (conn->server, "connection %" G_GUINT64_FORMAT
                            ": unparsable request: %s", conn->id,
                            vdsm_rpc_log_text (reason, sizeof reason, why, -1));
  reply_alone (conn, reply_to, VDSM_ERROR_PARSE, vdsm_error_code_message (VDSM_ERROR_PARSE));
}

/* A body that is not a batch, as a tree. */
static void
handle_body (VdsmRpcConnection *conn, const char *reply_to, const char *flow_id,
             const char *body, gsize length)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = vdsm_json_parse_data (body, length, &error);
  VdsmRpcBatch *batch;

  if (root == NULL)
    {
      reply_unparsable (conn, reply_to, error->message);
      return;
    }
  batch = batch_new (conn, reply_to, 1, FALSE);
  handle_request (conn->server, batch, 0, root, flow_id);
  batch_release (batch);
}

/* ---- Batches, a slice at a time ---- */

/* Per main-loop iteration a batch handles this many requests, or this
 * much of its text, at most: about the work of one read of a connection;
 * then the others get their turn (docs/architecture.md). */
#define SLICE_REQUESTS 64
#define SLICE_BYTES VDSM_RPC_READ_BUFFER_SIZE

/* A batch is read twice. First it is checked: it must be JSON before any
 * of its requests runs, and at most max-batch-length long. Then its
 * requests are dispatched, each parsed again when its turn comes: no tree
 * of the whole batch is ever held (1.25 M pings made 1.77 GB of them). */
typedef struct {
  VdsmRpcConnection *conn;          /* a ref */
  VdsmStompFrame *send;             /* a ref: the body */
  char *reply_to;
  char *flow_id;
  VdsmJsonReader reader;            /* in the body */
  GError *error;                    /* of @reader */
  guint length;                     /* requests checked, then all of them */
  guint next;                       /* the next to dispatch */
  VdsmRpcBatch *batch;              /* while dispatching */
  GSource *source;                  /* runs the next slice */
} BatchRun;

static const char *
batch_run_body (BatchRun *run, gsize *length)
{
  return vdsm_stomp_frame_get_body (run->send, length);
}

/* The reader at the first request. */
static void
batch_run_rewind (BatchRun *run)
{
  gsize length;
  const char *body = batch_run_body (run, &length);

  vdsm_json_reader_init (&run->reader, body, length, run->conn->server->json_scratch,
                         &run->error);
  vdsm_json_reader_skip (&run->reader, '[');
  /* Nesting counts from the array, as when the body is parsed whole. */
  run->reader.depth = 1;
}

static void
batch_run_free (BatchRun *run)
{
  gsize length;

  /* Cut short: what was dispatched is answered, to nobody. */
  if (run->batch != NULL)
    batch_release (run->batch);
  if (run->source != NULL)
    {
      g_source_destroy (run->source);
      g_source_unref (run->source);
    }
  batch_run_body (run, &length);
  vdsm_rpc_connection_count_held (run->conn, -(gssize) length, 0);
  vdsm_rpc_connection_reply_done (run->conn);
  vdsm_rpc_connection_unref (run->conn);
  vdsm_stomp_frame_unref (run->send);
  g_free (run->reply_to);
  g_free (run->flow_id);
  g_clear_error (&run->error);
  g_free (run);
}

/* Returns TRUE: the run is over. */
static gboolean
batch_run_unparsable (BatchRun *run, const char *expected)
{
  g_autofree char *why = NULL;

  if (run->error == NULL)
    why = g_strdup_printf ("JSON text, byte %" G_GSIZE_FORMAT ": %s",
                           (gsize) (run->reader.p - run->reader.start), expected);
  reply_unparsable (run->conn, run->reply_to, why ? why : run->error->message);
  return TRUE;
}

/* Returns TRUE: the run is over. */
static gboolean
batch_run_too_long (BatchRun *run)
{
  VdsmRpcConnection *conn = run->conn;
  guint limit = conn->server->max_batch_length;
  g_autoptr(GString) message = vdsm_error_message_new (VDSM_ERROR_INVALID_REQUEST);

  g_string_append_printf (message, "{'reason': 'the batch has more than %u requests, "
                          "the most this server takes'}", limit);

  vdsm_rpc_message_limited (conn->server, "connection %" G_GUINT64_FORMAT " (%s): batch "
                            "refused: more than %u requests (max-batch-length)", conn->id,
                            conn->peer, limit);
  reply_alone (conn, run->reply_to, VDSM_ERROR_INVALID_REQUEST, message->str);
  return TRUE;
}

/* Returns TRUE: the run is over. */
static gboolean
batch_run_empty (BatchRun *run)
{
  g_autoptr(GString) message = vdsm_error_message_new (VDSM_ERROR_INVALID_REQUEST);

  g_string_append (message, "{'request': [], 'reason': 'request batch is empty'}");
  reply_alone (run->conn, run->reply_to, VDSM_ERROR_INVALID_REQUEST, message->str);
  return TRUE;
}

/* Checks one request. Past the last one, dispatching starts. Returns
 * TRUE: the run is over. */
static gboolean
batch_run_check (BatchRun *run)
{
  g_autoptr(JsonNode) request = NULL;

  if (run->length == 0 && vdsm_json_reader_skip (&run->reader, ']'))
    {
      if (!vdsm_json_reader_at_end (&run->reader))
        return batch_run_unparsable (run, "the end of the text expected");
      return batch_run_empty (run);
    }
  request = vdsm_json_reader_value (&run->reader);
  if (request == NULL)
    return batch_run_unparsable (run, NULL);
  /* Refused once the first request past the limit is read: the rest of
   * the text does not matter. */
  if (++run->length > run->conn->server->max_batch_length)
    return batch_run_too_long (run);
  if (vdsm_json_reader_skip (&run->reader, ','))
    return FALSE;
  if (!vdsm_json_reader_skip (&run->reader, ']') || !vdsm_json_reader_at_end (&run->reader))
    return batch_run_unparsable (run, "',' or ']' and then the end of the text expected");

  batch_run_rewind (run);
  /* The Python client always wraps one request: it gets a bare object. */
  run->batch = batch_new (run->conn, run->reply_to, run->length, run->length > 1);
  return FALSE;
}

/* Checks or dispatches one request. Returns TRUE: the run is over. */
static gboolean
batch_run_step (BatchRun *run)
{
  g_autoptr(JsonNode) request = NULL;

  if (run->batch == NULL)
    return batch_run_check (run);
  request = vdsm_json_reader_value (&run->reader);
  /* The same text read the same way: it was checked. */
  g_assert (request != NULL);
  handle_request (run->conn->server, run->batch, run->next++, request, run->flow_id);
  if (run->next < run->length)
    {
      vdsm_json_reader_skip (&run->reader, ',');
      return FALSE;
    }
  batch_release (g_steal_pointer (&run->batch));
  return TRUE;
}

/* Returns TRUE: the run is over. */
static gboolean
batch_run_slice (BatchRun *run)
{
  gsize text = 0;

  for (guint i = 0; i < SLICE_REQUESTS && text < SLICE_BYTES; i++)
    {
      const char *before = run->reader.p;

      if (batch_run_step (run))
        return TRUE;
      /* Rewinding goes back. */
      if (run->reader.p > before)
        text += run->reader.p - before;
    }
  return FALSE;
}

static gboolean
on_batch_slice (gpointer data)
{
  BatchRun *run = data;
  g_autoptr(VdsmRpcConnection) conn = vdsm_rpc_connection_ref (run->conn);

  if (vdsm_rpc_connection_is_open (conn) && !batch_run_slice (run))
    return G_SOURCE_CONTINUE;
  batch_run_free (run);
  vdsm_rpc_connection_resume_input (conn);
  return G_SOURCE_REMOVE;
}

static void
batch_run_start (VdsmRpcConnection *conn, const char *reply_to, const char *flow_id,
                 VdsmStompFrame *send)
{
  BatchRun *run = g_new0 (BatchRun, 1);
  gsize length;

  run->conn = vdsm_rpc_connection_ref (conn);
  /* Its replies are pending from the start, checking included: a client
   * that half-closes gets them all (docs/protocol.md §5.4). */
  vdsm_rpc_connection_reply_pending (conn);
  run->send = vdsm_stomp_frame_ref (send);
  run->reply_to = g_strdup (reply_to);
  run->flow_id = g_strdup (flow_id);
  batch_run_body (run, &length);
  vdsm_rpc_connection_count_held (conn, length, 0);
  batch_run_rewind (run);
  if (batch_run_slice (run))
    {
      batch_run_free (run);
      return;
    }
  /* The rest in turns with the other connections; this one's next
   * frames wait. */
  vdsm_rpc_connection_pause_input (conn);
  run->source = g_idle_source_new ();
  g_source_set_priority (run->source, G_PRIORITY_DEFAULT);
  g_source_set_callback (run->source, on_batch_slice, run, NULL);
  vdsm_rpc_source_attach (run->source, "vdsm-rpc-batch", conn->server);
}

/* ---- Entry point ---- */

void
vdsm_rpc_jsonrpc_handle (VdsmRpcConnection *conn, const char *reply_to,
                         const char *flow_id, VdsmStompFrame *send)
{
  PlainRequest requests[MAX_PLAIN_BATCH] = { { 0 } };
  gsize length;
  const char *body = vdsm_stomp_frame_get_body (send, &length);
  guint n = read_plain_body (conn->server, body, length, requests);
  VdsmJsonReader peek;

  vdsm_json_reader_init (&peek, body, length, conn->server->json_scratch, NULL);
  if (n > 0 && n <= conn->server->max_batch_length)
    {
      /* The Python client always wraps one request: it gets a bare object. */
      VdsmRpcBatch *batch = batch_new (conn, reply_to, n, n > 1);

      for (guint i = 0; i < n; i++)
        dispatch_request (conn->server, batch, i, requests[i].method, requests[i].id,
                          requests[i].params, flow_id);
      batch_release (batch);
    }
  else if (vdsm_json_reader_peek (&peek) == '[')
    batch_run_start (conn, reply_to, flow_id, send);
  else
    handle_body (conn, reply_to, flow_id, body, length);
  for (guint i = 0; i < MAX_PLAIN_BATCH; i++)
    plain_request_clear (&requests[i]);
}
