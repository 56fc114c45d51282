/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* vdsm-load: a bounded STOMP/JSON-RPC load generator for vdsmd (and any
 * server speaking VDSM's dialect), for loopback and unix sockets only.
 * Options and reporting live here; the event loop is load-engine.c. */
#include <gio/gio.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "load-engine.h"
#include "load-socket.h"

#define MAX_CONNECTIONS 60000
#define MAX_WINDOW 4096
#define MAX_SECONDS 600.0
#define DEFAULT_PARALLEL 256

typedef struct
{
  gint     connections;
  gint     window;
  gint64   requests;
  gdouble  duration;
  gdouble  warmup;
  char    *method;
  char    *params;
  char    *tcp;
  char    *unix_path;
  gboolean tls;
  char    *ca;
  char    *cert;
  char    *key;
  gboolean resume;
  gint     idle;
  gdouble  hold;
  gint     burst;
  gint     parallel;
  gint     server_pid;
  gdouble  timeout;
  gboolean compact;
  gboolean json;
} Options;

static void
options_clear (Options *o)
{
  g_free (o->method);
  g_free (o->params);
  g_free (o->tcp);
  g_free (o->unix_path);
  g_free (o->ca);
  g_free (o->cert);
  g_free (o->key);
}

static gboolean
bad_option (GError **error, const char *message)
{
  g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, message);
  return FALSE;
}

