/* test-stomp-codec.c: unit tests of the STOMP 1.2 frame codec.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vdsm-stomp.h"

#include <string.h>

/* Feeds @len bytes of @data in chunks of @chunk bytes; collects frames and
 * counts heart-beats. Returns FALSE (and sets @error) on a parse error. */
static gboolean
feed_all (VdsmStompParser *parser, const char *data, gsize len, gsize chunk,
          GPtrArray *frames, guint *heartbeats, GError **error)
{
  while (len > 0)
    {
      gsize n = MIN (chunk, len);
      const char *p = data;
      gsize left = n;

      data += n;
      len -= n;
      while (left > 0)
        {
          VdsmStompFrame *frame = NULL;

          switch (vdsm_stomp_parser_parse (parser, &p, &left, &frame, error))
            {
            case VDSM_STOMP_PARSE_FRAME:
              g_ptr_array_add (frames, frame);
              break;
            case VDSM_STOMP_PARSE_HEARTBEAT:
              if (heartbeats)
                (*heartbeats)++;
              break;
            case VDSM_STOMP_PARSE_NEED_MORE:
              g_assert_cmpuint (left, ==, 0);
              break;
            case VDSM_STOMP_PARSE_ERROR:
              return FALSE;
            }
        }
    }
  return TRUE;
}

static GPtrArray *
parse_ok (const char *data, gsize len, gsize chunk, guint *heartbeats)
{
  g_autoptr(VdsmStompParser) parser = vdsm_stomp_parser_new (0, 0);
  g_autoptr(GPtrArray) frames = g_ptr_array_new_with_free_func ((GDestroyNotify) vdsm_stomp_frame_unref);
  g_autoptr(GError) error = NULL;

  g_assert_true (feed_all (parser, data, len, chunk, frames, heartbeats, &error));
  g_assert_no_error (error);
  g_assert_true (vdsm_stomp_parser_is_idle (parser));
  return g_steal_pointer (&frames);
}

static GError *
parse_error (const char *data, gsize len, gsize max_frame, gsize max_header,
             guint *n_frames)
{
  g_autoptr(VdsmStompParser) parser = vdsm_stomp_parser_new (max_frame, max_header);
  g_autoptr(GPtrArray) frames = g_ptr_array_new_with_free_func ((GDestroyNotify) vdsm_stomp_frame_unref);
  GError *error = NULL;
  const char *p = data;
  gsize left = len;

  g_assert_false (feed_all (parser, data, len, len, frames, NULL, &error));
  g_assert_nonnull (error);
  if (n_frames)
    *n_frames = frames->len;
  /* A failed parser stays failed until reset. */
  {
    g_autoptr(GError) again = NULL;
    g_assert_cmpint (vdsm_stomp_parser_parse (parser, &p, &left, NULL, &again), ==,
                     VDSM_STOMP_PARSE_ERROR);
    g_assert_error (again, VDSM_STOMP_ERROR, VDSM_STOMP_ERROR_FAILED);
  }
  vdsm_stomp_parser_reset (parser);
  g_assert_true (vdsm_stomp_parser_is_idle (parser));
  return error;
}

static const char python_connect[] =
  "CONNECT\naccept-version:1.2\nheart-beat:0,24000\n\n\0"
  "SUBSCRIBE\ndestination:1c83509b-bf37-4a07-abf3-9511f3162637\nack:auto\n"
  "id:6febc7ee-1be7-4ea7-9fd3-288a3e05e4e2\n\n\0"
  "SEND\ndestination:jms.topic.vdsm_requests\ncontent-type:application/json\n"
  "reply-to:1c83509b-bf37-4a07-abf3-9511f3162637\ncontent-length:103\n\n"
  "[{\"jsonrpc\": \"2.0\", \"method\": \"Host.ping\", \"params\": {}, "
  "\"id\": \"c4afac08-074b-488a-8b3e-d0cb4eb7a8da\"}]\0";

