/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* ScStreamHub and its output interface (hub/sc-hub-output.h), with no
 * network: publishers are plain objects, tracks are samples with caps, and
 * the output under test records the calls the contract promises. */

#include "config.h"

#include <gst/app/gstappsrc.h>
#include <gst/gst.h>

#include "sc-hub-registry.h"

#define T0 (G_GINT64_CONSTANT (1800000000) * SC_USEC_PER_SEC)

typedef struct
{
  ScStreamHub *hub;
  guint attached, ready, stale, ticks, ticks_live, detached;
  guint viewers;
  gboolean serves;
  GString *calls; /* "r" ready, "s" stale, in order */
} Recorder;

static gpointer
rec_attach (ScStreamHub *hub, gpointer kind_data)
{
  Recorder *r = kind_data;

  r->hub = hub;
  r->attached++;
  return r;
}

static void
rec_ready (gpointer output)
{
  Recorder *r = output;

  r->ready++;
  g_string_append_c (r->calls, 'r');
}

static void
rec_stale (gpointer output)
{
  Recorder *r = output;

  r->stale++;
  g_string_append_c (r->calls, 's');
}

static void
rec_tick (gpointer output, const ScReservation *live)
{
  Recorder *r = output;

  r->ticks++;
  if (live != NULL)
    r->ticks_live++;
}

static guint
rec_count_viewers (gpointer output)
{
  return ((Recorder *)output)->viewers;
}

static gboolean
rec_serves (gpointer output)
{
  return ((Recorder *)output)->serves;
}

static void
rec_detach (gpointer output)
{
  ((Recorder *)output)->detached++;
}

static const ScHubOutputKind recorder_kind = {
  .name = "recorder",
  .attach = rec_attach,
  .ready = rec_ready,
  .stale = rec_stale,
  .tick = rec_tick,
  .count_viewers = rec_count_viewers,
  .serves = rec_serves,
  .detach = rec_detach,
};

/* A publisher's connection: counts its closes. */
static guint closes;

static void
count_close (GObject *connection)
{
  closes++;
}

typedef struct
{
  ScClock *clock;
  ScHubRegistry *hubs;
  Recorder rec;
  ScReservation res;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  ScSlotRules rules = { .admit_early_us = 60 * SC_USEC_PER_SEC,
                        .grace_us = 5 * SC_USEC_PER_SEC };

  f->clock = sc_clock_new_manual (T0);
  f->hubs = sc_hub_registry_new (f->clock, &rules);
  f->rec.calls = g_string_new (NULL);
  f->rec.serves = TRUE;
  sc_hub_registry_add_kind (f->hubs, &recorder_kind, &f->rec);
  f->res = (ScReservation){ .id = "r1",
                            .stream = "news",
                            .start_us = T0,
                            .end_us = T0 + 60 * SC_USEC_PER_SEC };
  closes = 0;
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->hubs);
  g_assert_cmpuint (f->rec.detached, ==, f->rec.attached);
  g_object_unref (f->clock);
  g_string_free (f->rec.calls, TRUE);
}

static GstSample *
sample_of (const char *caps_text, GstClockTime pts)
{
  g_autoptr (GstCaps) caps = gst_caps_from_string (caps_text);
  g_autoptr (GstBuffer) buffer = gst_buffer_new_allocate (NULL, 100, NULL);

  GST_BUFFER_PTS (buffer) = pts;
  return gst_sample_new (buffer, caps, NULL, NULL);
}

static void
push (ScStreamHub *hub, gpointer media, guint track, const char *caps)
{
  g_autoptr (GstSample) s = sample_of (caps, 0);

  sc_stream_hub_push (hub, media, track, s, 0);
}

#define H264 "video/x-h264, stream-format=byte-stream, alignment=au"
#define AAC "audio/mpeg, mpegversion=4, stream-format=raw"
#define OPUS "audio/x-opus"

/* Outputs are told once every track has caps, and each hub gets its own
 * output of each kind once. */
static void
test_hub_ready (Fixture *f, gconstpointer data)
{
  g_autoptr (ScStreamHub) hub = sc_hub_registry_ref (f->hubs, "news");
  g_autoptr (ScStreamHub) again = sc_hub_registry_ref (f->hubs, "news");
  g_autoptr (GObject) conn = g_object_new (G_TYPE_OBJECT, NULL);
  g_autoptr (ScHubStatus) status = NULL;
  int media;

  g_assert_true (hub == again);
  g_assert_cmpuint (f->rec.attached, ==, 1);
  g_assert_true (sc_stream_hub_get_output (hub, &recorder_kind) == &f->rec);
  g_assert_false (sc_stream_hub_set_publisher (hub, &media, conn, count_close,
                                               "tok", "127.0.0.1", &f->res, 2));
  push (hub, &media, 0, H264);
  g_assert_cmpuint (f->rec.ready, ==, 0);
  g_assert_false (sc_stream_hub_is_ready (hub));
  push (hub, &media, 1, AAC);
  push (hub, &media, 1, AAC);
  g_assert_cmpuint (f->rec.ready, ==, 1);
  g_assert_true (sc_stream_hub_is_ready (hub));

  /* Status asks the outputs, without the hub's lock. */
  f->rec.viewers = 3;
  f->rec.serves = FALSE;
  status = sc_stream_hub_dup_status (hub);
  g_assert_cmpuint (status->viewers, ==, 3);
  g_assert_false (status->ready);
  f->rec.serves = TRUE;
  g_clear_pointer (&status, sc_hub_status_free);
  status = sc_stream_hub_dup_status (hub);
  g_assert_true (status->ready);
  g_assert_cmpuint (status->bytes_in, ==, 300);

  /* Media from anyone but the publisher is not taken. */
  push (hub, &f->rec, 0, OPUS);
  g_assert_cmpuint (f->rec.stale, ==, 0);
}

