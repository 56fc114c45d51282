/* compat-git.h: schema files read from the revisions of a git repository,
 * for `vdsm-schema compat --git` (docs/compat.md "In CI").
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "vdsm-schema.h"

G_BEGIN_DECLS

/* One schema file of one commit. */
typedef struct {
  char *path;   /* in the repository */
  char *blob;   /* the object id of its content */
} CompatGitFile;

/* The full id of the commit @rev names; @rev must not start with '-'. */
char *compat_git_resolve (const char *repo, const char *rev, GError **error);

/* The first parent of @commit, or NULL without an error for a root commit. */
char *compat_git_parent (const char *repo, const char *commit, GError **error);

/* The abbreviated id and the subject line of @commit: "4355f40c4 api: ...". */
char *compat_git_describe (const char *repo, const char *commit, GError **error);

/* The files of @commit that @paths name, in the order of @paths; a path
 * with a wildcard (`*`, `?`) is matched against every file of the commit
 * as git matches pathspecs ('*' crosses '/'). A path that matches nothing
 * is left out (it may not exist yet or any more).
 * Returns: (transfer full) (element-type CompatGitFile) */
GPtrArray *compat_git_files (const char *repo, const char *commit,
                             const char *const *paths, GError **error);

/* Load @file of @commit into @schema, named "ABBREV:PATH" in diagnostics
 * and in compat's lines. FALSE with @error when git fails or the file has
 * errors (its diagnostics are in the schema). */
gboolean compat_git_load (VdsmSchema *schema, const char *repo, const char *commit,
                          const CompatGitFile *file, GError **error);

/* The commits of @ranges (as `git rev-list` takes them: "A..B", "B") that
 * change one of @paths, oldest first.
 * Returns: (transfer full) (element-type utf8) */
GPtrArray *compat_git_commits (const char *repo, const char *const *ranges,
                               const char *const *paths, GError **error);

G_END_DECLS
