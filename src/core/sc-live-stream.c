/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * What an ingest reports about its live streams and refusals, and their
 * JSON form: the one GET /api/v1/streams shows, and the one an ingest node
 * apart sends to the booking service (POST /api/v1/ingest/streams). The
 * parsers take network input: every member is checked for its type and
 * bounds, and anything else makes the whole entry invalid.
 */

#include "config.h"

#include "sc-live-stream.h"

#include "sc-json.h"

#include "sc-booking.h"
#include "sc-clock.h"

#include <string.h>

#define MAX_ADDRESS_LEN 64
#define MAX_STREAM_LEN 64

void
sc_live_stream_free (ScLiveStream *self)
{
  if (self == NULL)
    return;
  g_free (self->stream);
  g_free (self->reservation_id);
  g_free (self->node);
  g_free (self->publisher);
  g_free (self);
}

void
sc_refusal_free (ScRefusal *self)
{
  if (self == NULL)
    return;
  g_free (self->stream);
  g_free (self->address);
  g_free (self);
}

static void
add_string_or_null (JsonBuilder *b, const char *name, const char *value)
{
  json_builder_set_member_name (b, name);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

/**
 * sc_live_stream_to_json:
 * @full: with the reservation and the publisher's address (for the owner,
 *   operators and the booking service); %NULL in their place otherwise
 *
 * Adds @self to @b as one object.
 */
void
sc_live_stream_to_json (const ScLiveStream *self, JsonBuilder *b, gboolean full)
{
  g_autofree char *since = sc_time_format_us (self->since_us);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "stream");
  json_builder_add_string_value (b, self->stream);
  json_builder_set_member_name (b, "live");
  json_builder_add_boolean_value (b, self->live);
  add_string_or_null (b, "reservation", full ? self->reservation_id : NULL);
  json_builder_set_member_name (b, "node");
  json_builder_add_string_value (b, self->node);
  add_string_or_null (b, "publisher", full ? self->publisher : NULL);
  json_builder_set_member_name (b, "since");
  json_builder_add_string_value (b, since);
  json_builder_set_member_name (b, "bitrate");
  json_builder_add_int_value (b, self->bitrate);
  json_builder_set_member_name (b, "bytes_in");
  json_builder_add_int_value (b, self->bytes_in);
  json_builder_set_member_name (b, "viewers");
  json_builder_add_int_value (b, self->viewers);
  json_builder_end_object (b);
}

static const char *
get_string (JsonObject *object, const char *name, size_t max)
{
  const char *text = sc_json_string_of (object, name);

  return text != NULL && strlen (text) <= max ? text : NULL;
}

/**
 * sc_live_stream_from_json:
 * @node: the node that reports it (never taken from the report)
 *
 * Returns: (transfer full) (nullable): the stream @object describes, or
 *   %NULL when anything in it is missing, of the wrong type or out of
 *   bounds
 */
ScLiveStream *
sc_live_stream_from_json (JsonObject *object, const char *node)
{
  g_autoptr (ScLiveStream) l = g_new0 (ScLiveStream, 1);
  const char *stream = get_string (object, "stream", MAX_STREAM_LEN);
  const char *id = get_string (object, "reservation", 36);
  const char *publisher = get_string (object, "publisher", MAX_ADDRESS_LEN);
  const char *since = get_string (object, "since", 64);
  JsonNode *live = sc_json_value_of (object, "live", G_TYPE_BOOLEAN);
  gint64 bitrate, bytes_in, viewers;

  if (stream == NULL || !sc_booking_stream_name_valid (stream) || id == NULL
      || !g_uuid_string_is_valid (id) || publisher == NULL
      || !g_utf8_validate (publisher, -1, NULL) || since == NULL
      || !sc_time_parse (since, &l->since_us) || live == NULL
      || !sc_json_int_of (object, "bitrate", 0, G_GINT64_CONSTANT (1) << 40,
                          &bitrate)
      || !sc_json_int_of (object, "bytes_in", 0, G_MAXINT64, &bytes_in)
      || !sc_json_int_of (object, "viewers", 0, G_MAXUINT32, &viewers))
    return NULL;
  l->stream = g_strdup (stream);
  l->reservation_id = g_strdup (id);
  l->node = g_strdup (node);
  l->publisher = g_strdup (publisher);
  l->live = json_node_get_boolean (live);
  l->bitrate = bitrate;
  l->bytes_in = bytes_in;
  l->viewers = viewers;
  return g_steal_pointer (&l);
}

void
sc_refusal_to_json (const ScRefusal *self, JsonBuilder *b)
{
  g_autofree char *at = sc_time_format_us (self->at_us);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "at");
  json_builder_add_string_value (b, at);
  json_builder_set_member_name (b, "stream");
  json_builder_add_string_value (b, self->stream);
  json_builder_set_member_name (b, "reason");
  json_builder_add_string_value (b, sc_admit_result_to_string (self->reason));
  json_builder_set_member_name (b, "protocol");
  json_builder_add_string_value (b, self->protocol);
  json_builder_set_member_name (b, "role");
  json_builder_add_string_value (b, self->role);
  json_builder_set_member_name (b, "address");
  json_builder_add_string_value (b, self->address);
  json_builder_end_object (b);
}

/* One of @names, as that static string; NULL if @text is none of them. */
static const char *
pick (const char *text, const char *const *names)
{
  for (; text != NULL && *names != NULL; names++)
    if (strcmp (text, *names) == 0)
      return *names;
  return NULL;
}

/**
 * sc_refusal_from_json:
 *
 * Returns: (transfer full) (nullable): the refusal @object describes, or
 *   %NULL when anything in it is missing, of the wrong type or unknown
 */
ScRefusal *
sc_refusal_from_json (JsonObject *object)
{
  static const char *const protocols[] = { "rtsp", "rtmp", NULL };
  static const char *const roles[] = { "publish", "view", NULL };
  g_autoptr (ScRefusal) r = g_new0 (ScRefusal, 1);
  const char *at = get_string (object, "at", 64);
  const char *stream = get_string (object, "stream", MAX_STREAM_LEN);
  const char *address = get_string (object, "address", MAX_ADDRESS_LEN);
  const char *reason = get_string (object, "reason", 32);
  gboolean known = FALSE;

  for (int i = SC_ADMIT_OK + 1; reason != NULL && i < SC_ADMIT_N_RESULTS; i++)
    if (strcmp (reason, sc_admit_result_to_string (i)) == 0)
      {
        r->reason = i;
        known = TRUE;
      }
  r->protocol = pick (get_string (object, "protocol", 8), protocols);
  r->role = pick (get_string (object, "role", 8), roles);
  if (!known || at == NULL || !sc_time_parse (at, &r->at_us) || stream == NULL
      || !g_utf8_validate (stream, -1, NULL) || address == NULL
      || !g_utf8_validate (address, -1, NULL) || r->protocol == NULL
      || r->role == NULL)
    return NULL;
  r->stream = g_strdup (stream);
  r->address = g_strdup (address);
  return g_steal_pointer (&r);
}
