/* vdsm-schema-build.c: YAML document tree -> typed schema model, with the
 * fix-up rules and diagnostics of docs/schema-language.md §3.7, §4, §10.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vdsm-schema-private.h"

#include <string.h>

/* Bounds recursion over chains of aliases/unions that bare names can make
 * circular. */
#define MAX_REF_DEPTH 32

typedef struct {
  VdsmSchemaMember *member;
  char *label;
} PendingDefault;

typedef struct {
  VdsmSchemaDiagSink *sink;
  VdsmSchema *schema;
  VdsmSchemaFile *file;
  VdsmYamlDocument *doc;
  VdsmYamlNode *types_node;
  GHashTable *type_by_node;      /* definition node -> VdsmSchemaType* */
  GHashTable *used;              /* VdsmSchemaType* referenced somewhere */
  GPtrArray *pending_defaults;   /* PendingDefault* */
  gboolean events_file;
  gboolean api_file;
} Ctx;

static const char *const common_type_keys[] = {
  "name", "type", "description", "added", "modified", "deprecated", NULL
};
static const char *const member_keys[] = {
  "name", "type", "description", "defaultvalue", "datatype", "added",
  "modified", "deprecated", NULL
};

/* The keys that a definition of @kind carries besides the common ones. */
static const char *const *
kind_keys (VdsmSchemaKind kind)
{
  static const char *const object_keys[] = { "properties", NULL };
  static const char *const enum_keys[] = { "values", NULL };
  static const char *const alias_keys[] = { "sourcetype", NULL };
  static const char *const map_keys[] = { "key-type", "value-type", NULL };
  static const char *const union_keys[] = { "values", "properties", NULL };

  switch (kind)
    {
    case VDSM_SCHEMA_KIND_ENUM:
      return enum_keys;
    case VDSM_SCHEMA_KIND_ALIAS:
      return alias_keys;
    case VDSM_SCHEMA_KIND_MAP:
      return map_keys;
    case VDSM_SCHEMA_KIND_UNION:
      return union_keys;
    case VDSM_SCHEMA_KIND_OBJECT:
    default:
      return object_keys;
    }
}

static gboolean
primitive_from_name (const char *name, VdsmSchemaPrimitive *prim)
{
  for (VdsmSchemaPrimitive p = VDSM_SCHEMA_PRIM_STRING; p <= VDSM_SCHEMA_PRIM_FLOAT; p++)
    if (strcmp (name, vdsm_schema_primitive_name (p)) == 0)
      {
        *prim = p;
        return TRUE;
      }
  return FALSE;
}

