/* fuzz-schema-validate.c: the JSON value validator (schema/vdsm-schema-
 * validate.c) against every type, member, method and event of the fuzz
 * schema (fuzz-schema.c), plus every primitive, `dict`, any value and
 * lists of all of these.
 *
 * Input: JSON text (inputs that are not JSON are skipped). Beyond "no
 * crash", each answer must be a success or a VDSM_SCHEMA_ERROR_INVALID
 * error with a UTF-8 message starting with the path, and answers must
 * agree with each other:
 *  - a list of T accepts [v] exactly when T accepts v, and an array
 *    exactly when T accepts each element;
 *  - an alias accepts what its source type accepts;
 *  - primitives follow docs/schema-language.md §5, `dict`
 *    takes objects only, the `object` word takes anything;
 *  - validated params are keyed by declared names, without nulls, and
 *    validate again to the same object.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "fuzz-common.h"
#include "fuzz-schema.h"

#include <string.h>

typedef struct {
  char *label;
  VdsmSchemaTypeRef *ref;       /* borrowed from the schema or in @owned */
} Target;

static VdsmSchema *schema;
static GArray *targets;         /* Target */
static GPtrArray *owned;        /* VdsmSchemaTypeRef* made here (g_free) */

static VdsmSchemaTypeRef *
new_ref (VdsmSchemaRefKind kind)
{
  VdsmSchemaTypeRef *ref = g_new0 (VdsmSchemaTypeRef, 1);

  ref->kind = kind;
  g_ptr_array_add (owned, ref);
  return ref;
}

static void
add_target (VdsmSchemaTypeRef *ref, const char *format, ...) G_GNUC_PRINTF (2, 3);

static void
add_target (VdsmSchemaTypeRef *ref, const char *format, ...)
{
  Target t;
  va_list args;

  va_start (args, format);
  t.label = g_strdup_vprintf (format, args);
  va_end (args);
  t.ref = ref;
  g_array_append_val (targets, t);
}

static void
add_members (GPtrArray *members, const char *owner)
{
  for (guint i = 0; members && i < members->len; i++)
    {
      VdsmSchemaMember *m = members->pdata[i];

      add_target (m->type, "%s.%s", owner, m->name);
    }
}

static void
setup (void)
{
  GPtrArray *types, *methods;

  schema = fuzz_schema_new ();
  targets = g_array_new (FALSE, FALSE, sizeof (Target));
  owned = g_ptr_array_new_with_free_func (g_free);

  types = vdsm_schema_get_types (schema);
  for (guint i = 0; i < types->len; i++)
    {
      VdsmSchemaType *type = types->pdata[i];
      VdsmSchemaTypeRef *ref = new_ref (VDSM_SCHEMA_REF_NAMED);

      ref->type = type;
      add_target (ref, "type %s", type->key);
      add_members (type->properties, type->key);
      for (guint j = 0; type->members && j < type->members->len; j++)
        add_target (type->members->pdata[j], "%s member %u", type->key, j);
      if (type->key_type)
        add_target (type->key_type, "%s key", type->key);
      if (type->value_type)
        add_target (type->value_type, "%s value", type->key);
    }
  methods = vdsm_schema_get_methods (schema);
  for (guint i = 0; i < methods->len; i++)
    {
      VdsmSchemaMethod *method = methods->pdata[i];

      add_members (method->params, method->name);
      if (method->ret)
        add_target (method->ret, "%s return", method->name);
    }
  for (int p = VDSM_SCHEMA_PRIM_STRING; p <= VDSM_SCHEMA_PRIM_FLOAT; p++)
    {
      VdsmSchemaTypeRef *ref = new_ref (VDSM_SCHEMA_REF_PRIMITIVE);

      ref->primitive = p;
      add_target (ref, "%s", vdsm_schema_primitive_name (p));
    }
  add_target (new_ref (VDSM_SCHEMA_REF_ANY_OBJECT), "dict");
  add_target (new_ref (VDSM_SCHEMA_REF_ANY), "any");
}

/* ---- Checks ---- */

static GType
value_type (JsonNode *node)
{
  return JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node) : G_TYPE_INVALID;
}

static gboolean
is_number (JsonNode *node)
{
  GType t = value_type (node);

  return t == G_TYPE_INT64 || t == G_TYPE_DOUBLE;
}

