/* vdsm-schema-check.c: the checks over one file once its model is built,
 * when every type it refers to is complete (docs/schema-language.md §9, §10):
 * unions, maps, alias cycles, unused types, names, member defaults.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vdsm-schema-private.h"

#include <string.h>

/* Bounds recursion over chains of aliases/unions that bare names can make
 * circular. */
#define MAX_REF_DEPTH 32

/* What a reference ends at, through aliases; NULL type for non-named refs.
 * Returns FALSE on an alias cycle. */
static gboolean
ref_underlying (const VdsmSchemaTypeRef *ref, const VdsmSchemaTypeRef **out)
{
  for (guint depth = 0; depth < MAX_REF_DEPTH; depth++)
    {
      if (ref == NULL || ref->kind != VDSM_SCHEMA_REF_NAMED
          || ref->type->kind != VDSM_SCHEMA_KIND_ALIAS)
        {
          *out = ref;
          return TRUE;
        }
      ref = ref->type->source;
    }
  return FALSE;
}

static gboolean
ref_is_scalar (const VdsmSchemaTypeRef *ref)
{
  const VdsmSchemaTypeRef *end;

  if (!ref_underlying (ref, &end) || end == NULL)
    return FALSE;
  return end->kind == VDSM_SCHEMA_REF_PRIMITIVE
         || (end->kind == VDSM_SCHEMA_REF_NAMED && end->type->kind == VDSM_SCHEMA_KIND_ENUM);
}

/* A reference in a message: the word it goes by, as a noun phrase. */
static const char *
ref_describe (const VdsmSchemaTypeRef *ref)
{
  if (ref->kind == VDSM_SCHEMA_REF_LIST)
    return "a list";
  if (ref->kind == VDSM_SCHEMA_REF_ANY)
    return "any value";
  return vdsm_schema_type_ref_word (ref);
}

/* Does @type contain itself through union members or aliases? */
static gboolean
union_contains (const VdsmSchemaType *type, const VdsmSchemaType *target, guint depth)
{
  if (depth > MAX_REF_DEPTH)
    return TRUE;
  for (guint i = 0; type->members && i < type->members->len; i++)
    {
      const VdsmSchemaTypeRef *end;

      if (!ref_underlying (g_ptr_array_index (type->members, i), &end))
        return TRUE;
      if (end == NULL || end->kind != VDSM_SCHEMA_REF_NAMED
          || end->type->kind != VDSM_SCHEMA_KIND_UNION)
        continue;
      if (end->type == target || union_contains (end->type, target, depth + 1))
        return TRUE;
    }
  return FALSE;
}

static gboolean
member_declared (const VdsmSchemaType *object, const char *name)
{
  for (guint i = 0; object->properties && i < object->properties->len; i++)
    if (strcmp (((VdsmSchemaMember *) g_ptr_array_index (object->properties, i))->name,
                name) == 0)
      return TRUE;
  return FALSE;
}

/* Does primitive @a accept every value primitive @b accepts? */
static gboolean
primitive_covers (VdsmSchemaPrimitive a, VdsmSchemaPrimitive b)
{
  switch (a)
    {
    case VDSM_SCHEMA_PRIM_FLOAT:
    case VDSM_SCHEMA_PRIM_LONG:
      return b != VDSM_SCHEMA_PRIM_STRING && b != VDSM_SCHEMA_PRIM_BOOLEAN;
    case VDSM_SCHEMA_PRIM_ULONG:
      return b == VDSM_SCHEMA_PRIM_ULONG || b == VDSM_SCHEMA_PRIM_UINT;
    case VDSM_SCHEMA_PRIM_INT:
      return b == VDSM_SCHEMA_PRIM_INT || b == VDSM_SCHEMA_PRIM_UINT;
    case VDSM_SCHEMA_PRIM_STRING:
    case VDSM_SCHEMA_PRIM_BOOLEAN:
    case VDSM_SCHEMA_PRIM_UINT:
    default:
      return a == b;
    }
}

static gboolean
takes_any_object (const VdsmSchemaTypeRef *ref)
{
  return ref->kind == VDSM_SCHEMA_REF_ANY_OBJECT
         || (ref->kind == VDSM_SCHEMA_REF_NAMED
             && (ref->type->kind == VDSM_SCHEMA_KIND_MAP
                 || (ref->type->kind == VDSM_SCHEMA_KIND_OBJECT && ref->type->any_string)));
}

