/* SPDX-License-Identifier: LGPL-2.1-or-later */

/**
 * ScLiveFactory:
 *
 * The media factory of one stream, mounted at `/live/STREAM` for both
 * directions:
 *
 * - ANNOUNCE builds a RECORD media for that publisher from the SDP it
 *   sent: per announced track a `record-*` fragment (depayloader, parser,
 *   appsink). Its samples go to the stream's #ScStreamHub. Never shared.
 * - DESCRIBE (or SETUP without it) gets the stream's one shared PLAY
 *   media, built from the hub's track caps: per track a `play-*` fragment
 *   (appsrc, parser, payloader) fed by the hub. No re-encoding.
 *
 * Both media use the system clock, so the hub can carry timestamps over.
 * gst-rtsp-server caches the PLAY media (key "play") and builds a RECORD
 * media for every ANNOUNCE (no key). Runs on RTSP client threads.
 */

#include "config.h"

#include "sc-live-factory.h"

#include "sc-fragments.h"
#include "sc-rtsp-client.h"
#include "sc-rtsp-threads.h"

#include <gst/app/gstappsink.h>
#include <gst/rtp/gstrtpbuffer.h>
#include <gst/sdp/sdp.h>
#include <stdio.h>
#include <string.h>

GST_DEBUG_CATEGORY_STATIC (sc_live_factory_debug);
#define GST_CAT_DEFAULT sc_live_factory_debug

struct _ScLiveFactory
{
  GstRTSPMediaFactory parent_instance;

  ScHubRegistry *hubs;
  gboolean direct_send; /* [rtsp] direct-send */
  char *stream;
};

G_DEFINE_FINAL_TYPE (ScLiveFactory, sc_live_factory,
                     GST_TYPE_RTSP_MEDIA_FACTORY)

/* The record-* fragment for an SDP encoding name, or NULL. */
static const char *
record_fragment_for (const char *encoding)
{
  if (g_ascii_strcasecmp (encoding, "H264") == 0)
    return "record-h264";
  if (g_ascii_strcasecmp (encoding, "MPEG4-GENERIC") == 0)
    return "record-aac";
  if (g_ascii_strcasecmp (encoding, "MP4A-LATM") == 0)
    return "record-aac-latm";
  if (g_ascii_strcasecmp (encoding, "OPUS") == 0)
    return "record-opus";
  return NULL;
}

/* The play-* fragment for a track's caps, or NULL. */
static const char *
play_fragment_for (const GstCaps *caps)
{
  const char *name = gst_structure_get_name (gst_caps_get_structure (caps, 0));

  if (strcmp (name, "video/x-h264") == 0)
    return "play-h264";
  if (strcmp (name, "audio/mpeg") == 0)
    return "play-aac";
  if (strcmp (name, "audio/x-opus") == 0)
    return "play-opus";
  return NULL;
}

static GstElement *
parse_bin (const char *description)
{
  g_autoptr (GError) error = NULL;
  GstElement *bin = gst_parse_bin_from_description_full (
      description, FALSE, NULL, GST_PARSE_FLAG_FATAL_ERRORS, &error);

  if (bin == NULL)
    GST_WARNING ("cannot build \"%s\": %s", description, error->message);
  return bin;
}

/* A RECORD bin for the SDP of the ANNOUNCE being handled. */
static GstElement *
build_record (ScLiveFactory *self, GstRTSPContext *ctx, guint *out_tracks)
{
  g_autoptr (GString) desc = g_string_new (NULL);
  GstSDPMessage *sdp = NULL;
  guint8 *data = NULL;
  guint size = 0;
  guint n;

  if (ctx == NULL || ctx->request == NULL
      || gst_rtsp_message_get_body (ctx->request, &data, &size) != GST_RTSP_OK
      || size == 0)
    return NULL;
  gst_sdp_message_new (&sdp);
  if (gst_sdp_message_parse_buffer (data, size, sdp) != GST_SDP_OK)
    {
      gst_sdp_message_free (sdp);
      return NULL;
    }
  n = gst_sdp_message_medias_len (sdp);
  for (guint i = 0; i < n && i < 4; i++)
    {
      const GstSDPMedia *media = gst_sdp_message_get_media (sdp, i);
      const char *rtpmap = gst_sdp_media_get_attribute_val (media, "rtpmap");
      g_autofree char *encoding = NULL;
      g_autofree char *fragment = NULL;
      const char *name;

      if (rtpmap == NULL || strchr (rtpmap, ' ') == NULL)
        break;
      encoding = g_strndup (strchr (rtpmap, ' ') + 1,
                            strcspn (strchr (rtpmap, ' ') + 1, "/"));
      if ((name = record_fragment_for (encoding)) == NULL)
        {
          GST_WARNING ("stream %s: track %u is %s, not carried", self->stream,
                       i, encoding);
          break;
        }
      fragment = sc_fragment_expand (name, i, 0);
      g_string_append_printf (desc, "%s%s", desc->len ? " " : "", fragment);
    }
  gst_sdp_message_free (sdp);
  if (desc->len == 0 || n > 4)
    return NULL;
  *out_tracks = n;
  return parse_bin (desc->str);
}

