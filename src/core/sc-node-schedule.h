/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "sc-admission.h"
#include "sc-reservation.h"

G_BEGIN_DECLS

typedef struct _ScNodeSchedule ScNodeSchedule;

ScNodeSchedule *sc_node_schedule_new (const char *node);
void sc_node_schedule_free (ScNodeSchedule *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScNodeSchedule, sc_node_schedule_free)

void sc_node_schedule_replace (ScNodeSchedule *self, GPtrArray *entries,
                               gint64 cursor);
void sc_node_schedule_apply (ScNodeSchedule *self, GPtrArray *entries,
                             gint64 cursor);
guint sc_node_schedule_prune (ScNodeSchedule *self, gint64 ended_before_us);
gint64 sc_node_schedule_get_cursor (ScNodeSchedule *self);
gboolean sc_node_schedule_is_loaded (ScNodeSchedule *self);
guint sc_node_schedule_get_size (ScNodeSchedule *self);

ScAdmitResult sc_node_schedule_decide (const ScAdmissionRequest *request,
                                       ScReservation **out_reservation,
                                       char **out_reason, gpointer self);

G_END_DECLS