static gboolean
in_list (const char *const *list, const char *word)
{
  for (; *list; list++)
    if (strcmp (*list, word) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
is_c_identifier (const char *text)
{
  if (!g_ascii_isalpha (*text) && *text != '_')
    return FALSE;
  for (; *text; text++)
    if (!g_ascii_isalnum (*text) && *text != '_')
      return FALSE;
  return TRUE;
}

static gboolean
is_c_keyword (const char *text)
{
  static const char *const keywords[] = {
    "auto", "break", "case", "char", "const", "continue", "default", "do",
    "double", "else", "enum", "extern", "float", "for", "goto", "if",
    "inline", "int", "long", "register", "restrict", "return", "short",
    "signed", "sizeof", "static", "struct", "switch", "typedef", "union",
    "unsigned", "void", "volatile", "while", "class", "bool", "true",
    "false", NULL
  };

  return in_list (keywords, text);
}

/* Warn about a member or enum value name that C generators must escape. */
static void
check_c_name (Ctx *ctx, guint line, const char *owner, const char *what, const char *name)
{
  if (!is_c_identifier (name))
    vdsm_schema_advise (ctx->sink, line, "%s: %s '%s' is not a C identifier", owner, what, name);
  else if (is_c_keyword (name))
    vdsm_schema_advise (ctx->sink, line, "%s: %s '%s' is a C keyword", owner, what, name);
}

/* A scalar string value, or NULL (with a diagnostic when it has another
 * shape). */
static const char *
get_text (Ctx *ctx, VdsmYamlNode *map, const char *key, const char *owner)
{
  VdsmYamlNode *node = vdsm_yaml_lookup (map, key);

  if (node == NULL)
    return NULL;
  if (node->kind != VDSM_YAML_SCALAR)
    {
      vdsm_schema_error (ctx->sink, node->line, "%s: '%s' must be a scalar", owner, key);
      return NULL;
    }
  if (node->stype == VDSM_YAML_NULL)
    return NULL;
  return node->text;
}

static char *
get_description (Ctx *ctx, VdsmYamlNode *map, const char *owner)
{
  VdsmYamlNode *node = vdsm_yaml_lookup (map, "description");

  if (node != NULL && vdsm_yaml_is_scalar (node, VDSM_YAML_NULL))
    vdsm_schema_warn (ctx->sink, node->line, "%s: 'description' has no value", owner);
  return g_strdup (get_text (ctx, map, "description", owner));
}

/* added/modified/deprecated: dot-separated numbers, quoted. */
static char *
get_version (Ctx *ctx, VdsmYamlNode *map, const char *key, const char *owner)
{
  VdsmYamlNode *node = vdsm_yaml_lookup (map, key);
  static GRegex *version_re;
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      version_re = g_regex_new ("^[0-9]+(\\.[0-9]+)*$", G_REGEX_DOLLAR_ENDONLY, 0, NULL);
      g_once_init_leave (&initialized, 1);
    }

  if (node == NULL)
    return NULL;
  if (node->kind != VDSM_YAML_SCALAR || node->stype == VDSM_YAML_NULL
      || node->stype == VDSM_YAML_BOOL
      || !g_regex_match (version_re, node->text, 0, NULL))
    {
      if (node->kind == VDSM_YAML_SCALAR)
        vdsm_schema_error (ctx->sink, node->line,
                           "%s: '%s: %s' is not a version (numbers separated by dots)",
                           owner, key, node->text);
      else
        vdsm_schema_error (ctx->sink, node->line,
                           "%s: '%s' is not a version (numbers separated by dots)",
                           owner, key);
      return NULL;
    }
  if (node->stype != VDSM_YAML_STR)
    vdsm_schema_warn (ctx->sink, node->line,
                      "%s: '%s: %s' is a number in YAML; quote the version",
                      owner, key, node->text);
  return g_strdup (node->text);
}

static void
check_unknown_keys (Ctx *ctx, VdsmYamlNode *map, const char *const *known,
                    const char *const *more, const char *owner)
{
  for (guint i = 0; i < map->items->len; i++)
    {
      VdsmYamlPair *pair = g_ptr_array_index (map->items, i);
      VdsmYamlNode *key = vdsm_yaml_deref (pair->key);

      if (in_list (known, key->text) || (more && in_list (more, key->text)))
        continue;
      vdsm_schema_warn (ctx->sink, pair->key->line, "%s: unknown key '%s' (ignored)",
                        owner, key->text);
    }
}

/* YAML data (a default value) as JSON. Aliases are refused: data does not
 * refer to types. */
static JsonNode *
yaml_to_json (Ctx *ctx, VdsmYamlNode *node, const char *owner)
{
  JsonNode *json;

  switch (node->kind)
    {
    case VDSM_YAML_SCALAR:
      json = json_node_new (JSON_NODE_VALUE);
      switch (node->stype)
        {
        case VDSM_YAML_NULL:
          json_node_init_null (json);
          break;
        case VDSM_YAML_BOOL:
          json_node_set_boolean (json, node->bval);
          break;
        case VDSM_YAML_INT:
          json_node_set_int (json, node->ival);
          break;
        case VDSM_YAML_FLOAT:
          json_node_set_double (json, node->fval);
          break;
        case VDSM_YAML_STR:
        default:
          json_node_set_string (json, node->text);
          break;
        }
      return json;

    case VDSM_YAML_SEQUENCE:
      {
        g_autoptr (JsonArray) array = json_array_new ();

        for (guint i = 0; i < node->items->len; i++)
          {
            JsonNode *item = yaml_to_json (ctx, g_ptr_array_index (node->items, i), owner);

            if (item == NULL)
              return NULL;
            json_array_add_element (array, item);
          }
        return json_node_init_array (json_node_alloc (), array);
      }

    case VDSM_YAML_MAPPING:
      {
        g_autoptr (JsonObject) object = json_object_new ();

        for (guint i = 0; i < node->items->len; i++)
          {
            VdsmYamlPair *pair = g_ptr_array_index (node->items, i);
            JsonNode *value = yaml_to_json (ctx, pair->value, owner);

            if (value == NULL)
              return NULL;
            json_object_set_member (object, vdsm_yaml_deref (pair->key)->text, value);
          }
        return json_node_init_object (json_node_alloc (), object);
      }

    case VDSM_YAML_ALIAS:
    default:
      vdsm_schema_error (ctx->sink, node->line, "%s: alias *%s used as data", owner,
                         node->text);
      return NULL;
    }
}

/* ---- type references (§4) ---- */

static VdsmSchemaTypeRef *
ref_new (VdsmSchemaRefKind kind, guint line)
{
  VdsmSchemaTypeRef *ref = g_new0 (VdsmSchemaTypeRef, 1);

  ref->kind = kind;
  ref->line = line;
  return ref;
}

static void fill_body (Ctx *ctx, VdsmSchemaType *type, VdsmYamlNode *def,
                       const char *owner);

/* An anonymous type for a member that carries its kind's keys itself. */
static VdsmSchemaTypeRef *
inline_definition (Ctx *ctx, VdsmSchemaKind kind, VdsmYamlNode *holder,
                   const char *inline_key, guint line)
{
  VdsmSchemaType *type = g_new0 (VdsmSchemaType, 1);
  VdsmSchemaTypeRef *ref = ref_new (VDSM_SCHEMA_REF_NAMED, line);
  g_autofree char *owner = g_strdup_printf ("inline %s %s", vdsm_schema_kind_name (kind),
                                            inline_key);

  type->key = g_strdup (inline_key);
  type->name = g_strdup (inline_key);
  type->kind = kind;
  type->file = ctx->file;
  type->line = line;
  type->anonymous = TRUE;
  g_ptr_array_add (ctx->schema->anonymous, type);
  vdsm_schema_advise (ctx->sink, line,
                    "inline %s definition (%s); a named type is clearer",
                    vdsm_schema_kind_name (kind), inline_key);
  fill_body (ctx, type, holder, owner);
  ref->type = type;
  return ref;
}

/* Resolve the type position @node. @holder is the mapping that holds it
 * when inline definitions are possible there (members and returns), and
 * @inline_key names such a definition. */
static VdsmSchemaTypeRef *
resolve_ref (Ctx *ctx, VdsmYamlNode *node, VdsmYamlNode *holder,
             const char *inline_key, const char *owner)
{
  VdsmSchemaPrimitive prim;
  VdsmSchemaKind kind;
  VdsmSchemaType *type;
  VdsmSchemaTypeRef *ref;

  switch (node->kind)
    {
    case VDSM_YAML_ALIAS:
      type = g_hash_table_lookup (ctx->type_by_node, node->target);
      if (type == NULL)
        {
          vdsm_schema_error (ctx->sink, node->line,
                             "%s: *%s does not refer to a type definition", owner,
                             node->text);
          return NULL;
        }
      g_hash_table_add (ctx->used, type);
      ref = ref_new (VDSM_SCHEMA_REF_NAMED, node->line);
      ref->type = type;
      return ref;

    case VDSM_YAML_SEQUENCE:
      {
        VdsmSchemaTypeRef *item;

        if (node->items->len != 1)
          {
            vdsm_schema_error (ctx->sink, node->line,
                               "%s: a list type must have exactly one item, not %u",
                               owner, node->items->len);
            return NULL;
          }
        item = resolve_ref (ctx, g_ptr_array_index (node->items, 0), NULL, NULL, owner);
        if (item == NULL)
          return NULL;
        ref = ref_new (VDSM_SCHEMA_REF_LIST, node->line);
        ref->item = item;
        return ref;
      }

    case VDSM_YAML_MAPPING:
      vdsm_schema_error (ctx->sink, node->line,
                         "%s: a mapping is not a type reference", owner);
      return NULL;

    case VDSM_YAML_SCALAR:
    default:
      break;
    }

  if (node->stype == VDSM_YAML_NULL)
    {
      vdsm_schema_error (ctx->sink, node->line, "%s: the type is empty", owner);
      return NULL;
    }
  if (node->stype != VDSM_YAML_STR)
    {
      vdsm_schema_error (ctx->sink, node->line, "%s: '%s' is not a type name", owner,
                         node->text);
      return NULL;
    }
  if (primitive_from_name (node->text, &prim))
    {
      ref = ref_new (VDSM_SCHEMA_REF_PRIMITIVE, node->line);
      ref->primitive = prim;
      return ref;
    }
  if (holder != NULL && vdsm_schema_kind_from_name (node->text, &kind))
    {
      const char *const *keys = kind_keys (kind);

      for (guint i = 0; keys[i]; i++)
        if (vdsm_yaml_lookup (holder, keys[i]) != NULL)
          return inline_definition (ctx, kind, holder, inline_key, node->line);
    }
  if (strcmp (node->text, "object") == 0)
    {
      vdsm_schema_warn (ctx->sink, node->line,
                        "%s: the kind word 'object' used as a type; any JSON value "
                        "is accepted", owner);
      return ref_new (VDSM_SCHEMA_REF_ANY, node->line);
    }
  if (strcmp (node->text, "dict") == 0)
    {
      /* The language's only spelling of a free-form object: our own schema
       * needs it too (Host.getApiSchema), so strict loading keeps it a
       * warning. */
      vdsm_schema_advise (ctx->sink, node->line,
                        "%s: 'dict' is not a primitive; read as any JSON object", owner);
      return ref_new (VDSM_SCHEMA_REF_ANY_OBJECT, node->line);
    }
  if (strcmp (node->text, "str") == 0)
    {
      vdsm_schema_warn (ctx->sink, node->line,
                        "%s: 'str' is not a primitive; read as 'string'", owner);
      ref = ref_new (VDSM_SCHEMA_REF_PRIMITIVE, node->line);
      ref->primitive = VDSM_SCHEMA_PRIM_STRING;
      return ref;
    }
  type = g_hash_table_lookup (ctx->file->types_by_key, node->text);
  if (type != NULL)
    {
      vdsm_schema_warn (ctx->sink, node->line,
                        "%s: '%s' is a bare type name, not an alias; write *%s",
                        owner, node->text, node->text);
      g_hash_table_add (ctx->used, type);
      ref = ref_new (VDSM_SCHEMA_REF_NAMED, node->line);
      ref->type = type;
      return ref;
    }
  vdsm_schema_error (ctx->sink, node->line, "%s: unknown type '%s'", owner, node->text);
  return NULL;
}

/* ---- members (properties and params) ---- */

/* TRUE when two references denote the same type. */
static gboolean
ref_equal (const VdsmSchemaTypeRef *a, const VdsmSchemaTypeRef *b)
{
  if (a->kind != b->kind)
    return FALSE;
  switch (a->kind)
    {
    case VDSM_SCHEMA_REF_PRIMITIVE:
      return a->primitive == b->primitive;
    case VDSM_SCHEMA_REF_NAMED:
      return a->type == b->type;
    case VDSM_SCHEMA_REF_LIST:
      return ref_equal (a->item, b->item);
    case VDSM_SCHEMA_REF_ANY_OBJECT:
    case VDSM_SCHEMA_REF_ANY:
    default:
      return TRUE;
    }
}

static VdsmSchemaMember *
parse_member (Ctx *ctx, VdsmYamlNode *node, const char *what,
              const char *owner_key, const char *owner)
{
  g_autoptr (GString) label = g_string_new (NULL);
  VdsmYamlNode *name_node, *type_node, *default_node;
  VdsmSchemaMember *member;
  const char *name;
  VdsmSchemaKind inline_kind;
  g_autofree char *inline_key = NULL;

  if (node->kind != VDSM_YAML_MAPPING)
    {
      vdsm_schema_warn (ctx->sink, node->line, "%s: a %s that is not a mapping (dropped)",
                        owner, what);
      return NULL;
    }
  name_node = vdsm_yaml_lookup (node, "name");
  type_node = vdsm_yaml_lookup (node, "type");
  if (name_node == NULL || !vdsm_yaml_is_scalar (name_node, VDSM_YAML_STR))
    {
      vdsm_schema_warn (ctx->sink, node->line, "%s: a %s without a name (dropped)",
                        owner, what);
      return NULL;
    }
  name = name_node->text;
  g_string_printf (label, "%s '%s' of %s", what, name, owner);
  if (type_node == NULL)
    {
      vdsm_schema_warn (ctx->sink, node->line, "%s has no type (dropped)", label->str);
      return NULL;
    }

  inline_key = g_strdup_printf ("%s.%s", owner_key, name);
  member = g_new0 (VdsmSchemaMember, 1);
  member->name = g_strdup (name);
  member->line = node->line;
  member->type = resolve_ref (ctx, type_node, node, inline_key, label->str);
  if (member->type == NULL)
    {
      vdsm_schema_member_free (member);
      return NULL;
    }
  member->description = get_description (ctx, node, label->str);
  member->added = get_version (ctx, node, "added", label->str);
  member->modified = get_version (ctx, node, "modified", label->str);
  member->deprecated = get_version (ctx, node, "deprecated", label->str);
  member->datatype = g_strdup (get_text (ctx, node, "datatype", label->str));
  if (member->datatype != NULL)
    {
      VdsmSchemaPrimitive prim;

      if (!primitive_from_name (member->datatype, &prim))
        vdsm_schema_warn (ctx->sink, node->line, "%s: datatype '%s' is not a primitive",
                          label->str, member->datatype);
      if (member->type->kind != VDSM_SCHEMA_REF_PRIMITIVE
          || member->type->primitive != VDSM_SCHEMA_PRIM_STRING)
        vdsm_schema_warn (ctx->sink, node->line,
                          "%s: datatype documents string members only", label->str);
    }

  default_node = vdsm_yaml_lookup (node, "defaultvalue");
  if (default_node == NULL)
    member->default_kind = VDSM_SCHEMA_DEFAULT_NONE;
  else if (vdsm_yaml_is_string (default_node, "needs updating"))
    {
      member->default_kind = VDSM_SCHEMA_DEFAULT_NEEDS_UPDATING;
      vdsm_schema_warn (ctx->sink, default_node->line,
                        "%s: defaultvalue 'needs updating' (optional, default undocumented)",
                        label->str);
    }
  else if (vdsm_yaml_is_string (default_node, "no-default"))
    member->default_kind = VDSM_SCHEMA_DEFAULT_NO_DEFAULT;
  else
    {
      member->default_kind = VDSM_SCHEMA_DEFAULT_VALUE;
      member->default_value = yaml_to_json (ctx, default_node, label->str);
    }

  check_c_name (ctx, node->line, owner, what, name);
  if (type_node->kind == VDSM_YAML_SCALAR
      && vdsm_schema_kind_from_name (type_node->text, &inline_kind)
      && member->type->kind == VDSM_SCHEMA_REF_NAMED && member->type->type->anonymous)
    check_unknown_keys (ctx, node, member_keys, kind_keys (inline_kind), label->str);
  else
    check_unknown_keys (ctx, node, member_keys, NULL, label->str);
  return member;
}

/* Parse a sequence of members into @out, refusing (or, for identical
 * properties, tolerating) duplicate names. */
static void
parse_members (Ctx *ctx, VdsmYamlNode *list, const char *what, gboolean dup_is_error,
               const char *owner_key, const char *owner, GPtrArray *out)
{
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  if (list->kind != VDSM_YAML_SEQUENCE)
    {
      vdsm_schema_error (ctx->sink, list->line, "%s: the %s list is not a sequence",
                         owner, what);
      return;
    }
  for (guint i = 0; i < list->items->len; i++)
    {
      VdsmSchemaMember *member = parse_member (ctx, g_ptr_array_index (list->items, i),
                                               what, owner_key, owner);
      VdsmSchemaMember *first;

      if (member == NULL)
        continue;
      first = g_hash_table_lookup (seen, member->name);
      if (first == NULL)
        {
          g_hash_table_insert (seen, member->name, member);
          g_ptr_array_add (out, member);
          /* Checked once every type is complete; only kept members. */
          if (member->default_value != NULL && !JSON_NODE_HOLDS_NULL (member->default_value))
            {
              PendingDefault *pending = g_new0 (PendingDefault, 1);

              pending->member = member;
              pending->label = g_strdup_printf ("%s '%s' of %s", what, member->name, owner);
              g_ptr_array_add (ctx->pending_defaults, pending);
            }
          continue;
        }
      if (!dup_is_error && ref_equal (first->type, member->type))
        vdsm_schema_warn (ctx->sink, member->line,
                          "%s: duplicate %s '%s' (first at line %u); the first one is kept",
                          owner, what, member->name, first->line);
      else
        vdsm_schema_error (ctx->sink, member->line,
                           "%s: duplicate %s '%s' (first at line %u)",
                           owner, what, member->name, first->line);
      vdsm_schema_member_free (member);
    }
}

/* ---- type definitions (§3) ---- */

/* The shortest text that reads back as @value (0.1, not 0.10000000000000001). */
static char *
format_double (double value)
{
  for (int precision = 1; precision < 17; precision++)
    {
      char *text = g_strdup_printf ("%.*g", precision, value);

      if (g_ascii_strtod (text, NULL) == value)
        return text;
      g_free (text);
    }
  return g_strdup_printf ("%.17g", value);
}

static void
fill_enum (Ctx *ctx, VdsmSchemaType *type, VdsmYamlNode *def, const char *owner)
{
  VdsmYamlNode *values = vdsm_yaml_lookup (def, "values");
  g_autoptr (GHashTable) folded = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  type->values = g_ptr_array_new_with_free_func ((GDestroyNotify) vdsm_schema_enum_value_free);
  if (values == NULL || values->kind != VDSM_YAML_MAPPING || values->items->len == 0)
    {
      vdsm_schema_error (ctx->sink, values ? values->line : type->line,
                         "%s: an enum needs a non-empty 'values' mapping", owner);
      return;
    }
  for (guint i = 0; i < values->items->len; i++)
    {
      VdsmYamlPair *pair = g_ptr_array_index (values->items, i);
      VdsmYamlNode *key = vdsm_yaml_deref (pair->key);
      VdsmYamlNode *desc = vdsm_yaml_deref (pair->value);
      VdsmSchemaEnumValue *value = g_new0 (VdsmSchemaEnumValue, 1);
      char *lower = g_ascii_strdown (key->text, -1);
      const char *twin;

      value->text = g_strdup (key->text);
      value->line = pair->key->line;
      if (desc->kind == VDSM_YAML_SCALAR && desc->stype != VDSM_YAML_NULL)
        value->description = g_strdup (desc->text);
      value->typed = json_node_new (JSON_NODE_VALUE);
      switch (key->stype)
        {
        case VDSM_YAML_INT:
          json_node_set_int (value->typed, key->ival);
          vdsm_schema_advise (ctx->sink, value->line,
                            "%s: key %s is an integer in YAML; it matches the JSON "
                            "number %s or the string \"%s\"",
                            owner, key->text, key->text, key->text);
          break;
        case VDSM_YAML_FLOAT:
          {
            g_autofree char *shortest = format_double (key->fval);

            json_node_set_double (value->typed, key->fval);
            vdsm_schema_advise (ctx->sink, value->line,
                              "%s: key %s is a float in YAML (%s); it matches that "
                              "number or the string \"%s\"",
                              owner, key->text, shortest, key->text);
            break;
          }
        case VDSM_YAML_BOOL:
        case VDSM_YAML_NULL:
          json_node_set_string (value->typed, key->text);
          vdsm_schema_warn (ctx->sink, value->line,
                            "%s: key '%s' is a %s in YAML; read as the string \"%s\" "
                            "(quote it)", owner, key->text,
                            key->stype == VDSM_YAML_BOOL ? "boolean" : "null", key->text);
          break;
        case VDSM_YAML_STR:
        default:
          json_node_set_string (value->typed, key->text);
          check_c_name (ctx, value->line, owner, "enum value", key->text);
          break;
        }
      twin = g_hash_table_lookup (folded, lower);
      if (twin != NULL)
        {
          vdsm_schema_advise (ctx->sink, value->line,
                            "%s: values '%s' and '%s' differ only in case",
                            owner, twin, value->text);
          g_free (lower);
        }
      else
        g_hash_table_insert (folded, lower, value->text);
      g_ptr_array_add (type->values, value);
    }
}

static void
fill_map (Ctx *ctx, VdsmSchemaType *type, VdsmYamlNode *def, const char *owner)
{
  VdsmYamlNode *key_node = vdsm_yaml_lookup (def, "key-type");
  VdsmYamlNode *value_node = vdsm_yaml_lookup (def, "value-type");

  if (key_node == NULL || value_node == NULL)
    {
      vdsm_schema_error (ctx->sink, type->line, "%s: a map needs 'key-type' and 'value-type'",
                         owner);
      return;
    }
  type->key_type = resolve_ref (ctx, key_node, NULL, NULL, owner);
  type->value_type = resolve_ref (ctx, value_node, NULL, NULL, owner);
}

static void
fill_union (Ctx *ctx, VdsmSchemaType *type, VdsmYamlNode *def, const char *owner)
{
  VdsmYamlNode *values = vdsm_yaml_lookup (def, "values");
  VdsmYamlNode *props = vdsm_yaml_lookup (def, "properties");

  type->members = g_ptr_array_new_with_free_func ((GDestroyNotify) vdsm_schema_type_ref_free);
  type->properties = g_ptr_array_new_with_free_func ((GDestroyNotify) vdsm_schema_member_free);
  if (values == NULL || values->kind != VDSM_YAML_SEQUENCE || values->items->len == 0)
    {
      vdsm_schema_error (ctx->sink, values ? values->line : type->line,
                         "%s: a union needs a non-empty 'values' sequence", owner);
      return;
    }
  for (guint i = 0; i < values->items->len; i++)
    {
      VdsmSchemaTypeRef *ref = resolve_ref (ctx, g_ptr_array_index (values->items, i),
                                            NULL, NULL, owner);

      if (ref != NULL)
        g_ptr_array_add (type->members, ref);
    }
  if (props != NULL)
    parse_members (ctx, props, "property", FALSE, type->key, owner, type->properties);
}

static void
fill_object (Ctx *ctx, VdsmSchemaType *type, VdsmYamlNode *def, const char *owner)
{
  VdsmYamlNode *props = vdsm_yaml_lookup (def, "properties");

  type->properties = g_ptr_array_new_with_free_func ((GDestroyNotify) vdsm_schema_member_free);
  if (props == NULL || vdsm_yaml_is_scalar (props, VDSM_YAML_NULL))
    return;
  parse_members (ctx, props, "property", FALSE, type->key, owner, type->properties);
  for (guint i = 0; i < type->properties->len; i++)
    {
      VdsmSchemaMember *member = g_ptr_array_index (type->properties, i);

      if (strcmp (member->name, "any_string") == 0)
        {
          type->any_string = TRUE;
          vdsm_schema_advise (ctx->sink, member->line,
                            "%s: property 'any_string' makes the object free-form "
                            "(any extra key is accepted)", owner);
        }
    }
}

/* The kind-specific part of a definition (named or inline). */
static void
fill_body (Ctx *ctx, VdsmSchemaType *type, VdsmYamlNode *def, const char *owner)
{
  switch (type->kind)
    {
    case VDSM_SCHEMA_KIND_ENUM:
      fill_enum (ctx, type, def, owner);
      break;
    case VDSM_SCHEMA_KIND_ALIAS:
      {
        VdsmYamlNode *source = vdsm_yaml_lookup (def, "sourcetype");

        if (source == NULL)
          vdsm_schema_error (ctx->sink, type->line, "%s: an alias needs 'sourcetype'", owner);
        else
          type->source = resolve_ref (ctx, source, NULL, NULL, owner);
        break;
      }
    case VDSM_SCHEMA_KIND_MAP:
      fill_map (ctx, type, def, owner);
      break;
    case VDSM_SCHEMA_KIND_UNION:
      fill_union (ctx, type, def, owner);
      break;
    case VDSM_SCHEMA_KIND_OBJECT:
    default:
      fill_object (ctx, type, def, owner);
      break;
    }
}

/* Decide the effective kind (§3.7); FALSE when there is none. */
static gboolean
fill_kind (Ctx *ctx, VdsmSchemaType *type, VdsmYamlNode *def, const char *owner)
{
  VdsmYamlNode *kind_node = vdsm_yaml_lookup (def, "type");

  if (kind_node == NULL)
    {
      if (vdsm_yaml_lookup (def, "properties") == NULL)
        {
          vdsm_schema_error (ctx->sink, type->line, "%s: no 'type' key", owner);
          return FALSE;
        }
      vdsm_schema_warn (ctx->sink, type->line,
                        "%s: no 'type' key; read as an object because it has properties",
                        owner);
      type->kind = VDSM_SCHEMA_KIND_OBJECT;
      return TRUE;
    }
  if (kind_node->kind == VDSM_YAML_SCALAR)
    {
      if (kind_node->stype == VDSM_YAML_STR
          && vdsm_schema_kind_from_name (kind_node->text, &type->kind))
        return TRUE;
      vdsm_schema_error (ctx->sink, kind_node->line, "%s: unknown kind '%s'", owner,
                         kind_node->text);
      return FALSE;
    }
  /* A type where the kind belongs: read it as a typedef of that type. */
  type->kind = VDSM_SCHEMA_KIND_ALIAS;
  type->source = resolve_ref (ctx, kind_node, NULL, NULL, owner);
  if (type->source != NULL)
    vdsm_schema_warn (ctx->sink, kind_node->line,
                      "%s: 'type' gives a type, not a kind; read as an alias of it "
                      "(a list may have been meant)", owner);
  return type->source != NULL;
}

static void
fill_type (Ctx *ctx, VdsmSchemaType *type, VdsmYamlNode *def)
{
  g_autofree char *owner = g_strdup_printf ("type %s", type->key);
  const char *name = get_text (ctx, def, "name", owner);
  VdsmYamlNode *name_node = vdsm_yaml_lookup (def, "name");
  VdsmYamlNode *default_node = vdsm_yaml_lookup (def, "defaultvalue");
  gboolean typedef_kind = FALSE;

  type->name = g_strdup (name ? name : type->key);
  if (name == NULL)
    vdsm_schema_warn (ctx->sink, type->line, "%s: no 'name' key", owner);
  else if (strcmp (name, type->key) != 0)
    vdsm_schema_warn (ctx->sink, name_node->line,
                      "%s: its name is '%s'; the key is its identity", owner, name);
  type->description = get_description (ctx, def, owner);
  type->added = get_version (ctx, def, "added", owner);
  type->modified = get_version (ctx, def, "modified", owner);
  type->deprecated = get_version (ctx, def, "deprecated", owner);
  if (type->added == NULL && ctx->api_file && vdsm_yaml_lookup (def, "added") == NULL)
    vdsm_schema_warn (ctx->sink, type->line, "%s: no 'added' version", owner);
  if (!g_ascii_isupper (type->key[0]))
    vdsm_schema_warn (ctx->sink, type->line,
                      "%s: the name does not start with an upper-case letter", owner);
  if (default_node != NULL)
    vdsm_schema_warn (ctx->sink, default_node->line,
                      "%s: 'defaultvalue' on a type is ignored", owner);

  if (!fill_kind (ctx, type, def, owner))
    {
      /* Keep a well-formed (empty) object so that references stay usable. */
      type->kind = VDSM_SCHEMA_KIND_OBJECT;
      type->properties = g_ptr_array_new_with_free_func ((GDestroyNotify) vdsm_schema_member_free);
      return;
    }
  typedef_kind = type->source != NULL;
  if (!typedef_kind)
    fill_body (ctx, type, def, owner);

  for (guint i = 0; i < def->items->len; i++)
    {
      VdsmYamlPair *pair = g_ptr_array_index (def->items, i);
      const char *key = vdsm_yaml_deref (pair->key)->text;

      if (in_list (common_type_keys, key) || strcmp (key, "defaultvalue") == 0
          || (!typedef_kind && in_list (kind_keys (type->kind), key)))
        continue;
      vdsm_schema_warn (ctx->sink, pair->key->line, "%s: unknown key '%s' (ignored)",
                        owner, key);
    }
}

/* ---- methods and events (§7, §8) ---- */

/* A boolean extension key (docs/schema-language.md §11); absent is FALSE. */
static gboolean
get_flag (Ctx *ctx, VdsmYamlNode *map, const char *key, const char *owner)
{
  VdsmYamlNode *node = vdsm_yaml_lookup (map, key);

  if (node == NULL)
    return FALSE;
  if (node->kind != VDSM_YAML_SCALAR || node->stype != VDSM_YAML_BOOL)
    {
      vdsm_schema_error (ctx->sink, node->line, "%s: '%s' is not true or false", owner, key);
      return FALSE;
    }
  return node->bval;
}

static void
fill_method (Ctx *ctx, const char *key, guint line, VdsmYamlNode *def)
{
  const char *dot = strchr (key, '.');
  g_autofree char *owner = g_strdup_printf ("method %s", key);
  VdsmSchemaMethod *method, *existing;
  VdsmYamlNode *params, *ret;
  static const char *const method_keys[] = {
    "added", "description", "params", "return", "deprecated", "inline", NULL
  };
  static const char *const return_keys[] = { "type", "description", NULL };

  if (dot == NULL || dot == key || dot[1] == '\0')
    {
      vdsm_schema_error (ctx->sink, line, "method key '%s' is not Namespace.verb", key);
      return;
    }
  if (def->kind != VDSM_YAML_MAPPING)
    {
      vdsm_schema_error (ctx->sink, line, "%s: the definition is not a mapping", owner);
      return;
    }
  existing = g_hash_table_lookup (ctx->schema->methods_by_name, key);
  if (existing != NULL)
    {
      vdsm_schema_error (ctx->sink, line, "%s: already defined in %s:%u", owner,
                         existing->file->path, existing->line);
      return;
    }

  method = g_new0 (VdsmSchemaMethod, 1);
  method->name = g_strdup (key);
  method->ns = g_strndup (key, (gsize) (dot - key));
  method->verb = g_strdup (dot + 1);
  method->file = ctx->file;
  method->line = line;
  method->params = g_ptr_array_new_with_free_func ((GDestroyNotify) vdsm_schema_member_free);
  method->description = get_description (ctx, def, owner);
  method->added = get_version (ctx, def, "added", owner);
  method->deprecated = get_version (ctx, def, "deprecated", owner);
  method->run_inline = get_flag (ctx, def, "inline", owner);
  if (strchr (method->verb, '_') != NULL)
    vdsm_schema_advise (ctx->sink, line, "%s: the verb is snake_case", owner);

  params = vdsm_yaml_lookup (def, "params");
  if (params != NULL)
    parse_members (ctx, params, "parameter", TRUE, key, owner, method->params);

  ret = vdsm_yaml_lookup (def, "return");
  if (ret != NULL && ret->kind != VDSM_YAML_MAPPING)
    vdsm_schema_error (ctx->sink, ret->line, "%s: 'return' is not a mapping", owner);
  else if (ret != NULL)
    {
      g_autofree char *ret_owner = g_strdup_printf ("return of %s", owner);
      g_autofree char *ret_key = g_strdup_printf ("%s.return", key);
      VdsmYamlNode *ret_type = vdsm_yaml_lookup (ret, "type");

      if (ret_type == NULL)
        vdsm_schema_error (ctx->sink, ret->line, "%s: no 'type'", ret_owner);
      else
        method->ret = resolve_ref (ctx, ret_type, ret, ret_key, ret_owner);
      method->ret_description = get_description (ctx, ret, ret_owner);
      check_unknown_keys (ctx, ret, return_keys, NULL, ret_owner);
    }
  check_unknown_keys (ctx, def, method_keys, NULL, owner);

  g_ptr_array_add (ctx->schema->methods, method);
  g_hash_table_insert (ctx->schema->methods_by_name, method->name, method);
}

static void
fill_event (Ctx *ctx, const char *key, guint line, VdsmYamlNode *def)
{
  g_auto (GStrv) parts = g_strsplit (key, "|", -1);
  g_autofree char *owner = g_strdup_printf ("event %s", key);
  VdsmSchemaEvent *event, *existing;
  VdsmYamlNode *params;
  gboolean has_notify_time = FALSE;
  static const char *const event_keys[] = { "description", "params", NULL };

  if (g_strv_length (parts) != 4 || parts[0][0] != '\0' || parts[3][0] != '\0'
      || parts[1][0] == '\0' || parts[2][0] == '\0')
    {
      vdsm_schema_error (ctx->sink, line, "event key '%s' is not |namespace|name|", key);
      return;
    }
  if (def->kind != VDSM_YAML_MAPPING)
    {
      vdsm_schema_error (ctx->sink, line, "%s: the definition is not a mapping", owner);
      return;
    }
  existing = g_hash_table_lookup (ctx->schema->events_by_key, key);
  if (existing != NULL)
    {
      vdsm_schema_error (ctx->sink, line, "%s: already defined in %s:%u", owner,
                         existing->file->path, existing->line);
      return;
    }

  event = g_new0 (VdsmSchemaEvent, 1);
  event->key = g_strdup (key);
  event->ns = g_strdup (parts[1]);
  event->name = g_strdup (parts[2]);
  event->file = ctx->file;
  event->line = line;
  event->params = g_ptr_array_new_with_free_func ((GDestroyNotify) vdsm_schema_member_free);
  event->description = get_description (ctx, def, owner);
  params = vdsm_yaml_lookup (def, "params");
  if (params != NULL)
    {
      g_autofree char *owner_key = g_strdup_printf ("%s.%s", parts[1], parts[2]);

      parse_members (ctx, params, "parameter", TRUE, owner_key, owner, event->params);
    }
  for (guint i = 0; i < event->params->len; i++)
    {
      VdsmSchemaMember *param = g_ptr_array_index (event->params, i);

      has_notify_time |= strcmp (param->name, "notify_time") == 0;
    }
  if (!has_notify_time)
    vdsm_schema_warn (ctx->sink, line, "%s: no 'notify_time' parameter", owner);
  check_unknown_keys (ctx, def, event_keys, NULL, owner);

  g_ptr_array_add (ctx->schema->events, event);
  g_hash_table_insert (ctx->schema->events_by_key, event->key, event);
}

/* ---- checks over the finished model ---- */

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
      if (end == NULL || end->kind != VDSM_SCHEMA_REF_NAMED || end->type->kind != VDSM_SCHEMA_KIND_UNION)
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
  if (a->kind == VDSM_SCHEMA_REF_ANY || ref_equal (a, b))
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
check_union_reachable (Ctx *ctx, VdsmSchemaType *type)
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
          vdsm_schema_error (ctx->sink, b->line,
                             "type %s: member %s can never be chosen: member %s "
                             "before it accepts all its values",
                             type->key, ref_describe (b), ref_describe (a));
          break;
        }
    }
}

