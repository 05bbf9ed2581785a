/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "sc-ticket.h"

G_BEGIN_DECLS

#define SC_UPLOAD_ERROR (sc_upload_error_quark ())
GQuark sc_upload_error_quark (void);

typedef enum
{
  SC_UPLOAD_ERROR_BAD_TICKET,
  SC_UPLOAD_ERROR_NOT_FOUND,
  SC_UPLOAD_ERROR_SERVER,
  SC_UPLOAD_ERROR_REFUSED,
} ScUploadError;

char *sc_upload_ticket_to_data (const ScTicket *ticket);
ScTicket *sc_upload_ticket_from_data (const char *data, GError **error);
char *sc_upload_ticket_describe (const ScTicket *ticket, gboolean reveal);

G_END_DECLS
