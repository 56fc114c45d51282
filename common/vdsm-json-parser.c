/* vdsm-json-parser.c: a strict RFC 8259 parser that builds JsonNode trees.
 *
 * json-glib's JsonParser tokenizes through GScanner and emits GObject
 * signals; on a Host.ping request that was more than half of the daemon's
 * instructions.  This parser goes from bytes to the same JsonNode trees in
 * one pass, so the rest of the code (validator, generated readers) is
 * unchanged.  It is also the one place that bounds nesting, since every
 * recursive consumer of the tree (json-glib's own copy and free included)
 * would otherwise overflow the stack on hostile input.
 */
#include "vdsm-json.h"
#include "vdsm-error.h"
#include "vdsm-text.h"

#include <math.h>
#include <string.h>

typedef VdsmJsonReader Parser;

static gboolean G_GNUC_PRINTF (2, 3)
fail (Parser *ps, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (ps->error, VDSM_ERROR, VDSM_ERROR_PARSE, "JSON text, byte %" G_GSIZE_FORMAT ": %s",
               (gsize) (ps->p - ps->start), message);
  return FALSE;
}

static gboolean
fail_unexpected (Parser *ps, const char *wanted)
{
  if (ps->p >= ps->end)
    return fail (ps, "the text ends where %s was expected", wanted);
  if (g_ascii_isprint (*ps->p))
    return fail (ps, "'%c' where %s was expected", *ps->p, wanted);
  return fail (ps, "byte 0x%02x where %s was expected", (guchar) *ps->p, wanted);
}

static void
skip_space (Parser *ps)
{
  while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\n' || *ps->p == '\r' || *ps->p == '\t'))
    ps->p++;
}

static int
hex_digit (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  c = g_ascii_tolower (c);
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1;
}

static gboolean
read_hex4 (Parser *ps, gunichar *out)
{
  gunichar value = 0;

  if (ps->end - ps->p < 4)
    return fail (ps, "a \\u escape needs four hex digits");
  for (int i = 0; i < 4; i++)
    {
      int digit = hex_digit (ps->p[i]);

      if (digit < 0)
        return fail (ps, "a \\u escape needs four hex digits");
      value = value * 16 + (gunichar) digit;
    }
  ps->p += 4;
  *out = value;
  return TRUE;
}

/* After "\u": one code point, joining a surrogate pair. */
static gboolean
read_unicode_escape (Parser *ps)
{
  gunichar c;

  if (!read_hex4 (ps, &c))
    return FALSE;
  if (c >= 0xdc00 && c <= 0xdfff)
    return fail (ps, "a low surrogate \\u%04x without a high one", c);
  if (c >= 0xd800 && c <= 0xdbff)
    {
      gunichar low;

      if (ps->end - ps->p < 2 || ps->p[0] != '\\' || ps->p[1] != 'u')
        return fail (ps, "a high surrogate \\u%04x without a low one", c);
      ps->p += 2;
      if (!read_hex4 (ps, &low))
        return FALSE;
      if (low < 0xdc00 || low > 0xdfff)
        return fail (ps, "a high surrogate \\u%04x without a low one", c);
      c = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
    }
  /* C strings end at NUL: accepting it would silently cut the value. */
  if (c == 0)
    return fail (ps, "\\u0000 cannot be carried in a string here");
  g_string_append_unichar (ps->scratch, c);
  return TRUE;
}

/* At the opening quote; leaves the unescaped text in ps->scratch. */
static gboolean
read_string (Parser *ps)
{
  const char *run;

  g_string_truncate (ps->scratch, 0);
  ps->p++;
  run = ps->p;
  for (;;)
    {
      guchar c;

      if (ps->p >= ps->end)
        return fail (ps, "a string is not closed");
      c = (guchar) *ps->p;
      if (c == '"' || c == '\\' || c < 0x20)
        {
          vdsm_text_append_len (ps->scratch, run, ps->p - run);
          if (c == '"')
            break;
          if (c < 0x20)
            return fail (ps, "control character 0x%02x inside a string", c);
          ps->p++;
          if (ps->p >= ps->end)
            return fail (ps, "a string is not closed");
          switch (*ps->p++)
            {
            case '"': g_string_append_c (ps->scratch, '"'); break;
            case '\\': g_string_append_c (ps->scratch, '\\'); break;
            case '/': g_string_append_c (ps->scratch, '/'); break;
            case 'b': g_string_append_c (ps->scratch, '\b'); break;
            case 'f': g_string_append_c (ps->scratch, '\f'); break;
            case 'n': g_string_append_c (ps->scratch, '\n'); break;
            case 'r': g_string_append_c (ps->scratch, '\r'); break;
            case 't': g_string_append_c (ps->scratch, '\t'); break;
            case 'u':
              if (!read_unicode_escape (ps))
                return FALSE;
              break;
            default:
              ps->p--;
              return fail (ps, "unknown escape '\\%c'", g_ascii_isprint (*ps->p) ? *ps->p : '?');
            }
          run = ps->p;
          continue;
        }
      ps->p++;
    }
  /* Escapes only add valid UTF-8; the raw runs are what need checking. */
  if (!vdsm_text_is_utf8 (ps->scratch->str, ps->scratch->len))
    return fail (ps, "a string is not valid UTF-8");
  ps->p++;
  return TRUE;
}

