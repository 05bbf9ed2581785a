/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * JSON forms of a reservation: the public one (no secrets) for lists, and
 * the ticket (tokens and connection URLs) for its broadcaster. The ticket's
 * shape is fixed by SPEC.md; the uploader and the web UI read it.
 */

#include "config.h"

#include "sc-ticket.h"

#include "sc-clock.h"

#include <string.h>

static void
add_time (JsonBuilder *b, const char *name, gint64 us)
{
  g_autofree char *text = NULL;

  json_builder_set_member_name (b, name);
  if (us == 0)
    {
      json_builder_add_null_value (b);
      return;
    }
  text = sc_time_format_us (us);
  json_builder_add_string_value (b, text);
}

static void
add_string (JsonBuilder *b, const char *name, const char *value)
{
  json_builder_set_member_name (b, name);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

/**
 * sc_reservation_to_json:
 *
 * Returns: (transfer full): @reservation without secrets
 */
JsonNode *
sc_reservation_to_json (const ScReservation *r)
{
  g_autoptr (JsonBuilder) b = json_builder_new_immutable ();

  json_builder_begin_object (b);
  add_string (b, "id", r->id);
  add_string (b, "stream", r->stream);
  add_string (b, "node", r->node);
  add_string (b, "owner", r->owner);
  add_string (b, "visibility", sc_visibility_to_string (r->visibility));
  add_string (b, "state", sc_reservation_state_to_string (r->state));
  add_time (b, "start", r->start_us);
  add_time (b, "end", r->end_us);
  add_time (b, "created_at", r->created_us);
  add_time (b, "cancelled_at", r->cancelled_us);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/**
 * sc_url_host:
 *
 * Returns: (transfer full): @host as it goes into a URL (IPv6 in brackets)
 */
char *
sc_url_host (const char *host)
{
  if (strchr (host, ':') != NULL && host[0] != '[')
    return g_strdup_printf ("[%s]", host);
  return g_strdup (host);
}

/**
 * sc_ticket_to_json:
 *
 * Returns: (transfer full): the ticket of @reservation, as SPEC.md shows it
 */
JsonNode *
sc_ticket_to_json (const ScReservation *r, const ScNode *node,
                   const ScTicketSecrets *secrets, int admit_early_s)
{
  g_autoptr (JsonBuilder) b = json_builder_new_immutable ();
  g_autofree char *host = sc_url_host (node->public_host);
  g_autofree char *rtsp_base = g_strdup_printf ("rtsp://%s:%d/live/%s", host,
                                                node->rtsp_port, r->stream);
  g_autofree char *rtsp_publish
      = g_strdup_printf ("%s?token=%s", rtsp_base, secrets->publish_token);
  g_autofree char *rtsp_play
      = secrets->view_token != NULL
            ? g_strdup_printf ("%s?token=%s", rtsp_base, secrets->view_token)
            : g_strdup (rtsp_base);
  g_autofree char *rtmp_server
      = g_strdup_printf ("rtmp://%s:%d/live", host, node->rtmp_port);
  g_autofree char *rtmp_key
      = g_strdup_printf ("%s?token=%s", r->stream, secrets->publish_token);

  json_builder_begin_object (b);
  add_string (b, "type", "slotcast-ticket");
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, 1);
  add_string (b, "action", "store");
  add_string (b, "id", r->id);
  add_string (b, "stream", r->stream);
  add_string (b, "node", r->node);
  add_string (b, "visibility", sc_visibility_to_string (r->visibility));
  add_time (b, "start", r->start_us);
  add_time (b, "end", r->end_us);
  json_builder_set_member_name (b, "admit_early_s");
  json_builder_add_int_value (b, admit_early_s);
  add_string (b, "publish_token", secrets->publish_token);
  add_string (b, "view_token", secrets->view_token);
  json_builder_set_member_name (b, "connection");
  json_builder_begin_object (b);
  add_string (b, "rtsp_publish_url", rtsp_publish);
  add_string (b, "rtmp_server_url", rtmp_server);
  add_string (b, "rtmp_stream_key", rtmp_key);
  add_string (b, "rtsp_play_url", rtsp_play);
  add_string (b, "dial_in", node->dial_in);
  json_builder_end_object (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}
