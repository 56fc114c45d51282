/* gen-fragments.c: C text for a type position (declarations, free
 * functions, GI annotations), parameter lists, literals and documentation.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "gen-fragments.h"

#include "emit-writer.h"

#include <string.h>

char *
gen_c_literal (const char *text)
{
  g_autofree char *body = emit_c_string (text);

  return g_strdup_printf ("\"%s\"", body);
}

char *
gen_json_key_literal (const char *name)
{
  g_autoptr(GString) json = g_string_new (NULL);
  g_autofree char *body = NULL;

  /* The key as the runtime writer would escape it. */
  g_string_append_c (json, '"');
  for (const char *p = name; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_c (json, '\\');
      if ((guchar) *p < 0x20)
        g_string_append_printf (json, "\\u%04x", (guchar) *p);
      else
        g_string_append_c (json, *p);
    }
  g_string_append (json, "\":");
  body = emit_c_string (json->str);
  return g_strdup_printf ("\"%s\"", body);
}

char *
gen_decl (const char *ctype, const char *name)
{
  gsize len = strlen (ctype);

  if (len > 0 && ctype[len - 1] == '*')
    return g_strconcat (ctype, name, NULL);
  return g_strconcat (ctype, " ", name, NULL);
}

char *
gen_ref_auto_decl (const GenRef *ref, const char *name)
{
  switch (ref->kind)
    {
    case GEN_C_STRING:
      return g_strdup_printf ("g_autofree char *%s = NULL", name);
    case GEN_C_BOXED:
      return g_strdup_printf ("g_autoptr (%s) %s = NULL", ref->type->camel, name);
    case GEN_C_PTR_ARRAY:
      return g_strdup_printf ("g_autoptr (GPtrArray) %s = NULL", name);
    case GEN_C_ARRAY:
      return g_strdup_printf ("g_autoptr (GArray) %s = NULL", name);
    case GEN_C_NODE:
      return g_strdup_printf ("g_autoptr (JsonNode) %s = NULL", name);
    case GEN_C_DOUBLE:
      return g_strdup_printf ("gdouble %s = 0.0", name);
    case GEN_C_ENUM:
      return g_strdup_printf ("%s %s = 0", ref->ctype, name);
    case GEN_C_BOOLEAN:
      return g_strdup_printf ("gboolean %s = FALSE", name);
    case GEN_C_INT:
    case GEN_C_UINT:
    default:
      return g_strdup_printf ("%s %s = 0", ref->ctype, name);
    }
}

const char *
gen_ref_free_func (const GenRef *ref)
{
  switch (ref->kind)
    {
    case GEN_C_STRING: return "g_free";
    case GEN_C_BOXED: return NULL;  /* see gen_ref_destroy_notify */
    case GEN_C_PTR_ARRAY: return "g_ptr_array_unref";
    case GEN_C_ARRAY: return "g_array_unref";
    case GEN_C_NODE: return "json_node_unref";
    default: return NULL;
    }
}

char *
gen_ref_destroy_notify (const GenRef *ref)
{
  if (ref->kind == GEN_C_BOXED)
    return g_strdup_printf ("(GDestroyNotify) %s_free", ref->type->snake);
  if (ref->kind == GEN_C_STRING)
    return g_strdup ("g_free");
  if (gen_ref_free_func (ref) == NULL)
    return NULL;
  return g_strdup_printf ("(GDestroyNotify) %s", gen_ref_free_func (ref));
}

char *
gen_ref_gi_type (const GenRef *ref)
{
  switch (ref->kind)
    {
    case GEN_C_STRING: return g_strdup ("utf8");
    case GEN_C_BOOLEAN: return g_strdup ("gboolean");
    case GEN_C_INT: return g_strdup ("gint64");
    case GEN_C_UINT: return g_strdup ("guint64");
    case GEN_C_DOUBLE: return g_strdup ("gdouble");
    case GEN_C_ENUM:
    case GEN_C_BOXED:
      return g_strdup (ref->type->camel);
    case GEN_C_PTR_ARRAY:
    case GEN_C_ARRAY:
      {
        g_autofree char *item = gen_ref_gi_type (ref->item);

        return g_strdup_printf ("%s(%s)", ref->kind == GEN_C_ARRAY ? "GLib.Array" : "GLib.PtrArray", item);
      }
    case GEN_C_NODE:
    default:
      return g_strdup ("Json.Node");
    }
}

