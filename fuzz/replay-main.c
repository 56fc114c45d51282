/* replay-main.c: runs a harness over corpus files without libFuzzer, so
 * that `meson test` (and the ASan build) replays the seed corpus with the
 * ordinary compiler. Arguments are files or directories (every regular
 * file inside, in name order). Output is TAP, one test per input, the
 * empty input first as libFuzzer does. Each input runs in a child
 * process, so that one crash does not hide the verdict on the others.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "fuzz-common.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int
compare_paths (gconstpointer a, gconstpointer b, gpointer user_data)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static gboolean
collect (GPtrArray *paths, const char *arg, GError **error)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;
  guint first = paths->len;

  if (!g_file_test (arg, G_FILE_TEST_IS_DIR))
    {
      g_ptr_array_add (paths, g_strdup (arg));
      return TRUE;
    }
  dir = g_dir_open (arg, 0, error);
  if (dir == NULL)
    return FALSE;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (arg, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        g_ptr_array_add (paths, g_steal_pointer (&path));
    }
  g_qsort_with_data (paths->pdata + first, paths->len - first, sizeof (gpointer),
                     compare_paths, NULL);
  return TRUE;
}

/* Runs the harness on @contents in a child; returns NULL on success or
 * how the child ended. The input sits in a buffer of exactly its size, so
 * that ASan sees any read past its end (g_file_get_contents() adds a NUL). */
static char *
run_one (const char *contents, gsize length)
{
  int status;
  pid_t pid;

  fflush (stdout);
  fflush (stderr);
  pid = fork ();
  if (pid < 0)
    return g_strdup_printf ("fork: %s", g_strerror (errno));
  if (pid == 0)
    {
      uint8_t *data = g_malloc (MAX (length, 1));

      memcpy (data, contents, length);
      LLVMFuzzerTestOneInput (data, length);
      g_free (data);
      /* exit(), not _exit(): LeakSanitizer checks at exit. */
      exit (0);
    }
  if (waitpid (pid, &status, 0) < 0)
    return g_strdup_printf ("waitpid: %s", g_strerror (errno));
  if (WIFSIGNALED (status))
    return g_strdup_printf ("killed by signal %d", WTERMSIG (status));
  if (WEXITSTATUS (status) != 0)
    return g_strdup_printf ("exit status %d", WEXITSTATUS (status));
  return NULL;
}

static gboolean
report (guint number, const char *name, char *failure)
{
  if (failure == NULL)
    printf ("ok %u - %s\n", number, name);
  else
    printf ("not ok %u - %s: %s\n", number, name, failure);
  g_free (failure);
  return failure == NULL;
}

int
main (int argc, char **argv)
{
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  int failed = 0;

  LLVMFuzzerInitialize (&argc, &argv);
  for (int i = 1; i < argc; i++)
    {
      g_autoptr(GError) error = NULL;

      if (!collect (paths, argv[i], &error))
        {
          fprintf (stderr, "%s: %s\n", argv[0], error->message);
          return 1;
        }
    }
  if (paths->len == 0)
    {
      fprintf (stderr, "usage: %s CORPUS_DIR_OR_FILE...\n", argv[0]);
      return 2;
    }

  printf ("1..%u\n", paths->len + 1);
  if (!report (1, "(empty input)", run_one ("", 0)))
    failed++;
  for (guint i = 0; i < paths->len; i++)
    {
      const char *path = paths->pdata[i];
      g_autoptr(GError) error = NULL;
      g_autofree char *contents = NULL;
      gsize length;

      if (!g_file_get_contents (path, &contents, &length, &error))
        {
          report (i + 2, path, g_strdup (error->message));
          failed++;
        }
      else if (!report (i + 2, path, run_one (contents, length)))
        failed++;
    }
  return failed ? 1 : 0;
}
