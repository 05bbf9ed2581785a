/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "sc-clock.h"
#include "sc-db.h"
#include "sc-group-commit.h"
#include "sc-settings.h"
#include "sc-web-auth.h"
#include "sc-web-routes.h"

G_BEGIN_DECLS

typedef struct _ScApiFeed ScApiFeed;

ScApiFeed *sc_api_feed_new (const ScWebRoutes *routes, ScWebAuth *auth,
                            ScGroupCommit *commit, ScDb *db,
                            ScSettings *settings, ScClock *clock);
void sc_api_feed_wake (ScApiFeed *self);
void sc_api_feed_release (ScApiFeed *self);
void sc_api_feed_free (ScApiFeed *self);

G_END_DECLS
