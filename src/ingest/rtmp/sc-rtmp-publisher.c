/* SPDX-License-Identifier: LGPL-2.1-or-later */

/**
 * ScRtmpPublisher:
 *
 * The media side of one admitted RTMP publisher: its audio, video and
 * metadata messages become FLV tags pushed into a GStreamer pipeline
 * (`flv-demux` and one `flv-*` fragment per track: flvdemux, h264parse,
 * aacparse, appsink) whose samples go to the stream's #ScStreamHub, exactly
 * as an RTSP publisher's do. RTSP viewers cannot tell the two apart.
 *
 * The tags are pushed from the session's thread straight into flvdemux's
 * sink pad (a source pad of ours, linked to it): the demuxer, the parsers
 * and the appsinks run there and then, with no queue and no streaming
 * thread of their own. None of them blocks (the appsinks do not sync and
 * drop when full), and a thread hop per message was most of what carrying
 * a stream nobody watches cost (bench/streams).
 *
 * RTMP announces no tracks, so the publisher holds the first messages back
 * until it knows them: from `onMetaData` (videocodecid, audiocodecid), else
 * from having seen both kinds, a second of media or a bounded backlog.
 * H.264 (AVC) video and AAC audio are carried; anything else is dropped
 * with a warning.
 *
 * Time: the pipeline's base time is the system clock when the first media
 * message arrived, and a tag's time is the message's time since that
 * first message (32-bit wrap handled), so the hub sees times on the same
 * clock as an RTSP publisher's, whatever the encoder's time origin. A
 * publisher's first messages often come late and in a burst (queued while
 * it connected and was admitted): anchored on them, every later tag would
 * carry a time in the future, and viewers' sinks, which wait for a
 * buffer's time, would hold everything back by that much (180 ms
 * measured). So tag times follow the message that came the earliest
 * relative to its own time (the smallest lag, which only ever decreases),
 * kept non-decreasing per kind of tag.
 *
 * Lives on the ingest's main context; appsink callbacks run there too
 * (from the pushes) and touch only the hub.
 */

#include "config.h"

#include "sc-rtmp-publisher.h"

#include "sc-amf0.h"
#include "sc-fragments.h"
#include "sc-rtmp-timeline.h"

#include <gst/app/gstappsink.h>
#include <string.h>

#define AVC_CODEC_ID 7
#define AAC_SOUND_FORMAT 10
#define DECIDE_AFTER_MS 1000
#define DECIDE_AFTER_MESSAGES 64
#define DECIDE_AFTER_BYTES (8 * 1024 * 1024)

enum
{
  TAG_AUDIO = 8,
  TAG_VIDEO = 9,
  TAG_SCRIPT = 18,
};

typedef enum
{
  CODEC_ABSENT,
  CODEC_CARRIED,
  CODEC_NOT_CARRIED,
} CodecState;

GST_DEBUG_CATEGORY_STATIC (sc_rtmp_debug);
#define GST_CAT_DEFAULT sc_rtmp_debug

struct _ScRtmpPublisher
{
  GObject parent_instance;

  ScStreamHub *hub;
  char *stream;
  GObject *connection;
  ScHubCloseFunc close;
  char *token;
  char *address;
  ScReservation *reservation;

  /* Before the tracks are known. */
  GPtrArray *backlog; /* FLV tags (GstBuffer) */
  gsize backlog_bytes;
  CodecState video, audio; /* from onMetaData */
  gboolean seen_video, seen_audio;
  gboolean warned_video, warned_audio;

  /* Time. */
  ScRtmpTimeline timeline;
  GstClockTime base_time;

  GstElement *pipeline; /* NULL until the tracks are known */
  GstPad *feed;         /* ours, linked to flvdemux's sink pad */
  gboolean feed_failed;
  gboolean stopped;
};

G_DEFINE_FINAL_TYPE (ScRtmpPublisher, sc_rtmp_publisher, G_TYPE_OBJECT)

