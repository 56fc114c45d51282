/* vdsmd.c: the VDSM-compatible daemon. It serves the methods of
 * api/vdsm-api.yml over STOMP 1.2 (TCP and a unix socket), with handlers
 * over a libvirt connection, and publishes libvirt's domain life-cycle
 * events as VDSM events.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <glib-unix.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "libvirt-events.h"
#include "vdsm-rpc-dispatch.h"
#include "vdsm-rpc-server.h"
#include "vdsm-schema.h"
#include "vdsmd-context.h"

#define DEFAULT_LISTEN "127.0.0.1:54321"
#define DEFAULT_PORT 54321
#define SCHEMA_RESOURCE_DIR "/org/ovirt/vdsm/schema/"
#define HOST_DEFINITION "host.xml"
/* Fresher than VDSM, which samples VMs every 15 s. */
#define DEFAULT_STATS_MAX_AGE_MS 2000
/* VDSM's defaults: host_mem_reserve 256 + extra_mem_reserve 65, and
 * guest_ram_overhead 65 (lib/vdsm/common/config.py.in). */
#define DEFAULT_HOST_MEM_RESERVE_MIB 321
#define DEFAULT_GUEST_RAM_OVERHEAD_MIB 65
/* Descriptors besides one per connection: stdio, listeners, libvirt's
 * sockets and pipes, GLib's wake-up fds, TLS, the journal, and the one a
 * connection refused over max-connections holds while it is closed. */
#define FD_RESERVE 128

typedef struct {
  char *listen;
  char *unix_path;
  char *libvirt_uri;
  char *host_definition;
  gboolean verbose;
  /* TLS */
  gboolean tls;
  char *tls_cert;
  char *tls_key;
  char *tls_ca;
  gboolean tls_optional_client_cert;
  gboolean insecure;
  gboolean broker_forwarding;
  /* limits and checks; 0 / -1 keep the server's defaults */
  int workers;
  int max_connections;
  int max_connections_per_peer;
  int max_subscriptions;
  int max_subscriptions_per_destination;
  int max_event_patterns;
  gint64 max_frame_size;
  gint64 max_buffered;
  int max_batch_length;
  int call_timeout;
  int idle_timeout;
  int frame_timeout;
  gboolean strict_replies;
  int stats_max_age;
  /* what Host.getCapabilities tells the scheduler */
  int host_mem_reserve;
  int guest_ram_overhead;
  /* TLS handshakes; 0 keeps the server's defaults */
  int max_tls_handshakes;
  int max_tls_handshakes_per_peer;
  int tls_first_byte_timeout;
} Options;

static void
options_clear (Options *o)
{
  g_free (o->listen);
  g_free (o->unix_path);
  g_free (o->libvirt_uri);
  g_free (o->host_definition);
  g_free (o->tls_cert);
  g_free (o->tls_key);
  g_free (o->tls_ca);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Options, options_clear)

/* The unix socket when --unix is not given: VDSM's directory for root, the
 * user's runtime directory otherwise. */
static char *
default_unix_path (void)
{
  if (geteuid () == 0)
    return g_strdup ("/run/vdsm/vdsmd.sock");
  return g_build_filename (g_get_user_runtime_dir (), "vdsm", "vdsmd.sock",
                           NULL);
}

/* The installed host definition, or the source tree's when vdsmd runs
 * uninstalled. */
static char *
default_host_definition (void)
{
  g_autofree char *installed = g_build_filename (VDSM_DATADIR,
                                                 HOST_DEFINITION, NULL);

  if (g_file_test (installed, G_FILE_TEST_IS_REGULAR))
    return g_steal_pointer (&installed);
  return g_build_filename (VDSM_SOURCE_DATADIR, HOST_DEFINITION, NULL);
}

static char *
test_driver_uri (const char *file, GError **error)
{
  g_autofree char *path = g_canonicalize_filename (file, NULL);

  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                   "host definition %s: no such file", path);
      return NULL;
    }
  /* test:// followed by the absolute path, e.g. test:///usr/share/… */
  return g_strconcat ("test://", path, NULL);
}