static void
check_python_frames (GPtrArray *frames)
{
  VdsmStompFrame *f;
  gsize len;
  const char *body;

  g_assert_cmpuint (frames->len, ==, 3);
  f = frames->pdata[0];
  g_assert_cmpint (vdsm_stomp_frame_get_command (f), ==, VDSM_STOMP_COMMAND_CONNECT);
  g_assert_cmpstr (vdsm_stomp_frame_get_command_name (f), ==, "CONNECT");
  g_assert_cmpstr (vdsm_stomp_frame_get_header (f, "accept-version"), ==, "1.2");
  g_assert_cmpstr (vdsm_stomp_frame_get_header (f, "heart-beat"), ==, "0,24000");
  g_assert_null (vdsm_stomp_frame_get_header (f, "host"));
  g_assert_true (vdsm_stomp_frame_has_body (f));
  body = vdsm_stomp_frame_get_body (f, &len);
  g_assert_cmpuint (len, ==, 0);
  g_assert_cmpstr (body, ==, "");

  f = frames->pdata[1];
  g_assert_cmpint (vdsm_stomp_frame_get_command (f), ==, VDSM_STOMP_COMMAND_SUBSCRIBE);
  g_assert_cmpuint (vdsm_stomp_frame_get_n_headers (f), ==, 3);
  g_assert_cmpstr (vdsm_stomp_frame_get_header (f, "id"), ==,
                   "6febc7ee-1be7-4ea7-9fd3-288a3e05e4e2");

  f = frames->pdata[2];
  g_assert_cmpint (vdsm_stomp_frame_get_command (f), ==, VDSM_STOMP_COMMAND_SEND);
  body = vdsm_stomp_frame_get_body (f, &len);
  g_assert_cmpuint (len, ==, 103);
  g_assert_true (g_str_has_prefix (body, "[{\"jsonrpc\""));
  g_assert_true (g_str_has_suffix (body, "\"}]"));
}

static void
test_good_frames (void)
{
  /* Whole, byte by byte, and in odd chunks: the result must not depend on
   * how the stream is cut. */
  static const gsize chunks[] = { sizeof python_connect, 1, 2, 7, 64 };

  for (guint i = 0; i < G_N_ELEMENTS (chunks); i++)
    {
      guint hb = 0;
      g_autoptr(GPtrArray) frames = parse_ok (python_connect, sizeof python_connect - 1,
                                              chunks[i], &hb);
      check_python_frames (frames);
      g_assert_cmpuint (hb, ==, 0);
    }
}

static void
test_crlf (void)
{
  static const char data[] =
    "CONNECT\r\naccept-version:1.2\r\nheart-beat:0,1000\r\n\r\n\0"
    "\r\n\n"
    "SEND\r\ndestination:a\r\n\r\nhello\0";
  guint hb = 0;
  g_autoptr(GPtrArray) frames = parse_ok (data, sizeof data - 1, 1, &hb);

  g_assert_cmpuint (frames->len, ==, 2);
  g_assert_cmpuint (hb, ==, 2);
  g_assert_cmpstr (vdsm_stomp_frame_get_command_name (frames->pdata[0]), ==, "CONNECT");
  g_assert_cmpstr (vdsm_stomp_frame_get_header (frames->pdata[0], "heart-beat"), ==, "0,1000");
  g_assert_cmpstr (vdsm_stomp_frame_get_header (frames->pdata[1], "destination"), ==, "a");
  g_assert_cmpstr (vdsm_stomp_frame_get_body (frames->pdata[1], NULL), ==, "hello");
}

static void
test_heartbeats (void)
{
  static const char data[] = "\n\n\r\n\nSEND\ndestination:x\n\n\0\n\n";
  guint hb = 0;
  g_autoptr(GPtrArray) frames = parse_ok (data, sizeof data - 1, sizeof data, &hb);

  g_assert_cmpuint (frames->len, ==, 1);
  g_assert_cmpuint (hb, ==, 6);
}

static void
test_escapes (void)
{
  static const char data[] =
    "SEND\ndestination:a\\cb\nx\\ny:back\\\\slash\\r\\n\n\n\0";
  g_autoptr(GPtrArray) frames = parse_ok (data, sizeof data - 1, 3, NULL);
  VdsmStompFrame *f = frames->pdata[0];

  g_assert_cmpstr (vdsm_stomp_frame_get_header (f, "destination"), ==, "a:b");
  g_assert_cmpstr (vdsm_stomp_frame_get_header (f, "x\ny"), ==, "back\\slash\r\n");
}

