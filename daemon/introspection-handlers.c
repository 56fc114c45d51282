/* introspection-handlers.c: Host.getApiSchema, the schema vdsmd serves as
 * JSON, so that clients can discover the API at run time.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "vdsm-rpc-handlers.h"
#include "vdsmd-context.h"

VdsmApiSchema *
vdsmd_host_get_api_schema (VdsmRpcCall *call, GError **error)
{
  VdsmdContext *ctx = call->user_data;
  VdsmApiSchema *result = vdsm_api_schema_new ();

  result->version = g_strdup (PACKAGE_VERSION);
  result->schema = json_node_ref (ctx->api_schema);
  return result;
}
