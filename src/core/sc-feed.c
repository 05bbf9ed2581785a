/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The reservation feed's wire format: the page that the booking service
 * writes for `GET /api/v1/ingest/reservations` and that an ingest node
 * reads into its copy of its reservations (ScNodeSchedule). Writer and
 * parser live side by side so they cannot drift; the parser takes bytes
 * from the network and checks every field (fuzz-feed).
 *
 * A page:
 *
 *   {"node": "edge", "snapshot": true, "cursor": 42, "next_page": "…",
 *    "more": false, "admit_early_s": 30, "grace_s": 5,
 *    "reservations": [{"id": "…", "stream": "talk", "visibility":
 *      "private", "start": "2026-12-05T10:00:00Z", "end": "…",
 *      "state": "booked", "publish_hash": "64 hex", "view_hash": "64 hex",
 *      "seq": 41}, …]}
 *
 * Hashes are the SHA-256 of the tokens, in lowercase hex; a view hash is
 * there for a private reservation only. Members a parser does not know are
 * ignored, so that a newer service can add some.
 */

#include "config.h"

#include "sc-feed.h"

#include "sc-json.h"

#include "sc-booking.h"
#include "sc-clock.h"

#include <string.h>

/* clang-format off */
G_DEFINE_QUARK (sc-feed-error-quark, sc_feed_error)
/* clang-format on */

#define ID_MAX 64

ScFeedPage *
sc_feed_page_new (void)
{
  ScFeedPage *self = g_new0 (ScFeedPage, 1);

  self->entries = g_ptr_array_new_with_free_func (
      (GDestroyNotify)sc_reservation_entry_free);
  return self;
}

void
sc_feed_page_free (ScFeedPage *self)
{
  if (self == NULL)
    return;
  g_free (self->node);
  g_free (self->next_page);
  g_ptr_array_unref (self->entries);
  g_free (self);
}

static void
add_hash (JsonBuilder *b, const char *name, const guint8 *hash)
{
  char hex[2 * SC_TOKEN_HASH_LEN + 1];

  for (int i = 0; i < SC_TOKEN_HASH_LEN; i++)
    g_snprintf (hex + 2 * i, 3, "%02x", hash[i]);
  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, hex);
}

static void
add_time (JsonBuilder *b, const char *name, gint64 us)
{
  g_autofree char *text = sc_time_format_us (us);

  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, text);
}

/**
 * sc_feed_page_to_json:
 *
 * Returns: (transfer full): the page as its JSON answer
 */
