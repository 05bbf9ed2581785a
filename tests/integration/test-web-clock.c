/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The booking service in this process, on a manual clock: time rules over
 * real HTTP without sleeping. A slot opens, is admitted, ends; the bad-key
 * block expires. Two servers run side by side in one process. */

#include "config.h"

#include <string.h>

#include "sc-data-dir.h"
#include "sc-test-server.h"
#include "sc-web-server.h"

#define S (SC_USEC_PER_SEC)

typedef struct
{
  char *dir;
  ScSettings *settings;
  ScDb *db;
  ScSealer *sealer;
  ScClock *clock;
  ScWebServer *web;
  SoupSession *session;
  char *admin_key;
  char *node_key;
} Fixture;

static void
set_up (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  ScNode edge = { .name = "edge",
                  .public_host = "edge.test",
                  .rtsp_port = 8554,
                  .rtmp_port = 1935,
                  .capacity = 2 };

  f->dir = sc_test_make_tmp_dir ();
  f->settings = sc_settings_new ();
  g_assert_true (
      sc_settings_set (f->settings, "server", "data-dir", f->dir, &error));
  g_assert_true (sc_settings_set (f->settings, "http", "port", "0", &error));
  g_assert_true (sc_settings_load (f->settings, NULL, &error));
  g_assert_true (sc_data_dir_open (f->settings, &f->db, &f->sealer, &error));
  f->admin_key = sc_data_dir_ensure_admin (f->db, NULL, &error);
  g_assert_nonnull (f->admin_key);
  g_assert_true (sc_data_dir_register_local_node (f->db, f->settings, &error));
  f->node_key = sc_db_add_node (f->db, &edge, &error);
  g_assert_no_error (error);
  /* Real time at the start, so the bookings are not in the past. */
  f->clock = sc_clock_new_manual (g_get_real_time ());
  f->web = sc_web_server_new (f->settings, f->db, f->clock, f->sealer);
  g_assert_true (sc_web_server_listen (f->web, &error));
  f->session = sc_test_session_new ();
}

static void
tear_down (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->session);
  g_clear_object (&f->web);
  g_clear_object (&f->db);
  g_clear_object (&f->sealer);
  g_clear_object (&f->clock);
  sc_settings_unref (f->settings);
  sc_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->admin_key);
  g_free (f->node_key);
}

typedef struct
{
  gboolean done;
  guint status;
  GBytes *body;
} Pending;

static void
on_done (GObject *source, GAsyncResult *result, gpointer data)
{
  Pending *p = data;
  SoupMessage *msg
      = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr (GError) error = NULL;

  p->body = soup_session_send_and_read_finish (SOUP_SESSION (source), result,
                                               &error);
  g_assert_no_error (error);
  p->status = soup_message_get_status (msg);
  p->done = TRUE;
}

/* The server runs on this thread's main context: send, then spin it. */
static guint
request (Fixture *f, const char *method, const char *path, const char *key,
         const char *body, char **out_body)
{
  g_autofree char *url = g_strdup_printf (
      "http://127.0.0.1:%u%s", sc_web_server_get_port (f->web), path);
  g_autoptr (SoupMessage) msg = sc_test_message_new (method, url, key, body);
  Pending p = { 0 };

  soup_session_send_and_read_async (f->session, msg, G_PRIORITY_DEFAULT, NULL,
                                    on_done, &p);
  while (!p.done)
    g_main_context_iteration (NULL, TRUE);
  if (out_body != NULL)
    *out_body = g_strndup (g_bytes_get_data (p.body, NULL),
                           g_bytes_get_size (p.body));
  g_bytes_unref (p.body);
  return p.status;
}

static char *
extract (const char *json, const char *member)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;

  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  return g_strdup (sc_test_json_string (json_parser_get_root (parser), member));
}

