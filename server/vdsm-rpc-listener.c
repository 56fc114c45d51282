/* vdsm-rpc-listener.c: listening sockets and the accept loop.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vdsm-rpc-private.h"

#include <errno.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/stat.h>
#include <unistd.h>
#include <gio/gunixsocketaddress.h>

#define LISTEN_BACKLOG 4096
/* After an accept error other than "nothing pending" (EMFILE, ENFILE,
 * ENOBUFS...), the socket stays readable: stop watching it for a while
 * instead of spinning. */
#define ACCEPT_RETRY_MS 100
/* Refusals of a flood are summed up, not logged one by one. */
#define REFUSAL_LOG_INTERVAL_US G_USEC_PER_SEC

struct _VdsmRpcListener {
  VdsmRpcServer *server;            /* borrowed: the server owns listeners */
  GSocket *socket;
  GSource *source;                  /* NULL while accepting is paused */
  GSource *resume;                  /* timeout that resumes accepting */
  char *unix_path;                  /* removed on free */
  VdsmRpcTlsConfig *tls;            /* NULL: plain */
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

/* "[::ffff:]192.0.2.1", "2001:db8:1:2::/64": TLS handshakes in progress
 * are counted by this key. An IPv6 client can pick any address of its /64
 * (often of a larger prefix), so a single address would count nothing. */
static char *
peer_key (GSocket *socket)
{
  g_autoptr(GSocketAddress) remote = g_socket_get_remote_address (socket, NULL);
  GInetAddress *inet;
  const guint8 *bytes;

  if (remote == NULL || !G_IS_INET_SOCKET_ADDRESS (remote))
    return g_strdup ("unknown");
  inet = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (remote));
  bytes = g_inet_address_to_bytes (inet);
  if (g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV6 &&
      !IN6_IS_ADDR_V4MAPPED ((const struct in6_addr *) bytes))
    {
      guint8 prefix[16] = { 0 };
      g_autoptr(GInetAddress) network = NULL;
      g_autofree char *text = NULL;

      memcpy (prefix, bytes, 8);
      network = g_inet_address_new_from_bytes (prefix, G_SOCKET_FAMILY_IPV6);
      text = g_inet_address_to_string (network);
      return g_strconcat (text, "/64", NULL);
    }
  return g_inet_address_to_string (inet);
}

static guint
handshakes_of (VdsmRpcServer *server, const char *key)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (server->tls_handshakes_by_peer, key));
}

/* An attacker's flood would flood the log too: one line a second at most,
 * with the number of refusals it stands for. */
static void
log_refusal (VdsmRpcServer *server, const char *peer, const char *why)
{
  gint64 now = g_get_monotonic_time ();

  if (now - server->refusal_logged_at < REFUSAL_LOG_INTERVAL_US)
    {
      server->refusals_unlogged++;
      return;
    }
  if (server->refusals_unlogged > 0)
    g_message ("refusing a connection from %s: %s (and %u more refused in the last second)",
               peer, why, server->refusals_unlogged);
  else
    g_message ("refusing a connection from %s: %s", peer, why);
  server->refusal_logged_at = now;
  server->refusals_unlogged = 0;
}

/* max-tls-handshakes: further clients wait in the listen backlog, their
 * hello unread, until a handshake ends (a burst of 1000 is served, not
 * refused). */
