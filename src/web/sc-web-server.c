/* SPDX-License-Identifier: LGPL-2.1-or-later */

/**
 * ScWebServer:
 *
 * The booking service's HTTP(S) front: a #SoupServer with one handler per
 * path (the sc-api-*.c files), bearer-key authentication with a limit on
 * bad keys per address, request-body bounds, /metrics counters and a
 * graceful stop.
 *
 * Writes use group commit: the first write of a main-loop iteration opens a
 * transaction, each write is a savepoint in it, and its response is held
 * (the message paused) until an idle callback commits the group, after
 * every request that was ready has been handled. A response never reports
 * a write that is not committed; under load one commit serves many
 * bookings.
 *
 * Lifecycle: new → listen → (serve) → stop_async → unref. The server, its
 * database and its handlers all belong to the thread-default main context
 * that was current at listen time; nothing here blocks it for long (every
 * handler is a few prepared SQLite statements).
 */

#include "config.h"

#include "sc-web-server.h"

#include "sc-tls.h"
#include "sc-web-server-private.h"

#include <string.h>

G_DEFINE_FINAL_TYPE (ScWebServer, sc_web_server, G_TYPE_OBJECT)

#define AUTH_TABLE_MAX 65536
#define COUNTED_KEY "sc-counted"

static void commit_now (ScWebServer *self);

static void
sc_web_server_dispose (GObject *object)
{
  ScWebServer *self = SC_WEB_SERVER (object);

  commit_now (self);
  sc_api_session_drop_waiting (self);
  sc_api_feed_free (self);
  if (self->conns != NULL)
    sc_web_conns_close (self->conns);
  g_clear_object (&self->conns);
  if (self->soup != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->soup, self);
      soup_server_disconnect (self->soup);
    }
  g_clear_object (&self->soup);
  g_clear_handle_id (&self->stop_timeout_id, g_source_remove);
  G_OBJECT_CLASS (sc_web_server_parent_class)->dispose (object);
}

static void
sc_web_server_finalize (GObject *object)
{
  ScWebServer *self = SC_WEB_SERVER (object);

  g_clear_handle_id (&self->commit_idle_id, g_source_remove);
  g_clear_pointer (&self->pending_logins, g_hash_table_unref);
  g_clear_pointer (&self->node_reports, g_hash_table_unref);
  g_clear_pointer (&self->etags, g_hash_table_unref);
  g_clear_pointer (&self->settings, sc_settings_unref);
  g_clear_object (&self->db);
  g_clear_object (&self->clock);
  g_clear_object (&self->sealer);
  g_clear_object (&self->limiter);
  g_clear_object (&self->stop_task);
  g_clear_pointer (&self->awaiting_commit, g_ptr_array_unref);
  G_OBJECT_CLASS (sc_web_server_parent_class)->finalize (object);
}

static void
sc_web_server_class_init (ScWebServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sc_web_server_dispose;
  object_class->finalize = sc_web_server_finalize;
}