/* A PLAY bin for the hub's tracks. */
static GstElement *
build_play (ScLiveFactory *self, ScStreamHub *hub, guint *out_tracks)
{
  g_autoptr (GPtrArray) caps = sc_stream_hub_dup_track_caps (hub);
  g_autoptr (GString) desc = g_string_new (NULL);

  if (caps == NULL)
    return NULL;
  for (guint i = 0; i < caps->len; i++)
    {
      const char *name = play_fragment_for (g_ptr_array_index (caps, i));
      g_autofree char *fragment = NULL;

      if (name == NULL)
        return NULL;
      fragment = sc_fragment_expand (name, i, 96 + i);
      g_string_append_printf (desc, "%s%s", desc->len ? " " : "", fragment);
    }
  *out_tracks = caps->len;
  return parse_bin (desc->str);
}

typedef struct
{
  ScStreamHub *hub;
  gpointer publisher;
  guint track;
} SinkTarget;

static void
sink_target_free (gpointer data)
{
  SinkTarget *t = data;

  g_object_unref (t->hub);
  g_free (t);
}

static GstFlowReturn
on_new_sample (GstAppSink *sink, gpointer data)
{
  SinkTarget *t = data;
  g_autoptr (GstSample) sample = gst_app_sink_pull_sample (sink);

  if (sample != NULL)
    sc_stream_hub_push (t->hub, t->publisher, t->track, sample,
                        gst_element_get_base_time (GST_ELEMENT (sink)));
  return GST_FLOW_OK;
}

static void
unref_closure_data (gpointer data, GClosure *closure)
{
  g_object_unref (data);
}

static void
on_record_unprepared (GstRTSPMedia *media, gpointer data)
{
  ScStreamHub *hub = data;

  if (sc_stream_hub_clear_publisher (hub, media))
    g_message ("Publisher of %s is gone", sc_stream_hub_get_stream (hub));
}

static void
close_publisher (GObject *connection)
{
  sc_rtsp_close_client (GST_RTSP_CLIENT (connection));
}

static void
attach_record (ScLiveFactory *self, GstRTSPMedia *media, GstElement *bin,
               GstRTSPContext *ctx, guint tracks)
{
  g_autoptr (ScStreamHub) hub = sc_hub_registry_ref (self->hubs, self->stream);
  ScRtspClient *client = SC_RTSP_CLIENT (ctx->client);
  g_autoptr (ScReservation) r = sc_rtsp_client_dup_reservation (client);
  g_autofree char *token = sc_rtsp_client_dup_token (client);
  const char *address = gst_rtsp_connection_get_ip (ctx->conn);

  for (guint i = 0; i < tracks; i++)
    {
      g_autofree char *name = g_strdup_printf ("sink%u", i);
      g_autoptr (GstElement) sink = gst_bin_get_by_name (GST_BIN (bin), name);
      GstAppSinkCallbacks callbacks = { .new_sample = on_new_sample };
      SinkTarget *t = g_new0 (SinkTarget, 1);

      t->hub = g_object_ref (hub);
      t->publisher = media;
      t->track = i;
      gst_app_sink_set_callbacks (GST_APP_SINK (sink), &callbacks, t,
                                  sink_target_free);
    }
  /* A new publisher takes the stream over at once. */
  if (sc_stream_hub_set_publisher (hub, media, G_OBJECT (ctx->client),
                                   close_publisher, token, address, r, tracks))
    g_message ("Publisher of %s from %s takes over", self->stream, address);
  g_signal_connect_data (media, "unprepared", G_CALLBACK (on_record_unprepared),
                         g_steal_pointer (&hub), unref_closure_data, 0);
}

