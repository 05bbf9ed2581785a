/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

#include "sc-gate.h"
#include "sc-hub-registry.h"
#include "sc-ready-set.h"

G_BEGIN_DECLS

/**
 * ScRtmpLimits:
 *
 * Bounds of one RTMP connection.
 */
typedef struct
{
  gsize max_message_bytes;
  guint32 max_chunk_size;
  gint64 setup_timeout_us; /* accept → publishing */
  gint64 idle_timeout_us;  /* no byte received */
} ScRtmpLimits;

/**
 * ScRtmpSessionEnv:
 * @gate: admits publishers
 * @hubs: where an admitted publisher's stream goes
 * @ready: the server's sockets, read on its context
 * @server_url: `rtmp://HOST:PORT/live`, to tell a client where to publish
 * @play_base: (nullable): `rtsp://HOST:PORT`, to tell a client where to
 *   play
 *
 * What a session needs of its server. The session copies it (and refers
 * to the gate and the hubs); @ready must outlive the session's watch,
 * which ends when the session closes.
 */
typedef struct
{
  ScGate *gate;
  ScHubRegistry *hubs;
  ScReadySet *ready;
  const char *server_url;
  const char *play_base;
  ScRtmpLimits limits;
} ScRtmpSessionEnv;

#define SC_TYPE_RTMP_SESSION (sc_rtmp_session_get_type ())
G_DECLARE_FINAL_TYPE (ScRtmpSession, sc_rtmp_session, SC, RTMP_SESSION, GObject)

ScRtmpSession *sc_rtmp_session_new (const ScRtmpSessionEnv *env,
                                    GSocketConnection *connection,
                                    const char *address);
void sc_rtmp_session_start (ScRtmpSession *self);
const char *sc_rtmp_session_get_address (ScRtmpSession *self);
void sc_rtmp_session_check_timeouts (ScRtmpSession *self, gint64 now_us);
void sc_rtmp_session_close (ScRtmpSession *self, const char *why);
void sc_rtmp_session_cut (GObject *session);

G_END_DECLS
