/* vdsm-schema-equal.c: when two type references denote the same type.
 *
 * One comparison for the loader (duplicate members, union members that hide
 * each other), the generator (one type defined alike in several files) and
 * the compatibility checker (one type in two versions of a schema); they
 * differ only in what makes two named types the same.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vdsm-schema.h"

#include <string.h>

/* Deeper alias chains or type nestings than this are cycles. */
#define MAX_DEPTH 32

static gboolean type_equal (const VdsmSchemaType *a, const VdsmSchemaType *b, guint depth);

const VdsmSchemaTypeRef *
vdsm_schema_type_ref_resolve (const VdsmSchemaTypeRef *ref)
{
  for (guint depth = 0; depth < MAX_DEPTH; depth++)
    {
      if (ref->kind != VDSM_SCHEMA_REF_NAMED || ref->type->kind != VDSM_SCHEMA_KIND_ALIAS
          || ref->type->source == NULL)
        break;
      ref = ref->type->source;
    }
  return ref;
}

static gboolean
named_equal (const VdsmSchemaType *a, const VdsmSchemaType *b, VdsmSchemaSameness same,
             guint depth)
{
  switch (same)
    {
    case VDSM_SCHEMA_SAME_DEFINITION:
      return a == b;
    case VDSM_SCHEMA_SAME_KEY:
      return a->kind == b->kind && g_strcmp0 (a->key, b->key) == 0;
    case VDSM_SCHEMA_SAME_STRUCTURE:
    default:
      return strcmp (a->key, b->key) == 0 && type_equal (a, b, depth + 1);
    }
}

static gboolean
ref_equal (const VdsmSchemaTypeRef *a, const VdsmSchemaTypeRef *b, VdsmSchemaSameness same,
           guint depth)
{
  if (a == NULL || b == NULL)
    return a == b;
  if (same == VDSM_SCHEMA_SAME_KEY)
    {
      a = vdsm_schema_type_ref_resolve (a);
      b = vdsm_schema_type_ref_resolve (b);
    }
  if (a->kind != b->kind)
    return FALSE;
  switch (a->kind)
    {
    case VDSM_SCHEMA_REF_PRIMITIVE:
      return a->primitive == b->primitive;
    case VDSM_SCHEMA_REF_NAMED:
      return named_equal (a->type, b->type, same, depth);
    case VDSM_SCHEMA_REF_LIST:
      return ref_equal (a->item, b->item, same, depth);
    case VDSM_SCHEMA_REF_ANY_OBJECT:
    case VDSM_SCHEMA_REF_ANY:
    default:
      return TRUE;
    }
}

gboolean
vdsm_schema_type_ref_equal (const VdsmSchemaTypeRef *a, const VdsmSchemaTypeRef *b,
                            VdsmSchemaSameness same)
{
  return ref_equal (a, b, same, 0);
}

static gboolean
members_equal (GPtrArray *a, GPtrArray *b, guint depth)
{
  guint n_a = a != NULL ? a->len : 0;
  guint n_b = b != NULL ? b->len : 0;

  if (n_a != n_b)
    return FALSE;
  for (guint i = 0; i < n_a; i++)
    {
      const VdsmSchemaMember *ma = g_ptr_array_index (a, i);
      const VdsmSchemaMember *mb = g_ptr_array_index (b, i);

      if (strcmp (ma->name, mb->name) != 0
          || ma->default_kind != mb->default_kind
          || !ref_equal (ma->type, mb->type, VDSM_SCHEMA_SAME_STRUCTURE, depth))
        return FALSE;
      if (ma->default_kind == VDSM_SCHEMA_DEFAULT_VALUE
          && !json_node_equal (ma->default_value, mb->default_value))
        return FALSE;
    }
  return TRUE;
}

static gboolean
enum_values_equal (GPtrArray *a, GPtrArray *b)
{
  if (a->len != b->len)
    return FALSE;
  for (guint i = 0; i < a->len; i++)
    {
      const VdsmSchemaEnumValue *va = g_ptr_array_index (a, i);
      const VdsmSchemaEnumValue *vb = g_ptr_array_index (b, i);

      if (strcmp (va->text, vb->text) != 0 || !json_node_equal (va->typed, vb->typed))
        return FALSE;
    }
  return TRUE;
}

static gboolean
type_equal (const VdsmSchemaType *a, const VdsmSchemaType *b, guint depth)
{
  const VdsmSchemaSameness same = VDSM_SCHEMA_SAME_STRUCTURE;

  if (a == b || depth > MAX_DEPTH)
    return TRUE;
  if (a->kind != b->kind)
    return FALSE;
  switch (a->kind)
    {
    case VDSM_SCHEMA_KIND_OBJECT:
      return a->any_string == b->any_string
             && members_equal (a->properties, b->properties, depth);
    case VDSM_SCHEMA_KIND_ENUM:
      return enum_values_equal (a->values, b->values);
    case VDSM_SCHEMA_KIND_ALIAS:
      return ref_equal (a->source, b->source, same, depth);
    case VDSM_SCHEMA_KIND_MAP:
      return ref_equal (a->key_type, b->key_type, same, depth)
             && ref_equal (a->value_type, b->value_type, same, depth);
    case VDSM_SCHEMA_KIND_UNION:
      if (a->members->len != b->members->len)
        return FALSE;
      for (guint i = 0; i < a->members->len; i++)
        if (!ref_equal (g_ptr_array_index (a->members, i),
                        g_ptr_array_index (b->members, i), same, depth))
          return FALSE;
      return members_equal (a->properties, b->properties, depth);
    }
  return FALSE;
}

gboolean
vdsm_schema_type_equal (const VdsmSchemaType *a, const VdsmSchemaType *b)
{
  return type_equal (a, b, 0);
}
