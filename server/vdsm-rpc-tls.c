/* vdsm-rpc-tls.c: TLS with client certificates (docs/protocol.md §12),
 * driven by GnuTLS on the I/O thread: loading the server's files,
 * non-blocking handshakes and records over a connection's socket, checking
 * the client's certificate, resuming sessions from tickets.
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
/* A client certificate chain that passed is taken again without checking
 * for this long (within its validity), and this many chains are kept. */
#define VERIFIED_TTL_US (60 * G_USEC_PER_SEC)
#define VERIFIED_MAX 256

struct _VdsmRpcTlsConfig {
  gatomicrefcount ref;
  gnutls_certificate_credentials_t credentials;
  gnutls_priority_t priority;
  gnutls_datum_t ticket_key;        /* encrypts the session tickets we issue */
  gnutls_certificate_request_t request;
  char *scratch;                    /* TLS_SCRATCH_SIZE, for pull() and sends; I/O thread */
  /* Chains that passed verify_client() lately, as their DER (GBytes) ->
   * the wall-clock time (µs) until which that stands; I/O thread. */
  GHashTable *verified;
};

struct _VdsmRpcTls {
  VdsmRpcTlsConfig *config;         /* a ref */
  gnutls_session_t session;
  int fd;
  /* Bytes received beyond what GnuTLS asked for; NULL when none. */
  char *ahead;
  gsize ahead_pos;
  gsize ahead_len;
  gboolean eof;                     /* the client's TCP stream ended (see pull()) */
  char *refusal;                    /* why the client certificate was refused */
};

static void
set_gnutls_error (GError **error, int code, const char *what)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s", what, gnutls_strerror (code));
}

/* ---- Checking the client's certificate ---- */

static gnutls_x509_crt_t
import_certificate (const gnutls_datum_t *der)
{
  gnutls_x509_crt_t crt;

  if (gnutls_x509_crt_init (&crt) < 0)
    return NULL;
  if (gnutls_x509_crt_import (crt, der, GNUTLS_X509_FMT_DER) < 0)
    {
      gnutls_x509_crt_deinit (crt);
      return NULL;
    }
  return crt;
}

/* "CN=client,O=example", for logs: escaped, as the client chose it. */
static char *
subject_of (gnutls_x509_crt_t crt)
{
  gnutls_datum_t dn = { NULL, 0 };
  char subject[VDSM_RPC_LOG_TEXT_SIZE];

  if (crt == NULL || gnutls_x509_crt_get_dn3 (crt, &dn, 0) < 0)
    return g_strdup ("(no subject)");
  vdsm_rpc_log_text (subject, sizeof subject, (const char *) dn.data, dn.size);
  gnutls_free (dn.data);
  return g_strdup (subject);
}

/* What the chain check cannot see: a certificate that may sign others is a
 * CA, not a client, even when it is the CA we trust; and one whose key
 * usage excludes signing cannot authenticate a TLS client. Like OpenSSL's
 * `sslclient` purpose, which vdsm applies, a certificate without a key
 * usage extension may be used for anything. */
static const char *
leaf_refusal (gnutls_x509_crt_t leaf)
{
  unsigned int critical, is_ca = 0, usage = 0;

  if (leaf == NULL)
    return "unreadable certificate";
  if (gnutls_x509_crt_get_basic_constraints (leaf, &critical, &is_ca, NULL) >= 0 && is_ca)
    return "it is a CA certificate";
  if (gnutls_x509_crt_get_key_usage (leaf, &usage, &critical) >= 0 &&
      (usage & (GNUTLS_KEY_DIGITAL_SIGNATURE | GNUTLS_KEY_KEY_AGREEMENT)) == 0)
    return "its key usage does not allow signing";
  return NULL;
}

/* The chain as one key: each certificate's length, then its DER. */
static GBytes *
chain_key (const gnutls_datum_t *chain, unsigned int chain_len)
{
  GByteArray *key = g_byte_array_new ();

  for (unsigned int i = 0; i < chain_len; i++)
    {
      guint32 size = chain[i].size;

      g_byte_array_append (key, (const guint8 *) &size, sizeof size);
      g_byte_array_append (key, chain[i].data, chain[i].size);
    }
  return g_byte_array_free_to_bytes (key);
}

/* Engine connections come back with the same certificate: checking the
 * chain again (a signature, and parsing it three times) would be a third
 * of a handshake's CPU. Only chains that passed are kept, and only that
 * verdict: the CA file and the checks do not change while the
 * configuration lives, time does, hence the expiry. */
static gboolean
verified_lately (VdsmRpcTlsConfig *config, GBytes *key)
{
  gpointer until = g_hash_table_lookup (config->verified, key);

  if (until == NULL)
    return FALSE;
  if (g_get_real_time () < *(gint64 *) until)
    return TRUE;
  g_hash_table_remove (config->verified, key);
  return FALSE;
}

static void
remember_verified (VdsmRpcTlsConfig *config, GBytes *key, gnutls_x509_crt_t leaf)
{
  gint64 now = g_get_real_time ();
  gint64 *until = g_new (gint64, 1);
  time_t expires = gnutls_x509_crt_get_expiration_time (leaf);

  *until = now + VERIFIED_TTL_US;
  if (expires != (time_t) -1)
    *until = MIN (*until, (gint64) expires * G_USEC_PER_SEC);
  if (g_hash_table_size (config->verified) >= VERIFIED_MAX)
    g_hash_table_remove_all (config->verified);
  g_hash_table_insert (config->verified, g_bytes_ref (key), until);
}

