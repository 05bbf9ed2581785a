/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The RTMP ingest of `slotcast serve`, with real encoders: ffmpeg (as OBS
 * would be set up, too) and GStreamer's rtmp2sink publish, RTSP viewers
 * (rtspsrc, ffmpeg) must decode what they sent; refusals must be refused
 * with the reason; abusive connections must not disturb a live stream. */

#include "config.h"

#include <signal.h>
#include <sqlite3.h>
#include <string.h>

#include "sc-test-media.h"

#define TOKEN_43 "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"

typedef ScTestFixture Fixture;

/* ffmpeg publishing H.264 + AAC to @url in real time; @extra options go
 * before the URL. Its stderr is piped when @errors. */
static GSubprocess *
publish_ffmpeg (const char *url, const char *const *extra, gboolean errors)
{
  g_autoptr (GPtrArray) output = g_ptr_array_new ();

  for (const char *const *a = extra; a != NULL && *a != NULL; a++)
    g_ptr_array_add (output, (char *)*a);
  g_ptr_array_add (output, "-f");
  g_ptr_array_add (output, "flv");
  g_ptr_array_add (output, (char *)url);
  g_ptr_array_add (output, NULL);
  return sc_test_spawn_ffmpeg (TRUE, (const char *const *)output->pdata,
                               errors);
}

/* The publish URL of @ticket in its RTMP form. */
static char *
rtmp_url (JsonNode *ticket)
{
  return g_strdup_printf (
      "%s/%s", sc_test_json_string (ticket, "connection.rtmp_server_url"),
      sc_test_json_string (ticket, "connection.rtmp_stream_key"));
}

/* ffmpeg to the ticket's RTMP URL: RTSP viewers get H.264 and AAC. */
static void
test_ffmpeg (Fixture *f, gconstpointer data)
{
  g_autoptr (JsonNode) ticket = sc_test_book (f, "rtmp", 1, 60, NULL);
  g_autofree char *url = rtmp_url (ticket);
  g_autoptr (GSubprocess) pub = publish_ffmpeg (url, NULL, FALSE);
  g_autoptr (GSubprocess) viewer = NULL;
  g_autofree char *err = NULL;
  int status;

  g_assert_cmpint (sc_test_wait_live (f, "rtmp", TRUE, 15000), >, 0);
  /* First, viewers that set up the video track only, twice over: the
   * shared media goes on serving everyone, audio included (a PLAY of one track
   * once left the other's appsrc not-linked and the media in error). */
  {
    g_autofree char *play = g_strdup_printf ("rtsp://127.0.0.1:%u/live/rtmp",
                                             f->server->rtsp_port);
    g_autofree char *out = sc_test_run_viewers (
        play, 5, 2, sc_test_live_bitrate (f, "rtmp") / 4, 2);

    g_assert_nonnull (strstr (out, "cycle=2 viewers=5 streaming=5 fed=5 "));
  }
  viewer = sc_test_view (f, "rtmp", NULL, 50);
  g_assert_true (sc_test_got_frames (viewer, 20000));
  err = sc_test_probe_rtsp (f, "rtmp", &status);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (err, "Video: h264"));
  g_assert_nonnull (strstr (err, "Audio: aac"));
  g_assert_cmpint (sc_test_ffmpeg_kib (err, "video"), >, 0);
  g_assert_cmpint (sc_test_ffmpeg_kib (err, "audio"), >, 0);
  {
    g_autoptr (ScTestResponse) r = NULL;
    JsonObject *o = sc_test_live_entry (f, "rtmp", &r);

    g_assert_nonnull (o);
    g_assert_cmpstr (json_object_get_string_member (o, "reservation"), ==,
                     sc_test_json_string (ticket, "id"));
    g_assert_cmpstr (json_object_get_string_member (o, "publisher"), ==,
                     "127.0.0.1");
  }
  sc_test_stop_process (pub);
  g_assert_cmpint (sc_test_wait_live (f, "rtmp", FALSE, 5000), >, 0);
}

/* The two fields OBS asks for, as the ticket gives them: server URL and
 * stream key (ffmpeg sets them apart the way OBS does). */
