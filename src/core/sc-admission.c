/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Admission: the single place that decides whether a token admits a
 * publisher (or a viewer of a private stream) now. The booking service's
 * POST /api/v1/ingest/authorize and the in-process ingest both call it, so
 * RTSP, RTMP and split nodes apply the same rules.
 *
 * Admit only: a known token of the right kind (publish or view), for this
 * stream, on this node, not cancelled, and now in
 * [start - admit_early, end). Every refusal comes with a reason a person can
 * read; the token itself never appears in it.
 *
 * The "schedule" question needs no token: it tells a viewer of a stream
 * that is not live whether it is booked here (open now: OK; later:
 * TOO_EARLY, with when) or not (NOT_BOOKED).
 */

#include "config.h"

#include "sc-admission.h"

#include "sc-clock.h"
#include "sc-slot.h"

static const char *const result_names[SC_ADMIT_N_RESULTS] = {
  [SC_ADMIT_OK] = "ok",
  [SC_ADMIT_MISSING_TOKEN] = "missing_token",
  [SC_ADMIT_MALFORMED_TOKEN] = "malformed_token",
  [SC_ADMIT_UNKNOWN_TOKEN] = "unknown_token",
  [SC_ADMIT_WRONG_ROLE] = "wrong_role",
  [SC_ADMIT_WRONG_STREAM] = "wrong_stream",
  [SC_ADMIT_WRONG_NODE] = "wrong_node",
  [SC_ADMIT_CANCELLED] = "cancelled",
  [SC_ADMIT_TOO_EARLY] = "too_early",
  [SC_ADMIT_ENDED] = "ended",
  [SC_ADMIT_NOT_BOOKED] = "not_booked",
  [SC_ADMIT_UNAVAILABLE] = "unavailable",
};

static const char *const role_names[] = {
  [SC_ADMISSION_PUBLISH] = "publish",
  [SC_ADMISSION_VIEW] = "view",
  [SC_ADMISSION_SCHEDULE] = "schedule",
};

/**
 * sc_admit_result_to_string:
 *
 * Returns: a stable machine name for @result, used in metrics and JSON
 */
const char *
sc_admit_result_to_string (ScAdmitResult result)
{
  g_return_val_if_fail (result < SC_ADMIT_N_RESULTS, "unknown");
  return result_names[result];
}

gboolean
sc_admission_role_from_string (const char *text, ScAdmissionRole *out)
{
  for (guint i = 0; i < G_N_ELEMENTS (role_names); i++)
    if (g_strcmp0 (text, role_names[i]) == 0)
      {
        *out = i;
        return TRUE;
      }
  return FALSE;
}

const char *
sc_admission_role_to_string (ScAdmissionRole role)
{
  g_return_val_if_fail (role < G_N_ELEMENTS (role_names), "unknown");
  return role_names[role];
}

static ScAdmitResult
refuse (char **out_reason, ScAdmitResult result, char *reason)
{
  if (out_reason != NULL)
    *out_reason = reason;
  else
    g_free (reason);
  return result;
}

/**
 * sc_admission_judge_schedule:
 * @next: (nullable): the booked reservation of the stream on the node that
 *   is open now or, if none, the next to open (sc_db_next_booked())
 *
 * The rule of the schedule question, apart from where @next came from.
 */
ScAdmitResult
sc_admission_judge_schedule (const ScAdmissionRequest *request,
                             const ScReservation *next,
                             ScReservation **out_reservation, char **out_reason)
{
  const ScSlotRules rules = { request->admit_early_us, 0 };
  g_autofree char *in = NULL;
  g_autofree char *at = NULL;

  if (next == NULL)
    return refuse (out_reason, SC_ADMIT_NOT_BOOKED,
                   g_strdup ("stream is not live"));
  /* Anyone may ask: when a private stream is booked is not told. */
  if (next->visibility == SC_VISIBILITY_PRIVATE
      && request->now_us < next->start_us)
    return refuse (out_reason, SC_ADMIT_NOT_BOOKED,
                   g_strdup ("stream is not live"));
  if (out_reservation != NULL)
    *out_reservation = sc_reservation_copy (next);
  if (sc_slot_has_started (sc_slot_phase (next, request->now_us, &rules)))
    {
      if (out_reason != NULL)
        *out_reason = g_strdup ("slot is open");
      return SC_ADMIT_OK;
    }
  in = sc_duration_describe (next->start_us - request->now_us);
  at = sc_time_format_us (next->start_us);
  return refuse (out_reason, SC_ADMIT_TOO_EARLY,
                 g_strdup_printf ("stream starts in %s (%s)", in, at));
}

/**
 * sc_admission_check_token:
 * @out_hash: (out caller-allocates): the token's hash, when it has the
 *   shape of one
 *
 * Returns: %SC_ADMIT_OK, %SC_ADMIT_MISSING_TOKEN or
 *   %SC_ADMIT_MALFORMED_TOKEN (with @out_reason)
 */
