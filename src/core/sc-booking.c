/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Booking rules: pure functions over numbers and names, no database, no
 * clock of their own, so each rule is unit-tested on its edges. ScDb calls
 * them inside its BEGIN IMMEDIATE transaction.
 *
 * Windows are half-open, [start, end): [a, b) and [b, c) do not overlap.
 */

#include "config.h"

#include "sc-booking.h"

#include "sc-clock.h"

#include <stdlib.h>
#include <string.h>

/* The quark's name is one token: clang-format would space it out. */
/* clang-format off */
G_DEFINE_QUARK (sc-booking-error-quark, sc_booking_error)
/* clang-format on */

#define STREAM_NAME_MAX 64

/**
 * sc_booking_stream_name_valid:
 *
 * Returns: whether @name matches `[A-Za-z0-9_-]{1,64}`
 */
gboolean
sc_booking_stream_name_valid (const char *name)
{
  size_t i;

  if (name == NULL)
    return FALSE;
  for (i = 0; name[i] != '\0'; i++)
    {
      if (i >= STREAM_NAME_MAX)
        return FALSE;
      if (!(g_ascii_isalnum (name[i]) || name[i] == '_' || name[i] == '-'))
        return FALSE;
    }
  return i > 0;
}

gboolean
sc_booking_check_stream (const char *name, GError **error)
{
  if (sc_booking_stream_name_valid (name))
    return TRUE;
  g_set_error_literal (error, SC_BOOKING_ERROR, SC_BOOKING_ERROR_INVALID,
                       "stream: use 1 to 64 of A-Z a-z 0-9 _ -");
  return FALSE;
}

/**
 * sc_booking_check_window:
 *
 * Checks `end > start`, the length bounds, that @start_us is not further
 * in the past than the slack nor further ahead than the horizon. Messages start
 * with the field they concern.
 */
gboolean
sc_booking_check_window (const ScBookingLimits *limits, gint64 start_us,
                         gint64 end_us, gint64 now_us, GError **error)
{
  gint64 length = end_us - start_us;

  if (end_us <= start_us)
    {
      g_set_error_literal (error, SC_BOOKING_ERROR, SC_BOOKING_ERROR_INVALID,
                           "end: must be after start");
      return FALSE;
    }
  if (length < limits->min_length_us || length > limits->max_length_us)
    {
      g_autofree char *min = sc_duration_describe (limits->min_length_us);
      g_autofree char *max = sc_duration_describe (limits->max_length_us);

      g_set_error (error, SC_BOOKING_ERROR, SC_BOOKING_ERROR_INVALID,
                   "end: a reservation lasts from %s to %s", min, max);
      return FALSE;
    }
  if (start_us < now_us - limits->past_slack_us)
    {
      g_set_error_literal (error, SC_BOOKING_ERROR, SC_BOOKING_ERROR_INVALID,
                           "start: is in the past");
      return FALSE;
    }
  if (limits->horizon_us > 0 && start_us > now_us + limits->horizon_us)
    {
      g_autofree char *h = sc_duration_describe (limits->horizon_us);

      g_set_error (error, SC_BOOKING_ERROR, SC_BOOKING_ERROR_INVALID,
                   "start: at most %s ahead", h);
      return FALSE;
    }
  return TRUE;
}

gboolean
sc_intervals_overlap (const ScInterval *a, const ScInterval *b)
{
  return a->start_us < b->end_us && b->start_us < a->end_us;
}

typedef struct
{
  gint64 at;
  int delta; /* +1 start, -1 end */
} Edge;

static int
edge_compare (const void *pa, const void *pb)
{
  const Edge *a = pa, *b = pb;

  if (a->at != b->at)
    return a->at < b->at ? -1 : 1;
  /* Ends before starts at the same instant: [a,b) and [b,c) never count
   * as overlapping. */
  return a->delta - b->delta;
}

/* Edges of the parts of @booked inside [from, to), sorted. */
static Edge *
clipped_edges (const ScInterval *booked, size_t n_booked, gint64 from,
               gint64 to, size_t *out_n)
{
  Edge *edges = g_new (Edge, 2 * n_booked + 1);
  size_t n = 0;

  for (size_t i = 0; i < n_booked; i++)
    {
      gint64 s = MAX (booked[i].start_us, from);
      gint64 e = MIN (booked[i].end_us, to);

      if (s >= e)
        continue;
      edges[n++] = (Edge){ s, +1 };
      edges[n++] = (Edge){ e, -1 };
    }
  qsort (edges, n, sizeof (Edge), edge_compare);
  *out_n = n;
  return edges;
}

/**
 * sc_booking_max_overlap:
 *
 * Returns: the largest number of @booked windows that are open at the same
 *   instant within `[start_us, end_us)`
 */
int
sc_booking_max_overlap (const ScInterval *booked, size_t n_booked,
                        gint64 start_us, gint64 end_us)
{
  size_t n;
  g_autofree Edge *edges
      = clipped_edges (booked, n_booked, start_us, end_us, &n);
  int open = 0, max = 0;

  for (size_t i = 0; i < n; i++)
    {
      open += edges[i].delta;
      max = MAX (max, open);
    }
  return max;
}

/**
 * sc_booking_free_segments:
 *
 * Splits `[from_us, to_us)` where the number of free places changes.
 * Neighbouring segments always differ in @free.
 *
 * Returns: (transfer full) (element-type ScFreeSegment): the segments
 */
GArray *
sc_booking_free_segments (const ScInterval *booked, size_t n_booked,
                          int capacity, gint64 from_us, gint64 to_us)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (ScFreeSegment));
  size_t n;
  g_autofree Edge *edges = clipped_edges (booked, n_booked, from_us, to_us, &n);
  gint64 at = from_us;
  int open = 0;
  size_t i = 0;

  if (from_us >= to_us)
    return out;
  while (at < to_us)
    {
      ScFreeSegment seg;

      while (i < n && edges[i].at == at)
        open += edges[i++].delta;
      seg.start_us = at;
      seg.end_us = i < n ? edges[i].at : to_us;
      seg.free = MAX (capacity - open, 0);
      if (out->len > 0
          && g_array_index (out, ScFreeSegment, out->len - 1).free == seg.free)
        g_array_index (out, ScFreeSegment, out->len - 1).end_us = seg.end_us;
      else
        g_array_append_val (out, seg);
      at = seg.end_us;
    }
  return out;
}
