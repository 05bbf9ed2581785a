/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Admission decisions around a reservation's window, driven by a manual
 * clock: early, open, ended, cancelled, wrong stream/node/role, bad tokens. */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "sc-admission.h"
#include "sc-clock.h"

#define S (SC_USEC_PER_SEC)
#define T0 (G_GINT64_CONSTANT (1800000000) * S)

typedef struct
{
  char *dir;
  ScDb *db;
  ScClock *clock;
  ScReservation *r;
  ScTicketSecrets *secrets;
} Fixture;

static void
set_up (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *key = NULL;
  g_autoptr (ScUser) user = NULL;
  guint8 raw[SC_SEALER_KEY_LEN] = { 0 };
  g_autoptr (ScSealer) sealer = sc_sealer_new (raw);
  ScNode local = { .name = "local", .public_host = "h", .capacity = 4 };
  ScBookRequest req = { .stream = "news",
                        .start_us = T0 + 3600 * S,
                        .end_us = T0 + 7200 * S,
                        .visibility = GPOINTER_TO_INT (data) };

  f->dir = g_dir_make_tmp ("sc-admission-XXXXXX", &error);
  path = g_build_filename (f->dir, "t.db", NULL);
  f->db = sc_db_open (path, SC_SYNCHRONOUS_NORMAL, &error);
  g_assert_no_error (error);
  f->clock = sc_clock_new_manual (T0);
  sc_db_upsert_node (f->db, &local, &error);
  key = sc_db_add_user (f->db, "bob", SC_ROLE_BROADCASTER, NULL, &error);
  user = sc_db_find_user_by_key (f->db, key, &error);
  req.owner_id = user->id;
  f->r = sc_db_book (f->db, sealer, &req, T0, &f->secrets, NULL, &error);
  g_assert_no_error (error);
}

static void
tear_down (Fixture *f, gconstpointer data)
{
  g_autofree char *db = g_build_filename (f->dir, "t.db", NULL);
  g_autofree char *wal = g_strconcat (db, "-wal", NULL);
  g_autofree char *shm = g_strconcat (db, "-shm", NULL);

  g_clear_object (&f->db);
  g_clear_object (&f->clock);
  sc_reservation_free (f->r);
  sc_ticket_secrets_free (f->secrets);
  g_unlink (db);
  g_unlink (wal);
  g_unlink (shm);
  g_rmdir (f->dir);
  g_free (f->dir);
}

static ScAdmitResult
ask (Fixture *f, const char *token, const char *stream, const char *node,
     ScAdmissionRole role, char **reason)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ScReservation) r = NULL;
  ScAdmissionRequest req = { .token = token,
                             .stream = stream,
                             .node = node,
                             .role = role,
                             .admit_early_us = 30 * S,
                             .now_us = sc_clock_now_us (f->clock) };
  ScAdmitResult result = sc_admission_decide (f->db, &req, &r, reason, &error);

  g_assert_no_error (error);
  if (result == SC_ADMIT_OK)
    g_assert_cmpstr (r->id, ==, f->r->id);
  return result;
}

static void
test_window (Fixture *f, gconstpointer data)
{
  const char *t = f->secrets->publish_token;
  g_autofree char *reason = NULL;

  g_assert_cmpint (ask (f, t, "news", "local", SC_ADMISSION_PUBLISH, &reason),
                   ==, SC_ADMIT_TOO_EARLY);
  g_assert_cmpstr (reason, ==, "slot opens in 60 min");
  g_clear_pointer (&reason, g_free);

  /* 11 min before the admission opens. */
  sc_clock_set_us (f->clock, T0 + 3600 * S - 30 * S - 11 * 60 * S);
  ask (f, t, "news", "local", SC_ADMISSION_PUBLISH, &reason);
  g_assert_cmpstr (reason, ==, "slot opens in 11 min");
  g_clear_pointer (&reason, g_free);

  /* One microsecond before admit-early: refused; at it: admitted. */
  sc_clock_set_us (f->clock, T0 + 3600 * S - 30 * S - 1);
  g_assert_cmpint (ask (f, t, "news", "local", SC_ADMISSION_PUBLISH, &reason),
                   ==, SC_ADMIT_TOO_EARLY);
  g_assert_cmpstr (reason, ==, "slot opens in 1 s");
  g_clear_pointer (&reason, g_free);
  sc_clock_advance_us (f->clock, 1);
  g_assert_cmpint (ask (f, t, "news", "local", SC_ADMISSION_PUBLISH, NULL), ==,
                   SC_ADMIT_OK);

  /* Open until end, excluded. */
  sc_clock_set_us (f->clock, T0 + 7200 * S - 1);
  g_assert_cmpint (ask (f, t, "news", "local", SC_ADMISSION_PUBLISH, NULL), ==,
                   SC_ADMIT_OK);
  sc_clock_advance_us (f->clock, 1);
  g_assert_cmpint (ask (f, t, "news", "local", SC_ADMISSION_PUBLISH, &reason),
                   ==, SC_ADMIT_ENDED);
  g_assert_cmpstr (reason, ==, "slot ended");
}

