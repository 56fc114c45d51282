/* vdsm.h: the umbrella header of libvdsm-1.0.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "vdsm-error.h"
#include "vdsm-types.h"
#include "vdsm-client.h"
#include "vdsm-client-methods.h"
