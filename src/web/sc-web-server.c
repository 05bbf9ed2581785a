/* SPDX-License-Identifier: LGPL-2.1-or-later */

/**
 * ScWebServer:
 *
 * The booking service's HTTP(S) front, put together from its parts: a
 * #SoupServer whose connections ScWebConns keeps bounded, the common early
 * checks (request-body bounds, stopping), and the parts that serve the
 * paths, each given what it needs:
 *
 * - ScWebAuth (who a request is), ScGroupCommit (writes), ScWebMetrics;
 * - the API's parts: sessions, reservations and tickets, the ingest's
 *   questions, the reservation feed, the nodes' reports, the status
 *   endpoints, and the web UI's files (sc-api-*.c, sc-node-reports.c,
 *   sc-static.c).
 *
 * Only this file knows them all. A commit wakes the feed's long polls
 * before the responses it held go out.
 *
 * Lifecycle: new → listen → (serve) → stop_async → unref. The server, its
 * database and its handlers all belong to the thread-default main context
 * that was current at listen time; nothing here blocks it for long (every
 * handler is a few prepared SQLite statements).
 */

#include "config.h"

#include "sc-web-server.h"

#include "sc-api-feed.h"
#include "sc-api-ingest.h"
#include "sc-api-reservations.h"
#include "sc-api-session.h"
#include "sc-api-status.h"
#include "sc-group-commit.h"
#include "sc-http.h"
#include "sc-node-reports.h"
#include "sc-static.h"
#include "sc-tls.h"
#include "sc-web-auth.h"
#include "sc-web-conns.h"
#include "sc-web-metrics.h"
#include "sc-web-routes.h"

#include <string.h>

#define COUNTED_KEY "sc-counted"

struct _ScWebServer
{
  GObject parent_instance;

  SoupServer *soup;
  ScWebConns *conns;
  ScSettings *settings;
  ScDb *db;
  ScWebMetrics metrics;
  guint16 port;
  gboolean tls;

  ScWebAuth *auth;
  ScGroupCommit *commit;
  ScStatic *files;
  ScApiSession *session;
  ScApiReservations *reservations;
  ScApiIngest *ingest;
  ScApiFeed *feed;
  ScNodeReports *reports;
  ScApiStatus *status;

  guint in_flight; /* requests read, response not yet sent */
  GTask *stop_task;
  guint stop_timeout_id;
};

G_DEFINE_FINAL_TYPE (ScWebServer, sc_web_server, G_TYPE_OBJECT)

static void
sc_web_server_dispose (GObject *object)
{
  ScWebServer *self = SC_WEB_SERVER (object);

  /* What is open is committed; the held responses go before the
   * connections close. */
  g_clear_pointer (&self->commit, sc_group_commit_free);
  g_clear_pointer (&self->session, sc_api_session_free);
  g_clear_pointer (&self->feed, sc_api_feed_free);
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

  g_clear_pointer (&self->files, sc_static_free);
  g_clear_pointer (&self->reservations, sc_api_reservations_free);
  g_clear_pointer (&self->ingest, sc_api_ingest_free);
  g_clear_pointer (&self->status, sc_api_status_free);
  g_clear_pointer (&self->reports, sc_node_reports_free);
  g_clear_pointer (&self->auth, sc_web_auth_free);
  g_clear_pointer (&self->settings, sc_settings_unref);
  g_clear_object (&self->db);
  g_clear_object (&self->stop_task);
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

static void
on_committed (gpointer data, gpointer user_data)
{
  ScWebServer *self = data;

  if (self->feed != NULL)
    sc_api_feed_wake (self->feed);
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

  ScWebRoutes routes;

  self->settings = sc_settings_ref (settings);
  self->db = g_object_ref (db);
  self->soup = soup_server_new ("server-header", server_header, NULL);
  g_signal_connect (self->soup, "request-read", G_CALLBACK (on_request_read),
                    self);
  g_signal_connect (self->soup, "request-finished",
                    G_CALLBACK (on_request_finished), self);
  g_signal_connect (self->soup, "request-aborted",
                    G_CALLBACK (on_request_finished), self);
  routes = (ScWebRoutes){ self->soup, early_handler, self };
  self->auth = sc_web_auth_new (settings, db, clock, &self->metrics);
  self->commit = sc_group_commit_new (db, on_committed, self);
  self->files = sc_static_new (&routes);
  self->session = sc_api_session_new (&routes, self->auth, self->commit, db,
                                      settings, clock, &self->metrics);
  self->reservations
      = sc_api_reservations_new (&routes, self->auth, self->commit, db,
                                 settings, clock, &self->metrics, sealer);
  self->ingest = sc_api_ingest_new (&routes, self->auth, self->commit, db,
                                    settings, clock, &self->metrics);
  self->feed = sc_api_feed_new (&routes, self->auth, self->commit, db, settings,
                                clock);
  self->reports = sc_node_reports_new (&routes, self->auth, db, clock);
  self->status = sc_api_status_new (&routes, self->auth, db, clock,
                                    &self->metrics, self->reports);
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

/**
 * sc_web_server_accept_stream:
 *
 * Serves one connection given as a stream, past the listener's limits
 * (the fuzz target's way in).
 *
 * Returns: whether libsoup took it
 */
gboolean
sc_web_server_accept_stream (ScWebServer *self, GIOStream *stream,
                             GSocketAddress *local, GSocketAddress *remote,
                             GError **error)
{
  return soup_server_accept_iostream (self->soup, stream, local, remote, error);
}

/**
 * sc_web_server_get_n_in_flight:
 *
 * Returns: how many requests were read and have no response sent yet
 */
guint
sc_web_server_get_n_in_flight (ScWebServer *self)
{
  return self->in_flight;
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
  sc_node_reports_set_live_source (self->reports, source);
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
  sc_api_feed_release (self->feed);
  maybe_finish_stop (self);
}

gboolean
sc_web_server_stop_finish (ScWebServer *self, GAsyncResult *result,
                           GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}
