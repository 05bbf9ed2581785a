/* SPDX-License-Identifier: LGPL-2.1-or-later */

/**
 * ScStreamHub:
 *
 * One live stream: the parsed elementary streams (tracks) of its publisher
 * (an RTSP RECORD or an RTMP input) come in, and go out unchanged to the
 * appsrc elements (sinks) of its outputs (#ScHubOutputKind: the RTSP PLAY
 * media that serves every RTSP viewer, and the next ones). The hub knows
 * no protocol: a publisher is an identity (@media) and a connection with a
 * function that closes it.
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
 *   of tracks, or another codec on one), the layout number changes and
 *   every output is told (ScHubOutputKind.stale): what it built for the
 *   old layout goes, and its consumers reconnect.
 *
 * Thread safety: buffers arrive on the publisher's streaming thread, sinks
 * change on the outputs' threads, status is read on the main context; all
 * of it is protected by @lock, which is never held while calling an output
 * or into GStreamer except gst_app_src_push_buffer()/set_caps(). The
 * outputs are attached before the hub is shared, and fixed from then on.
 */

#include "config.h"

#include "sc-stream-hub.h"

#include <string.h>

/* An appsrc of an output; its state and base time are its pipeline's. */
typedef struct
{
  guint track;
  guint layout; /* the track layout its pipeline was built for */
  GstAppSrc *appsrc;
  gpointer owner;  /* what the output built it for (its pipeline) */
  gboolean paused; /* nobody consumes it now: skipped */
} Sink;

typedef struct
{
  const ScHubOutputKind *kind;
  gpointer output;
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
  guint32 fresh;         /* protected by lock: tracks whose caps came from
                          * the live publisher (bit per track) */
  GArray *sinks;         /* protected by lock; Sink */
  GArray *outputs;       /* Output; fixed once the hub is shared */
  guint layout;          /* protected by lock */
  guint64 rate_bytes;    /* protected by lock: bytes_in at rate_us */
  gint64 rate_us;        /* protected by lock */
};

G_DEFINE_FINAL_TYPE (ScStreamHub, sc_stream_hub, G_TYPE_OBJECT)

static gboolean is_ready_locked (ScStreamHub *self);

/* Tells every output that the track layout changed. Called without the
 * lock. */
static void
notify_stale (ScStreamHub *self)
{
  for (guint i = 0; i < self->outputs->len; i++)
    {
      Output *o = &g_array_index (self->outputs, Output, i);

      if (o->kind->stale != NULL)
        o->kind->stale (o->output);
    }
}

