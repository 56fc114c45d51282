/* test-vdsmd-tls.c: vdsmd's TLS options end to end: the built daemon
 * serves mutual TLS with the certificates of scripts/make-test-certs, and
 * its handshake limits act on peers that never start a handshake.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include "vdsm-test-run.h"

#define IO_TIMEOUT_S 10

static char *cert_dir;

static char *
vdsmd_path (void)
{
  return g_build_filename (g_getenv ("VDSM_BUILD_ROOT"), "daemon", "vdsmd", NULL);
}

static char *
cert_path (const char *name)
{
  return g_build_filename (cert_dir, name, NULL);
}

static void
test_help (void)
{
  g_autofree char *vdsmd = vdsmd_path ();
  const char *argv[] = { vdsmd, "--help-all", NULL };
  g_auto(VdsmTestRun) run = { 0 };

  vdsm_test_run (&run, NULL, argv, NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "--max-tls-handshakes=N"));
  g_assert_nonnull (strstr (run.out, "(default 256)"));
  g_assert_nonnull (strstr (run.out, "--max-tls-handshakes-per-peer=N"));
  g_assert_nonnull (strstr (run.out, "(default 32)"));
  g_assert_nonnull (strstr (run.out, "--tls-first-byte-timeout=MS"));
  g_assert_nonnull (strstr (run.out, "(default 2000)"));
}

static void
test_bad_values (void)
{
  g_autofree char *vdsmd = vdsmd_path ();
  const char *const bad[][2] = {
    { "--max-tls-handshakes", "-1" },
    { "--max-tls-handshakes-per-peer", "-5" },
    { "--tls-first-byte-timeout", "50" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      const char *argv[] = { vdsmd, bad[i][0], bad[i][1], "--listen", "", "--unix", "", NULL };
      g_auto(VdsmTestRun) run = { 0 };

      vdsm_test_run (&run, NULL, argv, NULL);
      g_assert_cmpint (run.status, ==, 1);
      g_assert_nonnull (strstr (run.err, bad[i][0]));
    }
}

/* ---- vdsmd serving TLS ---- */

static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

/* Starts vdsmd serving mutual TLS on 127.0.0.1 with @extra options;
 * returns its port. */
static GSubprocess *
start_tls_daemon (const char *const *extra, guint16 *port)
{
  g_autofree char *vdsmd = vdsmd_path ();
  g_autofree char *host_xml = g_build_filename (g_getenv ("VDSM_SOURCE_ROOT"), "data",
                                                "host.xml", NULL);
  g_autofree char *cert = cert_path ("server.pem");
  g_autofree char *key = cert_path ("server-key.pem");
  g_autofree char *ca = cert_path ("ca.pem");
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GDataInputStream) in = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  GSubprocess *proc;
  guint64 value = 0;
  const char *const base[] = {
    vdsmd, "--listen", "127.0.0.1:0", "--unix", "", "--host-definition", host_xml,
    "--tls", "--tls-cert", cert, "--tls-key", key, "--tls-ca", ca,
  };

  for (guint i = 0; i < G_N_ELEMENTS (base); i++)
    g_ptr_array_add (argv, (gpointer) base[i]);
  for (guint i = 0; extra[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) extra[i]);
  g_ptr_array_add (argv, NULL);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  proc = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proc));
  line = g_data_input_stream_read_line_utf8 (in, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "listening on 127.0.0.1:"));
  g_ascii_string_to_unsigned (line + strlen ("listening on 127.0.0.1:"), 10, 1, 65535,
                              &value, &error);
  g_assert_no_error (error);
  *port = (guint16) value;
  return proc;
}

static void
stop_daemon (GSubprocess *proc)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_send_signal (proc, SIGTERM);
  g_subprocess_wait (proc, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (proc));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 0);
}

/* A TCP connection from @source to @port that sends nothing. */
static GSocket *
connect_from (const char *source, guint16 port)
{
  g_autoptr(GSocketAddress) local = g_inet_socket_address_new_from_string (source, 0);
  g_autoptr(GSocketAddress) remote = g_inet_socket_address_new_from_string ("127.0.0.1", port);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_DEFAULT, &error);

  g_assert_no_error (error);
  g_assert_true (g_socket_bind (socket, local, FALSE, &error));
  g_assert_true (g_socket_connect (socket, remote, NULL, &error));
  g_assert_no_error (error);
  g_socket_set_timeout (socket, IO_TIMEOUT_S);
  return g_steal_pointer (&socket);
}

/* Seconds until the server closes @socket (it sends nothing first). */
static double
seconds_until_closed (GSocket *socket)
{
  gint64 start = g_get_monotonic_time ();
  g_autoptr(GError) error = NULL;
  char byte;
  gssize n = g_socket_receive (socket, &byte, 1, NULL, &error);

  /* A reset is a close too. */
  if (n < 0)
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED);
  else
    g_assert_cmpint (n, ==, 0);
  return (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
}

