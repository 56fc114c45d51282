/* fuzz-common.c: logging set-up and failure reporting for the harnesses.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "fuzz-common.h"

#include <stdio.h>
#include <stdlib.h>

/* Hostile input makes the code under test log (g_message per bad request);
 * printing that would dominate the run time. Criticals and errors are
 * bugs, so they are printed and abort. VDSM_FUZZ_LOG=1 prints everything,
 * for reproducing a finding. */
static GLogWriterOutput
quiet_writer (GLogLevelFlags level, const GLogField *fields, gsize n_fields,
              gpointer user_data)
{
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL))
    {
      g_log_writer_standard_streams (level, fields, n_fields, user_data);
      abort ();
    }
  return G_LOG_WRITER_HANDLED;
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  if (g_strcmp0 (g_getenv ("VDSM_FUZZ_LOG"), "1") != 0)
    g_log_set_writer_func (quiet_writer, NULL, NULL);
  return 0;
}

void
fuzz_check_utf8 (const char *file, int line, const char *text, gssize length,
                 const char *what)
{
  g_autofree char *copy = NULL;
  g_autofree char *escaped = NULL;

  if (g_utf8_validate (text, length, NULL))
    return;
  copy = length < 0 ? g_strdup (text) : g_strndup (text, length);
  escaped = g_strescape (copy, NULL);
  fuzz_fail (file, line, "valid UTF-8", "%s is not UTF-8: %s", what, escaped);
}

void
fuzz_fail (const char *file, int line, const char *cond, const char *format, ...)
{
  va_list args;

  fprintf (stderr, "%s:%d: invariant broken: %s\n  ", file, line, cond);
  va_start (args, format);
  vfprintf (stderr, format, args);
  va_end (args);
  fputc ('\n', stderr);
  fflush (stderr);
  abort ();
}
