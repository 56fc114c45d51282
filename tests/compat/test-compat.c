/* test-compat.c: `vdsm-schema compat` on the hand-written pairs in pairs/
 * (golden output and exit status), its command line, schemas read from a
 * git repository made on the spot (two revisions, and a walk), VDSM's
 * reference schema, the guard that our api/ stays compatible with
 * api/released/, and the check that api/ breaks VDSM's schema only where
 * docs/schema-corrections.md says so.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include "vdsm-test-run.h"

/* Run `vdsm-schema compat ARGS…` in @dir. */
static void
run_compat (const char *dir, const char *const *args, VdsmTestRun *run)
{
  g_autofree char *tool = g_build_filename (g_getenv ("VDSM_BUILD_ROOT"), "tools",
                                            "vdsm-schema", NULL);
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();

  g_ptr_array_add (argv, tool);
  g_ptr_array_add (argv, (gpointer) "compat");
  for (const char *const *arg = args; *arg != NULL; arg++)
    g_ptr_array_add (argv, (gpointer) *arg);
  g_ptr_array_add (argv, NULL);
  vdsm_test_run (run, dir, (const char *const *) argv->pdata, NULL);
}

static char *
pairs_dir (void)
{
  return g_build_filename (g_getenv ("VDSM_SOURCE_ROOT"), "tests", "compat", "pairs", NULL);
}

/* The classes of change lines, gravest first, as the summary counts them. */
static const char *const classes[] = {
  "BREAKING", "RISKY", "DEPRECATED", "COMPATIBLE", "DESCRIPTION",
};

/* Every line above the summary is "CLASS: OLD -> NEW: what" (the format
 * other tests parse), and the summary counts them. */
static void
check_summary (const char *out)
{
  g_auto (GStrv) lines = g_strsplit (out, "\n", -1);
  g_autoptr (GRegex) line_re = g_regex_new ("^([A-Z]+): [^ ]+ -> [^ ]+: .", 0, 0, NULL);
  guint n = g_strv_length (lines), counts[G_N_ELEMENTS (classes)] = { 0 };
  g_autofree char *summary = NULL;

  g_assert_cmpuint (n, >=, 2);
  g_assert_cmpstr (lines[n - 1], ==, "");
  for (guint i = 0; i + 2 < n; i++)
    {
      g_autoptr (GMatchInfo) match = NULL;
      g_autofree char *name = NULL;
      guint c;

      if (!g_regex_match (line_re, lines[i], 0, &match))
        g_error ("not a change line: %s", lines[i]);
      name = g_match_info_fetch (match, 1);
      for (c = 0; c < G_N_ELEMENTS (classes) && strcmp (classes[c], name) != 0; c++)
        ;
      g_assert_cmpuint (c, <, G_N_ELEMENTS (classes));
      counts[c]++;
    }
  summary = g_strdup_printf ("%u breaking, %u risky, %u deprecated, %u compatible",
                             counts[0], counts[1], counts[2], counts[3]);
  g_assert_true (g_str_has_prefix (lines[n - 2], summary));
  if (counts[4] > 0)
    {
      g_autofree char *described = g_strdup_printf ("%s, %u descriptions changed",
                                                    summary, counts[4]);

      g_assert_cmpstr (lines[n - 2], ==, described);
    }
}

static void
test_pair (gconstpointer data)
{
  const char *name = data;
  g_autofree char *root = pairs_dir ();
  g_autofree char *dir = g_build_filename (root, name, NULL);
  g_autofree char *args_path = g_build_filename (dir, "args", NULL);
  g_autofree char *expected_path = g_build_filename (dir, "expected.txt", NULL);
  g_autofree char *args_text = NULL;
  g_autofree char *expected = NULL;
  g_auto (GStrv) args = NULL;
  g_auto (VdsmTestRun) run = { 0 };
  g_autoptr (GError) error = NULL;

  if (g_file_get_contents (args_path, &args_text, NULL, NULL))
    args = g_strsplit_set (g_strstrip (args_text), " \n", -1);
  else
    args = g_strsplit ("old.yml new.yml", " ", -1);
  if (!g_file_get_contents (expected_path, &expected, NULL, &error))
    g_error ("%s", error->message);

  run_compat (dir, (const char *const *) args, &run);
  g_assert_cmpstr (run.err, ==, "");
  g_assert_cmpstr (run.out, ==, expected);
  check_summary (run.out);
  g_assert_cmpint (run.status, ==,
                   g_str_has_prefix (expected, "BREAKING:") ? 1 : 0);
}