static gboolean
parse_options (int *argc, char ***argv, Options *o, GError **error)
{
  const GOptionEntry entries[] = {
    { "connections", 'c', 0, G_OPTION_ARG_INT, &o->connections,
      "Connections (default 1)", "N" },
    { "window", 'w', 0, G_OPTION_ARG_INT, &o->window,
      "Requests in flight per connection (default 1: strict ping-pong)", "N" },
    { "requests", 'n', 0, G_OPTION_ARG_INT64, &o->requests,
      "Stop after N requests in total", "N" },
    { "duration", 'd', 0, G_OPTION_ARG_DOUBLE, &o->duration,
      "Send for S seconds (default 3 when -n is not given)", "S" },
    { "warmup", 0, 0, G_OPTION_ARG_DOUBLE, &o->warmup,
      "Send for S seconds before measuring (default 0)", "S" },
    { "method", 'm', 0, G_OPTION_ARG_STRING, &o->method,
      "JSON-RPC method (default Host.ping)", "METHOD" },
    { "params", 0, 0, G_OPTION_ARG_STRING, &o->params,
      "Params as JSON text (default {})", "JSON" },
    { "tcp", 0, 0, G_OPTION_ARG_STRING, &o->tcp,
      "Connect to this loopback TCP address", "HOST:PORT" },
    { "unix", 0, 0, G_OPTION_ARG_FILENAME, &o->unix_path,
      "Connect to this unix socket", "PATH" },
    { "tls", 0, 0, G_OPTION_ARG_NONE, &o->tls,
      "Speak TLS over --tcp", NULL },
    { "ca", 0, 0, G_OPTION_ARG_FILENAME, &o->ca,
      "Verify the server against this CA (default: do not verify)", "FILE" },
    { "cert", 0, 0, G_OPTION_ARG_FILENAME, &o->cert,
      "TLS client certificate (PEM)", "FILE" },
    { "key", 0, 0, G_OPTION_ARG_FILENAME, &o->key,
      "TLS client key (PEM)", "FILE" },
    { "tls-resume", 0, 0, G_OPTION_ARG_NONE, &o->resume,
      "Resume the TLS session of one connection made first, on every "
      "connection (default: a full handshake each)", NULL },
    { "idle", 0, 0, G_OPTION_ARG_INT, &o->idle,
      "Open N connections, CONNECT + SUBSCRIBE each, hold them, report the "
      "server's memory per connection", "N" },
    { "hold", 0, 0, G_OPTION_ARG_DOUBLE, &o->hold,
      "Seconds to hold idle connections before measuring (default 1)", "S" },
    { "connect-burst", 0, 0, G_OPTION_ARG_INT, &o->burst,
      "Connect N clients at once, one Host.ping-style request each, report "
      "the time until all are answered", "N" },
    { "parallel", 0, 0, G_OPTION_ARG_INT, &o->parallel,
      "Connections being set up at once (default 256; a burst sets up all)",
      "N" },
    { "server-pid", 0, 0, G_OPTION_ARG_INT, &o->server_pid,
      "Read this server's CPU time and memory from /proc", "PID" },
    { "timeout", 0, 0, G_OPTION_ARG_DOUBLE, &o->timeout,
      "Seconds allowed to connect, and to drain replies (default 30)", "S" },
    { "compact", 0, 0, G_OPTION_ARG_NONE, &o->compact,
      "Send a compact bare request object like the Java client, not the "
      "Python client's one-element batch", NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &o->json,
      "Print the results as one JSON object", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (
    "- load vdsmd over STOMP 1.2");

  g_option_context_set_summary (context,
    "Speaks STOMP 1.2 like vdsm's Python client (CONNECT heart-beat 0,0,\n"
    "SUBSCRIBE to a private reply-to, SEND to jms.topic.vdsm_requests) and\n"
    "reports requests/s, latency percentiles, errors and refused (code 1100)\n"
    "requests. Loopback TCP and unix sockets only.");
  g_option_context_set_description (context,
    "Exit status: 0 when every request was answered without error (refused\n"
    "requests are answers); 1 when some were lost, failed or errors came\n"
    "back; 2 on bad options or when the load could not start.\n");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, argc, argv, error))
    return FALSE;
  if (*argc > 1)
    return bad_option (error, "unexpected argument");

  if ((o->tcp == NULL) == (o->unix_path == NULL))
    return bad_option (error, "give exactly one of --tcp and --unix");
  if (o->tls && o->tcp == NULL)
    return bad_option (error, "--tls needs --tcp");
  if (!o->tls && (o->ca || o->cert || o->key || o->resume))
    return bad_option (error, "--ca, --cert, --key and --tls-resume need --tls");
  if (o->idle > 0 && o->burst > 0)
    return bad_option (error, "--idle and --connect-burst exclude each other");
  if (o->idle < 0 || o->idle > MAX_CONNECTIONS || o->burst < 0
      || o->burst > MAX_CONNECTIONS || o->connections < 1
      || o->connections > MAX_CONNECTIONS)
    return bad_option (error, "connection counts must be 1 to 60000");
  if (o->window < 1 || o->window > MAX_WINDOW)
    return bad_option (error, "--window must be 1 to 4096");
  if (o->requests < 0 || o->requests > G_GINT64_CONSTANT (1000000000))
    return bad_option (error, "--requests must be 1 to 10^9");
  if (o->requests == 0 && o->duration == 0)
    o->duration = 3;
  if (o->duration < 0 || o->duration > MAX_SECONDS || o->hold < 0
      || o->hold > MAX_SECONDS || o->timeout <= 0 || o->timeout > MAX_SECONDS
      || o->warmup < 0 || o->warmup > MAX_SECONDS)
    return bad_option (error, "times must be positive and at most 600 s");
  if (o->parallel < 1)
    return bad_option (error, "--parallel must be at least 1");
  for (const char *p = o->method; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '.' && *p != '_')
      return bad_option (error, "--method must be Namespace.verb");
  if (strlen (o->params) == 0 || strchr (o->params, '\n'))
    return bad_option (error, "--params must be one line of JSON");
  return TRUE;
}

static gboolean
is_loopback (const struct sockaddr *sa)
{
  if (sa->sa_family == AF_INET)
    return (ntohl (((const struct sockaddr_in *) sa)->sin_addr.s_addr) >> 24) == 127;
  if (sa->sa_family == AF_INET6)
    {
      const struct in6_addr *a = &((const struct sockaddr_in6 *) sa)->sin6_addr;

      return IN6_IS_ADDR_LOOPBACK (a)
             || (IN6_IS_ADDR_V4MAPPED (a) && a->s6_addr[12] == 127);
    }
  return FALSE;
}

