/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <libsoup/soup.h>

#include "sc-api-client.h"
#include "sc-upload-ticket.h"

G_BEGIN_DECLS

ScApiClient *sc_upload_client_new (const char *server, const char *api_key,
                                   const char *ca_file, GError **error);
char *sc_upload_server_of (const char *url);
ScTicket *sc_upload_api_book (ScApiClient *client, const char *body,
                              GError **error);
ScTicket *sc_upload_api_fetch (ScApiClient *client, const char *url,
                               GError **error);
gboolean sc_upload_api_cancel (ScApiClient *client, const char *id,
                               GError **error);

G_END_DECLS