ScAdmitResult
sc_admission_check_token (const ScAdmissionRequest *request,
                          guint8 out_hash[SC_TOKEN_HASH_LEN], char **out_reason)
{
  if (request->token == NULL || request->token[0] == '\0')
    return refuse (out_reason, SC_ADMIT_MISSING_TOKEN,
                   g_strdup ("no token given"));
  if (!sc_token_hash (request->token, out_hash))
    return refuse (out_reason, SC_ADMIT_MALFORMED_TOKEN,
                   g_strdup ("malformed token"));
  return SC_ADMIT_OK;
}

/**
 * sc_admission_judge:
 * @r: (nullable): the reservation the token belongs to, %NULL if none
 * @is_view: whether the token is @r's view token
 * @out_reservation: (out) (optional) (transfer full): a copy of @r, when
 *   there is one (also on most refusals)
 *
 * The time and ownership rules of admission, apart from where @r came from
 * (the database or a node's copy): one pure function of the request (its
 * time and admit-early included) and the reservation.
 */
ScAdmitResult
sc_admission_judge (const ScAdmissionRequest *request, const ScReservation *r,
                    gboolean is_view, ScReservation **out_reservation,
                    char **out_reason)
{
  const ScSlotRules rules = { request->admit_early_us, 0 };
  ScSlotPhase phase;

  if (r == NULL)
    return refuse (out_reason, SC_ADMIT_UNKNOWN_TOKEN,
                   g_strdup ("unknown token"));
  if (out_reservation != NULL)
    *out_reservation = sc_reservation_copy (r);

  if (is_view != (request->role == SC_ADMISSION_VIEW))
    return refuse (out_reason, SC_ADMIT_WRONG_ROLE,
                   g_strdup (is_view ? "this is a view token, not a publish "
                                       "token"
                                     : "this is a publish token, not a view "
                                       "token"));
  if (g_strcmp0 (r->stream, request->stream) != 0)
    return refuse (out_reason, SC_ADMIT_WRONG_STREAM,
                   g_strdup_printf ("token is for stream %s", r->stream));
  if (g_strcmp0 (r->node, request->node) != 0)
    return refuse (out_reason, SC_ADMIT_WRONG_NODE,
                   g_strdup_printf ("token is for node %s", r->node));
  if (r->state == SC_RESERVATION_CANCELLED)
    return refuse (out_reason, SC_ADMIT_CANCELLED,
                   g_strdup ("reservation cancelled"));

  /* Viewers of a private stream may connect as early as its publisher;
   * the ingest holds media back until start either way. Nobody new comes
   * in after the end (the grace is for the live publisher). */
  phase = sc_slot_phase (r, request->now_us, &rules);
  if (phase == SC_SLOT_NOT_OPEN)
    {
      g_autofree char *in = sc_duration_describe (
          r->start_us - request->admit_early_us - request->now_us);
      return refuse (out_reason, SC_ADMIT_TOO_EARLY,
                     g_strdup_printf ("slot opens in %s", in));
    }
  if (!sc_slot_admits (phase))
    return refuse (out_reason, SC_ADMIT_ENDED, g_strdup ("slot ended"));

  if (out_reason != NULL)
    *out_reason = g_strdup ("admitted");
  return SC_ADMIT_OK;
}

/**
 * sc_admission_decide:
 * @out_reservation: (out) (optional) (transfer full): the reservation the
 *   token belongs to, when it is known (also on most refusals)
 * @out_reason: (out) (optional) (transfer full): why, for people
 *
 * sc_admission_judge() (or sc_admission_judge_schedule()) on what @db
 * holds.
 *
 * Returns: %SC_ADMIT_OK, or why not; on a database failure
 *   %SC_ADMIT_UNAVAILABLE with @error set
 */
ScAdmitResult
sc_admission_decide (ScDb *db, const ScAdmissionRequest *request,
                     ScReservation **out_reservation, char **out_reason,
                     GError **error)
{
  guint8 hash[SC_TOKEN_HASH_LEN];
  g_autoptr (ScReservation) r = NULL;
  gboolean is_view = FALSE;
  ScAdmitResult result;

  if (request->role == SC_ADMISSION_SCHEDULE)
    {
      r = sc_db_next_booked (db, request->stream, request->node,
                             request->now_us, error);
      if (r == NULL && error != NULL && *error != NULL)
        return refuse (out_reason, SC_ADMIT_NOT_BOOKED,
                       g_strdup ("cannot check the schedule now"));
      return sc_admission_judge_schedule (request, r, out_reservation,
                                          out_reason);
    }
  if ((result = sc_admission_check_token (request, hash, out_reason))
      != SC_ADMIT_OK)
    return result;
  r = sc_db_find_by_token (db, request->token, &is_view, error);
  if (r == NULL && error != NULL && *error != NULL)
    return refuse (out_reason, SC_ADMIT_UNAVAILABLE,
                   g_strdup ("cannot check the token now"));
  return sc_admission_judge (request, r, is_view, out_reservation, out_reason);
}
