/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * What is live, across nodes: the ingest in this process (ScLiveSource)
 * and the reports of ingest nodes that run apart, which POST their live
 * streams and refusals to /api/v1/ingest/streams with their node key every
 * few seconds (sc-node-reporter.c). A report is kept in memory until the
 * next one replaces it and counts while it is at most REPORT_TTL_US old, so
 * a node that stops reporting drops out by itself. Main context only.
 */

#include "config.h"

#include "sc-node-reports.h"

#include "sc-http.h"
#include "sc-node-report.h"

#include <string.h>

#define REPORT_TTL_US (10 * SC_USEC_PER_SEC)

/* A node's last report, and when it came. */
typedef struct
{
  gint64 at_us;
  ScNodeReport *wire;
} NodeReport;

struct _ScNodeReports
{
  ScWebAuth *auth; /* the server's */
  ScDb *db;
  ScClock *clock;
  ScLiveSource live;        /* dup_live NULL: no ingest in this process */
  GHashTable *node_reports; /* node name → NodeReport */
};

static void
node_report_free (NodeReport *report)
{
  sc_node_report_free (report->wire);
  g_free (report);
}

/* Reports young enough to count. */
static GPtrArray *
fresh_reports (ScNodeReports *self)
{
  GPtrArray *out = g_ptr_array_new ();
  gint64 now_us = sc_clock_now_us (self->clock);
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->node_reports);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      NodeReport *report = value;

      if (now_us - report->at_us <= REPORT_TTL_US)
        g_ptr_array_add (out, report);
    }
  return out;
}

/**
 * sc_node_reports_dup_live:
 *
 * Returns: (transfer full) (element-type ScLiveStream): the streams live
 *   on the ingest of this process and on the nodes that report, with their
 *   reservations' owner and visibility (looked up once per report)
 */
GPtrArray *
sc_node_reports_dup_live (ScNodeReports *self)
{
  GPtrArray *out = self->live.dup_live != NULL
                       ? self->live.dup_live (self->live.data)
                       : g_ptr_array_new_with_free_func (
                           (GDestroyNotify)sc_live_stream_free);
  g_autoptr (GPtrArray) reports = fresh_reports (self);

  for (guint i = 0; i < reports->len; i++)
    {
      NodeReport *report = g_ptr_array_index (reports, i);

      for (guint k = 0; k < report->wire->streams->len; k++)
        {
          ScLiveStream *l = g_ptr_array_index (report->wire->streams, k);
          ScLiveStream *copy = g_memdup2 (l, sizeof *l);

          copy->stream = g_strdup (l->stream);
          copy->reservation_id = g_strdup (l->reservation_id);
          copy->node = g_strdup (l->node);
          copy->publisher = g_strdup (l->publisher);
          g_ptr_array_add (out, copy);
        }
    }
  return out;
}

/**
 * sc_node_reports_count_refusals:
 *
 * Returns: how many publishers and viewers the ingests refused for @reason
 */
guint64
sc_node_reports_count_refusals (ScNodeReports *self, ScAdmitResult reason)
{
  g_autoptr (GPtrArray) reports = fresh_reports (self);
  guint64 n = self->live.get_refusals != NULL
                  ? self->live.get_refusals (self->live.data, reason)
                  : 0;

  for (guint i = 0; i < reports->len; i++)
    n += ((NodeReport *)g_ptr_array_index (reports, i))->wire->refused[reason];
  return n;
}

static int
newest_first (gconstpointer a, gconstpointer b)
{
  const ScRefusal *x = *(ScRefusal *const *)a;
  const ScRefusal *y = *(ScRefusal *const *)b;

  return x->at_us < y->at_us ? 1 : x->at_us > y->at_us ? -1 : 0;
}

/**
 * sc_node_reports_dup_refusals:
 *
 * Returns: (transfer full) (element-type ScRefusal): the refusals at or
 *   after @since_us on every ingest, newest first
 */
