/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Booking rules: names, windows, overlap edges, capacity, node choice, and
 * the database's transaction around them (on a temporary file). */

#include "config.h"

#include <glib/gstdio.h>

#include "sc-booking.h"
#include "sc-clock.h"
#include "sc-db.h"

#define S (SC_USEC_PER_SEC)
#define T0 (G_GINT64_CONSTANT (1800000000) * S)

static void
test_stream_names (void)
{
  g_assert_true (sc_booking_stream_name_valid ("news"));
  g_assert_true (sc_booking_stream_name_valid ("A_b-9"));
  g_assert_true (sc_booking_stream_name_valid (
      "0123456789012345678901234567890123456789012345678901234567890123"));
  g_assert_false (sc_booking_stream_name_valid (
      "01234567890123456789012345678901234567890123456789012345678901234"));
  g_assert_false (sc_booking_stream_name_valid (""));
  g_assert_false (sc_booking_stream_name_valid (NULL));
  g_assert_false (sc_booking_stream_name_valid ("a b"));
  g_assert_false (sc_booking_stream_name_valid ("a/b"));
  g_assert_false (sc_booking_stream_name_valid ("a?token=x"));
  g_assert_false (sc_booking_stream_name_valid ("caf\xc3\xa9"));
  g_assert_false (sc_booking_stream_name_valid ("."));
}

static void
test_windows (void)
{
  ScBookingLimits limits = { 5 * S, 86400 * S, 10 * S, 90 * 86400 * S };
  g_autoptr (GError) error = NULL;

  g_assert_true (sc_booking_check_window (&limits, T0, T0 + 5 * S, T0, NULL));
  g_assert_true (
      sc_booking_check_window (&limits, T0, T0 + 86400 * S, T0, NULL));
  g_assert_false (
      sc_booking_check_window (&limits, T0, T0 + 5 * S - 1, T0, &error));
  g_assert_error (error, SC_BOOKING_ERROR, SC_BOOKING_ERROR_INVALID);
  g_assert_true (g_str_has_prefix (error->message, "end:"));
  g_clear_error (&error);
  g_assert_false (
      sc_booking_check_window (&limits, T0, T0 + 86400 * S + 1, T0, NULL));
  g_assert_false (sc_booking_check_window (&limits, T0, T0, T0, &error));
  g_assert_true (g_str_has_prefix (error->message, "end: must be after"));
  g_clear_error (&error);
  g_assert_false (sc_booking_check_window (&limits, T0, T0 - S, T0, NULL));
  /* A little in the past is slack; more is not. */
  g_assert_true (
      sc_booking_check_window (&limits, T0 - 10 * S, T0 + 60 * S, T0, NULL));
  g_assert_false (sc_booking_check_window (&limits, T0 - 10 * S - 1,
                                           T0 + 60 * S, T0, &error));
  g_assert_true (g_str_has_prefix (error->message, "start:"));
  g_clear_error (&error);
  /* At most the horizon ahead (a year-9999 booking was accepted). */
  g_assert_true (sc_booking_check_window (
      &limits, T0 + 90 * 86400 * S, T0 + 90 * 86400 * S + 60 * S, T0, NULL));
  g_assert_false (sc_booking_check_window (&limits, T0 + 90 * 86400 * S + 1,
                                           T0 + 90 * 86400 * S + 60 * S, T0,
                                           &error));
  g_assert_true (g_str_has_prefix (error->message, "start: at most"));
}

static void
test_overlap (void)
{
  ScInterval a = { 10, 20 }, b = { 20, 30 }, c = { 19, 21 }, d = { 0, 100 };

  g_assert_false (sc_intervals_overlap (&a, &b));
  g_assert_false (sc_intervals_overlap (&b, &a));
  g_assert_true (sc_intervals_overlap (&a, &c));
  g_assert_true (sc_intervals_overlap (&b, &c));
  g_assert_true (sc_intervals_overlap (&d, &a));
  g_assert_true (sc_intervals_overlap (&a, &a));
}

static void
test_max_overlap (void)
{
  /* Back to back windows never count twice. */
  ScInterval chain[] = { { 0, 10 }, { 10, 20 }, { 20, 30 } };
  ScInterval stack[] = { { 0, 10 }, { 5, 15 }, { 8, 9 }, { 9, 12 } };

  g_assert_cmpint (sc_booking_max_overlap (chain, 3, 0, 30), ==, 1);
  g_assert_cmpint (sc_booking_max_overlap (chain, 3, 10, 20), ==, 1);
  g_assert_cmpint (sc_booking_max_overlap (chain, 3, 30, 40), ==, 0);
  g_assert_cmpint (sc_booking_max_overlap (stack, 4, 0, 20), ==, 3);
  g_assert_cmpint (sc_booking_max_overlap (stack, 4, 0, 5), ==, 1);
  g_assert_cmpint (sc_booking_max_overlap (stack, 4, 9, 10), ==, 3);
  g_assert_cmpint (sc_booking_max_overlap (stack, 4, 10, 11), ==, 2);
  g_assert_cmpint (sc_booking_max_overlap (stack, 4, 12, 20), ==, 1);
  g_assert_cmpint (sc_booking_max_overlap (NULL, 0, 0, 20), ==, 0);
}