JsonNode *
sc_feed_page_to_json (const ScFeedPage *self)
{
  g_autoptr (JsonBuilder) b = json_builder_new_immutable ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "node");
  json_builder_add_string_value (b, self->node);
  json_builder_set_member_name (b, "snapshot");
  json_builder_add_boolean_value (b, self->snapshot);
  json_builder_set_member_name (b, "cursor");
  json_builder_add_int_value (b, self->cursor);
  json_builder_set_member_name (b, "next_page");
  if (self->next_page != NULL)
    json_builder_add_string_value (b, self->next_page);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "more");
  json_builder_add_boolean_value (b, self->more);
  json_builder_set_member_name (b, "admit_early_s");
  json_builder_add_int_value (b, self->admit_early_s);
  json_builder_set_member_name (b, "grace_s");
  json_builder_add_int_value (b, self->grace_s);
  json_builder_set_member_name (b, "reservations");
  json_builder_begin_array (b);
  for (guint i = 0; i < self->entries->len; i++)
    {
      const ScReservationEntry *e = self->entries->pdata[i];
      const ScReservation *r = e->reservation;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_string_value (b, r->id);
      json_builder_set_member_name (b, "stream");
      json_builder_add_string_value (b, r->stream);
      json_builder_set_member_name (b, "visibility");
      json_builder_add_string_value (b,
                                     sc_visibility_to_string (r->visibility));
      add_time (b, "start", r->start_us);
      add_time (b, "end", r->end_us);
      json_builder_set_member_name (b, "state");
      json_builder_add_string_value (b,
                                     sc_reservation_state_to_string (r->state));
      add_hash (b, "publish_hash", e->publish_hash);
      if (e->has_view_hash)
        add_hash (b, "view_hash", e->view_hash);
      json_builder_set_member_name (b, "seq");
      json_builder_add_int_value (b, e->seq);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* Sets @error; returns NULL, for the parsers' returns. */
static gpointer
invalid (GError **error, const char *what)
{
  g_set_error (error, SC_FEED_ERROR, SC_FEED_ERROR_INVALID,
               "Bad reservation feed page: %s", what);
  return NULL;
}

/* The member @name of @o if it is a value of @type, else NULL. */
static gboolean
parse_hash (const char *text, guint8 out[SC_TOKEN_HASH_LEN])
{
  if (text == NULL || strlen (text) != 2 * SC_TOKEN_HASH_LEN)
    return FALSE;
  for (int i = 0; i < SC_TOKEN_HASH_LEN; i++)
    {
      int hi = g_ascii_xdigit_value (text[2 * i]);
      int lo = g_ascii_xdigit_value (text[2 * i + 1]);

      if (hi < 0 || lo < 0)
        return FALSE;
      out[i] = (guint8)(hi << 4 | lo);
    }
  return TRUE;
}

static gboolean
id_valid (const char *id)
{
  size_t len = id != NULL ? strlen (id) : 0;

  return len > 0 && len <= ID_MAX && strspn (id, "0123456789abcdef-") == len;
}

static ScReservationEntry *
parse_entry (JsonNode *node, const char *node_name, GError **error)
{
  g_autoptr (ScReservationEntry) e = g_new0 (ScReservationEntry, 1);
  ScReservation *r;
  JsonObject *o;
  const char *state;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return invalid (error, "a reservation is not an object");
  o = json_node_get_object (node);
  e->reservation = r = g_new0 (ScReservation, 1);
  r->id = g_strdup (sc_json_string_of (o, "id"));
  r->stream = g_strdup (sc_json_string_of (o, "stream"));
  r->node = g_strdup (node_name);
  state = sc_json_string_of (o, "state");
  if (!id_valid (r->id))
    return invalid (error, "id");
  if (r->stream == NULL || !sc_booking_stream_name_valid (r->stream))
    return invalid (error, "stream");
  if (!sc_visibility_from_string (sc_json_string_of (o, "visibility"),
                                  &r->visibility))
    return invalid (error, "visibility");
  if (!sc_time_parse (sc_json_string_of (o, "start"), &r->start_us)
      || !sc_time_parse (sc_json_string_of (o, "end"), &r->end_us)
      || r->end_us <= r->start_us)
    return invalid (error, "start and end");
  if (g_strcmp0 (state, "booked") == 0)
    r->state = SC_RESERVATION_BOOKED;
  else if (g_strcmp0 (state, "cancelled") == 0)
    r->state = SC_RESERVATION_CANCELLED;
  else
    return invalid (error, "state");
  if (!parse_hash (sc_json_string_of (o, "publish_hash"), e->publish_hash))
    return invalid (error, "publish_hash");
  e->has_view_hash = json_object_has_member (o, "view_hash");
  if (e->has_view_hash
      && !parse_hash (sc_json_string_of (o, "view_hash"), e->view_hash))
    return invalid (error, "view_hash");
  if (e->has_view_hash != (r->visibility == SC_VISIBILITY_PRIVATE))
    return invalid (error, "a view_hash goes with a private reservation");
  if (!sc_json_int_of (o, "seq", 0, G_MAXINT64, &e->seq))
    return invalid (error, "seq");
  return g_steal_pointer (&e);
}

/**
 * sc_feed_page_parse:
 *
 * Reads a page as the booking service sent it, checking every field.
 *
 * Returns: (transfer full) (nullable): the page, or %NULL with
 *   %SC_FEED_ERROR_INVALID (or a #JsonParserError)
 */
ScFeedPage *
sc_feed_page_parse (const char *data, gsize len, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  g_autoptr (ScFeedPage) page = sc_feed_page_new ();
  JsonNode *root, *list, *next;
  JsonObject *o;
  JsonArray *a;
  gint64 n;

  if (!json_parser_load_from_data (parser, data, len, error))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return invalid (error, "not an object");
  o = json_node_get_object (root);
  page->node = g_strdup (sc_json_string_of (o, "node"));
  if (page->node == NULL || page->node[0] == '\0')
    return invalid (error, "node");
  if (sc_json_value_of (o, "snapshot", G_TYPE_BOOLEAN) == NULL)
    return invalid (error, "snapshot");
  page->snapshot = json_object_get_boolean_member (o, "snapshot");
  if (!sc_json_int_of (o, "cursor", 0, G_MAXINT64, &page->cursor))
    return invalid (error, "cursor");
  next = json_object_get_member (o, "next_page");
  if (next != NULL && !JSON_NODE_HOLDS_NULL (next))
    {
      const char *text = sc_json_string_of (o, "next_page");

      if (text == NULL || strlen (text) > 128)
        return invalid (error, "next_page");
      page->next_page = g_strdup (text);
    }
  if (sc_json_value_of (o, "more", G_TYPE_BOOLEAN) != NULL)
    page->more = json_object_get_boolean_member (o, "more");
  if (sc_json_int_of (o, "admit_early_s", 0, G_MAXINT, &n))
    page->admit_early_s = n;
  if (sc_json_int_of (o, "grace_s", 0, G_MAXINT, &n))
    page->grace_s = n;
  list = json_object_get_member (o, "reservations");
  if (list == NULL || !JSON_NODE_HOLDS_ARRAY (list))
    return invalid (error, "reservations");
  a = json_node_get_array (list);
  if (json_array_get_length (a) > SC_FEED_PAGE_MAX)
    return invalid (error, "too many reservations");
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      ScReservationEntry *e
          = parse_entry (json_array_get_element (a, i), page->node, error);

      if (e == NULL)
        return NULL;
      g_ptr_array_add (page->entries, e);
    }
  return g_steal_pointer (&page);
}