static gsize
skip_digits (Parser *ps)
{
  const char *first = ps->p;

  while (ps->p < ps->end && g_ascii_isdigit (*ps->p))
    ps->p++;
  return (gsize) (ps->p - first);
}

/* Integers that fit in gint64 stay integers (as json-glib keeps them);
 * anything else is a double. */
static JsonNode *
read_number (Parser *ps)
{
  const char *first = ps->p;
  gboolean negative = FALSE, integral = TRUE, overflow = FALSE;
  guint64 magnitude = 0;
  gdouble value;
  JsonNode *node;

  if (*ps->p == '-')
    {
      negative = TRUE;
      ps->p++;
    }
  if (ps->p < ps->end && *ps->p == '0')
    ps->p++;
  else if (skip_digits (ps) == 0)
    return fail_unexpected (ps, "a digit"), NULL;
  for (const char *d = first + negative; d < ps->p; d++)
    {
      guint digit = (guint) (*d - '0');

      if (magnitude > (G_MAXUINT64 - digit) / 10)
        overflow = TRUE;
      else
        magnitude = magnitude * 10 + digit;
    }
  if (ps->p < ps->end && *ps->p == '.')
    {
      integral = FALSE;
      ps->p++;
      if (skip_digits (ps) == 0)
        return fail_unexpected (ps, "a digit after '.'"), NULL;
    }
  if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E'))
    {
      integral = FALSE;
      ps->p++;
      if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
        ps->p++;
      if (skip_digits (ps) == 0)
        return fail_unexpected (ps, "a digit in the exponent"), NULL;
    }

  node = json_node_alloc ();
  if (integral && !overflow &&
      magnitude <= (negative ? (guint64) G_MAXINT64 + 1 : (guint64) G_MAXINT64))
    return json_node_init_int (node, negative ? (gint64) (0 - magnitude) : (gint64) magnitude);
  g_string_truncate (ps->scratch, 0);
  vdsm_text_append_len (ps->scratch, first, ps->p - first);
  value = g_ascii_strtod (ps->scratch->str, NULL);
  /* No JSON text can carry an infinity back out. */
  if (!isfinite (value))
    {
      json_node_unref (node);
      ps->p = first;
      return fail (ps, "the number %s is out of range", ps->scratch->str), NULL;
    }
  return json_node_init_double (node, value);
}

static gboolean
read_word (Parser *ps, const char *word)
{
  gsize len = strlen (word);

  if ((gsize) (ps->end - ps->p) < len || memcmp (ps->p, word, len) != 0)
    return fail_unexpected (ps, "a JSON value");
  ps->p += len;
  return TRUE;
}

static JsonNode *read_value (Parser *ps);

static JsonNode *
read_array (Parser *ps)
{
  g_autoptr(JsonArray) array = json_array_new ();

  ps->p++;
  skip_space (ps);
  if (ps->p < ps->end && *ps->p == ']')
    ps->p++;
  else
    for (;;)
      {
        JsonNode *element = read_value (ps);

        if (element == NULL)
          return NULL;
        json_array_add_element (array, element);
        skip_space (ps);
        if (ps->p < ps->end && *ps->p == ',')
          ps->p++;
        else if (ps->p < ps->end && *ps->p == ']')
          {
            ps->p++;
            break;
          }
        else
          return fail_unexpected (ps, "',' or ']'"), NULL;
      }
  return json_node_init_array (json_node_alloc (), array);
}

static JsonNode *
read_object (Parser *ps)
{
  g_autoptr(JsonObject) object = json_object_new ();

  ps->p++;
  skip_space (ps);
  if (ps->p < ps->end && *ps->p == '}')
    ps->p++;
  else
    for (;;)
      {
        g_autofree char *name = NULL;
        JsonNode *member;

        skip_space (ps);
        if (ps->p >= ps->end || *ps->p != '"')
          return fail_unexpected (ps, "a member name"), NULL;
        if (!read_string (ps))
          return NULL;
        name = g_strndup (ps->scratch->str, ps->scratch->len);
        skip_space (ps);
        if (ps->p >= ps->end || *ps->p != ':')
          return fail_unexpected (ps, "':'"), NULL;
        ps->p++;
        member = read_value (ps);
        if (member == NULL)
          return NULL;
        /* A repeated name keeps its last value, as json-glib and Python do. */
        json_object_set_member (object, name, member);
        skip_space (ps);
        if (ps->p < ps->end && *ps->p == ',')
          ps->p++;
        else if (ps->p < ps->end && *ps->p == '}')
          {
            ps->p++;
            break;
          }
        else
          return fail_unexpected (ps, "',' or '}'"), NULL;
      }
  return json_node_init_object (json_node_alloc (), object);
}

