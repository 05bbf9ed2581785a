/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/rtsp-server/rtsp-server.h>

G_BEGIN_DECLS

#define SC_TYPE_RTSP_THREAD_POOL (sc_rtsp_thread_pool_get_type ())
G_DECLARE_FINAL_TYPE (ScRtspThreadPool, sc_rtsp_thread_pool, SC,
                      RTSP_THREAD_POOL, GstRTSPThreadPool)

GstRTSPThreadPool *sc_rtsp_thread_pool_new (void);
void sc_rtsp_close_client (GstRTSPClient *client);
void sc_rtsp_close_client_later (GstRTSPClient *client);

G_END_DECLS
