/* vdsm-schema-validate.c: checking JSON values against the schema model
 * (docs/schema-language.md §9).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vdsm-schema-private.h"

#include <math.h>
#include <string.h>

/* JSON values nest freely and bare type names can make recursive types;
 * the bound keeps a hostile value from exhausting the stack. */
#define MAX_DEPTH 64
/* Choosing a union member looks into nested unions; real schemas nest two
 * deep, and the bound keeps the search small on any schema. */
#define MAX_UNION_NESTING 8
/* Long values are cut in messages. */
#define MAX_SHOWN 60

typedef struct {
  GString *path;
  guint depth;
} Walk;

static gboolean check_ref (Walk *w, const VdsmSchemaTypeRef *ref, JsonNode *value,
                           GPtrArray *extra, GError **error);

/* @value as compact JSON, shortened for messages. */
static char *
show (JsonNode *value)
{
  g_autofree char *text = NULL;

  if (value == NULL || JSON_NODE_HOLDS_NULL (value))
    return g_strdup ("null");
  text = json_to_string (value, FALSE);
  if (g_utf8_strlen (text, -1) > MAX_SHOWN)
    {
      const char *cut = g_utf8_offset_to_pointer (text, MAX_SHOWN);

      return g_strdup_printf ("%.*s...", (int) (cut - text), text);
    }
  return g_steal_pointer (&text);
}

static gboolean G_GNUC_PRINTF (3, 4)
fail (Walk *w, GError **error, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  /* Union member probing passes no error: skip the formatting work. */
  if (error == NULL)
    return FALSE;
  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  if (w->path->len > 0)
    {
      char *qualified = g_strconcat (w->path->str, ": ", message, NULL);

      g_free (message);
      message = qualified;
    }
  /* Paths, keys and shown values are the peer's text, which json-glib
   * leaves invalid where it decodes a lone surrogate escape: messages
   * must stay UTF-8. */
  if (!g_utf8_validate (message, -1, NULL))
    {
      char *valid = g_utf8_make_valid (message, -1);

      g_free (message);
      message = valid;
    }
  g_set_error_literal (error, VDSM_SCHEMA_ERROR, VDSM_SCHEMA_ERROR_INVALID, message);
  return FALSE;
}

static gboolean
fail_expected (Walk *w, GError **error, const char *what, JsonNode *value)
{
  g_autofree char *shown = NULL;

  if (error == NULL)
    return FALSE;
  shown = show (value);
  return fail (w, error, "expected %s, got %s", what, shown);
}

static GType
value_type (JsonNode *value)
{
  if (value == NULL || JSON_NODE_TYPE (value) != JSON_NODE_VALUE)
    return G_TYPE_INVALID;
  return json_node_get_value_type (value);
}

static gboolean
check_primitive (Walk *w, VdsmSchemaPrimitive prim, JsonNode *value, GError **error)
{
  GType type = value_type (value);
  gboolean ok = FALSE;

  switch (prim)
    {
    case VDSM_SCHEMA_PRIM_STRING:
      ok = type == G_TYPE_STRING;
      break;
    case VDSM_SCHEMA_PRIM_BOOLEAN:
      ok = type == G_TYPE_BOOLEAN;
      break;
    case VDSM_SCHEMA_PRIM_INT:
      ok = type == G_TYPE_INT64;
      break;
    case VDSM_SCHEMA_PRIM_UINT:
      /* json-glib holds integers as gint64 (it wraps larger literals), so
       * the reachable range is 0..G_MAXINT64. */
      ok = type == G_TYPE_INT64 && json_node_get_int (value) >= 0;
      break;
    case VDSM_SCHEMA_PRIM_LONG:
    case VDSM_SCHEMA_PRIM_FLOAT:
      ok = type == G_TYPE_INT64 || (type == G_TYPE_DOUBLE && isfinite (json_node_get_double (value)));
      break;
    case VDSM_SCHEMA_PRIM_ULONG:
      ok = (type == G_TYPE_INT64 && json_node_get_int (value) >= 0)
           || (type == G_TYPE_DOUBLE && isfinite (json_node_get_double (value))
               && json_node_get_double (value) >= 0);
      break;
    default:
      break;
    }
  if (ok)
    return TRUE;
  return fail_expected (w, error, vdsm_schema_primitive_name (prim), value);
}

