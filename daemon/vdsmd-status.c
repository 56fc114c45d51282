/* vdsmd-status.c: VDSM records (generated types) describing one domain.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "vdsmd-status.h"

#include "vdsmd-domain.h"

VdsmVmStatus
vdsmd_vm_status (int state, int reason)
{
  VdsmVmStatus status = VDSM_VM_STATUS_DOWN;

  /* Every text vdsmd_domain_status_text() returns is a VmStatus value. */
  if (!vdsm_vm_status_from_string (vdsmd_domain_status_text (state, reason),
                                   &status))
    g_assert_not_reached ();
  return status;
}

VdsmStatusDetails *
vdsmd_status_details_new (const char *vm_id, int state, int reason)
{
  VdsmStatusDetails *d = vdsm_status_details_new ();

  d->status = vdsmd_vm_status (state, reason);
  if (!vdsmd_domain_state_is_active (state))
    {
      VdsmdExitInfo exit = vdsmd_domain_exit_info (state, reason);

      d->vm_id = g_strdup (vm_id);
      d->has_exit_code = TRUE;
      d->exit_code = exit.code;
      d->has_exit_reason = TRUE;
      d->exit_reason = exit.reason;
      d->exit_message = g_strdup (exit.message);
    }
  else if (state == VIR_DOMAIN_PAUSED)
    d->pause_code = g_strdup (vdsmd_domain_pause_code (state, reason));
  return d;
}

static VdsmVmStats *
exited_stats_new (const char *vm_id, int state, int reason)
{
  VdsmVmStats *stats = vdsm_vm_stats_new ();
  VdsmExitedVmStats *e = vdsm_exited_vm_stats_new ();
  VdsmdExitInfo exit = vdsmd_domain_exit_info (state, reason);

  e->vm_id = g_strdup (vm_id);
  e->status = vdsmd_vm_status (state, reason);
  e->exit_code = exit.code;
  e->exit_reason = exit.reason;
  e->exit_message = g_strdup (exit.message);
  stats->kind = VDSM_VM_STATS_KIND_EXITED_VM_STATS;
  stats->exited_vm_stats = e;
  return stats;
}

/* Percentage of guest memory in use, from the balloon driver; FALSE when
 * the guest does not report it. */
static gboolean
memory_usage (virDomainPtr dom, guint64 *percent)
{
  virDomainMemoryStatStruct st[VIR_DOMAIN_MEMORY_STAT_NR];
  int n = virDomainMemoryStats (dom, st, VIR_DOMAIN_MEMORY_STAT_NR, 0);
  guint64 available = 0, unused = 0;
  gboolean have_available = FALSE, have_unused = FALSE;

  for (int i = 0; i < n; i++)
    if (st[i].tag == VIR_DOMAIN_MEMORY_STAT_AVAILABLE)
      {
        available = st[i].val;
        have_available = TRUE;
      }
    else if (st[i].tag == VIR_DOMAIN_MEMORY_STAT_UNUSED)
      {
        unused = st[i].val;
        have_unused = TRUE;
      }
  if (!have_available || !have_unused || available == 0 || unused > available)
    return FALSE;
  *percent = (available - unused) * 100 / available;
  return TRUE;
}

static VdsmVmStats *
running_stats_new (VdsmdContext *ctx, virDomainPtr dom, const char *vm_id,
                   int state, int reason, const virDomainInfo *info)
{
  VdsmVmStats *stats = vdsm_vm_stats_new ();
  VdsmRunningVmStats *r = vdsm_running_vm_stats_new ();
  guint64 mem_percent;

  r->vm_id = g_strdup (vm_id);
  r->status = vdsmd_vm_status (state, reason);
  r->vm_name = g_strdup (virDomainGetName (dom));
  r->elapsed_time = g_strdup_printf ("%" G_GUINT64_FORMAT,
                                     vdsmd_context_running_seconds (ctx,
                                                                    vm_id));
  /* libvirt answered for this domain just now, so its monitor responds. */
  r->monitor_response = g_strdup ("0");
  r->pause_code = g_strdup (vdsmd_domain_pause_code (state, reason));
  r->vcpu_count = g_strdup_printf ("%u", (guint) info->nrVirtCpu);
  r->cpu_usage = g_strdup_printf ("%llu", info->cpuTime);
  if (memory_usage (dom, &mem_percent))
    r->mem_usage = g_strdup_printf ("%" G_GUINT64_FORMAT, mem_percent);
  stats->kind = VDSM_VM_STATS_KIND_RUNNING_VM_STATS;
  stats->running_vm_stats = r;
  return stats;
}

VdsmVmStats *
vdsmd_vm_stats_new (VdsmdContext *ctx, virDomainPtr dom, GError **error)
{
  char uuid[VIR_UUID_STRING_BUFLEN];
  virDomainInfo info;
  int state, reason;

  if (virDomainGetUUIDString (dom, uuid) < 0 ||
      virDomainGetState (dom, &state, &reason, 0) < 0 ||
      virDomainGetInfo (dom, &info) < 0)
    {
      vdsmd_set_libvirt_error (error, "to describe a VM");
      return NULL;
    }
  if (!vdsmd_domain_state_is_active (state))
    return exited_stats_new (uuid, state, reason);
  return running_stats_new (ctx, dom, uuid, state, reason, &info);
}
