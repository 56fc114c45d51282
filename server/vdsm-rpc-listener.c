/* vdsm-rpc-listener.c: listening sockets and the accept loop.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vdsm-rpc-private.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <gio/gunixsocketaddress.h>

#define LISTEN_BACKLOG 4096
/* After an accept error other than "nothing pending" (EMFILE, ENFILE,
 * ENOBUFS...), the socket stays readable: stop watching it for a while
 * instead of spinning. */
#define ACCEPT_RETRY_MS 100
/* The room for a unix socket's path in its address, the terminating NUL
 * included: 108 bytes on Linux. */
#define UNIX_PATH_SIZE sizeof (((struct sockaddr_un *) NULL)->sun_path)
#define UNIX_SOCKET_MODE 0660

struct _VdsmRpcListener {
  VdsmRpcServer *server;            /* borrowed: the server owns listeners */
  GSocket *socket;
  GSource *source;                  /* NULL while accepting is paused */
  GSource *resume;                  /* timeout that resumes accepting */
  char *unix_path;                  /* removed on free */
  gboolean tls;                     /* see accept_client () */
  gboolean waiting;                 /* for a TLS handshake to end (max-tls-handshakes) */
};

static void listener_watch (VdsmRpcListener *listener);

static gboolean
resume_accepting (gpointer user_data)
{
  VdsmRpcListener *listener = user_data;

  g_clear_pointer (&listener->resume, g_source_unref);
  listener_watch (listener);
  return G_SOURCE_REMOVE;
}

static void
pause_accepting (VdsmRpcListener *listener)
{
  g_source_destroy (listener->source);
  g_clear_pointer (&listener->source, g_source_unref);
  listener->resume = g_timeout_source_new (ACCEPT_RETRY_MS);
  g_source_set_callback (listener->resume, resume_accepting, listener, NULL);
  vdsm_rpc_source_attach (listener->resume, "vdsm-rpc-accept-retry", listener->server);
}

/* ---- Peers: who a connection is counted under ---- */

/* The loopback addresses every local client connects from. */
static const char *const shared_loopback[] = { "127.0.0.1", "::1", "::ffff:127.0.0.1" };

/* The address of the peer at @remote as text ("192.0.2.1",
 * "::ffff:192.0.2.1", "2001:db8::5"), NULL for a unix client. With
 * @ipv6_network, an IPv6 address stands for its /64
 * ("2001:db8:1:2::/64"): a client can pick any address of its /64 (often
 * of a larger prefix), so one address would count nothing. */
static char *
peer_address (GSocketAddress *remote, gboolean ipv6_network)
{
  GInetAddress *inet;
  const guint8 *bytes;
  guint8 prefix[16] = { 0 };
  g_autoptr(GInetAddress) network = NULL;
  g_autofree char *text = NULL;

  if (remote == NULL || !G_IS_INET_SOCKET_ADDRESS (remote))
    return NULL;
  inet = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (remote));
  bytes = g_inet_address_to_bytes (inet);
  if (!ipv6_network || g_inet_address_get_family (inet) != G_SOCKET_FAMILY_IPV6 ||
      IN6_IS_ADDR_V4MAPPED ((const struct in6_addr *) bytes))
    return g_inet_address_to_string (inet);
  memcpy (prefix, bytes, 8);
  network = g_inet_address_new_from_bytes (prefix, G_SOCKET_FAMILY_IPV6);
  text = g_inet_address_to_string (network);
  return g_strconcat (text, "/64", NULL);
}

/* Counts by peer key, in tables of key -> count (as a pointer). */
static guint
count_of (GHashTable *counts, const char *key)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (counts, key));
}

static void
count_up (GHashTable *counts, const char *key)
{
  g_hash_table_insert (counts, g_strdup (key), GUINT_TO_POINTER (count_of (counts, key) + 1));
}

static void
count_down (GHashTable *counts, const char *key)
{
  guint n = count_of (counts, key);

  g_assert (n > 0);
  if (n == 1)
    g_hash_table_remove (counts, key);
  else
    g_hash_table_insert (counts, g_strdup (key), GUINT_TO_POINTER (n - 1));
}

