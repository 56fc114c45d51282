/* fuzz-broker.c: the STOMP session and the broker (server/vdsm-rpc-session.c,
 * vdsm-rpc-broker.c and the connections' send queues) on what one client
 * sends, watched by another client.
 *
 * Input: one byte of flags (bit 0: the server's broker-forwarding), then
 * the bytes an "actor" client sends, over a socketpair (fuzz-connection.c).
 * An "observer" connection holds subscriptions as VDSM's clients make
 * them, and a few a hostile client would want: a reply destination,
 * jms.queue.events, jms.topic.vdsm_responses, `a` and `jms` (made through
 * the broker directly: without forwarding, the session refuses `jms`).
 * The server has no methods: every request is answered at once, on the
 * I/O thread.
 *
 * Checks (docs/security.md, "Broker destinations"):
 *  - what the server sends either client is whole STOMP frames with
 *    server commands; a connection the server closed may end inside one;
 *  - without forwarding, the observer receives nothing: the actor reaches
 *    the server only;
 *  - with forwarding, every MESSAGE the observer receives is for one of
 *    its subscriptions, whose destination is the MESSAGE's or a
 *    dot-separated prefix of it;
 *  - the server goes idle within a bounded number of loop iterations, and
 *    handles the input within the handshake timeout (5 s): the observer
 *    never sends a byte, so the server closes it then (a destination whose
 *    prefixes were each hashed anew took that long; see the seed
 *    long-destination).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "fuzz-common.h"
#include "fuzz-connection.h"
#include "fuzz-schema.h"

#include <string.h>

#define FLAG_FORWARDING 0x01
/* Large enough for the seeds with long destinations. */
#define MAX_HEADER_SIZE (512 * 1024)
#define HANDSHAKE_TIMEOUT_MS 5000

static const struct {
  const char *id;
  const char *destination;
} observer_subscriptions[] = {
  { "obs-reply", "1c83509b-bf37-4a07-abf3-9511f3162637" },
  { "obs-events", "jms.queue.events" },
  { "obs-responses", "jms.topic.vdsm_responses" },
  { "obs-a", "a" },
  { "obs-jms", "jms" },
};

static VdsmSchema *schema;
static VdsmRpcServer *server;

static const char *
observer_destination (const char *subscription_id)
{
  for (guint i = 0; i < G_N_ELEMENTS (observer_subscriptions); i++)
    if (g_strcmp0 (observer_subscriptions[i].id, subscription_id) == 0)
      return observer_subscriptions[i].destination;
  return NULL;
}

static gboolean
is_dot_prefix (const char *prefix, const char *name)
{
  gsize len = strlen (prefix);

  return strncmp (name, prefix, len) == 0 && (name[len] == '\0' || name[len] == '.');
}

static gboolean
is_server_command (VdsmStompCommand command)
{
  return command == VDSM_STOMP_COMMAND_CONNECTED || command == VDSM_STOMP_COMMAND_MESSAGE ||
         command == VDSM_STOMP_COMMAND_ERROR || command == VDSM_STOMP_COMMAND_RECEIPT;
}

/* The frames the server sent @peer; @check_message, when not NULL, is
 * applied to each MESSAGE. */
static void
check_frames (const FuzzPeer *peer, const char *who,
              void (*check_message) (VdsmStompFrame *frame))
{
  g_autoptr(VdsmStompParser) parser = vdsm_stomp_parser_new (0, 2 * MAX_HEADER_SIZE);
  const char *data = peer->received->str;
  gsize length = peer->received->len;

  while (length > 0)
    {
      g_autoptr(VdsmStompFrame) frame = NULL;
      g_autoptr(GError) error = NULL;
      VdsmStompParseResult r = vdsm_stomp_parser_parse (parser, &data, &length, &frame, &error);

      FUZZ_CHECK (r != VDSM_STOMP_PARSE_ERROR, "the server sent the %s a bad frame: %s", who,
                  error->message);
      if (r != VDSM_STOMP_PARSE_FRAME)
        continue;
      FUZZ_CHECK (is_server_command (vdsm_stomp_frame_get_command (frame)),
                  "the server sent the %s a %s frame", who,
                  vdsm_stomp_frame_get_command_name (frame));
      if (check_message != NULL && vdsm_stomp_frame_get_command (frame) == VDSM_STOMP_COMMAND_MESSAGE)
        check_message (frame);
    }
  FUZZ_CHECK (vdsm_stomp_parser_is_idle (parser) || peer->closed,
              "the server sent the %s part of a frame", who);
}

/* With forwarding: a copy of a SEND to a destination at or under one of
 * the observer's. */
static void
check_forwarded (VdsmStompFrame *frame)
{
  const char *subscription = vdsm_stomp_frame_get_header (frame, "subscription");
  const char *destination = vdsm_stomp_frame_get_header (frame, "destination");
  const char *subscribed = observer_destination (subscription);

  FUZZ_CHECK (subscribed != NULL, "MESSAGE for subscription '%s', not the observer's",
              subscription ? subscription : "(none)");
  FUZZ_CHECK (destination != NULL && is_dot_prefix (subscribed, destination),
              "MESSAGE to '%s' for the subscription to '%s'",
              destination ? destination : "(none)", subscribed);
}

static void
setup (void)
{
  schema = fuzz_schema_new ();
  server = vdsm_rpc_server_new (schema, NULL, 0, NULL);
  g_object_set (server, "max-header-size", (guint64) MAX_HEADER_SIZE,
                "handshake-timeout", HANDSHAKE_TIMEOUT_MS, NULL);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  FuzzPeer peers[2];
  FuzzPeer *actor = &peers[0], *observer = &peers[1];
  gboolean forwarding;

  if (size < 1)
    return 0;
  if (server == NULL)
    setup ();
  forwarding = (data[0] & FLAG_FORWARDING) != 0;
  g_object_set (server, "broker-forwarding", forwarding, NULL);

  fuzz_peer_open (observer, server);
  for (guint i = 0; i < G_N_ELEMENTS (observer_subscriptions); i++)
    FUZZ_CHECK (vdsm_rpc_broker_subscribe (server->broker, observer->conn,
                                           observer_subscriptions[i].id,
                                           observer_subscriptions[i].destination, NULL),
                "observer subscription refused");
  fuzz_peer_open (actor, server);

  fuzz_peers_exchange (peers, G_N_ELEMENTS (peers), actor, (const char *) data + 1, size - 1);

  check_frames (actor, "actor", NULL);
  if (forwarding)
    check_frames (observer, "observer", check_forwarded);
  else
    FUZZ_CHECK (observer->received->len == 0,
                "without forwarding, the actor reached the observer: %.200s",
                observer->received->str);
  FUZZ_CHECK (!observer->closed, "the observer was closed: the input kept the server busy "
              "longer than the handshake timeout (%u ms)", HANDSHAKE_TIMEOUT_MS);

  fuzz_peer_close (actor);
  fuzz_peer_close (observer);
  return 0;
}
