/* SPDX-License-Identifier: LGPL-2.1-or-later */

/**
 * ScUploadPublisher:
 *
 * One attempt at publishing: a GStreamer pipeline built from the `upload-*`
 * fragments in pipelines/ (a source, H.264 and AAC/Opus encoders, then
 * rtspclientsink or flvmux ! rtmp2sink to the ticket's URL), started,
 * watched and stopped. It reports, as signals on the main context:
 *
 * - `connected`: the pipeline plays (the server took the RECORD/publish);
 * - `failed (reason, refused)`: the link dropped or the server refused;
 *   @refused is TRUE when the server said no (401/403, or RTMP's
 *   Unauthorized/BadName), with its reason;
 * - `finished`: the source ended (a file).
 *
 * A publisher is used once; reconnecting makes a new one.
 */

#include "config.h"

#include "sc-upload-publisher.h"

#include "sc-upload-pipelines.h"

#include <gst/pbutils/pbutils.h>
#include <gst/video/video.h>
#include <string.h>

#define FRAME_RATE 30

struct _ScUploadPublisher
{
  GObject parent_instance;

  ScUploadMedia media;
  char *value;
  char *audio;
  char *location;
  GstElement *pipeline;
  guint bus_watch;
  gboolean connected;
  gboolean done;   /* failed or finished was emitted */
  guint64 bytes;   /* atomic: encoded bytes sent into the sink */
  guint64 dropped; /* atomic: times the raw video queue overflowed */
};

G_DEFINE_FINAL_TYPE (ScUploadPublisher, sc_upload_publisher, G_TYPE_OBJECT)

enum
{
  SIGNAL_CONNECTED,
  SIGNAL_FAILED,
  SIGNAL_FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static char *
fragment (const char *name, const char *const *substitutions)
{
  g_autofree char *path
      = g_strdup_printf ("/org/slotcast/pipelines/%s.pipeline", name);
  g_autoptr (GBytes) bytes
      = g_resource_lookup_data (sc_pipelines_get_resource (), path, 0, NULL);
  char *text;

  g_assert (bytes != NULL); /* names are fixed at build time */
  text = g_strstrip (
      g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes)));
  for (const char *const *kv = substitutions; kv && *kv; kv += 2)
    {
      g_auto (GStrv) parts = g_strsplit (text, kv[0], -1);

      g_free (text);
      text = g_strjoinv (kv[1], parts);
    }
  return text;
}

/* Whether @path has an audio stream; FALSE with @error if it is no media. */
static gboolean
file_has_audio (const char *path, gboolean *out_audio, GError **error)
{
  g_autoptr (GstDiscoverer) d = gst_discoverer_new (10 * GST_SECOND, error);
  g_autoptr (GstDiscovererInfo) info = NULL;
  g_autofree char *uri = NULL;
  GList *video, *audio;

  if (d == NULL || (uri = gst_filename_to_uri (path, error)) == NULL)
    return FALSE;
  if ((info = gst_discoverer_discover_uri (d, uri, error)) == NULL)
    return FALSE;
  video = gst_discoverer_info_get_video_streams (info);
  audio = gst_discoverer_info_get_audio_streams (info);
  *out_audio = audio != NULL;
  gst_discoverer_stream_info_list_free (audio);
  if (video == NULL)
    {
      g_set_error (error, GST_STREAM_ERROR, GST_STREAM_ERROR_WRONG_TYPE,
                   "%s has no video", path);
      return FALSE;
    }
  gst_discoverer_stream_info_list_free (video);
  return TRUE;
}

/* The launch description for @media: fixed fragments and numbers only,
 * plus the user's own --source description. Nothing from a ticket or a
 * file name is in it; sc_upload_pipeline_new() sets those as properties. */
