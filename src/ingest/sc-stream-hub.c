/* SPDX-License-Identifier: LGPL-2.1-or-later */

/**
 * ScStreamHub:
 *
 * One live stream: the publisher's parsed elementary streams (tracks) come
 * in from its RECORD pipeline and go out, unchanged, to the appsrc elements
 * of the shared PLAY media that serves every viewer.
 *
 * - Media stamped before the reservation's start is not passed on, so
 *   viewers see nothing until the slot opens (the publisher may connect
 *   admit_early_s before).
 * - A new publisher of the same reservation replaces the old one at once
 *   (takeover); the old one's buffers are dropped from then on and its
 *   connection is handed back to be closed. Viewers stay connected across
 *   publishers.
 * - A publisher of the next reservation of the same name, admitted early,
 *   never touches the current one: it waits (its buffers dropped) and
 *   takes over at its start, or as soon as the current publisher leaves
 *   (sc_stream_hub_promote()).
 * - Timestamps are carried over through the shared system clock (running
 *   time + base time difference): no jitter buffer, no re-stamping.
 * - When a new publisher brings another track layout (a different number
 *   of tracks, or another codec on one), the PLAY media built for the old
 *   one is handed to on_stale (its viewers must reconnect) and the layout
 *   number changes, so the factory builds a new PLAY media rather than
 *   reuse the cached one.
 *
 * Thread safety: buffers arrive on the publisher's streaming thread,
 * outputs and viewers change on client threads, status is read on the main
 * context; all of it is protected by @lock, which is never held while
 * calling into GStreamer except gst_app_src_push_buffer()/set_caps().
 */

#include "config.h"

#include "sc-stream-hub.h"

#include <string.h>

/* An appsrc of a PLAY media; its state and base time are its pipeline's. */
typedef struct
{
  guint track;
  guint layout; /* the track layout its media was built for */
  GstAppSrc *appsrc;
} Output;

/* A publisher of the next reservation, admitted early while another
 * reservation's is live. */
typedef struct
{
  gpointer media; /* NULL: none */
  ScHubStatus status;
  guint n_tracks;
} Waiting;

struct _ScStreamHub
{
  GObject parent_instance;

  char *stream;
  ScClock *clock;
  ScSlotRules rules; /* immutable */

  GMutex lock;
  gpointer media;        /* protected by lock: the publisher's RECORD media */
  ScHubStatus status;    /* protected by lock; connection NULL when not live */
  Waiting waiting;       /* protected by lock: the next reservation's */
  GPtrArray *track_caps; /* protected by lock; GstCaps per track */
  GArray *outputs;       /* protected by lock; Output */
  GHashTable *viewers;   /* protected by lock; GstRTSPClient set (weak) */
  GstRTSPMedia *play_media; /* protected by lock: prepared PLAY media */
  ScHubReadyFunc on_ready;
  ScHubStaleFunc on_stale;
  gpointer on_ready_data;
  guint layout;       /* protected by lock */
  guint64 rate_bytes; /* protected by lock: bytes_in at rate_us */
  gint64 rate_us;     /* protected by lock */
};

G_DEFINE_FINAL_TYPE (ScStreamHub, sc_stream_hub, G_TYPE_OBJECT)

static gboolean is_ready_locked (ScStreamHub *self);

/* The track layout changes: the PLAY media built for the old one goes
 * (returned, for on_stale). Called with the lock held. */
static GstRTSPMedia *
new_layout_locked (ScStreamHub *self)
{
  self->layout++;
  return g_steal_pointer (&self->play_media);
}

void
sc_hub_status_free (ScHubStatus *status)
{
  if (status == NULL)
    return;
  g_clear_object (&status->connection);
  g_free (status->token);
  g_free (status->address);
  g_clear_pointer (&status->reservation, sc_reservation_free);
  g_free (status);
}

static void
output_clear (Output *o)
{
  g_clear_object (&o->appsrc);
}

