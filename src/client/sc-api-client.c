/* SPDX-License-Identifier: LGPL-2.1-or-later */

/**
 * ScApiClient:
 *
 * The one client of the booking service's HTTP API (docs/API.md), shared by
 * the uploader (book, fetch a ticket, cancel) and an ingest node apart
 * (register, the reservation feed, reports). It holds the base URL, the
 * key sent as `Authorization: Bearer`, one SoupSession (keep-alive, the
 * trusted certificates) and the limit on an answer's size, so that every
 * caller reads answers and errors the same way: a 2xx answer's body, or an
 * %SC_API_ERROR_STATUS whose message carries the status and the service's
 * own message.
 *
 * Calls are synchronous (a command of the uploader, a node's start) or
 * asynchronous (a node's loops; never blocking its main context). A client
 * belongs to the thread that made it, as its SoupSession does; asynchronous
 * calls complete on the thread-default main context of the caller.
 */

#include "config.h"

#include "sc-api-client.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>

/* clang-format off */
G_DEFINE_QUARK (sc-api-error-quark, sc_api_error)
/* clang-format on */

struct _ScApiClient
{
  GObject parent_instance;

  SoupSession *session;
  char *base_url; /* without a trailing slash */
  char *auth_header;
  gsize max_answer_bytes;
};

G_DEFINE_FINAL_TYPE (ScApiClient, sc_api_client, G_TYPE_OBJECT)

static void
sc_api_client_finalize (GObject *object)
{
  ScApiClient *self = SC_API_CLIENT (object);

  g_clear_object (&self->session);
  g_free (self->base_url);
  g_free (self->auth_header);
  G_OBJECT_CLASS (sc_api_client_parent_class)->finalize (object);
}

static void
sc_api_client_class_init (ScApiClientClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sc_api_client_finalize;
}

static void
sc_api_client_init (ScApiClient *self)
{
}

/**
 * sc_api_client_new:
 * @base_url: the booking service, e.g. "https://booking.example:8080"
 * @key: (nullable): an API or node key
 * @ca_file: (nullable): PEM certificates to trust besides the system's (a
 *   booking service's self-signed certificate)
 * @timeout_s: the I/O time-out of every call (a long poll's wait included)
 *
 * Returns: (transfer full) (nullable): a client, or %NULL if @ca_file
 *   cannot be read
 */
ScApiClient *
sc_api_client_new (const char *base_url, const char *key, const char *ca_file,
                   guint timeout_s, gsize max_answer_bytes, GError **error)
{
  g_autoptr (ScApiClient) self = g_object_new (SC_TYPE_API_CLIENT, NULL);
  size_t len = strlen (base_url);

  while (len > 0 && base_url[len - 1] == '/')
    len--;
  self->base_url = g_strndup (base_url, len);
  self->auth_header = key != NULL ? g_strconcat ("Bearer ", key, NULL) : NULL;
  self->max_answer_bytes = max_answer_bytes;
  self->session = soup_session_new_with_options (
      "timeout", timeout_s, "user-agent", "slotcast/" PACKAGE_VERSION, NULL);
  if (ca_file != NULL)
    {
      g_autoptr (GTlsDatabase) db = g_tls_file_database_new (ca_file, error);

      if (db == NULL)
        return NULL;
      soup_session_set_tls_database (self->session, db);
    }
  return g_steal_pointer (&self);
}

const char *
sc_api_client_get_base_url (ScApiClient *self)
{
  return self->base_url;
}

/* @path under the base URL, or a whole URL. */
static SoupMessage *
new_message (ScApiClient *self, const char *method, const char *path,
             GBytes *body, GError **error)
{
  g_autofree char *url = g_str_has_prefix (path, "http://")
                                 || g_str_has_prefix (path, "https://")
                             ? g_strdup (path)
                             : g_strconcat (self->base_url, path, NULL);
  SoupMessage *msg = soup_message_new (method, url);

  if (msg == NULL)
    {
      g_set_error (error, SC_API_ERROR, SC_API_ERROR_URL, "Not a URL: %s", url);
      return NULL;
    }
  if (self->auth_header != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg),
                                  "Authorization", self->auth_header);
  if (body != NULL)
    soup_message_set_request_body_from_bytes (msg, "application/json", body);
  return msg;
}

