/* json-bench.c: the JSON library choices of vdsmd's hot path, measured.
 *
 * 1. Parsing a Host.ping request as vdsm's Python client sends it (a
 *    one-element batch): json-glib (a new immutable JsonParser per
 *    request), jansson (json_loadb), vdsmd's strict parser building a tree
 *    (vdsm_json_parse_data) and vdsmd's envelope reader, which reads the
 *    members with VdsmJsonReader as server/vdsm-rpc-jsonrpc.c does for a
 *    plain request: a tree only for "id" and "params".
 * 2. Serializing a Host.getAllVmStats result (a JSON file, e.g. captured
 *    by bench/capture-reply.py from vdsmd on bench/host-1000.xml): jansson
 *    json_dumps and json-glib json_to_string from a tree, against the
 *    generated writer vdsm_vm_stats_write_json into a reused GString (what
 *    vdsmd does: no intermediate tree).
 *
 * Every figure is the median of several timed batches, in ns per
 * operation, single-threaded; --json prints them as one JSON object.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json-bench-jansson.h"
#include "vdsm-types-private.h"

#define BATCHES 9

static const char ping_request[] =
  "[{\"jsonrpc\": \"2.0\", \"method\": \"Host.ping\", \"params\": {}, "
  "\"id\": \"0000000f-0037-4000-8000-00000000013a\"}]";

/* One operation; returns the length of the text it wrote, or 0. */
typedef gsize (*BenchFunc) (gpointer data);

typedef struct {
  const char *key;                              /* in --json */
  const char *label;                            /* in the text output */
  BenchFunc func;
  gpointer data;
  double ns;                                    /* per operation, the result */
  gsize bytes;                                  /* written by the last call */
} Contender;

static int
compare_doubles (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

/* Each contender's median over BATCHES batches of @iterations calls, in ns
 * per call. Batches of the contenders alternate, so that noise from other
 * work on the machine hits them alike. */
static void
measure (Contender *contenders, guint n, guint iterations)
{
  double per_call[n][BATCHES];

  for (guint c = 0; c < n; c++)                 /* warm caches and allocators */
    contenders[c].func (contenders[c].data);
  for (guint b = 0; b < BATCHES; b++)
    for (guint c = 0; c < n; c++)
      {
        gint64 start = g_get_monotonic_time ();

        for (guint i = 0; i < iterations; i++)
          contenders[c].bytes = contenders[c].func (contenders[c].data);
        per_call[c][b] = (g_get_monotonic_time () - start) * 1000.0 / iterations;
      }
  for (guint c = 0; c < n; c++)
    {
      qsort (per_call[c], BATCHES, sizeof per_call[c][0], compare_doubles);
      contenders[c].ns = per_call[c][BATCHES / 2];
    }
}

/* ---- 1. request parsing ---- */

static gsize
parse_json_glib (gpointer data)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();

  if (!json_parser_load_from_data (parser, data, -1, NULL))
    g_error ("json-glib cannot parse the request");
  return 0;
}

static gsize
parse_jansson (gpointer data)
{
  json_bench_jansson_parse (data);
  return 0;
}

static gsize
parse_vdsm_tree (gpointer data)
{
  g_autoptr(JsonNode) root = vdsm_json_parse_data (data, strlen (data), NULL);

  if (root == NULL)
    g_error ("vdsm_json_parse_data cannot parse the request");
  return 0;
}

/* The reads of vdsmd's plain-request path: the envelope's members one by
 * one, the method name copied out, trees for "id" and "params" only. */
static gboolean
read_envelope (VdsmJsonReader *reader)
{
  g_autofree char *method = NULL;
  g_autoptr(JsonNode) id = NULL;
  g_autoptr(JsonNode) params = NULL;
  gsize length;

  if (!vdsm_json_reader_skip (reader, '[') || !vdsm_json_reader_skip (reader, '{'))
    return FALSE;
  do
    {
      const char *key = vdsm_json_reader_string (reader, &length);
      const char *text;

      if (key == NULL || !vdsm_json_reader_skip (reader, ':'))
        return FALSE;
      if (strcmp (key, "jsonrpc") == 0 || (strcmp (key, "method") == 0 && method == NULL))
        {
          gboolean is_method = key[0] == 'm';

          text = vdsm_json_reader_string (reader, &length);
          if (text == NULL)
            return FALSE;
          if (is_method)
            method = g_strndup (text, length);
        }
      else if (strcmp (key, "params") == 0 && params == NULL)
        params = vdsm_json_reader_value (reader);
      else if (strcmp (key, "id") == 0 && id == NULL)
        id = vdsm_json_reader_value (reader);
      else
        return FALSE;
    }
  while (vdsm_json_reader_skip (reader, ','));
  return vdsm_json_reader_skip (reader, '}') && vdsm_json_reader_skip (reader, ']')
         && vdsm_json_reader_at_end (reader) && method != NULL && params != NULL
         && id != NULL;
}

typedef struct {
  const char *text;
  GString *scratch;                             /* reused, as per server */
} Envelope;