static void
test_free_segments (void)
{
  ScInterval booked[] = { { 10, 20 }, { 15, 30 }, { 30, 40 } };
  g_autoptr (GArray) segs = sc_booking_free_segments (booked, 3, 2, 0, 50);
  const ScFreeSegment want[] = {
    { 0, 10, 2 }, { 10, 15, 1 }, { 15, 20, 0 }, { 20, 40, 1 }, { 40, 50, 2 },
  };

  g_assert_cmpuint (segs->len, ==, G_N_ELEMENTS (want));
  for (guint i = 0; i < segs->len; i++)
    {
      ScFreeSegment *s = &g_array_index (segs, ScFreeSegment, i);
      g_assert_cmpint (s->start_us, ==, want[i].start_us);
      g_assert_cmpint (s->end_us, ==, want[i].end_us);
      g_assert_cmpint (s->free, ==, want[i].free);
    }
}

typedef struct
{
  char *dir;
  ScDb *db;
  ScSealer *sealer;
  gint64 owner;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *key = NULL;
  g_autoptr (ScUser) user = NULL;
  guint8 raw[SC_SEALER_KEY_LEN] = { 1, 2, 3 };
  ScNode local = { .name = "local",
                   .public_host = "127.0.0.1",
                   .rtsp_port = 8554,
                   .rtmp_port = 1935,
                   .capacity = 2 };

  f->dir = g_dir_make_tmp ("sc-booking-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (f->dir, "t.db", NULL);
  f->db = sc_db_open (path, SC_SYNCHRONOUS_NORMAL, &error);
  g_assert_no_error (error);
  f->sealer = sc_sealer_new (raw);
  g_assert_true (sc_db_upsert_node (f->db, &local, &error));
  key = sc_db_add_user (f->db, "alice", SC_ROLE_BROADCASTER, NULL, &error);
  g_assert_no_error (error);
  user = sc_db_find_user_by_key (f->db, key, &error);
  g_assert_nonnull (user);
  f->owner = user->id;
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_autofree char *db = g_build_filename (f->dir, "t.db", NULL);
  g_autofree char *wal = g_strconcat (db, "-wal", NULL);
  g_autofree char *shm = g_strconcat (db, "-shm", NULL);

  g_clear_object (&f->db);
  g_clear_object (&f->sealer);
  g_unlink (db);
  g_unlink (wal);
  g_unlink (shm);
  g_rmdir (f->dir);
  g_free (f->dir);
}

static ScReservation *
book (Fixture *f, const char *stream, gint64 start, gint64 end,
      const char *node, GError **error)
{
  ScBookRequest req = { .owner_id = f->owner,
                        .stream = stream,
                        .start_us = start,
                        .end_us = end,
                        .node = node };
  g_autoptr (ScTicketSecrets) secrets = NULL;

  return sc_db_book (f->db, f->sealer, &req, T0, &secrets, NULL, error);
}

static void
test_db_stream_overlap (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ScReservation) a = book (f, "news", T0, T0 + 60 * S, NULL, &error);
  g_autoptr (ScReservation) b = NULL;
  g_autoptr (ScReservation) c = NULL;
  g_autoptr (ScReservation) d = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (a);
  g_assert_cmpstr (a->node, ==, "local");

  /* Adjacent windows of the same stream are fine on both sides. */
  b = book (f, "news", T0 + 60 * S, T0 + 120 * S, NULL, &error);
  g_assert_no_error (error);
  c = book (f, "news", T0 - 60 * S, T0, NULL, &error);
  g_assert_no_error (error);

  /* One microsecond of overlap is a conflict. */
  d = book (f, "news", T0 + 60 * S - 1, T0 + 90 * S, NULL, &error);
  g_assert_null (d);
  g_assert_error (error, SC_BOOKING_ERROR, SC_BOOKING_ERROR_STREAM_TAKEN);
  g_clear_error (&error);

  /* [60, 90) is taken by b ... */
  d = book (f, "news", T0 + 60 * S, T0 + 90 * S, NULL, &error);
  g_assert_error (error, SC_BOOKING_ERROR, SC_BOOKING_ERROR_STREAM_TAKEN);
  g_clear_error (&error);

  /* ... until b is cancelled: a cancelled reservation frees its window. */
  g_clear_pointer (&b, sc_reservation_free);
  {
    g_autoptr (GPtrArray) all = sc_db_list_reservations (
        f->db, 0, T0 + 60 * S, T0 + 120 * S, FALSE, 10, &error);
    g_autoptr (ScReservation) gone = NULL;

    g_assert_cmpuint (all->len, ==, 1);
    gone = sc_db_cancel (
        f->db, ((ScReservation *)g_ptr_array_index (all, 0))->id, T0, &error);
    g_assert_no_error (error);
    g_assert_cmpint (gone->state, ==, SC_RESERVATION_CANCELLED);
  }
  d = book (f, "news", T0 + 60 * S, T0 + 90 * S, NULL, &error);
  g_assert_no_error (error);
}

