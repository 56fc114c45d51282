/* vdsmd-status.h: VDSM records (generated types) describing one domain.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include <libvirt/libvirt.h>

#include "vdsm-types.h"
#include "vdsmd-context.h"
#include "vdsmd-domain-stats.h"

G_BEGIN_DECLS

/* The VmStatus value of a libvirt state and reason. */
VdsmVmStatus vdsmd_vm_status (int state, int reason);

/* The status details of a |virt|VM_status| event for a domain that is now
 * in @state/@reason. */
VdsmStatusDetails *vdsmd_status_details_new (const char *vm_id, int state,
                                             int reason);

/* The VmStats record of a domain with statistics @s, with rates over the
 * interval since its previous record (whose counters @ctx keeps); NULL when
 * libvirt cannot give the domain's definition. */
VdsmVmStats *vdsmd_vm_stats_new (VdsmdContext *ctx,
                                 const VdsmdDomainStats *s, GError **error);

/* What a VmDefinition needs to know of the host, read once per call. */
typedef struct {
  gboolean thp_enabled;     /* transparent huge pages not "never" */
  char *pid_dir;            /* vdsmd_qemu_pid_dir () */
} VdsmdDefinitionHost;

void vdsmd_definition_host_init (VdsmdContext *ctx,
                                 VdsmdDefinitionHost *host);
void vdsmd_definition_host_clear (VdsmdDefinitionHost *host);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (VdsmdDefinitionHost,
                                  vdsmd_definition_host_clear)

/* The VmDefinition of @dom (UUID @vm_id, in @state/@reason), as VDSM's
 * full status described a VM from its domain XML; NULL when libvirt
 * cannot give the definition. */
VdsmVmDefinition *vdsmd_vm_definition_new (VdsmdContext *ctx,
                                           virDomainPtr dom,
                                           const char *vm_id, int state,
                                           int reason,
                                           const VdsmdDefinitionHost *host,
                                           GError **error);

G_END_DECLS