static gboolean
enum_all_strings (const VdsmSchemaType *type)
{
  for (guint i = 0; type->values && i < type->values->len; i++)
    {
      VdsmSchemaEnumValue *value = g_ptr_array_index (type->values, i);

      if (json_node_get_value_type (value->typed) != G_TYPE_STRING)
        return FALSE;
    }
  return TRUE;
}

/* Would union member @a, tried first, be chosen for every value that
 * member @b accepts (making @b unreachable, §9.4 first match wins)? */
static gboolean
member_covers (const VdsmSchemaTypeRef *a, const VdsmSchemaTypeRef *b)
{
  if (a->kind == VDSM_SCHEMA_REF_ANY
      || vdsm_schema_type_ref_equal (a, b, VDSM_SCHEMA_SAME_DEFINITION))
    return TRUE;
  switch (a->kind)
    {
    case VDSM_SCHEMA_REF_PRIMITIVE:
      if (b->kind == VDSM_SCHEMA_REF_PRIMITIVE)
        return primitive_covers (a->primitive, b->primitive);
      return a->primitive == VDSM_SCHEMA_PRIM_STRING && b->kind == VDSM_SCHEMA_REF_NAMED
             && b->type->kind == VDSM_SCHEMA_KIND_ENUM && enum_all_strings (b->type);
    case VDSM_SCHEMA_REF_LIST:
      return b->kind == VDSM_SCHEMA_REF_LIST;
    case VDSM_SCHEMA_REF_ANY_OBJECT:
    case VDSM_SCHEMA_REF_NAMED:
    case VDSM_SCHEMA_REF_ANY:
    default:
      return takes_any_object (a)
             && (b->kind == VDSM_SCHEMA_REF_ANY_OBJECT
                 || (b->kind == VDSM_SCHEMA_REF_NAMED
                     && (b->type->kind == VDSM_SCHEMA_KIND_OBJECT
                         || b->type->kind == VDSM_SCHEMA_KIND_MAP)));
    }
}

static void
check_union_reachable (VdsmSchemaDiagSink *sink, VdsmSchemaType *type)
{
  for (guint j = 1; j < type->members->len; j++)
    {
      const VdsmSchemaTypeRef *b = g_ptr_array_index (type->members, j), *eb;

      if (!ref_underlying (b, &eb) || eb == NULL)
        continue;
      for (guint i = 0; i < j; i++)
        {
          const VdsmSchemaTypeRef *a = g_ptr_array_index (type->members, i), *ea;

          if (!ref_underlying (a, &ea) || ea == NULL || !member_covers (ea, eb))
            continue;
          vdsm_schema_error (sink, b->line,
                             "type %s: member %s can never be chosen: member %s "
                             "before it accepts all its values",
                             type->key, ref_describe (b), ref_describe (a));
          break;
        }
    }
}

static void
check_union (VdsmSchemaDiagSink *sink, VdsmSchemaType *type)
{
  if (type->members->len == 0)
    return;
  if (union_contains (type, type, 0))
    {
      vdsm_schema_error (sink, type->line, "type %s: the union contains itself",
                         type->key);
      /* Keep the model inert: a value would loop through it forever. */
      g_ptr_array_set_size (type->members, 0);
      return;
    }
  if (type->members->len == 1)
    vdsm_schema_advise (sink, type->line, "type %s: a union with a single member",
                      type->key);
  if (type->properties->len > 0)
    vdsm_schema_advise (sink, type->line,
                      "type %s: the union's properties are read as fields allowed "
                      "in every member", type->key);
  check_union_reachable (sink, type);

  for (guint i = 0; i < type->members->len; i++)
    {
      VdsmSchemaTypeRef *ref = g_ptr_array_index (type->members, i);
      const VdsmSchemaTypeRef *end;

      if (!ref_underlying (ref, &end) || end == NULL)
        continue;
      if (end->kind == VDSM_SCHEMA_REF_NAMED && end->type->kind == VDSM_SCHEMA_KIND_OBJECT)
        {
          for (guint j = 0; j < type->properties->len; j++)
            {
              VdsmSchemaMember *common = g_ptr_array_index (type->properties, j);

              if (!end->type->any_string && !member_declared (end->type, common->name))
                vdsm_schema_warn (sink, ref->line,
                                  "type %s: member %s does not declare the common "
                                  "property '%s'", type->key, end->type->key, common->name);
            }
        }
      else
        vdsm_schema_advise (sink, ref->line,
                          "type %s: member %s is not an object; it is matched by "
                          "its own value check", type->key, ref_describe (ref));
    }
}

