/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib-object.h>

#include "sc-admission.h"
#include "sc-clock.h"
#include "sc-gate.h"
#include "sc-live-stream.h"
#include "sc-settings.h"

G_BEGIN_DECLS

#define SC_TYPE_INGEST (sc_ingest_get_type ())
G_DECLARE_FINAL_TYPE (ScIngest, sc_ingest, SC, INGEST, GObject)

ScIngest *sc_ingest_new (ScSettings *settings, ScClock *clock,
                         ScGateAdmitFunc admit, gpointer admit_data,
                         GDestroyNotify admit_destroy);
gboolean sc_ingest_start (ScIngest *self, GError **error);
guint16 sc_ingest_get_rtsp_port (ScIngest *self);
guint16 sc_ingest_get_rtmp_port (ScIngest *self);
void sc_ingest_stop (ScIngest *self);
guint64 sc_ingest_get_refusals (ScIngest *self, ScAdmitResult reason);
GPtrArray *sc_ingest_dup_refusals (ScIngest *self, gint64 since_us);
GPtrArray *sc_ingest_dup_live (ScIngest *self);
ScLiveSource sc_ingest_get_live_source (ScIngest *self);

G_END_DECLS