static void
sc_web_server_init (ScWebServer *self)
{
  self->awaiting_commit = g_ptr_array_new_with_free_func (g_object_unref);
  self->pending_logins
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->node_reports = g_hash_table_new_full (
      g_str_hash, g_str_equal, g_free, (GDestroyNotify)sc_node_report_free);
  self->etags = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

static void
maybe_finish_stop (ScWebServer *self)
{
  g_autoptr (GTask) task = NULL;

  if (self->stop_task == NULL || self->in_flight > 0)
    return;
  task = g_steal_pointer (&self->stop_task);
  g_clear_handle_id (&self->stop_timeout_id, g_source_remove);
  if (self->conns != NULL)
    sc_web_conns_close (self->conns);
  soup_server_disconnect (self->soup);
  g_task_return_boolean (task, TRUE);
}

static void
on_request_read (SoupServer *soup, SoupServerMessage *msg, gpointer data)
{
  ScWebServer *self = data;

  g_object_set_data (G_OBJECT (msg), COUNTED_KEY, GINT_TO_POINTER (1));
  self->in_flight++;
}

static void
request_done (ScWebServer *self, SoupServerMessage *msg)
{
  if (g_object_get_data (G_OBJECT (msg), COUNTED_KEY) == NULL)
    return;
  g_object_set_data (G_OBJECT (msg), COUNTED_KEY, NULL);
  self->in_flight--;
  maybe_finish_stop (self);
}

/* libsoup reports a 500 as "aborted": count statuses on both signals, and
 * for responses on connections kept alive, which it does not report
 * (ScWebConns). */
static void
count_response (SoupServerMessage *msg, gpointer data)
{
  ScWebServer *self = data;
  guint status = soup_server_message_get_status (msg);

  if (status >= 100 && status < 600)
    self->metrics.responses[status / 100]++;
  request_done (self, msg);
}

static void
on_request_finished (SoupServer *soup, SoupServerMessage *msg, gpointer data)
{
  count_response (msg, data);
}

/* Answers @msg (its error set) without reading its body, and closes the
 * connection: libsoup would read the whole body first. */
static void
refuse_unread (ScWebServer *self, SoupServerMessage *msg)
{
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Connection", "close");
  if (self->conns != NULL)
    sc_web_conns_respond_and_close (self->conns, msg);
}

/* Runs after the headers, before the body is read: refuse what must not be
 * read at all. */
static void
early_handler (SoupServer *soup, SoupServerMessage *msg, const char *path,
               GHashTable *query, gpointer data)
{
  ScWebServer *self = data;
  SoupMessageHeaders *req = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *resp = soup_server_message_get_response_headers (msg);
  goffset max = self->settings->max_body_bytes;
  const char *length;

  soup_message_headers_replace (resp, "X-Content-Type-Options", "nosniff");
  soup_message_headers_replace (resp, "Cache-Control", "no-store");

  if (self->stop_task != NULL)
    {
      soup_message_headers_replace (resp, "Connection", "close");
      sc_http_send_error (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "shutting_down",
                          "The server is stopping");
      return;
    }
  length = soup_message_headers_get_list (req, "Content-Length");
  if (length != NULL
      && (length[0] == '\0'
          || strspn (length, "0123456789") != strlen (length)))
    {
      /* Two lengths ("5, 10" once libsoup joined them) or garbage: a
       * request smuggler's, or a broken client's. */
      sc_http_send_error (msg, SOUP_STATUS_BAD_REQUEST, "bad_request",
                          "Content-Length must be one number");
      refuse_unread (self, msg);
      return;
    }
  if (soup_message_headers_get_encoding (req) == SOUP_ENCODING_CHUNKED)
    {
      sc_http_send_error (msg, SOUP_STATUS_LENGTH_REQUIRED, "length_required",
                          "Send request bodies with a Content-Length");
      refuse_unread (self, msg);
      return;
    }
  if (soup_message_headers_get_content_length (req) > max)
    {
      self->metrics.body_too_large++;
      sc_http_send_error (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE,
                          "too_large", "Request bodies are limited to %d bytes",
                          (int)max);
      refuse_unread (self, msg);
    }
}

/**
 * sc_web_server_add_route:
 * @path: the path @callback serves, with everything below it
 *
 * Registers one handler. libsoup runs only the early handler of the most
 * specific path, so every route gets the common early checks here.
 */
void
sc_web_server_add_route (ScWebServer *self, const char *path,
                         SoupServerCallback callback)
{
  soup_server_add_early_handler (self->soup, path, early_handler, self, NULL);
  soup_server_add_handler (self->soup, path, callback, self, NULL);
}

/**
 * sc_web_server_new:
 *
 * Returns: (transfer full): a server that is not listening yet
 */
ScWebServer *
sc_web_server_new (ScSettings *settings, ScDb *db, ScClock *clock,
                   ScSealer *sealer)
{
  ScWebServer *self = g_object_new (SC_TYPE_WEB_SERVER, NULL);
  g_autofree char *server_header
      = g_strdup_printf ("slotcast/%s ", PACKAGE_VERSION);

  self->settings = sc_settings_ref (settings);
  self->db = g_object_ref (db);
  self->clock = g_object_ref (clock);
  self->sealer = g_object_ref (sealer);
  self->limiter = sc_auth_limiter_new (
      settings->auth_fail_limit, settings->auth_fail_window_s * SC_USEC_PER_SEC,
      settings->auth_block_s * SC_USEC_PER_SEC, AUTH_TABLE_MAX);
  self->started_us = sc_clock_now_us (clock);

  self->soup = soup_server_new ("server-header", server_header, NULL);
  g_signal_connect (self->soup, "request-read", G_CALLBACK (on_request_read),
                    self);
  g_signal_connect (self->soup, "request-finished",
                    G_CALLBACK (on_request_finished), self);
  g_signal_connect (self->soup, "request-aborted",
                    G_CALLBACK (on_request_finished), self);
  sc_static_register (self);
  sc_api_session_register (self);
  sc_api_reservations_register (self);
  sc_api_ingest_register (self);
  sc_api_feed_register (self);
  sc_node_reports_register (self);
  sc_api_status_register (self);
  return self;
}

/**
 * sc_web_server_listen:
 *
 * Binds the HTTP(S) port from the settings (0 picks a free one) and starts
 * serving on the thread-default main context.
 */
gboolean
sc_web_server_listen (ScWebServer *self, GError **error)
{
  ScSettings *settings = self->settings;
  g_autoptr (GInetAddress) address = NULL;
  g_autoptr (GTlsCertificate) cert = NULL;
  ScWebConnsLimits limits;

  g_return_val_if_fail (self->port == 0, FALSE);

  address = g_inet_address_new_from_string (settings->bind);
  if (address == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "[http] bind: \"%s\" is not an IP address", settings->bind);
      return FALSE;
    }
  if (settings->tls)
    {
      cert = sc_tls_load (settings->data_dir, settings->tls_cert,
                          settings->tls_key, settings->public_host, error);
      if (cert == NULL)
        return FALSE;
      self->tls = TRUE;
    }

  limits.listener.max_connections = settings->http_max_connections;
  limits.listener.max_per_address = settings->http_max_per_address;
  limits.listener.first_timeout_us
      = settings->http_header_timeout_s * G_USEC_PER_SEC;
  limits.keepalive_timeout_us
      = settings->http_keepalive_timeout_s * G_USEC_PER_SEC;
  limits.request_timeout_us = settings->http_request_timeout_s * G_USEC_PER_SEC;
  self->conns
      = sc_web_conns_new (self->soup, &limits, cert, count_response, self);
  if (!sc_web_conns_listen (self->conns, settings->bind, settings->http_port,
                            error))
    {
      g_clear_object (&self->conns);
      return FALSE;
    }
  self->port = sc_web_conns_get_port (self->conns);
  return TRUE;
}

