/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/rtsp-server/rtsp-server.h>

#include "sc-ingest.h"
#include "sc-stream-hub.h"

G_BEGIN_DECLS

GST_DEBUG_CATEGORY_EXTERN (sc_ingest_debug);
#define GST_CAT_DEFAULT sc_ingest_debug

#define SC_LIVE_PREFIX "/live/"

char *sc_ingest_stream_from_path (const char *path);
void sc_ingest_ensure_mount (ScIngest *self, const char *stream);
ScStreamHub *sc_ingest_ref_hub (ScIngest *self, const char *stream);
ScStreamHub *sc_ingest_lookup_hub (ScIngest *self, const char *stream);
gboolean sc_ingest_mount_if_booked (ScIngest *self, const char *stream);
ScAdmitResult sc_ingest_admit (ScIngest *self, const char *stream,
                               const char *token, ScAdmissionRole role,
                               ScReservation **out_reservation,
                               char **out_reason);
void sc_ingest_close_connection (ScIngest *self, GObject *connection);
gint64 sc_ingest_now_us (ScIngest *self);
ScSlotRules sc_ingest_get_slot_rules (ScIngest *self);
gboolean sc_ingest_count_refusal (ScIngest *self, ScAdmitResult result,
                                  const char *protocol, const char *role,
                                  const char *stream, const char *address);
char *sc_ingest_dup_url (ScIngest *self, const char *scheme, const char *path);
char *sc_ingest_fragment (ScIngest *self, const char *name, guint n, guint pt);
gboolean sc_ingest_get_direct_send (ScIngest *self);

G_END_DECLS
