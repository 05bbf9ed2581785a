/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "sc-api-client.h"
#include "sc-clock.h"
#include "sc-node-schedule.h"

G_BEGIN_DECLS

typedef struct _ScReservationSync ScReservationSync;

ScReservationSync *sc_reservation_sync_new (ScApiClient *client,
                                            ScNodeSchedule *schedule,
                                            ScClock *clock,
                                            gint64 keep_after_end_us);
void sc_reservation_sync_start (ScReservationSync *self);
gboolean sc_reservation_sync_wait_loaded (ScReservationSync *self,
                                          guint timeout_ms, GError **error);
void sc_reservation_sync_free (ScReservationSync *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScReservationSync, sc_reservation_sync_free)

G_END_DECLS
