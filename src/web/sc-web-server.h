/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <libsoup/soup.h>

#include "sc-clock.h"
#include "sc-db.h"
#include "sc-live-stream.h"
#include "sc-sealer.h"
#include "sc-settings.h"

G_BEGIN_DECLS

#define SC_TYPE_WEB_SERVER (sc_web_server_get_type ())
G_DECLARE_FINAL_TYPE (ScWebServer, sc_web_server, SC, WEB_SERVER, GObject)

ScWebServer *sc_web_server_new (ScSettings *settings, ScDb *db, ScClock *clock,
                                ScSealer *sealer);
gboolean sc_web_server_listen (ScWebServer *self, GError **error);
guint16 sc_web_server_get_port (ScWebServer *self);
gboolean sc_web_server_accept_stream (ScWebServer *self, GIOStream *stream,
                                      GSocketAddress *local,
                                      GSocketAddress *remote, GError **error);
guint sc_web_server_get_n_in_flight (ScWebServer *self);
gboolean sc_web_server_is_tls (ScWebServer *self);
void sc_web_server_set_live_source (ScWebServer *self,
                                    const ScLiveSource *source);
void sc_web_server_stop_async (ScWebServer *self, guint timeout_ms,
                               GAsyncReadyCallback callback,
                               gpointer user_data);
gboolean sc_web_server_stop_finish (ScWebServer *self, GAsyncResult *result,
                                    GError **error);

G_END_DECLS
