/* emit-types.c: vdsm-types.[ch], a C type per schema type with its JSON
 * writer and reader (docs/architecture.md, "Generated types").
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "emitters.h"

#include <string.h>

/* The statement that frees a pointer slot (an lvalue). */
static char *
free_stmt (const GenRef *ref, const char *lvalue)
{
  if (ref->kind == GEN_C_STRING)
    return g_strdup_printf ("g_free (%s);", lvalue);
  if (ref->kind == GEN_C_BOXED)
    return g_strdup_printf ("%s_free (%s);", ref->type->snake, lvalue);
  return g_strdup_printf ("g_clear_pointer (&%s, %s);", lvalue, gen_ref_free_func (ref));
}

/* Frees every pointer field of `self`; with @reset, also leaves them NULL
 * (g_clear_pointer does that by itself). */
static void
emit_free_pointer_fields (EmitWriter *w, const GenType *type, gboolean reset)
{
  for (guint i = 0; i < type->fields->len; i++)
    {
      const GenField *field = g_ptr_array_index (type->fields, i);
      g_autofree char *lvalue = g_strdup_printf ("self->%s", field->c_name);
      g_autofree char *stmt = NULL;

      if (!gen_ref_is_pointer (field->ref))
        continue;
      stmt = free_stmt (field->ref, lvalue);
      emit (w, "  %s\n", stmt);
      if (reset && (field->ref->kind == GEN_C_STRING || field->ref->kind == GEN_C_BOXED))
        emit (w, "  %s = NULL;\n", lvalue);
    }
}

static const char *
zero_of (const GenRef *ref)
{
  if (gen_ref_is_pointer (ref))
    return "NULL";
  if (ref->kind == GEN_C_BOOLEAN)
    return "FALSE";
  if (ref->kind == GEN_C_ENUM)
    return "0";
  if (ref->kind == GEN_C_DOUBLE)
    return "0.0";
  return "0";
}

/* The getter's return type: strings are handed out const. */
static const char *
getter_ctype (const GenRef *ref)
{
  return ref->kind == GEN_C_STRING ? "const char *" : ref->ctype;
}

static char *
default_note (const GenField *field)
{
  const VdsmSchemaMember *member = field->member;
  g_autofree char *text = NULL;

  if (member == NULL || member->default_kind != VDSM_SCHEMA_DEFAULT_VALUE
      || member->default_value == NULL)
    return g_strdup ("");
  text = json_to_string (member->default_value, FALSE);
  return g_strdup_printf (" (default: %s)", text);
}

/* ---- Header ---- */

static void
emit_enum_decl (EmitWriter *w, const char *camel, const char *snake,
                const char *type_macro, const char *doc, const char *tags,
                GPtrArray *consts, GPtrArray *texts, GPtrArray *descriptions)
{
  emit (w, "/**\n * %s:\n", camel);
  for (guint i = 0; i < consts->len; i++)
    {
      g_autofree char *text = gen_doc (g_ptr_array_index (texts, i));
      g_autofree char *desc = gen_doc (g_ptr_array_index (descriptions, i));

      emit (w, " * @%s: `%s`%s%s\n", (char *) g_ptr_array_index (consts, i), text,
            *desc != '\0' ? ": " : "", desc);
    }
  emit (w, " *\n * %s\n%s */\n", doc, tags);
  emit (w, "typedef enum {\n");
  for (guint i = 0; i < consts->len; i++)
    emit (w, "  %s,\n", (char *) g_ptr_array_index (consts, i));
  emit (w, "} %s;\n\n", camel);
  emit_public_prototype (w, "GType %s_get_type (void) G_GNUC_CONST;\n", snake);
  emit (w, "#define %s (%s_get_type ())\n\n", type_macro, snake);
}

static void
emit_enums (GenModel *model, EmitWriter *w)
{
  for (guint t = 0; t < model->types->len; t++)
    {
      const GenType *type = g_ptr_array_index (model->types, t);
      g_autoptr(GPtrArray) texts = g_ptr_array_new ();
      g_autoptr(GPtrArray) descs = g_ptr_array_new ();
      g_autoptr(GPtrArray) consts = g_ptr_array_new ();
      g_autofree char *doc = NULL;
      g_autofree char *tags = gen_doc_version_tags (type->schema->added, type->schema->deprecated);

      if (type->kind == GEN_TYPE_ENUM)
        {
          for (guint i = 0; i < type->schema->values->len; i++)
            {
              const VdsmSchemaEnumValue *v = g_ptr_array_index (type->schema->values, i);

              g_ptr_array_add (texts, v->text);
              g_ptr_array_add (descs, v->description);
              g_ptr_array_add (consts, g_ptr_array_index (type->consts, i));
            }
          doc = gen_doc (type->schema->description);
          emit_enum_decl (w, type->camel, type->snake, type->type_macro, doc, tags,
                          consts, texts, descs);
        }
      else if (type->kind == GEN_TYPE_UNION)
        {
          for (guint i = 0; i < type->fields->len; i++)
            {
              const GenField *field = g_ptr_array_index (type->fields, i);

              g_ptr_array_add (texts, field->kind_nick);
              g_ptr_array_add (descs, (gpointer) "");
              g_ptr_array_add (consts, field->kind_const);
            }
          doc = g_strdup_printf ("Which member of a #%s is set.", type->camel);
          emit_enum_decl (w, type->kind_camel, type->kind_snake, type->kind_type_macro,
                          doc, tags, consts, texts, descs);
        }
    }
}

static void
emit_struct (EmitWriter *w, const GenType *type)
{
  g_autofree char *doc = gen_doc (type->schema->description);
  g_autofree char *tags = gen_doc_version_tags (type->schema->added, type->schema->deprecated);

  emit (w, "/**\n * %s:\n", type->camel);
  if (type->kind == GEN_TYPE_UNION)
    emit (w, " * @kind: which member is set\n");
  for (guint i = 0; i < type->fields->len; i++)
    {
      const GenField *field = g_ptr_array_index (type->fields, i);
      g_autofree char *ann = gen_ref_gi_annotation (field->ref);
      g_autofree char *desc = gen_doc (field->member != NULL ? field->member->description : NULL);
      g_autofree char *note = default_note (field);
      g_autofree char *notes = field->member != NULL ? gen_member_notes (field->member) : g_strdup ("");
      const char *wire = field->member != NULL ? field->member->name : field->kind_nick;
      g_autofree char *tag = g_strconcat ("@", field->c_name, NULL);
      g_autofree char *line = gen_doc_tag (tag, ann, "`%s`%s%s%s%s", wire,
                                           *desc != '\0' ? ": " : "", desc, note, notes);

      if (field->has_name != NULL)
        emit (w, " * @%s: whether @%s is set\n", field->has_name, field->c_name);
      emit (w, "%s", line);
    }
  emit (w, " *\n * %s\n%s */\n", doc, tags);
  emit (w, "struct _%s {\n", type->camel);
  emit_indent (w);
  if (type->kind == GEN_TYPE_UNION)
    emit (w, "%s kind;\n", type->kind_camel);
  for (guint i = 0; i < type->fields->len; i++)
    {
      const GenField *field = g_ptr_array_index (type->fields, i);
      g_autofree char *decl = gen_decl (field->ref->ctype, field->c_name);

      if (field->has_name != NULL)
        emit (w, "gboolean %s;\n", field->has_name);
      emit (w, "%s;\n", decl);
    }
  if (type->fields->len == 0 && type->kind == GEN_TYPE_OBJECT)
    emit (w, "/* An empty object on the wire; C wants a member. */\n"
             "gboolean reserved;\n");
  emit_dedent (w);
  emit (w, "};\n\n");
}

