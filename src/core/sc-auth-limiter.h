/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define SC_TYPE_AUTH_LIMITER (sc_auth_limiter_get_type ())
G_DECLARE_FINAL_TYPE (ScAuthLimiter, sc_auth_limiter, SC, AUTH_LIMITER, GObject)

ScAuthLimiter *sc_auth_limiter_new (guint limit, gint64 window_us,
                                    gint64 block_us, guint max_addresses);
gint64 sc_auth_limiter_blocked_for (ScAuthLimiter *self, const char *address,
                                    gint64 now_us);
gboolean sc_auth_limiter_record_failure (ScAuthLimiter *self,
                                         const char *address, gint64 now_us);
guint sc_auth_limiter_get_size (ScAuthLimiter *self);

G_END_DECLS
