/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Read-only status endpoints: /healthz, /metrics (Prometheus text format),
 * /api/v1/streams (live streams; empty until an ingest reports any),
 * /api/v1/nodes and /api/v1/me.
 */

#include "config.h"

#include "sc-api-status.h"

#include "sc-http.h"

#include <string.h>

#define RECENT_REFUSALS_US (3600 * SC_USEC_PER_SEC)

struct _ScApiStatus
{
  ScWebAuth *auth;        /* the server's */
  ScWebMetrics *metrics;  /* the server's */
  ScNodeReports *reports; /* the server's */
  ScDb *db;
  ScClock *clock;
  gint64 started_us;
};

static gboolean
exact_get (SoupServerMessage *msg, const char *path, const char *want)
{
  return sc_http_require_path (msg, path, want)
         && sc_http_require_method (msg, "GET", "HEAD", NULL);
}

static void
healthz_handler (SoupServer *soup, SoupServerMessage *msg, const char *path,
                 GHashTable *query, gpointer data)
{
  if (!exact_get (msg, path, "/healthz"))
    return;
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC,
                                    "ok\n", 3);
}

static void
metric (GString *out, const char *name, const char *type, const char *help)
{
  g_string_append_printf (out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name,
                          type);
}

static void
metrics_handler (SoupServer *soup, SoupServerMessage *msg, const char *path,
                 GHashTable *query, gpointer data)
{
  ScApiStatus *self = data;
  ScWebMetrics *m = self->metrics;
  GString *out;

  if (!exact_get (msg, path, "/metrics"))
    return;
  out = g_string_sized_new (2048);
  metric (out, "slotcast_start_time_seconds", "gauge",
          "When the server started, in seconds since the epoch.");
  g_string_append_printf (out,
                          "slotcast_start_time_seconds %" G_GINT64_FORMAT "\n",
                          self->started_us / SC_USEC_PER_SEC);
  metric (out, "slotcast_http_responses_total", "counter",
          "HTTP responses sent, by status class.");
  for (int c = 1; c <= 5; c++)
    g_string_append_printf (out,
                            "slotcast_http_responses_total{class=\"%dxx\"} "
                            "%" G_GUINT64_FORMAT "\n",
                            c, m->responses[c]);
  metric (out, "slotcast_bookings_total", "counter", "Reservations booked.");
  g_string_append_printf (
      out, "slotcast_bookings_total %" G_GUINT64_FORMAT "\n", m->bookings);
  metric (out, "slotcast_booking_conflicts_total", "counter",
          "Bookings refused with 409 (stream taken or no capacity).");
  g_string_append_printf (
      out, "slotcast_booking_conflicts_total %" G_GUINT64_FORMAT "\n",
      m->booking_conflicts);
  metric (out, "slotcast_booking_rejected_total", "counter",
          "Bookings refused for invalid input.");
  g_string_append_printf (
      out, "slotcast_booking_rejected_total %" G_GUINT64_FORMAT "\n",
      m->booking_rejected);
  metric (out, "slotcast_cancellations_total", "counter",
          "Reservations cancelled.");
  g_string_append_printf (
      out, "slotcast_cancellations_total %" G_GUINT64_FORMAT "\n",
      m->cancellations);
  metric (out, "slotcast_authorize_total", "counter",
          "Ingest admission answers, by result.");
  for (int r = 0; r < SC_ADMIT_N_RESULTS; r++)
    g_string_append_printf (out,
                            "slotcast_authorize_total{result=\"%s\"} "
                            "%" G_GUINT64_FORMAT "\n",
                            sc_admit_result_to_string (r), m->authorize[r]);
  metric (out, "slotcast_bad_keys_total", "counter",
          "Requests with an unknown API or node key.");
  g_string_append_printf (
      out, "slotcast_bad_keys_total %" G_GUINT64_FORMAT "\n", m->bad_keys);
  metric (out, "slotcast_rate_limited_total", "counter",
          "Requests refused with 429 after too many bad keys.");
  g_string_append_printf (out,
                          "slotcast_rate_limited_total %" G_GUINT64_FORMAT "\n",
                          m->rate_limited);
  metric (out, "slotcast_body_too_large_total", "counter",
          "Requests refused with 413.");
  g_string_append_printf (
      out, "slotcast_body_too_large_total %" G_GUINT64_FORMAT "\n",
      m->body_too_large);
  metric (out, "slotcast_web_logins_total", "counter",
          "Web UI logins, by outcome.");
  g_string_append_printf (
      out, "slotcast_web_logins_total{outcome=\"ok\"} %" G_GUINT64_FORMAT "\n",
      m->logins);
  g_string_append_printf (out,
                          "slotcast_web_logins_total{outcome=\"refused\"} "
                          "%" G_GUINT64_FORMAT "\n",
                          m->bad_logins);
  {
    g_autoptr (GPtrArray) live = sc_node_reports_dup_live (self->reports);

    guint n_live = 0;

    for (guint i = 0; live != NULL && i < live->len; i++)
      n_live += ((ScLiveStream *)g_ptr_array_index (live, i))->live;
    metric (out, "slotcast_live_streams", "gauge", "Streams live now.");
    g_string_append_printf (out, "slotcast_live_streams %u\n", n_live);
    /* /metrics needs no credential: private streams are counted, never
     * named. */
    metric (out, "slotcast_stream_viewers", "gauge",
            "Viewers of each live public stream.");
    for (guint i = 0; live != NULL && i < live->len; i++)
      {
        ScLiveStream *l = g_ptr_array_index (live, i);

        if (l->private_stream)
          continue;
        g_string_append_printf (out,
                                "slotcast_stream_viewers{stream=\"%s\"} %u\n",
                                l->stream, l->viewers);
      }
    metric (out, "slotcast_stream_ingest_bits_per_second", "gauge",
            "Ingest bitrate of each live public stream, last second.");
    for (guint i = 0; live != NULL && i < live->len; i++)
      {
        ScLiveStream *l = g_ptr_array_index (live, i);

        if (l->private_stream)
          continue;
        g_string_append_printf (
            out,
            "slotcast_stream_ingest_bits_per_second{stream=\"%s\"} "
            "%" G_GUINT64_FORMAT "\n",
            l->stream, l->bitrate);
      }
    metric (out, "slotcast_ingest_refusals_total", "counter",
            "Publishers and viewers refused by the ingest, by reason.");
    for (int r = SC_ADMIT_OK + 1; r < SC_ADMIT_N_RESULTS; r++)
      g_string_append_printf (
          out,
          "slotcast_ingest_refusals_total{reason=\"%s\"} %" G_GUINT64_FORMAT
          "\n",
          sc_admit_result_to_string (r),
          sc_node_reports_count_refusals (self->reports, r));
  }

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg,
                                    "text/plain; version=0.0.4; charset=utf-8",
                                    SOUP_MEMORY_TAKE, out->str, out->len);
  g_string_free (out, FALSE);
}

