/* gen-helpers.c: the statements and expressions that write, read, copy and
 * match a value of any type position in generated code, and the static
 * helper functions they call for lists, scalars kept as JsonNode and union
 * members, each defined once per output file.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "gen-helpers.h"

#include "gen-fragments.h"

#include <string.h>

void
gen_helpers_init (GenHelpers *h, GenModel *model)
{
  h->model = model;
  emit_writer_init (&h->protos);
  emit_writer_init (&h->defs);
  h->done = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

void
gen_helpers_clear (GenHelpers *h)
{
  emit_writer_clear (&h->protos);
  emit_writer_clear (&h->defs);
  g_hash_table_unref (h->done);
}

void
gen_helpers_emit_protos (GenHelpers *h, EmitWriter *w)
{
  if (h->protos.buf->len > 0)
    emit (w, "%s\n", h->protos.buf->str);
}

void
gen_helpers_emit_defs (GenHelpers *h, EmitWriter *w)
{
  emit (w, "%s", h->defs.buf->str);
}

/* TRUE the first time @name is asked for: the caller then defines it. */
static gboolean
helper_new (GenHelpers *h, const char *name)
{
  if (g_hash_table_contains (h->done, name))
    return FALSE;
  g_hash_table_add (h->done, g_strdup (name));
  return TRUE;
}

static void
helper_define (GenHelpers *h, const char *signature, EmitWriter *body)
{
  emit_prototype (&h->protos, "static %s;\n", signature);
  emit_prototype (&h->defs, "static %s\n", signature);
  emit (&h->defs, "{\n%s}\n\n", body->buf->str);
}

static char *
copy_func (GenHelpers *h, const GenRef *ref)
{
  g_autofree char *name = NULL;
  g_autofree char *signature = NULL;
  g_autofree char *copy = NULL;
  EmitWriter body;

  if (ref->kind == GEN_C_STRING)
    return g_strdup ("vdsm_json_copy_string");
  if (ref->kind == GEN_C_NODE)
    return g_strdup ("vdsm_json_copy_node");
  name = g_strconcat ("copy_item_", ref->sig, NULL);
  if (!helper_new (h, name))
    return g_steal_pointer (&name);
  signature = g_strdup_printf ("gpointer\n%s (gconstpointer src, gpointer unused)", name);
  copy = gen_copy_expr (h, ref, "(gpointer) src");
  emit_writer_init (&body);
  emit (&body, "  return %s;\n", copy);
  helper_define (h, signature, &body);
  emit_writer_clear (&body);
  return g_steal_pointer (&name);
}

