/* vdsm-client-uri.c: the server addresses VdsmClient accepts.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vdsm-client-uri.h"

#include <gio/gunixsocketaddress.h>
#include <sys/un.h>

static gboolean
check_no_extras (GUri *parsed, const char *uri, GError **error)
{
  if (g_uri_get_userinfo (parsed) != NULL || g_uri_get_query (parsed) != NULL ||
      g_uri_get_fragment (parsed) != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Invalid address “%s”: user info, query and fragment are not supported",
                   uri);
      return FALSE;
    }
  return TRUE;
}

static VdsmClientAddress *
parse_tcp (GUri *parsed, const char *uri, gboolean tls, GError **error)
{
  const char *host = g_uri_get_host (parsed);
  const char *path = g_uri_get_path (parsed);
  int port = g_uri_get_port (parsed);
  VdsmClientAddress *address;

  if (host == NULL || *host == '\0')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Invalid address “%s”: no host name", uri);
      return NULL;
    }
  if (*path != '\0' && g_strcmp0 (path, "/") != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Invalid address “%s”: a %s:// address has no path", uri,
                   tls ? "tls" : "tcp");
      return NULL;
    }
  if (port == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Invalid address “%s”: port 0", uri);
      return NULL;
    }
  address = g_new0 (VdsmClientAddress, 1);
  address->tls = tls;
  address->host = g_strdup (host);
  address->port = port < 0 ? VDSM_CLIENT_DEFAULT_PORT : (guint16) port;
  address->connectable = g_network_address_new (host, address->port);
  return address;
}

static VdsmClientAddress *
parse_unix (GUri *parsed, const char *uri, GError **error)
{
  const char *host = g_uri_get_host (parsed);
  const char *path = g_uri_get_path (parsed);
  VdsmClientAddress *address;

  if ((host != NULL && *host != '\0') || g_uri_get_port (parsed) >= 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Invalid address “%s”: use unix:///PATH (three slashes, no host)", uri);
      return NULL;
    }
  if (*path != '/')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Invalid address “%s”: the socket path must be absolute", uri);
      return NULL;
    }
  /* GUnixSocketAddress would silently truncate a path that does not fit. */
  if (strlen (path) >= sizeof (((struct sockaddr_un *) NULL)->sun_path))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Invalid address “%s”: the socket path is too long", uri);
      return NULL;
    }
  address = g_new0 (VdsmClientAddress, 1);
  address->connectable = G_SOCKET_CONNECTABLE (g_unix_socket_address_new (path));
  return address;
}

void
vdsm_client_address_free (VdsmClientAddress *address)
{
  if (address == NULL)
    return;
  g_clear_object (&address->connectable);
  g_free (address->host);
  g_free (address);
}

VdsmClientAddress *
vdsm_client_uri_parse (const char *uri, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GUri) parsed = NULL;
  const char *scheme;

  g_return_val_if_fail (uri != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  parsed = g_uri_parse (uri, G_URI_FLAGS_NONE, &local_error);
  if (parsed == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Invalid address “%s”: %s", uri, local_error->message);
      return NULL;
    }
  if (!check_no_extras (parsed, uri, error))
    return NULL;

  scheme = g_uri_get_scheme (parsed);
  if (g_ascii_strcasecmp (scheme, "tcp") == 0)
    return parse_tcp (parsed, uri, FALSE, error);
  if (g_ascii_strcasecmp (scheme, "tls") == 0)
    return parse_tcp (parsed, uri, TRUE, error);
  if (g_ascii_strcasecmp (scheme, "unix") == 0)
    return parse_unix (parsed, uri, error);

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               "Unsupported address “%s”: use tcp://HOST[:PORT], tls://HOST[:PORT] or unix:///PATH", uri);
  return NULL;
}
