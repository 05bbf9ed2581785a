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
  g_autoptr (ScUploadTicket) t
      = sc_upload_ticket_parse (good_ticket, strlen (good_ticket), &error);
  g_autofree char *shown = NULL;
  g_autofree char *revealed = NULL;
  g_autofree char *data = NULL;
  g_autoptr (ScUploadTicket) back = NULL;

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
    { "\"rtsp_play_url\":\"rtsp://", "\"rtsp_play_url\":\"http://", "scheme" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto (GStrv) parts = g_strsplit (good_ticket, cases[i][0], 2);
      g_autofree char *text = g_strjoinv (cases[i][1], parts);
      g_autoptr (GError) error = NULL;
      g_autoptr (ScUploadTicket) t
          = sc_upload_ticket_parse (text, strlen (text), &error);

      g_assert_null (t);
      g_assert_error (error, SC_UPLOAD_ERROR, SC_UPLOAD_ERROR_BAD_TICKET);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, cases[i][2]));
    }
  {
    g_autoptr (GError) error = NULL;

    g_assert_null (sc_upload_ticket_parse ("[1, 2]", 6, &error));
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
  g_autoptr (ScUploadTicket) t
      = sc_upload_ticket_parse (good_ticket, strlen (good_ticket), NULL);
  g_autoptr (ScUploadTicket) got = NULL;
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

/* Every source and protocol gives a pipeline that parses. */
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

  for (guint i = 0; i < G_N_ELEMENTS (media); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *d = sc_upload_pipeline_describe (
          &media[i],
          media[i].rtmp ? "rtmp://127.0.0.1:1/live/a?token=t"
                        : "rtsp://127.0.0.1:1/live/a?token=t",
          &error);
      GstElement *p;

      g_assert_no_error (error);
      g_test_message ("%s", d);
      g_assert_nonnull (strstr (d, "key-int-max="));
      p = gst_parse_launch_full (d, NULL, GST_PARSE_FLAG_FATAL_ERRORS, &error);
      g_assert_no_error (error);
      gst_object_unref (p);
    }
  {
    const ScUploadMedia quoted
        = { SC_UPLOAD_SOURCE_FILE, "/tmp/a\"b.mp4", NULL, FALSE, 1000, 2 };
    g_autoptr (GError) error = NULL;
    g_autofree char *d
        = sc_upload_pipeline_describe (&quoted, "rtsp://h/live/a", &error);

    g_assert_null (d);
    g_assert_nonnull (error);
  }
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
  return g_test_run ();
}
