/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/rtsp-server/rtsp-server.h>

#include "sc-gate.h"
#include "sc-hub-registry.h"

G_BEGIN_DECLS

#define SC_LIVE_PREFIX "/live/"

#define SC_TYPE_RTSP_MOUNTS (sc_rtsp_mounts_get_type ())
G_DECLARE_FINAL_TYPE (ScRtspMounts, sc_rtsp_mounts, SC, RTSP_MOUNTS, GObject)

ScRtspMounts *sc_rtsp_mounts_new (GstRTSPMountPoints *points,
                                  ScHubRegistry *hubs, ScGate *gate,
                                  gboolean direct_send);
char *sc_rtsp_stream_from_path (const char *path);
void sc_rtsp_mounts_ensure (ScRtspMounts *self, const char *stream);
gboolean sc_rtsp_mounts_mount_if_booked (ScRtspMounts *self,
                                         const char *stream);
void sc_rtsp_mounts_sweep (ScRtspMounts *self);

G_END_DECLS
