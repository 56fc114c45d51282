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

/* Decimal text of @value: g_strdup_printf() would cost more than the rest
 * of a record when a large host's records are written. */
static char *
uint_text (guint64 value)
{
  char buf[24];
  char *p = buf + sizeof buf;

  *--p = '\0';
  do
    *--p = (char) ('0' + value % 10);
  while ((value /= 10) != 0);
  return g_strdup (p);
}

static VdsmVmStats *
running_stats_new (VdsmdContext *ctx, const VdsmdDomainStats *s)
{
  VdsmVmStats *stats = vdsm_vm_stats_new ();
  VdsmRunningVmStats *r = vdsm_running_vm_stats_new ();

  r->vm_id = g_strdup (s->uuid);
  r->status = vdsmd_vm_status (s->state, s->reason);
  r->vm_name = g_strdup (s->name);
  r->elapsed_time = uint_text (vdsmd_context_running_seconds (ctx, s->uuid));
  /* libvirt answered for this domain just now, so its monitor responds. */
  r->monitor_response = g_strdup ("0");
  r->pause_code = g_strdup (vdsmd_domain_pause_code (s->state, s->reason));
  r->vcpu_count = uint_text (s->vcpus);
  r->cpu_usage = uint_text (s->cpu_time);
  if (s->has_mem_usage)
    r->mem_usage = uint_text (s->mem_usage);
  stats->kind = VDSM_VM_STATS_KIND_RUNNING_VM_STATS;
  stats->running_vm_stats = r;
  return stats;
}

VdsmVmStats *
vdsmd_vm_stats_new (VdsmdContext *ctx, const VdsmdDomainStats *s)
{
  if (!vdsmd_domain_state_is_active (s->state))
    return exited_stats_new (s->uuid, s->state, s->reason);
  return running_stats_new (ctx, s);
}
