/* vdsm-rpc-worker.c: running handlers off the I/O thread and bringing
 * their replies back to it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vdsm-rpc-private.h"
#include "vdsm-error.h"
#include "vdsm-json.h"

#include <string.h>

#define RESULT_MEMBER "\"result\": "

/* The flow id of @job for a log line. */
static const char *
log_flow_id (VdsmRpcJob *job, char buf[VDSM_RPC_LOG_TEXT_SIZE])
{
  return vdsm_rpc_log_text (buf, VDSM_RPC_LOG_TEXT_SIZE, job->flow_id ? job->flow_id : "", -1);
}

void
vdsm_rpc_job_free (VdsmRpcJob *job)
{
  if (job->timeout != NULL)
    {
      g_source_destroy (job->timeout);
      g_source_unref (job->timeout);
    }
  g_object_unref (job->server);
  g_clear_pointer (&job->params, json_node_unref);
  g_clear_pointer (&job->id, json_node_unref);
  g_free (job->flow_id);
  g_free (job->local_address);
  if (job->reply)
    g_string_free (job->reply, TRUE);
  g_free (job);
}

/* A validator's or reader's message for the log: it quotes the request's
 * values, so one that names a secret is withheld. */
static const char *
log_details (const char *message, char buf[VDSM_RPC_LOG_TEXT_SIZE])
{
  if (vdsm_rpc_text_may_hold_secret (message))
    return "(details withheld: they name a secret)";
  return vdsm_rpc_log_text (buf, VDSM_RPC_LOG_TEXT_SIZE, message, -1);
}

/* strict-replies: the result text against the method's return type. A
 * violation is a bug in a handler; the log line is meant to be found. */
static gboolean
check_result (VdsmRpcJob *job, const char *text, gsize length, GError **error)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(JsonNode) result = vdsm_json_parse_data (text, length, &local);

  if (result == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                 "strict replies: %s wrote a result that is not JSON: %s",
                 job->method->name, local->message);
  else if (!vdsm_schema_validate_result (job->schema_method, result,
                                         &local))
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                 "strict replies: the result of %s does not match the schema: %s",
                 job->method->name, local->message);
  else
    return TRUE;

  {
    char flow[VDSM_RPC_LOG_TEXT_SIZE], details[VDSM_RPC_LOG_TEXT_SIZE];

    g_message ("STRICT REPLY VIOLATION: flow_id=%s %s", log_flow_id (job, flow),
               log_details ((*error)->message, details));
  }
  return FALSE;
}

/* vdsm_schema_validate_params_full() tells which member each union value
 * was accepted as: the unmarshallers take the same (vdsm-json.h). */
static void
record_union_choice (JsonNode *value, const VdsmSchemaType *type, guint member,
                     gpointer user_data)
{
  VdsmJsonUnionChoices **choices = user_data;

  if (*choices == NULL)
    *choices = vdsm_json_union_choices_new ();
  vdsm_json_union_choices_add (*choices, value, type->key, member);
}

/* Validates, invokes, writes the whole reply. Any thread.
 *
 * The validator alone judges the params and words the -32602 errors
 * (docs/architecture.md, "Validation"); the generated invoke functions
 * only unmarshal what it accepted. */
static void
job_run (VdsmRpcJob *job)
{
  VdsmRpcServer *server = job->server;
  VdsmRpcCall call = { server->user_data, job->method->name, job->flow_id,
                       job->local_address };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) params = NULL;
  g_autoptr(VdsmJsonUnionChoices) choices = NULL;
  VdsmJsonUnionChoices *outer_choices;
  GString *reply = g_string_sized_new (256);
  gsize mark, result_start;
  gboolean ok;

  job->reply = reply;
  vdsm_rpc_write_reply_start (reply, job->id);
  mark = reply->len;

  if (!vdsm_schema_validate_params_full (job->schema_method, job->params, &params,
                                         record_union_choice, &choices, &error))
    {
      char flow[VDSM_RPC_LOG_TEXT_SIZE], details[VDSM_RPC_LOG_TEXT_SIZE];

      vdsm_rpc_message_limited (server, "flow_id=%s %s: invalid params: %s",
                                log_flow_id (job, flow), job->method->name,
                                log_details (error->message, details));
      /* Written as "Invalid method parameter(s): {'reason': …}". */
      error->domain = VDSM_ERROR;
      error->code = VDSM_ERROR_INVALID_PARAMS;
      vdsm_rpc_write_gerror_member (reply, error);
      return;
    }

  g_string_append (reply, RESULT_MEMBER);
  result_start = reply->len;
  if (choices != NULL)
    {
      outer_choices = vdsm_json_union_choices_use (choices);
      ok = job->method->invoke (&call, params, reply, &error);
      vdsm_json_union_choices_use (outer_choices);
    }
  else
    ok = job->method->invoke (&call, params, reply, &error);
  if (g_error_matches (error, VDSM_JSON_UNMARSHAL_ERROR, 0))
    {
      char flow[VDSM_RPC_LOG_TEXT_SIZE], details[VDSM_RPC_LOG_TEXT_SIZE];

      /* fuzz/fuzz-params-differential.c exists to keep this from happening. */
      vdsm_rpc_log_limited (server, G_LOG_LEVEL_WARNING,
                            "BUG: flow_id=%s %s: validator and unmarshaller disagree: %s",
                            log_flow_id (job, flow), job->method->name,
                            log_details (error->message, details));
    }
  else if (ok && error == NULL && reply->len == result_start)
    g_set_error (&error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s returned no result",
                 job->method->name);
  else if (!ok && error == NULL)
    g_set_error (&error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s failed without an error",
                 job->method->name);
  else if (error == NULL && server->strict_replies)
    check_result (job, reply->str + result_start, reply->len - result_start, &error);

  if (error != NULL)
    {
      g_string_truncate (reply, mark);
      vdsm_rpc_write_gerror_member (reply, error);
    }
  else
    g_string_append_c (reply, '}');

  if (vdsm_rpc_log_enabled (G_LOG_LEVEL_INFO))
    {
      double seconds = (g_get_monotonic_time () - job->start) / (double) G_USEC_PER_SEC;
      char flow[VDSM_RPC_LOG_TEXT_SIZE], message[VDSM_RPC_LOG_TEXT_SIZE];

      /* Handlers' messages quote what clients sent (a VM id...). */
      if (error != NULL)
        g_info ("flow_id=%s RPC call %s failed (error %d) in %.2f seconds: %s",
                log_flow_id (job, flow), job->method->name,
                error->domain == VDSM_ERROR ? error->code : VDSM_ERROR_INTERNAL, seconds,
                vdsm_rpc_log_text (message, sizeof message, error->message, -1));
      else
        g_info ("flow_id=%s RPC call %s succeeded in %.2f seconds",
                log_flow_id (job, flow), job->method->name, seconds);
    }
}

