/* test-client-tool.c: the vdsm-client command line tool, run as a
 * subprocess against the fake STOMP server.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "fake-stomp-server.h"
#include "vdsm-test-run.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>

/* Runs vdsm-client with the NULL-terminated arguments, @input on stdin. */
static void
run_tool (VdsmTestRun *run, const char *input, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, (gpointer) VDSM_CLIENT_TOOL);
  va_start (args, input);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  vdsm_test_run (run, NULL, (const char *const *) argv->pdata, input);
  /* A signal is not an exit status the tests expect. */
  g_assert_cmpint (run->status, >=, 0);
}

static char *
port_of (FakeServer *server)
{
  return g_strdup (strrchr (server->uri, ':') + 1);
}

static void
assert_json_equal (const char *text, const char *expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) actual_node = json_from_string (text, &error);
  g_autoptr(JsonNode) expected_node = json_from_string (expected, NULL);

  g_assert_no_error (error);
  g_assert_true (json_node_equal (actual_node, expected_node));
}

static void
test_help (void)
{
  g_auto(VdsmTestRun) run = { 0, };

  run_tool (&run, NULL, "--help", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "NAMESPACE METHOD"));
  g_assert_nonnull (strstr (run.out, "--timeout"));
  g_assert_nonnull (strstr (run.out, "Namespaces:\n"));
  /* Counts from the schema and daemon/served-methods.txt, in a column
   * after the longest namespace name. */
  g_assert_true (g_regex_match_simple ("\n  Host +\\(\\d+ methods, \\d+ served by vdsmd\\)\n",
                                       run.out, 0, 0));
  g_assert_true (g_regex_match_simple ("\n  VM +\\(", run.out, 0, 0));
}

/* A namespace of one method (ISCSIConnection in VDSM's API) is counted in
 * the singular. */
static void
test_help_one_method (void)
{
  g_auto(VdsmTestRun) run = { 0, };

  run_tool (&run, NULL, "--help", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_true (g_regex_match_simple ("\n  ISCSIConnection +\\(1 method, 0 served by vdsmd\\)\n",
                                       run.out, 0, 0));
  g_assert_null (strstr (run.out, "(1 methods"));
}

static void
test_namespace_help (void)
{
  g_auto(VdsmTestRun) run = { 0, };

  run_tool (&run, NULL, "Host", "--help", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "Methods of Host:"));
  g_assert_nonnull (strstr (run.out, "  getVMList "));
  g_assert_nonnull (strstr (run.out, "  ping "));
  g_assert_null (strstr (run.out, "getStats  Get statistics of one virtual machine"));
}

static void
test_method_help (void)
{
  g_auto(VdsmTestRun) run = { 0, };

  run_tool (&run, NULL, "VM", "getStats", "--help", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "vdsm-client [OPTION…] VM getStats"));
  g_assert_nonnull (strstr (run.out, "Parameters:\n  vmID (UUID, required)\n"));
  g_assert_nonnull (strstr (run.out, "Returns: "));

  run_tool (&run, NULL, "Host", "getVMList", "-h", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "  onlyUUID (boolean, optional, default: "));
}

static void
test_usage_errors (void)
{
  const char *const cases[][4] = {
    { NULL, },
    { "Nope", NULL, },
    { "Host", NULL, },
    { "Host", "nope", NULL, },
    { "Host", "getVMList", "nope=1", NULL, },
    { "Host", "getVMList", "onlyUUID", NULL, },
    { "Host", "getVMList", "onlyUUID=maybe", NULL, },
    { "--no-such-option", NULL, },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(VdsmTestRun) run = { 0, };

      run_tool (&run, NULL, cases[i][0], cases[i][0] ? cases[i][1] : NULL,
                cases[i][0] && cases[i][1] ? cases[i][2] : NULL, NULL);
      g_assert_cmpint (run.status, ==, 64);
      g_assert_cmpstr (run.out, ==, "");
      g_assert_true (g_str_has_prefix (run.err, "vdsm-client: "));
    }
}

