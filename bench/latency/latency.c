/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* bench/latency: the delay the ingest adds, publisher send → viewer
 * receive, on loopback. One process publishes a live H.264 stream with
 * rtspclientsink and watches it back with rtspsrc; each access unit leaves
 * with an SEI (user data unregistered, our UUID) carrying the send time, and
 * the viewer reads it back after depayloading. Both ends share one clock,
 * so the difference is the whole path: RTSP/TCP in, depayload, parse, the
 * hub, payload, RTSP/TCP out, depayload.
 *
 *   latency PUBLISH_URL PLAY_URL SECONDS
 */

#include <gst/gst.h>
#include <stdlib.h>
#include <string.h>

static const guint8 uuid[16] = { 's', 'l', 'o', 't', 'c', 'a', 's', 't',
                                 'l', 'a', 't', 'e', 'n', 'c', 'y', '!' };

static GArray *samples;     /* gint64 µs */
static gint64 measure_from; /* skip the viewer's first second */

/* Offset of the first slice NAL (types 1, 5) of a byte-stream AU, or -1. */
static gssize
first_slice (const guint8 *d, gsize n)
{
  for (gsize i = 0; i + 4 < n; i++)
    if (d[i] == 0 && d[i + 1] == 0 && d[i + 2] == 1)
      {
        guint type = d[i + 3] & 0x1f;
        if (type == 1 || type == 5)
          return (i > 0 && d[i - 1] == 0) ? (gssize)i - 1 : (gssize)i;
      }
  return -1;
}