guint16
sc_web_server_get_port (ScWebServer *self)
{
  return self->port;
}

gboolean
sc_web_server_is_tls (ScWebServer *self)
{
  return self->tls;
}

/**
 * sc_web_server_set_live_source:
 *
 * Reports the live streams of the ingest in this process in
 * /api/v1/streams and /metrics. @source must stay valid while @self lives.
 */
void
sc_web_server_set_live_source (ScWebServer *self, const ScLiveSource *source)
{
  self->live = *source;
}

static gboolean
on_stop_timeout (gpointer data)
{
  ScWebServer *self = data;

  self->stop_timeout_id = 0;
  if (self->in_flight > 0)
    g_warning ("Stopping with %u request(s) unfinished", self->in_flight);
  self->in_flight = 0;
  maybe_finish_stop (self);
  return G_SOURCE_REMOVE;
}

/**
 * sc_web_server_stop_async:
 * @timeout_ms: how long to wait for in-flight requests
 *
 * Stops taking requests (new ones get 503), waits until every request
 * already read has its response sent or @timeout_ms passes, then closes
 * every connection.
 */
void
sc_web_server_stop_async (ScWebServer *self, guint timeout_ms,
                          GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (self, NULL, callback, user_data);

  g_return_if_fail (self->stop_task == NULL);

  self->stop_task = g_steal_pointer (&task);
  self->stop_timeout_id = g_timeout_add (timeout_ms, on_stop_timeout, self);
  sc_api_feed_release (self);
  maybe_finish_stop (self);
}

