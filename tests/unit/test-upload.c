/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The uploader's pure parts: durations, ticket parsing (strict), masking,
 * the ticket store on a temporary folder, and the pipelines it builds. */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "sc-clock.h"
#include "sc-ticket-store.h"
#include "sc-upload-publisher.h"
#include "sc-upload-ticket.h"

#define TOKEN "Qx3aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

static const char *const good_ticket
    = "{\"type\":\"slotcast-ticket\",\"version\":1,\"action\":\"store\","
      "\"id\":\"01a22704-7c21-7206-a242-b57e37408c0f\",\"stream\":\"news\","
      "\"visibility\":\"public\",\"start\":\"2026-11-29T18:00:00Z\","
      "\"end\":\"2026-11-29T18:30:00Z\",\"admit_early_s\":30,"
      "\"publish_token\":\"" TOKEN "\",\"view_token\":null,"
      "\"connection\":{\"rtsp_publish_url\":\"rtsp://h:8554/live/"
      "news?token=" TOKEN "\",\"rtmp_server_url\":\"rtmp://h:1935/live\","
      "\"rtmp_stream_key\":\"news?token=" TOKEN "\","
      "\"rtsp_play_url\":\"rtsp://h:8554/live/news\",\"dial_in\":null}}";

static void
test_duration (void)
{
  const struct
  {
    const char *text;
    gint64 seconds;
  } good[] = { { "90s", 90 },     { "30m", 1800 },      { "2h", 7200 },
               { "1h30m", 5400 }, { "1h30m15s", 5415 }, { "45", 45 } };
  const char *bad[] = { "",   "m",    "1x",   "30m1h", "1s2m",
                        "8d", "200h", "1h1h", "-5m",   "10000000000s" };
  gint64 us;

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_assert_true (sc_duration_parse (good[i].text, &us));
      g_assert_cmpint (us, ==, good[i].seconds * G_USEC_PER_SEC);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_test_message ("%s", bad[i]);
      g_assert_false (sc_duration_parse (bad[i], &us));
    }
}

static void
test_ticket (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ScTicket) t
      = sc_ticket_parse (good_ticket, strlen (good_ticket), &error);
  g_autofree char *shown = NULL;
  g_autofree char *revealed = NULL;
  g_autofree char *data = NULL;
  g_autoptr (ScTicket) back = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (t->stream, ==, "news");
  g_assert_cmpint (t->end_us - t->start_us, ==, 1800 * G_USEC_PER_SEC);
  g_assert_cmpint (t->admit_early_s, ==, 30);
  g_assert_null (t->view_token);
  shown = sc_upload_ticket_describe (t, FALSE);
  g_assert_null (strstr (shown, TOKEN));
  g_assert_nonnull (strstr (shown, "token=Qx3a…"));
  revealed = sc_upload_ticket_describe (t, TRUE);
  g_assert_nonnull (strstr (revealed, TOKEN));

  t->server = g_strdup ("https://booking.test");
  data = sc_upload_ticket_to_data (t);
  back = sc_upload_ticket_from_data (data, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (back->server, ==, "https://booking.test");
  g_assert_cmpstr (back->publish_token, ==, TOKEN);
}

