/* fuzz-stomp.c: the STOMP 1.2 frame codec (common/vdsm-stomp.c).
 *
 * Input: two bytes choosing the parser limits, one byte seeding the
 * chunking, then the byte stream. The stream is parsed
 *  - whole, and again cut into pseudo-random chunks: both must report the
 *    same frames and heart-beats and fail at the same point, and every
 *    call must keep the API's promises (NEED_MORE consumes everything,
 *    a failed parser stays failed until reset, no frame beyond the limit,
 *    UTF-8 error messages);
 *  - every frame found is written back with the writer and must re-parse
 *    identically;
 *  - the stream also serves as a recipe for a frame built with the frame
 *    API (command, headers, body with any bytes), which must survive
 *    write + parse unchanged.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "fuzz-common.h"
#include "vdsm-stomp.h"

#include <string.h>

#define HEADER_BYTES 3

/* ---- Event logs: what a parser reported, comparable across runs ---- */

static void
log_frame (GString *log, const VdsmStompFrame *frame)
{
  guint n = vdsm_stomp_frame_get_n_headers (frame);
  gsize body_len;
  const char *body = vdsm_stomp_frame_get_body (frame, &body_len);

  /* Length-prefixed, so that no content can fake a boundary. */
  g_string_append_printf (log, "F%zu:%s", strlen (vdsm_stomp_frame_get_command_name (frame)),
                          vdsm_stomp_frame_get_command_name (frame));
  for (guint i = 0; i < n; i++)
    {
      const char *name, *value;

      vdsm_stomp_frame_get_header_nth (frame, i, &name, &value);
      g_string_append_printf (log, "H%zu:%s%zu:%s", strlen (name), name, strlen (value), value);
    }
  g_string_append_printf (log, "B%zu:", body_len);
  g_string_append_len (log, body, body_len);
}

/* ---- Frame checks ---- */

static gboolean
is_content_length (const char *name)
{
  return strcmp (name, "content-length") == 0;
}

/* @copy was obtained by writing @orig and parsing the result. */
static void
check_same_frame (const VdsmStompFrame *orig, const VdsmStompFrame *copy)
{
  guint n_orig = vdsm_stomp_frame_get_n_headers (orig);
  guint n_copy = vdsm_stomp_frame_get_n_headers (copy);
  guint j = 0;
  gsize orig_len, copy_len;
  const char *orig_body = vdsm_stomp_frame_get_body (orig, &orig_len);
  const char *copy_body = vdsm_stomp_frame_get_body (copy, &copy_len);
  const char *name, *value;

  FUZZ_CHECK (strcmp (vdsm_stomp_frame_get_command_name (orig),
                      vdsm_stomp_frame_get_command_name (copy)) == 0,
              "command '%s' came back as '%s'", vdsm_stomp_frame_get_command_name (orig),
              vdsm_stomp_frame_get_command_name (copy));
  FUZZ_CHECK (vdsm_stomp_frame_get_command (orig) == vdsm_stomp_frame_get_command (copy),
              "command enum changed");

  /* The writer drops content-length headers and appends its own. */
  for (guint i = 0; i < n_orig; i++)
    {
      const char *copy_name, *copy_value;

      vdsm_stomp_frame_get_header_nth (orig, i, &name, &value);
      if (is_content_length (name))
        continue;
      FUZZ_CHECK (j < n_copy, "header %u (%s) lost", i, name);
      vdsm_stomp_frame_get_header_nth (copy, j++, &copy_name, &copy_value);
      FUZZ_CHECK (strcmp (name, copy_name) == 0 && strcmp (value, copy_value) == 0,
                  "header '%s: %s' came back as '%s: %s'", name, value, copy_name, copy_value);
    }
  if (vdsm_stomp_frame_has_body (orig))
    {
      g_autofree char *expected = g_strdup_printf ("%zu", orig_len);

      FUZZ_CHECK (j + 1 == n_copy, "%u headers written, %u read", j + 1, n_copy);
      vdsm_stomp_frame_get_header_nth (copy, j, &name, &value);
      FUZZ_CHECK (is_content_length (name) && strcmp (value, expected) == 0,
                  "last header is '%s: %s', not content-length: %s", name, value, expected);
    }
  else
    FUZZ_CHECK (j == n_copy, "%u headers written, %u read", j, n_copy);
  FUZZ_CHECK (orig_len == copy_len && memcmp (orig_body, copy_body, orig_len) == 0,
              "body of %zu bytes came back as %zu bytes", orig_len, copy_len);
}

