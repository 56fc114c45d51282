/* test-generated.c: drives the code generated from data/test-api.yml and
 * data/test-events.yml: JSON round trips of every kind of type, the method
 * table against handlers defined here, the event emitters against a
 * capturing vdsm_rpc_server_emit_event(), and the client calls against a
 * scripted vdsm_client_call_json*().
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vdsm-client-methods.h"
#include "vdsm-error.h"
#include "vdsm-types-private.h"
#include "vdsm-rpc-dispatch.h"
#include "vdsm-rpc-events.h"
#include "vdsm-rpc-handlers.h"

#include <string.h>

static const char full_item[] =
  "{\"itemID\":\"0f0e-1\",\"count\":9223372036854775807,\"ratio\":0.25,"
  "\"offset\":-9007199254740993,\"color\":\"Migration Source\",\"switch\":true,"
  "\"class\":\"c\",\"type\":\"t\",\"tags\":[\"a\",\"\"],\"samples\":[1,-2,3],"
  "\"colors\":[\"\",\"-\",\"auto\",\"Active\",\"active\",0.10,7],"
  "\"matrix\":[[1.5,2.0],[],[1e300]],\"counters\":{\"x\":1,\"y\":-1},"
  "\"lists\":{\"k\":[\"v\"]},\"extras\":{\"any\":[1,{\"thing\":null}]},"
  "\"when\":{\"name\":\"now\"},\"moments\":[{\"start\":1,\"end\":2},true,\"red\",{\"name\":\"n\"}],"
  "\"nothing\":{},\"text\":\"quote\\\" backslash\\\\ nl\\n ctl\\u0001 \\u00e9 \\u65e5\"}";

/* Compare JSON texts as values: member order of maps is not defined. */
static void
assert_json_equal (const char *got, const char *expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) a = vdsm_json_parse (got, &error);
  g_autoptr(JsonNode) b = NULL;

  g_assert_no_error (error);
  b = vdsm_json_parse (expected, &error);
  g_assert_no_error (error);
  if (!json_node_equal (a, b))
    g_error ("JSON differs:\n got      %s\n expected %s", got, expected);
}

/* ---- Types ---- */

static void
test_enum (void)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (VDSM_TYPE_COLOR);
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  VdsmColor color;
  const struct { const char *json; VdsmColor expected; } reads[] = {
    { "\"Migration Source\"", VDSM_COLOR_MIGRATION_SOURCE },
    { "\"\"", VDSM_COLOR_EMPTY },
    { "\"-\"", VDSM_COLOR_DASH },
    { "\"auto\"", VDSM_COLOR_AUTO },
    { "\"Active\"", VDSM_COLOR_ACTIVE },
    { "\"active\"", VDSM_COLOR_ACTIVE_2 },
    { "0.10", VDSM_COLOR_V0_10 },
    { "0.1", VDSM_COLOR_V0_10 },
    { "\"0.10\"", VDSM_COLOR_V0_10 },
    { "7", VDSM_COLOR_V7 },
    { "7.0", VDSM_COLOR_V7 },
    { "\"7\"", VDSM_COLOR_V7 },
  };
  const char *bad[] = { "true", "\"0.1\"", "\"ACTIVE\"", "8", "null", "[]" };

  /* GEnum nicks are identifiers (GI makes member names of them); the wire
   * text is what to_string/from_string speak. */
  g_assert_cmpint (g_enum_get_value_by_nick (klass, "migration-source")->value, ==, VDSM_COLOR_MIGRATION_SOURCE);
  g_assert_cmpint (g_enum_get_value_by_nick (klass, "empty")->value, ==, VDSM_COLOR_EMPTY);
  g_assert_cmpint (g_enum_get_value_by_nick (klass, "v0-10")->value, ==, VDSM_COLOR_V0_10);
  g_assert_cmpint (g_enum_get_value_by_nick (klass, "active-2")->value, ==, VDSM_COLOR_ACTIVE_2);
  g_assert_cmpstr (vdsm_color_to_string (VDSM_COLOR_ACTIVE_2), ==, "active");
  g_assert_cmpstr (vdsm_color_to_string (VDSM_COLOR_MIGRATION_SOURCE), ==, "Migration Source");
  g_assert_null (vdsm_color_to_string ((VdsmColor) 99));
  g_assert_true (vdsm_color_from_string ("", &color));
  g_assert_cmpint (color, ==, VDSM_COLOR_EMPTY);
  g_assert_true (vdsm_color_from_string ("0.10", &color));
  g_assert_cmpint (color, ==, VDSM_COLOR_V0_10);
  g_assert_false (vdsm_color_from_string ("ACTIVE", &color));

  /* Numeric keys go out as the numbers the schema wrote. */
  vdsm_color_write_json (VDSM_COLOR_V0_10, out);
  g_string_append_c (out, ' ');
  vdsm_color_write_json (VDSM_COLOR_V7, out);
  g_string_append_c (out, ' ');
  vdsm_color_write_json (VDSM_COLOR_DASH, out);
  g_assert_cmpstr (out->str, ==, "0.10 7 \"-\"");

  for (gsize i = 0; i < G_N_ELEMENTS (reads); i++)
    {
      g_autoptr(JsonNode) node = vdsm_json_parse (reads[i].json, NULL);

      g_assert_true (vdsm_color_from_json (node, &color, &error));
      g_assert_no_error (error);
      g_assert_cmpint (color, ==, reads[i].expected);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(JsonNode) node = vdsm_json_parse (bad[i], NULL);

      g_assert_false (vdsm_color_from_json (node, &color, &error));
      g_assert_error (error, VDSM_ERROR, VDSM_ERROR_INVALID_PARAMS);
      g_assert_nonnull (strstr (error->message, "is not a value of enum Color"));
      g_clear_error (&error);
    }
}

