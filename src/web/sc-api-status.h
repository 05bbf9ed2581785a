/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "sc-clock.h"
#include "sc-db.h"
#include "sc-node-reports.h"
#include "sc-web-auth.h"
#include "sc-web-metrics.h"
#include "sc-web-routes.h"

G_BEGIN_DECLS

typedef struct _ScApiStatus ScApiStatus;

ScApiStatus *sc_api_status_new (const ScWebRoutes *routes, ScWebAuth *auth,
                                ScDb *db, ScClock *clock, ScWebMetrics *metrics,
                                ScNodeReports *reports);
void sc_api_status_free (ScApiStatus *self);

G_END_DECLS
