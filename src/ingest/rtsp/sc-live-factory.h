/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/rtsp-server/rtsp-server.h>

#include "sc-fanout.h"
#include "sc-hub-registry.h"

G_BEGIN_DECLS

#define SC_TYPE_LIVE_FACTORY (sc_live_factory_get_type ())
G_DECLARE_FINAL_TYPE (ScLiveFactory, sc_live_factory, SC, LIVE_FACTORY,
                      GstRTSPMediaFactory)

ScLiveFactory *sc_live_factory_new (ScHubRegistry *hubs, const char *stream,
                                    gboolean direct_send);

G_END_DECLS
