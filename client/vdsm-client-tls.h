/* vdsm-client-tls.h: VdsmClient's TLS credentials and the client side of
 * the handshake (internal).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

#include "vdsm-client-uri.h"

G_BEGIN_DECLS

typedef struct _VdsmClientTls VdsmClientTls;

/* Loads the PEM files once (NULL @cert_file: no client certificate; NULL
 * @key_file: the key is in @cert_file; NULL @ca_file: the system's trust
 * store) and settles the name the server's certificate must carry:
 * @server_name, else the host of @address. An unreadable file fails here,
 * naming it. */
VdsmClientTls *vdsm_client_tls_new (const VdsmClientAddress *address, const char *cert_file,
                                    const char *key_file, const char *ca_file,
                                    const char *server_name, GError **error);
void vdsm_client_tls_free (VdsmClientTls *tls);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VdsmClientTls, vdsm_client_tls_free)

/* A GTlsClientConnection over @base, set up to present the client
 * certificate and to check the server's against the CA and the name; the
 * caller runs the handshake. */
GIOStream *vdsm_client_tls_wrap (VdsmClientTls *tls, GIOStream *base, GError **error);

G_END_DECLS
