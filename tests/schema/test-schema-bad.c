/* test-schema-bad.c: golden diagnostics of broken or irregular schemas.
 *
 * Each tests/schema/bad/NAME.yml is loaded (strictly when NAME starts with
 * "strict-"); its diagnostics, one "NAME.yml:LINE: error|warning: message"
 * per line, must equal NAME.err. Set VDSM_UPDATE_GOLDEN=1 to rewrite the
 * .err files after an intended message change (and review the diff).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include "vdsm-schema.h"

static char *bad_dir;

static char *
diagnostics_text (VdsmSchema *schema)
{
  GPtrArray *diags = vdsm_schema_get_diagnostics (schema);
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < diags->len; i++)
    {
      g_autofree char *line = vdsm_schema_diagnostic_format (g_ptr_array_index (diags, i));

      g_string_append_printf (out, "%s\n", line);
    }
  return g_string_free (out, FALSE);
}

static void
test_golden (gconstpointer data)
{
  const char *name = data;
  g_autofree char *yml = g_build_filename (bad_dir, name, NULL);
  g_autofree char *stem = g_strndup (name, strlen (name) - strlen (".yml"));
  g_autofree char *err_name = g_strconcat (stem, ".err", NULL);
  g_autofree char *err = g_build_filename (bad_dir, err_name, NULL);
  g_autofree char *text = NULL, *expected = NULL, *actual = NULL;
  g_autoptr (VdsmSchema) schema = vdsm_schema_new ();
  g_autoptr (GError) error = NULL, read_error = NULL;
  VdsmSchemaLoadFlags flags = g_str_has_prefix (name, "strict-")
                              ? VDSM_SCHEMA_LOAD_STRICT : VDSM_SCHEMA_LOAD_DEFAULT;
  gsize len;
  gboolean ok;

  g_assert_true (g_file_get_contents (yml, &text, &len, &read_error));
  g_assert_no_error (read_error);
  /* The file name as given, so that golden files hold relative paths. */
  ok = vdsm_schema_load_data (schema, name, text, len, flags, &error);
  actual = diagnostics_text (schema);

  if (g_getenv ("VDSM_UPDATE_GOLDEN") != NULL)
    {
      g_autoptr (GError) write_error = NULL;

      g_assert_true (g_file_set_contents (err, actual, -1, &write_error));
      g_assert_no_error (write_error);
    }
  g_assert_true (g_file_get_contents (err, &expected, NULL, &read_error));
  g_assert_no_error (read_error);

  /* Every file here is irregular: it must say something. */
  g_assert_cmpstr (actual, !=, "");
  g_assert_cmpstr (actual, ==, expected);
  g_assert_cmpint (ok, ==, strstr (actual, ": error: ") == NULL);
  if (!ok)
    g_assert_error (error, VDSM_SCHEMA_ERROR, VDSM_SCHEMA_ERROR_LOAD);
}

/* Hostile inputs that are easier to generate than to store: none may
 * crash or hang, and each must be refused with an error. */
static void
test_hostile (void)
{
  static const char *const inputs[] = {
    "",
    "\xff\xfe\x00\x01garbage",
    "types: &a\n    A: *a\n",
    "types:\n    A: &A\n        type: union\n        values:\n        - *A\n",
    ("types:\n    A: &A\n        type: object\n        properties:\n        - *A\n"
     "        -   name: b\n            type: *A\n        -   name: b\n            type: int\n"),
    "types: {}\n*x: 1\n",
    "types: {}\n? *y\n",
    "types: !!str {}\nA.b: {params: [{name: p, type: *types}]}\n",
    "types:\n    A: &A {type: map, key-type: *A, value-type: *A}\n",
    "types:\n    A: &A {type: enum, values: {*A: x}}\n",
  };
  g_autoptr (GString) deep = g_string_new ("types:\n");

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autoptr (VdsmSchema) schema = vdsm_schema_new ();
      g_autoptr (GError) error = NULL;

      g_test_message ("input %u", i);
      g_assert_false (vdsm_schema_load_data (schema, "hostile.yml", inputs[i], strlen (inputs[i]),
                                             VDSM_SCHEMA_LOAD_DEFAULT, &error));
      g_assert_error (error, VDSM_SCHEMA_ERROR, VDSM_SCHEMA_ERROR_LOAD);
    }

  for (guint i = 0; i < 100000; i++)
    g_string_append (deep, "- ");
  g_string_append (deep, "x\n");
  {
    g_autoptr (VdsmSchema) schema = vdsm_schema_new ();
    g_autoptr (GError) error = NULL;

    g_assert_false (vdsm_schema_load_data (schema, "deep.yml", deep->str, deep->len,
                                           VDSM_SCHEMA_LOAD_DEFAULT, &error));
    g_assert_error (error, VDSM_SCHEMA_ERROR, VDSM_SCHEMA_ERROR_LOAD);
    g_assert_nonnull (strstr (error->message, "deep.yml:2: error: YAML nesting deeper than"));
  }
}

static gint
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

int
main (int argc, char **argv)
{
  const char *root = g_getenv ("VDSM_SOURCE_ROOT");
  g_autoptr (GDir) dir = NULL;
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) error = NULL;
  const char *entry;
  int status;

  g_test_init (&argc, &argv, NULL);
  bad_dir = g_build_filename (root ? root : ".", "tests", "schema", "bad", NULL);
  dir = g_dir_open (bad_dir, 0, &error);
  if (dir == NULL)
    g_error ("cannot list %s: %s", bad_dir, error->message);
  while ((entry = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (entry, ".yml"))
      g_ptr_array_add (names, g_strdup (entry));
  g_ptr_array_sort (names, compare_names);

  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      g_autofree char *path = g_strdup_printf ("/schema/bad/%s", name);

      g_test_add_data_func (path, name, test_golden);
    }
  g_test_add_func ("/schema/bad/hostile-inputs", test_hostile);

  status = g_test_run ();
  g_free (bad_dir);
  return status;
}