static void
test_object_round_trip (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VdsmItem) item = vdsm_item_new_from_json_string (full_item, &error);
  g_autoptr(VdsmItem) copy = NULL;
  g_autofree char *written = NULL;
  g_autofree char *copied = NULL;
  GPtrArray *row;
  JsonNode *counter;

  g_assert_no_error (error);
  g_assert_nonnull (item);

  /* The C view of the value. */
  g_assert_cmpstr (item->item_id, ==, "0f0e-1");
  g_assert_cmpuint (item->count, ==, G_MAXINT64);
  g_assert_true (item->has_ratio);
  g_assert_cmpfloat (item->ratio, ==, 0.25);
  g_assert_true (item->has_offset);
  g_assert_cmpint (item->offset, ==, G_GINT64_CONSTANT (-9007199254740993));
  g_assert_cmpint (item->color, ==, VDSM_COLOR_MIGRATION_SOURCE);
  g_assert_true (item->has_switch_ && item->switch_);
  g_assert_cmpstr (vdsm_item_get_class (item), ==, "c");
  g_assert_cmpstr (vdsm_item_get_type_value (item), ==, "t");
  g_assert_cmpuint (item->tags->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (item->tags, 1), ==, "");
  g_assert_cmpuint (item->samples->len, ==, 3);
  g_assert_cmpint (g_array_index (item->samples, gint64, 1), ==, -2);
  g_assert_cmpint (g_array_index (item->colors, VdsmColor, 5), ==, VDSM_COLOR_V0_10);
  row = g_ptr_array_index (item->matrix, 0);
  g_assert_cmpfloat (g_array_index ((GArray *) row, gdouble, 1), ==, 2.0);
  counter = vdsm_counter_map_lookup (item->counters, "y");
  g_assert_cmpint (json_node_get_int (counter), ==, -1);
  g_assert_cmpstr (g_ptr_array_index (vdsm_list_map_lookup (item->lists, "k"), 0), ==, "v");
  g_assert_true (JSON_NODE_HOLDS_OBJECT (item->extras));
  g_assert_cmpint (item->when->kind, ==, VDSM_MOMENT_KIND_NAMED);
  g_assert_cmpstr (item->when->named->name, ==, "now");
  g_assert_cmpint (((VdsmMoment *) g_ptr_array_index (item->moments, 0))->kind, ==, VDSM_MOMENT_KIND_SPAN);
  g_assert_cmpint (((VdsmMoment *) g_ptr_array_index (item->moments, 1))->kind, ==, VDSM_MOMENT_KIND_BOOLEAN);
  g_assert_cmpint (((VdsmMoment *) g_ptr_array_index (item->moments, 2))->kind, ==, VDSM_MOMENT_KIND_COLOR);
  g_assert_nonnull (item->nothing);
  g_assert_cmpstr (item->text, ==, "quote\" backslash\\ nl\n ctl\001 \303\251 \346\227\245");

  /* JSON → struct → JSON gives the same value; so does a deep copy. */
  written = vdsm_item_to_json_string (item);
  assert_json_equal (written, full_item);
  copy = vdsm_item_copy (item);
  vdsm_item_free (g_steal_pointer (&item));
  copied = vdsm_item_to_json_string (copy);
  assert_json_equal (copied, full_item);
  g_assert_nonnull (strstr (copied, "nl\\n ctl\\u0001 \303\251 \346\227\245"));
}

static void
test_object_defaults (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VdsmItem) item = vdsm_item_new_from_json_string ("{\"itemID\":\"x\",\"count\":1,\"ratio\":null}", &error);
  g_autoptr(VdsmItem) fresh = vdsm_item_new ();
  g_autofree char *written = NULL;

  g_assert_no_error (error);
  /* Unset optional scalars hold the schema default and are not written. */
  g_assert_false (item->has_ratio);
  g_assert_cmpfloat (vdsm_item_get_ratio (item), ==, 0.5);
  g_assert_false (item->has_color);
  g_assert_cmpint (vdsm_item_get_color (item), ==, VDSM_COLOR_RED);
  g_assert_null (item->tags);
  written = vdsm_item_to_json_string (item);
  g_assert_cmpstr (written, ==, "{\"itemID\":\"x\",\"count\":1}");
  g_assert_cmpfloat (fresh->ratio, ==, 0.5);

  /* Setters copy, and mark optional scalars set. */
  {
    g_autoptr(GPtrArray) tags = g_ptr_array_new_with_free_func (g_free);
    g_autofree char *again = NULL;

    g_ptr_array_add (tags, g_strdup ("t1"));
    vdsm_item_set_tags (item, tags);
    vdsm_item_set_ratio (item, 2.0);
    vdsm_item_set_switch (item, FALSE);
    vdsm_item_set_type_value (item, "kind");
    g_ptr_array_set_size (tags, 0);
    again = vdsm_item_to_json_string (item);
    g_assert_cmpstr (again, ==, "{\"itemID\":\"x\",\"count\":1,\"ratio\":2.0,\"switch\":false,"
                                "\"type\":\"kind\",\"tags\":[\"t1\"]}");
  }
}

