/* test-client-vdsmd.c: VdsmClient against the built vdsmd, over the wire:
 * tcp://, tls:// (mutual authentication, as VDSM hosts require) and
 * unix://; a server that dies and comes back, one that stops answering
 * heart-beats, events filtered by pattern and decoded into their types,
 * cancellation racing the reply, calls from several threads.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vdsm.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

/* Bound on any wait here. */
#define WAIT_SECONDS 20

/* data/host.xml: db01 and web01 run. */
#define DB01 "6f1c3a52-8e0b-4d47-9d6a-3f2b7c1e5a90"
#define WEB01 "1b4e28ba-2fa1-11d2-883f-0016d3cca427"

/* ---- A vdsmd of the test's own ---- */

typedef struct {
  GSubprocess *proc;
  char *dir;
  char *socket_path;
  char *certs;                 /* scripts/make-test-certs output, for --tls */
  guint16 port;
} Daemon;

static void
child_setup (gpointer data)
{
  /* A failed assertion aborts the test: vdsmd goes with it. */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static char *
cert_path (const Daemon *d, const char *name)
{
  return g_build_filename (d->certs, name, NULL);
}

/* The port of "listening on 127.0.0.1:PORT", 0 for another line. */
static guint16
listening_port (const char *line)
{
  const char *prefix = "listening on 127.0.0.1:";
  guint64 port = 0;

  if (g_str_has_prefix (line, prefix))
    g_ascii_string_to_unsigned (line + strlen (prefix), 10, 1, 65535, &port, NULL);
  return (guint16) port;
}

/* Starts vdsmd on 127.0.0.1:@port (0: any; the same port again after a
 * restart), the unix socket of @d and data/host.xml, with TLS on TCP when
 * @d has certificates, plus @extra arguments; waits for its listening
 * lines. */
static void
daemon_start (Daemon *d, guint16 port, const char *const *extra)
{
  g_autofree char *vdsmd = g_build_filename (g_getenv ("VDSM_BUILD_ROOT"), "daemon", "vdsmd", NULL);
  g_autofree char *host_xml = g_build_filename (g_getenv ("VDSM_SOURCE_ROOT"), "data", "host.xml",
                                                NULL);
  g_autofree char *listen = g_strdup_printf ("127.0.0.1:%u", port);
  g_autofree char *cert = NULL, *key = NULL, *ca = NULL;
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  gboolean have_unix = FALSE;

  if (d->dir == NULL)
    {
      d->dir = g_dir_make_tmp ("client-vdsmd-XXXXXX", &error);
      g_assert_no_error (error);
      d->socket_path = g_build_filename (d->dir, "vdsmd.sock", NULL);
    }
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  g_ptr_array_add (argv, vdsmd);
  g_ptr_array_add (argv, "--listen");
  g_ptr_array_add (argv, listen);
  g_ptr_array_add (argv, "--unix");
  g_ptr_array_add (argv, d->socket_path);
  g_ptr_array_add (argv, "--host-definition");
  g_ptr_array_add (argv, host_xml);
  if (d->certs != NULL)
    {
      cert = cert_path (d, "server.pem");
      key = cert_path (d, "server-key.pem");
      ca = cert_path (d, "ca.pem");
      g_ptr_array_add (argv, "--tls");
      g_ptr_array_add (argv, "--tls-cert");
      g_ptr_array_add (argv, cert);
      g_ptr_array_add (argv, "--tls-key");
      g_ptr_array_add (argv, key);
      g_ptr_array_add (argv, "--tls-ca");
      g_ptr_array_add (argv, ca);
    }
  for (guint i = 0; extra != NULL && extra[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) extra[i]);
  g_ptr_array_add (argv, NULL);
  d->proc = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);

  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (d->proc));
  d->port = 0;
  while (d->port == 0 || !have_unix)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);

      g_assert_no_error (error);
      g_assert_nonnull (line);
      if (g_str_has_prefix (line, "listening on unix:"))
        have_unix = TRUE;
      else
        d->port = listening_port (line);
    }
  g_assert_true (port == 0 || d->port == port);
}

