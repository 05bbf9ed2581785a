/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <libsoup/soup.h>

#include "sc-upload-ticket.h"

G_BEGIN_DECLS

SoupSession *sc_upload_session_new (const char *ca_file, GError **error);
ScUploadTicket *sc_upload_api_book (SoupSession *session, const char *server,
                                    const char *key, const char *body,
                                    GError **error);
ScUploadTicket *sc_upload_api_fetch (SoupSession *session, const char *url,
                                     const char *key, GError **error);
gboolean sc_upload_api_cancel (SoupSession *session, const char *server,
                               const char *key, const char *id, GError **error);

G_END_DECLS
