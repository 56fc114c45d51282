/* fake-stomp-server.h: a scripted STOMP server for the client tests.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Bound on any wait in these tests. */
#define WAIT_SECONDS 10

/* A frame as the fake server received it. */
typedef struct {
  char *command;
  GHashTable *headers;   /* first occurrence wins */
  char *body;
} FakeFrame;

typedef struct _FakeServer FakeServer;

/* Called in the server thread for each SEND; @id and @params are borrowed. */
typedef void (*FakeHandler) (FakeServer *server, const char *method,
                             JsonNode *id, JsonNode *params);

struct _FakeServer {
  GSocketListener *listener;
  char *uri;
  char *tmpdir;
  GCancellable *cancellable;
  GThread *thread;
  GSocketConnection *connection;   /* server thread only */

  /* Set before start. */
  const char *connected_heartbeat;
  guint beat_every_ms;             /* > 0: send a heart-beat this often once connected */
  gboolean refuse;
  FakeHandler handler;

  GMutex write_lock;               /* heart-beats come from their own thread */
  GThread *beat_thread;
  GMutex lock;
  GCond cond;
  GPtrArray *frames;               /* FakeFrame, everything received */
  guint n_heartbeats;              /* bare LFs received */
  GHashTable *subscriptions;       /* destination -> subscription id */
};

FakeServer *fake_server_new (FakeHandler handler);
/* Listen on 127.0.0.1, an ephemeral port / on a socket in a new temp dir;
 * server->uri is then set. One client connection is served. */
void fake_server_start_tcp (FakeServer *server);
void fake_server_start_unix (FakeServer *server);
void fake_server_free (FakeServer *server);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FakeServer, fake_server_free)

const char *fake_frame_header (FakeFrame *frame, const char *name);
/* Waits until the server received @n frames; returns the @n-th (borrowed). */
FakeFrame *fake_server_wait_frame (FakeServer *server, guint n);
guint fake_server_n_frames (FakeServer *server);

/* Server thread (handlers) only: */
void fake_server_write (FakeServer *server, const char *data, gsize length);
/* Sends @body as a MESSAGE to whoever subscribed to @destination. */
void fake_server_message (FakeServer *server, const char *destination, const char *body);
/* Replies to the request @id with `"<member>": <json>`. */
void fake_server_reply (FakeServer *server, JsonNode *id, const char *member, const char *json);
/* Closes the connection. */
void fake_server_drop (FakeServer *server);

char *fake_json_text (JsonNode *node);

/* Handlers several tests serve with: */
/* Answers every request with its own params, or `true` without any. */
void fake_handle_echo (FakeServer *server, const char *method, JsonNode *id, JsonNode *params);
/* Answers with VDSM's error 1, "Virtual machine does not exist". */
void fake_handle_vm_error (FakeServer *server, const char *method, JsonNode *id,
                           JsonNode *params);

G_END_DECLS
