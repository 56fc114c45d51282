/* cmd-compat.c: `vdsm-schema compat`: report what changed between two
 * versions of a schema, and whether existing clients and servers survive
 * it; the two versions come from files or from the revisions of a git
 * repository, and a walk judges every commit of a range (docs/compat.md).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "commands.h"
#include "compat.h"
#include "compat-git.h"

#include <stdio.h>
#include <string.h>

typedef struct {
  CompatOptions options;
  gboolean fail_on_risky, fail_on_deprecated, quiet;
} Settings;

/* What one comparison found, by class. */
typedef struct {
  guint n[COMPAT_N_SEVERITIES];
} Counts;

/* Exit statuses. */
enum {
  EXIT_PASS = 0,
  EXIT_FAIL = 1,    /* a breaking change, or one the options make fatal */
  EXIT_ERROR = 2,   /* usage, git or schema load errors */
};

/* Print the errors of a schema that failed to load (warnings are not this
 * command's business: `check` reports them). */
static void
print_load_errors (VdsmSchema *schema)
{
  GPtrArray *diagnostics = vdsm_schema_get_diagnostics (schema);

  for (guint i = 0; i < diagnostics->len; i++)
    {
      const VdsmSchemaDiagnostic *diag = g_ptr_array_index (diagnostics, i);
      g_autofree char *text = NULL;

      if (diag->severity != VDSM_SCHEMA_SEVERITY_ERROR)
        continue;
      text = vdsm_schema_diagnostic_format (diag);
      fprintf (stderr, "%s\n", text);
    }
}

static VdsmSchema *
load_files (char **files)
{
  g_autoptr (VdsmSchema) schema = vdsm_schema_new ();
  gboolean ok = TRUE;

  for (char **file = files; *file != NULL; file++)
    if (!vdsm_schema_load_file (schema, *file, VDSM_SCHEMA_LOAD_DEFAULT, NULL))
      ok = FALSE;
  if (ok)
    return g_steal_pointer (&schema);
  print_load_errors (schema);
  return NULL;
}

/* Compare, print every line the settings show, and count every class. */
static void
compare_and_print (VdsmSchema *old_schema, VdsmSchema *new_schema, const Settings *settings,
                   Counts *counts)
{
  g_autoptr (GPtrArray) changes = compat_compare (old_schema, new_schema, &settings->options);

  *counts = (Counts) { { 0 } };
  for (guint i = 0; i < changes->len; i++)
    {
      const CompatChange *change = g_ptr_array_index (changes, i);
      g_autofree char *line = NULL;

      counts->n[change->severity]++;
      if (settings->quiet && change->severity == COMPAT_COMPATIBLE)
        continue;
      line = compat_change_format (change);
      printf ("%s\n", line);
    }
}

/* "1 breaking, 0 risky, 2 deprecated, 5 compatible[, 3 descriptions changed]" */
static char *
counts_text (const Counts *counts, const Settings *settings)
{
  GString *out = g_string_new (NULL);

  g_string_append_printf (out, "%u breaking, %u risky, %u deprecated, %u compatible",
                          counts->n[COMPAT_BREAKING], counts->n[COMPAT_RISKY],
                          counts->n[COMPAT_DEPRECATED], counts->n[COMPAT_COMPATIBLE]);
  if (settings->options.descriptions)
    g_string_append_printf (out, ", %u descriptions changed", counts->n[COMPAT_DESCRIPTION]);
  return g_string_free (out, FALSE);
}

static gboolean
counts_fail (const Counts *counts, const Settings *settings)
{
  return counts->n[COMPAT_BREAKING] > 0
         || (settings->fail_on_risky && counts->n[COMPAT_RISKY] > 0)
         || (settings->fail_on_deprecated && counts->n[COMPAT_DEPRECATED] > 0);
}

