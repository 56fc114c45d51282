/* vdsm-rpc-tls.c: TLS with client certificates (protocol.md §1), driven by
 * GnuTLS on the I/O thread: loading the server's files, non-blocking
 * handshakes and records over a connection's socket, checking the client's
 * certificate, resuming sessions from tickets.
 *
 * Nothing here blocks or starts a thread: a handshake advances as its bytes
 * come in (docs/architecture.md, "TLS"), so peers that never finish one
 * cost a socket and a session, not a thread the next client waits for.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vdsm-rpc-private.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

/* One receive from the socket takes this much at most; GnuTLS asks for a
 * record header, then for its body, and the rest waits in the session's
 * read-ahead (see pull()). */
#define TLS_SCRATCH_SIZE (32 * 1024)

struct _VdsmRpcTlsConfig {
  gatomicrefcount ref;
  gnutls_certificate_credentials_t credentials;
  gnutls_priority_t priority;
  gnutls_datum_t ticket_key;        /* encrypts the session tickets we issue */
  gnutls_certificate_request_t request;
  char *scratch;                    /* TLS_SCRATCH_SIZE, for pull(); I/O thread */
};

struct _VdsmRpcTls {
  VdsmRpcTlsConfig *config;         /* a ref */
  gnutls_session_t session;
  int fd;
  /* Bytes received beyond what GnuTLS asked for; NULL when none. */
  char *ahead;
  gsize ahead_pos;
  gsize ahead_len;
  char *refusal;                    /* why the client certificate was refused */
};

static void
set_gnutls_error (GError **error, int code, const char *what)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s", what, gnutls_strerror (code));
}

/* ---- Checking the client's certificate ---- */

/* "CN=client,O=example": the subject of a DER certificate, for logs. */
static char *
certificate_subject (const gnutls_datum_t *der)
{
  gnutls_x509_crt_t crt;
  gnutls_datum_t dn = { NULL, 0 };
  char *subject = NULL;

  if (gnutls_x509_crt_init (&crt) < 0)
    return NULL;
  if (gnutls_x509_crt_import (crt, der, GNUTLS_X509_FMT_DER) >= 0 &&
      gnutls_x509_crt_get_dn3 (crt, &dn, 0) >= 0)
    subject = g_strndup ((const char *) dn.data, dn.size);
  gnutls_free (dn.data);
  gnutls_x509_crt_deinit (crt);
  return subject;
}

/* What the chain check cannot see: a certificate that may sign others is a
 * CA, not a client, even when it is the CA we trust; and one whose key
 * usage excludes signing cannot authenticate a TLS client. Like OpenSSL's
 * `sslclient` purpose, which vdsm applies, a certificate without a key
 * usage extension may be used for anything. */
static const char *
leaf_refusal (const gnutls_datum_t *der)
{
  gnutls_x509_crt_t crt;
  unsigned int critical, is_ca = 0, usage = 0;
  const char *refusal = NULL;

  if (gnutls_x509_crt_init (&crt) < 0)
    return "out of memory";
  if (gnutls_x509_crt_import (crt, der, GNUTLS_X509_FMT_DER) < 0)
    refusal = "unreadable certificate";
  else if (gnutls_x509_crt_get_basic_constraints (crt, &critical, &is_ca, NULL) >= 0 && is_ca)
    refusal = "it is a CA certificate";
  else if (gnutls_x509_crt_get_key_usage (crt, &usage, &critical) >= 0 &&
           (usage & (GNUTLS_KEY_DIGITAL_SIGNATURE | GNUTLS_KEY_KEY_AGREEMENT)) == 0)
    refusal = "its key usage does not allow signing";
  gnutls_x509_crt_deinit (crt);
  return refusal;
}

/* Called by GnuTLS inside the handshake, once the client's certificate and
 * its proof of the key are in: a refusal fails the handshake before any
 * session ticket is issued, so a resumed session stands for a client
 * whose certificate passed here. */