static gboolean
resolve (const Options *o, struct sockaddr_storage *address, socklen_t *len,
         GError **error)
{
  g_autofree char *host = NULL;
  const char *colon;
  struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
                            .ai_flags = AI_NUMERICSERV };
  struct addrinfo *found = NULL;
  int rc;

  if (o->unix_path != NULL)
    {
      struct sockaddr_un *su = (struct sockaddr_un *) address;

      if (strlen (o->unix_path) >= sizeof su->sun_path)
        return bad_option (error, "--unix path is too long");
      memset (su, 0, sizeof *su);
      su->sun_family = AF_UNIX;
      strcpy (su->sun_path, o->unix_path);
      *len = sizeof *su;
      return TRUE;
    }

  colon = strrchr (o->tcp, ':');
  if (colon == NULL || colon == o->tcp || colon[1] == '\0')
    return bad_option (error, "--tcp wants HOST:PORT");
  host = g_strndup (o->tcp, colon - o->tcp);
  if (host[0] == '[' && host[strlen (host) - 1] == ']')
    {
      memmove (host, host + 1, strlen (host));
      host[strlen (host) - 1] = '\0';
    }
  rc = getaddrinfo (host, colon + 1, &hints, &found);
  if (rc != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "%s: %s", o->tcp,
                   gai_strerror (rc));
      return FALSE;
    }
  if (!is_loopback (found->ai_addr))
    {
      freeaddrinfo (found);
      return bad_option (error, "--tcp must be a loopback address");
    }
  memcpy (address, found->ai_addr, found->ai_addrlen);
  *len = found->ai_addrlen;
  freeaddrinfo (found);
  return TRUE;
}

static gdouble
us (guint64 ns)
{
  return (gdouble) ns / 1000.0;
}

static const char *
mode_name (LoadMode mode)
{
  switch (mode)
    {
    case LOAD_MODE_REQUESTS:
      return "requests";
    case LOAD_MODE_IDLE:
      return "idle";
    case LOAD_MODE_BURST:
      return "burst";
    }
  g_assert_not_reached ();
}

static gdouble
rate (const LoadResult *r)
{
  return r->elapsed > 0 ? (gdouble) r->measured / r->elapsed : 0.0;
}

static gdouble
cpu_us_per_request (const LoadResult *r)
{
  return r->measured ? r->server_cpu * 1e6 / (gdouble) r->measured : 0.0;
}

static gdouble
bytes_per_connection (const LoadResult *r)
{
  if (r->conns_ready == 0 || r->server_rss_kib < r->server_rss_before_kib)
    return 0.0;
  return (gdouble) (r->server_rss_kib - r->server_rss_before_kib) * 1024.0
         / (gdouble) r->conns_ready;
}

/* The first error quotes the server, whose bytes may be anything: make
 * them valid UTF-8, then a valid JSON string. */