static void
test_fail_on_risky (void)
{
  g_autofree char *root = pairs_dir ();
  g_autofree char *dir = g_build_filename (root, "enum-output-added", NULL);
  g_autofree char *moved = g_build_filename (root, "param-moved", NULL);
  const char *plain[] = { "old.yml", "new.yml", NULL };
  const char *strict[] = { "--fail-on-risky", "old.yml", "new.yml", NULL };
  const char *quiet[] = { "--quiet", "old.yml", "new.yml", NULL };
  g_auto (VdsmTestRun) a = { 0 };
  g_auto (VdsmTestRun) b = { 0 };
  g_auto (VdsmTestRun) c = { 0 };

  run_compat (dir, plain, &a);
  g_assert_cmpint (a.status, ==, 0);
  run_compat (dir, strict, &b);
  g_assert_cmpint (b.status, ==, 1);
  g_assert_cmpstr (a.out, ==, b.out);

  /* --quiet keeps risky lines and the summary, drops compatible ones */
  run_compat (moved, quiet, &c);
  g_assert_cmpint (c.status, ==, 0);
  g_assert_nonnull (strstr (c.out, "RISKY: "));
  g_assert_null (strstr (c.out, "COMPATIBLE: "));
  g_assert_true (g_str_has_suffix (c.out, "0 breaking, 1 risky, 0 deprecated, 1 compatible\n"));
}

/* Deprecations pass unless asked; changed descriptions never fail. */
static void
test_fail_on_deprecated (void)
{
  g_autofree char *root = pairs_dir ();
  g_autofree char *dir = g_build_filename (root, "deprecations", NULL);
  g_autofree char *described = g_build_filename (root, "descriptions", NULL);
  const char *plain[] = { "old.yml", "new.yml", NULL };
  const char *strict[] = { "--fail-on-deprecated", "old.yml", "new.yml", NULL };
  const char *all_fatal[] = { "--fail-on-deprecated", "--fail-on-risky", "--descriptions",
                              "old.yml", "new.yml", NULL };
  g_auto (VdsmTestRun) a = { 0 };
  g_auto (VdsmTestRun) b = { 0 };
  g_auto (VdsmTestRun) c = { 0 };

  run_compat (dir, plain, &a);
  g_assert_cmpint (a.status, ==, 0);
  g_assert_nonnull (strstr (a.out, "\nDEPRECATED: "));
  run_compat (dir, strict, &b);
  g_assert_cmpint (b.status, ==, 1);
  g_assert_cmpstr (a.out, ==, b.out);

  run_compat (described, all_fatal, &c);
  g_assert_cmpint (c.status, ==, 0);
  g_assert_nonnull (strstr (c.out, "DESCRIPTION: "));
}

static void
test_usage (void)
{
  const char *none[] = { NULL };
  const char *one[] = { "old.yml", NULL };
  const char *three[] = { "a.yml", "b.yml", "c.yml", NULL };
  const char *only_old[] = { "--old", "old.yml", NULL };
  const char *mixed[] = { "--old", "a.yml", "--new", "b.yml", "c.yml", NULL };
  const char *bad_view[] = { "--view", "abi", "a.yml", "b.yml", NULL };
  const char *git_two[] = { "--git", ".", "HEAD", "api/vdsm-api.yml", NULL };
  const char *walk_no_path[] = { "--git", ".", "--walk", "HEAD", NULL };
  const char *walk_no_git[] = { "--walk", "HEAD", "a.yml", "b.yml", NULL };
  const char *git_and_files[] = { "--git", ".", "--old", "a.yml", "--new", "b.yml", NULL };
  const char *const *cases[] = { none, one, three, only_old, mixed, bad_view, git_two,
                                 walk_no_path, walk_no_git, git_and_files };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto (VdsmTestRun) run = { 0 };

      run_compat (NULL, cases[i], &run);
      g_assert_cmpint (run.status, ==, 2);
      g_assert_cmpstr (run.out, ==, "");
      g_assert_nonnull (strstr (run.err, "compat"));
    }
}