static void
test_repeated_header (void)
{
  static const char data[] = "SEND\ndestination:first\ndestination:second\n\n\0";
  g_autoptr(GPtrArray) frames = parse_ok (data, sizeof data - 1, 5, NULL);
  const char *name, *value;

  g_assert_cmpstr (vdsm_stomp_frame_get_header (frames->pdata[0], "destination"), ==, "first");
  g_assert_cmpuint (vdsm_stomp_frame_get_n_headers (frames->pdata[0]), ==, 2);
  vdsm_stomp_frame_get_header_nth (frames->pdata[0], 1, &name, &value);
  g_assert_cmpstr (name, ==, "destination");
  g_assert_cmpstr (value, ==, "second");
}

static void
test_content_length (void)
{
  /* A body with NUL bytes is delimited by content-length only; the first
   * content-length wins. */
  static const char data[] =
    "SEND\ndestination:x\ncontent-length:5\ncontent-length:1\n\na\0b\0c\0"
    "SEND\ncontent-length:0\n\n\0";
  g_autoptr(GPtrArray) frames = parse_ok (data, sizeof data - 1, 2, NULL);
  gsize len;
  const char *body = vdsm_stomp_frame_get_body (frames->pdata[0], &len);

  g_assert_cmpuint (frames->len, ==, 2);
  g_assert_cmpuint (len, ==, 5);
  g_assert_cmpmem (body, len, "a\0b\0c", 5);
  g_assert_cmpint (body[5], ==, '\0');
  vdsm_stomp_frame_get_body (frames->pdata[1], &len);
  g_assert_cmpuint (len, ==, 0);
}

static void
test_unknown_command (void)
{
  static const char data[] = "BEGIN\ntransaction:t\n\n\0FOO\n\n\0";
  g_autoptr(GPtrArray) frames = parse_ok (data, sizeof data - 1, 4, NULL);

  g_assert_cmpint (vdsm_stomp_frame_get_command (frames->pdata[0]), ==, VDSM_STOMP_COMMAND_BEGIN);
  g_assert_cmpint (vdsm_stomp_frame_get_command (frames->pdata[1]), ==, VDSM_STOMP_COMMAND_UNKNOWN);
  g_assert_cmpstr (vdsm_stomp_frame_get_command_name (frames->pdata[1]), ==, "FOO");
}

typedef struct {
  const char *name;
  const char *data;
  gsize len;
  guint frames_before;
} MalformedCase;

#define CASE(n, s, before) { n, s, sizeof s - 1, before }

static void
test_malformed (void)
{
  static const MalformedCase cases[] = {
    CASE ("content-length mismatch", "SEND\ndestination:a\ncontent-length:3\n\nabcdef\0", 0),
    CASE ("raw colon in value", "SEND\ndestination:a:b\n\n\0", 0),
    CASE ("unknown escape", "SEND\ndestination:a\\tb\n\n\0", 0),
    CASE ("escaped non-ASCII", "SEND\ndestination:a\\\xc3\xa9\n\n\0", 0),
    CASE ("lone backslash", "SEND\ndestination:ab\\\n\n\0", 0),
    CASE ("escape in name", "SEND\nde\\xst:a\n\n\0", 0),
    CASE ("header without colon", "SEND\ndestination\n\n\0", 0),
    CASE ("NUL in headers", "CONNECT\n\0", 0),
    CASE ("CR without LF", "\rX", 0),
    CASE ("invalid UTF-8", "SEND\ndestination:\xff\xfe\n\n\0", 0),
    CASE ("error after a good frame", "SEND\n\n\0SEND\nd:a:b\n\n\0", 1),
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      guint before = G_MAXUINT;
      g_autoptr(GError) error = NULL;

      g_test_message ("case: %s", cases[i].name);
      error = parse_error (cases[i].data, cases[i].len, 0, 0, &before);
      g_assert_error (error, VDSM_STOMP_ERROR, VDSM_STOMP_ERROR_MALFORMED);
      /* Messages quote the peer's bytes; they must stay text. */
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      g_assert_cmpuint (before, ==, cases[i].frames_before);
    }
}

