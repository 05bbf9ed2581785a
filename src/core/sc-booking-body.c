/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The booking request on the wire (`POST /api/v1/reservations`), its writer
 * (the uploader, `slotcast-upload book`) and its reader (the booking
 * service, sc-api-reservations.c) side by side:
 *
 *   {"stream": "news", "start": "2026-11-24T10:00:00Z",
 *    "end": "2026-11-24T11:00:00Z", "visibility": "private",
 *    "node": "edge-1", "owner": "alice"}
 *
 * `visibility`, `node` and `owner` may be left out (or null). The reader
 * takes these members and no other, and says which field is wrong
 * (SC_BOOKING_ERROR_INVALID, "FIELD: why"); the rules of a booking (the
 * stream's name, the window, the quota) are sc-booking.c's and the
 * database's, checked after. Fuzzed by fuzz-parsers.
 */

#include "config.h"

#include "sc-booking-body.h"

#include "sc-booking.h"
#include "sc-clock.h"
#include "sc-json.h"

void
sc_booking_body_free (ScBookingBody *self)
{
  if (self == NULL)
    return;
  g_free (self->stream);
  g_free (self->node);
  g_free (self->owner);
  g_free (self);
}

static void
add_string (JsonBuilder *b, const char *name, const char *value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, value);
}

/**
 * sc_booking_body_to_json:
 *
 * Returns: (transfer full): @self as a client sends it
 */
JsonNode *
sc_booking_body_to_json (const ScBookingBody *self)
{
  g_autoptr (JsonBuilder) b = json_builder_new_immutable ();
  g_autofree char *start = sc_time_format_us (self->start_us);
  g_autofree char *end = sc_time_format_us (self->end_us);

  json_builder_begin_object (b);
  add_string (b, "stream", self->stream);
  add_string (b, "start", start);
  add_string (b, "end", end);
  add_string (b, "visibility", sc_visibility_to_string (self->visibility));
  if (self->node != NULL)
    add_string (b, "node", self->node);
  if (self->owner != NULL)
    add_string (b, "owner", self->owner);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static gboolean
invalid (GError **error, const char *field, const char *why)
{
  g_set_error (error, SC_BOOKING_ERROR, SC_BOOKING_ERROR_INVALID, "%s: %s",
               field, why);
  return FALSE;
}

/* A string member: %FALSE with @error set when it is missing though
 * @required, or not a string (null counts as missing when optional). */
static gboolean
get_string (JsonObject *o, const char *name, gboolean required, char **out,
            GError **error)
{
  JsonNode *n = json_object_get_member (o, name);

  if (n == NULL || (!required && JSON_NODE_HOLDS_NULL (n)))
    return !required || invalid (error, name, "is required");
  if (!JSON_NODE_HOLDS_VALUE (n)
      || json_node_get_value_type (n) != G_TYPE_STRING)
    return invalid (error, name, "must be a string");
  *out = g_strdup (json_node_get_string (n));
  return TRUE;
}

static gboolean
get_time (JsonObject *o, const char *name, gint64 *out, GError **error)
{
  g_autofree char *text = NULL;

  if (!get_string (o, name, TRUE, &text, error))
    return FALSE;
  if (!sc_time_parse (text, out))
    return invalid (error, name,
                    "must be an RFC 3339 time with an offset, like "
                    "2026-11-24T10:00:00Z");
  return TRUE;
}

/**
 * sc_booking_body_from_json:
 *
 * Returns: (transfer full) (nullable): the request, or %NULL with @error
 *   naming the field
 */
ScBookingBody *
sc_booking_body_from_json (JsonObject *o, GError **error)
{
  static const char *const members[]
      = { "stream", "start", "end", "visibility", "node", "owner", NULL };
  g_autoptr (ScBookingBody) body = g_new0 (ScBookingBody, 1);
  g_autofree char *visibility = NULL;

  if (!sc_json_check_only (o, members, SC_BOOKING_ERROR,
                           SC_BOOKING_ERROR_INVALID, error)
      || !get_string (o, "stream", TRUE, &body->stream, error)
      || !get_time (o, "start", &body->start_us, error)
      || !get_time (o, "end", &body->end_us, error)
      || !get_string (o, "visibility", FALSE, &visibility, error)
      || !get_string (o, "node", FALSE, &body->node, error)
      || !get_string (o, "owner", FALSE, &body->owner, error))
    return NULL;
  body->visibility = SC_VISIBILITY_PUBLIC;
  if (visibility != NULL
      && !sc_visibility_from_string (visibility, &body->visibility))
    {
      invalid (error, "visibility", "must be \"public\" or \"private\"");
      return NULL;
    }
  return g_steal_pointer (&body);
}
