/* vdsm-client-tool-schema.c: what the vdsm-client tool learns from the
 * embedded schema.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vdsm-client-tool-schema.h"

#include <gio/gio.h>
#include <string.h>

#define RESOURCE_DIR "/org/ovirt/vdsm/schema/"
#define SERVED_RESOURCE RESOURCE_DIR "served-methods.txt"

/* Help text width, and the indentation of descriptions under a name. */
#define WRAP_COLUMNS 78
#define TEXT_INDENT 6

static gboolean
load_resource (VdsmSchema *schema, const char *name, GError **error)
{
  g_autofree char *path = g_strconcat (RESOURCE_DIR, name, NULL);
  g_autoptr(GBytes) data = g_resources_lookup_data (path, G_RESOURCE_LOOKUP_FLAGS_NONE, error);
  gsize length;
  const char *text;

  if (data == NULL)
    return FALSE;
  text = g_bytes_get_data (data, &length);
  return vdsm_schema_load_data (schema, path, text, length, VDSM_SCHEMA_LOAD_DEFAULT, error);
}

VdsmSchema *
tool_schema_load (GHashTable **served, GError **error)
{
  g_autoptr(VdsmSchema) schema = vdsm_schema_new ();
  g_autoptr(GBytes) list = NULL;
  g_autofree char *list_text = NULL;

  if (!load_resource (schema, "vdsm-api.yml", error) ||
      !load_resource (schema, "vdsm-events.yml", error))
    return NULL;
  list = g_resources_lookup_data (SERVED_RESOURCE, G_RESOURCE_LOOKUP_FLAGS_NONE, error);
  if (list == NULL)
    return NULL;
  list_text = g_strndup (g_bytes_get_data (list, NULL), g_bytes_get_size (list));
  *served = vdsm_schema_parse_served (schema, SERVED_RESOURCE, list_text, error);
  if (*served == NULL)
    return NULL;
  return g_steal_pointer (&schema);
}

gboolean
tool_schema_has_namespace (VdsmSchema *schema, const char *ns)
{
  GPtrArray *methods = vdsm_schema_get_methods (schema);

  for (guint i = 0; i < methods->len; i++)
    {
      const VdsmSchemaMethod *method = g_ptr_array_index (methods, i);

      if (g_str_equal (method->ns, ns))
        return TRUE;
    }
  return FALSE;
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static int
compare_methods (gconstpointer a, gconstpointer b)
{
  const VdsmSchemaMethod *ma = *(const VdsmSchemaMethod *const *) a;
  const VdsmSchemaMethod *mb = *(const VdsmSchemaMethod *const *) b;

  return strcmp (ma->verb, mb->verb);
}

GPtrArray *
tool_schema_namespaces (VdsmSchema *schema)
{
  GPtrArray *methods = vdsm_schema_get_methods (schema);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  GPtrArray *names = g_ptr_array_new ();

  for (guint i = 0; i < methods->len; i++)
    {
      const VdsmSchemaMethod *method = g_ptr_array_index (methods, i);

      if (g_hash_table_add (seen, method->ns))
        g_ptr_array_add (names, method->ns);
    }
  g_ptr_array_sort (names, compare_strings);
  return names;
}

GPtrArray *
tool_schema_methods (VdsmSchema *schema, const char *ns)
{
  GPtrArray *all = vdsm_schema_get_methods (schema);
  GPtrArray *methods = g_ptr_array_new ();

  for (guint i = 0; i < all->len; i++)
    {
      const VdsmSchemaMethod *method = g_ptr_array_index (all, i);

      if (g_str_equal (method->ns, ns))
        g_ptr_array_add (methods, (gpointer) method);
    }
  g_ptr_array_sort (methods, compare_methods);
  return methods;
}

static char *
event_name (const VdsmSchemaEvent *event)
{
  return g_strconcat (event->ns, ".", event->name, NULL);
}

GPtrArray *
tool_schema_event_names (VdsmSchema *schema)
{
  GPtrArray *events = vdsm_schema_get_events (schema);
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < events->len; i++)
    g_ptr_array_add (names, event_name (g_ptr_array_index (events, i)));
  g_ptr_array_sort (names, compare_strings);
  return names;
}

