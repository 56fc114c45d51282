/* test-introspection.c: Host.getApiSchema. vdsm_schema_to_json() on a
 * schema with every construct, then the built vdsmd serving its schema to
 * the typed libvdsm call and to the vdsm-client tool, over a unix socket.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include "vdsm.h"
#include "vdsm-schema.h"

#define TIMEOUT_S 20

static struct {
  GSubprocess *proc;
  char *tmpdir;
  char *socket_path;
} daemon_state;

static JsonNode *
parse (const char *json)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (json, &error);

  g_assert_no_error (error);
  g_assert_nonnull (node);
  return node;
}

static void
assert_json_equal (JsonNode *got, JsonNode *expected)
{
  if (!json_node_equal (got, expected))
    {
      g_autofree char *a = json_to_string (got, TRUE);
      g_autofree char *b = json_to_string (expected, TRUE);

      g_error ("JSON differs:\n got      %s\n expected %s", a, b);
    }
}

/* ---- vdsm_schema_to_json ---- */

static const char constructs_api[] =
  "types:\n"
  "    Id: &Id\n"
  "        added: '1.0'\n"
  "        description: An id.\n"
  "        name: Id\n"
  "        sourcetype: string\n"
  "        type: alias\n"
  "    Level: &Level\n"
  "        added: '1.0'\n"
  "        description: Levels.\n"
  "        name: Level\n"
  "        type: enum\n"
  "        values:\n"
  "            0.10: Low\n"
  "            'on': On\n"
  "    Point: &Point\n"
  "        added: '1.0'\n"
  "        deprecated: '2.0'\n"
  "        description: A point.\n"
  "        name: Point\n"
  "        type: object\n"
  "        properties:\n"
  "        -   name: x\n"
  "            type: string\n"
  "            datatype: uint\n"
  "            description: X\n"
  "        -   name: grid\n"
  "            type:\n"
  "            -   - float\n"
  "            defaultvalue: no-default\n"
  "            added: '1.5'\n"
  "            description: Rows\n"
  "        -   name: extra\n"
  "            type: dict\n"
  "            defaultvalue: null\n"
  "            description: Anything\n"
  "    Points: &Points\n"
  "        added: '1.0'\n"
  "        description: Points by id.\n"
  "        name: Points\n"
  "        type: map\n"
  "        key-type: *Id\n"
  "        value-type: *Point\n"
  "    Where: &Where\n"
  "        added: '1.0'\n"
  "        description: A point or an id.\n"
  "        name: Where\n"
  "        type: union\n"
  "        values:\n"
  "        - *Point\n"
  "        - *Id\n"
  "Geo.find:\n"
  "    added: '1.0'\n"
  "    description: Finds.\n"
  "    params:\n"
  "    -   name: near\n"
  "        type: *Where\n"
  "        description: Where\n"
  "    -   name: level\n"
  "        type: *Level\n"
  "        defaultvalue: 0.10\n"
  "        description: How hard\n"
  "    return:\n"
  "        description: Found\n"
  "        type: *Points\n"
  "Geo.ping:\n"
  "    added: '1.0'\n"
  "    description: Nothing.\n";

static const char constructs_events[] =
  "types:\n"
  "    Id: &Id\n"
  "        description: An id.\n"
  "        name: Id\n"
  "        sourcetype: string\n"
  "        type: alias\n"
  "'|geo|moved|':\n"
  "    description: Moved.\n"
  "    params:\n"
  "    -   name: notify_time\n"
  "        type: uint\n"
  "        description: When\n"
  "    -   name: where\n"
  "        type: map\n"
  "        key-type: *Id\n"
  "        value-type: string\n"
  "        description: Inline\n";

