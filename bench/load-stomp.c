/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The client half of STOMP 1.2 as vdsm speaks it (LF line ends), reduced
 * to what a load generator reads: frame boundaries (content-length when
 * present, else the NUL), the command, and nothing else. Heart-beat EOLs
 * between frames are skipped. The header block is capped so a server that never ends its
 * headers cannot make the client buffer forever. */
#include "load-stomp.h"

#include <stdlib.h>
#include <string.h>

#define MAX_HEADER_BLOCK (64 * 1024)

/* The LF that ends the header block: the first of two in a row, searched
 * from @from, which is an LF. memchr per line beats memmem's set-up for a
 * handful of short lines. */
static const char *
find_blank_line (const char *from, const char *end)
{
  for (const char *p = from; p != NULL && p + 1 < end;
       p = memchr (p + 1, '\n', end - p - 1))
    if (p[1] == '\n')
      return p;
  return NULL;
}

static LoadStompCommand
command_of (const char *line, gsize len)
{
#define IS(lit) (len == sizeof (lit) - 1 && memcmp (line, lit, len) == 0)
  if (IS ("MESSAGE"))
    return LOAD_STOMP_MESSAGE;
  if (IS ("CONNECTED"))
    return LOAD_STOMP_CONNECTED;
  if (IS ("ERROR"))
    return LOAD_STOMP_ERROR;
#undef IS
  return LOAD_STOMP_OTHER;
}

/* The value of content-length in the header block, -1 when absent, -2 when
 * malformed. The first occurrence wins, as in vdsm. */
static gint64
content_length (const char *headers, gsize len)
{
  static const char name[] = "content-length:";
  const char *p = headers;
  const char *end = headers + len;

  while (p < end)
    {
      const char *eol = memchr (p, '\n', end - p);
      gsize line_len = (eol ? eol : end) - p;

      if (line_len > sizeof name - 1 && memcmp (p, name, sizeof name - 1) == 0)
        {
          gint64 value = 0;

          for (const char *d = p + sizeof name - 1; d < p + line_len; d++)
            {
              if (!g_ascii_isdigit (*d) || value > G_MAXINT64 / 20)
                return -2;
              value = value * 10 + (*d - '0');
            }
          return value;
        }
      p += line_len + 1;
    }
  return -1;
}

/**
 * load_stomp_next:
 * @buf: received bytes
 * @len: how many
 * @max_frame: the largest frame accepted
 * @frame: (out): the frame found, valid while @buf is
 * @consumed: (out): bytes used, including skipped heart-beats; also set when
 *   more data is needed, so the caller can drop leading heart-beats
 * @need: (out): on %LOAD_STOMP_NEED_MORE, how many bytes from @buf (plus
 *   @consumed) the frame needs, when the header told; 0 when unknown
 *
 * Returns: whether a whole frame was found, more bytes are needed, or the
 *   stream is not STOMP.
 */
LoadStompStatus
load_stomp_next (const char *buf, gsize len, gsize max_frame,
                 LoadStompFrame *frame, gsize *consumed, gsize *need)
{
  gsize start = 0, header_end, headers_at;
  const char *eol, *blank;
  gint64 clen;

  *need = 0;
  while (start < len && buf[start] == '\n')
    start++;
  *consumed = start;
  buf += start;
  len -= start;
  if (len == 0)
    return LOAD_STOMP_NEED_MORE;

  eol = memchr (buf, '\n', MIN (len, (gsize) MAX_HEADER_BLOCK));
  if (eol == NULL)
    return len >= MAX_HEADER_BLOCK ? LOAD_STOMP_BAD : LOAD_STOMP_NEED_MORE;
  headers_at = eol - buf + 1;
  blank = find_blank_line (eol, buf + MIN (len, (gsize) MAX_HEADER_BLOCK));
  if (blank == NULL)
    return len >= MAX_HEADER_BLOCK ? LOAD_STOMP_BAD : LOAD_STOMP_NEED_MORE;
  header_end = blank - buf + 2;

  frame->command = command_of (buf, eol - buf);
  frame->headers = buf + headers_at;
  frame->headers_len = header_end > headers_at + 1 ? header_end - headers_at - 1 : 0;
  clen = content_length (frame->headers, frame->headers_len);
  if (clen == -2)
    return LOAD_STOMP_BAD;
  if (clen >= 0)
    {
      if ((guint64) clen > max_frame || header_end + (gsize) clen + 1 > max_frame)
        return LOAD_STOMP_BAD;
      if (len < header_end + (gsize) clen + 1)
        {
          *need = start + header_end + (gsize) clen + 1;
          return LOAD_STOMP_NEED_MORE;
        }
      if (buf[header_end + clen] != '\0')
        return LOAD_STOMP_BAD;
      frame->body_len = (gsize) clen;
    }
  else
    {
      const char *nul = memchr (buf + header_end, '\0', len - header_end);

      if (nul == NULL)
        return len >= max_frame ? LOAD_STOMP_BAD : LOAD_STOMP_NEED_MORE;
      frame->body_len = nul - (buf + header_end);
    }
  frame->body = buf + header_end;
  *consumed = start + header_end + frame->body_len + 1;
  return LOAD_STOMP_FRAME;
}
