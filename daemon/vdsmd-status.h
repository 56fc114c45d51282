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

/* The VmStats record of a domain with statistics @s. */
VdsmVmStats *vdsmd_vm_stats_new (VdsmdContext *ctx,
                                 const VdsmdDomainStats *s);

G_END_DECLS
