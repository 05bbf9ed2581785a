/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/rtsp-server/rtsp-server.h>

#include "sc-admission.h"

G_BEGIN_DECLS

#define SC_TYPE_RTSP_CLIENT (sc_rtsp_client_get_type ())
G_DECLARE_FINAL_TYPE (ScRtspClient, sc_rtsp_client, SC, RTSP_CLIENT,
                      GstRTSPClient)

ScRtspClient *sc_rtsp_client_new (void);
void sc_rtsp_client_approve (ScRtspClient *self, const char *stream,
                             const char *token,
                             const ScReservation *reservation);
char *sc_rtsp_client_dup_token (ScRtspClient *self);
gboolean sc_rtsp_client_is_approved (ScRtspClient *self, const char *stream);
ScReservation *sc_rtsp_client_dup_reservation (ScRtspClient *self);

G_END_DECLS
