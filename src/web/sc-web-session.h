/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

char *sc_web_session_dup_cookie (SoupServerMessage *msg);
void sc_web_session_set_cookie (SoupServerMessage *msg, const char *token,
                                int max_age_s, gboolean secure);
char *sc_web_session_csrf_for (const char *token);
gboolean sc_web_session_check_csrf (SoupServerMessage *msg, const char *token);

G_END_DECLS