static void
append_json_string (GString *out, const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text, -1);

  g_string_append_c (out, '"');
  for (const char *p = valid; *p; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_printf (out, "\\%c", *p);
      else if ((guchar) *p < 0x20)
        g_string_append_printf (out, "\\u%04x", (guchar) *p);
      else
        g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static void
print_json (const Options *o, const LoadConfig *c, const LoadResult *r)
{
  g_autoptr(GString) out = g_string_new ("{");
  const LoadHistogram *h = &r->latency;

  g_string_append_printf (out,
    "\"mode\":\"%s\",\"transport\":\"%s\",\"address\":\"%s\","
    "\"method\":\"%s\",\"connections\":%u,\"window\":%u,\"tls_resume\":%s,",
    mode_name (c->mode), o->unix_path ? "unix" : o->tls ? "tls" : "tcp",
    o->unix_path ? o->unix_path : o->tcp, c->method, c->connections,
    c->mode == LOAD_MODE_REQUESTS ? c->window : 1, o->resume ? "true" : "false");
  g_string_append_printf (out,
    "\"sent\":%" G_GUINT64_FORMAT ",\"replies\":%" G_GUINT64_FORMAT ","
    "\"measured\":%" G_GUINT64_FORMAT ","
    "\"ok\":%" G_GUINT64_FORMAT ",\"errors\":%" G_GUINT64_FORMAT ","
    "\"refused\":%" G_GUINT64_FORMAT ",\"invalid\":%" G_GUINT64_FORMAT ","
    "\"lost\":%" G_GUINT64_FORMAT ",\"stomp_errors\":%" G_GUINT64_FORMAT ","
    "\"conns_ready\":%u,\"conns_failed\":%u,\"conns_dropped\":%u,",
    r->sent, r->replies, r->measured, r->ok, r->errors, r->refused, r->invalid, r->lost,
    r->stomp_errors, r->conns_ready, r->conns_failed, r->conns_dropped);
  g_string_append_printf (out,
    "\"elapsed_s\":%.6f,\"rps\":%.1f,\"p50_us\":%.2f,\"p90_us\":%.2f,"
    "\"p99_us\":%.2f,\"p999_us\":%.2f,\"max_us\":%.2f,\"mean_us\":%.2f,",
    r->elapsed, rate (r), us (load_histogram_percentile (h, 0.50)),
    us (load_histogram_percentile (h, 0.90)),
    us (load_histogram_percentile (h, 0.99)),
    us (load_histogram_percentile (h, 0.999)), us (h->total ? h->max_ns : 0),
    load_histogram_mean (h) / 1000.0);
  if (r->server_measured)
    g_string_append_printf (out,
      "\"server_cpu_s\":%.3f,\"server_cpu_us_per_req\":%.3f,"
      "\"server_rss_before_kib\":%" G_GUINT64_FORMAT ","
      "\"server_rss_kib\":%" G_GUINT64_FORMAT ","
      "\"server_hwm_kib\":%" G_GUINT64_FORMAT ",\"server_peak_of_run\":%s,"
      "\"server_bytes_per_conn\":%.1f,",
      r->server_cpu, cpu_us_per_request (r), r->server_rss_before_kib,
      r->server_rss_kib, r->server_hwm_kib,
      r->server_peak_reset ? "true" : "false", bytes_per_connection (r));
  g_string_append_printf (out, "\"first_error_code\":%" G_GINT64_FORMAT
                          ",\"first_error\":", r->first_error_code);
  append_json_string (out, r->first_error);
  g_string_append_c (out, '}');
  puts (out->str);
}

static void
print_text (const Options *o, const LoadConfig *c, const LoadResult *r)
{
  const LoadHistogram *h = &r->latency;

  printf ("vdsm-load: %s over %s %s, ", c->method,
          o->unix_path ? "unix" : o->tls ? "tls" : "tcp",
          o->unix_path ? o->unix_path : o->tcp);
  switch (c->mode)
    {
    case LOAD_MODE_REQUESTS:
      printf ("%u connection(s) x %u in flight\n"
              "  requests    %" G_GUINT64_FORMAT " measured in %.3f s: %.0f req/s"
              " (%" G_GUINT64_FORMAT " sent)\n",
              c->connections, c->window, r->measured, r->elapsed, rate (r),
              r->sent);
      break;
    case LOAD_MODE_IDLE:
      printf ("%u idle connections\n"
              "  idle        %u CONNECTed and subscribed in %.3f s, held %.1f s\n",
              c->connections, r->conns_ready, r->elapsed, c->hold);
      break;
    case LOAD_MODE_BURST:
      printf ("burst of %u connections\n"
              "  burst       %" G_GUINT64_FORMAT " answered, the last %.3f s "
              "after the first connect\n",
              c->connections, r->measured, r->elapsed);
      break;
    }
  if (h->total > 0)
    printf ("  latency     p50 %.1f us  p90 %.1f us  p99 %.1f us  p99.9 %.1f us"
            "  max %.1f us  mean %.1f us%s\n",
            us (load_histogram_percentile (h, 0.50)),
            us (load_histogram_percentile (h, 0.90)),
            us (load_histogram_percentile (h, 0.99)),
            us (load_histogram_percentile (h, 0.999)), us (h->max_ns),
            load_histogram_mean (h) / 1000.0,
            c->mode == LOAD_MODE_BURST ? " (connect to reply)" : "");
  printf ("  outcome     ok %" G_GUINT64_FORMAT "  errors %" G_GUINT64_FORMAT
          "  refused %" G_GUINT64_FORMAT "  invalid %" G_GUINT64_FORMAT
          "  lost %" G_GUINT64_FORMAT "  stomp-errors %" G_GUINT64_FORMAT "\n"
          "  connections ready %u  failed %u  dropped %u\n",
          r->ok, r->errors, r->refused, r->invalid, r->lost, r->stomp_errors,
          r->conns_ready, r->conns_failed, r->conns_dropped);
  if (r->server_measured)
    {
      if (c->mode == LOAD_MODE_IDLE)
        printf ("  server      rss %" G_GUINT64_FORMAT " -> %" G_GUINT64_FORMAT
                " KiB: %.0f bytes per connection; peak %" G_GUINT64_FORMAT
                " KiB\n", r->server_rss_before_kib, r->server_rss_kib,
                bytes_per_connection (r), r->server_hwm_kib);
      else
        printf ("  server      cpu %.2f us/request  rss %" G_GUINT64_FORMAT
                " KiB  peak %" G_GUINT64_FORMAT " KiB\n",
                cpu_us_per_request (r), r->server_rss_kib, r->server_hwm_kib);
    }
  if (r->first_error[0] != '\0')
    printf ("  first error %s\n", r->first_error);
}

/* One connection, one request, before the measured run: the server's
 * session ticket that every later connection resumes with. */
static gboolean
prime_session (const LoadConfig *config, GError **error)
{
  LoadConfig one = *config;
  g_autofree LoadResult *result = g_new0 (LoadResult, 1);

  load_tls_keep_session (config->tls);
  one.mode = LOAD_MODE_BURST;
  one.connections = one.parallel = 1;
  one.server_pid = 0;
  if (!load_engine_run (&one, result, error))
    return FALSE;
  if (!load_tls_has_session (config->tls))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           "--tls-resume: the server sent no session ticket");
      return FALSE;
    }
  return TRUE;
}

