/* vdsm-client-tool-transport.h: how the vdsm-client tool reaches the
 * server: the URI, and for TLS the certificate files and the name the
 * server's certificate must carry, from the command line and VDSM's
 * defaults.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* VDSM's management port. */
#define TOOL_DEFAULT_PORT 54321
#define TOOL_DEFAULT_HOST "localhost"
/* Where VDSM keeps the host's certificates (VDSM's lib/vdsm/common/pki.py):
 * the host's own certificate (VDSM serves with it and its tool presents it
 * as a client), its key and the CA of the oVirt engine. */
#define TOOL_DEFAULT_PKI_DIR "/etc/pki/vdsm"
#define TOOL_PKI_CERT "certs/vdsmcert.pem"
#define TOOL_PKI_KEY "keys/vdsmkey.pem"
#define TOOL_PKI_CA "certs/cacert.pem"

/* What the command line says about the connection; NULL/0 when not given. */
typedef struct {
  char *host;
  int port;
  char *unix_path;
  gboolean insecure;
  char *tls_cert;
  char *tls_key;
  char *tls_ca;
  char *tls_server_name;
  char *pki_dir;
} ToolConnectOptions;

void tool_connect_options_clear (ToolConnectOptions *options);

/* The outcome: what to give VdsmClient. */
typedef struct {
  char *uri;
  gboolean tls;
  char *cert_file;       /* TLS only; each may be NULL */
  char *key_file;
  char *ca_file;
  char *server_name;
  char *reason;          /* why this transport, for --verbose */
} ToolTransport;

void tool_transport_clear (ToolTransport *transport);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ToolTransport, tool_transport_clear)

/* Chooses the transport (the rules are in vdsm-client --help and
 * vdsm-client(1)):
 *
 * - --unix PATH: that unix socket;
 * - --insecure: plain TCP;
 * - otherwise TLS, with each of --tls-cert, --tls-key and --tls-ca or, when
 *   not given, its file in the PKI directory (--pki-dir, VDSM's layout) if
 *   it exists;
 * - except that with none of --tls-cert, --tls-key, --tls-ca and
 *   --tls-server-name, no certificate in the PKI directory and a loopback
 *   HOST, plain TCP: the development server of `make run` (vdsmd serves
 *   plain TCP on loopback only).
 *
 * With certificates from the PKI directory and a loopback HOST, the
 * server is expected to present the host's own certificate, as VDSM does:
 * the server name is then the first DNS name (else IP address) of that
 * certificate, unless --tls-server-name says otherwise.
 *
 * Fails with G_OPTION_ERROR_BAD_VALUE on contradictory or invalid options. */
gboolean tool_transport_choose (const ToolConnectOptions *options, ToolTransport *transport,
                                GError **error);

G_END_DECLS
