/* vdsm-client-tool.c: `vdsm-client`, one call from the command line, in the
 * manner of VDSM's tool of the same name.
 *
 *   vdsm-client [OPTION…] NAMESPACE METHOD [NAME=VALUE…]
 *
 * Exit status: 0 success; 1 the server answered with an error; 2 no
 * connection, connection lost or no reply in time; 64 bad usage.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vdsm-client.h"
#include "vdsm-client-tool-schema.h"
#include "vdsm-error.h"

#include <locale.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>

enum {
  EXIT_SERVER_ERROR = 1,
  EXIT_CONNECTION = 2,
  EXIT_USAGE = 64,
};

#define DEFAULT_ADDRESS "localhost"
#define DEFAULT_PORT 54321

typedef struct {
  char *address;
  int port;
  char *unix_path;
  int timeout;
  char *flow_id;
  char *file;
  gboolean insecure;
  gboolean help;
  char **args;
} Options;

static void
options_clear (Options *options)
{
  g_free (options->address);
  g_free (options->unix_path);
  g_free (options->flow_id);
  g_free (options->file);
  g_strfreev (options->args);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Options, options_clear)

static GOptionContext *
option_context_new (Options *options)
{
  const GOptionEntry entries[] = {
    { "address", 'a', 0, G_OPTION_ARG_STRING, &options->address,
      "Host name or address of the server (default: " DEFAULT_ADDRESS ")", "ADDR" },
    { "port", 'p', 0, G_OPTION_ARG_INT, &options->port,
      "TCP port of the server (default: 54321)", "PORT" },
    { "unix", 0, 0, G_OPTION_ARG_FILENAME, &options->unix_path,
      "Connect to this unix socket instead of TCP", "PATH" },
    { "timeout", 't', 0, G_OPTION_ARG_INT, &options->timeout,
      "Seconds to wait for the reply, 0 for ever (default: 60)", "SEC" },
    { "flow-id", 0, 0, G_OPTION_ARG_STRING, &options->flow_id,
      "Flow id to send with the request (logged by the server)", "ID" },
    { "file", 'f', 0, G_OPTION_ARG_FILENAME, &options->file,
      "Read the params as a JSON object from FILE ('-': standard input); "
      "NAME=VALUE arguments override its members", "FILE" },
    { "insecure", 0, 0, G_OPTION_ARG_NONE, &options->insecure,
      "Use plain TCP (the only transport; accepted for compatibility with VDSM's tool)", NULL },
    { "help", 'h', 0, G_OPTION_ARG_NONE, &options->help,
      "Show help; after NAMESPACE or METHOD, their help", NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &options->args, NULL,
      "NAMESPACE METHOD [NAME=VALUE…]" },
    G_OPTION_ENTRY_NULL
  };
  GOptionContext *context = g_option_context_new (NULL);

  g_option_context_add_main_entries (context, entries, NULL);
  /* Our own --help, so that it can follow NAMESPACE and METHOD. */
  g_option_context_set_help_enabled (context, FALSE);
  g_option_context_set_summary (context,
    "Calls one method of a VDSM-compatible server and prints its result as JSON.\n"
    "Values of string parameters are taken as written; others are JSON\n"
    "(e.g. onlyUUID=true, vmList='[\"…\"]').");
  g_option_context_set_description (context,
    "Exit status: 0 success, 1 error reply from the server, 2 connection\n"
    "failure or timeout, 64 usage error.");
  return context;
}

static int
usage_error (const char *format, ...) G_GNUC_PRINTF (1, 2);

static int
usage_error (const char *format, ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  fprintf (stderr, "vdsm-client: %s\n", message);
  return EXIT_USAGE;
}

static char *
build_uri (const Options *options, GError **error)
{
  g_autofree char *absolute = NULL;
  g_autofree char *escaped = NULL;

  if (options->unix_path != NULL)
    {
      absolute = g_canonicalize_filename (options->unix_path, NULL);
      escaped = g_uri_escape_string (absolute, "/", FALSE);
      return g_strconcat ("unix://", escaped, NULL);
    }
  if (options->port <= 0 || options->port > 65535)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "invalid port %d", options->port);
      return NULL;
    }
  /* An IPv6 literal needs brackets in a URI. */
  if (strchr (options->address, ':') != NULL)
    return g_strdup_printf ("tcp://[%s]:%d", options->address, options->port);
  return g_strdup_printf ("tcp://%s:%d", options->address, options->port);
}

static JsonNode *
read_params_file (const char *file, GError **error)
{
  g_autofree char *contents = NULL;
  g_autoptr(JsonNode) node = NULL;
  gsize length;

  if (g_strcmp0 (file, "-") == 0)
    {
      g_autoptr(GString) text = g_string_new (NULL);
      char chunk[4096];
      size_t n;

      while ((n = fread (chunk, 1, sizeof chunk, stdin)) > 0)
        g_string_append_len (text, chunk, (gssize) n);
      if (ferror (stdin))
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                               "cannot read the params from standard input");
          return NULL;
        }
      length = text->len;
      contents = g_string_free (g_steal_pointer (&text), FALSE);
    }
  else if (!g_file_get_contents (file, &contents, &length, error))
    return NULL;

  node = json_from_string (contents, error);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_clear_error (error);
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "%s does not hold a JSON object of params",
                   g_strcmp0 (file, "-") == 0 ? "standard input" : file);
      return NULL;
    }
  return g_steal_pointer (&node);
}

