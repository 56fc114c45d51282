/* vdsm-schema-json.c: a loaded schema as a JSON document in the shape of
 * its YAML files, for run-time introspection (Host.getApiSchema).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vdsm-schema.h"

#include <string.h>

static void add_definition (JsonBuilder *b, const VdsmSchemaType *type);

static void
add_string_member (JsonBuilder *b, const char *name, const char *value)
{
  if (value == NULL)
    return;
  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, value);
}

/* A type position as YAML writes it: a primitive or type name (the alias
 * *Name reads as Name), a one-item list, `dict`, or the kind word
 * `object` for any value. An inline definition is written by its member. */
static void
add_ref (JsonBuilder *b, const VdsmSchemaTypeRef *ref)
{
  switch (ref->kind)
    {
    case VDSM_SCHEMA_REF_PRIMITIVE:
      json_builder_add_string_value (b, vdsm_schema_primitive_name (ref->primitive));
      break;
    case VDSM_SCHEMA_REF_NAMED:
      if (ref->type->anonymous)
        {
          json_builder_begin_object (b);
          add_definition (b, ref->type);
          json_builder_end_object (b);
        }
      else
        json_builder_add_string_value (b, ref->type->key);
      break;
    case VDSM_SCHEMA_REF_LIST:
      json_builder_begin_array (b);
      add_ref (b, ref->item);
      json_builder_end_array (b);
      break;
    case VDSM_SCHEMA_REF_ANY_OBJECT:
      json_builder_add_string_value (b, "dict");
      break;
    case VDSM_SCHEMA_REF_ANY:
      json_builder_add_string_value (b, "object");
      break;
    }
}

static void
add_member (JsonBuilder *b, const VdsmSchemaMember *member)
{
  json_builder_begin_object (b);
  add_string_member (b, "name", member->name);
  if (member->type->kind == VDSM_SCHEMA_REF_NAMED && member->type->type->anonymous)
    add_definition (b, member->type->type);  /* inline: the member carries the kind's keys */
  else
    {
      json_builder_set_member_name (b, "type");
      add_ref (b, member->type);
    }
  add_string_member (b, "description", member->description);
  switch (member->default_kind)
    {
    case VDSM_SCHEMA_DEFAULT_NONE:
      break;
    case VDSM_SCHEMA_DEFAULT_VALUE:
      json_builder_set_member_name (b, "defaultvalue");
      if (member->default_value != NULL)
        json_builder_add_value (b, json_node_copy (member->default_value));
      else
        json_builder_add_null_value (b);
      break;
    case VDSM_SCHEMA_DEFAULT_NEEDS_UPDATING:
      add_string_member (b, "defaultvalue", "needs updating");
      break;
    case VDSM_SCHEMA_DEFAULT_NO_DEFAULT:
      add_string_member (b, "defaultvalue", "no-default");
      break;
    }
  add_string_member (b, "datatype", member->datatype);
  add_string_member (b, "added", member->added);
  add_string_member (b, "modified", member->modified);
  add_string_member (b, "deprecated", member->deprecated);
  json_builder_end_object (b);
}

static void
add_members (JsonBuilder *b, const char *key, GPtrArray *members)
{
  if (members == NULL)
    return;
  json_builder_set_member_name (b, key);
  json_builder_begin_array (b);
  for (guint i = 0; i < members->len; i++)
    add_member (b, g_ptr_array_index (members, i));
  json_builder_end_array (b);
}