static void
check_union (Ctx *ctx, VdsmSchemaType *type)
{
  if (type->members->len == 0)
    return;
  if (union_contains (type, type, 0))
    {
      vdsm_schema_error (ctx->sink, type->line, "type %s: the union contains itself",
                         type->key);
      /* Keep the model inert: a value would loop through it forever. */
      g_ptr_array_set_size (type->members, 0);
      return;
    }
  if (type->members->len == 1)
    vdsm_schema_advise (ctx->sink, type->line, "type %s: a union with a single member",
                      type->key);
  if (type->properties->len > 0)
    vdsm_schema_advise (ctx->sink, type->line,
                      "type %s: the union's properties are read as fields allowed "
                      "in every member", type->key);
  check_union_reachable (ctx, type);

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
                vdsm_schema_warn (ctx->sink, ref->line,
                                  "type %s: member %s does not declare the common "
                                  "property '%s'", type->key, end->type->key, common->name);
            }
        }
      else
        vdsm_schema_advise (ctx->sink, ref->line,
                          "type %s: member %s is not an object; it is matched by "
                          "its own value check", type->key, ref_describe (ref));
    }
}

static void
check_map (Ctx *ctx, VdsmSchemaType *type)
{
  const VdsmSchemaTypeRef *end;

  if (type->key_type == NULL)
    return;
  if (!ref_underlying (type->key_type, &end))
    return;
  if (!ref_is_scalar (type->key_type))
    vdsm_schema_error (ctx->sink, type->key_type->line,
                       "type %s: the map key type %s is not a scalar type", type->key,
                       ref_describe (type->key_type));
  else if (end->kind == VDSM_SCHEMA_REF_PRIMITIVE && end->primitive != VDSM_SCHEMA_PRIM_STRING)
    vdsm_schema_advise (ctx->sink, type->key_type->line,
                      "type %s: map keyed by %s; JSON object keys are strings, read "
                      "as decimal text", type->key, vdsm_schema_primitive_name (end->primitive));
}

