/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

#include "sc-rtmp-session.h"

G_BEGIN_DECLS

#define SC_TYPE_RTMP_SERVER (sc_rtmp_server_get_type ())
G_DECLARE_FINAL_TYPE (ScRtmpServer, sc_rtmp_server, SC, RTMP_SERVER, GObject)

ScRtmpServer *sc_rtmp_server_new (ScGate *gate, ScHubRegistry *hubs,
                                  const char *bind, const char *public_host,
                                  guint max_connections, guint max_per_address,
                                  const ScRtmpLimits *limits);
void sc_rtmp_server_set_play_base (ScRtmpServer *self, const char *play_base);
gboolean sc_rtmp_server_start (ScRtmpServer *self, int port, GError **error);
guint16 sc_rtmp_server_get_port (ScRtmpServer *self);
guint sc_rtmp_server_get_n_sessions (ScRtmpServer *self);
void sc_rtmp_server_stop (ScRtmpServer *self);

G_END_DECLS