static int
verify_client (gnutls_session_t session)
{
  VdsmRpcTls *tls = gnutls_session_get_ptr (session);
  const gnutls_datum_t *chain;
  unsigned int chain_len = 0, status = 0;
  gnutls_typed_vdata_st purpose = {
    .type = GNUTLS_DT_KEY_PURPOSE_OID,
    .data = (unsigned char *) GNUTLS_KP_TLS_WWW_CLIENT,
  };
  g_autofree char *subject = NULL;
  g_autofree char *reason = NULL;
  int ret;

  chain = gnutls_certificate_get_peers (session, &chain_len);
  if (chain == NULL || chain_len == 0)
    {
      if (tls->config->request != GNUTLS_CERT_REQUIRE)
        return 0;
      tls->refusal = g_strdup ("the client sent no certificate");
      return -1;
    }
  subject = certificate_subject (&chain[0]);
  /* The chain against our CA file, validity dates included, and the
   * extended key usage of every certificate in it: client authentication
   * (a certificate without that extension may be used for anything). */
  ret = gnutls_certificate_verify_peers (session, &purpose, 1, &status);
  if (ret < 0)
    reason = g_strdup (gnutls_strerror (ret));
  else if (status != 0)
    {
      gnutls_datum_t text = { NULL, 0 };

      if (gnutls_certificate_verification_status_print (status, GNUTLS_CRT_X509, &text, 0) >= 0)
        reason = g_strstrip (g_strndup ((const char *) text.data, text.size));
      else
        reason = g_strdup_printf ("verification status 0x%x", status);
      gnutls_free (text.data);
    }
  else
    reason = g_strdup (leaf_refusal (&chain[0]));

  if (reason != NULL)
    {
      tls->refusal = g_strdup_printf ("client certificate %s refused: %s",
                                      subject ? subject : "(no subject)", reason);
      return -1;
    }
  g_debug ("client certificate %s accepted", subject ? subject : "(no subject)");
  return 0;
}

/* ---- Configuration ---- */

static GBytes *
read_pem (const char *path, const char *what, GError **error)
{
  char *contents = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &contents, &len, error))
    {
      g_prefix_error (error, "%s: ", what);
      return NULL;
    }
  return g_bytes_new_take (contents, len);
}

static gnutls_datum_t
datum_of (GBytes *bytes)
{
  gnutls_datum_t datum = { (unsigned char *) g_bytes_get_data (bytes, NULL),
                           g_bytes_get_size (bytes) };

  return datum;
}

static gboolean
load_credentials (VdsmRpcTlsConfig *config, const char *cert_path, const char *key_path,
                  const char *ca_path, GError **error)
{
  g_autoptr(GBytes) cert = NULL;
  g_autoptr(GBytes) key = NULL;
  g_autofree char *cert_what = g_strdup_printf ("server certificate %s", cert_path);
  g_autofree char *key_what = g_strdup_printf ("server key %s", key_path ? key_path : cert_path);
  gnutls_datum_t cert_datum, key_datum;
  int ret;

  cert = read_pem (cert_path, cert_what, error);
  if (cert == NULL)
    return FALSE;
  key = key_path ? read_pem (key_path, key_what, error) : g_bytes_ref (cert);
  if (key == NULL)
    return FALSE;
  cert_datum = datum_of (cert);
  key_datum = datum_of (key);
  ret = gnutls_certificate_set_x509_key_mem2 (config->credentials, &cert_datum, &key_datum,
                                              GNUTLS_X509_FMT_PEM, NULL, 0);
  if (ret < 0)
    {
      g_autofree char *what = g_strdup_printf ("%s with key %s", cert_what,
                                               key_path ? key_path : cert_path);

      set_gnutls_error (error, ret, what);
      return FALSE;
    }

  if (ca_path != NULL)
    {
      g_autofree char *ca_what = g_strdup_printf ("CA file %s", ca_path);
      g_autoptr(GBytes) ca = read_pem (ca_path, ca_what, error);
      gnutls_datum_t ca_datum;

      if (ca == NULL)
        return FALSE;
      ca_datum = datum_of (ca);
      ret = gnutls_certificate_set_x509_trust_mem (config->credentials, &ca_datum,
                                                   GNUTLS_X509_FMT_PEM);
      if (ret <= 0)
        {
          if (ret == 0)
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                         "%s: no certificate in it", ca_what);
          else
            set_gnutls_error (error, ret, ca_what);
          return FALSE;
        }
      gnutls_certificate_set_verify_function (config->credentials, verify_client);
    }
  return TRUE;
}

