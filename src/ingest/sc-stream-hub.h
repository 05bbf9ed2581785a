/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/app/gstappsrc.h>
#include <gst/gst.h>

#include "sc-reservation.h"

G_BEGIN_DECLS

#define SC_TYPE_STREAM_HUB (sc_stream_hub_get_type ())
G_DECLARE_FINAL_TYPE (ScStreamHub, sc_stream_hub, SC, STREAM_HUB, GObject)

ScStreamHub *sc_stream_hub_new (const char *stream);
const char *sc_stream_hub_get_stream (ScStreamHub *self);

void sc_stream_hub_set_publisher (ScStreamHub *self, gpointer publisher,
                                  const ScReservation *reservation,
                                  guint n_tracks);
gboolean sc_stream_hub_clear_publisher (ScStreamHub *self, gpointer publisher);
gboolean sc_stream_hub_is_live (ScStreamHub *self);
ScReservation *sc_stream_hub_dup_reservation (ScStreamHub *self);
GPtrArray *sc_stream_hub_dup_track_caps (ScStreamHub *self);

void sc_stream_hub_push (ScStreamHub *self, gpointer publisher, guint track,
                         GstSample *sample, GstClockTime base_time);
gboolean sc_stream_hub_is_ready (ScStreamHub *self);
void sc_stream_hub_add_output (ScStreamHub *self, guint track,
                               GstAppSrc *appsrc);
void sc_stream_hub_remove_output (ScStreamHub *self, GstAppSrc *appsrc);
guint sc_stream_hub_get_n_outputs (ScStreamHub *self);
guint64 sc_stream_hub_get_bytes_in (ScStreamHub *self);

G_END_DECLS
