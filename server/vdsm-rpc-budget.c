/* vdsm-rpc-budget.c: one bound on the bytes all connections hold together
 * (partial frames, send queues), the max-buffered property. Each
 * connection's own limits (max-frame-size, max-send-queue) hold, but not
 * their sum: a thousand connections could hold 132 MiB each. Over the
 * budget, the connections holding the most are closed, largest first.
 * When they hold much less than before, freed memory goes back to the
 * system.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vdsm-rpc-private.h"

#include <unistd.h>
#ifdef HAVE_MALLOC_TRIM
#include <malloc.h>
#endif

#define BUDGET_CAP ((gsize) 1 << 30)

/* A quarter of the memory: vdsmd shares its host with the VMs it runs.
 * 1 GiB: seven clients at their per-connection worst case (4 MiB frame,
 * 128 MiB queue), far beyond real traffic, whose largest replies
 * (Host.getAllVmStats, Host.getCapabilities) are hundreds of KiB. */
gsize
vdsm_rpc_budget_default (void)
{
  long pages = sysconf (_SC_PHYS_PAGES);
  long page_size = sysconf (_SC_PAGESIZE);

  if (pages <= 0 || page_size <= 0)
    return BUDGET_CAP;
  return MIN (BUDGET_CAP, (gsize) pages / 4 * (gsize) page_size);
}

/* ---- Giving freed memory back ---- */

/* glibc keeps freed heap memory for reuse, and the trees of many small
 * JSON nodes that a large frame makes leave it scattered where trimming
 * the top of the heap cannot reach: hundreds of MiB stayed in RSS. A
 * second after a connection held this much less (the frame was handled,
 * the batch ended, the queue was sent, the connection closed), when the
 * heap has enough free memory, it is trimmed (malloc_trim() walks the
 * whole heap: not after every free). */
#define RELEASE_HINT ((gsize) 1 << 20)
#define TRIM_DELAY_MS 1000
#define TRIM_FREE_MIN ((gsize) 32 << 20)

#ifdef HAVE_MALLOC_TRIM
static gboolean
on_trim (gpointer data)
{
  VdsmRpcServer *server = data;

  g_clear_pointer (&server->trim_source, g_source_unref);
  if (mallinfo2 ().fordblks >= TRIM_FREE_MIN)
    malloc_trim (0);
  return G_SOURCE_REMOVE;
}
#endif

static void
released (VdsmRpcServer *server, gsize before, gsize after)
{
#ifdef HAVE_MALLOC_TRIM
  if (before < after + RELEASE_HINT || server->trim_source != NULL ||
      g_atomic_int_get (&server->stopped))
    return;
  server->trim_source = g_timeout_source_new (TRIM_DELAY_MS);
  g_source_set_callback (server->trim_source, on_trim, server, NULL);
  vdsm_rpc_source_attach (server->trim_source, "vdsm-rpc-trim", server);
#endif
}

void
vdsm_rpc_budget_stop (VdsmRpcServer *server)
{
  if (server->trim_source != NULL)
    {
      g_source_destroy (server->trim_source);
      g_clear_pointer (&server->trim_source, g_source_unref);
    }
}

/* ---- The budget ---- */

static gboolean
counted (VdsmRpcConnection *conn)
{
  return !conn->closed && conn->close_source == NULL;
}

void
vdsm_rpc_budget_remove (VdsmRpcConnection *conn)
{
  VdsmRpcServer *server = conn->server;

  server->buffered -= conn->budget_share;
  released (server, conn->budget_share, 0);
  conn->budget_share = 0;
}

/* The largest holder; the oldest among equals. */
static VdsmRpcConnection *
largest_holder (VdsmRpcServer *server)
{
  VdsmRpcConnection *largest = NULL;
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, server->connections);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      VdsmRpcConnection *conn = key;

      if (!counted (conn) || conn->budget_share == 0)
        continue;
      if (largest == NULL || conn->budget_share > largest->budget_share ||
          (conn->budget_share == largest->budget_share && conn->id < largest->id))
        largest = conn;
    }
  return largest;
}

static void
enforce (VdsmRpcServer *server)
{
  while (server->buffered > server->max_buffered)
    {
      VdsmRpcConnection *conn = largest_holder (server);
      gsize input, output;

      if (conn == NULL)
        return;
      vdsm_rpc_connection_get_buffered (conn, &input, &output);
      vdsm_rpc_message_limited (server, "connection %" G_GUINT64_FORMAT " (%s): closed: "
                                "the connections hold %" G_GSIZE_FORMAT " bytes, over the "
                                "budget of %" G_GSIZE_FORMAT " bytes (max-buffered); this one "
                                "holds the most, %" G_GSIZE_FORMAT " bytes (%" G_GSIZE_FORMAT
                                " received, %" G_GSIZE_FORMAT " to send)", conn->id,
                                conn->peer, server->buffered, server->max_buffered,
                                conn->budget_share, input, output);
      /* Takes its share out of the sum. */
      vdsm_rpc_connection_close_later (conn, "over the server's budget of buffered bytes");
    }
}

void
vdsm_rpc_budget_update (VdsmRpcConnection *conn)
{
  VdsmRpcServer *server = conn->server;
  gsize input, output, share;
  gboolean grew;

  if (!counted (conn))
    return;
  vdsm_rpc_connection_get_buffered (conn, &input, &output);
  share = input + output;
  grew = share > conn->budget_share;
  server->buffered = server->buffered - conn->budget_share + share;
  released (server, conn->budget_share, share);
  conn->budget_share = share;
  if (grew && server->buffered > server->max_buffered)
    enforce (server);
}