/* Tells every output that the tracks are ready. Called without the lock. */
static void
notify_ready (ScStreamHub *self)
{
  for (guint i = 0; i < self->outputs->len; i++)
    {
      Output *o = &g_array_index (self->outputs, Output, i);

      if (o->kind->ready != NULL)
        o->kind->ready (o->output);
    }
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

/**
 * sc_hub_status_close:
 *
 * Closes the connection of the publisher @status is of.
 */
void
sc_hub_status_close (ScHubStatus *status)
{
  status->close (status->connection);
}

/* Closes a replaced publisher's @connection and drops it. */
static void
close_replaced (GObject *connection, ScHubCloseFunc close)
{
  if (connection == NULL)
    return;
  close (connection);
  g_object_unref (connection);
}

static void
sink_clear (Sink *o)
{
  g_clear_object (&o->appsrc);
}

/* A track's caps, NULL until its first sample. */
static void
caps_clear (gpointer caps)
{
  if (caps != NULL)
    gst_caps_unref (caps);
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
  for (guint i = 0; i < self->outputs->len; i++)
    {
      Output *o = &g_array_index (self->outputs, Output, i);

      o->kind->detach (o->output);
    }
  g_array_unref (self->outputs);
  g_array_unref (self->sinks);
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
  self->sinks = g_array_new (FALSE, TRUE, sizeof (Sink));
  g_array_set_clear_func (self->sinks, (GDestroyNotify)sink_clear);
  self->outputs = g_array_new (FALSE, TRUE, sizeof (Output));
}

/**
 * sc_stream_hub_new:
 *
 * Returns: (transfer full): a hub for @stream with no publisher and no
 *   output yet
 */
ScStreamHub *
sc_stream_hub_new (const char *stream, ScClock *clock, const ScSlotRules *rules)
{
  ScStreamHub *self = g_object_new (SC_TYPE_STREAM_HUB, NULL);

  self->stream = g_strdup (stream);
  self->clock = g_object_ref (clock);
  self->rules = *rules;
  return self;
}

/**
 * sc_stream_hub_attach:
 *
 * Gives the hub its output of @kind (ScHubOutputKind.attach). Only before
 * the hub is shared with another thread.
 */
void
sc_stream_hub_attach (ScStreamHub *self, const ScHubOutputKind *kind,
                      gpointer kind_data)
{
  Output o = { kind, kind->attach (self, kind_data) };

  if (o.output != NULL)
    g_array_append_val (self->outputs, o);
}

/**
 * sc_stream_hub_get_output:
 *
 * Returns: (transfer none) (nullable): the hub's output of @kind
 */
gpointer
sc_stream_hub_get_output (ScStreamHub *self, const ScHubOutputKind *kind)
{
  for (guint i = 0; i < self->outputs->len; i++)
    if (g_array_index (self->outputs, Output, i).kind == kind)
      return g_array_index (self->outputs, Output, i).output;
  return NULL;
}

/**
 * sc_stream_hub_tick_outputs:
 *
 * Calls every output's tick with the live reservation; on the ingest's
 * main context, about every 250 ms.
 */
void
sc_stream_hub_tick_outputs (ScStreamHub *self)
{
  g_autoptr (ScReservation) live = NULL;

  g_mutex_lock (&self->lock);
  if (self->media != NULL)
    live = sc_reservation_copy (self->status.reservation);
  g_mutex_unlock (&self->lock);
  for (guint i = 0; i < self->outputs->len; i++)
    {
      Output *o = &g_array_index (self->outputs, Output, i);

      if (o->kind->tick != NULL)
        o->kind->tick (o->output, live);
    }
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

/* Fills @status for a new publisher (cleared before). */
static void
status_set (ScStreamHub *self, ScHubStatus *status, GObject *connection,
            ScHubCloseFunc close, const char *token, const char *address,
            const ScReservation *reservation)
{
  status_clear (status);
  status->connection = g_object_ref (connection);
  status->close = close;
  status->token = g_strdup (token);
  status->address = g_strdup (address);
  status->reservation = sc_reservation_copy (reservation);
  status->since_us = sc_clock_now_us (self->clock);
}

/* Takes the connection out of @status (to close), unless it is @keep. */
static GObject *
steal_replaced (ScHubStatus *status, GObject *keep, ScHubCloseFunc *out_close)
{
  GObject *replaced = g_steal_pointer (&status->connection);

  *out_close = status->close;
  if (replaced == keep)
    g_clear_object (&replaced);
  return replaced;
}

/* Makes @media the publisher. Called with the lock held; returns the
 * replaced connection and its close function, and in @out_stale whether
 * the layout changed. */
static GObject *
take_over_locked (ScStreamHub *self, gpointer media, const ScHubStatus *from,
                  guint n_tracks, ScHubCloseFunc *out_close,
                  gboolean *out_stale)
{
  GObject *replaced
      = steal_replaced (&self->status, from->connection, out_close);

  self->media = media;
  /* Ready again once this publisher gave every track's caps (outputs
   * idle since the last one left build again then). */
  self->fresh = 0;
  status_set (self, &self->status, from->connection, from->close, from->token,
              from->address, from->reservation);
  if (self->track_caps == NULL || self->track_caps->len != n_tracks)
    {
      /* The first layout is no change: nothing was built before it. */
      *out_stale = self->track_caps != NULL;
      g_clear_pointer (&self->track_caps, g_ptr_array_unref);
      self->track_caps = g_ptr_array_new_full (n_tracks, caps_clear);
      g_ptr_array_set_size (self->track_caps, n_tracks);
      self->layout++;
    }
  return replaced;
}

/**
 * sc_stream_hub_set_publisher:
 * @media: the publisher's identity for sc_stream_hub_push() (an RTSP
 *   RECORD media, an RTMP publisher)
 * @connection: its connection, closed with @close when replaced or cut
 * @token: its publish token, kept to re-check the reservation
 * @n_tracks: how many tracks it announced; their caps come with the data
 *
 * Makes this the stream's publisher, replacing (and closing) any previous
 * one of the same reservation; the next reservation's publisher waits
 * for its start instead.
 *
 * Returns: whether another publisher was replaced
 */
gboolean
sc_stream_hub_set_publisher (ScStreamHub *self, gpointer media,
                             GObject *connection, ScHubCloseFunc close,
                             const char *token, const char *address,
                             const ScReservation *reservation, guint n_tracks)
{
  ScHubStatus from = { .connection = connection,
                       .close = close,
                       .token = (char *)token,
                       .address = (char *)address,
                       .reservation = (ScReservation *)reservation };
  ScHubCloseFunc close_replaced_with = NULL;
  GObject *replaced;
  gboolean stale = FALSE;

  g_return_val_if_fail (n_tracks > 0 && n_tracks <= 32, FALSE);
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

      replaced = steal_replaced (&self->waiting.status, connection,
                                 &close_replaced_with);
      self->waiting.media = media;
      self->waiting.n_tracks = n_tracks;
      status_set (self, &self->waiting.status, connection, close, token,
                  address, reservation);
      g_mutex_unlock (&self->lock);
      g_message ("Publisher of %s for reservation %s waits for its start "
                 "(reservation %s is live)",
                 self->stream, reservation->id, live);
      close_replaced (replaced, close_replaced_with);
      return FALSE;
    }
  replaced = take_over_locked (self, media, &from, n_tracks,
                               &close_replaced_with, &stale);
  g_mutex_unlock (&self->lock);
  if (stale)
    notify_stale (self);
  if (replaced == NULL)
    return FALSE;
  close_replaced (replaced, close_replaced_with);
  return TRUE;
}

/**
 * sc_stream_hub_promote:
 * @now_us: the time now
 *
 * Lets a waiting publisher (sc_stream_hub_set_publisher()) take over when
 * its reservation starts or nobody else publishes; the one it replaces is
 * closed.
 *
 * Returns: whether a waiting publisher took over
 */
gboolean
sc_stream_hub_promote (ScStreamHub *self, gint64 now_us)
{
  ScHubCloseFunc close_replaced_with = NULL;
  GObject *replaced = NULL;
  gboolean stale = FALSE;
  ScHubStatus w = { 0 };

  g_mutex_lock (&self->lock);
  if (self->waiting.media == NULL
      || (self->media != NULL
          && !sc_slot_has_started (sc_slot_phase (
              self->waiting.status.reservation, now_us, &self->rules))))
    {
      g_mutex_unlock (&self->lock);
      return FALSE;
    }
  w = self->waiting.status;
  memset (&self->waiting.status, 0, sizeof self->waiting.status);
  replaced
      = take_over_locked (self, self->waiting.media, &w, self->waiting.n_tracks,
                          &close_replaced_with, &stale);
  self->waiting.media = NULL;
  g_mutex_unlock (&self->lock);
  g_message ("Publisher of %s for reservation %s takes over", self->stream,
             w.reservation->id);
  status_clear (&w);
  if (stale)
    notify_stale (self);
  close_replaced (replaced, close_replaced_with);
  return TRUE;
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
    ready = g_ptr_array_index (self->track_caps, i) != NULL
            && (self->fresh & (1u << i));
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
      s->close = self->status.close;
      s->token = g_strdup (self->status.token);
      s->address = g_strdup (self->status.address);
      s->reservation = sc_reservation_copy (self->status.reservation);
      s->ready = is_ready_locked (self);
    }
  g_mutex_unlock (&self->lock);
  /* The outputs' answers, without the lock. */
  for (guint i = 0; s != NULL && i < self->outputs->len; i++)
    {
      Output *o = &g_array_index (self->outputs, Output, i);

      if (o->kind->count_viewers != NULL)
        s->viewers += o->kind->count_viewers (o->output);
      if (o->kind->serves != NULL && !o->kind->serves (o->output))
        s->ready = FALSE;
    }
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
  gboolean stale = FALSE;

  g_mutex_lock (&self->lock);
  if (media != self->media || self->track_caps == NULL
      || track >= self->track_caps->len || buffer == NULL)
    {
      g_mutex_unlock (&self->lock);
      return;
    }
  slot = (GstCaps **)&g_ptr_array_index (self->track_caps, track);
  if (caps != NULL
      && (*slot == NULL || !(self->fresh & (1u << track))
          || !gst_caps_is_equal (*slot, caps)))
    {
      gboolean was_ready = is_ready_locked (self);

      /* Another codec on this track: another layout. The other tracks'
       * caps may still be the last publisher's: each track gives its own
       * again before the outputs build anything for the new layout. */
      if (*slot != NULL
          && !gst_structure_has_name (
              gst_caps_get_structure (caps, 0),
              gst_structure_get_name (gst_caps_get_structure (*slot, 0))))
        {
          self->layout++;
          stale = TRUE;
          was_ready = FALSE;
          for (guint i = 0; i < self->track_caps->len; i++)
            gst_caps_replace (
                (GstCaps **)&g_ptr_array_index (self->track_caps, i), NULL);
          self->fresh = 0;
        }
      if (*slot == NULL || !gst_caps_is_equal (*slot, caps))
        {
          gst_caps_replace (slot, caps);
          new_caps = TRUE;
        }
      self->fresh |= 1u << track;
      became_ready = !was_ready && is_ready_locked (self);
    }
  self->status.bytes_in += gst_buffer_get_size (buffer);
  held_back = !sc_slot_shows_media (sc_slot_phase (
      self->status.reservation, sc_clock_now_us (self->clock), &self->rules));
  for (guint i = 0; i < self->sinks->len; i++)
    {
      Sink *o = &g_array_index (self->sinks, Sink, i);
      GstClockTime out_base;
      GstBuffer *copy;

      if (o->track != track || o->layout != self->layout || o->paused)
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
  g_mutex_unlock (&self->lock);
  if (stale)
    notify_stale (self);
  if (became_ready)
    notify_ready (self);
}

/**
 * sc_stream_hub_add_sink:
 * @owner: what @appsrc belongs to, for sc_stream_hub_pause_sinks()
 *
 * Feeds @track to @appsrc from now on, with its caps, while its pipeline
 * plays (see #ScHubOutputKind).
 */
void
sc_stream_hub_add_sink (ScStreamHub *self, gpointer owner, guint track,
                        GstAppSrc *appsrc)
{
  Sink o = { track, 0, g_object_ref (appsrc), owner, FALSE };

  g_mutex_lock (&self->lock);
  o.layout = self->layout;
  if (self->track_caps != NULL && track < self->track_caps->len
      && g_ptr_array_index (self->track_caps, track) != NULL)
    gst_app_src_set_caps (appsrc, g_ptr_array_index (self->track_caps, track));
  g_array_append_val (self->sinks, o);
  g_mutex_unlock (&self->lock);
}

/**
 * sc_stream_hub_pause_sinks:
 * @paused: whether @owner's sinks are skipped
 *
 * Stops (or starts again) feeding the sinks of @owner: what nobody consumes
 * costs the publisher nothing, not even a buffer's metadata.
 */
void
sc_stream_hub_pause_sinks (ScStreamHub *self, gpointer owner, gboolean paused)
{
  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->sinks->len; i++)
    if (g_array_index (self->sinks, Sink, i).owner == owner)
      g_array_index (self->sinks, Sink, i).paused = paused;
  g_mutex_unlock (&self->lock);
}

void
sc_stream_hub_remove_sink (ScStreamHub *self, GstAppSrc *appsrc)
{
  g_mutex_lock (&self->lock);
  for (guint i = self->sinks->len; i > 0; i--)
    if (g_array_index (self->sinks, Sink, i - 1).appsrc == appsrc)
      g_array_remove_index_fast (self->sinks, i - 1);
  g_mutex_unlock (&self->lock);
}
