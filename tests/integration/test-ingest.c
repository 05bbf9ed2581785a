/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The RTSP ingest of `slotcast serve`, with real clients: gst-launch-1.0
 * (rtspclientsink, rtspsrc) and ffmpeg publish and play; viewers must
 * decode frames, refusals must be refused. Reservations last a few
 * seconds; readiness is watched through GET /api/v1/streams, never slept
 * for. */

#include "config.h"

#include <gst/rtsp/rtsp.h>
#include <signal.h>
#include <string.h>

#include "sc-test-media.h"

#define VIDEO_SOURCE                                                           \
  "videotestsrc is-live=true ! video/x-raw,width=320,height=240,"              \
  "framerate=25/1 ! x264enc tune=zerolatency speed-preset=ultrafast "          \
  "key-int-max=25 bitrate=500 ! video/x-h264,profile=baseline"

typedef ScTestFixture Fixture;

static GSubprocess *
publish_gst (const char *url)
{
  g_autofree char *p = g_strdup_printf (
      VIDEO_SOURCE " ! rtspclientsink protocols=tcp location=\"%s\"", url);
  return sc_test_spawn_gst (p);
}

static void
test_publish_and_view (Fixture *f, gconstpointer data)
{
  g_autoptr (JsonNode) ticket = sc_test_book (f, "news", 1, 60, NULL);
  g_autoptr (GSubprocess) pub = publish_gst (
      sc_test_json_string (ticket, "connection.rtsp_publish_url"));
  GSubprocess *v[3];

  g_assert_cmpint (sc_test_wait_live (f, "news", TRUE, 15000), >, 0);
  for (int i = 0; i < 3; i++)
    v[i] = sc_test_view (f, "news", NULL, 50);
  for (int i = 0; i < 3; i++)
    {
      g_assert_true (sc_test_got_frames (v[i], 20000));
      g_object_unref (v[i]);
    }
  /* A late viewer decodes its first frame within about one GOP (1 s here,
   * key-int-max=25 at 25 fps) plus the start of a gst-launch-1.0 process. */
  {
    gint64 t0 = g_get_monotonic_time ();
    g_autoptr (GSubprocess) late = sc_test_view (f, "news", NULL, 1);

    g_assert_true (sc_test_got_frames (late, 20000));
    g_test_message ("late viewer: first frame after %.2f s",
                    (g_get_monotonic_time () - t0) / 1e6);
    g_assert_cmpint (g_get_monotonic_time () - t0, <, 3 * G_USEC_PER_SEC);
  }
  {
    g_autoptr (ScTestResponse) r = NULL;
    JsonObject *o = sc_test_live_entry (f, "news", &r);

    g_assert_nonnull (o);
    g_assert_cmpstr (json_object_get_string_member (o, "reservation"), ==,
                     sc_test_json_string (ticket, "id"));
    g_assert_cmpint (json_object_get_int_member (o, "bytes_in"), >, 10000);
  }
  sc_test_stop_process (pub);
}

static void
test_ffmpeg (Fixture *f, gconstpointer data)
{
  g_autoptr (JsonNode) ticket = sc_test_book (f, "ff", 1, 60, NULL);
  const char *url = sc_test_json_string (ticket, "connection.rtsp_publish_url");
  const char *output[] = { "-f", "rtsp", "-rtsp_transport", "tcp", url, NULL };
  g_autoptr (GSubprocess) pub = sc_test_spawn_ffmpeg (FALSE, output, FALSE);
  g_autoptr (GSubprocess) viewer = NULL;

  g_assert_cmpint (sc_test_wait_live (f, "ff", TRUE, 15000), >, 0);
  viewer = sc_test_view (f, "ff", NULL, 25);
  g_assert_true (sc_test_got_frames (viewer, 20000));
  sc_test_stop_process (pub);
}

/* Viewers of one stream over every lower transport at once: interleaved in
 * the RTSP connection, UDP, and RTSP tunnelled in HTTP (QuickTime's
 * scheme, also VLC's and rtspsrc's "rtsph://"), each decoding frames. */
static void
test_transports (Fixture *f, gconstpointer data)
{
  g_autoptr (JsonNode) ticket = sc_test_book (f, "mixed", 1, 60, NULL);
  g_autoptr (GSubprocess) pub = publish_gst (
      sc_test_json_string (ticket, "connection.rtsp_publish_url"));
  const char *protocols[] = { "tcp", "udp", "http" };
  GSubprocess *v[G_N_ELEMENTS (protocols)];

  g_assert_cmpint (sc_test_wait_live (f, "mixed", TRUE, 15000), >, 0);
  for (guint i = 0; i < G_N_ELEMENTS (protocols); i++)
    v[i] = sc_test_view_over (f, "mixed", NULL, protocols[i], 50);
  for (guint i = 0; i < G_N_ELEMENTS (protocols); i++)
    {
      g_test_message ("viewer over %s", protocols[i]);
      g_assert_true (sc_test_got_frames (v[i], 20000));
      g_object_unref (v[i]);
    }
  sc_test_stop_process (pub);
}

/* An RTSP client connection and its last request's CSeq (GstRTSPConnection
 * numbers requests itself, from 1). */
typedef struct
{
  GstRTSPConnection *conn;
  guint cseq;
} Rtsp;

/* A connection to @url's server (free its conn). */
static Rtsp
rtsp_connect (const char *url)
{
  Rtsp rtsp = { 0 };
  GstRTSPUrl *parsed = NULL;

  g_assert_cmpint (gst_rtsp_url_parse (url, &parsed), ==, GST_RTSP_OK);
  g_assert_cmpint (gst_rtsp_connection_create (parsed, &rtsp.conn), ==,
                   GST_RTSP_OK);
  gst_rtsp_url_free (parsed);
  g_assert_cmpint (
      gst_rtsp_connection_connect_usec (rtsp.conn, 5 * G_USEC_PER_SEC), ==,
      GST_RTSP_OK);
  return rtsp;
}

/* One RTSP exchange on @rtsp, interleaved packets before the answer
 * counted in @packets; the answer's status. */
