/* vdsm-client-uri.h: the server addresses VdsmClient accepts (internal).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* VDSM's management port, used when a tcp:// or tls:// URI names no port. */
#define VDSM_CLIENT_DEFAULT_PORT 54321

typedef struct {
  GSocketConnectable *connectable;  /* what GSocketClient connects to */
  gboolean tls;                     /* tls:// */
  char *host;                       /* tcp://, tls://: the host, without brackets */
  guint16 port;                     /* tcp://, tls:// */
} VdsmClientAddress;

/* Turns `tcp://HOST[:PORT]`, `tls://HOST[:PORT]` (HOST may be a bracketed
 * IPv6 literal) or `unix:///PATH` into an address. Anything else fails
 * with G_IO_ERROR_INVALID_ARGUMENT and a message naming the problem. */
VdsmClientAddress *vdsm_client_uri_parse (const char *uri, GError **error);
void vdsm_client_address_free (VdsmClientAddress *address);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VdsmClientAddress, vdsm_client_address_free)

G_END_DECLS
