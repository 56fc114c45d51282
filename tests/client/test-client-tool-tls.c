/* test-client-tool-tls.c: how the vdsm-client tool chooses between TLS and
 * plain TCP, and which files and server name it takes, with the
 * certificates of scripts/make-test-certs laid out as on a VDSM host; and,
 * once VdsmClient speaks TLS, the tool against vdsmd serving mutual TLS.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vdsm-client.h"
#include "vdsm-test-run.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

/* Made in main(): scripts/make-test-certs's files, and a PKI directory in
 * VDSM's layout holding the host certificate; NULL when openssl is
 * missing. */
static char *tmp_dir;
static char *cert_dir;
static char *pki_dir;
static char *empty_dir;
static char *other_ca;          /* a CA that signed none of cert_dir's */

static char *
cert_path (const char *name)
{
  return g_build_filename (cert_dir, name, NULL);
}

/* Runs the tool with the NULL-terminated @args. */
static void
run_tool (VdsmTestRun *run, const char *const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  g_ptr_array_add (argv, (gpointer) VDSM_CLIENT_TOOL);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  vdsm_test_run (run, NULL, (const char *const *) argv->pdata, NULL);
}

static gboolean
have_certs (void)
{
  if (cert_dir != NULL)
    return TRUE;
  g_test_skip ("scripts/make-test-certs failed (openssl missing?)");
  return FALSE;
}

/* ---- The choice (--verbose tells it), without a server ---- */

/* What the tool said it connects with; the connection itself fails (port
 * 1 on loopback is closed), or the library says it has no TLS. */
static void
assert_choice (const char *const *args, const char *expected)
{
  g_auto(VdsmTestRun) run = { 0, };

  run_tool (&run, args);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_cmpstr (run.out, ==, "");
  g_assert_nonnull (strstr (run.err, expected));
}

/* On a VDSM host: TLS with the host's own certificate, and the server is
 * expected to present it (VDSM serves with it), not "localhost". */
static void
test_choice_pki_on_host (void)
{
  g_autofree char *expected = NULL;

  if (!have_certs ())
    return;
  expected = g_strdup_printf ("vdsm-client: connecting with TLS to localhost:1: certificate "
                              "%s/certs/vdsmcert.pem, key %s/keys/vdsmkey.pem, "
                              "CA %s/certs/cacert.pem, server name vdsm-host.test\n",
                              pki_dir, pki_dir, pki_dir);
  assert_choice ((const char *const[]) { "-v", "--pki-dir", pki_dir, "-p", "1", "Host", "ping",
                                         NULL },
                 expected);

  g_free (expected);
  expected = g_strdup_printf ("vdsm-client: connecting with TLS to [::1]:1: certificate "
                              "%s/certs/vdsmcert.pem, key %s/keys/vdsmkey.pem, "
                              "CA %s/certs/cacert.pem, server name other.test\n",
                              pki_dir, pki_dir, pki_dir);
  assert_choice ((const char *const[]) { "-v", "--pki-dir", pki_dir, "-a", "::1", "-p", "1",
                                         "--tls-server-name", "other.test", "Host", "ping",
                                         NULL },
                 expected);
}

/* Given files replace the PKI directory's one by one; a certificate given
 * is not the server's, so the server name is the host's. */
static void
test_choice_given_files (void)
{
  g_autofree char *client = NULL;
  g_autofree char *expected = NULL;

  if (!have_certs ())
    return;
  client = cert_path ("client.pem");
  expected = g_strdup_printf ("vdsm-client: connecting with TLS to 127.0.0.1:1: certificate "
                              "%s, key %s/keys/vdsmkey.pem, CA %s/certs/cacert.pem, "
                              "server name 127.0.0.1\n", client, pki_dir, pki_dir);
  assert_choice ((const char *const[]) { "-v", "--pki-dir", pki_dir, "--tls-cert", client,
                                         "-a", "127.0.0.1", "-p", "1", "Host", "ping", NULL },
                 expected);

  /* Any TLS option asks for TLS, even on loopback without certificates. */
  assert_choice ((const char *const[]) { "-v", "--pki-dir", empty_dir, "--tls-server-name", "x",
                                         "-p", "1", "Host", "ping", NULL },
                 "vdsm-client: connecting with TLS to localhost:1: certificate none, key none, "
                 "CA the system's, server name x\n");
}