/* The key the connections of the peer at @remote are counted under for
 * max-connections-per-peer: its exact address, or NULL when it is not
 * counted (unix clients, and 127.0.0.1 and ::1: see vdsm-rpc-server.h). */
static char *
connection_key (GSocketAddress *remote)
{
  g_autofree char *address = peer_address (remote, FALSE);

  if (address == NULL)
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (shared_loopback); i++)
    if (strcmp (address, shared_loopback[i]) == 0)
      return NULL;
  return g_steal_pointer (&address);
}

void
vdsm_rpc_peer_closed (VdsmRpcServer *server, const char *key)
{
  if (key != NULL)
    count_down (server->peer_connections, key);
}

/* Whether one more connection from @key exceeds max-connections-per-peer. */
static gboolean
peer_is_full (VdsmRpcServer *server, const char *key)
{
  return key != NULL && server->max_connections_per_peer > 0 &&
         count_of (server->peer_connections, key) >= server->max_connections_per_peer;
}

static char *
describe_remote (GSocketAddress *remote)
{
  return remote && G_IS_INET_SOCKET_ADDRESS (remote)
    ? g_socket_connectable_to_string (G_SOCKET_CONNECTABLE (remote))
    : g_strdup ("a unix socket client");
}

/* ---- TLS handshakes in progress ---- */

/* max-tls-handshakes: further clients wait in the listen backlog, their
 * hello unread, until a handshake ends (a burst of 1000 is served, not
 * refused). */
static gboolean
wait_for_handshakes (VdsmRpcListener *listener)
{
  VdsmRpcServer *server = listener->server;

  if (!listener->tls || server->n_tls_handshakes < server->max_tls_handshakes)
    return FALSE;
  g_debug ("%u TLS handshakes in progress (max-tls-handshakes): new clients wait",
           server->n_tls_handshakes);
  g_source_destroy (listener->source);
  g_clear_pointer (&listener->source, g_source_unref);
  listener->waiting = TRUE;
  return TRUE;
}

void
vdsm_rpc_listener_handshake_ended (VdsmRpcServer *server, char *peer_key)
{
  count_down (server->tls_handshakes_by_peer, peer_key);
  g_free (peer_key);
  server->n_tls_handshakes--;
  if (server->n_tls_handshakes >= server->max_tls_handshakes)
    return;
  for (guint i = 0; i < server->listeners->len; i++)
    {
      VdsmRpcListener *listener = g_ptr_array_index (server->listeners, i);

      if (listener->waiting)
        {
          listener->waiting = FALSE;
          listener_watch (listener);
        }
    }
}

/* The key a new TLS connection's handshake counts under (its IPv4 address
 * or IPv6 /64, loopback included), or NULL when that peer has
 * max-tls-handshakes-per-peer in progress already. */
static char *
admit_handshake (VdsmRpcServer *server, GSocketAddress *remote)
{
  g_autofree char *key = peer_address (remote, TRUE);
  guint n;

  if (key == NULL)
    key = g_strdup ("unknown");
  n = count_of (server->tls_handshakes_by_peer, key);
  if (n >= server->max_tls_handshakes_per_peer)
    {
      vdsm_rpc_message_limited (server, "refusing a connection from %s: %u TLS handshakes in "
                                "progress from it (max-tls-handshakes-per-peer)", key, n);
      return NULL;
    }
  server->n_tls_handshakes++;
  count_up (server->tls_handshakes_by_peer, key);
  return g_steal_pointer (&key);
}

/* ---- Accepting ---- */

/* A TLS connection takes the server's TLS configuration of the moment:
 * vdsm_rpc_server_set_tls() at run time (vdsmd's SIGHUP) serves new
 * certificates to new connections on the listeners already open, and the
 * connection keeps its own ref of the configuration it started with. */
