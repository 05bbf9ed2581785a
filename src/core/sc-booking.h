/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SC_BOOKING_ERROR (sc_booking_error_quark ())
GQuark sc_booking_error_quark (void);

typedef enum
{
  SC_BOOKING_ERROR_INVALID,      /* a field breaks a rule; names the field */
  SC_BOOKING_ERROR_STREAM_TAKEN, /* same stream name, overlapping window */
  SC_BOOKING_ERROR_NO_CAPACITY,  /* no node has a free place */
  SC_BOOKING_ERROR_UNKNOWN_NODE,
  SC_BOOKING_ERROR_NOT_FOUND,
  SC_BOOKING_ERROR_CANCELLED,
  SC_BOOKING_ERROR_QUOTA, /* the owner has booked as much as allowed */
} ScBookingError;

/**
 * ScBookingLimits:
 *
 * The window rules, from the [booking] settings.
 */
typedef struct
{
  gint64 min_length_us;
  gint64 max_length_us;
  gint64 past_slack_us;
  gint64 horizon_us; /* how far ahead a start may be */
} ScBookingLimits;

/**
 * ScInterval:
 *
 * A half-open window `[start_us, end_us)`.
 */
typedef struct
{
  gint64 start_us;
  gint64 end_us;
} ScInterval;

/**
 * ScFreeSegment:
 *
 * Over `[start_us, end_us)` a node has @free places.
 */
typedef struct
{
  gint64 start_us;
  gint64 end_us;
  int free;
} ScFreeSegment;

gboolean sc_booking_stream_name_valid (const char *name);
gboolean sc_booking_check_stream (const char *name, GError **error);
gboolean sc_booking_check_window (const ScBookingLimits *limits,
                                  gint64 start_us, gint64 end_us, gint64 now_us,
                                  GError **error);
gboolean sc_intervals_overlap (const ScInterval *a, const ScInterval *b);
int sc_booking_max_overlap (const ScInterval *booked, size_t n_booked,
                            gint64 start_us, gint64 end_us);
GArray *sc_booking_free_segments (const ScInterval *booked, size_t n_booked,
                                  int capacity, gint64 from_us, gint64 to_us);

G_END_DECLS
