/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

void sc_http_send_json (SoupServerMessage *msg, guint status, JsonNode *node,
                        const char *content_type);
void sc_http_send_error (SoupServerMessage *msg, guint status, const char *code,
                         const char *format, ...) G_GNUC_PRINTF (4, 5);
void sc_http_send_db_error (SoupServerMessage *msg, const GError *error);
gboolean sc_http_require_path (SoupServerMessage *msg, const char *path,
                               const char *want);
gboolean sc_http_require_method (SoupServerMessage *msg, const char *allow,
                                 ...) G_GNUC_NULL_TERMINATED;
JsonObject *sc_http_read_json_object (SoupServerMessage *msg);
char *sc_http_printable (const char *text, size_t max);

gboolean sc_json_check_members (SoupServerMessage *msg, JsonObject *object,
                                const char *const *allowed);
gboolean sc_json_get_string (SoupServerMessage *msg, JsonObject *object,
                             const char *name, gboolean required,
                             const char **out);
gboolean sc_json_get_time (SoupServerMessage *msg, JsonObject *object,
                           const char *name, gint64 *out);
gboolean sc_query_get_time (SoupServerMessage *msg, GHashTable *query,
                            const char *name, gint64 fallback, gint64 *out);
gboolean sc_query_get_int (SoupServerMessage *msg, GHashTable *query,
                           const char *name, int min, int max, int fallback,
                           int *out);

G_END_DECLS