static void
emit_map_prototypes (EmitWriter *w, const GenType *type)
{
  const char *s = type->snake;
  const char *c = type->camel;
  g_autofree char *value = gen_decl (type->value->in_ctype, "value");
  g_autofree char *lookup = gen_decl (getter_ctype (type->value), "");

  emit_public_prototype (w, "GHashTable *%s_get_table (const %s *self);\n", s, c);
  emit_public_prototype (w, "guint %s_size (const %s *self);\n", s, c);
  emit_public_prototype (w, "char **%s_get_keys (const %s *self);\n", s, c);
  emit_public_prototype (w, "gboolean %s_contains (const %s *self, const char *key);\n", s, c);
  emit_public_prototype (w, "%s%s_lookup (const %s *self, const char *key);\n", lookup, s, c);
  emit_public_prototype (w, "void %s_insert (%s *self, const char *key, %s);\n", s, c, value);
  emit_public_prototype (w, "gboolean %s_remove (%s *self, const char *key);\n", s, c);
}

static void
emit_prototypes (EmitWriter *w, const GenType *type)
{
  const char *s = type->snake;
  const char *c = type->camel;

  if (type->kind == GEN_TYPE_ENUM)
    {
      emit_public_prototype (w, "const char *%s_to_string (%s value);\n", s, c);
      emit_public_prototype (w, "gboolean %s_from_string (const char *text, %s *out);\n", s, c);
      emit_public_prototype (w, "gboolean %s_from_json (JsonNode *node, %s *out, GError **error);\n\n", s, c);
      return;
    }
  emit_public_prototype (w, "GType %s_get_type (void) G_GNUC_CONST;\n", s);
  emit (w, "#define %s (%s_get_type ())\n", type->type_macro, s);
  emit_public_prototype (w, "%s *%s_new (void);\n", c, s);
  emit_public_prototype (w, "%s *%s_copy (const %s *self);\n", c, s, c);
  emit_public_prototype (w, "void %s_free (%s *self);\n", s, c);
  emit (w, "G_DEFINE_AUTOPTR_CLEANUP_FUNC (%s, %s_free)\n", c, s);
  if (type->kind == GEN_TYPE_UNION)
    emit_public_prototype (w, "%s %s_get_kind (const %s *self);\n", type->kind_camel, s, c);
  if (type->kind == GEN_TYPE_MAP)
    emit_map_prototypes (w, type);
  else
    for (guint i = 0; i < type->fields->len; i++)
      {
        const GenField *field = g_ptr_array_index (type->fields, i);
        g_autofree char *value = gen_decl (field->ref->in_ctype, "value");

        emit_public_prototype (w, "%s%s%s_get_%s (const %s *self);\n", getter_ctype (field->ref),
                               g_str_has_suffix (getter_ctype (field->ref), "*") ? "" : " ",
                               s, field->accessor, c);
        emit_public_prototype (w, "void %s_set_%s (%s *self, %s);\n", s, field->accessor, c, value);
      }
  emit_public_prototype (w, "%s *%s_from_json (JsonNode *node, GError **error);\n", c, s);
  emit_public_prototype (w, "%s *%s_new_from_json_string (const char *json, GError **error);\n", c, s);
  emit_public_prototype (w, "char *%s_to_json_string (const %s *self);\n\n", s, c);
}

static void
emit_header (GenModel *model, EmitWriter *w)
{
  emit_banner (model, w, "the C types of the schema's types");
  emit (w, "#pragma once\n\n");
  emit (w, "#include <glib-object.h>\n#include <json-glib/json-glib.h>\n\n");
  emit (w, "#include \"vdsm-visibility.h\"\n\n");
  emit (w, "G_BEGIN_DECLS\n\n");
  emit_enums (model, w);
  for (guint t = 0; t < model->types->len; t++)
    {
      const GenType *type = g_ptr_array_index (model->types, t);

      /* A map's struct is private: its table is reached through functions. */
      if (type->kind != GEN_TYPE_ENUM)
        emit (w, "typedef struct _%s %s;\n", type->camel, type->camel);
    }
  emit (w, "\n");
  for (guint t = 0; t < model->types->len; t++)
    {
      const GenType *type = g_ptr_array_index (model->types, t);

      if (type->kind == GEN_TYPE_OBJECT || type->kind == GEN_TYPE_UNION)
        emit_struct (w, type);
    }
  for (guint t = 0; t < model->types->len; t++)
    emit_prototypes (w, g_ptr_array_index (model->types, t));
  emit (w, "G_END_DECLS\n");
}

/* ---- Private header: the JSON readers and writers ---- */

/* What generated code calls to read and write a value inside a larger
 * document, by path; outside libvdsm, the _from_json and _to_json_string
 * functions of vdsm-types.h do that for a whole document. */
static void
emit_private_header (GenModel *model, EmitWriter *w)
{
  emit_banner (model, w, "the JSON readers and writers of the schema's types");
  emit (w, "#pragma once\n\n#include \"vdsm-types.h\"\n#include \"vdsm-json.h\"\n\n");
  emit (w, "G_BEGIN_DECLS\n\n");
  for (guint t = 0; t < model->types->len; t++)
    {
      const GenType *type = g_ptr_array_index (model->types, t);
      const char *s = type->snake;
      const char *c = type->camel;
      gboolean is_enum = type->kind == GEN_TYPE_ENUM;

      emit_prototype (w, "void %s_write_json (%s%s%s, GString *out);\n", s,
                      is_enum ? "" : "const ", c, is_enum ? " value" : " *self");
      emit_prototype (w, "gboolean %s_read_json (JsonNode *node, const VdsmJsonPath *path, %s %s*out, GError **error);\n",
                      s, c, is_enum ? "" : "*");
    }
  emit (w, "\nG_END_DECLS\n");
}