static gsize
parse_vdsm_envelope (gpointer data)
{
  Envelope *envelope = data;
  VdsmJsonReader reader;

  vdsm_json_reader_init (&reader, envelope->text, strlen (envelope->text),
                         envelope->scratch, NULL);
  if (!read_envelope (&reader))
    g_error ("the envelope reader cannot read the request");
  return 0;
}

/* ---- 2. reply serialization ---- */

typedef struct {
  gpointer jansson_tree;
  JsonNode *glib_tree;
  GPtrArray *typed;                             /* VdsmVmStats* */
  GString *out;                                 /* reused, as per connection */
} Document;

static gsize
dump_jansson (gpointer data)
{
  Document *doc = data;

  return json_bench_jansson_dump (doc->jansson_tree);
}

static gsize
dump_json_glib (gpointer data)
{
  Document *doc = data;
  g_autofree char *text = json_to_string (doc->glib_tree, FALSE);

  return strlen (text);
}

static gsize
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
  return doc->out->len;
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

static void
document_clear (Document *doc)
{
  g_clear_pointer (&doc->jansson_tree, json_bench_jansson_free);
  g_clear_pointer (&doc->glib_tree, json_node_unref);
  g_clear_pointer (&doc->typed, g_ptr_array_unref);
  if (doc->out != NULL)
    g_string_free (g_steal_pointer (&doc->out), TRUE);
}

/* ---- Output ---- */

/* The figures, each also as a multiple of the first (jansson's). */
static void
print_text (const char *title, const Contender *contenders, guint n)
{
  printf ("%s\n", title);
  for (guint i = 0; i < n; i++)
    {
      printf ("  %-48s %10.0f ns  %5.2fx %s", contenders[i].label, contenders[i].ns,
              contenders[i].ns / contenders[0].ns, contenders[0].key);
      if (contenders[i].bytes > 0)
        printf ("  (%zu bytes)", contenders[i].bytes);
      printf ("\n");
    }
}

static void
append_json (GString *out, const char *name, const Contender *contenders, guint n)
{
  g_string_append_printf (out, "\"%s\": {", name);
  for (guint i = 0; i < n; i++)
    g_string_append_printf (out, "%s\"%s\": %.0f", i > 0 ? ", " : "",
                            contenders[i].key, contenders[i].ns);
  g_string_append (out, "}");
}

int
main (int argc, char **argv)
{
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json,
      "Print every figure (ns per operation) as one JSON object", NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("[GETALLVMSTATS-RESULT.json]");
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) out = g_string_new ("{");
  g_autoptr(GString) scratch = g_string_new (NULL);
  Envelope envelope = { ping_request, scratch };
  Document doc = { 0 };
  Contender parse[] = {
    { "jansson", "jansson json_loads", parse_jansson, (gpointer) ping_request, 0, 0 },
    { "json-glib", "json-glib JsonParser (immutable)", parse_json_glib,
      (gpointer) ping_request, 0, 0 },
    { "vdsm-tree", "vdsm_json_parse_data (tree)", parse_vdsm_tree, (gpointer) ping_request,
      0, 0 },
    { "vdsm-envelope", "VdsmJsonReader envelope (trees for id, params)",
      parse_vdsm_envelope, &envelope, 0, 0 },
  };
  Contender dump[] = {
    { "jansson", "jansson json_dumps from a tree", dump_jansson, &doc, 0, 0 },
    { "json-glib", "json-glib json_to_string from a tree", dump_json_glib, &doc, 0, 0 },
    { "generated", "generated vdsm_vm_stats_write_json", write_generated, &doc, 0, 0 },
  };

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_summary (context,
    "Times parsing a Host.ping request with jansson, json-glib and vdsmd's parser\n"
    "and envelope reader, and, given a Host.getAllVmStats result, serializing it\n"
    "with jansson, json-glib and the generated writer.");
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc > 2)
    {
      fprintf (stderr, "%s\n", error != NULL ? error->message
                                             : "at most one GETALLVMSTATS-RESULT.json");
      return 2;
    }

  measure (parse, G_N_ELEMENTS (parse), 20000);
  g_string_append_printf (out, "\"ping_request_bytes\": %zu, ", strlen (ping_request));
  append_json (out, "ping_parse_ns", parse, G_N_ELEMENTS (parse));
  if (!json)
    print_text ("Host.ping request parse:", parse, G_N_ELEMENTS (parse));

  if (argc == 2)
    {
      if (!load_document (argv[1], &doc, &error))
        {
          fprintf (stderr, "%s\n", error->message);
          document_clear (&doc);
          return 1;
        }
      measure (dump, G_N_ELEMENTS (dump), 20);
      g_string_append_printf (out, ", \"vms\": %u, \"document_bytes\": %zu, ",
                              doc.typed->len, dump[2].bytes);
      append_json (out, "serialize_ns", dump, G_N_ELEMENTS (dump));
      if (!json)
        {
          g_autofree char *title =
            g_strdup_printf ("Host.getAllVmStats result, %u VMs, serialize:", doc.typed->len);

          print_text (title, dump, G_N_ELEMENTS (dump));
        }
      document_clear (&doc);
    }
  g_string_append (out, "}");
  if (json)
    printf ("%s\n", out->str);
  return 0;
}
