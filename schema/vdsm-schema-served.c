/* vdsm-schema-served.c: the list of methods a server implements.
 *
 * A schema defines an API; a server may implement part of it. The part is
 * declared in one text file (daemon/served-methods.txt for vdsmd), read by
 * the generator (which emits handlers for those methods only) and by the
 * docs, so the declaration cannot drift from the code.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vdsm-schema.h"

#include <string.h>

static void
served_error (GError **error, const char *path, guint line, const char *format, const char *name)
{
  g_autofree char *what = g_strdup_printf (format, name);

  g_set_error (error, VDSM_SCHEMA_ERROR, VDSM_SCHEMA_ERROR_LOAD, "%s:%u: %s", path, line, what);
}

GHashTable *
vdsm_schema_parse_served (VdsmSchema *schema, const char *path, const char *text,
                          GError **error)
{
  g_autoptr(GHashTable) served = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *hash = strchr (lines[i], '#');
      const char *name;

      if (hash != NULL)
        *hash = '\0';
      name = g_strstrip (lines[i]);
      if (*name == '\0')
        continue;
      if (vdsm_schema_lookup_method (schema, name) == NULL)
        {
          served_error (error, path, i + 1, "'%s' is not a method of the schema", name);
          return NULL;
        }
      if (!g_hash_table_add (served, g_strdup (name)))
        {
          served_error (error, path, i + 1, "'%s' is listed twice", name);
          return NULL;
        }
    }
  return g_steal_pointer (&served);
}

GHashTable *
vdsm_schema_read_served (VdsmSchema *schema, const char *path, GError **error)
{
  g_autofree char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, error))
    return NULL;
  return vdsm_schema_parse_served (schema, path, text, error);
}