/* The streaming writer and vdsm_stomp_frame_write() must agree. */
static void
write_streaming (const VdsmStompFrame *frame, GString *out)
{
  guint n = vdsm_stomp_frame_get_n_headers (frame);
  gsize body_len;
  const char *body = vdsm_stomp_frame_get_body (frame, &body_len);

  vdsm_stomp_write_command (out, vdsm_stomp_frame_get_command_name (frame));
  for (guint i = 0; i < n; i++)
    {
      const char *name, *value;

      vdsm_stomp_frame_get_header_nth (frame, i, &name, &value);
      if (!is_content_length (name))
        vdsm_stomp_write_header (out, name, value);
    }
  vdsm_stomp_write_body (out, vdsm_stomp_frame_has_body (frame) ? body : NULL, body_len);
}

/* Writes @frame, parses it back with default limits, compares. */
static void
check_round_trip (const VdsmStompFrame *frame)
{
  g_autoptr(GString) wire = g_string_new (NULL);
  g_autoptr(GString) streamed = g_string_new (NULL);
  g_autoptr(VdsmStompParser) parser = vdsm_stomp_parser_new (0, 0);
  g_autoptr(VdsmStompFrame) copy = NULL;
  g_autoptr(GError) error = NULL;
  const char *data;
  gsize length;
  VdsmStompParseResult r;

  vdsm_stomp_frame_write (frame, wire);
  write_streaming (frame, streamed);
  FUZZ_CHECK (g_string_equal (wire, streamed), "frame writer and streaming writer differ");

  data = wire->str;
  length = wire->len;
  r = vdsm_stomp_parser_parse (parser, &data, &length, &copy, &error);
  FUZZ_CHECK (r == VDSM_STOMP_PARSE_FRAME, "written frame re-parsed as %d (%s)", r,
              error ? error->message : "no error");
  FUZZ_CHECK (length == 0, "%zu bytes left after the written frame", length);
  check_same_frame (frame, copy);
}

/* The writer's contract takes any command without EOL or NUL; a command
 * ending in CR reads back without it (the CR belongs to a CRLF EOL), so
 * only commands without CR can round-trip. */
static gboolean
can_round_trip (const VdsmStompFrame *frame)
{
  return strchr (vdsm_stomp_frame_get_command_name (frame), '\r') == NULL;
}

/* ---- Parsing runs ---- */

typedef struct {
  guint32 state;
} Rng;

static guint32
rng_next (Rng *rng)
{
  /* xorshift32: cheap, deterministic for a given seed byte. */
  rng->state ^= rng->state << 13;
  rng->state ^= rng->state >> 17;
  rng->state ^= rng->state << 5;
  return rng->state;
}

static gsize
next_chunk (Rng *rng)
{
  guint32 r = rng_next (rng);

  /* Mostly tiny pieces (split EOLs, escapes, CRLF), sometimes large. */
  switch (r & 3)
    {
    case 0: return 1;
    case 1: return 1 + ((r >> 2) & 7);
    case 2: return 1 + ((r >> 2) & 63);
    default: return 1 + ((r >> 2) & 1023);
    }
}

typedef struct {
  GString *log;
  int error_code;       /* -1: no error */
  char *error_message;
} RunResult;

/* Parses @stream in chunks (@rng NULL: in one piece), logging events and
 * checking the per-call promises. Stops at the first error. */