/* Called by GnuTLS inside the handshake, once the client's certificate and
 * its proof of the key are in: a refusal fails the handshake before any
 * session ticket is issued, so a resumed session stands for a client
 * whose certificate passed here. */
static int
verify_client (gnutls_session_t session)
{
  VdsmRpcTls *tls = gnutls_session_get_ptr (session);
  VdsmRpcTlsConfig *config = tls->config;
  const gnutls_datum_t *chain;
  unsigned int chain_len = 0, status = 0;
  gnutls_typed_vdata_st purpose = {
    .type = GNUTLS_DT_KEY_PURPOSE_OID,
    .data = (unsigned char *) GNUTLS_KP_TLS_WWW_CLIENT,
  };
  g_autoptr(GBytes) key = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *subject = NULL;
  gnutls_x509_crt_t leaf;
  int ret;

  chain = gnutls_certificate_get_peers (session, &chain_len);
  if (chain == NULL || chain_len == 0)
    {
      if (config->request != GNUTLS_CERT_REQUIRE)
        return 0;
      tls->refusal = g_strdup ("the client sent no certificate");
      return -1;
    }
  key = chain_key (chain, chain_len);
  if (verified_lately (config, key))
    return 0;

  /* The chain against our CA file, validity dates included, and the
   * extended key usage of every certificate in it: client authentication
   * (a certificate without that extension may be used for anything). */
  ret = gnutls_certificate_verify_peers (session, &purpose, 1, &status);
  leaf = import_certificate (&chain[0]);
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
    reason = g_strdup (leaf_refusal (leaf));

  if (reason != NULL)
    {
      subject = subject_of (leaf);
      tls->refusal = g_strdup_printf ("client certificate %s refused: %s", subject, reason);
    }
  else
    {
      remember_verified (config, key, leaf);
      if (vdsm_rpc_log_enabled (G_LOG_LEVEL_DEBUG))
        {
          subject = subject_of (leaf);
          g_debug ("client certificate %s accepted", subject);
        }
    }
  if (leaf != NULL)
    gnutls_x509_crt_deinit (leaf);
  return reason != NULL ? -1 : 0;
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
  config->verified = g_hash_table_new_full (g_bytes_hash, g_bytes_equal,
                                            (GDestroyNotify) g_bytes_unref, g_free);
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
  g_clear_pointer (&config->verified, g_hash_table_unref);
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
  /* The end of the stream is not GnuTLS's to see: without a close_notify
   * before it, GnuTLS takes it for a truncation and invalidates the
   * session, which then sends nothing more. To us it ends the client's
   * input, close_notify or not (vdsm's clients send none), and the
   * replies to what came before it are still sent: a client may
   * shutdown(SHUT_WR) its socket and read on (docs/protocol.md §5.4). */
  if (n == 0)
    {
      tls->eof = TRUE;
      gnutls_transport_set_errno (tls->session, EAGAIN);
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
  if (ret == GNUTLS_E_AGAIN && tls->eof)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                           "the client closed the connection");
      return VDSM_RPC_TLS_FAILED;
    }
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
  else if (ret == GNUTLS_E_PULL_ERROR)
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
      /* The end of the client's input: a close_notify (0), or the end of
       * the TCP stream, with or without one before it (see pull()). */
      if (ret == 0 || (ret == GNUTLS_E_AGAIN && tls->eof))
        return 0;
      if (ret == GNUTLS_E_AGAIN)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK,
                               "no TLS record complete yet");
          return -1;
        }
      if (ret == GNUTLS_E_REHANDSHAKE)
        g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                             "the client asked for a TLS renegotiation, which is not served");
      else
        set_gnutls_error (error, ret, "TLS receive");
      return -1;
    }
  return got;
}

/* Encrypts and sends one record at most. GnuTLS encrypts one buffer at a
 * time: the pieces of @vectors (the headers of a MESSAGE before its shared
 * body) are gathered into the scratch buffer, free outside a receive, up
 * to a full record, so that each piece does not cost a record and a send
 * of its own. After WOULD_BLOCK the next call must start with the same
 * bytes: GnuTLS sends the record it built from them first, and counts
 * those. */
gssize
vdsm_rpc_tls_send (VdsmRpcTls *tls, const GOutputVector *vectors, gsize n_vectors,
                   GError **error)
{
  gsize record = MIN (gnutls_record_get_max_size (tls->session), TLS_SCRATCH_SIZE);
  const char *data = vectors[0].buffer;
  gsize len = vectors[0].size;
  ssize_t ret;

  if (n_vectors > 1 && len < record)
    {
      char *scratch = tls->config->scratch;

      len = 0;
      for (gsize i = 0; i < n_vectors && len < record; i++)
        {
          gsize take = MIN (vectors[i].size, record - len);

          memcpy (scratch + len, vectors[i].buffer, take);
          len += take;
        }
      data = scratch;
    }
  do
    ret = gnutls_record_send (tls->session, data, len);
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
    {
      gnutls_x509_crt_t leaf = import_certificate (&chain[0]);

      subject = subject_of (leaf);
      if (leaf != NULL)
        gnutls_x509_crt_deinit (leaf);
    }
  return g_strdup_printf ("%s%s, client certificate %s",
                          gnutls_protocol_get_name (gnutls_protocol_get_version (tls->session)),
                          gnutls_session_is_resumed (tls->session) ? " (resumed session)" : "",
                          subject ? subject : "none");
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
  /* Connections accepted so far keep their own refs of the one in use. */
  vdsm_rpc_tls_config_unref (server->tls);
  server->tls = config;
  return TRUE;
}