/* A content-length that is no number, or a number too large for any
 * limit, is an error of its own kind, which a server reports to the peer
 * (an overflow used to read as a malformed frame, closed without a word). */
static void
test_content_length_errors (void)
{
#define LENGTH_CASE(n, s, c) { n, s, sizeof s - 1, c }
  static const struct { const char *name; const char *data; gsize len; int code; } cases[] = {
    LENGTH_CASE ("negative", "SEND\ncontent-length:-1\n\n\0", VDSM_STOMP_ERROR_CONTENT_LENGTH),
    LENGTH_CASE ("leading space", "SEND\ncontent-length: 1\n\nx\0", VDSM_STOMP_ERROR_CONTENT_LENGTH),
    LENGTH_CASE ("letters", "SEND\ncontent-length:12a\n\n\0", VDSM_STOMP_ERROR_CONTENT_LENGTH),
    LENGTH_CASE ("empty", "SEND\ncontent-length:\n\n\0", VDSM_STOMP_ERROR_CONTENT_LENGTH),
    LENGTH_CASE ("2^64", "SEND\ncontent-length:18446744073709551616\n\n\0", VDSM_STOMP_ERROR_TOO_LARGE),
    LENGTH_CASE ("2^64 - 1", "SEND\ncontent-length:18446744073709551615\n\n\0", VDSM_STOMP_ERROR_TOO_LARGE),
    LENGTH_CASE ("23 digits", "SEND\ncontent-length:99999999999999999999999\n\n\0", VDSM_STOMP_ERROR_TOO_LARGE),
  };
#undef LENGTH_CASE

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;

      g_test_message ("case: %s", cases[i].name);
      error = parse_error (cases[i].data, cases[i].len, 0, 0, NULL);
      g_assert_error (error, VDSM_STOMP_ERROR, cases[i].code);
    }

  /* The messages name the problem; the number is not echoed as sent. */
  {
    static const char overflow[] = "SEND\ncontent-length:0099999999999999999999999\n\n";
    static const char hex[] = "SEND\ncontent-length:0x10\n\n";
    g_autoptr(GError) error = parse_error (overflow, sizeof overflow - 1, 0, 0, NULL);
    g_autofree char *expected = g_strdup_printf ("STOMP frame exceeds the limit of 67108864 "
                                                 "bytes (content-length %" G_GSIZE_FORMAT
                                                 " or more)", G_MAXSIZE);

    g_assert_cmpstr (error->message, ==, expected);
    g_clear_error (&error);
    error = parse_error (hex, sizeof hex - 1, 0, 0, NULL);
    g_assert_cmpstr (error->message, ==, "STOMP content-length is not a decimal number of bytes");
  }
}

