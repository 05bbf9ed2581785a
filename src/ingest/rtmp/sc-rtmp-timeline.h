/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  SC_RTMP_TAG_SCRIPT,
  SC_RTMP_TAG_AUDIO,
  SC_RTMP_TAG_VIDEO,
  SC_RTMP_TAG_KINDS
} ScRtmpTagKind;

/**
 * ScRtmpTimeline:
 *
 * Maps an RTMP publisher's message times onto the ingest's clock (see
 * sc-rtmp-timeline.c). A plain record; zero-initialise it.
 */
typedef struct
{
  gboolean started;
  guint32 last_ts;
  gint64 media_ms;   /* the last message's time since the first */
  gint64 min_lag_ms; /* smallest arrival - media time seen, <= 0 */
  gint64 last_tag_ms[SC_RTMP_TAG_KINDS];
} ScRtmpTimeline;

gint64 sc_rtmp_timeline_media_ms (ScRtmpTimeline *self, guint32 ts);
gint64 sc_rtmp_timeline_tag_ms (ScRtmpTimeline *self, ScRtmpTagKind kind,
                                gint64 media_ms, gint64 arrival_ms);

G_END_DECLS