static void
accept_client (VdsmRpcListener *listener, GSocket *client, char *key, char *handshake_peer)
{
  VdsmRpcServer *server = listener->server;

  /* Set before a TLS listener started, and never unset. */
  g_assert (!listener->tls || server->tls != NULL);
  vdsm_rpc_connection_unref (vdsm_rpc_connection_new (server, client,
                                                      listener->tls ? server->tls : NULL,
                                                      key, handshake_peer));
}

static gboolean
on_incoming (GSocket *socket, GIOCondition condition, gpointer user_data)
{
  VdsmRpcListener *listener = user_data;
  VdsmRpcServer *server = listener->server;

  /* Drain the backlog: one readiness can stand for many connections. */
  for (;;)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GSocket) client = NULL;
      g_autoptr(GSocketAddress) remote = NULL;
      g_autofree char *key = NULL;
      char *handshake_peer = NULL;

      if (wait_for_handshakes (listener))
        return G_SOURCE_REMOVE;
      client = g_socket_accept (socket, NULL, &error);
      if (client == NULL)
        {
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            break;
          vdsm_rpc_message_limited (server, "accept failed: %s; pausing for %d ms",
                                    error->message, ACCEPT_RETRY_MS);
          pause_accepting (listener);
          return G_SOURCE_REMOVE;
        }
      /* Replies are single small writes: without this, a reply written
       * right after an event waits for the peer's delayed ACK (~40 ms). */
      if (g_socket_get_family (client) != G_SOCKET_FAMILY_UNIX)
        g_socket_set_option (client, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
      remote = g_socket_get_remote_address (client, NULL);
      if (g_hash_table_size (server->connections) >= server->max_connections)
        {
          g_autofree char *peer = describe_remote (remote);

          vdsm_rpc_message_limited (server, "refusing a connection from %s: %u connections "
                                    "open (max-connections)", peer,
                                    g_hash_table_size (server->connections));
          g_socket_close (client, NULL);
          continue;
        }
      key = connection_key (remote);
      if (peer_is_full (server, key))
        {
          g_autofree char *peer = describe_remote (remote);

          vdsm_rpc_message_limited (server, "refusing a connection from %s: %u connections "
                                    "open from that address (max-connections-per-peer)",
                                    peer, count_of (server->peer_connections, key));
          g_socket_close (client, NULL);
          continue;
        }
      if (listener->tls && (handshake_peer = admit_handshake (server, remote)) == NULL)
        {
          g_socket_close (client, NULL);
          continue;
        }
      if (key != NULL)
        count_up (server->peer_connections, key);
      accept_client (listener, client, g_steal_pointer (&key), handshake_peer);
    }
  return G_SOURCE_CONTINUE;
}

static VdsmRpcListener *
listener_start (VdsmRpcServer *server, GSocket *socket, const char *unix_path,
                gboolean tls)
{
  VdsmRpcListener *listener = g_new0 (VdsmRpcListener, 1);

  listener->server = server;
  listener->tls = tls;
  listener->socket = g_object_ref (socket);
  listener->unix_path = g_strdup (unix_path);
  g_socket_set_blocking (socket, FALSE);
  listener_watch (listener);
  return listener;
}

static void
listener_watch (VdsmRpcListener *listener)
{
  listener->source = g_socket_create_source (listener->socket, G_IO_IN, NULL);
  g_source_set_callback (listener->source, G_SOURCE_FUNC (on_incoming), listener, NULL);
  vdsm_rpc_source_attach (listener->source, "vdsm-rpc-listener", listener->server);
}

static GSocket *
bind_and_listen (GSocketAddress *address, GError **error)
{
  g_autoptr(GSocket) socket = NULL;

  socket = g_socket_new (g_socket_address_get_family (address), G_SOCKET_TYPE_STREAM,
                         G_SOCKET_PROTOCOL_DEFAULT, error);
  if (socket == NULL)
    return NULL;
  /* A burst of clients (1000 connecting at once) must not overflow the
   * accept queue: a dropped SYN is retried only after a second. The kernel
   * caps this at net.core.somaxconn. */
  g_socket_set_listen_backlog (socket, LISTEN_BACKLOG);
  if (!g_socket_bind (socket, address, TRUE, error) || !g_socket_listen (socket, error))
    return NULL;
  return g_steal_pointer (&socket);
}