gboolean
tool_schema_has_events_matching (VdsmSchema *schema, const char *pattern)
{
  g_autoptr(GPtrArray) names = tool_schema_event_names (schema);

  for (guint i = 0; i < names->len; i++)
    if (g_pattern_match_simple (pattern, g_ptr_array_index (names, i)))
      return TRUE;
  return FALSE;
}

void
tool_schema_list_namespaces (VdsmSchema *schema, GHashTable *served, GString *out)
{
  g_autoptr(GPtrArray) names = tool_schema_namespaces (schema);
  gsize width = 0;

  for (guint i = 0; i < names->len; i++)
    width = MAX (width, strlen (g_ptr_array_index (names, i)));
  for (guint i = 0; i < names->len; i++)
    {
      const char *ns = g_ptr_array_index (names, i);
      g_autoptr(GPtrArray) methods = tool_schema_methods (schema, ns);
      guint n_served = 0;

      for (guint j = 0; j < methods->len; j++)
        {
          const VdsmSchemaMethod *method = g_ptr_array_index (methods, j);

          if (g_hash_table_contains (served, method->name))
            n_served++;
        }
      g_string_append_printf (out, "  %-*s  (%u method%s, %u served by vdsmd)\n", (int) width,
                              ns, methods->len, methods->len == 1 ? "" : "s", n_served);
    }
}

/* Up to the end of the first sentence. */
static char *
first_sentence (const char *text)
{
  const char *end;

  if (text == NULL)
    return g_strdup ("");
  end = strstr (text, ". ");
  return end != NULL ? g_strndup (text, (gsize) (end - text + 1)) : g_strdup (text);
}

void
tool_schema_list_methods (VdsmSchema *schema, GHashTable *served, const char *ns,
                          GString *out)
{
  g_autoptr(GPtrArray) methods = tool_schema_methods (schema, ns);
  gsize width = 0;

  for (guint i = 0; i < methods->len; i++)
    width = MAX (width, strlen (((const VdsmSchemaMethod *) g_ptr_array_index (methods, i))->verb));
  for (guint i = 0; i < methods->len; i++)
    {
      const VdsmSchemaMethod *method = g_ptr_array_index (methods, i);
      g_autofree char *summary = first_sentence (method->description);

      g_string_append_printf (out, "  %-*s  %s%s%s\n", (int) width, method->verb, summary,
                              method->deprecated != NULL ? " (deprecated)" : "",
                              g_hash_table_contains (served, method->name)
                                ? "" : " (not served by vdsmd)");
    }
}

void
tool_schema_list_events (VdsmSchema *schema, GString *out)
{
  GPtrArray *events = vdsm_schema_get_events (schema);
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  gsize width = 0;

  for (guint i = 0; i < events->len; i++)
    {
      g_autofree char *name = event_name (g_ptr_array_index (events, i));

      width = MAX (width, strlen (name));
    }
  for (guint i = 0; i < events->len; i++)
    {
      const VdsmSchemaEvent *event = g_ptr_array_index (events, i);
      g_autofree char *name = event_name (event);
      g_autofree char *summary = first_sentence (event->description);

      g_ptr_array_add (lines, g_strdup_printf ("  %-*s  %s\n", (int) width, name, summary));
    }
  g_ptr_array_sort (lines, compare_strings);
  for (guint i = 0; i < lines->len; i++)
    g_string_append (out, g_ptr_array_index (lines, i));
}

/* Appends @text word-wrapped, every line indented by @indent. */
static void
append_wrapped (GString *out, const char *text, gsize indent)
{
  g_auto(GStrv) words = g_strsplit_set (text, " \t\n", -1);
  gsize column = 0;

  for (guint i = 0; words[i] != NULL; i++)
    {
      gsize length = strlen (words[i]);

      if (length == 0)
        continue;
      if (column > 0 && column + 1 + length > WRAP_COLUMNS)
        {
          g_string_append_c (out, '\n');
          column = 0;
        }
      if (column == 0)
        {
          g_string_append_printf (out, "%*s", (int) indent, "");
          column = indent;
        }
      else
        {
          g_string_append_c (out, ' ');
          column++;
        }
      g_string_append (out, words[i]);
      column += length;
    }
  if (column > 0)
    g_string_append_c (out, '\n');
}

