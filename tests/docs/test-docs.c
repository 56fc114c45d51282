/* test-docs.c: `vdsm-schema docs` on our api/, the generator's test schema
 * (every construct), a schema full of markup, and VDSM's reference schema.
 * For each: every method, type and event of the loaded schema has its
 * anchor, every link resolves, and every page is well-formed (both checked
 * by check-html.py); the markup schema also must come out escaped.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include "vdsm-test-run.h"

#include "docs-names.h"

typedef struct {
  const char *name;
  const char *dir_env;     /* the files' directory: an env var... */
  const char *subdir;      /* ...plus this */
  const char *files[3];
  gboolean optional;       /* skip when the files are missing */
} Case;

static const Case cases[] = {
  { "api", "VDSM_SOURCE_ROOT", "api", { "vdsm-api.yml", "vdsm-events.yml" }, FALSE },
  { "constructs", "VDSM_SOURCE_ROOT", "tests/tools/data",
    { "test-api.yml", "test-events.yml" }, FALSE },
  { "escape", "VDSM_SOURCE_ROOT", "tests/docs/data", { "escape.yml" }, FALSE },
  { "reference", "VDSM_REFERENCE_SCHEMA_DIR", "", { "vdsm-api.yml", "vdsm-events.yml" }, TRUE },
};

static int
run (const char *const *argv, char **out, char **err)
{
  g_auto (VdsmTestRun) result = { 0 };

  vdsm_test_run (&result, NULL, argv, NULL);
  if (out != NULL)
    *out = g_steal_pointer (&result.out);
  if (err != NULL)
    *err = g_steal_pointer (&result.err);
  return result.status;
}

/* page#id of everything the schema defines, one per line. */
static char *
expected_anchors (VdsmSchema *schema)
{
  g_autoptr (DocsNames) names = docs_names_new (schema);
  GPtrArray *methods = vdsm_schema_get_methods (schema);
  GPtrArray *events = vdsm_schema_get_events (schema);
  GPtrArray *types = vdsm_schema_get_types (schema);
  GString *out = g_string_new (DOCS_INDEX_PAGE "\n" DOCS_TYPES_PAGE "\n" DOCS_EVENTS_PAGE "\n");

  for (guint i = 0; i < methods->len; i++)
    {
      const VdsmSchemaMethod *method = g_ptr_array_index (methods, i);
      g_autofree char *href = docs_names_method_href (method);
      g_autofree char *page = docs_names_namespace_page (method->ns);

      g_string_append_printf (out, "%s\n%s\n", page, href);
    }
  for (guint i = 0; i < events->len; i++)
    {
      g_autofree char *href = docs_names_event_href (g_ptr_array_index (events, i));

      g_string_append_printf (out, "%s\n", href);
    }
  for (guint i = 0; i < types->len; i++)
    {
      g_autofree char *href = docs_names_type_href (names, g_ptr_array_index (types, i));

      g_assert_nonnull (href);
      g_string_append_printf (out, "%s\n", href);
    }
  return g_string_free (out, FALSE);
}

static void
remove_tree (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_assert_cmpint (g_remove (path), ==, 0);
    }
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* Every .html page of @dir, concatenated. */
static char *
all_pages (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  GString *all = g_string_new (NULL);
  const char *name;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *text = NULL;

      if (!g_str_has_suffix (name, ".html"))
        continue;
      g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
      g_string_append (all, text);
    }
  return g_string_free (all, FALSE);
}

/* The escape schema puts markup everywhere: none of it may survive. */
static void
check_escaped (const char *dir)
{
  g_autofree char *pages = all_pages (dir);
  const char *raw[] = { "<script>alert", "<img", "<b>bold", "<!-- not", "</script><script>",
                        "<tag>", "p<1>", "<Key>" };

  for (guint i = 0; i < G_N_ELEMENTS (raw); i++)
    if (strstr (pages, raw[i]) != NULL)
      g_error ("unescaped %s in the pages", raw[i]);
  g_assert_nonnull (strstr (pages, "&lt;script&gt;alert(&quot;type&quot;)&lt;/script&gt; &amp; friends"));
  g_assert_nonnull (strstr (pages, "<code>&lt;img src=x onerror=alert(1)&gt;</code>"));
  g_assert_nonnull (strstr (pages, "<code>p&lt;1&gt;</code>"));
  g_assert_nonnull (strstr (pages, "(the empty string)"));
  g_assert_nonnull (strstr (pages, "badge deprecated"));
}

