/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* A scanner, not a parser: it walks the members of the response object,
 * reads the string "id" and the error's "code", and skips every other value
 * without building anything. A 2.5 MB getAllVmStats result is skipped at
 * memchr speed, and not at all when "id" and "result" have both been seen
 * (vdsm writes "id" before "result"). It trusts the server only as far as
 * never reading past @len. */
#include "load-reply.h"

#include <stdlib.h>
#include <string.h>

typedef struct
{
  const char *p;
  const char *end;
} Cursor;

static void
skip_space (Cursor *c)
{
  while (c->p < c->end
         && (*c->p == ' ' || *c->p == '\n' || *c->p == '\r' || *c->p == '\t'))
    c->p++;
}

/* On the opening quote; leaves the cursor after the closing quote and
 * returns the raw (still escaped) contents. */
static gboolean
scan_string (Cursor *c, const char **start, gsize *len)
{
  const char *s = c->p + 1;
  const char *q = s;

  for (;;)
    {
      gsize backslashes = 0;

      q = memchr (q, '"', c->end - q);
      if (q == NULL)
        return FALSE;
      while (q - backslashes > s && q[-1 - (gssize) backslashes] == '\\')
        backslashes++;
      if (backslashes % 2 == 0)
        break;
      q++;
    }
  *start = s;
  *len = q - s;
  c->p = q + 1;
  return TRUE;
}

static inline gboolean
ends_literal (char ch)
{
  switch (ch)
    {
    case ',': case ':': case ']': case '}': case '[': case '{': case '"':
    case ' ': case '\t': case '\r': case '\n': case '\0':
      return TRUE;
    default:
      return FALSE;
    }
}

/* Skips one value of any kind; nesting is tracked by depth alone because
 * strings are stepped over as units. */
static gboolean
skip_value (Cursor *c)
{
  gsize depth = 0;

  do
    {
      const char *s;
      gsize len;

      skip_space (c);
      if (c->p >= c->end)
        return FALSE;
      switch (*c->p)
        {
        case '"':
          if (!scan_string (c, &s, &len))
            return FALSE;
          break;
        case '{':
        case '[':
          depth++;
          c->p++;
          break;
        case '}':
        case ']':
          if (depth == 0)
            return FALSE;
          depth--;
          c->p++;
          break;
        case ',':
        case ':':
          if (depth == 0)
            return FALSE;
          c->p++;
          break;
        default:
          {
            const char *start = c->p;

            while (c->p < c->end && !ends_literal (*c->p))
              c->p++;
            if (c->p == start)
              return FALSE;
          }
          break;
        }
    }
  while (depth > 0);
  return TRUE;
}

static gboolean
scan_number (Cursor *c, gint64 *value)
{
  char digits[24];
  gsize n = 0;
  char *end;

  while (c->p < c->end && n + 1 < sizeof digits
         && (g_ascii_isdigit (*c->p) || *c->p == '-'))
    digits[n++] = *c->p++;
  digits[n] = '\0';
  *value = g_ascii_strtoll (digits, &end, 10);
  return n > 0 && *end == '\0';
}

typedef gboolean (*MemberFunc) (Cursor *c, const char *key, gsize key_len,
                                gpointer data);

/* Walks the members of the object at the cursor. @member consumes the value
 * it is interested in, or returns FALSE to stop the walk early. */
static gboolean
walk_object (Cursor *c, MemberFunc member, gpointer data, gboolean *stopped)
{
  skip_space (c);
  if (c->p >= c->end || *c->p != '{')
    return FALSE;
  c->p++;
  *stopped = FALSE;
  for (;;)
    {
      const char *key;
      gsize key_len;

      skip_space (c);
      if (c->p < c->end && *c->p == '}')
        {
          c->p++;
          return TRUE;
        }
      if (c->p >= c->end || *c->p != '"' || !scan_string (c, &key, &key_len))
        return FALSE;
      skip_space (c);
      if (c->p >= c->end || *c->p != ':')
        return FALSE;
      c->p++;
      skip_space (c);
      if (!member (c, key, key_len, data))
        {
          *stopped = TRUE;
          return TRUE;
        }
      skip_space (c);
      if (c->p < c->end && *c->p == ',')
        c->p++;
      else if (c->p >= c->end || *c->p != '}')
        return FALSE;
    }
}

#define KEY_IS(k, n, lit) ((n) == sizeof (lit) - 1 && memcmp ((k), (lit), (n)) == 0)

static gboolean
error_member (Cursor *c, const char *key, gsize key_len, gpointer data)
{
  LoadReply *reply = data;

  if (KEY_IS (key, key_len, "code") && c->p < c->end && *c->p != '"')
    return scan_number (c, &reply->error_code);
  return skip_value (c);
}

typedef struct
{
  LoadReply *reply;
  gboolean   have_id;
  gboolean   have_outcome;
  gboolean   bad;
} TopScan;

static gboolean
top_member (Cursor *c, const char *key, gsize key_len, gpointer data)
{
  TopScan *scan = data;
  gboolean stopped;

  if (KEY_IS (key, key_len, "id"))
    {
      if (c->p >= c->end || *c->p != '"'
          || !scan_string (c, &scan->reply->id, &scan->reply->id_len))
        {
          scan->bad = TRUE;
          return FALSE;
        }
      scan->have_id = TRUE;
      return !scan->have_outcome;
    }
  if (KEY_IS (key, key_len, "result"))
    {
      scan->reply->kind = LOAD_REPLY_RESULT;
      scan->have_outcome = TRUE;
      if (scan->have_id)
        return FALSE;
    }
  else if (KEY_IS (key, key_len, "error"))
    {
      scan->reply->kind = LOAD_REPLY_ERROR;
      scan->have_outcome = TRUE;
      if (!walk_object (c, error_member, scan->reply, &stopped) || stopped)
        {
          scan->bad = TRUE;
          return FALSE;
        }
      return !scan->have_id;
    }
  if (!skip_value (c))
    {
      scan->bad = TRUE;
      return FALSE;
    }
  return TRUE;
}

/**
 * load_reply_scan:
 * @body: a JSON-RPC response, a bare object or a one-element array
 * @len: its length
 * @reply: (out): the id (a string id only), outcome and error code
 *
 * Returns: TRUE when the body holds a response with a string id and a
 *   result or an error.
 */
gboolean
load_reply_scan (const char *body, gsize len, LoadReply *reply)
{
  Cursor c = { body, body + len };
  TopScan scan = { reply, FALSE, FALSE, FALSE };
  gboolean stopped;

  memset (reply, 0, sizeof *reply);
  skip_space (&c);
  if (c.p < c.end && *c.p == '[')
    c.p++;
  if (!walk_object (&c, top_member, &scan, &stopped))
    return FALSE;
  return !scan.bad && scan.have_id && scan.have_outcome;
}
