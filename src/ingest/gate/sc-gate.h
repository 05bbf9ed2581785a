/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib-object.h>

#include "sc-admission.h"
#include "sc-clock.h"
#include "sc-live-stream.h"
#include "sc-settings.h"
#include "sc-slot.h"

G_BEGIN_DECLS

/**
 * ScGateAdmitFunc:
 *
 * Answers the ingest's question (sc_admission_judge()'s contract): from a
 * database (sc_db_admitter_decide()) or a node's copy of its reservations.
 * Called from any thread: it must be thread-safe.
 */
typedef ScAdmitResult (*ScGateAdmitFunc) (const ScAdmissionRequest *request,
                                          ScReservation **out_reservation,
                                          char **out_reason,
                                          gpointer user_data);

#define SC_TYPE_GATE (sc_gate_get_type ())
G_DECLARE_FINAL_TYPE (ScGate, sc_gate, SC, GATE, GObject)

ScGate *sc_gate_new (ScSettings *settings, ScClock *clock,
                     ScGateAdmitFunc admit, gpointer admit_data,
                     GDestroyNotify admit_destroy);

ScAdmitResult sc_gate_admit (ScGate *self, const char *stream,
                             const char *token, ScAdmissionRole role,
                             ScReservation **out_reservation,
                             char **out_reason);
gboolean sc_gate_is_booked (ScGate *self, const char *stream);
gboolean sc_gate_count_refusal (ScGate *self, ScAdmitResult result,
                                const char *protocol, const char *role,
                                const char *stream, const char *address);

gint64 sc_gate_now_us (ScGate *self);
const ScSlotRules *sc_gate_get_rules (ScGate *self);

guint64 sc_gate_get_refusals (ScGate *self, ScAdmitResult reason);
GPtrArray *sc_gate_dup_refusals (ScGate *self, gint64 since_us);

G_END_DECLS
