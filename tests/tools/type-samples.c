/* type-samples.c: sample JSON values from a schema and round trips through
 * generated code, shared by the tools and reference suites.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "type-samples.h"

#include <string.h>

/* Nested optional members stop here, so recursive types end. */
#define MAX_DEPTH 4

static void sample_ref (GString *out, const VdsmSchemaTypeRef *ref, guint depth);

static void
sample_primitive (GString *out, VdsmSchemaPrimitive prim)
{
  switch (prim)
    {
    case VDSM_SCHEMA_PRIM_STRING: g_string_append (out, "\"s\\u00e9\\n\""); break;
    case VDSM_SCHEMA_PRIM_BOOLEAN: g_string_append (out, "true"); break;
    case VDSM_SCHEMA_PRIM_INT: g_string_append (out, "-3"); break;
    case VDSM_SCHEMA_PRIM_UINT: g_string_append (out, "3"); break;
    case VDSM_SCHEMA_PRIM_LONG: g_string_append (out, "-5"); break;
    case VDSM_SCHEMA_PRIM_ULONG: g_string_append (out, "9007199254740993"); break;
    case VDSM_SCHEMA_PRIM_FLOAT: g_string_append (out, "1.5"); break;
    }
}

static void
append_json_string (GString *out, const char *text)
{
  g_autoptr(JsonNode) node = json_node_init_string (json_node_alloc (), text);
  g_autofree char *json = json_to_string (node, FALSE);

  g_string_append (out, json);
}

/* A map key (always a JSON string) that the key type accepts. */
static void
sample_key (GString *out, const VdsmSchemaTypeRef *key_type)
{
  const VdsmSchemaTypeRef *ref = key_type;

  while (ref != NULL && ref->kind == VDSM_SCHEMA_REF_NAMED
         && ref->type->kind == VDSM_SCHEMA_KIND_ALIAS)
    ref = ref->type->source;
  if (ref != NULL && ref->kind == VDSM_SCHEMA_REF_NAMED
      && ref->type->kind == VDSM_SCHEMA_KIND_ENUM && ref->type->values->len > 0)
    {
      const VdsmSchemaEnumValue *v = g_ptr_array_index (ref->type->values, 0);

      append_json_string (out, v->text);
    }
  else if (ref != NULL && ref->kind == VDSM_SCHEMA_REF_PRIMITIVE
           && ref->primitive != VDSM_SCHEMA_PRIM_STRING
           && ref->primitive != VDSM_SCHEMA_PRIM_BOOLEAN)
    g_string_append (out, "\"7\"");
  else
    g_string_append (out, "\"key-1\"");
}

static void
sample_object (GString *out, const VdsmSchemaType *type, guint depth)
{
  gboolean first = TRUE;

  g_string_append_c (out, '{');
  if (type->any_string)
    g_string_append (out, "\"anything\":[1,{\"x\":null}]");
  for (guint i = 0; !type->any_string && type->properties != NULL && i < type->properties->len; i++)
    {
      const VdsmSchemaMember *member = g_ptr_array_index (type->properties, i);

      if (member->default_kind != VDSM_SCHEMA_DEFAULT_NONE && depth >= MAX_DEPTH)
        continue;
      /* An event's no_name param is the params object itself: its members
       * stand next to notify_time (the generator's event types). */
      if (type->key[0] == '|' && strcmp (member->name, "no_name") == 0)
        {
          g_autoptr(GString) rest = g_string_new (NULL);

          sample_ref (rest, member->type, depth + 1);
          if (rest->len <= 2 || rest->str[0] != '{')
            continue;
          if (!first)
            g_string_append_c (out, ',');
          first = FALSE;
          g_string_append_len (out, rest->str + 1, rest->len - 2);
          continue;
        }
      if (!first)
        g_string_append_c (out, ',');
      first = FALSE;
      append_json_string (out, member->name);
      g_string_append_c (out, ':');
      sample_ref (out, member->type, depth + 1);
    }
  g_string_append_c (out, '}');
}

static void
sample_type (GString *out, const VdsmSchemaType *type, guint depth)
{
  switch (type->kind)
    {
    case VDSM_SCHEMA_KIND_OBJECT:
      sample_object (out, type, depth);
      break;
    case VDSM_SCHEMA_KIND_ENUM:
      {
        const VdsmSchemaEnumValue *v = g_ptr_array_index (type->values, 0);
        g_autofree char *text = json_to_string (v->typed, FALSE);

        g_string_append (out, text);
      }
      break;
    case VDSM_SCHEMA_KIND_ALIAS:
      sample_ref (out, type->source, depth);
      break;
    case VDSM_SCHEMA_KIND_MAP:
      g_string_append_c (out, '{');
      sample_key (out, type->key_type);
      g_string_append_c (out, ':');
      sample_ref (out, type->value_type, depth + 1);
      g_string_append_c (out, '}');
      break;
    case VDSM_SCHEMA_KIND_UNION:
      /* Untagged unions pick the first member that fits: sample that one. */
      sample_ref (out, g_ptr_array_index (type->members, 0), depth);
      break;
    }
}

