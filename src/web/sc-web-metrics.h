/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

#include "sc-admission.h"

G_BEGIN_DECLS

/**
 * ScWebMetrics:
 *
 * The booking service's counters for /metrics. Owned by the #ScWebServer,
 * counted by the parts that see the events; main context only.
 */
typedef struct
{
  guint64 responses[6]; /* by status class: [1] 1xx … [5] 5xx */
  guint64 bookings;
  guint64 booking_conflicts;
  guint64 booking_rejected;
  guint64 cancellations;
  guint64 authorize[SC_ADMIT_N_RESULTS];
  guint64 bad_keys;
  guint64 rate_limited;
  guint64 body_too_large;
  guint64 logins;
  guint64 bad_logins;
} ScWebMetrics;

G_END_DECLS
