/* vdsm-client-private.h: what the generated typed calls use of VdsmClient
 * beyond its public API (not installed, not in the GIR).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "vdsm-client.h"

G_BEGIN_DECLS

/* vdsm_client_call() and vdsm_client_call_sync() with the params already
 * written as the JSON text of an object or array (NULL: `{}`): the typed
 * calls write their arguments as text, and a tree in between would only
 * be parsed to be written again. Finish with vdsm_client_call_finish(). */
void vdsm_client_call_json (VdsmClient *client, const char *method, const char *params_json,
                            GCancellable *cancellable, GAsyncReadyCallback callback,
                            gpointer user_data);
JsonNode *vdsm_client_call_json_sync (VdsmClient *client, const char *method,
                                      const char *params_json, GCancellable *cancellable,
                                      GError **error);

G_END_DECLS
