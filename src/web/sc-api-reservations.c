/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * /api/v1/reservations and /api/v1/availability: booking, listing, reading,
 * ticket hand-out and cancelling. Runs on ScWebServer's main context.
 *
 * A broadcaster sees only its own reservations: another's answers 404, as
 * if it did not exist.
 *
 * /api/v1/tickets/TOKEN hands out one reservation's ticket once, without a
 * key: the link the web UI gives the uploader (slotcast://import?url=…),
 * made by POST …/{id}/ticket-link, working for ten minutes. Operators see and
 * cancel everyone's and may book on behalf of a user ("owner").
 */

#include "config.h"

#include "sc-api-reservations.h"

#include "sc-booking-body.h"
#include "sc-http.h"
#include "sc-ticket.h"

#include <string.h>

#define RESERVATIONS_PATH "/api/v1/reservations"
#define DAY_US (G_GINT64_CONSTANT (86400) * SC_USEC_PER_SEC)
#define MAX_RANGE_US (31 * DAY_US)
#define TICKETS_PATH "/api/v1/tickets"
/* How long an "Open in uploader" link works (once). */
#define TICKET_LINK_US (600 * SC_USEC_PER_SEC)

struct _ScApiReservations
{
  ScWebAuth *auth;       /* the server's */
  ScGroupCommit *commit; /* the server's */
  ScWebMetrics *metrics; /* the server's */
  ScDb *db;
  ScSettings *settings;
  ScClock *clock;
  ScSealer *sealer;
};

static gboolean
id_valid (const char *id)
{
  return g_uuid_string_is_valid (id);
}

static void
send_not_found (SoupServerMessage *msg, const char *id)
{
  sc_http_send_error (msg, SOUP_STATUS_NOT_FOUND, "not_found",
                      "No reservation %s", id_valid (id) ? id : "with that id");
}

/* Sends the error for a failed ScDb/booking call. */
static void
send_booking_error (ScApiReservations *self, SoupServerMessage *msg,
                    const GError *error)
{
  if (error->domain != SC_BOOKING_ERROR)
    {
      sc_http_send_db_error (msg, error);
      return;
    }
  switch ((ScBookingError)error->code)
    {
      case SC_BOOKING_ERROR_STREAM_TAKEN:
        self->metrics->booking_conflicts++;
        sc_http_send_error (msg, SOUP_STATUS_CONFLICT, "stream_taken", "%s",
                            error->message);
        break;
      case SC_BOOKING_ERROR_QUOTA:
        self->metrics->booking_rejected++;
        sc_http_send_error (msg, SOUP_STATUS_CONFLICT, "quota", "%s",
                            error->message);
        break;
      case SC_BOOKING_ERROR_NO_CAPACITY:
        self->metrics->booking_conflicts++;
        sc_http_send_error (msg, SOUP_STATUS_CONFLICT, "no_capacity", "%s",
                            error->message);
        break;
      case SC_BOOKING_ERROR_INVALID:
      case SC_BOOKING_ERROR_UNKNOWN_NODE:
        self->metrics->booking_rejected++;
        sc_http_send_error (msg, SOUP_STATUS_UNPROCESSABLE_ENTITY,
                            "invalid_field", "%s", error->message);
        break;
      case SC_BOOKING_ERROR_NOT_FOUND:
        sc_http_send_error (msg, SOUP_STATUS_NOT_FOUND, "not_found", "%s",
                            error->message);
        break;
      case SC_BOOKING_ERROR_CANCELLED:
        sc_http_send_error (msg, SOUP_STATUS_CONFLICT, "already_cancelled",
                            "%s", error->message);
        break;
    }
}

/* @node: (nullable): the reservation's node, if the caller has it */
static void
send_ticket (ScApiReservations *self, SoupServerMessage *msg, guint status,
             const ScReservation *r, const ScTicketSecrets *secrets,
             const ScNode *known_node)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ScNode) node = known_node != NULL
                                ? sc_node_copy (known_node)
                                : sc_db_get_node (self->db, r->node, &error);
  g_autoptr (JsonNode) ticket = NULL;
  g_autofree char *location = NULL;
  g_autofree char *disposition = NULL;
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  if (node == NULL)
    {
      if (error == NULL)
        g_set_error (&error, SC_DB_ERROR, SC_DB_ERROR_SCHEMA,
                     "Node %s of reservation %s vanished", r->node, r->id);
      sc_http_send_db_error (msg, error);
      return;
    }
  ticket = sc_ticket_to_json (r, node, secrets, self->settings->admit_early_s);
  location = g_strdup_printf (RESERVATIONS_PATH "/%s", r->id);
  disposition = g_strdup_printf (
      "inline; filename=\"slotcast-%s-%.8s.slotcast-ticket\"", r->stream,
      r->id);
  soup_message_headers_replace (headers, "Location", location);
  soup_message_headers_replace (headers, "Content-Disposition", disposition);
  sc_http_send_json (msg, status, ticket, SC_TICKET_CONTENT_TYPE);
}

