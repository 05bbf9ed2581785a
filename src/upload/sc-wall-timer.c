/* SPDX-License-Identifier: LGPL-2.1-or-later */

/**
 * SECTION:sc-wall-timer
 *
 * A one-shot timer at a wall-clock time: a timerfd on CLOCK_REALTIME, armed
 * absolute with TFD_TIMER_CANCEL_ON_SET. It fires at the time even across a
 * suspend (the real-time clock keeps counting), and also at once when the
 * clock is stepped (NTP, the user): the caller then looks at the clock again
 * and arms a new timer. No polling.
 */

#include "config.h"

#include "sc-wall-timer.h"

#include <glib-unix.h>
#include <sys/timerfd.h>
#include <unistd.h>

typedef struct
{
  int fd;
  GSourceFunc func;
  gpointer data;
} WallTimer;

static gboolean
on_fd (int fd, GIOCondition condition, gpointer data)
{
  WallTimer *t = data;
  guint64 expirations;

  /* ECANCELED: the clock was set. Either way the caller re-plans. */
  (void)!read (fd, &expirations, sizeof expirations);
  t->func (t->data);
  return G_SOURCE_REMOVE;
}

static void
wall_timer_free (gpointer data)
{
  WallTimer *t = data;

  close (t->fd);
  g_free (t);
}

/**
 * sc_wall_timeout_add:
 * @at_us: microseconds since the epoch (g_get_real_time())
 * @func: called once, at @at_us or when the wall clock is set before that;
 *   its return value is ignored
 *
 * Returns: the source id (for g_source_remove()), or 0 if no timer could be
 *   made
 */
guint
sc_wall_timeout_add (gint64 at_us, GSourceFunc func, gpointer data)
{
  struct itimerspec spec = { 0 };
  WallTimer *t;

  if (at_us <= 0)
    at_us = 1; /* 0 would disarm */
  spec.it_value.tv_sec = at_us / G_USEC_PER_SEC;
  spec.it_value.tv_nsec = (at_us % G_USEC_PER_SEC) * 1000;
  t = g_new0 (WallTimer, 1);
  t->func = func;
  t->data = data;
  t->fd = timerfd_create (CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC);
  if (t->fd < 0
      || timerfd_settime (t->fd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET,
                          &spec, NULL)
             < 0)
    {
      if (t->fd >= 0)
        close (t->fd);
      g_free (t);
      return 0;
    }
  return g_unix_fd_add_full (G_PRIORITY_DEFAULT, t->fd, G_IO_IN, on_fd, t,
                             wall_timer_free);
}