/* ---- Source: enums ---- */

/* GI turns nicks into member names, so they must be identifiers: the
 * constant after its type prefix, GLib style (migration-source). The wire
 * text is vdsm_xxx_to_string()'s. */
static char *
genum_nick (const char *constant, const char *prefix)
{
  char *nick = g_ascii_strdown (constant + strlen (prefix) + 1, -1);

  g_strdelimit (nick, "_", '-');
  return nick;
}

static void
emit_genum_get_type (EmitWriter *w, const char *camel, const char *snake,
                     const char *prefix, GPtrArray *consts)
{
  emit_prototype (w, "GType\n%s_get_type (void)\n{\n", snake);
  emit (w, "  static gsize type_id = 0;\n");
  emit (w, "  static const GEnumValue values[] = {\n");
  for (guint i = 0; i < consts->len; i++)
    {
      const char *constant = g_ptr_array_index (consts, i);
      g_autofree char *nick = genum_nick (constant, prefix);

      emit (w, "    { %s, \"%s\", \"%s\" },\n", constant, constant, nick);
    }
  emit (w, "    { 0, NULL, NULL }\n  };\n\n");
  emit (w, "  if (g_once_init_enter (&type_id))\n");
  emit (w, "    g_once_init_leave (&type_id, g_enum_register_static (g_intern_static_string (\"%s\"), values));\n", camel);
  emit (w, "  return type_id;\n}\n\n");
}

/* The JSON text written for an enum key: a string key as a JSON string, a
 * number as the schema wrote it when that is valid JSON. */
static char *
enum_wire_text (const VdsmSchemaEnumValue *v)
{
  GType vt = json_node_get_value_type (v->typed);
  g_autoptr(JsonParser) parser = NULL;

  if (vt == G_TYPE_INT64 || vt == G_TYPE_DOUBLE)
    {
      parser = json_parser_new ();
      if (json_parser_load_from_data (parser, v->text, -1, NULL)
          && json_parser_get_root (parser) != NULL
          && JSON_NODE_HOLDS_VALUE (json_parser_get_root (parser))
          && json_node_get_value_type (json_parser_get_root (parser)) != G_TYPE_STRING)
        return g_strdup (v->text);
      return json_to_string (v->typed, FALSE);
    }
  {
    g_autoptr(JsonNode) node = json_node_init_string (json_node_alloc (), v->text);

    return json_to_string (node, FALSE);
  }
}

static void
emit_enum_source (EmitWriter *w, const GenType *type)
{
  const char *s = type->snake;
  const char *c = type->camel;
  GPtrArray *values = type->schema->values;
  g_autofree char *key_lit = gen_c_literal (type->schema->key);

  emit (w, "static const VdsmJsonEnumValue %s_values[] = {\n", s);
  for (guint i = 0; i < values->len; i++)
    {
      const VdsmSchemaEnumValue *v = g_ptr_array_index (values, i);
      GType vt = json_node_get_value_type (v->typed);
      g_autofree char *text = gen_c_literal (v->text);
      g_autofree char *wire_text = enum_wire_text (v);
      g_autofree char *wire = gen_c_literal (wire_text);
      char dbl[G_ASCII_DTOSTR_BUF_SIZE] = "0.0";

      if (vt == G_TYPE_DOUBLE)
        g_ascii_dtostr (dbl, sizeof dbl, json_node_get_double (v->typed));
      emit (w, "  { %s, %s, %s, G_GINT64_CONSTANT (%" G_GINT64_FORMAT "), %s },\n",
            text, wire,
            vt == G_TYPE_INT64 ? "VDSM_JSON_ENUM_INT"
              : vt == G_TYPE_DOUBLE ? "VDSM_JSON_ENUM_DOUBLE" : "VDSM_JSON_ENUM_STRING",
            vt == G_TYPE_INT64 ? json_node_get_int (v->typed) : 0, dbl);
    }
  emit (w, "};\n\n");
  emit_genum_get_type (w, c, s, type->upper, type->consts);

  emit (w, "/**\n * %s_to_string:\n * @value: a #%s\n *\n"
           " * Returns: (nullable): the wire text of @value\n */\n", s, c);
  emit_prototype (w, "const char *\n%s_to_string (%s value)\n{\n", s, c);
  emit (w, "  return (guint) value < G_N_ELEMENTS (%s_values) ? %s_values[value].text : NULL;\n}\n\n", s, s);

  emit (w, "/**\n * %s_from_string:\n * @text: a wire text\n * @out: (out): the value\n *\n"
           " * Returns: whether @text is the wire text of a value\n */\n", s);
  emit_prototype (w, "gboolean\n%s_from_string (const char *text, %s *out)\n{\n", s, c);
  emit (w, "  for (guint i = 0; text != NULL && i < G_N_ELEMENTS (%s_values); i++)\n", s);
  emit (w, "    if (strcmp (text, %s_values[i].text) == 0)\n", s);
  emit (w, "      {\n        *out = (%s) i;\n        return TRUE;\n      }\n", c);
  emit (w, "  return FALSE;\n}\n\n");

  emit (w, "/*\n * %s_write_json:\n * @value: a #%s\n * @out: where to append\n *\n"
           " * Appends @value as JSON: a string, or a number for a numeric key.\n */\n", s, c);
  emit_prototype (w, "void\n%s_write_json (%s value, GString *out)\n{\n", s, c);
  emit (w, "  if ((guint) value < G_N_ELEMENTS (%s_values))\n", s);
  emit (w, "    g_string_append (out, %s_values[value].wire);\n", s);
  emit (w, "  else\n    g_string_append (out, \"null\");\n}\n\n");

  emit (w, "/*\n * %s_read_json:\n * @node: a JSON value\n * @path: (nullable): where @node is, for errors\n"
           " * @out: (out): the value\n * @error: return location for a #GError\n *\n"
           " * Returns: whether @node is a value of the enum\n */\n", s);
  emit_prototype (w, "gboolean\n%s_read_json (JsonNode *node, const VdsmJsonPath *path, %s *out, GError **error)\n{\n", s, c);
  emit (w, "  int value;\n\n");
  emit (w, "  if (!vdsm_json_read_enum (node, path, %s, %s_values, G_N_ELEMENTS (%s_values), &value, error))\n",
        key_lit, s, s);
  emit (w, "    return FALSE;\n  *out = (%s) value;\n  return TRUE;\n}\n\n", c);

  emit (w, "/**\n * %s_from_json:\n * @node: a JSON value\n * @out: (out): the value\n"
           " * @error: return location for a #GError\n *\n"
           " * Returns: whether @node is a value of the enum\n */\n", s);
  emit_prototype (w, "gboolean\n%s_from_json (JsonNode *node, %s *out, GError **error)\n{\n", s, c);
  emit (w, "  return %s_read_json (node, NULL, out, error);\n}\n\n", s);
}

