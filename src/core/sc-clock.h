/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define SC_TYPE_CLOCK (sc_clock_get_type ())
G_DECLARE_FINAL_TYPE (ScClock, sc_clock, SC, CLOCK, GObject)

/* Wall-clock microseconds since the Unix epoch. */
#define SC_USEC_PER_SEC G_GINT64_CONSTANT (1000000)

ScClock *sc_clock_new_system (void);
ScClock *sc_clock_new_manual (gint64 now_us);

gint64 sc_clock_now_us (ScClock *clock);
gboolean sc_clock_is_manual (ScClock *clock);
void sc_clock_set_us (ScClock *clock, gint64 now_us);
void sc_clock_advance_us (ScClock *clock, gint64 delta_us);

char *sc_time_format_us (gint64 us);
gboolean sc_time_parse (const char *text, gint64 *out_us);
char *sc_duration_describe (gint64 us);
gboolean sc_duration_parse (const char *text, gint64 *out_us);

G_END_DECLS