static GstRTSPStatusCode
rtsp_exchange (Rtsp *rtsp, GstRTSPMethod method, const char *url,
               const char *session, const char *transport, guint *packets,
               char **out_session)
{
  GstRTSPConnection *conn = rtsp->conn;
  g_autofree char *cseq_text = g_strdup_printf ("%u", ++rtsp->cseq);
  GstRTSPMessage request = { 0 }, reply = { 0 };
  GstRTSPStatusCode code = 0;

  gst_rtsp_message_init_request (&request, method, url);
  if (session != NULL)
    gst_rtsp_message_add_header (&request, GST_RTSP_HDR_SESSION, session);
  if (transport != NULL)
    gst_rtsp_message_add_header (&request, GST_RTSP_HDR_TRANSPORT, transport);
  g_assert_cmpint (
      gst_rtsp_connection_send_usec (conn, &request, 5 * G_USEC_PER_SEC), ==,
      GST_RTSP_OK);
  gst_rtsp_message_unset (&request);
  for (;;)
    {
      char *value = NULL;

      /* A packet split by an answer would be a parse error here. */
      g_assert_cmpint (
          gst_rtsp_connection_receive_usec (conn, &reply, 5 * G_USEC_PER_SEC),
          ==, GST_RTSP_OK);
      if (gst_rtsp_message_get_type (&reply) == GST_RTSP_MESSAGE_DATA)
        {
          (*packets)++;
          gst_rtsp_message_unset (&reply);
          continue;
        }
      g_assert_cmpint (gst_rtsp_message_get_type (&reply), ==,
                       GST_RTSP_MESSAGE_RESPONSE);
      gst_rtsp_message_get_header (&reply, GST_RTSP_HDR_CSEQ, &value, 0);
      g_assert_cmpstr (value, ==, cseq_text);
      gst_rtsp_message_parse_response (&reply, &code, NULL, NULL);
      if (out_session != NULL
          && gst_rtsp_message_get_header (&reply, GST_RTSP_HDR_SESSION, &value,
                                          0)
                 == GST_RTSP_OK)
        *out_session = g_strndup (value, strcspn (value, ";"));
      gst_rtsp_message_unset (&reply);
      return code;
    }
}

/* Interleaved packets for @ms, counted per channel (0 to 3) in @counts. */
static void
rtsp_count_packets (GstRTSPConnection *conn, guint ms, guint counts[4])
{
  gint64 until = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < until)
    {
      GstRTSPMessage m = { 0 };
      guint8 channel = 255;

      g_assert_cmpint (
          gst_rtsp_connection_receive_usec (conn, &m, 5 * G_USEC_PER_SEC), ==,
          GST_RTSP_OK);
      g_assert_cmpint (gst_rtsp_message_get_type (&m), ==,
                       GST_RTSP_MESSAGE_DATA);
      gst_rtsp_message_parse_data (&m, &channel);
      g_assert_cmpuint (channel, <=, 3);
      counts[channel]++;
      gst_rtsp_message_unset (&m);
    }
}

/* A viewer over TCP, through gst-rtsp (the library rtspsrc uses): the
 * answers to its keep-alives come whole between packets, the packets go on
 * around them, TEARDOWN is answered and the connection closed, and the
 * viewer leaves the stream's count. */
static void
test_interleaved_session (Fixture *f, gconstpointer data)
{
  g_autoptr (JsonNode) ticket = sc_test_book (f, "tcp", 1, 60, NULL);
  g_autoptr (GSubprocess) pub = publish_gst (
      sc_test_json_string (ticket, "connection.rtsp_publish_url"));
  g_autofree char *url
      = g_strdup_printf ("rtsp://127.0.0.1:%u/live/tcp", f->server->rtsp_port);
  g_autofree char *setup_url = g_strconcat (url, "/stream=0", NULL);
  g_autofree char *session = NULL;
  GstRTSPConnection *conn = NULL;
  Rtsp rtsp;
  GstRTSPMessage closing = { 0 };
  guint before = 0, between = 0;

  g_assert_cmpint (sc_test_wait_live (f, "tcp", TRUE, 15000), >, 0);
  rtsp = rtsp_connect (url);
  conn = rtsp.conn;

  g_assert_cmpint (
      rtsp_exchange (&rtsp, GST_RTSP_DESCRIBE, url, NULL, NULL, &before, NULL),
      ==, GST_RTSP_STS_OK);
  g_assert_cmpint (rtsp_exchange (&rtsp, GST_RTSP_SETUP, setup_url, NULL,
                                  "RTP/AVP/TCP;unicast;interleaved=0-1",
                                  &before, &session),
                   ==, GST_RTSP_STS_OK);
  g_assert_nonnull (session);
  g_assert_cmpint (
      rtsp_exchange (&rtsp, GST_RTSP_PLAY, url, session, NULL, &before, NULL),
      ==, GST_RTSP_STS_OK);
  g_assert_cmpuint (before, ==, 0); /* nothing before the PLAY's answer */

  for (int i = 0; i < 3; i++)
    {
      guint counts[4] = { 0 };

      rtsp_count_packets (conn, 700, counts);
      g_assert_cmpuint (counts[0], >, 10);
      g_assert_cmpuint (counts[2] + counts[3], ==, 0);
      g_assert_cmpint (rtsp_exchange (&rtsp, GST_RTSP_GET_PARAMETER, url,
                                      session, NULL, &between, NULL),
                       ==, GST_RTSP_STS_OK);
      g_assert_cmpint (rtsp_exchange (&rtsp, GST_RTSP_OPTIONS, url, session,
                                      NULL, &between, NULL),
                       ==, GST_RTSP_STS_OK);
    }
  {
    g_autoptr (ScTestResponse) r = NULL;
    JsonObject *o = sc_test_live_entry (f, "tcp", &r);

    g_assert_cmpint (json_object_get_int_member (o, "viewers"), ==, 1);
  }

  g_assert_cmpint (rtsp_exchange (&rtsp, GST_RTSP_TEARDOWN, url, session, NULL,
                                  &between, NULL),
                   ==, GST_RTSP_STS_OK);
  /* Then the packets stop (a few may have been on their way), and the
   * connection is closed: by the server with --direct-send, as
   * gst-rtsp-server means to after a TEARDOWN; its own path forgets to when
   * the answer is written at once, and the connection goes idle. */
  for (int i = 0;; i++)
    {
      GstRTSPResult res
          = gst_rtsp_connection_receive_usec (conn, &closing, G_USEC_PER_SEC);

      gst_rtsp_message_unset (&closing);
      if (res != GST_RTSP_OK)
        {
          g_assert_true (res == GST_RTSP_EEOF || res == GST_RTSP_ETIMEOUT);
          if (sc_test_direct_send ())
            g_assert_cmpint (res, ==, GST_RTSP_EEOF);
          break;
        }
      g_assert_cmpint (i, <, 10);
    }
  gst_rtsp_connection_free (conn);
  for (int i = 0;; i++)
    {
      g_autoptr (ScTestResponse) r = NULL;
      JsonObject *o = sc_test_live_entry (f, "tcp", &r);

      if (json_object_get_int_member (o, "viewers") == 0)
        break;
      g_assert_cmpint (i, <, 100);
      g_usleep (20000);
    }
  sc_test_stop_process (pub);
}