static gboolean
enum_has (const VdsmSchemaType *type, JsonNode *value)
{
  GType vtype = value_type (value);

  for (guint i = 0; type->values && i < type->values->len; i++)
    {
      VdsmSchemaEnumValue *ev = g_ptr_array_index (type->values, i);
      GType ktype = json_node_get_value_type (ev->typed);

      if (vtype == G_TYPE_STRING)
        {
          /* A numeric key also matches its source text ("0.10"). */
          if (strcmp (json_node_get_string (value), ev->text) == 0)
            return TRUE;
        }
      else if ((vtype == G_TYPE_INT64 || vtype == G_TYPE_DOUBLE)
               && (ktype == G_TYPE_INT64 || ktype == G_TYPE_DOUBLE))
        {
          if (vtype == G_TYPE_INT64 && ktype == G_TYPE_INT64)
            {
              if (json_node_get_int (value) == json_node_get_int (ev->typed))
                return TRUE;
            }
          else if (json_node_get_double (value) == json_node_get_double (ev->typed))
            return TRUE;
        }
    }
  return FALSE;
}

static gboolean
check_enum (Walk *w, const VdsmSchemaType *type, JsonNode *value, GError **error)
{
  g_autofree char *shown = NULL;

  if (enum_has (type, value))
    return TRUE;
  shown = show (value);
  return fail (w, error, "%s is not a value of enum %s", shown, type->key);
}

static VdsmSchemaMember *
find_member (GPtrArray *members, const char *name)
{
  for (guint i = 0; members && i < members->len; i++)
    {
      VdsmSchemaMember *member = g_ptr_array_index (members, i);

      if (strcmp (member->name, name) == 0)
        return member;
    }
  return NULL;
}

static VdsmSchemaMember *
any_string_member (const VdsmSchemaType *type)
{
  return type->any_string ? find_member (type->properties, "any_string") : NULL;
}

static gboolean
is_absent (JsonNode *value)
{
  return value == NULL || JSON_NODE_HOLDS_NULL (value);
}

/* Check @value against @member's type with ".name" appended to the path. */
static gboolean
check_member (Walk *w, const VdsmSchemaMember *member, const char *name, JsonNode *value,
              GError **error)
{
  gsize len = w->path->len;
  gboolean ok;

  g_string_append_printf (w->path, "%s%s", len ? "." : "", name);
  ok = check_ref (w, member->type, value, NULL, error);
  g_string_truncate (w->path, len);
  return ok;
}

/* Keys, quoted and comma-separated, for messages. */
static char *
join_keys (GPtrArray *keys)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < keys->len; i++)
    g_string_append_printf (out, "%s\"%s\"", i ? ", " : "",
                            (const char *) g_ptr_array_index (keys, i));
  return g_string_free (out, FALSE);
}

