/* cmd-docs.c: `vdsm-schema docs`: load schema files and write the HTML API
 * reference.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "commands.h"
#include "docs.h"

#include <stdio.h>

/**
 * vdsm_schema_cmd_docs:
 * @argc: argument count, argv[0] being "docs"
 * @argv: (array length=argc): the arguments
 *
 * Returns: 0 on success, 1 on schema errors or when writing fails, 2 on
 *   usage errors.
 */
int
vdsm_schema_cmd_docs (int argc, char **argv)
{
  g_autofree char *title = NULL;
  g_autofree char *served_path = NULL;
  g_autoptr (GHashTable) served = NULL;
  g_auto (GStrv) args = NULL;
  gboolean verbose = FALSE;
  const GOptionEntry entries[] = {
    { "title", 't', 0, G_OPTION_ARG_STRING, &title,
      "The title on every page (default: \"API reference\")", "TEXT" },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose,
      "Print schema warnings too, not only errors", NULL },
    { "served", 0, 0, G_OPTION_ARG_FILENAME, &served_path,
      "Mark the methods not listed in FILE (one name a line) as not served", "FILE" },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &args, NULL, NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("OUTDIR FILE...");
  g_autoptr (GError) error = NULL;
  g_autoptr (VdsmSchema) schema = vdsm_schema_new ();
  GPtrArray *diagnostics;
  gboolean ok = TRUE;

  g_option_context_set_summary (context,
    "Write a browsable HTML reference of the schema FILEs into OUTDIR:\n"
    "index.html, one ns-<Namespace>.html per method namespace, types.html,\n"
    "events.html, and the style sheet and search script they use. The\n"
    "pages need nothing else and work when opened from the file system.");
  g_option_context_set_description (context,
    "Exit status: 0 on success, 1 on schema errors or write errors,\n"
    "2 on usage errors.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (g_get_prgname () == NULL)
    g_set_prgname ("vdsm-schema docs");
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "vdsm-schema docs: %s\n", error->message);
      return 2;
    }
  if (args == NULL || g_strv_length (args) < 2)
    {
      fprintf (stderr, "vdsm-schema docs: OUTDIR and at least one FILE are required\n"
                       "Try 'vdsm-schema docs --help'.\n");
      return 2;
    }

  for (char **file = args + 1; *file != NULL; file++)
    if (!vdsm_schema_load_file (schema, *file, VDSM_SCHEMA_LOAD_DEFAULT, NULL))
      ok = FALSE;
  diagnostics = vdsm_schema_get_diagnostics (schema);
  for (guint i = 0; i < diagnostics->len; i++)
    {
      const VdsmSchemaDiagnostic *diag = g_ptr_array_index (diagnostics, i);
      g_autofree char *text = NULL;

      if (!verbose && diag->severity != VDSM_SCHEMA_SEVERITY_ERROR)
        continue;
      text = vdsm_schema_diagnostic_format (diag);
      fprintf (stderr, "%s\n", text);
    }
  if (!ok)
    return 1;

  if (served_path != NULL)
    {
      served = vdsm_schema_read_served (schema, served_path, &error);
      if (served == NULL)
        {
          fprintf (stderr, "vdsm-schema docs: %s\n", error->message);
          return 1;
        }
    }
  if (!emit_docs (schema, args[0], title != NULL ? title : "API reference", served, &error))
    {
      fprintf (stderr, "vdsm-schema docs: %s\n", error->message);
      return 1;
    }
  return 0;
}