static gboolean
parse_options (int *argc, char ***argv, Options *o, GError **error)
{
  const GOptionEntry entries[] = {
    { "listen", 'l', 0, G_OPTION_ARG_STRING, &o->listen,
      "Accept STOMP connections on this TCP address (default "
      DEFAULT_LISTEN "). Port 0 picks a free port; an empty value "
      "disables TCP.", "HOST:PORT" },
    { "unix", 'u', 0, G_OPTION_ARG_FILENAME, &o->unix_path,
      "Accept STOMP connections on this unix socket (default "
      "$XDG_RUNTIME_DIR/vdsm/vdsmd.sock, or /run/vdsm/vdsmd.sock for "
      "root). An empty value disables the socket.", "PATH" },
    { "libvirt-uri", 'c', 0, G_OPTION_ARG_STRING, &o->libvirt_uri,
      "Manage the host behind this libvirt URI (default: libvirt's test "
      "driver on the installed " HOST_DEFINITION ").", "URI" },
    { "host-definition", 'd', 0, G_OPTION_ARG_FILENAME, &o->host_definition,
      "Use libvirt's test driver on this host definition (the same as "
      "--libvirt-uri test:///<absolute path of FILE>).", "FILE" },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &o->verbose,
      "Log debug messages to standard error.", NULL },
    { "host-mem-reserve", 0, 0, G_OPTION_ARG_INT, &o->host_mem_reserve,
      "Memory the host keeps for itself, which a scheduler must not give "
      "to VMs, in MiB: Host.getCapabilities reports it as reservedMem "
      "(default 321, VDSM's).", "MIB" },
    { "guest-ram-overhead", 0, 0, G_OPTION_ARG_INT, &o->guest_ram_overhead,
      "Host memory a scheduler should count for each VM besides its own, "
      "in MiB: Host.getCapabilities reports it as guestOverhead (default "
      "65, VDSM's).", "MIB" },
    { NULL }
  };
  const GOptionEntry tls_entries[] = {
    { "tls", 0, 0, G_OPTION_ARG_NONE, &o->tls,
      "Speak TLS on the TCP listener (mutual authentication: clients must "
      "present a certificate signed by --tls-ca).", NULL },
    { "tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &o->tls_cert,
      "The server certificate (PEM); may also hold the key.", "FILE" },
    { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &o->tls_key,
      "The server's private key (PEM), when not in --tls-cert.", "FILE" },
    { "tls-ca", 0, 0, G_OPTION_ARG_FILENAME, &o->tls_ca,
      "CA certificates (PEM) that client certificates must chain to.",
      "FILE" },
    { "tls-optional-client-cert", 0, 0, G_OPTION_ARG_NONE,
      &o->tls_optional_client_cert,
      "Accept TLS clients without a certificate (one that is presented "
      "must still chain to --tls-ca).", NULL },
    { "insecure", 0, 0, G_OPTION_ARG_NONE, &o->insecure,
      "Allow plain TCP on an address that is not loopback. Anyone who can "
      "reach it controls the host.", NULL },
    { "broker-forwarding", 0, 0, G_OPTION_ARG_NONE, &o->broker_forwarding,
      "VDSM's permissive broker: copy every client's SEND to the other "
      "clients subscribed to its destination or a dot-prefix of it, "
      "requests (and their passwords) included, and let clients subscribe "
      "to the request queues. Any client can then read the others' "
      "requests and forge their replies and events. Off by default: a SEND "
      "reaches only the server, a SEND to another destination than "
      "jms.topic.vdsm_requests or jms.topic.vdsm_irs_requests gets an ERROR, "
      "and so does a SUBSCRIBE to them or to a prefix of them such as jms "
      "(docs/security.md).", NULL },
    { NULL }
  };
  const GOptionEntry limit_entries[] = {
    { "workers", 0, 0, G_OPTION_ARG_INT, &o->workers,
      "Handler threads (default 8).", "N" },
    { "max-connections", 0, 0, G_OPTION_ARG_INT, &o->max_connections,
      "Open connections at most; more are closed at once (default 1024). "
      "The soft limit of open files is raised to fit them, up to the hard "
      "limit (a warning says when that is too low).", "N" },
    { "max-connections-per-peer", 0, 0, G_OPTION_ARG_INT, &o->max_connections_per_peer,
      "Open connections from one TCP address at most; more are closed at "
      "once; 0 no limit (default 64). Unix socket clients and local clients "
      "connecting from 127.0.0.1 or ::1 are not counted.", "N" },
    { "max-subscriptions", 0, 0, G_OPTION_ARG_INT, &o->max_subscriptions,
      "Subscriptions one connection may hold; one more gets an ERROR frame "
      "(default 256).", "N" },
    { "max-subscriptions-per-destination", 0, 0, G_OPTION_ARG_INT,
      &o->max_subscriptions_per_destination,
      "Subscriptions one connection may hold to one destination; one more "
      "gets an ERROR frame. Each gets its own copy of every event: this "
      "bounds the copies of an event to N per connection (default 4).",
      "N" },
    { "max-event-patterns", 0, 0, G_OPTION_ARG_INT, &o->max_event_patterns,
      "Event id patterns one subscription may carry in its event-filter "
      "header; more get an ERROR frame (default 64).", "N" },
    { "max-frame-size", 0, 0, G_OPTION_ARG_INT64, &o->max_frame_size,
      "Largest STOMP frame accepted, in bytes; a larger one gets an ERROR "
      "frame and the connection is closed (default 4194304).", "BYTES" },
    { "max-buffered", 0, 0, G_OPTION_ARG_INT64, &o->max_buffered,
      "Bytes all connections together may hold in partial frames and "
      "send queues; above it the connection holding the most is closed "
      "(default 1073741824, or a quarter of the RAM when less).", "BYTES" },
    { "max-batch-length", 0, 0, G_OPTION_ARG_INT, &o->max_batch_length,
      "Requests one JSON-RPC batch may hold; a longer batch is refused "
      "whole with error -32600 (default 1024).", "N" },
    { "call-timeout", 0, 0, G_OPTION_ARG_INT, &o->call_timeout,
      "Answer a call with an error when its handler runs longer than this, "
      "in ms; 0 waits forever (default 60000).", "MS" },
    { "idle-timeout", 0, 0, G_OPTION_ARG_INT, &o->idle_timeout,
      "Close a connection that sent no complete frame this long after it "
      "was accepted, in ms; 0 never (default 60000).", "MS" },
    { "frame-timeout", 0, 0, G_OPTION_ARG_INT, &o->frame_timeout,
      "Close a connection whose STOMP frame is not complete this long after "
      "its first byte, in ms; 0 never (default 30000).", "MS" },
    { "stats-max-age", 0, 0, G_OPTION_ARG_INT, &o->stats_max_age,
      "Host.getAllVmStats may answer from a sample of the VMs this old, in "
      "ms, as VDSM answers from its periodic samples; a change libvirt "
      "reports, or VM.destroy, makes the next call sample anew; 0 samples "
      "on every call (default 2000).", "MS" },
    { "max-tls-handshakes", 0, 0, G_OPTION_ARG_INT, &o->max_tls_handshakes,
      "TLS handshakes in progress at most; while that many are, new "
      "clients wait in the listen backlog (default 256).", "N" },
    { "max-tls-handshakes-per-peer", 0, 0, G_OPTION_ARG_INT,
      &o->max_tls_handshakes_per_peer,
      "TLS handshakes in progress from one IPv4 address or IPv6 /64 at "
      "most; a further connection from there is closed at once (default "
      "32).", "N" },
    { "tls-first-byte-timeout", 0, 0, G_OPTION_ARG_INT,
      &o->tls_first_byte_timeout,
      "Close a TLS connection that sent nothing this long after it was "
      "accepted, in ms, at least 100 (default 2000).", "MS" },
    { "strict-replies", 0, 0, G_OPTION_ARG_NONE, &o->strict_replies,
      "Check every result against the schema and answer -32603 on a "
      "mismatch (for tests and development).", NULL },
    { NULL }
  };
  GOptionGroup *group;
  g_autoptr(GOptionContext) context = g_option_context_new (
    "- serve the VDSM API over libvirt");

  g_option_context_set_summary (context,
    "vdsmd answers VDSM's JSON-RPC API, over STOMP 1.2, on a TCP address\n"
    "and a unix socket, for the host managed by a libvirt connection.\n"
    "oVirt Engine, vdsm-client and libvdsm clients can talk to it.");
  g_option_context_set_description (context,
    "Once a listener accepts connections, vdsmd prints one line to\n"
    "standard output for it, \"listening on HOST:PORT\" (with the port\n"
    "actually bound) or \"listening on unix:PATH\". Nothing else goes\n"
    "there: logs go to standard error, or to the journal when standard\n"
    "error is connected to it.\n"
    "\n"
    "Domain life-cycle changes are published as |virt|VM_status| events\n"
    "on the STOMP destination jms.queue.events.\n"
    "\n"
    "SIGINT or SIGTERM stops vdsmd cleanly: it closes its connections,\n"
    "removes its unix socket and exits with status 0.\n"
    "\n"
    "SIGHUP reloads what can change under a running vdsmd, which keeps\n"
    "serving: with --tls, the --tls-cert, --tls-key and --tls-ca files are\n"
    "read again and the connections accepted afterwards use them (open\n"
    "connections keep theirs), so certificates are rotated without a\n"
    "restart; when a file cannot be read, those loaded before stay in use.\n"
    "Options, the libvirt connection and the listeners are not reloaded.\n"
    "vdsmd logs to standard error: there is no log file to reopen. Each\n"
    "SIGHUP is logged, starting \"SIGHUP:\", with what it did.\n"
    "\n"
    "Exit status: 0 after a clean stop; 1 when the options are wrong, the\n"
    "schema cannot be loaded, libvirt cannot be reached or a listener\n"
    "cannot be opened.\n"
    "\n"
    "Example:\n"
    "  vdsmd --listen 127.0.0.1:0 --unix /tmp/vdsmd.sock \\\n"
    "        --host-definition data/host.xml\n");
  g_option_context_add_main_entries (context, entries, NULL);
  group = g_option_group_new ("tls", "Security options:",
                              "Show TLS and access options", NULL, NULL);
  g_option_group_add_entries (group, tls_entries);
  g_option_context_add_group (context, group);
  group = g_option_group_new ("limits", "Limits:",
                              "Show limits and checking options", NULL, NULL);
  g_option_group_add_entries (group, limit_entries);
  g_option_context_add_group (context, group);
  o->call_timeout = -1;
  o->stats_max_age = DEFAULT_STATS_MAX_AGE_MS;
  o->host_mem_reserve = DEFAULT_HOST_MEM_RESERVE_MIB;
  o->guest_ram_overhead = DEFAULT_GUEST_RAM_OVERHEAD_MIB;
  o->idle_timeout = -1;
  o->frame_timeout = -1;
  o->max_connections_per_peer = -1;
  if (!g_option_context_parse (context, argc, argv, error))
    return FALSE;
  if (*argc > 1)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "unexpected argument: %s", (*argv)[1]);
      return FALSE;
    }

  if (o->libvirt_uri != NULL && o->host_definition != NULL)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "--libvirt-uri and --host-definition exclude each "
                           "other");
      return FALSE;
    }
  if (o->host_definition != NULL)
    {
      o->libvirt_uri = test_driver_uri (o->host_definition, error);
      if (o->libvirt_uri == NULL)
        return FALSE;
    }
  else if (o->libvirt_uri == NULL)
    {
      g_autofree char *def = default_host_definition ();
      o->libvirt_uri = test_driver_uri (def, error);
      if (o->libvirt_uri == NULL)
        return FALSE;
    }

  if (o->listen == NULL)
    o->listen = g_strdup (DEFAULT_LISTEN);
  if (o->unix_path == NULL)
    o->unix_path = default_unix_path ();
  if (o->tls && o->tls_cert == NULL)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "--tls needs --tls-cert (and --tls-ca unless "
                           "--tls-optional-client-cert)");
      return FALSE;
    }
  if (!o->tls && (o->tls_cert || o->tls_key || o->tls_ca))
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "--tls-cert, --tls-key and --tls-ca need --tls");
      return FALSE;
    }
  if (o->workers < 0 || o->workers > 1024 || o->max_connections < 0 ||
      o->max_subscriptions < 0 || o->max_subscriptions_per_destination < 0 ||
      o->max_event_patterns < 0 ||
      o->max_frame_size < 0 || (o->max_frame_size > 0 && o->max_frame_size < 1024) ||
      o->max_buffered < 0 || (o->max_buffered > 0 && o->max_buffered < 1024) ||
      o->max_batch_length < 0)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "--workers must be 0..1024, --max-connections, "
                           "--max-subscriptions, "
                           "--max-subscriptions-per-destination, "
                           "--max-event-patterns and "
                           "--max-batch-length positive, --max-frame-size and "
                           "--max-buffered at least 1024");
      return FALSE;
    }
  /* Before its directory is made: a path that cannot be bound leaves
   * nothing behind. */
  if (o->unix_path[0] != '\0' && !vdsm_rpc_server_check_unix_path (o->unix_path, error))
    {
      g_prefix_error (error, "--unix: ");
      return FALSE;
    }
  if (o->max_tls_handshakes < 0 || o->max_tls_handshakes_per_peer < 0 ||
      o->tls_first_byte_timeout < 0 ||
      (o->tls_first_byte_timeout > 0 && o->tls_first_byte_timeout < 100))
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "--max-tls-handshakes and --max-tls-handshakes-per-peer "
                           "must be positive, --tls-first-byte-timeout at least 100");
      return FALSE;
    }
  if (o->listen[0] == '\0' && o->unix_path[0] == '\0')
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "--listen and --unix are both disabled: nothing to "
                           "serve on");
      return FALSE;
    }
  return TRUE;
}