/* "recent_refusals": the last hour's, newest first; operators only, as
 * they carry addresses. */
static void
add_recent_refusals (ScApiStatus *self, const ScUser *user, JsonBuilder *b)
{
  g_autoptr (GPtrArray) recent = NULL;
  gint64 since_us = sc_clock_now_us (self->clock) - RECENT_REFUSALS_US;

  if (user->role == SC_ROLE_OPERATOR)
    recent = sc_node_reports_dup_refusals (self->reports, since_us);
  json_builder_set_member_name (b, "recent_refusals");
  json_builder_begin_array (b);
  for (guint i = 0; recent != NULL && i < recent->len; i++)
    sc_refusal_to_json (g_ptr_array_index (recent, i), b);
  json_builder_end_array (b);
}

static void
streams_handler (SoupServer *soup, SoupServerMessage *msg, const char *path,
                 GHashTable *query, gpointer data)
{
  ScApiStatus *self = data;
  g_autoptr (ScUser) user = NULL;
  g_autoptr (JsonBuilder) b = json_builder_new_immutable ();
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GPtrArray) live = NULL;

  if (!exact_get (msg, path, "/api/v1/streams")
      || (user = sc_web_auth_user (self->auth, msg)) == NULL)
    return;
  live = sc_node_reports_dup_live (self->reports);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "streams");
  json_builder_begin_array (b);
  for (guint i = 0; i < live->len; i++)
    {
      ScLiveStream *l = g_ptr_array_index (live, i);
      /* Everyone sees what public streams are live; the reservation and
       * the publisher's address are for its owner and operators, and so
       * are private streams. */
      gboolean own = user->role == SC_ROLE_OPERATOR || l->owner_id == user->id;

      if (!l->private_stream || own)
        sc_live_stream_to_json (l, b, own);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "refused");
  json_builder_begin_object (b);
  for (int r = SC_ADMIT_OK + 1; r < SC_ADMIT_N_RESULTS; r++)
    {
      json_builder_set_member_name (b, sc_admit_result_to_string (r));
      json_builder_add_int_value (
          b, sc_node_reports_count_refusals (self->reports, r));
    }
  json_builder_end_object (b);
  add_recent_refusals (self, user, b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  sc_http_send_json (msg, SOUP_STATUS_OK, root, NULL);
}

