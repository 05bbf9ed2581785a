/* SPDX-License-Identifier: LGPL-2.1-or-later */

/**
 * ScStreamHub:
 *
 * One live stream: the publisher's parsed elementary streams (tracks) come
 * in from its RECORD pipeline and go out, unchanged, to the appsrc elements
 * of the shared PLAY media that serves every viewer.
 *
 * Thread safety: buffers arrive on the publisher's streaming thread, outputs
 * are added and removed from media threads; everything is protected by
 * @lock. Lock order: a hub's lock is never held while calling into
 * GStreamer elements other than gst_app_src_push_buffer().
 */

#include "config.h"

#include "sc-stream-hub.h"

/* An appsrc of a PLAY media; its state and base time are its pipeline's. */
typedef struct
{
  guint track;
  GstAppSrc *appsrc;
} Output;

struct _ScStreamHub
{
  GObject parent_instance;

  char *stream;

  GMutex lock;
  gpointer publisher;         /* protected by lock; opaque identity */
  ScReservation *reservation; /* protected by lock */
  GPtrArray *track_caps;      /* protected by lock; GstCaps per track */
  GArray *outputs;            /* protected by lock; Output */
  guint64 bytes_in;           /* protected by lock */
};

G_DEFINE_FINAL_TYPE (ScStreamHub, sc_stream_hub, G_TYPE_OBJECT)

static void
output_clear (Output *o)
{
  g_clear_object (&o->appsrc);
}

static void
sc_stream_hub_finalize (GObject *object)
{
  ScStreamHub *self = SC_STREAM_HUB (object);

  g_free (self->stream);
  g_clear_pointer (&self->reservation, sc_reservation_free);
  g_clear_pointer (&self->track_caps, g_ptr_array_unref);
  g_array_unref (self->outputs);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (sc_stream_hub_parent_class)->finalize (object);
}

static void
sc_stream_hub_class_init (ScStreamHubClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sc_stream_hub_finalize;
}

static void
sc_stream_hub_init (ScStreamHub *self)
{
  g_mutex_init (&self->lock);
  self->outputs = g_array_new (FALSE, TRUE, sizeof (Output));
  g_array_set_clear_func (self->outputs, (GDestroyNotify)output_clear);
}

/**
 * sc_stream_hub_new:
 *
 * Returns: (transfer full): a hub for @stream with no publisher
 */
ScStreamHub *
sc_stream_hub_new (const char *stream)
{
  ScStreamHub *self = g_object_new (SC_TYPE_STREAM_HUB, NULL);

  self->stream = g_strdup (stream);
  return self;
}

const char *
sc_stream_hub_get_stream (ScStreamHub *self)
{
  return self->stream;
}

/**
 * sc_stream_hub_set_publisher:
 * @publisher: an identity for the publisher (its RECORD media)
 * @n_tracks: how many tracks it announced; their caps come with the data
 *
 * Makes @publisher the source of this stream, replacing any previous one
 * (takeover). Outputs stay attached.
 */
void
sc_stream_hub_set_publisher (ScStreamHub *self, gpointer publisher,
                             const ScReservation *reservation, guint n_tracks)
{
  g_mutex_lock (&self->lock);
  self->publisher = publisher;
  g_clear_pointer (&self->reservation, sc_reservation_free);
  self->reservation = sc_reservation_copy (reservation);
  if (self->track_caps == NULL || self->track_caps->len != n_tracks)
    {
      g_clear_pointer (&self->track_caps, g_ptr_array_unref);
      self->track_caps
          = g_ptr_array_new_full (n_tracks, (GDestroyNotify)gst_caps_unref);
      g_ptr_array_set_size (self->track_caps, n_tracks);
    }
  g_mutex_unlock (&self->lock);
}

/**
 * sc_stream_hub_is_ready:
 *
 * Returns: whether a publisher is live and every track has its caps, so
 *   that a PLAY media can be built
 */
gboolean
sc_stream_hub_is_ready (ScStreamHub *self)
{
  gboolean ready;

  g_mutex_lock (&self->lock);
  ready = self->publisher != NULL && self->track_caps != NULL
          && self->track_caps->len > 0;
  for (guint i = 0; ready && i < self->track_caps->len; i++)
    ready = g_ptr_array_index (self->track_caps, i) != NULL;
  g_mutex_unlock (&self->lock);
  return ready;
}

/**
 * sc_stream_hub_clear_publisher:
 *
 * Returns: whether @publisher was the publisher (and is no more)
 */
gboolean
sc_stream_hub_clear_publisher (ScStreamHub *self, gpointer publisher)
{
  gboolean was;

  g_mutex_lock (&self->lock);
  was = self->publisher == publisher && publisher != NULL;
  if (was)
    self->publisher = NULL;
  g_mutex_unlock (&self->lock);
  return was;
}

gboolean
sc_stream_hub_is_live (ScStreamHub *self)
{
  gboolean live;

  g_mutex_lock (&self->lock);
  live = self->publisher != NULL;
  g_mutex_unlock (&self->lock);
  return live;
}

/**
 * sc_stream_hub_dup_reservation:
 *
 * Returns: (transfer full) (nullable): the reservation being published
 */
ScReservation *
sc_stream_hub_dup_reservation (ScStreamHub *self)
{
  ScReservation *r;

  g_mutex_lock (&self->lock);
  r = self->reservation ? sc_reservation_copy (self->reservation) : NULL;
  g_mutex_unlock (&self->lock);
  return r;
}