static void
parse_run (const char *stream, gsize size, gsize max_frame, gsize max_header,
           Rng *rng, gboolean round_trip, RunResult *res)
{
  g_autoptr(VdsmStompParser) parser = vdsm_stomp_parser_new (max_frame, max_header);
  gsize pos = 0, frame_start = 0;

  res->log = g_string_new (NULL);
  res->error_code = -1;
  res->error_message = NULL;
  FUZZ_CHECK (vdsm_stomp_parser_is_idle (parser), "new parser not idle");

  while (pos < size)
    {
      gsize chunk = rng ? next_chunk (rng) : size;
      const char *data = stream + pos;
      gsize length;

      chunk = MIN (chunk, size - pos);
      length = chunk;

      while (length > 0)
        {
          g_autoptr(VdsmStompFrame) frame = NULL;
          g_autoptr(GError) error = NULL;
          gsize before = length;
          VdsmStompParseResult r = vdsm_stomp_parser_parse (parser, &data, &length, &frame, &error);
          gsize used = before - length;

          FUZZ_CHECK (data == stream + pos + (chunk - length), "data and length out of step");
          pos += used;
          chunk -= used;
          switch (r)
            {
            case VDSM_STOMP_PARSE_NEED_MORE:
              FUZZ_CHECK (length == 0 && error == NULL && frame == NULL,
                          "NEED_MORE with %zu bytes left", length);
              break;
            case VDSM_STOMP_PARSE_HEARTBEAT:
              FUZZ_CHECK (used > 0 && frame == NULL && error == NULL, "bad heart-beat report");
              FUZZ_CHECK (vdsm_stomp_parser_is_idle (parser), "not idle after a heart-beat");
              FUZZ_CHECK (stream[pos - 1] == '\n', "heart-beat not ending in LF");
              g_string_append_c (res->log, 'h');
              frame_start = pos;
              break;
            case VDSM_STOMP_PARSE_FRAME:
              {
                gsize body_len;

                FUZZ_CHECK (frame != NULL && error == NULL && used > 0, "bad frame report");
                FUZZ_CHECK (vdsm_stomp_parser_is_idle (parser), "not idle after a frame");
                FUZZ_CHECK (stream[pos - 1] == '\0', "frame not ending in NUL");
                vdsm_stomp_frame_get_body (frame, &body_len);
                /* Header block + body within the limit, plus the NUL. */
                FUZZ_CHECK (pos - frame_start <= max_frame + 1,
                            "frame of %zu bytes passed the limit of %zu", pos - frame_start,
                            max_frame);
                FUZZ_CHECK (vdsm_stomp_frame_has_body (frame), "parsed frame without body");
                log_frame (res->log, frame);
                if (round_trip && can_round_trip (frame))
                  check_round_trip (frame);
                frame_start = pos;
              }
              break;
            case VDSM_STOMP_PARSE_ERROR:
              {
                g_autoptr(GError) again = NULL;
                const char *stuck = data;
                gsize stuck_len = length;

                FUZZ_CHECK (frame == NULL, "frame returned with an error");
                FUZZ_CHECK (g_error_matches (error, VDSM_STOMP_ERROR, VDSM_STOMP_ERROR_MALFORMED) ||
                            g_error_matches (error, VDSM_STOMP_ERROR, VDSM_STOMP_ERROR_TOO_LARGE) ||
                            g_error_matches (error, VDSM_STOMP_ERROR,
                                             VDSM_STOMP_ERROR_CONTENT_LENGTH),
                            "unexpected error %s", error ? error->message : "(none)");
                FUZZ_CHECK_UTF8 (error->message, -1, "parser error message");
                /* A failed parser refuses everything, consuming nothing. */
                if (stuck_len > 0)
                  {
                    FUZZ_CHECK (vdsm_stomp_parser_parse (parser, &stuck, &stuck_len, NULL, &again)
                                == VDSM_STOMP_PARSE_ERROR, "failed parser went on");
                    FUZZ_CHECK (g_error_matches (again, VDSM_STOMP_ERROR, VDSM_STOMP_ERROR_FAILED),
                                "failed parser: %s", again->message);
                    FUZZ_CHECK (stuck_len == length, "failed parser consumed input");
                  }
                FUZZ_CHECK (!vdsm_stomp_parser_is_idle (parser), "failed parser is idle");
                vdsm_stomp_parser_reset (parser);
                FUZZ_CHECK (vdsm_stomp_parser_is_idle (parser), "reset parser not idle");
                res->error_code = error->code;
                res->error_message = g_strdup_printf ("%s (at byte %zu)", error->message, pos);
                return;
              }
            }
        }
    }
  /* Partial frame at the end: nothing more to report. */
  if (!vdsm_stomp_parser_is_idle (parser))
    g_string_append_c (res->log, 'p');
}