static JsonNode *
read_container (Parser *ps)
{
  JsonNode *node;

  if (++ps->depth > VDSM_JSON_MAX_DEPTH)
    return fail (ps, "JSON nested deeper than %u levels", VDSM_JSON_MAX_DEPTH), NULL;
  node = *ps->p == '{' ? read_object (ps) : read_array (ps);
  ps->depth--;
  return node;
}

static JsonNode *
read_value (Parser *ps)
{
  skip_space (ps);
  if (ps->p >= ps->end)
    return fail_unexpected (ps, "a JSON value"), NULL;
  switch (*ps->p)
    {
    case '{':
    case '[':
      return read_container (ps);
    case '"':
      if (!read_string (ps))
        return NULL;
      return json_node_init_string (json_node_alloc (), ps->scratch->str);
    case 't':
      return read_word (ps, "true") ? json_node_init_boolean (json_node_alloc (), TRUE) : NULL;
    case 'f':
      return read_word (ps, "false") ? json_node_init_boolean (json_node_alloc (), FALSE) : NULL;
    case 'n':
      return read_word (ps, "null") ? json_node_init_null (json_node_alloc ()) : NULL;
    case '-':
    case '0' ... '9':
      return read_number (ps);
    default:
      return fail_unexpected (ps, "a JSON value"), NULL;
    }
}

/* ---- The reader, for callers that know the shape they expect ---- */

void
vdsm_json_reader_init (VdsmJsonReader *reader, const char *data, gsize length,
                       GString *scratch, GError **error)
{
  *reader = (VdsmJsonReader) { data, data, data + length, 0, scratch, error };
}

char
vdsm_json_reader_peek (VdsmJsonReader *reader)
{
  skip_space (reader);
  return reader->p < reader->end ? *reader->p : '\0';
}

gboolean
vdsm_json_reader_skip (VdsmJsonReader *reader, char c)
{
  if (vdsm_json_reader_peek (reader) != c || reader->p >= reader->end)
    return FALSE;
  reader->p++;
  return TRUE;
}

const char *
vdsm_json_reader_string (VdsmJsonReader *reader, gsize *length)
{
  if (vdsm_json_reader_peek (reader) != '"' || reader->p >= reader->end)
    return fail_unexpected (reader, "a string"), NULL;
  if (!read_string (reader))
    return NULL;
  *length = reader->scratch->len;
  return reader->scratch->str;
}

JsonNode *
vdsm_json_reader_value (VdsmJsonReader *reader)
{
  return read_value (reader);
}

gboolean
vdsm_json_reader_at_end (VdsmJsonReader *reader)
{
  skip_space (reader);
  return reader->p == reader->end;
}

/**
 * vdsm_json_parse_data:
 * @data: (array length=length): JSON text, not necessarily NUL-terminated
 * @length: bytes in @data
 * @error: return location for a %VDSM_ERROR_PARSE error
 *
 * Parses one JSON value (RFC 8259, nothing after it but white space), nested
 * at most %VDSM_JSON_MAX_DEPTH levels.  Integers that fit in 64 bits are
 * int nodes, other numbers double nodes.  Strings must be UTF-8 and cannot
 * hold U+0000.
 *
 * Returns: (transfer full) (nullable): the value, or %NULL with @error set
 */
JsonNode *
vdsm_json_parse_data (const char *data, gsize length, GError **error)
{
  g_autoptr(GString) scratch = g_string_sized_new (64);
  Parser ps;
  JsonNode *root;

  vdsm_json_reader_init (&ps, data, length, scratch, error);
  root = read_value (&ps);

  if (root == NULL)
    return NULL;
  skip_space (&ps);
  if (ps.p < ps.end)
    {
      fail_unexpected (&ps, "the end of the text");
      json_node_unref (root);
      return NULL;
    }
  return root;
}

/**
 * vdsm_json_parse:
 * @text: NUL-terminated JSON text
 * @error: return location for a %VDSM_ERROR_PARSE error
 *
 * vdsm_json_parse_data() on a C string.
 *
 * Returns: (transfer full) (nullable): the value, or %NULL with @error set
 */
JsonNode *
vdsm_json_parse (const char *text, GError **error)
{
  return vdsm_json_parse_data (text, strlen (text), error);
}
