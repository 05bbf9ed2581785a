/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "sc-db.h"

G_BEGIN_DECLS

typedef enum
{
  SC_ADMISSION_PUBLISH,
  SC_ADMISSION_VIEW,
  /* No token: is this stream booked on this node, open or upcoming? For
   * the answer to a viewer of a stream that is not live (503 or 404). */
  SC_ADMISSION_SCHEDULE,
} ScAdmissionRole;

typedef enum
{
  SC_ADMIT_OK,
  SC_ADMIT_MISSING_TOKEN,
  SC_ADMIT_MALFORMED_TOKEN,
  SC_ADMIT_UNKNOWN_TOKEN,
  SC_ADMIT_WRONG_ROLE,
  SC_ADMIT_WRONG_STREAM,
  SC_ADMIT_WRONG_NODE,
  SC_ADMIT_CANCELLED,
  SC_ADMIT_TOO_EARLY,
  SC_ADMIT_ENDED,
  SC_ADMIT_NOT_BOOKED,
  SC_ADMIT_UNAVAILABLE, /* the decision cannot be made now (database, network)
                         */
  SC_ADMIT_N_RESULTS
} ScAdmitResult;

/**
 * ScAdmissionRequest:
 *
 * The ingest's question: may the holder of @token publish (or view) @stream
 * on @node now?
 */
typedef struct
{
  const char *token; /* nullable */
  const char *stream;
  const char *node;
  ScAdmissionRole role;
  gint64 admit_early_us;
  gint64 now_us;
} ScAdmissionRequest;

ScAdmitResult sc_admission_check_token (const ScAdmissionRequest *request,
                                        guint8 out_hash[SC_TOKEN_HASH_LEN],
                                        char **out_reason);
ScAdmitResult sc_admission_judge (const ScAdmissionRequest *request,
                                  const ScReservation *r, gboolean is_view,
                                  ScReservation **out_reservation,
                                  char **out_reason);
ScAdmitResult sc_admission_judge_schedule (const ScAdmissionRequest *request,
                                           const ScReservation *next,
                                           ScReservation **out_reservation,
                                           char **out_reason);
ScAdmitResult sc_admission_decide (ScDb *db, const ScAdmissionRequest *request,
                                   ScReservation **out_reservation,
                                   char **out_reason, GError **error);
const char *sc_admit_result_to_string (ScAdmitResult result);
gboolean sc_admission_role_from_string (const char *text, ScAdmissionRole *out);
const char *sc_admission_role_to_string (ScAdmissionRole role);

G_END_DECLS
