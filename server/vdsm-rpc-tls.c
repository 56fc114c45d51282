/* vdsm-rpc-tls.c: TLS with client certificates (docs/protocol.md §12): loading
 * the server's files, checking the client's certificate chain.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vdsm-rpc-private.h"

struct _VdsmRpcTlsConfig {
  GTlsCertificate *certificate;
  GTlsDatabase *database;           /* NULL: client certificates not checked */
  GTlsAuthenticationMode auth_mode;
};

gboolean
vdsm_rpc_server_set_tls (VdsmRpcServer *server, const char *cert_path, const char *key_path,
                         const char *ca_path, gboolean require_client_cert, GError **error)
{
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GTlsDatabase) database = NULL;

  g_return_val_if_fail (VDSM_IS_RPC_SERVER (server), FALSE);
  g_return_val_if_fail (cert_path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!g_tls_backend_supports_tls (g_tls_backend_get_default ()))
    {
      g_set_error_literal (error, G_TLS_ERROR, G_TLS_ERROR_UNAVAILABLE,
                           "TLS is not available: GIO has no TLS backend "
                           "(install glib-networking)");
      return FALSE;
    }
  if (require_client_cert && ca_path == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "requiring client certificates needs a CA file to check them");
      return FALSE;
    }

  certificate = key_path ? g_tls_certificate_new_from_files (cert_path, key_path, error)
                         : g_tls_certificate_new_from_file (cert_path, error);
  if (certificate == NULL)
    {
      g_prefix_error (error, "server certificate %s: ", cert_path);
      return FALSE;
    }
  if (ca_path != NULL)
    {
      database = g_tls_file_database_new (ca_path, error);
      if (database == NULL)
        {
          g_prefix_error (error, "CA file %s: ", ca_path);
          return FALSE;
        }
    }

  g_set_object (&server->tls_certificate, certificate);
  g_set_object (&server->tls_database, database);
  server->tls_auth_mode = require_client_cert ? G_TLS_AUTHENTICATION_REQUIRED
                                              : G_TLS_AUTHENTICATION_REQUESTED;
  return TRUE;
}

VdsmRpcTlsConfig *
vdsm_rpc_tls_config_new (VdsmRpcServer *server)
{
  VdsmRpcTlsConfig *config;

  if (server->tls_certificate == NULL)
    return NULL;
  config = g_new0 (VdsmRpcTlsConfig, 1);
  config->certificate = g_object_ref (server->tls_certificate);
  config->database = server->tls_database ? g_object_ref (server->tls_database) : NULL;
  config->auth_mode = server->tls_auth_mode;
  return config;
}

void
vdsm_rpc_tls_config_free (VdsmRpcTlsConfig *config)
{
  if (config == NULL)
    return;
  g_object_unref (config->certificate);
  g_clear_object (&config->database);
  g_free (config);
}

/* "unknown-ca, expired": the nicks of the flags set. */
static char *
describe_flags (GTlsCertificateFlags flags)
{
  g_autoptr(GFlagsClass) klass = g_type_class_ref (G_TYPE_TLS_CERTIFICATE_FLAGS);
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < klass->n_values; i++)
    {
      const GFlagsValue *value = &klass->values[i];

      /* Skip combinations such as "validate-all". */
      if (value->value == 0 || (value->value & (value->value - 1)) != 0 ||
          (flags & value->value) == 0)
        continue;
      if (text->len > 0)
        g_string_append (text, ", ");
      g_string_append (text, value->value_nick);
    }
  return g_string_free (text, FALSE);
}

/* A server connection accepts a client certificate only through this
 * signal. The backend has already checked the chain against the database
 * the connection was built with (GnuTLS: the whole verification, on the
 * I/O thread, where this runs); @backend_flags is its verdict. */
static gboolean
on_accept_certificate (GTlsConnection *tls, GTlsCertificate *peer,
                       GTlsCertificateFlags backend_flags, gpointer user_data)
{
  g_autofree char *subject = g_tls_certificate_get_subject_name (peer);

  if (backend_flags != 0)
    {
      g_autofree char *reasons = describe_flags (backend_flags);

      char subject_log[VDSM_RPC_LOG_TEXT_SIZE];

      g_message ("client certificate %s rejected: %s",
                 vdsm_rpc_log_text (subject_log, sizeof subject_log,
                                    subject ? subject : "(no subject)", -1), reasons);
      return FALSE;
    }
  g_debug ("client certificate %s accepted", subject ? subject : "(no subject)");
  return TRUE;
}

GIOStream *
vdsm_rpc_tls_wrap (VdsmRpcTlsConfig *config, GIOStream *base, GError **error)
{
  GType type = g_tls_backend_get_server_connection_type (g_tls_backend_get_default ());
  g_autoptr(GIOStream) tls = NULL;

  /* The database goes in at construction, NULL included: a connection
   * constructed without one loads the system trust store in its init
   * (GnuTLS: ~10 ms of CPU and ~100 KB per connection), and a database set
   * afterwards comes too late to avoid that. Nothing to check a client
   * certificate against: do not ask for one. vdsm's clients never send
   * close_notify before dropping the socket. */
  tls = g_initable_new (type, NULL, error,
                        "base-io-stream", base,
                        "certificate", config->certificate,
                        "database", config->database,
                        "authentication-mode", config->database != NULL
                          ? config->auth_mode : G_TLS_AUTHENTICATION_NONE,
                        "require-close-notify", FALSE,
                        NULL);
  if (tls == NULL)
    return NULL;
  if (config->database != NULL)
    g_signal_connect (tls, "accept-certificate", G_CALLBACK (on_accept_certificate), NULL);
  return g_steal_pointer (&tls);
}