static void
test_obs_fields (Fixture *f, gconstpointer data)
{
  g_autoptr (JsonNode) ticket = sc_test_book (f, "obs", 1, 60, NULL);
  const char *extra[]
      = { "-rtmp_app", "live", "-rtmp_playpath",
          sc_test_json_string (ticket, "connection.rtmp_stream_key"), NULL };
  g_autoptr (GSubprocess) pub = publish_ffmpeg (
      sc_test_json_string (ticket, "connection.rtmp_server_url"), extra, FALSE);
  g_autoptr (GSubprocess) viewer = NULL;

  g_assert_cmpint (sc_test_wait_live (f, "obs", TRUE, 15000), >, 0);
  viewer = sc_test_view (f, "obs", NULL, 25);
  g_assert_true (sc_test_got_frames (viewer, 20000));
  sc_test_stop_process (pub);
}

/* GStreamer: flvmux ! rtmp2sink to the ticket's RTMP URL. */
static void
test_rtmp2sink (Fixture *f, gconstpointer data)
{
  g_autoptr (JsonNode) ticket = sc_test_book (f, "gst", 1, 60, NULL);
  g_autofree char *url = rtmp_url (ticket);
  g_autofree char *p = g_strdup_printf (
      "videotestsrc is-live=true ! video/x-raw,width=320,height=240,"
      "framerate=25/1 ! x264enc tune=zerolatency speed-preset=ultrafast "
      "key-int-max=25 bitrate=500 ! h264parse ! flvmux streamable=true "
      "name=m audiotestsrc is-live=true ! voaacenc ! m. m. ! "
      "rtmp2sink location=\"%s\"",
      url);
  g_autoptr (GSubprocess) pub = sc_test_spawn_gst (p);
  g_autoptr (GSubprocess) viewer = NULL;
  g_autofree char *err = NULL;
  int status;

  g_assert_cmpint (sc_test_wait_live (f, "gst", TRUE, 15000), >, 0);
  viewer = sc_test_view (f, "gst", NULL, 50);
  g_assert_true (sc_test_got_frames (viewer, 20000));
  err = sc_test_probe_rtsp (f, "gst", &status);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (err, "Video: h264"));
  g_assert_nonnull (strstr (err, "Audio: aac"));
  g_assert_cmpint (sc_test_ffmpeg_kib (err, "video"), >, 0);
  g_assert_cmpint (sc_test_ffmpeg_kib (err, "audio"), >, 0);
  sc_test_stop_process (pub);
}

/* ffmpeg at @url must fail at once with @reason on its stderr, and no
 * stream may appear. */
static void
assert_refused (Fixture *f, const char *stream, const char *url,
                const char *reason)
{
  g_autoptr (GSubprocess) pub = publish_ffmpeg (url, NULL, TRUE);
  g_autofree char *err = NULL;
  g_autoptr (GError) error = NULL;

  g_subprocess_communicate_utf8 (pub, NULL, NULL, NULL, &err, &error);
  g_assert_no_error (error);
  g_test_message ("%s: ffmpeg exited with %d: %s", stream,
                  g_subprocess_get_exit_status (pub), err);
  g_assert_cmpint (g_subprocess_get_exit_status (pub), !=, 0);
  g_assert_nonnull (strstr (err, reason));
  g_assert_cmpint (sc_test_wait_live (f, stream, FALSE, 100), >, 0);
}