static void
book (ScApiReservations *self, SoupServerMessage *msg, ScUser *user)
{
  g_autoptr (JsonObject) json = sc_http_read_json_object (msg);
  g_autoptr (ScBookingBody) body = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (ScUser) owner = NULL;
  g_autoptr (ScReservation) r = NULL;
  g_autoptr (ScTicketSecrets) secrets = NULL;
  g_autoptr (ScNode) node = NULL;
  ScBookingLimits limits = {
    .min_length_us = self->settings->min_length_s * SC_USEC_PER_SEC,
    .max_length_us = self->settings->max_length_s * SC_USEC_PER_SEC,
    .past_slack_us = self->settings->past_slack_s * SC_USEC_PER_SEC,
    .horizon_us = self->settings->horizon_days * 86400 * SC_USEC_PER_SEC,
  };
  ScBookRequest request = {
    .owner_id = user->id,
    .longest_us = limits.max_length_us,
  };
  const char *owner_name;
  gint64 now_us = sc_clock_now_us (self->clock);

  if (json == NULL)
    {
      self->metrics->booking_rejected++;
      return;
    }
  if ((body = sc_booking_body_from_json (json, &error)) == NULL)
    {
      send_booking_error (self, msg, error);
      return;
    }
  request.stream = body->stream;
  request.start_us = body->start_us;
  request.end_us = body->end_us;
  request.visibility = body->visibility;
  request.node = body->node;
  owner_name = body->owner;
  if (owner_name != NULL && g_strcmp0 (owner_name, user->name) != 0
      && user->role != SC_ROLE_OPERATOR)
    {
      sc_http_send_error (msg, SOUP_STATUS_FORBIDDEN, "forbidden",
                          "owner: only operators book for others");
      return;
    }
  if (!sc_booking_check_stream (request.stream, &error)
      || !sc_booking_check_window (&limits, request.start_us, request.end_us,
                                   now_us, &error))
    {
      send_booking_error (self, msg, error);
      return;
    }
  if (owner_name != NULL && g_strcmp0 (owner_name, user->name) != 0)
    {
      owner = sc_db_get_user (self->db, owner_name, &error);
      if (owner == NULL)
        {
          if (error != NULL)
            sc_http_send_db_error (msg, error);
          else
            sc_http_send_error (msg, SOUP_STATUS_UNPROCESSABLE_ENTITY,
                                "invalid_field", "owner: no user named %s",
                                owner_name);
          return;
        }
      request.owner_id = owner->id;
    }
  /* Operators book without limits for themselves; a broadcaster's quota
   * holds also when an operator books for it. */
  if ((owner != NULL ? owner->role : user->role) != SC_ROLE_OPERATOR)
    {
      request.max_open = self->settings->max_open_per_user;
      request.max_booked_us
          = (gint64)self->settings->max_hours_per_user * 3600 * SC_USEC_PER_SEC;
    }

  if (!sc_group_commit_begin (self->commit, msg))
    return;
  r = sc_db_book (self->db, self->sealer, &request, now_us, &secrets, &node,
                  &error);
  if (r == NULL)
    {
      send_booking_error (self, msg, error);
      return;
    }
  r->owner = g_strdup (owner != NULL ? owner->name : user->name);
  self->metrics->bookings++;
  if (!g_log_writer_default_would_drop (G_LOG_LEVEL_INFO, G_LOG_DOMAIN))
    {
      guint8 hash[SC_TOKEN_HASH_LEN];
      g_autofree char *hash_short = NULL;

      sc_token_hash (secrets->publish_token, hash);
      hash_short = sc_token_hash_short (hash);
      g_info ("Booked %s: stream %s on node %s for %s (publish token #%s)",
              r->id, r->stream, r->node, r->owner, hash_short);
    }
  send_ticket (self, msg, SOUP_STATUS_CREATED, r, secrets, node);
  sc_group_commit_hold (self->commit, msg);
}