static const char constructs_json[] =
  "{\"api.yml\":{"
  " \"types\":{"
  "  \"Id\":{\"name\":\"Id\",\"description\":\"An id.\",\"added\":\"1.0\",\"type\":\"alias\",\"sourcetype\":\"string\"},"
  "  \"Level\":{\"name\":\"Level\",\"description\":\"Levels.\",\"added\":\"1.0\",\"type\":\"enum\","
  "            \"values\":{\"0.10\":\"Low\",\"on\":\"On\"}},"
  "  \"Point\":{\"name\":\"Point\",\"description\":\"A point.\",\"added\":\"1.0\",\"deprecated\":\"2.0\","
  "            \"type\":\"object\",\"properties\":["
  "    {\"name\":\"x\",\"type\":\"string\",\"description\":\"X\",\"datatype\":\"uint\"},"
  "    {\"name\":\"grid\",\"type\":[[\"float\"]],\"description\":\"Rows\",\"defaultvalue\":\"no-default\",\"added\":\"1.5\"},"
  "    {\"name\":\"extra\",\"type\":\"dict\",\"description\":\"Anything\",\"defaultvalue\":null}]},"
  "  \"Points\":{\"name\":\"Points\",\"description\":\"Points by id.\",\"added\":\"1.0\",\"type\":\"map\","
  "             \"key-type\":\"Id\",\"value-type\":\"Point\"},"
  "  \"Where\":{\"name\":\"Where\",\"description\":\"A point or an id.\",\"added\":\"1.0\",\"type\":\"union\","
  "            \"values\":[\"Point\",\"Id\"]}},"
  " \"Geo.find\":{\"added\":\"1.0\",\"description\":\"Finds.\",\"params\":["
  "    {\"name\":\"near\",\"type\":\"Where\",\"description\":\"Where\"},"
  "    {\"name\":\"level\",\"type\":\"Level\",\"description\":\"How hard\",\"defaultvalue\":0.1}],"
  "  \"return\":{\"description\":\"Found\",\"type\":\"Points\"}},"
  " \"Geo.ping\":{\"added\":\"1.0\",\"description\":\"Nothing.\"}},"
  "\"events.yml\":{"
  " \"types\":{"
  "  \"Id\":{\"name\":\"Id\",\"description\":\"An id.\",\"type\":\"alias\",\"sourcetype\":\"string\"}},"
  " \"|geo|moved|\":{\"description\":\"Moved.\",\"params\":["
  "    {\"name\":\"notify_time\",\"type\":\"uint\",\"description\":\"When\"},"
  "    {\"name\":\"where\",\"type\":\"map\",\"key-type\":\"Id\",\"value-type\":\"string\","
  "     \"description\":\"Inline\"}]}}}";

static void
test_to_json_constructs (void)
{
  g_autoptr(VdsmSchema) schema = vdsm_schema_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) got = NULL;
  g_autoptr(JsonNode) expected = parse (constructs_json);

  g_assert_true (vdsm_schema_load_data (schema, "api.yml", constructs_api,
                                        strlen (constructs_api),
                                        VDSM_SCHEMA_LOAD_DEFAULT, &error));
  g_assert_no_error (error);
  g_assert_true (vdsm_schema_load_data (schema, "events.yml", constructs_events,
                                        strlen (constructs_events),
                                        VDSM_SCHEMA_LOAD_DEFAULT, &error));
  g_assert_no_error (error);
  got = vdsm_schema_to_json (schema);
  assert_json_equal (got, expected);
}

/* The repository's api/ schema files as vdsmd embeds them, by the same names. */
static VdsmSchema *
our_schema (void)
{
  const char *names[] = { "vdsm-api.yml", "vdsm-events.yml" };
  VdsmSchema *schema = vdsm_schema_new ();

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (g_getenv ("VDSM_SOURCE_ROOT"), "api",
                                                names[i], NULL);
      g_autofree char *data = NULL;
      gsize len;
      g_autoptr(GError) error = NULL;

      g_assert_true (g_file_get_contents (path, &data, &len, &error));
      g_assert_no_error (error);
      g_assert_true (vdsm_schema_load_data (schema, names[i], data, len,
                                            VDSM_SCHEMA_LOAD_DEFAULT, &error));
      g_assert_no_error (error);
    }
  return schema;
}

static JsonNode *
our_schema_json (void)
{
  g_autoptr(VdsmSchema) schema = our_schema ();

  return vdsm_schema_to_json (schema);
}

/* ---- vdsmd ---- */

/* A failed assertion aborts the test program: take vdsmd down with it. */
static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static gboolean
timeout_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
line_ready_cb (GObject *source, GAsyncResult *res, gpointer data)
{
  g_autoptr(GError) error = NULL;
  char **line = data;

  *line = g_data_input_stream_read_line_finish (G_DATA_INPUT_STREAM (source), res,
                                                NULL, &error);
  g_assert_no_error (error);
  if (*line == NULL)
    *line = g_strdup ("(end of output)");
}