GPtrArray *
sc_node_reports_dup_refusals (ScNodeReports *self, gint64 since_us)
{
  GPtrArray *out
      = self->live.dup_refusals != NULL
            ? self->live.dup_refusals (self->live.data, since_us)
            : g_ptr_array_new_with_free_func ((GDestroyNotify)sc_refusal_free);
  g_autoptr (GPtrArray) reports = fresh_reports (self);

  for (guint i = 0; i < reports->len; i++)
    {
      NodeReport *report = g_ptr_array_index (reports, i);

      for (guint k = 0; k < report->wire->refusals->len; k++)
        {
          ScRefusal *r = g_ptr_array_index (report->wire->refusals, k);
          ScRefusal *copy;

          if (r->at_us < since_us)
            continue;
          copy = g_memdup2 (r, sizeof *r);
          copy->stream = g_strdup (r->stream);
          copy->address = g_strdup (r->address);
          g_ptr_array_add (out, copy);
        }
    }
  g_ptr_array_sort (out, newest_first);
  return out;
}

/* Fills in each reported stream's owner and visibility from its
 * reservation, once per report; a stream whose reservation is not here
 * is dropped. */
static void
add_owners (ScNodeReports *self, GPtrArray *streams)
{
  for (guint i = streams->len; i-- > 0;)
    {
      ScLiveStream *l = g_ptr_array_index (streams, i);
      g_autoptr (GError) error = NULL;
      g_autoptr (ScReservation) r
          = sc_db_get_reservation (self->db, l->reservation_id, &error);

      if (r == NULL)
        {
          g_ptr_array_remove_index (streams, i);
          continue;
        }
      l->owner_id = r->owner_id;
      l->private_stream = r->visibility == SC_VISIBILITY_PRIVATE;
    }
}

/* POST /api/v1/ingest/streams: a node apart reports what is live on it;
 * the body has the form of GET /api/v1/streams. Node key only. */
static void
report_handler (SoupServer *soup, SoupServerMessage *msg, const char *path,
                GHashTable *query, gpointer data)
{
  ScNodeReports *self = data;
  g_autoptr (ScNode) node = NULL;
  g_autoptr (ScUser) operator= NULL;
  g_autoptr (JsonObject) body = NULL;
  g_autoptr (ScNodeReport) wire = NULL;
  g_autoptr (GError) error = NULL;
  NodeReport *report;

  if (!sc_http_require_path (msg, path, "/api/v1/ingest/streams")
      || !sc_http_require_method (msg, "POST", NULL))
    return;
  node = sc_web_auth_node (self->auth, msg, &operator);
  if (node == NULL)
    {
      if (operator!= NULL)
        sc_http_send_error (msg, SOUP_STATUS_FORBIDDEN, "forbidden",
                            "Only ingest nodes report their streams");
      return;
    }
  if ((body = sc_http_read_json_object (msg)) == NULL)
    return;
  if ((wire = sc_node_report_from_json (body, node->name, &error)) == NULL)
    {
      sc_http_send_error (msg, SOUP_STATUS_UNPROCESSABLE_ENTITY,
                          "invalid_field", "%s", error->message);
      return;
    }
  report = g_new0 (NodeReport, 1);
  report->at_us = sc_clock_now_us (self->clock);
  report->wire = g_steal_pointer (&wire);
  add_owners (self, report->wire->streams);
  g_hash_table_replace (self->node_reports, g_strdup (node->name), report);
  soup_server_message_set_status (msg, SOUP_STATUS_NO_CONTENT, NULL);
}

/**
 * sc_node_reports_new:
 * @auth: (not nullable): outlives the part
 *
 * Returns: (transfer full): the part, its route added to @routes
 */
ScNodeReports *
sc_node_reports_new (const ScWebRoutes *routes, ScWebAuth *auth, ScDb *db,
                     ScClock *clock)
{
  ScNodeReports *self = g_new0 (ScNodeReports, 1);

  self->auth = auth;
  self->db = g_object_ref (db);
  self->clock = g_object_ref (clock);
  self->node_reports = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                              (GDestroyNotify)node_report_free);
  sc_web_routes_add (routes, "/api/v1/ingest/streams", report_handler, self);
  return self;
}

/**
 * sc_node_reports_set_live_source:
 *
 * Adds the ingest of this process to what is live; @source must stay
 * valid while @self lives.
 */
void
sc_node_reports_set_live_source (ScNodeReports *self,
                                 const ScLiveSource *source)
{
  self->live = *source;
}

void
sc_node_reports_free (ScNodeReports *self)
{
  if (self == NULL)
    return;
  g_hash_table_unref (self->node_reports);
  g_object_unref (self->db);
  g_object_unref (self->clock);
  g_free (self);
}