static GSocket *
listen_inet (GInetAddress *inet, guint16 port, GError **error)
{
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (inet, port);

  return bind_and_listen (address, error);
}

/* Plain TCP beyond loopback: unauthenticated and readable on the wire. */
static gboolean
check_plain_allowed (VdsmRpcServer *server, GInetAddress *inet, guint16 port,
                     GError **error)
{
  g_autofree char *text = NULL;

  if (server->insecure || (inet != NULL && g_inet_address_get_is_loopback (inet)))
    return TRUE;
  text = inet ? g_inet_address_to_string (inet) : g_strdup ("all addresses");
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
               "refusing to serve plain TCP (no TLS) on %s port %u: clients would not be "
               "authenticated and the traffic could be read on the network; use TLS or a "
               "loopback address, or allow it explicitly (insecure)", text, port);
  return FALSE;
}

VdsmRpcListener *
vdsm_rpc_listener_new_tcp (VdsmRpcServer *server, const char *host, guint16 port,
                           VdsmRpcListenFlags flags, guint16 *bound_port, GError **error)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) local = NULL;
  gboolean tls = (flags & VDSM_RPC_LISTEN_TLS) != 0;

  if (tls)
    {
      if (server->tls == NULL)
        {
          g_set_error_literal (error, G_TLS_ERROR, G_TLS_ERROR_UNAVAILABLE,
                               "a TLS listener needs a certificate: call "
                               "vdsm_rpc_server_set_tls() first");
          return NULL;
        }
    }
  else if (host == NULL && !check_plain_allowed (server, NULL, port, error))
    return NULL;

  if (host == NULL)
    {
      g_autoptr(GInetAddress) any6 = g_inet_address_new_any (G_SOCKET_FAMILY_IPV6);
      g_autoptr(GInetAddress) any4 = g_inet_address_new_any (G_SOCKET_FAMILY_IPV4);
      g_autoptr(GError) v6_error = NULL;

      /* GLib clears IPV6_V6ONLY, so "::" takes IPv4 clients too. */
      socket = listen_inet (any6, port, &v6_error);
      if (socket == NULL)
        {
          g_debug ("cannot listen on [::]:%u (%s), trying 0.0.0.0", port, v6_error->message);
          socket = listen_inet (any4, port, error);
        }
    }
  else
    {
      g_autoptr(GInetAddress) inet = g_inet_address_new_from_string (host);

      if (inet == NULL)
        {
          g_autoptr(GResolver) resolver = g_resolver_get_default ();
          GList *addresses = g_resolver_lookup_by_name (resolver, host, NULL, error);

          if (addresses == NULL)
            return NULL;
          inet = g_object_ref (addresses->data);
          g_resolver_free_addresses (addresses);
        }
      if (!tls && !check_plain_allowed (server, inet, port, error))
        return NULL;
      socket = listen_inet (inet, port, error);
    }
  if (socket == NULL)
    return NULL;

  local = g_socket_get_local_address (socket, error);
  if (local == NULL)
    return NULL;
  if (bound_port)
    *bound_port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
  return listener_start (server, socket, NULL, tls);
}

/* A socket file nobody accepts on is left behind by a crashed server:
 * remove it. A live one, or anything that is not a socket, is kept. */
static gboolean
remove_stale_socket (const char *path, GError **error)
{
  struct stat st;
  g_autoptr(GSocket) probe = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GError) connect_error = NULL;

  if (lstat (path, &st) < 0)
    return TRUE;
  if (!S_ISSOCK (st.st_mode))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   "%s exists and is not a socket", path);
      return FALSE;
    }
  probe = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM,
                        G_SOCKET_PROTOCOL_DEFAULT, error);
  if (probe == NULL)
    return FALSE;
  address = g_unix_socket_address_new (path);
  if (g_socket_connect (probe, address, NULL, &connect_error))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE,
                   "%s is in use by another server", path);
      return FALSE;
    }
  if (unlink (path) < 0 && errno != ENOENT)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "cannot remove stale socket %s: %s", path, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