static GstPadProbeReturn
stamp (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  GstBuffer *in = GST_PAD_PROBE_INFO_BUFFER (info);
  GstMapInfo map;
  GstBuffer *out;
  guint8 sei[64];
  gsize len = 0;
  gssize at;
  char digits[17];

  /* The send time as 16 hex digits: no zero bytes, so no emulation
   * prevention is needed. */
  g_snprintf (digits, sizeof digits, "%016" G_GINT64_MODIFIER "x",
              g_get_monotonic_time ());
  for (int i = 0; i < 16; i++)
    if (digits[i] == '0')
      digits[i] = 'g'; /* '0' → 'g', undone on reading */
  sei[len++] = 0, sei[len++] = 0, sei[len++] = 0, sei[len++] = 1;
  sei[len++] = 0x06; /* SEI */
  sei[len++] = 5;    /* user data unregistered */
  sei[len++] = 32;   /* payload size */
  memcpy (sei + len, uuid, 16), len += 16;
  memcpy (sei + len, digits, 16), len += 16;
  sei[len++] = 0x80; /* rbsp trailing bits */

  if (!gst_buffer_map (in, &map, GST_MAP_READ))
    return GST_PAD_PROBE_OK;
  at = first_slice (map.data, map.size);
  if (at < 0)
    {
      gst_buffer_unmap (in, &map);
      return GST_PAD_PROBE_OK;
    }
  out = gst_buffer_new_allocate (NULL, map.size + len, NULL);
  gst_buffer_fill (out, 0, map.data, at);
  gst_buffer_fill (out, at, sei, len);
  gst_buffer_fill (out, at + len, map.data + at, map.size - at);
  gst_buffer_unmap (in, &map);
  gst_buffer_copy_into (out, in, GST_BUFFER_COPY_METADATA, 0, -1);
  gst_buffer_unref (in);
  GST_PAD_PROBE_INFO_DATA (info) = out;
  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
measure (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
  GstMapInfo map;
  gint64 now = g_get_monotonic_time ();

  if (!gst_buffer_map (buf, &map, GST_MAP_READ))
    return GST_PAD_PROBE_OK;
  for (gsize i = 0; i + 4 + 3 + 32 <= map.size; i++)
    if (map.data[i] == 0 && map.data[i + 1] == 0 && map.data[i + 2] == 1
        && (map.data[i + 3] & 0x1f) == 6 && map.data[i + 4] == 5
        && memcmp (map.data + i + 6, uuid, 16) == 0)
      {
        char digits[17];
        gint64 sent;

        memcpy (digits, map.data + i + 22, 16);
        digits[16] = '\0';
        for (int k = 0; k < 16; k++)
          if (digits[k] == 'g')
            digits[k] = '0';
        sent = g_ascii_strtoll (digits, NULL, 16);
        if (sent > 0 && now >= sent && now >= measure_from)
          {
            gint64 d = now - sent;
            g_array_append_val (samples, d);
          }
        break;
      }
  gst_buffer_unmap (buf, &map);
  return GST_PAD_PROBE_OK;
}

static gboolean
quit (gpointer loop)
{
  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

static gboolean
start_viewer (gpointer data)
{
  GstElement *viewer = data;

  measure_from = g_get_monotonic_time () + G_USEC_PER_SEC;
  gst_element_set_state (viewer, GST_STATE_PLAYING);
  return G_SOURCE_REMOVE;
}

static int
cmp (const void *a, const void *b)
{
  gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;
  return x < y ? -1 : x > y;
}

/* As slotcast-upload does (sc-upload-publisher.c): rtspclientsink's RTP
 * appsink does not sync to the clock. LATENCY_STOCK_CLIENT=1 keeps
 * rtspclientsink as it comes, to measure what that costs. */
static void
on_deep_element_added (GstBin *bin, GstBin *sub, GstElement *element,
                       gpointer data)
{
  GstElementFactory *f = gst_element_get_factory (element);

  if (f != NULL && g_str_equal (GST_OBJECT_NAME (f), "appsink"))
    g_object_set (element, "sync", FALSE, NULL);
}

int
main (int argc, char **argv)
{
  g_autofree char *pub_desc = NULL;
  g_autofree char *view_desc = NULL;
  g_autoptr (GError) error = NULL;
  GstElement *pub, *viewer, *e;
  GstPad *pad;
  GMainLoop *loop;
  int seconds;

  gst_init (&argc, &argv);
  if (argc != 4)
    {
      g_printerr ("usage: latency PUBLISH_URL PLAY_URL SECONDS\n");
      return 2;
    }
  seconds = atoi (argv[3]);
  samples = g_array_new (FALSE, FALSE, sizeof (gint64));
  /* Not live, paced by identity: the pipeline then has no latency for
   * the sink to wait out, and the stamp is the send time. An rtmp:// URL
   * publishes as slotcast-upload --protocol rtmp does (video only). */
  pub_desc = g_strdup_printf (
      "videotestsrc ! video/x-raw,width=640,height=360,framerate=30/1 ! "
      "identity sync=true ! x264enc tune=zerolatency speed-preset=ultrafast "
      "key-int-max=30 bitrate=1500 ! video/x-h264,stream-format=byte-stream,"
      "alignment=au ! identity name=stamp ! %s location=\"%s\"",
      g_str_has_prefix (argv[1], "rtmp://")
          ? "h264parse ! flvmux streamable=true ! rtmp2sink sync=false"
          : "rtspclientsink protocols=tcp latency=0",
      argv[1]);
  view_desc = g_strdup_printf (
      "rtspsrc protocols=tcp latency=0 location=\"%s\" ! rtph264depay ! "
      "video/x-h264,stream-format=byte-stream,alignment=au ! "
      "fakesink name=sink sync=false",
      argv[2]);
  pub = gst_parse_launch (pub_desc, &error);
  viewer = pub != NULL ? gst_parse_launch (view_desc, &error) : NULL;
  if (viewer == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  if (g_getenv ("LATENCY_STOCK_CLIENT") == NULL)
    g_signal_connect (pub, "deep-element-added",
                      G_CALLBACK (on_deep_element_added), NULL);
  e = gst_bin_get_by_name (GST_BIN (pub), "stamp");
  pad = gst_element_get_static_pad (e, "src");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, stamp, NULL, NULL);
  gst_object_unref (pad);
  gst_object_unref (e);
  e = gst_bin_get_by_name (GST_BIN (viewer), "sink");
  pad = gst_element_get_static_pad (e, "sink");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, measure, NULL, NULL);
  gst_object_unref (pad);
  gst_object_unref (e);

  loop = g_main_loop_new (NULL, FALSE);
  gst_element_set_state (pub, GST_STATE_PLAYING);
  g_timeout_add (2000, start_viewer, viewer); /* once the stream is live */
  g_timeout_add ((2 + seconds) * 1000, quit, loop);
  g_main_loop_run (loop);
  gst_element_set_state (viewer, GST_STATE_NULL);
  gst_element_set_state (pub, GST_STATE_NULL);

  if (samples->len == 0)
    {
      g_printerr ("no frame came back\n");
      return 1;
    }
  g_array_sort (samples, cmp);
  g_print ("frames=%u p50=%.1fms p99=%.1fms max=%.1fms\n", samples->len,
           g_array_index (samples, gint64, samples->len / 2) / 1000.0,
           g_array_index (samples, gint64, samples->len * 99 / 100) / 1000.0,
           g_array_index (samples, gint64, samples->len - 1) / 1000.0);
  gst_object_unref (pub);
  gst_object_unref (viewer);
  g_array_unref (samples);
  g_main_loop_unref (loop);
  return 0;
}
