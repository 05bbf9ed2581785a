/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The RTMP chunk stream and AMF0: round trips through the writers, the
 * header forms encoders use (types 0-3, extended timestamps, chunk size
 * changes, interleaved chunk streams), input arriving byte by byte, and
 * every bound. */

#include "config.h"

#include <string.h>

#include "sc-amf0.h"
#include "sc-rtmp-chunk.h"
#include "sc-rtmp-timeline.h"

#define MAX_MESSAGE (1024 * 1024)
#define MAX_CHUNK (1024 * 1024)

static GPtrArray *
new_messages (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify)sc_rtmp_message_free);
}

static ScRtmpMessage *
message (guint8 type, guint32 stream_id, guint32 ts, gsize size)
{
  ScRtmpMessage *m = g_new0 (ScRtmpMessage, 1);
  guint8 *data = g_malloc (size ? size : 1);

  for (gsize i = 0; i < size; i++)
    data[i] = i * 7 + type;
  m->type = type;
  m->stream_id = stream_id;
  m->timestamp = ts;
  m->payload = g_bytes_new_take (data, size);
  return m;
}

static void
assert_same (const ScRtmpMessage *a, const ScRtmpMessage *b)
{
  g_assert_cmpuint (a->type, ==, b->type);
  g_assert_cmpuint (a->stream_id, ==, b->stream_id);
  g_assert_cmpuint (a->timestamp, ==, b->timestamp);
  g_assert_true (g_bytes_equal (a->payload, b->payload));
}

/* Whatever the chunk size and however the bytes arrive, the messages come
 * out whole; extended timestamps included. */
static void
test_round_trip (void)
{
  const guint32 sizes[] = { 1, 128, 4096, 60000 };
  const guint feeds[] = { 1, 7, 1000, G_MAXUINT };

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    for (guint f = 0; f < G_N_ELEMENTS (feeds); f++)
      {
        g_autoptr (GByteArray) wire = g_byte_array_new ();
        g_autoptr (GPtrArray) sent = new_messages ();
        g_autoptr (GPtrArray) got = new_messages ();
        g_autoptr (ScRtmpChunkReader) r
            = sc_rtmp_chunk_reader_new (MAX_MESSAGE, MAX_CHUNK);
        g_autoptr (ScRtmpMessage) set
            = message (SC_RTMP_SET_CHUNK_SIZE, 0, 0, 0);
        guint8 size_be[4]
            = { sizes[s] >> 24, sizes[s] >> 16, sizes[s] >> 8, sizes[s] };
        gsize done = 0;

        g_bytes_unref (set->payload);
        set->payload = g_bytes_new (size_be, 4);
        sc_rtmp_chunk_write (wire, 2, set, 128);
        g_ptr_array_add (sent, message (SC_RTMP_VIDEO, 1, 0, 5000));
        g_ptr_array_add (sent, message (SC_RTMP_AUDIO, 1, 40, 0));
        g_ptr_array_add (sent, message (SC_RTMP_DATA_AMF0, 1, 0xfffffe, 300));
        g_ptr_array_add (sent, message (SC_RTMP_VIDEO, 1, 0x12345678, 70000));
        for (guint i = 0; i < sent->len; i++)
          sc_rtmp_chunk_write (wire, 4 + i, sent->pdata[i], sizes[s]);

        while (done < wire->len)
          {
            gsize avail = MIN (wire->len - done, (gsize)feeds[f]);
            g_autoptr (GError) error = NULL;
            gssize n = 0;

            /* Hand in everything not yet taken, growing by @avail. */
            for (gsize end = done + avail;; end = MIN (end + avail, wire->len))
              {
                n = sc_rtmp_chunk_reader_parse (r, wire->data + done,
                                                end - done, got, &error);
                g_assert_no_error (error);
                if (n > 0 || end == wire->len)
                  break;
              }
            g_assert_cmpint (n, >, 0);
            done += n;
          }
        g_assert_cmpuint (got->len, ==, sent->len);
        for (guint i = 0; i < sent->len; i++)
          assert_same (sent->pdata[i], got->pdata[i]);
      }
}

/* Headers of types 1, 2 and 3 as encoders send them: deltas added, a type
 * 3 header starting a message repeats the last delta, and two chunk
 * streams interleave. */