/* "{... "result": true ...}" read through @tls until it holds @expected. */
static void
read_until (GIOStream *tls, GString *received, const char *expected)
{
  GInputStream *in = g_io_stream_get_input_stream (tls);

  while (strstr (received->str, expected) == NULL)
    {
      g_autoptr(GError) error = NULL;
      char buf[4096];
      gssize n = g_input_stream_read (in, buf, sizeof buf, NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpint (n, >, 0);
      for (gssize i = 0; i < n; i++)
        g_string_append_c (received, buf[i] ? buf[i] : '\n');
    }
}

/* A mutual-TLS client that CONNECTs and calls Host.ping. */
static void
assert_ping_over_tls (guint16 port)
{
  static const char connect[] = "CONNECT\naccept-version:1.2\nheart-beat:0,0\n\n";
  static const char ping[] =
    "SUBSCRIBE\ndestination:r\nack:auto\nid:s\n\n\0"
    "SEND\ndestination:jms.topic.vdsm_requests\nreply-to:r\n\n"
    "{\"jsonrpc\": \"2.0\", \"method\": \"Host.ping\", \"id\": 1}";
  g_autoptr(GSocket) socket = connect_from ("127.0.0.1", port);
  g_autoptr(GSocketConnection) plain = g_socket_connection_factory_create_connection (socket);
  g_autoptr(GSocketConnectable) identity = g_network_address_new ("localhost", port);
  g_autofree char *ca = cert_path ("ca.pem");
  g_autofree char *cert_file = cert_path ("client.pem");
  g_autofree char *key_file = cert_path ("client-key.pem");
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsDatabase) database = g_tls_file_database_new (ca, &error);
  g_autoptr(GTlsCertificate) cert = g_tls_certificate_new_from_files (cert_file, key_file,
                                                                      &error);
  g_autoptr(GIOStream) tls = NULL;
  g_autoptr(GString) received = g_string_new (NULL);
  GOutputStream *out;

  g_assert_no_error (error);
  tls = g_tls_client_connection_new (G_IO_STREAM (plain), identity, &error);
  g_assert_no_error (error);
  g_tls_connection_set_database (G_TLS_CONNECTION (tls), database);
  g_tls_connection_set_certificate (G_TLS_CONNECTION (tls), cert);
  g_assert_true (g_tls_connection_handshake (G_TLS_CONNECTION (tls), NULL, &error));
  g_assert_no_error (error);
  out = g_io_stream_get_output_stream (tls);
  g_assert_true (g_output_stream_write_all (out, connect, sizeof connect, NULL, NULL, &error));
  read_until (tls, received, "CONNECTED");
  g_assert_true (g_output_stream_write_all (out, ping, sizeof ping, NULL, NULL, &error));
  g_assert_no_error (error);
  read_until (tls, received, "\"result\": true");
}

/* The per-peer cap closes a third silent peer of one address at once,
 * the first-byte deadline closes the other two, and a client with a
 * certificate is served meanwhile. */
static void
test_handshake_limits (void)
{
  const char *const extra[] = {
    "--max-tls-handshakes-per-peer", "2", "--tls-first-byte-timeout", "500", NULL
  };
  guint16 port = 0;
  g_autoptr(GSubprocess) proc = start_tls_daemon (extra, &port);
  g_autoptr(GSocket) idle1 = connect_from ("127.0.0.2", port);
  g_autoptr(GSocket) idle2 = connect_from ("127.0.0.2", port);
  /* The daemon accepts in order: the third is the one refused. */
  g_autoptr(GSocket) refused = connect_from ("127.0.0.2", port);
  double elapsed;

  g_assert_cmpfloat (seconds_until_closed (refused), <, 0.4);
  assert_ping_over_tls (port);
  elapsed = seconds_until_closed (idle1);
  seconds_until_closed (idle2);
  g_assert_cmpfloat (elapsed, <, IO_TIMEOUT_S / 2);
  stop_daemon (proc);
}

static void
remove_dir (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = g_build_filename (path, name, NULL);

      g_unlink (file);
    }
  g_rmdir (path);
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *script = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  g_assert_nonnull (g_getenv ("VDSM_BUILD_ROOT"));
  g_assert_nonnull (g_getenv ("VDSM_SOURCE_ROOT"));
  g_test_add_func ("/vdsmd-tls/help", test_help);
  g_test_add_func ("/vdsmd-tls/bad-values", test_bad_values);

  cert_dir = g_dir_make_tmp ("vdsmd-tls-test-XXXXXX", &error);
  g_assert_no_error (error);
  script = g_build_filename (g_getenv ("VDSM_SOURCE_ROOT"), "scripts", "make-test-certs", NULL);
  {
    const char *make[] = { script, cert_dir, NULL };
    g_auto(VdsmTestRun) run = { 0 };

    vdsm_test_run (&run, NULL, make, NULL);
    if (run.status == 0)
      g_test_add_func ("/vdsmd-tls/handshake-limits", test_handshake_limits);
  }

  ret = g_test_run ();
  remove_dir (cert_dir);
  g_free (cert_dir);
  return ret;
}
