/* vdsm-test-run.c: running a program from a test.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vdsm-test-run.h"

#include <gio/gio.h>
#include <string.h>

void
vdsm_test_run_clear (VdsmTestRun *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
  run->status = 0;
}

/* @bytes as a string; output is text, but not trusted to hold no NUL. */
static char *
bytes_to_string (GBytes *bytes)
{
  gsize size = 0;
  const char *data = bytes != NULL ? g_bytes_get_data (bytes, &size) : NULL;

  return g_strndup (data != NULL ? data : "", size);
}

void
vdsm_test_run (VdsmTestRun *run, const char *dir, const char *const *argv,
               const char *input)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE
                               | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GBytes) stdin_bytes = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GBytes) err = NULL;
  g_autoptr(GError) error = NULL;

  vdsm_test_run_clear (run);
  if (dir != NULL)
    g_subprocess_launcher_set_cwd (launcher, dir);
  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  /* No input: an empty stdin, at its end at once. */
  stdin_bytes = g_bytes_new_static (input != NULL ? input : "", input != NULL ? strlen (input) : 0);
  g_subprocess_communicate (process, stdin_bytes, NULL, &out, &err, &error);
  g_assert_no_error (error);
  run->out = bytes_to_string (out);
  run->err = bytes_to_string (err);
  run->status = g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process) : -1;
  g_test_message ("%s: status %d\nstdout:\n%s\nstderr:\n%s", argv[0], run->status, run->out,
                  run->err);
}
