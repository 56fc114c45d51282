/* vdsm-rpc-session.c: the STOMP 1.2 commands of one connection, with
 * VDSM's semantics (docs/protocol.md §5, §10).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vdsm-rpc-private.h"

#include <string.h>

#define HEARTBEAT_FLOOR_MS 1000
#define HEARTBEAT_MAX_MS G_MAXINT32

static const char *const request_queues[] = {
  VDSM_RPC_REQUEST_QUEUE,
  "jms.topic.vdsm_irs_requests",
};

void
vdsm_rpc_session_send_error (VdsmRpcConnection *conn, const char *text)
{
  gsize mark;
  GString *out;

  if (!vdsm_rpc_connection_is_open (conn))
    return;
  /* vdsm sends only the body; the Java client reads the `message` header. */
  out = vdsm_rpc_connection_begin_frame (conn, &mark);
  vdsm_stomp_write_command (out, "ERROR");
  vdsm_stomp_write_header (out, "message", text);
  vdsm_stomp_write_body (out, text, -1);
  vdsm_rpc_connection_end_frame (conn, mark);
}

static GString *
begin_message (VdsmRpcConnection *conn, const char *destination, const char *subscription_id,
               gsize *mark)
{
  GString *out = vdsm_rpc_connection_begin_frame (conn, mark);

  vdsm_stomp_write_command (out, "MESSAGE");
  vdsm_stomp_write_header (out, "destination", destination);
  vdsm_stomp_write_header (out, "content-type", "application/json");
  vdsm_stomp_write_header (out, "subscription", subscription_id);
  return out;
}

void
vdsm_rpc_session_send_message (VdsmRpcConnection *conn, const char *destination,
                               const char *subscription_id,
                               const char *body, gsize length)
{
  gsize mark;
  GString *out;

  if (!vdsm_rpc_connection_is_open (conn))
    return;
  out = begin_message (conn, destination, subscription_id, &mark);
  vdsm_stomp_write_body (out, body, length);
  vdsm_rpc_connection_end_frame (conn, mark);
}

GBytes *
vdsm_rpc_session_message_tail (const char *body, gsize length)
{
  GString *tail = g_string_sized_new (length + 32);

  vdsm_stomp_write_body (tail, body, length);
  return g_string_free_to_bytes (tail);
}

void
vdsm_rpc_session_send_message_shared (VdsmRpcConnection *conn, const char *destination,
                                      const char *subscription_id, GBytes *tail)
{
  gsize mark;

  if (!vdsm_rpc_connection_is_open (conn))
    return;
  begin_message (conn, destination, subscription_id, &mark);
  vdsm_rpc_connection_end_frame_shared (conn, mark, tail);
}

static gboolean
accepts_version_1_2 (const char *accept_version)
{
  g_auto(GStrv) versions = NULL;

  if (accept_version == NULL)
    return FALSE;
  versions = g_strsplit (accept_version, ",", -1);
  for (guint i = 0; versions[i]; i++)
    if (strcmp (g_strstrip (versions[i]), "1.2") == 0)
      return TRUE;
  return FALSE;
}

static gboolean
parse_interval (const char *text, gsize len, guint *out)
{
  guint64 v = 0;

  if (len == 0)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      if (!g_ascii_isdigit (text[i]))
        return FALSE;
      v = MIN (v * 10 + (text[i] - '0'), (guint64) HEARTBEAT_MAX_MS);
    }
  /* vdsm raises every non-zero value to the floor. */
  *out = v == 0 ? 0 : MAX ((guint) v, HEARTBEAT_FLOOR_MS);
  return TRUE;
}

/* "cx,cy": cx how often the client sends, cy how often it wants to hear. */
static gboolean
parse_heartbeat (const char *text, guint *cx, guint *cy)
{
  const char *comma;

  if (text == NULL)
    {
      *cx = *cy = 0;
      return TRUE;
    }
  comma = strchr (text, ',');
  return comma != NULL &&
         parse_interval (text, comma - text, cx) &&
         parse_interval (comma + 1, strlen (comma + 1), cy);
}