VdsmRpcTlsConfig *
vdsm_rpc_tls_config_new (const char *cert_path, const char *key_path, const char *ca_path,
                         gboolean require_client_cert, GError **error)
{
  g_autoptr(VdsmRpcTlsConfig) config = g_new0 (VdsmRpcTlsConfig, 1);
  int ret;

  g_atomic_ref_count_init (&config->ref);
  if ((ret = gnutls_certificate_allocate_credentials (&config->credentials)) < 0 ||
      (ret = gnutls_priority_init2 (&config->priority, NULL, NULL, 0)) < 0 ||
      (ret = gnutls_session_ticket_key_generate (&config->ticket_key)) < 0)
    {
      set_gnutls_error (error, ret, "TLS set-up");
      return NULL;
    }
  if (!load_credentials (config, cert_path, key_path, ca_path, error))
    return NULL;
  /* Nothing to check a client certificate against: do not ask for one. */
  config->request = ca_path == NULL ? GNUTLS_CERT_IGNORE
                    : require_client_cert ? GNUTLS_CERT_REQUIRE : GNUTLS_CERT_REQUEST;
  config->scratch = g_malloc (TLS_SCRATCH_SIZE);
  return g_steal_pointer (&config);
}

VdsmRpcTlsConfig *
vdsm_rpc_tls_config_ref (VdsmRpcTlsConfig *config)
{
  g_atomic_ref_count_inc (&config->ref);
  return config;
}

void
vdsm_rpc_tls_config_unref (VdsmRpcTlsConfig *config)
{
  if (config == NULL || !g_atomic_ref_count_dec (&config->ref))
    return;
  if (config->credentials != NULL)
    gnutls_certificate_free_credentials (config->credentials);
  if (config->priority != NULL)
    gnutls_priority_deinit (config->priority);
  if (config->ticket_key.data != NULL)
    {
      gnutls_memset (config->ticket_key.data, 0, config->ticket_key.size);
      gnutls_free (config->ticket_key.data);
    }
  g_free (config->scratch);
  g_free (config);
}

/* ---- Transport: the connection's non-blocking socket ---- */

/* GnuTLS answers AGAIN after a message that carries no data for the
 * caller (a TLS 1.3 session ticket or key update) too: then the bytes that
 * follow may be in the read-ahead already, where polling will not see
 * them. Each retry consumes some of them. */
static gboolean
retry (VdsmRpcTls *tls, int ret)
{
  return ret == GNUTLS_E_INTERRUPTED ||
         (ret == GNUTLS_E_AGAIN && tls->ahead != NULL &&
          gnutls_record_get_direction (tls->session) == 0);
}

static void
drop_ahead (VdsmRpcTls *tls)
{
  g_clear_pointer (&tls->ahead, g_free);
  tls->ahead_pos = tls->ahead_len = 0;
}

/* GnuTLS asks for a record header, then for the body: one receive of up
 * to TLS_SCRATCH_SIZE serves both (and the records after them), where
 * handing GnuTLS the socket would cost a receive for each, plus one that
 * finds nothing. What it did not ask for yet waits on the heap, and only
 * as long as that: an idle connection keeps no buffer. */