/* DESCRIBE, SETUP (on @channels) and PLAY of @stream on @conn; the PLAY's
 * status; the session in @session. */
static GstRTSPStatusCode
rtsp_play (Fixture *f, Rtsp *rtsp, const char *stream, const char *channels,
           char **session, guint *packets)
{
  g_autofree char *url = g_strdup_printf ("rtsp://127.0.0.1:%u/live/%s",
                                          f->server->rtsp_port, stream);
  g_autofree char *setup_url = g_strconcat (url, "/stream=0", NULL);
  g_autofree char *transport
      = g_strconcat ("RTP/AVP/TCP;unicast;interleaved=", channels, NULL);

  g_assert_cmpint (
      rtsp_exchange (rtsp, GST_RTSP_DESCRIBE, url, NULL, NULL, packets, NULL),
      ==, GST_RTSP_STS_OK);
  g_assert_cmpint (rtsp_exchange (rtsp, GST_RTSP_SETUP, setup_url, NULL,
                                  transport, packets, session),
                   ==, GST_RTSP_STS_OK);
  return rtsp_exchange (rtsp, GST_RTSP_PLAY, url, *session, NULL, packets,
                        NULL);
}

/* Two streams on one RTSP connection, interleaved: one at a time plays
 * (the second PLAY gets 461 Unsupported Transport while the first plays);
 * once the first is paused, the second plays, on its own channels only. */
static void
test_two_streams_one_connection (Fixture *f, gconstpointer data)
{
  g_autoptr (JsonNode) one = sc_test_book (f, "one", 1, 60, NULL);
  g_autoptr (JsonNode) two = sc_test_book (f, "two", 1, 60, NULL);
  g_autoptr (GSubprocess) pub1
      = publish_gst (sc_test_json_string (one, "connection.rtsp_publish_url"));
  g_autoptr (GSubprocess) pub2
      = publish_gst (sc_test_json_string (two, "connection.rtsp_publish_url"));
  g_autofree char *url
      = g_strdup_printf ("rtsp://127.0.0.1:%u/live/one", f->server->rtsp_port);
  g_autofree char *url2
      = g_strdup_printf ("rtsp://127.0.0.1:%u/live/two", f->server->rtsp_port);
  g_autofree char *s1 = NULL, *s2 = NULL;
  GstRTSPConnection *conn = NULL;
  Rtsp rtsp;
  guint counts[4] = { 0 }, between = 0;
  GstRTSPStatusCode second;

  g_assert_cmpint (sc_test_wait_live (f, "one", TRUE, 15000), >, 0);
  g_assert_cmpint (sc_test_wait_live (f, "two", TRUE, 15000), >, 0);
  rtsp = rtsp_connect (url);
  conn = rtsp.conn;

  g_assert_cmpint (rtsp_play (f, &rtsp, "one", "0-1", &s1, &between), ==,
                   GST_RTSP_STS_OK);
  rtsp_count_packets (conn, 700, counts);
  g_assert_cmpuint (counts[0], >, 10);

  /* Through the fanout only one stream plays on a connection at a time;
   * gst-rtsp-server's own path has no such limit. */
  second = rtsp_play (f, &rtsp, "two", "2-3", &s2, &between);
  if (sc_test_direct_send ())
    {
      g_assert_cmpint (second, ==, GST_RTSP_STS_UNSUPPORTED_TRANSPORT);
      g_assert_cmpint (
          rtsp_exchange (&rtsp, GST_RTSP_PAUSE, url, s1, NULL, &between, NULL),
          ==, GST_RTSP_STS_OK);
      g_assert_cmpint (
          rtsp_exchange (&rtsp, GST_RTSP_PLAY, url2, s2, NULL, &between, NULL),
          ==, GST_RTSP_STS_OK);
      memset (counts, 0, sizeof counts);
      rtsp_count_packets (conn, 700, counts);
      g_assert_cmpuint (counts[0], ==, 0);
      g_assert_cmpuint (counts[2], >, 10);
    }
  else
    g_assert_cmpint (second, ==, GST_RTSP_STS_OK);
  gst_rtsp_connection_free (conn);
  sc_test_stop_process (pub1);
  sc_test_stop_process (pub2);
}

/* /api/v1/streams: every user sees which public streams are live; the
 * reservation, the publisher's address and private streams are for the
 * owner and operators only. */
static void
test_streams_visibility (Fixture *f, gconstpointer data)
{
  g_autoptr (JsonNode) open = sc_test_book (f, "open", 1, 60, NULL);
  g_autoptr (JsonNode) secret
      = sc_test_book (f, "secret", 1, 60, "\"visibility\": \"private\"");
  const char *out1[]
      = { "-f",
          "rtsp",
          "-rtsp_transport",
          "tcp",
          sc_test_json_string (open, "connection.rtsp_publish_url"),
          NULL };
  const char *out2[]
      = { "-f",
          "rtsp",
          "-rtsp_transport",
          "tcp",
          sc_test_json_string (secret, "connection.rtsp_publish_url"),
          NULL };
  g_autoptr (GSubprocess) pub1 = sc_test_spawn_ffmpeg (FALSE, out1, FALSE);
  g_autoptr (GSubprocess) pub2 = sc_test_spawn_ffmpeg (FALSE, out2, FALSE);
  g_autofree char *bob = sc_test_add_user (f->server, "bob", "broadcaster");
  g_autofree char *url = sc_test_server_url (f->server, "/api/v1/streams");
  g_autoptr (ScTestResponse) seen = NULL;
  JsonArray *streams;
  JsonObject *entry;

  g_assert_cmpint (sc_test_wait_live (f, "open", TRUE, 15000), >, 0);
  g_assert_cmpint (sc_test_wait_live (f, "secret", TRUE, 15000), >, 0);
  {
    g_autoptr (ScTestResponse) keep = NULL;
    JsonObject *o = sc_test_live_entry (f, "secret", &keep);

    /* The operator sees everything. */
    g_assert_cmpstr (json_object_get_string_member (o, "publisher"), ==,
                     "127.0.0.1");
  }
  seen = sc_test_request (f->session, "GET", url, bob, NULL);
  g_assert_cmpuint (seen->status, ==, 200);
  streams = json_object_get_array_member (json_node_get_object (seen->json),
                                          "streams");
  g_assert_cmpuint (json_array_get_length (streams), ==, 1);
  entry = json_array_get_object_element (streams, 0);
  g_assert_cmpstr (json_object_get_string_member (entry, "stream"), ==, "open");
  g_assert_true (json_object_get_null_member (entry, "publisher"));
  g_assert_true (json_object_get_null_member (entry, "reservation"));
  g_assert_cmpint (json_object_get_int_member (entry, "viewers"), >=, 0);
  sc_test_stop_process (pub1);
  sc_test_stop_process (pub2);
}