static void
test_load_errors (void)
{
  g_autofree char *tmp = g_dir_make_tmp ("test-compat-XXXXXX", NULL);
  g_autofree char *broken = g_build_filename (tmp, "broken.yml", NULL);
  g_autofree char *root = pairs_dir ();
  g_autofree char *good = g_build_filename (root, "method-added", "old.yml", NULL);
  g_autofree char *missing = g_build_filename (tmp, "missing.yml", NULL);
  const char *broken_new[] = { good, broken, NULL };
  const char *missing_old[] = { missing, good, NULL };
  g_auto (VdsmTestRun) a = { 0 };
  g_auto (VdsmTestRun) b = { 0 };

  g_assert_true (g_file_set_contents (broken,
                                      "types:\n    A: &A\n        type: [unclosed\n", -1, NULL));
  run_compat (NULL, broken_new, &a);
  g_assert_cmpint (a.status, ==, 2);
  g_assert_cmpstr (a.out, ==, "");
  g_assert_nonnull (strstr (a.err, "broken.yml:"));
  g_assert_nonnull (strstr (a.err, "the new schema has errors"));

  run_compat (NULL, missing_old, &b);
  g_assert_cmpint (b.status, ==, 2);
  g_assert_nonnull (strstr (b.err, "the old schema has errors"));

  g_assert_cmpint (g_remove (broken), ==, 0);
  g_assert_cmpint (g_rmdir (tmp), ==, 0);
}

static char *
reference_file (const char *name)
{
  const char *dir = g_getenv ("VDSM_REFERENCE_SCHEMA_DIR");
  g_autofree char *path = NULL;

  if (dir == NULL)
    return NULL;
  path = g_build_filename (dir, name, NULL);
  return g_file_test (path, G_FILE_TEST_EXISTS) ? g_steal_pointer (&path) : NULL;
}

/* The real schema against itself: nothing changed. Against ours: every
 * method and event of VDSM is still there, and the run gets through all of
 * VDSM's irregular types (what the differences are is the business of
 * reference-corrections). */
static void
test_reference (void)
{
  g_autofree char *api = reference_file ("vdsm-api.yml");
  g_autofree char *events = reference_file ("vdsm-events.yml");
  g_autofree char *ours_api = g_build_filename (g_getenv ("VDSM_SOURCE_ROOT"), "api",
                                                "vdsm-api.yml", NULL);
  g_autofree char *ours_events = g_build_filename (g_getenv ("VDSM_SOURCE_ROOT"), "api",
                                                   "vdsm-events.yml", NULL);
  g_auto (VdsmTestRun) same = { 0 };
  g_auto (VdsmTestRun) ours = { 0 };
  g_autoptr (GRegex) removed = g_regex_new ("^[A-Z]+: [^ ]+ -> -: (method|event) ",
                                            G_REGEX_MULTILINE, 0, NULL);

  if (api == NULL || events == NULL)
    {
      g_test_skip ("reference schema not found (VDSM_REFERENCE_SCHEMA_DIR)");
      return;
    }
  {
    const char *args[] = { "--old", api, "--old", events, "--new", api, "--new", events, NULL };

    run_compat (NULL, args, &same);
  }
  g_assert_cmpint (same.status, ==, 0);
  g_assert_cmpstr (same.out, ==, "0 breaking, 0 risky, 0 deprecated, 0 compatible\n");

  {
    const char *args[] = { "--old", api, "--old", events,
                           "--new", ours_api, "--new", ours_events, NULL };

    run_compat (NULL, args, &ours);
  }
  g_assert_cmpstr (ours.err, ==, "");
  check_summary (ours.out);
  g_assert_false (g_regex_match (removed, ours.out, 0, NULL));
}