static char *
format_type (const VdsmSchemaTypeRef *ref)
{
  g_autofree char *item = NULL;

  switch (ref->kind)
    {
    case VDSM_SCHEMA_REF_PRIMITIVE:
      return g_strdup (vdsm_schema_primitive_name (ref->primitive));
    case VDSM_SCHEMA_REF_NAMED:
      return g_strdup (ref->type->anonymous ? "object" : ref->type->name);
    case VDSM_SCHEMA_REF_LIST:
      item = format_type (ref->item);
      return g_strdup_printf ("[%s]", item);
    case VDSM_SCHEMA_REF_ANY_OBJECT:
      return g_strdup ("dict");
    case VDSM_SCHEMA_REF_ANY:
    default:
      return g_strdup ("any JSON value");
    }
}

static void
append_enum_values (GString *out, const VdsmSchemaTypeRef *ref)
{
  g_autoptr(GString) values = g_string_new ("One of:");

  if (ref->kind != VDSM_SCHEMA_REF_NAMED || ref->type->kind != VDSM_SCHEMA_KIND_ENUM)
    return;
  for (guint i = 0; i < ref->type->values->len; i++)
    {
      const VdsmSchemaEnumValue *value = g_ptr_array_index (ref->type->values, i);

      g_string_append_printf (values, " '%s'%s", value->text,
                              i + 1 < ref->type->values->len ? "," : ".");
    }
  append_wrapped (out, values->str, TEXT_INDENT);
}

void
tool_schema_describe_method (const VdsmSchemaMethod *method, GString *out)
{
  if (method->description != NULL)
    {
      append_wrapped (out, method->description, 0);
      g_string_append_c (out, '\n');
    }
  if (method->deprecated != NULL)
    g_string_append_printf (out, "Deprecated since %s.\n\n", method->deprecated);

  if (method->params->len == 0)
    g_string_append (out, "Parameters: none\n");
  else
    g_string_append (out, "Parameters:\n");
  for (guint i = 0; i < method->params->len; i++)
    {
      const VdsmSchemaMember *param = g_ptr_array_index (method->params, i);
      g_autofree char *type = format_type (param->type);
      g_autofree char *presence = NULL;

      switch (param->default_kind)
        {
        case VDSM_SCHEMA_DEFAULT_NONE:
          presence = g_strdup ("required");
          break;
        case VDSM_SCHEMA_DEFAULT_VALUE:
          {
            g_autofree char *value = json_to_string (param->default_value, FALSE);
            presence = g_strdup_printf ("optional, default: %s", value);
          }
          break;
        case VDSM_SCHEMA_DEFAULT_NEEDS_UPDATING:
        case VDSM_SCHEMA_DEFAULT_NO_DEFAULT:
        default:
          presence = g_strdup ("optional");
          break;
        }
      g_string_append_printf (out, "  %s (%s, %s)\n", param->name, type, presence);
      if (param->description != NULL)
        append_wrapped (out, param->description, TEXT_INDENT);
      append_enum_values (out, param->type);
    }

  if (method->ret != NULL)
    {
      g_autofree char *type = format_type (method->ret);

      g_string_append_printf (out, "\nReturns: %s\n", type);
      if (method->ret_description != NULL)
        append_wrapped (out, method->ret_description, TEXT_INDENT);
    }
  else
    g_string_append (out, "\nReturns: true\n");
}

