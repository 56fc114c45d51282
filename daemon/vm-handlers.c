/* vm-handlers.c: the VM.* methods of api/vdsm-api.yml over libvirt.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "vdsm-error-private.h"
#include "vdsm-rpc-handlers.h"
#include "vdsmd-context.h"
#include "vdsmd-domain.h"
#include "vdsmd-status.h"

/* Each graceful attempt may take libvirt seconds; a caller must not be able
 * to keep a worker busy for ever. */
#define MAX_GRACEFUL_ATTEMPTS 10

GPtrArray *
vdsmd_vm_get_stats (VdsmRpcCall *call, const char *vm_id, GError **error)
{
  VdsmdContext *ctx = call->user_data;
  g_autoptr(virDomain) dom = vdsmd_domain_lookup (ctx->conn, vm_id, error);
  g_autoptr(GPtrArray) result = NULL;
  VdsmdDomainStats stats = { 0 };
  VdsmVmStats *record;

  if (dom == NULL)
    return NULL;
  record = vdsmd_domain_stats_read (dom, &stats, error)
           ? vdsmd_vm_stats_new (ctx, &stats, error) : NULL;
  vdsmd_domain_stats_clear (&stats);
  if (record == NULL)
    return NULL;
  result = g_ptr_array_new_with_free_func ((GDestroyNotify) vdsm_vm_stats_free);
  g_ptr_array_add (result, record);
  return g_steal_pointer (&result);
}

static gboolean
is_active (virDomainPtr dom)
{
  int state, reason;

  return virDomainGetState (dom, &state, &reason, 0) == 0 &&
         vdsmd_domain_state_is_active (state);
}

/* Like VDSM: ask the emulator to exit (SIGTERM) a few times, then kill it. */
static gboolean
destroy_active (virDomainPtr dom, const char *vm_id, guint64 attempts, GError **error)
{
  g_autofree char *reason = NULL;

  for (guint64 i = 0; i < attempts; i++)
    {
      if (virDomainDestroyFlags (dom, VIR_DOMAIN_DESTROY_GRACEFUL) == 0)
        return TRUE;
      char vm_log[VDSM_RPC_LOG_TEXT_SIZE], reason_log[VDSM_RPC_LOG_TEXT_SIZE];

      g_debug ("graceful destroy of %s failed: %s",
               vdsm_rpc_log_text (vm_log, sizeof vm_log, vm_id, -1),
               vdsm_rpc_log_text (reason_log, sizeof reason_log, virGetLastErrorMessage (), -1));
      if (!is_active (dom))
        return TRUE;
    }
  if (virDomainDestroy (dom) == 0)
    return TRUE;
  /* Read the message before the next libvirt call replaces it. */
  reason = g_strdup (virGetLastErrorMessage ());
  if (!is_active (dom))
    return TRUE;

  vdsm_error_set (error, VDSM_ERROR_DESTROY, "{'vmId': '%s', 'reason': '%s'}", vm_id, reason);
  return FALSE;
}

gboolean
vdsmd_vm_destroy (VdsmRpcCall *call, const char *vm_id,
                  gboolean has_graceful_attempts, guint64 graceful_attempts,
                  GError **error)
{
  VdsmdContext *ctx = call->user_data;
  g_autoptr(virDomain) dom = vdsmd_domain_lookup (ctx->conn, vm_id, error);
  gboolean destroyed;

  if (dom == NULL)
    return FALSE;
  /* VDSM answers success for a VM that is down already. */
  if (!is_active (dom))
    return TRUE;
  destroyed = destroy_active (dom, vm_id, MIN (graceful_attempts, MAX_GRACEFUL_ATTEMPTS),
                              error);
  /* The lifecycle event will say so too, but a caller may ask for stats
   * before libvirt delivers it. */
  vdsmd_context_vms_changed (ctx);
  return destroyed;
}