static void
daemon_signal (Daemon *d, int signum)
{
  g_subprocess_send_signal (d->proc, signum);
}

/* SIGSTOP, and wait until it took effect: from then on the server
 * answers nothing, its sockets stay open. */
static void
daemon_pause (Daemon *d)
{
  g_autofree char *stat_path = g_strdup_printf ("/proc/%s/stat",
                                                g_subprocess_get_identifier (d->proc));
  gint64 end = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;

  daemon_signal (d, SIGSTOP);
  for (;;)
    {
      g_autofree char *stat = NULL;
      const char *state;

      g_assert_true (g_file_get_contents (stat_path, &stat, NULL, NULL));
      /* "pid (comm) S ...": the state follows the last parenthesis. */
      state = strrchr (stat, ')');
      if (state != NULL && state[1] == ' ' && state[2] == 'T')
        return;
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      g_usleep (1000);
    }
}

/* The server dies at once, without closing anything politely. */
static void
daemon_kill (Daemon *d)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_force_exit (d->proc);
  g_subprocess_wait (d->proc, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&d->proc);
}

static void
remove_dir (const char *dir)
{
  g_autoptr(GDir) handle = dir != NULL ? g_dir_open (dir, 0, NULL) : NULL;
  const char *name;

  while (handle != NULL && (name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_unlink (path);
    }
  if (dir != NULL)
    g_rmdir (dir);
}

static void
daemon_clear (Daemon *d)
{
  if (d->proc != NULL)
    {
      daemon_signal (d, SIGCONT);
      daemon_kill (d);
    }
  remove_dir (d->dir);
  remove_dir (d->certs);
  g_free (d->dir);
  g_free (d->socket_path);
  g_free (d->certs);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Daemon, daemon_clear)

/* scripts/make-test-certs into @d; FALSE (the test is skipped) without
 * openssl. */
static gboolean
daemon_make_certs (Daemon *d)
{
  g_autofree char *script = g_build_filename (g_getenv ("VDSM_SOURCE_ROOT"), "scripts",
                                              "make-test-certs", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("client-certs-XXXXXX", &error);
  g_autofree char *err = NULL;
  int status = -1;
  const char *argv[] = { script, dir, NULL };

  g_assert_no_error (error);
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL,
                     &err, &status, NULL) || !g_spawn_check_wait_status (status, NULL))
    {
      g_test_skip_printf ("scripts/make-test-certs failed: %s", err != NULL ? err : "");
      remove_dir (dir);
      return FALSE;
    }
  d->certs = g_steal_pointer (&dir);
  return TRUE;
}

/* ---- Clients ---- */

static char *
tcp_uri (const Daemon *d, const char *scheme)
{
  return g_strdup_printf ("%s://127.0.0.1:%u", scheme, d->port);
}

static char *
unix_uri (const Daemon *d)
{
  return g_strconcat ("unix://", d->socket_path, NULL);
}

/* A connected client with these properties (NULL-terminated). */
static VdsmClient *
client_new (const char *first_property, ...)
{
  g_autoptr(GError) error = NULL;
  va_list args;
  GObject *object;

  va_start (args, first_property);
  object = g_object_new_valist (VDSM_TYPE_CLIENT, first_property, args);
  va_end (args);
  g_initable_init (G_INITABLE (object), NULL, &error);
  g_assert_no_error (error);
  return VDSM_CLIENT (object);
}

static void
assert_ping (VdsmClient *client)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (vdsm_client_host_ping_sync (client, NULL, &error));
  g_assert_no_error (error);
}