/* Back on the I/O thread. */
static void
job_done (VdsmRpcJob *job)
{
  if (g_atomic_int_get (&job->timed_out))
    {
      char flow[VDSM_RPC_LOG_TEXT_SIZE];

      if (job->reply != NULL)
        vdsm_rpc_message_limited (job->server, "flow_id=%s RPC call %s finished after %.2f "
                                  "seconds, too late: result dropped", log_flow_id (job, flow),
                                  job->method->name,
                                  (g_get_monotonic_time () - job->start) / (double) G_USEC_PER_SEC);
      else
        vdsm_rpc_message_limited (job->server, "flow_id=%s RPC call %s timed out before a "
                                  "worker took it: not run", log_flow_id (job, flow),
                                  job->method->name);
    }
  else if (job->batch != NULL)
    vdsm_rpc_batch_complete (job->batch, job->slot, g_steal_pointer (&job->reply));
  vdsm_rpc_job_free (job);
}

/* call-timeout, on the I/O thread: answer now; job_done() drops the
 * result. The worker is not interrupted: a thread cannot be. */
static gboolean
on_call_timeout (gpointer user_data)
{
  VdsmRpcJob *job = user_data;
  guint ms = job->server->call_timeout_ms;
  char flow[VDSM_RPC_LOG_TEXT_SIZE];

  g_atomic_int_set (&job->timed_out, TRUE);
  g_clear_pointer (&job->timeout, g_source_unref);
  vdsm_rpc_message_limited (job->server, "flow_id=%s RPC call %s did not finish within %u ms: "
                            "answered with an error", log_flow_id (job, flow), job->method->name,
                            ms);
  if (job->batch != NULL)
    {
      g_autoptr(GError) error = g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                                             "%s did not finish within %u ms",
                                             job->method->name, ms);
      GString *reply = g_string_sized_new (256);
      VdsmRpcBatch *batch = g_steal_pointer (&job->batch);

      vdsm_rpc_write_reply_start (reply, job->id);
      vdsm_rpc_write_gerror_member (reply, error);
      vdsm_rpc_batch_complete (batch, job->slot, reply);
    }
  return G_SOURCE_REMOVE;
}

static gboolean
on_job_done (gpointer user_data)
{
  job_done (user_data);
  return G_SOURCE_REMOVE;
}

static void
worker_func (gpointer data, gpointer user_data)
{
  VdsmRpcJob *job = data;
  g_autoptr(GSource) source = NULL;

  /* Already answered while it waited for a worker: not worth running. */
  if (!g_atomic_int_get (&job->timed_out))
    job_run (job);
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, on_job_done, job, NULL);
  vdsm_rpc_source_attach (source, "vdsm-rpc-reply", job->server);
}

GThreadPool *
vdsm_rpc_worker_pool_new (VdsmRpcServer *server, GError **error)
{
  return g_thread_pool_new_full (worker_func, server, (GDestroyNotify) vdsm_rpc_job_free,
                                 (gint) server->worker_threads, FALSE, error);
}

gboolean
vdsm_rpc_worker_submit (VdsmRpcServer *server, VdsmRpcJob *job)
{
  if (job->method->flags & VDSM_RPC_METHOD_INLINE)
    {
      job_run (job);
      job_done (job);
      return TRUE;
    }
  if (g_thread_pool_unprocessed (server->pool) >= server->max_queued_tasks)
    return FALSE;
  if (server->call_timeout_ms > 0)
    {
      /* Counted from submission: the client has been waiting since. */
      job->timeout = g_timeout_source_new (server->call_timeout_ms);
      g_source_set_callback (job->timeout, on_call_timeout, job, NULL);
      vdsm_rpc_source_attach (job->timeout, "vdsm-rpc-call-timeout", server);
    }
  return g_thread_pool_push (server->pool, job, NULL);
}