typedef struct
{
  ScStreamHub *hub;
  GPtrArray *appsrcs;
} PlayOutputs;

static void
on_play_unprepared (GstRTSPMedia *media, gpointer data)
{
  PlayOutputs *p = data;

  for (guint i = 0; i < p->appsrcs->len; i++)
    sc_stream_hub_remove_sink (p->hub, g_ptr_array_index (p->appsrcs, i));
}

static void
play_outputs_free (gpointer data, GClosure *closure)
{
  PlayOutputs *p = data;

  g_object_unref (p->hub);
  g_ptr_array_unref (p->appsrcs);
  g_free (p);
}

static void
attach_play (ScLiveFactory *self, GstRTSPMedia *media, GstElement *bin,
             ScStreamHub *hub, guint tracks)
{
  PlayOutputs *p = g_new0 (PlayOutputs, 1);

  p->hub = g_object_ref (hub);
  p->appsrcs = g_ptr_array_new_with_free_func (gst_object_unref);
  for (guint i = 0; i < tracks; i++)
    {
      g_autofree char *name = g_strdup_printf ("src%u", i);
      GstElement *src = gst_bin_get_by_name (GST_BIN (bin), name);

      sc_stream_hub_add_sink (hub, media, i, GST_APP_SRC (src));
      g_ptr_array_add (p->appsrcs, src);
    }
  g_signal_connect_data (media, "unprepared", G_CALLBACK (on_play_unprepared),
                         p, play_outputs_free, 0);
}

static void
unref_fanout_closure_data (gpointer data, GClosure *closure)
{
  if (data != NULL)
    sc_fanout_unref (data);
}

/* Whether video RTP @buffer ends an access unit: its marker bit (RFC 6184,
 * 5.1). */
static gboolean
ends_unit (GstBuffer *buffer)
{
  GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
  gboolean marker;

  if (!gst_rtp_buffer_map (buffer, GST_MAP_READ, &rtp))
    return TRUE;
  marker = gst_rtp_buffer_get_marker (&rtp);
  gst_rtp_buffer_unmap (&rtp);
  return marker;
}

/* What one of rtpbin's send pads feeds. */
typedef struct
{
  ScFanout *fanout;
  guint index;
  gboolean rtcp;
  int video; /* -1 until the pad has caps */
} PadTap;

static void
pad_tap_free (gpointer data)
{
  PadTap *tap = data;

  sc_fanout_unref (tap->fanout);
  g_free (tap);
}

/* Whether @pad carries video, whose access units end with the RTP marker
 * bit (RFC 6184, 5.1); other media end a unit with every packet. */
static gboolean
tap_is_video (PadTap *tap, GstPad *pad)
{
  if (tap->video < 0)
    {
      g_autoptr (GstCaps) caps = gst_pad_get_current_caps (pad);

      if (caps == NULL)
        return FALSE;
      tap->video = g_strcmp0 (gst_structure_get_string (
                                  gst_caps_get_structure (caps, 0), "media"),
                              "video")
                   == 0;
    }
  return tap->video;
}

static GstPadProbeReturn
on_rtpbin_data (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  PadTap *tap = data;
  GstBufferList *list = NULL;
  GstBuffer *buffer = NULL, *last;
  gboolean complete = TRUE;

  if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST)
    list = GST_PAD_PROBE_INFO_BUFFER_LIST (info);
  else if (info->type & GST_PAD_PROBE_TYPE_BUFFER)
    buffer = GST_PAD_PROBE_INFO_BUFFER (info);
  else
    return GST_PAD_PROBE_OK;
  last = buffer ? buffer
         : gst_buffer_list_length (list) > 0
             ? gst_buffer_list_get (list, gst_buffer_list_length (list) - 1)
             : NULL;
  if (!tap->rtcp && last != NULL && tap_is_video (tap, pad))
    complete = ends_unit (last);
  sc_fanout_send (tap->fanout, tap->index, tap->rtcp, buffer, list, complete);
  return GST_PAD_PROBE_OK;
}

/* Each stream's RTP and RTCP as rtpbin sends them go to the viewers that
 * receive them interleaved (ScFanout), past gst-rtsp-server's own
 * per-viewer path; viewers over UDP still get them from its udpsinks. */