static void
wait_for_state (VdsmClient *client, VdsmClientState state)
{
  gint64 end = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;

  while (vdsm_client_get_state (client) != state)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

/* ---- Transports ---- */

static void
store_result (GObject *source, GAsyncResult *res, gpointer data)
{
  GAsyncResult **out = data;

  g_assert_null (*out);
  *out = g_object_ref (res);
}

static void
iterate_until_result (GAsyncResult **res)
{
  gint64 end = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;

  while (*res == NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      g_main_context_iteration (NULL, TRUE);
    }
}

/* The typed calls, sync and async, over one transport. */
static void
check_calls (VdsmClient *client)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) vms = NULL;
  g_autoptr(GPtrArray) again = NULL;
  g_autoptr(GAsyncResult) res = NULL;

  g_assert_cmpint (vdsm_client_get_state (client), ==, VDSM_CLIENT_STATE_CONNECTED);
  assert_ping (client);
  vms = vdsm_client_host_get_vm_list_sync (client, FALSE, NULL, TRUE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (vms->len, ==, 5);
  vdsm_client_host_get_vm_list (client, FALSE, NULL, TRUE, NULL, store_result, &res);
  iterate_until_result (&res);
  again = vdsm_client_host_get_vm_list_finish (client, res, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (again->len, ==, vms->len);
}

static void
test_tcp (void)
{
  g_auto(Daemon) d = { 0 };
  g_autofree char *uri = NULL;
  g_autoptr(VdsmClient) client = NULL;

  daemon_start (&d, 0, NULL);
  uri = tcp_uri (&d, "tcp");
  client = client_new ("uri", uri, NULL);
  check_calls (client);
}

static void
test_unix (void)
{
  g_auto(Daemon) d = { 0 };
  g_autofree char *uri = NULL;
  g_autoptr(VdsmClient) client = NULL;

  daemon_start (&d, 0, NULL);
  uri = unix_uri (&d);
  client = client_new ("uri", uri, NULL);
  check_calls (client);
}

/* tls:// as a VDSM host wants it: the client presents its certificate and
 * checks the server's against the CA and the name, here the URI's IP
 * (an IP SAN of the test certificate) and then a DNS name. */
static void
test_tls (void)
{
  g_auto(Daemon) d = { 0 };
  g_autofree char *uri = NULL, *by_name = NULL;
  g_autofree char *cert = NULL, *key = NULL, *ca = NULL;
  g_autoptr(VdsmClient) client = NULL;
  g_autoptr(VdsmClient) named = NULL;

  if (!daemon_make_certs (&d))
    return;
  daemon_start (&d, 0, NULL);
  uri = tcp_uri (&d, "tls");
  cert = cert_path (&d, "client.pem");
  key = cert_path (&d, "client-key.pem");
  ca = cert_path (&d, "ca.pem");
  client = client_new ("uri", uri, "tls-cert-file", cert, "tls-key-file", key,
                       "tls-ca-file", ca, NULL);
  check_calls (client);

  by_name = g_strdup_printf ("tls://localhost:%u", d.port);
  named = client_new ("uri", by_name, "tls-cert-file", cert, "tls-key-file", key, "tls-ca-file", ca,
                      NULL);
  assert_ping (named);
}

/* Connecting with these properties fails: how. */
static GError *
connect_error (const char *first_property, ...)
{
  GError *error = NULL;
  va_list args;
  GObject *object;

  va_start (args, first_property);
  object = g_object_new_valist (VDSM_TYPE_CLIENT, first_property, args);
  va_end (args);
  g_object_set (object, "timeout", 5, NULL);
  g_assert_false (g_initable_init (G_INITABLE (object), NULL, &error));
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_object_unref (object);
  return error;
}

/* What a TLS client must refuse, and what the server refuses. */
static void
test_tls_refused (void)
{
  g_auto(Daemon) d = { 0 };
  g_auto(Daemon) other = { 0 };
  g_autofree char *uri = NULL, *cert = NULL, *key = NULL, *ca = NULL, *other_ca = NULL;
  g_autofree char *missing = NULL;
  GError *error;

  if (!daemon_make_certs (&d) || !daemon_make_certs (&other))
    return;
  daemon_start (&d, 0, NULL);
  uri = tcp_uri (&d, "tls");
  cert = cert_path (&d, "client.pem");
  key = cert_path (&d, "client-key.pem");
  ca = cert_path (&d, "ca.pem");
  other_ca = cert_path (&other, "ca.pem");

  /* A server whose certificate another CA signed. */
  error = connect_error ("uri", uri, "tls-cert-file", cert, "tls-key-file", key,
                         "tls-ca-file", other_ca, NULL);
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  g_assert_nonnull (strstr (error->message, "TLS handshake with"));
  g_clear_error (&error);

  /* A server that does not carry the expected name. */
  error = connect_error ("uri", uri, "tls-cert-file", cert, "tls-key-file", key,
                         "tls-ca-file", ca,
                         "tls-server-name", "vdsm.example.org", NULL);
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  g_clear_error (&error);

  /* No client certificate: vdsmd requires one. */
  error = connect_error ("uri", uri, "tls-ca-file", ca, NULL);
  g_assert_true (error->domain == G_TLS_ERROR || error->domain == G_IO_ERROR);
  g_clear_error (&error);

  /* Files that cannot be read are named at once. */
  missing = g_build_filename (d.certs, "missing.pem", NULL);
  error = connect_error ("uri", uri, "tls-cert-file", missing, "tls-ca-file", ca, NULL);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, missing));
  g_clear_error (&error);

  /* TLS files for a plain address are a mistake, not ignored. */
  g_free (uri);
  uri = tcp_uri (&d, "tcp");
  error = connect_error ("uri", uri, "tls-ca-file", ca, NULL);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
}