static void
check_types (Ctx *ctx)
{
  g_autoptr (GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GPtrArray) all = g_ptr_array_new ();

  g_ptr_array_extend (all, ctx->file->types, NULL, NULL);
  for (guint i = 0; i < ctx->schema->anonymous->len; i++)
    {
      VdsmSchemaType *type = g_ptr_array_index (ctx->schema->anonymous, i);

      if (type->file == ctx->file)
        g_ptr_array_add (all, type);
    }

  for (guint i = 0; i < ctx->file->types->len; i++)
    {
      VdsmSchemaType *type = g_ptr_array_index (ctx->file->types, i);

      g_hash_table_insert (names, type->key, type);
    }
  for (guint i = 0; i < all->len; i++)
    {
      VdsmSchemaType *type = g_ptr_array_index (all, i);
      const VdsmSchemaTypeRef *end;

      if (type->kind == VDSM_SCHEMA_KIND_ALIAS && !ref_underlying (type->source, &end))
        vdsm_schema_error (ctx->sink, type->line, "type %s: the alias refers to itself",
                           type->key);
      else if (type->kind == VDSM_SCHEMA_KIND_UNION)
        check_union (ctx, type);
      else if (type->kind == VDSM_SCHEMA_KIND_MAP)
        check_map (ctx, type);

      if (!type->anonymous && !g_hash_table_contains (ctx->used, type)
          && !ctx->events_file)
        vdsm_schema_warn (ctx->sink, type->line, "type %s is never used", type->key);
    }
  /* A name that differs from its key must not look like another type. */
  for (guint i = 0; i < ctx->file->types->len; i++)
    {
      VdsmSchemaType *type = g_ptr_array_index (ctx->file->types, i);
      VdsmSchemaType *other;

      if (strcmp (type->name, type->key) == 0)
        continue;
      other = g_hash_table_lookup (names, type->name);
      if (other != NULL && other != type)
        vdsm_schema_warn (ctx->sink, type->line,
                          "type %s: its name '%s' is also the name of type %s",
                          type->key, type->name, other->key);
      else
        g_hash_table_insert (names, type->name, type);
    }
}

