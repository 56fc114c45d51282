/* vdsm-client-tool-session.c: the vdsm-client tool's connection, call and
 * event stream, driven by a main loop so that one deadline (--timeout, with
 * fractions of a second) bounds connecting and the reply: VdsmClient's own
 * timeout counts whole seconds, so the tool sets it to 0 and cancels
 * instead.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vdsm-client-tool-session.h"

#include "vdsm-client.h"
#include "vdsm-error.h"

#include <glib-unix.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

/* The TLS properties VdsmClient has when its library speaks TLS. */
#define TLS_PROPERTY_CERT "tls-cert-file"
#define TLS_PROPERTY_KEY "tls-key-file"
#define TLS_PROPERTY_CA "tls-ca-file"
#define TLS_PROPERTY_SERVER_NAME "tls-server-name"

#define MAX_CLIENT_PROPERTIES 8

typedef struct {
  const ToolSessionSetup *setup;
  GMainLoop *loop;
  GCancellable *cancellable;
  VdsmClient *client;
  guint deadline_id;
  gboolean timed_out;
  gboolean finished;
  int status;

  /* A call. */
  const char *method;
  JsonNode *params;

  /* Events, when patterns is set. */
  GPtrArray *patterns;          /* GPatternSpec; empty: every event */
  guint count;
  guint n_printed;
} Session;

static void
session_clear (Session *session)
{
  g_clear_handle_id (&session->deadline_id, g_source_remove);
  if (session->client != NULL)
    {
      /* No "closed" for our own close. */
      g_signal_handlers_disconnect_by_data (session->client, session);
      vdsm_client_close (session->client);
    }
  g_clear_object (&session->client);
  g_clear_object (&session->cancellable);
  g_clear_pointer (&session->loop, g_main_loop_unref);
  g_clear_pointer (&session->patterns, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Session, session_clear)

/* The first outcome stands: sources ready in the same main loop iteration
 * still run after the loop was told to quit. */
static void
session_finish (Session *session, int status)
{
  if (session->finished)
    return;
  session->finished = TRUE;
  session->status = status;
  g_main_loop_quit (session->loop);
}

static void
report (const char *format, ...) G_GNUC_PRINTF (1, 2);

static void
report (const char *format, ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  fprintf (stderr, "vdsm-client: %s\n", message);
}

/* ---- Output ---- */

#define INDENT 4

static void append_json (GString *out, JsonNode *node, guint depth, gboolean pretty);

/* Before an element of a container: ", " inline, or a new indented line. */
static void
append_separator (GString *out, guint index, guint depth, gboolean pretty)
{
  if (index > 0)
    g_string_append_c (out, ',');
  if (pretty)
    g_string_append_printf (out, "\n%*s", (int) (depth * INDENT), "");
  else if (index > 0)
    g_string_append_c (out, ' ');
}

static void
append_container_end (GString *out, guint n, guint depth, gboolean pretty, char end)
{
  if (pretty && n > 0)
    g_string_append_printf (out, "\n%*s", (int) (depth * INDENT), "");
  g_string_append_c (out, end);
}

static void
append_object (GString *out, JsonObject *object, guint depth, gboolean pretty)
{
  /* Sorted by name, so that the output does not depend on the server's
   * order, as VDSM's tool does. */
  GList *names = g_list_sort (json_object_get_members (object), (GCompareFunc) strcmp);
  guint i = 0;

  g_string_append_c (out, '{');
  for (GList *l = names; l != NULL; l = l->next, i++)
    {
      g_autoptr(JsonNode) name = json_node_init_string (json_node_alloc (), l->data);

      append_separator (out, i, depth + 1, pretty);
      append_json (out, name, depth + 1, pretty);
      g_string_append (out, ": ");
      append_json (out, json_object_get_member (object, l->data), depth + 1, pretty);
    }
  append_container_end (out, i, depth, pretty, '}');
  g_list_free (names);
}

/* JSON in the layout of Python's json.dumps() that VDSM's tool prints
 * with: pretty, four spaces a level; else on one line, with ", " and ": ".
 * The recursion is bounded: replies and events come through libvdsm's JSON
 * reader, which refuses nesting deeper than VDSM_JSON_MAX_DEPTH. */
static void
append_json (GString *out, JsonNode *node, guint depth, gboolean pretty)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    append_object (out, json_node_get_object (node), depth, pretty);
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      guint n = json_array_get_length (array);

      g_string_append_c (out, '[');
      for (guint i = 0; i < n; i++)
        {
          append_separator (out, i, depth + 1, pretty);
          append_json (out, json_array_get_element (array, i), depth + 1, pretty);
        }
      append_container_end (out, n, depth, pretty, ']');
    }
  else
    {
      g_autofree char *scalar = json_to_string (node, FALSE);

      g_string_append (out, scalar);
    }
}

