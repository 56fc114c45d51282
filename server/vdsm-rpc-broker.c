/* vdsm-rpc-broker.c: the server-wide subscription table and message
 * delivery (docs/protocol.md §6; docs/security.md, "Broker destinations").
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vdsm-rpc-private.h"

#include <string.h>

/* Destinations are looked up by a hash computed byte by byte (Karp-Rabin,
 * modulo the prime 2^61 - 1), so that the hash of every dot-prefix of a
 * SEND's destination comes out of one pass over it: the prefix walk is
 * linear in the destination's length (docs/security.md, "Broker
 * destinations"). The base is random per broker: clients cannot make
 * names collide on purpose. */
#define HASH_PRIME ((G_GUINT64_CONSTANT (1) << 61) - 1)

typedef struct {
  const char *name;                 /* not NUL-terminated when a prefix */
  gsize length;
  guint64 hash;
} DestinationKey;

struct _VdsmRpcDestination {
  DestinationKey key;               /* key.name is @name */
  GPtrArray *subs;                  /* VdsmRpcSubscription*, owned, subscription order */
  char name[];
};

struct _VdsmRpcBroker {
  /* DestinationKey* (of a destination) -> VdsmRpcDestination*, owned.
   * Connections index their subscriptions by id. */
  GHashTable *destinations;
  guint64 hash_base;
};

static guint64
reduce (guint64 x)
{
  x = (x & HASH_PRIME) + (x >> 61);
  return x >= HASH_PRIME ? x - HASH_PRIME : x;
}

/* (@h * @base) mod HASH_PRIME, for @h < HASH_PRIME and @base < 2^32. */
static guint64
mul_base (guint64 h, guint64 base)
{
  guint64 high = reduce ((h >> 32) * base);
  guint64 low = reduce ((h & G_MAXUINT32) * base);

  /* Times 2^32 modulo 2^61 - 1 is a rotation of the 61 bits. */
  high = ((high << 32) & HASH_PRIME) | (high >> 29);
  return reduce (high + low);
}

/* The hash of a name one byte longer. */
static guint64
hash_step (VdsmRpcBroker *broker, guint64 hash, char c)
{
  return reduce (mul_base (hash, broker->hash_base) + (guchar) c + 1);
}

static DestinationKey
destination_key (VdsmRpcBroker *broker, const char *name)
{
  DestinationKey key = { name, 0, 0 };

  for (; name[key.length] != '\0'; key.length++)
    key.hash = hash_step (broker, key.hash, name[key.length]);
  return key;
}

static guint
key_hash (gconstpointer key)
{
  guint64 hash = ((const DestinationKey *) key)->hash;

  return (guint) (hash ^ (hash >> 32));
}

static gboolean
key_equal (gconstpointer a, gconstpointer b)
{
  const DestinationKey *ka = a, *kb = b;

  return ka->length == kb->length && memcmp (ka->name, kb->name, ka->length) == 0;
}

static void
subscription_free (VdsmRpcSubscription *sub)
{
  vdsm_event_filter_free (sub->filter);
  g_free (sub->id);
  g_free (sub);
}

static void
destination_free (VdsmRpcDestination *dest)
{
  g_ptr_array_unref (dest->subs);
  g_free (dest);
}

VdsmRpcBroker *
vdsm_rpc_broker_new (void)
{
  VdsmRpcBroker *broker = g_new0 (VdsmRpcBroker, 1);

  broker->destinations = g_hash_table_new_full (key_hash, key_equal, NULL,
                                                (GDestroyNotify) destination_free);
  broker->hash_base = (guint64) g_random_int_range (1 << 16, G_MAXINT32);
  return broker;
}

void
vdsm_rpc_broker_free (VdsmRpcBroker *broker)
{
  if (broker == NULL)
    return;
  g_hash_table_unref (broker->destinations);
  g_free (broker);
}

static VdsmRpcDestination *
lookup (VdsmRpcBroker *broker, const DestinationKey *key)
{
  return g_hash_table_lookup (broker->destinations, key);
}

static VdsmRpcDestination *
lookup_or_add (VdsmRpcBroker *broker, const char *name)
{
  DestinationKey key = destination_key (broker, name);
  VdsmRpcDestination *dest = lookup (broker, &key);

  if (dest != NULL)
    return dest;
  dest = g_malloc (sizeof *dest + key.length + 1);
  memcpy (dest->name, name, key.length + 1);
  dest->key = key;
  dest->key.name = dest->name;
  dest->subs = g_ptr_array_new_with_free_func ((GDestroyNotify) subscription_free);
  g_hash_table_insert (broker->destinations, &dest->key, dest);
  return dest;
}

