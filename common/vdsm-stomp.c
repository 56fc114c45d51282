/* vdsm-stomp.c: STOMP 1.2 frame codec.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vdsm-stomp.h"
#include "vdsm-text.h"

#include <string.h>

G_DEFINE_QUARK (vdsm-stomp-error-quark, vdsm_stomp_error)

static const char *const command_names[] = {
  [VDSM_STOMP_COMMAND_UNKNOWN] = NULL,
  [VDSM_STOMP_COMMAND_CONNECT] = "CONNECT",
  [VDSM_STOMP_COMMAND_STOMP] = "STOMP",
  [VDSM_STOMP_COMMAND_CONNECTED] = "CONNECTED",
  [VDSM_STOMP_COMMAND_SEND] = "SEND",
  [VDSM_STOMP_COMMAND_SUBSCRIBE] = "SUBSCRIBE",
  [VDSM_STOMP_COMMAND_UNSUBSCRIBE] = "UNSUBSCRIBE",
  [VDSM_STOMP_COMMAND_ACK] = "ACK",
  [VDSM_STOMP_COMMAND_NACK] = "NACK",
  [VDSM_STOMP_COMMAND_BEGIN] = "BEGIN",
  [VDSM_STOMP_COMMAND_COMMIT] = "COMMIT",
  [VDSM_STOMP_COMMAND_ABORT] = "ABORT",
  [VDSM_STOMP_COMMAND_DISCONNECT] = "DISCONNECT",
  [VDSM_STOMP_COMMAND_MESSAGE] = "MESSAGE",
  [VDSM_STOMP_COMMAND_RECEIPT] = "RECEIPT",
  [VDSM_STOMP_COMMAND_ERROR] = "ERROR",
};

VdsmStompCommand
vdsm_stomp_command_from_string (const char *name)
{
  g_return_val_if_fail (name != NULL, VDSM_STOMP_COMMAND_UNKNOWN);

  for (guint i = 1; i < G_N_ELEMENTS (command_names); i++)
    if (strcmp (name, command_names[i]) == 0)
      return (VdsmStompCommand) i;
  return VDSM_STOMP_COMMAND_UNKNOWN;
}

const char *
vdsm_stomp_command_to_string (VdsmStompCommand command)
{
  if ((guint) command >= G_N_ELEMENTS (command_names))
    return NULL;
  return command_names[command];
}

/* ---- Frames ---- */

/* Names and values live NUL-separated in one string block, the command
 * word first, so a parsed frame costs a handful of allocations. */
typedef struct {
  gsize name;
  gsize value;
} HeaderOffsets;

struct _VdsmStompFrame {
  gatomicrefcount ref;
  VdsmStompCommand command;
  GString *strings;
  GArray *headers;       /* HeaderOffsets */
  char *body;            /* NUL-terminated, NULL when there is no body */
  gsize body_len;
};

G_DEFINE_BOXED_TYPE (VdsmStompFrame, vdsm_stomp_frame,
                     vdsm_stomp_frame_ref, vdsm_stomp_frame_unref)

static VdsmStompFrame *
frame_alloc (gsize strings_size)
{
  VdsmStompFrame *frame = g_new0 (VdsmStompFrame, 1);

  g_atomic_ref_count_init (&frame->ref);
  frame->strings = g_string_sized_new (strings_size);
  /* Room for a SEND's usual headers: no regrowth while parsing one. */
  frame->headers = g_array_sized_new (FALSE, FALSE, sizeof (HeaderOffsets), 8);
  return frame;
}

VdsmStompFrame *
vdsm_stomp_frame_new (const char *command)
{
  VdsmStompFrame *frame;

  g_return_val_if_fail (command != NULL && *command != '\0', NULL);

  frame = frame_alloc (64);
  vdsm_text_append_len (frame->strings, command, strlen (command) + 1);
  frame->command = vdsm_stomp_command_from_string (command);
  return frame;
}

VdsmStompFrame *
vdsm_stomp_frame_ref (VdsmStompFrame *frame)
{
  g_return_val_if_fail (frame != NULL, NULL);
  g_atomic_ref_count_inc (&frame->ref);
  return frame;
}