static ssize_t
pull (gnutls_transport_ptr_t ptr, void *data, size_t size)
{
  VdsmRpcTls *tls = ptr;
  char *scratch = tls->config->scratch;
  ssize_t n;

  if (tls->ahead != NULL)
    {
      gsize take = MIN (size, tls->ahead_len - tls->ahead_pos);

      memcpy (data, tls->ahead + tls->ahead_pos, take);
      tls->ahead_pos += take;
      if (tls->ahead_pos == tls->ahead_len)
        drop_ahead (tls);
      return take;
    }
  do
    n = recv (tls->fd, scratch, TLS_SCRATCH_SIZE, 0);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    {
      gnutls_transport_set_errno (tls->session, errno);
      return -1;
    }
  if ((size_t) n > size)
    {
      tls->ahead = g_memdup2 (scratch + size, n - size);
      tls->ahead_len = n - size;
      n = size;
    }
  memcpy (data, scratch, n);
  return n;
}

static ssize_t
push (gnutls_transport_ptr_t ptr, const giovec_t *iov, int iovcnt)
{
  VdsmRpcTls *tls = ptr;
  struct msghdr msg = { .msg_iov = (struct iovec *) iov, .msg_iovlen = iovcnt };
  ssize_t n;

  do
    n = sendmsg (tls->fd, &msg, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    gnutls_transport_set_errno (tls->session, errno);
  return n;
}

/* ---- Sessions ---- */

VdsmRpcTls *
vdsm_rpc_tls_new (VdsmRpcTlsConfig *config, int fd, GError **error)
{
  VdsmRpcTls *tls = g_new0 (VdsmRpcTls, 1);
  int ret;

  tls->config = vdsm_rpc_tls_config_ref (config);
  tls->fd = fd;
  ret = gnutls_init (&tls->session, GNUTLS_SERVER | GNUTLS_NONBLOCK | GNUTLS_NO_SIGNAL);
  if (ret < 0 ||
      (ret = gnutls_priority_set (tls->session, config->priority)) < 0 ||
      (ret = gnutls_credentials_set (tls->session, GNUTLS_CRD_CERTIFICATE,
                                     config->credentials)) < 0 ||
      (ret = gnutls_session_ticket_enable_server (tls->session, &config->ticket_key)) < 0)
    {
      set_gnutls_error (error, ret, "TLS session");
      vdsm_rpc_tls_free (tls);
      return NULL;
    }
  gnutls_certificate_server_set_request (tls->session, config->request);
  gnutls_session_set_ptr (tls->session, tls);
  gnutls_transport_set_ptr (tls->session, tls);
  gnutls_transport_set_pull_function (tls->session, pull);
  gnutls_transport_set_vec_push_function (tls->session, push);
  /* The connection's timer bounds the handshake (handshake-timeout). */
  gnutls_handshake_set_timeout (tls->session, 0);
  return tls;
}

void
vdsm_rpc_tls_free (VdsmRpcTls *tls)
{
  if (tls == NULL)
    return;
  if (tls->session != NULL)
    gnutls_deinit (tls->session);
  drop_ahead (tls);
  g_free (tls->refusal);
  vdsm_rpc_tls_config_unref (tls->config);
  g_free (tls);
}

VdsmRpcTlsStatus
vdsm_rpc_tls_handshake (VdsmRpcTls *tls, GError **error)
{
  int ret;

  do
    ret = gnutls_handshake (tls->session);
  while (retry (tls, ret));
  if (ret == GNUTLS_E_AGAIN)
    return gnutls_record_get_direction (tls->session) ? VDSM_RPC_TLS_WANT_WRITE
                                                       : VDSM_RPC_TLS_WANT_READ;
  if (ret == 0)
    return VDSM_RPC_TLS_DONE;
  /* A client told why fails with a clear error on its side; vdsm's
   * clients drop the socket without one, and so may we afterwards. */
  gnutls_alert_send_appropriate (tls->session, ret);
  if (tls->refusal != NULL)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED, tls->refusal);
  else if (ret == GNUTLS_E_PREMATURE_TERMINATION || ret == GNUTLS_E_PULL_ERROR)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                         "the client closed the connection");
  else
    set_gnutls_error (error, ret, "TLS handshake");
  return VDSM_RPC_TLS_FAILED;
}