gboolean
vdsm_rpc_server_check_unix_path (const char *path, GError **error)
{
  gsize length = strlen (path);

  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* GLib would cut a longer path short without a word, and bind the
   * socket at the cut name. */
  if (length >= UNIX_PATH_SIZE)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FILENAME_TOO_LONG,
                   "the unix socket path %s is too long: %" G_GSIZE_FORMAT " bytes, where a "
                   "socket address holds %" G_GSIZE_FORMAT " bytes with the terminating NUL "
                   "(a path of %" G_GSIZE_FORMAT " bytes at most)",
                   path, length, UNIX_PATH_SIZE, UNIX_PATH_SIZE - 1);
      return FALSE;
    }
  return TRUE;
}

/* "<what @format says>: <errno's text>" */
static void G_GNUC_PRINTF (2, 3)
set_error_from_errno (GError **error, const char *format, ...)
{
  int saved = errno;
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s: %s", what,
               g_strerror (saved));
}

/* The socket is made in a directory of its own beside @path, mode 0700,
 * given its mode there, then linked to @path: it appears with its mode and
 * already listening. chmod() after bind() leaves a moment in which whoever
 * the umask lets in may connect. Setting the umask around bind() would do
 * without the directory, but the umask belongs to the whole process: a
 * file that another thread (libvirt's event loop, a program embedding the
 * server) creates meanwhile would get it. link() refuses to replace a file
 * that appeared at @path meanwhile (another server starting). */
static GSocket *
bind_unix_privately (const char *path, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *private_dir = g_build_filename (dir, ".XXXXXX", NULL);
  g_autofree char *private_path = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSocket) socket = NULL;

  if (g_mkdtemp_full (private_dir, 0700) == NULL)
    {
      set_error_from_errno (error, "cannot make a directory beside %s to create the socket in",
                            path);
      return NULL;
    }
  private_path = g_build_filename (private_dir, "s", NULL);
  if (strlen (private_path) >= UNIX_PATH_SIZE)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FILENAME_TOO_LONG,
                 "the unix socket %s is made first as %s, a path too long for a socket "
                 "address (%" G_GSIZE_FORMAT " bytes with the terminating NUL): give the "
                 "socket a longer name or a shorter directory",
                 path, private_path, UNIX_PATH_SIZE);
  else
    {
      address = g_unix_socket_address_new (private_path);
      socket = bind_and_listen (address, error);
      if (socket != NULL && chmod (private_path, UNIX_SOCKET_MODE) < 0)
        {
          set_error_from_errno (error, "cannot set the mode of the socket %s", private_path);
          g_clear_object (&socket);
        }
      if (socket != NULL && link (private_path, path) < 0)
        {
          if (errno == EEXIST)
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE,
                         "%s appeared while the socket was being made", path);
          else
            set_error_from_errno (error, "cannot create %s", path);
          g_clear_object (&socket);
        }
    }
  unlink (private_path);
  rmdir (private_dir);
  return g_steal_pointer (&socket);
}

VdsmRpcListener *
vdsm_rpc_listener_new_unix (VdsmRpcServer *server, const char *path, GError **error)
{
  g_autoptr(GSocket) socket = NULL;

  if (!vdsm_rpc_server_check_unix_path (path, error) || !remove_stale_socket (path, error))
    return NULL;
  socket = bind_unix_privately (path, error);
  if (socket == NULL)
    return NULL;
  return listener_start (server, socket, path, FALSE);
}

void
vdsm_rpc_listener_free (VdsmRpcListener *listener)
{
  if (listener == NULL)
    return;
  if (listener->source != NULL)
    {
      g_source_destroy (listener->source);
      g_source_unref (listener->source);
    }
  if (listener->resume != NULL)
    {
      g_source_destroy (listener->resume);
      g_source_unref (listener->resume);
    }
  g_socket_close (listener->socket, NULL);
  g_object_unref (listener->socket);
  if (listener->unix_path)
    unlink (listener->unix_path);
  g_free (listener->unix_path);
  g_free (listener);
}