static gboolean
check_object (Walk *w, const VdsmSchemaType *type, JsonNode *value, GPtrArray *extra,
              GError **error)
{
  JsonObject *object;
  VdsmSchemaMember *any = any_string_member (type);
  g_autoptr (GPtrArray) unknown = g_ptr_array_new ();
  g_autoptr (GList) names = NULL;

  if (value == NULL || !JSON_NODE_HOLDS_OBJECT (value))
    {
      g_autofree char *what = g_strdup_printf ("object %s", type->key);

      return fail_expected (w, error, what, value);
    }
  object = json_node_get_object (value);
  names = json_object_get_members (object);

  for (GList *l = names; l; l = l->next)
    if (!find_member (type->properties, l->data) && !find_member (extra, l->data))
      g_ptr_array_add (unknown, l->data);
  if (unknown->len > 0 && any == NULL)
    {
      g_autofree char *keys = join_keys (unknown);

      return fail (w, error, "unknown key%s %s in %s", unknown->len > 1 ? "s" : "",
                   keys, type->key);
    }
  for (guint i = 0; i < unknown->len; i++)
    {
      const char *name = g_ptr_array_index (unknown, i);

      if (!check_member (w, any, name, json_object_get_member (object, name), error))
        return FALSE;
    }

  for (guint i = 0; type->properties && i < type->properties->len; i++)
    {
      VdsmSchemaMember *member = g_ptr_array_index (type->properties, i);
      JsonNode *member_value = json_object_get_member (object, member->name);

      if (member == any)
        continue;
      if (is_absent (member_value))
        {
          if (member->default_kind == VDSM_SCHEMA_DEFAULT_NONE)
            return fail (w, error, "missing required key \"%s\" of %s", member->name,
                         type->key);
          continue;
        }
      if (!check_member (w, member, member->name, member_value, error))
        return FALSE;
    }
  for (guint i = 0; extra && i < extra->len; i++)
    {
      VdsmSchemaMember *member = g_ptr_array_index (extra, i);
      JsonNode *member_value = json_object_get_member (object, member->name);

      if (find_member (type->properties, member->name) || is_absent (member_value))
        continue;
      if (!check_member (w, member, member->name, member_value, error))
        return FALSE;
    }
  return TRUE;
}

/* The named type a reference ends at through aliases, or NULL. */
static const VdsmSchemaTypeRef *
underlying (const VdsmSchemaTypeRef *ref)
{
  for (guint depth = 0; ref && depth < MAX_DEPTH; depth++)
    {
      if (ref->kind != VDSM_SCHEMA_REF_NAMED || ref->type->kind != VDSM_SCHEMA_KIND_ALIAS)
        return ref;
      ref = ref->type->source;
    }
  return NULL;
}

static gboolean union_any_fits (const VdsmSchemaType *type, JsonNode *value, guint depth);
static gboolean check_union (Walk *w, const VdsmSchemaType *type, JsonNode *value,
                             GError **error);

/* Does @value belong to member @ref for the purpose of choosing it? */
static gboolean
union_member_fits (const VdsmSchemaTypeRef *ref, const VdsmSchemaType *owner,
                   JsonNode *value, guint depth)
{
  const VdsmSchemaTypeRef *end = underlying (ref);
  const VdsmSchemaType *type;

  if (end == NULL)
    return FALSE;
  switch (end->kind)
    {
    case VDSM_SCHEMA_REF_LIST:
      return JSON_NODE_HOLDS_ARRAY (value);
    case VDSM_SCHEMA_REF_ANY:
      return TRUE;
    case VDSM_SCHEMA_REF_ANY_OBJECT:
      return JSON_NODE_HOLDS_OBJECT (value);
    case VDSM_SCHEMA_REF_PRIMITIVE:
      {
        Walk w = { g_string_new (NULL), 0 };
        gboolean ok = check_primitive (&w, end->primitive, value, NULL);

        g_string_free (w.path, TRUE);
        return ok;
      }
    case VDSM_SCHEMA_REF_NAMED:
    default:
      break;
    }

  type = end->type;
  switch (type->kind)
    {
    case VDSM_SCHEMA_KIND_ENUM:
      return enum_has (type, value);
    case VDSM_SCHEMA_KIND_MAP:
      return JSON_NODE_HOLDS_OBJECT (value);
    case VDSM_SCHEMA_KIND_UNION:
      return depth < MAX_UNION_NESTING && union_any_fits (type, value, depth + 1);
    case VDSM_SCHEMA_KIND_OBJECT:
      if (!JSON_NODE_HOLDS_OBJECT (value))
        return FALSE;
      if (!type->any_string)
        {
          g_autoptr (GList) names = json_object_get_members (json_node_get_object (value));

          for (GList *l = names; l; l = l->next)
            if (!find_member (type->properties, l->data)
                && !find_member (owner->properties, l->data))
              return FALSE;
        }
      return TRUE;
    case VDSM_SCHEMA_KIND_ALIAS:
    default:
      return FALSE;
    }
}