static void
status_clear (ScHubStatus *status)
{
  g_clear_object (&status->connection);
  g_clear_pointer (&status->token, g_free);
  g_clear_pointer (&status->address, g_free);
  g_clear_pointer (&status->reservation, sc_reservation_free);
}

static void
sc_stream_hub_finalize (GObject *object)
{
  ScStreamHub *self = SC_STREAM_HUB (object);

  g_free (self->stream);
  g_clear_object (&self->clock);
  status_clear (&self->status);
  status_clear (&self->waiting.status);
  g_clear_pointer (&self->track_caps, g_ptr_array_unref);
  g_clear_object (&self->play_media);
  g_array_unref (self->outputs);
  g_hash_table_unref (self->viewers);
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
  self->viewers = g_hash_table_new (NULL, NULL);
}

/**
 * sc_stream_hub_new:
 *
 * Returns: (transfer full): a hub for @stream with no publisher
 */
ScStreamHub *
sc_stream_hub_new (const char *stream, ScClock *clock, const ScSlotRules *rules,
                   ScHubReadyFunc on_ready, ScHubStaleFunc on_stale,
                   gpointer data)
{
  ScStreamHub *self = g_object_new (SC_TYPE_STREAM_HUB, NULL);

  self->stream = g_strdup (stream);
  self->clock = g_object_ref (clock);
  self->rules = *rules;
  self->on_ready = on_ready;
  self->on_stale = on_stale;
  self->on_ready_data = data;
  return self;
}

/**
 * sc_stream_hub_set_play_media:
 *
 * Keeps the stream's prepared PLAY media, so that viewers find it ready.
 */
void
sc_stream_hub_set_play_media (ScStreamHub *self, GstRTSPMedia *media)
{
  g_mutex_lock (&self->lock);
  g_set_object (&self->play_media, media);
  g_mutex_unlock (&self->lock);
}

/**
 * sc_stream_hub_take_idle_play_media:
 *
 * Returns: (transfer full) (nullable): the PLAY media, when nobody
 *   publishes and nobody watches any more: the caller unprepares it
 */
GstRTSPMedia *
sc_stream_hub_take_idle_play_media (ScStreamHub *self)
{
  GstRTSPMedia *media = NULL;

  g_mutex_lock (&self->lock);
  if (self->media == NULL && g_hash_table_size (self->viewers) == 0)
    media = g_steal_pointer (&self->play_media);
  g_mutex_unlock (&self->lock);
  return media;
}

/**
 * sc_stream_hub_get_layout:
 *
 * Returns: a number that changes whenever the track layout does: part of
 *   the PLAY media's cache key
 */
guint
sc_stream_hub_get_layout (ScStreamHub *self)
{
  guint layout;

  g_mutex_lock (&self->lock);
  layout = self->layout;
  g_mutex_unlock (&self->lock);
  return layout;
}

const char *
sc_stream_hub_get_stream (ScStreamHub *self)
{
  return self->stream;
}

/**
 * sc_stream_hub_set_publisher:
 * @media: the publisher's identity for sc_stream_hub_push(): its RECORD
 *   media (RTSP) or #ScRtmpPublisher
 * @connection: its connection, a #GstRTSPClient or an #ScRtmpSession
 * @token: its publish token, kept to re-check the reservation
 * @n_tracks: how many tracks it announced; their caps come with the data
 *
 * Makes this the stream's publisher, replacing any previous one.
 *
 * Returns: (transfer full) (nullable): the replaced publisher's connection,
 *   for the caller to close
 */
/* Fills @status for a new publisher (cleared before). */
static void
status_set (ScStreamHub *self, ScHubStatus *status, GObject *connection,
            const char *token, const char *address,
            const ScReservation *reservation)
{
  status_clear (status);
  status->connection = g_object_ref (connection);
  status->token = g_strdup (token);
  status->address = g_strdup (address);
  status->reservation = sc_reservation_copy (reservation);
  status->since_us = sc_clock_now_us (self->clock);
}

/* Makes @media the publisher. Called with the lock held; returns the
 * replaced connection, and in @out_stale the PLAY media of an old layout. */
