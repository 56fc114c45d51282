/* vdsm-client-link.h: one STOMP connection of VdsmClient, from the socket
 * connect (and TLS handshake) to CONNECTED, then frames both ways and
 * heart-beats (internal; runs in the client's I/O thread).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

#include "vdsm-client-tls.h"
#include "vdsm-client-uri.h"
#include "vdsm-stomp.h"

G_BEGIN_DECLS

/* A server silent for a negotiated interval plus half of it is lost: the
 * half absorbs scheduling and network jitter. */
#define VDSM_CLIENT_HEARTBEAT_GRACE(interval_ms) ((gint64) (interval_ms) * 3 / 2)
/* Largest heart-beat interval accepted from either side. */
#define VDSM_CLIENT_HEARTBEAT_MAX_MS (G_MAXUINT / 2)

typedef struct _VdsmClientLink VdsmClientLink;

typedef struct {
  /* The server answered CONNECTED. */
  void (*connected) (VdsmClientLink *link, gpointer data);
  /* Any frame after CONNECTED but heart-beats. */
  void (*frame) (VdsmClientLink *link, VdsmStompFrame *frame, gpointer data);
  /* The link failed (connect, TLS, refused, lost, silent, timed out):
   * called once, and nothing else after. @error is borrowed. The owner
   * then calls vdsm_client_link_close(). */
  void (*lost) (VdsmClientLink *link, const GError *error, gpointer data);
  /* Its memory is gone: every I/O operation returned after close. */
  void (*released) (gpointer data);
} VdsmClientLinkCallbacks;

typedef struct {
  const char *uri;                  /* for messages */
  const VdsmClientAddress *address;
  VdsmClientTls *tls;               /* NULL for plain TCP and unix */
  guint heartbeat_ms;               /* offered both ways; 0: none */
  guint timeout_ms;                 /* connect, TLS and CONNECTED; 0: none */
} VdsmClientLinkConfig;

/* Starts connecting in the thread-default main context; @handshake (the
 * CONNECT frame and what goes with it) is the first thing written. The
 * config is copied where needed. */
VdsmClientLink *vdsm_client_link_new (const VdsmClientLinkConfig *config, GBytes *handshake,
                                      const VdsmClientLinkCallbacks *callbacks, gpointer data);
/* Queues @bytes (transfer full) after everything queued before. */
void vdsm_client_link_send (VdsmClientLink *link, GBytes *bytes);
/* Ends the link: no callback but `released` runs afterwards. */
void vdsm_client_link_close (VdsmClientLink *link);

G_END_DECLS
