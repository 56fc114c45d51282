/* json-bench.c: the JSON library choices of vdsmd's hot path, measured.
 *
 * 1. Parsing a Host.ping request as vdsm's Python client sends it (a
 *    one-element batch): json-glib (what vdsm-rpc-jsonrpc.c does: a new
 *    immutable JsonParser per request) against jansson (json_loadb).
 * 2. Serializing a Host.getAllVmStats result (a JSON file, e.g. captured
 *    with vdsm-client from vdsmd on bench/host-1000.xml): jansson json_dumps
 *    and json-glib json_to_string from a tree, against the generated
 *    writer vdsm_vm_stats_write_json into a reused GString (what vdsmd
 *    does: no intermediate tree).
 *
 * Every figure is the median of several timed batches, in ns per
 * operation, single-threaded.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json-bench-jansson.h"
#include "vdsm-types.h"

#define BATCHES 9

static const char ping_request[] =
  "[{\"jsonrpc\": \"2.0\", \"method\": \"Host.ping\", \"params\": {}, "
  "\"id\": \"0000000f-0037-4000-8000-00000000013a\"}]";

typedef void (*BenchFunc) (gpointer data);

static int
compare_doubles (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

/* Median over BATCHES batches of @iterations calls, in ns per call. */
static double
measure (BenchFunc func, gpointer data, guint iterations)
{
  double per_call[BATCHES];

  func (data);                                  /* warm caches and allocators */
  for (guint b = 0; b < BATCHES; b++)
    {
      gint64 start = g_get_monotonic_time ();

      for (guint i = 0; i < iterations; i++)
        func (data);
      per_call[b] = (g_get_monotonic_time () - start) * 1000.0 / iterations;
    }
  qsort (per_call, BATCHES, sizeof per_call[0], compare_doubles);
  return per_call[BATCHES / 2];
}

/* ---- 1. request parsing ---- */

static void
parse_json_glib (gpointer data)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();

  if (!json_parser_load_from_data (parser, data, -1, NULL))
    g_error ("json-glib cannot parse the request");
}

static void
parse_jansson (gpointer data)
{
  json_bench_jansson_parse (data);
}

/* ---- 2. reply serialization ---- */

typedef struct {
  gpointer jansson_tree;
  JsonNode *glib_tree;
  GPtrArray *typed;                             /* VdsmVmStats* */
  GString *out;                                 /* reused, as per connection */
  gsize length;                                 /* of the last text */
} Document;

static void
dump_jansson (gpointer data)
{
  Document *doc = data;
  doc->length = json_bench_jansson_dump (doc->jansson_tree);
}

static void
dump_json_glib (gpointer data)
{
  Document *doc = data;
  g_autofree char *text = json_to_string (doc->glib_tree, FALSE);

  doc->length = strlen (text);
}

static void
write_generated (gpointer data)
{
  Document *doc = data;

  g_string_truncate (doc->out, 0);
  g_string_append_c (doc->out, '[');
  for (guint i = 0; i < doc->typed->len; i++)
    {
      if (i > 0)
        g_string_append (doc->out, ", ");
      vdsm_vm_stats_write_json (g_ptr_array_index (doc->typed, i), doc->out);
    }
  g_string_append_c (doc->out, ']');
  doc->length = doc->out->len;
}

static gboolean
load_document (const char *path, Document *doc, GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonArray *array;

  if (!json_parser_load_from_file (parser, path, error))
    return FALSE;
  if (!JSON_NODE_HOLDS_ARRAY (json_parser_get_root (parser)))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "%s: not a JSON array (a Host.getAllVmStats result)", path);
      return FALSE;
    }
  doc->glib_tree = json_node_copy (json_parser_get_root (parser));
  array = json_node_get_array (doc->glib_tree);
  doc->typed = g_ptr_array_new_with_free_func ((GDestroyNotify) vdsm_vm_stats_free);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      VdsmVmStats *stats = vdsm_vm_stats_from_json (json_array_get_element (array, i), error);

      if (stats == NULL)
        return FALSE;
      g_ptr_array_add (doc->typed, stats);
    }
  doc->jansson_tree = json_bench_jansson_load (path, error);
  if (doc->jansson_tree == NULL)
    return FALSE;
  doc->out = g_string_sized_new (1024 * 1024);
  return TRUE;
}

int
main (int argc, char **argv)
{
  double glib_ns, jansson_ns;
  Document doc = { 0 };
  g_autoptr(GError) error = NULL;
  double dump_ns, glib_dump_ns, write_ns;

  if (argc > 2)
    {
      fprintf (stderr, "usage: %s [GETALLVMSTATS-RESULT.json]\n", argv[0]);
      return 2;
    }

  glib_ns = measure (parse_json_glib, (gpointer) ping_request, 20000);
  jansson_ns = measure (parse_jansson, (gpointer) ping_request, 20000);
  printf ("Host.ping request parse (%zu bytes): json-glib %.0f ns, jansson %.0f ns "
          "(jansson %.2fx json-glib)\n",
          strlen (ping_request), glib_ns, jansson_ns, jansson_ns / glib_ns);

  if (argc < 2)
    return 0;
  if (!load_document (argv[1], &doc, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  dump_ns = measure (dump_jansson, &doc, 5);
  printf ("getAllVmStats (%u VMs): jansson json_dumps from a tree %.0f us (%zu bytes)\n",
          doc.typed->len, dump_ns / 1000, doc.length);
  glib_dump_ns = measure (dump_json_glib, &doc, 5);
  printf ("getAllVmStats (%u VMs): json-glib json_to_string from a tree %.0f us (%zu bytes)\n",
          doc.typed->len, glib_dump_ns / 1000, doc.length);
  write_ns = measure (write_generated, &doc, 5);
  printf ("getAllVmStats (%u VMs): generated vdsm_vm_stats_write_json %.0f us (%zu bytes), "
          "%.2fx jansson\n", doc.typed->len, write_ns / 1000, doc.length, write_ns / dump_ns);

  json_bench_jansson_free (doc.jansson_tree);
  json_node_unref (doc.glib_tree);
  g_ptr_array_unref (doc.typed);
  g_string_free (doc.out, TRUE);
  return 0;
}
