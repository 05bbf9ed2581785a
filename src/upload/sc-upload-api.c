/* SPDX-License-Identifier: LGPL-2.1-or-later */

/**
 * SECTION:sc-upload-api
 *
 * The few calls the uploader makes to the booking service (docs/API.md):
 * book, fetch a ticket, cancel, through the shared #ScApiClient.
 * Synchronous: the uploader's commands are one request each. Errors carry
 * the server's message; a 404 is %SC_UPLOAD_ERROR_NOT_FOUND.
 */

#include "config.h"

#include "sc-upload-api.h"

#include <string.h>

#define TIMEOUT_S 15
#define MAX_ANSWER_BYTES 65536

/**
 * sc_upload_client_new:
 * @server: the booking service's base URL
 * @api_key: (nullable): the user's API key
 * @ca_file: (nullable): PEM certificates to trust besides the system's (a
 *   booking service's self-signed certificate)
 *
 * Returns: (transfer full) (nullable): a client for @server
 */
ScApiClient *
sc_upload_client_new (const char *server, const char *api_key,
                      const char *ca_file, GError **error)
{
  return sc_api_client_new (server, api_key, ca_file, TIMEOUT_S,
                            MAX_ANSWER_BYTES, error);
}

/* The uploader's error for a failed call: its own domain. */
static void
set_error (GError **error, GError *cause, guint status)
{
  g_set_error_literal (error, SC_UPLOAD_ERROR,
                       status == SOUP_STATUS_NOT_FOUND
                           ? SC_UPLOAD_ERROR_NOT_FOUND
                           : SC_UPLOAD_ERROR_SERVER,
                       cause->message);
  g_error_free (cause);
}

/* A call whose answer is a ticket of @client's server. */
static ScTicket *
call_for_ticket (ScApiClient *client, const char *method, const char *path,
                 const char *body, GError **error)
{
  g_autoptr (GBytes) request
      = body != NULL ? g_bytes_new (body, strlen (body)) : NULL;
  g_autoptr (GBytes) response = NULL;
  GError *cause = NULL;
  guint status = 0;
  gsize len;
  const char *data;
  ScTicket *t;

  response
      = sc_api_client_call (client, method, path, request, &status, &cause);
  if (response == NULL)
    {
      set_error (error, cause, status);
      return NULL;
    }
  data = g_bytes_get_data (response, &len);
  if ((t = sc_ticket_parse (data, len, error)) != NULL)
    t->server = g_strdup (sc_api_client_get_base_url (client));
  return t;
}

/**
 * sc_upload_api_book:
 * @body: the booking request (docs/API.md)
 *
 * Returns: (transfer full) (nullable): the ticket, its server set
 */
ScTicket *
sc_upload_api_book (ScApiClient *client, const char *body, GError **error)
{
  return call_for_ticket (client, "POST", "/api/v1/reservations", body, error);
}

/**
 * sc_upload_server_of:
 *
 * Returns: (transfer full) (nullable): the booking service's base URL of a
 *   ticket URL (…/api/v1/…)
 */
char *
sc_upload_server_of (const char *url)
{
  const char *api = strstr (url, "/api/v1/");

  return api ? g_strndup (url, api - url) : NULL;
}

/**
 * sc_upload_api_fetch:
 * @url: a ticket's URL on @client's server
 *
 * Returns: (transfer full) (nullable): the ticket at @url
 */
ScTicket *
sc_upload_api_fetch (ScApiClient *client, const char *url, GError **error)
{
  return call_for_ticket (client, "GET", url, NULL, error);
}

/**
 * sc_upload_api_cancel:
 */
gboolean
sc_upload_api_cancel (ScApiClient *client, const char *id, GError **error)
{
  g_autofree char *path = g_strconcat ("/api/v1/reservations/", id, NULL);
  g_autoptr (GBytes) response = NULL;
  GError *cause = NULL;
  guint status = 0;

  response = sc_api_client_call (client, "DELETE", path, NULL, &status, &cause);
  if (response == NULL)
    {
      set_error (error, cause, status);
      return FALSE;
    }
  return TRUE;
}