/* A host that is not loopback gets TLS even without certificates: plain
 * TCP only when asked for. (0.0.0.0 is this machine, and not loopback.) */
static void
test_choice_not_loopback (void)
{
  assert_choice ((const char *const[]) { "-v", "--pki-dir", empty_dir, "-a", "0.0.0.0", "-p", "1",
                                         "Host", "ping", NULL },
                 "vdsm-client: connecting with TLS to 0.0.0.0:1: certificate none, key none, "
                 "CA the system's, server name 0.0.0.0\n");
  assert_choice ((const char *const[]) { "-v", "--insecure", "-a", "0.0.0.0", "-p", "1",
                                         "Host", "ping", NULL },
                 "vdsm-client: connecting with plain TCP to 0.0.0.0:1 (--insecure)\n");
}

/* ---- Against vdsmd serving mutual TLS ---- */

static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

/* vdsmd serving TLS on 127.0.0.1 with certificate @cert (and its @key);
 * its port in @port. */
static GSubprocess *
start_tls_daemon (const char *cert, const char *key, char **port)
{
  g_autofree char *vdsmd = g_build_filename (g_getenv ("VDSM_BUILD_ROOT"), "daemon", "vdsmd",
                                             NULL);
  g_autofree char *cert_file = cert_path (cert);
  g_autofree char *key_file = cert_path (key);
  g_autofree char *ca_file = cert_path ("ca.pem");
  const char *argv[] = {
    vdsmd, "--listen", "127.0.0.1:0", "--unix", "", "--tls", "--tls-cert", cert_file,
    "--tls-key", key_file, "--tls-ca", ca_file, NULL,
  };
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GDataInputStream) in = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  GSubprocess *process;

  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  line = g_data_input_stream_read_line_utf8 (in, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "listening on 127.0.0.1:"));
  *port = g_strdup (line + strlen ("listening on 127.0.0.1:"));
  return process;
}

static void
stop_daemon (GSubprocess *process)
{
  g_subprocess_send_signal (process, SIGTERM);
  g_subprocess_wait (process, NULL, NULL);
}

/* `make run TLS=1`'s certificates, given one by one. */
static void
test_vdsmd_given_files (void)
{
  g_autoptr(GSubprocess) daemon = NULL;
  g_autofree char *port = NULL;
  g_autofree char *client = NULL;
  g_autofree char *key = NULL;
  g_autofree char *ca = NULL;
  g_auto(VdsmTestRun) run = { 0, };

  if (!have_certs ())
    return;
  daemon = start_tls_daemon ("server.pem", "server-key.pem", &port);
  client = cert_path ("client.pem");
  key = cert_path ("client-key.pem");
  ca = cert_path ("ca.pem");
  run_tool (&run, (const char *const[]) { "--tls-cert", client, "--tls-key", key, "--tls-ca", ca,
                                          "-a", "127.0.0.1", "-p", port, "Host", "ping", NULL });
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==, "true\n");
  stop_daemon (daemon);
}

/* A VDSM host in its default configuration: the server and the tool share
 * the host certificate, and `vdsm-client Host ping` (localhost) works. */