static GObject *
take_over_locked (ScStreamHub *self, gpointer media, GObject *connection,
                  const char *token, const char *address,
                  const ScReservation *reservation, guint n_tracks,
                  GstRTSPMedia **out_stale)
{
  GObject *replaced = g_steal_pointer (&self->status.connection);

  if (replaced == connection)
    g_clear_object (&replaced);
  self->media = media;
  status_set (self, &self->status, connection, token, address, reservation);
  if (self->track_caps == NULL || self->track_caps->len != n_tracks)
    {
      g_clear_pointer (&self->track_caps, g_ptr_array_unref);
      self->track_caps
          = g_ptr_array_new_full (n_tracks, (GDestroyNotify)gst_caps_unref);
      g_ptr_array_set_size (self->track_caps, n_tracks);
      *out_stale = new_layout_locked (self);
    }
  return replaced;
}

GObject *
sc_stream_hub_set_publisher (ScStreamHub *self, gpointer media,
                             GObject *connection, const char *token,
                             const char *address,
                             const ScReservation *reservation, guint n_tracks)
{
  GObject *replaced;
  GstRTSPMedia *stale = NULL;

  g_mutex_lock (&self->lock);
  if (self->media != NULL && self->status.reservation != NULL
      && g_strcmp0 (self->status.reservation->id, reservation->id) != 0
      && (!sc_slot_has_started (sc_slot_phase (
              reservation, sc_clock_now_us (self->clock), &self->rules))
          || (self->waiting.media != NULL
              && g_strcmp0 (self->waiting.status.reservation->id,
                            reservation->id)
                     == 0)))
    {
      /* The next reservation's publisher, early: it waits its turn (a
       * reconnection of a waiting one replaces it; sc_stream_hub_promote()
       * lets it in at the start). */
      g_autofree char *live = g_strdup (self->status.reservation->id);

      replaced = g_steal_pointer (&self->waiting.status.connection);
      if (replaced == connection)
        g_clear_object (&replaced);
      self->waiting.media = media;
      self->waiting.n_tracks = n_tracks;
      status_set (self, &self->waiting.status, connection, token, address,
                  reservation);
      g_mutex_unlock (&self->lock);
      g_message ("Publisher of %s for reservation %s waits for its start "
                 "(reservation %s is live)",
                 self->stream, reservation->id, live);
      return replaced;
    }
  replaced = take_over_locked (self, media, connection, token, address,
                               reservation, n_tracks, &stale);
  g_mutex_unlock (&self->lock);
  if (stale != NULL)
    self->on_stale (self, stale, self->on_ready_data);
  return replaced;
}

/**
 * sc_stream_hub_promote:
 * @now_us: the time now
 *
 * Lets a waiting publisher (sc_stream_hub_set_publisher()) take over when
 * its reservation starts or nobody else publishes.
 *
 * Returns: (transfer full) (nullable): the replaced publisher's connection,
 *   for the caller to close
 */
GObject *
sc_stream_hub_promote (ScStreamHub *self, gint64 now_us)
{
  GObject *replaced = NULL;
  GstRTSPMedia *stale = NULL;
  ScHubStatus w = { 0 };

  g_mutex_lock (&self->lock);
  if (self->waiting.media == NULL
      || (self->media != NULL
          && !sc_slot_has_started (sc_slot_phase (
              self->waiting.status.reservation, now_us, &self->rules))))
    {
      g_mutex_unlock (&self->lock);
      return NULL;
    }
  w = self->waiting.status;
  memset (&self->waiting.status, 0, sizeof self->waiting.status);
  replaced = take_over_locked (self, self->waiting.media, w.connection, w.token,
                               w.address, w.reservation, self->waiting.n_tracks,
                               &stale);
  self->waiting.media = NULL;
  g_mutex_unlock (&self->lock);
  g_message ("Publisher of %s for reservation %s takes over", self->stream,
             w.reservation->id);
  status_clear (&w);
  if (stale != NULL)
    self->on_stale (self, stale, self->on_ready_data);
  return replaced;
}

