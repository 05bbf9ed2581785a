/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* bench/golive viewer: plays URL (rtspsrc, TCP, no jitter buffer latency,
 * H.264 decoded), asking again every 50 ms until the ingest admits it, and
 * prints how many milliseconds after START (µs since the epoch) its first
 * frame arrived (out of the depayloader and parser) and its first frame was
 * decoded (avdec_h264 with frame threads adds its own frames of delay).
 *
 *   golive-viewer URL START_US [TIMEOUT_S] */

#include <gst/gst.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct
{
  GMainLoop *loop;
  const char *url;
  gint64 start_us;
  gint64 first_us;
  gint64 received_us;
  GstElement *pipeline;
} Viewer;

static GstPadProbeReturn
on_received (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  Viewer *v = data;

  if (v->received_us == 0)
    v->received_us = g_get_real_time ();
  return GST_PAD_PROBE_REMOVE;
}

static GstPadProbeReturn
on_frame (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  Viewer *v = data;

  if (v->first_us == 0)
    {
      v->first_us = g_get_real_time ();
      g_main_loop_quit (v->loop);
    }
  return GST_PAD_PROBE_REMOVE;
}

static gboolean start_pipeline (gpointer data);

static gboolean
on_bus (GstBus *bus, GstMessage *message, gpointer data)
{
  Viewer *v = data;

  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR && v->first_us == 0)
    {
      /* Not admitted yet (404/503): again shortly. */
      gst_element_set_state (v->pipeline, GST_STATE_NULL);
      gst_clear_object (&v->pipeline);
      g_timeout_add (50, start_pipeline, v);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
start_pipeline (gpointer data)
{
  Viewer *v = data;
  g_autofree char *d = g_strdup_printf (
      "rtspsrc location=\"%s\" latency=0 protocols=tcp ! rtph264depay ! "
      "h264parse name=parse ! avdec_h264 name=dec ! fakesink sync=false",
      v->url);
  g_autoptr (GstElement) dec = NULL;
  g_autoptr (GstElement) parse = NULL;
  g_autoptr (GstPad) pad = NULL;
  g_autoptr (GstPad) parsed = NULL;
  g_autoptr (GstBus) bus = NULL;

  v->pipeline = gst_parse_launch (d, NULL);
  dec = gst_bin_get_by_name (GST_BIN (v->pipeline), "dec");
  pad = gst_element_get_static_pad (dec, "src");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, on_frame, v, NULL);
  parse = gst_bin_get_by_name (GST_BIN (v->pipeline), "parse");
  parsed = gst_element_get_static_pad (parse, "src");
  gst_pad_add_probe (parsed, GST_PAD_PROBE_TYPE_BUFFER, on_received, v, NULL);
  bus = gst_element_get_bus (v->pipeline);
  gst_bus_add_watch (bus, on_bus, v);
  gst_element_set_state (v->pipeline, GST_STATE_PLAYING);
  return G_SOURCE_REMOVE;
}

static gboolean
on_timeout (gpointer data)
{
  g_main_loop_quit (((Viewer *)data)->loop);
  return G_SOURCE_REMOVE;
}

int
main (int argc, char **argv)
{
  Viewer v = { 0 };

  gst_init (&argc, &argv);
  if (argc < 3)
    {
      fprintf (stderr, "usage: golive-viewer URL START_US [TIMEOUT_S]\n");
      return 2;
    }
  v.url = argv[1];
  v.start_us = g_ascii_strtoll (argv[2], NULL, 10);
  v.loop = g_main_loop_new (NULL, FALSE);
  start_pipeline (&v);
  g_timeout_add_seconds (argc > 3 ? atoi (argv[3]) : 20, on_timeout, &v);
  g_main_loop_run (v.loop);
  if (v.pipeline != NULL)
    gst_element_set_state (v.pipeline, GST_STATE_NULL);
  if (v.first_us == 0)
    {
      printf ("received_ms=none first_frame_ms=none\n");
      return 1;
    }
  printf ("received_ms=%.1f first_frame_ms=%.1f\n",
          (v.received_us - v.start_us) / 1000.0,
          (v.first_us - v.start_us) / 1000.0);
  return 0;
}