static char *
describe (const ScUploadMedia *media, gboolean with_audio)
{
  g_autofree char *kbps = g_strdup_printf ("%d", media->video_kbps);
  g_autofree char *gop = g_strdup_printf ("%d", media->gop_s * FRAME_RATE);
  const char *subs[] = { "{kbps}", kbps, "{gop}", gop, NULL };
  g_autofree char *h264 = fragment ("upload-h264", subs);
  g_autofree char *enc_audio
      = fragment (media->rtmp ? "upload-aac" : "upload-opus", subs);
  g_autofree char *sink
      = fragment (media->rtmp ? "upload-rtmp" : "upload-rtsp", subs);
  const char *into = media->rtmp ? "mux." : "publish.";
  g_autofree char *video = NULL;
  g_autofree char *audio = NULL;
  const char *pace = "";
  g_autoptr (GString) d = g_string_new (NULL);

  switch (media->kind)
    {
      case SC_UPLOAD_SOURCE_TEST_PATTERN:
        video = fragment ("upload-test-video", subs);
        audio = fragment ("upload-test-audio", subs);
        break;
      case SC_UPLOAD_SOURCE_CAMERA:
        video = fragment ("upload-camera-video", subs);
        audio = fragment ("upload-camera-audio", subs);
        break;
      case SC_UPLOAD_SOURCE_DESCRIPTION:
        video = g_strdup (media->value);
        audio = g_strdup (media->audio);
        break;
      case SC_UPLOAD_SOURCE_FILE:
        {
          g_autofree char *file = fragment ("upload-file", subs);

          /* A file is not live: play it at its own pace. */
          g_string_append_printf (d, "%s ", file);
          video = g_strdup ("dec.");
          audio = g_strdup ("dec.");
          pace = " ! queue ! clocksync";
        }
        break;
    }
  g_string_append_printf (d, "%s%s ! %s ! queue ! %s ", video, pace, h264,
                          into);
  if (with_audio && audio != NULL)
    g_string_append_printf (d, "%s%s ! %s ! queue ! %s ", audio, pace,
                            enc_audio, into);
  g_string_append (d, sink);
  return g_string_free (g_steal_pointer (&d), FALSE);
}

/* Sets @property of the element named @name in @pipeline. */
static void
set_named (GstElement *pipeline, const char *name, const char *property,
           const char *value)
{
  g_autoptr (GstElement) e = gst_bin_get_by_name (GST_BIN (pipeline), name);

  g_assert (e != NULL); /* the fragments name it */
  g_object_set (e, property, value, NULL);
}

/**
 * sc_upload_pipeline_new:
 * @location: the ticket's RTSP publish URL, or its RTMP URL
 *
 * Builds the pipeline publishing @media to @location. The description is
 * made of the fixed `upload-*` fragments (and the user's --source); the
 * URL and the file name are set as the `location` properties of the
 * elements named `publish` and `file` afterwards, so no byte of them is
 * ever read as launch syntax.
 *
 * Returns: (transfer full) (nullable): the pipeline, not started, or %NULL
 *   with @error set (a file that is no media, a --source that does not
 *   parse)
 */
GstElement *
sc_upload_pipeline_new (const ScUploadMedia *media, const char *location,
                        GError **error)
{
  gboolean with_audio
      = media->kind != SC_UPLOAD_SOURCE_DESCRIPTION || media->audio != NULL;
  g_autofree char *description = NULL;
  GstElement *pipeline;

  if (media->kind == SC_UPLOAD_SOURCE_FILE
      && !file_has_audio (media->value, &with_audio, error))
    return NULL;
  description = describe (media, with_audio);
  g_debug ("pipeline: %s", description);
  pipeline = gst_parse_launch_full (description, NULL,
                                    GST_PARSE_FLAG_FATAL_ERRORS, error);
  if (pipeline == NULL)
    return NULL;
  set_named (pipeline, "publish", "location", location);
  if (media->kind == SC_UPLOAD_SOURCE_FILE)
    set_named (pipeline, "file", "location", media->value);
  return pipeline;
}

static void
sc_upload_publisher_dispose (GObject *object)
{
  sc_upload_publisher_stop (SC_UPLOAD_PUBLISHER (object));
  G_OBJECT_CLASS (sc_upload_publisher_parent_class)->dispose (object);
}

static void
sc_upload_publisher_finalize (GObject *object)
{
  ScUploadPublisher *self = SC_UPLOAD_PUBLISHER (object);

  g_free (self->value);
  g_free (self->audio);
  g_free (self->location);
  G_OBJECT_CLASS (sc_upload_publisher_parent_class)->finalize (object);
}