static void
test_header_types (void)
{
  const guint8 wire[] = {
    /* csid 4, type 0: ts 1000, length 2, video, stream 1 */
    0x04,
    0x00,
    0x03,
    0xe8,
    0x00,
    0x00,
    0x02,
    0x09,
    0x01,
    0x00,
    0x00,
    0x00,
    0xaa,
    0xbb,
    /* csid 4, type 1: delta 40, length 3, video */
    0x44,
    0x00,
    0x00,
    0x28,
    0x00,
    0x00,
    0x03,
    0x09,
    0x01,
    0x02,
    0x03,
    /* csid 5, type 0: ts 7, length 1, audio, stream 1 */
    0x05,
    0x00,
    0x00,
    0x07,
    0x00,
    0x00,
    0x01,
    0x08,
    0x01,
    0x00,
    0x00,
    0x00,
    0x42,
    /* csid 4, type 2: delta 33 */
    0x84,
    0x00,
    0x00,
    0x21,
    0x04,
    0x05,
    0x06,
    /* csid 4, type 3: a new message, delta 33 again */
    0xc4,
    0x07,
    0x08,
    0x09,
  };
  const guint32 want_ts[] = { 1000, 1040, 7, 1073, 1106 };
  g_autoptr (ScRtmpChunkReader) r
      = sc_rtmp_chunk_reader_new (MAX_MESSAGE, MAX_CHUNK);
  g_autoptr (GPtrArray) got = new_messages ();
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (
      sc_rtmp_chunk_reader_parse (r, wire, sizeof wire, got, &error), ==,
      sizeof wire);
  g_assert_no_error (error);
  g_assert_cmpuint (got->len, ==, 5);
  for (guint i = 0; i < got->len; i++)
    {
      ScRtmpMessage *m = got->pdata[i];

      g_assert_cmpuint (m->timestamp, ==, want_ts[i]);
      g_assert_cmpuint (m->stream_id, ==, 1);
    }
  g_assert_cmpuint (((ScRtmpMessage *)got->pdata[2])->type, ==, SC_RTMP_AUDIO);
}

static void
assert_refused (const guint8 *wire, gsize size, int code)
{
  g_autoptr (ScRtmpChunkReader) r = sc_rtmp_chunk_reader_new (65536, 65536);
  g_autoptr (GPtrArray) got = new_messages ();
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (sc_rtmp_chunk_reader_parse (r, wire, size, got, &error), ==,
                   -1);
  g_assert_error (error, SC_RTMP_ERROR, code);
}

static void
test_bounds (void)
{
  /* A chunk size beyond the bound, and 0. */
  const guint8 big_chunk[]
      = { 0x02, 0, 0, 0, 0, 0, 4, 1, 0, 0, 0, 0, 0x00, 0x01, 0x00, 0x01 };
  const guint8 zero_chunk[]
      = { 0x02, 0, 0, 0, 0, 0, 4, 1, 0, 0, 0, 0, 0, 0, 0, 0 };
  /* A message beyond the bound. */
  const guint8 big_message[]
      = { 0x03, 0, 0, 0, 0x01, 0x00, 0x01, 20, 0, 0, 0, 0 };
  /* A continuation on a chunk stream never opened. */
  const guint8 orphan[] = { 0xc7, 0x01 };
  /* A new header in the middle of a message. */
  const guint8 interrupted[] = {
    0x03, 0, 0, 0, 0, 1, 0, 20, 0, 0, 0, 0, /* 256 bytes of command */
  };
  g_autoptr (GByteArray) mid = g_byte_array_new ();
  g_autoptr (GByteArray) many = g_byte_array_new ();

  assert_refused (big_chunk, sizeof big_chunk, SC_RTMP_ERROR_TOO_LARGE);
  assert_refused (zero_chunk, sizeof zero_chunk, SC_RTMP_ERROR_TOO_LARGE);
  assert_refused (big_message, sizeof big_message, SC_RTMP_ERROR_TOO_LARGE);
  assert_refused (orphan, sizeof orphan, SC_RTMP_ERROR_PROTOCOL);

  g_byte_array_append (mid, interrupted, sizeof interrupted);
  for (int i = 0; i < 128; i++)
    g_byte_array_append (mid, (const guint8 *)"x", 1);
  g_byte_array_append (mid, interrupted, sizeof interrupted);
  assert_refused (mid->data, mid->len, SC_RTMP_ERROR_PROTOCOL);

  /* More chunk streams than allowed, each with a message begun. */
  for (guint csid = 2; csid < 3 + SC_RTMP_MAX_CHUNK_STREAMS; csid++)
    {
      guint8 h[12] = { csid, 0, 0, 0, 0, 1, 0, 9, 1, 0, 0, 0 };

      g_byte_array_append (many, h, sizeof h);
      for (int i = 0; i < 128; i++)
        g_byte_array_append (many, (const guint8 *)"v", 1);
    }
  assert_refused (many->data, many->len, SC_RTMP_ERROR_TOO_LARGE);
}

