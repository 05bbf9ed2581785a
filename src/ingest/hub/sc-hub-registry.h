/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "sc-hub-output.h"
#include "sc-stream-hub.h"

G_BEGIN_DECLS

#define SC_TYPE_HUB_REGISTRY (sc_hub_registry_get_type ())
G_DECLARE_FINAL_TYPE (ScHubRegistry, sc_hub_registry, SC, HUB_REGISTRY, GObject)

ScHubRegistry *sc_hub_registry_new (ScClock *clock, const ScSlotRules *rules);
void sc_hub_registry_add_kind (ScHubRegistry *self, const ScHubOutputKind *kind,
                               gpointer kind_data);
ScStreamHub *sc_hub_registry_ref (ScHubRegistry *self, const char *stream);
ScStreamHub *sc_hub_registry_lookup (ScHubRegistry *self, const char *stream);
gboolean sc_hub_registry_contains (ScHubRegistry *self, const char *stream);
GPtrArray *sc_hub_registry_dup_all (ScHubRegistry *self);

G_END_DECLS
