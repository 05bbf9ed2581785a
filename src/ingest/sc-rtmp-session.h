/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

#include "sc-ingest.h"
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

#define SC_TYPE_RTMP_SESSION (sc_rtmp_session_get_type ())
G_DECLARE_FINAL_TYPE (ScRtmpSession, sc_rtmp_session, SC, RTMP_SESSION, GObject)

ScRtmpSession *sc_rtmp_session_new (ScIngest *ingest, ScReadySet *ready,
                                    GSocketConnection *connection,
                                    const char *address,
                                    const ScRtmpLimits *limits);
void sc_rtmp_session_start (ScRtmpSession *self);
const char *sc_rtmp_session_get_address (ScRtmpSession *self);
void sc_rtmp_session_check_timeouts (ScRtmpSession *self, gint64 now_us);
void sc_rtmp_session_close (ScRtmpSession *self, const char *why);

G_END_DECLS
