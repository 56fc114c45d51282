/* vdsm-error.c: the VDSM_ERROR domain and VDSM's fixed error texts.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vdsm-error.h"

#include <stdlib.h>

G_DEFINE_QUARK (vdsm-error-quark, vdsm_error)

G_DEFINE_ENUM_TYPE (VdsmError, vdsm_error,
  G_DEFINE_ENUM_VALUE (VDSM_ERROR_PARSE, "parse"),
  G_DEFINE_ENUM_VALUE (VDSM_ERROR_INVALID_REQUEST, "invalid-request"),
  G_DEFINE_ENUM_VALUE (VDSM_ERROR_METHOD_NOT_FOUND, "method-not-found"),
  G_DEFINE_ENUM_VALUE (VDSM_ERROR_INVALID_PARAMS, "invalid-params"),
  G_DEFINE_ENUM_VALUE (VDSM_ERROR_INTERNAL, "internal"),
  G_DEFINE_ENUM_VALUE (VDSM_ERROR_NO_SUCH_VM, "no-such-vm"),
  G_DEFINE_ENUM_VALUE (VDSM_ERROR_VM_DOWN, "vm-down"),
  G_DEFINE_ENUM_VALUE (VDSM_ERROR_UNEXPECTED, "unexpected"),
  G_DEFINE_ENUM_VALUE (VDSM_ERROR_DESTROY, "destroy"),
  G_DEFINE_ENUM_VALUE (VDSM_ERROR_RECOVERING, "recovering"),
  G_DEFINE_ENUM_VALUE (VDSM_ERROR_GENERAL, "general"),
  G_DEFINE_ENUM_VALUE (VDSM_ERROR_NOT_ENOUGH_RESOURCES, "not-enough-resources"))

typedef struct {
  int code;
  const char *message;
} CodeMessage;

/* VDSM's texts, sorted by code for bsearch. The JSON-RPC texts are the fixed
 * part VDSM puts before its details. */
static const CodeMessage code_messages[] = {
  { -32700, "Invalid JSON was received by the server. An error occurred on the server while parsing the JSON text." },
  { -32605, "No response for JSON-RPC request" },
  { -32604, "Missing bindings for JSON-RPC." },
  { -32603, "Internal JSON-RPC error" },
  { -32602, "Invalid method parameter(s)" },
  { -32601, "The method does not exist or is not available" },
  { -32600, "Invalid request" },
  { 0, "Done" },
  { 1, "Virtual machine does not exist" },
  { 3, "Image repository access timeout" },
  { 4, "Virtual machine already exists" },
  { 5, "Unsupported VM type" },
  { 6, "Virtual machine is down" },
  { 7, "Copy failed" },
  { 8, "Sparse creation failed" },
  { 9, "Error creating the requested VM" },
  { 10, "Could not connect to peer VDS" },
  { 11, "Missing required parameter" },
  { 12, "Fatal error during migration" },
  { 13, "Drive image file could not be found" },
  { 14, "Not enough free memory to create VM" },
  { 16, "Unexpected exception" },
  { 17, "Unsupported image format" },
  { 18, "Error while setting spice ticket" },
  { 19, "Guest agent non-responsive" },
  { 36, "Unsupported drive type" },
  { 37, "LUN does not exist" },
  { 40, "Resource unavailable" },
  { 41, "Failed to change disk image" },
  { 42, "Virtual machine destroy error" },
  { 43, "Unsupported fencing agent" },
  { 44, "Not implemented" },
  { 45, "Failed to hotplug disk" },
  { 46, "Failed to hotunplug disk" },
  { 47, "Migration not in progress (cancel failed)" },
  { 48, "Snapshot failed" },
  { 49, "Failed to hotplug NIC" },
  { 50, "Failed to hotunplug NIC" },
  { 51, "Command not supported during migration" },
  { 52, "Merge failed" },
  { 53, "Balloon operation is not available" },
  { 54, "Failed to set mom policy" },
  { 55, "Drive replication error" },
  { 56, "Failed to update device" },
  { 57, "Failed to read hardware information" },
  { 58, "Wrong resize disk parameter" },
  { 59, "Action not permitted on a VM with transient disks" },
  { 60, "Failed to set the number of cpus" },
  { 61, "Failed to set Hosted Engine HA policy" },
  { 62, "CpuTune operation is not available" },
  { 63, "Failed to update VM SLA policy" },
  { 64, "Failed to update ioTune values" },
  { 65, "error connecting to hypervisor" },
  { 66, "Job Id does not exists" },
  { 67, "OVF file does not exists" },
  { 68, "Job status is not done" },
  { 69, "Job id already exists" },
  { 70, "Failed to hotplug memory" },
  { 71, "Failed to update KSM values" },
  { 72, "Bad secret request" },
  { 73, "Error registering Libvirt secret" },
  { 74, "Error unregistering Libvirt secret" },
  { 75, "Operation not supported" },
  { 76, "Unable to freeze guest filesystems" },
  { 77, "Unable to thaw guest filesystems" },
  { 78, "Hook error" },
  { 79, "Destination volume is too small" },
  { 80, "Job does not support aborting" },
  { 81, "Migration not in progress" },
  { 82, "Incoming migration limit exceeded" },
  { 83, "Could not detach host device" },
  { 84, "Job is not active" },
  { 85, "Failed to hotunplug memory" },
  { 86, "Failed to hotplug lease" },
  { 87, "Failed to hotunplug lease" },
  { 88, "Replication not in progress." },
  { 89, "Failed to handle external VM data" },
  { 90, "Failed to reset VM." },
  { 91, "Invalid parameter" },
  { 99, "Recovering from crash or Initializing" },
  { 100, "General Exception" },
  { 101, "Invalid configuration value" },
  { 102, "Error occurred during migration" },
  { 443, "Action was stopped" },
  { 1100, "Not enough resources" },
  { 1500, "Hook Error" },
  { 1600, "Backup Error" },
  { 1601, "No such backup Error" },
  { 1610, "Checkpoint Error" },
  { 1611, "No such checkpoint Error" },
  { 1612, "Inconsistent checkpoint Error" },
  { 1620, "Failed to add bitmap" },
  { 1621, "Failed to merge bitmaps" },
  { 1622, "Failed to remove bitmap" },
  { 1630, "Cannot prepare image" },
  { 1640, "Drive refresh error" },
  { 1650, "Cannot refresh disk" },
  { 1651, "Disk refresh not supported" },
};

static int
compare_code (const void *key, const void *entry)
{
  int code = *(const int *) key;
  int other = ((const CodeMessage *) entry)->code;

  return (code > other) - (code < other);
}

/**
 * vdsm_error_code_message:
 * @code: a VDSM or JSON-RPC error code
 *
 * VDSM's fixed text for @code, as the server puts it in an error's
 * `message` (for the JSON-RPC codes, the text before VDSM's details).
 *
 * Returns: (nullable): the text, or %NULL for a code VDSM does not define
 *   outside its storage and gluster ranges
 */
const char *
vdsm_error_code_message (int code)
{
  const CodeMessage *found = bsearch (&code, code_messages,
                                      G_N_ELEMENTS (code_messages),
                                      sizeof code_messages[0], compare_code);

  return found != NULL ? found->message : NULL;
}
