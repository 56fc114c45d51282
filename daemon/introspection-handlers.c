/* introspection-handlers.c: Host.getApiSchema, the schema vdsmd serves as
 * JSON, so that clients can discover the API at run time.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "vdsm-rpc-dispatch.h"
#include "vdsm-rpc-handlers.h"
#include "vdsmd-context.h"

/* What daemon/served-methods.txt declared, as the generated table holds it. */
static GPtrArray *
served_method_names (void)
{
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);

  for (gsize i = 0; i < vdsm_rpc_n_methods; i++)
    if (vdsm_rpc_methods[i].invoke != NULL)
      g_ptr_array_add (names, g_strdup (vdsm_rpc_methods[i].name));
  return names;
}

VdsmApiSchema *
vdsmd_host_get_api_schema (VdsmRpcCall *call, GError **error)
{
  VdsmdContext *ctx = call->user_data;
  VdsmApiSchema *result = vdsm_api_schema_new ();

  result->version = g_strdup (PACKAGE_VERSION);
  result->schema = json_node_ref (ctx->api_schema);
  result->served = served_method_names ();
  return result;
}