/* ---- Source: the functions every boxed type has ---- */

static void
emit_json_entry_points (EmitWriter *w, const GenType *type)
{
  const char *s = type->snake;
  const char *c = type->camel;

  emit (w, "/**\n * %s_from_json:\n * @node: a JSON value\n * @error: return location for a #GError\n *\n"
           " * Returns: (transfer full): a new #%s, or %%NULL with @error set\n */\n", s, c);
  emit_prototype (w, "%s *\n%s_from_json (JsonNode *node, GError **error)\n{\n", c, s);
  emit (w, "  %s *result = NULL;\n\n", c);
  emit (w, "  if (!%s_read_json (node, NULL, &result, error))\n    return NULL;\n", s);
  emit (w, "  return result;\n}\n\n");

  emit (w, "/**\n * %s_new_from_json_string:\n * @json: JSON text\n * @error: return location for a #GError\n *\n"
           " * Returns: (transfer full): a new #%s, or %%NULL with @error set\n */\n", s, c);
  emit_prototype (w, "%s *\n%s_new_from_json_string (const char *json, GError **error)\n{\n", c, s);
  emit (w, "  g_autoptr (JsonNode) node = vdsm_json_parse (json, error);\n\n");
  emit (w, "  if (node == NULL)\n    return NULL;\n");
  emit (w, "  return %s_from_json (node, error);\n}\n\n", s);

  emit (w, "/**\n * %s_to_json_string:\n * @self: (nullable): a #%s\n *\n"
           " * Returns: (transfer full): @self as JSON text\n */\n", s, c);
  emit_prototype (w, "char *\n%s_to_json_string (const %s *self)\n{\n", s, c);
  emit (w, "  GString *out = g_string_new (NULL);\n\n");
  emit (w, "  %s_write_json (self, out);\n", s);
  emit (w, "  return g_string_free (out, FALSE);\n}\n\n");
}

/* ---- Source: what every boxed type has ---- */

/* _copy, around what copies the contents into `copy`. */
static void
emit_copy_start (EmitWriter *w, const GenType *type)
{
  const char *s = type->snake;
  const char *c = type->camel;

  emit (w, "/**\n * %s_copy:\n * @self: (nullable): a #%s\n *\n"
           " * Returns: (transfer full) (nullable): a deep copy of @self\n */\n", s, c);
  emit_prototype (w, "%s *\n%s_copy (const %s *self)\n{\n  %s *copy;\n\n", c, s, c, c);
  emit (w, "  if (self == NULL)\n    return NULL;\n");
  emit (w, "  copy = g_new (%s, 1);\n", c);
}

static void
emit_copy_end (EmitWriter *w)
{
  emit (w, "  return copy;\n}\n\n");
}

/* The _free of a boxed type, around what frees its contents, and the
 * GType that pairs it with _copy. */
static void
emit_free_start (EmitWriter *w, const GenType *type)
{
  emit (w, "/**\n * %s_free:\n * @self: (nullable): a #%s\n *\n * Frees @self and everything it holds.\n */\n",
        type->snake, type->camel);
  emit_prototype (w, "void\n%s_free (%s *self)\n{\n  if (self == NULL)\n    return;\n", type->snake, type->camel);
}

static void
emit_free_end (EmitWriter *w, const GenType *type)
{
  const char *s = type->snake;

  emit (w, "  g_free (self);\n}\n\n");
  emit (w, "G_DEFINE_BOXED_TYPE (%s, %s, %s_copy, %s_free)\n\n", type->camel, s, s, s);
}

/* ---- Source: maps ---- */

/* A map is a boxed wrapper of a string-keyed GHashTable, so that bindings
 * hold it like any boxed value: pygobject frees or borrows the boxed values
 * of a returned GHashTable unsafely under every transfer mode. */
static void
emit_map_boxed (GenHelpers *h, EmitWriter *w, const GenType *type)
{
  const char *s = type->snake;
  const char *c = type->camel;
  g_autofree char *notify = gen_ref_destroy_notify (type->value);
  g_autofree char *desc = gen_doc (type->schema->description);
  g_autofree char *tags = gen_doc_version_tags (type->schema->added, type->schema->deprecated);
  g_autofree char *what = gen_ref_describe (type->value);
  g_autofree char *copy = NULL;

  emit (w, "/**\n * %s:\n *\n * %s%sKeys are the wire keys; values are %s%s.\n%s */\n",
        c, desc, *desc != '\0' ? "\n *\n * " : "", what,
        type->value->kind == GEN_C_NODE && type->value->item != NULL ? ", kept as the JSON value they came as" : "",
        tags);
  emit (w, "struct _%s {\n  GHashTable *table;\n};\n\n", c);

  emit (w, "/**\n * %s_new:\n *\n * Returns: (transfer full): a new, empty #%s\n */\n", s, c);
  emit_prototype (w, "%s *\n%s_new (void)\n{\n  %s *self = g_new (%s, 1);\n\n", c, s, c, c);
  emit (w, "  self->table = vdsm_json_hash_table_new (%s);\n  return self;\n}\n\n", notify);

  /* Values in a table are copied through a GCopyFunc. */
  if (type->value->kind == GEN_C_STRING)
    copy = g_strdup ("vdsm_json_copy_string");
  else if (type->value->kind == GEN_C_NODE)
    copy = g_strdup ("vdsm_json_copy_node");
  else
    {
      g_autofree char *expr = gen_copy_expr (h, type->value, "(gpointer) src");

      copy = g_strconcat (s, "_copy_value", NULL);
      emit_prototype (w, "static gpointer\n%s (gconstpointer src, gpointer unused)\n{\n", copy);
      emit (w, "  return %s;\n}\n\n", expr);
    }
  emit_copy_start (w, type);
  emit (w, "  copy->table = vdsm_json_hash_table_copy (self->table, %s, %s);\n", copy, notify);
  emit_copy_end (w);

  emit_free_start (w, type);
  emit (w, "  g_hash_table_unref (self->table);\n");
  emit_free_end (w, type);
}