/* Does some member of union @type fit @value? */
static gboolean
union_any_fits (const VdsmSchemaType *type, JsonNode *value, guint depth)
{
  for (guint i = 0; type->members && i < type->members->len; i++)
    if (union_member_fits (g_ptr_array_index (type->members, i), type, value, depth))
      return TRUE;
  return FALSE;
}

/* Members are tried in declared order (§9.4); the first one that the value
 * fits *and* passes wins. Unlike vdsmapi, a fitting member that fails does
 * not end the search (VmInfo's VmDefinition would swallow every
 * VmShortStatus); its error is reported when no later member passes. */
static gboolean
check_union (Walk *w, const VdsmSchemaType *type, JsonNode *value, GError **error)
{
  g_autoptr (GError) first_error = NULL;
  g_autofree char *shown = NULL;

  for (guint i = 0; type->members && i < type->members->len; i++)
    {
      const VdsmSchemaTypeRef *member = g_ptr_array_index (type->members, i);
      g_autoptr (GError) member_error = NULL;

      if (!union_member_fits (member, type, value, 0))
        continue;
      if (check_ref (w, member, value, type->properties, &member_error))
        return TRUE;
      if (first_error == NULL)
        first_error = g_steal_pointer (&member_error);
    }
  if (first_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&first_error));
      return FALSE;
    }
  shown = show (value);
  return fail (w, error, "%s matches no member of union %s", shown, type->key);
}

/* JSON object keys are text; a non-string key type reads them as literals. */
static gboolean
check_map_key (Walk *w, const VdsmSchemaTypeRef *ref, const char *key, GError **error)
{
  const VdsmSchemaTypeRef *end = underlying (ref);
  g_autoptr (JsonNode) node = json_node_new (JSON_NODE_VALUE);
  gboolean ok = FALSE;

  if (end == NULL)
    return fail (w, error, "the map key type is unusable");
  if (end->kind == VDSM_SCHEMA_REF_NAMED && end->type->kind == VDSM_SCHEMA_KIND_ENUM)
    {
      json_node_set_string (node, key);
      if (enum_has (end->type, node))
        return TRUE;
      return fail (w, error, "key \"%s\" is not a value of enum %s", key, end->type->key);
    }
  if (end->kind != VDSM_SCHEMA_REF_PRIMITIVE)
    return fail (w, error, "the map key type is not a scalar");

  switch (end->primitive)
    {
    case VDSM_SCHEMA_PRIM_STRING:
      ok = TRUE;
      break;
    case VDSM_SCHEMA_PRIM_BOOLEAN:
      ok = strcmp (key, "true") == 0 || strcmp (key, "false") == 0;
      break;
    case VDSM_SCHEMA_PRIM_INT:
    case VDSM_SCHEMA_PRIM_LONG:
      ok = g_ascii_string_to_signed (key, 10, G_MININT64, G_MAXINT64, NULL, NULL);
      break;
    case VDSM_SCHEMA_PRIM_UINT:
    case VDSM_SCHEMA_PRIM_ULONG:
      ok = key[0] != '-' && key[0] != '+'
           && g_ascii_string_to_unsigned (key, 10, 0, G_MAXUINT64, NULL, NULL);
      break;
    case VDSM_SCHEMA_PRIM_FLOAT:
    default:
      {
        char *end_ptr = NULL;
        double d = g_ascii_strtod (key, &end_ptr);

        ok = key[0] != '\0' && *end_ptr == '\0' && isfinite (d);
        break;
      }
    }
  if (ok)
    return TRUE;
  return fail (w, error, "key \"%s\" is not a %s", key,
               vdsm_schema_primitive_name (end->primitive));
}

