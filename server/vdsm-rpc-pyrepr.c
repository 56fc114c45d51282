/* vdsm-rpc-pyrepr.c: Python repr() of strings and JSON values. VDSM builds
 * its error messages from the repr of a context dict, and clients show
 * them as they are: keeping the same shape keeps the texts familiar.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vdsm-rpc-private.h"
#include "vdsm-json.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

gsize
vdsm_rpc_escape_char (const char *p, const char *end, const char **next, char escape[5])
{
  gunichar c = g_utf8_get_char_validated (p, end - p);
  char letter = 0;

  if (c == (gunichar) -1 || c == (gunichar) -2)
    {
      /* Not UTF-8 (or a NUL): show the byte, as repr() of bytes would. */
      *next = p + 1;
      c = (guchar) *p;
    }
  else
    {
      *next = g_utf8_next_char (p);
      if (c >= 0x20 && (c < 0x7f || c >= 0xa0))
        return 0;
    }
  switch (c)
    {
    case '\n': letter = 'n'; break;
    case '\r': letter = 'r'; break;
    case '\t': letter = 't'; break;
    default: break;
    }
  if (letter != 0)
    {
      escape[0] = '\\';
      escape[1] = letter;
      return 2;
    }
  g_snprintf (escape, 5, "\\x%02x", c);
  return 4;
}

void
vdsm_rpc_pyrepr_string (GString *out, const char *text)
{
  /* Python picks double quotes only when that avoids escaping. */
  char quote = (strchr (text, '\'') && !strchr (text, '"')) ? '"' : '\'';
  const char *end = text + strlen (text);

  g_string_append_c (out, quote);
  for (const char *p = text, *next; p < end; p = next)
    {
      char escape[5];
      gsize n = vdsm_rpc_escape_char (p, end, &next, escape);

      if (n > 0)
        g_string_append_len (out, escape, n);
      else
        {
          if (*p == quote || *p == '\\')
            g_string_append_c (out, '\\');
          g_string_append_len (out, p, next - p);
        }
    }
  g_string_append_c (out, quote);
}

/* repr() of a float: the shortest text that reads back the same, fixed
 * notation for exponents in [-4, 16), always with a fraction or exponent. */
static void
pyrepr_double (GString *out, double v)
{
  char buf[64];
  char format[16];
  int precision, exponent;

  if (isnan (v))
    {
      g_string_append (out, "nan");
      return;
    }
  if (isinf (v))
    {
      g_string_append (out, v < 0 ? "-inf" : "inf");
      return;
    }
  for (precision = 1; precision < 17; precision++)
    {
      g_snprintf (format, sizeof format, "%%.%de", precision - 1);
      g_ascii_formatd (buf, sizeof buf, format, v);
      if (g_ascii_strtod (buf, NULL) == v)
        break;
    }
  g_snprintf (format, sizeof format, "%%.%de", precision - 1);
  g_ascii_formatd (buf, sizeof buf, format, v);
  exponent = atoi (strchr (buf, 'e') + 1);
  if (exponent >= -4 && exponent < 16)
    {
      int decimals = precision - 1 - exponent;

      g_snprintf (format, sizeof format, "%%.%df", MAX (decimals, 0));
      g_ascii_formatd (buf, sizeof buf, format, v);
      if (decimals < 1)
        g_strlcat (buf, ".0", sizeof buf);
    }
  g_string_append (out, buf);
}

static void
pyrepr_scalar (GString *out, JsonNode *node)
{
  if (JSON_NODE_HOLDS_NULL (node))
    {
      g_string_append (out, "None");
      return;
    }
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      vdsm_rpc_pyrepr_string (out, json_node_get_string (node));
      break;
    case G_TYPE_BOOLEAN:
      g_string_append (out, json_node_get_boolean (node) ? "True" : "False");
      break;
    case G_TYPE_DOUBLE:
      pyrepr_double (out, json_node_get_double (node));
      break;
    default:
      g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
      break;
    }
}

static const VdsmJsonStyle pyrepr_style = {
  .separator = ", ",
  .name_separator = ": ",
  .write_name = vdsm_rpc_pyrepr_string,
  .write_scalar = pyrepr_scalar,
};

void
vdsm_rpc_pyrepr_node (GString *out, JsonNode *node)
{
  vdsm_json_write_styled (out, node, &pyrepr_style);
}
