/* fuzz-connection.c: see fuzz-connection.h.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "fuzz-common.h"
#include "fuzz-connection.h"

#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

/* Main-loop iterations allowed for the server to handle one input. */
#define MAX_ITERATIONS 100000

void
fuzz_peer_open (FuzzPeer *peer, VdsmRpcServer *server)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GError) error = NULL;
  int fds[2];

  FUZZ_CHECK (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0,
              "socketpair: %s", g_strerror (errno));
  socket = g_socket_new_from_fd (fds[0], &error);
  FUZZ_CHECK (socket != NULL, "g_socket_new_from_fd: %s", error->message);
  peer->conn = vdsm_rpc_connection_new (server, socket, NULL, NULL, NULL);
  peer->fd = fds[1];
  peer->received = g_string_new (NULL);
  peer->closed = FALSE;
}

void
fuzz_peer_close (FuzzPeer *peer)
{
  vdsm_rpc_connection_close (peer->conn, "end of fuzz input");
  vdsm_rpc_connection_unref (peer->conn);
  close (peer->fd);
  g_string_free (peer->received, TRUE);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* Takes what the server sent @peer so far. TRUE if there was anything. */
static gboolean
receive (FuzzPeer *peer)
{
  char buf[16384];
  gboolean got = FALSE;

  while (!peer->closed)
    {
      gssize n = recv (peer->fd, buf, sizeof buf, MSG_DONTWAIT);

      if (n > 0)
        {
          g_string_append_len (peer->received, buf, n);
          got = TRUE;
          continue;
        }
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        break;
      FUZZ_CHECK (n == 0 || errno == ECONNRESET, "reading the server's end: %s",
                  g_strerror (errno));
      peer->closed = got = TRUE;
    }
  return got;
}

void
fuzz_peers_exchange (FuzzPeer *peers, guint n_peers, FuzzPeer *writer,
                     const char *data, gsize size)
{
  for (guint i = 0; ; i++)
    {
      gboolean progress = FALSE;

      FUZZ_CHECK (i < MAX_ITERATIONS, "the server keeps the main loop busy");
      if (size > 0)
        {
          gssize n = send (writer->fd, data, size, MSG_DONTWAIT | MSG_NOSIGNAL);

          if (n > 0)
            {
              data += n;
              size -= n;
              progress = TRUE;
            }
          else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            size = 0;               /* closed by the server */
        }
      for (guint p = 0; p < n_peers; p++)
        progress |= receive (&peers[p]);
      if (progress)
        continue;
      if (g_main_context_pending (NULL))
        g_main_context_iteration (NULL, FALSE);
      else
        /* Idle with input left: the server stopped reading @writer. */
        return;
    }
}