int
main (int argc, char **argv)
{
  Options o = { .connections = 1, .window = 1, .hold = 1.0, .timeout = 30.0,
                .parallel = DEFAULT_PARALLEL };
  g_autoptr(GError) error = NULL;
  g_autofree LoadResult *result = g_new0 (LoadResult, 1);
  struct sockaddr_storage address;
  LoadConfig config = { 0 };
  SSL_CTX *tls = NULL;
  gboolean ok;

  o.method = g_strdup ("Host.ping");
  o.params = g_strdup ("{}");
  if (!parse_options (&argc, &argv, &o, &error)
      || !resolve (&o, &address, &config.address_len, &error))
    {
      g_printerr ("vdsm-load: %s\n", error->message);
      options_clear (&o);
      return 2;
    }
  if (o.tls)
    {
      tls = load_tls_context_new (o.ca, o.cert, o.key, &error);
      if (tls == NULL)
        {
          g_printerr ("vdsm-load: %s\n", error->message);
          options_clear (&o);
          return 2;
        }
    }

  config.address = (const struct sockaddr *) &address;
  config.tls = tls;
  config.method = o.method;
  config.params = o.params;
  config.compact = o.compact;
  config.server_pid = o.server_pid;
  config.timeout = o.timeout;
  config.hold = o.hold;
  config.parallel = (guint) o.parallel;
  config.window = (guint) o.window;
  config.total = (guint64) o.requests;
  config.duration = o.requests > 0 ? 0 : o.duration;
  config.warmup = o.warmup;
  if (o.idle > 0)
    {
      config.mode = LOAD_MODE_IDLE;
      config.connections = (guint) o.idle;
    }
  else if (o.burst > 0)
    {
      config.mode = LOAD_MODE_BURST;
      config.connections = (guint) o.burst;
      config.parallel = (guint) o.burst;
    }
  else
    {
      config.mode = LOAD_MODE_REQUESTS;
      config.connections = (guint) o.connections;
    }

  if (o.resume)
    ok = prime_session (&config, &error);
  else
    ok = TRUE;
  if (ok)
    ok = load_engine_run (&config, result, &error);
  if (!ok)
    g_printerr ("vdsm-load: %s\n", error->message);
  else if (o.json)
    print_json (&o, &config, result);
  else
    print_text (&o, &config, result);
  if (tls != NULL)
    SSL_CTX_free (tls);
  options_clear (&o);
  if (!ok)
    return 2;
  return (result->lost || result->errors || result->invalid
          || result->stomp_errors || result->conns_failed
          || result->conns_dropped) ? 1 : 0;
}