static gboolean
check_map (Walk *w, const VdsmSchemaType *type, JsonNode *value, GError **error)
{
  g_autoptr (GList) names = NULL;
  JsonObject *object;

  if (value == NULL || !JSON_NODE_HOLDS_OBJECT (value))
    {
      g_autofree char *what = g_strdup_printf ("map %s", type->key);

      return fail_expected (w, error, what, value);
    }
  if (type->key_type == NULL || type->value_type == NULL)
    return fail (w, error, "type %s is unusable (schema error)", type->key);
  object = json_node_get_object (value);
  names = json_object_get_members (object);
  for (GList *l = names; l; l = l->next)
    {
      const char *key = l->data;
      gsize len = w->path->len;
      g_autofree char *escaped = g_strescape (key, NULL);
      gboolean ok;

      if (!check_map_key (w, type->key_type, key, error))
        return FALSE;
      g_string_append_printf (w->path, "[\"%s\"]", escaped);
      ok = check_ref (w, type->value_type, json_object_get_member (object, key), NULL, error);
      g_string_truncate (w->path, len);
      if (!ok)
        return FALSE;
    }
  return TRUE;
}

static gboolean
check_list (Walk *w, const VdsmSchemaTypeRef *ref, JsonNode *value, GError **error)
{
  JsonArray *array;

  if (value == NULL || !JSON_NODE_HOLDS_ARRAY (value))
    return fail_expected (w, error, "a list", value);
  array = json_node_get_array (value);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      gsize len = w->path->len;
      gboolean ok;

      g_string_append_printf (w->path, "[%u]", i);
      ok = check_ref (w, ref->item, json_array_get_element (array, i), NULL, error);
      g_string_truncate (w->path, len);
      if (!ok)
        return FALSE;
    }
  return TRUE;
}

static gboolean
check_named (Walk *w, const VdsmSchemaType *type, JsonNode *value, GPtrArray *extra,
             GError **error)
{
  switch (type->kind)
    {
    case VDSM_SCHEMA_KIND_ENUM:
      return check_enum (w, type, value, error);
    case VDSM_SCHEMA_KIND_ALIAS:
      if (type->source == NULL)
        return fail (w, error, "type %s is unusable (schema error)", type->key);
      return check_ref (w, type->source, value, extra, error);
    case VDSM_SCHEMA_KIND_MAP:
      return check_map (w, type, value, error);
    case VDSM_SCHEMA_KIND_UNION:
      return check_union (w, type, value, error);
    case VDSM_SCHEMA_KIND_OBJECT:
    default:
      return check_object (w, type, value, extra, error);
    }
}

static gboolean
check_ref (Walk *w, const VdsmSchemaTypeRef *ref, JsonNode *value, GPtrArray *extra,
           GError **error)
{
  gboolean ok;

  if (w->depth >= MAX_DEPTH)
    return fail (w, error, "the value is nested more than %d levels deep", MAX_DEPTH);
  w->depth++;
  switch (ref->kind)
    {
    case VDSM_SCHEMA_REF_PRIMITIVE:
      ok = check_primitive (w, ref->primitive, value, error);
      break;
    case VDSM_SCHEMA_REF_LIST:
      ok = check_list (w, ref, value, error);
      break;
    case VDSM_SCHEMA_REF_ANY_OBJECT:
      ok = (value != NULL && JSON_NODE_HOLDS_OBJECT (value))
           || fail_expected (w, error, "an object", value);
      break;
    case VDSM_SCHEMA_REF_ANY:
      ok = TRUE;
      break;
    case VDSM_SCHEMA_REF_NAMED:
    default:
      ok = check_named (w, ref->type, value, extra, error);
      break;
    }
  w->depth--;
  return ok;
}

/**
 * vdsm_schema_validate_value:
 * @ref: the type to check against
 * @value: (nullable): the value; %NULL is JSON null
 * @path: (nullable): prefix of error messages, such as "params.vmID"
 * @error: return location for a #GError
 *
 * Returns: %TRUE when @value is a value of @ref.
 */
gboolean
vdsm_schema_validate_value (const VdsmSchemaTypeRef *ref, JsonNode *value,
                            const char *path, GError **error)
{
  Walk w = { g_string_new (path), 0 };
  gboolean ok;

  g_return_val_if_fail (ref != NULL, FALSE);
  ok = check_ref (&w, ref, value, NULL, error);
  g_string_free (w.path, TRUE);
  return ok;
}