char *
gen_ref_gi_annotation (const GenRef *ref)
{
  g_autofree char *inner = NULL;

  switch (ref->kind)
    {
    case GEN_C_PTR_ARRAY:
    case GEN_C_ARRAY:
      inner = gen_ref_gi_type (ref->item);
      return g_strdup_printf (" (element-type %s)", inner);
    default:
      return g_strdup ("");
    }
}

char *
gen_ref_describe (const GenRef *ref)
{
  switch (ref->kind)
    {
    case GEN_C_ENUM:
    case GEN_C_BOXED:
      return g_strdup (ref->type->schema->key);
    case GEN_C_PTR_ARRAY:
    case GEN_C_ARRAY:
      {
        g_autofree char *item = gen_ref_describe (ref->item);

        return g_strdup_printf ("list of %s", item);
      }
    case GEN_C_NODE:
      if (ref->item != NULL)
        return gen_ref_describe (ref->item);
      return g_strdup (ref->object_only ? "JSON object" : "JSON value");
    default:
      return g_strdup (vdsm_schema_primitive_name (ref->prim));
    }
}

gboolean
gen_param_has_flag (const GenParam *param, GenParamStyle style)
{
  if (param->has_name == NULL)
    return FALSE;
  return style == GEN_PARAMS_HANDLER || param->default_c == NULL;
}

char *
gen_param_decls (GPtrArray *params, GenParamStyle style)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < params->len; i++)
    {
      const GenParam *param = g_ptr_array_index (params, i);
      g_autofree char *decl = gen_decl (param->ref->in_ctype, param->c_name);

      if (gen_param_has_flag (param, style))
        g_string_append_printf (out, ", gboolean %s", param->has_name);
      g_string_append_printf (out, ", %s", decl);
    }
  return g_string_free (out, FALSE);
}

char *
gen_param_args (GPtrArray *params, GenParamStyle style)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < params->len; i++)
    {
      const GenParam *param = g_ptr_array_index (params, i);

      if (gen_param_has_flag (param, style))
        g_string_append_printf (out, ", %s", param->has_name);
      g_string_append_printf (out, ", %s", param->c_name);
    }
  return g_string_free (out, FALSE);
}

const char *
gen_client_ret_ctype (const GenMethod *method)
{
  return method->ret != NULL ? method->ret->ctype : "gboolean";
}

char *
gen_doc (const char *text)
{
  return emit_comment_text (text);
}

char *
gen_doc_tag (const char *tag, const char *annotations, const char *format, ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  if (annotations == NULL || *annotations == '\0')
    return g_strdup_printf (" * %s: %s\n", tag, text);
  return g_strdup_printf (" * %s:%s: %s\n", tag, annotations, text);
}

char *
gen_doc_version_tags (const char *added, const char *deprecated)
{
  GString *out = g_string_new (NULL);

  if (added != NULL)
    {
      g_autofree char *text = gen_doc (added);

      g_string_append_printf (out, " * Since: %s\n", text);
    }
  if (deprecated != NULL)
    {
      g_autofree char *text = gen_doc (deprecated);

      g_string_append_printf (out, " * Deprecated: %s: deprecated in VDSM's schema\n", text);
    }
  if (out->len > 0)
    g_string_prepend (out, " *\n");
  return g_string_free (out, FALSE);
}

char *
gen_member_notes (const VdsmSchemaMember *member)
{
  g_autoptr(GPtrArray) notes = g_ptr_array_new_with_free_func (g_free);
  const struct { const char *value; const char *format; } known[] = {
    /* VDSM never checks datatype: the value is a string such as "0.54". */
    { member->datatype, "datatype %s, sent as a string" },
    { member->added, "added in VDSM %s" },
    { member->modified, "changed in VDSM %s" },
    { member->deprecated, "deprecated since VDSM %s" },
  };
  g_autofree char *joined = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (known); i++)
    if (known[i].value != NULL)
      {
        g_autofree char *text = gen_doc (known[i].value);

        g_ptr_array_add (notes, g_strdup_printf (known[i].format, text));
      }
  if (member->default_kind == VDSM_SCHEMA_DEFAULT_NEEDS_UPDATING)
    g_ptr_array_add (notes, g_strdup ("optional, VDSM does not document its default"));
  if (notes->len == 0)
    return g_strdup ("");
  g_ptr_array_add (notes, NULL);
  joined = g_strjoinv ("; ", (char **) notes->pdata);
  return g_strdup_printf (" (%s)", joined);
}
