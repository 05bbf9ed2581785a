/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Many bookings at once, against the real server: no double booking of a
 * stream, never more than the node's capacity, also with two server
 * processes sharing one database. */

#include "config.h"

#include <string.h>

#include "sc-test-server.h"

typedef struct
{
  GMainLoop *loop;
  int pending;
  int created;
  int conflicts;
  int other;
} Burst;

static void
on_sent (GObject *source, GAsyncResult *result, gpointer data)
{
  Burst *burst = data;
  SoupMessage *msg
      = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body = soup_session_send_and_read_finish (
      SOUP_SESSION (source), result, &error);
  guint status = soup_message_get_status (msg);

  g_assert_no_error (error);
  if (status == 201)
    burst->created++;
  else if (status == 409)
    burst->conflicts++;
  else
    {
      g_test_message ("unexpected %u: %.*s", status,
                      (int)g_bytes_get_size (body),
                      (const char *)g_bytes_get_data (body, NULL));
      burst->other++;
    }
  if (--burst->pending == 0)
    g_main_loop_quit (burst->loop);
}

static void
post (SoupSession *session, Burst *burst, ScTestServer *server,
      const char *body)
{
  g_autofree char *url = sc_test_server_url (server, "/api/v1/reservations");
  g_autoptr (SoupMessage) msg
      = sc_test_message_new ("POST", url, server->admin_key, body);

  burst->pending++;
  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL,
                                    on_sent, burst);
}

static void
run (Burst *burst)
{
  burst->loop = g_main_loop_new (NULL, FALSE);
  g_main_loop_run (burst->loop);
  g_main_loop_unref (burst->loop);
}

static void
test_same_stream (void)
{
  ScTestServer *server = sc_test_server_start (NULL, NULL, NULL);
  g_autoptr (SoupSession) session = sc_test_session_new ();
  g_autofree char *body = sc_test_booking_body ("race", 60, 120, NULL);
  Burst burst = { 0 };

  for (int i = 0; i < 64; i++)
    post (session, &burst, server, body);
  run (&burst);
  g_assert_cmpint (burst.created, ==, 1);
  g_assert_cmpint (burst.conflicts, ==, 63);
  g_assert_cmpint (burst.other, ==, 0);
  g_assert_cmpint (sc_test_server_stop (server), ==, 0);
  sc_test_server_free (server);
}

static void
test_capacity (void)
{
  const char *args[] = { "--capacity", "4", NULL };
  ScTestServer *server = sc_test_server_start (NULL, args, NULL);
  g_autoptr (SoupSession) session = sc_test_session_new ();
  g_autofree char *start = sc_test_time (60);
  g_autofree char *url = NULL;
  g_autoptr (ScTestResponse) avail = NULL;
  Burst burst = { 0 };

  for (int i = 0; i < 32; i++)
    {
      g_autofree char *name = g_strdup_printf ("s%d", i);
      g_autofree char *body = sc_test_booking_body (name, 60, 120, NULL);
      post (session, &burst, server, body);
    }
  run (&burst);
  g_assert_cmpint (burst.created, ==, 4);
  g_assert_cmpint (burst.conflicts, ==, 28);
  g_assert_cmpint (burst.other, ==, 0);

  url = g_strdup_printf ("%s/api/v1/availability?from=%s&node=local",
                         server->base_url, start);
  avail = sc_test_request (session, "GET", url, server->admin_key, NULL);
  g_assert_nonnull (
      strstr (g_bytes_get_data (avail->body, NULL), "\"free\":0}"));
  g_assert_cmpint (sc_test_server_stop (server), ==, 0);
  sc_test_server_free (server);
}

/* Two processes, one database: BEGIN IMMEDIATE serialises them. */
static void
test_two_processes (void)
{
  ScTestServer *a = sc_test_server_start (NULL, NULL, NULL);
  ScTestServer *b = sc_test_server_start (a->data_dir, NULL, NULL);
  g_autoptr (SoupSession) session = sc_test_session_new ();
  g_autofree char *body = sc_test_booking_body ("shared", 60, 120, NULL);
  Burst burst = { 0 };

  b->admin_key = g_strdup (a->admin_key);
  for (int i = 0; i < 32; i++)
    {
      post (session, &burst, a, body);
      post (session, &burst, b, body);
    }
  run (&burst);
  g_assert_cmpint (burst.created, ==, 1);
  g_assert_cmpint (burst.conflicts, ==, 63);
  g_assert_cmpint (burst.other, ==, 0);
  g_assert_cmpint (sc_test_server_stop (b), ==, 0);
  g_assert_cmpint (sc_test_server_stop (a), ==, 0);
  sc_test_server_free (b);
  sc_test_server_free (a);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/concurrency/same-stream", test_same_stream);
  g_test_add_func ("/concurrency/capacity", test_capacity);
  g_test_add_func ("/concurrency/two-processes", test_two_processes);
  return g_test_run ();
}