static void
list (ScApiReservations *self, SoupServerMessage *msg, GHashTable *query,
      ScUser *user)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) rows = NULL;
  g_autoptr (JsonBuilder) b = json_builder_new_immutable ();
  g_autoptr (JsonNode) root = NULL;
  gint64 now_us = sc_clock_now_us (self->clock);
  gint64 from_us, to_us, owner_id;
  const char *state = query ? g_hash_table_lookup (query, "state") : NULL;
  const char *owner = query ? g_hash_table_lookup (query, "owner") : NULL;
  int limit;

  if (!sc_query_get_time (msg, query, "from", now_us, &from_us)
      || !sc_query_get_time (msg, query, "to", from_us + MAX_RANGE_US, &to_us)
      || !sc_query_get_int (msg, query, "limit", 1, self->settings->list_limit,
                            MIN (100, self->settings->list_limit), &limit))
    return;
  if (to_us <= from_us || to_us - from_us > MAX_RANGE_US)
    {
      sc_http_send_error (msg, SOUP_STATUS_BAD_REQUEST, "bad_query",
                          "to: must be after from, at most 31 days later");
      return;
    }
  if (state != NULL && strcmp (state, "booked") != 0
      && strcmp (state, "all") != 0)
    {
      sc_http_send_error (msg, SOUP_STATUS_BAD_REQUEST, "bad_query",
                          "state: must be \"booked\" or \"all\"");
      return;
    }

  owner_id = user->role == SC_ROLE_OPERATOR ? 0 : user->id;
  if (owner != NULL && owner[0] != '\0' && user->role == SC_ROLE_OPERATOR)
    {
      g_autoptr (ScUser) who = sc_db_get_user (self->db, owner, &error);

      if (error != NULL)
        {
          sc_http_send_db_error (msg, error);
          return;
        }
      owner_id = who != NULL ? who->id : -1;
    }

  rows = sc_db_list_reservations (self->db, owner_id, from_us, to_us,
                                  g_strcmp0 (state, "all") == 0, limit, &error);
  if (rows == NULL)
    {
      sc_http_send_db_error (msg, error);
      return;
    }
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "reservations");
  json_builder_begin_array (b);
  for (guint i = 0; i < rows->len; i++)
    json_builder_add_value (
        b, sc_reservation_to_json (g_ptr_array_index (rows, i)));
  json_builder_end_array (b);
  json_builder_set_member_name (b, "truncated");
  json_builder_add_boolean_value (b, rows->len == (guint)limit);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  sc_http_send_json (msg, SOUP_STATUS_OK, root, NULL);
}

/* The reservation @id if @user may see it; otherwise NULL with 404 sent. */
static ScReservation *
get_visible (ScApiReservations *self, SoupServerMessage *msg, ScUser *user,
             const char *id)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ScReservation) r = NULL;

  if (!id_valid (id))
    {
      send_not_found (msg, id);
      return NULL;
    }
  r = sc_db_get_reservation (self->db, id, &error);
  if (r == NULL)
    {
      send_booking_error (self, msg, error);
      return NULL;
    }
  if (user->role != SC_ROLE_OPERATOR && r->owner_id != user->id)
    {
      send_not_found (msg, id);
      return NULL;
    }
  return g_steal_pointer (&r);
}