static void
test_amf0 (void)
{
  g_autoptr (GByteArray) b = g_byte_array_new ();
  g_autoptr (GPtrArray) v = NULL;
  g_autoptr (GError) error = NULL;
  JsonNode *o;
  double n;

  sc_amf0_put_string (b, "connect");
  sc_amf0_put_number (b, 1);
  sc_amf0_put_object_begin (b);
  sc_amf0_put_key (b, "app");
  sc_amf0_put_string (b, "live");
  sc_amf0_put_key (b, "fpad");
  sc_amf0_put_boolean (b, FALSE);
  sc_amf0_put_key (b, "audioCodecs");
  sc_amf0_put_number (b, 3191);
  sc_amf0_put_object_end (b);
  sc_amf0_put_null (b);
  {
    /* An ECMA array, a strict array, a date, a long string, undefined. */
    const guint8 more[]
        = { 0x08, 0, 0, 0, 1,    0,    1, 'k',  0x06, 0,    0,   9,  0x0a,
            0,    0, 0, 2, 0x05, 0x01, 1, 0x0b, 0x40, 0x59, 0,   0,  0,
            0,    0, 0, 0, 0,    0x0c, 0, 0,    0,    2,    'h', 'i' };
    g_byte_array_append (b, more, sizeof more);
  }

  v = sc_amf0_decode_all (b->data, b->len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (v->len, ==, 8);
  g_assert_cmpstr (sc_amf0_get_string (v->pdata[0]), ==, "connect");
  g_assert_true (sc_amf0_get_number (v->pdata[1], &n));
  g_assert_cmpfloat (n, ==, 1);
  o = v->pdata[2];
  g_assert_cmpstr (sc_amf0_get_string (sc_amf0_get_member (o, "app")), ==,
                   "live");
  g_assert_true (
      sc_amf0_get_number (sc_amf0_get_member (o, "audioCodecs"), &n));
  g_assert_cmpfloat (n, ==, 3191);
  g_assert_null (sc_amf0_get_string (sc_amf0_get_member (o, "fpad")));
  g_assert_null (sc_amf0_get_member (v->pdata[1], "app"));
  g_assert_true (JSON_NODE_HOLDS_NULL (v->pdata[3]));
  g_assert_true (JSON_NODE_HOLDS_NULL (sc_amf0_get_member (v->pdata[4], "k")));
  g_assert_cmpuint (json_array_get_length (json_node_get_array (v->pdata[5])),
                    ==, 2);
  g_assert_true (sc_amf0_get_number (v->pdata[6], &n));
  g_assert_cmpfloat (n, ==, 100);
  g_assert_cmpstr (sc_amf0_get_string (v->pdata[7]), ==, "hi");
}

static void
assert_amf0_refused (const guint8 *data, gsize size, int code)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) v = sc_amf0_decode_all (data, size, &error);

  g_assert_null (v);
  g_assert_error (error, SC_AMF0_ERROR, code);
}

static void
test_amf0_bad (void)
{
  const guint8 truncated_string[] = { 0x02, 0x00, 0x10, 'a', 'b' };
  const guint8 truncated_number[] = { 0x00, 0x40, 0x59 };
  const guint8 huge_array[] = { 0x0a, 0xff, 0xff, 0xff, 0xff, 0x05 };
  const guint8 reference[] = { 0x07, 0x00, 0x01 };
  const guint8 amf3[] = { 0x11, 0x01 };
  const guint8 unknown[] = { 0x42 };
  const guint8 unterminated[] = { 0x03, 0x00, 0x01, 'a', 0x05 };
  const guint8 bad_end[] = { 0x03, 0x00, 0x00, 0x05 };
  const guint8 bad_utf8[] = { 0x02, 0x00, 0x03, 0xff, 0xfe, 'x' };
  g_autoptr (GByteArray) deep = g_byte_array_new ();
  g_autoptr (GByteArray) wide = g_byte_array_new ();
  g_autoptr (GPtrArray) v = NULL;

  assert_amf0_refused (truncated_string, sizeof truncated_string,
                       SC_AMF0_ERROR_TRUNCATED);
  assert_amf0_refused (truncated_number, sizeof truncated_number,
                       SC_AMF0_ERROR_TRUNCATED);
  assert_amf0_refused (huge_array, sizeof huge_array, SC_AMF0_ERROR_TRUNCATED);
  assert_amf0_refused (reference, sizeof reference, SC_AMF0_ERROR_UNSUPPORTED);
  assert_amf0_refused (amf3, sizeof amf3, SC_AMF0_ERROR_UNSUPPORTED);
  assert_amf0_refused (unknown, sizeof unknown, SC_AMF0_ERROR_INVALID);
  assert_amf0_refused (unterminated, sizeof unterminated,
                       SC_AMF0_ERROR_TRUNCATED);
  assert_amf0_refused (bad_end, sizeof bad_end, SC_AMF0_ERROR_INVALID);

  for (int i = 0; i < SC_AMF0_MAX_DEPTH + 2; i++)
    g_byte_array_append (deep, (const guint8 *)"\x0a\x00\x00\x00\x01", 5);
  g_byte_array_append (deep, (const guint8 *)"\x05", 1);
  assert_amf0_refused (deep->data, deep->len, SC_AMF0_ERROR_TOO_COMPLEX);

  for (int i = 0; i <= SC_AMF0_MAX_VALUES; i++)
    sc_amf0_put_null (wide);
  assert_amf0_refused (wide->data, wide->len, SC_AMF0_ERROR_TOO_COMPLEX);

  /* Invalid UTF-8 is replaced, never passed on. */
  v = sc_amf0_decode_all (bad_utf8, sizeof bad_utf8, NULL);
  g_assert_nonnull (v);
  g_assert_true (g_utf8_validate (sc_amf0_get_string (v->pdata[0]), -1, NULL));
}

