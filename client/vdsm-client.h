/* vdsm-client.h: VdsmClient, a JSON-RPC client for VDSM's STOMP API.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "vdsm-visibility.h"

G_BEGIN_DECLS

/**
 * VDSM_CLIENT_DEFAULT_TIMEOUT:
 *
 * The default of #VdsmClient:timeout, in seconds (as VDSM's own client).
 */
#define VDSM_CLIENT_DEFAULT_TIMEOUT 60

/**
 * VDSM_CLIENT_DEFAULT_HEARTBEAT:
 *
 * The default of #VdsmClient:heartbeat, in milliseconds.
 */
#define VDSM_CLIENT_DEFAULT_HEARTBEAT 10000

/**
 * VDSM_CLIENT_TIMEOUT_DEFAULT:
 *
 * The @timeout_ms of vdsm_client_call_full() that stands for the client's
 * #VdsmClient:timeout.
 */
#define VDSM_CLIENT_TIMEOUT_DEFAULT (-1)

/**
 * VDSM_CLIENT_RECONNECT_FIRST_DELAY:
 *
 * Milliseconds before the first attempt to reconnect after a lost
 * connection; each failed attempt doubles the delay, up to
 * %VDSM_CLIENT_RECONNECT_MAX_DELAY.
 */
#define VDSM_CLIENT_RECONNECT_FIRST_DELAY 250

/**
 * VDSM_CLIENT_RECONNECT_MAX_DELAY:
 *
 * The longest delay between two attempts to reconnect, in milliseconds.
 */
#define VDSM_CLIENT_RECONNECT_MAX_DELAY 30000

/**
 * VdsmClientState:
 * @VDSM_CLIENT_STATE_CONNECTING: connecting, or reconnecting (socket, TLS
 *   handshake, STOMP CONNECT)
 * @VDSM_CLIENT_STATE_CONNECTED: calls can be made
 * @VDSM_CLIENT_STATE_DISCONNECTED: the connection was lost; the client
 *   waits before it tries again (#VdsmClient:reconnect)
 * @VDSM_CLIENT_STATE_CLOSED: for good: closed by vdsm_client_close(), or
 *   lost without #VdsmClient:reconnect
 *
 * The life of a #VdsmClient's connection, its #VdsmClient:state.
 */
typedef enum {
  VDSM_CLIENT_STATE_CONNECTING,
  VDSM_CLIENT_STATE_CONNECTED,
  VDSM_CLIENT_STATE_DISCONNECTED,
  VDSM_CLIENT_STATE_CLOSED,
} VdsmClientState;

#define VDSM_TYPE_CLIENT_STATE (vdsm_client_state_get_type ())
VDSM_AVAILABLE_IN_ALL
GType vdsm_client_state_get_type (void);

#define VDSM_TYPE_CLIENT (vdsm_client_get_type ())
VDSM_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (VdsmClient, vdsm_client, VDSM, CLIENT, GObject)

VDSM_AVAILABLE_IN_ALL
void         vdsm_client_new             (const char          *uri,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
VDSM_AVAILABLE_IN_ALL
VdsmClient  *vdsm_client_new_finish      (GAsyncResult        *res,
                                          GError             **error);
VDSM_AVAILABLE_IN_ALL
VdsmClient  *vdsm_client_new_sync        (const char          *uri,
                                          GCancellable        *cancellable,
                                          GError             **error);

VDSM_AVAILABLE_IN_ALL
void         vdsm_client_call            (VdsmClient          *client,
                                          const char          *method,
                                          JsonNode            *params,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
VDSM_AVAILABLE_IN_ALL
void         vdsm_client_call_full       (VdsmClient          *client,
                                          const char          *method,
                                          JsonNode            *params,
                                          int                  timeout_ms,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
VDSM_AVAILABLE_IN_ALL
JsonNode    *vdsm_client_call_finish     (VdsmClient          *client,
                                          GAsyncResult        *res,
                                          GError             **error);
VDSM_AVAILABLE_IN_ALL
JsonNode    *vdsm_client_call_sync       (VdsmClient          *client,
                                          const char          *method,
                                          JsonNode            *params,
                                          GCancellable        *cancellable,
                                          GError             **error);
VDSM_AVAILABLE_IN_ALL
JsonNode    *vdsm_client_call_full_sync  (VdsmClient          *client,
                                          const char          *method,
                                          JsonNode            *params,
                                          int                  timeout_ms,
                                          GCancellable        *cancellable,
                                          GError             **error);

VDSM_AVAILABLE_IN_ALL
void         vdsm_client_close           (VdsmClient          *client);
VDSM_AVAILABLE_IN_ALL
gboolean     vdsm_client_is_closed       (VdsmClient          *client);
VDSM_AVAILABLE_IN_ALL
VdsmClientState vdsm_client_get_state    (VdsmClient          *client);

VDSM_AVAILABLE_IN_ALL
const char  *vdsm_client_get_uri         (VdsmClient          *client);
VDSM_AVAILABLE_IN_ALL
guint        vdsm_client_get_timeout     (VdsmClient          *client);
VDSM_AVAILABLE_IN_ALL
void         vdsm_client_set_timeout     (VdsmClient          *client,
                                          guint                timeout);
VDSM_AVAILABLE_IN_ALL
char        *vdsm_client_dup_flow_id     (VdsmClient          *client);
VDSM_AVAILABLE_IN_ALL
void         vdsm_client_set_flow_id     (VdsmClient          *client,
                                          const char          *flow_id);
VDSM_AVAILABLE_IN_ALL
gboolean     vdsm_client_set_event_patterns (VdsmClient          *client,
                                             const char * const  *patterns,
                                             GError             **error);
VDSM_AVAILABLE_IN_ALL
char       **vdsm_client_dup_event_patterns (VdsmClient          *client);

G_END_DECLS
