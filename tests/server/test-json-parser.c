/* test-json-parser.c: the JSON reader of network input (common/vdsm-json-parser.c).
 *
 * Accepted texts must give the tree json-glib's own parser gives; rejected
 * ones must fail with VDSM_ERROR_PARSE and say where and why.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vdsm-json.h"
#include "vdsm-error.h"
#include "vdsm-text.h"

#include <string.h>

static JsonNode *
parse_with_json_glib (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (json_parser_load_from_data (parser, text, -1, &error));
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

static void
test_same_as_json_glib (void)
{
  static const char *const texts[] = {
    "{\"jsonrpc\":\"2.0\",\"method\":\"Host.ping\",\"params\":{},\"id\":\"4f0b\"}",
    "[{\"jsonrpc\":\"2.0\",\"method\":\"VM.getStats\",\"params\":{\"vmID\":\"x\"},\"id\":1}]",
    "  \t\r\n true \n",
    "false", "null", "0", "-0", "7", "-12", "1.5", "-0.25", "1e3", "2E-2", "6.02e+23",
    "9223372036854775807", "-9223372036854775808",
    "\"\"", "\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"",
    "\"\\u00e9\\u4e2d\"", "\"\\ud83d\\ude00\"", "\"h\xc3\xa9 \xf0\x9f\x98\x80\"",
    "[]", "{}", "[[],[[]],{}]", "{\"a\":{\"b\":[1,2,{\"c\":null}]}}",
    "{ \"k\" : [ 1 , \"two\" , 3.0 , true ] }",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) ours = vdsm_json_parse (texts[i], &error);
      g_autoptr(JsonNode) theirs = parse_with_json_glib (texts[i]);

      g_test_message ("%s", texts[i]);
      g_assert_no_error (error);
      g_assert_nonnull (ours);
      g_assert_true (json_node_equal (ours, theirs));
    }
}

static void
test_numbers (void)
{
  static const struct { const char *text; gboolean integer; gint64 i; gdouble d; } cases[] = {
    { "0", TRUE, 0, 0 },
    { "-9223372036854775808", TRUE, G_MININT64, 0 },
    { "9223372036854775807", TRUE, G_MAXINT64, 0 },
    /* Past gint64 a number keeps its magnitude as a double, never wraps. */
    { "9223372036854775808", FALSE, 0, 9223372036854775808.0 },
    { "18446744073709551616", FALSE, 0, 18446744073709551616.0 },
    { "-9223372036854775809", FALSE, 0, -9223372036854775809.0 },
    { "1.0", FALSE, 0, 1.0 },
    { "-2.5e-3", FALSE, 0, -2.5e-3 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = vdsm_json_parse (cases[i].text, &error);

      g_assert_no_error (error);
      g_assert_cmpint (json_node_get_value_type (node), ==,
                       cases[i].integer ? G_TYPE_INT64 : G_TYPE_DOUBLE);
      if (cases[i].integer)
        g_assert_cmpint (json_node_get_int (node), ==, cases[i].i);
      else
        g_assert_cmpfloat (json_node_get_double (node), ==, cases[i].d);
    }
}

static void
test_rejected (void)
{
  static const struct { const char *text; gsize length; const char *message; } cases[] = {
    { "", 0, "byte 0: the text ends where a JSON value was expected" },
    { "   ", 3, "byte 3: the text ends where a JSON value was expected" },
    { "{\"a\":1", 6, "byte 6: the text ends where ',' or '}' was expected" },
    { "{\"a\":1,}", 8, "byte 7: '}' where a member name was expected" },
    { "[1,]", 4, "byte 3: ']' where a JSON value was expected" },
    { "[1 2]", 5, "byte 3: '2' where ',' or ']' was expected" },
    { "{a:1}", 5, "byte 1: 'a' where a member name was expected" },
    { "{\"a\" 1}", 7, "byte 5: '1' where ':' was expected" },
    { "{} {}", 5, "byte 3: '{' where the end of the text was expected" },
    { "tru", 3, "byte 0: 't' where a JSON value was expected" },
    { "nul1", 4, "byte 0: 'n' where a JSON value was expected" },
    { "01", 2, "byte 1: '1' where the end of the text was expected" },
    { "-", 1, "byte 1: the text ends where a digit was expected" },
    { "+1", 2, "byte 0: '+' where a JSON value was expected" },
    { "1.", 2, "byte 2: the text ends where a digit after '.' was expected" },
    { ".5", 2, "byte 0: '.' where a JSON value was expected" },
    { "1e", 2, "byte 2: the text ends where a digit in the exponent was expected" },
    { "NaN", 3, "byte 0: 'N' where a JSON value was expected" },
    { "\"abc", 4, "byte 4: a string is not closed" },
    { "\"a\tb\"", 5, "byte 2: control character 0x09 inside a string" },
    { "\"\\x\"", 4, "byte 2: unknown escape '\\x'" },
    { "\"\\u12\"", 6, "a \\u escape needs four hex digits" },
    { "\"\\u0000\"", 8, "\\u0000 cannot be carried in a string here" },
    { "\"\\udc00\"", 8, "a low surrogate \\udc00 without a high one" },
    { "\"\\ud800x\"", 9, "a high surrogate \\ud800 without a low one" },
    { "\"\\ud800\\u0041\"", 14, "a high surrogate \\ud800 without a low one" },
    { "\"\xff\"", 3, "a string is not valid UTF-8" },
    { "\"\xc3\"", 3, "a string is not valid UTF-8" },
    { "[1]\0", 4, "byte 3: byte 0x00 where the end of the text was expected" },
    { "'a'", 3, "byte 0: ''' where a JSON value was expected" },
    { "[1e400]", 7, "byte 1: the number 1e400 is out of range" },
    { "-1e309", 6, "byte 0: the number -1e309 is out of range" },
    { "/* c */ 1", 9, "byte 0: '/' where a JSON value was expected" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = vdsm_json_parse_data (cases[i].text, cases[i].length, &error);

      g_test_message ("case %" G_GSIZE_FORMAT ": %s", i, cases[i].message);
      g_assert_null (node);
      g_assert_error (error, VDSM_ERROR, VDSM_ERROR_PARSE);
      if (strstr (error->message, cases[i].message) == NULL)
        g_error ("case %" G_GSIZE_FORMAT ": \"%s\" does not say \"%s\"", i, error->message,
                 cases[i].message);
    }
}

/* The text is not NUL-terminated where @length says it ends. */
static void
test_length_bounds_reading (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = vdsm_json_parse_data ("[12]garbage", 4, &error);

  g_assert_no_error (error);
  g_assert_cmpint (json_array_get_int_element (json_node_get_array (node), 0), ==, 12);
  g_clear_pointer (&node, json_node_unref);
  node = vdsm_json_parse_data ("\"abc\"", 3, &error);
  g_assert_null (node);
  g_assert_error (error, VDSM_ERROR, VDSM_ERROR_PARSE);
}

static char *
nested (guint levels, char open, char close)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < levels; i++)
    g_string_append_c (text, open);
  for (guint i = 0; i < levels; i++)
    g_string_append_c (text, close);
  return g_string_free (text, FALSE);
}

