/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Non-blocking reads and writes over a plain socket or OpenSSL, folded into
 * one status so the event loop does not care which it has. */
#include "load-socket.h"

#include <errno.h>
#include <gio/gio.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <unistd.h>

static void
set_tls_error (GError **error, const char *what, const char *file)
{
  char text[256];

  ERR_error_string_n (ERR_get_error (), text, sizeof text);
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s %s: %s", what,
               file ? file : "", text);
}

/**
 * load_tls_context_new:
 * @ca_file: (nullable): CA the server certificate must chain to; NULL
 *   accepts any server certificate
 * @cert_file: (nullable): client certificate chain (PEM)
 * @key_file: (nullable): its private key (PEM)
 * @error: return location for an error
 *
 * Returns: (transfer full): a client context for TLS 1.2 and later.
 */
SSL_CTX *
load_tls_context_new (const char *ca_file, const char *cert_file,
                      const char *key_file, GError **error)
{
  SSL_CTX *ctx = SSL_CTX_new (TLS_client_method ());

  if (ctx == NULL)
    {
      set_tls_error (error, "TLS context", NULL);
      return NULL;
    }
  SSL_CTX_set_min_proto_version (ctx, TLS1_2_VERSION);
  /* The write buffer grows (moves) between a WANT_WRITE and the retry. */
  SSL_CTX_set_mode (ctx, SSL_MODE_ENABLE_PARTIAL_WRITE
                         | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  /* Every connection pays a full handshake, like a fresh engine connection. */
  SSL_CTX_set_session_cache_mode (ctx, SSL_SESS_CACHE_OFF);
  if (ca_file != NULL)
    {
      if (SSL_CTX_load_verify_locations (ctx, ca_file, NULL) != 1)
        {
          set_tls_error (error, "CA file", ca_file);
          SSL_CTX_free (ctx);
          return NULL;
        }
      SSL_CTX_set_verify (ctx, SSL_VERIFY_PEER, NULL);
    }
  if (cert_file != NULL
      && SSL_CTX_use_certificate_chain_file (ctx, cert_file) != 1)
    {
      set_tls_error (error, "client certificate", cert_file);
      SSL_CTX_free (ctx);
      return NULL;
    }
  if (key_file != NULL
      && SSL_CTX_use_PrivateKey_file (ctx, key_file, SSL_FILETYPE_PEM) != 1)
    {
      set_tls_error (error, "client key", key_file);
      SSL_CTX_free (ctx);
      return NULL;
    }
  return ctx;
}

/* The session kept by load_tls_keep_session(), in the context's ex data. */
static int
session_index (void)
{
  static gsize index;

  if (g_once_init_enter (&index))
    g_once_init_leave (&index, (gsize) SSL_CTX_get_ex_new_index (0, NULL, NULL, NULL, NULL) + 1);
  return (int) index - 1;
}

static int
on_new_session (SSL *ssl, SSL_SESSION *session)
{
  SSL_CTX *ctx = SSL_get_SSL_CTX (ssl);
  SSL_SESSION *old = SSL_CTX_get_ex_data (ctx, session_index ());

  if (old != NULL)
    SSL_SESSION_free (old);
  SSL_CTX_set_ex_data (ctx, session_index (), session);
  return 1;   /* the reference is ours */
}

/**
 * load_tls_keep_session:
 * @tls: a client context
 *
 * Keeps the last session ticket a server sends on a connection of @tls;
 * connections started afterwards resume that session (every one of them:
 * the server may take a ticket more than once).
 */
void
load_tls_keep_session (SSL_CTX *tls)
{
  SSL_CTX_set_session_cache_mode (tls, SSL_SESS_CACHE_CLIENT
                                       | SSL_SESS_CACHE_NO_INTERNAL_STORE);
  SSL_CTX_sess_set_new_cb (tls, on_new_session);
}

gboolean
load_tls_has_session (SSL_CTX *tls)
{
  return SSL_CTX_get_ex_data (tls, session_index ()) != NULL;
}

/* Starts a non-blocking connect; WANT_WRITE means "wait for writable, then
 * call load_socket_connected", WANT_READ that the listener's backlog is full
 * (unix sockets say EAGAIN) and the caller should retry later. */
LoadIoStatus
load_socket_connect (LoadSocket *self, const struct sockaddr *address,
                     socklen_t address_len)
{
  self->ssl = NULL;
  self->fd = socket (address->sa_family,
                     SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (self->fd < 0)
    return LOAD_IO_FAILED;
  if (address->sa_family != AF_UNIX)
    {
      int one = 1;

      setsockopt (self->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
  if (connect (self->fd, address, address_len) == 0)
    return LOAD_IO_DONE;
  if (errno == EINPROGRESS)
    return LOAD_IO_WANT_WRITE;
  {
    int saved = errno;

    /* The caller reports errno; close() must not replace it. */
    load_socket_close (self);
    errno = saved;
    return saved == EAGAIN ? LOAD_IO_WANT_READ : LOAD_IO_FAILED;
  }
}

LoadIoStatus
load_socket_connected (LoadSocket *self)
{
  int err = 0;
  socklen_t len = sizeof err;

  if (getsockopt (self->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err != 0)
    return LOAD_IO_FAILED;
  return LOAD_IO_DONE;
}

static LoadIoStatus
tls_status (SSL *ssl, int ret)
{
  switch (SSL_get_error (ssl, ret))
    {
    case SSL_ERROR_WANT_READ:
      return LOAD_IO_WANT_READ;
    case SSL_ERROR_WANT_WRITE:
      return LOAD_IO_WANT_WRITE;
    case SSL_ERROR_ZERO_RETURN:
      return LOAD_IO_CLOSED;
    default:
      ERR_clear_error ();
      return LOAD_IO_FAILED;
    }
}

/* Drives the TLS client handshake; a no-op returning DONE without @tls. */
LoadIoStatus
load_socket_handshake (LoadSocket *self, SSL_CTX *tls)
{
  int ret;

  if (tls == NULL)
    return LOAD_IO_DONE;
  if (self->ssl == NULL)
    {
      SSL_SESSION *session = SSL_CTX_get_ex_data (tls, session_index ());

      self->ssl = SSL_new (tls);
      if (self->ssl == NULL || SSL_set_fd (self->ssl, self->fd) != 1
          || (session != NULL && SSL_set_session (self->ssl, session) != 1))
        return LOAD_IO_FAILED;
      SSL_set_connect_state (self->ssl);
    }
  ret = SSL_do_handshake (self->ssl);
  return ret == 1 ? LOAD_IO_DONE : tls_status (self->ssl, ret);
}

LoadIoStatus
load_socket_read (LoadSocket *self, char *buf, gsize len, gsize *done)
{
  *done = 0;
  if (self->ssl != NULL)
    {
      size_t n;
      int ret = SSL_read_ex (self->ssl, buf, len, &n);

      if (ret != 1)
        return tls_status (self->ssl, ret);
      *done = n;
      return LOAD_IO_DONE;
    }
  for (;;)
    {
      ssize_t n = read (self->fd, buf, len);

      if (n > 0)
        {
          *done = (gsize) n;
          return LOAD_IO_DONE;
        }
      if (n == 0)
        return LOAD_IO_CLOSED;
      if (errno == EINTR)
        continue;
      return errno == EAGAIN ? LOAD_IO_WANT_READ : LOAD_IO_FAILED;
    }
}

LoadIoStatus
load_socket_write (LoadSocket *self, const char *buf, gsize len, gsize *done)
{
  *done = 0;
  if (self->ssl != NULL)
    {
      size_t n;
      int ret = SSL_write_ex (self->ssl, buf, len, &n);

      if (ret != 1)
        return tls_status (self->ssl, ret);
      *done = n;
      return LOAD_IO_DONE;
    }
  for (;;)
    {
      ssize_t n = send (self->fd, buf, len, MSG_NOSIGNAL);

      if (n >= 0)
        {
          *done = (gsize) n;
          return LOAD_IO_DONE;
        }
      if (errno == EINTR)
        continue;
      return errno == EAGAIN ? LOAD_IO_WANT_WRITE : LOAD_IO_FAILED;
    }
}

void
load_socket_close (LoadSocket *self)
{
  if (self->ssl != NULL)
    {
      /* Dropped without a close_notify, like vdsm's clients; a quiet
       * shutdown keeps OpenSSL from spoiling the session for resumption. */
      SSL_set_quiet_shutdown (self->ssl, 1);
      SSL_shutdown (self->ssl);
    }
  g_clear_pointer (&self->ssl, SSL_free);
  if (self->fd >= 0)
    close (self->fd);
  self->fd = -1;
}
