/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ScFanout: the interleaved framing, held access-unit parts, slow and
 * failed viewers, and RTSP messages in order with the packets, over real
 * socket pairs. */

#include "config.h"

#include "sc-fanout.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

typedef struct
{
  ScFanoutViewer *viewer;
  int peer; /* what the viewer's client reads */
  guint failed;
} Viewer;

static void
on_failed (ScFanoutViewer *viewer, gpointer data)
{
  ((Viewer *)data)->failed++;
}

/* A connected pair of TCP sockets on loopback (a viewer's connection is
 * TCP, and GstRTSPConnection wants an address of the Internet kind). */
static void
tcp_pair (int fds[2])
{
  struct sockaddr_in addr
      = { .sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  socklen_t len = sizeof addr;
  int listener = socket (AF_INET, SOCK_STREAM, 0);

  g_assert_cmpint (listener, >=, 0);
  g_assert_cmpint (bind (listener, (struct sockaddr *)&addr, sizeof addr), ==,
                   0);
  g_assert_cmpint (listen (listener, 1), ==, 0);
  g_assert_cmpint (getsockname (listener, (struct sockaddr *)&addr, &len), ==,
                   0);
  fds[1] = socket (AF_INET, SOCK_STREAM, 0);
  g_assert_cmpint (connect (fds[1], (struct sockaddr *)&addr, sizeof addr), ==,
                   0);
  fds[0] = accept (listener, NULL, NULL);
  g_assert_cmpint (fds[0], >=, 0);
  close (listener);
}

/* A viewer on one end of a connection; @sndbuf 0 keeps the default. */
static void
viewer_init (Viewer *v, int sndbuf)
{
  int fds[2];
  g_autoptr (GSocket) socket = NULL;
  g_autoptr (GError) error = NULL;

  tcp_pair (fds);
  if (sndbuf > 0)
    {
      g_assert_cmpint (
          setsockopt (fds[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf),
          ==, 0);
      g_assert_cmpint (
          setsockopt (fds[1], SOL_SOCKET, SO_RCVBUF, &sndbuf, sizeof sndbuf),
          ==, 0);
    }
  socket = g_socket_new_from_fd (fds[0], &error);
  g_assert_no_error (error);
  v->viewer = sc_fanout_viewer_new (socket, &error);
  g_assert_no_error (error);
  /* The viewer writes on its own duplicate: ours can go at once. */
  g_socket_close (socket, NULL);
  v->peer = fds[1];
  v->failed = 0;
  sc_fanout_viewer_set_failed_func (v->viewer, on_failed, v, NULL);
}

static void
viewer_clear (Viewer *v)
{
  g_clear_pointer (&v->viewer, sc_fanout_viewer_unref);
  if (v->peer >= 0)
    close (v->peer);
  v->peer = -1;
}

/* Everything the peer can read now. */
static GByteArray *
drain (Viewer *v)
{
  GByteArray *all = g_byte_array_new ();
  guint8 chunk[65536];
  gssize n;

  while ((n = recv (v->peer, chunk, sizeof chunk, MSG_DONTWAIT)) > 0)
    g_byte_array_append (all, chunk, n);
  return all;
}

/* A fake RTP packet: @size bytes, the first four carrying @seq. */
static GstBuffer *
packet (guint32 seq, gsize size)
{
  GstBuffer *b = gst_buffer_new_allocate (NULL, size, NULL);
  GstMapInfo map;

  gst_buffer_map (b, &map, GST_MAP_WRITE);
  for (gsize i = 0; i < size; i++)
    map.data[i] = (guint8)(seq + i);
  GST_WRITE_UINT32_BE (map.data, seq);
  gst_buffer_unmap (b, &map);
  return b;
}

/* Checks the interleaved frames of @channel in @bytes from @at (each one a
 * packet()), appends their sequence numbers; returns the offset after the
 * last whole one. */
static gsize
parse_frames (GByteArray *bytes, gsize at, guint8 channel, GArray *seqs)
{
  while (at + 4 <= bytes->len && bytes->data[at] == '$')
    {
      /* Byte by byte: frames are not aligned. */
      guint len = bytes->data[at + 2] << 8 | bytes->data[at + 3];
      const guint8 *p = bytes->data + at + 4;
      guint32 seq;

      if (at + 4 + len > bytes->len || bytes->data[at + 1] != channel)
        break;
      seq = (guint32)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
      for (guint i = 4; i < len; i++)
        g_assert_cmpuint (p[i], ==, (guint8)(seq + i));
      g_array_append_val (seqs, seq);
      at += 4 + len;
    }
  return at;
}

static void
test_framing (void)
{
  g_autoptr (ScFanout) fanout = sc_fanout_new ();
  Viewer a, b;
  g_autoptr (GstBufferList) list = gst_buffer_list_new ();
  g_autoptr (GstBuffer) rtcp = packet (99, 40);
  g_autoptr (GByteArray) got_a = NULL, got_b = NULL, none = NULL;
  g_autoptr (GArray) seqs = g_array_new (FALSE, FALSE, sizeof (guint32));

  viewer_init (&a, 0);
  viewer_init (&b, 0);
  sc_fanout_viewer_set_channels (a.viewer, 0, 0, 1);
  sc_fanout_viewer_set_channels (b.viewer, 0, 6, 7);
  sc_fanout_add (fanout, a.viewer);
  sc_fanout_add (fanout, b.viewer);
  g_assert_cmpuint (sc_fanout_get_n_viewers (fanout), ==, 2);
  for (guint i = 0; i < 3; i++)
    gst_buffer_list_add (list, packet (i, 1200 + i));

  /* Not playing yet: nothing. */
  sc_fanout_send (fanout, 0, FALSE, NULL, list, TRUE);
  none = drain (&a);
  g_assert_cmpuint (none->len, ==, 0);

  sc_fanout_viewer_set_playing (a.viewer, TRUE);
  sc_fanout_viewer_set_playing (b.viewer, TRUE);
  sc_fanout_send (fanout, 0, FALSE, NULL, list, TRUE);
  sc_fanout_send (fanout, 0, TRUE, rtcp, NULL, TRUE);
  sc_fanout_send (fanout, 1, FALSE, rtcp, NULL, TRUE); /* not received */

  got_a = drain (&a);
  got_b = drain (&b);
  g_assert_cmpuint (got_a->len, ==, 3 * 4 + 1200 + 1201 + 1202 + 4 + 40);
  g_assert_cmpuint (parse_frames (got_a, 0, 0, seqs), ==, got_a->len - 44);
  g_assert_cmpuint (parse_frames (got_a, got_a->len - 44, 1, seqs), ==,
                    got_a->len);
  g_assert_cmpuint (seqs->len, ==, 4);
  g_assert_cmpuint (g_array_index (seqs, guint32, 3), ==, 99);
  /* The same bytes, the other viewer's channels. */
  g_assert_cmpuint (got_b->len, ==, got_a->len);
  g_array_set_size (seqs, 0);
  g_assert_cmpuint (parse_frames (got_b, 0, 6, seqs), ==, got_b->len - 44);
  g_assert_cmpuint (got_b->data[got_b->len - 43], ==, 7);

  sc_fanout_remove (fanout, a.viewer);
  sc_fanout_send (fanout, 0, FALSE, NULL, list, TRUE);
  g_clear_pointer (&got_a, g_byte_array_unref);
  got_a = drain (&a);
  g_assert_cmpuint (got_a->len, ==, 0);
  g_assert_cmpuint (a.failed + b.failed, ==, 0);
  viewer_clear (&a);
  viewer_clear (&b);
}

/* Parts of an access unit wait for the part that ends it: one block. */
static void
test_held_parts (void)
{
  g_autoptr (ScFanout) fanout = sc_fanout_new ();
  g_autoptr (GstBuffer) delimiter = packet (1, 18);
  g_autoptr (GstBuffer) slice = packet (2, 1400);
  g_autoptr (GByteArray) early = NULL, unit = NULL;
  g_autoptr (GArray) seqs = g_array_new (FALSE, FALSE, sizeof (guint32));
  Viewer a;

  viewer_init (&a, 0);
  sc_fanout_viewer_set_channels (a.viewer, 0, 0, 1);
  sc_fanout_viewer_set_playing (a.viewer, TRUE);
  sc_fanout_add (fanout, a.viewer);

  sc_fanout_send (fanout, 0, FALSE, delimiter, NULL, FALSE);
  early = drain (&a);
  g_assert_cmpuint (early->len, ==, 0);
  sc_fanout_send (fanout, 0, FALSE, slice, NULL, TRUE);
  unit = drain (&a);
  g_assert_cmpuint (parse_frames (unit, 0, 0, seqs), ==, unit->len);
  g_assert_cmpuint (seqs->len, ==, 2);
  g_assert_cmpuint (g_array_index (seqs, guint32, 0), ==, 1);
  g_assert_cmpuint (g_array_index (seqs, guint32, 1), ==, 2);
  viewer_clear (&a);
}

/* A viewer that does not read loses whole blocks, never part of one, and
 * never slows the others; what it gets once it reads is well formed. */
static void
test_slow_viewer (void)
{
  g_autoptr (ScFanout) fanout = sc_fanout_new ();
  g_autoptr (GArray) fast_seqs = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_autoptr (GArray) slow_seqs = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_autoptr (GByteArray) fast_bytes = g_byte_array_new ();
  g_autoptr (GByteArray) slow_bytes = NULL;
  gsize fast_at = 0;
  Viewer fast, slow;

  viewer_init (&fast, 0);
  viewer_init (&slow, 16384);
  sc_fanout_viewer_set_limits (slow.viewer, 64 * 1024, 60 * G_USEC_PER_SEC);
  for (Viewer *v = &fast; v != NULL; v = v == &fast ? &slow : NULL)
    {
      sc_fanout_viewer_set_channels (v->viewer, 0, 0, 1);
      sc_fanout_viewer_set_playing (v->viewer, TRUE);
      sc_fanout_add (fanout, v->viewer);
    }

  for (guint32 seq = 0; seq < 300; seq++)
    {
      g_autoptr (GstBufferList) frame = gst_buffer_list_new ();
      g_autoptr (GByteArray) more = NULL;

      for (guint i = 0; i < 7; i++)
        gst_buffer_list_add (frame, packet (seq * 7 + i, 1400));
      sc_fanout_send (fanout, 0, FALSE, NULL, frame, TRUE);
      more = drain (&fast);
      g_byte_array_append (fast_bytes, more->data, more->len);
      fast_at = parse_frames (fast_bytes, fast_at, 0, fast_seqs);
    }
  g_assert_cmpuint (fast_at, ==, fast_bytes->len);
  g_assert_cmpuint (fast_seqs->len, ==, 300 * 7);
  g_assert_cmpuint (sc_fanout_viewer_get_dropped (fast.viewer), ==, 0);
  g_assert_cmpuint (sc_fanout_viewer_get_dropped (slow.viewer), >, 200);

  /* It reads now: the backlog comes first, then new blocks (each send
   * flushes what the socket takes; how much that is depends on timing). */
  slow_bytes = drain (&slow);
  for (guint32 seq = 1000;; seq++)
    {
      g_autoptr (GstBuffer) p = packet (seq * 7, 1000);
      g_autoptr (GByteArray) more = NULL;

      sc_fanout_send (fanout, 0, FALSE, p, NULL, TRUE);
      g_usleep (1000);
      more = drain (&slow);
      g_byte_array_append (slow_bytes, more->data, more->len);
      g_array_set_size (slow_seqs, 0);
      /* A block may have arrived in part so far: whole ones are checked. */
      if (parse_frames (slow_bytes, 0, 0, slow_seqs) == slow_bytes->len
          && slow_seqs->len > 0
          && g_array_index (slow_seqs, guint32, slow_seqs->len - 1) == seq * 7)
        break;
      g_assert_cmpuint (seq, <, 1200);
    }
  for (guint i = 1; i < slow_seqs->len; i++)
    g_assert_cmpuint (g_array_index (slow_seqs, guint32, i), >,
                      g_array_index (slow_seqs, guint32, i - 1));
  /* Whole frames only: each kept frame of the first 300 has its 7
   * packets. */
  for (guint i = 0; i < slow_seqs->len; i++)
    {
      guint32 seq = g_array_index (slow_seqs, guint32, i);

      if (seq < 300 * 7 && seq % 7 == 0)
        {
          g_assert_cmpuint (i + 6, <, slow_seqs->len);
          g_assert_cmpuint (g_array_index (slow_seqs, guint32, i + 6), ==,
                            seq + 6);
        }
    }
  g_assert_cmpuint (fast.failed + slow.failed, ==, 0);
  viewer_clear (&fast);
  viewer_clear (&slow);
}

/* An answer never splits a packet: written after what waits, and the
 * stream's own copies of the fanout's packets are dropped. */
static void
test_messages_in_order (void)
{
  g_autoptr (ScFanout) fanout = sc_fanout_new ();
  g_autoptr (GByteArray) bytes = g_byte_array_new ();
  g_autoptr (GArray) seqs = g_array_new (FALSE, FALSE, sizeof (guint32));
  GstRTSPMessage messages[2] = { 0 };
  g_autoptr (GstBuffer) dup = packet (5000, 100);
  const char *answer;
  gsize at;
  Viewer v;

  viewer_init (&v, 16384);
  sc_fanout_viewer_set_channels (v.viewer, 0, 0, 1);
  sc_fanout_viewer_set_playing (v.viewer, TRUE);
  sc_fanout_add (fanout, v.viewer);
  for (guint32 seq = 0; seq < 100; seq++)
    {
      g_autoptr (GstBuffer) p = packet (seq, 1400);

      sc_fanout_send (fanout, 0, FALSE, p, NULL, TRUE);
    }
  gst_rtsp_message_init_response (&messages[0], GST_RTSP_STS_OK, "OK", NULL);
  gst_rtsp_message_add_header (&messages[0], GST_RTSP_HDR_CSEQ, "7");
  gst_rtsp_message_init_data (&messages[1], 0);
  gst_rtsp_message_set_body_buffer (&messages[1], dup);
  g_assert_true (sc_fanout_viewer_send_messages (v.viewer, messages,
                                                 G_N_ELEMENTS (messages)));
  gst_rtsp_message_unset (&messages[0]);
  gst_rtsp_message_unset (&messages[1]);

  /* Read while packets go on: the answer comes whole between packets. */
  for (guint32 seq = 100; seq < 160; seq++)
    {
      g_autoptr (GstBuffer) p = packet (seq, 1400);
      g_autoptr (GByteArray) more = drain (&v);

      g_byte_array_append (bytes, more->data, more->len);
      sc_fanout_send (fanout, 0, FALSE, p, NULL, TRUE);
    }
  {
    g_autoptr (GByteArray) more = drain (&v);

    g_byte_array_append (bytes, more->data, more->len);
  }
  at = parse_frames (bytes, 0, 0, seqs);
  answer = "RTSP/1.0 200 OK\r\n";
  g_assert_cmpuint (bytes->len, >, at + strlen (answer));
  g_assert_cmpmem (bytes->data + at, strlen (answer), answer, strlen (answer));
  g_assert_nonnull (
      g_strstr_len ((char *)bytes->data + at, bytes->len - at, "CSeq: 7\r\n"));
  /* After the answer's blank line, packets again; the duplicate is gone. */
  at = (guint8 *)g_strstr_len ((char *)bytes->data + at, bytes->len - at,
                               "\r\n\r\n")
       - bytes->data + 4;
  g_assert_cmpuint (parse_frames (bytes, at, 0, seqs), ==, bytes->len);
  for (guint i = 0; i < seqs->len; i++)
    g_assert_cmpuint (g_array_index (seqs, guint32, i), !=, 5000);
  g_assert_cmpuint (v.failed, ==, 0);
  viewer_clear (&v);
}

/* A closed peer, or one congested too long, is reported once. */
static void
test_failed (void)
{
  g_autoptr (ScFanout) fanout = sc_fanout_new ();
  g_autoptr (GstBuffer) p = packet (1, 1400);
  Viewer gone, stuck;

  viewer_init (&gone, 0);
  viewer_init (&stuck, 16384);
  sc_fanout_viewer_set_limits (stuck.viewer, 32 * 1024, 20000);
  for (Viewer *v = &gone; v != NULL; v = v == &gone ? &stuck : NULL)
    {
      sc_fanout_viewer_set_channels (v->viewer, 0, 0, 1);
      sc_fanout_viewer_set_playing (v->viewer, TRUE);
      sc_fanout_add (fanout, v->viewer);
    }
  close (gone.peer);
  gone.peer = -1;
  for (guint i = 0; i < 200 && stuck.failed == 0; i++)
    {
      sc_fanout_send (fanout, 0, FALSE, p, NULL, TRUE);
      g_usleep (1000);
    }
  g_assert_cmpuint (gone.failed, ==, 1);
  g_assert_cmpuint (stuck.failed, ==, 1);
  g_assert_false (sc_fanout_viewer_is_playing (gone.viewer));
  sc_fanout_send (fanout, 0, FALSE, p, NULL, TRUE);
  g_assert_cmpuint (gone.failed + stuck.failed, ==, 2);
  g_assert_false (sc_fanout_viewer_send_messages (gone.viewer, NULL, 0));
  viewer_clear (&gone);
  viewer_clear (&stuck);
}

int
main (int argc, char *argv[])
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/fanout/framing", test_framing);
  g_test_add_func ("/fanout/held-parts", test_held_parts);
  g_test_add_func ("/fanout/slow-viewer", test_slow_viewer);
  g_test_add_func ("/fanout/messages-in-order", test_messages_in_order);
  g_test_add_func ("/fanout/failed", test_failed);
  return g_test_run ();
}
