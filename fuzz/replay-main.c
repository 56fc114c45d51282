/* replay-main.c: runs a harness over corpus files without libFuzzer, so
 * that `meson test` (and the ASan build) replays the seed corpus with the
 * ordinary compiler. Arguments are files or directories (every regular
 * file inside, in name order). Output is TAP, one test per input, the
 * empty input first as libFuzzer does.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "fuzz-common.h"

#include <stdio.h>
#include <string.h>

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

/* The input in a buffer of exactly its size, so that ASan sees any read
 * past its end (g_file_get_contents() adds a NUL). */
static void
run_one (const char *contents, gsize length)
{
  g_autofree uint8_t *data = g_malloc (MAX (length, 1));

  memcpy (data, contents, length);
  LLVMFuzzerTestOneInput (data, length);
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
  run_one ("", 0);
  printf ("ok 1 - (empty input)\n");
  for (guint i = 0; i < paths->len; i++)
    {
      const char *path = paths->pdata[i];
      g_autoptr(GError) error = NULL;
      g_autofree char *contents = NULL;
      gsize length;

      /* A crash aborts the whole run: TAP then reports the missing tests,
       * and the last "# running" line names the input. */
      printf ("# running %s\n", path);
      fflush (stdout);
      if (!g_file_get_contents (path, &contents, &length, &error))
        {
          printf ("not ok %u - %s: %s\n", i + 2, path, error->message);
          failed++;
          continue;
        }
      run_one (contents, length);
      printf ("ok %u - %s\n", i + 2, path);
    }
  return failed ? 1 : 0;
}