/* H.264 + AAC from ffmpeg (MPEG4-GENERIC), H.264 + Opus from GStreamer:
 * viewers get both tracks. */
static void
test_audio (Fixture *f, gconstpointer data)
{
  g_autoptr (JsonNode) aac = sc_test_book (f, "aac", 1, 60, NULL);
  g_autoptr (JsonNode) opus = sc_test_book (f, "opus", 1, 60, NULL);
  const char *output[]
      = { "-f",
          "rtsp",
          "-rtsp_transport",
          "tcp",
          sc_test_json_string (aac, "connection.rtsp_publish_url"),
          NULL };
  g_autoptr (GSubprocess) pub_aac = sc_test_spawn_ffmpeg (TRUE, output, FALSE);
  g_autofree char *opus_pipeline = g_strdup_printf (
      VIDEO_SOURCE " ! rtspclientsink name=s protocols=tcp location=\"%s\" "
                   "audiotestsrc is-live=true ! audioconvert ! opusenc ! s.",
      sc_test_json_string (opus, "connection.rtsp_publish_url"));
  g_autoptr (GSubprocess) pub_opus = sc_test_spawn_gst (opus_pipeline);
  const char *codec[] = { "Audio: aac", "Audio: opus" };
  const char *stream[] = { "aac", "opus" };

  /* ffmpeg as the viewer: it decodes both tracks for 2 s and names them
   * (gst-launch-1.0 races when linking two branches of one rtspsrc). */
  for (int i = 0; i < 2; i++)
    {
      g_autofree char *err = NULL;
      int status;

      g_assert_cmpint (sc_test_wait_live (f, stream[i], TRUE, 15000), >, 0);
      err = sc_test_probe_rtsp (f, stream[i], &status);
      g_assert_cmpint (status, ==, 0);
      g_assert_nonnull (strstr (err, "Video: h264"));
      g_assert_nonnull (strstr (err, codec[i]));
      g_assert_cmpint (sc_test_ffmpeg_kib (err, "video"), >, 0);
      g_assert_cmpint (sc_test_ffmpeg_kib (err, "audio"), >, 0);
    }
  sc_test_stop_process (pub_aac);
  sc_test_stop_process (pub_opus);
}

/* A private stream: viewers need its view token. */
static void
test_private (Fixture *f, gconstpointer data)
{
  g_autoptr (JsonNode) ticket
      = sc_test_book (f, "vip", 1, 60, "\"visibility\":\"private\"");
  const char *view_token = sc_test_json_string (ticket, "view_token");
  const char *publish_token = sc_test_json_string (ticket, "publish_token");
  g_autoptr (GSubprocess) pub = publish_gst (
      sc_test_json_string (ticket, "connection.rtsp_publish_url"));
  g_autoptr (GSubprocess) anonymous = NULL;
  g_autoptr (GSubprocess) wrong = NULL;
  g_autoptr (GSubprocess) invited = NULL;

  g_assert_cmpint (sc_test_wait_live (f, "vip", TRUE, 15000), >, 0);
  anonymous = sc_test_view (f, "vip", NULL, 5);
  g_assert_false (sc_test_got_frames (anonymous, 10000));
  wrong = sc_test_view (f, "vip", publish_token, 5);
  g_assert_false (sc_test_got_frames (wrong, 10000));
  invited = sc_test_view (f, "vip", view_token, 25);
  g_assert_true (sc_test_got_frames (invited, 20000));
  {
    /* /metrics is anonymous: it counts the private stream, never names
     * it. */
    g_autofree char *url = sc_test_server_url (f->server, "/metrics");
    g_autoptr (ScTestResponse) m
        = sc_test_request (f->session, "GET", url, NULL, NULL);
    const char *text = g_bytes_get_data (m->body, NULL);

    g_assert_nonnull (strstr (text, "slotcast_live_streams 1\n"));
    g_assert_null (strstr (text, "vip"));
  }
  sc_test_stop_process (pub);
}

/* A publisher at @url must be refused: it exits with an error quickly and
 * no stream appears. */
static void
assert_refused (Fixture *f, const char *stream, const char *url)
{
  g_autoptr (GSubprocess) pub = publish_gst (url);
  int status = sc_test_wait_for (pub, 10000);

  g_test_message ("publisher of %s exited with %d", stream, status);
  g_assert_cmpint (status, >, 0);
  g_assert_cmpint (sc_test_wait_live (f, stream, FALSE, 100), >, 0);
}