static void
sample_ref (GString *out, const VdsmSchemaTypeRef *ref, guint depth)
{
  switch (ref->kind)
    {
    case VDSM_SCHEMA_REF_PRIMITIVE:
      sample_primitive (out, ref->primitive);
      break;
    case VDSM_SCHEMA_REF_NAMED:
      sample_type (out, ref->type, depth);
      break;
    case VDSM_SCHEMA_REF_LIST:
      g_string_append_c (out, '[');
      if (depth < MAX_DEPTH)
        sample_ref (out, ref->item, depth + 1);
      g_string_append_c (out, ']');
      break;
    case VDSM_SCHEMA_REF_ANY_OBJECT:
    case VDSM_SCHEMA_REF_ANY:
      g_string_append (out, "{\"free\":[1,\"form\"]}");
      break;
    }
}

char *
type_sample_json (const VdsmSchemaType *type)
{
  GString *out = g_string_new (NULL);

  sample_type (out, type, 0);
  return g_string_free (out, FALSE);
}

/* ---- Round trips ---- */

typedef gpointer (*FromStringFunc) (const char *json, GError **error);
typedef char *(*ToStringFunc) (gconstpointer self);
typedef gpointer (*CopyFunc) (gconstpointer self);
typedef gboolean (*EnumFromJsonFunc) (JsonNode *node, int *out, GError **error);
typedef const char *(*EnumToStringFunc) (int value);

static gpointer
lookup (GModule *module, const char *snake, const char *suffix)
{
  g_autofree char *name = g_strconcat (snake, suffix, NULL);
  gpointer symbol = NULL;

  if (!g_module_symbol (module, name, &symbol))
    g_error ("generated function %s not found: %s", name, g_module_error ());
  return symbol;
}

static JsonNode *
parse (const char *json)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (json, &error);

  g_assert_no_error (error);
  return node;
}

static void
free_value (const GenType *type, gpointer value, GModule *module)
{
  ((GDestroyNotify) lookup (module, type->snake, "_free")) (value);
}

/* Every value of an enum, read from its typed JSON and from its source text
 * (a numeric key is also accepted as the text the schema wrote), and back
 * to the text through the public API. How a numeric key is written as JSON
 * is the private writer's, checked by the boxed round trips that hold one
 * and by tests/tools/test-generated.c. */
static void
round_trip_enum (const GenType *type, GModule *module)
{
  EnumFromJsonFunc from_json = lookup (module, type->snake, "_from_json");
  EnumToStringFunc to_string = lookup (module, type->snake, "_to_string");
  GPtrArray *values = type->schema->values;

  for (guint i = 0; i < values->len; i++)
    {
      const VdsmSchemaEnumValue *v = g_ptr_array_index (values, i);
      g_autoptr(JsonNode) text = json_node_init_string (json_node_alloc (), v->text);
      JsonNode *inputs[] = { v->typed, text };

      for (gsize n = 0; n < G_N_ELEMENTS (inputs); n++)
        {
          g_autoptr(GError) error = NULL;
          int value = -1;

          if (n == 1 && json_node_get_value_type (v->typed) == G_TYPE_STRING)
            continue;
          g_assert_true (from_json (inputs[n], &value, &error));
          g_assert_no_error (error);
          g_assert_cmpint (value, ==, (int) i);
          g_assert_cmpstr (to_string (value), ==, v->text);
        }
    }
}

static void
round_trip_boxed (const GenType *type, GModule *module)
{
  g_autofree char *sample = type_sample_json (type->schema);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) expected = NULL;
  g_autoptr(JsonNode) written_node = NULL;
  g_autoptr(JsonNode) copied_node = NULL;
  g_autofree char *written = NULL;
  g_autofree char *copied = NULL;
  gpointer value, copy;

  g_test_message ("%s: %s", type->camel, sample);
  value = ((FromStringFunc) lookup (module, type->snake, "_new_from_json_string")) (sample, &error);
  if (error != NULL)
    g_error ("%s: reading its sample %s failed: %s", type->camel, sample, error->message);
  g_assert_nonnull (value);
  written = ((ToStringFunc) lookup (module, type->snake, "_to_json_string")) (value);
  copy = ((CopyFunc) lookup (module, type->snake, "_copy")) (value);
  free_value (type, value, module);
  copied = ((ToStringFunc) lookup (module, type->snake, "_to_json_string")) (copy);
  free_value (type, copy, module);

  expected = parse (sample);
  written_node = parse (written);
  copied_node = parse (copied);
  if (!json_node_equal (expected, written_node) || !json_node_equal (expected, copied_node))
    g_error ("%s does not round-trip:\n in     %s\n out    %s\n copied %s",
             type->camel, sample, written, copied);
}

guint
type_samples_round_trip (GenModel *model, GModule *module)
{
  guint checked = 0;

  for (guint t = 0; t < model->types->len; t++)
    {
      const GenType *type = g_ptr_array_index (model->types, t);

      if (type->kind == GEN_TYPE_ENUM)
        round_trip_enum (type, module);
      else
        round_trip_boxed (type, module);
      checked++;
    }
  return checked;
}
