/* host-handlers.c: the Host.* methods of api/vdsm-api.yml over libvirt
 * that describe VMs (Host.getStats and Host.getCapabilities have files of
 * their own).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <libvirt/libvirt.h>

#include "vdsm-rpc-handlers.h"
#include "vdsmd-context.h"
#include "vdsmd-domain.h"
#include "vdsmd-domain-stats.h"
#include "vdsmd-status.h"

gboolean
vdsmd_host_ping (VdsmRpcCall *call, GError **error)
{
  return TRUE;
}

static gboolean
uuid_requested (GPtrArray *vm_list, const char *uuid)
{
  if (vm_list == NULL || vm_list->len == 0)
    return TRUE;
  for (guint i = 0; i < vm_list->len; i++)
    if (g_ascii_strcasecmp (g_ptr_array_index (vm_list, i), uuid) == 0)
      return TRUE;
  return FALSE;
}

/* @host: NULL unless the full status is wanted. */
static VdsmVmInfo *
vm_info_new (VdsmdContext *ctx, virDomainPtr dom, const char *uuid,
             const VdsmdDefinitionHost *host, gboolean only_uuid,
             GError **error)
{
  g_autoptr(VdsmVmInfo) info = vdsm_vm_info_new ();
  int state, reason;

  if (host == NULL && only_uuid)
    {
      info->kind = VDSM_VM_INFO_KIND_UUID;
      info->uuid = g_strdup (uuid);
      return g_steal_pointer (&info);
    }

  if (virDomainGetState (dom, &state, &reason, 0) < 0)
    {
      vdsmd_set_libvirt_error (error, "to describe a VM");
      return NULL;
    }
  if (host != NULL)
    {
      info->vm_definition = vdsmd_vm_definition_new (ctx, dom, uuid, state,
                                                     reason, host, error);
      if (info->vm_definition == NULL)
        return NULL;
      info->kind = VDSM_VM_INFO_KIND_VM_DEFINITION;
    }
  else
    {
      VdsmVmShortStatus *st = vdsm_vm_short_status_new ();

      st->vm_id = g_strdup (uuid);
      st->status = vdsmd_vm_status (state, reason);
      info->kind = VDSM_VM_INFO_KIND_VM_SHORT_STATUS;
      info->vm_short_status = st;
    }
  return g_steal_pointer (&info);
}

GPtrArray *
vdsmd_host_get_vm_list (VdsmRpcCall *call, gboolean has_full_status,
                        gboolean full_status, GPtrArray *vm_list,
                        gboolean has_only_uuid, gboolean only_uuid,
                        GError **error)
{
  VdsmdContext *ctx = call->user_data;
  g_auto(VdsmdDomainList) doms = { NULL, 0 };
  g_autoptr(GPtrArray) result = NULL;
  g_auto(VdsmdDefinitionHost) host = { FALSE, NULL };

  if (!vdsmd_domain_list_all (ctx->conn, &doms, error))
    return NULL;
  if (full_status)
    vdsmd_definition_host_init (ctx, &host);
  result = g_ptr_array_new_with_free_func ((GDestroyNotify) vdsm_vm_info_free);
  for (int i = 0; i < doms.n; i++)
    {
      char uuid[VIR_UUID_STRING_BUFLEN];
      g_autoptr(GError) local = NULL;
      VdsmVmInfo *info;

      if (!vdsmd_domain_uuid_string (doms.doms[i], uuid))
        {
          vdsmd_set_libvirt_error (error, "to read a VM's UUID");
          return NULL;
        }
      if (!uuid_requested (vm_list, uuid))
        continue;
      info = vm_info_new (ctx, doms.doms[i], uuid,
                          full_status ? &host : NULL, only_uuid, &local);
      if (info == NULL && vdsmd_domain_vanished ())
        continue;
      if (info == NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return NULL;
        }
      g_ptr_array_add (result, info);
    }
  return g_steal_pointer (&result);
}

static GPtrArray *
sample_all_vm_stats (VdsmdContext *ctx, GError **error)
{
  g_autoptr(VdsmdDomainStatsList) list = NULL;
  GPtrArray *result;

  list = vdsmd_domain_stats_list_all (ctx->conn, error);
  if (list == NULL)
    return NULL;
  result = g_ptr_array_new_full ((guint) list->n,
                                 (GDestroyNotify) vdsm_vm_stats_free);
  for (gsize i = 0; i < list->n; i++)
    {
      g_autoptr(GError) local = NULL;
      VdsmVmStats *stats = vdsmd_vm_stats_new (ctx, &list->items[i], &local);

      if (stats != NULL)
        g_ptr_array_add (result, stats);
      else if (!vdsmd_domain_vanished ())
        {
          g_propagate_error (error, g_steal_pointer (&local));
          g_ptr_array_unref (result);
          return NULL;
        }
    }
  return result;
}

GPtrArray *
vdsmd_host_get_all_vm_stats (VdsmRpcCall *call, GError **error)
{
  VdsmdContext *ctx = call->user_data;
  G_GNUC_UNUSED g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&ctx->vm_stats_lock);
  guint generation = (guint) g_atomic_int_get (&ctx->vm_generation);

  if (ctx->vm_stats_sample == NULL || ctx->vm_stats_generation != generation ||
      g_get_monotonic_time () - ctx->vm_stats_sampled_at >= ctx->vm_stats_max_age_us)
    {
      gint64 started = g_get_monotonic_time ();
      GPtrArray *sample = sample_all_vm_stats (ctx, error);

      if (sample == NULL)
        return NULL;
      g_clear_pointer (&ctx->vm_stats_sample, g_ptr_array_unref);
      ctx->vm_stats_sample = sample;
      ctx->vm_stats_sampled_at = started;
      /* A change during the sampling makes the next call sample again. */
      ctx->vm_stats_generation = generation;
    }
  return g_ptr_array_ref (ctx->vm_stats_sample);
}
