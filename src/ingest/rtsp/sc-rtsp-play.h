/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/rtsp-server/rtsp-server.h>

#include "sc-hub-output.h"
#include "sc-rtsp-mounts.h"
#include "sc-stream-hub.h"

G_BEGIN_DECLS

typedef struct _ScRtspPlay ScRtspPlay;

/**
 * ScRtspPlayConfig:
 *
 * What the RTSP PLAY output of every hub shares: the server and its
 * mounts, which serve the media (both referred to weakly: they hold the
 * hubs), and the main context that unprepares it.
 */
typedef struct
{
  GstRTSPServer *server;
  ScRtspMounts *mounts;
  GMainContext *context;
} ScRtspPlayConfig;

extern const ScHubOutputKind sc_rtsp_play_kind;

ScRtspPlay *sc_rtsp_play_of (ScStreamHub *hub);
void sc_rtsp_play_add_viewer (ScRtspPlay *self, GstRTSPClient *client);

G_END_DECLS