/* libvirt prints every error to stderr by default; vdsmd reports the ones
 * that matter itself. */
static void
libvirt_error_cb (void *data, virErrorPtr err)
{
  /* libvirt's messages may quote what a client sent (a VM id, a name). */
  char message[VDSM_RPC_LOG_TEXT_SIZE];

  g_debug ("libvirt: %s", vdsm_rpc_log_text (message, sizeof message, err->message, -1));
}

static gboolean
load_schema_file (VdsmSchema *schema, const char *name, GError **error)
{
  g_autofree char *path = g_strconcat (SCHEMA_RESOURCE_DIR, name, NULL);
  g_autoptr(GBytes) bytes = g_resources_lookup_data (
    path, G_RESOURCE_LOOKUP_FLAGS_NONE, error);
  gsize len;
  const char *data;

  if (bytes == NULL)
    return FALSE;
  data = g_bytes_get_data (bytes, &len);
  return vdsm_schema_load_data (schema, name, data, len,
                                VDSM_SCHEMA_LOAD_DEFAULT, error);
}

static VdsmSchema *
load_schema (GError **error)
{
  g_autoptr(VdsmSchema) schema = vdsm_schema_new ();

  if (!load_schema_file (schema, "vdsm-api.yml", error) ||
      !load_schema_file (schema, "vdsm-events.yml", error))
    return NULL;
  return g_steal_pointer (&schema);
}