static void
sc_rtmp_publisher_dispose (GObject *object)
{
  ScRtmpPublisher *self = SC_RTMP_PUBLISHER (object);

  sc_rtmp_publisher_stop (self);
  G_OBJECT_CLASS (sc_rtmp_publisher_parent_class)->dispose (object);
}

static void
sc_rtmp_publisher_finalize (GObject *object)
{
  ScRtmpPublisher *self = SC_RTMP_PUBLISHER (object);

  g_clear_object (&self->hub);
  g_free (self->stream);
  g_free (self->token);
  g_free (self->address);
  g_clear_pointer (&self->reservation, sc_reservation_free);
  g_ptr_array_unref (self->backlog);
  G_OBJECT_CLASS (sc_rtmp_publisher_parent_class)->finalize (object);
}

static void
sc_rtmp_publisher_class_init (ScRtmpPublisherClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sc_rtmp_publisher_dispose;
  object_class->finalize = sc_rtmp_publisher_finalize;
  GST_DEBUG_CATEGORY_INIT (sc_rtmp_debug, "slotcast-rtmp", 0,
                           "Slotcast RTMP publishers");
}

static void
sc_rtmp_publisher_init (ScRtmpPublisher *self)
{
  self->backlog
      = g_ptr_array_new_with_free_func ((GDestroyNotify)gst_mini_object_unref);
}

/**
 * sc_rtmp_publisher_new:
 * @connection: (not nullable): the #ScRtmpSession, not referenced: it owns
 *   the publisher and stops it before it goes
 *
 * Returns: (transfer full): the media side of an admitted publisher; it
 *   takes the stream over once its tracks are known
 */
ScRtmpPublisher *
sc_rtmp_publisher_new (ScHubRegistry *hubs, const char *stream,
                       GObject *connection, ScHubCloseFunc close,
                       const char *token, const char *address,
                       const ScReservation *reservation)
{
  ScRtmpPublisher *self = g_object_new (SC_TYPE_RTMP_PUBLISHER, NULL);

  self->hub = sc_hub_registry_ref (hubs, stream);
  self->stream = g_strdup (stream);
  self->connection = connection;
  self->close = close;
  self->token = g_strdup (token);
  self->address = g_strdup (address);
  self->reservation = sc_reservation_copy (reservation);
  return self;
}

/* An FLV tag (FLV specification, E.4.1) with its trailing size. */
static GstBuffer *
flv_tag (guint8 type, gint64 time_ms, const guint8 *data, gsize size)
{
  GstBuffer *buffer = gst_buffer_new_allocate (NULL, 11 + size + 4, NULL);
  guint32 ts = (guint32)MAX (time_ms, 0);
  guint32 total = 11 + size;
  GstMapInfo map;
  guint8 *p;

  gst_buffer_map (buffer, &map, GST_MAP_WRITE);
  p = map.data;
  p[0] = type;
  p[1] = size >> 16;
  p[2] = size >> 8;
  p[3] = size;
  p[4] = ts >> 16;
  p[5] = ts >> 8;
  p[6] = ts;
  p[7] = ts >> 24;
  p[8] = p[9] = p[10] = 0;
  memcpy (p + 11, data, size);
  p += 11 + size;
  p[0] = total >> 24;
  p[1] = total >> 16;
  p[2] = total >> 8;
  p[3] = total;
  gst_buffer_unmap (buffer, &map);
  return buffer;
}

/* Whether @body's @member names the carried codec (number @id or
 * @fourcc). */
static CodecState
codec_state (JsonNode *body, const char *member, double id, const char *fourcc)
{
  JsonNode *n = sc_amf0_get_member (body, member);
  double number;

  if (n == NULL || JSON_NODE_HOLDS_NULL (n))
    return CODEC_ABSENT;
  if (sc_amf0_get_number (n, &number))
    return number == id ? CODEC_CARRIED : CODEC_NOT_CARRIED;
  return g_strcmp0 (sc_amf0_get_string (n), fourcc) == 0 ? CODEC_CARRIED
                                                         : CODEC_NOT_CARRIED;
}