static void
check_map (VdsmSchemaDiagSink *sink, VdsmSchemaType *type)
{
  const VdsmSchemaTypeRef *end;

  if (type->key_type == NULL)
    return;
  if (!ref_underlying (type->key_type, &end))
    return;
  if (!ref_is_scalar (type->key_type))
    vdsm_schema_error (sink, type->key_type->line,
                       "type %s: the map key type %s is not a scalar type", type->key,
                       ref_describe (type->key_type));
  else if (end->kind == VDSM_SCHEMA_REF_PRIMITIVE && end->primitive != VDSM_SCHEMA_PRIM_STRING)
    vdsm_schema_advise (sink, type->key_type->line,
                      "type %s: map keyed by %s; JSON object keys are strings, read "
                      "as decimal text", type->key, vdsm_schema_primitive_name (end->primitive));
}

static void
check_types (VdsmSchemaDiagSink *sink, VdsmSchemaFile *file, GHashTable *used,
             gboolean events_file)
{
  g_autoptr (GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GPtrArray) all = g_ptr_array_new ();

  g_ptr_array_extend (all, file->types, NULL, NULL);
  for (guint i = 0; i < sink->schema->anonymous->len; i++)
    {
      VdsmSchemaType *type = g_ptr_array_index (sink->schema->anonymous, i);

      if (type->file == file)
        g_ptr_array_add (all, type);
    }

  for (guint i = 0; i < file->types->len; i++)
    {
      VdsmSchemaType *type = g_ptr_array_index (file->types, i);

      g_hash_table_insert (names, type->key, type);
    }
  for (guint i = 0; i < all->len; i++)
    {
      VdsmSchemaType *type = g_ptr_array_index (all, i);
      const VdsmSchemaTypeRef *end;

      if (type->kind == VDSM_SCHEMA_KIND_ALIAS && !ref_underlying (type->source, &end))
        vdsm_schema_error (sink, type->line, "type %s: the alias refers to itself",
                           type->key);
      else if (type->kind == VDSM_SCHEMA_KIND_UNION)
        check_union (sink, type);
      else if (type->kind == VDSM_SCHEMA_KIND_MAP)
        check_map (sink, type);

      if (!type->anonymous && !g_hash_table_contains (used, type)
          && !events_file)
        vdsm_schema_warn (sink, type->line, "type %s is never used", type->key);
    }
  /* A name that differs from its key must not look like another type. */
  for (guint i = 0; i < file->types->len; i++)
    {
      VdsmSchemaType *type = g_ptr_array_index (file->types, i);
      VdsmSchemaType *other;

      if (strcmp (type->name, type->key) == 0)
        continue;
      other = g_hash_table_lookup (names, type->name);
      if (other != NULL && other != type)
        vdsm_schema_warn (sink, type->line,
                          "type %s: its name '%s' is also the name of type %s",
                          type->key, type->name, other->key);
      else
        g_hash_table_insert (names, type->name, type);
    }
}

static void
check_defaults (VdsmSchemaDiagSink *sink, GPtrArray *pending_defaults)
{
  for (guint i = 0; i < pending_defaults->len; i++)
    {
      VdsmSchemaPendingDefault *pending = g_ptr_array_index (pending_defaults, i);
      g_autoptr (GError) error = NULL;

      if (!vdsm_schema_validate_value (pending->member->type,
                                       pending->member->default_value,
                                       "defaultvalue", &error))
        vdsm_schema_warn (sink, pending->member->line,
                          "%s: the default does not match the type (%s)",
                          pending->label, error->message);
    }
}

void
vdsm_schema_pending_default_free (gpointer data)
{
  VdsmSchemaPendingDefault *pending = data;

  g_free (pending->label);
  g_free (pending);
}

void
vdsm_schema_check_file (VdsmSchemaDiagSink *sink, VdsmSchemaFile *file, GHashTable *used,
                        gboolean events_file, GPtrArray *pending_defaults)
{
  check_types (sink, file, used, events_file);
  check_defaults (sink, pending_defaults);
}
