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

/* Function heads longer than this have their parameter lists broken. */
#define HEAD_WIDTH 80

/* The ')' that closes the parenthesis opened just before @p, or NULL. */
static const char *
closing_paren (const char *p)
{
  guint depth = 0;

  for (; *p != '\0'; p++)
    if (*p == '(')
      depth++;
    else if (*p == ')' && depth-- == 0)
      return p;
  return NULL;
}

/* Appends the function head @line (@len bytes, no newline) to @out with its
 * parameter list broken after commas when the line passes HEAD_WIDTH:
 * each line filled with as many parameters as fit, continuation lines
 * aligned after the '(', as the project's own code is. */
static void
append_head (GString *out, const char *line, gsize len)
{
  g_autofree char *text = g_strndup (line, len);
  const char *open = strstr (text, " (");
  const char *close = NULL;
  g_autofree char *list = NULL;
  g_auto (GStrv) params = NULL;
  gsize align, column;

  if (len > HEAD_WIDTH && open != NULL && g_ascii_isalpha (text[0]))
    close = closing_paren (open + 2);
  if (close == NULL)
    {
      g_string_append (out, text);
      return;
    }
  /* Generated parameters hold no commas of their own. */
  list = g_strndup (open + 2, (gsize) (close - open - 2));
  params = g_strsplit (list, ", ", -1);
  align = (gsize) (open - text) + 2;
  g_string_append_len (out, text, (gssize) align);
  column = align;
  for (guint i = 0; params[i] != NULL; i++)
    {
      gboolean last = params[i + 1] == NULL;
      g_autofree char *piece = g_strconcat (params[i], last ? ")" : ",", last ? close + 1 : "",
                                            NULL);
      gsize width = strlen (piece);

      if (i > 0 && column + 1 + width > HEAD_WIDTH)
        {
          g_string_append_c (out, '\n');
          for (gsize c = 0; c < align; c++)
            g_string_append_c (out, ' ');
          column = align;
        }
      else if (i > 0)
        {
          g_string_append_c (out, ' ');
          column++;
        }
      g_string_append (out, piece);
      column += width;
    }
}

void
emit_prototype (EmitWriter *w, const char *format, ...)
{
  g_autoptr (GString) wrapped = g_string_new (NULL);
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  for (const char *p = text; *p != '\0'; )
    {
      const char *nl = strchr (p, '\n');
      gsize len = nl != NULL ? (gsize) (nl - p) : strlen (p);

      append_head (wrapped, p, len);
      if (nl != NULL)
        g_string_append_c (wrapped, '\n');
      p += len + (nl != NULL ? 1 : 0);
    }
  emit (w, "%s", wrapped->str);
}

void
emit_public_prototype (EmitWriter *w, const char *format, ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  emit (w, "VDSM_AVAILABLE_IN_ALL\n");
  emit_prototype (w, "%s", text);
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