static void
emit_map_accessors (GenHelpers *h, EmitWriter *w, const GenType *type)
{
  const char *s = type->snake;
  const char *c = type->camel;
  const GenRef *value = type->value;
  g_autofree char *value_gi = gen_ref_gi_type (value);
  g_autofree char *value_ann = gen_ref_gi_annotation (value);
  g_autofree char *value_decl = gen_decl (value->in_ctype, "value");
  g_autofree char *copy = gen_copy_expr (h, value, "value");
  g_autofree char *value_doc = gen_doc_tag ("@value", value_ann, "the value, copied");

  emit (w, "/**\n * %s_get_table:\n * @self: a #%s\n *\n"
           " * Returns: (transfer none) (element-type utf8 %s): the table of @self,\n"
           " *   keyed by strings; it owns its keys and values, and changing it\n"
           " *   changes @self\n */\n", s, c, value_gi);
  emit_prototype (w, "GHashTable *\n%s_get_table (const %s *self)\n{\n", s, c);
  emit (w, "  g_return_val_if_fail (self != NULL, NULL);\n  return self->table;\n}\n\n");

  emit (w, "/**\n * %s_size:\n * @self: a #%s\n *\n * Returns: how many entries @self holds\n */\n", s, c);
  emit_prototype (w, "guint\n%s_size (const %s *self)\n{\n", s, c);
  emit (w, "  g_return_val_if_fail (self != NULL, 0);\n  return g_hash_table_size (self->table);\n}\n\n");

  emit (w, "/**\n * %s_get_keys:\n * @self: a #%s\n *\n"
           " * Returns: (array zero-terminated=1) (transfer full): the keys of @self,\n"
           " *   sorted by strcmp()\n */\n", s, c);
  emit_prototype (w, "char **\n%s_get_keys (const %s *self)\n{\n", s, c);
  emit_indent (w);
  emit (w, "g_autoptr (GList) keys = NULL;\nchar **result;\nguint n = 0;\n\n");
  emit (w, "g_return_val_if_fail (self != NULL, NULL);\n");
  emit (w, "keys = g_list_sort (g_hash_table_get_keys (self->table), (GCompareFunc) strcmp);\n");
  emit (w, "result = g_new (char *, g_hash_table_size (self->table) + 1);\n");
  emit (w, "for (const GList *l = keys; l != NULL; l = l->next)\n  result[n++] = g_strdup (l->data);\n");
  emit (w, "result[n] = NULL;\nreturn result;\n");
  emit_dedent (w);
  emit (w, "}\n\n");

  /* Bindings turn a NULL list into an empty one: contains() tells. */
  emit (w, "/**\n * %s_contains:\n * @self: a #%s\n * @key: a wire key\n *\n"
           " * Returns: whether @self holds a value at @key\n */\n", s, c);
  emit_prototype (w, "gboolean\n%s_contains (const %s *self, const char *key)\n{\n", s, c);
  emit (w, "  g_return_val_if_fail (self != NULL && key != NULL, FALSE);\n");
  emit (w, "  return g_hash_table_contains (self->table, key);\n}\n\n");

  emit (w, "/**\n * %s_lookup:\n * @self: a #%s\n * @key: a wire key\n *\n"
           " * Returns: (transfer none) (nullable)%s: the value at @key, or %%NULL\n */\n",
        s, c, value_ann);
  emit_prototype (w, "%s\n%s_lookup (const %s *self, const char *key)\n{\n",
                  getter_ctype (value), s, c);
  emit (w, "  g_return_val_if_fail (self != NULL && key != NULL, NULL);\n");
  emit (w, "  return g_hash_table_lookup (self->table, key);\n}\n\n");

  emit (w, "/**\n * %s_insert:\n * @self: a #%s\n * @key: a wire key\n%s *\n"
           " * Sets the value at @key, replacing any value there.\n */\n",
        s, c, value_doc);
  emit_prototype (w, "void\n%s_insert (%s *self, const char *key, %s)\n{\n", s, c, value_decl);
  emit (w, "  g_return_if_fail (self != NULL && key != NULL && value != NULL);\n");
  emit (w, "  g_hash_table_insert (self->table, g_strdup (key), %s);\n}\n\n", copy);

  emit (w, "/**\n * %s_remove:\n * @self: a #%s\n * @key: a wire key\n *\n"
           " * Returns: whether @self held @key\n */\n", s, c);
  emit_prototype (w, "gboolean\n%s_remove (%s *self, const char *key)\n{\n", s, c);
  emit (w, "  g_return_val_if_fail (self != NULL && key != NULL, FALSE);\n");
  emit (w, "  return g_hash_table_remove (self->table, key);\n}\n\n");
}

static void
emit_map_json (GenHelpers *h, EmitWriter *w, const GenType *type)
{
  const char *s = type->snake;
  const char *c = type->camel;
  g_autofree char *cast = g_strdup_printf ("(%s) value", type->value->ctype);
  g_autofree char *write = gen_write_stmt (h, type->value, cast, "out");
  g_autofree char *value_decl = gen_ref_auto_decl (type->value, "value");
  g_autofree char *read = gen_read_expr (h, type->value, "member", "&member_path", "&value", "error");

  emit (w, "/*\n * %s_write_json:\n * @self: (nullable): a #%s\n * @out: where to append\n *\n"
           " * Appends @self as a JSON object.\n */\n", s, c);
  emit_prototype (w, "void\n%s_write_json (const %s *self, GString *out)\n{\n", s, c);
  emit_indent (w);
  emit (w, "GHashTableIter iter;\ngpointer key, value;\ngboolean first = TRUE;\n\n");
  emit (w, "if (self == NULL)\n  {\n    g_string_append (out, \"null\");\n    return;\n  }\n");
  emit (w, "g_string_append_c (out, '{');\n");
  emit (w, "g_hash_table_iter_init (&iter, self->table);\n");
  emit (w, "while (g_hash_table_iter_next (&iter, &key, &value))\n  {\n");
  emit (w, "    if (!first)\n      g_string_append_c (out, ',');\n    first = FALSE;\n");
  emit (w, "    vdsm_json_write_string (out, key);\n    g_string_append_c (out, ':');\n");
  emit (w, "    %s\n  }\n", write);
  emit (w, "g_string_append_c (out, '}');\n");
  emit_dedent (w);
  emit (w, "}\n\n");

  emit (w, "/*\n * %s_read_json:\n * @node: a JSON value\n * @path: (nullable): where @node is, for errors\n"
           " * @out: (out) (transfer full): the value\n * @error: return location for a #GError\n *\n"
           " * Returns: whether @node is a valid %s\n */\n", s, type->schema->key);
  emit_prototype (w, "gboolean\n%s_read_json (JsonNode *node, const VdsmJsonPath *path, %s **out, GError **error)\n{\n", s, c);
  emit_indent (w);
  emit (w, "JsonObject *object = vdsm_json_read_object (node, path, error);\n");
  emit (w, "g_autoptr (%s) result = NULL;\nJsonObjectIter iter;\nconst char *key;\nJsonNode *member;\n\n", c);
  emit (w, "if (object == NULL)\n  return FALSE;\n");
  emit (w, "result = %s_new ();\n", s);
  emit (w, "json_object_iter_init (&iter, object);\n");
  emit (w, "while (json_object_iter_next (&iter, &key, &member))\n  {\n");
  emit_indent (w);
  emit_indent (w);
  emit (w, "const VdsmJsonPath member_path = { path, key, 0 };\n%s;\n\n", value_decl);
  emit (w, "if (!%s)\n  return FALSE;\n", read);
  emit (w, "g_hash_table_insert (result->table, g_strdup (key), g_steal_pointer (&value));\n");
  emit_dedent (w);
  emit_dedent (w);
  emit (w, "  }\n*out = g_steal_pointer (&result);\nreturn TRUE;\n");
  emit_dedent (w);
  emit (w, "}\n\n");
}