static void
nodes_handler (SoupServer *soup, SoupServerMessage *msg, const char *path,
               GHashTable *query, gpointer data)
{
  ScApiStatus *self = data;
  g_autoptr (ScUser) user = NULL;
  g_autoptr (GPtrArray) nodes = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonBuilder) b = json_builder_new_immutable ();
  g_autoptr (JsonNode) root = NULL;

  if (!exact_get (msg, path, "/api/v1/nodes")
      || (user = sc_web_auth_user (self->auth, msg)) == NULL)
    return;
  if ((nodes = sc_db_list_nodes (self->db, &error)) == NULL)
    {
      sc_http_send_db_error (msg, error);
      return;
    }
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "nodes");
  json_builder_begin_array (b);
  for (guint i = 0; i < nodes->len; i++)
    {
      ScNode *node = g_ptr_array_index (nodes, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, node->name);
      json_builder_set_member_name (b, "public_host");
      json_builder_add_string_value (b, node->public_host);
      json_builder_set_member_name (b, "rtsp_port");
      json_builder_add_int_value (b, node->rtsp_port);
      json_builder_set_member_name (b, "rtmp_port");
      json_builder_add_int_value (b, node->rtmp_port);
      json_builder_set_member_name (b, "capacity");
      json_builder_add_int_value (b, node->capacity);
      json_builder_set_member_name (b, "dial_in");
      if (node->dial_in != NULL)
        json_builder_add_string_value (b, node->dial_in);
      else
        json_builder_add_null_value (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  sc_http_send_json (msg, SOUP_STATUS_OK, root, NULL);
}

static void
me_handler (SoupServer *soup, SoupServerMessage *msg, const char *path,
            GHashTable *query, gpointer data)
{
  ScApiStatus *self = data;
  g_autoptr (ScUser) user = NULL;
  g_autoptr (JsonBuilder) b = json_builder_new_immutable ();
  g_autoptr (JsonNode) root = NULL;

  if (!exact_get (msg, path, "/api/v1/me")
      || (user = sc_web_auth_user (self->auth, msg)) == NULL)
    return;
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, user->name);
  json_builder_set_member_name (b, "role");
  json_builder_add_string_value (b, sc_role_to_string (user->role));
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  sc_http_send_json (msg, SOUP_STATUS_OK, root, NULL);
}

/**
 * sc_api_status_new:
 * @auth: (not nullable): outlives the part
 * @metrics: (not nullable): outlives the part
 * @reports: (not nullable): what is live; outlives the part
 *
 * Returns: (transfer full): the part, its routes added to @routes
 */
ScApiStatus *
sc_api_status_new (const ScWebRoutes *routes, ScWebAuth *auth, ScDb *db,
                   ScClock *clock, ScWebMetrics *metrics,
                   ScNodeReports *reports)
{
  ScApiStatus *self = g_new0 (ScApiStatus, 1);

  self->auth = auth;
  self->metrics = metrics;
  self->reports = reports;
  self->db = g_object_ref (db);
  self->clock = g_object_ref (clock);
  self->started_us = sc_clock_now_us (clock);
  sc_web_routes_add (routes, "/healthz", healthz_handler, self);
  sc_web_routes_add (routes, "/metrics", metrics_handler, self);
  sc_web_routes_add (routes, "/api/v1/streams", streams_handler, self);
  sc_web_routes_add (routes, "/api/v1/nodes", nodes_handler, self);
  sc_web_routes_add (routes, "/api/v1/me", me_handler, self);
  return self;
}

void
sc_api_status_free (ScApiStatus *self)
{
  if (self == NULL)
    return;
  g_object_unref (self->db);
  g_object_unref (self->clock);
  g_free (self);
}