static void
handle_connect (VdsmRpcConnection *conn, VdsmStompFrame *frame)
{
  guint cx, cy;
  char value[32];
  gsize mark;
  GString *out;

  if (!accepts_version_1_2 (vdsm_stomp_frame_get_header (frame, "accept-version")))
    {
      vdsm_rpc_session_send_error (conn, "Version unsupported");
      return;
    }
  if (!parse_heartbeat (vdsm_stomp_frame_get_header (frame, "heart-beat"), &cx, &cy))
    {
      vdsm_rpc_session_send_error (conn, "Invalid heart-beat header");
      return;
    }

  /* VDSM's rule, not the STOMP max() one: echo the wish, swapped. */
  g_snprintf (value, sizeof value, "%u,%u", cy, cx);
  out = vdsm_rpc_connection_begin_frame (conn, &mark);
  vdsm_stomp_write_command (out, "CONNECTED");
  vdsm_stomp_write_header (out, "version", "1.2");
  vdsm_stomp_write_header (out, "heart-beat", value);
  vdsm_stomp_write_body (out, NULL, 0);
  vdsm_rpc_connection_end_frame (conn, mark);

  conn->send_interval_ms = cy;
  conn->recv_interval_ms = cx;
  vdsm_rpc_connection_update_timer (conn);
}

static gboolean
has_value (const char *header)
{
  return header != NULL && *header != '\0';
}

/* Whether @prefix is @name or a dot-separated prefix of it, the way SEND
 * destinations reach subscriptions (docs/security.md, "Broker
 * destinations"). */
static gboolean
is_dot_prefix (const char *prefix, const char *name)
{
  gsize len = strlen (prefix);

  return strncmp (name, prefix, len) == 0 && (name[len] == '\0' || name[len] == '.');
}

static gboolean
is_request_queue (const char *destination)
{
  for (guint i = 0; i < G_N_ELEMENTS (request_queues); i++)
    if (is_dot_prefix (request_queues[i], destination))
      return TRUE;
  return FALSE;
}

/* Whether a subscription to @destination would be sent requests under
 * VDSM's forwarding rule: a request queue, a destination under one, or a
 * prefix of one such as `jms`. */
static gboolean
reaches_request_queue (const char *destination)
{
  if (is_request_queue (destination))
    return TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (request_queues); i++)
    if (is_dot_prefix (destination, request_queues[i]))
      return TRUE;
  return FALSE;
}

/* An ERROR that the broker's rules, not a malformed frame, caused: worth
 * a line in the log (@why, or @text when NULL), the client may be probing. */
static void
refuse (VdsmRpcConnection *conn, const char *text, const char *why)
{
  vdsm_rpc_message_limited (conn->server, "connection %" G_GUINT64_FORMAT " (%s): %s", conn->id,
                            conn->peer, why ? why : text);
  vdsm_rpc_session_send_error (conn, text);
}

/* A "too many" ERROR naming the limit. */
static void
refuse_over_limit (VdsmRpcConnection *conn, const char *what, guint limit)
{
  g_autofree char *text = g_strdup_printf ("Too many %s (limit %u)", what, limit);

  refuse (conn, text, NULL);
}

/* The events a subscription asks for (docs/protocol.md §9.1): TRUE with
 * *@filter NULL for all, FALSE after an ERROR. VDSM ignores the header. */
static gboolean
parse_event_filter (VdsmRpcConnection *conn, VdsmStompFrame *frame, VdsmEventFilter **filter)
{
  const char *header = vdsm_stomp_frame_get_header (frame, VDSM_EVENT_FILTER_HEADER);
  g_autoptr(GError) error = NULL;

  *filter = NULL;
  if (header == NULL)
    return TRUE;
  *filter = vdsm_event_filter_parse (header, conn->server->max_event_patterns, &error);
  if (*filter != NULL)
    return TRUE;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE))
    refuse_over_limit (conn, "event patterns", conn->server->max_event_patterns);
  else
    vdsm_rpc_session_send_error (conn, error->message);
  return FALSE;
}

static void
handle_subscribe (VdsmRpcConnection *conn, VdsmStompFrame *frame)
{
  VdsmRpcServer *server = conn->server;
  const char *destination = vdsm_stomp_frame_get_header (frame, "destination");
  const char *id = vdsm_stomp_frame_get_header (frame, "id");
  VdsmEventFilter *filter = NULL;

  /* `ack` is irrelevant (auto only) and `receipt` gets no RECEIPT: as vdsm. */
  if (!has_value (destination) || !has_value (id))
    vdsm_rpc_session_send_error (conn, "Missing destination or subscription id header");
  else if (g_hash_table_contains (conn->subscriptions, id))
    vdsm_rpc_session_send_error (conn, "Subscription id already exists");
  else if (g_hash_table_size (conn->subscriptions) >= server->max_subscriptions)
    refuse_over_limit (conn, "subscriptions", server->max_subscriptions);
  else if (!server->broker_forwarding && reaches_request_queue (destination))
    refuse (conn, "Subscribing to the request queues is not allowed", NULL);
  /* Each subscription gets its own copy of every message (docs/security.md,
   * "Broker destinations"). */
  else if (vdsm_rpc_broker_count_subscriptions (server->broker, conn, destination) >=
           server->max_subscriptions_per_destination)
    refuse_over_limit (conn, "subscriptions to one destination",
                       server->max_subscriptions_per_destination);
  else if (parse_event_filter (conn, frame, &filter))
    vdsm_rpc_broker_subscribe (server->broker, conn, id, destination, filter);
}

