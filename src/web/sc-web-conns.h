/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <libsoup/soup.h>

#include "sc-listener.h"

G_BEGIN_DECLS

/**
 * ScWebConnsLimits:
 * @listener: connections in all and per address; @first_timeout_us is
 *   also the TLS handshake's and the request headers' time-out
 * @keepalive_timeout_us: how long a connection may wait for its next
 *   request
 * @request_timeout_us: from a request's headers until its response is
 *   written (the body, the handler)
 */
typedef struct
{
  ScListenerLimits listener;
  gint64 keepalive_timeout_us;
  gint64 request_timeout_us;
} ScWebConnsLimits;

/**
 * ScWebConnsDoneFunc:
 *
 * A response was written on a connection kept alive: libsoup will not
 * report it as finished, so the caller counts it here.
 */
typedef void (*ScWebConnsDoneFunc) (SoupServerMessage *msg, gpointer data);

#define SC_TYPE_WEB_CONNS (sc_web_conns_get_type ())
G_DECLARE_FINAL_TYPE (ScWebConns, sc_web_conns, SC, WEB_CONNS, GObject)

ScWebConns *sc_web_conns_new (SoupServer *soup, const ScWebConnsLimits *limits,
                              GTlsCertificate *tls, ScWebConnsDoneFunc done,
                              gpointer data);
gboolean sc_web_conns_listen (ScWebConns *self, const char *bind, int port,
                              GError **error);
guint16 sc_web_conns_get_port (ScWebConns *self);
void sc_web_conns_respond_and_close (ScWebConns *self, SoupServerMessage *msg);
void sc_web_conns_close (ScWebConns *self);

G_END_DECLS
