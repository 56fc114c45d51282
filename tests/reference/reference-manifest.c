/* reference-manifest.c: what the Python test must find in the typelib of a
 * libvdsm built from schema files, as JSON on stdout: each method with its
 * C id and the maps it takes or returns, each generated type with its C
 * names, kind and a sample value (an enum with its values' wire texts, an
 * object with its fields that hold maps).
 *
 * Usage: reference-manifest SCHEMA-FILE…
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "type-samples.h"

#include <stdio.h>

static const char *
kind_name (GenTypeKind kind)
{
  switch (kind)
    {
    case GEN_TYPE_ENUM: return "enum";
    case GEN_TYPE_OBJECT: return "object";
    case GEN_TYPE_UNION: return "union";
    case GEN_TYPE_MAP: return "map";
    }
  return "unknown";
}

/* The map type @ref holds, or NULL. */
static const GenType *
map_of (const GenRef *ref)
{
  return ref->kind == GEN_C_BOXED && ref->type->kind == GEN_TYPE_MAP ? ref->type : NULL;
}

static void
add_type (JsonBuilder *b, const GenType *type)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "key");
  json_builder_add_string_value (b, type->schema->key);
  json_builder_set_member_name (b, "camel");
  json_builder_add_string_value (b, type->camel);
  json_builder_set_member_name (b, "snake");
  json_builder_add_string_value (b, type->snake);
  json_builder_set_member_name (b, "kind");
  json_builder_add_string_value (b, kind_name (type->kind));
  if (type->kind == GEN_TYPE_ENUM)
    {
      json_builder_set_member_name (b, "values");
      json_builder_begin_array (b);
      for (guint i = 0; i < type->schema->values->len; i++)
        {
          const VdsmSchemaEnumValue *v = g_ptr_array_index (type->schema->values, i);

          json_builder_add_string_value (b, v->text);
        }
      json_builder_end_array (b);
    }
  else
    {
      g_autofree char *sample = type_sample_json (type->schema);

      json_builder_set_member_name (b, "sample");
      json_builder_add_string_value (b, sample);
    }
  if (type->kind == GEN_TYPE_OBJECT)
    {
      json_builder_set_member_name (b, "map_fields");
      json_builder_begin_array (b);
      for (guint i = 0; i < type->fields->len; i++)
        {
          const GenField *field = g_ptr_array_index (type->fields, i);
          gboolean list = field->ref->kind == GEN_C_PTR_ARRAY;
          const GenType *map = map_of (list ? field->ref->item : field->ref);

          if (map == NULL)
            continue;
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "name");
          json_builder_add_string_value (b, field->member->name);
          json_builder_set_member_name (b, "accessor");
          json_builder_add_string_value (b, field->accessor);
          json_builder_set_member_name (b, "map");
          json_builder_add_string_value (b, map->camel);
          json_builder_set_member_name (b, "list");
          json_builder_add_boolean_value (b, list);
          /* An event's no_name: the params' other members make the map. */
          json_builder_set_member_name (b, "rest_of");
          json_builder_begin_array (b);
          for (guint j = 0; field->rest && j < type->fields->len; j++)
            if (j != i)
              json_builder_add_string_value (
                b, ((const GenField *) g_ptr_array_index (type->fields, j))->member->name);
          json_builder_end_array (b);
          json_builder_set_member_name (b, "rest");
          json_builder_add_boolean_value (b, field->rest);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
    }
  json_builder_end_object (b);
}

static void
add_method (JsonBuilder *b, const GenMethod *method)
{
  const GenType *ret_map = method->ret != NULL ? map_of (method->ret) : NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, method->method->name);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, method->id);
  json_builder_set_member_name (b, "returns");
  json_builder_add_boolean_value (b, method->ret != NULL);
  json_builder_set_member_name (b, "returns_map");
  if (ret_map != NULL)
    json_builder_add_string_value (b, ret_map->camel);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "deprecated");
  json_builder_add_boolean_value (b, method->method->deprecated != NULL);
  /* C argument name -> the map type it takes. */
  json_builder_set_member_name (b, "map_params");
  json_builder_begin_object (b);
  for (guint i = 0; i < method->params->len; i++)
    {
      const GenParam *param = g_ptr_array_index (method->params, i);
      const GenType *map = map_of (param->ref);

      if (map == NULL)
        continue;
      json_builder_set_member_name (b, param->c_name);
      json_builder_add_string_value (b, map->camel);
    }
  json_builder_end_object (b);
  json_builder_end_object (b);
}

int
main (int argc, char **argv)
{
  g_autoptr(VdsmSchema) schema = vdsm_schema_new ();
  g_autoptr(GenModel) model = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;

  if (argc < 2)
    {
      fprintf (stderr, "usage: %s SCHEMA-FILE…\n", argv[0]);
      return 2;
    }
  for (int i = 1; i < argc; i++)
    {
      g_autoptr(GError) error = NULL;

      if (!vdsm_schema_load_file (schema, argv[i], VDSM_SCHEMA_LOAD_DEFAULT, &error))
        {
          fprintf (stderr, "%s\n", error->message);
          return 1;
        }
    }
  model = gen_model_new (schema, TRUE);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "methods");
  json_builder_begin_array (b);
  for (guint i = 0; i < model->methods->len; i++)
    add_method (b, g_ptr_array_index (model->methods, i));
  json_builder_end_array (b);
  json_builder_set_member_name (b, "types");
  json_builder_begin_array (b);
  for (guint i = 0; i < model->types->len; i++)
    add_type (b, g_ptr_array_index (model->types, i));
  json_builder_end_array (b);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  text = json_to_string (root, TRUE);
  puts (text);
  return 0;
}
