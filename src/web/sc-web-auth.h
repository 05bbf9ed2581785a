/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <libsoup/soup.h>

#include "sc-clock.h"
#include "sc-db.h"
#include "sc-settings.h"
#include "sc-web-metrics.h"

G_BEGIN_DECLS

typedef struct _ScWebAuth ScWebAuth;

ScWebAuth *sc_web_auth_new (ScSettings *settings, ScDb *db, ScClock *clock,
                            ScWebMetrics *metrics);
void sc_web_auth_free (ScWebAuth *self);

ScUser *sc_web_auth_user (ScWebAuth *self, SoupServerMessage *msg);
ScNode *sc_web_auth_node (ScWebAuth *self, SoupServerMessage *msg,
                          ScUser **out_user);
gboolean sc_web_auth_check_not_blocked (ScWebAuth *self,
                                        SoupServerMessage *msg);
gboolean sc_web_auth_record_failure (ScWebAuth *self, SoupServerMessage *msg);

G_END_DECLS