/**
 * sc_stream_hub_clear_publisher:
 *
 * Returns: whether @media was the publisher (and is no more)
 */
gboolean
sc_stream_hub_clear_publisher (ScStreamHub *self, gpointer media)
{
  gboolean was;

  g_mutex_lock (&self->lock);
  was = self->media == media && media != NULL;
  if (was)
    {
      self->media = NULL;
      status_clear (&self->status);
    }
  else if (self->waiting.media == media && media != NULL)
    {
      self->waiting.media = NULL;
      status_clear (&self->waiting.status);
    }
  g_mutex_unlock (&self->lock);
  return was;
}

gboolean
sc_stream_hub_is_live (ScStreamHub *self)
{
  gboolean live;

  g_mutex_lock (&self->lock);
  live = self->media != NULL;
  g_mutex_unlock (&self->lock);
  return live;
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
  ready = is_ready_locked (self);
  g_mutex_unlock (&self->lock);
  return ready;
}

/* Called with the lock held. */
static gboolean
is_ready_locked (ScStreamHub *self)
{
  gboolean ready = self->media != NULL && self->track_caps != NULL
                   && self->track_caps->len > 0;

  for (guint i = 0; ready && i < self->track_caps->len; i++)
    ready = g_ptr_array_index (self->track_caps, i) != NULL;
  return ready;
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
  r = self->status.reservation ? sc_reservation_copy (self->status.reservation)
                               : NULL;
  g_mutex_unlock (&self->lock);
  return r;
}

/**
 * sc_stream_hub_dup_status:
 *
 * Returns: (transfer full) (nullable): the live publisher's status, or
 *   %NULL when nobody publishes
 */
ScHubStatus *
sc_stream_hub_dup_status (ScStreamHub *self)
{
  ScHubStatus *s = NULL;

  g_mutex_lock (&self->lock);
  if (self->media != NULL)
    {
      s = g_new0 (ScHubStatus, 1);
      *s = self->status;
      s->connection = g_object_ref (self->status.connection);
      s->token = g_strdup (self->status.token);
      s->address = g_strdup (self->status.address);
      s->reservation = sc_reservation_copy (self->status.reservation);
      s->viewers = g_hash_table_size (self->viewers);
      s->ready = is_ready_locked (self) && self->play_media != NULL;
    }
  g_mutex_unlock (&self->lock);
  return s;
}

/**
 * sc_stream_hub_tick:
 *
 * Updates the bitrate; call about once a second.
 */