/* Start counting the running time of the VMs that run already. */
static void
note_running_domains (VdsmdContext *ctx)
{
  virDomainPtr *doms = NULL;
  int n = virConnectListAllDomains (ctx->conn, &doms,
                                    VIR_CONNECT_LIST_DOMAINS_ACTIVE);

  for (int i = 0; i < n; i++)
    {
      char uuid[VIR_UUID_STRING_BUFLEN];
      if (virDomainGetUUIDString (doms[i], uuid) == 0)
        vdsmd_context_vm_started (ctx, uuid);
      virDomainFree (doms[i]);
    }
  free (doms);
}

/* Reads the TLS files named by the options; on SIGHUP too. */
static gboolean
load_tls (VdsmRpcServer *server, const Options *o, GError **error)
{
  /* Named in errors and logs as the user would look for them. */
  g_autofree char *cert = g_canonicalize_filename (o->tls_cert, NULL);
  g_autofree char *key = o->tls_key ? g_canonicalize_filename (o->tls_key, NULL) : NULL;
  g_autofree char *ca = o->tls_ca ? g_canonicalize_filename (o->tls_ca, NULL) : NULL;

  return vdsm_rpc_server_set_tls (server, cert, key, ca,
                                  !o->tls_optional_client_cert, error);
}

static gboolean
configure_server (VdsmRpcServer *server, const Options *o, GError **error)
{
  g_object_set (server, "insecure", o->insecure,
                "broker-forwarding", o->broker_forwarding,
                "strict-replies", o->strict_replies, NULL);
  if (o->max_connections > 0)
    g_object_set (server, "max-connections", (guint) o->max_connections, NULL);
  if (o->max_subscriptions > 0)
    g_object_set (server, "max-subscriptions", (guint) o->max_subscriptions, NULL);
  if (o->max_subscriptions_per_destination > 0)
    g_object_set (server, "max-subscriptions-per-destination",
                  (guint) o->max_subscriptions_per_destination, NULL);
  if (o->max_event_patterns > 0)
    g_object_set (server, "max-event-patterns", (guint) o->max_event_patterns, NULL);
  if (o->max_buffered > 0)
    g_object_set (server, "max-buffered", (guint64) o->max_buffered, NULL);
  if (o->max_batch_length > 0)
    g_object_set (server, "max-batch-length", (guint) o->max_batch_length, NULL);
  if (o->call_timeout >= 0)
    g_object_set (server, "call-timeout", (guint) o->call_timeout, NULL);
  if (o->idle_timeout >= 0)
    g_object_set (server, "idle-timeout", (guint) o->idle_timeout, NULL);
  if (o->frame_timeout >= 0)
    g_object_set (server, "frame-timeout", (guint) o->frame_timeout, NULL);
  if (o->max_connections_per_peer >= 0)
    g_object_set (server, "max-connections-per-peer", (guint) o->max_connections_per_peer,
                  NULL);
  if (o->max_tls_handshakes > 0)
    g_object_set (server, "max-tls-handshakes", (guint) o->max_tls_handshakes, NULL);
  if (o->max_tls_handshakes_per_peer > 0)
    g_object_set (server, "max-tls-handshakes-per-peer",
                  (guint) o->max_tls_handshakes_per_peer, NULL);
  if (o->tls_first_byte_timeout > 0)
    g_object_set (server, "tls-first-byte-timeout", (guint) o->tls_first_byte_timeout, NULL);
  return !o->tls || load_tls (server, o, error);
}