static void
test_limits (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) big = g_string_new ("SEND\ndestination:x\n\n");
  g_autoptr(VdsmStompParser) parser = NULL;
  g_autoptr(GPtrArray) frames = g_ptr_array_new_with_free_func ((GDestroyNotify) vdsm_stomp_frame_unref);
  static const char exact[] = "SEND\n\n0123456789\0";

  /* Announced content-length over the limit: refused at the header block. */
  error = parse_error ("SEND\ncontent-length:2000\n\n", 26, 1024, 256, NULL);
  g_assert_error (error, VDSM_STOMP_ERROR, VDSM_STOMP_ERROR_TOO_LARGE);
  g_clear_error (&error);

  /* Body to NUL: refused as soon as the limit is crossed, no NUL needed. */
  for (guint i = 0; i < 2000; i++)
    g_string_append_c (big, 'y');
  error = parse_error (big->str, big->len, 1024, 256, NULL);
  g_assert_error (error, VDSM_STOMP_ERROR, VDSM_STOMP_ERROR_TOO_LARGE);
  g_clear_error (&error);

  /* Header block over its own limit, without a blank line ever coming. */
  g_string_assign (big, "SEND\n");
  for (guint i = 0; i < 100; i++)
    g_string_append (big, "aaaaaaaa:bbbbbbbb\n");
  error = parse_error (big->str, big->len, 1 << 20, 512, NULL);
  g_assert_error (error, VDSM_STOMP_ERROR, VDSM_STOMP_ERROR_TOO_LARGE);
  g_clear_error (&error);

  /* A frame of exactly the limit (6 header bytes + 10 body bytes) passes. */
  parser = vdsm_stomp_parser_new (16, 8);
  g_assert_true (feed_all (parser, exact, sizeof exact - 1, 1, frames, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (frames->len, ==, 1);
  vdsm_stomp_parser_free (g_steal_pointer (&parser));

  /* One byte more fails. */
  error = parse_error ("SEND\n\n01234567890\0", 18, 16, 8, NULL);
  g_assert_error (error, VDSM_STOMP_ERROR, VDSM_STOMP_ERROR_TOO_LARGE);
}

static void
test_write (void)
{
  g_autoptr(VdsmStompFrame) frame = vdsm_stomp_frame_new ("MESSAGE");
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GPtrArray) frames = NULL;
  VdsmStompFrame *back;
  static const char expected[] =
    "MESSAGE\ndestination:a\\cb\nx\\\\y:l1\\nl2\\r\ncontent-length:4\n\nbody\0";

  vdsm_stomp_frame_add_header (frame, "destination", "a:b");
  vdsm_stomp_frame_add_header (frame, "content-length", "999");
  vdsm_stomp_frame_add_header (frame, "x\\y", "l1\nl2\r");
  vdsm_stomp_frame_set_body (frame, "body", -1);
  vdsm_stomp_frame_write (frame, out);
  g_assert_cmpmem (out->str, out->len, expected, sizeof expected - 1);

  /* A round trip gives the same decoded headers. */
  frames = parse_ok (out->str, out->len, 5, NULL);
  back = frames->pdata[0];
  g_assert_cmpstr (vdsm_stomp_frame_get_header (back, "destination"), ==, "a:b");
  g_assert_cmpstr (vdsm_stomp_frame_get_header (back, "x\\y"), ==, "l1\nl2\r");
  g_assert_cmpstr (vdsm_stomp_frame_get_header (back, "content-length"), ==, "4");
  g_assert_cmpstr (vdsm_stomp_frame_get_body (back, NULL), ==, "body");
}

static void
test_write_no_body (void)
{
  g_autoptr(GString) out = g_string_new (NULL);
  static const char expected[] = "CONNECTED\nversion:1.2\nheart-beat:1000,0\n\n\0";
  g_autoptr(VdsmStompFrame) frame = vdsm_stomp_frame_new ("RECEIPT");

  vdsm_stomp_write_command (out, "CONNECTED");
  vdsm_stomp_write_header (out, "version", "1.2");
  vdsm_stomp_write_header (out, "heart-beat", "1000,0");
  vdsm_stomp_write_body (out, NULL, 0);
  g_assert_cmpmem (out->str, out->len, expected, sizeof expected - 1);

  g_string_truncate (out, 0);
  vdsm_stomp_frame_add_header (frame, "receipt-id", "r-1");
  g_assert_false (vdsm_stomp_frame_has_body (frame));
  vdsm_stomp_frame_write (frame, out);
  g_assert_cmpmem (out->str, out->len, "RECEIPT\nreceipt-id:r-1\n\n\0", 25);

  g_string_truncate (out, 0);
  vdsm_stomp_write_command (out, "ERROR");
  vdsm_stomp_write_header (out, "message", "Version unsupported");
  vdsm_stomp_write_body (out, "Version unsupported", -1);
  g_assert_cmpstr (out->str, ==,
                   "ERROR\nmessage:Version unsupported\ncontent-length:19\n\nVersion unsupported");
}

/* Random streams over an alphabet of the bytes that matter: whatever
 * comes, the parser returns frames, heart-beats or one error, and never
 * holds a frame above its limit. */
