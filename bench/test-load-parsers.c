/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* vdsm-load's readers: the reply scanner, the STOMP frame splitter and the
 * latency histogram. A load generator that mis-reads replies reports
 * wrong numbers silently, so these are checked on their own. */
#include <string.h>

#include "load-histogram.h"
#include "load-reply.h"
#include "load-stomp.h"

static void
assert_reply (const char *body, LoadReplyKind kind, const char *id, gint64 code)
{
  LoadReply reply;

  g_assert_true (load_reply_scan (body, strlen (body), &reply));
  g_assert_cmpint (reply.kind, ==, kind);
  g_assert_cmpmem (reply.id, reply.id_len, id, strlen (id));
  g_assert_cmpint (reply.error_code, ==, code);
}

static void
test_reply_orders (void)
{
  /* vdsm's order, minsrv's order, and a one-element batch. */
  assert_reply ("{\"jsonrpc\": \"2.0\", \"id\": \"a-1\", \"result\": true}",
                LOAD_REPLY_RESULT, "a-1", 0);
  assert_reply ("{\"jsonrpc\":\"2.0\",\"result\":true,\"id\":\"b-2\"}",
                LOAD_REPLY_RESULT, "b-2", 0);
  assert_reply ("[{\"jsonrpc\": \"2.0\", \"result\": {}, \"id\": \"c\"}]",
                LOAD_REPLY_RESULT, "c", 0);
}

static void
test_reply_nested_and_escaped (void)
{
  /* An "id" inside the result is not the response's id; quotes and
   * backslashes inside strings do not end them. */
  assert_reply ("{\"jsonrpc\": \"2.0\", \"result\": [{\"id\": \"inner\", "
                "\"s\": \"q\\\"}\\\\\", \"n\": [1, 2.5e3, null, false]}], "
                "\"id\": \"outer\"}",
                LOAD_REPLY_RESULT, "outer", 0);
}

static void
test_reply_errors (void)
{
  assert_reply ("{\"jsonrpc\": \"2.0\", \"id\": \"r\", \"error\": {\"code\": 1100, "
                "\"message\": \"Not enough resources: {'current_tasks': 80}\"}}",
                LOAD_REPLY_ERROR, "r", 1100);
  assert_reply ("{\"error\": {\"message\": \"x\", \"code\": -32601}, \"id\": \"m\"}",
                LOAD_REPLY_ERROR, "m", -32601);
}

static void
test_reply_rejects (void)
{
  static const char *const bad[] = {
    "",
    "true",
    "{\"jsonrpc\": \"2.0\", \"result\": true}",            /* no id */
    "{\"jsonrpc\": \"2.0\", \"id\": 7, \"result\": true}",  /* not ours */
    "{\"jsonrpc\": \"2.0\", \"id\": \"x\"}",                /* no outcome */
    "{\"result\": [1, 2, {\"a\": \"unterminated}]}",
    "{\"result\": [1, 2",
    "{\"id\": \"x\", \"error\": {\"code\": \"1100\"",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      LoadReply reply;

      g_assert_false (load_reply_scan (bad[i], strlen (bad[i]), &reply));
    }
}

static void
test_stomp_frames (void)
{
  static const char stream[] =
    "\n\nCONNECTED\nversion:1.2\nheart-beat:0,0\n\n\0"
    "MESSAGE\ndestination:d\ncontent-length:4\n\na\0bc\0"
    "ERROR\n\nno headers\0";
  LoadStompFrame f;
  gsize used, need, pos = 0;

  g_assert_cmpint (load_stomp_next (stream, sizeof stream - 1, 1024, &f, &used,
                                    &need), ==, LOAD_STOMP_FRAME);
  g_assert_cmpint (f.command, ==, LOAD_STOMP_CONNECTED);
  g_assert_cmpuint (f.body_len, ==, 0);
  pos += used;
  g_assert_cmpint (load_stomp_next (stream + pos, sizeof stream - 1 - pos, 1024,
                                    &f, &used, &need), ==, LOAD_STOMP_FRAME);
  g_assert_cmpint (f.command, ==, LOAD_STOMP_MESSAGE);
  g_assert_cmpmem (f.body, f.body_len, "a\0bc", 4);
  pos += used;
  g_assert_cmpint (load_stomp_next (stream + pos, sizeof stream - 1 - pos, 1024,
                                    &f, &used, &need), ==, LOAD_STOMP_FRAME);
  g_assert_cmpint (f.command, ==, LOAD_STOMP_ERROR);
  g_assert_cmpmem (f.body, f.body_len, "no headers", 10);
  pos += used;
  g_assert_cmpuint (pos, ==, sizeof stream - 1);
}

