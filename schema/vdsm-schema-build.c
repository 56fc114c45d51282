/* vdsm-schema-build.c: YAML document tree -> typed schema model, with the
 * fix-up rules and diagnostics of docs/schema-language.md §3.7, §4, §10.
 * The keys' values are read by vdsm-schema-read.c; the checks that need
 * the whole file built are vdsm-schema-check.c.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vdsm-schema-private.h"

#include <string.h>

typedef struct {
  VdsmSchemaDiagSink *sink;
  VdsmSchema *schema;
  VdsmSchemaFile *file;
  VdsmYamlDocument *doc;
  VdsmYamlNode *types_node;
  GHashTable *type_by_node;      /* definition node -> VdsmSchemaType* */
  GHashTable *used;              /* VdsmSchemaType* referenced somewhere */
  GPtrArray *pending_defaults;   /* VdsmSchemaPendingDefault* */
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
  member->description = vdsm_schema_read_description (ctx->sink, node, label->str);
  member->added = vdsm_schema_read_version (ctx->sink, node, "added", label->str);
  member->modified = vdsm_schema_read_version (ctx->sink, node, "modified", label->str);
  member->deprecated = vdsm_schema_read_version (ctx->sink, node, "deprecated", label->str);
  member->datatype = g_strdup (vdsm_schema_read_text (ctx->sink, node, "datatype", label->str));
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
      member->default_value = vdsm_schema_read_json (ctx->sink, default_node, label->str);
    }

  vdsm_schema_advise_c_name (ctx->sink, node->line, owner, what, name);
  if (type_node->kind == VDSM_YAML_SCALAR
      && vdsm_schema_kind_from_name (type_node->text, &inline_kind)
      && member->type->kind == VDSM_SCHEMA_REF_NAMED && member->type->type->anonymous)
    vdsm_schema_warn_unknown_keys (ctx->sink, node, member_keys, kind_keys (inline_kind),
                                   label->str);
  else
    vdsm_schema_warn_unknown_keys (ctx->sink, node, member_keys, NULL, label->str);
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
              VdsmSchemaPendingDefault *pending = g_new0 (VdsmSchemaPendingDefault, 1);

              pending->member = member;
              pending->label = g_strdup_printf ("%s '%s' of %s", what, member->name, owner);
              g_ptr_array_add (ctx->pending_defaults, pending);
            }
          continue;
        }
      if (!dup_is_error && vdsm_schema_type_ref_equal (first->type, member->type,
                                                         VDSM_SCHEMA_SAME_DEFINITION))
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
          vdsm_schema_advise_c_name (ctx->sink, value->line, owner, "enum value", key->text);
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
  const char *name = vdsm_schema_read_text (ctx->sink, def, "name", owner);
  VdsmYamlNode *name_node = vdsm_yaml_lookup (def, "name");
  VdsmYamlNode *default_node = vdsm_yaml_lookup (def, "defaultvalue");
  gboolean typedef_kind = FALSE;

  type->name = g_strdup (name ? name : type->key);
  if (name_node == NULL)
    vdsm_schema_warn (ctx->sink, type->line, "%s: no 'name' key", owner);
  else if (name != NULL && strcmp (name, type->key) != 0)
    vdsm_schema_warn (ctx->sink, name_node->line,
                      "%s: its name is '%s'; the key is its identity", owner, name);
  type->description = vdsm_schema_read_description (ctx->sink, def, owner);
  type->added = vdsm_schema_read_version (ctx->sink, def, "added", owner);
  type->modified = vdsm_schema_read_version (ctx->sink, def, "modified", owner);
  type->deprecated = vdsm_schema_read_version (ctx->sink, def, "deprecated", owner);
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

      if (g_strv_contains (common_type_keys, key) || strcmp (key, "defaultvalue") == 0
          || (!typedef_kind && g_strv_contains (kind_keys (type->kind), key)))
        continue;
      vdsm_schema_warn (ctx->sink, pair->key->line, "%s: unknown key '%s' (ignored)",
                        owner, key);
    }
}

/* ---- methods and events (§7, §8) ---- */

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
  method->description = vdsm_schema_read_description (ctx->sink, def, owner);
  method->added = vdsm_schema_read_version (ctx->sink, def, "added", owner);
  method->deprecated = vdsm_schema_read_version (ctx->sink, def, "deprecated", owner);
  method->run_inline = vdsm_schema_read_flag (ctx->sink, def, "inline", owner);
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
      method->ret_description = vdsm_schema_read_description (ctx->sink, ret, ret_owner);
      vdsm_schema_warn_unknown_keys (ctx->sink, ret, return_keys, NULL, ret_owner);
    }
  vdsm_schema_warn_unknown_keys (ctx->sink, def, method_keys, NULL, owner);

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
  event->description = vdsm_schema_read_description (ctx->sink, def, owner);
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
  vdsm_schema_warn_unknown_keys (ctx->sink, def, event_keys, NULL, owner);

  g_ptr_array_add (ctx->schema->events, event);
  g_hash_table_insert (ctx->schema->events_by_key, event->key, event);
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
  ctx.pending_defaults = g_ptr_array_new_with_free_func (vdsm_schema_pending_default_free);

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

  vdsm_schema_check_file (sink, file, ctx.used, ctx.events_file, ctx.pending_defaults);

  g_ptr_array_unref (ctx.pending_defaults);
  g_hash_table_unref (ctx.used);
  g_hash_table_unref (ctx.type_by_node);
}