static void
test_refusals (Fixture *f, gconstpointer data)
{
  const char *t = f->secrets->publish_token;
  g_autofree char *reason = NULL;
  g_autofree char *other = NULL;
  guint8 hash[SC_TOKEN_HASH_LEN];
  g_autoptr (GError) error = NULL;

  sc_clock_set_us (f->clock, T0 + 3600 * S);
  g_assert_cmpint (ask (f, NULL, "news", "local", SC_ADMISSION_PUBLISH, NULL),
                   ==, SC_ADMIT_MISSING_TOKEN);
  g_assert_cmpint (ask (f, "", "news", "local", SC_ADMISSION_PUBLISH, NULL), ==,
                   SC_ADMIT_MISSING_TOKEN);
  g_assert_cmpint (
      ask (f, "short", "news", "local", SC_ADMISSION_PUBLISH, NULL), ==,
      SC_ADMIT_MALFORMED_TOKEN);
  other = sc_token_generate (hash, NULL);
  g_assert_cmpint (
      ask (f, other, "news", "local", SC_ADMISSION_PUBLISH, &reason), ==,
      SC_ADMIT_UNKNOWN_TOKEN);
  g_assert_cmpstr (reason, ==, "unknown token");
  g_clear_pointer (&reason, g_free);
  g_assert_cmpint (ask (f, t, "sports", "local", SC_ADMISSION_PUBLISH, &reason),
                   ==, SC_ADMIT_WRONG_STREAM);
  g_assert_cmpstr (reason, ==, "token is for stream news");
  g_clear_pointer (&reason, g_free);
  g_assert_cmpint (ask (f, t, "news", "edge", SC_ADMISSION_PUBLISH, NULL), ==,
                   SC_ADMIT_WRONG_NODE);
  g_assert_cmpint (ask (f, t, "news", "local", SC_ADMISSION_VIEW, NULL), ==,
                   SC_ADMIT_WRONG_ROLE);

  /* Cancelling stops the token at once. */
  {
    g_autoptr (ScReservation) c
        = sc_db_cancel (f->db, f->r->id, T0 + 3600 * S, &error);
    g_assert_no_error (error);
    g_assert_nonnull (c);
  }
  g_assert_cmpint (ask (f, t, "news", "local", SC_ADMISSION_PUBLISH, &reason),
                   ==, SC_ADMIT_CANCELLED);
  g_assert_cmpstr (reason, ==, "reservation cancelled");
}

static void
test_private (Fixture *f, gconstpointer data)
{
  sc_clock_set_us (f->clock, T0 + 3600 * S);
  g_assert_nonnull (f->secrets->view_token);
  g_assert_cmpint (
      ask (f, f->secrets->view_token, "news", "local", SC_ADMISSION_VIEW, NULL),
      ==, SC_ADMIT_OK);
  g_assert_cmpint (ask (f, f->secrets->view_token, "news", "local",
                        SC_ADMISSION_PUBLISH, NULL),
                   ==, SC_ADMIT_WRONG_ROLE);
  g_assert_cmpint (ask (f, f->secrets->publish_token, "news", "local",
                        SC_ADMISSION_PUBLISH, NULL),
                   ==, SC_ADMIT_OK);
}

