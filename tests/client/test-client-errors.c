/* test-client-errors.c: the VDSM_ERROR codes as libvdsm hands them out:
 * every named code with VDSM's text, and replies a server should not send
 * (the wrong shape for the schema, a broken envelope), from the fake STOMP
 * server, reported as VDSM_ERROR_INVALID_REPLY.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vdsm.h"

#include "fake-stomp-server.h"

#include <string.h>

/* ---- The codes ---- */

/* Every value of the enum has its text: both come from
 * common/error-codes.txt. */
static void
test_codes_have_texts (void)
{
  g_autoptr(GEnumClass) codes = g_type_class_ref (VDSM_TYPE_ERROR);

  g_assert_cmpuint (codes->n_values, >, 90);
  for (guint i = 0; i < codes->n_values; i++)
    {
      const GEnumValue *value = &codes->values[i];

      if (vdsm_error_code_message (value->value) == NULL)
        g_error ("%s (%d) has no text", value->value_name, value->value);
    }
  g_assert_cmpstr (vdsm_error_code_message (VDSM_ERROR_NO_SUCH_VM), ==,
                   "Virtual machine does not exist");
  g_assert_cmpstr (vdsm_error_code_message (VDSM_ERROR_PARSE), ==,
                   "Invalid JSON was received by the server. "
                   "An error occurred on the server while parsing the JSON text.");
  g_assert_null (vdsm_error_code_message (2));
  g_assert_null (vdsm_error_code_message (G_MININT));
}

/* The client's own code is out of JSON-RPC's and VDSM's ranges. */
static void
test_invalid_reply_code (void)
{
  g_assert_cmpint (VDSM_ERROR_INVALID_REPLY, <=, -1000);
  g_assert_cmpint (VDSM_ERROR_INVALID_REPLY, >=, -1999);
  g_assert_nonnull (vdsm_error_code_message (VDSM_ERROR_INVALID_REPLY));
}

/* ---- Replies a server should not send ---- */

static void
handle_stats_not_an_object (FakeServer *server, const char *method, JsonNode *id,
                            JsonNode *params)
{
  fake_server_reply (server, id, "result", "[1, 2]");
}

static void
handle_stats_member_wrong_type (FakeServer *server, const char *method, JsonNode *id,
                                JsonNode *params)
{
  fake_server_reply (server, id, "result", "{\"memFree\": \"lots\"}");
}

static void
handle_neither_result_nor_error (FakeServer *server, const char *method, JsonNode *id,
                                 JsonNode *params)
{
  fake_server_reply (server, id, "answer", "true");
}

static VdsmClient *
connect_to (FakeServer *server)
{
  g_autoptr(GError) error = NULL;
  VdsmClient *client;

  fake_server_start_tcp (server);
  client = vdsm_client_new_sync (server->uri, NULL, &error);
  g_assert_no_error (error);
  return client;
}

/* A typed call whose result does not match the schema fails with the
 * client's own code, naming the method and the JSON path of the value:
 * never VDSM_ERROR_INVALID_PARAMS, which says the caller erred. */
static void
assert_stats_reply_refused (FakeHandler handler, const char *path)
{
  g_autoptr(FakeServer) server = fake_server_new (handler);
  g_autoptr(VdsmClient) client = connect_to (server);
  g_autoptr(GError) error = NULL;
  g_autoptr(VdsmHostStats) stats = vdsm_client_host_get_stats_sync (client, NULL, &error);
  g_autofree char *expected = g_strdup_printf ("The reply to Host.getStats does not match "
                                               "the schema: %s: ", path);

  g_assert_null (stats);
  g_assert_error (error, VDSM_ERROR, VDSM_ERROR_INVALID_REPLY);
  if (!g_str_has_prefix (error->message, expected))
    g_error ("message '%s' does not start with '%s'", error->message, expected);
  g_assert_false (vdsm_client_is_closed (client));
}

static void
test_reply_not_an_object (void)
{
  assert_stats_reply_refused (handle_stats_not_an_object, "result");
}

static void
test_reply_member_wrong_type (void)
{
  assert_stats_reply_refused (handle_stats_member_wrong_type, "result.memFree");
}

static void
test_reply_neither_result_nor_error (void)
{
  g_autoptr(FakeServer) server = fake_server_new (handle_neither_result_nor_error);
  g_autoptr(VdsmClient) client = connect_to (server);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) result = vdsm_client_call_sync (client, "Host.ping", NULL, NULL, &error);

  g_assert_null (result);
  g_assert_error (error, VDSM_ERROR, VDSM_ERROR_INVALID_REPLY);
  g_assert_cmpstr (error->message, ==, "The reply to Host.ping has neither result nor error");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/client/errors/codes-have-texts", test_codes_have_texts);
  g_test_add_func ("/client/errors/invalid-reply-code", test_invalid_reply_code);
  g_test_add_func ("/client/errors/reply-not-an-object", test_reply_not_an_object);
  g_test_add_func ("/client/errors/reply-member-wrong-type", test_reply_member_wrong_type);
  g_test_add_func ("/client/errors/reply-neither-result-nor-error",
                   test_reply_neither_result_nor_error);
  return g_test_run ();
}