static void
check_item_error (const char *json, const char *message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VdsmItem) item = vdsm_item_new_from_json_string (json, &error);

  g_assert_null (item);
  g_assert_error (error, VDSM_ERROR, VDSM_ERROR_INVALID_PARAMS);
  g_assert_cmpstr (error->message, ==, message);
}

static void
test_object_errors (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VdsmItem) item = NULL;

  check_item_error ("[]", "expected object, got []");
  check_item_error ("{\"itemID\":5,\"count\":1}", "itemID: expected string, got 5");
  check_item_error ("{\"itemID\":\"x\",\"count\":-1}", "count: expected unsigned integer, got -1");
  check_item_error ("{\"itemID\":\"x\",\"count\":true}", "count: expected unsigned integer, got true");
  check_item_error ("{\"count\":1,\"samples\":[1,\"a\"]}", "samples[1]: expected integer, got \"a\"");
  check_item_error ("{\"count\":1,\"matrix\":[[1.0],[\"x\"]]}", "matrix[1][0]: expected number, got \"x\"");
  check_item_error ("{\"count\":1,\"counters\":{\"k\":\"v\"}}", "counters.k: expected integer, got \"v\"");
  check_item_error ("{\"count\":1,\"when\":{\"start\":1,\"bogus\":2}}",
                    "when: the value fits no member of union Moment");
  check_item_error ("{\"count\":1,\"moments\":[{\"start\":\"x\"}]}",
                    "moments[0].start: expected unsigned integer, got \"x\"");
  check_item_error ("{\"count\":1,\"extras\":[1]}", "extras: expected object, got [1]");
  check_item_error ("{\"count\":1,\"text\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\",\"class\":[1]}",
                    "class: expected string, got [1]");

  /* Not JSON at all, or nothing. */
  item = vdsm_item_new_from_json_string ("{", &error);
  g_assert_null (item);
  g_assert_nonnull (error);
  g_clear_error (&error);
  item = vdsm_item_new_from_json_string ("", &error);
  g_assert_null (item);
  g_assert_nonnull (error);
}

static void
test_union (void)
{
  /* Required scalars that were missing are written as zero. */
  const struct { const char *json; VdsmMomentKind kind; const char *written; } cases[] = {
    { "{\"start\":1,\"end\":2}", VDSM_MOMENT_KIND_SPAN, NULL },
    { "{\"end\":2}", VDSM_MOMENT_KIND_SPAN, "{\"start\":0,\"end\":2}" },
    /* Untagged: {} fits the first member. */
    { "{}", VDSM_MOMENT_KIND_SPAN, "{\"start\":0,\"end\":0}" },
    { "{\"name\":\"x\"}", VDSM_MOMENT_KIND_NAMED, NULL },
    { "false", VDSM_MOMENT_KIND_BOOLEAN, NULL },
    { "7", VDSM_MOMENT_KIND_COLOR, NULL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(VdsmMoment) moment = vdsm_moment_new_from_json_string (cases[i].json, &error);
      g_autofree char *written = NULL;

      g_assert_no_error (error);
      g_assert_cmpint (vdsm_moment_get_kind (moment), ==, cases[i].kind);
      written = vdsm_moment_to_json_string (moment);
      assert_json_equal (written, cases[i].written != NULL ? cases[i].written : cases[i].json);
    }

  /* Setting a member switches the kind and drops the previous member. */
  {
    g_autoptr(VdsmMoment) moment = vdsm_moment_new ();
    g_autoptr(VdsmNamed) named = vdsm_named_new ();
    g_autofree char *a = NULL;
    g_autofree char *b = NULL;

    vdsm_named_set_name (named, "n");
    vdsm_moment_set_named (moment, named);
    a = vdsm_moment_to_json_string (moment);
    g_assert_cmpstr (a, ==, "{\"name\":\"n\"}");
    vdsm_moment_set_color (moment, VDSM_COLOR_AUTO);
    g_assert_null (moment->named);
    b = vdsm_moment_to_json_string (moment);
    g_assert_cmpstr (b, ==, "\"auto\"");
  }
}

/* A union reader picks by shape (below) unless the validator's choice for
 * that very value is recorded: Shape's members overlap, so the two can
 * differ. */
static void
test_union_choices (void)
{
  const struct {
    const char *json;
    int shape_choice, moment_choice;   /* recorded; -1: none */
    gboolean ok;
    VdsmShapeKind kind;
  } cases[] = {
    /* Fits Square by its names, is a Label. */
    { "{\"side\":\"a\"}", -1, -1, FALSE, 0 },
    { "{\"side\":\"a\"}", 1, -1, TRUE, VDSM_SHAPE_KIND_LABEL },
    /* Fits Square (side missing) and Unit: Unit, the one it is complete
     * for, recorded or not. */
    { "{\"unit\":\"cm\"}", -1, -1, TRUE, VDSM_SHAPE_KIND_UNIT },
    { "{\"unit\":\"cm\"}", 2, -1, TRUE, VDSM_SHAPE_KIND_UNIT },
    /* A nested union: a choice for each. */
    { "true", 3, 2, TRUE, VDSM_SHAPE_KIND_MOMENT },
    { "true", -1, -1, TRUE, VDSM_SHAPE_KIND_MOMENT },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonNode) node = vdsm_json_parse (cases[i].json, NULL);
      g_autoptr(VdsmJsonUnionChoices) choices = vdsm_json_union_choices_new ();
      g_autoptr(VdsmShape) shape = NULL;
      g_autoptr(GError) error = NULL;

      if (cases[i].shape_choice >= 0)
        vdsm_json_union_choices_add (choices, node, "Shape", cases[i].shape_choice);
      if (cases[i].moment_choice >= 0)
        vdsm_json_union_choices_add (choices, node, "Moment", cases[i].moment_choice);
      g_assert_null (vdsm_json_union_choices_use (choices));
      shape = vdsm_shape_from_json (node, &error);
      g_assert_true (vdsm_json_union_choices_use (NULL) == choices);
      if (!cases[i].ok)
        {
          g_assert_error (error, VDSM_ERROR, VDSM_ERROR_INVALID_PARAMS);
          continue;
        }
      g_assert_no_error (error);
      g_assert_cmpint (shape->kind, ==, cases[i].kind);
      if (cases[i].kind == VDSM_SHAPE_KIND_MOMENT)
        g_assert_cmpint (shape->moment->kind, ==, VDSM_MOMENT_KIND_BOOLEAN);
    }
  /* Nothing recorded for a value: -1. */
  {
    g_autoptr(JsonNode) node = vdsm_json_parse ("{}", NULL);

    g_assert_cmpint (vdsm_json_union_choice (node, "Shape"), ==, -1);
  }
}