static void
test_window (Fixture *f, gconstpointer data)
{
  g_autofree char *ticket = NULL;
  g_autofree char *token = NULL;
  g_autofree char *answer = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *body
      = sc_test_booking_body ("show", 3600, 3605, "\"node\":\"edge\"");
  g_autofree char *ask = NULL;

  /* A five-second slot an hour from now. */
  g_assert_cmpuint (
      request (f, "POST", "/api/v1/reservations", f->admin_key, body, &ticket),
      ==, 201);
  token = extract (ticket, "publish_token");
  ask = g_strdup_printf ("{\"stream\":\"show\",\"token\":\"%s\"}", token);

  g_assert_cmpuint (request (f, "POST", "/api/v1/ingest/authorize", f->node_key,
                             ask, &answer),
                    ==, 403);
  reason = extract (answer, "error.message");
  g_assert_cmpstr (reason, ==, "slot opens in 60 min");
  g_clear_pointer (&answer, g_free);
  g_clear_pointer (&reason, g_free);

  /* 49 min later: 11 min to the admission (start - 30 s). */
  sc_clock_advance_us (f->clock, 49 * 60 * S);
  g_assert_cmpuint (request (f, "POST", "/api/v1/ingest/authorize", f->node_key,
                             ask, &answer),
                    ==, 403);
  reason = extract (answer, "error.message");
  g_assert_cmpstr (reason, ==, "slot opens in 11 min");
  g_clear_pointer (&answer, g_free);
  g_clear_pointer (&reason, g_free);

  /* At the start: admitted; 5 s later: ended. */
  sc_clock_advance_us (f->clock, 11 * 60 * S);
  g_assert_cmpuint (
      request (f, "POST", "/api/v1/ingest/authorize", f->node_key, ask, NULL),
      ==, 200);
  sc_clock_advance_us (f->clock, 5 * S);
  g_assert_cmpuint (request (f, "POST", "/api/v1/ingest/authorize", f->node_key,
                             ask, &answer),
                    ==, 403);
  reason = extract (answer, "error.message");
  g_assert_cmpstr (reason, ==, "slot ended");

  /* Booking that window again, now more than the slack in the past of the
   * clock, is refused. */
  sc_clock_advance_us (f->clock, 60 * S);
  g_free (body);
  body = sc_test_booking_body ("late", 3600, 3605, NULL);
  g_assert_cmpuint (
      request (f, "POST", "/api/v1/reservations", f->admin_key, body, NULL), ==,
      422);
}

static void
test_block_expires (Fixture *f, gconstpointer data)
{
  const char *bad = "BAD_KEY_BAD_KEY_BAD_KEY_BAD_KEY_BAD_KEY_BAD";

  for (int i = 0; i < 20; i++)
    request (f, "GET", "/api/v1/me", bad, NULL, NULL);
  g_assert_cmpuint (request (f, "GET", "/api/v1/me", bad, NULL, NULL), ==, 429);
  /* A valid key is served all along. */
  g_assert_cmpuint (request (f, "GET", "/api/v1/me", f->admin_key, NULL, NULL),
                    ==, 200);
  sc_clock_advance_us (f->clock, 59 * S);
  g_assert_cmpuint (request (f, "GET", "/api/v1/me", bad, NULL, NULL), ==, 429);
  sc_clock_advance_us (f->clock, 1 * S);
  g_assert_cmpuint (request (f, "GET", "/api/v1/me", bad, NULL, NULL), ==, 401);
}

static void
on_stopped (GObject *source, GAsyncResult *result, gpointer data)
{
  *(gboolean *)data
      = sc_web_server_stop_finish (SC_WEB_SERVER (source), result, NULL);
}

static void
test_two_servers_and_stop (Fixture *f, gconstpointer data)
{
  g_autoptr (ScWebServer) second
      = sc_web_server_new (f->settings, f->db, f->clock, f->sealer);
  g_autoptr (GError) error = NULL;
  gboolean stopped = FALSE;

  g_assert_true (sc_web_server_listen (second, &error));
  g_assert_cmpuint (sc_web_server_get_port (second), !=,
                    sc_web_server_get_port (f->web));
  g_assert_cmpuint (request (f, "GET", "/healthz", NULL, NULL, NULL), ==, 200);

  sc_web_server_stop_async (f->web, 1000, on_stopped, &stopped);
  while (!stopped)
    g_main_context_iteration (NULL, TRUE);
  /* The other server in this process is unaffected. */
  {
    g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u/healthz",
                                            sc_web_server_get_port (second));
    g_autoptr (SoupMessage) msg = soup_message_new ("GET", url);
    Pending p = { 0 };

    soup_session_send_and_read_async (f->session, msg, G_PRIORITY_DEFAULT, NULL,
                                      on_done, &p);
    while (!p.done)
      g_main_context_iteration (NULL, TRUE);
    g_assert_cmpuint (p.status, ==, 200);
    g_bytes_unref (p.body);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/web-clock/window", Fixture, NULL, set_up, test_window,
              tear_down);
  g_test_add ("/web-clock/block-expires", Fixture, NULL, set_up,
              test_block_expires, tear_down);
  g_test_add ("/web-clock/two-servers-and-stop", Fixture, NULL, set_up,
              test_two_servers_and_stop, tear_down);
  return g_test_run ();
}
