/* vdsm-test-run.h: running a program from a test and keeping what it left.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  int status;    /* the exit status; -1 when it did not exit (a signal) */
  char *out;     /* all of stdout */
  char *err;     /* all of stderr */
} VdsmTestRun;

void vdsm_test_run_clear (VdsmTestRun *run);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (VdsmTestRun, vdsm_test_run_clear)

/* Runs the NULL-terminated @argv in @dir (NULL: the current directory)
 * with @input on its stdin (NULL: none) and waits for it to end; the
 * result replaces what @run held and goes to the test log. The test fails
 * when the program cannot be started. */
void vdsm_test_run (VdsmTestRun *run, const char *dir, const char *const *argv,
                    const char *input);

G_END_DECLS
