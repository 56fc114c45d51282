/* cmd-check.c: `vdsm-schema check`: load schema files, print diagnostics
 * and, on request, counts.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "commands.h"

#include <stdio.h>

#include "vdsm-schema.h"

static void
print_json (JsonNode *node)
{
  g_autofree char *text = json_to_string (node, FALSE);

  g_print ("%s\n", text);
}

/* {"files": {"<basename>": {...}}}, in the shape of expected-counts.json. */
static JsonNode *
per_file_stats (VdsmSchema *schema)
{
  g_autoptr (JsonObject) files = json_object_new ();
  JsonObject *root = json_object_new ();
  GPtrArray *loaded = vdsm_schema_get_files (schema);

  for (guint i = 0; i < loaded->len; i++)
    {
      VdsmSchemaFile *file = g_ptr_array_index (loaded, i);
      g_autofree char *base = g_path_get_basename (file->path);

      if (file->stats != NULL)
        json_object_set_member (files, base, json_node_copy (file->stats));
    }
  json_object_set_object_member (root, "files", g_steal_pointer (&files));
  return json_node_init_object (json_node_alloc (), root);
}

/**
 * vdsm_schema_cmd_check:
 * @argc: argument count, argv[0] being "check"
 * @argv: (array length=argc): the arguments
 *
 * Returns: 0 when every file loaded without error, 1 on schema errors,
 *   2 on usage errors.
 */
int
vdsm_schema_cmd_check (int argc, char **argv)
{
  gboolean stats = FALSE, strict = FALSE, per_file = FALSE;
  GOptionEntry entries[] = {
    { "stats", 0, 0, G_OPTION_ARG_NONE, &stats,
      "Print combined counts as one JSON object on stdout: "
      "{\"types\",\"methods\",\"namespaces\",\"params\",\"events\"}", NULL },
    { "strict", 0, 0, G_OPTION_ARG_NONE, &strict,
      "Turn every warning into an error (for libvdsm's own schema)", NULL },
    { "json-stats-per-file", 0, 0, G_OPTION_ARG_NONE, &per_file,
      "Print per-file counts on stdout as {\"files\": {NAME: {...}}}, in the shape "
      "of expected-counts.json (before --stats output when both are given)", NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("FILE...");
  g_autoptr (GError) error = NULL;
  g_autoptr (VdsmSchema) schema = vdsm_schema_new ();
  GPtrArray *diagnostics;
  gboolean failed = FALSE;

  g_option_context_set_summary (context,
                                "Load VDSM YAML schema files and report their problems "
                                "as FILE:LINE: error|warning: MESSAGE on stderr.\n"
                                "API files merge into one method table; a file whose "
                                "keys are |ns|name| events fills the event table.\n"
                                "Exit status: 0 without errors, 1 on schema errors, "
                                "2 on usage errors.");
  g_option_context_add_main_entries (context, entries, NULL);
  /* Otherwise GOption names the program after argv[0], "check". */
  if (g_get_prgname () == NULL)
    g_set_prgname ("vdsm-schema check");
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("check: %s\n", error->message);
      return 2;
    }
  if (argc < 2)
    {
      g_printerr ("check: no schema FILE given (see --help)\n");
      return 2;
    }

  for (int i = 1; i < argc; i++)
    if (!vdsm_schema_load_file (schema, argv[i],
                                strict ? VDSM_SCHEMA_LOAD_STRICT : VDSM_SCHEMA_LOAD_DEFAULT,
                                NULL))
      failed = TRUE;

  diagnostics = vdsm_schema_get_diagnostics (schema);
  for (guint i = 0; i < diagnostics->len; i++)
    {
      g_autofree char *line = vdsm_schema_diagnostic_format (g_ptr_array_index (diagnostics, i));

      g_printerr ("%s\n", line);
    }

  if (per_file)
    {
      g_autoptr (JsonNode) node = per_file_stats (schema);

      print_json (node);
    }
  if (stats)
    {
      g_autoptr (JsonNode) node = vdsm_schema_get_summary (schema);

      print_json (node);
    }
  return failed ? 1 : 0;
}