static void
test_random_streams (void)
{
  static const char alphabet[] = "SENDCONNECT\n\n\n\r\0\0::\\cnrx-content-length:12";

  for (guint round = 0; round < 2000; round++)
    {
      g_autoptr(VdsmStompParser) parser = vdsm_stomp_parser_new (256, 64);
      guint len = g_test_rand_int_range (1, 600);
      g_autofree char *data = g_malloc (len);
      const char *p = data;
      gsize left = len;

      for (guint i = 0; i < len; i++)
        data[i] = alphabet[g_test_rand_int_range (0, sizeof alphabet - 1)];
      while (left > 0)
        {
          g_autoptr(VdsmStompFrame) frame = NULL;
          g_autoptr(GError) error = NULL;
          VdsmStompParseResult r = vdsm_stomp_parser_parse (parser, &p, &left, &frame, &error);

          if (r == VDSM_STOMP_PARSE_ERROR)
            {
              g_assert_nonnull (error);
              g_assert_true (error->domain == VDSM_STOMP_ERROR);
              break;
            }
          g_assert_no_error (error);
          if (r == VDSM_STOMP_PARSE_FRAME)
            {
              gsize body_len;

              vdsm_stomp_frame_get_body (frame, &body_len);
              g_assert_cmpuint (body_len, <=, 256);
            }
        }
    }
}

/* What a partial frame holds: header block and body received, not the
 * content-length announced. */
static void
test_buffered (void)
{
  static const char frame[] = "SEND\ndestination:q\ncontent-length:1000000\n\n0123456789";
  g_autoptr(VdsmStompParser) parser = vdsm_stomp_parser_new (0, 0);
  g_autoptr(GError) error = NULL;
  const char *p = frame;
  gsize left = sizeof frame - 1;

  g_assert_cmpuint (vdsm_stomp_parser_get_buffered (parser), ==, 0);
  g_assert_cmpint (vdsm_stomp_parser_parse (parser, &p, &left, NULL, &error), ==,
                   VDSM_STOMP_PARSE_NEED_MORE);
  g_assert_no_error (error);
  g_assert_cmpuint (vdsm_stomp_parser_get_buffered (parser), ==, sizeof frame - 1);
  vdsm_stomp_parser_reset (parser);
  g_assert_cmpuint (vdsm_stomp_parser_get_buffered (parser), ==, 0);
}

static void
test_commands (void)
{
  g_assert_cmpint (vdsm_stomp_command_from_string ("UNSUBSCRIBE"), ==, VDSM_STOMP_COMMAND_UNSUBSCRIBE);
  g_assert_cmpint (vdsm_stomp_command_from_string ("send"), ==, VDSM_STOMP_COMMAND_UNKNOWN);
  g_assert_cmpstr (vdsm_stomp_command_to_string (VDSM_STOMP_COMMAND_ERROR), ==, "ERROR");
  g_assert_null (vdsm_stomp_command_to_string (VDSM_STOMP_COMMAND_UNKNOWN));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/stomp/codec/good-frames", test_good_frames);
  g_test_add_func ("/stomp/codec/crlf", test_crlf);
  g_test_add_func ("/stomp/codec/heartbeats", test_heartbeats);
  g_test_add_func ("/stomp/codec/escapes", test_escapes);
  g_test_add_func ("/stomp/codec/repeated-header", test_repeated_header);
  g_test_add_func ("/stomp/codec/content-length", test_content_length);
  g_test_add_func ("/stomp/codec/unknown-command", test_unknown_command);
  g_test_add_func ("/stomp/codec/malformed", test_malformed);
  g_test_add_func ("/stomp/codec/limits", test_limits);
  g_test_add_func ("/stomp/codec/content-length-errors", test_content_length_errors);
  g_test_add_func ("/stomp/codec/write", test_write);
  g_test_add_func ("/stomp/codec/write-no-body", test_write_no_body);
  g_test_add_func ("/stomp/codec/random-streams", test_random_streams);
  g_test_add_func ("/stomp/codec/commands", test_commands);
  g_test_add_func ("/stomp/codec/buffered", test_buffered);

  return g_test_run ();
}
