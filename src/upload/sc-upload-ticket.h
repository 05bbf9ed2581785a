/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-glib/json-glib.h>

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

/**
 * ScUploadTicket:
 *
 * A ticket as the uploader keeps it: the fields it needs, the ticket's
 * JSON as received, and where it came from (@server: the booking service's
 * base URL, or %NULL when unknown).
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
} ScUploadTicket;

ScUploadTicket *sc_upload_ticket_parse (const char *text, gsize len,
                                        GError **error);
ScUploadTicket *sc_upload_ticket_new_from_json (JsonNode *json, GError **error);
gboolean sc_upload_ticket_check (const ScUploadTicket *ticket, GError **error);
char *sc_upload_ticket_dup_publish_url (const ScUploadTicket *ticket,
                                        gboolean rtmp, GError **error);
void sc_upload_ticket_free (ScUploadTicket *ticket);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScUploadTicket, sc_upload_ticket_free)

char *sc_upload_ticket_to_data (const ScUploadTicket *ticket);
ScUploadTicket *sc_upload_ticket_from_data (const char *data, GError **error);
char *sc_upload_ticket_describe (const ScUploadTicket *ticket, gboolean reveal);
char *sc_upload_ticket_rtmp_url (const ScUploadTicket *ticket);

G_END_DECLS
