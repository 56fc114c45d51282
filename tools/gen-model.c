/* gen-model.c: C names for every schema entity, the C representation of
 * every type position, and members' defaults as C expressions.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "gen-model.h"

#include "gen-fragments.h"
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

gboolean
gen_ref_is_object_like (const GenRef *ref)
{
  return (ref->kind == GEN_C_BOXED && ref->type->kind != GEN_TYPE_UNION)
         || (ref->kind == GEN_C_NODE && ref->object_only);
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
      field->rest = type->is_event && strcmp (member->name, "no_name") == 0 &&
                    gen_ref_is_object_like (field->ref);
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
          if (gen_ref_is_object_like (param->ref))
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
 * event's type has notify_time and its no_name field, the map (or object)
 * made of the params' other members: a server sends `{"<vm uuid>": {...},
 * "notify_time": N}`. The schema owns the members; the synthesized type
 * only borrows them. */
static void
add_event_type (GenModel *model, const VdsmSchemaEvent *event)
{
  VdsmSchemaType *st;
  g_autofree char *ns = vdsm_naming_snake (event->ns);
  g_autofree char *name = vdsm_naming_snake (event->name);
  g_autofree char *snake = g_strconcat (ns, "_", name, "_event", NULL);
  g_autofree char *base = vdsm_naming_camel (snake);

  st = g_new0 (VdsmSchemaType, 1);
  g_ptr_array_add (model->pool, st);
  st->key = event->key;
  st->name = event->key;
  st->kind = VDSM_SCHEMA_KIND_OBJECT;
  st->description = event->description;
  st->file = event->file;
  st->line = event->line;
  st->properties = event->params;
  type_new (model, st, base)->is_event = TRUE;
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
          if (vdsm_schema_type_equal (first->schema, st))
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
