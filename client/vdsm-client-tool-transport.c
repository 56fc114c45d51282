/* vdsm-client-tool-transport.c: the URI and TLS files the vdsm-client tool
 * connects with (rules in vdsm-client-tool-transport.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vdsm-client-tool-transport.h"

#include <gio/gio.h>
#include <string.h>

void
tool_connect_options_clear (ToolConnectOptions *options)
{
  g_free (options->host);
  g_free (options->unix_path);
  g_free (options->tls_cert);
  g_free (options->tls_key);
  g_free (options->tls_ca);
  g_free (options->tls_server_name);
  g_free (options->pki_dir);
}

void
tool_transport_clear (ToolTransport *transport)
{
  g_free (transport->uri);
  g_free (transport->cert_file);
  g_free (transport->key_file);
  g_free (transport->ca_file);
  g_free (transport->server_name);
  g_free (transport->reason);
}

static gboolean
has_tls_option (const ToolConnectOptions *options)
{
  return options->tls_cert != NULL || options->tls_key != NULL || options->tls_ca != NULL ||
         options->tls_server_name != NULL;
}

/* Loopback by its name alone: no resolver is asked, so the answer cannot
 * depend on what DNS says (RFC 6761 reserves localhost and .localhost). */
static gboolean
is_loopback_host (const char *host)
{
  g_autoptr(GInetAddress) address = g_inet_address_new_from_string (host);

  if (address != NULL)
    return g_inet_address_get_is_loopback (address);
  return g_ascii_strcasecmp (host, "localhost") == 0 ||
         (strlen (host) > strlen (".localhost") &&
          g_ascii_strcasecmp (host + strlen (host) - strlen (".localhost"), ".localhost") == 0);
}

/* The given file, else the PKI directory's one when it exists. */
static char *
pick_file (const char *given, const char *pki_dir, const char *pki_name)
{
  g_autofree char *path = NULL;

  if (given != NULL)
    return g_strdup (given);
  path = g_build_filename (pki_dir, pki_name, NULL);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return NULL;
  return g_steal_pointer (&path);
}

/* The first DNS name, else IP address, of the certificate in @path; NULL
 * when it has none or cannot be read (the client then reports the file). */
static char *
certificate_name (const char *path)
{
  g_autoptr(GTlsCertificate) certificate = g_tls_certificate_new_from_file (path, NULL);
  g_autoptr(GPtrArray) dns_names = NULL;
  g_autoptr(GPtrArray) addresses = NULL;

  if (certificate == NULL)
    return NULL;
  g_object_get (certificate, "dns-names", &dns_names, "ip-addresses", &addresses, NULL);
  if (dns_names != NULL && dns_names->len > 0)
    {
      GBytes *name = g_ptr_array_index (dns_names, 0);

      return g_strndup (g_bytes_get_data (name, NULL), g_bytes_get_size (name));
    }
  if (addresses != NULL && addresses->len > 0)
    return g_inet_address_to_string (g_ptr_array_index (addresses, 0));
  return NULL;
}

/* HOST:PORT, an IPv6 literal in brackets as URIs want it. */
static char *
host_port (const char *host, int port)
{
  if (strchr (host, ':') != NULL)
    return g_strdup_printf ("[%s]:%d", host, port);
  return g_strdup_printf ("%s:%d", host, port);
}

static gboolean
check_combination (const ToolConnectOptions *options, GError **error)
{
  const char *conflict = NULL;

  if (options->unix_path != NULL && (options->host != NULL || options->port != 0))
    conflict = "--unix and --host or --port";
  else if (options->unix_path != NULL && has_tls_option (options))
    conflict = "--unix and TLS options";
  else if (options->insecure && has_tls_option (options))
    conflict = "--insecure and TLS options";
  if (conflict != NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "%s exclude each other", conflict);
      return FALSE;
    }
  if (options->port < 0 || options->port > 65535)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "invalid port %d", options->port);
      return FALSE;
    }
  return TRUE;
}

static void
choose_tls (const ToolConnectOptions *options, const char *pki_dir, const char *host,
            const char *address, ToolTransport *transport)
{
  transport->tls = TRUE;
  transport->uri = g_strconcat ("tls://", address, NULL);
  transport->cert_file = pick_file (options->tls_cert, pki_dir, TOOL_PKI_CERT);
  transport->key_file = pick_file (options->tls_key, pki_dir, TOOL_PKI_KEY);
  transport->ca_file = pick_file (options->tls_ca, pki_dir, TOOL_PKI_CA);
  transport->server_name = g_strdup (options->tls_server_name);
  /* VDSM serves with the host's own certificate, the one its tool presents
   * as a client: on the host itself, that certificate names the server. */
  if (transport->server_name == NULL && options->tls_cert == NULL &&
      transport->cert_file != NULL && is_loopback_host (host))
    transport->server_name = certificate_name (transport->cert_file);
  transport->reason = g_strdup_printf (
    "TLS to %s: certificate %s, key %s, CA %s, server name %s", address,
    transport->cert_file != NULL ? transport->cert_file : "none",
    transport->key_file != NULL ? transport->key_file : "none",
    transport->ca_file != NULL ? transport->ca_file : "the system's",
    transport->server_name != NULL ? transport->server_name : host);
}

gboolean
tool_transport_choose (const ToolConnectOptions *options, ToolTransport *transport,
                       GError **error)
{
  const char *host = options->host != NULL ? options->host : TOOL_DEFAULT_HOST;
  int port = options->port != 0 ? options->port : TOOL_DEFAULT_PORT;
  const char *pki_dir = options->pki_dir != NULL ? options->pki_dir : TOOL_DEFAULT_PKI_DIR;
  g_autofree char *address = host_port (host, port);
  g_autofree char *pki_cert = NULL;

  if (!check_combination (options, error))
    return FALSE;

  if (options->unix_path != NULL)
    {
      g_autofree char *absolute = g_canonicalize_filename (options->unix_path, NULL);
      g_autofree char *escaped = g_uri_escape_string (absolute, "/", FALSE);

      transport->uri = g_strconcat ("unix://", escaped, NULL);
      transport->reason = g_strdup_printf ("unix socket %s (--unix)", absolute);
      return TRUE;
    }
  if (options->insecure)
    {
      transport->uri = g_strconcat ("tcp://", address, NULL);
      transport->reason = g_strdup_printf ("plain TCP to %s (--insecure)", address);
      return TRUE;
    }

  pki_cert = g_build_filename (pki_dir, TOOL_PKI_CERT, NULL);
  if (!has_tls_option (options) && !g_file_test (pki_cert, G_FILE_TEST_EXISTS) &&
      is_loopback_host (host))
    {
      transport->uri = g_strconcat ("tcp://", address, NULL);
      transport->reason = g_strdup_printf (
        "plain TCP to %s: no TLS option, no %s and a loopback host", address, pki_cert);
      return TRUE;
    }
  choose_tls (options, pki_dir, host, address, transport);
  return TRUE;
}