static void
test_unknown_names_listed (void)
{
  g_auto(VdsmTestRun) run = { 0, };

  run_tool (&run, NULL, "Nope", "x", NULL);
  g_assert_true (g_regex_match_simple ("\n  Host +\\(", run.err, 0, 0));

  run_tool (&run, NULL, "VM", "nope", NULL);
  g_assert_nonnull (strstr (run.err, "  getStats "));

  run_tool (&run, NULL, "VM", "getStats", "vmId=x", NULL);
  g_assert_nonnull (strstr (run.err, "vmID"));
}

static void
test_connection_refused (void)
{
  g_autoptr(FakeServer) server = fake_server_new (NULL);
  g_autofree char *port = NULL;
  g_auto(VdsmTestRun) run = { 0, };

  fake_server_start_tcp (server);
  port = port_of (server);
  g_clear_pointer (&server, fake_server_free);

  run_tool (&run, NULL, "-a", "127.0.0.1", "-p", port, "Host", "ping", NULL);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_cmpstr (run.out, ==, "");
  g_assert_nonnull (strstr (run.err, "127.0.0.1"));
}

static void
test_call_typed_args (void)
{
  g_autoptr(FakeServer) server = fake_server_new (fake_handle_echo);
  g_autofree char *port = NULL;
  g_auto(VdsmTestRun) run = { 0, };
  FakeFrame *send;

  fake_server_start_tcp (server);
  port = port_of (server);
  run_tool (&run, NULL, "--insecure", "-a", "127.0.0.1", "-p", port, "--flow-id", "flow-1",
            "Host", "getVMList", "onlyUUID=false", "vmList=[\"a\", \"b\"]", NULL);
  g_assert_cmpint (run.status, ==, 0);
  assert_json_equal (run.out, "{\"onlyUUID\": false, \"vmList\": [\"a\", \"b\"]}");
  /* Pretty-printed with four spaces, as VDSM's tool does. */
  g_assert_nonnull (strstr (run.out, "\n    \"onlyUUID\""));
  send = fake_server_wait_frame (server, 4);
  g_assert_cmpstr (send->command, ==, "SEND");
  g_assert_cmpstr (fake_frame_header (send, "ovirtCorrelationId"), ==, "flow-1");
}

static void
test_call_string_args (void)
{
  g_autoptr(FakeServer) server = fake_server_new (fake_handle_echo);
  g_auto(VdsmTestRun) run = { 0, };

  /* A string parameter takes its value as written, even if it looks like
   * JSON. Over a unix socket this time. */
  fake_server_start_unix (server);
  run_tool (&run, NULL, "--unix", server->uri + strlen ("unix://"),
            "VM", "getStats", "vmID=123", NULL);
  g_assert_cmpint (run.status, ==, 0);
  assert_json_equal (run.out, "{\"vmID\": \"123\"}");
}

static void
test_call_params_file (void)
{
  g_autoptr(FakeServer) server = fake_server_new (fake_handle_echo);
  g_autofree char *port = NULL;
  g_auto(VdsmTestRun) run = { 0, };

  fake_server_start_tcp (server);
  port = port_of (server);
  run_tool (&run, "{\"vmID\": \"from-file\", \"extra\": [1]}",
            "-p", port, "-a", "127.0.0.1", "-f", "-", "VM", "getStats", "vmID=from-args", NULL);
  g_assert_cmpint (run.status, ==, 0);
  assert_json_equal (run.out, "{\"vmID\": \"from-args\", \"extra\": [1]}");

  run_tool (&run, "[1]", "-p", port, "-f", "-", "VM", "getStats", NULL);
  g_assert_cmpint (run.status, ==, 64);
}

static void
test_call_server_error (void)
{
  g_autoptr(FakeServer) server = fake_server_new (fake_handle_vm_error);
  g_autofree char *port = NULL;
  g_auto(VdsmTestRun) run = { 0, };

  fake_server_start_tcp (server);
  port = port_of (server);
  run_tool (&run, NULL, "-a", "127.0.0.1", "-p", port, "VM", "getStats", "vmID=x", NULL);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_cmpstr (run.out, ==, "");
  g_assert_nonnull (strstr (run.err, "VM.getStats"));
  g_assert_nonnull (strstr (run.err, "(code=1, message=Virtual machine does not exist)"));
}

/* ---- VDSM's command line and beyond: options, output, deadline, events ---- */

/* Answers nothing: the call waits for its deadline. */
static void
handle_silence (FakeServer *server, const char *method, JsonNode *id, JsonNode *params)
{
}

