/* vdsm-client-tool.c: `vdsm-client`, one call from the command line, in the
 * manner of VDSM's tool of the same name, or the server's events as they
 * arrive.
 *
 *   vdsm-client [OPTION…] NAMESPACE METHOD [NAME=VALUE…]
 *   vdsm-client [OPTION…] events [PATTERN…]
 *
 * How it connects: vdsm-client-tool-transport.h; the call and the events:
 * vdsm-client-tool-session.h (with the exit statuses); shell completion:
 * vdsm-client-tool-complete.h. Its manual is client/vdsm-client.1.in.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vdsm-client.h"
#include "vdsm-client-tool-complete.h"
#include "vdsm-client-tool-schema.h"
#include "vdsm-client-tool-session.h"
#include "vdsm-client-tool-transport.h"

#include <locale.h>
#include <math.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>

/* The largest --timeout: its milliseconds must fit a guint. */
#define MAX_TIMEOUT_S (G_MAXUINT / 1000)

typedef struct {
  ToolConnectOptions connect;
  double timeout;
  char *flow_id;
  char *file;
  int count;
  gboolean verbose;
  gboolean help;
  char **args;
} Options;

static void
options_clear (Options *options)
{
  tool_connect_options_clear (&options->connect);
  g_free (options->flow_id);
  g_free (options->file);
  g_strfreev (options->args);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Options, options_clear)

/* The options, with their storage in @o; completion reads them too. */
static GOptionEntry *
option_entries (Options *o)
{
  const GOptionEntry entries[] = {
    { "host", 'a', 0, G_OPTION_ARG_STRING, &o->connect.host,
      "Host name or address of the server (default: " TOOL_DEFAULT_HOST ")", "HOST" },
    { "port", 'p', 0, G_OPTION_ARG_INT, &o->connect.port,
      "TCP port of the server (default: 54321)", "PORT" },
    { "unix", 0, 0, G_OPTION_ARG_FILENAME, &o->connect.unix_path,
      "Connect to this unix socket instead of TCP", "PATH" },
    { "insecure", 0, 0, G_OPTION_ARG_NONE, &o->connect.insecure,
      "Plain TCP instead of TLS", NULL },
    { "tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &o->connect.tls_cert,
      "Client certificate, PEM (default: DIR/" TOOL_PKI_CERT ")", "FILE" },
    { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &o->connect.tls_key,
      "Its private key, PEM (default: DIR/" TOOL_PKI_KEY ")", "FILE" },
    { "tls-ca", 0, 0, G_OPTION_ARG_FILENAME, &o->connect.tls_ca,
      "CA certificates the server's must chain to, PEM (default: DIR/" TOOL_PKI_CA ")",
      "FILE" },
    { "tls-server-name", 0, 0, G_OPTION_ARG_STRING, &o->connect.tls_server_name,
      "Name the server's certificate must carry (default: HOST; see below)", "NAME" },
    { "pki-dir", 0, 0, G_OPTION_ARG_FILENAME, &o->connect.pki_dir,
      "VDSM's certificate directory (default: " TOOL_DEFAULT_PKI_DIR ")", "DIR" },
    { "timeout", 't', 0, G_OPTION_ARG_DOUBLE, &o->timeout,
      "Seconds to wait for the connection and the reply, fractions allowed, "
      "0 for ever (default: 60)", "SECONDS" },
    { "flow-id", 0, 0, G_OPTION_ARG_STRING, &o->flow_id,
      "Flow id to send with the request (logged by the server)", "ID" },
    { "file", 'f', 0, G_OPTION_ARG_FILENAME, &o->file,
      "Read the params as a JSON object from FILE ('-': standard input); "
      "NAME=VALUE arguments override its members", "FILE" },
    { "count", 0, 0, G_OPTION_ARG_INT, &o->count,
      "With events: exit after N events (default: 0, never)", "N" },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &o->verbose,
      "Say on standard error how the tool connects, and why", NULL },
    { "help", 'h', 0, G_OPTION_ARG_NONE, &o->help,
      "Show help; after NAMESPACE, METHOD or events, their help", NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &o->args, NULL, NULL },
    G_OPTION_ENTRY_NULL
  };

  return g_memdup2 (entries, sizeof entries);
}