static void
test_db_capacity (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ScReservation) a = book (f, "a", T0, T0 + 60 * S, NULL, &error);
  g_autoptr (ScReservation) b
      = book (f, "b", T0 + 30 * S, T0 + 90 * S, "local", &error);
  g_autoptr (ScReservation) c = NULL;
  g_autoptr (ScReservation) d = NULL;
  g_autoptr (ScReservation) e = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (a);
  g_assert_nonnull (b);
  /* Capacity 2: a third stream overlapping both is refused. */
  c = book (f, "c", T0 + 40 * S, T0 + 50 * S, NULL, &error);
  g_assert_error (error, SC_BOOKING_ERROR, SC_BOOKING_ERROR_NO_CAPACITY);
  g_clear_error (&error);
  /* It fits where only one is open: [60, 90) has only b. */
  c = book (f, "c", T0 + 60 * S, T0 + 90 * S, NULL, &error);
  g_assert_no_error (error);
  /* Now [60,90) is full, but [90, 120) is free again. */
  d = book (f, "d", T0 + 89 * S, T0 + 95 * S, "local", &error);
  g_assert_error (error, SC_BOOKING_ERROR, SC_BOOKING_ERROR_NO_CAPACITY);
  g_clear_error (&error);
  d = book (f, "d", T0 + 90 * S, T0 + 95 * S, "local", &error);
  g_assert_no_error (error);
  e = book (f, "e", T0, T0 + 10 * S, "nowhere", &error);
  g_assert_error (error, SC_BOOKING_ERROR, SC_BOOKING_ERROR_UNKNOWN_NODE);
}

/* Overlap checks look back as far as the longest reservation ever booked:
 * a long one found far before the window must still count. */
static void
test_db_long_reservations (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  gint64 h = 3600 * S;
  g_autoptr (ScReservation) a
      = book (f, "short", T0, T0 + 60 * S, NULL, &error);
  g_autoptr (ScReservation) b = book (f, "long", T0, T0 + 20 * h, NULL, &error);
  g_autoptr (ScReservation) c = NULL;
  g_autoptr (ScReservation) d = NULL;
  g_autoptr (ScReservation) e = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (a);
  g_assert_nonnull (b);
  c = book (f, "long", T0 + 19 * h, T0 + 19 * h + 60 * S, NULL, &error);
  g_assert_error (error, SC_BOOKING_ERROR, SC_BOOKING_ERROR_STREAM_TAKEN);
  g_clear_error (&error);
  /* Capacity 2: "long" and "y" fill [10 h, 11 h). */
  d = book (f, "y", T0 + 10 * h, T0 + 11 * h, NULL, &error);
  g_assert_no_error (error);
  e = book (f, "z", T0 + 10 * h + 30 * 60 * S, T0 + 10 * h + 40 * 60 * S, NULL,
            &error);
  g_assert_error (error, SC_BOOKING_ERROR, SC_BOOKING_ERROR_NO_CAPACITY);
  g_clear_error (&error);
  {
    g_autoptr (GPtrArray) listed = sc_db_list_reservations (
        f->db, 0, T0 + 19 * h, T0 + 19 * h + S, FALSE, 10, &error);
    g_assert_cmpuint (listed->len, ==, 1);
  }
}