/* The patterns of docs/schema-corrections.md: the lines of its fenced
 * blocks marked compat-breaking. */
static GPtrArray *
documented_breaks (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("VDSM_SOURCE_ROOT"), "docs",
                                            "schema-corrections.md", NULL);
  g_autofree char *text = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) lines = NULL;
  GPtrArray *patterns = g_ptr_array_new_with_free_func (g_free);
  gboolean in_block = FALSE;

  if (!g_file_get_contents (path, &text, NULL, &error))
    g_error ("%s", error->message);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (!in_block)
        in_block = strcmp (lines[i], "```compat-breaking") == 0;
      else if (strcmp (lines[i], "```") == 0)
        in_block = FALSE;
      else if (lines[i][0] != '\0')
        g_ptr_array_add (patterns, g_strdup (lines[i]));
    }
  g_assert_false (in_block);
  return patterns;
}

/* What a change line says, without its severity and locations. */
static const char *
change_text (const char *line)
{
  const char *arrow = strstr (line, " -> ");
  const char *text = arrow != NULL ? strstr (arrow, ": ") : NULL;

  g_assert_nonnull (text);
  return text + 2;
}

/* VDSM's schema against ours: every breaking change is one of the
 * corrections docs/schema-corrections.md documents, and every documented
 * one still happens. */
static void
test_reference_corrections (void)
{
  g_autofree char *api = reference_file ("vdsm-api.yml");
  g_autofree char *events = reference_file ("vdsm-events.yml");
  g_autoptr (GPtrArray) patterns = NULL;
  g_autofree guint *hits = NULL;
  g_auto (VdsmTestRun) run = { 0 };
  g_auto (GStrv) lines = NULL;
  guint undocumented = 0, stale = 0;

  if (api == NULL || events == NULL)
    {
      g_test_skip ("VDSM's schema not found (VDSM_REFERENCE_SCHEMA_DIR, "
                   "normally ../shared/reference-schema): nothing to compare with");
      return;
    }
  {
    const char *args[] = { "--old", api, "--old", events,
                           "--new", "api/vdsm-api.yml", "--new", "api/vdsm-events.yml", NULL };

    run_compat (g_getenv ("VDSM_SOURCE_ROOT"), args, &run);
  }
  g_assert_cmpstr (run.err, ==, "");
  check_summary (run.out);
  patterns = documented_breaks ();
  g_assert_cmpuint (patterns->len, >, 0);
  hits = g_new0 (guint, patterns->len);
  lines = g_strsplit (run.out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      gboolean documented = FALSE;

      if (!g_str_has_prefix (lines[i], "BREAKING: "))
        continue;
      for (guint p = 0; p < patterns->len; p++)
        if (g_pattern_match_simple (g_ptr_array_index (patterns, p), change_text (lines[i])))
          {
            hits[p]++;
            documented = TRUE;
          }
      if (!documented)
        {
          g_test_message ("not in docs/schema-corrections.md: %s", lines[i]);
          undocumented++;
        }
    }
  for (guint p = 0; p < patterns->len; p++)
    if (hits[p] == 0)
      {
        g_test_message ("documented but no longer reported: %s",
                        (char *) g_ptr_array_index (patterns, p));
        stale++;
      }
  g_test_message ("%s", lines[g_strv_length (lines) - 2]);
  g_assert_cmpuint (undocumented, ==, 0);
  g_assert_cmpuint (stale, ==, 0);
}

/* The CI guard: our schema against the last released one, for clients on
 * the wire and for programs compiled against the generated C API. */
