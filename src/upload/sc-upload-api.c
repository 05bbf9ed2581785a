/* SPDX-License-Identifier: LGPL-2.1-or-later */

/**
 * SECTION:sc-upload-api
 *
 * The few calls the uploader makes to the booking service (docs/API.md):
 * book, fetch a ticket, cancel. Synchronous: the uploader's commands are
 * one request each. Errors carry the server's message.
 */

#include "config.h"

#include "sc-upload-api.h"

#include <string.h>

#define MAX_RESPONSE_BYTES 65536

/**
 * sc_upload_session_new:
 * @ca_file: (nullable): PEM certificates to trust besides the system's (a
 *   booking service's self-signed certificate)
 */
SoupSession *
sc_upload_session_new (const char *ca_file, GError **error)
{
  g_autoptr (SoupSession) session = soup_session_new_with_options (
      "timeout", 15, "user-agent", "slotcast-upload/" PACKAGE_VERSION, NULL);

  if (ca_file != NULL)
    {
      g_autoptr (GTlsDatabase) db = g_tls_file_database_new (ca_file, error);

      if (db == NULL)
        return NULL;
      soup_session_set_tls_database (session, db);
    }
  return g_steal_pointer (&session);
}

/* The server's error message from its JSON body, else the status. */
static void
set_server_error (GError **error, SoupMessage *msg, GBytes *body)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  const char *message = NULL;
  gsize len = 0;
  const char *data = body ? g_bytes_get_data (body, &len) : NULL;

  if (data != NULL && json_parser_load_from_data (parser, data, len, NULL)
      && json_parser_get_root (parser) != NULL
      && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      JsonObject *o = json_node_get_object (json_parser_get_root (parser));
      JsonNode *e = json_object_get_member (o, "error");

      if (e != NULL && JSON_NODE_HOLDS_OBJECT (e))
        message = json_object_get_string_member_with_default (
            json_node_get_object (e), "message", NULL);
    }
  g_set_error (error, SC_UPLOAD_ERROR,
               soup_message_get_status (msg) == SOUP_STATUS_NOT_FOUND
                   ? SC_UPLOAD_ERROR_NOT_FOUND
                   : SC_UPLOAD_ERROR_SERVER,
               "The server answered %u %s%s%s", soup_message_get_status (msg),
               soup_message_get_reason_phrase (msg), message ? ": " : "",
               message ? message : "");
}

static GBytes *
call (SoupSession *session, const char *method, const char *url,
      const char *key, const char *body, SoupMessage **out_msg, GError **error)
{
  g_autoptr (SoupMessage) msg = soup_message_new (method, url);
  g_autoptr (GBytes) response = NULL;

  if (msg == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Not a URL: %s", url);
      return NULL;
    }
  if (key != NULL)
    {
      g_autofree char *bearer = g_strconcat ("Bearer ", key, NULL);
      soup_message_headers_replace (soup_message_get_request_headers (msg),
                                    "Authorization", bearer);
    }
  if (body != NULL)
    {
      g_autoptr (GBytes) b = g_bytes_new (body, strlen (body));
      soup_message_set_request_body_from_bytes (msg, "application/json", b);
    }
  response = soup_session_send_and_read (session, msg, NULL, error);
  if (response == NULL)
    return NULL;
  if (g_bytes_get_size (response) > MAX_RESPONSE_BYTES)
    {
      g_set_error (error, SC_UPLOAD_ERROR, SC_UPLOAD_ERROR_SERVER,
                   "The server's answer is too large");
      return NULL;
    }
  if (!SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (msg)))
    {
      set_server_error (error, msg, response);
      return NULL;
    }
  *out_msg = g_steal_pointer (&msg);
  return g_steal_pointer (&response);
}

static char *
api_url (const char *server, const char *path)
{
  gsize n = strlen (server);

  while (n > 0 && server[n - 1] == '/')
    n--;
  return g_strdup_printf ("%.*s/api/v1%s", (int)n, server, path);
}

/* The booking service's base URL of a ticket URL (…/api/v1/…). */
static char *
server_of (const char *url)
{
  const char *api = strstr (url, "/api/v1/");

  return api ? g_strndup (url, api - url) : NULL;
}

/* A call whose answer is a ticket; @server is where it came from. */
static ScUploadTicket *
call_for_ticket (SoupSession *session, const char *method, const char *url,
                 const char *key, const char *body, const char *server,
                 GError **error)
{
  g_autoptr (SoupMessage) msg = NULL;
  g_autoptr (GBytes) response
      = call (session, method, url, key, body, &msg, error);
  gsize len;
  const char *data;
  ScUploadTicket *t;

  if (response == NULL)
    return NULL;
  data = g_bytes_get_data (response, &len);
  if ((t = sc_upload_ticket_parse (data, len, error)) != NULL)
    t->server = g_strdup (server);
  return t;
}

/**
 * sc_upload_api_book:
 * @body: the booking request (docs/API.md)
 *
 * Returns: (transfer full) (nullable): the ticket, its server set
 */
ScUploadTicket *
sc_upload_api_book (SoupSession *session, const char *server, const char *key,
                    const char *body, GError **error)
{
  g_autofree char *url = api_url (server, "/reservations");

  return call_for_ticket (session, "POST", url, key, body, server, error);
}

/**
 * sc_upload_api_fetch:
 * @key: (nullable): an API key, if the URL needs one
 *
 * Returns: (transfer full) (nullable): the ticket at @url
 */
ScUploadTicket *
sc_upload_api_fetch (SoupSession *session, const char *url, const char *key,
                     GError **error)
{
  g_autofree char *server = server_of (url);

  return call_for_ticket (session, "GET", url, key, NULL, server, error);
}

/**
 * sc_upload_api_cancel:
 */
gboolean
sc_upload_api_cancel (SoupSession *session, const char *server, const char *key,
                      const char *id, GError **error)
{
  g_autofree char *path = g_strconcat ("/reservations/", id, NULL);
  g_autofree char *url = api_url (server, path);
  g_autoptr (SoupMessage) msg = NULL;
  g_autoptr (GBytes) response
      = call (session, "DELETE", url, key, NULL, &msg, error);

  return response != NULL;
}
