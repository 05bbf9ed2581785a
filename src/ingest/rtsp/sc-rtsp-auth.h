/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/rtsp-server/rtsp-server.h>

#include "sc-gate.h"
#include "sc-hub-registry.h"
#include "sc-rtsp-mounts.h"

G_BEGIN_DECLS

#define SC_TYPE_RTSP_AUTH (sc_rtsp_auth_get_type ())
G_DECLARE_FINAL_TYPE (ScRtspAuth, sc_rtsp_auth, SC, RTSP_AUTH, GstRTSPAuth)

ScRtspAuth *sc_rtsp_auth_new (ScGate *gate, ScHubRegistry *hubs,
                              ScRtspMounts *mounts);
char *sc_rtsp_token_from_request (const GstRTSPUrl *uri,
                                  GstRTSPMessage *request);

G_END_DECLS