/* Each broken field is refused with a sentence naming it. */
static void
test_ticket_bad (void)
{
  const char *cases[][3] = {
    { "\"type\":\"slotcast-ticket\"", "\"type\":\"other\"", "type" },
    { "\"version\":1", "\"version\":2", "version" },
    { "\"id\":\"01a22704", "\"id\":\"x1a22704", "id" },
    { "\"stream\":\"news\"", "\"stream\":\"a b\"", "stream" },
    { "\"end\":\"2026-11-29T18:30:00Z\"", "\"end\":\"2026-11-29T17:00:00Z\"",
      "end" },
    { "\"start\":\"2026-11-29T18:00:00Z\"", "\"start\":\"tomorrow\"", "start" },
    { "\"publish_token\":\"" TOKEN "\"", "\"publish_token\":null",
      "publish_token" },
    { "\"rtsp_play_url\":\"rtsp://", "\"rtsp_play_url\":\"http://",
      "rtsp_play_url" },
    /* What a stranger's ticket could carry into the publishing pipeline
     * (it used to be pasted into a launch description). */
    { "news?token=" TOKEN "\",\"rtmp_server_url",
      "news?token=a\\\" audiotestsrc num-buffers=5 ! wavenc ! filesink "
      "location=\\\"pwned.wav\",\"rtmp_server_url",
      "rtsp_publish_url" },
    { "rtsp://h:8554/live/news?token=" TOKEN,
      "rtsp://h:8554/live/news?token=" TOKEN "&x=1", "rtsp_publish_url" },
    { "rtsp://h:8554/live/news?token=" TOKEN,
      "rtsp://h:8554/live/other?token=" TOKEN, "rtsp_publish_url" },
    { "rtsp://h:8554/live/news?token=" TOKEN,
      "rtsp://u:p@h:8554/live/news?token=" TOKEN, "rtsp_publish_url" },
    { "rtsp://h:8554/live/news?token=" TOKEN,
      "rtsp://h:8554/live/%6eews?token=" TOKEN, "rtsp_publish_url" },
    { "rtsp://h:8554/live/news?token=" TOKEN,
      "rtsp://h:8554/live/news?token=" TOKEN "#f", "rtsp_publish_url" },
    { "rtsp://h:8554/live/news?token=" TOKEN,
      "rtsp://h%20x:8554/live/news?token=" TOKEN, "rtsp_publish_url" },
    { "rtsp://h:8554/live/news?token=" TOKEN,
      "rtsp://h:99999/live/news?token=" TOKEN, "rtsp_publish_url" },
    { "rtsp://h:8554/live/news\",\"dial_in",
      "rtsp://evil:8554/live/news\",\"dial_in", "rtsp_play_url" },
    { "\"rtmp_server_url\":\"rtmp://h:1935/live\"",
      "\"rtmp_server_url\":\"rtmp://h:1935/live/x\"", "rtmp_server_url" },
    { "\"rtmp_stream_key\":\"news?token=",
      "\"rtmp_stream_key\":\"news\\\" ! filesink?token=", "rtmp_stream_key" },
    { "\"publish_token\":\"" TOKEN "\"", "\"publish_token\":\"" TOKEN "\\\"\"",
      "publish_token" },
    { "\"view_token\":null", "\"view_token\":\"short\"", "view_token" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto (GStrv) parts = g_strsplit (good_ticket, cases[i][0], 2);
      g_autofree char *text = g_strjoinv (cases[i][1], parts);
      g_autoptr (GError) error = NULL;
      g_autoptr (ScTicket) t = sc_ticket_parse (text, strlen (text), &error);

      g_assert_null (t);
      g_assert_error (error, SC_TICKET_ERROR, SC_TICKET_ERROR_INVALID);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, cases[i][2]));
    }
  {
    g_autoptr (GError) error = NULL;

    g_assert_null (sc_ticket_parse ("[1, 2]", 6, &error));
    g_assert_nonnull (strstr (error->message, "object"));
  }
}