/* The gravest class found, or -1 when nothing changed. */
static int
counts_verdict (const Counts *counts)
{
  for (int severity = COMPAT_BREAKING; severity >= COMPAT_COMPATIBLE; severity--)
    if (counts->n[severity] > 0)
      return severity;
  return -1;
}

static int
compare_files (char **old_files, char **new_files, const Settings *settings)
{
  g_autoptr (VdsmSchema) old_schema = load_files (old_files);
  g_autoptr (VdsmSchema) new_schema = load_files (new_files);
  g_autofree char *summary = NULL;
  Counts counts;

  if (old_schema == NULL || new_schema == NULL)
    {
      fprintf (stderr, "vdsm-schema compat: the %s schema has errors\n",
               old_schema == NULL ? "old" : "new");
      return EXIT_ERROR;
    }
  compare_and_print (old_schema, new_schema, settings, &counts);
  summary = counts_text (&counts, settings);
  printf ("%s\n", summary);
  return counts_fail (&counts, settings) ? EXIT_FAIL : EXIT_PASS;
}

/* ---- Git revisions ---- */

/* The schema files @paths name in @commit, loaded. @key (may be NULL)
 * identifies their contents (blob ids), so that an unchanged side is
 * loaded once; @n_files counts them. NULL with @error on git or load errors (the
 * diagnostics are printed). */
static VdsmSchema *
load_commit (const char *repo, const char *commit, const char *const *paths,
             char **key, guint *n_files, GError **error)
{
  g_autoptr (GPtrArray) files = compat_git_files (repo, commit, paths, error);
  g_autoptr (VdsmSchema) schema = vdsm_schema_new ();
  g_autoptr (GString) blobs = g_string_new (NULL);

  if (files == NULL)
    return NULL;
  for (guint i = 0; i < files->len; i++)
    {
      const CompatGitFile *file = g_ptr_array_index (files, i);
      g_autoptr (GError) load_error = NULL;

      g_string_append_printf (blobs, "%s ", file->blob);
      if (!compat_git_load (schema, repo, commit, file, &load_error))
        {
          print_load_errors (schema);
          g_propagate_error (error, g_steal_pointer (&load_error));
          return NULL;
        }
    }
  if (key != NULL)
    *key = g_string_free (g_steal_pointer (&blobs), FALSE);
  *n_files = files->len;
  return g_steal_pointer (&schema);
}

static int
compare_revisions (const char *repo, const char *old_rev, const char *new_rev,
                   const char *const *paths, const Settings *settings)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *old_commit = compat_git_resolve (repo, old_rev, &error);
  g_autofree char *new_commit = NULL;
  g_autoptr (VdsmSchema) old_schema = NULL;
  g_autoptr (VdsmSchema) new_schema = NULL;
  g_autofree char *summary = NULL;
  guint n_old = 0, n_new = 0;
  Counts counts;

  if (old_commit != NULL)
    new_commit = compat_git_resolve (repo, new_rev, &error);
  if (new_commit != NULL)
    old_schema = load_commit (repo, old_commit, paths, NULL, &n_old, &error);
  if (old_schema != NULL)
    new_schema = load_commit (repo, new_commit, paths, NULL, &n_new, &error);
  if (new_schema == NULL)
    {
      fprintf (stderr, "vdsm-schema compat: %s\n", error->message);
      return EXIT_ERROR;
    }
  if (n_old == 0 && n_new == 0)
    {
      fprintf (stderr, "vdsm-schema compat: no schema file at %s or %s matches the paths given\n",
               old_rev, new_rev);
      return EXIT_ERROR;
    }
  compare_and_print (old_schema, new_schema, settings, &counts);
  summary = counts_text (&counts, settings);
  printf ("%s\n", summary);
  return counts_fail (&counts, settings) ? EXIT_FAIL : EXIT_PASS;
}