gboolean
vdsm_rpc_broker_subscribe (VdsmRpcBroker *broker, VdsmRpcConnection *conn,
                           const char *id, const char *destination,
                           VdsmEventFilter *filter)
{
  VdsmRpcSubscription *sub;

  if (g_hash_table_contains (conn->subscriptions, id))
    {
      vdsm_event_filter_free (filter);
      return FALSE;
    }

  sub = g_new0 (VdsmRpcSubscription, 1);
  sub->conn = conn;
  sub->id = g_strdup (id);
  sub->filter = filter;
  sub->destination = lookup_or_add (broker, destination);
  g_ptr_array_add (sub->destination->subs, sub);
  g_hash_table_insert (conn->subscriptions, sub->id, sub);
  if (conn->subscription_order == NULL)
    conn->subscription_order = g_ptr_array_new ();
  g_ptr_array_add (conn->subscription_order, sub);
  /* Only the Java client subscribes to jms.* reply destinations (the
   * engine's jms.topic.vdsm_responses, the library's jms.queue.reponses);
   * the Python client's reply-to is a UUID. */
  if (g_str_has_prefix (destination, "jms.") && strcmp (destination, "jms.queue.events") != 0)
    conn->frame_per_send = TRUE;
  if (vdsm_rpc_log_enabled (G_LOG_LEVEL_DEBUG))
    {
      char id_log[VDSM_RPC_LOG_TEXT_SIZE], destination_log[VDSM_RPC_LOG_TEXT_SIZE];

      g_debug ("connection %" G_GUINT64_FORMAT ": subscription %s to %s", conn->id,
               vdsm_rpc_log_text (id_log, sizeof id_log, id, -1),
               vdsm_rpc_log_text (destination_log, sizeof destination_log, destination, -1));
    }
  return TRUE;
}

/* Whether a subscription taken from @subs receives a message to
 * @destination: all of a destination's do; of a connection's list, those
 * to that name; of an event's (@event_id), those whose filter matches. */
static gboolean
receives (VdsmRpcSubscription *sub, const char *destination, gboolean by_name,
          const char *event_id)
{
  if (by_name && strcmp (sub->destination->name, destination) != 0)
    return FALSE;
  return event_id == NULL || sub->filter == NULL ||
         vdsm_event_filter_matches (sub->filter, event_id);
}

guint
vdsm_rpc_broker_count_subscriptions (VdsmRpcBroker *broker, VdsmRpcConnection *conn,
                                     const char *destination)
{
  guint n = 0;

  /* Bounded by max-subscriptions, unlike the destination's own list. */
  for (guint i = 0; conn->subscription_order != NULL && i < conn->subscription_order->len; i++)
    n += receives (conn->subscription_order->pdata[i], destination, TRUE, NULL);
  return n;
}

static void
remove_subscription (VdsmRpcBroker *broker, VdsmRpcSubscription *sub)
{
  VdsmRpcDestination *dest = sub->destination;

  if (dest->subs->len == 1)
    g_hash_table_remove (broker->destinations, &dest->key);
  else
    g_ptr_array_remove (dest->subs, sub);
}

void
vdsm_rpc_broker_unsubscribe (VdsmRpcBroker *broker, VdsmRpcConnection *conn, const char *id)
{
  VdsmRpcSubscription *sub = g_hash_table_lookup (conn->subscriptions, id);

  if (sub == NULL)
    return;
  g_hash_table_remove (conn->subscriptions, id);
  g_ptr_array_remove (conn->subscription_order, sub);
  remove_subscription (broker, sub);
}

void
vdsm_rpc_broker_remove_connection (VdsmRpcBroker *broker, VdsmRpcConnection *conn)
{
  if (conn->subscription_order == NULL)
    return;
  /* The ids are freed with the subscriptions. */
  g_hash_table_steal_all (conn->subscriptions);
  for (guint i = 0; i < conn->subscription_order->len; i++)
    remove_subscription (broker, conn->subscription_order->pdata[i]);
  g_ptr_array_set_size (conn->subscription_order, 0);
}