static void
test_option_errors (void)
{
  const char *const cases[][6] = {
    { "--timeout", "-1", "Host", "ping", NULL, },
    { "--timeout", "nan", "Host", "ping", NULL, },
    { "--timeout", "1e12", "Host", "ping", NULL, },
    { "--unix", "/nonexistent", "-a", "127.0.0.1", "Host", "ping", },
    { "--insecure", "--tls-ca", "/nonexistent", "Host", "ping", NULL, },
    { "--unix", "/nonexistent", "--tls-cert", "/x", "Host", "ping", },
    { "-p", "65536", "Host", "ping", NULL, },
    { "--count", "1", "Host", "ping", NULL, },
    { "-f", "-", "events", NULL, },
    { "--count", "-1", "events", NULL, },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(VdsmTestRun) run = { 0, };

      run_tool (&run, NULL, cases[i][0], cases[i][1], cases[i][2], cases[i][3], cases[i][4],
                cases[i][5], NULL);
      g_assert_cmpint (run.status, ==, 64);
      g_assert_cmpstr (run.out, ==, "");
      g_assert_true (g_str_has_prefix (run.err, "vdsm-client: "));
    }
}

/* VDSM's --host is our -a's long name. */
static void
test_host_option (void)
{
  g_autoptr(FakeServer) server = fake_server_new (fake_handle_echo);
  g_autofree char *port = NULL;
  g_auto(VdsmTestRun) run = { 0, };

  fake_server_start_tcp (server);
  port = port_of (server);
  run_tool (&run, NULL, "--host", "127.0.0.1", "--port", port, "Host", "ping", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==, "{}\n");
}

/* As Python's json.dumps (indent=4, sort_keys=True) in VDSM's tool. */
static void
test_output_layout (void)
{
  g_autoptr(FakeServer) server = fake_server_new (fake_handle_echo);
  g_autofree char *port = NULL;
  g_auto(VdsmTestRun) run = { 0, };

  fake_server_start_tcp (server);
  port = port_of (server);
  run_tool (&run, "{\"vmID\": \"x\", \"b\": 1.5, \"a\": [{\"z\": null, \"y\": \"é\"}, [], {}]}",
            "-a", "127.0.0.1", "-p", port, "-f", "-", "VM", "getStats", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==,
                   "{\n"
                   "    \"a\": [\n"
                   "        {\n"
                   "            \"y\": \"é\",\n"
                   "            \"z\": null\n"
                   "        },\n"
                   "        [],\n"
                   "        {}\n"
                   "    ],\n"
                   "    \"b\": 1.5,\n"
                   "    \"vmID\": \"x\"\n"
                   "}\n");
}

/* --timeout takes fractions (VDSM's is a float) and bounds the reply. */
static void
test_timeout_fraction (void)
{
  g_autoptr(FakeServer) server = fake_server_new (handle_silence);
  g_autofree char *port = NULL;
  g_auto(VdsmTestRun) run = { 0, };
  gint64 start;

  fake_server_start_tcp (server);
  port = port_of (server);
  start = g_get_monotonic_time ();
  run_tool (&run, NULL, "-a", "127.0.0.1", "-p", port, "--timeout", "0.3", "Host", "ping", NULL);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_cmpstr (run.out, ==, "");
  g_assert_nonnull (strstr (run.err, "Request Host.ping with args {} timed out after 0.3 seconds"));
  /* Generous: only that it did not wait the default minute. */
  g_assert_cmpint (g_get_monotonic_time () - start, <, WAIT_SECONDS * G_TIME_SPAN_SECOND);
}

/* Without TLS options nor certificates, a loopback host (the default
 * localhost) is reached with plain TCP: the README's commands against
 * `make run`. */
static void
test_loopback_plain_by_default (void)
{
  g_autoptr(FakeServer) server = fake_server_new (fake_handle_echo);
  g_autofree char *port = NULL;
  g_autofree char *empty = g_dir_make_tmp ("vdsm-client-pki-XXXXXX", NULL);
  g_autofree char *reason = NULL;
  g_auto(VdsmTestRun) run = { 0, };

  fake_server_start_tcp (server);
  port = port_of (server);
  run_tool (&run, NULL, "--pki-dir", empty, "-p", port, "--verbose", "Host", "ping", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==, "{}\n");
  reason = g_strdup_printf ("connecting with plain TCP to localhost:%s: no TLS option, no %s/certs/vdsmcert.pem and a loopback host",
                            port, empty);
  g_assert_nonnull (strstr (run.err, reason));
  g_rmdir (empty);
}