/* What a walk found over all its commits. */
typedef struct {
  guint commits;
  guint verdicts[COMPAT_N_SEVERITIES];  /* commits by their gravest change */
  guint unchanged;    /* compared, nothing to report */
  guint first;        /* no schema before the commit: nothing to compare with */
  guint errors;       /* not loaded */
  guint failed;       /* commits that fail by the settings */
} WalkTally;

/* Judge one commit against its first parent; @cache holds the schema of
 * the previous commit and its key, which the parent often shares. */
static void
walk_commit (const char *repo, const char *commit, const char *const *paths,
             const Settings *settings, VdsmSchema **cache, char **cache_key, WalkTally *tally)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *parent = compat_git_parent (repo, commit, &error);
  g_autofree char *described = compat_git_describe (repo, commit, NULL);
  const char *title = described != NULL ? described : commit;
  g_autofree char *new_key = NULL;
  g_autoptr (VdsmSchema) old_schema = NULL;
  g_autoptr (VdsmSchema) new_schema = NULL;
  g_autofree char *summary = NULL;
  guint n_old = 0, n_new = 0;
  Counts counts;
  int verdict;

  tally->commits++;
  if (parent != NULL)
    {
      g_autoptr (GPtrArray) files = compat_git_files (repo, parent, paths, &error);
      g_autoptr (GString) blobs = g_string_new (NULL);

      for (guint i = 0; files != NULL && i < files->len; i++)
        g_string_append_printf (blobs, "%s ", ((CompatGitFile *) g_ptr_array_index (files, i))->blob);
      if (files != NULL && *cache != NULL && g_strcmp0 (blobs->str, *cache_key) == 0)
        {
          old_schema = g_steal_pointer (cache);
          n_old = files->len;
        }
      else if (files != NULL)
        old_schema = load_commit (repo, parent, paths, NULL, &n_old, &error);
    }
  g_clear_pointer (cache, vdsm_schema_free);
  g_clear_pointer (cache_key, g_free);
  if (error == NULL)
    new_schema = load_commit (repo, commit, paths, &new_key, &n_new, &error);
  if (error != NULL)
    {
      printf ("%s: not judged: %s\n", title, error->message);
      tally->errors++;
      return;
    }
  if (old_schema == NULL || n_old == 0)
    {
      printf ("%s: no schema before this commit, nothing to compare with\n", title);
      tally->first++;
    }
  else
    {
      compare_and_print (old_schema, new_schema, settings, &counts);
      summary = counts_text (&counts, settings);
      printf ("%s: %s\n", title, summary);
      verdict = counts_verdict (&counts);
      if (verdict < 0)
        tally->unchanged++;
      else
        tally->verdicts[verdict]++;
      if (counts_fail (&counts, settings))
        tally->failed++;
    }
  *cache = g_steal_pointer (&new_schema);
  *cache_key = g_steal_pointer (&new_key);
}

static int
walk_revisions (const char *repo, const char *const *ranges, const char *const *paths,
                const Settings *settings)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) commits = compat_git_commits (repo, ranges, paths, &error);
  g_autoptr (VdsmSchema) cache = NULL;
  g_autofree char *cache_key = NULL;
  WalkTally tally = { 0 };

  if (commits == NULL)
    {
      fprintf (stderr, "vdsm-schema compat: %s\n", error->message);
      return EXIT_ERROR;
    }
  for (guint i = 0; i < commits->len; i++)
    walk_commit (repo, g_ptr_array_index (commits, i), paths, settings, &cache, &cache_key,
                 &tally);
  printf ("%u commits: %u breaking, %u risky, %u deprecated, %u compatible, %u without "
          "changes; %u with no schema before them, %u not loaded; %u fail\n",
          tally.commits, tally.verdicts[COMPAT_BREAKING], tally.verdicts[COMPAT_RISKY],
          tally.verdicts[COMPAT_DEPRECATED], tally.verdicts[COMPAT_COMPATIBLE], tally.unchanged,
          tally.first, tally.errors, tally.failed);
  if (tally.errors > 0)
    return EXIT_ERROR;
  return tally.failed > 0 ? EXIT_FAIL : EXIT_PASS;
}