static void
test_refusals (Fixture *f, gconstpointer data)
{
  g_autoptr (JsonNode) ok = sc_test_book (f, "open", 1, 60, NULL);
  g_autoptr (JsonNode) later = sc_test_book (f, "later", 3600, 60, NULL);
  g_autoptr (JsonNode) gone = sc_test_book (f, "gone", 1, 60, NULL);
  const char *token = sc_test_json_string (ok, "publish_token");
  guint16 port = f->server->rtmp_port;
  g_autofree char *no_token
      = g_strdup_printf ("rtmp://127.0.0.1:%u/live/open", port);
  g_autofree char *unknown
      = g_strdup_printf ("rtmp://127.0.0.1:%u/live/open?token=" TOKEN_43, port);
  g_autofree char *wrong_stream = g_strdup_printf (
      "rtmp://127.0.0.1:%u/live/other?token=%s", port, token);
  g_autofree char *bad_app
      = g_strdup_printf ("rtmp://127.0.0.1:%u/vod/open?token=%s", port, token);
  g_autofree char *bad_name = g_strdup_printf (
      "rtmp://127.0.0.1:%u/live/no.dots?token=%s", port, token);
  g_autofree char *later_url = rtmp_url (later);
  g_autofree char *gone_url = rtmp_url (gone);

  assert_refused (f, "open", no_token, "no token given");
  assert_refused (f, "open", unknown, "unknown token");
  assert_refused (f, "other", wrong_stream, "token is for stream open");
  assert_refused (f, "open", bad_app, "Unknown application");
  assert_refused (f, "no", bad_name, "stream key must be");
  assert_refused (f, "later", later_url, "slot opens in");
  sc_test_cancel (f, sc_test_json_string (gone, "id"));
  assert_refused (f, "gone", gone_url, "cancelled");

  /* Playing over RTMP is refused with a pointer to RTSP. */
  {
    g_autofree char *play
        = g_strdup_printf ("rtmp://127.0.0.1:%u/live/open", port);
    const char *argv[]
        = { "ffmpeg", "-nostdin", "-loglevel", "error", "-i", play,
            "-t",     "1",        "-f",        "null",  "-",  NULL };
    g_autoptr (GSubprocess) player
        = sc_test_spawn_flags (argv, G_SUBPROCESS_FLAGS_STDOUT_SILENCE
                                         | G_SUBPROCESS_FLAGS_STDERR_PIPE);
    g_autofree char *err = NULL;

    g_subprocess_communicate_utf8 (player, NULL, NULL, NULL, &err, NULL);
    g_test_message ("RTMP player: %s", err);
    g_assert_cmpint (g_subprocess_get_exit_status (player), !=, 0);
    g_assert_nonnull (strstr (err, "not offered"));
  }
  {
    g_autofree char *url = sc_test_server_url (f->server, "/metrics");
    g_autoptr (ScTestResponse) m
        = sc_test_request (f->session, "GET", url, NULL, NULL);
    const char *text = g_bytes_get_data (m->body, NULL);

    g_assert_nonnull (strstr (
        text, "slotcast_ingest_refusals_total{reason=\"missing_token\"} 1\n"));
    g_assert_nonnull (strstr (
        text, "slotcast_ingest_refusals_total{reason=\"unknown_token\"} 1\n"));
    g_assert_nonnull (strstr (
        text, "slotcast_ingest_refusals_total{reason=\"wrong_stream\"} 1\n"));
    g_assert_nonnull (strstr (
        text, "slotcast_ingest_refusals_total{reason=\"too_early\"} 1\n"));
    g_assert_nonnull (strstr (
        text, "slotcast_ingest_refusals_total{reason=\"cancelled\"} 1\n"));
  }
}

/* Cut at the end of the slot and when cancelled, then refused as ended. */
static void
test_end_and_cancel (Fixture *f, gconstpointer data)
{
  g_autoptr (JsonNode) brief = sc_test_book (f, "brief", 1, 5, NULL);
  g_autoptr (JsonNode) cut = sc_test_book (f, "cut", 1, 60, NULL);
  g_autofree char *brief_url = rtmp_url (brief);
  g_autofree char *cut_url = rtmp_url (cut);
  gint64 end_us = sc_test_json_time (brief, "end");
  g_autoptr (GSubprocess) a = publish_ffmpeg (brief_url, NULL, FALSE);
  g_autoptr (GSubprocess) b = publish_ffmpeg (cut_url, NULL, FALSE);
  gint64 gone_us, cancelled_us;

  g_assert_cmpint (sc_test_wait_live (f, "brief", TRUE, 15000), >, 0);
  g_assert_cmpint (sc_test_wait_live (f, "cut", TRUE, 15000), >, 0);
  sc_test_cancel (f, sc_test_json_string (cut, "id"));
  cancelled_us = g_get_real_time ();
  gone_us = sc_test_wait_live (f, "cut", FALSE, 5000);
  g_test_message ("cut %.3f s after the cancel",
                  (gone_us - cancelled_us) / 1e6);
  g_assert_cmpint (gone_us - cancelled_us, <=, G_USEC_PER_SEC);
  /* ffmpeg notices the closed connection and fails. */
  g_assert_cmpint (sc_test_wait_for (b, 10000), >, 0);

  gone_us = sc_test_wait_live (f, "brief", FALSE, 15000);
  g_test_message ("cut %.3f s after the end", (gone_us - end_us) / 1e6);
  g_assert_cmpint (gone_us, >=, end_us);
  g_assert_cmpint (gone_us - end_us, <=, G_USEC_PER_SEC);
  g_assert_cmpint (sc_test_wait_for (a, 10000), >, 0);
  assert_refused (f, "brief", brief_url, "slot ended");
}

