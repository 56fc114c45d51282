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
  ctx->counters = g_hash_table_new_full (
    g_str_hash, g_str_equal, g_free,
    (GDestroyNotify) vdsmd_domain_counters_free);
  ctx->client_ips = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                           g_free);
  ctx->definitions = g_hash_table_new_full (
    g_str_hash, g_str_equal, g_free, (GDestroyNotify) vdsmd_domain_xml_unref);
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
  g_hash_table_unref (ctx->counters);
  g_hash_table_unref (ctx->client_ips);
  g_hash_table_unref (ctx->definitions);
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
  /* Its counters start again from zero when it runs again. */
  g_hash_table_remove (ctx->counters, vm_id);
  g_hash_table_remove (ctx->client_ips, vm_id);
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

VdsmdDomainCounters *
vdsmd_context_swap_counters (VdsmdContext *ctx, const char *vm_id,
                             VdsmdDomainCounters *counters)
{
  G_GNUC_UNUSED g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&ctx->lock);
  gpointer key = NULL, previous = NULL;

  if (g_hash_table_steal_extended (ctx->counters, vm_id, &key, &previous))
    g_free (key);
  g_hash_table_insert (ctx->counters, g_strdup (vm_id), counters);
  return previous;
}

VdsmdDomainXml *
vdsmd_context_definition (VdsmdContext *ctx, virDomainPtr dom,
                          const char *vm_id, GError **error)
{
  VdsmdDomainXml *xml;

  g_mutex_lock (&ctx->lock);
  xml = g_hash_table_lookup (ctx->definitions, vm_id);
  if (xml != NULL)
    vdsmd_domain_xml_ref (xml);
  g_mutex_unlock (&ctx->lock);
  if (xml != NULL)
    return xml;

  /* Read without the lock: libvirt may take a while. A change reported
   * meanwhile may be overwritten by this older reading; the next change
   * drops it again. */
  xml = vdsmd_domain_xml_read (dom, error);
  if (xml == NULL)
    return NULL;
  g_mutex_lock (&ctx->lock);
  g_hash_table_replace (ctx->definitions, g_strdup (vm_id),
                        vdsmd_domain_xml_ref (xml));
  g_mutex_unlock (&ctx->lock);
  return xml;
}

void
vdsmd_context_definition_changed (VdsmdContext *ctx, const char *vm_id)
{
  G_GNUC_UNUSED g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&ctx->lock);

  g_hash_table_remove (ctx->definitions, vm_id);
}

void
vdsmd_context_display_client (VdsmdContext *ctx, const char *vm_id,
                              const char *address, gboolean connected)
{
  G_GNUC_UNUSED g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&ctx->lock);

  if (connected && address[0] != '\0')
    g_hash_table_replace (ctx->client_ips, g_strdup (vm_id),
                          g_strdup (address));
  else if (!connected &&
           g_strcmp0 (g_hash_table_lookup (ctx->client_ips, vm_id),
                      address) == 0)
    g_hash_table_remove (ctx->client_ips, vm_id);
}

char *
vdsmd_context_client_ip (VdsmdContext *ctx, const char *vm_id)
{
  G_GNUC_UNUSED g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&ctx->lock);
  const char *ip = g_hash_table_lookup (ctx->client_ips, vm_id);

  return g_strdup (ip != NULL ? ip : "");
}
