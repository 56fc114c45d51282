/* introspection-handlers.c: Host.getApiSchema, the schema vdsmd serves as
 * JSON, so that clients can discover the API at run time.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <gio/gio.h>

#include "vdsm-rpc-handlers.h"
#include "vdsm-schema.h"

/* The embedded YAML vdsmd validates calls against (api/meson.build). */
#define SCHEMA_RESOURCE_DIR "/org/ovirt/vdsm/schema/"

static const char *const schema_files[] = { "vdsm-api.yml", "vdsm-events.yml" };

/* The document never changes, so it is built on first use and shared,
 * sealed, by every answer. */
G_LOCK_DEFINE_STATIC (document);
static JsonNode *document;

static JsonNode *
build_document (GError **error)
{
  g_autoptr(VdsmSchema) schema = vdsm_schema_new ();
  JsonNode *root;

  for (gsize i = 0; i < G_N_ELEMENTS (schema_files); i++)
    {
      g_autofree char *path = g_strconcat (SCHEMA_RESOURCE_DIR, schema_files[i], NULL);
      g_autoptr(GBytes) bytes = g_resources_lookup_data (path, G_RESOURCE_LOOKUP_FLAGS_NONE,
                                                         error);
      gsize len;
      const char *data;

      if (bytes == NULL)
        return NULL;
      data = g_bytes_get_data (bytes, &len);
      if (!vdsm_schema_load_data (schema, schema_files[i], data, len,
                                  VDSM_SCHEMA_LOAD_DEFAULT, error))
        return NULL;
    }
  root = vdsm_schema_to_json (schema);
  json_node_seal (root);
  return root;
}

VdsmApiSchema *
vdsmd_host_get_api_schema (VdsmRpcCall *call, GError **error)
{
  g_autoptr(VdsmApiSchema) result = vdsm_api_schema_new ();
  JsonNode *doc;

  G_LOCK (document);
  if (document == NULL)
    document = build_document (error);
  doc = document != NULL ? json_node_ref (document) : NULL;
  G_UNLOCK (document);
  if (doc == NULL)
    {
      g_prefix_error (error, "cannot load the API schema: ");
      return NULL;
    }
  result->version = g_strdup (PACKAGE_VERSION);
  result->schema = doc;
  return g_steal_pointer (&result);
}