/* Each connection holds a descriptor: with the soft RLIMIT_NOFILE below
 * max-connections, accept() fails with EMFILE and clients wait in the
 * backlog unanswered. Raises the soft limit toward what max-connections
 * needs, up to the hard limit, and warns when even that is too low. */
static void
raise_fd_limit (VdsmRpcServer *server)
{
  guint max_connections;
  struct rlimit limit;
  rlim_t need;

  g_object_get (server, "max-connections", &max_connections, NULL);
  need = (rlim_t) max_connections + FD_RESERVE;
  if (getrlimit (RLIMIT_NOFILE, &limit) < 0)
    {
      g_warning ("cannot read the limit of open files: %s", g_strerror (errno));
      return;
    }
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < need)
    {
      struct rlimit raised = limit;

      raised.rlim_cur = limit.rlim_max == RLIM_INFINITY ? need : MIN (need, limit.rlim_max);
      if (setrlimit (RLIMIT_NOFILE, &raised) == 0)
        {
          g_debug ("open files: soft limit raised from %llu to %llu",
                   (unsigned long long) limit.rlim_cur, (unsigned long long) raised.rlim_cur);
          limit = raised;
        }
    }
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < need)
    g_warning ("open files are limited to %llu (hard limit %llu) but --max-connections %u "
               "needs %llu (one per connection and %d more): once they run out, new clients "
               "wait unanswered; raise the hard limit (ulimit -Hn, systemd LimitNOFILE=) or "
               "lower --max-connections",
               (unsigned long long) limit.rlim_cur, (unsigned long long) limit.rlim_max,
               max_connections, (unsigned long long) need, FD_RESERVE);
}