guint
vdsm_rpc_broker_publish (VdsmRpcBroker *broker, const char *destination,
                         VdsmRpcConnection *only_conn, const char *event_id,
                         const char *body, gsize length)
{
  GPtrArray *subs;
  g_autoptr(GBytes) tail = NULL;
  guint n = 0, sent = 0;

  /* A reply goes to the requester's own subscriptions: picked from its
   * few by name, without hashing it, as each reply passes here. */
  if (only_conn != NULL)
    subs = only_conn->subscription_order;
  else
    {
      DestinationKey key = destination_key (broker, destination);
      VdsmRpcDestination *dest = lookup (broker, &key);

      subs = dest ? dest->subs : NULL;
    }
  for (guint i = 0; subs != NULL && i < subs->len; i++)
    n += receives (subs->pdata[i], destination, only_conn != NULL, event_id);
  /* A reply has one subscriber: written in place. Copies to several
   * (events) share one body (docs/security.md, "Broker destinations"). */
  if (n > 1)
    tail = vdsm_rpc_session_message_tail (body, length);
  /* Sending never closes a connection synchronously, so @subs is stable. */
  for (guint i = 0; n > 0 && i < subs->len; i++)
    {
      VdsmRpcSubscription *sub = subs->pdata[i];

      if (!receives (sub, destination, only_conn != NULL, event_id))
        continue;
      if (tail != NULL)
        vdsm_rpc_session_send_message_shared (sub->conn, destination, sub->id, tail);
      else
        vdsm_rpc_session_send_message (sub->conn, destination, sub->id, body, length);
      sent++;
    }
  return sent;
}

/* What every copy of a forwarded SEND ends with: its headers but
 * content-length and subscription, and its body. */
static GBytes *
forward_tail (VdsmStompFrame *send)
{
  guint n = vdsm_stomp_frame_get_n_headers (send);
  gsize length;
  const char *body = vdsm_stomp_frame_get_body (send, &length);
  GString *tail = g_string_sized_new (length + 256);

  for (guint i = 0; i < n; i++)
    {
      const char *name, *value;

      vdsm_stomp_frame_get_header_nth (send, i, &name, &value);
      if (strcmp (name, "content-length") != 0 && strcmp (name, "subscription") != 0)
        vdsm_stomp_write_header (tail, name, value);
    }
  vdsm_stomp_write_body (tail, body, length);
  return g_string_free_to_bytes (tail);
}

static void
forward_copy (VdsmRpcSubscription *sub, GBytes *tail)
{
  VdsmRpcConnection *conn = sub->conn;
  gsize mark;
  GString *out;

  if (!vdsm_rpc_connection_is_open (conn))
    return;
  out = vdsm_rpc_connection_begin_frame (conn, &mark);
  vdsm_stomp_write_command (out, "MESSAGE");
  vdsm_stomp_write_header (out, "subscription", sub->id);
  vdsm_rpc_connection_end_frame_shared (conn, mark, tail);
}

/* The destinations a SEND to @name reaches: each dot-separated prefix of
 * it that has subscriptions, and @name itself; shortest first. */
static GPtrArray *
reached_destinations (VdsmRpcBroker *broker, const char *name)
{
  GPtrArray *reached = g_ptr_array_new ();
  DestinationKey key = { name, 0, 0 };

  for (;; key.length++)
    {
      char c = name[key.length];

      if (c == '.' || c == '\0')
        {
          VdsmRpcDestination *dest = lookup (broker, &key);

          if (dest != NULL)
            g_ptr_array_add (reached, dest);
        }
      if (c == '\0')
        return reached;
      key.hash = hash_step (broker, key.hash, c);
    }
}

guint
vdsm_rpc_broker_forward (VdsmRpcBroker *broker, VdsmStompFrame *send)
{
  g_autoptr(GPtrArray) reached = reached_destinations (broker,
                                                       vdsm_stomp_frame_get_header (send,
                                                                                    "destination"));
  g_autoptr(GBytes) tail = NULL;
  guint sent = 0;

  if (reached->len > 0)
    tail = forward_tail (send);
  /* The destination itself first, then its prefixes, longest first.
   * Sending never closes a connection synchronously: the arrays are stable. */
  for (guint i = reached->len; i-- > 0; )
    {
      GPtrArray *subs = ((VdsmRpcDestination *) reached->pdata[i])->subs;

      for (guint j = 0; j < subs->len; j++, sent++)
        forward_copy (subs->pdata[j], tail);
    }
  return sent;
}
