/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What `slotcast user passwd` accepts. */
#define SC_PASSWORD_MIN_LEN 8
#define SC_PASSWORD_MAX_LEN 1024

char *sc_password_hash (const char *password, GError **error);
gboolean sc_password_verify (const char *password, const char *encoded);
gboolean sc_password_check_length (const char *password, GError **error);

G_END_DECLS
