/* cmd-compat.c: `vdsm-schema compat`: report what changed between two
 * versions of a schema, and whether existing clients and servers survive it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "commands.h"
#include "compat.h"

#include <stdio.h>

/* Load one side; on failure print its errors (warnings are not this
 * command's business: `check` reports them). */
static VdsmSchema *
load_side (char **files)
{
  g_autoptr (VdsmSchema) schema = vdsm_schema_new ();
  gboolean ok = TRUE;
  GPtrArray *diagnostics;

  for (char **file = files; *file != NULL; file++)
    if (!vdsm_schema_load_file (schema, *file, VDSM_SCHEMA_LOAD_DEFAULT, NULL))
      ok = FALSE;
  if (ok)
    return g_steal_pointer (&schema);
  diagnostics = vdsm_schema_get_diagnostics (schema);
  for (guint i = 0; i < diagnostics->len; i++)
    {
      const VdsmSchemaDiagnostic *diag = g_ptr_array_index (diagnostics, i);
      g_autofree char *text = NULL;

      if (diag->severity != VDSM_SCHEMA_SEVERITY_ERROR)
        continue;
      text = vdsm_schema_diagnostic_format (diag);
      fprintf (stderr, "%s\n", text);
    }
  return NULL;
}

/**
 * vdsm_schema_cmd_compat:
 * @argc: argument count, argv[0] being "compat"
 * @argv: (array length=argc): the arguments
 *
 * Returns: 0 without breaking changes, 1 with at least one (or a risky one
 *   with --fail-on-risky), 2 on usage or load errors.
 */
int
vdsm_schema_cmd_compat (int argc, char **argv)
{
  g_auto (GStrv) old_files = NULL;
  g_auto (GStrv) new_files = NULL;
  g_auto (GStrv) positional = NULL;
  gboolean fail_on_risky = FALSE, quiet = FALSE;
  const GOptionEntry entries[] = {
    { "old", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &old_files,
      "A file of the old (released) schema; repeat for several files", "FILE" },
    { "new", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &new_files,
      "A file of the new schema; repeat for several files", "FILE" },
    { "fail-on-risky", 0, 0, G_OPTION_ARG_NONE, &fail_on_risky,
      "Exit with status 1 on risky changes too", NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet,
      "Print only breaking and risky changes (and the summary)", NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &positional, NULL, NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr (GOptionContext) context =
    g_option_context_new ("OLD.yml NEW.yml | --old FILE... --new FILE...");
  g_autoptr (GError) error = NULL;
  g_autoptr (VdsmSchema) old_schema = NULL;
  g_autoptr (VdsmSchema) new_schema = NULL;
  g_autoptr (GPtrArray) changes = NULL;
  guint counts[COMPAT_BREAKING + 1] = { 0 };

  g_option_context_set_summary (context,
    "Compare two versions of a schema and print every change, one per line:\n"
    "  BREAKING|RISKY|COMPATIBLE: OLD-FILE:LINE -> NEW-FILE:LINE: what\n"
    "breaking ones first, then risky, then compatible, and a summary line.\n"
    "A side is '-' when the item does not exist there.");
  g_option_context_set_description (context,
    "Method params are inputs (client to server): the new schema may accept\n"
    "more, never less. Returns and event params are outputs (server to\n"
    "client): the new schema may promise less, never more. Types used both\n"
    "ways must keep their values. Types are matched by where they are used,\n"
    "so a renamed type with the same structure is compatible.\n"
    "\n"
    "BREAKING    an existing client or server stops working: a removed\n"
    "            method, event, type, param or property; a new or newly\n"
    "            required input member; an output member that became\n"
    "            optional; a changed type; a narrowed input (such as a\n"
    "            removed enum value); a widened output.\n"
    "RISKY       valid, but old clients may not expect it: a new enum value or\n"
    "            union member in an output, a changed default, params that\n"
    "            moved (for callers passing an array), a return added to a\n"
    "            method that answered true.\n"
    "COMPATIBLE  everything else: additions, widened inputs, renames.\n"
    "\n"
    "Exit status: 0 without breaking changes, 1 with some, 2 on usage or\n"
    "schema load errors.");
  g_option_context_add_main_entries (context, entries, NULL);
  /* Otherwise GOption names the program after argv[0], "compat". */
  if (g_get_prgname () == NULL)
    g_set_prgname ("vdsm-schema compat");
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "vdsm-schema compat: %s\n", error->message);
      return 2;
    }
  if (old_files == NULL && new_files == NULL && positional != NULL
      && g_strv_length (positional) == 2)
    {
      const char *old_one[] = { positional[0], NULL };
      const char *new_one[] = { positional[1], NULL };

      old_files = g_strdupv ((char **) old_one);
      new_files = g_strdupv ((char **) new_one);
    }
  else if (positional != NULL || old_files == NULL || new_files == NULL)
    {
      fprintf (stderr, "vdsm-schema compat: give OLD.yml NEW.yml, or --old and --new files\n"
                       "Try 'vdsm-schema compat --help'.\n");
      return 2;
    }

  old_schema = load_side (old_files);
  new_schema = load_side (new_files);
  if (old_schema == NULL || new_schema == NULL)
    {
      fprintf (stderr, "vdsm-schema compat: the %s schema has errors\n",
               old_schema == NULL ? "old" : "new");
      return 2;
    }

  changes = compat_compare (old_schema, new_schema);
  for (guint i = 0; i < changes->len; i++)
    {
      const CompatChange *change = g_ptr_array_index (changes, i);
      g_autofree char *line = NULL;

      counts[change->severity]++;
      if (quiet && change->severity == COMPAT_COMPATIBLE)
        continue;
      line = compat_change_format (change);
      printf ("%s\n", line);
    }
  printf ("%u breaking, %u risky, %u compatible\n", counts[COMPAT_BREAKING],
          counts[COMPAT_RISKY], counts[COMPAT_COMPATIBLE]);
  if (counts[COMPAT_BREAKING] > 0 || (fail_on_risky && counts[COMPAT_RISKY] > 0))
    return 1;
  return 0;
}