static void
test_store (void)
{
  g_autofree char *dir = g_dir_make_tmp ("sc-upload-XXXXXX", NULL);
  g_autofree char *tickets = g_build_filename (dir, "tickets", NULL);
  g_autofree char *key = g_build_filename (dir, "ticket.key", NULL);
  g_autofree char *other_key = g_build_filename (dir, "other.key", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (ScTicketStore) store = sc_ticket_store_new (tickets, key, &error);
  g_autoptr (ScTicketStore) other = NULL;
  g_autoptr (ScTicket) t
      = sc_ticket_parse (good_ticket, strlen (good_ticket), NULL);
  g_autoptr (ScTicket) got = NULL;
  g_autoptr (GPtrArray) problems = NULL;
  g_autoptr (GPtrArray) list = NULL;

  g_assert_no_error (error);
  g_assert_true (sc_ticket_store_put (store, t, &error));
  g_assert_no_error (error);
  got = sc_ticket_store_get (store, "01a22704", &error); /* a prefix */
  g_assert_no_error (error);
  g_assert_cmpstr (got->publish_token, ==, TOKEN);

  /* Another key cannot open it: reported, not fatal. */
  other = sc_ticket_store_new (tickets, other_key, &error);
  g_assert_no_error (error);
  list = sc_ticket_store_list (other, &problems);
  g_assert_cmpuint (list->len, ==, 0);
  g_assert_cmpuint (problems->len, ==, 1);
  g_assert_nonnull (strstr (problems->pdata[0], "does not open"));

  /* A file renamed to another id does not open either. */
  {
    g_autofree char *from = g_build_filename (
        tickets, "01a22704-7c21-7206-a242-b57e37408c0f.ticket", NULL);
    g_autofree char *to = g_build_filename (
        tickets, "01a22704-7c21-7206-a242-b57e37408c0e.ticket", NULL);
    g_autoptr (GPtrArray) p2 = NULL;
    g_autoptr (GPtrArray) l2 = NULL;

    g_assert_cmpint (g_rename (from, to), ==, 0);
    l2 = sc_ticket_store_list (store, &p2);
    g_assert_cmpuint (l2->len, ==, 0);
    g_assert_cmpuint (p2->len, ==, 1);
    g_assert_true (sc_ticket_store_remove (
        store, "01a22704-7c21-7206-a242-b57e37408c0e", &error));
  }
  g_remove (key);
  g_remove (other_key);
  g_rmdir (tickets);
  g_rmdir (dir);
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *)a, *(char *const *)b);
}

/* The factory names of @pipeline's elements, sorted, joined by spaces. */
static char *
element_names (GstElement *pipeline)
{
  g_autoptr (GstIterator) it = gst_bin_iterate_recurse (GST_BIN (pipeline));
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  GValue v = G_VALUE_INIT;

  while (gst_iterator_next (it, &v) == GST_ITERATOR_OK)
    {
      GstElementFactory *f = gst_element_get_factory (g_value_get_object (&v));

      g_ptr_array_add (names, g_strdup (f ? GST_OBJECT_NAME (f) : "?"));
      g_value_reset (&v);
    }
  g_value_unset (&v);
  g_ptr_array_sort (names, compare_strings);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (" ", (char **)names->pdata);
}

static char *
location_of (GstElement *pipeline, const char *name)
{
  g_autoptr (GstElement) e = gst_bin_get_by_name (GST_BIN (pipeline), name);
  char *location = NULL;

  g_object_get (e, "location", &location, NULL);
  return location;
}

/* Every source and protocol gives a pipeline, with the URL set as a
 * property; no URL, however it is quoted, adds an element. */
