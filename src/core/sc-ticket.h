/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "sc-reservation.h"
#include "sc-user.h"

G_BEGIN_DECLS

#define SC_TICKET_CONTENT_TYPE "application/vnd.slotcast.ticket+json"

JsonNode *sc_reservation_to_json (const ScReservation *reservation);
JsonNode *sc_ticket_to_json (const ScReservation *reservation,
                             const ScNode *node, const ScTicketSecrets *secrets,
                             int admit_early_s);
char *sc_url_host (const char *host);

G_END_DECLS
