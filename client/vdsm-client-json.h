/* vdsm-client-json.h: guards for JSON text received from the network
 * (internal).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Deepest array/object nesting accepted in a message. json-glib's parser
 * recurses once per level and overflows the stack near 100 000 levels;
 * VDSM's deepest documents nest about ten. */
#define VDSM_CLIENT_JSON_MAX_DEPTH 512

/* Fails with G_IO_ERROR_INVALID_DATA when @data nests arrays and objects
 * deeper than VDSM_CLIENT_JSON_MAX_DEPTH. Brackets inside strings do not
 * count; anything else is left to the JSON parser. */
gboolean vdsm_client_json_check_depth (const char *data, gsize length, GError **error);

G_END_DECLS
