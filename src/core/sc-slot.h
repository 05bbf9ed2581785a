/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "sc-reservation.h"

G_BEGIN_DECLS

/**
 * ScSlotPhase:
 * @SC_SLOT_NOT_OPEN: before start − admit-early: nobody is admitted
 * @SC_SLOT_EARLY: [start − admit-early, start): the publisher (and viewers
 *   of a private slot) may connect; media is held back
 * @SC_SLOT_LIVE: [start, end): media reaches viewers
 * @SC_SLOT_GRACE: [end, end + grace): nobody new is admitted; the live
 *   publisher goes on
 * @SC_SLOT_OVER: from end + grace: the publisher is cut
 *
 * Where a reservation's slot stands at a given time. A cancelled
 * reservation is %SC_SLOT_OVER whatever the time.
 */
typedef enum
{
  SC_SLOT_NOT_OPEN,
  SC_SLOT_EARLY,
  SC_SLOT_LIVE,
  SC_SLOT_GRACE,
  SC_SLOT_OVER,
} ScSlotPhase;

/**
 * ScSlotRules:
 *
 * The settings the time rules depend on (`[booking] admit-early-s`,
 * `grace-s`), in microseconds.
 */
typedef struct
{
  gint64 admit_early_us;
  gint64 grace_us;
} ScSlotRules;

ScSlotPhase sc_slot_phase (const ScReservation *r, gint64 now_us,
                           const ScSlotRules *rules);
const char *sc_slot_phase_to_string (ScSlotPhase phase);

gboolean sc_slot_admits (ScSlotPhase phase);
gboolean sc_slot_shows_media (ScSlotPhase phase);
gboolean sc_slot_keeps_publisher (ScSlotPhase phase);
gboolean sc_slot_has_started (ScSlotPhase phase);

G_END_DECLS
