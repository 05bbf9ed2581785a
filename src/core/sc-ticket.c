/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * JSON forms of a reservation: the public one (no secrets) for lists, and
 * the ticket (tokens and connection URLs) for its broadcaster, with its
 * reader beside its writer. The ticket's shape is fixed by SPEC.md; the
 * uploader reads it with sc_ticket_parse(), strictly, since a ticket may
 * come from a downloaded file or any URL (fuzz-ticket).
 */

#include "config.h"

#include "sc-ticket.h"

#include "sc-booking.h"
#include "sc-clock.h"
#include "sc-json.h"
#include "sc-token.h"

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

/* ---- the reader ------------------------------------------------------ */

/* The quark's name is one token: clang-format would space it out. */
/* clang-format off */
G_DEFINE_QUARK (sc-ticket-error-quark, sc_ticket_error)
/* clang-format on */

#define MAX_TICKET_BYTES 16384

void
sc_ticket_free (ScTicket *t)
{
  if (t == NULL)
    return;
  g_free (t->id);
  g_free (t->stream);
  g_free (t->publish_token);
  g_free (t->view_token);
  g_free (t->rtsp_publish_url);
  g_free (t->rtmp_server_url);
  g_free (t->rtmp_stream_key);
  g_free (t->rtsp_play_url);
  g_free (t->server);
  g_clear_pointer (&t->json, json_node_unref);
  g_free (t);
}

static gboolean
bad (GError **error, const char *what)
{
  g_set_error (error, SC_TICKET_ERROR, SC_TICKET_ERROR_INVALID,
               "Not a Slotcast ticket: %s", what);
  return FALSE;
}

static gpointer
bad_null (GError **error, const char *what)
{
  bad (error, what);
  return NULL;
}

static gboolean
take_string (JsonObject *o, const char *name, char **out, GError **error)
{
  const char *v = sc_json_string_of (o, name);

  if (v == NULL || v[0] == '\0')
    {
      g_autofree char *what = g_strdup_printf ("\"%s\" is missing", name);
      return bad (error, what);
    }
  *out = g_strdup (v);
  return TRUE;
}

static gboolean
take_time (JsonObject *o, const char *name, gint64 *out, GError **error)
{
  const char *v = sc_json_string_of (o, name);

  if (v == NULL || !sc_time_parse (v, out))
    {
      g_autofree char *what
          = g_strdup_printf ("\"%s\" is not an RFC 3339 time", name);
      return bad (error, what);
    }
  return TRUE;
}

/* A token as the booking service makes them: 43 base64url characters. */
static gboolean
token_valid (const char *token)
{
  if (strlen (token) != SC_TOKEN_TEXT_LEN)
    return FALSE;
  for (const char *p = token; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_')
      return FALSE;
  return TRUE;
}

/**
 * sc_url_host_valid:
 *
 * Returns: whether @host is a DNS name or an IP address, nothing else (no
 *   percent-encoding, no spaces, no quotes): what a ticket's URLs carry
 */
gboolean
sc_url_host_valid (const char *host)
{
  gsize len = host ? strlen (host) : 0;

  if (len == 0 || len > 253)
    return FALSE;
  if (g_hostname_is_ip_address (host))
    return TRUE;
  if (host[0] == '-' || host[0] == '.')
    return FALSE;
  for (const char *p = host; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '.')
      return FALSE;
  return TRUE;
}

/* Checks that @url, the ticket's member @field, is exactly
 * SCHEME://HOST[:PORT]@path_query: parsed with GUri for its host and port,
 * then compared with the URL built again from them, so that nothing but
 * those parts (no user info, fragment, other query, percent-encoding or
 * quote) can be in it. Sets @out_authority to "HOST[:PORT]". @shown is
 * @path_query as the error tells it: without the token, which is never
 * written into a message. */
static gboolean
check_url (const char *field, const char *url, const char *scheme,
           const char *path_query, const char *shown, char **out_authority,
           GError **error)
{
  g_autoptr (GUri) uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);
  g_autofree char *host = NULL;
  g_autofree char *authority = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *what = NULL;
  int port;

  if (uri == NULL || g_strcmp0 (g_uri_get_scheme (uri), scheme) != 0)
    what = g_strdup_printf ("\"%s\" is not an %s:// URL", field, scheme);
  else if (!sc_url_host_valid (g_uri_get_host (uri)))
    what = g_strdup_printf ("\"%s\" has no valid host", field);
  if (what != NULL)
    return bad (error, what);
  host = sc_url_host (g_uri_get_host (uri));
  port = g_uri_get_port (uri);
  authority = port > 0 ? g_strdup_printf ("%s:%d", host, port)
                       : g_steal_pointer (&host);
  expected = g_strdup_printf ("%s://%s%s", scheme, authority, path_query);
  if (strcmp (url, expected) != 0)
    {
      what = g_strdup_printf ("\"%s\" is not %s://HOST:PORT%s", field, scheme,
                              shown);
      return bad (error, what);
    }
  if (out_authority != NULL)
    *out_authority = g_steal_pointer (&authority);
  return TRUE;
}

