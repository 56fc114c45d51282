/* json-bench-jansson.c: the jansson side of json-bench.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "json-bench-jansson.h"

#include <gio/gio.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

void
json_bench_jansson_parse (const char *text)
{
  json_t *root = json_loads (text, 0, NULL);

  if (root == NULL)
    g_error ("jansson cannot parse the request");
  json_decref (root);
}

gpointer
json_bench_jansson_load (const char *path, GError **error)
{
  json_error_t jerror;
  json_t *tree = json_load_file (path, 0, &jerror);

  if (tree == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s:%d: %s", path,
                 jerror.line, jerror.text);
  return tree;
}

gsize
json_bench_jansson_dump (gpointer tree)
{
  char *text = json_dumps (tree, 0);
  gsize length = strlen (text);

  free (text);
  return length;
}

void
json_bench_jansson_free (gpointer tree)
{
  json_decref (tree);
}