static void
test_case (gconstpointer data)
{
  const Case *c = data;
  const char *base = g_getenv (c->dir_env);
  g_autofree char *dir = g_build_filename (base != NULL ? base : "", c->subdir, NULL);
  g_autofree char *tmp = g_dir_make_tmp ("test-docs-XXXXXX", NULL);
  g_autofree char *out_dir = g_build_filename (tmp, "api", NULL);
  g_autofree char *expected_path = g_build_filename (tmp, "expected.txt", NULL);
  g_autofree char *tool = g_build_filename (g_getenv ("VDSM_BUILD_ROOT"), "tools",
                                            "vdsm-schema", NULL);
  g_autofree char *checker = g_build_filename (g_getenv ("VDSM_SOURCE_ROOT"), "tests", "docs",
                                               "check-html.py", NULL);
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (VdsmSchema) schema = vdsm_schema_new ();
  g_autofree char *expected = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *check_out = NULL;
  g_autofree char *check_err = NULL;
  int status;

  g_ptr_array_add (argv, g_strdup (tool));
  g_ptr_array_add (argv, g_strdup ("docs"));
  g_ptr_array_add (argv, g_strdup (out_dir));
  for (guint i = 0; i < G_N_ELEMENTS (c->files) && c->files[i] != NULL; i++)
    {
      char *path = g_build_filename (dir, c->files[i], NULL);

      if (base == NULL || !g_file_test (path, G_FILE_TEST_EXISTS))
        {
          g_free (path);
          g_assert_true (c->optional);
          g_test_skip ("schema files not found (VDSM_REFERENCE_SCHEMA_DIR)");
          remove_tree (tmp);
          return;
        }
      g_assert_true (vdsm_schema_load_file (schema, path, VDSM_SCHEMA_LOAD_DEFAULT, NULL));
      g_ptr_array_add (argv, path);
    }
  g_ptr_array_add (argv, NULL);

  status = run ((const char *const *) argv->pdata, &out, &err);
  g_assert_cmpstr (err, ==, "");
  g_assert_cmpint (status, ==, 0);

  expected = expected_anchors (schema);
  g_assert_true (g_file_set_contents (expected_path, expected, -1, NULL));
  {
    const char *check[] = { PYTHON3, checker, out_dir, expected_path, NULL };

    status = run (check, &check_out, &check_err);
  }
  g_test_message ("check-html.py: %s", check_out);
  if (status != 0)
    g_test_message ("%s", check_err);
  g_assert_cmpint (status, ==, 0);
  g_assert_true (g_str_has_suffix (check_out, " 0 problems\n"));

  if (strcmp (c->name, "escape") == 0)
    check_escaped (out_dir);
  remove_tree (out_dir);
  remove_tree (tmp);
}

static void
test_usage (void)
{
  g_autofree char *tool = g_build_filename (g_getenv ("VDSM_BUILD_ROOT"), "tools",
                                            "vdsm-schema", NULL);
  g_autofree char *tmp = g_dir_make_tmp ("test-docs-XXXXXX", NULL);
  g_autofree char *bad = g_build_filename (tmp, "bad.yml", NULL);
  g_autofree char *out_dir = g_build_filename (tmp, "out", NULL);
  const char *no_file[] = { tool, "docs", tmp, NULL };
  const char *broken[] = { tool, "docs", out_dir, bad, NULL };

  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;

      g_assert_true (g_file_set_contents (bad, "types:\n    A: [unclosed\n", -1, NULL));
      if (i == 0)
        g_assert_cmpint (run (no_file, &out, &err), ==, 2);
      else
        {
          g_assert_cmpint (run (broken, &out, &err), ==, 1);
          g_assert_nonnull (strstr (err, "bad.yml:"));
          g_assert_false (g_file_test (out_dir, G_FILE_TEST_EXISTS));
        }
    }
  remove_tree (tmp);
}

/* --served marks what the list leaves out, and refuses a list naming a
 * method the schema lacks, with its line. */
static void
test_served (void)
{
  g_autofree char *tool = g_build_filename (g_getenv ("VDSM_BUILD_ROOT"), "tools",
                                            "vdsm-schema", NULL);
  g_autofree char *api = g_build_filename (g_getenv ("VDSM_SOURCE_ROOT"), "api",
                                           "vdsm-api.yml", NULL);
  g_autofree char *tmp = g_dir_make_tmp ("test-docs-XXXXXX", NULL);
  g_autofree char *list = g_build_filename (tmp, "served.txt", NULL);
  g_autofree char *out_dir = g_build_filename (tmp, "out", NULL);
  g_autofree char *vm_page = g_build_filename (out_dir, "ns-VM.html", NULL);
  g_autofree char *host_page = g_build_filename (out_dir, "ns-Host.html", NULL);
  g_autofree char *vm_html = NULL;
  g_autofree char *host_html = NULL;
  g_autofree char *err = NULL;
  const char *argv[] = { tool, "docs", "--served", list, out_dir, api, NULL };

  g_assert_true (g_file_set_contents (list, "# only one\nHost.ping\n", -1, NULL));
  g_assert_cmpint (run (argv, NULL, NULL), ==, 0);
  g_assert_true (g_file_get_contents (vm_page, &vm_html, NULL, NULL));
  g_assert_true (g_file_get_contents (host_page, &host_html, NULL, NULL));
  g_assert_nonnull (strstr (vm_html, ", 0 served by vdsmd."));
  g_assert_nonnull (strstr (vm_html, "not served by vdsmd"));
  g_assert_nonnull (strstr (host_html, ", 1 served by vdsmd."));

  g_assert_true (g_file_set_contents (list, "Host.ping\nHost.noSuchVerb\n", -1, NULL));
  g_assert_cmpint (run (argv, NULL, &err), ==, 1);
  g_assert_nonnull (strstr (err, "served.txt:2: 'Host.noSuchVerb' is not a method"));
  remove_tree (out_dir);
  remove_tree (tmp);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/docs/%s", cases[i].name);

      g_test_add_data_func (path, &cases[i], test_case);
    }
  g_test_add_func ("/docs/usage", test_usage);
  g_test_add_func ("/docs/served", test_served);
  return g_test_run ();
}
