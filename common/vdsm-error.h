/* vdsm-error.h: the VDSM_ERROR domain shared by the client library and the
 * daemon. Codes are the numbers VDSM puts on the wire as the JSON-RPC error
 * code, so a GError crosses the connection unchanged.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * VDSM_ERROR:
 *
 * The error domain of VDSM's JSON-RPC errors; the codes are #VdsmError
 * values or any other code a server sent.
 */
#define VDSM_ERROR (vdsm_error_quark ())

/**
 * VdsmError:
 * @VDSM_ERROR_PARSE: the request body is not JSON (-32700)
 * @VDSM_ERROR_INVALID_REQUEST: not a valid JSON-RPC request (-32600)
 * @VDSM_ERROR_METHOD_NOT_FOUND: the method is not in the schema (-32601)
 * @VDSM_ERROR_INVALID_PARAMS: the params do not match the schema (-32602)
 * @VDSM_ERROR_INTERNAL: any other failure on the server (-32603)
 * @VDSM_ERROR_NO_SUCH_VM: the virtual machine does not exist (1)
 * @VDSM_ERROR_VM_DOWN: the virtual machine is down (6)
 * @VDSM_ERROR_UNEXPECTED: an unexpected exception (16)
 * @VDSM_ERROR_DESTROY: destroying the virtual machine failed (42)
 * @VDSM_ERROR_RECOVERING: the server is still starting up (99)
 * @VDSM_ERROR_GENERAL: a general exception (100)
 * @VDSM_ERROR_NOT_ENOUGH_RESOURCES: the request queue is full (1100)
 *
 * The codes libvdsm itself produces. A #GError in %VDSM_ERROR may carry any
 * other code the server sent; vdsm_error_code_message() knows VDSM's text for
 * most of them.
 */
typedef enum {
  VDSM_ERROR_PARSE = -32700,
  VDSM_ERROR_INVALID_REQUEST = -32600,
  VDSM_ERROR_METHOD_NOT_FOUND = -32601,
  VDSM_ERROR_INVALID_PARAMS = -32602,
  VDSM_ERROR_INTERNAL = -32603,
  VDSM_ERROR_NO_SUCH_VM = 1,
  VDSM_ERROR_VM_DOWN = 6,
  VDSM_ERROR_UNEXPECTED = 16,
  VDSM_ERROR_DESTROY = 42,
  VDSM_ERROR_RECOVERING = 99,
  VDSM_ERROR_GENERAL = 100,
  VDSM_ERROR_NOT_ENOUGH_RESOURCES = 1100,
} VdsmError;

/* GObject introspection pairs vdsm_error_quark() with the enum VdsmError;
 * C code may use either name. */
typedef VdsmError VdsmErrorCode;

GQuark vdsm_error_quark (void);

#define VDSM_TYPE_ERROR (vdsm_error_get_type ())
GType vdsm_error_get_type (void);

const char *vdsm_error_code_message (int code);

G_END_DECLS