static void
test_released_api (void)
{
  const char *args[] = {
    "--view", "api", "--old", "api/released/vdsm-api.yml", "--old", "api/released/vdsm-events.yml",
    "--new", "api/vdsm-api.yml", "--new", "api/vdsm-events.yml", NULL
  };
  g_auto (VdsmTestRun) run = { 0 };

  run_compat (g_getenv ("VDSM_SOURCE_ROOT"), args, &run);
  if (run.status != 0)
    g_test_message ("api/ breaks clients of api/released/:\n%s%s", run.out, run.err);
  g_assert_cmpint (run.status, ==, 0);
  check_summary (run.out);
}

/* ---- Schemas from git revisions ---- */

/* Run git in @repo with a fixed identity; it must succeed. */
static char *
git (const char *repo, const char *const *args)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_auto (VdsmTestRun) run = { 0 };

  for (const char *const *a = (const char *const[]) { "git", "-C", repo, "-c", "user.name=test",
                                                      "-c", "user.email=test@invalid", "-c",
                                                      "commit.gpgsign=false", NULL };
       *a != NULL; a++)
    g_ptr_array_add (argv, (gpointer) *a);
  for (const char *const *a = args; *a != NULL; a++)
    g_ptr_array_add (argv, (gpointer) *a);
  g_ptr_array_add (argv, NULL);
  vdsm_test_run (&run, NULL, (const char *const *) argv->pdata, NULL);
  g_assert_cmpint (run.status, ==, 0);
  return g_strdup (g_strstrip (run.out));
}

/* Write @text (or the file @pair/@side of pairs/) to @path in @repo and
 * commit everything with @message. */
static void
commit_schema (const char *repo, const char *path, const char *pair, const char *side,
               const char *text, const char *message)
{
  g_autofree char *target = g_build_filename (repo, path, NULL);
  g_autofree char *dir = g_path_get_dirname (target);
  g_autofree char *content = NULL;

  if (pair != NULL)
    {
      g_autofree char *root = pairs_dir ();
      g_autofree char *source = g_build_filename (root, pair, side, NULL);

      g_assert_true (g_file_get_contents (source, &content, NULL, NULL));
      text = content;
    }
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_true (g_file_set_contents (target, text, -1, NULL));
  g_free (git (repo, (const char *const[]) { "add", "-A", NULL }));
  g_free (git (repo, (const char *const[]) { "commit", "-q", "-m", message, NULL }));
}

/* A repository whose history has, from the oldest: c1 the schema, c2 an
 * unrelated file, c3 a method added, c4 the schema moved to lib/, c5
 * the method removed again, c6 the schema broken. NULL without git. */
static char *
make_history (void)
{
  g_autofree char *repo = NULL;
  g_autofree char *git_path = g_find_program_in_path ("git");

  if (git_path == NULL)
    return NULL;
  repo = g_dir_make_tmp ("test-compat-git-XXXXXX", NULL);
  g_free (git (repo, (const char *const[]) { "init", "-q", NULL }));
  commit_schema (repo, "api/vdsm-api.yml", "method-added", "old.yml", NULL, "schema: ping");
  commit_schema (repo, "README", NULL, NULL, "A project.\n", "docs: a readme");
  commit_schema (repo, "api/vdsm-api.yml", "method-added", "new.yml", NULL,
                 "schema: a method added");
  g_free (git (repo, (const char *const[]) { "mv", "api", "lib", NULL }));
  commit_schema (repo, "README", NULL, NULL, "A project, schema in lib/.\n", "schema moved");
  commit_schema (repo, "lib/vdsm-api.yml", "method-added", "old.yml", NULL,
                 "schema: the method removed");
  commit_schema (repo, "lib/vdsm-api.yml", NULL, NULL, "types:\n    A: &A\n        type: [x\n",
                 "schema: broken");
  return g_steal_pointer (&repo);
}

static void
remove_tree (const char *path)
{
  g_auto (VdsmTestRun) run = { 0 };

  vdsm_test_run (&run, NULL, (const char *const[]) { "rm", "-rf", path, NULL }, NULL);
  g_assert_cmpint (run.status, ==, 0);
}