static void
sc_upload_publisher_class_init (ScUploadPublisherClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sc_upload_publisher_dispose;
  object_class->finalize = sc_upload_publisher_finalize;
  signals[SIGNAL_CONNECTED]
      = g_signal_new ("connected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                      0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_FAILED] = g_signal_new (
      "failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
      NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_BOOLEAN);
  signals[SIGNAL_FINISHED]
      = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                      0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
sc_upload_publisher_init (ScUploadPublisher *self)
{
}

/**
 * sc_upload_publisher_new:
 *
 * Returns: (transfer full): a publisher of @media to @location, not started
 */
ScUploadPublisher *
sc_upload_publisher_new (const ScUploadMedia *media, const char *location)
{
  ScUploadPublisher *self = g_object_new (SC_TYPE_UPLOAD_PUBLISHER, NULL);

  self->media = *media;
  self->value = g_strdup (media->value);
  self->audio = g_strdup (media->audio);
  self->media.value = self->value;
  self->media.audio = self->audio;
  self->location = g_strdup (location);
  return self;
}

/* The server's answer in an rtspclientsink error ("Got error response:
 * 403 (Forbidden: slot ended)."), or NULL if it is no refusal. */
static char *
refusal_reason (const char *text)
{
  const char *at;
  const char *open;

  if (text == NULL)
    return NULL;
  if ((at = strstr (text, "error response: 401")) != NULL
      || (at = strstr (text, "error response: 403")) != NULL)
    {
      open = strchr (at, '(');
      if (open == NULL)
        return g_strdup ("refused");
      open++;
      if (g_str_has_prefix (open, "Forbidden: "))
        open += strlen ("Forbidden: ");
      else if (g_str_has_prefix (open, "Unauthorized: "))
        open += strlen ("Unauthorized: ");
      return g_strndup (open, strcspn (open, ")"));
    }
  if (strstr (text, "NetStream.Publish.Unauthorized") != NULL
      || strstr (text, "NetStream.Publish.BadName") != NULL)
    {
      /* rtmp2sink quotes the onStatus object: take its description. */
      at = strstr (text, "\"description\": \"");
      if (at == NULL)
        return g_strdup (text);
      at += strlen ("\"description\": \"");
      return g_strndup (at, strcspn (at, "\""));
    }
  return NULL;
}

static void
fail (ScUploadPublisher *self, const char *reason, gboolean refused)
{
  if (self->done)
    return;
  self->done = TRUE;
  g_signal_emit (self, signals[SIGNAL_FAILED], 0, reason, refused);
}

static gboolean
on_bus (GstBus *bus, GstMessage *message, gpointer data)
{
  ScUploadPublisher *self = data;
  g_autoptr (GError) error = NULL;
  g_autofree char *debug = NULL;
  g_autofree char *reason = NULL;
  GstState old_state, new_state;

  switch (GST_MESSAGE_TYPE (message))
    {
      case GST_MESSAGE_ERROR:
        gst_message_parse_error (message, &error, &debug);
        reason = refusal_reason (debug);
        if (reason == NULL)
          reason = refusal_reason (error->message);
        if (reason != NULL)
          fail (self, reason, TRUE);
        else
          {
            g_autofree char *what = g_strdup_printf ("%s (%s)", error->message,
                                                     debug ? debug : "");
            fail (self, what, FALSE);
          }
        break;
      case GST_MESSAGE_WARNING:
        /* rtspclientsink only warns when the server closes the connection. */
        gst_message_parse_warning (message, &error, &debug);
        if (strstr (error->message, "closed") != NULL
            || (debug && strstr (debug, "closed") != NULL))
          fail (self, error->message, FALSE);
        break;
      case GST_MESSAGE_EOS:
        if (!self->done)
          {
            self->done = TRUE;
            g_signal_emit (self, signals[SIGNAL_FINISHED], 0);
          }
        break;
      case GST_MESSAGE_STATE_CHANGED:
        if (GST_MESSAGE_SRC (message) != GST_OBJECT (self->pipeline))
          break;
        gst_message_parse_state_changed (message, &old_state, &new_state, NULL);
        if (new_state == GST_STATE_PLAYING && !self->connected)
          {
            self->connected = TRUE;
            g_signal_emit (self, signals[SIGNAL_CONNECTED], 0);
          }
        break;
      default:
        break;
    }
  return G_SOURCE_CONTINUE;
}

static GstPadProbeReturn
count_bytes (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  ScUploadPublisher *self = data;
  GstBuffer *buffer = gst_pad_probe_info_get_buffer (info);

  if (buffer != NULL)
    __atomic_add_fetch (&self->bytes, gst_buffer_get_size (buffer),
                        __ATOMIC_RELAXED);
  return GST_PAD_PROBE_OK;
}

static gboolean
finish_idle (gpointer data)
{
  ScUploadPublisher *self = data;

  if (!self->done)
    {
      self->done = TRUE;
      g_signal_emit (self, signals[SIGNAL_FINISHED], 0);
    }
  return G_SOURCE_REMOVE;
}

/* The video reached its end (a file). rtspclientsink does not post EOS on
 * the bus, so the encoder's output is watched for it. */
static GstPadProbeReturn
on_video_event (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  if (GST_EVENT_TYPE (GST_PAD_PROBE_INFO_EVENT (info)) == GST_EVENT_EOS)
    g_main_context_invoke_full (NULL, G_PRIORITY_DEFAULT, finish_idle,
                                g_object_ref (data), g_object_unref);
  return GST_PAD_PROBE_OK;
}

static void
on_overrun (GstElement *queue, gpointer data)
{
  ScUploadPublisher *self = data;

  __atomic_add_fetch (&self->dropped, 1, __ATOMIC_RELAXED);
}

static void
watch_element (ScUploadPublisher *self, const char *name)
{
  g_autoptr (GstElement) e
      = gst_bin_get_by_name (GST_BIN (self->pipeline), name);
  g_autoptr (GstPad) pad = e ? gst_element_get_static_pad (e, "src") : NULL;

  if (pad != NULL)
    gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, count_bytes, self, NULL);
}