/* ---- The command ---- */

static const char compat_summary[] =
  "Compare two versions of a schema and print every change, one per line:\n"
  "  CLASS: OLD-FILE:LINE -> NEW-FILE:LINE: what\n"
  "the gravest first, then a summary line. A side is '-' when the item\n"
  "does not exist there; with --git, files are named REVISION:PATH.\n"
  "\n"
  "  vdsm-schema compat OLD.yml NEW.yml\n"
  "  vdsm-schema compat --old FILE... --new FILE...\n"
  "  vdsm-schema compat --git REPO OLD-REV NEW-REV PATH...\n"
  "  vdsm-schema compat --git REPO --walk RANGE PATH...";

static const char compat_description[] =
  "Method params are inputs (client to server): the new schema may accept\n"
  "more, never less. Returns and event params are outputs (server to\n"
  "client): the new schema may send less, never more. Types are matched\n"
  "by where they are used, not by name.\n"
  "\n"
  "Classes, gravest first:\n"
  "BREAKING     an existing client or server stops working. Example: a\n"
  "             removed method; a new required param; a removed input\n"
  "             enum value; an output property that became optional; an\n"
  "             output enum whose values were all replaced (DISABLE/ENABLE\n"
  "             became 0/1/2).\n"
  "RISKY        valid, but old clients may not expect it. Example: a new\n"
  "             value of an output enum; a removed optional output\n"
  "             property; a changed default; params that moved.\n"
  "DEPRECATED   nothing breaks yet, but a removal is announced: a method,\n"
  "             type, param or property got 'deprecated: VERSION'. For\n"
  "             release notes; --fail-on-deprecated makes it fatal.\n"
  "COMPATIBLE   everything else. Example: a new method; a new optional\n"
  "             param; a union member that became a union still holding it\n"
  "             (accepts more); a renamed type; a removed type (on the wire\n"
  "             only its uses count).\n"
  "DESCRIPTION  (with --descriptions) a description whose words changed:\n"
  "             'The number of page faults' became 'Average number of page\n"
  "             faults per second'. Listed for review, never a failure.\n"
  "\n"
  "Views (--view): 'wire' (the default) judges what a client on the wire\n"
  "sees: a type no method or event uses is not on the wire. 'api' also\n"
  "judges the C API generated for libvdsm, as a program compiled against\n"
  "it sees it: lines 'C API: ...', all BREAKING, for a removed or renamed\n"
  "C type, a removed or renumbered enum constant, a removed, retyped or\n"
  "moved struct field, a client function whose arguments or answer changed.\n"
  "\n"
  "Git: --git REPO OLD-REV NEW-REV PATH... compares the files PATH names at\n"
  "two revisions; a PATH with '*' or '?' matches files anywhere (git's\n"
  "pathspec rules), so a file that moved is still found. --walk RANGE (as\n"
  "git rev-list takes it, e.g. origin/main..HEAD; several go to one\n"
  "rev-list, e.g. every branch) judges every commit of RANGE that changes\n"
  "a PATH against its first parent, as a CI gate would, with a summary\n"
  "line per commit and one for the walk.\n"
  "\n"
  "Exit status: 0 without breaking changes, 1 with some (or risky or\n"
  "deprecated ones with --fail-on-risky, --fail-on-deprecated; in a walk,\n"
  "when a commit fails), 2 on usage, git or schema load errors.\n"
  "See docs/compat.md.";

/**
 * vdsm_schema_cmd_compat:
 * @argc: argument count, argv[0] being "compat"
 * @argv: (array length=argc): the arguments
 *
 * Returns: 0 without breaking changes, 1 with at least one (or a risky or
 *   deprecated one when asked to fail on those), 2 on usage, git or load
 *   errors.
 */
