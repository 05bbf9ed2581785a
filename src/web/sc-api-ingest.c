/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * POST /api/v1/ingest/authorize: the question a separate ingest node asks
 * the booking service before admitting a publisher (or a viewer of a
 * private stream). The answer comes from sc_admission_decide(), the same
 * code the in-process ingest calls.
 *
 * Callers: an ingest node with its node key (the node is the key's), or an
 * operator with an API key naming the node in the body (for diagnosis).
 */

#include "config.h"

#include "sc-api-ingest.h"

#include "sc-admission.h"
#include "sc-http.h"
#include "sc-registration.h"

#include <string.h>

struct _ScApiIngest
{
  ScWebAuth *auth;       /* the server's */
  ScGroupCommit *commit; /* the server's */
  ScWebMetrics *metrics; /* the server's */
  ScDb *db;
  ScSettings *settings;
  ScClock *clock;
};

static void
send_decision (SoupServerMessage *msg, ScApiIngest *self,
               const ScReservation *r, ScAdmitResult result, const char *reason)
{
  g_autoptr (JsonBuilder) b = json_builder_new_immutable ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *start = NULL, *end = NULL;

  if (result != SC_ADMIT_OK)
    {
      sc_http_send_error (msg, SOUP_STATUS_FORBIDDEN,
                          sc_admit_result_to_string (result), "%s", reason);
      return;
    }
  start = sc_time_format_us (r->start_us);
  end = sc_time_format_us (r->end_us);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "allowed");
  json_builder_add_boolean_value (b, TRUE);
  json_builder_set_member_name (b, "reservation");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, r->id);
  json_builder_set_member_name (b, "stream");
  json_builder_add_string_value (b, r->stream);
  json_builder_set_member_name (b, "node");
  json_builder_add_string_value (b, r->node);
  json_builder_set_member_name (b, "visibility");
  json_builder_add_string_value (b, sc_visibility_to_string (r->visibility));
  json_builder_set_member_name (b, "start");
  json_builder_add_string_value (b, start);
  json_builder_set_member_name (b, "end");
  json_builder_add_string_value (b, end);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "admit_early_s");
  json_builder_add_int_value (b, self->settings->admit_early_s);
  json_builder_set_member_name (b, "grace_s");
  json_builder_add_int_value (b, self->settings->grace_s);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  sc_http_send_json (msg, SOUP_STATUS_OK, root, NULL);
}

static void
authorize_handler (SoupServer *soup, SoupServerMessage *msg, const char *path,
                   GHashTable *query, gpointer data)
{
  static const char *const members[]
      = { "stream", "token", "node", "role", NULL };
  ScApiIngest *self = data;
  g_autoptr (ScNode) node = NULL;
  g_autoptr (ScUser) operator= NULL;
  g_autoptr (JsonObject) body = NULL;
  g_autoptr (ScReservation) r = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *reason = NULL;
  const char *stream, *token, *node_name, *role = NULL;
  ScAdmissionRequest request = {
    .admit_early_us = self->settings->admit_early_s * SC_USEC_PER_SEC,
    .now_us = sc_clock_now_us (self->clock),
  };
  ScAdmitResult result;

  if (!sc_http_require_path (msg, path, "/api/v1/ingest/authorize")
      || !sc_http_require_method (msg, "POST", NULL))
    return;
  node = sc_web_auth_node (self->auth, msg, &operator);
  if (node == NULL && operator== NULL)
    return;
  if ((body = sc_http_read_json_object (msg)) == NULL
      || !sc_json_check_members (msg, body, members)
      || !sc_json_get_string (msg, body, "stream", TRUE, &stream)
      || !sc_json_get_string (msg, body, "role", FALSE, &role))
    return;
  if (role != NULL && !sc_admission_role_from_string (role, &request.role))
    {
      sc_http_send_error (msg, SOUP_STATUS_UNPROCESSABLE_ENTITY,
                          "invalid_field",
                          "role: must be \"publish\", \"view\" or "
                          "\"schedule\"");
      return;
    }
  if (!sc_json_get_string (msg, body, "token",
                           request.role != SC_ADMISSION_SCHEDULE, &token)
      || !sc_json_get_string (msg, body, "node", operator!= NULL, &node_name))
    return;
  if (node != NULL && node_name != NULL && strcmp (node_name, node->name) != 0)
    {
      sc_http_send_error (msg, SOUP_STATUS_FORBIDDEN, "wrong_node",
                          "This key belongs to node %s", node->name);
      return;
    }

  request.token = token;
  request.stream = stream;
  request.node = node != NULL ? node->name : node_name;
  result = sc_admission_decide (self->db, &request, &r, &reason, &error);
  if (error != NULL)
    {
      sc_http_send_db_error (msg, error);
      return;
    }
  if (request.role != SC_ADMISSION_SCHEDULE)
    self->metrics->authorize[result]++;
  if (result != SC_ADMIT_OK && request.role != SC_ADMISSION_SCHEDULE)
    {
      g_autofree char *shown = sc_http_printable (stream, 64);
      g_message ("Refused %s of stream %s on node %s: %s",
                 request.role == SC_ADMISSION_VIEW ? "viewing" : "publishing",
                 shown, request.node, reason);
    }
  send_decision (msg, self, r, result, reason);
}

