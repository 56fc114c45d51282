/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <openssl/ssl.h>
#include <sys/socket.h>

G_BEGIN_DECLS

typedef enum
{
  LOAD_IO_DONE,
  LOAD_IO_WANT_READ,
  LOAD_IO_WANT_WRITE,
  LOAD_IO_CLOSED,
  LOAD_IO_FAILED,
} LoadIoStatus;

/* A non-blocking stream socket, in clear or wrapped in TLS. */
typedef struct
{
  int  fd;
  SSL *ssl;
} LoadSocket;

SSL_CTX     *load_tls_context_new (const char  *ca_file,
                                   const char  *cert_file,
                                   const char  *key_file,
                                   GError     **error);

void         load_tls_keep_session (SSL_CTX *tls);
gboolean     load_tls_has_session  (SSL_CTX *tls);

LoadIoStatus load_socket_connect   (LoadSocket            *self,
                                    const struct sockaddr *address,
                                    socklen_t              address_len);
LoadIoStatus load_socket_connected (LoadSocket *self);
LoadIoStatus load_socket_handshake (LoadSocket *self,
                                    SSL_CTX    *tls);
LoadIoStatus load_socket_read      (LoadSocket *self,
                                    char       *buf,
                                    gsize       len,
                                    gsize      *done);
LoadIoStatus load_socket_write     (LoadSocket *self,
                                    const char *buf,
                                    gsize       len,
                                    gsize      *done);
void         load_socket_close     (LoadSocket *self);

G_END_DECLS
