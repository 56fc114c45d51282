/* libvirt-events.h: turns libvirt domain life-cycle events into VDSM's
 * |virt|VM_status| events.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

#include "vdsm-rpc-server.h"
#include "vdsmd-context.h"

G_BEGIN_DECLS

typedef struct _VdsmdLibvirtEvents VdsmdLibvirtEvents;

/* Must run before the libvirt connection is opened: installs libvirt's
 * default event loop implementation and starts the thread that runs it. */
VdsmdLibvirtEvents *vdsmd_libvirt_events_new (GError **error);

/* Subscribe to the life-cycle events of @ctx's connection and publish them
 * through @server. Both must outlive the subscription. */
gboolean vdsmd_libvirt_events_subscribe (VdsmdLibvirtEvents *events,
                                         VdsmdContext *ctx,
                                         VdsmRpcServer *server,
                                         GError **error);

/* Unsubscribe and stop the event thread. */
void vdsmd_libvirt_events_free (VdsmdLibvirtEvents *events);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VdsmdLibvirtEvents, vdsmd_libvirt_events_free)

G_END_DECLS