/* ffmpeg republishing with the same token replaces a dead session (the
 * first encoder is frozen, its connection still open); the viewer keeps
 * receiving. */
static void
test_takeover (Fixture *f, gconstpointer data)
{
  g_autoptr (JsonNode) ticket = sc_test_book (f, "relay", 1, 60, NULL);
  g_autofree char *url = rtmp_url (ticket);
  g_autoptr (GSubprocess) first = publish_ffmpeg (url, NULL, FALSE);
  g_autoptr (GSubprocess) second = NULL;
  g_autoptr (GSubprocess) viewer = NULL;
  g_autofree char *since = NULL;

  g_assert_cmpint (sc_test_wait_live (f, "relay", TRUE, 15000), >, 0);
  {
    g_autoptr (ScTestResponse) r = NULL;
    since = g_strdup (json_object_get_string_member (
        sc_test_live_entry (f, "relay", &r), "since"));
  }
  viewer = sc_test_view (f, "relay", NULL, 125); /* 5 s of video */
  g_usleep (G_USEC_PER_SEC);
  g_subprocess_send_signal (first, SIGSTOP);
  second = publish_ffmpeg (url, NULL, FALSE);
  for (gint64 until = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;;)
    {
      g_autoptr (ScTestResponse) r = NULL;
      JsonObject *o = sc_test_live_entry (f, "relay", &r);

      if (o != NULL
          && g_strcmp0 (json_object_get_string_member (o, "since"), since) != 0)
        break;
      g_assert_cmpint (g_get_monotonic_time (), <, until);
      g_usleep (20000);
    }
  g_assert_true (sc_test_got_frames (viewer, 20000));
  /* The frozen one finds its connection closed. */
  g_subprocess_send_signal (first, SIGCONT);
  g_assert_cmpint (sc_test_wait_for (first, 10000), >, 0);
  sc_test_stop_process (second);
}

/* An RTSP publisher of H.264 + Opus is taken over by ffmpeg over RTMP with
 * H.264 + AAC: the viewers' media is rebuilt for the new tracks, and a
 * viewer decodes AAC afterwards. */
static void
test_takeover_layout (Fixture *f, gconstpointer data)
{
  g_autoptr (JsonNode) ticket = sc_test_book (f, "swap", 1, 60, NULL);
  g_autofree char *rtsp = g_strdup_printf (
      "videotestsrc is-live=true ! video/x-raw,width=320,height=240,"
      "framerate=25/1 ! x264enc tune=zerolatency speed-preset=ultrafast "
      "key-int-max=25 bitrate=500 ! video/x-h264,profile=baseline ! "
      "rtspclientsink name=s protocols=tcp location=\"%s\" "
      "audiotestsrc is-live=true ! audioconvert ! opusenc ! s.",
      sc_test_json_string (ticket, "connection.rtsp_publish_url"));
  g_autoptr (GSubprocess) first = sc_test_spawn_gst (rtsp);
  g_autoptr (GSubprocess) second = NULL;
  g_autofree char *url = rtmp_url (ticket);
  g_autofree char *since = NULL;
  g_autofree char *err = NULL;
  int status;

  g_assert_cmpint (sc_test_wait_live (f, "swap", TRUE, 15000), >, 0);
  err = sc_test_probe_rtsp (f, "swap", &status);
  g_assert_nonnull (strstr (err, "Audio: opus"));
  g_clear_pointer (&err, g_free);
  since = sc_test_live_member (f, "swap", "since");

  second = publish_ffmpeg (url, NULL, FALSE);
  for (gint64 until = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;;)
    {
      g_autofree char *now = sc_test_live_member (f, "swap", "since");

      if (now != NULL && g_strcmp0 (now, since) != 0)
        break;
      g_assert_cmpint (g_get_monotonic_time (), <, until);
      g_usleep (20000);
    }
  g_assert_cmpint (sc_test_wait_live (f, "swap", TRUE, 10000), >, 0);
  /* The new media is prepared from the new publisher's first data. */
  for (int attempt = 0;; attempt++)
    {
      err = sc_test_probe_rtsp (f, "swap", &status);
      if (status == 0 && strstr (err, "Audio: aac") != NULL)
        break;
      g_clear_pointer (&err, g_free);
      g_assert_cmpint (attempt, <, 20);
      g_usleep (250000);
    }
  g_assert_cmpint (sc_test_ffmpeg_kib (err, "audio"), >, 0);
  g_assert_cmpint (sc_test_ffmpeg_kib (err, "video"), >, 0);
  sc_test_stop_process (first);
  sc_test_stop_process (second);
}

