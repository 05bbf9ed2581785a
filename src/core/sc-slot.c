/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The time rules of a reservation, in one place: one pure function of the
 * reservation, the time and the settings gives the slot's phase
 * (ScSlotPhase), and three questions of the phase say what each part does
 * with it:
 *
 *   admission (sc_admission_judge())  admits in EARLY and LIVE
 *   the hub's gate (ScStreamHub)      passes media in LIVE and GRACE, and
 *                                     lets a waiting publisher in at LIVE
 *   the cut (ScIngest's check)        keeps the publisher until OVER
 *   the schedule answer               says "open" once started, else when
 *
 * A new time rule is a change here and in its table test
 * (tests/unit/test-admission.c, /admission/phases).
 */

#include "config.h"

#include "sc-slot.h"

static const char *const phase_names[] = {
  [SC_SLOT_NOT_OPEN] = "not_open", [SC_SLOT_EARLY] = "early",
  [SC_SLOT_LIVE] = "live",         [SC_SLOT_GRACE] = "grace",
  [SC_SLOT_OVER] = "over",
};

/**
 * sc_slot_phase:
 *
 * Returns: where @r's slot stands at @now_us
 */
ScSlotPhase
sc_slot_phase (const ScReservation *r, gint64 now_us, const ScSlotRules *rules)
{
  if (r->state == SC_RESERVATION_CANCELLED)
    return SC_SLOT_OVER;
  if (now_us < r->start_us - rules->admit_early_us)
    return SC_SLOT_NOT_OPEN;
  if (now_us < r->start_us)
    return SC_SLOT_EARLY;
  if (now_us < r->end_us)
    return SC_SLOT_LIVE;
  if (now_us < r->end_us + rules->grace_us)
    return SC_SLOT_GRACE;
  return SC_SLOT_OVER;
}

const char *
sc_slot_phase_to_string (ScSlotPhase phase)
{
  g_return_val_if_fail (phase < G_N_ELEMENTS (phase_names), "unknown");
  return phase_names[phase];
}

/* Whether a new publisher (or viewer of a private slot) is admitted. */
gboolean
sc_slot_admits (ScSlotPhase phase)
{
  return phase == SC_SLOT_EARLY || phase == SC_SLOT_LIVE;
}

/* Whether the live publisher's media reaches viewers. */
gboolean
sc_slot_shows_media (ScSlotPhase phase)
{
  return phase == SC_SLOT_LIVE || phase == SC_SLOT_GRACE;
}

/* Whether an admitted publisher may go on. */
gboolean
sc_slot_keeps_publisher (ScSlotPhase phase)
{
  return phase != SC_SLOT_OVER;
}

/* Whether the slot has started (its waiting publisher takes over, a viewer
 * hears "open" rather than "starts in"). */
gboolean
sc_slot_has_started (ScSlotPhase phase)
{
  return phase >= SC_SLOT_LIVE;
}