/**
 * sc_ticket_check:
 *
 * Checks what of @ticket goes to the network or into a pipeline: the tokens
 * are tokens and every connection URL is exactly what the booking service
 * writes (rtsp://HOST:PORT/live/STREAM?token=TOKEN and so on), with a valid
 * host and nothing else. Run when a ticket is parsed (at import and when it
 * is read from the store) and again before its URL is used.
 *
 * Returns: whether @ticket is sound; %FALSE with @error naming the field
 */
gboolean
sc_ticket_check (const ScTicket *t, GError **error)
{
  g_autofree char *publish = NULL;
  g_autofree char *play = NULL;
  g_autofree char *key = NULL;
  g_autofree char *rtsp_host = NULL;
  g_autofree char *play_host = NULL;

  if (!sc_booking_stream_name_valid (t->stream))
    return bad (error, "\"stream\" is not a stream name");
  if (!token_valid (t->publish_token))
    return bad (error, "\"publish_token\" is not a token");
  if (t->view_token != NULL && !token_valid (t->view_token))
    return bad (error, "\"view_token\" is not a token");
  publish = g_strdup_printf ("/live/%s?token=%s", t->stream, t->publish_token);
  play = t->view_token != NULL
             ? g_strdup_printf ("/live/%s?token=%s", t->stream, t->view_token)
             : g_strdup_printf ("/live/%s", t->stream);
  key = g_strdup_printf ("%s?token=%s", t->stream, t->publish_token);
  if (!check_url ("rtsp_publish_url", t->rtsp_publish_url, "rtsp", publish,
                  "/live/STREAM?token=PUBLISH_TOKEN", &rtsp_host, error)
      || !check_url ("rtsp_play_url", t->rtsp_play_url, "rtsp", play,
                     t->view_token != NULL ? "/live/STREAM?token=VIEW_TOKEN"
                                           : "/live/STREAM",
                     &play_host, error)
      || !check_url ("rtmp_server_url", t->rtmp_server_url, "rtmp", "/live",
                     "/live", NULL, error))
    return FALSE;
  if (strcmp (rtsp_host, play_host) != 0)
    return bad (error, "\"rtsp_play_url\" is on another host");
  if (strcmp (t->rtmp_stream_key, key) != 0)
    return bad (error, "\"rtmp_stream_key\" is not STREAM?token=TOKEN");
  return TRUE;
}

/**
 * sc_ticket_dup_publish_url:
 * @rtmp: the RTMP URL (server URL / stream key) rather than the RTSP one
 *
 * Returns: (transfer full) (nullable): the URL to publish to, checked again
 *   (sc_ticket_check()), or %NULL with @error set
 */
char *
sc_ticket_dup_publish_url (const ScTicket *t, gboolean rtmp, GError **error)
{
  if (!sc_ticket_check (t, error))
    return NULL;
  return rtmp ? sc_ticket_rtmp_url (t) : g_strdup (t->rtsp_publish_url);
}