static void
emit_map_source (GenHelpers *h, EmitWriter *w, const GenType *type)
{
  emit_map_boxed (h, w, type);
  emit_map_accessors (h, w, type);
  emit_map_json (h, w, type);
  emit_json_entry_points (w, type);
}

/* ---- Source: objects and unions ---- */

static void
emit_boxed_common (GenHelpers *h, EmitWriter *w, const GenType *type)
{
  const char *s = type->snake;
  const char *c = type->camel;

  emit (w, "/**\n * %s_new:\n *\n * Returns: (transfer full): a new #%s%s\n */\n", s, c,
        type->kind == GEN_TYPE_UNION ? " holding its first member, unset" : " with nothing set");
  emit_prototype (w, "%s *\n%s_new (void)\n{\n  %s *self = g_new0 (%s, 1);\n\n", c, s, c, c);
  for (guint i = 0; i < type->fields->len; i++)
    {
      const GenField *field = g_ptr_array_index (type->fields, i);

      if (field->default_c != NULL)
        emit (w, "  self->%s = %s;\n", field->c_name, field->default_c);
    }
  emit (w, "  return self;\n}\n\n");

  emit_copy_start (w, type);
  emit (w, "  *copy = *self;\n");
  for (guint i = 0; i < type->fields->len; i++)
    {
      const GenField *field = g_ptr_array_index (type->fields, i);
      g_autofree char *src = g_strdup_printf ("self->%s", field->c_name);
      g_autofree char *copy = NULL;

      if (!gen_ref_is_pointer (field->ref))
        continue;
      copy = gen_copy_expr (h, field->ref, src);
      emit (w, "  copy->%s = %s;\n", field->c_name, copy);
    }
  emit_copy_end (w);

  emit_free_start (w, type);
  emit_free_pointer_fields (w, type, FALSE);
  emit_free_end (w, type);
}

static void
emit_accessors (GenHelpers *h, EmitWriter *w, const GenType *type)
{
  const char *s = type->snake;
  const char *c = type->camel;
  gboolean is_union = type->kind == GEN_TYPE_UNION;

  if (is_union)
    {
      emit (w, "/**\n * %s_get_kind:\n * @self: a #%s\n *\n * Returns: which member is set\n */\n", s, c);
      emit_prototype (w, "%s\n%s_get_kind (const %s *self)\n{\n", type->kind_camel, s, c);
      emit (w, "  g_return_val_if_fail (self != NULL, 0);\n  return self->kind;\n}\n\n");
      /* Setting one member drops the others. */
      emit_prototype (w, "static void\n%s_clear_members (%s *self)\n{\n", s, c);
      emit_free_pointer_fields (w, type, TRUE);
      emit (w, "}\n\n");
    }
  for (guint i = 0; i < type->fields->len; i++)
    {
      const GenField *field = g_ptr_array_index (type->fields, i);
      const char *wire = field->member != NULL ? field->member->name : field->kind_nick;
      gboolean ptr = gen_ref_is_pointer (field->ref);
      g_autofree char *ann = gen_ref_gi_annotation (field->ref);
      g_autofree char *value = gen_decl (field->ref->in_ctype, "value");
      g_autofree char *desc = gen_doc (field->member != NULL ? field->member->description : NULL);
      g_autofree char *note = default_note (field);
      g_autofree char *notes = field->member != NULL ? gen_member_notes (field->member) : g_strdup ("");
      g_autofree char *tags = field->member != NULL
                              ? gen_doc_version_tags (field->member->added, field->member->deprecated)
                              : g_strdup ("");
      g_autofree char *lvalue = g_strdup_printf ("self->%s", field->c_name);
      g_autofree char *returns_ann = g_strconcat (ptr ? " (transfer none) (nullable)" : "", ann,
                                                  NULL);
      g_autofree char *returns = gen_doc_tag ("Returns", returns_ann, "the `%s` %s%s", wire,
                                              is_union ? "member" : "field",
                                              field->has_name == NULL ? ""
                                              : field->default_c != NULL
                                              ? ", or its default when unset"
                                              : ", meaningful when set");
      g_autofree char *value_ann = g_strconcat (ptr ? " (nullable)" : "", ann, NULL);
      g_autofree char *value_doc = gen_doc_tag ("@value", value_ann, "the new value%s",
                                                ptr ? ", copied" : "");

      emit (w, "/**\n * %s_get_%s:\n * @self: a #%s\n *\n", s, field->accessor, c);
      if (*desc != '\0' || *notes != '\0')
        emit (w, " * %s%s%s\n *\n", desc, note, notes);
      emit (w, "%s%s */\n", returns, tags);
      emit_prototype (w, "%s\n%s_get_%s (const %s *self)\n{\n", getter_ctype (field->ref), s,
                      field->accessor, c);
      emit (w, "  g_return_val_if_fail (self != NULL, %s);\n", zero_of (field->ref));
      emit (w, "  return self->%s;\n}\n\n", field->c_name);

      emit (w, "/**\n * %s_set_%s:\n * @self: a #%s\n%s *\n", s, field->accessor, c, value_doc);
      emit (w, " * Sets the `%s` %s%s.\n%s */\n", wire, is_union ? "member, which becomes the one set" : "field",
            field->has_name != NULL ? " and marks it set" : "", tags);
      emit_prototype (w, "void\n%s_set_%s (%s *self, %s)\n{\n", s, field->accessor, c, value);
      emit_indent (w);
      if (ptr)
        {
          g_autofree char *copy = gen_copy_expr (h, field->ref, "value");
          g_autofree char *decl = gen_decl (field->ref->ctype, "copy");
          g_autofree char *stmt = free_stmt (field->ref, lvalue);

          emit (w, "g_return_if_fail (self != NULL);\n");
          emit (w, "%s = %s;\n\n", decl, copy);
          if (is_union)
            emit (w, "%s_clear_members (self);\n", s);
          else
            emit (w, "%s\n", stmt);
          emit (w, "self->%s = copy;\n", field->c_name);
        }
      else
        {
          emit (w, "g_return_if_fail (self != NULL);\n");
          if (is_union)
            emit (w, "%s_clear_members (self);\n", s);
          emit (w, "self->%s = value;\n", field->c_name);
          if (field->has_name != NULL)
            emit (w, "self->%s = TRUE;\n", field->has_name);
        }
      if (is_union)
        emit (w, "self->kind = %s;\n", field->kind_const);
      emit_dedent (w);
      emit (w, "}\n\n");
    }
}

