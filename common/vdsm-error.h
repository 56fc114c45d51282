/* vdsm-error.h: the VDSM_ERROR domain shared by the client library and the
 * daemon. Codes are the numbers VDSM puts on the wire as the JSON-RPC error
 * code, so a GError crosses the connection unchanged; the named ones come
 * from common/error-codes.txt (vdsm-error-codes.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib-object.h>

#include "vdsm-error-codes.h"
#include "vdsm-visibility.h"

G_BEGIN_DECLS

/**
 * VDSM_ERROR:
 *
 * The error domain of VDSM's JSON-RPC errors; the codes are #VdsmError
 * values or any other code a server sent.
 */
#define VDSM_ERROR (vdsm_error_quark ())

/* GObject introspection pairs vdsm_error_quark() with the enum VdsmError;
 * C code may use either name. */
typedef VdsmError VdsmErrorCode;

VDSM_AVAILABLE_IN_ALL
GQuark vdsm_error_quark (void);

VDSM_AVAILABLE_IN_ALL
const char *vdsm_error_code_message (int code);

G_END_DECLS