static void
start_daemon (void)
{
  g_autofree char *vdsmd = g_build_filename (g_getenv ("VDSM_BUILD_ROOT"), "daemon",
                                             "vdsmd", NULL);
  g_autofree char *host_xml = g_build_filename (g_getenv ("VDSM_SOURCE_ROOT"), "data",
                                                "host.xml", NULL);
  g_autofree char *expected = NULL;
  g_autofree char *line = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) in = NULL;
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  gboolean expired = FALSE;
  guint timer;

  daemon_state.tmpdir = g_dir_make_tmp ("vdsmd-introspection-XXXXXX", &error);
  g_assert_no_error (error);
  daemon_state.socket_path = g_build_filename (daemon_state.tmpdir, "vdsmd.sock", NULL);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  daemon_state.proc = g_subprocess_launcher_spawn (launcher, &error, vdsmd,
                                                   "--listen", "",
                                                   "--unix", daemon_state.socket_path,
                                                   "--host-definition", host_xml, NULL);
  g_assert_no_error (error);

  in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (daemon_state.proc));
  timer = g_timeout_add_seconds (TIMEOUT_S, timeout_cb, &expired);
  g_data_input_stream_read_line_async (in, G_PRIORITY_DEFAULT, NULL, line_ready_cb, &line);
  while (line == NULL && !expired)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (expired);
  g_source_remove (timer);
  expected = g_strconcat ("listening on unix:", daemon_state.socket_path, NULL);
  g_assert_cmpstr (line, ==, expected);
}

static void
stop_daemon (void)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_send_signal (daemon_state.proc, SIGTERM);
  g_assert_true (g_subprocess_wait_check (daemon_state.proc, NULL, &error));
  g_assert_no_error (error);
  g_clear_object (&daemon_state.proc);
  g_remove (daemon_state.socket_path);
  g_rmdir (daemon_state.tmpdir);
  g_clear_pointer (&daemon_state.socket_path, g_free);
  g_clear_pointer (&daemon_state.tmpdir, g_free);
}

static VdsmClient *
connect_client (void)
{
  g_autofree char *uri = g_strconcat ("unix://", daemon_state.socket_path, NULL);
  g_autoptr(GError) error = NULL;
  VdsmClient *client = vdsm_client_new_sync (uri, NULL, &error);

  g_assert_no_error (error);
  vdsm_client_set_timeout (client, TIMEOUT_S);
  return client;
}

/* The typed call answers the version and exactly the embedded schema. */
static void
test_typed_call (void)
{
  g_autoptr(VdsmClient) client = connect_client ();
  g_autoptr(GError) error = NULL;
  g_autoptr(VdsmApiSchema) answer = vdsm_client_host_get_api_schema_sync (client, NULL, &error);
  g_autoptr(JsonNode) expected = our_schema_json ();
  JsonObject *api;

  g_assert_no_error (error);
  g_assert_nonnull (answer);
  g_assert_cmpstr (vdsm_api_schema_get_version (answer), ==, PACKAGE_VERSION);
  assert_json_equal (vdsm_api_schema_get_schema (answer), expected);

  /* It describes itself. */
  api = json_object_get_object_member (json_node_get_object (vdsm_api_schema_get_schema (answer)),
                                       "vdsm-api.yml");
  g_assert_nonnull (api);
  g_assert_true (json_object_has_member (api, "Host.getApiSchema"));
  g_assert_true (json_object_has_member (json_object_get_object_member (api, "types"),
                                         "ApiSchema"));
  vdsm_client_close (client);
}

/* A second call answers the same document (it is built once and shared). */
static void
test_repeated_calls (void)
{
  g_autoptr(VdsmClient) client = connect_client ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) first = vdsm_client_call_sync (client, "Host.getApiSchema", NULL, NULL,
                                                     &error);
  g_autoptr(JsonNode) second = NULL;

  g_assert_no_error (error);
  second = vdsm_client_call_sync (client, "Host.getApiSchema", NULL, NULL, &error);
  g_assert_no_error (error);
  assert_json_equal (second, first);
  /* Unknown params are refused like for any method without params. */
  {
    g_autoptr(JsonNode) params = parse ("{\"verbose\":true}");
    g_autoptr(JsonNode) none = vdsm_client_call_sync (client, "Host.getApiSchema", params,
                                                      NULL, &error);

    g_assert_null (none);
    g_assert_nonnull (error);
  }
  vdsm_client_close (client);
}