static GSubprocess *
spawn_tool (const char *const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  g_ptr_array_add (argv, (gpointer) VDSM_CLIENT_TOOL);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  process = g_subprocess_newv ((const char *const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                               &error);
  g_assert_no_error (error);
  return process;
}

static void
on_communicated (GObject *source, GAsyncResult *result, gpointer data)
{
  *(GAsyncResult **) data = g_object_ref (result);
}

/* Waits (bounded) for @process to exit by itself; its output in @run. */
static void
wait_tool (GSubprocess *process, VdsmTestRun *run)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gint64 end = g_get_monotonic_time () + WAIT_SECONDS * G_TIME_SPAN_SECOND;

  g_subprocess_communicate_utf8_async (process, NULL, NULL, on_communicated, &result);
  while (result == NULL && g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
  if (result == NULL)
    {
      g_subprocess_force_exit (process);
      g_error ("vdsm-client did not exit in %d s", WAIT_SECONDS);
    }
  vdsm_test_run_clear (run);
  g_subprocess_communicate_utf8_finish (process, result, &run->out, &run->err, &error);
  g_assert_no_error (error);
  run->status = g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process) : -1;
  g_test_message ("vdsm-client: status %d\nstdout:\n%s\nstderr:\n%s", run->status, run->out,
                  run->err);
}

/* Until the client subscribed to @destination (bounded). */
static void
wait_subscribed (FakeServer *server, const char *destination)
{
  gint64 end = g_get_monotonic_time () + WAIT_SECONDS * G_TIME_SPAN_SECOND;
  gboolean subscribed = FALSE;

  while (!subscribed && g_get_monotonic_time () < end)
    {
      g_mutex_lock (&server->lock);
      subscribed = g_hash_table_contains (server->subscriptions, destination);
      g_mutex_unlock (&server->lock);
      if (!subscribed)
        g_usleep (5000);
    }
  g_assert_true (subscribed);
}

#define EVENTS_QUEUE "jms.queue.events"

static void
send_event (FakeServer *server, const char *id, const char *params)
{
  g_autofree char *body = g_strdup_printf ("{\"jsonrpc\": \"2.0\", \"method\": \"%s\", "
                                           "\"params\": %s}", id, params);

  fake_server_message (server, EVENTS_QUEUE, body);
}

/* Events matching a pattern, one line each, until --count. */
static void
test_events_filtered (void)
{
  g_autoptr(FakeServer) server = fake_server_new (NULL);
  g_autofree char *port = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_auto(VdsmTestRun) run = { 0, };

  fake_server_start_tcp (server);
  port = port_of (server);
  process = spawn_tool ((const char *const[]) {
    "-a", "127.0.0.1", "-p", port, "--count", "2", "events", "virt.*", "jobs.statu?", "nope.*",
    NULL });
  wait_subscribed (server, EVENTS_QUEUE);
  send_event (server, "|net|host_conn|", "{\"notify_time\": 1}");
  send_event (server, "|virt|VM_status|u1", "{\"u1\": {\"status\": \"Up\"}, \"notify_time\": 2}");
  send_event (server, "|jobs|status|", "{\"notify_time\": 3, \"id\": \"j\"}");
  wait_tool (process, &run);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==,
                   "{\"event\": \"|virt|VM_status|u1\", \"params\": "
                   "{\"notify_time\": 2, \"u1\": {\"status\": \"Up\"}}}\n"
                   "{\"event\": \"|jobs|status|\", \"params\": {\"id\": \"j\", \"notify_time\": 3}}\n");
  /* A pattern the schema has no event for is probably a typo. */
  g_assert_nonnull (strstr (run.err, "warning: “nope.*” matches no event of the schema"));
  g_assert_null (strstr (run.err, "virt.*"));
}

