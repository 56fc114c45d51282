/* vdsm-client-tls.c: VdsmClient's TLS credentials and the client side of
 * the handshake. A VDSM host accepts only clients that present a
 * certificate signed by its CA (docs/protocol.md §12); the client in turn
 * trusts the server only with a certificate that chains to its CA and
 * names the host it meant to reach.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vdsm-client-tls.h"

struct _VdsmClientTls {
  GTlsCertificate *certificate;   /* NULL: none presented */
  GTlsDatabase *database;         /* NULL: the backend's default */
  GSocketConnectable *identity;   /* what the server's certificate must name */
};

void
vdsm_client_tls_free (VdsmClientTls *tls)
{
  if (tls == NULL)
    return;
  g_clear_object (&tls->certificate);
  g_clear_object (&tls->database);
  g_clear_object (&tls->identity);
  g_free (tls);
}

/* An IP literal is checked against the certificate's IP addresses, a name
 * against its DNS names: GIO tells them apart by the connectable's type. */
static GSocketConnectable *
identity_new (const char *name, guint16 port)
{
  g_autoptr(GInetAddress) ip = g_inet_address_new_from_string (name);

  if (ip != NULL)
    return G_SOCKET_CONNECTABLE (g_inet_socket_address_new (ip, port));
  return g_network_address_new (name, port);
}

static GTlsCertificate *
load_certificate (const char *cert_file, const char *key_file, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  GTlsCertificate *certificate;

  if (key_file != NULL)
    certificate = g_tls_certificate_new_from_files (cert_file, key_file, &local_error);
  else
    certificate = g_tls_certificate_new_from_file (cert_file, &local_error);
  if (certificate == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 "Cannot load the client certificate %s%s%s: %s", cert_file,
                 key_file != NULL ? " with the key " : "", key_file != NULL ? key_file : "",
                 local_error->message);
  return certificate;
}

VdsmClientTls *
vdsm_client_tls_new (const VdsmClientAddress *address, const char *cert_file,
                     const char *key_file, const char *ca_file, const char *server_name,
                     GError **error)
{
  g_autoptr(VdsmClientTls) tls = g_new0 (VdsmClientTls, 1);

  g_return_val_if_fail (address != NULL && address->tls, NULL);

  if (cert_file == NULL && key_file != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "A TLS key file (%s) was given without a certificate file", key_file);
      return NULL;
    }
  if (cert_file != NULL)
    {
      tls->certificate = load_certificate (cert_file, key_file, error);
      if (tls->certificate == NULL)
        return NULL;
    }
  if (ca_file != NULL)
    {
      g_autoptr(GError) local_error = NULL;

      tls->database = g_tls_file_database_new (ca_file, &local_error);
      if (tls->database == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "Cannot load the CA file %s: %s", ca_file, local_error->message);
          return NULL;
        }
    }
  tls->identity = identity_new (server_name != NULL ? server_name : address->host, address->port);
  return g_steal_pointer (&tls);
}

GIOStream *
vdsm_client_tls_wrap (VdsmClientTls *tls, GIOStream *base, GError **error)
{
  GIOStream *stream = g_tls_client_connection_new (base, tls->identity, error);

  if (stream == NULL)
    return NULL;
  if (tls->database != NULL)
    g_tls_connection_set_database (G_TLS_CONNECTION (stream), tls->database);
  if (tls->certificate != NULL)
    g_tls_connection_set_certificate (G_TLS_CONNECTION (stream), tls->certificate);
  return stream;
}