/* Validates and checks the shape of the answer. */
static gboolean
validate (const Target *t, const VdsmSchemaTypeRef *ref, JsonNode *value)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = vdsm_schema_validate_value (ref, value, "value", &error);

  FUZZ_CHECK (ok == (error == NULL), "%s: returned %d with error %s", t->label, ok,
              error ? error->message : "(none)");
  if (!ok)
    {
      FUZZ_CHECK (g_error_matches (error, VDSM_SCHEMA_ERROR, VDSM_SCHEMA_ERROR_INVALID),
                  "%s: error %s:%d", t->label, g_quark_to_string (error->domain), error->code);
      FUZZ_CHECK_UTF8 (error->message, -1, t->label);
      FUZZ_CHECK (g_str_has_prefix (error->message, "value"),
                  "%s: message without the path: %s", t->label, error->message);
    }
  return ok;
}

static void
check_primitive (const Target *t, VdsmSchemaPrimitive prim, JsonNode *value, gboolean ok)
{
  GType type = value_type (value);
  gboolean negative = type == G_TYPE_INT64 && json_node_get_int (value) < 0;

  switch (prim)
    {
    case VDSM_SCHEMA_PRIM_STRING:
      FUZZ_CHECK (ok == (type == G_TYPE_STRING), "%s: got %d", t->label, ok);
      break;
    case VDSM_SCHEMA_PRIM_BOOLEAN:
      FUZZ_CHECK (ok == (type == G_TYPE_BOOLEAN), "%s: got %d", t->label, ok);
      break;
    case VDSM_SCHEMA_PRIM_INT:
      FUZZ_CHECK (ok == (type == G_TYPE_INT64), "%s: got %d", t->label, ok);
      break;
    case VDSM_SCHEMA_PRIM_UINT:
    case VDSM_SCHEMA_PRIM_ULONG:
      FUZZ_CHECK (!ok || is_number (value), "%s: took a non-number", t->label);
      if (type == G_TYPE_INT64)
        FUZZ_CHECK (ok == !negative, "%s: got %d", t->label, ok);
      break;
    case VDSM_SCHEMA_PRIM_LONG:
      FUZZ_CHECK (!ok || is_number (value), "%s: took a non-number", t->label);
      if (type == G_TYPE_INT64)
        FUZZ_CHECK (ok, "%s: refused an integer", t->label);
      break;
    case VDSM_SCHEMA_PRIM_FLOAT:
      FUZZ_CHECK (!ok || is_number (value), "%s: took a non-number", t->label);
      if (type == G_TYPE_INT64)
        FUZZ_CHECK (ok, "%s: refused an integer", t->label);
      break;
    }
}

/* What every kind promises, given the answer @ok for @value. */
static void
check_kind (const Target *t, JsonNode *value, gboolean ok)
{
  const VdsmSchemaTypeRef *ref = t->ref;
  const VdsmSchemaType *type;

  switch (ref->kind)
    {
    case VDSM_SCHEMA_REF_PRIMITIVE:
      check_primitive (t, ref->primitive, value, ok);
      return;
    case VDSM_SCHEMA_REF_ANY:
      FUZZ_CHECK (ok, "%s: refused a value", t->label);
      return;
    case VDSM_SCHEMA_REF_ANY_OBJECT:
      FUZZ_CHECK (ok == JSON_NODE_HOLDS_OBJECT (value), "%s: got %d", t->label, ok);
      return;
    case VDSM_SCHEMA_REF_LIST:
      FUZZ_CHECK (!ok || JSON_NODE_HOLDS_ARRAY (value), "%s: took a non-array", t->label);
      return;
    case VDSM_SCHEMA_REF_NAMED:
      break;
    }
  type = ref->type;
  switch (type->kind)
    {
    case VDSM_SCHEMA_KIND_ALIAS:
      FUZZ_CHECK (ok == validate (t, type->source, value),
                  "%s: alias and its source disagree", t->label);
      break;
    case VDSM_SCHEMA_KIND_ENUM:
      FUZZ_CHECK (!ok || value_type (value) == G_TYPE_STRING || is_number (value),
                  "%s: took a value that is neither string nor number", t->label);
      break;
    case VDSM_SCHEMA_KIND_MAP:
      FUZZ_CHECK (!ok || JSON_NODE_HOLDS_OBJECT (value), "%s: took a non-object", t->label);
      break;
    case VDSM_SCHEMA_KIND_OBJECT:
      FUZZ_CHECK (!ok || type->any_string || JSON_NODE_HOLDS_OBJECT (value),
                  "%s: took a non-object", t->label);
      break;
    case VDSM_SCHEMA_KIND_UNION:
      break;
    }
}