static void
test_vdsmd_vdsm_host_defaults (void)
{
  g_autoptr(GSubprocess) daemon = NULL;
  g_autofree char *port = NULL;
  g_auto(VdsmTestRun) run = { 0, };

  if (!have_certs ())
    return;
  daemon = start_tls_daemon ("host.pem", "host-key.pem", &port);
  run_tool (&run, (const char *const[]) { "--pki-dir", pki_dir, "-p", port, "Host", "ping",
                                          NULL });
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==, "true\n");

  /* The server's name is checked. */
  run_tool (&run, (const char *const[]) { "--pki-dir", pki_dir, "-p", port,
                                          "--tls-server-name", "other.test", "Host", "ping",
                                          NULL });
  g_assert_cmpint (run.status, ==, 2);
  g_assert_cmpstr (run.out, ==, "");

  /* A CA that did not sign the server's certificate is refused. */
  run_tool (&run, (const char *const[]) { "--pki-dir", pki_dir, "-p", port, "--tls-ca",
                                          other_ca, "Host", "ping", NULL });
  g_assert_cmpint (run.status, ==, 2);
  g_assert_cmpstr (run.out, ==, "");
  stop_daemon (daemon);
}

/* ---- Set-up ---- */

static void
run_or_die (const char *const *argv)
{
  g_auto(VdsmTestRun) run = { 0, };

  vdsm_test_run (&run, NULL, argv, NULL);
  g_assert_cmpint (run.status, ==, 0);
}

/* The host certificate as VDSM keeps it (certs/vdsmcert.pem…). */
static void
make_pki_dir (void)
{
  const char *const layout[][2] = {
    { "host.pem", "certs/vdsmcert.pem" },
    { "host-key.pem", "keys/vdsmkey.pem" },
    { "ca.pem", "certs/cacert.pem" },
  };

  pki_dir = g_build_filename (cert_dir, "pki", NULL);
  for (guint i = 0; i < G_N_ELEMENTS (layout); i++)
    {
      g_autofree char *from = cert_path (layout[i][0]);
      g_autofree char *to = g_build_filename (pki_dir, layout[i][1], NULL);
      g_autofree char *dir = g_path_get_dirname (to);

      g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
      run_or_die ((const char *const[]) { "cp", from, to, NULL });
    }
}

/* scripts/make-test-certs into @dir; FALSE when it cannot run. */
static gboolean
make_certs (const char *dir)
{
  g_autofree char *script = g_build_filename (g_getenv ("VDSM_SOURCE_ROOT"), "scripts",
                                              "make-test-certs", NULL);
  g_auto(VdsmTestRun) run = { 0, };

  vdsm_test_run (&run, NULL, (const char *const[]) { script, dir, NULL }, NULL);
  return run.status == 0;
}

static void
set_up (void)
{
  g_autofree char *certs = NULL;
  g_autofree char *other = NULL;

  tmp_dir = g_dir_make_tmp ("vdsm-client-tls-XXXXXX", NULL);
  g_assert_nonnull (tmp_dir);
  empty_dir = g_build_filename (tmp_dir, "empty", NULL);
  g_assert_cmpint (g_mkdir (empty_dir, 0700), ==, 0);
  certs = g_build_filename (tmp_dir, "certs", NULL);
  other = g_build_filename (tmp_dir, "other", NULL);
  if (!make_certs (certs) || !make_certs (other))
    return;
  cert_dir = g_steal_pointer (&certs);
  other_ca = g_build_filename (other, "ca.pem", NULL);
  make_pki_dir ();
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  set_up ();

  g_test_add_func ("/client-tool-tls/choice/pki-on-host", test_choice_pki_on_host);
  g_test_add_func ("/client-tool-tls/choice/given-files", test_choice_given_files);
  g_test_add_func ("/client-tool-tls/choice/not-loopback", test_choice_not_loopback);
  g_test_add_func ("/client-tool-tls/vdsmd/given-files", test_vdsmd_given_files);
  g_test_add_func ("/client-tool-tls/vdsmd/vdsm-host-defaults", test_vdsmd_vdsm_host_defaults);

  status = g_test_run ();
  run_or_die ((const char *const[]) { "rm", "-rf", tmp_dir, NULL });
  g_free (tmp_dir);
  g_free (cert_dir);
  g_free (pki_dir);
  g_free (empty_dir);
  g_free (other_ca);
  return status;
}