static void
print_json (JsonNode *node, gboolean pretty)
{
  g_autoptr(GString) out = g_string_new (NULL);

  append_json (out, node, 0, pretty);
  g_string_append_c (out, '\n');
  fputs (out->str, stdout);
}

/* ---- Connecting ---- */

static gboolean
on_deadline (gpointer data)
{
  Session *session = data;

  session->deadline_id = 0;
  session->timed_out = TRUE;
  g_cancellable_cancel (session->cancellable);
  return G_SOURCE_REMOVE;
}

static void
add_property (const char **names, GValue *values, guint *n, const char *name, GType type)
{
  g_assert (*n < MAX_CLIENT_PROPERTIES);
  names[*n] = name;
  g_value_init (&values[*n], type);
  (*n)++;
}

static void
add_string_property (const char **names, GValue *values, guint *n, const char *name,
                     const char *value)
{
  if (value == NULL)
    return;
  add_property (names, values, n, name, G_TYPE_STRING);
  g_value_set_string (&values[*n - 1], value);
}

static VdsmClient *
client_new (const ToolSessionSetup *setup)
{
  const ToolTransport *transport = setup->transport;
  const char *names[MAX_CLIENT_PROPERTIES];
  GValue values[MAX_CLIENT_PROPERTIES] = { G_VALUE_INIT, };
  VdsmClient *client;
  guint n = 0;

  add_string_property (names, values, &n, "uri", transport->uri);
  /* One command, one connection: a lost connection ends the command
   * (exit 2) rather than being retried behind the user's back. */
  add_property (names, values, &n, "reconnect", G_TYPE_BOOLEAN);
  g_value_set_boolean (&values[n - 1], FALSE);
  /* The session's deadline bounds everything (see the top of the file). */
  add_property (names, values, &n, "timeout", G_TYPE_UINT);
  g_value_set_uint (&values[n - 1], 0);
  add_string_property (names, values, &n, "flow-id", setup->flow_id);
  add_string_property (names, values, &n, TLS_PROPERTY_CERT, transport->cert_file);
  add_string_property (names, values, &n, TLS_PROPERTY_KEY, transport->key_file);
  add_string_property (names, values, &n, TLS_PROPERTY_CA, transport->ca_file);
  add_string_property (names, values, &n, TLS_PROPERTY_SERVER_NAME, transport->server_name);

  client = (VdsmClient *) g_object_new_with_properties (VDSM_TYPE_CLIENT, n, names, values);
  for (guint i = 0; i < n; i++)
    g_value_unset (&values[i]);
  return client;
}

static void on_event (VdsmClient *client, const char *event_id, JsonNode *params, gpointer data);
static void on_closed (VdsmClient *client, const GError *error, gpointer data);

/* Runs the session until it finishes; @on_connected goes on from there. */
static int
session_run (Session *session, GAsyncReadyCallback on_connected)
{
  const ToolSessionSetup *setup = session->setup;

  if (setup->verbose)
    report ("connecting with %s", setup->transport->reason);
  session->client = client_new (setup);
  /* Before connecting: then no event can come before its handler,
   * whatever order the library reports completion and events in. */
  if (session->patterns != NULL)
    {
      g_signal_connect (session->client, "event", G_CALLBACK (on_event), session);
      g_signal_connect (session->client, "closed", G_CALLBACK (on_closed), session);
    }
  session->loop = g_main_loop_new (NULL, FALSE);
  session->cancellable = g_cancellable_new ();
  if (setup->timeout > 0)
    session->deadline_id = g_timeout_add ((guint) MAX (ceil (setup->timeout * 1000), 1),
                                          on_deadline, session);
  g_async_initable_init_async (G_ASYNC_INITABLE (session->client), G_PRIORITY_DEFAULT,
                               session->cancellable, on_connected, session);
  g_main_loop_run (session->loop);
  return session->status;
}

/* Whether connecting failed; if so, the session is finished. */
static gboolean
connect_failed (Session *session, GAsyncResult *result)
{
  g_autoptr(GError) error = NULL;

  if (g_async_initable_init_finish (G_ASYNC_INITABLE (session->client), result, &error))
    return FALSE;
  if (session->timed_out)
    report ("Connection to %s timed out after %g seconds", session->setup->transport->uri,
            session->setup->timeout);
  else
    report ("%s", error->message);
  session_finish (session, TOOL_EXIT_CONNECTION);
  return TRUE;
}

/* ---- A call ---- */

