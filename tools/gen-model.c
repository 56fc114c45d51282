/* gen-model.c: C names for every schema entity, and the code fragments that
 * read, write, copy and free values of any type position.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "gen-model.h"

#include "naming.h"

#include <stdio.h>
#include <string.h>

/* Deeper alias chains or type nestings than this are cycles. */
#define MAX_DEPTH 32

/* Parameter names that would shadow the generated code's own arguments and
 * locals; such params get a '_' suffix. */
static const char *const reserved_locals[] = {
  "call", "error", "local_error", "client", "cancellable", "callback",
  "user_data", "server", "unique_id", "result", "self", "out", "params",
  "node", "root", "ret", "path", "member", "object", "event_id", "first",
};

static char *
own (GenModel *model, char *text)
{
  g_ptr_array_add (model->pool, text);
  return text;
}

static GPtrArray *
own_array (GenModel *model, GPtrArray *array)
{
  g_ptr_array_add (model->pool_arrays, array);
  return array;
}

static void
model_report (GenModel *model, const char *file, guint line, const char *format,
              va_list args)
{
  g_autofree char *message = g_strdup_vprintf (format, args);

  if (!model->quiet)
    fprintf (stderr, "%s:%u: warning: %s\n", file != NULL ? file : "<schema>",
             line, message);
}

void
gen_model_warn (GenModel *model, const char *file, guint line,
                const char *format, ...)
{
  va_list args;

  model->n_warnings++;
  va_start (args, format);
  model_report (model, file, line, format, args);
  va_end (args);
}

/* A warning about what the wire API needs as it is: printed, but not held
 * against the schema by --strict (like the loader's advisory warnings). */
static void G_GNUC_PRINTF (4, 5)
model_advise (GenModel *model, const char *file, guint line, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  model_report (model, file, line, format, args);
  va_end (args);
}

static const char *
type_file (const VdsmSchemaType *type)
{
  return type->file != NULL ? type->file->path : NULL;
}

/* ---- Structural equality, for types defined in several files ---- */

static gboolean types_equal (const VdsmSchemaType *a, const VdsmSchemaType *b, guint depth);

static gboolean
refs_equal (const VdsmSchemaTypeRef *a, const VdsmSchemaTypeRef *b, guint depth)
{
  if (a == NULL || b == NULL)
    return a == b;
  if (a->kind != b->kind)
    return FALSE;
  switch (a->kind)
    {
    case VDSM_SCHEMA_REF_PRIMITIVE:
      return a->primitive == b->primitive;
    case VDSM_SCHEMA_REF_NAMED:
      return strcmp (a->type->key, b->type->key) == 0
             && types_equal (a->type, b->type, depth + 1);
    case VDSM_SCHEMA_REF_LIST:
      return refs_equal (a->item, b->item, depth);
    case VDSM_SCHEMA_REF_ANY_OBJECT:
    case VDSM_SCHEMA_REF_ANY:
      return TRUE;
    }
  return FALSE;
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
          || !refs_equal (ma->type, mb->type, depth))
        return FALSE;
      if (ma->default_kind == VDSM_SCHEMA_DEFAULT_VALUE
          && !json_node_equal (ma->default_value, mb->default_value))
        return FALSE;
    }
  return TRUE;
}

static gboolean
types_equal (const VdsmSchemaType *a, const VdsmSchemaType *b, guint depth)
{
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
      if (a->values->len != b->values->len)
        return FALSE;
      for (guint i = 0; i < a->values->len; i++)
        {
          const VdsmSchemaEnumValue *va = g_ptr_array_index (a->values, i);
          const VdsmSchemaEnumValue *vb = g_ptr_array_index (b->values, i);

          if (strcmp (va->text, vb->text) != 0
              || !json_node_equal (va->typed, vb->typed))
            return FALSE;
        }
      return TRUE;
    case VDSM_SCHEMA_KIND_ALIAS:
      return refs_equal (a->source, b->source, depth);
    case VDSM_SCHEMA_KIND_MAP:
      return refs_equal (a->key_type, b->key_type, depth)
             && refs_equal (a->value_type, b->value_type, depth);
    case VDSM_SCHEMA_KIND_UNION:
      if (a->members->len != b->members->len)
        return FALSE;
      for (guint i = 0; i < a->members->len; i++)
        if (!refs_equal (g_ptr_array_index (a->members, i),
                         g_ptr_array_index (b->members, i), depth))
          return FALSE;
      return members_equal (a->properties, b->properties, depth);
    }
  return FALSE;
}

/* ---- Types ---- */

/* Types that have no C type of their own: aliases resolve to their source,
 * an object with the magic any_string property is free-form. */
