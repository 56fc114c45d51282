/* cmd-examples.c: `vdsm-schema examples`: load schema files and write the
 * per-namespace example pages of libvdsm's C API reference.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "commands.h"
#include "emitters.h"

#include <stdio.h>

int
vdsm_schema_cmd_examples (int argc, char **argv)
{
  g_autofree char *output_dir = NULL;
  g_autofree char *toml = NULL;
  g_auto(GStrv) files = NULL;
  const GOptionEntry entries[] = {
    { "output-dir", 'o', 0, G_OPTION_ARG_FILENAME, &output_dir,
      "Write the pages into DIR (required)", "DIR" },
    { "toml", 0, 0, G_OPTION_ARG_FILENAME, &toml,
      "Also write DIR/libvdsm.toml: TEMPLATE with @CONTENT_FILES@ replaced by the pages",
      "TEMPLATE" },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, NULL, "FILE…" },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("FILE… - write example pages");
  g_autoptr(GError) error = NULL;
  g_autoptr(VdsmSchema) schema = vdsm_schema_new ();
  g_autoptr(GenModel) model = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_description (context,
    "Writes namespace-<ns>.md per method namespace: the namespace's typed\n"
    "calls and a C and a Python program calling one of them, as content\n"
    "files for gi-docgen (make docs).\n\n"
    "Exit status: 0 on success, 1 on schema or write errors, 2 on usage errors.");
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "vdsm-schema examples: %s\n", error->message);
      return 2;
    }
  if (output_dir == NULL || files == NULL || files[0] == NULL)
    {
      fprintf (stderr, "vdsm-schema examples: --output-dir and at least one FILE are required\n"
                       "Try 'vdsm-schema examples --help'.\n");
      return 2;
    }
  for (char **file = files; *file != NULL; file++)
    if (!vdsm_schema_load_file (schema, *file, VDSM_SCHEMA_LOAD_DEFAULT, &error))
      {
        fprintf (stderr, "vdsm-schema examples: %s\n", error->message);
        return 1;
      }
  model = gen_model_new (schema, TRUE);
  if (g_mkdir_with_parents (output_dir, 0755) != 0)
    {
      fprintf (stderr, "vdsm-schema examples: cannot create %s\n", output_dir);
      return 1;
    }
  if (!emit_examples (model, output_dir, toml, &error))
    {
      fprintf (stderr, "vdsm-schema examples: %s\n", error->message);
      return 1;
    }
  return 0;
}