static void
test_git_revisions (void)
{
  g_autofree char *repo = make_history ();
  g_autofree char *c3 = NULL;
  g_autofree char *expected = NULL;
  g_auto (VdsmTestRun) added = { 0 };
  g_auto (VdsmTestRun) moved = { 0 };
  g_auto (VdsmTestRun) removed = { 0 };
  g_auto (VdsmTestRun) broken = { 0 };
  g_auto (VdsmTestRun) nothing = { 0 };
  g_auto (VdsmTestRun) bad_rev = { 0 };
  g_auto (VdsmTestRun) option_rev = { 0 };

  if (repo == NULL)
    {
      g_test_skip ("git is not installed");
      return;
    }
  c3 = git (repo, (const char *const[]) { "rev-parse", "--short", "HEAD~3", NULL });

  /* Files are named REVISION:PATH, in the usual line format. */
  run_compat (NULL, (const char *const[]) { "--git", repo, "HEAD~5", "HEAD~3",
                                            "api/vdsm-api.yml", NULL }, &added);
  g_assert_cmpint (added.status, ==, 0);
  g_assert_cmpstr (added.err, ==, "");
  expected = g_strdup_printf ("COMPATIBLE: - -> %s:api/vdsm-api.yml:8: method Host.echo added\n"
                              "0 breaking, 0 risky, 0 deprecated, 1 compatible\n", c3);
  g_assert_cmpstr (added.out, ==, expected);

  /* A wildcard finds the file where it moved. */
  run_compat (NULL, (const char *const[]) { "--git", repo, "HEAD~3", "HEAD~1",
                                            "*vdsm-api.yml", NULL }, &moved);
  g_assert_cmpint (moved.status, ==, 1);
  g_assert_nonnull (strstr (moved.out, ":api/vdsm-api.yml:8 -> -: method Host.echo removed\n"));
  g_assert_null (strstr (moved.out, "Host.ping"));
  check_summary (moved.out);

  run_compat (NULL, (const char *const[]) { "--git", repo, "HEAD~2", "HEAD~1",
                                            "lib/vdsm-api.yml", NULL }, &removed);
  g_assert_cmpint (removed.status, ==, 1);
  g_assert_nonnull (strstr (removed.out, ":lib/vdsm-api.yml:8 -> -: method Host.echo removed\n"));

  run_compat (NULL, (const char *const[]) { "--git", repo, "HEAD~1", "HEAD",
                                            "lib/vdsm-api.yml", NULL }, &broken);
  g_assert_cmpint (broken.status, ==, 2);
  g_assert_cmpstr (broken.out, ==, "");
  g_assert_nonnull (strstr (broken.err, ":lib/vdsm-api.yml:"));

  run_compat (NULL, (const char *const[]) { "--git", repo, "HEAD~5", "HEAD",
                                            "no/such.yml", NULL }, &nothing);
  g_assert_cmpint (nothing.status, ==, 2);
  g_assert_nonnull (strstr (nothing.err, "no schema file"));

  run_compat (NULL, (const char *const[]) { "--git", repo, "no-such-rev", "HEAD",
                                            "lib/vdsm-api.yml", NULL }, &bad_rev);
  g_assert_cmpint (bad_rev.status, ==, 2);
  g_assert_cmpstr (bad_rev.out, ==, "");

  /* A revision is never read as an option of git. */
  run_compat (NULL, (const char *const[]) { "--git", repo, "--", "--output=x", "HEAD",
                                            "lib/vdsm-api.yml", NULL }, &option_rev);
  g_assert_cmpint (option_rev.status, ==, 2);
  g_assert_nonnull (strstr (option_rev.err, "not a revision"));
  remove_tree (repo);
}

/* Each commit that changes the schema against its first parent, as a CI
 * gate runs it: a verdict and a line per commit, and one for the walk. */
