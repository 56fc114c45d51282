/* test-api-types.c: JSON → struct → JSON round trips for every type of
 * libvdsm's own api/vdsm-*.yml. The generator's model names the C functions
 * and a sample value is built from each type's schema, so the test follows
 * the schema as it changes.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "gen-model.h"

#include <gmodule.h>
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
sample_object (GString *out, const VdsmSchemaType *type, guint depth)
{
  gboolean first = TRUE;

  g_string_append_c (out, '{');
  if (type->any_string)
    g_string_append (out, "\"anything\":[1,{\"x\":null}]");
  for (guint i = 0; !type->any_string && type->properties != NULL && i < type->properties->len; i++)
    {
      const VdsmSchemaMember *member = g_ptr_array_index (type->properties, i);
      g_autoptr(JsonNode) key = json_node_init_string (json_node_alloc (), member->name);
      g_autofree char *key_text = json_to_string (key, FALSE);

      if (member->default_kind != VDSM_SCHEMA_DEFAULT_NONE && depth >= MAX_DEPTH)
        continue;
      if (!first)
        g_string_append_c (out, ',');
      first = FALSE;
      g_string_append_printf (out, "%s:", key_text);
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
      g_string_append (out, "{\"key-1\":");
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

typedef gpointer (*FromStringFunc) (const char *json, GError **error);
typedef char *(*ToStringFunc) (gconstpointer self);
typedef gpointer (*CopyFunc) (gconstpointer self);

static gpointer
lookup (GModule *self, const char *snake, const char *suffix)
{
  g_autofree char *name = g_strconcat (snake, suffix, NULL);
  gpointer symbol = NULL;

  if (!g_module_symbol (self, name, &symbol))
    g_error ("generated function %s not found", name);
  return symbol;
}

static void
free_value (const GenType *type, gpointer value, GModule *self)
{
  if (type->kind == GEN_TYPE_MAP)
    g_hash_table_unref (value);
  else
    ((GDestroyNotify) lookup (self, type->snake, "_free")) (value);
}

static void
test_round_trips (void)
{
  const char *src = g_getenv ("VDSM_SOURCE_ROOT");
  const char *names[] = { "vdsm-api.yml", "vdsm-events.yml" };
  g_autoptr(VdsmSchema) schema = vdsm_schema_new ();
  g_autoptr(GenModel) model = NULL;
  GModule *self = g_module_open (NULL, 0);
  guint checked = 0;

  g_assert_nonnull (self);
  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (src, "api", names[i], NULL);
      g_autoptr(GError) error = NULL;

      g_assert_true (vdsm_schema_load_file (schema, path, VDSM_SCHEMA_LOAD_DEFAULT, &error));
      g_assert_no_error (error);
    }
  model = gen_model_new (schema, TRUE);

  for (guint t = 0; t < model->types->len; t++)
    {
      const GenType *type = g_ptr_array_index (model->types, t);
      g_autoptr(GString) sample = g_string_new (NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) expected = NULL;
      g_autoptr(JsonNode) written_node = NULL;
      g_autoptr(JsonNode) copied_node = NULL;
      g_autofree char *written = NULL;
      g_autofree char *copied = NULL;
      gpointer value, copy;

      if (type->kind == GEN_TYPE_ENUM)
        continue;
      sample_type (sample, type->schema, 0);
      g_test_message ("%s: %s", type->camel, sample->str);

      value = ((FromStringFunc) lookup (self, type->snake, "_new_from_json_string")) (sample->str, &error);
      g_assert_no_error (error);
      g_assert_nonnull (value);
      written = ((ToStringFunc) lookup (self, type->snake, "_to_json_string")) (value);
      copy = ((CopyFunc) lookup (self, type->snake, "_copy")) (value);
      free_value (type, value, self);
      copied = ((ToStringFunc) lookup (self, type->snake, "_to_json_string")) (copy);
      free_value (type, copy, self);

      expected = json_from_string (sample->str, &error);
      g_assert_no_error (error);
      written_node = json_from_string (written, &error);
      g_assert_no_error (error);
      copied_node = json_from_string (copied, &error);
      g_assert_no_error (error);
      if (!json_node_equal (expected, written_node) || !json_node_equal (expected, copied_node))
        g_error ("%s does not round-trip:\n in     %s\n out    %s\n copied %s",
                 type->camel, sample->str, written, copied);
      checked++;
    }
  g_test_message ("%u types round-tripped", checked);
  g_assert_cmpuint (checked, >, 0);
  g_module_close (self);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/tools/api-types/round-trips", test_round_trips);
  return g_test_run ();
}