/* An event's no_name field goes out as members of the params object
 * itself, next to the named ones. */
static void
emit_rest_write (GenHelpers *h, EmitWriter *w, const GenField *field)
{
  g_autofree char *value = g_strdup_printf ("self->%s", field->c_name);
  g_autofree char *write = gen_write_stmt (h, field->ref, value, "rest");

  emit (w, "if (%s != NULL)\n  {\n", value);
  emit_indent (w);
  emit_indent (w);
  emit (w, "g_autoptr (GString) rest = g_string_new (NULL);\n\n%s\n", write);
  emit (w, "if (rest->len > 2 && rest->str[0] == '{')\n  {\n");
  emit (w, "    vdsm_json_write_member (out, &first, \"\");\n");
  emit (w, "    g_string_append_len (out, rest->str + 1, rest->len - 2);\n  }\n");
  emit_dedent (w);
  emit_dedent (w);
  emit (w, "  }\n");
}

/* An event's no_name field is read from the params object without the
 * named members (notify_time...), at the object's own path. */
static void
emit_rest_read (GenHelpers *h, EmitWriter *w, const GenType *type, const GenField *field)
{
  g_autofree char *target = g_strdup_printf ("&self->%s", field->c_name);
  g_autofree char *read = gen_read_expr (h, field->ref, "rest", "path", target, "error");

  emit (w, "{\n");
  emit_indent (w);
  emit (w, "static const char *const named[] = { ");
  for (guint i = 0; i < type->fields->len; i++)
    {
      const GenField *other = g_ptr_array_index (type->fields, i);
      g_autofree char *name = gen_c_literal (other->member->name);

      if (other != field)
        emit (w, "%s, ", name);
    }
  emit (w, "NULL };\n");
  emit (w, "g_autoptr (JsonNode) rest = vdsm_json_object_without (object, named);\n\n");
  emit (w, "if (!(%s))\n  return FALSE;\n", read);
  emit_dedent (w);
  emit (w, "}\n");
}

static void
emit_object_json (GenHelpers *h, EmitWriter *w, const GenType *type)
{
  const char *s = type->snake;
  const char *c = type->camel;
  GPtrArray *fields = type->fields;

  emit (w, "/*\n * %s_write_json:\n * @self: (nullable): a #%s\n * @out: where to append\n *\n"
           " * Appends @self as a JSON object; unset optional fields and %%NULL\n"
           " * pointers are left out.\n */\n", s, c);
  emit_prototype (w, "void\n%s_write_json (const %s *self, GString *out)\n{\n", s, c);
  emit_indent (w);
  if (fields->len > 0)
    emit (w, "gboolean first = TRUE;\n\n");
  emit (w, "if (self == NULL)\n  {\n    g_string_append (out, \"null\");\n    return;\n  }\n");
  emit (w, "g_string_append_c (out, '{');\n");
  for (guint i = 0; i < fields->len; i++)
    {
      const GenField *field = g_ptr_array_index (fields, i);
      g_autofree char *value = g_strdup_printf ("self->%s", field->c_name);
      g_autofree char *has_flag = field->has_name != NULL
        ? g_strdup_printf ("self->%s", field->has_name) : NULL;

      if (field->rest)
        emit_rest_write (h, w, field);
      else
        gen_emit_member_write (h, w, field->member->name, field->ref, value, has_flag, "out");
    }
  emit (w, "g_string_append_c (out, '}');\n");
  emit_dedent (w);
  emit (w, "}\n\n");

  emit (w, "/*\n * %s_read_json:\n * @node: a JSON value\n * @path: (nullable): where @node is, for errors\n"
           " * @out: (out) (transfer full): the value\n * @error: return location for a #GError\n *\n"
           " * Reads a JSON object. Unknown members are ignored; missing or null\n"
           " * members stay unset.\n *\n * Returns: whether @node is a valid %s\n */\n", s, type->schema->key);
  emit_prototype (w, "gboolean\n%s_read_json (JsonNode *node, const VdsmJsonPath *path, %s **out, GError **error)\n{\n", s, c);
  emit_indent (w);
  emit (w, "JsonObject *object = vdsm_json_read_object (node, path, error);\n");
  emit (w, "g_autoptr (%s) self = NULL;\n", c);
  for (guint i = 0; i < fields->len; i++)
    if (!((const GenField *) g_ptr_array_index (fields, i))->rest)
      {
        emit (w, "JsonNode *member;\n");
        break;
      }
  emit (w, "\nif (object == NULL)\n  return FALSE;\n");
  emit (w, "self = %s_new ();\n", s);
  for (guint i = 0; i < fields->len; i++)
    {
      const GenField *field = g_ptr_array_index (fields, i);
      g_autofree char *name = gen_c_literal (field->member->name);
      g_autofree char *target = g_strdup_printf ("&self->%s", field->c_name);
      g_autofree char *has_flag = field->has_name != NULL
        ? g_strdup_printf ("self->%s", field->has_name) : NULL;

      if (field->rest)
        {
          emit_rest_read (h, w, type, field);
          continue;
        }
      emit (w, "member = json_object_get_member (object, %s);\n", name);
      gen_emit_member_read (h, w, "return FALSE;", name, field->ref, "member", "path", target,
                            has_flag);
    }
  emit (w, "*out = g_steal_pointer (&self);\nreturn TRUE;\n");
  emit_dedent (w);
  emit (w, "}\n\n");
}