static char *
list_helper (GenHelpers *h, const GenRef *ref, const char *op)
{
  g_autofree char *name = g_strconcat (op, "_", ref->sig, NULL);
  g_autofree char *signature = NULL;
  gboolean ptr = ref->kind == GEN_C_PTR_ARRAY;
  EmitWriter body;

  if (!helper_new (h, name))
    return g_steal_pointer (&name);
  emit_writer_init (&body);
  emit_indent (&body);
  if (strcmp (op, "write") == 0)
    {
      g_autofree char *item = g_strdup_printf (ptr ? "(%s) g_ptr_array_index (value, i)"
                                                   : "g_array_index (value, %s, i)",
                                               ref->item->ctype);
      g_autofree char *stmt = gen_write_stmt (h, ref->item, item, "out");

      g_autofree char *decl = gen_decl (ref->ctype, "value");

      signature = g_strdup_printf ("void\n%s (%s, GString *out)", name, decl);
      emit (&body, "if (value == NULL)\n  {\n    g_string_append (out, \"null\");\n    return;\n  }\n");
      emit (&body, "g_string_append_c (out, '[');\n");
      emit (&body, "for (guint i = 0; i < value->len; i++)\n  {\n");
      emit (&body, "    if (i > 0)\n      g_string_append_c (out, ',');\n");
      emit (&body, "    %s\n  }\n", stmt);
      emit (&body, "g_string_append_c (out, ']');\n");
    }
  else if (strcmp (op, "read") == 0)
    {
      g_autofree char *item_decl = gen_ref_auto_decl (ref->item, "item");
      g_autofree char *read = gen_read_expr (h, ref->item, "json_array_get_element (array, i)",
                                             "&item_path", "&item", "error");
      g_autofree char *notify = ptr ? gen_ref_destroy_notify (ref->item) : NULL;

      signature = g_strdup_printf ("gboolean\n%s (JsonNode *node, const VdsmJsonPath *path, %s*out, GError **error)",
                                   name, ref->ctype);
      emit (&body, "JsonArray *array = vdsm_json_read_array (node, path, error);\n");
      emit (&body, "g_autoptr (%s) result = NULL;\n\n", ptr ? "GPtrArray" : "GArray");
      emit (&body, "if (array == NULL)\n  return FALSE;\n");
      if (ptr)
        emit (&body, "result = g_ptr_array_new_full (json_array_get_length (array), %s);\n", notify);
      else
        emit (&body, "result = g_array_sized_new (FALSE, TRUE, sizeof (%s), json_array_get_length (array));\n",
              ref->item->ctype);
      emit (&body, "for (guint i = 0; i < json_array_get_length (array); i++)\n  {\n");
      emit_indent (&body);
      emit_indent (&body);
      emit (&body, "const VdsmJsonPath item_path = { path, NULL, i };\n");
      emit (&body, "%s;\n\n", item_decl);
      emit (&body, "if (!%s)\n  return FALSE;\n", read);
      if (ptr)
        emit (&body, "g_ptr_array_add (result, g_steal_pointer (&item));\n");
      else
        emit (&body, "g_array_append_val (result, item);\n");
      emit_dedent (&body);
      emit_dedent (&body);
      emit (&body, "  }\n");
      emit (&body, "*out = g_steal_pointer (&result);\nreturn TRUE;\n");
    }
  else /* copy */
    {
      g_autofree char *decl = gen_decl (ref->ctype, "value");

      signature = g_strdup_printf ("%s\n%s (%s)", ref->ctype, name, decl);
      if (ptr)
        {
          g_autofree char *item_copy = copy_func (h, ref->item);
          g_autofree char *notify = gen_ref_destroy_notify (ref->item);

          /* Not g_ptr_array_copy(): an array made by a binding has no free
           * function, and the copy must own its items. */
          emit (&body, "GPtrArray *copy;\n\n");
          emit (&body, "if (value == NULL)\n  return NULL;\n");
          emit (&body, "copy = g_ptr_array_new_full (value->len, %s);\n", notify);
          emit (&body, "for (guint i = 0; i < value->len; i++)\n");
          emit (&body, "  g_ptr_array_add (copy, %s (g_ptr_array_index (value, i), NULL));\n", item_copy);
          emit (&body, "return copy;\n");
        }
      else
        emit (&body, "return value != NULL ? g_array_copy (value) : NULL;\n");
    }
  helper_define (h, signature, &body);
  emit_writer_clear (&body);
  return g_steal_pointer (&name);
}

/* A scalar kept in a JsonNode: checked as the scalar, stored as the node. */
static char *
boxed_scalar_reader (GenHelpers *h, const GenRef *ref)
{
  g_autofree char *name = g_strconcat ("read_", ref->sig, NULL);
  g_autofree char *signature = NULL;
  g_autofree char *decl = NULL;
  g_autofree char *read = NULL;
  EmitWriter body;

  if (!helper_new (h, name))
    return g_steal_pointer (&name);
  signature = g_strdup_printf ("gboolean\n%s (JsonNode *node, const VdsmJsonPath *path, JsonNode **out, GError **error)",
                               name);
  decl = gen_ref_auto_decl (ref->item, "value");
  read = gen_read_expr (h, ref->item, "node", "path", "&value", "error");
  emit_writer_init (&body);
  emit_indent (&body);
  emit (&body, "%s;\n\n", decl);
  emit (&body, "if (!%s)\n  return FALSE;\n", read);
  emit (&body, "*out = json_node_copy (node);\nreturn TRUE;\n");
  helper_define (h, signature, &body);
  emit_writer_clear (&body);
  return g_steal_pointer (&name);
}

