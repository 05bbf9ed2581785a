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
gboolean sc_url_host_valid (const char *host);

#define SC_TICKET_ERROR (sc_ticket_error_quark ())
GQuark sc_ticket_error_quark (void);

typedef enum
{
  SC_TICKET_ERROR_INVALID,
} ScTicketError;

/**
 * ScTicket:
 *
 * A ticket as read back (sc_ticket_parse()): the fields a publisher needs,
 * the ticket's JSON as received, and where it came from (@server: the
 * booking service's base URL, or %NULL when unknown).
 */
typedef struct
{
  char *id;
  char *stream;
  gint64 start_us;
  gint64 end_us;
  int admit_early_s;
  char *publish_token;
  char *view_token; /* nullable */
  char *rtsp_publish_url;
  char *rtmp_server_url;
  char *rtmp_stream_key;
  char *rtsp_play_url;
  char *server; /* nullable */
  JsonNode *json;
} ScTicket;

ScTicket *sc_ticket_parse (const char *text, gsize len, GError **error);
ScTicket *sc_ticket_new_from_json (JsonNode *json, GError **error);
gboolean sc_ticket_check (const ScTicket *ticket, GError **error);
char *sc_ticket_dup_publish_url (const ScTicket *ticket, gboolean rtmp,
                                 GError **error);
char *sc_ticket_rtmp_url (const ScTicket *ticket);
void sc_ticket_free (ScTicket *ticket);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScTicket, sc_ticket_free)

G_END_DECLS
