/* fuzz-connection.h: server connections over socketpairs for the
 * harnesses that drive the server core (fuzz-jsonrpc, fuzz-broker):
 * nothing reaches the network, and the harness reads what the server
 * wrote from the other end.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "vdsm-rpc-private.h"

G_BEGIN_DECLS

/* The harness's end of a connection and what the server sent to it. */
typedef struct {
  VdsmRpcConnection *conn;          /* a ref */
  int fd;
  GString *received;
  gboolean closed;                  /* the server closed its end */
} FuzzPeer;

/* A connection of @server over a fresh socketpair. */
void fuzz_peer_open (FuzzPeer *peer, VdsmRpcServer *server);
/* Closes both ends and lets the server forget the connection. */
void fuzz_peer_close (FuzzPeer *peer);

/* Writes @data (may be empty) to @writer as the server takes it and runs
 * the server's main loop until it has nothing more to do, collecting what
 * it sends to each of @peers. Writing stops early when the server stops
 * reading @writer (it closed or is closing it). */
void fuzz_peers_exchange (FuzzPeer *peers, guint n_peers, FuzzPeer *writer,
                          const char *data, gsize size);

G_END_DECLS