void
gen_emit_member_read (GenHelpers *h, EmitWriter *w, const char *on_failure,
                      const char *name, const GenRef *ref, const char *node,
                      const char *parent_path, const char *target, const char *has_flag)
{
  g_autofree char *path = g_strconcat (node, "_path", NULL);
  g_autofree char *path_ptr = g_strconcat ("&", path, NULL);
  g_autofree char *read = gen_read_expr (h, ref, node, path_ptr, target, "error");

  emit (w, "if (%s != NULL && !JSON_NODE_HOLDS_NULL (%s))\n  {\n", node, node);
  emit (w, "    const VdsmJsonPath %s = { %s, %s, 0 };\n\n", path, parent_path, name);
  emit (w, "    if (!%s)\n      %s\n", read, on_failure);
  if (has_flag != NULL)
    emit (w, "    %s = TRUE;\n", has_flag);
  emit (w, "  }\n");
}

void
gen_emit_member_write (GenHelpers *h, EmitWriter *w, const char *name,
                       const GenRef *ref, const char *value,
                       const char *condition, const char *out)
{
  g_autofree char *key = gen_json_key_literal (name);
  g_autofree char *write = gen_write_stmt (h, ref, value, out);

  if (gen_ref_is_pointer (ref))
    emit (w, "if (%s != NULL)\n", value);
  else if (condition != NULL)
    emit (w, "if (%s)\n", condition);
  else
    {
      emit (w, "vdsm_json_write_member (%s, &first, %s);\n%s\n", out, key, write);
      return;
    }
  emit (w, "  {\n    vdsm_json_write_member (%s, &first, %s);\n    %s\n  }\n", out, key, write);
}

char *
gen_write_stmt (GenHelpers *h, const GenRef *ref, const char *value, const char *out)
{
  g_autofree char *helper = NULL;

  switch (ref->kind)
    {
    case GEN_C_STRING:
      return g_strdup_printf ("vdsm_json_write_string (%s, %s);", out, value);
    case GEN_C_BOOLEAN:
      return g_strdup_printf ("vdsm_json_write_boolean (%s, %s);", out, value);
    case GEN_C_INT:
      return g_strdup_printf ("vdsm_json_write_int (%s, %s);", out, value);
    case GEN_C_UINT:
      return g_strdup_printf ("vdsm_json_write_uint (%s, %s);", out, value);
    case GEN_C_DOUBLE:
      return g_strdup_printf ("vdsm_json_write_double (%s, %s);", out, value);
    case GEN_C_ENUM:
    case GEN_C_BOXED:
      return g_strdup_printf ("%s_write_json (%s, %s);", ref->type->snake, value, out);
    case GEN_C_PTR_ARRAY:
    case GEN_C_ARRAY:
      helper = list_helper (h, ref, "write");
      return g_strdup_printf ("%s (%s, %s);", helper, value, out);
    case GEN_C_NODE:
    default:
      return g_strdup_printf ("vdsm_json_write_node (%s, %s);", out, value);
    }
}