static gboolean
has_c_type (const VdsmSchemaType *type)
{
  return type->kind != VDSM_SCHEMA_KIND_ALIAS
         && !(type->kind == VDSM_SCHEMA_KIND_OBJECT && type->any_string);
}

/* "vdsm-events.yml" → "Events", so clashing types of a later file get a
 * recognisable prefix. */
static char *
file_prefix (const char *path, guint index)
{
  g_autofree char *base = g_path_get_basename (path);
  g_auto(GStrv) words = NULL;
  GString *out = g_string_new (NULL);
  char *dot = strchr (base, '.');

  if (dot != NULL)
    *dot = '\0';
  words = g_strsplit_set (base, "-_ ", -1);
  for (char **w = words; *w != NULL; w++)
    {
      if (**w == '\0' || g_ascii_strcasecmp (*w, "vdsm") == 0
          || g_ascii_strcasecmp (*w, "api") == 0)
        continue;
      g_autofree char *part = vdsm_naming_type_base (*w);
      g_string_append (out, part);
    }
  if (out->len == 0)
    g_string_append_printf (out, "File%u", index + 1);
  return g_string_free (out, FALSE);
}

static GenType *
type_new (GenModel *model, const VdsmSchemaType *schema, const char *base_in)
{
  GenType *type = g_new0 (GenType, 1);
  g_autofree char *base = g_strdup (base_in);
  g_autofree char *snake = NULL;
  g_autofree char *upper = NULL;

  for (guint n = 2; ; n++)
    {
      g_autofree char *camel = g_strconcat ("Vdsm", base, NULL);

      if (!g_hash_table_contains (model->used_names, camel))
        break;
      if (n == 2)
        gen_model_warn (model, type_file (schema), schema->line,
                        "type %s: C name %s is taken, numbering it",
                        schema->key, camel);
      g_free (base);
      base = g_strdup_printf ("%s%u", base_in, n);
    }

  snake = vdsm_naming_snake (base);
  upper = g_ascii_strup (snake, -1);
  type->schema = schema;
  type->camel = own (model, g_strconcat ("Vdsm", base, NULL));
  type->snake = own (model, g_strconcat ("vdsm_", snake, NULL));
  type->upper = own (model, g_strconcat ("VDSM_", upper, NULL));
  type->type_macro = own (model, g_strconcat ("VDSM_TYPE_", upper, NULL));
  g_hash_table_add (model->used_names, g_strdup (type->camel));
  switch (schema->kind)
    {
    case VDSM_SCHEMA_KIND_ENUM: type->kind = GEN_TYPE_ENUM; break;
    case VDSM_SCHEMA_KIND_UNION: type->kind = GEN_TYPE_UNION; break;
    case VDSM_SCHEMA_KIND_MAP: type->kind = GEN_TYPE_MAP; break;
    case VDSM_SCHEMA_KIND_OBJECT:
    case VDSM_SCHEMA_KIND_ALIAS:
      type->kind = GEN_TYPE_OBJECT;
      break;
    }
  g_ptr_array_add (model->pool, type);
  g_ptr_array_add (model->types, type);
  g_hash_table_insert (model->by_schema, (gpointer) schema, type);
  return type;
}

/* An inline definition: named after its member when that name is free. */
static GenType *
anonymous_type (GenModel *model, const VdsmSchemaType *schema)
{
  const char *last = strrchr (schema->key, '.');
  g_autofree char *short_base = vdsm_naming_type_base (last != NULL ? last + 1 : schema->key);
  g_autofree char *camel = g_strconcat ("Vdsm", short_base, NULL);
  g_autofree char *full_base = NULL;

  if (!g_hash_table_contains (model->used_names, camel))
    return type_new (model, schema, short_base);
  full_base = vdsm_naming_type_base (schema->key);
  return type_new (model, schema, full_base);
}

static GenType *
lookup_type (GenModel *model, const VdsmSchemaType *schema)
{
  GenType *type = g_hash_table_lookup (model->by_schema, schema);

  if (type == NULL)
    type = anonymous_type (model, schema);
  return type;
}

/* ---- References ---- */

static gboolean
is_scalar (GenCKind kind)
{
  return kind == GEN_C_BOOLEAN || kind == GEN_C_INT || kind == GEN_C_UINT
         || kind == GEN_C_DOUBLE || kind == GEN_C_ENUM;
}

gboolean
gen_ref_is_pointer (const GenRef *ref)
{
  return !is_scalar (ref->kind);
}

static GenRef *
ref_alloc (GenModel *model, GenCKind kind)
{
  GenRef *ref = g_new0 (GenRef, 1);

  ref->kind = kind;
  g_ptr_array_add (model->pool, ref);
  return ref;
}