static void
test_stomp_partial (void)
{
  static const char frame[] = "MESSAGE\ncontent-length:10\n\n0123456789\0";
  LoadStompFrame f;
  gsize used, need;

  /* Every proper prefix asks for more; once the header is in, it says how
   * much the whole frame needs. */
  for (gsize len = 0; len < sizeof frame - 1; len++)
    {
      g_assert_cmpint (load_stomp_next (frame, len, 1024, &f, &used, &need),
                       ==, LOAD_STOMP_NEED_MORE);
      if (len >= 27)
        g_assert_cmpuint (need, ==, sizeof frame - 1);
    }
  g_assert_cmpint (load_stomp_next (frame, sizeof frame - 1, 1024, &f, &used,
                                    &need), ==, LOAD_STOMP_FRAME);
  g_assert_cmpuint (used, ==, sizeof frame - 1);
}

static void
test_stomp_bad (void)
{
  static const char wrong_length[] = "MESSAGE\ncontent-length:2\n\nabc\0";
  static const char bad_length[] = "MESSAGE\ncontent-length:1x\n\na\0";
  static const char too_big[] = "MESSAGE\ncontent-length:5000\n\n";
  LoadStompFrame f;
  gsize used, need;
  g_autofree char *endless = g_malloc (70 * 1024);

  g_assert_cmpint (load_stomp_next (wrong_length, sizeof wrong_length - 1, 1024,
                                    &f, &used, &need), ==, LOAD_STOMP_BAD);
  g_assert_cmpint (load_stomp_next (bad_length, sizeof bad_length - 1, 1024,
                                    &f, &used, &need), ==, LOAD_STOMP_BAD);
  g_assert_cmpint (load_stomp_next (too_big, sizeof too_big - 1, 1024,
                                    &f, &used, &need), ==, LOAD_STOMP_BAD);
  /* A header block that never ends is refused, not buffered forever. */
  memset (endless, 'h', 70 * 1024);
  endless[10] = '\n';
  g_assert_cmpint (load_stomp_next (endless, 70 * 1024, 1 << 20, &f, &used,
                                    &need), ==, LOAD_STOMP_BAD);
}

static void
test_histogram (void)
{
  g_autofree LoadHistogram *h = g_new (LoadHistogram, 1);

  load_histogram_init (h);
  g_assert_cmpuint (load_histogram_percentile (h, 0.5), ==, 0);
  /* 1..100000 ns: each percentile within the 1 % bucket precision. */
  for (guint64 v = 1; v <= 100000; v++)
    load_histogram_record (h, v);
  g_assert_cmpuint (h->total, ==, 100000);
  g_assert_cmpfloat_with_epsilon (load_histogram_percentile (h, 0.50), 50000, 500);
  g_assert_cmpfloat_with_epsilon (load_histogram_percentile (h, 0.99), 99000, 990);
  g_assert_cmpfloat_with_epsilon (load_histogram_percentile (h, 0.999), 99900, 999);
  g_assert_cmpuint (load_histogram_percentile (h, 1.0), <=, 100000);
  g_assert_cmpfloat_with_epsilon (load_histogram_mean (h), 50000.5, 0.01);
  /* Small values are exact, huge ones do not overflow the buckets. */
  load_histogram_init (h);
  load_histogram_record (h, 7);
  g_assert_cmpuint (load_histogram_percentile (h, 0.5), ==, 7);
  load_histogram_record (h, G_MAXUINT64);
  g_assert_cmpuint (load_histogram_percentile (h, 1.0), ==, G_MAXUINT64);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/bench/reply/orders", test_reply_orders);
  g_test_add_func ("/bench/reply/nested-and-escaped", test_reply_nested_and_escaped);
  g_test_add_func ("/bench/reply/errors", test_reply_errors);
  g_test_add_func ("/bench/reply/rejects", test_reply_rejects);
  g_test_add_func ("/bench/stomp/frames", test_stomp_frames);
  g_test_add_func ("/bench/stomp/partial", test_stomp_partial);
  g_test_add_func ("/bench/stomp/bad", test_stomp_bad);
  g_test_add_func ("/bench/histogram", test_histogram);
  return g_test_run ();
}
