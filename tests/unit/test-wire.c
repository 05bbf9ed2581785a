/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The small wire formats, each a writer and its reader side by side (a
 * node's registration, a booking request, a node's report): what one side
 * writes the other reads back whole, and what it never writes is refused,
 * naming the field. */

#include "config.h"

#include "sc-booking-body.h"
#include "sc-booking.h"
#include "sc-clock.h"
#include "sc-node-report.h"
#include "sc-registration.h"

#include <string.h>

static void
test_registration_round_trip (void)
{
  const char *hosts[] = { "ingest.example.org", "192.0.2.7", "2001:db8::1" };

  for (guint i = 0; i < G_N_ELEMENTS (hosts); i++)
    {
      ScRegistration r
          = { "edge-1", (char *)hosts[i], 8554, i == 0 ? 0 : 1935 };
      g_autoptr (JsonNode) json = sc_registration_to_json (&r);
      g_autoptr (GError) error = NULL;
      g_autoptr (ScRegistration) back
          = sc_registration_from_json (json, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (back->name, ==, r.name);
      g_assert_cmpstr (back->public_host, ==, r.public_host);
      g_assert_cmpint (back->rtsp_port, ==, r.rtsp_port);
      g_assert_cmpint (back->rtmp_port, ==, r.rtmp_port);
    }
}

static void
test_registration_refused (void)
{
  const struct
  {
    const char *json;
    const char *says;
  } cases[] = {
    { "[]", "body" },
    { "{\"name\":\"e\",\"public_host\":\"h\",\"rtsp_port\":1,\"rtmp_port\":1,"
      "\"x\":1}",
      "x: unknown field" },
    { "{\"name\":\"a b\",\"public_host\":\"h\",\"rtsp_port\":1,"
      "\"rtmp_port\":1}",
      "name" },
    { "{\"name\":\"e\",\"public_host\":\"h\\\" x\",\"rtsp_port\":1,"
      "\"rtmp_port\":1}",
      "public_host" },
    { "{\"name\":\"e\",\"public_host\":\"\",\"rtsp_port\":1,\"rtmp_port\":1}",
      "public_host" },
    { "{\"name\":\"e\",\"public_host\":\"h\",\"rtsp_port\":0,\"rtmp_port\":1}",
      "rtsp_port" },
    { "{\"name\":\"e\",\"public_host\":\"h\",\"rtsp_port\":1,"
      "\"rtmp_port\":65536}",
      "rtmp_port" },
    { "{\"name\":\"e\",\"public_host\":\"h\",\"rtsp_port\":\"1\","
      "\"rtmp_port\":1}",
      "rtsp_port" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (JsonNode) json = json_from_string (cases[i].json, NULL);
      g_autoptr (GError) error = NULL;
      g_autoptr (ScRegistration) r = sc_registration_from_json (json, &error);

      g_assert_null (r);
      g_assert_error (error, SC_REGISTRATION_ERROR,
                      SC_REGISTRATION_ERROR_INVALID);
      if (!g_str_has_prefix (error->message, cases[i].says))
        g_error ("case %u: %s", i, error->message);
    }
}

static void
test_booking_body_round_trip (void)
{
  for (int i = 0; i < 3; i++)
    {
      ScBookingBody b = {
        .stream = "news-1",
        .start_us = G_GINT64_CONSTANT (1800000000) * SC_USEC_PER_SEC,
        .end_us = G_GINT64_CONSTANT (1800003600) * SC_USEC_PER_SEC,
        .visibility = i == 1 ? SC_VISIBILITY_PRIVATE : SC_VISIBILITY_PUBLIC,
        .node = i == 2 ? "edge-1" : NULL,
        .owner = i == 2 ? "alice" : NULL,
      };
      g_autoptr (JsonNode) json = sc_booking_body_to_json (&b);
      g_autoptr (GError) error = NULL;
      g_autoptr (ScBookingBody) back
          = sc_booking_body_from_json (json_node_get_object (json), &error);

      g_assert_no_error (error);
      g_assert_cmpstr (back->stream, ==, b.stream);
      g_assert_cmpint (back->start_us, ==, b.start_us);
      g_assert_cmpint (back->end_us, ==, b.end_us);
      g_assert_cmpint (back->visibility, ==, b.visibility);
      g_assert_cmpstr (back->node, ==, b.node);
      g_assert_cmpstr (back->owner, ==, b.owner);
    }
}

static void
test_booking_body_refused (void)
{
  const struct
  {
    const char *json;
    const char *says;
  } cases[] = {
    { "{\"stream\":\"a\",\"start\":\"2030-01-01T00:00:00Z\","
      "\"end\":\"2030-01-01T01:00:00Z\",\"colour\":1}",
      "colour: unknown field" },
    { "{\"start\":\"2030-01-01T00:00:00Z\",\"end\":\"2030-01-01T01:00:00Z\"}",
      "stream: is required" },
    { "{\"stream\":1,\"start\":\"2030-01-01T00:00:00Z\","
      "\"end\":\"2030-01-01T01:00:00Z\"}",
      "stream: must be a string" },
    { "{\"stream\":\"a\",\"start\":\"tomorrow\","
      "\"end\":\"2030-01-01T01:00:00Z\"}",
      "start: must be an RFC 3339 time" },
    { "{\"stream\":\"a\",\"start\":\"2030-01-01T00:00:00Z\"}",
      "end: is required" },
    { "{\"stream\":\"a\",\"start\":\"2030-01-01T00:00:00Z\","
      "\"end\":\"2030-01-01T01:00:00Z\",\"visibility\":\"secret\"}",
      "visibility: must be" },
    { "{\"stream\":\"a\",\"start\":\"2030-01-01T00:00:00Z\","
      "\"end\":\"2030-01-01T01:00:00Z\",\"node\":[]}",
      "node: must be a string" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (JsonNode) json = json_from_string (cases[i].json, NULL);
      g_autoptr (GError) error = NULL;
      g_autoptr (ScBookingBody) b
          = sc_booking_body_from_json (json_node_get_object (json), &error);

      g_assert_null (b);
      g_assert_error (error, SC_BOOKING_ERROR, SC_BOOKING_ERROR_INVALID);
      if (!g_str_has_prefix (error->message, cases[i].says))
        g_error ("case %u: %s", i, error->message);
    }
}

static void
test_node_report_round_trip (void)
{
  g_autoptr (ScNodeReport) report = sc_node_report_new ();
  ScLiveStream *l = g_new0 (ScLiveStream, 1);
  ScRefusal *r = g_new0 (ScRefusal, 1);
  g_autoptr (JsonNode) json = NULL;
  g_autoptr (ScNodeReport) back = NULL;
  g_autoptr (GError) error = NULL;
  ScLiveStream *bl;

  l->stream = g_strdup ("news");
  l->reservation_id = g_strdup ("01a244c9-b4f9-772c-adc0-cdae322c3499");
  l->publisher = g_strdup ("192.0.2.1");
  l->since_us = G_GINT64_CONSTANT (1800000000) * SC_USEC_PER_SEC;
  l->bitrate = 2000000;
  l->bytes_in = 123456;
  l->viewers = 7;
  l->live = TRUE;
  g_ptr_array_add (report->streams, l);
  r->at_us = G_GINT64_CONSTANT (1800000001) * SC_USEC_PER_SEC;
  r->reason = SC_ADMIT_UNKNOWN_TOKEN;
  r->protocol = "rtmp";
  r->role = "publish";
  r->stream = g_strdup ("news");
  r->address = g_strdup ("198.51.100.9");
  g_ptr_array_add (report->refusals, r);
  report->refused[SC_ADMIT_UNKNOWN_TOKEN] = 3;

  json = sc_node_report_to_json (report);
  back = sc_node_report_from_json (json_node_get_object (json), "edge-1",
                                   &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back->streams->len, ==, 1);
  bl = g_ptr_array_index (back->streams, 0);
  g_assert_cmpstr (bl->stream, ==, "news");
  g_assert_cmpstr (bl->node, ==, "edge-1");
  g_assert_cmpint (bl->since_us, ==, l->since_us);
  g_assert_cmpuint (bl->bytes_in, ==, l->bytes_in);
  g_assert_cmpuint (bl->viewers, ==, 7);
  g_assert_cmpuint (back->refusals->len, ==, 1);
  g_assert_cmpint (((ScRefusal *)g_ptr_array_index (back->refusals, 0))->reason,
                   ==, SC_ADMIT_UNKNOWN_TOKEN);
  g_assert_cmpuint (back->refused[SC_ADMIT_UNKNOWN_TOKEN], ==, 3);
}

static void
test_node_report_refused (void)
{
  const struct
  {
    const char *json;
    const char *says;
  } cases[] = {
    { "{\"streams\":[],\"recent_refusals\":[],\"x\":1}", "x: unknown field" },
    { "{\"recent_refusals\":[]}", "streams: must be an array" },
    { "{\"streams\":[1],\"recent_refusals\":[]}", "streams: element 0" },
    { "{\"streams\":[],\"recent_refusals\":{}}", "recent_refusals: must be" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (JsonNode) json = json_from_string (cases[i].json, NULL);
      g_autoptr (GError) error = NULL;
      g_autoptr (ScNodeReport) r
          = sc_node_report_from_json (json_node_get_object (json), "e", &error);

      g_assert_null (r);
      g_assert_error (error, SC_NODE_REPORT_ERROR,
                      SC_NODE_REPORT_ERROR_INVALID);
      if (!g_str_has_prefix (error->message, cases[i].says))
        g_error ("case %u: %s", i, error->message);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/wire/registration/round-trip",
                   test_registration_round_trip);
  g_test_add_func ("/wire/registration/refused", test_registration_refused);
  g_test_add_func ("/wire/booking-body/round-trip",
                   test_booking_body_round_trip);
  g_test_add_func ("/wire/booking-body/refused", test_booking_body_refused);
  g_test_add_func ("/wire/node-report/round-trip", test_node_report_round_trip);
  g_test_add_func ("/wire/node-report/refused", test_node_report_refused);
  return g_test_run ();
}
