/* vdsm-client-tool-complete.h: shell completion answered by the tool
 * itself, from its options and embedded schema, so that it never drifts
 * from what the tool accepts (client/vdsm-client.bash-completion asks).
 *
 *   vdsm-client --complete INDEX WORD0 WORD1 …
 *
 * WORD0… is the command line (WORD0 the program), each NAME=VALUE or
 * --option=value whole, and INDEX the position of the word being
 * completed (it may be one past the last word: a new, empty word). The
 * answer, on standard output, is one line saying what to complete, then
 * the candidates, one a line:
 *
 *   words   the lines that follow, whole words that start with the current
 *           one (a candidate ending in '=' wants no space after it)
 *   files   file names (the word is an option's FILE argument)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "vdsm-schema.h"

G_BEGIN_DECLS

#define TOOL_COMPLETE_OPTION "--complete"
/* The command that prints events; not a namespace of the schema. */
#define TOOL_EVENTS_COMMAND "events"

/* @entries are the tool's options (G_OPTION_ENTRY_NULL-terminated). */
void tool_complete (VdsmSchema *schema, const GOptionEntry *entries, const char *const *words,
                    guint index, GString *out);

G_END_DECLS
