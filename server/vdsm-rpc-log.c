/* vdsm-rpc-log.c: log lines that clients cannot forge or flood. Every
 * text a client chose goes into a line through vdsm_rpc_log_text(); lines
 * a client can cause at will go through vdsm_rpc_log_limited().
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vdsm-rpc-private.h"

#include <stdarg.h>
#include <string.h>

/* "…(18446744073709551615 bytes)" and its NUL fit. */
#define TRUNCATION_NOTE_SIZE 32

const char *
vdsm_rpc_log_text (char *buf, gsize size, const char *text, gssize length)
{
  gsize total, used = 0;
  const char *p, *end, *next;

  g_return_val_if_fail (size > TRUNCATION_NOTE_SIZE, "");

  if (text == NULL)
    text = "(null)";
  total = length < 0 ? strlen (text) : (gsize) length;
  end = text + total;
  /* Escapes use the same words as the error texts clients get (pyrepr). */
  for (p = text; p < end; p = next)
    {
      char escape[5];
      gsize n = vdsm_rpc_escape_char (p, end, &next, escape);
      const char *piece = n > 0 ? escape : p;
      gsize piece_len = n > 0 ? n : (gsize) (next - p);

      if (used + piece_len > size - TRUNCATION_NOTE_SIZE)
        break;
      memcpy (buf + used, piece, piece_len);
      used += piece_len;
    }
  if (p < end)
    used += g_snprintf (buf + used, size - used, "…(%" G_GSIZE_FORMAT " bytes)", total);
  buf[used] = '\0';
  return buf;
}

gboolean
vdsm_rpc_log_limit_pass (VdsmRpcLogLimit *limit, gint64 now, char *note, gsize note_size)
{
  note[0] = '\0';
  if (limit->window_start == 0 || now - limit->window_start >= VDSM_RPC_LOG_WINDOW_US)
    {
      limit->window_start = now;
      limit->lines = 0;
    }
  if (limit->lines >= VDSM_RPC_LOG_BURST)
    {
      if (limit->suppressed++ == 0)
        limit->suppressed_since = now;
      return FALSE;
    }
  limit->lines++;
  if (limit->suppressed > 0)
    {
      /* Said late when the flood has stopped: the span covers the wait. */
      gint64 seconds = (now - limit->suppressed_since + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC;

      g_snprintf (note, note_size, " (%u more suppressed in the last %" G_GINT64_FORMAT " s)",
                  limit->suppressed, MAX (seconds, 1));
      limit->suppressed = 0;
    }
  return TRUE;
}

void
vdsm_rpc_log_limited (VdsmRpcServer *server, GLogLevelFlags level, const char *format, ...)
{
  VdsmRpcLogLimit *limit;
  char note[VDSM_RPC_LOG_NOTE_SIZE];
  g_autofree char *text = NULL;
  gboolean pass;
  va_list args;

  if (!vdsm_rpc_log_enabled (level))
    return;
  /* The kind of a line is its format: one budget per call site. */
  g_mutex_lock (&server->log_lock);
  limit = g_hash_table_lookup (server->log_limits, format);
  if (limit == NULL)
    {
      limit = g_new0 (VdsmRpcLogLimit, 1);
      g_hash_table_insert (server->log_limits, (gpointer) format, limit);
    }
  pass = vdsm_rpc_log_limit_pass (limit, g_get_monotonic_time (), note, sizeof note);
  g_mutex_unlock (&server->log_lock);
  if (!pass)
    return;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  g_log (G_LOG_DOMAIN, level, "%s%s", text, note);
}
