/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/rtsp-server/rtsp-server.h>

#include "sc-ingest.h"

G_BEGIN_DECLS

#define SC_TYPE_RTSP_SERVER (sc_rtsp_server_get_type ())
G_DECLARE_FINAL_TYPE (ScRtspServer, sc_rtsp_server, SC, RTSP_SERVER,
                      GstRTSPServer)

ScRtspServer *sc_rtsp_server_new (ScIngest *ingest);
void sc_rtsp_close_client (GstRTSPClient *client);
void sc_rtsp_close_client_later (GstRTSPClient *client);

G_END_DECLS
