/* emit-writer.c: indented code output and write-if-changed.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "emit-writer.h"

#include <string.h>

void
emit_writer_init (EmitWriter *w)
{
  w->buf = g_string_new (NULL);
  w->indent = 0;
}

void
emit_writer_clear (EmitWriter *w)
{
  g_string_free (w->buf, TRUE);
  w->buf = NULL;
}

void
emit (EmitWriter *w, const char *format, ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  for (const char *p = text; *p != '\0'; )
    {
      const char *nl = strchr (p, '\n');
      gsize len = nl != NULL ? (gsize) (nl - p) + 1 : strlen (p);
      gboolean at_line_start = w->buf->len == 0 || w->buf->str[w->buf->len - 1] == '\n';

      /* Blank lines and preprocessor lines stay unindented. */
      if (at_line_start && *p != '\n' && *p != '#')
        for (guint i = 0; i < w->indent; i++)
          g_string_append (w->buf, "  ");
      g_string_append_len (w->buf, p, len);
      p += len;
    }
}

void
emit_indent (EmitWriter *w)
{
  w->indent++;
}

void
emit_dedent (EmitWriter *w)
{
  g_assert (w->indent > 0);
  w->indent--;
}

char *
emit_c_string (const char *text)
{
  GString *out = g_string_new (NULL);

  for (const guchar *p = (const guchar *) text; *p != '\0'; p++)
    {
      if (*p == '\\' || *p == '"')
        g_string_append_printf (out, "\\%c", *p);
      else if (*p < 0x20 || *p >= 0x7f || *p == '?')
        /* Octal, so a following digit is never absorbed; '?' avoids trigraphs. */
        g_string_append_printf (out, "\\%03o", *p);
      else
        g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

char *
emit_comment_text (const char *text)
{
  GString *out = g_string_new (NULL);

  if (text == NULL)
    return g_string_free (out, FALSE);
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '\n' || *p == '\r' || *p == '\t')
        g_string_append_c (out, ' ');
      else if (*p == '*' && p[1] == '/')
        g_string_append (out, "* ");
      else if (*p == '/' && p[1] == '*')
        g_string_append (out, "/ ");
      else
        g_string_append_c (out, *p);
    }
  g_strstrip (out->str);
  out->len = strlen (out->str);
  return g_string_free (out, FALSE);
}

gboolean
emit_write_file (const char *dir, const char *name, const GString *contents,
                 GError **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *old = NULL;
  gsize old_len = 0;

  if (g_file_get_contents (path, &old, &old_len, NULL)
      && old_len == contents->len
      && memcmp (old, contents->str, old_len) == 0)
    return TRUE;
  return g_file_set_contents (path, contents->str, contents->len, error);
}
