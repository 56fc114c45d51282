/* fuzz-params-differential.c: the schema validator, which alone judges a
 * request's params on the server, against the generated unmarshallers,
 * which turn the params it accepted into a handler's C arguments
 * (docs/architecture.md, "Validation"), over tests/tools/data/test-api.yml:
 * the schema with every construct the generator handles, compiled with the
 * stand-in handlers of tests/tools/test-api-handlers.c.
 *
 * Input: JSON text, read by the server's parser (other inputs are
 * skipped). It is tried as the params of every method (an object, or an
 * array of positional params) and as the value of each parameter alone.
 * Whenever the validator accepts, as vdsmd does (server/vdsm-rpc-worker.c:
 * its normalized params, its union choices installed):
 *  - the generated invoke function must accept what the validator
 *    returned: a refusal there is a second judge, which must not exist;
 *  - the handler must get the values the validator accepted: the stand-ins
 *    write their arguments back as JSON with the generated writers, and
 *    that must equal the validated params, type by type (same() says what
 *    "equal" allows: absent and null optional members, an enum key as text
 *    or number, numbers as the C type holds them).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "fuzz-common.h"
#include "test-api-handlers.h"
#include "vdsm-json.h"
#include "vdsm-rpc-dispatch.h"
#include "vdsm-schema.h"

#include <string.h>

static VdsmSchema *schema;

/* ---- Sameness of a validated value and what a handler was given ---- */

typedef struct {
  const char *method;
  GString *path;                  /* where in the params, for the report */
} Compare;

static G_NORETURN void
differ (Compare *c, JsonNode *validated, JsonNode *given, const char *why)
{
  g_autofree char *v = validated ? json_to_string (validated, FALSE) : g_strdup ("(absent)");
  g_autofree char *g = given ? json_to_string (given, FALSE) : g_strdup ("(absent)");

  fuzz_fail (__FILE__, __LINE__, "same value", "%s %s: %s: validated %s, the handler got %s",
             c->method, c->path->str, why, v, g);
}

static GType
value_type (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node)
                                                      : G_TYPE_INVALID;
}

static gboolean
is_number (JsonNode *node)
{
  GType type = value_type (node);

  return type == G_TYPE_INT64 || type == G_TYPE_DOUBLE;
}

static double
number (JsonNode *node)
{
  return value_type (node) == G_TYPE_INT64 ? (double) json_node_get_int (node)
                                           : json_node_get_double (node);
}

/* A number >= 0 as a guint64, a fraction dropped. */
static guint64
unsigned_number (JsonNode *node)
{
  return value_type (node) == G_TYPE_INT64 ? (guint64) json_node_get_int (node)
                                           : (guint64) json_node_get_double (node);
}