static GenRef *
primitive_ref (GenModel *model, VdsmSchemaPrimitive prim)
{
  static const struct { GenCKind kind; const char *sig; const char *ctype; } table[] = {
    [VDSM_SCHEMA_PRIM_STRING] = { GEN_C_STRING, "string", "char *" },
    [VDSM_SCHEMA_PRIM_BOOLEAN] = { GEN_C_BOOLEAN, "boolean", "gboolean" },
    [VDSM_SCHEMA_PRIM_INT] = { GEN_C_INT, "int", "gint64" },
    [VDSM_SCHEMA_PRIM_UINT] = { GEN_C_UINT, "uint", "guint64" },
    [VDSM_SCHEMA_PRIM_LONG] = { GEN_C_INT, "long", "gint64" },
    [VDSM_SCHEMA_PRIM_ULONG] = { GEN_C_UINT, "ulong", "guint64" },
    [VDSM_SCHEMA_PRIM_FLOAT] = { GEN_C_DOUBLE, "double", "gdouble" },
  };
  GenRef *ref = ref_alloc (model, table[prim].kind);

  ref->prim = prim;
  ref->sig = (char *) table[prim].sig;
  ref->ctype = (char *) table[prim].ctype;
  ref->in_ctype = (char *) (prim == VDSM_SCHEMA_PRIM_STRING ? "const char *" : table[prim].ctype);
  return ref;
}

static GenRef *
node_ref (GenModel *model, gboolean object_only, GenRef *item)
{
  GenRef *ref = ref_alloc (model, GEN_C_NODE);

  ref->object_only = object_only;
  ref->item = item;
  ref->sig = item != NULL ? own (model, g_strconcat ("node_", item->sig, NULL))
                          : (char *) (object_only ? "dict" : "node");
  ref->ctype = ref->in_ctype = (char *) "JsonNode *";
  return ref;
}

static GenRef *
type_ref (GenModel *model, GenType *type)
{
  GenRef *ref;

  switch (type->kind)
    {
    case GEN_TYPE_ENUM:
      ref = ref_alloc (model, GEN_C_ENUM);
      ref->ctype = ref->in_ctype = type->camel;
      break;
    case GEN_TYPE_MAP:
    case GEN_TYPE_OBJECT:
    case GEN_TYPE_UNION:
    default:
      ref = ref_alloc (model, GEN_C_BOXED);
      ref->ctype = own (model, g_strconcat (type->camel, " *", NULL));
      ref->in_ctype = own (model, g_strconcat ("const ", type->camel, " *", NULL));
      break;
    }
  ref->type = type;
  ref->sig = type->snake + strlen ("vdsm_");
  return ref;
}

static GenRef *model_ref (GenModel *model, const VdsmSchemaTypeRef *sref, guint depth);

static GenRef *
list_ref (GenModel *model, GenRef *item)
{
  GenRef *ref = ref_alloc (model, is_scalar (item->kind) ? GEN_C_ARRAY : GEN_C_PTR_ARRAY);

  ref->item = item;
  ref->sig = own (model, g_strconcat ("list_", item->sig, NULL));
  ref->ctype = ref->in_ctype = (char *) (ref->kind == GEN_C_ARRAY ? "GArray *" : "GPtrArray *");
  return ref;
}

static GenRef *
model_ref (GenModel *model, const VdsmSchemaTypeRef *sref, guint depth)
{
  const VdsmSchemaType *type;

  if (depth > MAX_DEPTH)
    {
      gen_model_warn (model, NULL, sref->line,
                      "type reference nests too deeply (a cycle?); using a free-form value");
      return node_ref (model, FALSE, NULL);
    }
  switch (sref->kind)
    {
    case VDSM_SCHEMA_REF_PRIMITIVE:
      return primitive_ref (model, sref->primitive);
    case VDSM_SCHEMA_REF_LIST:
      return list_ref (model, model_ref (model, sref->item, depth + 1));
    case VDSM_SCHEMA_REF_ANY_OBJECT:
      return node_ref (model, TRUE, NULL);
    case VDSM_SCHEMA_REF_ANY:
      return node_ref (model, FALSE, NULL);
    case VDSM_SCHEMA_REF_NAMED:
      break;
    }
  type = sref->type;
  if (type->kind == VDSM_SCHEMA_KIND_ALIAS)
    return model_ref (model, type->source, depth + 1);
  if (!has_c_type (type))
    return node_ref (model, TRUE, NULL);
  return type_ref (model, lookup_type (model, type));
}

/* Map values and union members sit in pointer slots; scalars there are
 * kept as the JsonNode they came in. */
static GenRef *
pointer_slot_ref (GenModel *model, GenRef *ref)
{
  return is_scalar (ref->kind) ? node_ref (model, FALSE, ref) : ref;
}

