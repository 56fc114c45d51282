/* vdsmd-context.c: the state every handler of vdsmd shares.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "vdsmd-context.h"

#include "vdsmd-host-info.h"

VdsmdContext *
vdsmd_context_new (virConnectPtr conn)
{
  VdsmdContext *ctx = g_new0 (VdsmdContext, 1);

  ctx->conn = conn;
  ctx->start_time = g_get_monotonic_time ();
  g_mutex_init (&ctx->lock);
  g_mutex_init (&ctx->vm_stats_lock);
  ctx->running_since = g_hash_table_new_full (g_str_hash, g_str_equal,
                                              g_free, g_free);
  ctx->ksmd_pid = vdsmd_kernel_thread_find ("/proc", "ksmd");
  vdsmd_host_sample_take (conn, ctx->ksmd_pid, &ctx->host_sample);
  return ctx;
}

void
vdsmd_context_free (VdsmdContext *ctx)
{
  if (ctx == NULL)
    return;
  g_hash_table_unref (ctx->running_since);
  g_clear_pointer (&ctx->api_schema, json_node_unref);
  g_mutex_clear (&ctx->lock);
  vdsmd_host_sample_clear (&ctx->host_sample);
  g_clear_pointer (&ctx->vm_stats_sample, g_ptr_array_unref);
  g_mutex_clear (&ctx->vm_stats_lock);
  if (ctx->conn != NULL)
    virConnectClose (ctx->conn);
  g_free (ctx);
}

static void
set_running_since (VdsmdContext *ctx, const char *vm_id, gint64 when)
{
  gint64 *value = g_new (gint64, 1);

  *value = when;
  g_hash_table_insert (ctx->running_since, g_strdup (vm_id), value);
}

guint64
vdsmd_context_running_seconds (VdsmdContext *ctx, const char *vm_id)
{
  G_GNUC_UNUSED g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&ctx->lock);
  gint64 now = g_get_monotonic_time ();
  const gint64 *since = g_hash_table_lookup (ctx->running_since, vm_id);

  if (since == NULL)
    {
      set_running_since (ctx, vm_id, now);
      return 0;
    }
  return (guint64) ((now - *since) / G_USEC_PER_SEC);
}

void
vdsmd_context_vm_started (VdsmdContext *ctx, const char *vm_id)
{
  G_GNUC_UNUSED g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&ctx->lock);

  set_running_since (ctx, vm_id, g_get_monotonic_time ());
}

void
vdsmd_context_vm_stopped (VdsmdContext *ctx, const char *vm_id)
{
  G_GNUC_UNUSED g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&ctx->lock);

  g_hash_table_remove (ctx->running_since, vm_id);
}

void
vdsmd_context_swap_host_sample (VdsmdContext *ctx, VdsmdHostSample *sample)
{
  G_GNUC_UNUSED g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&ctx->lock);
  VdsmdHostSample previous = ctx->host_sample;

  ctx->host_sample = *sample;
  *sample = previous;
}

void
vdsmd_context_vms_changed (VdsmdContext *ctx)
{
  g_atomic_int_inc (&ctx->vm_generation);
}