static void
test_git_walk (void)
{
  g_autofree char *repo = make_history ();
  g_auto (VdsmTestRun) walk = { 0 };
  g_auto (VdsmTestRun) quiet = { 0 };
  g_auto (VdsmTestRun) broken = { 0 };
  g_auto (GStrv) lines = NULL;

  if (repo == NULL)
    {
      g_test_skip ("git is not installed");
      return;
    }
  run_compat (NULL, (const char *const[]) { "--git", repo, "--walk", "HEAD~1",
                                            "*vdsm-api.yml", NULL }, &walk);
  g_assert_cmpint (walk.status, ==, 1);
  g_assert_cmpstr (walk.err, ==, "");
  g_assert_true (g_str_has_suffix (walk.out,
                                   "4 commits: 1 breaking, 0 risky, 0 deprecated, 1 compatible, "
                                   "1 without changes; 1 with no schema before them, "
                                   "0 not loaded; 1 fail\n"));
  g_assert_nonnull (strstr (walk.out, " schema: ping: no schema before this commit"));
  g_assert_nonnull (strstr (walk.out, " schema: a method added: 0 breaking, 0 risky, "
                                      "0 deprecated, 1 compatible\n"));
  g_assert_nonnull (strstr (walk.out, " schema moved: 0 breaking, 0 risky, 0 deprecated, "
                                      "0 compatible\n"));
  g_assert_nonnull (strstr (walk.out, " schema: the method removed: 1 breaking,"));
  lines = g_strsplit (walk.out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 8);

  run_compat (NULL, (const char *const[]) { "--quiet", "--git", repo, "--walk", "HEAD~1",
                                            "*vdsm-api.yml", NULL }, &quiet);
  g_assert_cmpint (quiet.status, ==, 1);
  g_assert_null (strstr (quiet.out, "COMPATIBLE: "));

  run_compat (NULL, (const char *const[]) { "--git", repo, "--walk", "HEAD~1..HEAD",
                                            "lib/vdsm-api.yml", NULL }, &broken);
  g_assert_cmpint (broken.status, ==, 2);
  g_assert_nonnull (strstr (broken.out, " schema: broken: not judged: "));
  g_assert_true (g_str_has_suffix (broken.out, "; 0 with no schema before them, 1 not loaded; "
                                               "0 fail\n"));
  remove_tree (repo);
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

int
main (int argc, char **argv)
{
  g_autofree char *root = NULL;
  g_autoptr (GDir) dir = NULL;
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) error = NULL;
  const char *name;

  g_test_init (&argc, &argv, NULL);
  /* The guard runs as a test of its own, so that CI names it. */
  if (argc > 1 && strcmp (argv[1], "--released-api") == 0)
    {
      g_test_add_func ("/compat/released-api", test_released_api);
      return g_test_run ();
    }
  if (argc > 1 && strcmp (argv[1], "--reference-corrections") == 0)
    {
      g_test_add_func ("/compat/reference-corrections", test_reference_corrections);
      return g_test_run ();
    }
  root = pairs_dir ();
  dir = g_dir_open (root, 0, &error);
  if (dir == NULL)
    g_error ("%s", error->message);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (root, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        g_ptr_array_add (names, g_strdup (name));
    }
  g_ptr_array_sort (names, compare_names);
  g_assert_cmpuint (names->len, >=, 15);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_strdup_printf ("/compat/pair/%s",
                                               (char *) g_ptr_array_index (names, i));

      g_test_add_data_func (path, g_ptr_array_index (names, i), test_pair);
    }
  g_test_add_func ("/compat/fail-on-risky", test_fail_on_risky);
  g_test_add_func ("/compat/fail-on-deprecated", test_fail_on_deprecated);
  g_test_add_func ("/compat/git/revisions", test_git_revisions);
  g_test_add_func ("/compat/git/walk", test_git_walk);
  g_test_add_func ("/compat/usage", test_usage);
  g_test_add_func ("/compat/load-errors", test_load_errors);
  g_test_add_func ("/compat/reference", test_reference);
  return g_test_run ();
}