/* docs/schema-language.md §9.4: of the members a value fits, the first
 * that also passes, here the first whose required properties it has; a
 * value that has them for none is read as the first it fits. */
static void
test_union_overlapping (void)
{
  const struct { const char *json; VdsmReferenceKind kind; } cases[] = {
    { "{\"id\":\"a\",\"label\":\"b\"}", VDSM_REFERENCE_KIND_DETAILED },
    /* Fits both; only Brief has all it requires. */
    { "{\"id\":\"a\"}", VDSM_REFERENCE_KIND_BRIEF },
    /* Fits Detailed alone, without its id: still Detailed. */
    { "{\"label\":\"b\"}", VDSM_REFERENCE_KIND_DETAILED },
    /* Fits both, complete for neither: the first. */
    { "{}", VDSM_REFERENCE_KIND_DETAILED },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(VdsmReference) ref = vdsm_reference_new_from_json_string (cases[i].json, &error);

      g_assert_no_error (error);
      g_assert_cmpint (vdsm_reference_get_kind (ref), ==, cases[i].kind);
    }
}

static void
test_boxed_types (void)
{
  g_autoptr(VdsmItem) item = vdsm_item_new_from_json_string (full_item, NULL);
  VdsmItem *copy;
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;

  g_assert_true (G_TYPE_IS_BOXED (VDSM_TYPE_ITEM));
  g_assert_true (G_TYPE_IS_BOXED (VDSM_TYPE_MOMENT));
  g_assert_true (G_TYPE_IS_ENUM (VDSM_TYPE_MOMENT_KIND));
  g_assert_true (G_TYPE_IS_ENUM (VDSM_TYPE_TEST_EVENTS_COLOR));
  g_assert_cmpstr (g_type_name (VDSM_TYPE_ITEM), ==, "VdsmItem");
  copy = g_boxed_copy (VDSM_TYPE_ITEM, item);
  a = vdsm_item_to_json_string (item);
  b = vdsm_item_to_json_string (copy);
  g_assert_cmpstr (a, ==, b);
  g_boxed_free (VDSM_TYPE_ITEM, copy);
}

static void
test_maps (void)
{
  static const char json[] = "{\"id-1\":{\"itemID\":\"id-1\",\"count\":2},\"id-2\":{\"count\":3}}";
  g_autoptr(GError) error = NULL;
  g_autoptr(VdsmItemMap) items = vdsm_item_map_new_from_json_string (json, &error);
  g_autoptr(VdsmItemMap) copy = NULL;
  g_autoptr(VdsmItem) added = vdsm_item_new ();
  g_autoptr(VdsmCounterMap) counters = vdsm_counter_map_new ();
  g_autoptr(JsonNode) five = json_node_init_int (json_node_alloc (), 5);
  g_auto(GStrv) keys = NULL;
  g_autofree char *written = NULL;
  VdsmItem *item;

  g_assert_no_error (error);
  g_assert_true (G_TYPE_IS_BOXED (VDSM_TYPE_ITEM_MAP));
  g_assert_cmpuint (vdsm_item_map_size (items), ==, 2);
  keys = vdsm_item_map_get_keys (items);
  g_assert_cmpuint (g_strv_length (keys), ==, 2);
  g_assert_cmpstr (keys[0], ==, "id-1");
  g_assert_cmpstr (keys[1], ==, "id-2");
  item = vdsm_item_map_lookup (items, "id-2");
  g_assert_cmpuint (item->count, ==, 3);
  g_assert_null (vdsm_item_map_lookup (items, "id-3"));
  g_assert_true (vdsm_item_map_contains (items, "id-2"));
  g_assert_false (vdsm_item_map_contains (items, "id-3"));
  g_assert_true (vdsm_item_map_get_table (items) != NULL);
  g_assert_true (g_hash_table_lookup (vdsm_item_map_get_table (items), "id-2") == item);

  copy = g_boxed_copy (VDSM_TYPE_ITEM_MAP, items);
  g_hash_table_remove_all (vdsm_item_map_get_table (items));
  g_assert_cmpuint (vdsm_item_map_size (items), ==, 0);
  written = vdsm_item_map_to_json_string (copy);
  assert_json_equal (written, json);

  /* insert copies the value and replaces an older one; remove drops it. */
  added->count = 9;
  vdsm_item_map_insert (copy, "id-2", added);
  added->count = 10;
  g_assert_cmpuint (vdsm_item_map_lookup (copy, "id-2")->count, ==, 9);
  g_assert_true (vdsm_item_map_remove (copy, "id-1"));
  g_assert_false (vdsm_item_map_remove (copy, "id-1"));
  g_clear_pointer (&written, g_free);
  written = vdsm_item_map_to_json_string (copy);
  assert_json_equal (written, "{\"id-2\":{\"count\":9}}");

  /* Scalar values are the JSON values they are written as. */
  vdsm_counter_map_insert (counters, "k", five);
  g_clear_pointer (&written, g_free);
  written = vdsm_counter_map_to_json_string (counters);
  g_assert_cmpstr (written, ==, "{\"k\":5}");
  g_clear_pointer (&written, g_free);
  written = vdsm_counter_map_to_json_string (NULL);
  g_assert_cmpstr (written, ==, "null");

  /* Events-file types live next to the api file's. */
  {
    g_autoptr(VdsmStatusMap) statuses = vdsm_status_map_new_from_json_string (
      "{\"u\":{\"state\":\"GREEN\",\"elapsed\":1}}", &error);
    VdsmStatus *status;

    g_assert_no_error (error);
    status = vdsm_status_map_lookup (statuses, "u");
    g_assert_cmpint (status->state, ==, VDSM_TEST_EVENTS_COLOR_GREEN);
    g_assert_cmpfloat (status->elapsed, ==, 1.0);
  }
}