/* Message times on the ingest's clock (sc-rtmp-timeline.c). */
static void
test_timeline_on_time (void)
{
  ScRtmpTimeline tl = { 0 };

  /* A publisher whose messages arrive as they are stamped: tag = media
   * time, whatever its own origin. */
  for (int k = 0; k < 30; k++)
    {
      gint64 media = sc_rtmp_timeline_media_ms (&tl, 5000000 + k * 33);

      g_assert_cmpint (media, ==, k * 33);
      g_assert_cmpint (
          sc_rtmp_timeline_tag_ms (&tl, SC_RTMP_TAG_VIDEO, media, k * 33), ==,
          k * 33);
    }
}

/* The connect-time burst: frames 0–5 (stamped 0–165 ms) all arrive at 0,
 * then frames come on time for a start 180 ms before the first arrival.
 * Anchored on the first message they would all be 180 ms in the future;
 * here they follow their arrival. */
static void
test_timeline_burst (void)
{
  ScRtmpTimeline tl = { 0 };
  gint64 last = 0;

  for (int k = 0; k < 60; k++)
    {
      gint64 media = sc_rtmp_timeline_media_ms (&tl, k * 33);
      gint64 arrival = k < 6 ? 0 : k * 33 - 180;
      gint64 tag
          = sc_rtmp_timeline_tag_ms (&tl, SC_RTMP_TAG_VIDEO, media, arrival);

      g_assert_cmpint (tag, >=, last);    /* never backwards */
      g_assert_cmpint (tag, <=, arrival); /* never in the future */
      if (k >= 6)
        g_assert_cmpint (tag, ==, arrival);
      last = tag;
    }
}

/* Late messages (jitter) do not move later tags; audio and video keep
 * their own order; the 32-bit wrap of message times is crossed. */
static void
test_timeline_jitter_kinds_wrap (void)
{
  ScRtmpTimeline tl = { 0 };
  gint64 media;

  media = sc_rtmp_timeline_media_ms (&tl, G_MAXUINT32 - 20);
  g_assert_cmpint (sc_rtmp_timeline_tag_ms (&tl, SC_RTMP_TAG_VIDEO, media, 0),
                   ==, 0);
  /* 40 ms later by the stamp, across the wrap, arriving 25 ms late. */
  media = sc_rtmp_timeline_media_ms (&tl, 19);
  g_assert_cmpint (media, ==, 40);
  g_assert_cmpint (sc_rtmp_timeline_tag_ms (&tl, SC_RTMP_TAG_VIDEO, media, 65),
                   ==, 40);
  /* Audio stamped before that video tag keeps its own, earlier time. */
  media = sc_rtmp_timeline_media_ms (&tl, 9);
  g_assert_cmpint (media, ==, 30);
  g_assert_cmpint (sc_rtmp_timeline_tag_ms (&tl, SC_RTMP_TAG_AUDIO, media, 66),
                   ==, 30);
  /* A video message stamped earlier than the last one does not go back. */
  media = sc_rtmp_timeline_media_ms (&tl, 14);
  g_assert_cmpint (sc_rtmp_timeline_tag_ms (&tl, SC_RTMP_TAG_VIDEO, media, 70),
                   ==, 40);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/rtmp/chunk/round-trip", test_round_trip);
  g_test_add_func ("/rtmp/chunk/header-types", test_header_types);
  g_test_add_func ("/rtmp/chunk/bounds", test_bounds);
  g_test_add_func ("/rtmp/amf0/decode", test_amf0);
  g_test_add_func ("/rtmp/amf0/bad", test_amf0_bad);
  g_test_add_func ("/rtmp/timeline/on-time", test_timeline_on_time);
  g_test_add_func ("/rtmp/timeline/burst", test_timeline_burst);
  g_test_add_func ("/rtmp/timeline/jitter-kinds-wrap",
                   test_timeline_jitter_kinds_wrap);
  return g_test_run ();
}