static gboolean
is_string_type (const VdsmSchemaTypeRef *ref)
{
  const VdsmSchemaType *type;

  if (ref->kind == VDSM_SCHEMA_REF_PRIMITIVE)
    return ref->primitive == VDSM_SCHEMA_PRIM_STRING;
  if (ref->kind != VDSM_SCHEMA_REF_NAMED)
    return FALSE;

  type = ref->type;
  if (type->kind == VDSM_SCHEMA_KIND_ALIAS)
    return is_string_type (type->source);
  if (type->kind == VDSM_SCHEMA_KIND_ENUM)
    {
      for (guint i = 0; i < type->values->len; i++)
        {
          const VdsmSchemaEnumValue *value = g_ptr_array_index (type->values, i);

          if (json_node_get_value_type (value->typed) != G_TYPE_STRING)
            return FALSE;
        }
      return TRUE;
    }
  return FALSE;
}

const VdsmSchemaMember *
tool_schema_find_param (const VdsmSchemaMethod *method, const char *name)
{
  for (guint i = 0; i < method->params->len; i++)
    {
      const VdsmSchemaMember *param = g_ptr_array_index (method->params, i);

      if (g_str_equal (param->name, name))
        return param;
    }
  return NULL;
}

static void
set_unknown_param_error (const VdsmSchemaMethod *method, const char *name, GError **error)
{
  g_autoptr(GString) names = g_string_new (NULL);

  for (guint i = 0; i < method->params->len; i++)
    {
      const VdsmSchemaMember *param = g_ptr_array_index (method->params, i);

      g_string_append_printf (names, "%s%s", i > 0 ? ", " : "", param->name);
    }
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               "%s has no parameter “%s”; its parameters are: %s", method->name, name,
               names->len > 0 ? names->str : "(none)");
}

JsonNode *
tool_schema_build_params (const VdsmSchemaMethod *method, JsonNode *base,
                          char **assignments, GError **error)
{
  g_autoptr(JsonObject) params = json_object_new ();

  if (base != NULL)
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *value;

      json_object_iter_init (&iter, json_node_get_object (base));
      while (json_object_iter_next (&iter, &name, &value))
        json_object_set_member (params, name, json_node_copy (value));
    }

  for (guint i = 0; assignments != NULL && assignments[i] != NULL; i++)
    {
      const char *equals = strchr (assignments[i], '=');
      g_autofree char *name = NULL;
      const VdsmSchemaMember *param;
      JsonNode *value;

      if (equals == NULL || equals == assignments[i])
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "“%s” is not NAME=VALUE", assignments[i]);
          return NULL;
        }
      name = g_strndup (assignments[i], (gsize) (equals - assignments[i]));
      param = tool_schema_find_param (method, name);
      if (param == NULL)
        {
          set_unknown_param_error (method, name, error);
          return NULL;
        }

      if (is_string_type (param->type))
        {
          value = json_node_init_string (json_node_alloc (), equals + 1);
        }
      else
        {
          g_autoptr(GError) local_error = NULL;
          g_autofree char *type = format_type (param->type);

          value = json_from_string (equals + 1, &local_error);
          if (value == NULL)
            {
              g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "The value of %s (%s) must be JSON: %s", name, type,
                           local_error != NULL ? local_error->message : "empty value");
              return NULL;
            }
        }
      json_object_set_member (params, name, value);
    }

  return json_node_init_object (json_node_alloc (), params);
}

GPtrArray *
tool_schema_param_values (const VdsmSchemaMember *param)
{
  const VdsmSchemaTypeRef *ref = vdsm_schema_type_ref_resolve (param->type);
  GPtrArray *values = g_ptr_array_new ();

  if (ref->kind == VDSM_SCHEMA_REF_PRIMITIVE && ref->primitive == VDSM_SCHEMA_PRIM_BOOLEAN)
    {
      g_ptr_array_add (values, "false");
      g_ptr_array_add (values, "true");
    }
  else if (ref->kind == VDSM_SCHEMA_REF_NAMED && ref->type->kind == VDSM_SCHEMA_KIND_ENUM)
    {
      for (guint i = 0; i < ref->type->values->len; i++)
        {
          const VdsmSchemaEnumValue *value = g_ptr_array_index (ref->type->values, i);

          g_ptr_array_add (values, value->text);
        }
    }
  return values;
}