static void
on_rtpbin_pad_added (GstElement *rtpbin, GstPad *pad, gpointer data)
{
  g_autofree char *name = gst_pad_get_name (pad);
  PadTap *tap;
  guint index = 0;
  gboolean rtcp;

  if (sscanf (name, "send_rtp_src_%u", &index) == 1)
    rtcp = FALSE;
  else if (sscanf (name, "send_rtcp_src_%u", &index) == 1)
    rtcp = TRUE;
  else
    return;
  tap = g_new0 (PadTap, 1);
  tap->fanout = sc_fanout_ref (data);
  tap->index = index;
  tap->rtcp = rtcp;
  tap->video = -1;
  gst_pad_add_probe (pad,
                     GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST,
                     on_rtpbin_data, tap, pad_tap_free);
}

/* gst-rtsp-server's appsink for interleaved viewers hands each sample to
 * its stream's send thread, which pulls it with the stream's lock held.
 * With a fanout that path has nobody to serve (ScFanout writes to the
 * viewers), so the appsinks' samples are released here instead. Set
 * before gst-rtsp-server's sink is plugged, these callbacks replace its
 * own (rtsp-stream sets them first, then adds the sink to the bin).
 *
 * Not the appsinks' drop mode: a dropped sample still has its new-sample
 * call, and gst-rtsp-server's send thread, told of a sample it had already
 * taken, waited for one more while holding the stream lock that the
 * streaming thread needed (a caps change) to produce it: the media froze
 * for its first viewer. */
static GstFlowReturn
release_sample (GstAppSink *sink, gpointer data)
{
  g_autoptr (GstSample) sample = gst_app_sink_pull_sample (sink);

  return GST_FLOW_OK;
}

/* A live pipeline's sinks add their processing-deadline (20 ms by default)
 * to the latency they wait out: every frame sat 20 ms in the server before
 * it went out. The hub's buffers are due when they arrive; nothing here
 * needs that slack.
 *
 * With a fanout, gst-rtsp-server's appsinks still pace the streaming
 * thread (rate control: nothing goes out ahead of its time; without it
 * rtspsrc viewers starved after takeovers and RTMP bursts), but their
 * samples are released at once (release_sample()). */
static void
on_play_element_added (GstBin *pipeline, GstBin *sub_bin, GstElement *element,
                       gpointer data)
{
  GstElementFactory *factory = gst_element_get_factory (element);

  if (GST_IS_BASE_SINK (element))
    gst_base_sink_set_processing_deadline (GST_BASE_SINK (element), 0);
  if (data == NULL) /* [rtsp] direct-send = false */
    return;
  if (GST_IS_APP_SINK (element))
    {
      GstAppSinkCallbacks callbacks = { .new_sample = release_sample };

      gst_app_sink_set_callbacks (GST_APP_SINK (element), &callbacks, NULL,
                                  NULL);
    }
  if (factory != NULL
      && g_strcmp0 (gst_plugin_feature_get_name (factory), "rtpbin") == 0)
    g_signal_connect_data (element, "pad-added",
                           G_CALLBACK (on_rtpbin_pad_added),
                           sc_fanout_ref (data), unref_fanout_closure_data, 0);
}

static GstRTSPMedia *
sc_live_factory_construct (GstRTSPMediaFactory *factory, const GstRTSPUrl *url)
{
  ScLiveFactory *self = SC_LIVE_FACTORY (factory);
  GstRTSPContext *ctx = gst_rtsp_context_get_current ();
  gboolean record = ctx != NULL && ctx->method == GST_RTSP_ANNOUNCE;
  g_autoptr (ScStreamHub) hub = NULL;
  GstRTSPMedia *media;
  GstElement *bin, *pipeline;
  guint tracks = 0;

  hub = sc_hub_registry_ref (self->hubs, self->stream);

  bin = record ? build_record (self, ctx, &tracks)
               : build_play (self, hub, &tracks);
  if (bin == NULL)
    return NULL;
  media = g_object_new (GST_TYPE_RTSP_MEDIA, "element", bin, "transport-mode",
                        record ? GST_RTSP_TRANSPORT_MODE_RECORD
                               : GST_RTSP_TRANSPORT_MODE_PLAY,
                        NULL);
  g_object_set_data (G_OBJECT (media), "sc-record", GINT_TO_POINTER (record));
  gst_rtsp_media_collect_streams (media);
  pipeline = gst_pipeline_new (NULL);
  if (!record)
    {
      ScFanout *fanout = NULL;

      if (self->direct_send)
        {
          fanout = sc_fanout_new ();
          sc_fanout_attach (G_OBJECT (media), fanout);
        }
      g_signal_connect_data (pipeline, "deep-element-added",
                             G_CALLBACK (on_play_element_added), fanout,
                             unref_fanout_closure_data, 0);
    }
  gst_rtsp_media_take_pipeline (media, GST_PIPELINE_CAST (pipeline));

  if (record)
    attach_record (self, media, bin, ctx, tracks);
  else
    attach_play (self, media, bin, hub, tracks);
  g_signal_emit_by_name (factory, "media-constructed", media);
  return media;
}