/* ---- Defaults ---- */

static char *
double_literal (gdouble value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_ascii_dtostr (buf, sizeof buf, value);
  if (strpbrk (buf, ".eEn") == NULL)
    return g_strconcat (buf, ".0", NULL);
  return g_strdup (buf);
}

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

static gboolean
default_is_empty_list (JsonNode *value)
{
  if (JSON_NODE_HOLDS_ARRAY (value))
    return json_array_get_length (json_node_get_array (value)) == 0;
  return json_node_get_value_type (value) == G_TYPE_STRING
         && (strcmp (json_node_get_string (value), "[]") == 0
             || strcmp (json_node_get_string (value), "()") == 0);
}

static gboolean
default_is_empty_object (JsonNode *value)
{
  if (JSON_NODE_HOLDS_OBJECT (value))
    return json_object_get_size (json_node_get_object (value)) == 0;
  return json_node_get_value_type (value) == G_TYPE_STRING
         && strcmp (json_node_get_string (value), "{}") == 0;
}

static void fill_type (GenModel *model, GenType *type);

static char *
enum_default (GenModel *model, GenType *type, JsonNode *value)
{
  GPtrArray *values = type->schema->values;

  fill_type (model, type);

  for (guint i = 0; i < values->len; i++)
    {
      const VdsmSchemaEnumValue *v = g_ptr_array_index (values, i);
      gboolean same = json_node_equal (v->typed, value);

      if (!same && json_node_get_value_type (value) == G_TYPE_STRING)
        same = strcmp (v->text, json_node_get_string (value)) == 0;
      if (same)
        return g_strdup (g_ptr_array_index (type->consts, i));
    }
  return NULL;
}

static char *
scalar_default (GenModel *model, const GenRef *ref, JsonNode *value)
{
  GType vt = json_node_get_value_type (value);

  switch (ref->kind)
    {
    case GEN_C_BOOLEAN:
      if (vt == G_TYPE_BOOLEAN)
        return g_strdup (json_node_get_boolean (value) ? "TRUE" : "FALSE");
      if (vt == G_TYPE_INT64)
        return g_strdup (json_node_get_int (value) != 0 ? "TRUE" : "FALSE");
      return NULL;
    case GEN_C_INT:
      if (vt == G_TYPE_INT64)
        return g_strdup_printf ("G_GINT64_CONSTANT (%" G_GINT64_FORMAT ")", json_node_get_int (value));
      if (vt == G_TYPE_BOOLEAN)
        return g_strdup (json_node_get_boolean (value) ? "1" : "0");
      return NULL;
    case GEN_C_UINT:
      if (vt == G_TYPE_INT64 && json_node_get_int (value) >= 0)
        return g_strdup_printf ("G_GUINT64_CONSTANT (%" G_GINT64_FORMAT ")", json_node_get_int (value));
      if (vt == G_TYPE_BOOLEAN)
        return g_strdup (json_node_get_boolean (value) ? "1" : "0");
      return NULL;
    case GEN_C_DOUBLE:
      if (vt == G_TYPE_INT64)
        return double_literal ((gdouble) json_node_get_int (value));
      if (vt == G_TYPE_DOUBLE)
        return double_literal (json_node_get_double (value));
      return NULL;
    case GEN_C_ENUM:
      return enum_default (model, ref->type, value);
    default:
      return NULL;
    }
}

char *
gen_default_expr (GenModel *model, const GenRef *ref,
                  const VdsmSchemaMember *member, const char *file)
{
  JsonNode *value = member->default_value;
  char *expr = NULL;

  if (member->default_kind != VDSM_SCHEMA_DEFAULT_VALUE || value == NULL
      || JSON_NODE_HOLDS_NULL (value))
    return NULL;

  switch (ref->kind)
    {
    case GEN_C_STRING:
      if (JSON_NODE_HOLDS_VALUE (value))
        {
          g_autofree char *text = json_node_get_value_type (value) == G_TYPE_STRING
                                  ? g_strdup (json_node_get_string (value))
                                  : json_to_string (value, FALSE);
          g_autofree char *lit = gen_c_literal (text);

          expr = g_strdup_printf ("g_strdup (%s)", lit);
        }
      break;
    case GEN_C_PTR_ARRAY:
      if (default_is_empty_list (value))
        {
          g_autofree char *notify = gen_ref_destroy_notify (ref->item);

          expr = g_strdup_printf ("g_ptr_array_new_with_free_func (%s)", notify);
        }
      break;
    case GEN_C_ARRAY:
      if (default_is_empty_list (value))
        expr = g_strdup_printf ("g_array_new (FALSE, TRUE, sizeof (%s))", ref->item->ctype);
      break;
    case GEN_C_BOXED:
      if (ref->type->kind != GEN_TYPE_UNION && default_is_empty_object (value))
        expr = g_strdup_printf ("%s_new ()", ref->type->snake);
      break;
    case GEN_C_NODE:
      {
        /* VDSM turns the strings '{}', '[]' and '()' into containers. */
        g_autofree char *json = NULL;
        g_autofree char *lit = NULL;

        if (default_is_empty_object (value))
          json = g_strdup ("{}");
        else if (default_is_empty_list (value))
          json = g_strdup ("[]");
        else
          json = json_to_string (value, FALSE);
        lit = gen_c_literal (json);
        expr = g_strdup_printf ("vdsm_json_parse (%s, NULL)", lit);
      }
      break;
    default:
      expr = scalar_default (model, ref, value);
      break;
    }
  if (expr == NULL)
    {
      g_autofree char *text = json_to_string (value, FALSE);
      g_autofree char *what = gen_ref_describe (ref);

      gen_model_warn (model, file, member->line,
                      "%s: default %s does not fit its type (%s); ignoring it",
                      member->name, text, what);
    }
  return expr;
}

