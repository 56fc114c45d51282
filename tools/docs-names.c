/* docs-names.c: page names and anchors of the HTML API reference.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "docs-names.h"

#include <string.h>

struct _DocsNames {
  GHashTable *type_ids;   /* const VdsmSchemaType* -> char* */
};

/* Schema keys are arbitrary YAML scalars: keep letters, digits, '_', '.'
 * and '-', and write any other byte as ~XX, so that the result is a valid
 * id, file name and URL fragment, and distinct texts stay distinct. */
static void
append_safe (GString *out, const char *text)
{
  for (const unsigned char *p = (const unsigned char *) text; *p != '\0'; p++)
    {
      if (g_ascii_isalnum (*p) || *p == '_' || *p == '.' || *p == '-')
        g_string_append_c (out, (char) *p);
      else
        g_string_append_printf (out, "~%02X", *p);
    }
}

static char *
safe_with_prefix (const char *prefix, const char *text)
{
  GString *out = g_string_new (prefix);

  append_safe (out, text);
  return g_string_free (out, FALSE);
}

/**
 * docs_names_new:
 * @schema: a loaded schema
 *
 * Returns: (transfer full): the anchors of @schema's types.
 */
DocsNames *
docs_names_new (VdsmSchema *schema)
{
  DocsNames *names = g_new0 (DocsNames, 1);
  GPtrArray *types = vdsm_schema_get_types (schema);
  g_autoptr (GHashTable) taken = g_hash_table_new (g_str_hash, g_str_equal);

  names->type_ids = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  for (guint i = 0; i < types->len; i++)
    {
      const VdsmSchemaType *type = g_ptr_array_index (types, i);
      GString *id = g_string_new ("type-");

      append_safe (id, type->key);
      if (g_hash_table_contains (taken, id->str))
        {
          g_autofree char *base = g_path_get_basename (type->file->path);

          g_string_append_c (id, '.');
          append_safe (id, base);
          /* the same key twice in one file's name: number the later ones */
          for (guint n = 2; g_hash_table_contains (taken, id->str); n++)
            g_string_append_printf (id, "-%u", n);
        }
      g_hash_table_insert (names->type_ids, (gpointer) type, id->str);
      g_hash_table_add (taken, id->str);
      g_string_free (id, FALSE);
    }
  return names;
}

void
docs_names_free (DocsNames *names)
{
  if (names == NULL)
    return;
  g_hash_table_unref (names->type_ids);
  g_free (names);
}

char *
docs_names_namespace_page (const char *ns)
{
  g_autofree char *stem = safe_with_prefix ("ns-", ns);

  return g_strconcat (stem, ".html", NULL);
}

char *
docs_names_method_id (const VdsmSchemaMethod *method)
{
  return safe_with_prefix ("", method->name);
}

char *
docs_names_event_id (const VdsmSchemaEvent *event)
{
  g_autofree char *name = g_strdup_printf ("%s.%s", event->ns, event->name);

  return safe_with_prefix ("event-", name);
}

const char *
docs_names_type_id (DocsNames *names, const VdsmSchemaType *type)
{
  return g_hash_table_lookup (names->type_ids, type);
}

char *
docs_names_method_href (const VdsmSchemaMethod *method)
{
  g_autofree char *page = docs_names_namespace_page (method->ns);
  g_autofree char *id = docs_names_method_id (method);

  return g_strdup_printf ("%s#%s", page, id);
}

char *
docs_names_event_href (const VdsmSchemaEvent *event)
{
  g_autofree char *id = docs_names_event_id (event);

  return g_strdup_printf (DOCS_EVENTS_PAGE "#%s", id);
}

char *
docs_names_type_href (DocsNames *names, const VdsmSchemaType *type)
{
  const char *id = docs_names_type_id (names, type);

  return id != NULL ? g_strdup_printf (DOCS_TYPES_PAGE "#%s", id) : NULL;
}