static void
print_json (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 4);
  json_generator_set_root (generator, node);
  text = json_generator_to_data (generator, NULL);
  printf ("%s\n", text);
}

static int
run_call (const Options *options, const VdsmSchemaMethod *method, JsonNode *params)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = build_uri (options, &error);
  g_autoptr(VdsmClient) client = NULL;
  g_autoptr(JsonNode) result = NULL;

  if (uri == NULL)
    return usage_error ("%s", error->message);

  client = g_initable_new (VDSM_TYPE_CLIENT, NULL, &error,
                           "uri", uri,
                           "timeout", (guint) options->timeout,
                           "flow-id", options->flow_id,
                           NULL);
  if (client == NULL)
    {
      fprintf (stderr, "vdsm-client: %s\n", error->message);
      return EXIT_CONNECTION;
    }

  result = vdsm_client_call_sync (client, method->name, params, NULL, &error);
  if (result == NULL)
    {
      if (error->domain == VDSM_ERROR)
        {
          g_autofree char *args = json_to_string (params, FALSE);

          fprintf (stderr, "vdsm-client: Command %s with args %s failed:\n(code=%d, message=%s)\n",
                   method->name, args, error->code, error->message);
          return EXIT_SERVER_ERROR;
        }
      fprintf (stderr, "vdsm-client: %s\n", error->message);
      return EXIT_CONNECTION;
    }

  print_json (result);
  return EXIT_SUCCESS;
}

int
main (int argc, char **argv)
{
  g_auto(Options) options = { .port = DEFAULT_PORT, .timeout = VDSM_CLIENT_DEFAULT_TIMEOUT };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(VdsmSchema) schema = NULL;
  g_autoptr(GHashTable) served = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(JsonNode) base = NULL;
  g_autoptr(JsonNode) params = NULL;
  g_autofree char *method_name = NULL;
  const VdsmSchemaMethod *method;
  const char *ns;
  guint n_args;

  setlocale (LC_ALL, "");
  context = option_context_new (&options);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_error ("%s (try --help)", error->message);
  if (options.address == NULL)
    options.address = g_strdup (DEFAULT_ADDRESS);
  if (options.timeout < 0 || (guint) options.timeout > G_MAXUINT / 1000)
    return usage_error ("invalid timeout %d", options.timeout);

  schema = tool_schema_load (&served, &error);
  if (schema == NULL)
    {
      fprintf (stderr, "vdsm-client: the embedded schema does not load: %s\n", error->message);
      return EXIT_FAILURE;
    }

  n_args = options.args != NULL ? g_strv_length (options.args) : 0;
  if (n_args == 0)
    {
      g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

      g_string_append_printf (text, "%s\nNamespaces:\n", help);
      tool_schema_list_namespaces (schema, served, text);
      if (!options.help)
        return usage_error ("missing NAMESPACE\n%s", text->str);
      fputs (text->str, stdout);
      return EXIT_SUCCESS;
    }

  ns = options.args[0];
  if (!tool_schema_has_namespace (schema, ns))
    {
      tool_schema_list_namespaces (schema, served, text);
      return usage_error ("unknown namespace “%s”; the namespaces are:\n%s", ns, text->str);
    }
  if (n_args == 1)
    {
      g_string_append_printf (text, "Usage:\n  vdsm-client [OPTION…] %s METHOD [NAME=VALUE…]\n\n"
                              "Methods of %s:\n", ns, ns);
      tool_schema_list_methods (schema, served, ns, text);
      if (!options.help)
        return usage_error ("missing METHOD\n%s", text->str);
      fputs (text->str, stdout);
      return EXIT_SUCCESS;
    }

  method_name = g_strconcat (ns, ".", options.args[1], NULL);
  method = vdsm_schema_lookup_method (schema, method_name);
  if (method == NULL)
    {
      tool_schema_list_methods (schema, served, ns, text);
      return usage_error ("unknown method “%s”; the methods of %s are:\n%s",
                          options.args[1], ns, text->str);
    }
  if (options.help)
    {
      g_string_append_printf (text, "Usage:\n  vdsm-client [OPTION…] %s %s [NAME=VALUE…]\n\n",
                              ns, method->verb);
      tool_schema_describe_method (method, text);
      fputs (text->str, stdout);
      return EXIT_SUCCESS;
    }

  if (options.file != NULL)
    {
      base = read_params_file (options.file, &error);
      if (base == NULL)
        return usage_error ("%s", error->message);
    }
  params = tool_schema_build_params (method, base, options.args + 2, &error);
  if (params == NULL)
    return usage_error ("%s", error->message);

  return run_call (&options, method, params);
}