static void
on_reply (GObject *source, GAsyncResult *result, gpointer data)
{
  Session *session = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) reply = vdsm_client_call_finish (session->client, result, &error);
  g_autofree char *args = NULL;

  if (reply != NULL)
    {
      print_json (reply, TRUE);
      session_finish (session, EXIT_SUCCESS);
      return;
    }

  /* The messages of VDSM's tool, with the params as JSON. */
  args = json_to_string (session->params, FALSE);
  if (session->timed_out)
    {
      report ("Request %s with args %s timed out after %g seconds", session->method, args,
              session->setup->timeout);
      session_finish (session, TOOL_EXIT_CONNECTION);
    }
  else if (error->domain == VDSM_ERROR)
    {
      report ("Command %s with args %s failed:\n(code=%d, message=%s)", session->method, args,
              error->code, error->message);
      session_finish (session, TOOL_EXIT_SERVER_ERROR);
    }
  else
    {
      report ("Request %s with args %s failed: %s", session->method, args, error->message);
      session_finish (session, TOOL_EXIT_CONNECTION);
    }
}

static void
on_connected_call (GObject *source, GAsyncResult *result, gpointer data)
{
  Session *session = data;

  if (connect_failed (session, result))
    return;
  vdsm_client_call (session->client, session->method, session->params, session->cancellable,
                    on_reply, session);
}

int
tool_session_call (const ToolSessionSetup *setup, const char *method, JsonNode *params)
{
  g_auto(Session) session = { .setup = setup, .method = method, .params = params };

  return session_run (&session, on_connected_call);
}

/* ---- Events ---- */

/* "|virt|VM_status|<uuid>" -> "virt.VM_status"; another shape as it is. */
static char *
event_name (const char *event_id)
{
  g_auto(GStrv) parts = NULL;

  if (event_id[0] != '|')
    return g_strdup (event_id);
  parts = g_strsplit (event_id + 1, "|", 3);
  if (g_strv_length (parts) < 2 || parts[0][0] == '\0' || parts[1][0] == '\0')
    return g_strdup (event_id);
  return g_strconcat (parts[0], ".", parts[1], NULL);
}

static gboolean
event_wanted (Session *session, const char *event_id)
{
  g_autofree char *name = NULL;

  if (session->patterns->len == 0)
    return TRUE;
  name = event_name (event_id);
  for (guint i = 0; i < session->patterns->len; i++)
    if (g_pattern_spec_match_string (g_ptr_array_index (session->patterns, i), name))
      return TRUE;
  return FALSE;
}

static void
on_event (VdsmClient *client, const char *event_id, JsonNode *params, gpointer data)
{
  Session *session = data;
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(JsonNode) node = NULL;

  if (session->finished || !event_wanted (session, event_id))
    return;
  object = json_object_new ();
  json_object_set_string_member (object, "event", event_id);
  json_object_set_member (object, "params",
                          params != NULL ? json_node_copy (params) : json_node_new (JSON_NODE_NULL));
  node = json_node_init_object (json_node_alloc (), object);
  print_json (node, FALSE);
  /* Whoever reads a pipe sees each event when it arrives. */
  fflush (stdout);
  session->n_printed++;
  if (session->count > 0 && session->n_printed >= session->count)
    session_finish (session, EXIT_SUCCESS);
}

static void
on_closed (VdsmClient *client, const GError *error, gpointer data)
{
  Session *session = data;

  report ("connection to %s lost: %s", session->setup->transport->uri,
          error != NULL ? error->message : "closed");
  session_finish (session, TOOL_EXIT_CONNECTION);
}

static gboolean
on_stop_signal (gpointer data)
{
  session_finish (data, EXIT_SUCCESS);
  return G_SOURCE_CONTINUE;
}

static void
on_connected_events (GObject *source, GAsyncResult *result, gpointer data)
{
  Session *session = data;

  /* Connected in time: from now on events are awaited for ever. */
  g_clear_handle_id (&session->deadline_id, g_source_remove);
  if (connect_failed (session, result))
    return;
  if (session->setup->verbose)
    report ("connected; printing events");
}

int
tool_session_events (const ToolSessionSetup *setup, const char *const *patterns, guint count)
{
  g_auto(Session) session = { .setup = setup, .count = count };
  guint sigint_id = g_unix_signal_add (SIGINT, on_stop_signal, &session);
  guint sigterm_id = g_unix_signal_add (SIGTERM, on_stop_signal, &session);
  int status;

  session.patterns = g_ptr_array_new_with_free_func ((GDestroyNotify) g_pattern_spec_free);
  for (guint i = 0; patterns != NULL && patterns[i] != NULL; i++)
    g_ptr_array_add (session.patterns, g_pattern_spec_new (patterns[i]));
  status = session_run (&session, on_connected_events);
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  return status;
}