static void
test_db_node_choice (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  ScNode big = { .name = "big", .public_host = "h", .capacity = 3 };
  ScNode zero = { .name = "zero", .public_host = "h", .capacity = 0 };
  g_autoptr (ScReservation) a = NULL;
  g_autoptr (ScReservation) b = NULL;
  g_autoptr (ScReservation) c = NULL;
  g_autofree char *key = NULL;

  key = sc_db_add_node (f->db, &big, &error);
  g_assert_no_error (error);
  g_assert_true (sc_db_upsert_node (f->db, &zero, &error));
  /* big (3 free) beats local (2 free). */
  a = book (f, "a", T0, T0 + 60 * S, NULL, &error);
  g_assert_cmpstr (a->node, ==, "big");
  b = book (f, "b", T0, T0 + 60 * S, NULL, &error);
  /* 2 vs 2: the first by name wins. */
  g_assert_cmpstr (b->node, ==, "big");
  c = book (f, "c", T0, T0 + 60 * S, NULL, &error);
  g_assert_cmpstr (c->node, ==, "local");
  g_assert_no_error (error);
  {
    g_autoptr (ScNode) found = sc_db_find_node_by_key (f->db, key, &error);
    g_assert_cmpstr (found->name, ==, "big");
  }
}

static void
test_db_secrets (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  ScBookRequest req = { .owner_id = f->owner,
                        .stream = "p",
                        .start_us = T0,
                        .end_us = T0 + 60 * S,
                        .visibility = SC_VISIBILITY_PRIVATE };
  g_autoptr (ScTicketSecrets) secrets = NULL;
  g_autoptr (ScTicketSecrets) again = NULL;
  g_autoptr (ScReservation) r
      = sc_db_book (f->db, f->sealer, &req, T0, &secrets, NULL, &error);
  g_autoptr (ScReservation) by_publish = NULL;
  g_autoptr (ScReservation) by_view = NULL;
  gboolean is_view = TRUE;

  g_assert_no_error (error);
  g_assert_nonnull (secrets->view_token);
  again = sc_db_open_secrets (f->db, f->sealer, r->id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (again->publish_token, ==, secrets->publish_token);
  g_assert_cmpstr (again->view_token, ==, secrets->view_token);

  by_publish
      = sc_db_find_by_token (f->db, secrets->publish_token, &is_view, &error);
  g_assert_cmpstr (by_publish->id, ==, r->id);
  g_assert_false (is_view);
  by_view = sc_db_find_by_token (f->db, secrets->view_token, &is_view, &error);
  g_assert_cmpstr (by_view->id, ==, r->id);
  g_assert_true (is_view);
  g_assert_null (sc_db_find_by_token (f->db, "x", NULL, &error));
  g_assert_no_error (error);

  /* Another key cannot open them. */
  {
    guint8 other[SC_SEALER_KEY_LEN] = { 9 };
    g_autoptr (ScSealer) wrong = sc_sealer_new (other);
    g_autoptr (ScTicketSecrets) none
        = sc_db_open_secrets (f->db, wrong, r->id, &error);
    g_assert_null (none);
    g_assert_error (error, SC_TOKEN_ERROR, SC_TOKEN_ERROR_SEAL);
  }
}

static void
test_db_reopen (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = g_build_filename (f->dir, "t.db", NULL);
  g_autoptr (ScReservation) a = book (f, "a", T0, T0 + 60 * S, NULL, &error);
  g_autoptr (ScReservation) again = NULL;

  g_clear_object (&f->db);
  f->db = sc_db_open (path, SC_SYNCHRONOUS_FULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sc_db_get_schema_version (f->db), ==, 3);
  g_assert_true (sc_db_check_integrity (f->db, &error));
  again = sc_db_get_reservation (f->db, a->id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (again->stream, ==, "a");
  g_assert_cmpstr (again->owner, ==, "alice");
  g_assert_cmpint (again->start_us, ==, T0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/booking/stream-names", test_stream_names);
  g_test_add_func ("/booking/windows", test_windows);
  g_test_add_func ("/booking/overlap", test_overlap);
  g_test_add_func ("/booking/max-overlap", test_max_overlap);
  g_test_add_func ("/booking/free-segments", test_free_segments);
  g_test_add ("/booking/db/stream-overlap", Fixture, NULL, fixture_set_up,
              test_db_stream_overlap, fixture_tear_down);
  g_test_add ("/booking/db/capacity", Fixture, NULL, fixture_set_up,
              test_db_capacity, fixture_tear_down);
  g_test_add ("/booking/db/long-reservations", Fixture, NULL, fixture_set_up,
              test_db_long_reservations, fixture_tear_down);
  g_test_add ("/booking/db/node-choice", Fixture, NULL, fixture_set_up,
              test_db_node_choice, fixture_tear_down);
  g_test_add ("/booking/db/secrets", Fixture, NULL, fixture_set_up,
              test_db_secrets, fixture_tear_down);
  g_test_add ("/booking/db/reopen", Fixture, NULL, fixture_set_up,
              test_db_reopen, fixture_tear_down);
  return g_test_run ();
}
