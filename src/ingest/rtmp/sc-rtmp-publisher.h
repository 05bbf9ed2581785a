/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "sc-hub-registry.h"
#include "sc-reservation.h"
#include "sc-rtmp-chunk.h"

G_BEGIN_DECLS

#define SC_TYPE_RTMP_PUBLISHER (sc_rtmp_publisher_get_type ())
G_DECLARE_FINAL_TYPE (ScRtmpPublisher, sc_rtmp_publisher, SC, RTMP_PUBLISHER,
                      GObject)

ScRtmpPublisher *sc_rtmp_publisher_new (ScHubRegistry *hubs, const char *stream,
                                        GObject *connection,
                                        ScHubCloseFunc close, const char *token,
                                        const char *address,
                                        const ScReservation *reservation);
gboolean sc_rtmp_publisher_push (ScRtmpPublisher *self,
                                 const ScRtmpMessage *message, GError **error);
void sc_rtmp_publisher_stop (ScRtmpPublisher *self);

G_END_DECLS