static void
check_defaults (Ctx *ctx)
{
  for (guint i = 0; i < ctx->pending_defaults->len; i++)
    {
      PendingDefault *pending = g_ptr_array_index (ctx->pending_defaults, i);
      g_autoptr (GError) error = NULL;

      if (!vdsm_schema_validate_value (pending->member->type,
                                       pending->member->default_value,
                                       "defaultvalue", &error))
        vdsm_schema_warn (ctx->sink, pending->member->line,
                          "%s: the default does not match the type (%s)",
                          pending->label, error->message);
    }
}

static void
pending_default_free (gpointer data)
{
  PendingDefault *pending = data;

  g_free (pending->label);
  g_free (pending);
}

/* ---- the file ---- */

static void
report_duplicates (Ctx *ctx, VdsmYamlNode *root)
{
  for (guint i = 0; i < ctx->doc->duplicates->len; i++)
    {
      VdsmYamlDuplicate *dup = g_ptr_array_index (ctx->doc->duplicates, i);

      if (dup->mapping == ctx->types_node)
        vdsm_schema_error (ctx->sink, dup->line,
                           "duplicate type '%s' (first at line %u)", dup->key,
                           dup->first_line);
      else if (dup->mapping == root)
        vdsm_schema_error (ctx->sink, dup->line,
                           "duplicate top-level key '%s' (first at line %u)", dup->key,
                           dup->first_line);
      else
        vdsm_schema_warn (ctx->sink, dup->line,
                          "duplicate key '%s' (first at line %u); the last value wins",
                          dup->key, dup->first_line);
    }
}

