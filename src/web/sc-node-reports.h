/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "sc-clock.h"
#include "sc-db.h"
#include "sc-live-stream.h"
#include "sc-web-auth.h"
#include "sc-web-routes.h"

G_BEGIN_DECLS

typedef struct _ScNodeReports ScNodeReports;

ScNodeReports *sc_node_reports_new (const ScWebRoutes *routes, ScWebAuth *auth,
                                    ScDb *db, ScClock *clock);
void sc_node_reports_set_live_source (ScNodeReports *self,
                                      const ScLiveSource *source);
void sc_node_reports_free (ScNodeReports *self);

GPtrArray *sc_node_reports_dup_live (ScNodeReports *self);
GPtrArray *sc_node_reports_dup_refusals (ScNodeReports *self, gint64 since_us);
guint64 sc_node_reports_count_refusals (ScNodeReports *self,
                                        ScAdmitResult reason);

G_END_DECLS
