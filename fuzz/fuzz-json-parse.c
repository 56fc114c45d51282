/* fuzz-json-parse.c: the JSON reader of network input
 * (common/vdsm-json-parser.c), differentially against json-glib's parser.
 *
 * Input: the JSON text. Invariants:
 *  - a rejection is a VDSM_ERROR_PARSE error with a UTF-8 message;
 *  - what we accept, json-glib accepts too, with an equal tree — except
 *    for integers beyond gint64, which json-glib wraps and we keep as a
 *    double;
 *  - what json-glib accepts and we refuse is either one of our deliberate
 *    refusals (numbers beyond double, lone surrogates, U+0000 in strings:
 *    json-glib yields inf, invalid UTF-8 or a cut string) or a text
 *    json-glib is lenient about, whose tree, written as plain JSON, we
 *    must accept (when it holds only UTF-8 and finite numbers);
 *  - an accepted tree written out with vdsm_json_write_node() parses back
 *    into an equal tree.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "fuzz-common.h"
#include "vdsm-error.h"
#include "vdsm-json.h"

#include <math.h>
#include <string.h>

/* True when json-glib's reading of the same text may differ from ours
 * for a reason we chose (see above). */
static gboolean
holds_long_integer (const uint8_t *data, size_t size)
{
  gsize digits = 0;

  for (size_t i = 0; i < size; i++)
    {
      digits = g_ascii_isdigit (data[i]) ? digits + 1 : 0;
      if (digits >= 19)
        return TRUE;
    }
  return FALSE;
}

static gboolean
is_deliberate_refusal (const GError *error)
{
  static const char *const reasons[] = {
    "nested deeper", "out of range", "surrogate", "\\u0000",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (reasons); i++)
    if (strstr (error->message, reasons[i]) != NULL)
      return TRUE;
  return FALSE;
}

/* Whether every string and member name in @node is UTF-8 and every
 * number finite: what plain JSON can carry. Inputs are short (libFuzzer's
 * max_len), so the recursion is shallow. */
static gboolean
holds_only_plain_values (JsonNode *node)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *member;

      json_object_iter_init (&iter, json_node_get_object (node));
      while (json_object_iter_next (&iter, &name, &member))
        if (!g_utf8_validate (name, -1, NULL) || !holds_only_plain_values (member))
          return FALSE;
      return TRUE;
    }
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        if (!holds_only_plain_values (json_array_get_element (array, i)))
          return FALSE;
      return TRUE;
    }
  if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    return isfinite (json_node_get_double (node));
  return json_node_get_value_type (node) != G_TYPE_STRING ||
         g_utf8_validate (json_node_get_string (node), -1, NULL);
}

static JsonNode *
reparse (JsonNode *node)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  JsonNode *copy;

  vdsm_json_write_node (text, node);
  copy = vdsm_json_parse_data (text->str, text->len, &error);
  FUZZ_CHECK (copy != NULL, "our own output does not parse: %s: %s", error->message, text->str);
  return copy;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) ours = vdsm_json_parse_data ((const char *) data, size, &error);
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *theirs = NULL;

  if (ours == NULL)
    {
      FUZZ_CHECK (g_error_matches (error, VDSM_ERROR, VDSM_ERROR_PARSE),
                  "rejected without a parse error");
      FUZZ_CHECK_UTF8 (error->message, -1, "the error message");
    }
  else
    {
      g_autoptr(JsonNode) again = reparse (ours);

      FUZZ_CHECK (json_node_equal (ours, again), "write + parse changed the tree");
    }

  /* json-glib recurses without a bound: it is not asked about deep texts. */
  if (ours == NULL ? is_deliberate_refusal (error) : holds_long_integer (data, size))
    return 0;
  if (json_parser_load_from_data (parser, (const char *) data, (gssize) size, NULL))
    theirs = json_parser_get_root (parser);

  if (ours != NULL)
    {
      FUZZ_CHECK (theirs != NULL, "we accepted a text json-glib rejects");
      FUZZ_CHECK (json_node_equal (ours, theirs), "json-glib reads the text differently");
    }
  else if (theirs != NULL)
    {
      /* json-glib is lenient (comments, single quotes, NUL-cut text, short
       * \u escapes, …): its tree, written as plain JSON, must be one we
       * accept, unless its leniency let in invalid UTF-8 or infinities. */
      g_autoptr(JsonNode) plain = NULL;

      if (!holds_only_plain_values (theirs))
        return 0;
      plain = reparse (theirs);
      FUZZ_CHECK (json_node_equal (plain, theirs), "json-glib's tree does not survive us");
    }
  return 0;
}