static void
register_types (Ctx *ctx)
{
  for (guint i = 0; i < ctx->types_node->items->len; i++)
    {
      VdsmYamlPair *pair = g_ptr_array_index (ctx->types_node->items, i);
      VdsmYamlNode *key = vdsm_yaml_deref (pair->key);
      VdsmSchemaType *type, *other;

      if (pair->value->kind != VDSM_YAML_MAPPING)
        {
          vdsm_schema_error (ctx->sink, pair->key->line,
                             "type %s: the definition is not a mapping", key->text);
          continue;
        }
      if (pair->value->anchor != NULL && strcmp (pair->value->anchor, key->text) != 0)
        vdsm_schema_warn (ctx->sink, pair->key->line,
                          "type %s: its anchor is &%s; anchors should equal the key",
                          key->text, pair->value->anchor);

      type = g_new0 (VdsmSchemaType, 1);
      type->key = g_strdup (key->text);
      type->file = ctx->file;
      type->line = pair->key->line;
      g_hash_table_insert (ctx->type_by_node, pair->value, type);
      g_ptr_array_add (ctx->file->types, type);
      g_hash_table_insert (ctx->file->types_by_key, type->key, type);
      g_ptr_array_add (ctx->schema->types, type);

      other = g_hash_table_lookup (ctx->schema->types_by_key, type->key);
      if (other == NULL)
        g_hash_table_insert (ctx->schema->types_by_key, type->key, type);
      else
        vdsm_schema_advise (ctx->sink, type->line,
                          "type %s is also defined in %s:%u (types are scoped per file)",
                          type->key, other->file->path, other->line);
    }
}