static void
ticket (ScApiReservations *self, SoupServerMessage *msg, ScUser *user,
        const char *id)
{
  g_autoptr (ScReservation) r = get_visible (self, msg, user, id);
  g_autoptr (ScTicketSecrets) secrets = NULL;
  g_autoptr (GError) error = NULL;

  if (r == NULL)
    return;
  secrets = sc_db_open_secrets (self->db, self->sealer, id, &error);
  if (secrets == NULL)
    {
      send_booking_error (self, msg, error);
      return;
    }
  send_ticket (self, msg, SOUP_STATUS_OK, r, secrets, NULL);
}

static void
ticket_link (ScApiReservations *self, SoupServerMessage *msg, ScUser *user,
             const char *id)
{
  g_autoptr (ScReservation) r = get_visible (self, msg, user, id);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonBuilder) b = json_builder_new_immutable ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *token = NULL;
  g_autofree char *path = NULL;
  g_autofree char *expires = NULL;
  gint64 now_us = sc_clock_now_us (self->clock);

  if (r == NULL)
    return;
  if (r->state == SC_RESERVATION_CANCELLED)
    {
      sc_http_send_error (msg, SOUP_STATUS_CONFLICT, "already_cancelled",
                          "Reservation %s is cancelled; its ticket admits "
                          "nothing",
                          id);
      return;
    }
  if (!sc_group_commit_begin (self->commit, msg))
    return;
  token = sc_db_add_ticket_link (self->db, id, now_us, now_us + TICKET_LINK_US,
                                 &error);
  if (token == NULL)
    {
      sc_http_send_db_error (msg, error);
      return;
    }
  path = g_strconcat (TICKETS_PATH "/", token, NULL);
  expires = sc_time_format_us (now_us + TICKET_LINK_US);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "path");
  json_builder_add_string_value (b, path);
  json_builder_set_member_name (b, "expires");
  json_builder_add_string_value (b, expires);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  sc_http_send_json (msg, SOUP_STATUS_CREATED, root, NULL);
  sc_group_commit_hold (self->commit, msg);
}

/* GET /api/v1/tickets/TOKEN: no key; the token is the capability. */
static void
tickets_handler (SoupServer *soup, SoupServerMessage *msg, const char *path,
                 GHashTable *query, gpointer data)
{
  ScApiReservations *self = data;
  const char *token = path + strlen (TICKETS_PATH);
  g_autoptr (GError) error = NULL;
  g_autoptr (ScReservation) r = NULL;
  g_autoptr (ScTicketSecrets) secrets = NULL;
  g_autofree char *id = NULL;

  if (*token != '/' || strchr (token + 1, '/') != NULL)
    {
      sc_http_send_error (msg, SOUP_STATUS_NOT_FOUND, "not_found",
                          "Nothing at this path");
      return;
    }
  token++;
  if (!sc_http_require_method (msg, "GET", NULL)
      || !sc_web_auth_check_not_blocked (self->auth, msg)
      || !sc_group_commit_begin (self->commit, msg))
    return;
  id = sc_db_take_ticket_link (self->db, token, sc_clock_now_us (self->clock),
                               &error);
  /* Not counted as a bad key: a used link opened again is no guess, and
   * 256-bit tokens leave nothing to guess at. */
  if (id == NULL && error == NULL)
    {
      sc_http_send_error (msg, SOUP_STATUS_NOT_FOUND, "not_found",
                          "This ticket link is unknown, used or expired; "
                          "make a new one");
      return;
    }
  if (id != NULL)
    r = sc_db_get_reservation (self->db, id, &error);
  if (r != NULL && r->state == SC_RESERVATION_CANCELLED)
    {
      sc_http_send_error (msg, SOUP_STATUS_CONFLICT, "already_cancelled",
                          "Reservation %s was cancelled; its ticket admits "
                          "nothing",
                          id);
      return;
    }
  if (r != NULL)
    secrets = sc_db_open_secrets (self->db, self->sealer, id, &error);
  if (secrets == NULL)
    {
      send_booking_error (self, msg, error);
      return;
    }
  g_info ("Ticket of %s handed out by link", id);
  send_ticket (self, msg, SOUP_STATUS_OK, r, secrets, NULL);
  sc_group_commit_hold (self->commit, msg);
}