static GPtrArray *
unknown_names (GPtrArray *params, JsonObject *object)
{
  g_autoptr (GList) names = json_object_get_members (object);
  GPtrArray *unknown = g_ptr_array_new ();

  for (GList *l = names; l; l = l->next)
    if (!find_member (params, l->data))
      g_ptr_array_add (unknown, l->data);
  return unknown;
}

/* VDSM's vdsm-client sends every NAME=VALUE as a JSON string, and VDSM's
 * server (not strict by default) takes "false" or "2" for a boolean or
 * numeric parameter. To serve that tool, a string parameter value whose
 * schema type is a scalar primitive (directly or through an alias) is read
 * as that scalar when its whole text is one; anything else is left for the
 * type check to refuse. Returns a new node, or NULL when nothing applies. */
static JsonNode *
coerce_command_line_scalar (const VdsmSchemaTypeRef *ref, JsonNode *value)
{
  const char *text;
  char *end;

  if (!JSON_NODE_HOLDS_VALUE (value) || json_node_get_value_type (value) != G_TYPE_STRING)
    return NULL;
  while (ref->kind == VDSM_SCHEMA_REF_NAMED && ref->type->kind == VDSM_SCHEMA_KIND_ALIAS)
    ref = ref->type->source;
  if (ref->kind != VDSM_SCHEMA_REF_PRIMITIVE)
    return NULL;
  text = json_node_get_string (value);
  switch (ref->primitive)
    {
    case VDSM_SCHEMA_PRIM_BOOLEAN:
      if (g_ascii_strcasecmp (text, "true") == 0 || g_ascii_strcasecmp (text, "false") == 0)
        return json_node_init_boolean (json_node_alloc (),
                                       g_ascii_strcasecmp (text, "true") == 0);
      return NULL;
    case VDSM_SCHEMA_PRIM_INT:
    case VDSM_SCHEMA_PRIM_UINT:
    case VDSM_SCHEMA_PRIM_LONG:
    case VDSM_SCHEMA_PRIM_ULONG:
      {
        gint64 n;

        if (!g_ascii_string_to_signed (text, 10, G_MININT64, G_MAXINT64, &n, NULL))
          return NULL;
        return json_node_init_int (json_node_alloc (), n);
      }
    case VDSM_SCHEMA_PRIM_FLOAT:
      {
        double d;

        if (*text == '\0' || g_ascii_isspace (*text))
          return NULL;
        d = g_ascii_strtod (text, &end);
        if (*end != '\0' || !isfinite (d))
          return NULL;
        return json_node_init_double (json_node_alloc (), d);
      }
    case VDSM_SCHEMA_PRIM_STRING:
    default:
      return NULL;
    }
}

/**
 * vdsm_schema_validate_params:
 * @method: the method called
 * @params: (nullable): the request params: an object, an array or %NULL
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the params keyed by name, JSON nulls
 *   dropped, or %NULL on error.
 */