/* A raw TCP connection to the RTMP port. */
static GSocketConnection *
connect_raw (Fixture *f)
{
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GError) error = NULL;
  GSocketConnection *c = g_socket_client_connect_to_host (
      client, "127.0.0.1", f->server->rtmp_port, NULL, &error);

  g_assert_no_error (error);
  g_socket_set_timeout (g_socket_connection_get_socket (c), 15);
  return c;
}

static void
send_raw (GSocketConnection *c, const void *data, gsize size)
{
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (c));

  /* The server may already have closed: that is fine here. */
  g_output_stream_write_all (out, data, size, NULL, NULL, NULL);
}

/* Reads until the server closes @c; how long that took, in seconds (the
 * socket's 15 s time-out fails the test). */
static double
wait_closed (GSocketConnection *c, gint64 since_us)
{
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (c));
  char buf[4096];

  for (;;)
    {
      g_autoptr (GError) error = NULL;
      gssize n = g_input_stream_read (in, buf, sizeof buf, NULL, &error);

      if (n == 0
          || (n < 0
              && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT)))
        break;
      g_assert_no_error (error);
    }
  return (g_get_monotonic_time () - since_us) / 1e6;
}

/* The plain handshake, done by hand: C0+C1, read S0+S1+S2, C2. */
static void
handshake (GSocketConnection *c)
{
  static guint8 c0c1[1537] = { 3 };
  guint8 s[3073];
  gsize got = 0;

  send_raw (c, c0c1, sizeof c0c1);
  g_assert_true (
      g_input_stream_read_all (g_io_stream_get_input_stream (G_IO_STREAM (c)),
                               s, sizeof s, &got, NULL, NULL));
  g_assert_cmpuint (got, ==, sizeof s);
  g_assert_cmpuint (s[0], ==, 3);
  send_raw (c, s + 1, 1536);
}

/* Garbage, a truncated handshake, an oversized chunk, an oversized
 * message, a slowloris and too many connections from one address: each is
 * closed, and the live stream's viewer is fed throughout. */
