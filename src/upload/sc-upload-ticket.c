/* SPDX-License-Identifier: LGPL-2.1-or-later */

/**
 * SECTION:sc-upload-ticket
 *
 * The uploader's own forms of a ticket (#ScTicket, read by
 * sc_ticket_parse()): what its store keeps, `{"server": URL|null,
 * "ticket": {…}}`, writer and reader side by side, and the text it shows
 * people.
 */

#include "config.h"

#include "sc-upload-ticket.h"

#include "sc-clock.h"
#include "sc-json.h"

#include <string.h>

/* The quark's name is one token: clang-format would space it out. */
/* clang-format off */
G_DEFINE_QUARK (sc-upload-error-quark, sc_upload_error)
/* clang-format on */

/**
 * sc_upload_ticket_to_data:
 *
 * Returns: (transfer full): what the store seals for @ticket
 */
char *
sc_upload_ticket_to_data (const ScTicket *ticket)
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
ScTicket *
sc_upload_ticket_from_data (const char *data, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *o;
  ScTicket *t;

  if (!json_parser_load_from_data (parser, data, -1, error))
    return NULL;
  o = json_parser_get_root (parser) != NULL
              && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser))
          ? json_node_get_object (json_parser_get_root (parser))
          : NULL;
  if (o == NULL || !json_object_has_member (o, "ticket"))
    {
      g_set_error (error, SC_UPLOAD_ERROR, SC_UPLOAD_ERROR_BAD_TICKET,
                   "Stored data without a ticket");
      return NULL;
    }
  t = sc_ticket_new_from_json (json_object_get_member (o, "ticket"), error);
  if (t != NULL)
    t->server = g_strdup (sc_json_string_of (o, "server"));
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
sc_upload_ticket_describe (const ScTicket *t, gboolean reveal)
{
  g_autoptr (GString) s = g_string_new (NULL);
  g_autofree char *start = local_time (t->start_us);
  g_autofree char *end = local_time (t->end_us);
  g_autofree char *rtmp = sc_ticket_rtmp_url (t);
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
