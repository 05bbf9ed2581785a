/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/app/gstappsrc.h>
#include <gst/gst.h>

#include "sc-clock.h"
#include "sc-hub-output.h"
#include "sc-reservation.h"
#include "sc-slot.h"

G_BEGIN_DECLS

#define SC_TYPE_STREAM_HUB (sc_stream_hub_get_type ())
G_DECLARE_FINAL_TYPE (ScStreamHub, sc_stream_hub, SC, STREAM_HUB, GObject)

/**
 * ScHubCloseFunc:
 *
 * Closes a publisher's connection (it was replaced, or its slot is over).
 * Any thread may call it; the input closes on its own thread.
 */
typedef void (*ScHubCloseFunc) (GObject *connection);

/**
 * ScHubStatus:
 *
 * What a hub reports about its live publisher, for checks and /streams.
 */
typedef struct
{
  GObject *connection;  /* the publisher's (an input's object) */
  ScHubCloseFunc close; /* closes connection */
  char *token;          /* for the periodic re-check */
  char *address;
  ScReservation *reservation;
  gint64 since_us;
  guint64 bytes_in;
  guint64 bitrate; /* bits/s over the last second */
  guint viewers;
  gboolean ready; /* every track has caps and the PLAY media is prepared */
} ScHubStatus;

void sc_hub_status_free (ScHubStatus *status);
void sc_hub_status_close (ScHubStatus *status);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScHubStatus, sc_hub_status_free)

ScStreamHub *sc_stream_hub_new (const char *stream, ScClock *clock,
                                const ScSlotRules *rules);
void sc_stream_hub_attach (ScStreamHub *self, const ScHubOutputKind *kind,
                           gpointer kind_data);
gpointer sc_stream_hub_get_output (ScStreamHub *self,
                                   const ScHubOutputKind *kind);
guint sc_stream_hub_get_layout (ScStreamHub *self);
const char *sc_stream_hub_get_stream (ScStreamHub *self);

gboolean sc_stream_hub_set_publisher (ScStreamHub *self, gpointer media,
                                      GObject *connection, ScHubCloseFunc close,
                                      const char *token, const char *address,
                                      const ScReservation *reservation,
                                      guint n_tracks);
gboolean sc_stream_hub_promote (ScStreamHub *self, gint64 now_us);
gboolean sc_stream_hub_clear_publisher (ScStreamHub *self, gpointer media);
gboolean sc_stream_hub_is_live (ScStreamHub *self);
gboolean sc_stream_hub_is_ready (ScStreamHub *self);
ScReservation *sc_stream_hub_dup_reservation (ScStreamHub *self);
ScHubStatus *sc_stream_hub_dup_status (ScStreamHub *self);
GPtrArray *sc_stream_hub_dup_track_caps (ScStreamHub *self);
void sc_stream_hub_tick (ScStreamHub *self, gint64 now_us);
void sc_stream_hub_tick_outputs (ScStreamHub *self);

void sc_stream_hub_push (ScStreamHub *self, gpointer media, guint track,
                         GstSample *sample, GstClockTime base_time);
void sc_stream_hub_add_sink (ScStreamHub *self, gpointer owner, guint track,
                             GstAppSrc *appsrc);
void sc_stream_hub_pause_sinks (ScStreamHub *self, gpointer owner,
                                gboolean paused);
void sc_stream_hub_remove_sink (ScStreamHub *self, GstAppSrc *appsrc);

G_END_DECLS