gboolean
vdsm_rpc_tls_wants_write (VdsmRpcTls *tls)
{
  return gnutls_record_get_direction (tls->session) == 1;
}

gboolean
vdsm_rpc_tls_has_buffered (VdsmRpcTls *tls)
{
  return tls->ahead != NULL || gnutls_record_check_pending (tls->session) > 0;
}

/* Fills @buf with the application data of the records already received,
 * receiving from the socket once at most when none is. */
gssize
vdsm_rpc_tls_receive (VdsmRpcTls *tls, char *buf, gsize len, GError **error)
{
  gsize got = 0;

  while (got < len)
    {
      ssize_t ret = gnutls_record_recv (tls->session, buf + got, len - got);

      if (ret > 0)
        {
          got += ret;
          if (!vdsm_rpc_tls_has_buffered (tls))
            break;
          continue;
        }
      if (retry (tls, ret))
        continue;
      if (got > 0)
        /* What comes next (more data, or an error) is for the next read. */
        break;
      if (ret == GNUTLS_E_AGAIN)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK,
                               "no TLS record complete yet");
          return -1;
        }
      /* vdsm's clients drop the socket without a close_notify. */
      if (ret == 0 || ret == GNUTLS_E_PREMATURE_TERMINATION)
        return 0;
      if (ret == GNUTLS_E_REHANDSHAKE)
        g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                             "the client asked for a TLS renegotiation, which is not served");
      else
        set_gnutls_error (error, ret, "TLS receive");
      return -1;
    }
  return got;
}

/* Encrypts and sends one record of @buf at most. After WOULD_BLOCK the
 * next call must start with the same bytes (GnuTLS sends the record it
 * built from them before taking more). */
gssize
vdsm_rpc_tls_send (VdsmRpcTls *tls, const char *buf, gsize len, GError **error)
{
  ssize_t ret;

  do
    ret = gnutls_record_send (tls->session, buf, len);
  while (ret == GNUTLS_E_INTERRUPTED);
  if (ret >= 0)
    return ret;
  if (ret == GNUTLS_E_AGAIN)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK, "socket full");
  else
    set_gnutls_error (error, ret, "TLS send");
  return -1;
}

char *
vdsm_rpc_tls_describe (VdsmRpcTls *tls)
{
  const gnutls_datum_t *chain;
  unsigned int chain_len = 0;
  g_autofree char *subject = NULL;

  chain = gnutls_certificate_get_peers (tls->session, &chain_len);
  if (chain != NULL && chain_len > 0)
    subject = certificate_subject (&chain[0]);
  return g_strdup_printf ("%s%s, client certificate %s",
                          gnutls_protocol_get_name (gnutls_protocol_get_version (tls->session)),
                          gnutls_session_is_resumed (tls->session) ? " (resumed session)" : "",
                          chain_len == 0 ? "none" : subject ? subject : "(no subject)");
}

/* ---- The server's configuration ---- */

gboolean
vdsm_rpc_server_set_tls (VdsmRpcServer *server, const char *cert_path, const char *key_path,
                         const char *ca_path, gboolean require_client_cert, GError **error)
{
  VdsmRpcTlsConfig *config;

  g_return_val_if_fail (VDSM_IS_RPC_SERVER (server), FALSE);
  g_return_val_if_fail (cert_path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (require_client_cert && ca_path == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "requiring client certificates needs a CA file to check them");
      return FALSE;
    }
  config = vdsm_rpc_tls_config_new (cert_path, key_path, ca_path, require_client_cert, error);
  if (config == NULL)
    return FALSE;
  vdsm_rpc_tls_config_unref (server->tls);
  server->tls = config;
  return TRUE;
}
