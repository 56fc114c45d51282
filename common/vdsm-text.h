/* vdsm-text.h: byte-string helpers for the per-request hot path.
 *
 * The STOMP codec and the JSON reader and writers append a few bytes
 * dozens of times per request and check every header and string for
 * UTF-8. GLib's out-of-line g_string_append_len() and its byte-at-a-time
 * g_utf8_validate() were a tenth of a Host.ping's instructions; these do
 * the common case (room in the buffer, ASCII text) inline.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include <string.h>

G_BEGIN_DECLS

/* g_string_append_len() for known-length data. */
static inline void
vdsm_text_append_len (GString *out, const char *data, gsize length)
{
  if (G_LIKELY (out->len + length < out->allocated_len))
    {
      memcpy (out->str + out->len, data, length);
      out->len += length;
      out->str[out->len] = '\0';
    }
  else
    g_string_append_len (out, data, length);
}

static inline void
vdsm_text_append (GString *out, const char *text)
{
  vdsm_text_append_len (out, text, strlen (text));
}

/* g_utf8_validate_len(): valid UTF-8 without NUL bytes, with runs of
 * ASCII checked eight bytes at a time. */
static inline gboolean
vdsm_text_is_utf8 (const char *data, gsize length)
{
  const guint64 ones = G_GUINT64_CONSTANT (0x0101010101010101);
  const guint64 highs = G_GUINT64_CONSTANT (0x8080808080808080);
  gsize i = 0;

  for (; i + 8 <= length; i += 8)
    {
      guint64 word;

      memcpy (&word, data + i, 8);
      /* A byte >= 0x80, or a zero byte (the classic has-zero test). */
      if ((word & highs) || ((word - ones) & ~word & highs))
        break;
    }
  for (; i < length; i++)
    if ((guchar) data[i] >= 0x80 || data[i] == '\0')
      return g_utf8_validate_len (data + i, length - i, NULL);
  return TRUE;
}

G_END_DECLS
