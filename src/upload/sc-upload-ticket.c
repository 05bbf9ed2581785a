/* SPDX-License-Identifier: LGPL-2.1-or-later */

/**
 * SECTION:sc-upload-ticket
 *
 * The uploader's view of a ticket (SPEC.md, "The ticket"): parsed and
 * checked strictly, since a ticket may come from a downloaded file or any
 * URL; kept with the booking service it came from. Stored as
 * `{"server": URL|null, "ticket": {…}}`.
 */

#include "config.h"

#include "sc-upload-ticket.h"

#include "sc-booking.h"
#include "sc-clock.h"
#include "sc-ticket.h"
#include "sc-token.h"

#include <string.h>

/* The quark's name is one token: clang-format would space it out. */
/* clang-format off */
G_DEFINE_QUARK (sc-upload-error-quark, sc_upload_error)
/* clang-format on */

#define MAX_TICKET_BYTES 16384

void
sc_upload_ticket_free (ScUploadTicket *t)
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
  g_set_error (error, SC_UPLOAD_ERROR, SC_UPLOAD_ERROR_BAD_TICKET,
               "Not a Slotcast ticket: %s", what);
  return FALSE;
}

static gpointer
bad_null (GError **error, const char *what)
{
  bad (error, what);
  return NULL;
}

/* A string member of @o, or NULL (the member missing, null or not a
 * string). */
static const char *
string_member (JsonObject *o, const char *name)
{
  JsonNode *n = o ? json_object_get_member (o, name) : NULL;

  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n)
      || json_node_get_value_type (n) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (n);
}

static gboolean
take_string (JsonObject *o, const char *name, char **out, GError **error)
{
  const char *v = string_member (o, name);

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
  const char *v = string_member (o, name);

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

/* A DNS name or an IP address, nothing else (no percent-encoding, no
 * spaces, no quotes). */
static gboolean
host_valid (const char *host)
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
 * quote) can be in it. Sets @out_authority to "HOST[:PORT]". */
static gboolean
check_url (const char *field, const char *url, const char *scheme,
           const char *path_query, char **out_authority, GError **error)
{
  g_autoptr (GUri) uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);
  g_autofree char *host = NULL;
  g_autofree char *authority = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *what = NULL;
  int port;

  if (uri == NULL || g_strcmp0 (g_uri_get_scheme (uri), scheme) != 0)
    what = g_strdup_printf ("\"%s\" is not an %s:// URL", field, scheme);
  else if (!host_valid (g_uri_get_host (uri)))
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
                              path_query);
      return bad (error, what);
    }
  if (out_authority != NULL)
    *out_authority = g_steal_pointer (&authority);
  return TRUE;
}

/**
 * sc_upload_ticket_check:
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
sc_upload_ticket_check (const ScUploadTicket *t, GError **error)
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
                  &rtsp_host, error)
      || !check_url ("rtsp_play_url", t->rtsp_play_url, "rtsp", play,
                     &play_host, error)
      || !check_url ("rtmp_server_url", t->rtmp_server_url, "rtmp", "/live",
                     NULL, error))
    return FALSE;
  if (strcmp (rtsp_host, play_host) != 0)
    return bad (error, "\"rtsp_play_url\" is on another host");
  if (strcmp (t->rtmp_stream_key, key) != 0)
    return bad (error, "\"rtmp_stream_key\" is not STREAM?token=TOKEN");
  return TRUE;
}

/**
 * sc_upload_ticket_dup_publish_url:
 * @rtmp: the RTMP URL (server URL / stream key) rather than the RTSP one
 *
 * Returns: (transfer full) (nullable): the URL to publish to, checked again
 *   (sc_upload_ticket_check()), or %NULL with @error set
 */
char *
sc_upload_ticket_dup_publish_url (const ScUploadTicket *t, gboolean rtmp,
                                  GError **error)
{
  if (!sc_upload_ticket_check (t, error))
    return NULL;
  return rtmp ? sc_upload_ticket_rtmp_url (t) : g_strdup (t->rtsp_publish_url);
}

/**
 * sc_upload_ticket_new_from_json:
 * @json: a ticket object
 *
 * Returns: (transfer full) (nullable): the ticket, or %NULL with @error set
 */
ScUploadTicket *
sc_upload_ticket_new_from_json (JsonNode *json, GError **error)
{
  g_autoptr (ScUploadTicket) t = g_new0 (ScUploadTicket, 1);
  JsonObject *o = json != NULL && JSON_NODE_HOLDS_OBJECT (json)
                      ? json_node_get_object (json)
                      : NULL;
  JsonObject *c;
  JsonNode *n;

  if (o == NULL)
    return bad_null (error, "not a JSON object");
  if (g_strcmp0 (string_member (o, "type"), "slotcast-ticket") != 0)
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
  t->view_token = g_strdup (string_member (o, "view_token"));
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
  if (!sc_upload_ticket_check (t, error))
    return NULL;
  t->json = json_node_copy (json);
  return g_steal_pointer (&t);
}

