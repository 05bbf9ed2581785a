/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Crashes and stops in the middle of a burst of bookings: after kill -9 or
 * SIGTERM, the database passes PRAGMA integrity_check and holds every
 * booking that was answered 201. */

#include "config.h"

#include <signal.h>
#include <sqlite3.h>
#include <string.h>

#include "sc-test-server.h"

#define BURST 400
#define IN_FLIGHT 16

typedef struct
{
  GMainLoop *loop;
  SoupSession *session;
  ScTestServer *server;
  GPtrArray *created; /* ids answered 201 */
  int sent, done, refused, failed;
  int stop_after;
  int stop_signal;
  gboolean stopped;
} Burst;

static void send_next (Burst *burst);

static void
on_sent (GObject *source, GAsyncResult *result, gpointer data)
{
  Burst *burst = data;
  SoupMessage *msg
      = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body = soup_session_send_and_read_finish (
      SOUP_SESSION (source), result, &error);

  burst->done++;
  if (error != NULL)
    burst->failed++; /* the connection died with the server */
  else if (soup_message_get_status (msg) == 201)
    {
      g_autoptr (JsonParser) parser = json_parser_new ();
      JsonObject *o;

      g_assert_true (
          json_parser_load_from_data (parser, g_bytes_get_data (body, NULL),
                                      g_bytes_get_size (body), NULL));
      o = json_node_get_object (json_parser_get_root (parser));
      g_ptr_array_add (burst->created,
                       g_strdup (json_object_get_string_member (o, "id")));
    }
  else
    {
      /* After SIGTERM the server answers 503 until it is gone. */
      g_assert_cmpuint (soup_message_get_status (msg), ==, 503);
      burst->refused++;
    }

  if (!burst->stopped && burst->done >= burst->stop_after)
    {
      burst->stopped = TRUE;
      g_subprocess_send_signal (burst->server->proc, burst->stop_signal);
    }
  send_next (burst);
  if (burst->done == burst->sent)
    g_main_loop_quit (burst->loop);
}

static void
send_next (Burst *burst)
{
  g_autofree char *url = NULL;
  g_autofree char *name = NULL;
  g_autofree char *body = NULL;
  g_autoptr (SoupMessage) msg = NULL;

  if (burst->sent >= BURST || burst->stopped)
    return;
  url = sc_test_server_url (burst->server, "/api/v1/reservations");
  name = g_strdup_printf ("burst-%d", burst->sent);
  body = sc_test_booking_body (name, 60 + burst->sent, 120 + burst->sent, NULL);
  msg = sc_test_message_new ("POST", url, burst->server->admin_key, body);
  burst->sent++;
  soup_session_send_and_read_async (burst->session, msg, G_PRIORITY_DEFAULT,
                                    NULL, on_sent, burst);
}

static void
check_database (const char *data_dir, GPtrArray *created)
{
  g_autofree char *path = g_build_filename (data_dir, "slotcast.db", NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==,
                   SQLITE_OK);
  g_assert_cmpint (
      sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &stmt, NULL), ==,
      SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *)sqlite3_column_text (stmt, 0), ==, "ok");
  sqlite3_finalize (stmt);

  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "SELECT count(*) FROM reservations "
                                       "WHERE id = ?1",
                                       -1, &stmt, NULL),
                   ==, SQLITE_OK);
  for (guint i = 0; i < created->len; i++)
    {
      sqlite3_bind_text (stmt, 1, g_ptr_array_index (created, i), -1,
                         SQLITE_STATIC);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
      g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 1);
      sqlite3_reset (stmt);
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

static void
run_burst (int stop_signal)
{
  static const char *const args[] = { "--capacity", "100000", NULL };
  ScTestServer *server = sc_test_server_start (NULL, args, NULL);
  g_autoptr (SoupSession) session = sc_test_session_new ();
  g_autoptr (GPtrArray) created = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *dir = g_strdup (server->data_dir);
  g_autofree char *key = g_strdup (server->admin_key);
  Burst burst = { .session = session,
                  .server = server,
                  .created = created,
                  .stop_after = BURST / 3,
                  .stop_signal = stop_signal };
  ScTestServer *again;
  g_autoptr (GError) error = NULL;

  burst.loop = g_main_loop_new (NULL, FALSE);
  for (int i = 0; i < IN_FLIGHT; i++)
    send_next (&burst);
  g_main_loop_run (burst.loop);
  g_main_loop_unref (burst.loop);

  g_subprocess_wait (server->proc, NULL, &error);
  g_assert_no_error (error);
  if (stop_signal == SIGTERM)
    {
      g_assert_true (g_subprocess_get_if_exited (server->proc));
      g_assert_cmpint (g_subprocess_get_exit_status (server->proc), ==, 0);
    }
  else
    g_assert_true (g_subprocess_get_if_signaled (server->proc));
  g_test_message ("%u bookings answered 201, %d refused, %d cut", created->len,
                  burst.refused, burst.failed);
  g_assert_cmpuint (created->len, >=, BURST / 3 - IN_FLIGHT);

  check_database (dir, created);

  /* The server starts again on the same data and serves every booking. */
  server->own_data_dir = FALSE;
  sc_test_server_free (server);
  again = sc_test_server_start (dir, args, NULL);
  again->own_data_dir = TRUE;
  for (guint i = 0; i < created->len; i++)
    {
      g_autofree char *path
          = g_strconcat ("/api/v1/reservations/",
                         (char *)g_ptr_array_index (created, i), NULL);
      g_autofree char *url = sc_test_server_url (again, path);
      g_autoptr (ScTestResponse) r
          = sc_test_request (session, "GET", url, key, NULL);

      g_assert_cmpuint (r->status, ==, 200);
    }
  g_assert_cmpint (sc_test_server_stop (again), ==, 0);
  check_database (dir, created);
  sc_test_server_free (again);
}

static void
test_kill_9 (void)
{
  run_burst (SIGKILL);
}

static void
test_sigterm (void)
{
  run_burst (SIGTERM);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/durability/kill-9", test_kill_9);
  g_test_add_func ("/durability/sigterm", test_sigterm);
  return g_test_run ();
}