/* Another codec on a track is another layout: stale first, and ready only
 * once every track gave caps again (not with the last publisher's caps on
 * the other tracks: a PLAY media built from those did not negotiate). */
static void
test_hub_layout (Fixture *f, gconstpointer data)
{
  g_autoptr (ScStreamHub) hub = sc_hub_registry_ref (f->hubs, "news");
  g_autoptr (GObject) first = g_object_new (G_TYPE_OBJECT, NULL);
  g_autoptr (GObject) second = g_object_new (G_TYPE_OBJECT, NULL);
  guint layout;
  int a, b;

  sc_stream_hub_set_publisher (hub, &a, first, count_close, "tok", "x", &f->res,
                               2);
  push (hub, &a, 0, OPUS);
  push (hub, &a, 1, H264);
  g_assert_cmpstr (f->rec.calls->str, ==, "r");
  layout = sc_stream_hub_get_layout (hub);

  /* Same reservation, same number of tracks: a takeover, which closes the
   * first publisher. */
  g_assert_true (sc_stream_hub_set_publisher (hub, &b, second, count_close,
                                              "tok", "y", &f->res, 2));
  g_assert_cmpuint (closes, ==, 1);
  push (hub, &b, 1, AAC); /* track 1 was H.264 */
  g_assert_cmpstr (f->rec.calls->str, ==, "rs");
  g_assert_cmpuint (sc_stream_hub_get_layout (hub), ==, layout + 1);
  g_assert_false (sc_stream_hub_is_ready (hub));
  push (hub, &b, 0, H264);
  g_assert_cmpstr (f->rec.calls->str, ==, "rsr");
  g_assert_true (sc_stream_hub_is_ready (hub));

  /* Another number of tracks is another layout at once. */
  g_assert_true (sc_stream_hub_set_publisher (hub, &a, first, count_close,
                                              "tok", "x", &f->res, 1));
  g_assert_cmpstr (f->rec.calls->str, ==, "rsrs");
  g_assert_cmpuint (closes, ==, 2);
}

/* A publisher that comes back after the last one left (its outputs idle)
 * makes them ready again, with the same layout: bench/streams found
 * re-published streams never prepared for viewers. */
static void
test_hub_republish (Fixture *f, gconstpointer data)
{
  g_autoptr (ScStreamHub) hub = sc_hub_registry_ref (f->hubs, "news");
  g_autoptr (GObject) conn = g_object_new (G_TYPE_OBJECT, NULL);
  guint layout;
  int a, b;

  sc_stream_hub_set_publisher (hub, &a, conn, count_close, "tok", "x", &f->res,
                               2);
  push (hub, &a, 0, H264);
  push (hub, &a, 1, AAC);
  layout = sc_stream_hub_get_layout (hub);
  g_assert_true (sc_stream_hub_clear_publisher (hub, &a));
  g_assert_false (sc_stream_hub_is_ready (hub));

  sc_stream_hub_set_publisher (hub, &b, conn, count_close, "tok", "x", &f->res,
                               2);
  g_assert_false (sc_stream_hub_is_ready (hub));
  push (hub, &b, 0, H264);
  g_assert_cmpstr (f->rec.calls->str, ==, "r");
  push (hub, &b, 1, AAC);
  g_assert_cmpstr (f->rec.calls->str, ==, "rr");
  g_assert_true (sc_stream_hub_is_ready (hub));
  g_assert_cmpuint (sc_stream_hub_get_layout (hub), ==, layout);
}

/* Ticks carry the live reservation, or none once the publisher left. */
static void
test_hub_tick (Fixture *f, gconstpointer data)
{
  g_autoptr (ScStreamHub) hub = sc_hub_registry_ref (f->hubs, "news");
  g_autoptr (GObject) conn = g_object_new (G_TYPE_OBJECT, NULL);
  int media;

  sc_stream_hub_tick_outputs (hub);
  sc_stream_hub_set_publisher (hub, &media, conn, count_close, "tok", "x",
                               &f->res, 1);
  sc_stream_hub_tick_outputs (hub);
  g_assert_true (sc_stream_hub_clear_publisher (hub, &media));
  g_assert_false (sc_stream_hub_clear_publisher (hub, &media));
  sc_stream_hub_tick_outputs (hub);
  g_assert_cmpuint (f->rec.ticks, ==, 3);
  g_assert_cmpuint (f->rec.ticks_live, ==, 1);
  g_assert_null (sc_stream_hub_dup_status (hub));
}