/* ---- Server side: handlers for the method table ---- */

typedef struct {
  guint64 times;
  gboolean has_times;
  char *note;
  gboolean has_limit;
  gint64 limit;
  gboolean ids_given;
  guint n_ids;
  char *error_arg;
} EchoArgs;

static EchoArgs last_echo;

VdsmItem *
vdsmd_test_echo (VdsmRpcCall *call, const VdsmItem *item, gboolean has_times, guint64 times,
                 const char *note, gboolean has_limit, gint64 limit, GPtrArray *ids, GError **error)
{
  VdsmItem *result = vdsm_item_copy (item);

  g_free (last_echo.note);
  last_echo.times = times;
  last_echo.has_times = has_times;
  last_echo.note = g_strdup (note);
  last_echo.has_limit = has_limit;
  last_echo.limit = limit;
  last_echo.ids_given = ids != NULL;
  last_echo.n_ids = ids != NULL ? ids->len : 0;
  vdsm_item_set_count (result, item->count * times);
  return result;
}

gboolean
vdsmd_test_ping (VdsmRpcCall *call, GError **error)
{
  g_assert_cmpstr (call->method, ==, "Test.ping");
  return TRUE;
}

GPtrArray *
vdsmd_test_get_vm_list (VdsmRpcCall *call, GPtrArray *items, GError **error)
{
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < items->len; i++)
    g_ptr_array_add (ids, g_strdup (((VdsmItem *) g_ptr_array_index (items, i))->item_id));
  return ids;
}

VdsmItemMap *
vdsmd_test_get_items (VdsmRpcCall *call, GError **error)
{
  VdsmItemMap *items = vdsm_item_map_new ();
  g_autoptr(VdsmItem) item = vdsm_item_new ();

  vdsm_item_set_item_id (item, "i");
  vdsm_item_map_insert (items, "i", item);
  return items;
}

VdsmColor
vdsmd_test_paint (VdsmRpcCall *call, VdsmColor color, const char *error_, GError **error)
{
  g_free (last_echo.error_arg);
  last_echo.error_arg = g_strdup (error_);
  return color + 1;
}

guint64
vdsmd_test_fail (VdsmRpcCall *call, gint64 code, GError **error)
{
  g_set_error (error, VDSM_ERROR, (int) code, "failed with %" G_GINT64_FORMAT, code);
  return 0;
}

gboolean
vdsmd_test_set (VdsmRpcCall *call, gboolean has_flag, gboolean flag, gboolean has_level,
                gdouble level, gboolean has_offset, gint64 offset, gboolean has_size,
                guint64 size, const VdsmShape *shape, GPtrArray *shapes,
                const VdsmItemMap *items, JsonNode *extra, JsonNode *anything,
                GError **error)
{
  return TRUE;
}

static const VdsmRpcMethod *
find_method (const char *name)
{
  for (gsize i = 0; i < vdsm_rpc_n_methods; i++)
    if (strcmp (vdsm_rpc_methods[i].name, name) == 0)
      return &vdsm_rpc_methods[i];
  return NULL;
}

static gboolean
invoke (const char *name, const char *params_json, GString *result, GError **error)
{
  const VdsmRpcMethod *method = find_method (name);
  VdsmRpcCall call = { NULL, name, NULL, NULL };
  g_autoptr(JsonNode) params = NULL;

  g_assert_nonnull (method);
  if (params_json != NULL)
    params = vdsm_json_parse (params_json, NULL);
  return method->invoke (&call, params != NULL ? json_node_get_object (params) : NULL, result, error);
}