static void
test_abuse (Fixture *f, gconstpointer data)
{
  g_autoptr (JsonNode) ticket = sc_test_book (f, "steady", 1, 60, NULL);
  g_autofree char *url = rtmp_url (ticket);
  g_autoptr (GSubprocess) pub = publish_ffmpeg (url, NULL, FALSE);
  g_autoptr (GSubprocess) viewer = NULL;
  g_autoptr (GPtrArray) crowd = g_ptr_array_new_with_free_func (g_object_unref);
  GSocketConnection *c;
  gint64 t0, viewing_us;
  double took;

  g_assert_cmpint (sc_test_wait_live (f, "steady", TRUE, 15000), >, 0);
  viewing_us = g_get_monotonic_time ();
  viewer = sc_test_view (f, "steady", NULL, 150); /* 6 s of video */

  /* Not RTMP at all. */
  c = connect_raw (f);
  t0 = g_get_monotonic_time ();
  send_raw (c, "GET / HTTP/1.1\r\n\r\n", 18);
  {
    static guint8 junk[2048];

    memset (junk, 'G', sizeof junk);
    send_raw (c, junk, sizeof junk);
  }
  took = wait_closed (c, t0);
  g_test_message ("garbage: closed after %.2f s", took);
  g_assert_cmpfloat (took, <, 1);
  g_object_unref (c);

  /* Oversized chunk size. */
  c = connect_raw (f);
  handshake (c);
  t0 = g_get_monotonic_time ();
  {
    /* fmt 0, csid 2, ts 0, length 4, type 1, stream 0; 0x7fffffff. */
    const guint8 m[]
        = { 0x02, 0, 0, 0, 0, 0, 4, 1, 0, 0, 0, 0, 0x7f, 0xff, 0xff, 0xff };
    send_raw (c, m, sizeof m);
  }
  took = wait_closed (c, t0);
  g_test_message ("chunk size 2^31-1: closed after %.2f s", took);
  g_assert_cmpfloat (took, <, 1);
  g_object_unref (c);

  /* Oversized message (16 MiB announced). */
  c = connect_raw (f);
  handshake (c);
  t0 = g_get_monotonic_time ();
  {
    const guint8 m[] = { 0x03, 0, 0, 0, 0xff, 0xff, 0xff, 20, 0, 0, 0, 0 };
    send_raw (c, m, sizeof m);
  }
  took = wait_closed (c, t0);
  g_test_message ("16 MiB message: closed after %.2f s", took);
  g_assert_cmpfloat (took, <, 1);
  g_object_unref (c);

  /* Truncated handshake, then silence: closed at the set-up time-out
   * (timeout-s = 2 in this test's configuration). */
  c = connect_raw (f);
  t0 = g_get_monotonic_time ();
  send_raw (c, "\x03\x00\x00\x00", 4);
  took = wait_closed (c, t0);
  g_test_message ("truncated handshake: closed after %.2f s", took);
  g_assert_cmpfloat (took, >=, 1.5);
  g_assert_cmpfloat (took, <, 4);
  g_object_unref (c);

  /* Slowloris: a byte every 200 ms never finishes the handshake in time. */
  c = connect_raw (f);
  t0 = g_get_monotonic_time ();
  for (int i = 0; i < 40; i++)
    {
      GError *error = NULL;

      if (!g_output_stream_write_all (
              g_io_stream_get_output_stream (G_IO_STREAM (c)), "\x03", 1, NULL,
              NULL, &error))
        {
          g_error_free (error);
          break;
        }
      g_usleep (200000);
    }
  took = wait_closed (c, t0);
  g_test_message ("slowloris: closed after %.2f s", took);
  g_assert_cmpfloat (took, <, 4);
  g_object_unref (c);

  /* max-connections-per-address = 6; ffmpeg holds one, which publishes and
   * so is never dropped for room: of 8 more silent ones, each of the last
   * 3 takes the place of the oldest, closed at once. So half-done
   * handshakes from an address never lock its publishers out. */
  for (int i = 0; i < 8; i++)
    g_ptr_array_add (crowd, connect_raw (f));
  t0 = g_get_monotonic_time ();
  for (int i = 0; i < 3; i++)
    g_assert_cmpfloat (wait_closed (crowd->pdata[i], t0), <, 1);

  /* All along, the viewer was fed: 6 s of video in well under 12 s. */
  g_assert_true (sc_test_got_frames (viewer, 20000));
  g_test_message ("viewer got 150 frames in %.2f s",
                  (g_get_monotonic_time () - viewing_us) / 1e6);
  g_assert_cmpint (g_get_monotonic_time () - viewing_us, <,
                   12 * G_USEC_PER_SEC);
  g_assert_cmpint (sc_test_wait_live (f, "steady", TRUE, 100), >, 0);
  sc_test_stop_process (pub);
}

typedef struct
{
  Fixture *f;
  guint statuses[2];
} Booking;

/* Two bookings in a row, each waiting up to the server's 5 s busy time-out
 * on a database another process holds. */
static gpointer
book_thread (gpointer data)
{
  Booking *b = data;
  g_autoptr (SoupSession) session = sc_test_session_new ();
  g_autofree char *url
      = sc_test_server_url (b->f->server, "/api/v1/reservations");

  for (int i = 0; i < 2; i++)
    {
      g_autofree char *stream = g_strdup_printf ("waits%d", i);
      g_autofree char *body = sc_test_booking_body (stream, 600, 660, NULL);
      g_autoptr (ScTestResponse) r = sc_test_request (
          session, "POST", url, b->f->server->admin_key, body);

      b->statuses[i] = r->status;
    }
  return NULL;
}

/* Another process holds the database's write lock while bookings wait on
 * it, blocking the booking service's main loop for about 10 s: the ingest
 * has its own thread and context, so an RTMP publisher's new viewer is
 * accepted and fed meanwhile (the RTMP input and the RTSP listener shared
 * that loop: its viewers froze for as long). */