/**
 * sc_upload_ticket_parse:
 *
 * Parses a ticket as the booking service sends it (at most 16 KiB).
 *
 * Returns: (transfer full) (nullable): the ticket, or %NULL with @error set
 */
ScUploadTicket *
sc_upload_ticket_parse (const char *text, gsize len, GError **error)
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
  return sc_upload_ticket_new_from_json (json_parser_get_root (parser), error);
}

/**
 * sc_upload_ticket_to_data:
 *
 * Returns: (transfer full): what the store seals for @ticket
 */
char *
sc_upload_ticket_to_data (const ScUploadTicket *ticket)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "server");
  if (ticket->server != NULL)
    json_builder_add_string_value (b, ticket->server);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "ticket");
  json_builder_add_value (b, json_node_copy (ticket->json));
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

/**
 * sc_upload_ticket_from_data:
 *
 * Returns: (transfer full) (nullable): the ticket sc_upload_ticket_to_data()
 *   wrote, or %NULL with @error set
 */
ScUploadTicket *
sc_upload_ticket_from_data (const char *data, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *o;
  ScUploadTicket *t;

  if (!json_parser_load_from_data (parser, data, -1, error))
    return NULL;
  o = json_parser_get_root (parser) != NULL
              && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser))
          ? json_node_get_object (json_parser_get_root (parser))
          : NULL;
  if (o == NULL || !json_object_has_member (o, "ticket"))
    return bad_null (error, "stored data without a ticket");
  t = sc_upload_ticket_new_from_json (json_object_get_member (o, "ticket"),
                                      error);
  if (t != NULL)
    t->server = g_strdup (string_member (o, "server"));
  return t;
}

/* @text with every @secret in it shortened to its first 4 characters. */
static char *
mask (const char *text, const char *secret)
{
  g_autofree char *shown = NULL;
  g_auto (GStrv) parts = NULL;

  if (secret == NULL || strlen (secret) < 8)
    return g_strdup (text);
  shown = g_strdup_printf ("%.4s…", secret);
  parts = g_strsplit (text, secret, -1);
  return g_strjoinv (shown, parts);
}

static char *
local_time (gint64 us)
{
  g_autoptr (GDateTime) dt
      = g_date_time_new_from_unix_local ((us) / G_USEC_PER_SEC);

  return g_date_time_format (dt, "%Y-%m-%d %H:%M:%S %Z");
}

/**
 * sc_upload_ticket_describe:
 * @reveal: show the tokens; otherwise only their first characters
 *
 * Returns: (transfer full): @ticket for people, a field per line
 */
char *
sc_upload_ticket_describe (const ScUploadTicket *t, gboolean reveal)
{
  g_autoptr (GString) s = g_string_new (NULL);
  g_autofree char *start = local_time (t->start_us);
  g_autofree char *end = local_time (t->end_us);
  g_autofree char *rtmp = sc_upload_ticket_rtmp_url (t);
  const char *urls[][2] = {
    { "rtsp publish", t->rtsp_publish_url },
    { "rtmp server", t->rtmp_server_url },
    { "rtmp key", t->rtmp_stream_key },
    { "rtmp url", rtmp },
    { "play", t->rtsp_play_url },
    { "publish token", t->publish_token },
    { "view token", t->view_token },
  };

  g_string_append_printf (s, "id: %s\nstream: %s\nstart: %s\nend: %s\n", t->id,
                          t->stream, start, end);
  if (t->server != NULL)
    g_string_append_printf (s, "server: %s\n", t->server);
  for (guint i = 0; i < G_N_ELEMENTS (urls); i++)
    {
      g_autofree char *a = NULL;
      g_autofree char *b = NULL;

      if (urls[i][1] == NULL)
        continue;
      a = reveal ? g_strdup (urls[i][1]) : mask (urls[i][1], t->publish_token);
      b = reveal ? g_strdup (a) : mask (a, t->view_token);
      g_string_append_printf (s, "%s: %s\n", urls[i][0], b);
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

/**
 * sc_upload_ticket_rtmp_url:
 *
 * Returns: (transfer full): the RTMP publish URL (server URL / stream key)
 */
char *
sc_upload_ticket_rtmp_url (const ScUploadTicket *t)
{
  return g_strdup_printf ("%s/%s", t->rtmp_server_url, t->rtmp_stream_key);
}