/* The keys of a type definition, into the object being built. */
static void
add_definition (JsonBuilder *b, const VdsmSchemaType *type)
{
  if (!type->anonymous)
    {
      add_string_member (b, "name", type->name);
      add_string_member (b, "description", type->description);
      add_string_member (b, "added", type->added);
      add_string_member (b, "modified", type->modified);
      add_string_member (b, "deprecated", type->deprecated);
    }
  add_string_member (b, "type", vdsm_schema_kind_name (type->kind));
  switch (type->kind)
    {
    case VDSM_SCHEMA_KIND_OBJECT:
      add_members (b, "properties", type->properties);
      break;
    case VDSM_SCHEMA_KIND_ENUM:
      /* Keys as the file wrote them (0.10 stays 0.10). */
      json_builder_set_member_name (b, "values");
      json_builder_begin_object (b);
      for (guint i = 0; i < type->values->len; i++)
        {
          const VdsmSchemaEnumValue *v = g_ptr_array_index (type->values, i);

          json_builder_set_member_name (b, v->text);
          if (v->description != NULL)
            json_builder_add_string_value (b, v->description);
          else
            json_builder_add_null_value (b);
        }
      json_builder_end_object (b);
      break;
    case VDSM_SCHEMA_KIND_ALIAS:
      json_builder_set_member_name (b, "sourcetype");
      add_ref (b, type->source);
      break;
    case VDSM_SCHEMA_KIND_MAP:
      json_builder_set_member_name (b, "key-type");
      add_ref (b, type->key_type);
      json_builder_set_member_name (b, "value-type");
      add_ref (b, type->value_type);
      break;
    case VDSM_SCHEMA_KIND_UNION:
      json_builder_set_member_name (b, "values");
      json_builder_begin_array (b);
      for (guint i = 0; i < type->members->len; i++)
        add_ref (b, g_ptr_array_index (type->members, i));
      json_builder_end_array (b);
      if (type->properties != NULL && type->properties->len > 0)
        add_members (b, "properties", type->properties);
      break;
    }
}

static void
add_method (JsonBuilder *b, const VdsmSchemaMethod *method)
{
  json_builder_set_member_name (b, method->name);
  json_builder_begin_object (b);
  add_string_member (b, "added", method->added);
  add_string_member (b, "deprecated", method->deprecated);
  add_string_member (b, "description", method->description);
  /* An absent `params` key means none; the files never write an empty list. */
  if (method->params != NULL && method->params->len > 0)
    add_members (b, "params", method->params);
  if (method->ret != NULL)
    {
      json_builder_set_member_name (b, "return");
      json_builder_begin_object (b);
      add_string_member (b, "description", method->ret_description);
      json_builder_set_member_name (b, "type");
      add_ref (b, method->ret);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
}

static void
add_event (JsonBuilder *b, const VdsmSchemaEvent *event)
{
  json_builder_set_member_name (b, event->key);
  json_builder_begin_object (b);
  add_string_member (b, "description", event->description);
  add_members (b, "params", event->params);
  json_builder_end_object (b);
}

static void
add_file (JsonBuilder *b, VdsmSchema *schema, const VdsmSchemaFile *file)
{
  GPtrArray *methods = vdsm_schema_get_methods (schema);
  GPtrArray *events = vdsm_schema_get_events (schema);

  json_builder_set_member_name (b, file->path);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "types");
  json_builder_begin_object (b);
  for (guint i = 0; i < file->types->len; i++)
    {
      const VdsmSchemaType *type = g_ptr_array_index (file->types, i);

      json_builder_set_member_name (b, type->key);
      json_builder_begin_object (b);
      add_definition (b, type);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
  for (guint i = 0; i < methods->len; i++)
    {
      const VdsmSchemaMethod *method = g_ptr_array_index (methods, i);

      if (method->file == file)
        add_method (b, method);
    }
  for (guint i = 0; i < events->len; i++)
    {
      const VdsmSchemaEvent *event = g_ptr_array_index (events, i);

      if (event->file == file)
        add_event (b, event);
    }
  json_builder_end_object (b);
}

/**
 * vdsm_schema_to_json:
 * @schema: a loaded schema
 *
 * The schema as one JSON object keyed by file path (as given to the
 * loader), each file in the shape of its YAML document: `types` (key →
 * definition, with `name`, `type`, `description`, `properties`,
 * `values`…), then one key per method or event. Type references are
 * written as in YAML without the alias star (`"VmStats"`, `"uint"`,
 * `["string"]`); an inline definition sits on its member. The document
 * is what the loader made of the files: its repairs applied, the members
 * it dropped left out.
 *
 * Returns: (transfer full): a new JSON object node
 */
JsonNode *
vdsm_schema_to_json (VdsmSchema *schema)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  GPtrArray *files = vdsm_schema_get_files (schema);

  json_builder_begin_object (b);
  for (guint i = 0; i < files->len; i++)
    add_file (b, schema, g_ptr_array_index (files, i));
  json_builder_end_object (b);
  return json_builder_get_root (b);
}