gboolean
sc_web_server_stop_finish (ScWebServer *self, GAsyncResult *result,
                           GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static const char *
bearer_key (SoupServerMessage *msg)
{
  const char *auth = soup_message_headers_get_one (
      soup_server_message_get_request_headers (msg), "Authorization");

  if (auth == NULL || g_ascii_strncasecmp (auth, "Bearer ", 7) != 0)
    return NULL;
  auth += 7;
  while (*auth == ' ')
    auth++;
  return auth;
}

static const char *
remote_host (SoupServerMessage *msg)
{
  const char *host = soup_server_message_get_remote_host (msg);

  return host != NULL ? host : "unknown";
}

/**
 * sc_web_server_check_not_blocked:
 *
 * Returns: %TRUE when @msg's address may go on; otherwise 429 has been sent
 */
gboolean
sc_web_server_check_not_blocked (ScWebServer *self, SoupServerMessage *msg)
{
  gint64 left = sc_auth_limiter_blocked_for (self->limiter, remote_host (msg),
                                             sc_clock_now_us (self->clock));
  g_autofree char *retry = NULL;

  if (left == 0)
    return TRUE;
  self->metrics.rate_limited++;
  retry = g_strdup_printf ("%" G_GINT64_FORMAT,
                           (left + SC_USEC_PER_SEC - 1) / SC_USEC_PER_SEC);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Retry-After", retry);
  sc_http_send_error (msg, 429 /* Too Many Requests */, "too_many_requests",
                      "Too many bad keys from this address; retry in %s s",
                      retry);
  return FALSE;
}

/**
 * sc_web_server_record_auth_failure:
 *
 * Counts a failed authentication (a bad key, a wrong password) against
 * @msg's address.
 *
 * Returns: %TRUE when that blocked the address and 429 has been sent
 */
gboolean
sc_web_server_record_auth_failure (ScWebServer *self, SoupServerMessage *msg)
{
  if (!sc_auth_limiter_record_failure (self->limiter, remote_host (msg),
                                       sc_clock_now_us (self->clock)))
    return FALSE;
  sc_web_server_check_not_blocked (self, msg);
  return TRUE;
}

static void
refuse_key (ScWebServer *self, SoupServerMessage *msg, gboolean was_sent)
{
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "WWW-Authenticate",
                                "Bearer realm=\"slotcast\"");
  if (!was_sent)
    {
      sc_http_send_error (msg, SOUP_STATUS_UNAUTHORIZED, "missing_key",
                          "Send an API key: Authorization: Bearer KEY");
      return;
    }
  /* Already blocked: 429, and no more counting or logging. */
  if (!sc_web_server_check_not_blocked (self, msg))
    return;
  self->metrics.bad_keys++;
  g_message ("Bad API key from %s", remote_host (msg));
  if (sc_web_server_record_auth_failure (self, msg))
    return;
  sc_http_send_error (msg, SOUP_STATUS_UNAUTHORIZED, "bad_key",
                      "The API key is not valid");
}

/* Commits the open group and releases the responses it held. */
static void
commit_now (ScWebServer *self)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) held = NULL;
  gboolean ok;

  g_clear_handle_id (&self->commit_idle_id, g_source_remove);
  if (self->db == NULL || !sc_db_in_batch (self->db))
    return;
  ok = sc_db_batch_commit (self->db, &error);
  if (!ok)
    g_warning ("Group commit failed, %u write(s) lost: %s",
               self->awaiting_commit->len, error->message);
  /* The nodes' long polls first: a node hears of a booking no later than
   * its booker gets the ticket. */
  if (ok)
    sc_api_feed_wake (self);
  held = g_steal_pointer (&self->awaiting_commit);
  self->awaiting_commit = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < held->len; i++)
    {
      SoupServerMessage *msg = g_ptr_array_index (held, i);

      if (!ok)
        {
          SoupMessageHeaders *headers
              = soup_server_message_get_response_headers (msg);

          /* Nothing that reported the lost write may go out with the 500. */
          soup_message_headers_remove (headers, "Location");
          soup_message_headers_remove (headers, "Set-Cookie");
          soup_message_headers_remove (headers, "Content-Disposition");
          sc_http_send_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR,
                              "internal", "The write could not be committed");
        }
      soup_server_message_unpause (msg);
    }
}

/**
 * sc_web_server_commit_now:
 *
 * Commits the open group, if any, and releases the responses it held.
 */
void
sc_web_server_commit_now (ScWebServer *self)
{
  commit_now (self);
}

static gboolean
on_commit_idle (gpointer data)
{
  ScWebServer *self = data;

  self->commit_idle_id = 0;
  commit_now (self);
  return G_SOURCE_REMOVE;
}

/**
 * sc_web_server_write_begin:
 *
 * Makes sure a group transaction is open for a write of @msg's handler.
 *
 * Returns: %FALSE with 503 sent when the database cannot be written now
 */
gboolean
sc_web_server_write_begin (ScWebServer *self, SoupServerMessage *msg)
{
  g_autoptr (GError) error = NULL;

  if (sc_db_in_batch (self->db))
    return TRUE;
  if (!sc_db_batch_begin (self->db, &error))
    {
      g_warning ("Cannot start a write: %s", error->message);
      sc_http_send_error (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "busy",
                          "The database is busy; try again");
      return FALSE;
    }
  /* Default-idle priority: runs once no request is ready to be handled. */
  self->commit_idle_id = g_idle_add (on_commit_idle, self);
  return TRUE;
}