/* The service's own message from an error answer, if it has one. */
static char *
service_message (GBytes *body)
{
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  gsize len = 0;
  const char *data = body != NULL ? g_bytes_get_data (body, &len) : NULL;
  JsonNode *root, *e;

  if (data == NULL || len == 0
      || !json_parser_load_from_data (parser, data, len, NULL)
      || (root = json_parser_get_root (parser)) == NULL
      || !JSON_NODE_HOLDS_OBJECT (root)
      || (e = json_object_get_member (json_node_get_object (root), "error"))
             == NULL
      || !JSON_NODE_HOLDS_OBJECT (e))
    return NULL;
  return g_strdup (json_object_get_string_member_with_default (
      json_node_get_object (e), "message", NULL));
}

/* The answer of @msg: its body for 2xx, else an error. */
static GBytes *
answer (ScApiClient *self, SoupMessage *msg, GBytes *body, guint *out_status,
        GError **error)
{
  guint status = soup_message_get_status (msg);

  if (out_status != NULL)
    *out_status = status;
  if (g_bytes_get_size (body) > self->max_answer_bytes)
    {
      g_set_error (error, SC_API_ERROR, SC_API_ERROR_TOO_LARGE,
                   "The server's answer is too large (%zu bytes)",
                   g_bytes_get_size (body));
      return NULL;
    }
  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      g_autofree char *message = service_message (body);

      g_set_error (error, SC_API_ERROR, SC_API_ERROR_STATUS,
                   "The server answered %u %s%s%s", status,
                   soup_message_get_reason_phrase (msg),
                   message != NULL ? ": " : "", message ? message : "");
      return NULL;
    }
  return g_bytes_ref (body);
}

/**
 * sc_api_client_call:
 * @path: under the base URL ("/api/v1/…"), or a whole URL
 * @body: (nullable): a JSON body
 * @out_status: (out) (optional): the HTTP status, 0 when none came
 *
 * Returns: (transfer full) (nullable): the body of a 2xx answer
 */
GBytes *
sc_api_client_call (ScApiClient *self, const char *method, const char *path,
                    GBytes *body, guint *out_status, GError **error)
{
  g_autoptr (SoupMessage) msg = new_message (self, method, path, body, error);
  g_autoptr (GBytes) got = NULL;

  if (out_status != NULL)
    *out_status = 0;
  if (msg == NULL)
    return NULL;
  got = soup_session_send_and_read (self->session, msg, NULL, error);
  if (got == NULL)
    return NULL;
  return answer (self, msg, got, out_status, error);
}

static void
on_sent (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (GTask) task = data;
  ScApiClient *self = g_task_get_source_object (task);
  SoupMessage *msg
      = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) got = soup_session_send_and_read_finish (
      SOUP_SESSION (source), result, &error);
  guint *status = g_task_get_task_data (task);
  GBytes *body;

  if (got == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  body = answer (self, msg, got, status, &error);
  if (body == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, body, (GDestroyNotify)g_bytes_unref);
}

/**
 * sc_api_client_call_async:
 *
 * sc_api_client_call() without blocking; completes on the caller's
 * thread-default main context.
 */
void
sc_api_client_call_async (ScApiClient *self, const char *method,
                          const char *path, GBytes *body,
                          GCancellable *cancellable,
                          GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr (GError) error = NULL;
  g_autoptr (SoupMessage) msg = NULL;

  g_task_set_task_data (task, g_new0 (guint, 1), g_free);
  msg = new_message (self, method, path, body, &error);
  if (msg == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT,
                                    cancellable, on_sent,
                                    g_steal_pointer (&task));
}

/**
 * sc_api_client_call_finish:
 * @out_status: (out) (optional): the HTTP status, 0 when none came
 *
 * Returns: (transfer full) (nullable): the body of a 2xx answer
 */
GBytes *
sc_api_client_call_finish (ScApiClient *self, GAsyncResult *result,
                           guint *out_status, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  if (out_status != NULL)
    *out_status = *(guint *)g_task_get_task_data (G_TASK (result));
  return g_task_propagate_pointer (G_TASK (result), error);
}