/* ---- A frame built from a recipe ---- */

/* Up to the first "\0\0": NUL-separated command, name, value, name,
 * value...; after it, the body (any bytes). No marker: no body. */
static VdsmStompFrame *
frame_from_recipe (const char *stream, gsize size)
{
  const char *marker = NULL;
  const char *end, *p;
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *command = NULL;
  VdsmStompFrame *frame;

  for (gsize i = 0; i + 1 < size; i++)
    if (stream[i] == '\0' && stream[i + 1] == '\0')
      {
        marker = stream + i;
        break;
      }
  end = marker ? marker : stream + size;
  for (p = stream; p <= end; )
    {
      const char *nul = memchr (p, '\0', end - p);
      const char *stop = nul ? nul : end;

      /* The parser requires UTF-8 headers; writers are given text. */
      g_ptr_array_add (parts, g_utf8_make_valid (p, stop - p));
      p = stop + 1;
    }

  /* A command is non-empty text without EOL (LF, nor the CR of CRLF). */
  command = g_strdelimit (g_strdup (parts->pdata[0]), "\r\n", '_');
  frame = vdsm_stomp_frame_new (*command ? command : "SEND");
  for (guint i = 1; i + 1 < parts->len; i += 2)
    vdsm_stomp_frame_add_header (frame, parts->pdata[i], parts->pdata[i + 1]);
  if (marker)
    vdsm_stomp_frame_set_body (frame, marker + 2, stream + size - (marker + 2));
  return frame;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const char *stream = (const char *) data + HEADER_BYTES;
  gsize stream_size;
  gsize max_frame, max_header;
  Rng rng;
  RunResult whole, chunked;
  g_autoptr(VdsmStompFrame) built = NULL;

  if (size < HEADER_BYTES)
    return 0;
  stream_size = size - HEADER_BYTES;
  /* Small limits, so that inputs of a few KiB reach them. */
  max_frame = 32 + (gsize) data[0] * 4;
  max_header = 16 + (gsize) data[1] * 4;
  rng.state = 0x9e3779b9u ^ ((guint32) data[2] * 0x01000193u);

  parse_run (stream, stream_size, max_frame, max_header, NULL, TRUE, &whole);
  parse_run (stream, stream_size, max_frame, max_header, &rng, FALSE, &chunked);
  FUZZ_CHECK (g_string_equal (whole.log, chunked.log),
              "chunking changed the events:\n  whole:   %s\n  chunked: %s",
              whole.log->str, chunked.log->str);
  FUZZ_CHECK ((whole.error_code < 0) == (chunked.error_code < 0),
              "chunking changed the outcome: %s vs %s",
              whole.error_message ? whole.error_message : "no error",
              chunked.error_message ? chunked.error_message : "no error");
  g_string_free (whole.log, TRUE);
  g_string_free (chunked.log, TRUE);
  g_free (whole.error_message);
  g_free (chunked.error_message);

  built = frame_from_recipe (stream, stream_size);
  check_round_trip (built);
  return 0;
}
