/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "sc-clock.h"
#include "sc-db.h"
#include "sc-group-commit.h"
#include "sc-settings.h"
#include "sc-web-auth.h"
#include "sc-web-metrics.h"
#include "sc-web-routes.h"

G_BEGIN_DECLS

typedef struct _ScApiSession ScApiSession;

ScApiSession *sc_api_session_new (const ScWebRoutes *routes, ScWebAuth *auth,
                                  ScGroupCommit *commit, ScDb *db,
                                  ScSettings *settings, ScClock *clock,
                                  ScWebMetrics *metrics);
void sc_api_session_free (ScApiSession *self);

G_END_DECLS