static gboolean
start_listening (VdsmRpcServer *server, const Options *o, GError **error)
{
  if (o->listen[0] != '\0')
    {
      g_autoptr(GSocketConnectable) addr = g_network_address_parse (
        o->listen, DEFAULT_PORT, error);
      const char *host;
      guint16 port;

      if (addr == NULL)
        return FALSE;
      host = g_network_address_get_hostname (G_NETWORK_ADDRESS (addr));
      if (!vdsm_rpc_server_listen_tcp_full (
            server, host, g_network_address_get_port (G_NETWORK_ADDRESS (addr)),
            o->tls ? VDSM_RPC_LISTEN_TLS : VDSM_RPC_LISTEN_PLAIN, &port, error))
        {
          g_prefix_error (error, "%s: ", o->listen);
          return FALSE;
        }
      if (strchr (host, ':') != NULL)
        g_print ("listening on [%s]:%u\n", host, port);
      else
        g_print ("listening on %s:%u\n", host, port);
    }

  if (o->unix_path[0] != '\0')
    {
      g_autofree char *dir = g_path_get_dirname (o->unix_path);

      if (g_mkdir_with_parents (dir, 0755) < 0)
        {
          int saved_errno = errno;

          g_set_error (error, G_FILE_ERROR,
                       g_file_error_from_errno (saved_errno), "%s: %s", dir,
                       g_strerror (saved_errno));
          return FALSE;
        }
      if (!vdsm_rpc_server_listen_unix (server, o->unix_path, error))
        {
          g_prefix_error (error, "%s: ", o->unix_path);
          return FALSE;
        }
      g_print ("listening on unix:%s\n", o->unix_path);
    }
  fflush (stdout);
  return TRUE;
}

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_CONTINUE;
}