/**
 * sc_stream_hub_dup_track_caps:
 *
 * Returns: (transfer full) (nullable) (element-type GstCaps): a copy of
 *   the tracks' caps, or %NULL when not every track has caps yet
 */
GPtrArray *
sc_stream_hub_dup_track_caps (ScStreamHub *self)
{
  GPtrArray *caps = NULL;

  g_mutex_lock (&self->lock);
  if (self->track_caps != NULL)
    {
      caps = g_ptr_array_new_with_free_func ((GDestroyNotify)gst_caps_unref);
      for (guint i = 0; i < self->track_caps->len; i++)
        {
          GstCaps *c = g_ptr_array_index (self->track_caps, i);
          if (c == NULL)
            {
              g_clear_pointer (&caps, g_ptr_array_unref);
              break;
            }
          g_ptr_array_add (caps, gst_caps_ref (c));
        }
    }
  g_mutex_unlock (&self->lock);
  return caps;
}

/* @ts, in the publisher pipeline's running time, in the output's. */
static GstClockTime
map_time (GstClockTime ts, GstClockTime from_base, GstClockTime to_base)
{
  if (!GST_CLOCK_TIME_IS_VALID (ts))
    return ts;
  if (ts + from_base < to_base)
    return GST_CLOCK_TIME_NONE;
  return ts + from_base - to_base;
}

/**
 * sc_stream_hub_push:
 * @base_time: the base time of the publisher's pipeline
 *
 * Hands one sample of @track to every output, its timestamps carried over
 * through the shared system clock (running time + base time difference),
 * so no jitter is added. Outputs whose pipeline is not playing yet skip
 * it. Samples of a publisher that is no longer the stream's publisher
 * (taken over) are dropped.
 */
void
sc_stream_hub_push (ScStreamHub *self, gpointer publisher, guint track,
                    GstSample *sample, GstClockTime base_time)
{
  GstBuffer *buffer = gst_sample_get_buffer (sample);
  GstCaps *caps = gst_sample_get_caps (sample);
  gboolean new_caps = FALSE;

  g_mutex_lock (&self->lock);
  if (publisher != self->publisher || self->track_caps == NULL
      || track >= self->track_caps->len || buffer == NULL)
    {
      g_mutex_unlock (&self->lock);
      return;
    }
  if (caps != NULL
      && (g_ptr_array_index (self->track_caps, track) == NULL
          || !gst_caps_is_equal (g_ptr_array_index (self->track_caps, track),
                                 caps)))
    {
      if (g_ptr_array_index (self->track_caps, track) != NULL)
        gst_caps_unref (g_ptr_array_index (self->track_caps, track));
      g_ptr_array_index (self->track_caps, track) = gst_caps_ref (caps);
      new_caps = TRUE;
    }
  self->bytes_in += gst_buffer_get_size (buffer);
  for (guint i = 0; i < self->outputs->len; i++)
    {
      Output *o = &g_array_index (self->outputs, Output, i);
      GstClockTime out_base;
      GstBuffer *copy;

      if (o->track != track)
        continue;
      if (new_caps)
        gst_app_src_set_caps (o->appsrc, caps);
      if (GST_STATE (o->appsrc) != GST_STATE_PLAYING)
        continue;
      out_base = gst_element_get_base_time (GST_ELEMENT (o->appsrc));
      copy = gst_buffer_copy (buffer); /* metadata only; memory shared */
      GST_BUFFER_PTS (copy)
          = map_time (GST_BUFFER_PTS (buffer), base_time, out_base);
      GST_BUFFER_DTS (copy)
          = map_time (GST_BUFFER_DTS (buffer), base_time, out_base);
      gst_app_src_push_buffer (o->appsrc, copy);
    }
  g_mutex_unlock (&self->lock);
}

/**
 * sc_stream_hub_add_output:
 *
 * Feeds @track to @appsrc from now on, with its caps.
 */
void
sc_stream_hub_add_output (ScStreamHub *self, guint track, GstAppSrc *appsrc)
{
  Output o = { track, g_object_ref (appsrc) };

  g_mutex_lock (&self->lock);
  if (self->track_caps != NULL && track < self->track_caps->len
      && g_ptr_array_index (self->track_caps, track) != NULL)
    gst_app_src_set_caps (appsrc, g_ptr_array_index (self->track_caps, track));
  g_array_append_val (self->outputs, o);
  g_mutex_unlock (&self->lock);
}

void
sc_stream_hub_remove_output (ScStreamHub *self, GstAppSrc *appsrc)
{
  g_mutex_lock (&self->lock);
  for (guint i = self->outputs->len; i > 0; i--)
    if (g_array_index (self->outputs, Output, i - 1).appsrc == appsrc)
      g_array_remove_index_fast (self->outputs, i - 1);
  g_mutex_unlock (&self->lock);
}

guint
sc_stream_hub_get_n_outputs (ScStreamHub *self)
{
  guint n;

  g_mutex_lock (&self->lock);
  n = self->outputs->len;
  g_mutex_unlock (&self->lock);
  return n;
}

guint64
sc_stream_hub_get_bytes_in (ScStreamHub *self)
{
  guint64 n;

  g_mutex_lock (&self->lock);
  n = self->bytes_in;
  g_mutex_unlock (&self->lock);
  return n;
}