/* rtspclientsink sends through gst-rtsp-server's GstRTSPStream, whose
 * appsink syncs to the clock (rate control, not a property of
 * rtspclientsink in 1.22): each frame waited there one frame interval
 * before it left (bench/latency: 53 ms → 22 ms publish to view without it).
 * A live encoder's output is due at once, so it goes out unsynced. */
static void
on_deep_element_added (GstBin *bin, GstBin *sub_bin, GstElement *element,
                       gpointer data)
{
  GstElementFactory *factory = gst_element_get_factory (element);
  GstObject *parent;

  if (factory == NULL || strcmp (GST_OBJECT_NAME (factory), "appsink") != 0)
    return;
  for (parent = GST_OBJECT_PARENT (element); parent != NULL;
       parent = GST_OBJECT_PARENT (parent))
    {
      GstElementFactory *f
          = GST_IS_ELEMENT (parent)
                ? gst_element_get_factory (GST_ELEMENT (parent))
                : NULL;

      if (f != NULL && strcmp (GST_OBJECT_NAME (f), "rtspclientsink") == 0)
        {
          g_object_set (element, "sync", FALSE, NULL);
          return;
        }
    }
}

/**
 * sc_upload_publisher_start:
 *
 * Builds the pipeline and sets it playing; the outcome comes as signals.
 */
gboolean
sc_upload_publisher_start (ScUploadPublisher *self, GError **error)
{
  g_autoptr (GstBus) bus = NULL;
  g_autoptr (GstElement) vqueue = NULL;

  self->pipeline = sc_upload_pipeline_new (&self->media, self->location, error);
  if (self->pipeline == NULL)
    return FALSE;
  g_signal_connect (self->pipeline, "deep-element-added",
                    G_CALLBACK (on_deep_element_added), NULL);
  watch_element (self, "vparse");
  watch_element (self, "aparse");
  {
    g_autoptr (GstElement) vparse
        = gst_bin_get_by_name (GST_BIN (self->pipeline), "vparse");
    g_autoptr (GstPad) pad = gst_element_get_static_pad (vparse, "src");

    gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, on_video_event,
                       self, NULL);
  }
  vqueue = gst_bin_get_by_name (GST_BIN (self->pipeline), "vqueue");
  if (vqueue != NULL)
    g_signal_connect (vqueue, "overrun", G_CALLBACK (on_overrun), self);
  bus = gst_element_get_bus (self->pipeline);
  self->bus_watch = gst_bus_add_watch (bus, on_bus, self);
  if (gst_element_set_state (self->pipeline, GST_STATE_PLAYING)
      == GST_STATE_CHANGE_FAILURE)
    {
      /* The reason comes on the bus. */
      GST_DEBUG ("state change failed");
    }
  return TRUE;
}

/**
 * sc_upload_publisher_stop:
 *
 * Stops and drops the pipeline; no signal is emitted after this.
 */
void
sc_upload_publisher_stop (ScUploadPublisher *self)
{
  self->done = TRUE;
  g_clear_handle_id (&self->bus_watch, g_source_remove);
  if (self->pipeline != NULL)
    {
      gst_element_set_state (self->pipeline, GST_STATE_NULL);
      gst_clear_object (&self->pipeline);
    }
}

/**
 * sc_upload_publisher_force_keyframe:
 *
 * Asks the video encoder for a keyframe now: at the slot's start, so the
 * first frame viewers get (the ingest drops what came before) decodes.
 */
void
sc_upload_publisher_force_keyframe (ScUploadPublisher *self)
{
  g_autoptr (GstElement) parse = NULL;
  g_autoptr (GstPad) pad = NULL;

  if (self->pipeline == NULL
      || (parse = gst_bin_get_by_name (GST_BIN (self->pipeline), "vparse"))
             == NULL
      || (pad = gst_element_get_static_pad (parse, "src")) == NULL)
    return;
  gst_pad_send_event (pad, gst_video_event_new_upstream_force_key_unit (
                               GST_CLOCK_TIME_NONE, TRUE, 0));
}

guint64
sc_upload_publisher_get_bytes (ScUploadPublisher *self)
{
  return __atomic_load_n (&self->bytes, __ATOMIC_RELAXED);
}

guint64
sc_upload_publisher_get_dropped (ScUploadPublisher *self)
{
  return __atomic_load_n (&self->dropped, __ATOMIC_RELAXED);
}