static void
cancel (ScApiReservations *self, SoupServerMessage *msg, ScUser *user,
        const char *id)
{
  g_autoptr (ScReservation) r = get_visible (self, msg, user, id);
  g_autoptr (ScReservation) cancelled = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = NULL;

  if (r == NULL)
    return;
  if (!sc_group_commit_begin (self->commit, msg))
    return;
  cancelled
      = sc_db_cancel (self->db, id, sc_clock_now_us (self->clock), &error);
  if (cancelled == NULL)
    {
      send_booking_error (self, msg, error);
      return;
    }
  self->metrics->cancellations++;
  g_info ("Cancelled %s (stream %s) by %s", id, r->stream, user->name);
  node = sc_reservation_to_json (cancelled);
  sc_http_send_json (msg, SOUP_STATUS_OK, node, NULL);
  sc_group_commit_hold (self->commit, msg);
}

static void
reservations_handler (SoupServer *soup, SoupServerMessage *msg,
                      const char *path, GHashTable *query, gpointer data)
{
  ScApiReservations *self = data;
  const char *rest = path + strlen (RESERVATIONS_PATH);
  g_autoptr (ScUser) user = NULL;
  g_auto (GStrv) parts = NULL;
  const char *method = soup_server_message_get_method (msg);

  if (*rest != '\0' && *rest != '/')
    {
      sc_http_send_error (msg, SOUP_STATUS_NOT_FOUND, "not_found",
                          "Nothing at this path");
      return;
    }
  parts = g_strsplit (*rest == '/' ? rest + 1 : rest, "/", 3);

  /* Check the shape of the path before the key, so 404/405 do not depend
   * on who asks. */
  switch (g_strv_length (parts))
    {
      case 0:
        if (!sc_http_require_method (msg, "GET", "POST", NULL))
          return;
        break;
      case 1:
        if (!sc_http_require_method (msg, "GET", "DELETE", NULL))
          return;
        break;
      case 2:
        if (strcmp (parts[1], "ticket") == 0)
          {
            if (!sc_http_require_method (msg, "GET", NULL))
              return;
            break;
          }
        if (strcmp (parts[1], "ticket-link") == 0)
          {
            if (!sc_http_require_method (msg, "POST", NULL))
              return;
            break;
          }
        G_GNUC_FALLTHROUGH;
      default:
        sc_http_send_error (msg, SOUP_STATUS_NOT_FOUND, "not_found",
                            "Nothing at this path");
        return;
    }

  if ((user = sc_web_auth_user (self->auth, msg)) == NULL)
    return;
  if (parts[0] == NULL)
    {
      if (strcmp (method, "POST") == 0)
        book (self, msg, user);
      else
        list (self, msg, query, user);
    }
  else if (parts[1] != NULL && strcmp (parts[1], "ticket-link") == 0)
    ticket_link (self, msg, user, parts[0]);
  else if (parts[1] != NULL)
    ticket (self, msg, user, parts[0]);
  else if (strcmp (method, "DELETE") == 0)
    cancel (self, msg, user, parts[0]);
  else
    {
      g_autoptr (ScReservation) r = get_visible (self, msg, user, parts[0]);
      g_autoptr (JsonNode) node = NULL;

      if (r == NULL)
        return;
      node = sc_reservation_to_json (r);
      sc_http_send_json (msg, SOUP_STATUS_OK, node, NULL);
    }
}