void
vdsm_stomp_frame_unref (VdsmStompFrame *frame)
{
  g_return_if_fail (frame != NULL);
  if (!g_atomic_ref_count_dec (&frame->ref))
    return;
  g_string_free (frame->strings, TRUE);
  g_array_unref (frame->headers);
  g_free (frame->body);
  g_free (frame);
}

VdsmStompCommand
vdsm_stomp_frame_get_command (const VdsmStompFrame *frame)
{
  g_return_val_if_fail (frame != NULL, VDSM_STOMP_COMMAND_UNKNOWN);
  return frame->command;
}

const char *
vdsm_stomp_frame_get_command_name (const VdsmStompFrame *frame)
{
  g_return_val_if_fail (frame != NULL, NULL);
  return frame->strings->str;
}

const char *
vdsm_stomp_frame_get_header (const VdsmStompFrame *frame, const char *name)
{
  g_return_val_if_fail (frame != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  for (guint i = 0; i < frame->headers->len; i++)
    {
      const HeaderOffsets *h = &g_array_index (frame->headers, HeaderOffsets, i);

      if (strcmp (frame->strings->str + h->name, name) == 0)
        return frame->strings->str + h->value;
    }
  return NULL;
}

guint
vdsm_stomp_frame_get_n_headers (const VdsmStompFrame *frame)
{
  g_return_val_if_fail (frame != NULL, 0);
  return frame->headers->len;
}

void
vdsm_stomp_frame_get_header_nth (const VdsmStompFrame *frame,
                                 guint index_,
                                 const char **name,
                                 const char **value)
{
  const HeaderOffsets *h;

  g_return_if_fail (frame != NULL);
  g_return_if_fail (index_ < frame->headers->len);

  h = &g_array_index (frame->headers, HeaderOffsets, index_);
  if (name)
    *name = frame->strings->str + h->name;
  if (value)
    *value = frame->strings->str + h->value;
}

void
vdsm_stomp_frame_add_header (VdsmStompFrame *frame,
                             const char *name,
                             const char *value)
{
  HeaderOffsets h;

  g_return_if_fail (frame != NULL);
  g_return_if_fail (name != NULL && value != NULL);

  h.name = frame->strings->len;
  vdsm_text_append_len (frame->strings, name, strlen (name) + 1);
  h.value = frame->strings->len;
  vdsm_text_append_len (frame->strings, value, strlen (value) + 1);
  g_array_append_val (frame->headers, h);
}

const char *
vdsm_stomp_frame_get_body (const VdsmStompFrame *frame, gsize *length)
{
  g_return_val_if_fail (frame != NULL, NULL);

  if (length)
    *length = frame->body_len;
  return frame->body ? frame->body : "";
}

gboolean
vdsm_stomp_frame_has_body (const VdsmStompFrame *frame)
{
  g_return_val_if_fail (frame != NULL, FALSE);
  return frame->body != NULL;
}

void
vdsm_stomp_frame_set_body (VdsmStompFrame *frame, const char *data, gssize length)
{
  g_return_if_fail (frame != NULL);
  g_return_if_fail (data != NULL || length <= 0);

  g_clear_pointer (&frame->body, g_free);
  frame->body_len = 0;
  if (data == NULL)
    return;
  if (length < 0)
    length = strlen (data);
  frame->body = g_malloc (length + 1);
  memcpy (frame->body, data, length);
  frame->body[length] = '\0';
  frame->body_len = length;
}

void
vdsm_stomp_frame_write (const VdsmStompFrame *frame, GString *out)
{
  g_return_if_fail (frame != NULL);
  g_return_if_fail (out != NULL);

  vdsm_stomp_write_command (out, frame->strings->str);
  for (guint i = 0; i < frame->headers->len; i++)
    {
      const HeaderOffsets *h = &g_array_index (frame->headers, HeaderOffsets, i);
      const char *name = frame->strings->str + h->name;

      if (strcmp (name, "content-length") != 0)
        vdsm_stomp_write_header (out, name, frame->strings->str + h->value);
    }
  vdsm_stomp_write_body (out, frame->body, frame->body_len);
}

/* ---- Writer ---- */

static void
append_escaped (GString *out, const char *text)
{
  const char *run = text;
  gsize clean = strcspn (text, "\\\n\r:");

  /* Names and values rarely need escaping: one append for the whole. */
  if (text[clean] == '\0')
    {
      vdsm_text_append_len (out, text, clean);
      return;
    }
  for (const char *p = text + clean; *p; p++)
    {
      const char *esc;

      switch (*p)
        {
        case '\\': esc = "\\\\"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case ':': esc = "\\c"; break;
        default: continue;
        }
      vdsm_text_append_len (out, run, p - run);
      vdsm_text_append_len (out, esc, 2);
      run = p + 1;
    }
  vdsm_text_append (out, run);
}

void
vdsm_stomp_write_command (GString *out, const char *command)
{
  g_return_if_fail (out != NULL && command != NULL);

  vdsm_text_append (out, command);
  g_string_append_c (out, '\n');
}

void
vdsm_stomp_write_header (GString *out, const char *name, const char *value)
{
  g_return_if_fail (out != NULL && name != NULL && value != NULL);

  append_escaped (out, name);
  g_string_append_c (out, ':');
  append_escaped (out, value);
  g_string_append_c (out, '\n');
}

void
vdsm_stomp_write_body (GString *out, const char *body, gssize length)
{
  g_return_if_fail (out != NULL);

  if (body != NULL)
    {
      char digits[24];
      char *d = digits + sizeof digits;
      gsize n;

      if (length < 0)
        length = strlen (body);
      /* By hand: this runs once per frame sent, and printf is slow. */
      n = length;
      do
        *--d = '0' + n % 10;
      while ((n /= 10) > 0);
      vdsm_text_append_len (out, "content-length:", strlen ("content-length:"));
      vdsm_text_append_len (out, d, digits + sizeof digits - d);
      vdsm_text_append_len (out, "\n\n", 2);
      vdsm_text_append_len (out, body, length);
    }
  else
    g_string_append_c (out, '\n');
  g_string_append_c (out, '\0');
}

/* ---- Parser ---- */

typedef enum {
  STATE_IDLE,          /* between frames */
  STATE_IDLE_CR,       /* between frames, after a CR */
  STATE_HEADERS,       /* in the command line or header lines */
  STATE_BODY_LENGTH,   /* reading content-length bytes */
  STATE_BODY_END,      /* expecting the NUL after a content-length body */
  STATE_BODY_NUL,      /* reading a body up to the first NUL */
  STATE_FAILED,
} ParserState;

struct _VdsmStompParser {
  gsize max_frame;
  gsize max_header;
  ParserState state;
  GString *hbuf;        /* raw header block of the current frame */
  gsize line_start;     /* offset in hbuf of the line being read */
  VdsmStompFrame *frame;
  char *body;
  gsize body_len;
  gsize body_alloc;
  gsize body_expected;  /* STATE_BODY_LENGTH */
};

VdsmStompParser *
vdsm_stomp_parser_new (gsize max_frame_size, gsize max_header_size)
{
  VdsmStompParser *parser = g_new0 (VdsmStompParser, 1);

  parser->max_frame = max_frame_size ? max_frame_size : VDSM_STOMP_DEFAULT_MAX_FRAME_SIZE;
  parser->max_header = max_header_size ? max_header_size : VDSM_STOMP_DEFAULT_MAX_HEADER_SIZE;
  parser->max_header = MIN (parser->max_header, parser->max_frame);
  parser->hbuf = g_string_sized_new (256);
  return parser;
}

static void
parser_clear_frame (VdsmStompParser *parser)
{
  g_clear_pointer (&parser->frame, vdsm_stomp_frame_unref);
  g_clear_pointer (&parser->body, g_free);
  parser->body_len = parser->body_alloc = parser->body_expected = 0;
  g_string_truncate (parser->hbuf, 0);
  parser->line_start = 0;
}

void
vdsm_stomp_parser_free (VdsmStompParser *parser)
{
  if (parser == NULL)
    return;
  parser_clear_frame (parser);
  g_string_free (parser->hbuf, TRUE);
  g_free (parser);
}

void
vdsm_stomp_parser_reset (VdsmStompParser *parser)
{
  g_return_if_fail (parser != NULL);
  parser_clear_frame (parser);
  parser->state = STATE_IDLE;
}

gboolean
vdsm_stomp_parser_is_idle (const VdsmStompParser *parser)
{
  g_return_val_if_fail (parser != NULL, FALSE);
  return parser->state == STATE_IDLE;
}

gsize
vdsm_stomp_parser_get_buffered (const VdsmStompParser *parser)
{
  g_return_val_if_fail (parser != NULL, 0);
  return parser->hbuf->len + parser->body_len;
}

static VdsmStompParseResult
parser_fail (VdsmStompParser *parser, GError **error, VdsmStompErrorCode code,
             const char *format, ...) G_GNUC_PRINTF (4, 5);

static VdsmStompParseResult
parser_fail (VdsmStompParser *parser, GError **error, VdsmStompErrorCode code,
             const char *format, ...)
{
  if (error)
    {
      va_list args;

      va_start (args, format);
      *error = g_error_new_valist (VDSM_STOMP_ERROR, code, format, args);
      va_end (args);
    }
  parser_clear_frame (parser);
  parser->state = STATE_FAILED;
  return VDSM_STOMP_PARSE_ERROR;
}

/* Appends the decoded form of [p, end) plus a NUL to @out. */
static gboolean
decode_header_text (GString *out, const char *p, const char *end,
                    gboolean is_value, GError **error)
{
  const char *run = p;

  /* memchr from escape to escape: most headers have none. */
  for (;; p++)
    {
      const char *escape = memchr (p, '\\', end - p);
      const char *stop = escape ? escape : end;
      char c;

      if (is_value && memchr (p, ':', stop - p) != NULL)
        {
          g_set_error_literal (error, VDSM_STOMP_ERROR, VDSM_STOMP_ERROR_MALFORMED,
                               "raw ':' in a STOMP header value");
          return FALSE;
        }
      if (escape == NULL)
        break;
      p = escape;
      if (p + 1 == end)
        {
          g_set_error_literal (error, VDSM_STOMP_ERROR, VDSM_STOMP_ERROR_MALFORMED,
                               "STOMP header ends with a lone '\\'");
          return FALSE;
        }
      switch (p[1])
        {
        case '\\': c = '\\'; break;
        case 'n': c = '\n'; break;
        case 'r': c = '\r'; break;
        case 'c': c = ':'; break;
        default:
          /* One byte of the peer's: as itself only when that is printable
           * ASCII, since a lone byte of a UTF-8 sequence is not text. */
          if (g_ascii_isprint (p[1]))
            g_set_error (error, VDSM_STOMP_ERROR, VDSM_STOMP_ERROR_MALFORMED,
                         "unknown escape '\\%c' in a STOMP header", p[1]);
          else
            g_set_error (error, VDSM_STOMP_ERROR, VDSM_STOMP_ERROR_MALFORMED,
                         "unknown escape of byte 0x%02x in a STOMP header", (guchar) p[1]);
          return FALSE;
        }
      vdsm_text_append_len (out, run, p - run);
      g_string_append_c (out, c);
      p++;
      run = p + 1;
    }
  vdsm_text_append_len (out, run, end - run);
  g_string_append_c (out, '\0');
  return TRUE;
}

/* FALSE when @text is not a decimal number. A number near or beyond
 * G_MAXSIZE reads as G_MAXSIZE, which is always refused as too large. */
static gboolean
parse_content_length (const char *text, gsize *value)
{
  gsize v = 0;

  if (*text == '\0')
    return FALSE;
  for (; *text; text++)
    {
      if (!g_ascii_isdigit (*text))
        return FALSE;
      if (v > (G_MAXSIZE - 9) / 10)
        v = G_MAXSIZE;
      else
        v = v * 10 + (*text - '0');
    }
  *value = v;
  return TRUE;
}

/* hbuf holds the complete header block, blank line included. Builds
 * parser->frame and chooses the body state. */
static VdsmStompParseResult
parser_end_headers (VdsmStompParser *parser, GError **error)
{
  const char *block = parser->hbuf->str;
  const char *end = block + parser->line_start; /* the blank line is not parsed */
  const char *line = block;
  const char *content_length = NULL;
  VdsmStompFrame *frame;
  GError *local_error = NULL;

  if (!vdsm_text_is_utf8 (block, parser->hbuf->len))
    return parser_fail (parser, error, VDSM_STOMP_ERROR_MALFORMED,
                        "STOMP header block is not valid UTF-8");

  frame = parser->frame = frame_alloc (parser->hbuf->len + 16);
  while (line < end)
    {
      const char *eol = memchr (line, '\n', end - line);
      const char *line_end = eol;

      g_assert (eol != NULL);
      if (line_end > line && line_end[-1] == '\r')
        line_end--;

      if (line == block)
        {
          /* The command word is kept verbatim: STOMP does not escape it. */
          vdsm_text_append_len (frame->strings, line, line_end - line);
          g_string_append_c (frame->strings, '\0');
          frame->command = vdsm_stomp_command_from_string (frame->strings->str);
        }
      else
        {
          const char *colon = memchr (line, ':', line_end - line);
          HeaderOffsets h;

          if (colon == NULL)
            return parser_fail (parser, error, VDSM_STOMP_ERROR_MALFORMED,
                                "STOMP header line without ':'");
          h.name = frame->strings->len;
          if (!decode_header_text (frame->strings, line, colon, FALSE, &local_error))
            goto malformed;
          h.value = frame->strings->len;
          if (!decode_header_text (frame->strings, colon + 1, line_end, TRUE, &local_error))
            goto malformed;
          g_array_append_val (frame->headers, h);
          if (content_length == NULL &&
              strcmp (frame->strings->str + h.name, "content-length") == 0)
            content_length = frame->strings->str + h.value;
        }
      line = eol + 1;
    }

  if (content_length != NULL)
    {
      gsize n;

      /* The text is not quoted: it may be as long as the header block. */
      if (!parse_content_length (content_length, &n))
        return parser_fail (parser, error, VDSM_STOMP_ERROR_CONTENT_LENGTH,
                            "STOMP content-length is not a decimal number of bytes");
      if (n == G_MAXSIZE || n > parser->max_frame - parser->hbuf->len)
        return parser_fail (parser, error, VDSM_STOMP_ERROR_TOO_LARGE,
                            "STOMP frame exceeds the limit of %" G_GSIZE_FORMAT
                            " bytes (content-length %" G_GSIZE_FORMAT "%s)",
                            parser->max_frame, n, n == G_MAXSIZE ? " or more" : "");
      parser->body_expected = n;
      /* Exact size: large bodies are mmap()ed, so untouched pages of a
       * declared-but-unsent body cost no memory. */
      parser->body = g_malloc (n + 1);
      parser->body_alloc = n + 1;
      parser->state = n > 0 ? STATE_BODY_LENGTH : STATE_BODY_END;
    }
  else
    parser->state = STATE_BODY_NUL;
  return VDSM_STOMP_PARSE_NEED_MORE;

malformed:
  {
    VdsmStompParseResult r = parser_fail (parser, error, VDSM_STOMP_ERROR_MALFORMED,
                                          "%s", local_error->message);
    g_error_free (local_error);
    return r;
  }
}

static VdsmStompFrame *
parser_take_frame (VdsmStompParser *parser)
{
  VdsmStompFrame *frame = g_steal_pointer (&parser->frame);

  if (parser->body == NULL)
    parser->body = g_malloc (1);
  parser->body[parser->body_len] = '\0';
  frame->body = g_steal_pointer (&parser->body);
  frame->body_len = parser->body_len;
  parser_clear_frame (parser);
  parser->state = STATE_IDLE;
  return frame;
}

static gboolean
body_reserve (VdsmStompParser *parser, gsize extra)
{
  gsize need = parser->body_len + extra + 1;
  gsize cap = parser->max_frame - parser->hbuf->len + 1;

  if (extra == 0)
    return TRUE;
  if (need > cap)
    return FALSE;
  if (need > parser->body_alloc)
    {
      gsize alloc = MAX (need, MAX (parser->body_alloc * 2, 256));

      parser->body_alloc = MIN (alloc, cap);
      parser->body = g_realloc (parser->body, parser->body_alloc);
    }
  return TRUE;
}

VdsmStompParseResult
vdsm_stomp_parser_parse (VdsmStompParser *parser,
                         const char **data,
                         gsize *length,
                         VdsmStompFrame **frame,
                         GError **error)
{
  g_return_val_if_fail (parser != NULL, VDSM_STOMP_PARSE_ERROR);
  g_return_val_if_fail (data != NULL && length != NULL, VDSM_STOMP_PARSE_ERROR);
  g_return_val_if_fail (*data != NULL || *length == 0, VDSM_STOMP_PARSE_ERROR);
  g_return_val_if_fail (error == NULL || *error == NULL, VDSM_STOMP_PARSE_ERROR);

  if (frame)
    *frame = NULL;

  if (parser->state == STATE_FAILED)
    {
      g_set_error_literal (error, VDSM_STOMP_ERROR, VDSM_STOMP_ERROR_FAILED,
                           "the STOMP stream already failed");
      return VDSM_STOMP_PARSE_ERROR;
    }

  while (*length > 0)
    {
      const char *p = *data;
      gsize n = *length;

      switch (parser->state)
        {
        case STATE_IDLE:
          if (*p == '\n')
            {
              *data += 1, *length -= 1;
              return VDSM_STOMP_PARSE_HEARTBEAT;
            }
          if (*p == '\r')
            {
              *data += 1, *length -= 1;
              parser->state = STATE_IDLE_CR;
              break;
            }
          parser->state = STATE_HEADERS;
          break;

        case STATE_IDLE_CR:
          if (*p != '\n')
            return parser_fail (parser, error, VDSM_STOMP_ERROR_MALFORMED,
                                "CR not followed by LF between STOMP frames");
          *data += 1, *length -= 1;
          parser->state = STATE_IDLE;
          return VDSM_STOMP_PARSE_HEARTBEAT;

        case STATE_HEADERS:
          {
            const char *nl = memchr (p, '\n', n);
            gsize chunk = nl ? (gsize) (nl - p) + 1 : n;
            gsize line_len;

            if (chunk > parser->max_header - parser->hbuf->len)
              return parser_fail (parser, error, VDSM_STOMP_ERROR_TOO_LARGE,
                                  "STOMP header block exceeds the limit of %"
                                  G_GSIZE_FORMAT " bytes", parser->max_header);
            if (memchr (p, '\0', chunk) != NULL)
              return parser_fail (parser, error, VDSM_STOMP_ERROR_MALFORMED,
                                  "NUL byte in a STOMP header block");
            vdsm_text_append_len (parser->hbuf, p, chunk);
            *data += chunk, *length -= chunk;
            if (nl == NULL)
              break;

            line_len = parser->hbuf->len - parser->line_start;
            if (parser->line_start > 0 &&
                (line_len == 1 ||
                 (line_len == 2 && parser->hbuf->str[parser->line_start] == '\r')))
              {
                if (parser_end_headers (parser, error) == VDSM_STOMP_PARSE_ERROR)
                  return VDSM_STOMP_PARSE_ERROR;
              }
            else
              parser->line_start = parser->hbuf->len;
          }
          break;

        case STATE_BODY_LENGTH:
          {
            gsize chunk = MIN (n, parser->body_expected - parser->body_len);

            memcpy (parser->body + parser->body_len, p, chunk);
            parser->body_len += chunk;
            *data += chunk, *length -= chunk;
            if (parser->body_len == parser->body_expected)
              parser->state = STATE_BODY_END;
          }
          break;

        case STATE_BODY_END:
          if (*p != '\0')
            return parser_fail (parser, error, VDSM_STOMP_ERROR_MALFORMED,
                                "STOMP body does not end with NUL after content-length %"
                                G_GSIZE_FORMAT " bytes", parser->body_expected);
          *data += 1, *length -= 1;
          if (frame)
            *frame = parser_take_frame (parser);
          else
            vdsm_stomp_frame_unref (parser_take_frame (parser));
          return VDSM_STOMP_PARSE_FRAME;

        case STATE_BODY_NUL:
          {
            const char *nul = memchr (p, '\0', n);
            gsize chunk = nul ? (gsize) (nul - p) : n;

            if (!body_reserve (parser, chunk))
              return parser_fail (parser, error, VDSM_STOMP_ERROR_TOO_LARGE,
                                  "STOMP frame exceeds the limit of %" G_GSIZE_FORMAT
                                  " bytes", parser->max_frame);
            if (chunk > 0)
              memcpy (parser->body + parser->body_len, p, chunk);
            parser->body_len += chunk;
            *data += chunk, *length -= chunk;
            if (nul == NULL)
              break;
            *data += 1, *length -= 1;
            if (frame)
              *frame = parser_take_frame (parser);
            else
              vdsm_stomp_frame_unref (parser_take_frame (parser));
            return VDSM_STOMP_PARSE_FRAME;
          }

        case STATE_FAILED:
        default:
          g_assert_not_reached ();
        }
    }
  return VDSM_STOMP_PARSE_NEED_MORE;
}