char *
gen_read_expr (GenHelpers *h, const GenRef *ref, const char *node,
               const char *path, const char *out_ptr, const char *error)
{
  g_autofree char *helper = NULL;
  const char *reader = NULL;

  switch (ref->kind)
    {
    case GEN_C_STRING: reader = "vdsm_json_read_string"; break;
    case GEN_C_BOOLEAN: reader = "vdsm_json_read_boolean"; break;
    case GEN_C_INT:
      reader = ref->prim == VDSM_SCHEMA_PRIM_LONG ? "vdsm_json_read_long" : "vdsm_json_read_int";
      break;
    case GEN_C_UINT:
      reader = ref->prim == VDSM_SCHEMA_PRIM_ULONG ? "vdsm_json_read_ulong" : "vdsm_json_read_uint";
      break;
    case GEN_C_DOUBLE: reader = "vdsm_json_read_double"; break;
    case GEN_C_ENUM:
    case GEN_C_BOXED:
      helper = g_strconcat (ref->type->snake, "_read_json", NULL);
      break;
    case GEN_C_PTR_ARRAY:
    case GEN_C_ARRAY:
      helper = list_helper (h, ref, "read");
      break;
    case GEN_C_NODE:
      if (ref->item == NULL)
        return g_strdup_printf ("vdsm_json_read_node (%s, %s, %s, %s, %s)", node, path,
                                ref->object_only ? "TRUE" : "FALSE", out_ptr, error);
      helper = boxed_scalar_reader (h, ref);
      break;
    }
  return g_strdup_printf ("%s (%s, %s, %s, %s)", reader != NULL ? reader : helper,
                          node, path, out_ptr, error);
}

char *
gen_copy_expr (GenHelpers *h, const GenRef *ref, const char *value)
{
  g_autofree char *helper = NULL;

  switch (ref->kind)
    {
    case GEN_C_STRING:
      return g_strdup_printf ("g_strdup (%s)", value);
    case GEN_C_BOXED:
      return g_strdup_printf ("%s_copy (%s)", ref->type->snake, value);
    case GEN_C_PTR_ARRAY:
    case GEN_C_ARRAY:
      helper = list_helper (h, ref, "copy");
      return g_strdup_printf ("%s (%s)", helper, value);
    case GEN_C_NODE:
      return g_strdup_printf ("vdsm_json_copy_node (%s, NULL)", value);
    default:
      return g_strdup (value);
    }
}

static const char *
json_kind (const GenRef *ref)
{
  switch (ref->kind)
    {
    case GEN_C_STRING: return "VDSM_JSON_KIND_STRING";
    case GEN_C_BOOLEAN: return "VDSM_JSON_KIND_BOOLEAN";
    case GEN_C_INT:
      return ref->prim == VDSM_SCHEMA_PRIM_LONG ? "VDSM_JSON_KIND_LONG" : "VDSM_JSON_KIND_INT";
    case GEN_C_UINT:
      return ref->prim == VDSM_SCHEMA_PRIM_ULONG ? "VDSM_JSON_KIND_ULONG" : "VDSM_JSON_KIND_UINT";
    case GEN_C_DOUBLE: return "VDSM_JSON_KIND_DOUBLE";
    case GEN_C_BOXED: return "VDSM_JSON_KIND_OBJECT";  /* a map: objects and unions have matchers */
    case GEN_C_PTR_ARRAY:
    case GEN_C_ARRAY:
      return "VDSM_JSON_KIND_ARRAY";
    case GEN_C_NODE:
      return ref->object_only ? "VDSM_JSON_KIND_OBJECT" : "VDSM_JSON_KIND_ANY";
    default:
      return "VDSM_JSON_KIND_ANY";
    }
}

/* Does @node fit one member of a union: keys within the member's
 * properties plus the union's own; a nested union: any of its members. */