/* After the factory's defaults: each media has one mode; PLAY is shared. */
static void
sc_live_factory_configure (GstRTSPMediaFactory *factory, GstRTSPMedia *media)
{
  gboolean record
      = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (media), "sc-record"));

  GST_RTSP_MEDIA_FACTORY_CLASS (sc_live_factory_parent_class)
      ->configure (factory, media);
  gst_rtsp_media_set_transport_mode (media, record
                                                ? GST_RTSP_TRANSPORT_MODE_RECORD
                                                : GST_RTSP_TRANSPORT_MODE_PLAY);
  gst_rtsp_media_set_shared (media, !record);
  gst_rtsp_media_set_reusable (media, FALSE);
}

/* One key for the stream's shared PLAY media, whatever the query string
 * (the default keys by URL with it), per track layout; none for a
 * publisher's RECORD media, which must never be handed to anyone else. */
static char *
sc_live_factory_gen_key (GstRTSPMediaFactory *factory, const GstRTSPUrl *url)
{
  GstRTSPContext *ctx = gst_rtsp_context_get_current ();

  ScLiveFactory *self = SC_LIVE_FACTORY (factory);
  g_autoptr (ScStreamHub) hub = NULL;

  if (ctx != NULL && ctx->method == GST_RTSP_ANNOUNCE)
    return NULL;
  /* A new track layout must not find the media built for the old one. */
  hub = sc_hub_registry_ref (self->hubs, self->stream);
  return g_strdup_printf ("play-%u", sc_stream_hub_get_layout (hub));
}

static void
sc_live_factory_finalize (GObject *object)
{
  ScLiveFactory *self = SC_LIVE_FACTORY (object);

  g_clear_object (&self->hubs);
  g_free (self->stream);
  G_OBJECT_CLASS (sc_live_factory_parent_class)->finalize (object);
}

static void
sc_live_factory_class_init (ScLiveFactoryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sc_live_factory_finalize;
  GST_DEBUG_CATEGORY_INIT (sc_live_factory_debug, "slotcast-rtsp", 0,
                           "Slotcast RTSP media");
  GST_RTSP_MEDIA_FACTORY_CLASS (klass)->construct = sc_live_factory_construct;
  GST_RTSP_MEDIA_FACTORY_CLASS (klass)->configure = sc_live_factory_configure;
  GST_RTSP_MEDIA_FACTORY_CLASS (klass)->gen_key = sc_live_factory_gen_key;
}

static void
sc_live_factory_init (ScLiveFactory *self)
{
}

/**
 * sc_live_factory_new:
 * @hubs: where the hub of @stream is
 * @direct_send: whether interleaved viewers are sent to by an #ScFanout
 *
 * Returns: (transfer full): the factory of @stream
 */
ScLiveFactory *
sc_live_factory_new (ScHubRegistry *hubs, const char *stream,
                     gboolean direct_send)
{
  ScLiveFactory *self = g_object_new (SC_TYPE_LIVE_FACTORY, NULL);
  GstClock *clock = gst_system_clock_obtain ();

  self->hubs = g_object_ref (hubs);
  self->direct_send = direct_send;
  self->stream = g_strdup (stream);
  gst_rtsp_media_factory_set_transport_mode (
      GST_RTSP_MEDIA_FACTORY (self),
      GST_RTSP_TRANSPORT_MODE_PLAY | GST_RTSP_TRANSPORT_MODE_RECORD);
  gst_rtsp_media_factory_set_clock (GST_RTSP_MEDIA_FACTORY (self), clock);
  gst_rtsp_media_factory_set_latency (GST_RTSP_MEDIA_FACTORY (self), 0);
  gst_object_unref (clock);
  return self;
}
