/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "sc-api-client.h"
#include "sc-clock.h"
#include "sc-live-stream.h"

G_BEGIN_DECLS

typedef struct _ScNodeReporter ScNodeReporter;

ScNodeReporter *sc_node_reporter_new (ScApiClient *client,
                                      const ScLiveSource *source,
                                      ScClock *clock, guint interval_ms);
void sc_node_reporter_free (ScNodeReporter *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScNodeReporter, sc_node_reporter_free)

G_END_DECLS