/* The next reservation's publisher waits, and takes over at its start,
 * closing the one before. */
static void
test_hub_next_slot (Fixture *f, gconstpointer data)
{
  g_autoptr (ScStreamHub) hub = sc_hub_registry_ref (f->hubs, "news");
  g_autoptr (GObject) now = g_object_new (G_TYPE_OBJECT, NULL);
  g_autoptr (GObject) next = g_object_new (G_TYPE_OBJECT, NULL);
  g_autoptr (ScReservation) live = NULL;
  ScReservation later = f->res;
  int a, b;

  later.id = "r2";
  later.start_us = f->res.end_us;
  later.end_us = later.start_us + 60 * SC_USEC_PER_SEC;
  sc_clock_set_us (f->clock, f->res.end_us - 30 * SC_USEC_PER_SEC);
  sc_stream_hub_set_publisher (hub, &a, now, count_close, "t1", "x", &f->res,
                               1);
  g_assert_false (sc_stream_hub_set_publisher (hub, &b, next, count_close, "t2",
                                               "y", &later, 1));
  g_assert_false (sc_stream_hub_promote (hub, sc_clock_now_us (f->clock)));
  live = sc_stream_hub_dup_reservation (hub);
  g_assert_cmpstr (live->id, ==, "r1");
  g_assert_cmpuint (closes, ==, 0);

  g_assert_true (sc_stream_hub_promote (hub, later.start_us));
  g_clear_pointer (&live, sc_reservation_free);
  live = sc_stream_hub_dup_reservation (hub);
  g_assert_cmpstr (live->id, ==, "r2");
  g_assert_cmpuint (closes, ==, 1);
}

static GstFlowReturn
count_sample (GstElement *sink, gpointer data)
{
  g_autoptr (GstSample) s = NULL;

  g_signal_emit_by_name (sink, "pull-sample", &s);
  (*(guint *)data)++;
  return GST_FLOW_OK;
}

/* A sink gets buffers while its pipeline plays and the slot shows media;
 * before the start, nothing. */
static void
test_hub_sink (Fixture *f, gconstpointer data)
{
  g_autoptr (ScStreamHub) hub = sc_hub_registry_ref (f->hubs, "news");
  g_autoptr (GObject) conn = g_object_new (G_TYPE_OBJECT, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GstElement) pipeline = gst_parse_launch (
      "appsrc name=src is-live=true format=time ! appsink name=sink "
      "emit-signals=true sync=false",
      &error);
  g_autoptr (GstElement) src = NULL;
  g_autoptr (GstElement) sink = NULL;
  guint got = 0;
  int media;

  g_assert_no_error (error);
  src = gst_bin_get_by_name (GST_BIN (pipeline), "src");
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  g_signal_connect (sink, "new-sample", G_CALLBACK (count_sample), &got);

  /* Admitted early: its media is held back. A sink serves the layout it
   * was added for (an output builds its pipeline once the tracks are
   * known). */
  sc_clock_set_us (f->clock, T0 - 10 * SC_USEC_PER_SEC);
  sc_stream_hub_set_publisher (hub, &media, conn, count_close, "tok", "x",
                               &f->res, 1);
  sc_stream_hub_add_sink (hub, pipeline, 0, GST_APP_SRC (src));
  g_assert_cmpint (gst_element_set_state (pipeline, GST_STATE_PLAYING), !=,
                   GST_STATE_CHANGE_FAILURE);
  g_assert_cmpint (gst_element_get_state (pipeline, NULL, NULL, GST_SECOND), !=,
                   GST_STATE_CHANGE_FAILURE);
  for (int i = 0; i < 3; i++)
    push (hub, &media, 0, H264);
  sc_clock_set_us (f->clock, T0);
  for (int i = 0; i < 5; i++)
    push (hub, &media, 0, H264);
  for (int i = 0; i < 200 && got < 5; i++)
    g_usleep (5000);
  g_assert_cmpuint (got, ==, 5);

  /* Paused by its output (nobody consumes it): skipped, then fed again. */
  sc_stream_hub_pause_sinks (hub, pipeline, TRUE);
  push (hub, &media, 0, H264);
  g_usleep (50000);
  g_assert_cmpuint (got, ==, 5);
  sc_stream_hub_pause_sinks (hub, pipeline, FALSE);
  push (hub, &media, 0, H264);
  for (int i = 0; i < 200 && got < 6; i++)
    g_usleep (5000);
  g_assert_cmpuint (got, ==, 6);

  sc_stream_hub_remove_sink (hub, GST_APP_SRC (src));
  push (hub, &media, 0, H264);
  g_usleep (50000);
  g_assert_cmpuint (got, ==, 6);
  gst_element_set_state (pipeline, GST_STATE_NULL);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn)                                                          \
  g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("/hub/ready", test_hub_ready);
  ADD ("/hub/layout", test_hub_layout);
  ADD ("/hub/republish", test_hub_republish);
  ADD ("/hub/tick", test_hub_tick);
  ADD ("/hub/next-slot", test_hub_next_slot);
  ADD ("/hub/sink", test_hub_sink);
  return g_test_run ();
}
