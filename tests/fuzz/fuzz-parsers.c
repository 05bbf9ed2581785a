/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* libFuzzer target: the small parsers of untrusted text: RFC 3339 times,
 * tokens, base64url, and the live stream and refusal entries an ingest
 * node reports (POST /api/v1/ingest/streams), and a node's registration
 * (POST /api/v1/ingest/register), a booking request (POST
 * /api/v1/reservations), a node's whole report. The first byte picks the
 * parser. */

#include "config.h"

#include <string.h>

#include "sc-clock.h"
#include "sc-booking-body.h"
#include "sc-live-stream.h"
#include "sc-node-report.h"
#include "sc-registration.h"
#include "sc-token.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

/* A report entry that parses writes back to one that parses the same. */
static void
round_trip_report (const char *text, gboolean stream)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) back = NULL;
  JsonNode *root;

  if (!json_parser_load_from_data (parser, text, -1, NULL)
      || (root = json_parser_get_root (parser)) == NULL
      || !JSON_NODE_HOLDS_OBJECT (root))
    return;
  if (stream)
    {
      g_autoptr (ScLiveStream) l
          = sc_live_stream_from_json (json_node_get_object (root), "edge");
      g_autoptr (ScLiveStream) again = NULL;

      if (l == NULL)
        return;
      sc_live_stream_to_json (l, b, TRUE);
      back = json_builder_get_root (b);
      again = sc_live_stream_from_json (json_node_get_object (back), "edge");
      g_assert (again != NULL && strcmp (again->stream, l->stream) == 0
                && again->since_us == l->since_us
                && again->bytes_in == l->bytes_in);
    }
  else
    {
      g_autoptr (ScRefusal) r
          = sc_refusal_from_json (json_node_get_object (root));
      g_autoptr (ScRefusal) again = NULL;

      if (r == NULL)
        return;
      sc_refusal_to_json (r, b);
      back = json_builder_get_root (b);
      again = sc_refusal_from_json (json_node_get_object (back));
      g_assert (again != NULL && again->at_us == r->at_us
                && again->reason == r->reason
                && strcmp (again->stream, r->stream) == 0);
    }
}

/* A registration that parses writes back to the same one. */
static void
round_trip_registration (const char *text)
{
  g_autoptr (JsonNode) json = json_from_string (text, NULL);
  g_autoptr (ScRegistration) r = NULL;
  g_autoptr (ScRegistration) again = NULL;
  g_autoptr (JsonNode) back = NULL;

  if (json == NULL || (r = sc_registration_from_json (json, NULL)) == NULL)
    return;
  back = sc_registration_to_json (r);
  again = sc_registration_from_json (back, NULL);
  g_assert (again != NULL && strcmp (again->name, r->name) == 0
            && strcmp (again->public_host, r->public_host) == 0
            && again->rtsp_port == r->rtsp_port
            && again->rtmp_port == r->rtmp_port);
}

/* A booking request that parses writes back to the same one. */
static void
round_trip_booking (const char *text)
{
  g_autoptr (JsonNode) json = json_from_string (text, NULL);
  g_autoptr (ScBookingBody) b = NULL;
  g_autoptr (ScBookingBody) again = NULL;
  g_autoptr (JsonNode) back = NULL;

  if (json == NULL || !JSON_NODE_HOLDS_OBJECT (json)
      || (b = sc_booking_body_from_json (json_node_get_object (json), NULL))
             == NULL)
    return;
  back = sc_booking_body_to_json (b);
  again = sc_booking_body_from_json (json_node_get_object (back), NULL);
  g_assert (again != NULL && strcmp (again->stream, b->stream) == 0
            && again->start_us == b->start_us && again->end_us == b->end_us
            && again->visibility == b->visibility
            && g_strcmp0 (again->node, b->node) == 0
            && g_strcmp0 (again->owner, b->owner) == 0);
}

/* A node's report that parses writes back to one with the same entries. */
static void
round_trip_node_report (const char *text)
{
  g_autoptr (JsonNode) json = json_from_string (text, NULL);
  g_autoptr (ScNodeReport) r = NULL;
  g_autoptr (ScNodeReport) again = NULL;
  g_autoptr (JsonNode) back = NULL;

  if (json == NULL || !JSON_NODE_HOLDS_OBJECT (json)
      || (r = sc_node_report_from_json (json_node_get_object (json), "edge",
                                        NULL))
             == NULL)
    return;
  back = sc_node_report_to_json (r);
  again = sc_node_report_from_json (json_node_get_object (back), "edge", NULL);
  g_assert (again != NULL && again->streams->len == r->streams->len
            && again->refusals->len == r->refusals->len
            && memcmp (again->refused, r->refused, sizeof r->refused) == 0);
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autofree char *text = NULL;
  guint8 hash[SC_TOKEN_HASH_LEN];
  gint64 us;
  size_t len;

  if (size < 1 || size > 4096)
    return 0;
  text = g_strndup ((const char *)data + 1, size - 1);
  switch (data[0] % 8)
    {
      case 0:
        if (sc_time_parse (text, &us))
          {
            g_autofree char *back = sc_time_format_us (us);
            gint64 again;
            g_assert (sc_time_parse (back, &again) && again == us);
          }
        break;
      case 1:
        if (sc_token_hash (text, hash))
          g_assert (strlen (text) == SC_TOKEN_TEXT_LEN);
        break;
      case 2:
        {
          g_autofree guint8 *raw = sc_base64url_decode (text, &len);
          if (raw != NULL)
            {
              g_autofree char *back = sc_base64url_encode (raw, len);
              g_assert (strcmp (back, text) == 0);
            }
        }
        break;
      case 3:
      case 4:
        round_trip_report (text, data[0] % 8 == 3);
        break;
      case 5:
        round_trip_registration (text);
        break;
      case 6:
        round_trip_booking (text);
        break;
      case 7:
        round_trip_node_report (text);
        break;
    }
  return 0;
}
