/* compat-git.c: schema files read from the revisions of a git repository.
 *
 * Everything goes through the git command, run without a shell; revisions
 * that look like options are refused, and paths always follow "--".
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "compat-git.h"

#include <gio/gio.h>
#include <string.h>

static void
git_file_free (CompatGitFile *file)
{
  g_free (file->path);
  g_free (file->blob);
  g_free (file);
}

/* Run git in @repo with @args; its output in @out. A non-zero exit is an
 * error carrying git's own message, unless @quiet_failure (then FALSE
 * without an error). */
static gboolean
run_git (const char *repo, const char *const *args, gboolean quiet_failure,
         GBytes **out, GError **error)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GBytes) err_bytes = NULL;
  g_autofree char *err_text = NULL;

  g_ptr_array_add (argv, (gpointer) "git");
  g_ptr_array_add (argv, (gpointer) "-C");
  g_ptr_array_add (argv, (gpointer) repo);
  for (const char *const *arg = args; *arg != NULL; arg++)
    g_ptr_array_add (argv, (gpointer) *arg);
  g_ptr_array_add (argv, NULL);
  process = g_subprocess_newv ((const char *const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                               error);
  if (process == NULL)
    return FALSE;
  if (!g_subprocess_communicate (process, NULL, NULL, out, &err_bytes, error))
    return FALSE;
  if (g_subprocess_get_if_exited (process) && g_subprocess_get_exit_status (process) == 0)
    return TRUE;
  g_clear_pointer (out, g_bytes_unref);
  if (quiet_failure)
    return FALSE;
  err_text = g_strndup (g_bytes_get_data (err_bytes, NULL), g_bytes_get_size (err_bytes));
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "git %s in %s: %s", args[0], repo,
               g_strstrip (err_text));
  return FALSE;
}

/* git's output as one trimmed line. */
static char *
git_line (const char *repo, const char *const *args, gboolean quiet_failure, GError **error)
{
  g_autoptr (GBytes) out = NULL;
  char *text;

  if (!run_git (repo, args, quiet_failure, &out, error))
    return NULL;
  text = g_strndup (g_bytes_get_data (out, NULL), g_bytes_get_size (out));
  return g_strstrip (text);
}

char *
compat_git_resolve (const char *repo, const char *rev, GError **error)
{
  g_autofree char *spec = NULL;

  if (rev[0] == '-')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "'%s' is not a revision", rev);
      return NULL;
    }
  spec = g_strconcat (rev, "^{commit}", NULL);
  return git_line (repo, (const char *const[]) { "rev-parse", "--verify", spec, NULL },
                   FALSE, error);
}

char *
compat_git_parent (const char *repo, const char *commit, GError **error)
{
  g_autofree char *spec = g_strconcat (commit, "^", NULL);

  return git_line (repo, (const char *const[]) { "rev-parse", "--verify", "--quiet", spec, NULL },
                   TRUE, error);
}

char *
compat_git_describe (const char *repo, const char *commit, GError **error)
{
  return git_line (repo, (const char *const[]) { "log", "-1", "--format=%h %s", commit, NULL },
                   FALSE, error);
}

static gboolean
has_wildcard (const char *path)
{
  return strpbrk (path, "*?") != NULL;
}

/* "100644 blob <id>\t<path>" lines of `git ls-tree -r -z`. */
static GPtrArray *
tree_files (const char *repo, const char *commit, GError **error)
{
  g_autoptr (GBytes) out = NULL;
  GPtrArray *files = g_ptr_array_new_with_free_func ((GDestroyNotify) git_file_free);
  const char *data, *end;
  gsize size;

  if (!run_git (repo, (const char *const[]) { "ls-tree", "-r", "-z", commit, NULL }, FALSE,
                &out, error))
    {
      g_ptr_array_unref (files);
      return NULL;
    }
  data = g_bytes_get_data (out, &size);
  end = data + size;
  while (data < end)
    {
      const char *record_end = memchr (data, '\0', end - data);
      const char *tab = memchr (data, '\t', (record_end != NULL ? record_end : end) - data);
      g_autofree char *head = NULL;
      g_auto (GStrv) fields = NULL;

      if (record_end == NULL || tab == NULL)
        break;
      head = g_strndup (data, tab - data);
      fields = g_strsplit (head, " ", 3);
      if (g_strv_length (fields) == 3 && strcmp (fields[1], "blob") == 0)
        {
          CompatGitFile *file = g_new0 (CompatGitFile, 1);

          file->blob = g_strdup (fields[2]);
          file->path = g_strndup (tab + 1, record_end - tab - 1);
          g_ptr_array_add (files, file);
        }
      data = record_end + 1;
    }
  return files;
}