/**
 * sc_web_server_hold_until_commit:
 *
 * Holds the response already set on @msg until the group transaction its
 * write joined is committed; if the commit fails, the client gets 500.
 */
void
sc_web_server_hold_until_commit (ScWebServer *self, SoupServerMessage *msg)
{
  g_return_if_fail (sc_db_in_batch (self->db));

  soup_server_message_pause (msg);
  g_ptr_array_add (self->awaiting_commit, g_object_ref (msg));
}

void
sc_web_server_send_db_error (ScWebServer *self, SoupServerMessage *msg,
                             const GError *error)
{
  g_warning ("Database error: %s", error->message);
  sc_http_send_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "internal",
                      "The server could not complete the request");
}

/* The key the request presents, or NULL once 401 (no key) has been sent.
 * A valid key is never refused for its address: the bad-key limit counts
 * and blocks only requests whose credential is bad (a node behind the
 * same NAT as a key-guesser keeps working). */
static const char *
presented_key (ScWebServer *self, SoupServerMessage *msg)
{
  const char *key;

  key = bearer_key (msg);
  if (key == NULL || key[0] == '\0')
    {
      refuse_key (self, msg, FALSE);
      return NULL;
    }
  return key;
}

/* The web UI's way in: the session cookie, and the CSRF token for a
 * request that changes something (sc-api-session.c). */
static ScUser *
authenticate_session (ScWebServer *self, SoupServerMessage *msg,
                      const char *token)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ScUser) user = NULL;

  user = sc_db_find_user_by_session (
      self->db, token, sc_clock_now_us (self->clock), NULL, &error);
  if (error != NULL)
    {
      sc_web_server_send_db_error (self, msg, error);
      return NULL;
    }
  if (user == NULL)
    {
      if (sc_web_server_check_not_blocked (self, msg))
        sc_http_send_error (msg, SOUP_STATUS_UNAUTHORIZED, "no_session",
                            "Your session has ended; log in again");
      return NULL;
    }
  if (!sc_web_session_check_csrf (msg, token))
    return NULL;
  return g_steal_pointer (&user);
}

/**
 * sc_web_server_authenticate:
 *
 * Takes an API key (`Authorization: Bearer`) or, without one, the web UI's
 * session cookie.
 *
 * Returns: (transfer full) (nullable): the user whose API key the request
 *   carries, or %NULL after sending 401, 429 or 500
 */
ScUser *
sc_web_server_authenticate (ScWebServer *self, SoupServerMessage *msg)
{
  g_autoptr (GError) error = NULL;
  const char *key;
  ScUser *user;

  if (bearer_key (msg) == NULL)
    {
      g_autofree char *token = sc_web_session_dup_cookie (msg);

      if (token != NULL)
        return authenticate_session (self, msg, token);
    }
  if ((key = presented_key (self, msg)) == NULL)
    return NULL;
  user = sc_db_find_user_by_key (self->db, key, &error);
  if (error != NULL)
    {
      sc_web_server_send_db_error (self, msg, error);
      return NULL;
    }
  if (user == NULL)
    refuse_key (self, msg, TRUE);
  return user;
}

/**
 * sc_web_server_authenticate_node:
 * @out_user: (out) (transfer full): the operator, when an operator's API
 *   key was sent instead of a node key
 *
 * Returns: (transfer full) (nullable): the node whose key the request
 *   carries; %NULL with *@out_user set for an operator; %NULL with both
 *   unset after sending 401, 403, 429 or 500
 */
ScNode *
sc_web_server_authenticate_node (ScWebServer *self, SoupServerMessage *msg,
                                 ScUser **out_user)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ScUser) user = NULL;
  const char *key;
  ScNode *node;

  *out_user = NULL;
  if ((key = presented_key (self, msg)) == NULL)
    return NULL;
  node = sc_db_find_node_by_key (self->db, key, &error);
  if (node == NULL && error == NULL)
    user = sc_db_find_user_by_key (self->db, key, &error);
  if (error != NULL)
    {
      sc_web_server_send_db_error (self, msg, error);
      return NULL;
    }
  if (node != NULL)
    return node;
  if (user == NULL)
    {
      refuse_key (self, msg, TRUE);
      return NULL;
    }
  if (user->role != SC_ROLE_OPERATOR)
    {
      sc_http_send_error (msg, SOUP_STATUS_FORBIDDEN, "forbidden",
                          "Only ingest nodes and operators may ask this");
      return NULL;
    }
  *out_user = g_steal_pointer (&user);
  return NULL;
}
