/* vdsm-rpc-budget.c: one bound on the bytes all connections hold together
 * (partial frames, send queues), the max-buffered property. Each
 * connection's own limits (max-frame-size, max-send-queue) hold, but not
 * their sum: a thousand connections could hold 192 MiB each. Over the
 * budget, the connections holding the most are closed, largest first.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vdsm-rpc-private.h"

#include <unistd.h>

#define BUDGET_CAP ((gsize) 1 << 30)

/* A quarter of the memory: vdsmd shares its host with the VMs it runs.
 * 1 GiB: five clients at their per-connection worst case (64 MiB frame,
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
      g_message ("connection %" G_GUINT64_FORMAT " (%s): closed: the connections hold %"
                 G_GSIZE_FORMAT " bytes, over the budget of %" G_GSIZE_FORMAT " bytes "
                 "(max-buffered); this one holds the most, %" G_GSIZE_FORMAT " bytes "
                 "(%" G_GSIZE_FORMAT " received, %" G_GSIZE_FORMAT " to send)",
                 conn->id, conn->peer, server->buffered, server->max_buffered,
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
  conn->budget_share = share;
  if (grew && server->buffered > server->max_buffered)
    enforce (server);
}