static char *
union_member_matcher (GenHelpers *h, const GenType *member, const GenType *in_union)
{
  g_autofree char *name = NULL;
  g_autofree char *signature = NULL;
  EmitWriter body;

  if (member->kind == GEN_TYPE_UNION)
    name = g_strconcat ("match_", member->snake, NULL);
  else
    name = g_strdup_printf ("match_%s_in_%s", member->snake, in_union->snake);
  if (!helper_new (h, name))
    return g_steal_pointer (&name);
  signature = g_strdup_printf ("gboolean\n%s (JsonNode *node)", name);
  emit_writer_init (&body);
  emit_indent (&body);
  if (member->kind == GEN_TYPE_UNION)
    {
      emit (&body, "return ");
      for (guint i = 0; i < member->fields->len; i++)
        {
          const GenField *field = g_ptr_array_index (member->fields, i);
          g_autofree char *match = gen_match_expr (h, field->ref, "node", member);

          emit (&body, "%s%s", i > 0 ? "\n       || " : "", match);
        }
      emit (&body, "%s;\n", member->fields->len == 0 ? "FALSE" : "");
    }
  else
    {
      GPtrArray *lists[] = { member->schema->properties, in_union->schema->properties };

      emit (&body, "static const char *const names[] = {\n");
      for (gsize l = 0; l < G_N_ELEMENTS (lists); l++)
        for (guint i = 0; lists[l] != NULL && i < lists[l]->len; i++)
          {
            const VdsmSchemaMember *prop = g_ptr_array_index (lists[l], i);
            g_autofree char *lit = gen_c_literal (prop->name);

            emit (&body, "  %s,\n", lit);
          }
      emit (&body, "  NULL\n};\n\n");
      emit (&body, "return JSON_NODE_HOLDS_OBJECT (node)\n"
                   "       && vdsm_json_object_keys_within (json_node_get_object (node), names);\n");
    }
  helper_define (h, signature, &body);
  emit_writer_clear (&body);
  return g_steal_pointer (&name);
}

char *
gen_match_expr (GenHelpers *h, const GenRef *ref, const char *node,
                const GenType *in_union)
{
  g_autofree char *helper = NULL;

  if (ref->kind == GEN_C_ENUM)
    return g_strdup_printf ("vdsm_json_match_enum (%s, %s_values, G_N_ELEMENTS (%s_values))",
                            node, ref->type->snake, ref->type->snake);
  if (ref->kind == GEN_C_BOXED && ref->type->kind != GEN_TYPE_MAP)
    {
      helper = union_member_matcher (h, ref->type, in_union);
      return g_strdup_printf ("%s (%s)", helper, node);
    }
  if (ref->kind == GEN_C_NODE && ref->item != NULL)
    return gen_match_expr (h, ref->item, node, in_union);
  return g_strdup_printf ("vdsm_json_matches (%s, %s)", node, json_kind (ref));
}

/* Does @node, an object that fits @member (see union_member_matcher()),
 * also hold every required property of it: how the first member that fits
 * *and passes* is told apart from one that only fits (docs/
 * schema-language.md §9.4), without reading it. */
static char *
union_member_complete_matcher (GenHelpers *h, const GenType *member,
                               const GenType *in_union, const char *match)
{
  g_autofree char *name = g_strdup_printf ("match_complete_%s_in_%s",
                                           member->snake, in_union->snake);
  g_autofree char *signature = NULL;
  EmitWriter body;
  GPtrArray *props = member->schema->properties;

  if (!helper_new (h, name))
    return g_steal_pointer (&name);
  signature = g_strdup_printf ("gboolean\n%s (JsonNode *node)", name);
  emit_writer_init (&body);
  emit_indent (&body);
  emit (&body, "static const char *const required[] = {\n");
  for (guint i = 0; props != NULL && i < props->len; i++)
    {
      const VdsmSchemaMember *prop = g_ptr_array_index (props, i);
      g_autofree char *lit = NULL;

      if (prop->default_kind != VDSM_SCHEMA_DEFAULT_NONE)
        continue;
      lit = gen_c_literal (prop->name);
      emit (&body, "  %s,\n", lit);
    }
  emit (&body, "  NULL\n};\n\n");
  emit (&body, "return %s\n"
               "       && vdsm_json_object_has_keys (json_node_get_object (node), required);\n",
        match);
  helper_define (h, signature, &body);
  emit_writer_clear (&body);
  return g_steal_pointer (&name);
}

char *
gen_match_complete_expr (GenHelpers *h, const GenRef *ref, const char *node,
                         const GenType *in_union)
{
  g_autofree char *match = gen_match_expr (h, ref, node, in_union);
  g_autofree char *helper = NULL;

  if (ref->kind != GEN_C_BOXED || ref->type->kind != GEN_TYPE_OBJECT)
    return g_steal_pointer (&match);
  helper = union_member_complete_matcher (h, ref->type, in_union, match);
  return g_strdup_printf ("%s (%s)", helper, node);
}