static void
test_dispatch (void)
{
  g_autoptr(GString) result = g_string_new (NULL);
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (vdsm_rpc_n_methods, ==, 7);
  g_assert_null (vdsm_rpc_methods[vdsm_rpc_n_methods].name);
  g_assert_cmpstr (vdsm_rpc_methods[0].name, ==, "Test.echo");
  /* `inline: true` in the schema is the only way to the I/O thread. */
  g_assert_cmpint (find_method ("Test.ping")->flags, ==, VDSM_RPC_METHOD_INLINE);
  g_assert_cmpint (find_method ("Test.echo")->flags, ==, 0);

  /* Defaults: the literal ones are applied, has_ flags say "absent". */
  g_assert_true (invoke ("Test.echo", "{\"item\":{\"itemID\":\"a\",\"count\":4}}", result, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (result->str, ==, "{\"itemID\":\"a\",\"count\":4}");
  g_assert_false (last_echo.has_times);
  g_assert_cmpuint (last_echo.times, ==, 1);
  g_assert_cmpstr (last_echo.note, ==, "hello");
  g_assert_false (last_echo.has_limit);
  g_assert_true (last_echo.ids_given);
  g_assert_cmpuint (last_echo.n_ids, ==, 0);

  g_string_truncate (result, 0);
  g_assert_true (invoke ("Test.echo", "{\"item\":{\"count\":4},\"times\":3,\"note\":null,"
                                      "\"limit\":-5,\"ids\":[\"x\",\"y\"]}", result, &error));
  g_assert_cmpstr (result->str, ==, "{\"count\":12}");
  g_assert_true (last_echo.has_times);
  g_assert_cmpstr (last_echo.note, ==, "hello");
  g_assert_true (last_echo.has_limit);
  g_assert_cmpint (last_echo.limit, ==, -5);
  g_assert_cmpuint (last_echo.n_ids, ==, 2);

  g_string_truncate (result, 0);
  g_assert_true (invoke ("Test.ping", NULL, result, &error));
  g_assert_cmpstr (result->str, ==, "true");

  g_string_truncate (result, 0);
  g_assert_true (invoke ("Test.getVMList", "{\"items\":[{\"itemID\":\"p\"},{\"itemID\":\"q\"}]}", result, &error));
  g_assert_cmpstr (result->str, ==, "[\"p\",\"q\"]");

  g_string_truncate (result, 0);
  g_assert_true (invoke ("Test.getItems", "{}", result, &error));
  g_assert_cmpstr (result->str, ==, "{\"i\":{\"itemID\":\"i\",\"count\":0}}");

  g_string_truncate (result, 0);
  g_assert_true (invoke ("Test.paint", "{\"color\":\"auto\",\"error\":\"e\"}", result, &error));
  g_assert_cmpstr (result->str, ==, "\"Active\"");
  g_assert_cmpstr (last_echo.error_arg, ==, "e");

  /* Handler errors keep their domain and code. */
  g_string_truncate (result, 0);
  g_assert_false (invoke ("Test.fail", "{\"code\":6}", result, &error));
  g_assert_error (error, VDSM_ERROR, VDSM_ERROR_VM_DOWN);
  g_assert_cmpstr (result->str, ==, "");
  g_clear_error (&error);

  /* Params come validated: what the unmarshaller still refuses is a
   * disagreement with the validator, reported as such (not as -32602). */
  g_assert_false (invoke ("Test.echo", "{}", result, &error));
  g_assert_error (error, VDSM_JSON_UNMARSHAL_ERROR, 0);
  g_assert_cmpstr (error->message, ==, "params the validator accepted do not unmarshal: "
                   "params.item: missing required parameter");
  g_clear_error (&error);
  g_assert_false (invoke ("Test.echo", "{\"item\":{\"count\":\"x\"}}", result, &error));
  g_assert_error (error, VDSM_JSON_UNMARSHAL_ERROR, 0);
  g_assert_true (g_str_has_suffix (error->message,
                                   "params.item.count: expected unsigned integer, got \"x\""));
  g_clear_error (&error);
  g_assert_false (invoke ("Test.paint", "{\"color\":\"mauve\"}", result, &error));
  g_assert_true (g_str_has_suffix (error->message,
                                   "params.color: \"mauve\" is not a value of enum Color"));
  g_clear_error (&error);
  g_assert_false (invoke ("Test.fail", NULL, result, &error));
  g_assert_true (g_str_has_suffix (error->message, "params.code: missing required parameter"));
}

/* ---- Events: a capturing vdsm_rpc_server_emit_event() ---- */

static char *emitted_id;
static char *emitted_params;

void
vdsm_rpc_server_emit_event (VdsmRpcServer *server, const char *event_id, const char *params_json)
{
  g_free (emitted_id);
  g_free (emitted_params);
  emitted_id = g_strdup (event_id);
  emitted_params = g_strdup (params_json);
}

static void
test_events (void)
{
  VdsmRpcServer *server = (VdsmRpcServer *) &emitted_id;
  g_autoptr(VdsmStatusMap) statuses = vdsm_status_map_new ();
  /* An inline map is a type of its own, named after its member. */
  g_autoptr(VdsmPerVm) per_vm = vdsm_per_vm_new ();
  g_autoptr(VdsmStatus) status = vdsm_status_new ();

  status->state = VDSM_TEST_EVENTS_COLOR_RED;
  status->elapsed = 1.5;
  vdsm_status_map_insert (statuses, "vm-1", status);
  vdsm_per_vm_insert (per_vm, "vm-1", status);

  /* no_name: the map is the params object itself. */
  vdsm_rpc_emit_virt_vm_status (server, "vm-1", statuses);
  g_assert_cmpstr (emitted_id, ==, "|virt|VM_status|vm-1");
  g_assert_cmpstr (emitted_params, ==, "{\"vm-1\":{\"state\":\"RED\",\"elapsed\":1.5}}");
  vdsm_rpc_emit_virt_vm_status (server, "none", NULL);
  g_assert_cmpstr (emitted_params, ==, "{}");

  vdsm_rpc_emit_jobs_status (server, "job-1", "job-1", 50, per_vm);
  g_assert_cmpstr (emitted_id, ==, "|jobs|status|job-1");
  g_assert_cmpstr (emitted_params, ==, "{\"id\":\"job-1\",\"progress\":50,"
                                       "\"perVm\":{\"vm-1\":{\"state\":\"RED\",\"elapsed\":1.5}}}");
  vdsm_rpc_emit_jobs_status (server, "job-2", NULL, 0, NULL);
  g_assert_cmpstr (emitted_params, ==, "{\"progress\":0}");
}

/* A client reads an event's params into the event's own type; a no_name
 * event's type holds notify_time and the map the other members make. */
static void
test_event_types (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) params = vdsm_json_parse (
    "{\"notify_time\":7,\"id\":\"job-1\",\"progress\":50,"
    "\"perVm\":{\"vm-1\":{\"state\":\"GREEN\",\"elapsed\":2.0}}}", &error);
  g_autoptr(VdsmJobsStatusEvent) event = NULL;
  VdsmStatus *status;

  g_assert_no_error (error);
  event = vdsm_jobs_status_event_from_json (params, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (vdsm_jobs_status_event_get_notify_time (event), ==, 7);
  g_assert_cmpstr (vdsm_jobs_status_event_get_id (event), ==, "job-1");
  g_assert_cmpuint (vdsm_jobs_status_event_get_progress (event), ==, 50);
  status = vdsm_per_vm_lookup (vdsm_jobs_status_event_get_per_vm (event), "vm-1");
  g_assert_nonnull (status);
  g_assert_cmpint (status->state, ==, VDSM_TEST_EVENTS_COLOR_GREEN);
  g_assert_true (g_type_is_a (VDSM_TYPE_JOBS_STATUS_EVENT, G_TYPE_BOXED));

  /* Wrong params fail with a path, as any object does. */
  g_clear_pointer (&params, json_node_unref);
  g_clear_pointer (&event, vdsm_jobs_status_event_free);
  params = vdsm_json_parse ("{\"notify_time\":7,\"id\":\"j\",\"progress\":\"half\"}", &error);
  g_assert_no_error (error);
  event = vdsm_jobs_status_event_from_json (params, &error);
  g_assert_null (event);
  g_assert_error (error, VDSM_ERROR, VDSM_ERROR_INVALID_PARAMS);
  g_assert_nonnull (strstr (error->message, "progress"));
}

/* What a server really sends for a no_name event: the map's entries and
 * notify_time side by side. Reading it as the map alone failed with
 * "notify_time: expected object". */
static void
test_event_no_name (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) params = vdsm_json_parse (
    "{\"vm-1\":{\"state\":\"RED\",\"elapsed\":1.5},\"notify_time\":2149739098}", &error);
  g_autoptr(VdsmVirtVmStatusEvent) event = NULL;
  g_autofree char *text = NULL;
  VdsmStatus *status;

  g_assert_no_error (error);
  event = vdsm_virt_vm_status_event_from_json (params, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (vdsm_virt_vm_status_event_get_notify_time (event), ==, 2149739098);
  status = vdsm_status_map_lookup (vdsm_virt_vm_status_event_get_no_name (event), "vm-1");
  g_assert_nonnull (status);
  g_assert_cmpint (status->state, ==, VDSM_TEST_EVENTS_COLOR_RED);
  g_assert_null (vdsm_status_map_lookup (vdsm_virt_vm_status_event_get_no_name (event),
                                         "notify_time"));
  /* Written back the same way. */
  text = vdsm_virt_vm_status_event_to_json_string (event);
  g_assert_cmpstr (text, ==, "{\"notify_time\":2149739098,\"vm-1\":{\"state\":\"RED\",\"elapsed\":1.5}}");

  /* A bad entry fails with its path. */
  g_clear_pointer (&params, json_node_unref);
  g_clear_pointer (&event, vdsm_virt_vm_status_event_free);
  params = vdsm_json_parse ("{\"vm-1\":{\"state\":7},\"notify_time\":1}", &error);
  event = vdsm_virt_vm_status_event_from_json (params, &error);
  g_assert_null (event);
  g_assert_error (error, VDSM_ERROR, VDSM_ERROR_INVALID_PARAMS);
  g_assert_nonnull (strstr (error->message, "vm-1"));
}

/* ---- Client: a scripted vdsm_client_call_json*() ---- */

static char *sent_method;
static char *sent_params;
static const char *reply_json;     /* NULL: fail with reply_code */
static int reply_code;

static JsonNode *
scripted_reply (const char *method, const char *params_json, GError **error)
{
  g_free (sent_method);
  g_free (sent_params);
  sent_method = g_strdup (method);
  sent_params = g_strdup (params_json);
  if (reply_json == NULL)
    {
      g_set_error (error, VDSM_ERROR, reply_code, "scripted failure");
      return NULL;
    }
  return vdsm_json_parse (reply_json, error);
}

JsonNode *
vdsm_client_call_json_sync (VdsmClient *client, const char *method, const char *params_json,
                            GCancellable *cancellable, GError **error)
{
  return scripted_reply (method, params_json, error);
}

void
vdsm_client_call_json (VdsmClient *client, const char *method, const char *params_json,
                       GCancellable *cancellable, GAsyncReadyCallback callback,
                       gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  GError *error = NULL;
  JsonNode *reply = scripted_reply (method, params_json, &error);

  if (reply == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, reply, (GDestroyNotify) json_node_unref);
}

JsonNode *
vdsm_client_call_finish (VdsmClient *client, GAsyncResult *res, GError **error)
{
  return g_task_propagate_pointer (G_TASK (res), error);
}

static void
on_paint (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GError *error = NULL;
  VdsmColor color = vdsm_client_test_paint_finish (NULL, res, &error);

  g_assert_no_error (error);
  *(VdsmColor *) user_data = color;
}

static void
test_client (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VdsmItem) item = vdsm_item_new ();
  g_autoptr(VdsmItem) got = NULL;
  g_autoptr(GPtrArray) ids = NULL;
  g_autoptr(VdsmItemMap) map = NULL;
  VdsmColor painted = VDSM_COLOR_RED;

  vdsm_item_set_item_id (item, "a");
  vdsm_item_set_count (item, 2);

  /* Defaults are not sent, nor are NULL pointers or unset has_ pairs. */
  reply_json = "{\"itemID\":\"a\",\"count\":2,\"colors\":[7]}";
  got = vdsm_client_test_echo_sync (NULL, item, 1, NULL, FALSE, 0, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sent_method, ==, "Test.echo");
  assert_json_equal (sent_params, "{\"item\":{\"itemID\":\"a\",\"count\":2}}");
  g_assert_cmpint (g_array_index (got->colors, VdsmColor, 0), ==, VDSM_COLOR_V7);
  g_clear_pointer (&got, vdsm_item_free);

  ids = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (ids, g_strdup ("u"));
  got = vdsm_client_test_echo_sync (NULL, item, 3, "n", TRUE, -1, ids, NULL, &error);
  g_assert_no_error (error);
  assert_json_equal (sent_params, "{\"item\":{\"itemID\":\"a\",\"count\":2},\"times\":3,"
                                  "\"note\":\"n\",\"limit\":-1,\"ids\":[\"u\"]}");
  g_clear_pointer (&got, vdsm_item_free);

  /* A result that does not match the schema is the server's fault, an
   * error about the method's "result", not the caller's -32602. */
  reply_json = "{\"count\":\"many\"}";
  got = vdsm_client_test_echo_sync (NULL, item, 1, NULL, FALSE, 0, NULL, NULL, &error);
  g_assert_null (got);
  g_assert_error (error, VDSM_ERROR, VDSM_ERROR_INVALID_REPLY);
  g_assert_cmpstr (error->message, ==, "The reply to Test.echo does not match the schema: "
                                       "result.count: expected unsigned integer, got \"many\"");
  g_clear_error (&error);

  /* Server errors come through unchanged. */
  reply_json = NULL;
  reply_code = VDSM_ERROR_NO_SUCH_VM;
  g_assert_false (vdsm_client_test_ping_sync (NULL, NULL, &error));
  g_assert_error (error, VDSM_ERROR, VDSM_ERROR_NO_SUCH_VM);
  g_clear_error (&error);

  reply_json = "true";
  g_assert_true (vdsm_client_test_ping_sync (NULL, NULL, &error));
  g_assert_no_error (error);
  /* No params: the client sends `{}`. */
  g_assert_null (sent_params);

  reply_json = "[\"p\"]";
  g_clear_pointer (&ids, g_ptr_array_unref);
  ids = vdsm_client_test_get_vm_list_sync (NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_ptr_array_index (ids, 0), ==, "p");

  reply_json = "{\"k\":{\"count\":1}}";
  map = vdsm_client_test_get_items_sync (NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (vdsm_item_map_lookup (map, "k"));

  /* The async pair. */
  reply_json = "\"\"";
  vdsm_client_test_paint (NULL, VDSM_COLOR_DASH, NULL, NULL, on_paint, &painted);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpint (painted, ==, VDSM_COLOR_EMPTY);
  assert_json_equal (sent_params, "{\"color\":\"-\"}");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/tools/generated/enum", test_enum);
  g_test_add_func ("/tools/generated/object-round-trip", test_object_round_trip);
  g_test_add_func ("/tools/generated/object-defaults", test_object_defaults);
  g_test_add_func ("/tools/generated/object-errors", test_object_errors);
  g_test_add_func ("/tools/generated/union", test_union);
  g_test_add_func ("/tools/generated/union-choices", test_union_choices);
  g_test_add_func ("/tools/generated/union-overlapping", test_union_overlapping);
  g_test_add_func ("/tools/generated/boxed-types", test_boxed_types);
  g_test_add_func ("/tools/generated/maps", test_maps);
  g_test_add_func ("/tools/generated/dispatch", test_dispatch);
  g_test_add_func ("/tools/generated/events", test_events);
  g_test_add_func ("/tools/generated/event-types", test_event_types);
  g_test_add_func ("/tools/generated/event-no-name", test_event_no_name);
  g_test_add_func ("/tools/generated/client", test_client);
  return g_test_run ();
}