/* A list of @t's type, checked against @t's own answers. */
static void
check_lists (const Target *t, JsonNode *value, gboolean ok)
{
  VdsmSchemaTypeRef list = { .kind = VDSM_SCHEMA_REF_LIST, .item = t->ref };
  g_autoptr(JsonArray) one = json_array_new ();
  g_autoptr(JsonNode) wrapped = json_node_new (JSON_NODE_ARRAY);

  json_array_add_element (one, json_node_ref (value));
  json_node_set_array (wrapped, one);
  json_node_seal (wrapped);
  FUZZ_CHECK (validate (t, &list, wrapped) == ok, "%s: [v] and v disagree", t->label);

  if (JSON_NODE_HOLDS_ARRAY (value))
    {
      JsonArray *array = json_node_get_array (value);
      gboolean all = TRUE;

      for (guint i = 0; i < json_array_get_length (array) && all; i++)
        all = validate (t, t->ref, json_array_get_element (array, i));
      FUZZ_CHECK (validate (t, &list, value) == all,
                  "%s: list and its elements disagree", t->label);
    }
}

static gboolean
is_param (const VdsmSchemaMethod *method, const char *name)
{
  for (guint i = 0; i < method->params->len; i++)
    if (strcmp (((VdsmSchemaMember *) method->params->pdata[i])->name, name) == 0)
      return TRUE;
  return FALSE;
}

static void
check_method (const VdsmSchemaMethod *method, JsonNode *value)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) result_error = NULL;
  g_autoptr(JsonObject) params = vdsm_schema_validate_params (method, value, &error);
  gboolean result_ok;

  if (params == NULL)
    {
      FUZZ_CHECK (g_error_matches (error, VDSM_SCHEMA_ERROR, VDSM_SCHEMA_ERROR_INVALID),
                  "%s params: bad error", method->name);
      FUZZ_CHECK_UTF8 (error->message, -1, method->name);
    }
  else
    {
      g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), params);
      g_autoptr(JsonObject) again = NULL;
      g_autoptr(GError) again_error = NULL;
      g_autofree char *text = NULL, *text_again = NULL;
      JsonObjectIter iter;
      const char *name;
      JsonNode *member;

      FUZZ_CHECK (error == NULL, "%s params: success with an error", method->name);
      json_object_iter_init (&iter, params);
      while (json_object_iter_next (&iter, &name, &member))
        {
          FUZZ_CHECK (is_param (method, name), "%s params: undeclared '%s' kept",
                      method->name, name);
          FUZZ_CHECK (!JSON_NODE_HOLDS_NULL (member), "%s params: null '%s' kept",
                      method->name, name);
        }
      again = vdsm_schema_validate_params (method, node, &again_error);
      FUZZ_CHECK (again != NULL, "%s params: validated params refused: %s", method->name,
                  again_error->message);
      text = json_to_string (node, FALSE);
      {
        g_autoptr(JsonNode) again_node = json_node_init_object (json_node_alloc (), again);

        text_again = json_to_string (again_node, FALSE);
      }
      FUZZ_CHECK (strcmp (text, text_again) == 0, "%s params: %s became %s", method->name,
                  text, text_again);
    }

  result_ok = vdsm_schema_validate_result (method, value, &result_error);
  FUZZ_CHECK (result_ok == (result_error == NULL), "%s result: inconsistent", method->name);
  FUZZ_CHECK (method->ret != NULL || result_ok, "%s result: checked without a return",
              method->name);
  FUZZ_CHECK (result_ok || g_error_matches (result_error, VDSM_SCHEMA_ERROR,
                                            VDSM_SCHEMA_ERROR_INVALID),
              "%s result: bad error", method->name);
}

static void
check_event (const VdsmSchemaEvent *event, JsonNode *value)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = vdsm_schema_validate_event (event, value, &error);

  FUZZ_CHECK (ok == (error == NULL), "%s: inconsistent", event->key);
  FUZZ_CHECK (ok || g_error_matches (error, VDSM_SCHEMA_ERROR, VDSM_SCHEMA_ERROR_INVALID),
              "%s: bad error", event->key);
  if (!ok)
    FUZZ_CHECK_UTF8 (error->message, -1, event->key);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  GPtrArray *methods, *events;
  JsonNode *value;

  if (schema == NULL)
    setup ();
  if (!json_parser_load_from_data (parser, (const char *) data, size, NULL))
    return 0;
  value = json_parser_get_root (parser);
  if (value == NULL)
    return 0;

  for (guint i = 0; i < targets->len; i++)
    {
      const Target *t = &g_array_index (targets, Target, i);
      gboolean ok = validate (t, t->ref, value);

      check_kind (t, value, ok);
      check_lists (t, value, ok);
    }
  methods = vdsm_schema_get_methods (schema);
  for (guint i = 0; i < methods->len; i++)
    check_method (methods->pdata[i], value);
  events = vdsm_schema_get_events (schema);
  for (guint i = 0; i < events->len; i++)
    check_event (events->pdata[i], value);
  return 0;
}