/**
 * sc_ticket_new_from_json:
 * @json: a ticket object
 *
 * Returns: (transfer full) (nullable): the ticket, or %NULL with @error set
 */
ScTicket *
sc_ticket_new_from_json (JsonNode *json, GError **error)
{
  g_autoptr (ScTicket) t = g_new0 (ScTicket, 1);
  JsonObject *o = json != NULL && JSON_NODE_HOLDS_OBJECT (json)
                      ? json_node_get_object (json)
                      : NULL;
  JsonObject *c;
  JsonNode *n;

  if (o == NULL)
    return bad_null (error, "not a JSON object");
  if (g_strcmp0 (sc_json_string_of (o, "type"), "slotcast-ticket") != 0)
    return bad_null (error, "\"type\" is not \"slotcast-ticket\"");
  n = json_object_get_member (o, "version");
  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n)
      || json_node_get_value_type (n) != G_TYPE_INT64
      || json_node_get_int (n) != 1)
    return bad_null (error, "only version 1 is understood");
  if (!take_string (o, "id", &t->id, error)
      || !take_string (o, "stream", &t->stream, error)
      || !take_string (o, "publish_token", &t->publish_token, error)
      || !take_time (o, "start", &t->start_us, error)
      || !take_time (o, "end", &t->end_us, error))
    return NULL;
  if (!g_uuid_string_is_valid (t->id))
    return bad_null (error, "\"id\" is not a UUID");
  if (t->end_us <= t->start_us)
    return bad_null (error, "\"end\" is not after \"start\"");
  t->view_token = g_strdup (sc_json_string_of (o, "view_token"));
  n = json_object_get_member (o, "admit_early_s");
  if (n != NULL && JSON_NODE_HOLDS_VALUE (n)
      && json_node_get_value_type (n) == G_TYPE_INT64)
    t->admit_early_s = CLAMP (json_node_get_int (n), 0, 3600);

  n = json_object_get_member (o, "connection");
  c = n && JSON_NODE_HOLDS_OBJECT (n) ? json_node_get_object (n) : NULL;
  if (c == NULL)
    return bad_null (error, "\"connection\" is missing");
  if (!take_string (c, "rtsp_publish_url", &t->rtsp_publish_url, error)
      || !take_string (c, "rtmp_server_url", &t->rtmp_server_url, error)
      || !take_string (c, "rtmp_stream_key", &t->rtmp_stream_key, error)
      || !take_string (c, "rtsp_play_url", &t->rtsp_play_url, error))
    return NULL;
  if (!sc_ticket_check (t, error))
    return NULL;
  t->json = json_node_copy (json);
  return g_steal_pointer (&t);
}

/**
 * sc_ticket_parse:
 *
 * Parses a ticket as the booking service sends it (at most 16 KiB).
 *
 * Returns: (transfer full) (nullable): the ticket, or %NULL with @error set
 */
ScTicket *
sc_ticket_parse (const char *text, gsize len, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) local = NULL;

  if (len > MAX_TICKET_BYTES)
    return bad_null (error, "larger than 16 KiB");
  if (!json_parser_load_from_data (parser, text, len, &local))
    {
      g_autofree char *what
          = g_strdup_printf ("invalid JSON (%s)", local->message);
      return bad_null (error, what);
    }
  /* Empty input parses, to no root at all. */
  if (json_parser_get_root (parser) == NULL)
    return bad_null (error, "empty");
  return sc_ticket_new_from_json (json_parser_get_root (parser), error);
}

/**
 * sc_ticket_rtmp_url:
 *
 * Returns: (transfer full): the RTMP publish URL (server URL / stream key)
 */
char *
sc_ticket_rtmp_url (const ScTicket *t)
{
  return g_strdup_printf ("%s/%s", t->rtmp_server_url, t->rtmp_stream_key);
}