static void
test_refusals (Fixture *f, gconstpointer data)
{
  g_autoptr (JsonNode) ok = sc_test_book (f, "open", 1, 60, NULL);
  g_autoptr (JsonNode) later = sc_test_book (f, "later", 3600, 60, NULL);
  g_autoptr (JsonNode) gone = sc_test_book (f, "gone", 1, 60, NULL);
  const char *token = sc_test_json_string (ok, "publish_token");
  guint16 port = f->server->rtsp_port;
  g_autofree char *no_token
      = g_strdup_printf ("rtsp://127.0.0.1:%u/live/open", port);
  g_autofree char *unknown
      = g_strdup_printf ("rtsp://127.0.0.1:%u/live/open?token="
                         "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                         port);
  g_autofree char *malformed
      = g_strdup_printf ("rtsp://127.0.0.1:%u/live/open?token=short", port);
  g_autofree char *wrong_stream = g_strdup_printf (
      "rtsp://127.0.0.1:%u/live/other?token=%s", port, token);

  assert_refused (f, "open", no_token);
  assert_refused (f, "open", unknown);
  assert_refused (f, "open", malformed);
  assert_refused (f, "other", wrong_stream);
  assert_refused (f, "later",
                  sc_test_json_string (later, "connection.rtsp_publish_url"));
  sc_test_cancel (f, sc_test_json_string (gone, "id"));
  assert_refused (f, "gone",
                  sc_test_json_string (gone, "connection.rtsp_publish_url"));

  /* Nobody publishes "open": its viewers get nothing. */
  {
    g_autoptr (GSubprocess) viewer = sc_test_view (f, "open", NULL, 1);
    g_assert_false (sc_test_got_frames (viewer, 10000));
  }
  {
    g_autofree char *url = sc_test_server_url (f->server, "/metrics");
    g_autoptr (ScTestResponse) m
        = sc_test_request (f->session, "GET", url, NULL, NULL);
    const char *text = g_bytes_get_data (m->body, NULL);

    g_assert_nonnull (strstr (
        text, "slotcast_ingest_refusals_total{reason=\"too_early\"} 1\n"));
    g_assert_nonnull (strstr (
        text, "slotcast_ingest_refusals_total{reason=\"cancelled\"} 1\n"));
    g_assert_nonnull (strstr (
        text, "slotcast_ingest_refusals_total{reason=\"wrong_stream\"} 1\n"));
    g_assert_nonnull (strstr (
        text, "slotcast_ingest_refusals_total{reason=\"missing_token\"} "));
  }
}

/* Viewers of streams that are not live: 503 and when it starts for one
 * booked here and not started (with or without its publisher in yet),
 * 404 otherwise. */
static void
test_not_live (Fixture *f, gconstpointer data)
{
  g_autoptr (JsonNode) later = sc_test_book (f, "later", 3600, 60, NULL);
  g_autoptr (JsonNode) soon = sc_test_book (f, "soonish", 5, 60, NULL);
  g_autoptr (JsonNode) open = sc_test_book (f, "idle", 1, 60, NULL);
  guint16 port = f->server->rtsp_port;
  g_autofree char *a = sc_test_describe (port, "later");
  g_autofree char *b = sc_test_describe (port, "nothing");
  g_autofree char *c = NULL;
  g_autofree char *d = NULL;
  g_autoptr (GSubprocess) pub = NULL;

  g_assert_true (g_str_has_prefix (
      a, "RTSP/1.0 503 Service Unavailable: stream starts in "));
  g_assert_cmpstr (b, ==, "RTSP/1.0 404 Not Found: stream is not live");
  /* Its publisher admitted early, held back: still 503. */
  pub = publish_gst (sc_test_json_string (soon, "connection.rtsp_publish_url"));
  g_assert_cmpint (sc_test_wait_live (f, "soonish", FALSE, 15000), >, 0);
  c = sc_test_describe (port, "soonish");
  g_assert_true (g_str_has_prefix (
      c, "RTSP/1.0 503 Service Unavailable: stream starts in "));
  /* Open, but nobody publishes: not live. */
  g_usleep (G_USEC_PER_SEC);
  d = sc_test_describe (port, "idle");
  g_assert_cmpstr (d, ==, "RTSP/1.0 404 Not Found: stream is not live");
  sc_test_stop_process (pub);
}

/* Admitted before the slot opens; viewers see frames only from the start. */
static void
test_before_start (Fixture *f, gconstpointer data)
{
  g_autoptr (JsonNode) ticket = sc_test_book (f, "soon", 4, 60, NULL);
  gint64 start_us = sc_test_json_time (ticket, "start");
  g_autoptr (GSubprocess) pub = publish_gst (
      sc_test_json_string (ticket, "connection.rtsp_publish_url"));
  g_autoptr (GSubprocess) viewer = NULL;

  /* Admitted and listed, but not live: viewers get nothing yet. */
  for (;;)
    {
      g_autoptr (ScTestResponse) r = NULL;
      JsonObject *o = sc_test_live_entry (f, "soon", &r);

      if (o != NULL)
        {
          g_assert_false (json_object_get_boolean_member (o, "live"));
          break;
        }
      g_assert_cmpint (g_get_real_time (), <, start_us);
      g_usleep (20000);
    }
  /* A viewer now is refused (not live yet) or, if it got in, its frames
   * cannot have come before the start. */
  viewer = sc_test_view (f, "soon", NULL, 5);
  if (sc_test_got_frames (viewer, 20000))
    g_assert_cmpint (g_get_real_time (), >=, start_us);
  /* From the start on, frames. */
  g_assert_cmpint (sc_test_wait_live (f, "soon", TRUE, 15000), >=, start_us);
  g_clear_object (&viewer);
  viewer = sc_test_view (f, "soon", NULL, 5);
  g_assert_true (sc_test_got_frames (viewer, 20000));
  sc_test_stop_process (pub);
}

static void
test_end_and_cancel (Fixture *f, gconstpointer data)
{
  g_autoptr (JsonNode) brief = sc_test_book (f, "brief", 1, 5, NULL);
  g_autoptr (JsonNode) cut = sc_test_book (f, "cut", 1, 60, NULL);
  gint64 end_us = sc_test_json_time (brief, "end");
  g_autoptr (GSubprocess) a = publish_gst (
      sc_test_json_string (brief, "connection.rtsp_publish_url"));
  g_autoptr (GSubprocess) b
      = publish_gst (sc_test_json_string (cut, "connection.rtsp_publish_url"));
  gint64 gone_us, cancelled_us;

  g_assert_cmpint (sc_test_wait_live (f, "brief", TRUE, 15000), >, 0);
  g_assert_cmpint (sc_test_wait_live (f, "cut", TRUE, 15000), >, 0);

  /* At the end (grace 0), the publisher is cut within a second. */
  gone_us = sc_test_wait_live (f, "brief", FALSE, 15000);
  g_test_message ("cut %.3f s after the end", (gone_us - end_us) / 1e6);
  g_assert_cmpint (gone_us, >=, end_us);
  g_assert_cmpint (gone_us - end_us, <=, G_USEC_PER_SEC);

  /* Cancelling cuts within a second too. */
  sc_test_cancel (f, sc_test_json_string (cut, "id"));
  cancelled_us = g_get_real_time ();
  gone_us = sc_test_wait_live (f, "cut", FALSE, 5000);
  g_test_message ("cut %.3f s after the cancel",
                  (gone_us - cancelled_us) / 1e6);
  g_assert_cmpint (gone_us - cancelled_us, <=, G_USEC_PER_SEC);
  sc_test_stop_process (a);
  sc_test_stop_process (b);
}

/* A second publisher with the same token takes over; the viewer keeps
 * receiving. */
static void
test_takeover (Fixture *f, gconstpointer data)
{
  g_autoptr (JsonNode) ticket = sc_test_book (f, "relay", 1, 60, NULL);
  const char *url = sc_test_json_string (ticket, "connection.rtsp_publish_url");
  g_autoptr (GSubprocess) first = publish_gst (url);
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
  second = publish_gst (url);
  /* The second publisher takes over (the server closes the first one's
   * connection; rtspclientsink only warns about it and stays up), and the
   * stream stays live throughout. */
  for (gint64 until = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;;)
    {
      g_autoptr (ScTestResponse) r = NULL;
      JsonObject *o = sc_test_live_entry (f, "relay", &r);

      g_assert_nonnull (o);
      if (g_strcmp0 (json_object_get_string_member (o, "since"), since) != 0)
        break;
      g_assert_cmpint (g_get_monotonic_time (), <, until);
      g_usleep (20000);
    }
  g_assert_true (sc_test_got_frames (viewer, 20000));
  sc_test_stop_process (first);
  sc_test_stop_process (second);
}

/* 200 viewers at once (bench/fanout/viewers.c: raw RTSP over TCP), twice,
 * all disconnecting at once in between: every one is fed, and the server
 * lives on (a crash on mass disconnects was seen with gst-rtsp-server 1.22
 * and no thread pool). */
static void
test_many_viewers (Fixture *f, gconstpointer data)
{
  g_autoptr (JsonNode) ticket = sc_test_book (f, "crowd", 1, 60, NULL);
  g_autoptr (GSubprocess) pub = publish_gst (
      sc_test_json_string (ticket, "connection.rtsp_publish_url"));
  g_autofree char *url = g_strdup_printf ("rtsp://127.0.0.1:%u/live/crowd",
                                          f->server->rtsp_port);
  g_autofree char *out = NULL;

  g_assert_cmpint (sc_test_wait_live (f, "crowd", TRUE, 15000), >, 0);
  /* Fed: at least half the publisher's rate over 3 s (x264 varies). */
  out = sc_test_run_viewers (url, 200, 3, sc_test_live_bitrate (f, "crowd") / 2,
                             2);
  g_assert_nonnull (strstr (out, "cycle=1 viewers=200 streaming=200 fed=200 "));
  g_assert_nonnull (strstr (out, "cycle=2 viewers=200 streaming=200 fed=200 "));
  sc_test_stop_process (pub);
}

/* Views @play on a node until frames come: no status API on a node, so a
 * viewer that waits for the data is the readiness check (DESCRIBE waits up
 * to 5 s for the first data). */
static void
view_node (const char *play)
{
  g_autofree char *p = g_strdup_printf (
      "rtspsrc location=\"%s\" latency=0 protocols=tcp ! rtph264depay ! "
      "h264parse ! avdec_h264 ! fakesink num-buffers=25",
      play);

  for (int attempt = 0; attempt < 20; attempt++)
    {
      g_autoptr (GSubprocess) viewer = sc_test_spawn_viewer (p);

      if (sc_test_got_frames (viewer, 20000))
        return;
      g_usleep (200000);
    }
  g_assert_not_reached ();
}

/* A `slotcast ingest` node "edge" (capacity 2) of @web, registered with
 * it; its node key in @out_key. */
static ScTestServer *
start_edge (ScTestServer *web, char **out_key)
{
  const char *add[] = { "node",      "add",        "edge", "--public-host",
                        "127.0.0.1", "--capacity", "2",    NULL };
  int status = -1;
  char *node_key = sc_test_run_cli (web->data_dir, add, &status);
  const char *args[] = { "--booking-url",       web->base_url, "--node-key",
                         g_strstrip (node_key), "--name=edge", NULL };
  ScTestServer *node;

  g_assert_cmpint (status, ==, 0);
  node = sc_test_server_start_command ("ingest", NULL, args, NULL);
  g_assert_cmpuint (node->rtsp_port, >, 0);
  *out_key = node_key;
  return node;
}

/* How long the booking service is away in /ingest/split-outage. */
#define OUTAGE_S 30

/* A node apart through a 30 s outage of the booking service: its live
 * publisher goes on and its viewer gets every frame (it used to be cut at
 * once: "the booking service cannot check the token now"); a slot that
 * opens during the outage admits its publisher from the node's copy of its
 * reservations; once the service is back, in a new process, a cancellation
 * cuts within a second. */
static void
test_split_outage (void)
{
  ScTestServer *web = sc_test_server_start_command ("web", NULL, NULL, NULL);
  g_autofree char *node_key = NULL;
  g_autofree char *data_dir = g_strdup (web->data_dir);
  g_autofree char *admin_key = g_strdup (web->admin_key);
  g_autofree char *port = g_strdup_printf ("%u", web->http_port);
  ScTestServer *node = start_edge (web, &node_key);
  Fixture f = { web, sc_test_session_new () };
  g_autoptr (JsonNode) ticket = NULL;
  g_autoptr (JsonNode) later = NULL;
  g_autoptr (GSubprocess) pub = NULL;
  g_autoptr (GSubprocess) later_pub = NULL;
  g_autoptr (GSubprocess) viewer = NULL;
  g_autofree char *play = NULL;
  g_autofree char *later_play = NULL;
  g_autofree char *pipeline = NULL;
  g_autofree char *cancel_path = NULL;
  gint64 t0, stopped, later_start_us;

  ticket = sc_test_book (&f, "steady", 1, 120, "\"node\":\"edge\"");
  /* Opens 10 s into the outage; the node admits 30 s early by default, so
   * its publisher connects after the start, while the service is away. */
  later = sc_test_book (&f, "later", 14, 60, "\"node\":\"edge\"");
  later_start_us = sc_test_json_time (later, "start");
  play = g_strdup_printf ("rtsp://127.0.0.1:%u/live/steady", node->rtsp_port);
  later_play
      = g_strdup_printf ("rtsp://127.0.0.1:%u/live/later", node->rtsp_port);
  pub = publish_gst (
      sc_test_json_string (ticket, "connection.rtsp_publish_url"));
  view_node (play);

  /* Video through the whole outage and a few seconds more, 25 frames/s. */
  pipeline = g_strdup_printf (
      "rtspsrc location=\"%s\" latency=0 protocols=tcp ! rtph264depay ! "
      "h264parse ! avdec_h264 ! fakesink num-buffers=%d",
      play, 25 * (OUTAGE_S + 6));
  viewer = sc_test_spawn_viewer (pipeline);
  g_usleep (G_USEC_PER_SEC);
  web->own_data_dir = FALSE;
  g_assert_cmpint (sc_test_server_stop (web), ==, 0);
  sc_test_server_free (web);
  stopped = g_get_monotonic_time ();

  /* The slot opens during the outage: its publisher is admitted. */
  while (g_get_real_time () < later_start_us)
    g_usleep (G_USEC_PER_SEC / 10);
  later_pub = publish_gst (
      sc_test_json_string (later, "connection.rtsp_publish_url"));
  view_node (later_play);
  g_test_message ("the publisher of a slot that opened %.1f s into the "
                  "outage was admitted",
                  (g_get_monotonic_time () - stopped) / 1e6);
  {
    g_autofree char *line = sc_test_describe (node->rtsp_port, "steady");

    g_assert_cmpstr (line, ==, "RTSP/1.0 200 OK");
  }
  g_assert_cmpint (g_get_monotonic_time () - stopped, <,
                   OUTAGE_S * G_USEC_PER_SEC);
  while (g_get_monotonic_time () - stopped < OUTAGE_S * G_USEC_PER_SEC)
    g_usleep (G_USEC_PER_SEC / 10);

  /* Back, as a new process on the same port and data. */
  web = sc_test_server_start_command (
      "web", data_dir, (const char *const[]){ "--http-port", port, NULL },
      NULL);
  web->own_data_dir = TRUE;
  f.server = web;
  g_assert_true (sc_test_got_frames (viewer, 20000));
  cancel_path = g_strconcat (web->base_url, "/api/v1/reservations/",
                             sc_test_json_string (ticket, "id"), NULL);
  {
    g_autoptr (ScTestResponse) r
        = sc_test_request (f.session, "DELETE", cancel_path, admin_key, NULL);

    g_assert_cmpuint (r->status, ==, 200);
  }
  t0 = g_get_monotonic_time ();
  for (;;)
    {
      g_autofree char *line = sc_test_describe (node->rtsp_port, "steady");

      if (!g_str_has_prefix (line, "RTSP/1.0 200"))
        break;
      g_assert_cmpint (g_get_monotonic_time () - t0, <, 3 * G_USEC_PER_SEC);
      g_usleep (G_USEC_PER_SEC / 20);
    }
  g_test_message ("cut %.2f s after the cancel",
                  (g_get_monotonic_time () - t0) / 1e6);
  g_assert_cmpint (g_get_monotonic_time () - t0, <, G_USEC_PER_SEC);
  /* The other slot is still live. */
  {
    g_autofree char *line = sc_test_describe (node->rtsp_port, "later");

    g_assert_cmpstr (line, ==, "RTSP/1.0 200 OK");
  }
  sc_test_stop_process (pub);
  sc_test_stop_process (later_pub);
  g_assert_cmpint (sc_test_server_stop (node), ==, 0);
  sc_test_server_free (node);
  g_object_unref (f.session);
  g_assert_cmpint (sc_test_server_stop (web), ==, 0);
  sc_test_server_free (web);
}

/* `slotcast web` and `slotcast ingest` apart: the node registers its port,
 * admits from its copy of its reservations (kept by the reservation feed:
 * a booking reaches it at once), and serves viewers. */
static void
test_split (void)
{
  ScTestServer *web = sc_test_server_start_command ("web", NULL, NULL, NULL);
  g_autofree char *node_key = NULL;
  ScTestServer *node = start_edge (web, &node_key);
  int status = -1;
  Fixture f = { web, sc_test_session_new () };
  g_autoptr (JsonNode) ticket = NULL;
  g_autoptr (GSubprocess) pub = NULL;
  g_autoptr (GSubprocess) refused = NULL;
  g_autofree char *play = NULL;
  g_autofree char *wrong = NULL;

  /* The ticket carries the port the node registered. */
  ticket = sc_test_book (&f, "apart", 3, 60, "\"node\":\"edge\"");
  play = g_strdup_printf ("rtsp://127.0.0.1:%u/live/apart", node->rtsp_port);
  g_assert_cmpstr (sc_test_json_string (ticket, "connection.rtsp_play_url"), ==,
                   play);

  /* Not started yet: the node's copy knows (the feed brings the booking
   * in milliseconds; a loaded machine may take longer), and it answers
   * 503. */
  {
    g_autofree char *none = sc_test_describe (node->rtsp_port, "nothing");
    gint64 until = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

    for (;;)
      {
        g_autofree char *line = sc_test_describe (node->rtsp_port, "apart");

        if (g_str_has_prefix (
                line, "RTSP/1.0 503 Service Unavailable: stream starts in "))
          break;
        g_assert_cmpstr (line, ==,
                         "RTSP/1.0 404 Not Found: stream is not live");
        g_assert_cmpint (g_get_monotonic_time (), <, until);
        g_usleep (G_USEC_PER_SEC / 50);
      }
    g_assert_cmpstr (none, ==, "RTSP/1.0 404 Not Found: stream is not live");
  }

  wrong = g_strdup_printf ("%s?token=%s", play,
                           "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
  refused = publish_gst (wrong);
  g_assert_cmpint (sc_test_wait_for (refused, 10000), >, 0);

  /* A token of another node's reservation is refused here. */
  {
    const char *add2[]
        = { "node", "add", "other", "--public-host", "127.0.0.1", NULL };
    g_autofree char *key2 = sc_test_run_cli (web->data_dir, add2, &status);
    g_autoptr (JsonNode) elsewhere
        = sc_test_book (&f, "apart", 120, 60, "\"node\":\"other\"");
    g_autofree char *there = g_strdup_printf (
        "%s?token=%s", play, sc_test_json_string (elsewhere, "publish_token"));
    g_autoptr (GSubprocess) p2 = NULL;

    g_assert_cmpint (status, ==, 0);
    p2 = publish_gst (there);
    g_assert_cmpint (sc_test_wait_for (p2, 10000), >, 0);
  }

  pub = publish_gst (
      sc_test_json_string (ticket, "connection.rtsp_publish_url"));
  view_node (play);

  /* The node reports to the booking service: its stream and the two
   * publishers it refused show in the booking service's /api/v1/streams. */
  g_assert_cmpint (sc_test_wait_live (&f, "apart", TRUE, 15000), >, 0);
  {
    g_autoptr (ScTestResponse) keep = NULL;
    JsonObject *o = sc_test_live_entry (&f, "apart", &keep);
    JsonArray *recent = json_object_get_array_member (
        json_node_get_object (keep->json), "recent_refusals");
    JsonObject *counts = json_object_get_object_member (
        json_node_get_object (keep->json), "refused");

    g_assert_cmpstr (json_object_get_string_member (o, "node"), ==, "edge");
    g_assert_cmpstr (json_object_get_string_member (o, "publisher"), ==,
                     "127.0.0.1");
    g_assert_cmpstr (json_object_get_string_member (o, "reservation"), ==,
                     sc_test_json_string (ticket, "id"));
    g_assert_cmpuint (json_array_get_length (recent), ==, 2);
    /* The node's copy holds only its own reservations' token hashes: a
     * token of another node's is one it does not know. */
    g_assert_cmpint (json_object_get_int_member (counts, "unknown_token"), ==,
                     2);
  }
  sc_test_stop_process (pub);
  g_clear_object (&pub);

  /* The same reservation over RTMP, at the RTMP port the node
   * registered. */
  {
    g_autofree char *server
        = g_strdup_printf ("rtmp://127.0.0.1:%u/live", node->rtmp_port);
    g_autofree char *rtmp = g_strdup_printf (
        "%s/%s", server,
        sc_test_json_string (ticket, "connection.rtmp_stream_key"));
    const char *output[] = { "-f", "flv", rtmp, NULL };

    g_assert_cmpstr (sc_test_json_string (ticket, "connection.rtmp_server_url"),
                     ==, server);
    pub = sc_test_spawn_ffmpeg (FALSE, output, FALSE);
    view_node (play);
    sc_test_stop_process (pub);
  }
  g_assert_cmpint (sc_test_server_stop (node), ==, 0);
  sc_test_server_free (node);
  g_object_unref (f.session);
  g_assert_cmpint (sc_test_server_stop (web), ==, 0);
  sc_test_server_free (web);
}

/* Two reservations of one name back to back, the first public, the second
 * private: the second's publisher, admitted early, waits and takes over at
 * its start, never cutting the first (its viewers kept watching); the
 * first's viewer, who has no view token, is cut when the private slot
 * opens. */
static void
test_next_slot (Fixture *f, gconstpointer data)
{
  g_autoptr (JsonNode) first = sc_test_book (f, "shift", 1, 8, NULL);
  g_autoptr (JsonNode) second
      = sc_test_book (f, "shift", 9, 20, "\"visibility\":\"private\"");
  const char *first_id = sc_test_json_string (first, "id");
  const char *second_id = sc_test_json_string (second, "id");
  gint64 second_start_us = sc_test_json_time (second, "start");
  g_autoptr (GSubprocess) alice = publish_gst (
      sc_test_json_string (first, "connection.rtsp_publish_url"));
  g_autoptr (GSubprocess) bob = NULL;
  g_autoptr (GSubprocess) during = NULL;
  g_autoptr (GSubprocess) stays = NULL;
  g_autofree char *live = NULL;

  g_assert_cmpint (sc_test_wait_live (f, "shift", TRUE, 15000), >, 0);
  stays = sc_test_view (f, "shift", NULL, 100000);
  bob = publish_gst (
      sc_test_json_string (second, "connection.rtsp_publish_url"));
  g_usleep (G_USEC_PER_SEC); /* bob connects, admitted early */
  live = sc_test_live_member (f, "shift", "reservation");
  g_assert_cmpstr (live, ==, first_id);
  g_clear_pointer (&live, g_free);
  /* The first slot's viewers keep getting frames after bob came. */
  during = sc_test_view (f, "shift", NULL, 50);
  g_assert_true (sc_test_got_frames (during, 20000));
  g_assert_cmpint (g_get_real_time (), <, second_start_us);
  live = sc_test_live_member (f, "shift", "reservation");
  g_assert_cmpstr (live, ==, first_id);
  g_clear_pointer (&live, g_free);

  /* At the boundary bob takes over, and the tokenless viewer is cut. */
  for (int i = 0; i < 100; i++)
    {
      g_clear_pointer (&live, g_free);
      live = sc_test_live_member (f, "shift", "reservation");
      if (g_strcmp0 (live, second_id) == 0)
        break;
      g_usleep (G_USEC_PER_SEC / 10);
    }
  g_assert_cmpstr (live, ==, second_id);
  g_assert_cmpint (g_get_real_time (), >=, second_start_us - G_USEC_PER_SEC);
  g_assert_cmpint (sc_test_wait_for (stays, 5000), !=, -1);
  sc_test_stop_process (bob);
  sc_test_stop_process (alice);
}

int
main (int argc, char **argv)
{
  g_autofree char *dir = NULL;
  g_autofree char *config = NULL;
  const char *crowd_args[3];
  int rc;

  g_test_init (&argc, &argv, NULL);
  /* 200 viewers from one address: more than [rtsp]'s default per address. */
  dir = sc_test_make_tmp_dir ();
  config = g_build_filename (dir, "crowd.conf", NULL);
  g_assert_true (g_file_set_contents (
      config, "[rtsp]\nmax-connections-per-address = 1000\n", -1, NULL));
  crowd_args[0] = "--config";
  crowd_args[1] = config;
  crowd_args[2] = NULL;
  g_test_add ("/ingest/publish-and-view", Fixture, NULL, sc_test_fixture_set_up,
              test_publish_and_view, sc_test_fixture_tear_down);
  g_test_add ("/ingest/transports", Fixture, NULL, sc_test_fixture_set_up,
              test_transports, sc_test_fixture_tear_down);
  g_test_add ("/ingest/two-streams-one-connection", Fixture, NULL,
              sc_test_fixture_set_up, test_two_streams_one_connection,
              sc_test_fixture_tear_down);
  g_test_add ("/ingest/ffmpeg", Fixture, NULL, sc_test_fixture_set_up,
              test_ffmpeg, sc_test_fixture_tear_down);
  g_test_add ("/ingest/audio", Fixture, NULL, sc_test_fixture_set_up,
              test_audio, sc_test_fixture_tear_down);
  g_test_add ("/ingest/private", Fixture, NULL, sc_test_fixture_set_up,
              test_private, sc_test_fixture_tear_down);
  g_test_add ("/ingest/refusals", Fixture, NULL, sc_test_fixture_set_up,
              test_refusals, sc_test_fixture_tear_down);
  g_test_add ("/ingest/before-start", Fixture, NULL, sc_test_fixture_set_up,
              test_before_start, sc_test_fixture_tear_down);
  g_test_add ("/ingest/end-and-cancel", Fixture, NULL, sc_test_fixture_set_up,
              test_end_and_cancel, sc_test_fixture_tear_down);
  g_test_add ("/ingest/takeover", Fixture, NULL, sc_test_fixture_set_up,
              test_takeover, sc_test_fixture_tear_down);
  g_test_add ("/ingest/many-viewers", Fixture, crowd_args,
              sc_test_fixture_set_up, test_many_viewers,
              sc_test_fixture_tear_down);
  g_test_add ("/ingest/streams-visibility", Fixture, NULL,
              sc_test_fixture_set_up, test_streams_visibility,
              sc_test_fixture_tear_down);
  g_test_add ("/ingest/not-live", Fixture, NULL, sc_test_fixture_set_up,
              test_not_live, sc_test_fixture_tear_down);
  g_test_add ("/ingest/interleaved-session", Fixture, NULL,
              sc_test_fixture_set_up, test_interleaved_session,
              sc_test_fixture_tear_down);
  g_test_add ("/ingest/next-slot", Fixture, NULL, sc_test_fixture_set_up,
              test_next_slot, sc_test_fixture_tear_down);
  g_test_add_func ("/ingest/split", test_split);
  g_test_add_func ("/ingest/split-outage", test_split_outage);
  rc = g_test_run ();
  sc_test_remove_tree (dir);
  return rc;
}
