/* json-bench-jansson.h: the jansson side of json-bench, in its own file
 * because jansson's and json-glib's headers both declare
 * json_object_iter_next.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

/* Parses @text and frees the tree; aborts when it is not JSON. */
void json_bench_jansson_parse (const char *text);
/* The tree of a JSON file, or NULL with @error set. */
gpointer json_bench_jansson_load (const char *path, GError **error);
/* Serializes @tree with json_dumps (default flags); returns the length. */
gsize json_bench_jansson_dump (gpointer tree);
void json_bench_jansson_free (gpointer tree);
