/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define SC_API_ERROR (sc_api_error_quark ())
GQuark sc_api_error_quark (void);

typedef enum
{
  SC_API_ERROR_STATUS,    /* the service answered, not with 2xx */
  SC_API_ERROR_TOO_LARGE, /* the answer is over the client's limit */
  SC_API_ERROR_URL,       /* not a URL */
} ScApiError;

#define SC_TYPE_API_CLIENT (sc_api_client_get_type ())
G_DECLARE_FINAL_TYPE (ScApiClient, sc_api_client, SC, API_CLIENT, GObject)

ScApiClient *sc_api_client_new (const char *base_url, const char *key,
                                const char *ca_file, guint timeout_s,
                                gsize max_answer_bytes, GError **error);
const char *sc_api_client_get_base_url (ScApiClient *self);

GBytes *sc_api_client_call (ScApiClient *self, const char *method,
                            const char *path, GBytes *body, guint *out_status,
                            GError **error);
void sc_api_client_call_async (ScApiClient *self, const char *method,
                               const char *path, GBytes *body,
                               GCancellable *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer user_data);
GBytes *sc_api_client_call_finish (ScApiClient *self, GAsyncResult *result,
                                   guint *out_status, GError **error);

G_END_DECLS