static void
test_db_locked (Fixture *f, gconstpointer data)
{
  g_autoptr (JsonNode) ticket = sc_test_book (f, "steady", 1, 60, NULL);
  g_autofree char *url = rtmp_url (ticket);
  g_autoptr (GSubprocess) pub = publish_ffmpeg (url, NULL, FALSE);
  g_autoptr (GSubprocess) viewer = NULL;
  g_autofree char *db_path
      = g_build_filename (f->server->data_dir, "slotcast.db", NULL);
  Booking booking = { f };
  sqlite3 *db = NULL;
  GThread *thread;
  gint64 locked_us, fed_us;

  g_assert_cmpint (sc_test_wait_live (f, "steady", TRUE, 15000), >, 0);
  g_assert_cmpint (sqlite3_open (db_path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "BEGIN IMMEDIATE", NULL, NULL, NULL), ==,
                   SQLITE_OK);
  locked_us = g_get_monotonic_time ();
  thread = g_thread_new ("book", book_thread, &booking);
  g_usleep (G_USEC_PER_SEC / 2); /* the first booking waits now */

  /* 3 s of video, asked for and received while the lock is held. */
  viewer = sc_test_view (f, "steady", NULL, 75);
  g_assert_true (sc_test_got_frames (viewer, 9000));
  fed_us = g_get_monotonic_time ();
  g_test_message ("a new viewer got 75 frames %.1f s into the lock",
                  (fed_us - locked_us) / 1e6);
  g_assert_cmpint (fed_us - locked_us, <, 9 * G_USEC_PER_SEC);

  g_thread_join (thread);
  g_test_message ("bookings answered %u and %u after %.1f s",
                  booking.statuses[0], booking.statuses[1],
                  (g_get_monotonic_time () - locked_us) / 1e6);
  /* The bookings waited for the lock all along: the loop was blocked. */
  g_assert_cmpuint (booking.statuses[0], ==, 503);
  g_assert_cmpuint (booking.statuses[1], ==, 503);
  g_assert_cmpint (g_get_monotonic_time () - locked_us, >=, 9 * G_USEC_PER_SEC);
  sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
  sqlite3_close (db);
  g_assert_cmpint (sc_test_wait_live (f, "steady", TRUE, 5000), >, 0);
  sc_test_stop_process (pub);
}

int
main (int argc, char **argv)
{
  g_autofree char *dir = NULL;
  g_autofree char *config = NULL;
  const char *abuse_args[3];
  int rc;

  g_test_init (&argc, &argv, NULL);
  dir = sc_test_make_tmp_dir ();
  config = g_build_filename (dir, "strict.conf", NULL);
  g_assert_true (g_file_set_contents (config,
                                      "[rtmp]\n"
                                      "timeout-s = 2\n"
                                      "max-connections-per-address = 6\n",
                                      -1, NULL));
  abuse_args[0] = "--config";
  abuse_args[1] = config;
  abuse_args[2] = NULL;

  g_test_add ("/rtmp/db-locked", Fixture, NULL, sc_test_fixture_set_up,
              test_db_locked, sc_test_fixture_tear_down);
  g_test_add ("/rtmp/ffmpeg", Fixture, NULL, sc_test_fixture_set_up,
              test_ffmpeg, sc_test_fixture_tear_down);
  g_test_add ("/rtmp/obs-fields", Fixture, NULL, sc_test_fixture_set_up,
              test_obs_fields, sc_test_fixture_tear_down);
  g_test_add ("/rtmp/rtmp2sink", Fixture, NULL, sc_test_fixture_set_up,
              test_rtmp2sink, sc_test_fixture_tear_down);
  g_test_add ("/rtmp/refusals", Fixture, NULL, sc_test_fixture_set_up,
              test_refusals, sc_test_fixture_tear_down);
  g_test_add ("/rtmp/end-and-cancel", Fixture, NULL, sc_test_fixture_set_up,
              test_end_and_cancel, sc_test_fixture_tear_down);
  g_test_add ("/rtmp/takeover-layout", Fixture, NULL, sc_test_fixture_set_up,
              test_takeover_layout, sc_test_fixture_tear_down);
  g_test_add ("/rtmp/takeover", Fixture, NULL, sc_test_fixture_set_up,
              test_takeover, sc_test_fixture_tear_down);
  g_test_add ("/rtmp/abuse", Fixture, abuse_args, sc_test_fixture_set_up,
              test_abuse, sc_test_fixture_tear_down);
  rc = g_test_run ();
  sc_test_remove_tree (dir);
  return rc;
}