static void
emit_union_json (GenHelpers *h, EmitWriter *w, const GenType *type)
{
  const char *s = type->snake;
  const char *c = type->camel;
  g_autofree char *key_lit = gen_c_literal (type->schema->key);

  emit (w, "/*\n * %s_write_json:\n * @self: (nullable): a #%s\n * @out: where to append\n *\n"
           " * Appends the member that is set as JSON.\n */\n", s, c);
  emit_prototype (w, "void\n%s_write_json (const %s *self, GString *out)\n{\n", s, c);
  emit_indent (w);
  emit (w, "if (self == NULL)\n  {\n    g_string_append (out, \"null\");\n    return;\n  }\n");
  emit (w, "switch (self->kind)\n  {\n");
  for (guint i = 0; i < type->fields->len; i++)
    {
      const GenField *field = g_ptr_array_index (type->fields, i);
      g_autofree char *value = g_strdup_printf ("self->%s", field->c_name);
      g_autofree char *write = gen_write_stmt (h, field->ref, value, "out");

      emit (w, "  case %s:\n    %s\n    return;\n", field->kind_const, write);
    }
  emit (w, "  default:\n    break;\n  }\n");
  emit (w, "g_string_append (out, \"null\");\n");
  emit_dedent (w);
  emit (w, "}\n\n");

  emit (w, "/*\n * %s_read_json:\n * @node: a JSON value\n * @path: (nullable): where @node is, for errors\n"
           " * @out: (out) (transfer full): the value\n * @error: return location for a #GError\n *\n"
           " * Reads @node as the member the schema validator chose for it, when\n"
           " * one is recorded (vdsm_json_union_choice()). Else picks the first\n"
           " * member, in schema order, that @node fits (an object member fits when\n"
           " * every key of @node is one of its properties) and that holds every\n"
           " * required property of that member; when none does, the first member\n"
           " * it fits.\n *\n"
           " * Returns: whether @node is a valid %s\n */\n",
        s, type->schema->key);
  emit_prototype (w, "gboolean\n%s_read_json (JsonNode *node, const VdsmJsonPath *path, %s **out, GError **error)\n{\n", s, c);
  emit_indent (w);
  emit (w, "g_autoptr (%s) self = %s_new ();\nint member = vdsm_json_union_choice (node, %s);\n\n",
        c, s, key_lit);
  /* Which member, when the validator recorded none (a reply read by the
   * client; docs/architecture.md, "Validation"): docs/schema-language.md
   * §9.4 takes the first that fits and passes; a required property
   * missing is the one way an object that fits would fail without reading
   * it. An answer that lacks one is still read, as the first member it
   * fits. */
  emit (w, "if (member < 0 && node != NULL)\n  {\n");
  for (guint pass = 0, n = 0; pass < 2; pass++)
    for (guint i = 0; i < type->fields->len; i++)
      {
        const GenField *field = g_ptr_array_index (type->fields, i);
        g_autofree char *complete = gen_match_complete_expr (h, field->ref, "node", type);
        g_autofree char *match = gen_match_expr (h, field->ref, "node", type);

        /* The second pass only for the members the first one asked more
         * of. */
        if (pass == 1 && strcmp (complete, match) == 0)
          continue;
        emit (w, "    %sif (%s)\n      member = %u;\n", n++ > 0 ? "else " : "",
              pass == 0 ? complete : match, i);
      }
  emit (w, "  }\n\nswitch (member)\n  {\n");
  for (guint i = 0; i < type->fields->len; i++)
    {
      const GenField *field = g_ptr_array_index (type->fields, i);
      g_autofree char *target = g_strdup_printf ("&self->%s", field->c_name);
      g_autofree char *read = gen_read_expr (h, field->ref, "node", "path", target, "error");

      emit (w, "  case %u:\n", i);
      emit (w, "    self->kind = %s;\n", field->kind_const);
      emit (w, "    if (!%s)\n      return FALSE;\n    break;\n", read);
    }
  emit (w, "  default:\n");
  emit (w, "    vdsm_json_set_error (error, path, \"the value fits no member of union %%s\", %s);\n", key_lit);
  emit (w, "    return FALSE;\n  }\n");
  emit (w, "*out = g_steal_pointer (&self);\nreturn TRUE;\n");
  emit_dedent (w);
  emit (w, "}\n\n");
}

static void
emit_boxed_source (GenHelpers *h, EmitWriter *w, const GenType *type)
{
  if (type->kind == GEN_TYPE_UNION)
    {
      g_autoptr(GPtrArray) consts = g_ptr_array_new ();
      g_autofree char *prefix = g_strconcat ("VDSM_", type->kind_type_macro + strlen ("VDSM_TYPE_"), NULL);

      for (guint i = 0; i < type->fields->len; i++)
        {
          const GenField *field = g_ptr_array_index (type->fields, i);

          g_ptr_array_add (consts, field->kind_const);
        }
      emit_genum_get_type (w, type->kind_camel, type->kind_snake, prefix, consts);
    }
  emit_boxed_common (h, w, type);
  emit_accessors (h, w, type);
  if (type->kind == GEN_TYPE_UNION)
    emit_union_json (h, w, type);
  else
    emit_object_json (h, w, type);
  emit_json_entry_points (w, type);
}

static void
emit_source (GenModel *model, EmitWriter *out)
{
  GenHelpers h;
  EmitWriter body;

  gen_helpers_init (&h, model);
  emit_writer_init (&body);
  /* Enums first: unions match values against their tables. */
  for (guint t = 0; t < model->types->len; t++)
    {
      const GenType *type = g_ptr_array_index (model->types, t);

      if (type->kind != GEN_TYPE_ENUM)
        continue;
      emit (&body, "/* ---- %s ---- */\n\n", type->camel);
      emit_enum_source (&body, type);
    }
  for (guint t = 0; t < model->types->len; t++)
    {
      const GenType *type = g_ptr_array_index (model->types, t);

      if (type->kind == GEN_TYPE_ENUM)
        continue;
      emit (&body, "/* ---- %s ---- */\n\n", type->camel);
      switch (type->kind)
        {
        case GEN_TYPE_ENUM:
          break;
        case GEN_TYPE_MAP:
          emit_map_source (&h, &body, type);
          break;
        case GEN_TYPE_OBJECT:
        case GEN_TYPE_UNION:
          emit_boxed_source (&h, &body, type);
          break;
        }
    }

  emit_source_file (model, out, "the C types of the schema's types",
                    "#include \"vdsm-types-private.h\"\n\n#include <string.h>\n",
                    &h, &body);
}

void
emit_types (GenModel *model, EmitWriter *header, EmitWriter *private_header,
            EmitWriter *source)
{
  emit_header (model, header);
  emit_private_header (model, private_header);
  emit_source (model, source);
}