/* ---- Fields, methods, events ---- */

static GHashTable *
name_set (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

static void
fill_object (GenModel *model, GenType *type, GHashTable *names)
{
  g_autoptr(GHashTable) accessors = name_set ();
  GPtrArray *props = type->schema->properties;

  /* vdsm_xxx_get_type is the GType function. */
  g_hash_table_add (accessors, g_strdup ("type"));
  for (guint i = 0; props != NULL && i < props->len; i++)
    {
      const VdsmSchemaMember *member = g_ptr_array_index (props, i);
      GenField *field = g_new0 (GenField, 1);
      g_autofree char *ident = vdsm_naming_identifier (member->name);
      g_autofree char *accessor = NULL;

      g_ptr_array_add (model->pool, field);
      field->member = member;
      field->ref = model_ref (model, member->type, 0);
      field->c_name = own (model, vdsm_naming_unique (names, ident));
      /* In vdsm_xxx_get_<accessor> a keyword needs no escape, but
       * get_type is the GType function. */
      if (g_strcmp0 (field->c_name, "type") == 0)
        accessor = g_strdup ("type_value");
      else
        {
          accessor = g_strdup (field->c_name);
          if (g_str_has_suffix (accessor, "_"))
            {
              accessor[strlen (accessor) - 1] = '\0';
              if (!vdsm_naming_is_keyword (accessor))
                accessor[strlen (accessor)] = '_';
            }
        }
      field->accessor = own (model, vdsm_naming_unique (accessors, accessor));
      field->optional = member->default_kind != VDSM_SCHEMA_DEFAULT_NONE;
      if (field->optional && !gen_ref_is_pointer (field->ref))
        {
          g_autofree char *has = g_strconcat ("has_", field->c_name, NULL);

          field->has_name = own (model, vdsm_naming_unique (names, has));
          field->default_c = gen_default_expr (model, field->ref, member,
                                               type_file (type->schema));
          if (field->default_c != NULL)
            own (model, field->default_c);
        }
      g_ptr_array_add (type->fields, field);
    }
}

static void
fill_union (GenModel *model, GenType *type, GHashTable *names)
{
  g_autofree char *kind_base = g_strconcat (type->camel + strlen ("Vdsm"), "Kind", NULL);
  g_autofree char *kind_snake = NULL;
  g_autofree char *kind_upper = NULL;
  g_autoptr(GHashTable) nicks = name_set ();

  g_hash_table_add (names, g_strdup ("kind"));
  for (guint n = 2; ; n++)
    {
      g_autofree char *camel = g_strconcat ("Vdsm", kind_base, NULL);

      if (!g_hash_table_contains (model->used_names, camel))
        break;
      g_free (kind_base);
      kind_base = g_strdup_printf ("%sKind%u", type->camel + strlen ("Vdsm"), n);
    }
  kind_snake = vdsm_naming_snake (kind_base);
  kind_upper = g_ascii_strup (kind_snake, -1);
  type->kind_camel = own (model, g_strconcat ("Vdsm", kind_base, NULL));
  type->kind_snake = own (model, g_strconcat ("vdsm_", kind_snake, NULL));
  type->kind_type_macro = own (model, g_strconcat ("VDSM_TYPE_", kind_upper, NULL));
  g_hash_table_add (model->used_names, g_strdup (type->kind_camel));

  for (guint i = 0; i < type->schema->members->len; i++)
    {
      const VdsmSchemaTypeRef *sref = g_ptr_array_index (type->schema->members, i);
      GenField *field = g_new0 (GenField, 1);
      g_autofree char *ident = vdsm_naming_identifier (vdsm_schema_type_ref_word (sref));
      g_autofree char *upper = NULL;
      g_autofree char *constant = NULL;

      g_ptr_array_add (model->pool, field);
      field->schema_ref = sref;
      field->ref = model_ref (model, sref, 0);
      field->c_name = own (model, vdsm_naming_unique (names, ident));
      field->accessor = field->c_name;
      field->kind_nick = own (model, vdsm_naming_unique (nicks, field->c_name));
      upper = g_ascii_strup (field->c_name, -1);
      constant = g_strdup_printf ("VDSM_%s_%s", kind_upper, upper);
      field->kind_const = own (model, vdsm_naming_unique (model->used_consts, constant));
      g_ptr_array_add (type->fields, field);
    }
}

static gboolean
enum_has_const (const GenType *type, const char *constant)
{
  for (guint i = 0; i < type->consts->len; i++)
    if (strcmp (g_ptr_array_index (type->consts, i), constant) == 0)
      return TRUE;
  return FALSE;
}

static void
fill_enum (GenModel *model, GenType *type)
{
  GPtrArray *values = type->schema->values;

  for (guint i = 0; i < values->len; i++)
    {
      const VdsmSchemaEnumValue *v = g_ptr_array_index (values, i);
      g_autofree char *part = vdsm_naming_enum_value (v->text);
      g_autofree char *candidate = g_strdup_printf ("%s_%s", type->upper, part);
      char *constant = vdsm_naming_unique (model->used_consts, candidate);

      /* Taken by an earlier value of this very enum: VDSM's wire has values
       * that differ only in case (StorageDomainStatus), which the loader
       * already reports; only a clash with another type is a fault. */
      if (strcmp (constant, candidate) != 0 && enum_has_const (type, candidate))
        model_advise (model, type_file (type->schema), v->line,
                      "enum %s: value '%s' is named %s, as %s is taken by another of its values",
                      type->schema->key, v->text, constant, candidate);
      else if (strcmp (constant, candidate) != 0)
        gen_model_warn (model, type_file (type->schema), v->line,
                        "enum %s: value '%s' is named %s, as %s is taken",
                        type->schema->key, v->text, constant, candidate);
      g_ptr_array_add (type->consts, own (model, constant));
    }
}

static void
fill_type (GenModel *model, GenType *type)
{
  g_autoptr(GHashTable) names = NULL;

  if (type->filled)
    return;
  type->filled = TRUE;
  names = name_set ();
  switch (type->kind)
    {
    case GEN_TYPE_ENUM:
      type->consts = own_array (model, g_ptr_array_new ());
      fill_enum (model, type);
      break;
    case GEN_TYPE_OBJECT:
      type->fields = own_array (model, g_ptr_array_new ());
      fill_object (model, type, names);
      break;
    case GEN_TYPE_UNION:
      type->fields = own_array (model, g_ptr_array_new ());
      fill_union (model, type, names);
      break;
    case GEN_TYPE_MAP:
      type->value = pointer_slot_ref (model, model_ref (model, type->schema->value_type, 0));
      break;
    }
}

static GHashTable *
locals_set (void)
{
  GHashTable *names = name_set ();

  for (gsize i = 0; i < G_N_ELEMENTS (reserved_locals); i++)
    g_hash_table_add (names, g_strdup (reserved_locals[i]));
  return names;
}

static GenParam *
param_new (GenModel *model, const VdsmSchemaMember *member, GHashTable *names,
           const char *file)
{
  GenParam *param = g_new0 (GenParam, 1);
  g_autofree char *ident = vdsm_naming_identifier (member->name);

  /* Like a keyword, a name the generated code uses itself gets a '_'. */
  for (gsize i = 0; i < G_N_ELEMENTS (reserved_locals); i++)
    if (strcmp (ident, reserved_locals[i]) == 0)
      {
        char *escaped = g_strconcat (ident, "_", NULL);

        g_free (ident);
        ident = escaped;
        break;
      }
  g_ptr_array_add (model->pool, param);
  param->member = member;
  param->ref = model_ref (model, member->type, 0);
  param->c_name = own (model, vdsm_naming_unique (names, ident));
  param->optional = member->default_kind != VDSM_SCHEMA_DEFAULT_NONE;
  if (param->optional && !gen_ref_is_pointer (param->ref))
    {
      g_autofree char *has = g_strconcat ("has_", param->c_name, NULL);

      param->has_name = own (model, vdsm_naming_unique (names, has));
    }
  param->default_c = gen_default_expr (model, param->ref, member, file);
  if (param->default_c != NULL)
    own (model, param->default_c);
  return param;
}

static void
add_method (GenModel *model, const VdsmSchemaMethod *method)
{
  GenMethod *gm = g_new0 (GenMethod, 1);
  g_autoptr(GHashTable) names = locals_set ();
  g_autofree char *ns = vdsm_naming_snake (method->ns);
  g_autofree char *verb = vdsm_naming_snake (method->verb);
  g_autofree char *id = g_strconcat (ns, "_", verb, NULL);

  g_ptr_array_add (model->pool, gm);
  gm->method = method;
  gm->served = TRUE;
  gm->id = own (model, vdsm_naming_unique (model->used_methods, id));
  if (strcmp (gm->id, id) != 0)
    gen_model_warn (model, method->file != NULL ? method->file->path : NULL,
                    method->line, "method %s: C name %s is taken, using %s",
                    method->name, id, gm->id);
  gm->params = own_array (model, g_ptr_array_new ());
  for (guint i = 0; method->params != NULL && i < method->params->len; i++)
    g_ptr_array_add (gm->params, param_new (model, g_ptr_array_index (method->params, i), names,
                                            method->file != NULL ? method->file->path : NULL));
  if (method->ret != NULL)
    gm->ret = model_ref (model, method->ret, 0);
  g_ptr_array_add (model->methods, gm);
}

static void
add_event (GenModel *model, const VdsmSchemaEvent *event)
{
  GenEvent *ge = g_new0 (GenEvent, 1);
  g_autoptr(GHashTable) names = locals_set ();
  g_autofree char *ns = vdsm_naming_snake (event->ns);
  g_autofree char *name = vdsm_naming_snake (event->name);
  g_autofree char *id = g_strconcat (ns, "_", name, NULL);

  g_ptr_array_add (model->pool, ge);
  ge->event = event;
  ge->id = own (model, vdsm_naming_unique (model->used_methods, id));
  ge->params = own_array (model, g_ptr_array_new ());
  for (guint i = 0; event->params != NULL && i < event->params->len; i++)
    {
      const VdsmSchemaMember *member = g_ptr_array_index (event->params, i);
      GenParam *param;

      /* The server stamps notify_time on every event itself. */
      if (strcmp (member->name, "notify_time") == 0)
        continue;
      param = param_new (model, member, names, event->file != NULL ? event->file->path : NULL);
      g_ptr_array_add (ge->params, param);
      if (strcmp (member->name, "no_name") == 0)
        {
          if ((param->ref->kind == GEN_C_BOXED && param->ref->type->kind != GEN_TYPE_UNION)
              || (param->ref->kind == GEN_C_NODE && param->ref->object_only))
            ge->no_name = param;
          else
            gen_model_warn (model, event->file != NULL ? event->file->path : NULL,
                            member->line, "event %s: no_name is not an object type; "
                            "sending it as a param named no_name", event->key);
        }
    }
  g_ptr_array_add (model->events, ge);
}

/* An event's params as an object type of their own (VdsmVirtVmStatusEvent),
 * so that a client reads an event's JsonNode into a struct. A no_name
 * event's params are a map, read with that map's type. The schema owns the
 * members; the synthesized type only borrows them. */
static void
add_event_type (GenModel *model, const VdsmSchemaEvent *event)
{
  VdsmSchemaType *st;
  g_autofree char *ns = vdsm_naming_snake (event->ns);
  g_autofree char *name = vdsm_naming_snake (event->name);
  g_autofree char *snake = g_strconcat (ns, "_", name, "_event", NULL);
  g_autofree char *base = vdsm_naming_camel (snake);

  for (guint i = 0; event->params != NULL && i < event->params->len; i++)
    {
      const VdsmSchemaMember *member = g_ptr_array_index (event->params, i);

      if (strcmp (member->name, "no_name") == 0)
        return;
    }
  st = g_new0 (VdsmSchemaType, 1);
  g_ptr_array_add (model->pool, st);
  st->key = event->key;
  st->name = event->key;
  st->kind = VDSM_SCHEMA_KIND_OBJECT;
  st->description = event->description;
  st->file = event->file;
  st->line = event->line;
  st->properties = event->params;
  type_new (model, st, base);
}

void
gen_model_set_served (GenModel *model, GHashTable *served)
{
  for (guint i = 0; i < model->methods->len; i++)
    {
      GenMethod *method = g_ptr_array_index (model->methods, i);

      method->served = g_hash_table_contains (served, method->method->name);
    }
}

GenModel *
gen_model_new (VdsmSchema *schema, gboolean quiet)
{
  GenModel *model = g_new0 (GenModel, 1);
  GPtrArray *files = vdsm_schema_get_files (schema);
  GPtrArray *methods = vdsm_schema_get_methods (schema);
  GPtrArray *events = vdsm_schema_get_events (schema);

  model->schema = schema;
  model->quiet = quiet;
  model->types = g_ptr_array_new ();
  model->methods = g_ptr_array_new ();
  model->events = g_ptr_array_new ();
  model->by_schema = g_hash_table_new (NULL, NULL);
  model->by_key = g_hash_table_new (g_str_hash, g_str_equal);
  model->used_names = name_set ();
  model->used_consts = name_set ();
  model->used_methods = name_set ();
  model->pool = g_ptr_array_new_with_free_func (g_free);
  model->pool_arrays = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);

  /* Hand-written Vdsm* names come first so schema types never take them. */
  for (const char *const *n = (const char *const[]) { "VdsmClient", "VdsmRpcServer", "VdsmRpcCall",
                                                      "VdsmRpcMethod", "VdsmError", "VdsmErrorCode",
                                                      "VdsmJsonPath", NULL }; *n != NULL; n++)
    g_hash_table_add (model->used_names, g_strdup (*n));

  for (guint f = 0; f < files->len; f++)
    {
      const VdsmSchemaFile *file = g_ptr_array_index (files, f);
      g_autofree char *prefix = file_prefix (file->path, f);

      for (guint i = 0; i < file->types->len; i++)
        {
          const VdsmSchemaType *st = g_ptr_array_index (file->types, i);
          GenType *first = g_hash_table_lookup (model->by_key, st->key);
          g_autofree char *base = vdsm_naming_type_base (st->key);
          GenType *type;

          if (!has_c_type (st))
            continue;
          if (first == NULL)
            {
              type = type_new (model, st, base);
              g_hash_table_insert (model->by_key, st->key, type);
              continue;
            }
          if (types_equal (first->schema, st, 0))
            {
              g_hash_table_insert (model->by_schema, (gpointer) st, first);
              continue;
            }
          {
            g_autofree char *prefixed = g_strconcat (prefix, base, NULL);

            type = type_new (model, st, prefixed);
            gen_model_warn (model, file->path, st->line,
                            "type %s differs from the one in %s:%u; its C name here is %s",
                            st->key, type_file (first->schema), first->schema->line,
                            type->camel);
          }
        }
    }

  for (guint i = 0; i < events->len; i++)
    add_event_type (model, g_ptr_array_index (events, i));

  /* Filling may register inline types, which are filled in turn. */
  for (guint i = 0; i < model->types->len; i++)
    fill_type (model, g_ptr_array_index (model->types, i));
  for (guint i = 0; i < methods->len; i++)
    add_method (model, g_ptr_array_index (methods, i));
  for (guint i = 0; i < events->len; i++)
    add_event (model, g_ptr_array_index (events, i));
  for (guint i = 0; i < model->types->len; i++)
    fill_type (model, g_ptr_array_index (model->types, i));
  return model;
}