static void
test_depth_limit (void)
{
  g_autofree char *deepest = nested (VDSM_JSON_MAX_DEPTH, '[', ']');
  g_autofree char *too_deep = nested (VDSM_JSON_MAX_DEPTH + 1, '[', ']');
  /* Deep enough to overflow the stack of a parser without the limit. */
  g_autofree char *hostile = nested (1000000, '[', ']');
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = vdsm_json_parse (deepest, &error);

  g_assert_no_error (error);
  g_assert_nonnull (node);
  g_clear_pointer (&node, json_node_unref);
  for (gsize i = 0; i < 2; i++)
    {
      node = vdsm_json_parse (i == 0 ? too_deep : hostile, &error);
      g_assert_null (node);
      g_assert_error (error, VDSM_ERROR, VDSM_ERROR_PARSE);
      g_assert_nonnull (strstr (error->message, "nested deeper than 512 levels"));
      g_clear_error (&error);
    }
}

/* A repeated name keeps its last value, and names keep their order. */
static void
test_objects (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = vdsm_json_parse ("{\"b\":1,\"a\":2,\"b\":3}", &error);
  JsonObject *object = json_node_get_object (node);
  g_autoptr(GList) names = json_object_get_members (object);

  g_assert_no_error (error);
  g_assert_cmpuint (json_object_get_size (object), ==, 2);
  g_assert_cmpint (json_object_get_int_member (object, "b"), ==, 3);
  g_assert_cmpstr (names->data, ==, "b");
  g_assert_cmpstr (names->next->data, ==, "a");
}

/* The word-at-a-time check agrees with GLib's wherever a NUL, a stray
 * continuation byte or a valid multi-byte character falls in the text. */
static void
test_text_is_utf8 (void)
{
  static const char *const inserts[] = { "\0", "\x80", "\xc3\xa9", "\xc3", "\xf0\x9f\x98\x80",
                                         "\xed\xa0\x80", "\xff" };
  static const gsize insert_lengths[] = { 1, 1, 2, 1, 4, 3, 1 };

  for (gsize length = 0; length <= 24; length++)
    for (gsize at = 0; at <= length; at++)
      for (gsize k = 0; k < G_N_ELEMENTS (inserts); k++)
        {
          g_autoptr(GString) text = g_string_new (NULL);

          for (gsize i = 0; i < length; i++)
            g_string_append_c (text, (char) ('a' + i % 26));
          g_string_insert_len (text, at, inserts[k], insert_lengths[k]);
          g_assert_cmpint (vdsm_text_is_utf8 (text->str, text->len), ==,
                           g_utf8_validate_len (text->str, text->len, NULL));
        }
  g_assert_true (vdsm_text_is_utf8 ("", 0));
  g_assert_true (vdsm_text_is_utf8 ("plain ascii, longer than a word", 31));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/json-parser/same-as-json-glib", test_same_as_json_glib);
  g_test_add_func ("/json-parser/numbers", test_numbers);
  g_test_add_func ("/json-parser/rejected", test_rejected);
  g_test_add_func ("/json-parser/length-bounds-reading", test_length_bounds_reading);
  g_test_add_func ("/json-parser/depth-limit", test_depth_limit);
  g_test_add_func ("/json-parser/objects", test_objects);
  g_test_add_func ("/json-parser/text-is-utf8", test_text_is_utf8);
  return g_test_run ();
}