static GOptionContext *
option_context_new (Options *options)
{
  g_autofree GOptionEntry *entries = option_entries (options);
  GOptionContext *context =
    g_option_context_new ("NAMESPACE METHOD [NAME=VALUE…] | events [PATTERN…]");

  g_option_context_add_main_entries (context, entries, NULL);
  /* Our own --help, so that it can follow NAMESPACE and METHOD. */
  g_option_context_set_help_enabled (context, FALSE);
  g_option_context_set_summary (context,
    "Calls one method of a VDSM-compatible server (vdsmd, or VDSM itself) and\n"
    "prints its result as JSON; `events` prints the server's events as they\n"
    "arrive. Values of string parameters are taken as written; others are JSON\n"
    "(e.g. onlyUUID=true, vmList='[\"…\"]'). See vdsm-client(1).");
  g_option_context_set_description (context,
    "Connection: TLS to HOST:PORT, presenting the certificate and key of DIR\n"
    "(the host's own, in VDSM's layout) and trusting DIR's CA, as VDSM's tool;\n"
    "--tls-cert, --tls-key and --tls-ca replace them one by one. Plain TCP with\n"
    "--insecure, or when none of --tls-cert, --tls-key, --tls-ca and\n"
    "--tls-server-name is given, DIR/" TOOL_PKI_CERT " does not exist and\n"
    "HOST is loopback (localhost, 127.0.0.0/8, ::1): vdsmd as `make run` starts\n"
    "it. With a loopback HOST and the certificate of DIR, the server must\n"
    "present that certificate's name, as VDSM, which serves with it, does.\n"
    "--verbose shows the choice.\n"
    "\n"
    "Exit status: 0 success, 1 error reply from the server, 2 connection\n"
    "failure, lost connection or timeout, 64 usage error.");
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
  return TOOL_EXIT_USAGE;
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

/* The transport, or a usage error (returned, not 0) when the options are
 * contradictory. */
static int
choose_transport (const Options *options, ToolTransport *transport)
{
  g_autoptr(GError) error = NULL;

  if (!tool_transport_choose (&options->connect, transport, &error))
    return usage_error ("%s", error->message);
  return 0;
}

static int
run_call (const Options *options, const VdsmSchemaMethod *method)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) base = NULL;
  g_autoptr(JsonNode) params = NULL;
  g_auto(ToolTransport) transport = { 0, };
  ToolSessionSetup setup = { &transport, options->timeout, options->flow_id, options->verbose };
  int status;

  if (options->count != 0)
    return usage_error ("--count applies to events only");
  if (options->file != NULL)
    {
      base = read_params_file (options->file, &error);
      if (base == NULL)
        return usage_error ("%s", error->message);
    }
  params = tool_schema_build_params (method, base, options->args + 2, &error);
  if (params == NULL)
    return usage_error ("%s", error->message);
  status = choose_transport (options, &transport);
  if (status != 0)
    return status;
  return tool_session_call (&setup, method->name, params);
}