int
vdsm_schema_cmd_compat (int argc, char **argv)
{
  g_auto (GStrv) old_files = NULL;
  g_auto (GStrv) new_files = NULL;
  g_auto (GStrv) positional = NULL;
  g_auto (GStrv) walk = NULL;
  g_autofree char *view = NULL;
  g_autofree char *repo = NULL;
  Settings settings = { { COMPAT_VIEW_WIRE, FALSE }, FALSE, FALSE, FALSE };
  const GOptionEntry entries[] = {
    { "old", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &old_files,
      "A file of the old (released) schema; repeat for several files", "FILE" },
    { "new", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &new_files,
      "A file of the new schema; repeat for several files", "FILE" },
    { "git", 0, 0, G_OPTION_ARG_FILENAME, &repo,
      "Read the schema files from revisions of the git repository REPO", "REPO" },
    { "walk", 0, 0, G_OPTION_ARG_STRING_ARRAY, &walk,
      "With --git: judge each commit of RANGE that changes a PATH", "RANGE" },
    { "view", 0, 0, G_OPTION_ARG_STRING, &view,
      "wire (default): what clients on the wire see; api: also the generated C API",
      "wire|api" },
    { "descriptions", 0, 0, G_OPTION_ARG_NONE, &settings.options.descriptions,
      "Also list changed descriptions (DESCRIPTION lines; never a failure)", NULL },
    { "fail-on-risky", 0, 0, G_OPTION_ARG_NONE, &settings.fail_on_risky,
      "Exit with status 1 on risky changes too", NULL },
    { "fail-on-deprecated", 0, 0, G_OPTION_ARG_NONE, &settings.fail_on_deprecated,
      "Exit with status 1 on deprecations too", NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &settings.quiet,
      "Leave out COMPATIBLE lines (summaries stay)", NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &positional, NULL, NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr (GOptionContext) context = g_option_context_new (NULL);
  g_autoptr (GError) error = NULL;
  guint n_positional;

  g_option_context_set_summary (context, compat_summary);
  g_option_context_set_description (context, compat_description);
  g_option_context_add_main_entries (context, entries, NULL);
  /* Otherwise GOption names the program after argv[0], "compat". */
  if (g_get_prgname () == NULL)
    g_set_prgname ("vdsm-schema compat");
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "vdsm-schema compat: %s\n", error->message);
      return EXIT_ERROR;
    }
  if (view != NULL && strcmp (view, "api") == 0)
    settings.options.view = COMPAT_VIEW_API;
  else if (view != NULL && strcmp (view, "wire") != 0)
    {
      fprintf (stderr, "vdsm-schema compat: --view is 'wire' or 'api', not '%s'\n", view);
      return EXIT_ERROR;
    }
  n_positional = positional != NULL ? g_strv_length (positional) : 0;

  if (repo != NULL && old_files == NULL && new_files == NULL)
    {
      if (walk != NULL && n_positional >= 1)
        return walk_revisions (repo, (const char *const *) walk,
                               (const char *const *) positional, &settings);
      if (walk == NULL && n_positional >= 3)
        return compare_revisions (repo, positional[0], positional[1],
                                  (const char *const *) positional + 2, &settings);
    }
  else if (repo == NULL && walk == NULL && old_files == NULL && new_files == NULL
           && n_positional == 2)
    {
      char *old_one[] = { positional[0], NULL };
      char *new_one[] = { positional[1], NULL };

      return compare_files (old_one, new_one, &settings);
    }
  else if (repo == NULL && walk == NULL && n_positional == 0 && old_files != NULL
           && new_files != NULL)
    return compare_files (old_files, new_files, &settings);

  fprintf (stderr, "vdsm-schema compat: give OLD.yml NEW.yml, --old and --new files, "
                   "--git REPO OLD-REV NEW-REV PATH..., or --git REPO --walk RANGE PATH...\n"
                   "Try 'vdsm-schema compat --help'.\n");
  return EXIT_ERROR;
}
