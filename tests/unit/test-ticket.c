/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The ticket's writer (sc_ticket_to_json, the booking service's) and its
 * reader (sc_ticket_parse, the uploader's) side by side: what one writes,
 * the other reads back whole, for every kind of host and visibility; and
 * what the reader refuses. */

#include "config.h"

#include "sc-clock.h"
#include "sc-ticket.h"
#include "sc-token.h"

#include <string.h>

#define T0 (G_GINT64_CONSTANT (1800000000) * SC_USEC_PER_SEC)

static char *
token (void)
{
  guint8 hash[SC_TOKEN_HASH_LEN];
  g_autoptr (GError) error = NULL;
  char *t = sc_token_generate (hash, &error);

  g_assert_no_error (error);
  return t;
}

static ScTicket *
round_trip (const ScReservation *r, const ScNode *node,
            const ScTicketSecrets *secrets)
{
  g_autoptr (JsonNode) json = sc_ticket_to_json (r, node, secrets, 60);
  g_autofree char *text = json_to_string (json, FALSE);
  g_autoptr (GError) error = NULL;
  ScTicket *t = sc_ticket_parse (text, strlen (text), &error);

  g_assert_no_error (error);
  g_assert_nonnull (t);
  return t;
}

static void
test_ticket_round_trip (void)
{
  const char *hosts[] = { "ingest.example.org", "127.0.0.1", "::1" };
  g_autofree char *publish = token ();
  g_autofree char *view = token ();

  for (guint h = 0; h < G_N_ELEMENTS (hosts); h++)
    for (int private = 0; private <= 1; private ++)
      {
        ScReservation r = { .id = "01a244c9-b4f9-772c-adc0-cdae322c3499",
                            .stream = "news-1",
                            .node = "n1",
                            .start_us = T0,
                            .end_us = T0 + 3600 * SC_USEC_PER_SEC,
                            .visibility = private ? SC_VISIBILITY_PRIVATE
                                                  : SC_VISIBILITY_PUBLIC };
        ScNode node = { .name = "n1",
                        .public_host = (char *)hosts[h],
                        .rtsp_port = 8554,
                        .rtmp_port = 1935 };
        ScTicketSecrets secrets = { publish, private ? view : NULL };
        g_autoptr (ScTicket) t = round_trip (&r, &node, &secrets);
        g_autofree char *rtmp = sc_ticket_rtmp_url (t);
        g_autoptr (GError) error = NULL;
        g_autofree char *url = sc_ticket_dup_publish_url (t, FALSE, &error);

        g_assert_cmpstr (t->id, ==, r.id);
        g_assert_cmpstr (t->stream, ==, r.stream);
        g_assert_cmpint (t->start_us, ==, r.start_us);
        g_assert_cmpint (t->end_us, ==, r.end_us);
        g_assert_cmpint (t->admit_early_s, ==, 60);
        g_assert_cmpstr (t->publish_token, ==, publish);
        g_assert_cmpstr (t->view_token, ==, private ? view : NULL);
        g_assert_true (g_str_has_prefix (t->rtsp_publish_url, "rtsp://"));
        g_assert_true (g_str_has_suffix (t->rtsp_publish_url, publish));
        g_assert_true (g_str_has_prefix (rtmp, "rtmp://"));
        g_assert_true (g_str_has_suffix (rtmp, "/live/news-1?token=")
                       || g_str_has_suffix (rtmp, publish));
        g_assert_cmpstr (url, ==, t->rtsp_publish_url);
        g_assert_null (t->server);
      }
}

/* What the writer never writes, the reader refuses, naming the field. */
static void
test_ticket_refused (void)
{
  g_autofree char *publish = token ();
  ScReservation r = { .id = "01a244c9-b4f9-772c-adc0-cdae322c3499",
                      .stream = "news",
                      .start_us = T0,
                      .end_us = T0 + SC_USEC_PER_SEC };
  ScNode node = { .public_host = "127.0.0.1", .rtsp_port = 9, .rtmp_port = 9 };
  ScTicketSecrets secrets = { publish, NULL };
  g_autoptr (JsonNode) json = sc_ticket_to_json (&r, &node, &secrets, 0);
  g_autofree char *text = json_to_string (json, FALSE);
  const struct
  {
    const char *member; /* in "connection" unless top level */
    const char *value;
    const char *says;
  } cases[] = {
    { "rtsp_publish_url", "rtsp://127.0.0.1:9/live/news?token=x\" a",
      "rtsp_publish_url" },
    { "rtmp_server_url", "rtmp://127.0.0.1:9/other", "rtmp_server_url" },
    { "rtsp_play_url", "rtsp://evil.example:9/live/news", "rtsp_play_url" },
    { "rtmp_stream_key", "news?token=other", "rtmp_stream_key" },
    { "stream", "../x", "stream" },
    { "publish_token", "short", "publish_token" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (JsonNode) copy = json_from_string (text, NULL);
      JsonObject *o = json_node_get_object (copy);
      JsonObject *c = json_object_get_object_member (o, "connection");
      g_autoptr (GError) error = NULL;
      g_autoptr (ScTicket) t = NULL;

      json_object_set_string_member (
          json_object_has_member (c, cases[i].member) ? c : o, cases[i].member,
          cases[i].value);
      t = sc_ticket_new_from_json (copy, &error);
      g_assert_null (t);
      g_assert_error (error, SC_TICKET_ERROR, SC_TICKET_ERROR_INVALID);
      if (strstr (error->message, cases[i].says) == NULL)
        g_error ("case %u: %s", i, error->message);
      /* Never the token in a message (it may be logged). */
      g_assert_null (strstr (error->message, publish));
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/ticket/round-trip", test_ticket_round_trip);
  g_test_add_func ("/ticket/refused", test_ticket_refused);
  return g_test_run ();
}