static int
run_events (const Options *options, VdsmSchema *schema)
{
  const char *const *patterns = (const char *const *) options->args + 1;
  g_auto(ToolTransport) transport = { 0, };
  ToolSessionSetup setup = { &transport, options->timeout, NULL, options->verbose };
  int status;

  if (options->help)
    {
      g_autoptr(GString) text = g_string_new (
        "Usage:\n  vdsm-client [OPTION…] events [PATTERN…]\n\n"
        "Prints the server's events as they arrive, one JSON object a line:\n"
        "{\"event\": ID, \"params\": PARAMS}. With PATTERNs, only the events whose\n"
        "name NAMESPACE.NAME matches one of them, with * and ? as in the shell\n"
        "(virt.VM_status, 'virt.*'). Runs until interrupted, --count events, or\n"
        "the connection is lost (exit status 2). --timeout bounds connecting.\n\n"
        "Events of the schema:\n");

      tool_schema_list_events (schema, text);
      fputs (text->str, stdout);
      return EXIT_SUCCESS;
    }
  if (options->file != NULL || options->flow_id != NULL)
    return usage_error ("--file and --flow-id apply to calls only");
  if (options->count < 0)
    return usage_error ("invalid --count %d", options->count);
  /* Servers may send events the schema lacks: a warning, not an error. */
  for (guint i = 0; patterns[i] != NULL; i++)
    if (!tool_schema_has_events_matching (schema, patterns[i]))
      fprintf (stderr, "vdsm-client: warning: “%s” matches no event of the schema\n",
               patterns[i]);
  status = choose_transport (options, &transport);
  if (status != 0)
    return status;
  return tool_session_events (&setup, patterns, (guint) options->count);
}

static int
run_complete (VdsmSchema *schema, int argc, char **argv)
{
  g_auto(Options) options = { 0, };
  g_autofree GOptionEntry *entries = option_entries (&options);
  g_autoptr(GString) out = g_string_new (NULL);
  guint64 index;

  if (argc < 4 || !g_ascii_string_to_unsigned (argv[2], 10, 0, G_MAXUINT, &index, NULL))
    return usage_error ("usage: " TOOL_COMPLETE_OPTION " INDEX WORD…");
  tool_complete (schema, entries, (const char *const *) argv + 3, (guint) index, out);
  fputs (out->str, stdout);
  return EXIT_SUCCESS;
}

static VdsmSchema *
load_schema (GHashTable **served)
{
  g_autoptr(GError) error = NULL;
  VdsmSchema *schema = tool_schema_load (served, &error);

  if (schema == NULL)
    fprintf (stderr, "vdsm-client: the embedded schema does not load: %s\n", error->message);
  return schema;
}

int
main (int argc, char **argv)
{
  g_auto(Options) options = { .timeout = VDSM_CLIENT_DEFAULT_TIMEOUT };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(VdsmSchema) schema = NULL;
  g_autoptr(GHashTable) served = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *method_name = NULL;
  const VdsmSchemaMethod *method;
  const char *ns;
  guint n_args;

  setlocale (LC_ALL, "");
  schema = load_schema (&served);
  if (schema == NULL)
    return EXIT_FAILURE;
  /* Hidden: shell completion asks with the words it has (the first word
   * after the program, so that no option parsing gets in the way). */
  if (argc >= 2 && g_str_equal (argv[1], TOOL_COMPLETE_OPTION))
    return run_complete (schema, argc, argv);

  context = option_context_new (&options);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_error ("%s (try --help)", error->message);
  if (!isfinite (options.timeout) || options.timeout < 0 || options.timeout > MAX_TIMEOUT_S)
    return usage_error ("invalid timeout %g (0 to %u seconds)", options.timeout, MAX_TIMEOUT_S);

  n_args = options.args != NULL ? g_strv_length (options.args) : 0;
  if (n_args == 0)
    {
      g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

      g_string_append_printf (text, "%s\nNamespaces:\n", help);
      tool_schema_list_namespaces (schema, served, text);
      g_string_append (text, "\nEvents: vdsm-client events --help\n");
      if (!options.help)
        return usage_error ("missing NAMESPACE\n%s", text->str);
      fputs (text->str, stdout);
      return EXIT_SUCCESS;
    }

  ns = options.args[0];
  if (g_str_equal (ns, TOOL_EVENTS_COMMAND))
    return run_events (&options, schema);
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
  return run_call (&options, method);
}
