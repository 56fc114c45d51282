/* naming.c: schema names → C identifiers.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "naming.h"

#include <string.h>

static gboolean
is_ident_char (char c)
{
  return g_ascii_isalnum (c) || c == '_';
}

char *
vdsm_naming_snake (const char *name)
{
  GString *out = g_string_new (NULL);
  /* A '_' standing for a non-identifier character: never doubled, never at
   * either end, so 'a - b' gives a_b and '|x|' gives x. */
  gboolean pending_sep = FALSE;

  for (const char *p = name; *p != '\0'; p++)
    {
      char c = *p;

      if (!is_ident_char (c))
        {
          pending_sep = out->len > 0;
          continue;
        }
      if (pending_sep)
        {
          if (out->str[out->len - 1] != '_')
            g_string_append_c (out, '_');
          pending_sep = FALSE;
        }
      if (g_ascii_isupper (c) && p > name && out->len > 0
          && out->str[out->len - 1] != '_')
        {
          char prev = p[-1];
          char next = p[1];

          if (g_ascii_islower (prev) || g_ascii_isdigit (prev)
              || (g_ascii_isupper (prev) && g_ascii_islower (next)))
            g_string_append_c (out, '_');
        }
      g_string_append_c (out, g_ascii_tolower (c));
    }
  return g_string_free (out, FALSE);
}

char *
vdsm_naming_camel (const char *snake)
{
  GString *out = g_string_new (NULL);
  gboolean word_start = TRUE;

  for (const char *p = snake; *p != '\0'; p++)
    {
      if (*p == '_')
        {
          word_start = TRUE;
          continue;
        }
      g_string_append_c (out, word_start ? g_ascii_toupper (*p) : *p);
      word_start = FALSE;
    }
  return g_string_free (out, FALSE);
}

/* Type names libvdsm writes by hand (VdsmClient, VdsmError…). */
static const char *const reserved_types[] = {
  "Client", "Error", "ErrorCode", "Json", "RpcCall", "RpcServer",
  "RpcMethod", "RpcMethodFlags", "RpcInvokeFunc", "Schema", "Stomp",
};

char *
vdsm_naming_type_base (const char *key)
{
  g_autofree char *snake = vdsm_naming_snake (key);
  char *camel = vdsm_naming_camel (snake);

  if (*camel == '\0' || g_ascii_isdigit (*camel))
    {
      char *prefixed = g_strconcat ("V", camel, NULL);

      g_free (camel);
      camel = prefixed;
    }
  for (gsize i = 0; i < G_N_ELEMENTS (reserved_types); i++)
    if (strcmp (camel, reserved_types[i]) == 0)
      {
        char *suffixed = g_strconcat (camel, "Type", NULL);

        g_free (camel);
        return suffixed;
      }
  return camel;
}

/* Names for keys made only of punctuation ('-'), which would otherwise
 * leave nothing to name. */
static const char *
punctuation_name (char c)
{
  switch (c)
    {
    case '-': return "DASH";
    case '+': return "PLUS";
    case '*': return "STAR";
    case '.': return "DOT";
    case '/': return "SLASH";
    case ' ': return "SPACE";
    case '_': return "UNDERSCORE";
    default: return NULL;
    }
}

char *
vdsm_naming_enum_value (const char *text)
{
  g_autofree char *snake = NULL;
  GString *out;

  if (*text == '\0')
    return g_strdup ("EMPTY");

  out = g_string_new (NULL);
  if (text[0] == '-' && g_ascii_isdigit (text[1]))
    {
      g_string_append (out, "MINUS_");
      text++;
    }
  snake = vdsm_naming_snake (text);
  /* Trim the '_' kept from the text's own ends ("_x_" → X). */
  {
    const char *start = snake;
    gsize len;

    while (*start == '_')
      start++;
    len = strlen (start);
    while (len > 0 && start[len - 1] == '_')
      len--;
    if (len == 0)
      {
        for (const char *p = text; *p != '\0'; p++)
          {
            const char *word = punctuation_name (*p);

            if (out->len > 0 && out->str[out->len - 1] != '_')
              g_string_append_c (out, '_');
            if (word != NULL)
              g_string_append (out, word);
            else
              g_string_append_printf (out, "X%02X", (guchar) *p);
          }
        return g_string_free (out, FALSE);
      }
    if (out->len == 0 && g_ascii_isdigit (*start))
      g_string_append_c (out, 'V');
    for (gsize i = 0; i < len; i++)
      g_string_append_c (out, g_ascii_toupper (start[i]));
  }
  return g_string_free (out, FALSE);
}

static const char *const keywords[] = {
  /* C11, and what stdbool.h/GLib define as macros */
  "auto", "break", "case", "char", "const", "continue", "default", "do",
  "double", "else", "enum", "extern", "float", "for", "goto", "if",
  "inline", "int", "long", "register", "restrict", "return", "short",
  "signed", "sizeof", "static", "struct", "switch", "typedef", "union",
  "unsigned", "void", "volatile", "while", "bool", "true", "false", "NULL",
  "TRUE", "FALSE",
  /* typedefs of <sys/types.h>, which GLib's headers include: a field so
   * named reads as a type to g-ir-scanner (a union member of type uint) */
  "uint", "ulong", "ushort",
  /* C++ (the headers are usable from C++) */
  "class", "new", "delete", "this", "template", "typename", "private",
  "public", "protected", "namespace", "operator", "virtual", "friend",
  "explicit", "mutable", "throw", "try", "catch", "using", "export",
  /* Python (argument and field names reach Python through GI) */
  "and", "as", "assert", "async", "await", "def", "del", "elif", "except",
  "finally", "from", "global", "import", "in", "is", "lambda", "nonlocal",
  "not", "or", "pass", "raise", "with", "yield", "None", "print", "exec",
};

gboolean
vdsm_naming_is_keyword (const char *word)
{
  for (gsize i = 0; i < G_N_ELEMENTS (keywords); i++)
    if (strcmp (word, keywords[i]) == 0)
      return TRUE;
  return FALSE;
}

char *
vdsm_naming_identifier (const char *name)
{
  char *snake = vdsm_naming_snake (name);

  if (*snake == '\0' || g_ascii_isdigit (*snake))
    {
      char *prefixed = g_strconcat ("v", snake, NULL);

      g_free (snake);
      snake = prefixed;
    }
  if (vdsm_naming_is_keyword (snake))
    {
      char *escaped = g_strconcat (snake, "_", NULL);

      g_free (snake);
      return escaped;
    }
  return snake;
}

char *
vdsm_naming_unique (GHashTable *used, const char *candidate)
{
  char *name = g_strdup (candidate);

  for (guint n = 2; g_hash_table_contains (used, name); n++)
    {
      g_free (name);
      name = g_strdup_printf ("%s_%u", candidate, n);
    }
  g_hash_table_add (used, g_strdup (name));
  return name;
}