void
vdsm_schema_build (VdsmSchemaDiagSink *sink, VdsmSchemaFile *file, VdsmYamlDocument *doc)
{
  Ctx ctx = { 0 };
  VdsmYamlNode *root = doc->root;
  VdsmYamlPair *types_pair;

  ctx.sink = sink;
  ctx.schema = sink->schema;
  ctx.file = file;
  ctx.doc = doc;

  if (root->kind != VDSM_YAML_MAPPING)
    {
      vdsm_schema_error (sink, root->line, "the top level is not a mapping");
      return;
    }
  types_pair = vdsm_yaml_lookup_pair (root, "types");
  if (types_pair != NULL && types_pair->value->kind == VDSM_YAML_MAPPING)
    ctx.types_node = types_pair->value;
  report_duplicates (&ctx, root);
  /* `types:` with nothing under it is an empty section. */
  if (types_pair == NULL)
    vdsm_schema_error (sink, root->line, "no 'types' key");
  else if (ctx.types_node == NULL && !vdsm_yaml_is_scalar (types_pair->value, VDSM_YAML_NULL))
    vdsm_schema_error (sink, types_pair->key->line, "'types' is not a mapping");

  for (guint i = 0; i < root->items->len; i++)
    {
      VdsmYamlPair *pair = g_ptr_array_index (root->items, i);

      if (pair != types_pair)
        {
          if (vdsm_yaml_deref (pair->key)->text[0] == '|')
            ctx.events_file = TRUE;
          else
            ctx.api_file = TRUE;
        }
    }
  if (ctx.events_file && ctx.api_file)
    {
      vdsm_schema_error (sink, root->line,
                         "the file mixes methods and events (event keys start with '|')");
      return;
    }

  ctx.type_by_node = g_hash_table_new (NULL, NULL);
  ctx.used = g_hash_table_new (NULL, NULL);
  ctx.pending_defaults = g_ptr_array_new_with_free_func (pending_default_free);

  if (ctx.types_node != NULL)
    {
      register_types (&ctx);
      for (guint i = 0; i < ctx.types_node->items->len; i++)
        {
          VdsmYamlPair *pair = g_ptr_array_index (ctx.types_node->items, i);
          VdsmSchemaType *type = g_hash_table_lookup (ctx.type_by_node, pair->value);

          if (type != NULL)
            fill_type (&ctx, type, pair->value);
        }
    }
  for (guint i = 0; i < root->items->len; i++)
    {
      VdsmYamlPair *pair = g_ptr_array_index (root->items, i);
      const char *key = vdsm_yaml_deref (pair->key)->text;

      if (pair == types_pair)
        continue;
      if (ctx.events_file)
        fill_event (&ctx, key, pair->key->line, pair->value);
      else
        fill_method (&ctx, key, pair->key->line, pair->value);
    }

  check_types (&ctx);
  check_defaults (&ctx);

  g_ptr_array_unref (ctx.pending_defaults);
  g_hash_table_unref (ctx.used);
  g_hash_table_unref (ctx.type_by_node);
}