static void
test_describe (void)
{
  struct
  {
    gint64 us;
    const char *text;
  } cases[] = {
    { 0, "0 s" },
    { 1, "1 s" },
    { 59 * S, "59 s" },
    { 60 * S, "1 min" },
    { 61 * S, "2 min" },
    { 3600 * S, "1 h" },
    { 3660 * S, "1 h 1 min" },
    { 47 * 3600 * S, "47 h" },
    { 49 * 3600 * S, "3 days" },
  };

  for (size_t i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = sc_duration_describe (cases[i].us);
      g_assert_cmpstr (text, ==, cases[i].text);
    }
}

static void
test_time (void)
{
  gint64 us = 0;
  g_autofree char *text = NULL;
  g_autofree char *frac = NULL;

  g_assert_true (sc_time_parse ("2026-11-24T10:00:00Z", &us));
  text = sc_time_format_us (us);
  g_assert_cmpstr (text, ==, "2026-11-24T10:00:00Z");
  g_assert_true (sc_time_parse ("2026-11-24T11:00:00+01:00", &us));
  g_assert_cmpint (us, ==, G_GINT64_CONSTANT (1795514400) * S);
  g_assert_true (sc_time_parse ("2026-11-24T10:00:00.250Z", &us));
  frac = sc_time_format_us (us);
  g_assert_cmpstr (frac, ==, "2026-11-24T10:00:00.250000Z");
  g_assert_false (sc_time_parse ("2026-11-24T10:00:00", &us));
  g_assert_false (sc_time_parse ("2026-11-24", &us));
  g_assert_false (sc_time_parse ("tomorrow", &us));
  g_assert_false (sc_time_parse ("2026-13-24T10:00:00Z", &us));
  g_assert_false (sc_time_parse ("", &us));
  g_assert_false (sc_time_parse (NULL, &us));
}

/* No token: is the stream booked here, open or upcoming? */
static void
test_schedule (Fixture *f, gconstpointer data)
{
  g_autofree char *reason = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (ScReservation) cancelled = NULL;

  /* An hour ahead: too early, and when. */
  g_assert_cmpint (
      ask (f, NULL, "news", "local", SC_ADMISSION_SCHEDULE, &reason), ==,
      SC_ADMIT_TOO_EARLY);
  g_assert_true (g_str_has_prefix (reason, "stream starts in 1 h ("));
  g_clear_pointer (&reason, g_free);
  /* Another stream, another node: nothing booked. */
  g_assert_cmpint (
      ask (f, NULL, "other", "local", SC_ADMISSION_SCHEDULE, &reason), ==,
      SC_ADMIT_NOT_BOOKED);
  g_clear_pointer (&reason, g_free);
  g_assert_cmpint (ask (f, NULL, "news", "edge", SC_ADMISSION_SCHEDULE, NULL),
                   ==, SC_ADMIT_NOT_BOOKED);
  /* Open: OK (booked, whether or not anyone publishes). */
  sc_clock_set_us (f->clock, T0 + 3600 * S);
  g_assert_cmpint (ask (f, NULL, "news", "local", SC_ADMISSION_SCHEDULE, NULL),
                   ==, SC_ADMIT_OK);
  /* Ended, or cancelled: nothing booked. */
  sc_clock_set_us (f->clock, T0 + 7200 * S);
  g_assert_cmpint (ask (f, NULL, "news", "local", SC_ADMISSION_SCHEDULE, NULL),
                   ==, SC_ADMIT_NOT_BOOKED);
  sc_clock_set_us (f->clock, T0 + 3600 * S);
  cancelled = sc_db_cancel (f->db, f->r->id, T0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ask (f, NULL, "news", "local", SC_ADMISSION_SCHEDULE, NULL),
                   ==, SC_ADMIT_NOT_BOOKED);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/admission/window", Fixture,
              GINT_TO_POINTER (SC_VISIBILITY_PUBLIC), set_up, test_window,
              tear_down);
  g_test_add ("/admission/refusals", Fixture,
              GINT_TO_POINTER (SC_VISIBILITY_PUBLIC), set_up, test_refusals,
              tear_down);
  g_test_add ("/admission/private", Fixture,
              GINT_TO_POINTER (SC_VISIBILITY_PRIVATE), set_up, test_private,
              tear_down);
  g_test_add ("/admission/schedule", Fixture,
              GINT_TO_POINTER (SC_VISIBILITY_PUBLIC), set_up, test_schedule,
              tear_down);
  g_test_add_func ("/admission/describe", test_describe);
  g_test_add_func ("/admission/time", test_time);
  return g_test_run ();
}