JsonObject *
vdsm_schema_validate_params (const VdsmSchemaMethod *method, JsonNode *params,
                             GError **error)
{
  /* Positional params are named into @owned; an object is only read. */
  g_autoptr (JsonObject) owned = NULL;
  JsonObject *named = NULL;
  g_autoptr (JsonObject) result = json_object_new ();
  Walk w = { g_string_new ("params"), 0 };
  gboolean ok = TRUE;

  g_return_val_if_fail (method != NULL, NULL);

  if (params != NULL && JSON_NODE_HOLDS_ARRAY (params))
    {
      JsonArray *array = json_node_get_array (params);
      guint n = json_array_get_length (array);

      named = owned = json_object_new ();
      if (n > method->params->len)
        ok = fail (&w, error, "too many parameters for %s: %u given, at most %u",
                   method->name, n, method->params->len);
      for (guint i = 0; ok && i < n; i++)
        {
          VdsmSchemaMember *param = g_ptr_array_index (method->params, i);

          json_object_set_member (named, param->name,
                                  json_node_copy (json_array_get_element (array, i)));
        }
    }
  else if (params != NULL && JSON_NODE_HOLDS_OBJECT (params))
    {
      named = json_node_get_object (params);
      if (json_object_get_size (named) > 0)
        {
          g_autoptr (GPtrArray) unknown = unknown_names (method->params, named);

          if (unknown->len > 0)
            {
              g_autofree char *keys = join_keys (unknown);

              ok = fail (&w, error, "unknown parameter%s %s for %s",
                         unknown->len > 1 ? "s" : "", keys, method->name);
            }
        }
    }
  else if (params != NULL && !JSON_NODE_HOLDS_NULL (params))
    ok = fail_expected (&w, error, "an object or an array", params);

  for (guint i = 0; ok && i < method->params->len; i++)
    {
      VdsmSchemaMember *param = g_ptr_array_index (method->params, i);
      JsonNode *value = named ? json_object_get_member (named, param->name) : NULL;

      if (is_absent (value))
        {
          if (param->default_kind == VDSM_SCHEMA_DEFAULT_NONE)
            ok = fail (&w, error, "missing required parameter \"%s\" of %s", param->name,
                       method->name);
          continue;
        }
      g_autoptr (JsonNode) coerced = coerce_command_line_scalar (param->type, value);

      if (coerced != NULL)
        value = coerced;
      ok = check_member (&w, param, param->name, value, error);
      if (ok)
        json_object_set_member (result, param->name, json_node_copy (value));
    }
  g_string_free (w.path, TRUE);
  return ok ? g_steal_pointer (&result) : NULL;
}

/**
 * vdsm_schema_validate_result:
 * @method: the method called
 * @result: (nullable): its result
 * @error: return location for a #GError
 *
 * Returns: %TRUE when the result matches the declared return (always when
 *   none is declared).
 */
gboolean
vdsm_schema_validate_result (const VdsmSchemaMethod *method, JsonNode *result,
                             GError **error)
{
  g_return_val_if_fail (method != NULL, FALSE);
  if (method->ret == NULL)
    return TRUE;
  return vdsm_schema_validate_value (method->ret, result, "result", error);
}

/**
 * vdsm_schema_validate_event:
 * @event: the event
 * @params: the event's params object
 * @error: return location for a #GError
 *
 * Undeclared keys are accepted; a `no_name` param checks the whole object
 * minus `notify_time` against its type.
 *
 * Returns: %TRUE when the params match.
 */
gboolean
vdsm_schema_validate_event (const VdsmSchemaEvent *event, JsonNode *params,
                            GError **error)
{
  Walk w = { g_string_new ("params"), 0 };
  JsonObject *object;
  gboolean ok = TRUE;

  g_return_val_if_fail (event != NULL, FALSE);
  if (params == NULL || !JSON_NODE_HOLDS_OBJECT (params))
    {
      fail_expected (&w, error, "an object", params);
      g_string_free (w.path, TRUE);
      return FALSE;
    }
  object = json_node_get_object (params);

  for (guint i = 0; ok && i < event->params->len; i++)
    {
      VdsmSchemaMember *param = g_ptr_array_index (event->params, i);
      JsonNode *value;

      if (strcmp (param->name, "no_name") == 0)
        {
          g_autoptr (JsonObject) rest = json_object_new ();
          g_autoptr (JsonNode) rest_node = NULL;
          g_autoptr (GList) names = json_object_get_members (object);

          for (GList *l = names; l; l = l->next)
            if (strcmp (l->data, "notify_time") != 0)
              json_object_set_member (rest, l->data,
                                      json_node_ref (json_object_get_member (object, l->data)));
          rest_node = json_node_init_object (json_node_alloc (), rest);
          ok = check_ref (&w, param->type, rest_node, NULL, error);
          continue;
        }
      value = json_object_get_member (object, param->name);
      if (is_absent (value))
        {
          if (param->default_kind == VDSM_SCHEMA_DEFAULT_NONE)
            ok = fail (&w, error, "missing required parameter \"%s\" of event %s",
                       param->name, event->key);
          continue;
        }
      ok = check_member (&w, param, param->name, value, error);
    }
  g_string_free (w.path, TRUE);
  return ok;
}