void
gen_model_free (GenModel *model)
{
  if (model == NULL)
    return;
  g_ptr_array_unref (model->types);
  g_ptr_array_unref (model->methods);
  g_ptr_array_unref (model->events);
  g_hash_table_unref (model->by_schema);
  g_hash_table_unref (model->by_key);
  g_hash_table_unref (model->used_names);
  g_hash_table_unref (model->used_consts);
  g_hash_table_unref (model->used_methods);
  g_ptr_array_unref (model->pool_arrays);
  g_ptr_array_unref (model->pool);
  g_free (model);
}

/* ---- C fragments ---- */

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

char *
gen_doc (const char *text)
{
  return emit_comment_text (text);
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

/* ---- Helpers: static functions for container shapes ---- */

void
gen_helpers_init (GenHelpers *h, GenModel *model)
{
  h->model = model;
  emit_writer_init (&h->protos);
  emit_writer_init (&h->defs);
  h->done = name_set ();
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
  emit (&h->protos, "static %s;\n", signature);
  emit (&h->defs, "static %s\n{\n%s}\n\n", signature, body->buf->str);
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
gen_emit_member_read (GenHelpers *h, EmitWriter *w, const char *name,
                      const GenRef *ref, const char *node, const char *parent_path,
                      const char *target, const char *has_flag)
{
  g_autofree char *path = g_strconcat (node, "_path", NULL);
  g_autofree char *path_ptr = g_strconcat ("&", path, NULL);
  g_autofree char *read = gen_read_expr (h, ref, node, path_ptr, target, "error");

  emit (w, "if (%s != NULL && !JSON_NODE_HOLDS_NULL (%s))\n  {\n", node, node);
  emit (w, "    const VdsmJsonPath %s = { %s, %s, 0 };\n\n", path, parent_path, name);
  emit (w, "    if (!%s)\n      return FALSE;\n", read);
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