void
sc_stream_hub_tick (ScStreamHub *self, gint64 now_us)
{
  g_mutex_lock (&self->lock);
  if (self->rate_us != 0 && now_us > self->rate_us)
    self->status.bitrate = (self->status.bytes_in - self->rate_bytes) * 8
                           * G_USEC_PER_SEC / (now_us - self->rate_us);
  self->rate_bytes = self->status.bytes_in;
  self->rate_us = now_us;
  g_mutex_unlock (&self->lock);
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
 * Hands one sample of @track to every output whose pipeline plays. The
 * track's caps are taken from the sample.
 */
void
sc_stream_hub_push (ScStreamHub *self, gpointer media, guint track,
                    GstSample *sample, GstClockTime base_time)
{
  GstBuffer *buffer = gst_sample_get_buffer (sample);
  GstCaps *caps = gst_sample_get_caps (sample);
  GstCaps **slot;
  gboolean new_caps = FALSE;
  gboolean became_ready = FALSE;
  gboolean held_back; /* the slot does not show media now */
  GstRTSPMedia *stale = NULL;

  g_mutex_lock (&self->lock);
  if (media != self->media || self->track_caps == NULL
      || track >= self->track_caps->len || buffer == NULL)
    {
      g_mutex_unlock (&self->lock);
      return;
    }
  slot = (GstCaps **)&g_ptr_array_index (self->track_caps, track);
  if (caps != NULL && (*slot == NULL || !gst_caps_is_equal (*slot, caps)))
    {
      gboolean was_ready = is_ready_locked (self);

      /* Another codec on this track: another PLAY media. */
      if (*slot != NULL
          && !gst_structure_has_name (
              gst_caps_get_structure (caps, 0),
              gst_structure_get_name (gst_caps_get_structure (*slot, 0))))
        {
          g_clear_object (&stale);
          stale = new_layout_locked (self);
          was_ready = FALSE;
        }
      gst_caps_replace (slot, caps);
      new_caps = TRUE;
      became_ready = !was_ready && is_ready_locked (self);
    }
  self->status.bytes_in += gst_buffer_get_size (buffer);
  held_back = !sc_slot_shows_media (sc_slot_phase (
      self->status.reservation, sc_clock_now_us (self->clock), &self->rules));
  for (guint i = 0; i < self->outputs->len; i++)
    {
      Output *o = &g_array_index (self->outputs, Output, i);
      GstClockTime out_base;
      GstBuffer *copy;

      if (o->track != track || o->layout != self->layout)
        continue;
      if (new_caps)
        gst_app_src_set_caps (o->appsrc, caps);
      if (held_back || GST_STATE (o->appsrc) != GST_STATE_PLAYING)
        continue;
      out_base = gst_element_get_base_time (GST_ELEMENT (o->appsrc));
      copy = gst_buffer_copy (buffer); /* metadata only; memory shared */
      GST_BUFFER_PTS (copy)
          = map_time (GST_BUFFER_PTS (buffer), base_time, out_base);
      GST_BUFFER_DTS (copy)
          = map_time (GST_BUFFER_DTS (buffer), base_time, out_base);
      gst_app_src_push_buffer (o->appsrc, copy);
    }
  became_ready = became_ready && self->play_media == NULL;
  g_mutex_unlock (&self->lock);
  if (stale != NULL)
    self->on_stale (self, stale, self->on_ready_data);
  if (became_ready && self->on_ready != NULL)
    self->on_ready (self, self->on_ready_data);
}

/**
 * sc_stream_hub_add_output:
 *
 * Feeds @track to @appsrc from now on, with its caps.
 */
void
sc_stream_hub_add_output (ScStreamHub *self, guint track, GstAppSrc *appsrc)
{
  Output o = { track, 0, g_object_ref (appsrc) };

  g_mutex_lock (&self->lock);
  o.layout = self->layout;
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

static void
on_viewer_closed (GstRTSPClient *client, gpointer data)
{
  ScStreamHub *self = data;

  g_mutex_lock (&self->lock);
  g_hash_table_remove (self->viewers, client);
  g_mutex_unlock (&self->lock);
}

/**
 * sc_stream_hub_dup_viewers:
 *
 * Returns: (transfer full) (element-type GstRTSPClient): the viewers now
 */
GPtrArray *
sc_stream_hub_dup_viewers (ScStreamHub *self)
{
  GPtrArray *viewers = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  gpointer key;

  g_mutex_lock (&self->lock);
  g_hash_table_iter_init (&iter, self->viewers);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (viewers, g_object_ref (key));
  g_mutex_unlock (&self->lock);
  return viewers;
}

/**
 * sc_stream_hub_remove_viewer:
 *
 * Stops counting @client as a viewer (it is being cut).
 */
void
sc_stream_hub_remove_viewer (ScStreamHub *self, GstRTSPClient *client)
{
  g_mutex_lock (&self->lock);
  g_hash_table_remove (self->viewers, client);
  g_mutex_unlock (&self->lock);
}

/**
 * sc_stream_hub_add_viewer:
 *
 * Counts @client as a viewer until its connection closes.
 */
void
sc_stream_hub_add_viewer (ScStreamHub *self, GstRTSPClient *client)
{
  gboolean added;

  g_mutex_lock (&self->lock);
  added = g_hash_table_add (self->viewers, client);
  g_mutex_unlock (&self->lock);
  if (added)
    g_signal_connect_object (client, "closed", G_CALLBACK (on_viewer_closed),
                             self, 0);
}