/* Whether one of @members (VdsmSchemaMember*) is named @name. */
static gboolean
declares (GPtrArray *members, const char *name)
{
  for (guint i = 0; i < members->len; i++)
    if (strcmp (((VdsmSchemaMember *) g_ptr_array_index (members, i))->name, name) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
is_absent (JsonNode *node)
{
  return node == NULL || JSON_NODE_HOLDS_NULL (node);
}

/* The value of enum @type that @node stands for, by docs/schema-language.md
 * §9.3, or -1. */
static int
enum_index (const VdsmSchemaType *type, JsonNode *node)
{
  GType vtype = value_type (node);

  for (guint i = 0; i < type->values->len; i++)
    {
      const VdsmSchemaEnumValue *ev = g_ptr_array_index (type->values, i);
      GType ktype = value_type (ev->typed);

      if (vtype == G_TYPE_STRING && strcmp (json_node_get_string (node), ev->text) == 0)
        return (int) i;
      if (is_number (node) && (ktype == G_TYPE_INT64 || ktype == G_TYPE_DOUBLE))
        {
          if (vtype == G_TYPE_INT64 && ktype == G_TYPE_INT64
              ? json_node_get_int (node) == json_node_get_int (ev->typed)
              : number (node) == number (ev->typed))
            return (int) i;
        }
    }
  return -1;
}

static void same (Compare *c, const VdsmSchemaTypeRef *ref, JsonNode *validated,
                  JsonNode *given);

/* Appends ".name" or "[i]" to the path while @ref's values are compared. */
static void
same_at (Compare *c, const char *key, guint index, const VdsmSchemaTypeRef *ref,
         JsonNode *validated, JsonNode *given)
{
  gsize len = c->path->len;

  if (key != NULL)
    g_string_append_printf (c->path, ".%s", key);
  else
    g_string_append_printf (c->path, "[%u]", index);
  same (c, ref, validated, given);
  g_string_truncate (c->path, len);
}

/* Numbers as the handler's C type holds them: float a double, long and
 * ulong an integer (a fraction truncated), int and uint exactly. */
static void
same_primitive (Compare *c, VdsmSchemaPrimitive prim, JsonNode *validated, JsonNode *given)
{
  gboolean ok;

  switch (prim)
    {
    case VDSM_SCHEMA_PRIM_FLOAT:
      ok = is_number (given) && number (given) == number (validated);
      break;
    case VDSM_SCHEMA_PRIM_LONG:
      ok = value_type (given) == G_TYPE_INT64
           && (value_type (validated) == G_TYPE_INT64
               ? json_node_get_int (validated) == json_node_get_int (given)
               : (gint64) json_node_get_double (validated) == json_node_get_int (given));
      break;
    case VDSM_SCHEMA_PRIM_ULONG:
      /* The writer's integers beyond G_MAXINT64 parse as doubles. */
      ok = is_number (given) && unsigned_number (validated) == unsigned_number (given);
      break;
    case VDSM_SCHEMA_PRIM_STRING:
    case VDSM_SCHEMA_PRIM_BOOLEAN:
    case VDSM_SCHEMA_PRIM_INT:
    case VDSM_SCHEMA_PRIM_UINT:
    default:
      ok = json_node_equal (validated, given);
      break;
    }
  if (!ok)
    differ (c, validated, given, "different value");
}

/* Members of an object: the present ones the same, the absent (or null)
 * ones absent; nothing else. */
static void
same_object (Compare *c, const VdsmSchemaType *type, JsonNode *validated, JsonNode *given)
{
  JsonObject *v, *g;
  JsonObjectIter iter;
  const char *name;
  JsonNode *member;

  if (!JSON_NODE_HOLDS_OBJECT (given))
    differ (c, validated, given, "not an object");
  v = json_node_get_object (validated);
  g = json_node_get_object (given);
  json_object_iter_init (&iter, g);
  while (json_object_iter_next (&iter, &name, &member))
    if (is_absent (json_object_get_member (v, name)))
      differ (c, validated, given, "a member was added");
  for (guint i = 0; i < type->properties->len; i++)
    {
      const VdsmSchemaMember *property = g_ptr_array_index (type->properties, i);
      JsonNode *value = json_object_get_member (v, property->name);

      if (is_absent (value))
        continue;
      if (!json_object_has_member (g, property->name))
        differ (c, validated, given, "a member was lost");
      same_at (c, property->name, 0, property->type, value,
               json_object_get_member (g, property->name));
    }
  json_object_iter_init (&iter, v);
  while (json_object_iter_next (&iter, &name, &member))
    if (!declares (type->properties, name))
      differ (c, validated, given, "the validator let an unknown member through");
}

static void
same_map (Compare *c, const VdsmSchemaType *type, JsonNode *validated, JsonNode *given)
{
  JsonObject *v, *g;
  JsonObjectIter iter;
  const char *name;
  JsonNode *member;

  if (!JSON_NODE_HOLDS_OBJECT (given))
    differ (c, validated, given, "not an object");
  v = json_node_get_object (validated);
  g = json_node_get_object (given);
  if (json_object_get_size (v) != json_object_get_size (g))
    differ (c, validated, given, "different keys");
  json_object_iter_init (&iter, v);
  while (json_object_iter_next (&iter, &name, &member))
    {
      if (!json_object_has_member (g, name))
        differ (c, validated, given, "a key was lost");
      same_at (c, name, 0, type->value_type, member, json_object_get_member (g, name));
    }
}

static void
same_list (Compare *c, const VdsmSchemaTypeRef *ref, JsonNode *validated, JsonNode *given)
{
  JsonArray *v, *g;

  if (!JSON_NODE_HOLDS_ARRAY (given))
    differ (c, validated, given, "not an array");
  v = json_node_get_array (validated);
  g = json_node_get_array (given);
  if (json_array_get_length (v) != json_array_get_length (g))
    differ (c, validated, given, "a different length");
  for (guint i = 0; i < json_array_get_length (v); i++)
    same_at (c, NULL, i, ref->item, json_array_get_element (v, i),
             json_array_get_element (g, i));
}

static void
same (Compare *c, const VdsmSchemaTypeRef *ref, JsonNode *validated, JsonNode *given)
{
  const VdsmSchemaType *type;
  int chosen;

  if (given == NULL || JSON_NODE_HOLDS_NULL (given))
    differ (c, validated, given, "the value was lost");
  switch (ref->kind)
    {
    case VDSM_SCHEMA_REF_PRIMITIVE:
      same_primitive (c, ref->primitive, validated, given);
      return;
    case VDSM_SCHEMA_REF_LIST:
      same_list (c, ref, validated, given);
      return;
    case VDSM_SCHEMA_REF_ANY:
    case VDSM_SCHEMA_REF_ANY_OBJECT:
      if (!json_node_equal (validated, given))
        differ (c, validated, given, "a different free-form value");
      return;
    case VDSM_SCHEMA_REF_NAMED:
    default:
      break;
    }
  type = ref->type;
  switch (type->kind)
    {
    case VDSM_SCHEMA_KIND_ALIAS:
      same (c, type->source, validated, given);
      return;
    case VDSM_SCHEMA_KIND_ENUM:
      if (enum_index (type, validated) != enum_index (type, given))
        differ (c, validated, given, "a different enum value");
      return;
    case VDSM_SCHEMA_KIND_MAP:
      same_map (c, type, validated, given);
      return;
    case VDSM_SCHEMA_KIND_UNION:
      /* The member the validator chose; the reader must have taken it. */
      chosen = vdsm_json_union_choice (validated, type->key);
      FUZZ_CHECK (chosen >= 0, "%s %s: no choice recorded for a value of union %s",
                  c->method, c->path->str, type->key);
      same (c, g_ptr_array_index (type->members, chosen), validated, given);
      return;
    case VDSM_SCHEMA_KIND_OBJECT:
    default:
      if (type->any_string)
        {
          if (!json_node_equal (validated, given))
            differ (c, validated, given, "a different free-form object");
        }
      else
        same_object (c, type, validated, given);
      return;
    }
}

/* What the generated code passes for an absent param with a literal
 * default (docs/architecture.md: '()' and '[]' an empty list, '{}' an empty
 * map or object), or NULL when it passes nothing. */
static JsonNode *
applied_default (const VdsmSchemaMember *param)
{
  JsonNode *value = param->default_value;
  const char *text;

  if (param->default_kind != VDSM_SCHEMA_DEFAULT_VALUE || is_absent (value))
    return NULL;
  text = value_type (value) == G_TYPE_STRING ? json_node_get_string (value) : NULL;
  if (text != NULL && (strcmp (text, "()") == 0 || strcmp (text, "[]") == 0))
    return json_node_init_array (json_node_alloc (), json_array_new ());
  if (text != NULL && strcmp (text, "{}") == 0)
    return json_node_init_object (json_node_alloc (), json_object_new ());
  return json_node_copy (value);
}

/* The handler's arguments (@given) against the validated params. */
static void
same_params (const VdsmSchemaMethod *method, JsonObject *validated, JsonObject *given)
{
  Compare c = { method->name, g_string_new ("params") };
  JsonObjectIter iter;
  const char *name;

  json_object_iter_init (&iter, given);
  while (json_object_iter_next (&iter, &name, NULL))
    FUZZ_CHECK (declares (method->params, name), "%s: the handler got an undeclared %s",
                method->name, name);
  for (guint i = 0; i < method->params->len; i++)
    {
      const VdsmSchemaMember *param = g_ptr_array_index (method->params, i);
      JsonNode *value = json_object_get_member (validated, param->name);
      JsonNode *got = json_object_get_member (given, param->name);

      if (value != NULL)
        same_at (&c, param->name, 0, param->type, value, got);
      else if (got != NULL)
        {
          g_autoptr(JsonNode) preset = applied_default (param);

          if (preset == NULL)
            differ (&c, NULL, got, "an absent param reached the handler");
          same_at (&c, param->name, 0, param->type, preset, got);
        }
    }
  g_string_free (c.path, TRUE);
}

/* ---- One try: a method and its params ---- */

static void
record_choice (JsonNode *value, const VdsmSchemaType *type, guint member, gpointer user_data)
{
  VdsmJsonUnionChoices **choices = user_data;

  if (*choices == NULL)
    *choices = vdsm_json_union_choices_new ();
  vdsm_json_union_choices_add (*choices, value, type->key, member);
}

static const VdsmRpcMethod *
find_invoke (const char *name)
{
  for (gsize i = 0; i < vdsm_rpc_n_methods; i++)
    if (strcmp (vdsm_rpc_methods[i].name, name) == 0)
      return &vdsm_rpc_methods[i];
  return NULL;
}

static void
try_params (const VdsmSchemaMethod *method, JsonNode *params)
{
  const VdsmRpcMethod *table = find_invoke (method->name);
  VdsmRpcCall call = { NULL, method->name, NULL };
  g_autoptr(VdsmJsonUnionChoices) choices = NULL;
  g_autoptr(JsonObject) validated = NULL;
  g_autoptr(JsonNode) given = NULL;
  g_autoptr(GString) result = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *seen = NULL;
  VdsmJsonUnionChoices *outer;
  gboolean ok;

  FUZZ_CHECK (table != NULL && table->invoke != NULL, "%s: not in the method table",
              method->name);
  if (!vdsm_schema_validate_params_full (method, params, &validated, record_choice, &choices,
                                         NULL))
    return;
  FUZZ_CHECK ((validated == NULL) == (method->params->len == 0),
              "%s: params object given for a method without params, or none for one with",
              method->name);

  outer = vdsm_json_union_choices_use (choices);
  ok = table->invoke (&call, validated, result, &error);
  FUZZ_CHECK (ok && error == NULL, "%s: the unmarshaller refused validated params: %s",
              method->name, error ? error->message : "(no error)");
  seen = test_api_handlers_take_seen ();
  FUZZ_CHECK (seen != NULL, "%s: the handler did not run", method->name);
  given = vdsm_json_parse (seen, &error);
  FUZZ_CHECK (given != NULL && JSON_NODE_HOLDS_OBJECT (given),
              "%s: the handler's arguments as JSON do not parse: %s", method->name, seen);
  if (validated == NULL)
    validated = json_object_new ();
  same_params (method, validated, json_node_get_object (given));
  vdsm_json_union_choices_use (outer);
}

static void
setup (void)
{
  const char *files[] = { "test-api.yml", "test-events.yml" };
  g_autoptr(GError) error = NULL;

  schema = vdsm_schema_new ();
  for (gsize i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_build_filename (TEST_API_DIR, files[i], NULL);

      if (!vdsm_schema_load_file (schema, path, VDSM_SCHEMA_LOAD_DEFAULT, &error))
        g_error ("%s: %s", path, error->message);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(JsonNode) value = NULL;
  GPtrArray *methods;

  if (schema == NULL)
    setup ();
  value = vdsm_json_parse_data ((const char *) data, size, NULL);
  if (value == NULL)
    return 0;
  json_node_seal (value);

  methods = vdsm_schema_get_methods (schema);
  for (guint i = 0; i < methods->len; i++)
    {
      const VdsmSchemaMethod *method = g_ptr_array_index (methods, i);

      try_params (method, value);
      for (guint p = 0; p < method->params->len; p++)
        {
          const VdsmSchemaMember *param = g_ptr_array_index (method->params, p);
          g_autoptr(JsonObject) one = json_object_new ();
          g_autoptr(JsonNode) params = NULL;

          json_object_set_member (one, param->name, json_node_ref (value));
          params = json_node_init_object (json_node_alloc (), one);
          json_node_seal (params);
          try_params (method, params);
        }
    }
  return 0;
}