/* ---- Events ---- */

typedef struct {
  GPtrArray *ids;                    /* event ids received */
  VdsmVirtVmStatusEvent *vm_status;  /* the last, decoded */
} Events;

static void
on_event (VdsmClient *client, const char *event_id, JsonNode *params, gpointer data)
{
  Events *events = data;

  g_ptr_array_add (events->ids, g_strdup (event_id));
}

static void
on_vm_status (VdsmClient *client, const char *event_id, JsonNode *params, gpointer data)
{
  Events *events = data;
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&events->vm_status, vdsm_virt_vm_status_event_free);
  events->vm_status = vdsm_virt_vm_status_event_from_json (params, &error);
  g_assert_no_error (error);
}

static void
events_init (Events *events, VdsmClient *client)
{
  events->ids = g_ptr_array_new_with_free_func (g_free);
  events->vm_status = NULL;
  g_signal_connect (client, "event", G_CALLBACK (on_event), events);
  g_signal_connect (client, "event::virt.VM_status", G_CALLBACK (on_vm_status), events);
}

static void
events_clear (Events *events)
{
  g_ptr_array_unref (events->ids);
  g_clear_pointer (&events->vm_status, vdsm_virt_vm_status_event_free);
}

static void
destroy_vm (VdsmClient *client, const char *vm_id)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (vdsm_client_vm_destroy_sync (client, vm_id, 1, NULL, &error));
  g_assert_no_error (error);
}

/* Waits for the status change of @vm_id and checks what vdsmd sends
 * decodes into VdsmVirtVmStatusEvent: notify_time and the VM's entry. */