/* --count is exact even when more events are ready at once. */
static void
test_events_count_exact (void)
{
  g_autoptr(FakeServer) server = fake_server_new (NULL);
  g_autofree char *port = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_auto(VdsmTestRun) run = { 0, };

  fake_server_start_tcp (server);
  port = port_of (server);
  process = spawn_tool ((const char *const[]) {
    "-a", "127.0.0.1", "-p", port, "--count", "1", "events", NULL });
  wait_subscribed (server, EVENTS_QUEUE);
  for (guint i = 0; i < 20; i++)
    send_event (server, "|net|host_conn|", "{\"notify_time\": 1}");
  wait_tool (process, &run);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==, "{\"event\": \"|net|host_conn|\", \"params\": {\"notify_time\": 1}}\n");
}

static void
test_events_connection_lost (void)
{
  g_autoptr(FakeServer) server = fake_server_new (NULL);
  g_autofree char *port = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_auto(VdsmTestRun) run = { 0, };

  fake_server_start_tcp (server);
  port = port_of (server);
  process = spawn_tool ((const char *const[]) { "-a", "127.0.0.1", "-p", port, "events", NULL });
  wait_subscribed (server, EVENTS_QUEUE);
  send_event (server, "|net|host_conn|", "{\"notify_time\": 1}");
  /* The connection is closed from the server thread's side: shut the
   * socket down under the writers' lock. */
  g_mutex_lock (&server->write_lock);
  g_socket_shutdown (g_socket_connection_get_socket (server->connection), TRUE, TRUE, NULL);
  g_mutex_unlock (&server->write_lock);
  wait_tool (process, &run);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_cmpstr (run.out, ==, "{\"event\": \"|net|host_conn|\", \"params\": {\"notify_time\": 1}}\n");
  g_assert_nonnull (strstr (run.err, "lost"));
}

/* Interrupted, the tool ends with status 0. */
static void
test_events_interrupted (void)
{
  g_autoptr(FakeServer) server = fake_server_new (NULL);
  g_autofree char *port = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_auto(VdsmTestRun) run = { 0, };

  fake_server_start_tcp (server);
  port = port_of (server);
  process = spawn_tool ((const char *const[]) { "-a", "127.0.0.1", "-p", port, "events", NULL });
  wait_subscribed (server, EVENTS_QUEUE);
  g_subprocess_send_signal (process, SIGTERM);
  wait_tool (process, &run);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==, "");
}

static void
test_events_help (void)
{
  g_auto(VdsmTestRun) run = { 0, };

  run_tool (&run, NULL, "events", "--help", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "vdsm-client [OPTION…] events [PATTERN…]"));
  g_assert_nonnull (strstr (run.out, "  virt.VM_status  "));

  run_tool (&run, NULL, "--help", NULL);
  g_assert_nonnull (strstr (run.out, "events --help"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/client-tool/help", test_help);
  g_test_add_func ("/client-tool/help-one-method", test_help_one_method);
  g_test_add_func ("/client-tool/namespace-help", test_namespace_help);
  g_test_add_func ("/client-tool/method-help", test_method_help);
  g_test_add_func ("/client-tool/usage-errors", test_usage_errors);
  g_test_add_func ("/client-tool/unknown-names-listed", test_unknown_names_listed);
  g_test_add_func ("/client-tool/connection-refused", test_connection_refused);
  g_test_add_func ("/client-tool/call/typed-args", test_call_typed_args);
  g_test_add_func ("/client-tool/call/string-args", test_call_string_args);
  g_test_add_func ("/client-tool/call/params-file", test_call_params_file);
  g_test_add_func ("/client-tool/call/server-error", test_call_server_error);
  g_test_add_func ("/client-tool/parity/option-errors", test_option_errors);
  g_test_add_func ("/client-tool/parity/host-option", test_host_option);
  g_test_add_func ("/client-tool/parity/output-layout", test_output_layout);
  g_test_add_func ("/client-tool/parity/timeout-fraction", test_timeout_fraction);
  g_test_add_func ("/client-tool/parity/loopback-plain-by-default", test_loopback_plain_by_default);
  g_test_add_func ("/client-tool/events/filtered", test_events_filtered);
  g_test_add_func ("/client-tool/events/count-exact", test_events_count_exact);
  g_test_add_func ("/client-tool/events/connection-lost", test_events_connection_lost);
  g_test_add_func ("/client-tool/events/interrupted", test_events_interrupted);
  g_test_add_func ("/client-tool/events/help", test_events_help);

  return g_test_run ();
}
