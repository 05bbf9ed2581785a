/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/rtsp-server/rtsp-server.h>

#include "sc-listener.h"

G_BEGIN_DECLS

#define SC_TYPE_RTSP_SERVER (sc_rtsp_server_get_type ())
G_DECLARE_FINAL_TYPE (ScRtspServer, sc_rtsp_server, SC, RTSP_SERVER,
                      GstRTSPServer)

ScRtspServer *sc_rtsp_server_new (void);
gboolean sc_rtsp_server_listen (ScRtspServer *self, const char *bind, int port,
                                const ScListenerLimits *limits, GError **error);
guint16 sc_rtsp_server_get_port (ScRtspServer *self);
void sc_rtsp_server_close (ScRtspServer *self);

G_END_DECLS