/* daemon/served-methods.txt is the whole truth: Host.getApiSchema lists
 * exactly those methods, in schema order; every other method of the schema
 * answers -32601 saying it is not served (before its params are looked
 * at, so with no side effect), and no listed one does. */
static void
test_served_surface (void)
{
  g_autoptr(VdsmClient) client = connect_client ();
  g_autoptr(VdsmSchema) schema = our_schema ();
  g_autofree char *path = g_build_filename (g_getenv ("VDSM_SOURCE_ROOT"), "daemon",
                                            "served-methods.txt", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) listed = vdsm_schema_read_served (schema, path, &error);
  g_autoptr(VdsmApiSchema) answer = NULL;
  GPtrArray *methods = vdsm_schema_get_methods (schema);
  GPtrArray *served;
  guint n_served = 0, n_unserved = 0;

  g_assert_no_error (error);
  answer = vdsm_client_host_get_api_schema_sync (client, NULL, &error);
  g_assert_no_error (error);
  served = vdsm_api_schema_get_served (answer);
  g_assert_cmpuint (served->len, ==, g_hash_table_size (listed));

  for (guint i = 0; i < methods->len; i++)
    {
      const VdsmSchemaMethod *method = g_ptr_array_index (methods, i);
      g_autoptr(JsonNode) params = parse ("{\"\": 0}");
      g_autoptr(JsonNode) result = NULL;
      g_autoptr(GError) call_error = NULL;
      gint expected_code;

      /* An unknown param: a served method refuses it with -32602 after
       * looking the method up, an unserved one never gets that far. */
      expected_code = g_hash_table_contains (listed, method->name)
                        ? VDSM_ERROR_INVALID_PARAMS : VDSM_ERROR_METHOD_NOT_FOUND;
      result = vdsm_client_call_sync (client, method->name, params, NULL, &call_error);
      g_assert_null (result);
      g_assert_error (call_error, VDSM_ERROR, expected_code);
      if (g_hash_table_contains (listed, method->name))
        {
          g_assert_cmpstr (g_ptr_array_index (served, n_served), ==, method->name);
          n_served++;
        }
      else
        {
          g_assert_nonnull (strstr (call_error->message, "not served"));
          n_unserved++;
        }
    }
  g_assert_cmpuint (n_served, ==, served->len);
  g_test_message ("%u methods served, %u answered -32601", n_served, n_unserved);
  vdsm_client_close (client);
}

/* `vdsm-client Host getApiSchema` prints the same answer as JSON. */
static void
test_cli (void)
{
  g_autofree char *tool = g_build_filename (g_getenv ("VDSM_BUILD_ROOT"), "client",
                                            "vdsm-client", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) printed = NULL;
  g_autoptr(JsonNode) expected = our_schema_json ();
  JsonObject *object;
  const char *argv[] = { tool, "--unix", daemon_state.socket_path, "--timeout", "20",
                         "Host", "getApiSchema", NULL };
  int status = -1;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               &out, &err, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, &error))
    g_error ("vdsm-client failed: %s\n%s", error->message, err);
  printed = parse (out);
  object = json_node_get_object (printed);
  g_assert_cmpstr (json_object_get_string_member (object, "version"), ==, PACKAGE_VERSION);
  assert_json_equal (json_object_get_member (object, "schema"), expected);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/introspection/to-json/constructs", test_to_json_constructs);
  g_test_add_func ("/introspection/vdsmd/typed-call", test_typed_call);
  g_test_add_func ("/introspection/vdsmd/repeated-calls", test_repeated_calls);
  g_test_add_func ("/introspection/vdsmd/vdsm-client", test_cli);
  g_test_add_func ("/introspection/vdsmd/served-surface", test_served_surface);
  start_daemon ();
  status = g_test_run ();
  stop_daemon ();
  return status;
}