typedef struct {
  VdsmRpcServer *server;
  const Options *options;
} Reload;

/* SIGHUP: what can be re-read without a restart, as the --help text says.
 * Logs go to standard error: there is no file to reopen. */
static gboolean
reload_cb (gpointer data)
{
  const Reload *reload = data;
  const Options *o = reload->options;
  g_autoptr(GError) error = NULL;

  if (!o->tls)
    g_message ("SIGHUP: nothing to reload (no TLS files; logs go to standard error)");
  else if (load_tls (reload->server, o, &error))
    g_message ("SIGHUP: reloaded the TLS certificate %s, key %s and CA %s; "
               "connections accepted from now on use them",
               o->tls_cert, o->tls_key ? o->tls_key : "(in the certificate file)",
               o->tls_ca ? o->tls_ca : "(none)");
  else
    g_message ("SIGHUP: TLS files not reloaded, those loaded before stay in use: %s",
               error->message);
  return G_SOURCE_CONTINUE;
}

static GSource *
watch_signal (int signum, GSourceFunc func, gpointer data, GMainContext *context)
{
  GSource *source = g_unix_signal_source_new (signum);

  g_source_set_callback (source, func, data, NULL);
  g_source_attach (source, context);
  return source;
}

static int
fail (const char *what, GError *error)
{
  g_printerr ("vdsmd: %s: %s\n", what, error->message);
  return 1;
}

/* GLib before 2.76 keeps freed GSlice memory, where json-glib puts every
 * JSON node, in caches it never gives back: after one large request,
 * hundreds of MiB stayed in RSS for good. GSlice reads G_SLICE when GLib
 * initializes, before main(), so vdsmd starts itself again with it set;
 * then freed trees go back to malloc, which the server trims
 * (vdsm-rpc-budget.c). Without /proc the exec fails and vdsmd runs on. */
static void
use_malloc_for_gslice (char **argv)
{
  if (glib_check_version (2, 76, 0) == NULL || g_getenv ("G_SLICE") != NULL)
    return;
  g_setenv ("G_SLICE", "always-malloc", TRUE);
  execv ("/proc/self/exe", argv);
}

