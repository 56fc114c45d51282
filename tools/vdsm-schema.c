/* vdsm-schema.c: the schema compiler's entry point and its subcommands.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "commands.h"

#include <glib.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

static const char usage_text[] =
  "NAME\n"
  "    vdsm-schema - check VDSM YAML API schemas and generate C from them\n"
  "\n"
  "SYNOPSIS\n"
  "    vdsm-schema check [OPTION…] FILE…\n"
  "    vdsm-schema generate --output-dir DIR [--strict] [--quiet] FILE…\n"
  "    vdsm-schema compat OLD.yml NEW.yml | --old FILE… --new FILE…\n"
  "    vdsm-schema docs [--title TEXT] OUTDIR FILE…\n"
  "    vdsm-schema examples --output-dir DIR [--toml TEMPLATE] FILE…\n"
  "    vdsm-schema --help | --version\n"
  "\n"
  "DESCRIPTION\n"
  "    vdsm-schema reads schema files in the language of VDSM's vdsm-api.yml\n"
  "    and vdsm-events.yml (YAML 1.1, anchors for type references). Files are\n"
  "    loaded in the order given: the methods of API files merge into one\n"
  "    table, an events file fills the event table, and type references\n"
  "    resolve within their own file.\n"
  "\n"
  "COMMANDS\n"
  "    check\n"
  "        Load the files and report every problem as file:line: severity:\n"
  "        message. See 'vdsm-schema check --help' for its options (counts,\n"
  "        value validation).\n"
  "\n"
  "    generate\n"
  "        Load and check the files, then write the C sources libvdsm is\n"
  "        built from into DIR:\n"
  "            vdsm-types.h, vdsm-types.c\n"
  "                a GEnum per enum, a boxed struct per object and union\n"
  "                and per event's params (VdsmVirtVmStatusEvent; not for a\n"
  "                no_name event, whose params are its map), functions per\n"
  "                map\n"
  "            vdsm-types-private.h\n"
  "                each type's direct JSON writer and typed reader with\n"
  "                path-qualified errors, for the generated code only\n"
  "            vdsm-rpc-handlers.h\n"
  "                one typed handler prototype per method, vdsmd_<ns>_<verb>\n"
  "            vdsm-rpc-dispatch.h, vdsm-rpc-dispatch.c\n"
  "                the method table vdsm_rpc_methods[] that unmarshals params,\n"
  "                calls the handler and writes its result\n"
  "            vdsm-rpc-events.h, vdsm-rpc-events.c\n"
  "                vdsm_rpc_emit_<ns>_<name>() per event\n"
  "            vdsm-client-methods.h, vdsm-client-methods.c\n"
  "                vdsm_client_<ns>_<verb>{,_finish,_sync}() per method\n"
  "        A file is rewritten only when its content changes.\n"
  "\n"
  "        --output-dir, -o DIR   where to write (created if missing)\n"
  "        --strict               schema warnings, and generator warnings\n"
  "                               (name clashes, unusable defaults), are errors\n"
  "        --quiet, -q            do not print warnings\n"
  "\n"
  "    compat\n"
  "        Compare an old (released) and a new version of a schema and\n"
  "        print every change as BREAKING, RISKY or COMPATIBLE with the\n"
  "        file:line of both sides, then a summary; exit status 1 when a\n"
  "        change breaks existing clients or servers. Params are inputs,\n"
  "        returns and event params outputs; types are matched by where\n"
  "        they are used. See 'vdsm-schema compat --help'.\n"
  "\n"
  "    docs\n"
  "        Write a browsable HTML API reference into OUTDIR: an index, a\n"
  "        page per method namespace, the types grouped by kind, the events,\n"
  "        and a search box; self-contained, works from file://.\n"
  "\n"
  "    examples\n"
  "        Write a Markdown page per method namespace into DIR for the\n"
  "        gi-docgen reference of libvdsm: the namespace's typed calls and\n"
  "        a C and a Python program calling one of them. With --toml, also\n"
  "        DIR/libvdsm.toml: TEMPLATE with @CONTENT_FILES@ replaced by the\n"
  "        list of pages.\n"
  "\n"
  "    help\n"
  "        Print this text.\n"
  "\n"
  "NAMING\n"
  "    Type VmStats becomes VdsmVmStats with functions vdsm_vm_stats_*;\n"
  "    method Host.getVMList becomes vdsmd_host_get_vm_list (daemon) and\n"
  "    vdsm_client_host_get_vm_list (client); enum value 'Migration Source'\n"
  "    of VmStatus becomes VDSM_VM_STATUS_MIGRATION_SOURCE, with the wire\n"
  "    text as its GEnum nick. A type that a later file defines differently\n"
  "    is prefixed with that file's name (vdsm-events.yml: VdsmEvents...).\n"
  "\n"
  "EXIT STATUS\n"
  "    0 success, 1 the schema has errors or output failed, 2 usage error.\n"
  "\n"
  "EXAMPLES\n"
  "    vdsm-schema check api/vdsm-api.yml api/vdsm-events.yml\n"
  "    vdsm-schema generate -o build/api api/vdsm-api.yml api/vdsm-events.yml\n";

int
main (int argc, char **argv)
{
  const char *command = argc > 1 ? argv[1] : NULL;

  setlocale (LC_ALL, "");
  if (command == NULL)
    {
      fputs ("vdsm-schema: a command is required\n"
             "Try 'vdsm-schema --help'.\n", stderr);
      return 2;
    }
  if (strcmp (command, "check") == 0)
    return vdsm_schema_cmd_check (argc - 1, argv + 1);
  if (strcmp (command, "generate") == 0)
    return vdsm_schema_cmd_generate (argc - 1, argv + 1);
  if (strcmp (command, "compat") == 0)
    return vdsm_schema_cmd_compat (argc - 1, argv + 1);
  if (strcmp (command, "docs") == 0)
    return vdsm_schema_cmd_docs (argc - 1, argv + 1);
  if (strcmp (command, "examples") == 0)
    return vdsm_schema_cmd_examples (argc - 1, argv + 1);
  if (strcmp (command, "help") == 0 || strcmp (command, "--help") == 0
      || strcmp (command, "-h") == 0)
    {
      fputs (usage_text, stdout);
      return 0;
    }
  if (strcmp (command, "--version") == 0)
    {
      printf ("vdsm-schema %s\n", PACKAGE_VERSION);
      return 0;
    }
  fprintf (stderr, "vdsm-schema: unknown command '%s'\n"
                   "Try 'vdsm-schema --help'.\n", command);
  return 2;
}