static void
expect_vm_down (Events *events, const char *vm_id)
{
  g_autofree char *id = g_strconcat ("|virt|VM_status|", vm_id, NULL);
  gint64 end = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;
  VdsmStatusDetails *details;

  while (events->vm_status == NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  g_assert_cmpuint (events->ids->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (events->ids, 0), ==, id);
  g_assert_cmpuint (vdsm_virt_vm_status_event_get_notify_time (events->vm_status), >,
                    G_MAXINT32 - 1);
  details = vdsm_status_map_lookup (vdsm_virt_vm_status_event_get_no_name (events->vm_status),
                                    vm_id);
  g_assert_nonnull (details);
  g_assert_cmpint (details->status, ==, VDSM_VM_STATUS_DOWN);
  g_assert_cmpstr (details->vm_id, ==, vm_id);
}

/* Three clients, three patterns: every event, VM status changes of db01
 * only, network events only. vdsmd sends each only what it asked for. */
static void
test_events (void)
{
  g_auto(Daemon) d = { 0 };
  g_autofree char *uri = NULL;
  g_autoptr(VdsmClient) all = NULL;
  g_autoptr(VdsmClient) db01 = NULL;
  g_autoptr(VdsmClient) net = NULL;
  const char *db01_only[] = { "*|virt|VM_status|" DB01, NULL };
  const char *net_only[] = { "*|net|*|*", NULL };
  Events all_events, db01_events, net_events;
  g_autoptr(GError) error = NULL;

  daemon_start (&d, 0, NULL);
  uri = unix_uri (&d);
  all = client_new ("uri", uri, NULL);
  db01 = client_new ("uri", uri, "event-patterns", db01_only, NULL);
  net = client_new ("uri", uri, NULL);
  g_assert_true (vdsm_client_set_event_patterns (net, net_only, &error));
  g_assert_no_error (error);
  events_init (&all_events, all);
  events_init (&db01_events, db01);
  events_init (&net_events, net);
  /* Subscriptions are made: a call on each was served after them. */
  assert_ping (net);
  assert_ping (db01);

  destroy_vm (all, WEB01);
  expect_vm_down (&all_events, WEB01);
  g_ptr_array_set_size (all_events.ids, 0);
  g_clear_pointer (&all_events.vm_status, vdsm_virt_vm_status_event_free);
  destroy_vm (all, DB01);
  expect_vm_down (&all_events, DB01);
  expect_vm_down (&db01_events, DB01);
  /* Both events were sent before the second reply: anything else for
   * these clients would have come by now. */
  assert_ping (net);
  g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (net_events.ids->len, ==, 0);
  g_assert_cmpuint (db01_events.ids->len, ==, 1);

  /* A malformed pattern is refused and changes nothing. */
  {
    const char *bad[] = { "virt|VM_status", NULL };

    g_assert_false (vdsm_client_set_event_patterns (net, bad, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  }
  events_clear (&all_events);
  events_clear (&db01_events);
  events_clear (&net_events);
}

/* ---- Losing the server ---- */

typedef struct {
  GArray *states;      /* VdsmClientState, as notified */
} StateLog;

static void
on_state (VdsmClient *client, GParamSpec *pspec, gpointer data)
{
  StateLog *log = data;
  VdsmClientState state = vdsm_client_get_state (client);

  g_array_append_val (log->states, state);
}

static gboolean
state_log_contains (StateLog *log, VdsmClientState state)
{
  for (guint i = 0; i < log->states->len; i++)
    if (g_array_index (log->states, VdsmClientState, i) == state)
      return TRUE;
  return FALSE;
}

/* A call made while the client waits to reconnect fails at once, saying
 * why. */
static void
assert_not_connected (VdsmClient *client)
{
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  g_assert_false (vdsm_client_host_ping_sync (client, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED);
  g_assert_nonnull (strstr (error->message, "reconnecting"));
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);
}

/* vdsmd is killed and started again on the same port: the client notices,
 * fails what was pending, refuses calls meanwhile, reconnects by itself
 * and subscribes to its events again. */
static void
test_server_restart (void)
{
  g_auto(Daemon) d = { 0 };
  g_autofree char *uri = NULL;
  g_autoptr(VdsmClient) client = NULL;
  const char *vm_status[] = { "*|virt|VM_status|*", NULL };
  StateLog log = { g_array_new (FALSE, FALSE, sizeof (VdsmClientState)) };
  Events events;
  guint16 port;

  daemon_start (&d, 0, NULL);
  port = d.port;
  uri = tcp_uri (&d, "tcp");
  client = client_new ("uri", uri, "event-patterns", vm_status, NULL);
  g_assert_true (VDSM_CLIENT_STATE_CONNECTED == vdsm_client_get_state (client));
  g_signal_connect (client, "notify::state", G_CALLBACK (on_state), &log);
  events_init (&events, client);

  daemon_kill (&d);
  wait_for_state (client, VDSM_CLIENT_STATE_DISCONNECTED);
  g_assert_false (vdsm_client_is_closed (client));
  assert_not_connected (client);

  daemon_start (&d, port, NULL);
  wait_for_state (client, VDSM_CLIENT_STATE_CONNECTED);
  assert_ping (client);
  destroy_vm (client, DB01);
  expect_vm_down (&events, DB01);
  g_assert_true (state_log_contains (&log, VDSM_CLIENT_STATE_DISCONNECTED));
  g_assert_true (state_log_contains (&log, VDSM_CLIENT_STATE_CONNECTED));
  events_clear (&events);
  g_array_unref (log.states);
}

/* The same over a unix socket, with a call pending when the server dies. */
static void
test_server_restart_unix (void)
{
  g_auto(Daemon) d = { 0 };
  g_autofree char *uri = NULL;
  g_autoptr(VdsmClient) client = NULL;
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) result = NULL;

  daemon_start (&d, 0, NULL);
  uri = unix_uri (&d);
  client = client_new ("uri", uri, NULL);
  /* Stopped, it cannot answer: the call is pending when it dies. */
  daemon_pause (&d);
  vdsm_client_call (client, "Host.ping", NULL, NULL, store_result, &res);
  g_usleep (G_USEC_PER_SEC / 10);
  daemon_kill (&d);
  iterate_until_result (&res);
  result = vdsm_client_call_finish (client, res, &error);
  /* It fails; a request that may have been served is never resent. */
  g_assert_null (result);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED);
  daemon_start (&d, 0, NULL);
  wait_for_state (client, VDSM_CLIENT_STATE_CONNECTED);
  assert_ping (client);
}

/* A server that stops answering (SIGSTOP: its socket stays open, nothing
 * comes back, heart-beats neither) is declared lost within the negotiated
 * interval plus half; once it runs again, the client is back. */
static void
test_heartbeat_stopped (void)
{
  g_auto(Daemon) d = { 0 };
  g_autofree char *uri = NULL;
  g_autoptr(VdsmClient) client = NULL;
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  gint64 stopped;
  gint64 took;

  daemon_start (&d, 0, NULL);
  uri = tcp_uri (&d, "tcp");
  /* vdsmd raises intervals below 1000 ms to 1000 (docs/protocol.md §10). */
  client = client_new ("uri", uri, "heartbeat", 1000, NULL);
  daemon_pause (&d);
  stopped = g_get_monotonic_time ();
  vdsm_client_call (client, "Host.ping", NULL, NULL, store_result, &res);
  iterate_until_result (&res);
  took = g_get_monotonic_time () - stopped;
  g_assert_null (vdsm_client_call_finish (client, res, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED);
  g_assert_nonnull (strstr (error->message, "heart-beats every 1000 ms"));
  /* 1.5 intervals and a tick; generous for a loaded machine. */
  g_test_message ("silence noticed after %" G_GINT64_FORMAT " ms", took / 1000);
  g_assert_cmpint (took, <, 5 * G_USEC_PER_SEC);
  g_assert_cmpint (vdsm_client_get_state (client), !=, VDSM_CLIENT_STATE_CONNECTED);

  daemon_signal (&d, SIGCONT);
  wait_for_state (client, VDSM_CLIENT_STATE_CONNECTED);
  assert_ping (client);
}

/* Without reconnect, a lost server closes the client for good. */
static void
test_no_reconnect (void)
{
  g_auto(Daemon) d = { 0 };
  g_autofree char *uri = NULL;
  g_autoptr(VdsmClient) client = NULL;
  g_autoptr(GError) error = NULL;

  daemon_start (&d, 0, NULL);
  uri = tcp_uri (&d, "tcp");
  client = client_new ("uri", uri, "reconnect", FALSE, NULL);
  daemon_kill (&d);
  wait_for_state (client, VDSM_CLIENT_STATE_CLOSED);
  g_assert_true (vdsm_client_is_closed (client));
  g_assert_false (vdsm_client_host_ping_sync (client, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED);
}

/* ---- Cancellation racing the reply ---- */

#define N_RACES 300

typedef struct {
  guint n_done;
  guint n_ok;
  guint n_cancelled;
} Races;

typedef struct {
  Races *races;
  GCancellable *cancellable;
  gboolean done;
} Race;

static void
on_race_done (GObject *source, GAsyncResult *res, gpointer data)
{
  Race *race = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) result = vdsm_client_call_finish (VDSM_CLIENT (source), res, &error);

  /* Exactly once, with the result or the cancellation. */
  g_assert_false (race->done);
  race->done = TRUE;
  race->races->n_done++;
  if (result != NULL)
    {
      g_assert_true (json_node_get_boolean (result));
      race->races->n_ok++;
    }
  else
    {
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      race->races->n_cancelled++;
    }
}

static gboolean
cancel_race (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

typedef struct {
  GCancellable *cancellable;
  gint64 when;                  /* monotonic µs */
} Cancellation;

/* Cancels each queued call at its time, from a thread of its own: the
 * cancellation meets the reply wherever it is by then. */
static gpointer
canceller_thread (gpointer data)
{
  GAsyncQueue *queue = data;
  Cancellation *c;

  while ((c = g_async_queue_pop (queue))->cancellable != NULL)
    {
      gint64 wait = c->when - g_get_monotonic_time ();

      if (wait > 0)
        g_usleep ((gulong) wait);
      g_cancellable_cancel (c->cancellable);
      g_free (c);
    }
  g_free (c);
  return NULL;
}

static void
queue_cancellation (GAsyncQueue *queue, GCancellable *cancellable, gint64 delay)
{
  Cancellation *c = g_new0 (Cancellation, 1);

  c->cancellable = cancellable;
  c->when = g_get_monotonic_time () + delay;
  g_async_queue_push (queue, c);
}

/* Calls cancelled before they leave, cancelled from another thread while
 * they are on the wire or as their reply arrives, and not cancelled: each
 * completes once, with its result or G_IO_ERROR_CANCELLED; the replies of
 * the cancelled ones are dropped; the connection stays good. */
static void
test_cancel_race (void)
{
  g_auto(Daemon) d = { 0 };
  g_autofree char *uri = NULL;
  g_autoptr(VdsmClient) client = NULL;
  Races races = { 0 };
  Race *race = g_new0 (Race, N_RACES);
  g_autoptr(GAsyncQueue) queue = g_async_queue_new ();
  g_autoptr(GCancellable) stopped = g_cancellable_new ();
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  GThread *canceller;
  gint64 start;

  daemon_start (&d, 0, NULL);
  uri = tcp_uri (&d, "tcp");
  client = client_new ("uri", uri, NULL);
  canceller = g_thread_new ("canceller", canceller_thread, queue);
  for (guint i = 0; i < N_RACES; i++)
    {
      race[i].races = &races;
      race[i].cancellable = g_cancellable_new ();
      vdsm_client_call (client, "Host.ping", NULL, race[i].cancellable, on_race_done, &race[i]);
      if (i % 3 == 0)
        g_cancellable_cancel (race[i].cancellable);
      else if (i % 3 == 1)
        queue_cancellation (queue, race[i].cancellable, (i * 997) % 20000);
      /* Replies come in while later calls go out. */
      g_main_context_iteration (NULL, FALSE);
    }
  queue_cancellation (queue, NULL, 0);
  while (races.n_done < N_RACES)
    g_main_context_iteration (NULL, TRUE);
  g_thread_join (canceller);
  g_test_message ("%u answered, %u cancelled", races.n_ok, races.n_cancelled);
  g_assert_cmpuint (races.n_ok + races.n_cancelled, ==, N_RACES);
  g_assert_cmpuint (races.n_cancelled, >=, N_RACES / 3);
  g_assert_cmpuint (races.n_ok, >=, N_RACES / 3);

  /* A call that cannot be answered (the server is stopped) returns as soon
   * as it is cancelled, not when a reply or the timeout comes. */
  daemon_pause (&d);
  vdsm_client_call (client, "Host.ping", NULL, stopped, store_result, &res);
  g_timeout_add (100, cancel_race, stopped);
  start = g_get_monotonic_time ();
  iterate_until_result (&res);
  g_assert_null (vdsm_client_call_finish (client, res, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 2 * G_USEC_PER_SEC);
  daemon_signal (&d, SIGCONT);
  /* Its late reply is dropped; the connection serves the next call. */
  assert_ping (client);

  for (guint i = 0; i < N_RACES; i++)
    g_object_unref (race[i].cancellable);
  g_free (race);
}

/* ---- Threads ---- */

#define N_THREADS 8
#define N_THREAD_CALLS 50

typedef struct {
  VdsmClient *client;
  guint index;
} ThreadData;

/* Sync calls, typed and generic, with per-call timeouts and cancellations
 * of their own, from each thread. */
static gpointer
caller_thread (gpointer data)
{
  ThreadData *td = data;

  for (guint i = 0; i < N_THREAD_CALLS; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) result = NULL;
      g_autoptr(GCancellable) cancellable = g_cancellable_new ();

      switch ((td->index + i) % 4)
        {
        case 0:
          assert_ping (td->client);
          break;
        case 1:
          result = vdsm_client_call_full_sync (td->client, "Host.ping", NULL, 10000, NULL, &error);
          g_assert_no_error (error);
          g_assert_true (json_node_get_boolean (result));
          break;
        case 2:
          g_cancellable_cancel (cancellable);
          result = vdsm_client_call_sync (td->client, "Host.ping", NULL, cancellable, &error);
          g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
          break;
        default:
          {
            g_autoptr(GPtrArray) vms = vdsm_client_host_get_vm_list_sync (td->client, FALSE, NULL,
                                                                          TRUE, NULL, &error);

            g_assert_no_error (error);
            g_assert_cmpuint (vms->len, ==, 5);
          }
          break;
        }
    }
  return NULL;
}

static void
test_threads (void)
{
  g_auto(Daemon) d = { 0 };
  g_autofree char *uri = NULL;
  g_autoptr(VdsmClient) client = NULL;
  GThread *threads[N_THREADS];
  ThreadData data[N_THREADS];

  daemon_start (&d, 0, NULL);
  uri = unix_uri (&d);
  client = client_new ("uri", uri, NULL);
  for (guint i = 0; i < N_THREADS; i++)
    {
      data[i].client = client;
      data[i].index = i;
      threads[i] = g_thread_new ("caller", caller_thread, &data[i]);
    }
  for (guint i = 0; i < N_THREADS; i++)
    g_thread_join (threads[i]);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/client/vdsmd/tcp", test_tcp);
  g_test_add_func ("/client/vdsmd/unix", test_unix);
  g_test_add_func ("/client/vdsmd/tls/calls", test_tls);
  g_test_add_func ("/client/vdsmd/tls/refused", test_tls_refused);
  g_test_add_func ("/client/vdsmd/events", test_events);
  g_test_add_func ("/client/vdsmd/server-restart", test_server_restart);
  g_test_add_func ("/client/vdsmd/server-restart-unix", test_server_restart_unix);
  g_test_add_func ("/client/vdsmd/heartbeat-stopped", test_heartbeat_stopped);
  g_test_add_func ("/client/vdsmd/no-reconnect", test_no_reconnect);
  g_test_add_func ("/client/vdsmd/cancel-race", test_cancel_race);
  g_test_add_func ("/client/vdsmd/threads", test_threads);
  return g_test_run ();
}