GPtrArray *
compat_git_files (const char *repo, const char *commit, const char *const *paths,
                  GError **error)
{
  g_autoptr (GPtrArray) tree = tree_files (repo, commit, error);
  GPtrArray *found = g_ptr_array_new_with_free_func ((GDestroyNotify) git_file_free);

  if (tree == NULL)
    {
      g_ptr_array_unref (found);
      return NULL;
    }
  for (const char *const *path = paths; *path != NULL; path++)
    for (guint i = 0; i < tree->len; i++)
      {
        const CompatGitFile *file = g_ptr_array_index (tree, i);
        CompatGitFile *copy;

        if (has_wildcard (*path) ? !g_pattern_match_simple (*path, file->path)
                                 : strcmp (*path, file->path) != 0)
          continue;
        copy = g_new0 (CompatGitFile, 1);
        copy->path = g_strdup (file->path);
        copy->blob = g_strdup (file->blob);
        g_ptr_array_add (found, copy);
      }
  return found;
}

gboolean
compat_git_load (VdsmSchema *schema, const char *repo, const char *commit,
                 const CompatGitFile *file, GError **error)
{
  g_autoptr (GBytes) content = NULL;
  g_autofree char *abbrev = NULL;
  g_autofree char *name = NULL;
  gsize size;
  const char *data;

  abbrev = git_line (repo, (const char *const[]) { "rev-parse", "--short", commit, NULL },
                     FALSE, error);
  if (abbrev == NULL
      || !run_git (repo, (const char *const[]) { "cat-file", "blob", file->blob, NULL },
                   FALSE, &content, error))
    return FALSE;
  name = g_strdup_printf ("%s:%s", abbrev, file->path);
  data = g_bytes_get_data (content, &size);
  return vdsm_schema_load_data (schema, name, data, size, VDSM_SCHEMA_LOAD_DEFAULT, error);
}

GPtrArray *
compat_git_commits (const char *repo, const char *const *ranges, const char *const *paths,
                    GError **error)
{
  g_autoptr (GPtrArray) args = g_ptr_array_new ();
  g_autoptr (GBytes) out = NULL;
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  GPtrArray *commits;

  g_ptr_array_add (args, (gpointer) "rev-list");
  g_ptr_array_add (args, (gpointer) "--reverse");
  for (const char *const *range = ranges; *range != NULL; range++)
    {
      if ((*range)[0] == '-')
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "'%s' is not a revision range", *range);
          return NULL;
        }
      g_ptr_array_add (args, (gpointer) *range);
    }
  g_ptr_array_add (args, (gpointer) "--");
  for (const char *const *path = paths; *path != NULL; path++)
    g_ptr_array_add (args, (gpointer) *path);
  g_ptr_array_add (args, NULL);
  if (!run_git (repo, (const char *const *) args->pdata, FALSE, &out, error))
    return NULL;
  text = g_strndup (g_bytes_get_data (out, NULL), g_bytes_get_size (out));
  lines = g_strsplit (g_strstrip (text), "\n", -1);
  commits = g_ptr_array_new_with_free_func (g_free);
  for (char **line = lines; *line != NULL; line++)
    if (**line != '\0')
      g_ptr_array_add (commits, g_strdup (*line));
  return commits;
}