/* Reads the codecs of an `onMetaData` script body, if it is one. */
static void
read_metadata (ScRtmpPublisher *self, const guint8 *data, gsize size)
{
  g_autoptr (GPtrArray) values = sc_amf0_decode_all (data, size, NULL);
  JsonNode *body;

  if (values == NULL || values->len < 2
      || g_strcmp0 (sc_amf0_get_string (values->pdata[0]), "onMetaData") != 0)
    return;
  body = values->pdata[1];
  if (!JSON_NODE_HOLDS_OBJECT (body))
    return;
  self->video = codec_state (body, "videocodecid", AVC_CODEC_ID, "avc1");
  self->audio = codec_state (body, "audiocodecid", AAC_SOUND_FORMAT, "mp4a");
  if (self->video == CODEC_NOT_CARRIED)
    g_warning ("RTMP publisher of %s sends video that is not H.264: dropped",
               self->stream);
  if (self->audio == CODEC_NOT_CARRIED)
    g_warning ("RTMP publisher of %s sends audio that is not AAC: dropped",
               self->stream);
}

static GstFlowReturn
on_new_sample (GstAppSink *sink, gpointer data)
{
  ScRtmpPublisher *self = data;
  guint track = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (sink), "track"));
  g_autoptr (GstSample) sample = gst_app_sink_pull_sample (sink);

  if (sample != NULL)
    sc_stream_hub_push (self->hub, self, track, sample,
                        gst_element_get_base_time (GST_ELEMENT (sink)));
  return GST_FLOW_OK;
}

/* Readies our pad for data: stream start, caps and a byte segment, as a
 * source element would send. */
static void
start_feed (ScRtmpPublisher *self)
{
  g_autofree char *id = g_strdup_printf ("slotcast-rtmp-%p", (void *)self);
  g_autoptr (GstCaps) caps = gst_caps_new_empty_simple ("video/x-flv");
  GstSegment segment;

  gst_pad_set_active (self->feed, TRUE);
  gst_segment_init (&segment, GST_FORMAT_BYTES);
  gst_pad_push_event (self->feed, gst_event_new_stream_start (id));
  gst_pad_push_event (self->feed, gst_event_new_caps (caps));
  gst_pad_push_event (self->feed, gst_event_new_segment (&segment));
}

/* Pushes one FLV chunk through the demuxer, parsers and appsinks, here. */
static void
feed (ScRtmpPublisher *self, GstBuffer *buffer)
{
  GstFlowReturn flow = gst_pad_push (self->feed, buffer);

  if (flow < GST_FLOW_NOT_LINKED && flow != GST_FLOW_FLUSHING
      && !self->feed_failed)
    g_warning ("RTMP publisher of %s: the demuxer refused data (%s)",
               self->stream, gst_flow_get_name (flow));
  self->feed_failed |= flow < GST_FLOW_NOT_LINKED && flow != GST_FLOW_FLUSHING;
}

/* Builds and starts the pipeline for the tracks now known, takes the
 * stream over and pushes the backlog. */
