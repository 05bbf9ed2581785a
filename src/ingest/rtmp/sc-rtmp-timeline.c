/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The time of each FLV tag an RTMP publisher sends, on the ingest's clock.
 *
 * An RTMP message carries a 32-bit millisecond time of the publisher's
 * own origin. The first media message is time 0 (and its arrival the
 * pipeline's base time); later ones count from it, across the 32-bit wrap.
 *
 * A publisher's first messages often arrive late and in a burst: sent
 * while it connected and waited for admission. Anchored on them, every
 * later tag would carry a time in the future, and the viewers' sinks,
 * which wait for a buffer's time, would hold everything back by that much
 * (180 ms was measured). So a tag's time is its media time shifted by the
 * smallest lag seen (arrival minus media time), which only ever
 * decreases, and it never goes below the previous tag of its kind.
 */

#include "config.h"

#include "sc-rtmp-timeline.h"

/**
 * sc_rtmp_timeline_media_ms:
 *
 * Returns: the time of a message stamped @ts since the first message
 */
gint64
sc_rtmp_timeline_media_ms (ScRtmpTimeline *self, guint32 ts)
{
  if (!self->started)
    {
      self->started = TRUE;
      self->last_ts = ts;
      self->media_ms = 0;
      return 0;
    }
  self->media_ms += (gint32)(ts - self->last_ts);
  self->last_ts = ts;
  return self->media_ms;
}

/**
 * sc_rtmp_timeline_tag_ms:
 * @media_ms: from sc_rtmp_timeline_media_ms()
 * @arrival_ms: when the message arrived, since the first one did
 *
 * Returns: the tag's time since the first message, never less than the
 *   previous tag's of @kind (and never negative)
 */
gint64
sc_rtmp_timeline_tag_ms (ScRtmpTimeline *self, ScRtmpTagKind kind,
                         gint64 media_ms, gint64 arrival_ms)
{
  gint64 t;

  g_return_val_if_fail (kind < SC_RTMP_TAG_KINDS, 0);
  self->min_lag_ms = MIN (self->min_lag_ms, arrival_ms - media_ms);
  t = MAX (media_ms + self->min_lag_ms, self->last_tag_ms[kind]);
  self->last_tag_ms[kind] = MAX (t, 0);
  return self->last_tag_ms[kind];
}
