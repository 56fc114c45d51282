/* vdsm-rpc-broker.c: the server-wide subscription table and message
 * delivery (docs/protocol.md §6).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vdsm-rpc-private.h"

#include <string.h>

struct _VdsmRpcBroker {
  /* destination -> GPtrArray of VdsmRpcSubscription*, subscription order.
   * The arrays own the subscriptions; connections index them by id. */
  GHashTable *by_destination;
};

static void
subscription_free (VdsmRpcSubscription *sub)
{
  g_free (sub->id);
  g_free (sub->destination);
  g_free (sub);
}

VdsmRpcBroker *
vdsm_rpc_broker_new (void)
{
  VdsmRpcBroker *broker = g_new0 (VdsmRpcBroker, 1);

  broker->by_destination = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                  (GDestroyNotify) g_ptr_array_unref);
  return broker;
}

void
vdsm_rpc_broker_free (VdsmRpcBroker *broker)
{
  if (broker == NULL)
    return;
  g_hash_table_unref (broker->by_destination);
  g_free (broker);
}

gboolean
vdsm_rpc_broker_subscribe (VdsmRpcBroker *broker, VdsmRpcConnection *conn,
                           const char *id, const char *destination)
{
  VdsmRpcSubscription *sub;
  GPtrArray *subs;

  if (g_hash_table_contains (conn->subscriptions, id))
    return FALSE;

  sub = g_new0 (VdsmRpcSubscription, 1);
  sub->conn = conn;
  sub->id = g_strdup (id);
  sub->destination = g_strdup (destination);

  subs = g_hash_table_lookup (broker->by_destination, destination);
  if (subs == NULL)
    {
      subs = g_ptr_array_new_with_free_func ((GDestroyNotify) subscription_free);
      g_hash_table_insert (broker->by_destination, g_strdup (destination), subs);
    }
  g_ptr_array_add (subs, sub);
  g_hash_table_insert (conn->subscriptions, sub->id, sub);
  /* Only the Java client subscribes to jms.* reply destinations (the
   * engine's jms.topic.vdsm_responses, the library's jms.queue.reponses);
   * the Python client's reply-to is a UUID. */
  if (g_str_has_prefix (destination, "jms.") && strcmp (destination, "jms.queue.events") != 0)
    conn->frame_per_send = TRUE;
  g_debug ("connection %" G_GUINT64_FORMAT ": subscription %s to %s", conn->id, id, destination);
  return TRUE;
}

static void
remove_subscription (VdsmRpcBroker *broker, VdsmRpcSubscription *sub)
{
  GPtrArray *subs = g_hash_table_lookup (broker->by_destination, sub->destination);

  g_assert (subs != NULL);
  if (subs->len == 1)
    g_hash_table_remove (broker->by_destination, sub->destination);
  else
    g_ptr_array_remove (subs, sub);
}

void
vdsm_rpc_broker_unsubscribe (VdsmRpcBroker *broker, VdsmRpcConnection *conn, const char *id)
{
  VdsmRpcSubscription *sub = g_hash_table_lookup (conn->subscriptions, id);

  if (sub == NULL)
    return;
  g_hash_table_remove (conn->subscriptions, id);
  remove_subscription (broker, sub);
}

void
vdsm_rpc_broker_remove_connection (VdsmRpcBroker *broker, VdsmRpcConnection *conn)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, conn->subscriptions);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      g_hash_table_iter_steal (&iter);
      remove_subscription (broker, value);
    }
}

guint
vdsm_rpc_broker_publish (VdsmRpcBroker *broker, const char *destination,
                         VdsmRpcConnection *only_conn,
                         const char *body, gsize length)
{
  GPtrArray *subs = g_hash_table_lookup (broker->by_destination, destination);
  guint sent = 0;

  if (subs == NULL)
    return 0;
  /* Sending never closes a connection synchronously, so @subs is stable. */
  for (guint i = 0; i < subs->len; i++)
    {
      VdsmRpcSubscription *sub = subs->pdata[i];

      if (only_conn != NULL && sub->conn != only_conn)
        continue;
      vdsm_rpc_session_send_message (sub->conn, destination, sub->id, body, length);
      sent++;
    }
  return sent;
}

static void
forward_copy (VdsmRpcSubscription *sub, VdsmStompFrame *send)
{
  VdsmRpcConnection *conn = sub->conn;
  guint n = vdsm_stomp_frame_get_n_headers (send);
  gsize mark, length;
  const char *body;
  GString *out;

  if (!vdsm_rpc_connection_is_open (conn))
    return;
  out = vdsm_rpc_connection_begin_frame (conn, &mark);
  vdsm_stomp_write_command (out, "MESSAGE");
  vdsm_stomp_write_header (out, "subscription", sub->id);
  for (guint i = 0; i < n; i++)
    {
      const char *name, *value;

      vdsm_stomp_frame_get_header_nth (send, i, &name, &value);
      if (strcmp (name, "content-length") != 0 && strcmp (name, "subscription") != 0)
        vdsm_stomp_write_header (out, name, value);
    }
  body = vdsm_stomp_frame_get_body (send, &length);
  vdsm_stomp_write_body (out, body, length);
  vdsm_rpc_connection_end_frame (conn, mark);
}

guint
vdsm_rpc_broker_forward (VdsmRpcBroker *broker, VdsmStompFrame *send)
{
  g_autofree char *prefix = g_strdup (vdsm_stomp_frame_get_header (send, "destination"));
  guint sent = 0;

  /* The destination itself, then each dot-separated prefix of it. */
  for (;;)
    {
      GPtrArray *subs = g_hash_table_lookup (broker->by_destination, prefix);
      char *dot;

      for (guint i = 0; subs != NULL && i < subs->len; i++, sent++)
        forward_copy (subs->pdata[i], send);
      dot = strrchr (prefix, '.');
      if (dot == NULL)
        break;
      *dot = '\0';
    }
  return sent;
}
