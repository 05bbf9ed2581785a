/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * ScHttpAdmitter: an ingest node that runs apart from the booking service
 * (`slotcast ingest`) registers with it at start
 * (`POST /api/v1/ingest/register` with the node key), once, before its main
 * loop runs. Admission itself is the node's own (ScNodeSchedule, kept by
 * ScReservationSync): no question goes out per publisher.
 */

#include "config.h"

#include "sc-http-admitter.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>

#define TIMEOUT_S 5

struct _ScHttpAdmitter
{
  char *register_url;
  char *auth_header;
};

/**
 * sc_http_admitter_new:
 * @booking_url: e.g. "https://booking.example:8080"
 *
 * Returns: (transfer full): an admitter asking @booking_url
 */
ScHttpAdmitter *
sc_http_admitter_new (const char *booking_url, const char *node_key)
{
  ScHttpAdmitter *self = g_new0 (ScHttpAdmitter, 1);
  size_t len = strlen (booking_url);

  while (len > 0 && booking_url[len - 1] == '/')
    len--;
  self->register_url
      = g_strdup_printf ("%.*s/api/v1/ingest/register", (int)len, booking_url);
  self->auth_header = g_strconcat ("Bearer ", node_key, NULL);
  return self;
}

void
sc_http_admitter_free (ScHttpAdmitter *self)
{
  if (self == NULL)
    return;
  g_free (self->register_url);
  g_free (self->auth_header);
  g_free (self);
}

/* POSTs @body; returns the status and the parsed answer. */
static guint
post (ScHttpAdmitter *self, const char *url, JsonNode *body,
      JsonNode **out_answer, GError **error)
{
  g_autoptr (SoupSession) session
      = soup_session_new_with_options ("timeout", TIMEOUT_S, NULL);
  g_autoptr (SoupMessage) msg = soup_message_new ("POST", url);
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (GBytes) request = NULL;
  g_autoptr (GBytes) response = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  char *text;
  gsize len;

  if (msg == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Bad booking service URL %s", url);
      return 0;
    }
  json_generator_set_root (gen, body);
  text = json_generator_to_data (gen, &len);
  request = g_bytes_new_take (text, len);
  soup_message_headers_replace (soup_message_get_request_headers (msg),
                                "Authorization", self->auth_header);
  soup_message_set_request_body_from_bytes (msg, "application/json", request);
  response = soup_session_send_and_read (session, msg, NULL, error);
  if (response == NULL)
    return 0;
  if (out_answer != NULL
      && json_parser_load_from_data (parser, g_bytes_get_data (response, NULL),
                                     g_bytes_get_size (response), NULL)
      && json_parser_get_root (parser) != NULL)
    *out_answer = json_node_copy (json_parser_get_root (parser));
  return soup_message_get_status (msg);
}

static const char *
member (JsonNode *node, const char *a, const char *b)
{
  JsonObject *o;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  o = json_node_get_object (node);
  if (b != NULL)
    {
      if (!json_object_has_member (o, a)
          || !JSON_NODE_HOLDS_OBJECT (json_object_get_member (o, a)))
        return NULL;
      o = json_object_get_object_member (o, a);
      a = b;
    }
  if (!json_object_has_member (o, a)
      || !JSON_NODE_HOLDS_VALUE (json_object_get_member (o, a)))
    return NULL;
  return json_object_get_string_member (o, a);
}

/**
 * sc_http_admitter_register:
 *
 * Tells the booking service where this node can be reached, so that
 * tickets carry the ports really in use.
 */
gboolean
sc_http_admitter_register (ScHttpAdmitter *self, const char *name,
                           const char *public_host, int rtsp_port,
                           int rtmp_port, GError **error)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) body = NULL;
  g_autoptr (JsonNode) answer = NULL;
  guint status;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, name);
  json_builder_set_member_name (b, "public_host");
  json_builder_add_string_value (b, public_host);
  json_builder_set_member_name (b, "rtsp_port");
  json_builder_add_int_value (b, rtsp_port);
  json_builder_set_member_name (b, "rtmp_port");
  json_builder_add_int_value (b, rtmp_port);
  json_builder_end_object (b);
  body = json_builder_get_root (b);
  status = post (self, self->register_url, body, &answer, error);
  if (status == 0)
    return FALSE;
  if (status != SOUP_STATUS_OK)
    {
      const char *message = member (answer, "error", "message");
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "The booking service refused this node (%u): %s", status,
                   message ? message : "no reason given");
      return FALSE;
    }
  return TRUE;
}
