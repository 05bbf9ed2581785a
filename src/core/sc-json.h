/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

JsonNode *sc_json_value_of (JsonObject *object, const char *name, GType type);
const char *sc_json_string_of (JsonObject *object, const char *name);
gboolean sc_json_int_of (JsonObject *object, const char *name, gint64 min,
                         gint64 max, gint64 *out);
gboolean sc_json_check_only (JsonObject *object, const char *const *allowed,
                             GQuark domain, gint code, GError **error);

G_END_DECLS