static gboolean
wait_for_handshakes (VdsmRpcListener *listener)
{
  VdsmRpcServer *server = listener->server;

  if (listener->tls == NULL || server->n_tls_handshakes < server->max_tls_handshakes)
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
  guint left = handshakes_of (server, peer_key) - 1;

  if (left > 0)
    /* Frees @peer_key: the table keeps its own copy. */
    g_hash_table_insert (server->tls_handshakes_by_peer, peer_key, GUINT_TO_POINTER (left));
  else
    {
      g_hash_table_remove (server->tls_handshakes_by_peer, peer_key);
      g_free (peer_key);
    }
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

/* The key a new TLS connection's handshake counts under, or NULL when its
 * peer has max-tls-handshakes-per-peer in progress already. */
static char *
admit_handshake (VdsmRpcServer *server, GSocket *client)
{
  g_autofree char *key = peer_key (client);
  guint n = handshakes_of (server, key);

  if (n >= server->max_tls_handshakes_per_peer)
    {
      g_autofree char *why = g_strdup_printf ("%u TLS handshakes in progress from it "
                                              "(max-tls-handshakes-per-peer)", n);

      log_refusal (server, key, why);
      return NULL;
    }
  server->n_tls_handshakes++;
  /* The table keeps the first copy of a key it was given (and frees the
   * others); each connection holds its own. */
  g_hash_table_insert (server->tls_handshakes_by_peer, g_strdup (key), GUINT_TO_POINTER (n + 1));
  return g_steal_pointer (&key);
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
      char *handshake_peer = NULL;

      if (wait_for_handshakes (listener))
        return G_SOURCE_REMOVE;
      client = g_socket_accept (socket, NULL, &error);
      if (client == NULL)
        {
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            break;
          g_message ("accept failed: %s; pausing for %d ms", error->message,
                     ACCEPT_RETRY_MS);
          pause_accepting (listener);
          return G_SOURCE_REMOVE;
        }
      /* Replies are single small writes: without this, a reply written
       * right after an event waits for the peer's delayed ACK (~40 ms). */
      if (g_socket_get_family (client) != G_SOCKET_FAMILY_UNIX)
        g_socket_set_option (client, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
      if (g_hash_table_size (server->connections) >= server->max_connections)
        {
          g_autoptr(GSocketAddress) remote = g_socket_get_remote_address (client, NULL);
          g_autofree char *peer = remote && G_IS_INET_SOCKET_ADDRESS (remote)
            ? g_socket_connectable_to_string (G_SOCKET_CONNECTABLE (remote))
            : g_strdup ("a unix socket client");
          g_autofree char *why = g_strdup_printf ("%u connections open (max-connections)",
                                                  g_hash_table_size (server->connections));

          log_refusal (server, peer, why);
          g_socket_close (client, NULL);
          continue;
        }
      if (listener->tls != NULL && (handshake_peer = admit_handshake (server, client)) == NULL)
        {
          g_socket_close (client, NULL);
          continue;
        }
      vdsm_rpc_connection_unref (vdsm_rpc_connection_new (server, client, listener->tls,
                                                          handshake_peer));
    }
  return G_SOURCE_CONTINUE;
}

static VdsmRpcListener *
listener_start (VdsmRpcServer *server, GSocket *socket, const char *unix_path,
                VdsmRpcTlsConfig *tls)
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
  g_autoptr(VdsmRpcTlsConfig) tls = NULL;

  if (flags & VDSM_RPC_LISTEN_TLS)
    {
      tls = server->tls ? vdsm_rpc_tls_config_ref (server->tls) : NULL;
      if (tls == NULL)
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
      if (tls == NULL && !check_plain_allowed (server, inet, port, error))
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
  return listener_start (server, socket, NULL, g_steal_pointer (&tls));
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

VdsmRpcListener *
vdsm_rpc_listener_new_unix (VdsmRpcServer *server, const char *path, GError **error)
{
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSocket) socket = NULL;

  if (!remove_stale_socket (path, error))
    return NULL;
  address = g_unix_socket_address_new (path);
  socket = bind_and_listen (address, error);
  if (socket == NULL)
    return NULL;
  if (chmod (path, 0660) < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "cannot set the mode of %s: %s", path, g_strerror (saved));
      unlink (path);
      return NULL;
    }
  return listener_start (server, socket, path, NULL);
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
  vdsm_rpc_tls_config_unref (listener->tls);
  g_free (listener);
}
