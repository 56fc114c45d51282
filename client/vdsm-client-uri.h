/* vdsm-client-uri.h: the server addresses VdsmClient accepts (internal).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* VDSM's management port, used when a tcp:// URI names no port. */
#define VDSM_CLIENT_DEFAULT_PORT 54321

/* Turns `tcp://HOST[:PORT]` (HOST may be a bracketed IPv6 literal) or
 * `unix:///PATH` into something GSocketClient can connect to. Anything else
 * fails with G_IO_ERROR_INVALID_ARGUMENT and a message naming the problem. */
GSocketConnectable *vdsm_client_uri_parse (const char *uri, GError **error);

G_END_DECLS
