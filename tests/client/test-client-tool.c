/* test-client-tool.c: the vdsm-client command line tool, run as a
 * subprocess against the fake STOMP server.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "fake-stomp-server.h"
#include "vdsm-test-run.h"

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
  g_assert_nonnull (strstr (run.out, "  Host  ("));
  g_assert_nonnull (strstr (run.out, "  VM    ("));
  /* Counts from the schema and daemon/served-methods.txt. */
  g_assert_true (g_regex_match_simple ("  Host  \\(\\d+ methods, \\d+ served by vdsmd\\)\n",
                                       run.out, 0, 0));
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
  g_assert_nonnull (strstr (run.err, "  Host  ("));

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

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/client-tool/help", test_help);
  g_test_add_func ("/client-tool/namespace-help", test_namespace_help);
  g_test_add_func ("/client-tool/method-help", test_method_help);
  g_test_add_func ("/client-tool/usage-errors", test_usage_errors);
  g_test_add_func ("/client-tool/unknown-names-listed", test_unknown_names_listed);
  g_test_add_func ("/client-tool/connection-refused", test_connection_refused);
  g_test_add_func ("/client-tool/call/typed-args", test_call_typed_args);
  g_test_add_func ("/client-tool/call/string-args", test_call_string_args);
  g_test_add_func ("/client-tool/call/params-file", test_call_params_file);
  g_test_add_func ("/client-tool/call/server-error", test_call_server_error);

  return g_test_run ();
}
