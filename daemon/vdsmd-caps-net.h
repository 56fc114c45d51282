/* vdsmd-caps-net.h: the network members of Host.getCapabilities, as VDSM's
 * netinfo reports the host's devices (lib/vdsm/network/netinfo/cache.py).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

#include "vdsm-types.h"

G_BEGIN_DECLS

/* Fill nics, bondings, bridges, vlans, networks, nameservers,
 * supportsIPv6, netConfigDirty and lastClientIface of @caps;
 * @local_address is the address the caller reached vdsmd at (NULL for a
 * unix socket). */
void vdsmd_caps_net_fill (VdsmVdsmCapabilities *caps,
                          const char *local_address);

G_END_DECLS
