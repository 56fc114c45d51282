/* Subcommands of vdsm-schema; each returns the process exit status. */
#pragma once

int vdsm_schema_cmd_check (int argc, char **argv);
int vdsm_schema_cmd_generate (int argc, char **argv);
int vdsm_schema_cmd_compat (int argc, char **argv);
int vdsm_schema_cmd_docs (int argc, char **argv);
int vdsm_schema_cmd_examples (int argc, char **argv);