/**
 * sc_feed_page_token:
 * @last: the last reservation of this page
 *
 * Returns: (transfer full): where the next page of a snapshot starts
 *   (opaque to nodes): the snapshot's cursor and @last's start and id
 */
char *
sc_feed_page_token (gint64 cursor, const ScReservation *last)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT ".%" G_GINT64_FORMAT ".%s",
                          cursor, last->start_us, last->id);
}

static gboolean
parse_decimal (const char *text, size_t len, gint64 *out)
{
  g_autofree char *copy = g_strndup (text, len);
  guint64 n;

  if (len == 0 || len > 18 || strspn (copy, "0123456789") != len
      || !g_ascii_string_to_unsigned (copy, 10, 0, G_MAXINT64, &n, NULL))
    return FALSE;
  *out = (gint64)n;
  return TRUE;
}

/**
 * sc_feed_page_token_parse:
 *
 * Returns: whether @text is a page token of sc_feed_page_token()
 */
gboolean
sc_feed_page_token_parse (const char *text, gint64 *out_cursor,
                          gint64 *out_start_us, char **out_id)
{
  const char *dot1, *dot2;

  if (text == NULL || strlen (text) > 128 || (dot1 = strchr (text, '.')) == NULL
      || (dot2 = strchr (dot1 + 1, '.')) == NULL
      || !parse_decimal (text, dot1 - text, out_cursor)
      || !parse_decimal (dot1 + 1, dot2 - dot1 - 1, out_start_us)
      || !id_valid (dot2 + 1))
    return FALSE;
  *out_id = g_strdup (dot2 + 1);
  return TRUE;
}