/* POST /api/v1/ingest/register: a node that runs apart says where it can
 * be reached (its ports may have been picked at start). Node key only. */
static void
register_handler (SoupServer *soup, SoupServerMessage *msg, const char *path,
                  GHashTable *query, gpointer data)
{
  ScApiIngest *self = data;
  g_autoptr (ScNode) node = NULL;
  g_autoptr (ScUser) operator= NULL;
  g_autoptr (JsonObject) body = NULL;
  g_autoptr (JsonNode) json = NULL;
  g_autoptr (ScRegistration) r = NULL;
  g_autoptr (GError) error = NULL;

  if (!sc_http_require_path (msg, path, "/api/v1/ingest/register")
      || !sc_http_require_method (msg, "POST", NULL))
    return;
  node = sc_web_auth_node (self->auth, msg, &operator);
  if (node == NULL)
    {
      if (operator!= NULL)
        sc_http_send_error (msg, SOUP_STATUS_FORBIDDEN, "forbidden",
                            "Only an ingest node registers itself");
      return;
    }
  if ((body = sc_http_read_json_object (msg)) == NULL)
    return;
  json = json_node_init_object (json_node_alloc (), body);
  if ((r = sc_registration_from_json (json, &error)) == NULL)
    {
      sc_http_send_error (msg, SOUP_STATUS_UNPROCESSABLE_ENTITY,
                          "invalid_field", "%s", error->message);
      return;
    }
  if (strcmp (r->name, node->name) != 0)
    {
      sc_http_send_error (msg, SOUP_STATUS_FORBIDDEN, "wrong_node",
                          "This key belongs to node %s", node->name);
      return;
    }
  if (!sc_group_commit_begin (self->commit, msg))
    return;
  g_free (node->public_host);
  node->public_host = g_strdup (r->public_host);
  node->rtsp_port = r->rtsp_port;
  node->rtmp_port = r->rtmp_port;
  if (!sc_db_upsert_node (self->db, node, &error))
    {
      sc_http_send_db_error (msg, error);
      return;
    }
  g_message ("Node %s registered at %s (rtsp %d, rtmp %d)", node->name,
             r->public_host, node->rtsp_port, node->rtmp_port);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC,
                                    "{}", 2);
  sc_group_commit_hold (self->commit, msg);
}

/**
 * sc_api_ingest_new:
 * @auth: (not nullable): outlives the part
 * @commit: (not nullable): outlives the part
 * @metrics: (not nullable): outlives the part
 *
 * Returns: (transfer full): the part, its routes added to @routes
 */
ScApiIngest *
sc_api_ingest_new (const ScWebRoutes *routes, ScWebAuth *auth,
                   ScGroupCommit *commit, ScDb *db, ScSettings *settings,
                   ScClock *clock, ScWebMetrics *metrics)
{
  ScApiIngest *self = g_new0 (ScApiIngest, 1);

  self->auth = auth;
  self->commit = commit;
  self->metrics = metrics;
  self->db = g_object_ref (db);
  self->settings = sc_settings_ref (settings);
  self->clock = g_object_ref (clock);
  sc_web_routes_add (routes, "/api/v1/ingest/register", register_handler, self);
  sc_web_routes_add (routes, "/api/v1/ingest/authorize", authorize_handler,
                     self);
  return self;
}

void
sc_api_ingest_free (ScApiIngest *self)
{
  if (self == NULL)
    return;
  g_object_unref (self->db);
  sc_settings_unref (self->settings);
  g_object_unref (self->clock);
  g_free (self);
}