static void
test_pipelines (void)
{
  const ScUploadMedia media[] = {
    { SC_UPLOAD_SOURCE_TEST_PATTERN, NULL, NULL, FALSE, 2500, 2 },
    { SC_UPLOAD_SOURCE_TEST_PATTERN, NULL, NULL, TRUE, 2500, 2 },
    { SC_UPLOAD_SOURCE_CAMERA, NULL, NULL, FALSE, 2500, 1 },
    { SC_UPLOAD_SOURCE_DESCRIPTION, "videotestsrc is-live=true",
      "audiotestsrc is-live=true", TRUE, 1000, 2 },
    { SC_UPLOAD_SOURCE_DESCRIPTION, "videotestsrc is-live=true", NULL, FALSE,
      1000, 2 },
  };
  const char *evil = "rtsp://127.0.0.1:9/live/x?token=a\" audiotestsrc "
                     "num-buffers=5 ! wavenc ! filesink location=\"pwned.wav";

  for (guint i = 0; i < G_N_ELEMENTS (media); i++)
    {
      const char *url = media[i].rtmp ? "rtmp://127.0.0.1:1/live/a?token=t"
                                      : "rtsp://127.0.0.1:1/live/a?token=t";
      g_autoptr (GError) error = NULL;
      g_autoptr (GstElement) p
          = sc_upload_pipeline_new (&media[i], url, &error);
      g_autoptr (GstElement) q = NULL;
      g_autofree char *location = NULL;
      g_autofree char *names = NULL;
      g_autofree char *evil_names = NULL;

      g_assert_no_error (error);
      location = location_of (p, "publish");
      g_assert_cmpstr (location, ==, url);
      g_clear_pointer (&location, g_free);
      names = element_names (p);
      g_test_message ("%s", names);
      g_assert_nonnull (strstr (names, "x264enc"));

      q = sc_upload_pipeline_new (&media[i], evil, &error);
      g_assert_no_error (error);
      location = location_of (q, "publish");
      if (media[i].rtmp)
        {
          /* rtmp2sink gives back the URL as it parsed it. */
          g_autoptr (GstElement) sink
              = gst_element_factory_make ("rtmp2sink", NULL);
          g_autofree char *parsed = NULL;

          g_object_set (sink, "location", evil, NULL);
          g_object_get (sink, "location", &parsed, NULL);
          g_assert_cmpstr (location, ==, parsed);
        }
      else
        g_assert_cmpstr (location, ==, evil);
      evil_names = element_names (q);
      g_assert_cmpstr (evil_names, ==, names);
    }
}

/* A file's name is a property too: quotes and spaces in it are fine. */
static void
test_pipeline_file (void)
{
  g_autofree char *dir = g_dir_make_tmp ("sc-upload-XXXXXX", NULL);
  g_autofree char *path
      = g_build_filename (dir, "my \"talk\" ! filesink location=x.mp4", NULL);
  g_autofree char *launch = NULL;
  g_autoptr (GstElement) make = NULL;
  g_autoptr (GstElement) p = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *location = NULL;
  const ScUploadMedia media
      = { SC_UPLOAD_SOURCE_FILE, path, NULL, FALSE, 1000, 2 };

  /* A second of video in an MP4 file of that name. */
  make = gst_parse_launch ("videotestsrc num-buffers=30 ! x264enc ! mp4mux "
                           "! filesink name=out",
                           &error);
  g_assert_no_error (error);
  {
    g_autoptr (GstElement) out = gst_bin_get_by_name (GST_BIN (make), "out");
    g_autoptr (GstBus) bus = gst_element_get_bus (make);
    g_autoptr (GstMessage) m = NULL;

    g_object_set (out, "location", path, NULL);
    gst_element_set_state (make, GST_STATE_PLAYING);
    m = gst_bus_timed_pop_filtered (bus, 20 * GST_SECOND,
                                    GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
    g_assert_nonnull (m);
    g_assert_cmpint (GST_MESSAGE_TYPE (m), ==, GST_MESSAGE_EOS);
    gst_element_set_state (make, GST_STATE_NULL);
  }

  p = sc_upload_pipeline_new (&media, "rtsp://127.0.0.1:1/live/a?token=t",
                              &error);
  g_assert_no_error (error);
  location = location_of (p, "file");
  g_assert_cmpstr (location, ==, path);
  g_remove (path);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/upload/duration", test_duration);
  g_test_add_func ("/upload/ticket", test_ticket);
  g_test_add_func ("/upload/ticket-bad", test_ticket_bad);
  g_test_add_func ("/upload/store", test_store);
  g_test_add_func ("/upload/pipelines", test_pipelines);
  g_test_add_func ("/upload/pipeline-file", test_pipeline_file);
  return g_test_run ();
}
