/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* A node's registration: what the node writes the booking service reads
 * back, and what it never writes is refused, naming the field. */

#include "config.h"

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

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/registration/round-trip", test_registration_round_trip);
  g_test_add_func ("/registration/refused", test_registration_refused);
  return g_test_run ();
}