static void
handle_unsubscribe (VdsmRpcConnection *conn, VdsmStompFrame *frame)
{
  const char *id = vdsm_stomp_frame_get_header (frame, "id");

  if (!has_value (id))
    vdsm_rpc_session_send_error (conn, "Missing id header");
  else
    vdsm_rpc_broker_unsubscribe (conn->server->broker, conn, id);
}

static void
serve_request (VdsmRpcConnection *conn, VdsmStompFrame *frame)
{
  const char *reply_to = vdsm_stomp_frame_get_header (frame, "reply-to");

  vdsm_rpc_jsonrpc_handle (conn, has_value (reply_to) ? reply_to : VDSM_RPC_RESPONSE_QUEUE,
                           vdsm_stomp_frame_get_header (frame, "ovirtCorrelationId"),
                           frame);
}

static void
handle_send (VdsmRpcConnection *conn, VdsmStompFrame *frame)
{
  const char *destination = vdsm_stomp_frame_get_header (frame, "destination");
  VdsmRpcBroker *broker = conn->server->broker;
  gboolean forwarding = conn->server->broker_forwarding;

  if (!has_value (destination))
    {
      vdsm_rpc_connection_close (conn, "SEND without destination");
      return;
    }

  /* Without forwarding, what a client sends reaches the server only:
   * nobody sees another's requests, nor gets replies or events forged by
   * another client (docs/security.md, "Broker destinations"). */
  if (is_request_queue (destination))
    {
      if (forwarding)
        vdsm_rpc_broker_forward (broker, frame);
      serve_request (conn, frame);
    }
  else if (!forwarding)
    /* VDSM's text for a SEND that nobody receives, which is the case. */
    refuse (conn, "Subscription not available",
            "SEND to a destination that is not a request queue refused (no broker forwarding)");
  else if (vdsm_rpc_broker_forward (broker, frame) == 0)
    vdsm_rpc_session_send_error (conn, "Subscription not available");
}

static void
handle_disconnect (VdsmRpcConnection *conn, VdsmStompFrame *frame)
{
  const char *receipt = vdsm_stomp_frame_get_header (frame, "receipt");
  gsize mark;
  GString *out;

  if (receipt == NULL)
    {
      vdsm_rpc_connection_close (conn, "DISCONNECT");
      return;
    }
  out = vdsm_rpc_connection_begin_frame (conn, &mark);
  vdsm_stomp_write_command (out, "RECEIPT");
  vdsm_stomp_write_header (out, "receipt-id", receipt);
  vdsm_stomp_write_body (out, NULL, 0);
  vdsm_rpc_connection_end_frame (conn, mark);
  vdsm_rpc_connection_close_after_flush (conn, "DISCONNECT");
}

void
vdsm_rpc_session_handle_frame (VdsmRpcConnection *conn, VdsmStompFrame *frame)
{
  /* No session state: frames before CONNECT are served (docs/protocol.md §5.2). */
  switch (vdsm_stomp_frame_get_command (frame))
    {
    case VDSM_STOMP_COMMAND_CONNECT:
      handle_connect (conn, frame);
      break;
    case VDSM_STOMP_COMMAND_SUBSCRIBE:
      handle_subscribe (conn, frame);
      break;
    case VDSM_STOMP_COMMAND_UNSUBSCRIBE:
      handle_unsubscribe (conn, frame);
      break;
    case VDSM_STOMP_COMMAND_SEND:
      handle_send (conn, frame);
      break;
    case VDSM_STOMP_COMMAND_DISCONNECT:
      handle_disconnect (conn, frame);
      break;
    default:
      {
        g_autofree char *reason = g_strdup_printf ("unsupported command %s",
                                                   vdsm_stomp_frame_get_command_name (frame));

        vdsm_rpc_connection_close (conn, reason);
      }
      break;
    }
}
