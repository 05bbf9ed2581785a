/* SPDX-License-Identifier: LGPL-2.1-or-later */

/**
 * ScClock:
 *
 * The one source of "now" for every time rule of Slotcast (booking slack,
 * admission windows, cut-offs). Production code uses the system clock; tests
 * use a manual clock they set and advance, so reservations a few seconds long
 * can be tested without sleeping.
 *
 * Thread safety: a manual clock's time is an atomic 64-bit value, so any
 * thread may read it while a test advances it. The object itself has no main
 * context.
 *
 * The time helpers in this file convert between microseconds since the epoch
 * and RFC 3339 text through #GDateTime.
 */

#include "config.h"

#include "sc-clock.h"

#include <string.h>

struct _ScClock
{
  GObject parent_instance;

  gboolean manual;
  gint64 now_us; /* atomic; used only when manual */
};

G_DEFINE_FINAL_TYPE (ScClock, sc_clock, G_TYPE_OBJECT)

static void
sc_clock_class_init (ScClockClass *klass)
{
}

static void
sc_clock_init (ScClock *self)
{
}

/**
 * sc_clock_new_system:
 *
 * Returns: (transfer full): a clock that reads the system's wall clock.
 */
ScClock *
sc_clock_new_system (void)
{
  return g_object_new (SC_TYPE_CLOCK, NULL);
}

/**
 * sc_clock_new_manual:
 * @now_us: the initial time, in microseconds since the epoch
 *
 * Returns: (transfer full): a clock that only moves when told to.
 */
ScClock *
sc_clock_new_manual (gint64 now_us)
{
  ScClock *self = g_object_new (SC_TYPE_CLOCK, NULL);

  self->manual = TRUE;
  sc_clock_set_us (self, now_us);
  return self;
}

gint64
sc_clock_now_us (ScClock *self)
{
  g_return_val_if_fail (SC_IS_CLOCK (self), 0);

  if (!self->manual)
    return g_get_real_time ();
  return __atomic_load_n (&self->now_us, __ATOMIC_SEQ_CST);
}

gboolean
sc_clock_is_manual (ScClock *self)
{
  g_return_val_if_fail (SC_IS_CLOCK (self), FALSE);

  return self->manual;
}

void
sc_clock_set_us (ScClock *self, gint64 now_us)
{
  g_return_if_fail (SC_IS_CLOCK (self));
  g_return_if_fail (self->manual);

  __atomic_store_n (&self->now_us, now_us, __ATOMIC_SEQ_CST);
}

void
sc_clock_advance_us (ScClock *self, gint64 delta_us)
{
  g_return_if_fail (SC_IS_CLOCK (self));
  g_return_if_fail (self->manual);

  __atomic_add_fetch (&self->now_us, delta_us, __ATOMIC_SEQ_CST);
}

/**
 * sc_time_format_us:
 * @us: microseconds since the epoch
 *
 * Formats @us as RFC 3339 in UTC ("2026-11-24T10:00:00Z"), with a fraction
 * only when @us is not a whole second.
 *
 * Returns: (transfer full): the text
 */
char *
sc_time_format_us (gint64 us)
{
  g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (0);
  g_autoptr (GDateTime) at = g_date_time_add (dt, us);

  return g_date_time_format_iso8601 (at);
}

/**
 * sc_time_parse:
 * @text: RFC 3339 text with a time zone offset
 * @out_us: (out): microseconds since the epoch
 *
 * Accepts only complete date-times with an explicit offset ("Z" or
 * "+01:00"); a time without a zone would depend on the server's zone.
 *
 * Returns: whether @text was a valid RFC 3339 date-time
 */
gboolean
sc_time_parse (const char *text, gint64 *out_us)
{
  g_autoptr (GDateTime) dt = NULL;
  size_t len;

  if (text == NULL)
    return FALSE;
  len = strlen (text);
  /* "YYYY-MM-DDTHH:MM:SSZ" is the shortest form; a zone must be present. */
  if (len < 20 || len > 64 || text[10] != 'T')
    return FALSE;
  if (text[len - 1] != 'Z' && text[len - 1] != 'z' && text[len - 6] != '+'
      && text[len - 6] != '-')
    return FALSE;

  dt = g_date_time_new_from_iso8601 (text, NULL);
  if (dt == NULL)
    return FALSE;
  *out_us = g_date_time_to_unix (dt) * SC_USEC_PER_SEC
            + g_date_time_get_microsecond (dt);
  return TRUE;
}

/**
 * sc_duration_describe:
 * @us: a non-negative duration in microseconds
 *
 * Describes a duration for humans, rounded up to the unit shown: "45 s",
 * "11 min", "3 h 5 min", "2 days".
 *
 * Returns: (transfer full): the text
 */
char *
sc_duration_describe (gint64 us)
{
  gint64 s = (MAX (us, 0) + SC_USEC_PER_SEC - 1) / SC_USEC_PER_SEC;

  if (s < 60)
    return g_strdup_printf ("%" G_GINT64_FORMAT " s", s);
  if (s < 3600)
    return g_strdup_printf ("%" G_GINT64_FORMAT " min", (s + 59) / 60);
  if (s < 48 * 3600)
    {
      gint64 min = (s + 59) / 60;
      if (min % 60 == 0)
        return g_strdup_printf ("%" G_GINT64_FORMAT " h", min / 60);
      return g_strdup_printf ("%" G_GINT64_FORMAT " h %" G_GINT64_FORMAT " min",
                              min / 60, min % 60);
    }
  return g_strdup_printf ("%" G_GINT64_FORMAT " days", (s + 86399) / 86400);
}

/**
 * sc_duration_parse:
 * @text: "90s", "30m", "2h", "1h30m", "1h30m15s" or plain seconds ("45")
 * @out_us: (out): the duration in microseconds
 *
 * Returns: whether @text is such a duration (at most 7 days)
 */
gboolean
sc_duration_parse (const char *text, gint64 *out_us)
{
  gint64 total = 0;
  const char *p = text;
  gint64 last_unit = G_MAXINT64;

  if (text == NULL || *text == '\0')
    return FALSE;
  while (*p != '\0')
    {
      gint64 n = 0;
      int digits = 0;
      gint64 unit;

      for (; g_ascii_isdigit (*p) && digits < 9; p++, digits++)
        n = n * 10 + (*p - '0');
      if (digits == 0 || g_ascii_isdigit (*p))
        return FALSE;
      switch (*p)
        {
          case 'h':
            unit = 3600;
            break;
          case 'm':
            unit = 60;
            break;
          case 's':
          case '\0':
            unit = 1;
            break;
          default:
            return FALSE;
        }
      /* Units only in decreasing order, each once: 1h30m, not 30m1h. */
      if (unit >= last_unit)
        return FALSE;
      last_unit = unit;
      total += n * unit;
      if (*p != '\0')
        p++;
    }
  if (total > 7 * 86400)
    return FALSE;
  *out_us = total * SC_USEC_PER_SEC;
  return TRUE;
}
