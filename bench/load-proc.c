/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The server's own accounting, read from /proc while it runs: CPU time of
 * all its threads (utime + stime) and its resident set (VmRSS, and the peak
 * VmHWM, which can be reset so that each run reports its own peak). */
#include "load-proc.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/**
 * load_proc_cpu_seconds:
 * @pid: a process
 * @seconds: (out): user + system CPU time it used so far, all threads
 *
 * Returns: FALSE when the process is gone or /proc is unreadable.
 */
gboolean
load_proc_cpu_seconds (int pid, gdouble *seconds)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *text = NULL;
  g_auto(GStrv) fields = NULL;
  const char *after_name;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return FALSE;
  /* The command name may hold spaces and ')'; the fields start after the
   * last ')'. From there, utime and stime are the 12th and 13th. */
  after_name = strrchr (text, ')');
  if (after_name == NULL)
    return FALSE;
  fields = g_strsplit (after_name + 2, " ", 14);
  if (g_strv_length (fields) < 14)
    return FALSE;
  *seconds = (g_ascii_strtod (fields[11], NULL) + g_ascii_strtod (fields[12], NULL))
             / (gdouble) sysconf (_SC_CLK_TCK);
  return TRUE;
}

static guint64
status_kib (const char *status, const char *name)
{
  const char *line = strstr (status, name);

  return line ? g_ascii_strtoull (line + strlen (name), NULL, 10) : 0;
}

/**
 * load_proc_memory_kib:
 * @pid: a process
 * @rss_kib: (out): its resident set now
 * @hwm_kib: (out): the peak of its resident set
 *
 * Returns: FALSE when the process is gone or /proc is unreadable.
 */
/**
 * load_proc_reset_peak:
 * @pid: a process of the same user (or any, for root)
 *
 * Resets the process's VmHWM to its current resident set (clear_refs 5).
 *
 * Returns: FALSE when not permitted; VmHWM then spans the process's life.
 */
gboolean
load_proc_reset_peak (int pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/clear_refs", pid);
  int fd = open (path, O_WRONLY | O_CLOEXEC);
  gboolean ok;

  /* Not g_file_set_contents(): /proc files are written in place. */
  if (fd < 0)
    return FALSE;
  ok = write (fd, "5", 1) == 1;
  close (fd);
  return ok;
}

gboolean
load_proc_memory_kib (int pid, guint64 *rss_kib, guint64 *hwm_kib)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", pid);
  g_autofree char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return FALSE;
  *rss_kib = status_kib (text, "\nVmRSS:");
  *hwm_kib = status_kib (text, "\nVmHWM:");
  return TRUE;
}