static gboolean
start_pipeline (ScRtmpPublisher *self, GError **error)
{
  gboolean video = self->video == CODEC_CARRIED
                   || (self->video == CODEC_ABSENT && self->seen_video);
  gboolean audio = self->audio == CODEC_CARRIED
                   || (self->audio == CODEC_ABSENT && self->seen_audio);
  g_autoptr (GString) desc = g_string_new (NULL);
  g_autofree char *head = sc_fragment_expand ("flv-demux", 0, 0);
  g_autoptr (GstClock) clock = gst_system_clock_obtain ();
  GstAppSinkCallbacks callbacks = { .new_sample = on_new_sample };
  guint8 header[13] = { 'F', 'L', 'V', 1, 0, 0, 0, 0, 9, 0, 0, 0, 0 };
  guint tracks = 0;

  if (!video && !audio)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "neither H.264 video nor AAC audio");
      return FALSE;
    }
  g_string_append (desc, head);
  if (video)
    {
      g_autofree char *f = sc_fragment_expand ("flv-h264", tracks++, 0);
      g_string_append_printf (desc, " %s", f);
    }
  if (audio)
    {
      g_autofree char *f = sc_fragment_expand ("flv-aac", tracks++, 0);
      g_string_append_printf (desc, " %s", f);
    }
  self->pipeline = gst_parse_launch_full (desc->str, NULL,
                                          GST_PARSE_FLAG_FATAL_ERRORS, error);
  if (self->pipeline == NULL)
    return FALSE;
  {
    g_autoptr (GstElement) demux
        = gst_bin_get_by_name (GST_BIN (self->pipeline), "flvdemux");
    g_autoptr (GstPad) sink = gst_element_get_static_pad (demux, "sink");

    self->feed = gst_object_ref_sink (gst_pad_new ("feed", GST_PAD_SRC));
    if (gst_pad_link (self->feed, sink) != GST_PAD_LINK_OK)
      {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                     "cannot feed the demuxer");
        return FALSE;
      }
  }
  for (guint i = 0; i < tracks; i++)
    {
      g_autofree char *name = g_strdup_printf ("sink%u", i);
      g_autoptr (GstElement) sink
          = gst_bin_get_by_name (GST_BIN (self->pipeline), name);

      g_object_set_data (G_OBJECT (sink), "track", GUINT_TO_POINTER (i));
      gst_app_sink_set_callbacks (GST_APP_SINK (sink), &callbacks, self, NULL);
    }

  /* Running time 0 is when the first media message arrived. */
  gst_pipeline_use_clock (GST_PIPELINE (self->pipeline), clock);
  gst_element_set_start_time (self->pipeline, GST_CLOCK_TIME_NONE);
  gst_element_set_base_time (self->pipeline, self->base_time);

  if (sc_stream_hub_set_publisher (self->hub, self, self->connection,
                                   self->close, self->token, self->address,
                                   self->reservation, tracks))
    g_message ("RTMP publisher of %s from %s takes over", self->stream,
               self->address);
  if (gst_element_set_state (self->pipeline, GST_STATE_PLAYING)
      == GST_STATE_CHANGE_FAILURE)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "cannot start the pipeline");
      return FALSE;
    }
  start_feed (self);
  header[4] = (audio ? 4 : 0) | (video ? 1 : 0);
  feed (self, gst_buffer_new_memdup (header, sizeof header));
  for (guint i = 0; i < self->backlog->len; i++)
    feed (self, gst_buffer_ref (self->backlog->pdata[i]));
  g_ptr_array_set_size (self->backlog, 0);
  self->backlog_bytes = 0;
  GST_INFO ("RTMP publisher of %s: %u track(s), video %d, audio %d",
            self->stream, tracks, video, audio);
  return TRUE;
}

static gboolean
tracks_known (ScRtmpPublisher *self)
{
  gboolean meta = self->video != CODEC_ABSENT || self->audio != CODEC_ABSENT;

  return meta || (self->seen_video && self->seen_audio)
         || self->timeline.media_ms >= DECIDE_AFTER_MS
         || self->backlog->len >= DECIDE_AFTER_MESSAGES
         || self->backlog_bytes >= DECIDE_AFTER_BYTES;
}

/* Whether a media message carries a codec we carry; warns once if not. */
static gboolean
carried (ScRtmpPublisher *self, guint8 type, const guint8 *data, gsize size)
{
  gboolean ok;

  if (type == SC_RTMP_VIDEO)
    {
      ok = size >= 2 && (data[0] & 0x80) == 0
           && (data[0] & 0x0f) == AVC_CODEC_ID;
      if (!ok && !self->warned_video)
        g_warning ("RTMP publisher of %s: video that is not H.264 is dropped",
                   self->stream);
      self->warned_video |= !ok;
    }
  else
    {
      ok = size >= 2 && (data[0] >> 4) == AAC_SOUND_FORMAT;
      if (!ok && !self->warned_audio)
        g_warning ("RTMP publisher of %s: audio that is not AAC is dropped",
                   self->stream);
      self->warned_audio |= !ok;
    }
  return ok;
}