static void
availability_handler (SoupServer *soup, SoupServerMessage *msg,
                      const char *path, GHashTable *query, gpointer data)
{
  ScApiReservations *self = data;
  g_autoptr (ScUser) user = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) nodes = NULL;
  g_autoptr (JsonBuilder) b = json_builder_new_immutable ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *from_text = NULL, *to_text = NULL;
  const char *only = query ? g_hash_table_lookup (query, "node") : NULL;
  gint64 now_us = sc_clock_now_us (self->clock);
  gint64 from_us, to_us;

  if (!sc_http_require_path (msg, path, "/api/v1/availability")
      || !sc_http_require_method (msg, "GET", NULL)
      || (user = sc_web_auth_user (self->auth, msg)) == NULL
      || !sc_query_get_time (msg, query, "from", now_us, &from_us)
      || !sc_query_get_time (msg, query, "to", from_us + DAY_US, &to_us))
    return;
  if (to_us <= from_us || to_us - from_us > MAX_RANGE_US)
    {
      sc_http_send_error (msg, SOUP_STATUS_BAD_REQUEST, "bad_query",
                          "to: must be after from, at most 31 days later");
      return;
    }
  nodes = sc_db_list_nodes (self->db, &error);
  if (nodes == NULL)
    {
      sc_http_send_db_error (msg, error);
      return;
    }

  from_text = sc_time_format_us (from_us);
  to_text = sc_time_format_us (to_us);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "from");
  json_builder_add_string_value (b, from_text);
  json_builder_set_member_name (b, "to");
  json_builder_add_string_value (b, to_text);
  json_builder_set_member_name (b, "nodes");
  json_builder_begin_array (b);
  for (guint i = 0; i < nodes->len; i++)
    {
      ScNode *node = g_ptr_array_index (nodes, i);
      g_autoptr (GArray) booked = NULL;
      g_autoptr (GArray) segments = NULL;

      if (only != NULL && strcmp (only, node->name) != 0)
        continue;
      booked = sc_db_booked_intervals (self->db, node, from_us, to_us, &error);
      if (booked == NULL)
        {
          sc_http_send_db_error (msg, error);
          return;
        }
      segments
          = sc_booking_free_segments ((ScInterval *)booked->data, booked->len,
                                      node->capacity, from_us, to_us);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "node");
      json_builder_add_string_value (b, node->name);
      json_builder_set_member_name (b, "capacity");
      json_builder_add_int_value (b, node->capacity);
      json_builder_set_member_name (b, "free");
      json_builder_begin_array (b);
      for (guint k = 0; k < segments->len; k++)
        {
          ScFreeSegment *seg = &g_array_index (segments, ScFreeSegment, k);
          g_autofree char *s = sc_time_format_us (seg->start_us);
          g_autofree char *e = sc_time_format_us (seg->end_us);

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "start");
          json_builder_add_string_value (b, s);
          json_builder_set_member_name (b, "end");
          json_builder_add_string_value (b, e);
          json_builder_set_member_name (b, "free");
          json_builder_add_int_value (b, seg->free);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  sc_http_send_json (msg, SOUP_STATUS_OK, root, NULL);
}

/**
 * sc_api_reservations_new:
 * @auth: (not nullable): outlives the part
 * @commit: (not nullable): outlives the part
 * @metrics: (not nullable): outlives the part
 *
 * Returns: (transfer full): the part, its routes added to @routes
 */
ScApiReservations *
sc_api_reservations_new (const ScWebRoutes *routes, ScWebAuth *auth,
                         ScGroupCommit *commit, ScDb *db, ScSettings *settings,
                         ScClock *clock, ScWebMetrics *metrics,
                         ScSealer *sealer)
{
  ScApiReservations *self = g_new0 (ScApiReservations, 1);

  self->auth = auth;
  self->commit = commit;
  self->metrics = metrics;
  self->db = g_object_ref (db);
  self->settings = sc_settings_ref (settings);
  self->clock = g_object_ref (clock);
  self->sealer = g_object_ref (sealer);
  sc_web_routes_add (routes, RESERVATIONS_PATH, reservations_handler, self);
  sc_web_routes_add (routes, "/api/v1/availability", availability_handler,
                     self);
  sc_web_routes_add (routes, TICKETS_PATH, tickets_handler, self);
  return self;
}

void
sc_api_reservations_free (ScApiReservations *self)
{
  if (self == NULL)
    return;
  g_object_unref (self->sealer);
  g_object_unref (self->db);
  sc_settings_unref (self->settings);
  g_object_unref (self->clock);
  g_free (self);
}