int
main (int argc, char **argv)
{
  g_auto(Options) options = { NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(VdsmSchema) schema = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GMainContext) rpc_context = NULL;
  VdsmdLibvirtEvents *events;
  VdsmdContext *ctx;
  VdsmRpcServer *server;
  virConnectPtr conn;
  Reload reload;
  GSource *signals[3];
  gboolean ok;

  use_malloc_for_gslice (argv);
  setlocale (LC_ALL, "");
  /* Standard output carries only the "listening on" lines a parent waits
   * for; GLib would write info and debug lines there, and a parent that
   * stops reading would then block the daemon. */
  g_log_writer_default_set_use_stderr (TRUE);
  if (!parse_options (&argc, &argv, &options, &error))
    return fail ("bad options", error);
  if (options.verbose)
    g_log_set_debug_enabled (TRUE);

  schema = load_schema (&error);
  if (schema == NULL)
    return fail ("cannot load the API schema", error);

  virSetErrorFunc (NULL, libvirt_error_cb);
  if (virInitialize () < 0)
    {
      g_printerr ("vdsmd: cannot initialize libvirt: %s\n",
                  virGetLastErrorMessage ());
      return 1;
    }
  /* Events need the event loop before the connection opens. */
  events = vdsmd_libvirt_events_new (&error);
  if (events == NULL)
    return fail ("cannot start the libvirt event loop", error);

  conn = virConnectOpen (options.libvirt_uri);
  if (conn == NULL)
    {
      g_printerr ("vdsmd: cannot connect to libvirt at %s: %s\n",
                  options.libvirt_uri, virGetLastErrorMessage ());
      vdsmd_libvirt_events_free (events);
      return 1;
    }
  g_debug ("connected to %s", options.libvirt_uri);

  ctx = vdsmd_context_new (conn);
  ctx->vm_stats_max_age_us = (gint64) MAX (options.stats_max_age, 0) * 1000;
  ctx->host_mem_reserve_mib = MAX (options.host_mem_reserve, 0);
  ctx->guest_ram_overhead_mib = MAX (options.guest_ram_overhead, 0);
  ctx->api_schema = vdsm_schema_to_json (schema);
  json_node_seal (ctx->api_schema);
  note_running_domains (ctx);
  /* libvirt's default event implementation iterates GLib's global default
   * context on the libvirt-events thread; the server's I/O must stay on this
   * thread alone, so it gets a context of its own. */
  rpc_context = g_main_context_new ();
  g_main_context_push_thread_default (rpc_context);
  server = vdsm_rpc_server_new_full (schema, vdsm_rpc_methods,
                                     vdsm_rpc_n_methods, ctx,
                                     (guint) options.workers,
                                     (gsize) options.max_frame_size);
  loop = g_main_loop_new (rpc_context, FALSE);
  reload = (Reload) { server, &options };
  /* Handled before the listeners are announced: a signal sent at once
   * must not find the default action, which kills vdsmd and leaves its
   * unix socket behind. */
  signals[0] = watch_signal (SIGINT, quit_cb, loop, rpc_context);
  signals[1] = watch_signal (SIGTERM, quit_cb, loop, rpc_context);
  signals[2] = watch_signal (SIGHUP, reload_cb, &reload, rpc_context);

  ok = configure_server (server, &options, &error);
  if (!ok)
    fail ("bad server configuration", error);
  else if (!(ok = vdsmd_libvirt_events_subscribe (events, ctx, server, &error)))
    fail ("cannot subscribe to libvirt events", error);
  else
    {
      raise_fd_limit (server);
      if (!(ok = start_listening (server, &options, &error)))
        fail ("cannot listen", error);
    }

  if (ok)
    {
      g_main_loop_run (loop);
      g_debug ("stopping");
    }
  for (guint i = 0; i < G_N_ELEMENTS (signals); i++)
    {
      g_source_destroy (signals[i]);
      g_source_unref (signals[i]);
    }

  /* Unsubscribe before the server and the connection go away. */
  vdsmd_libvirt_events_free (events);
  vdsm_rpc_server_stop (server);
  g_object_unref (server);
  g_main_context_pop_thread_default (rpc_context);
  vdsmd_context_free (ctx);
  return ok ? 0 : 1;
}