/* Milliseconds of @ts since the first media message; the first one sets
 * the pipeline's base time. */
static gint64
elapsed (ScRtmpPublisher *self, guint32 ts)
{
  if (!self->timeline.started)
    {
      g_autoptr (GstClock) clock = gst_system_clock_obtain ();

      self->base_time = gst_clock_get_time (clock);
    }
  return sc_rtmp_timeline_media_ms (&self->timeline, ts);
}

/* The time of a tag of @kind whose message time is @media_ms, arriving
 * now (sc-rtmp-timeline.c). */
static gint64
tag_time (ScRtmpPublisher *self, ScRtmpTagKind kind, gint64 media_ms)
{
  g_autoptr (GstClock) clock = gst_system_clock_obtain ();
  gint64 arrival_ms
      = (gint64)(gst_clock_get_time (clock) - self->base_time) / GST_MSECOND;

  return sc_rtmp_timeline_tag_ms (&self->timeline, kind, media_ms, arrival_ms);
}

/**
 * sc_rtmp_publisher_push:
 *
 * Takes one audio, video or data message of the publisher.
 *
 * Returns: FALSE when the stream cannot be carried (@error says why)
 */
gboolean
sc_rtmp_publisher_push (ScRtmpPublisher *self, const ScRtmpMessage *message,
                        GError **error)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (message->payload, &size);
  GstBuffer *tag;

  if (self->stopped)
    return TRUE;
  switch (message->type)
    {
      case SC_RTMP_DATA_AMF0:
        /* "@setDataFrame" is for the server: FLV keeps what follows. */
        if (size > 16 && memcmp (data, "\x02\x00\x0d@setDataFrame", 16) == 0)
          {
            data += 16;
            size -= 16;
          }
        if (self->pipeline == NULL)
          read_metadata (self, data, size);
        tag = flv_tag (TAG_SCRIPT,
                       self->timeline.started ? tag_time (
                           self, SC_RTMP_TAG_SCRIPT, self->timeline.media_ms)
                                              : 0,
                       data, size);
        break;
      case SC_RTMP_AUDIO:
      case SC_RTMP_VIDEO:
        if (!carried (self, message->type, data, size))
          return TRUE;
        if (message->type == SC_RTMP_VIDEO)
          self->seen_video = TRUE;
        else
          self->seen_audio = TRUE;
        {
          gint64 media_ms = elapsed (self, message->timestamp);
          ScRtmpTagKind kind = message->type == SC_RTMP_VIDEO
                                   ? SC_RTMP_TAG_VIDEO
                                   : SC_RTMP_TAG_AUDIO;

          tag = flv_tag (kind == SC_RTMP_TAG_VIDEO ? TAG_VIDEO : TAG_AUDIO,
                         tag_time (self, kind, media_ms), data, size);
        }
        break;
      default:
        return TRUE;
    }

  if (self->pipeline != NULL)
    {
      feed (self, tag);
      return TRUE;
    }
  g_ptr_array_add (self->backlog, tag);
  self->backlog_bytes += gst_buffer_get_size (tag);
  if (!self->timeline.started || !tracks_known (self))
    return TRUE;
  return start_pipeline (self, error);
}

/**
 * sc_rtmp_publisher_stop:
 *
 * Leaves the stream (unless another publisher took it over) and stops the
 * pipeline. Idempotent.
 */
void
sc_rtmp_publisher_stop (ScRtmpPublisher *self)
{
  if (self->stopped)
    return;
  self->stopped = TRUE;
  if (sc_stream_hub_clear_publisher (self->hub, self))
    g_message ("RTMP publisher of %s is gone", self->stream);
  if (self->pipeline != NULL)
    {
      gst_element_set_state (self->pipeline, GST_STATE_NULL);
      if (self->feed != NULL)
        gst_pad_set_active (self->feed, FALSE);
      gst_clear_object (&self->feed);
      gst_clear_object (&self->pipeline);
    }
  g_ptr_array_set_size (self->backlog, 0);
}
