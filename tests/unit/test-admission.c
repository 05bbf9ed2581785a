/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Admission decisions around a reservation's window, driven by a manual
 * clock: early, open, ended, cancelled, wrong stream/node/role, bad tokens;
 * every one asked of the database and of a node's copy (ScNodeSchedule)
 * loaded from the reservation feed, which must answer alike. The rule
 * itself over a table of cases; the feed's changes, snapshot pages and
 * wire format. */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "sc-admission.h"
#include "sc-clock.h"
#include "sc-feed.h"
#include "sc-node-schedule.h"
#include "sc-slot.h"

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
  g_autoptr (ScNode) local = sc_db_get_node (f->db, "local", &error);
  g_autoptr (ScNodeSchedule) copy = sc_node_schedule_new ("local");
  g_autoptr (GPtrArray) changes = NULL;
  g_autoptr (ScReservation) r2 = NULL;
  g_autofree char *reason2 = NULL;
  ScAdmitResult result2;

  g_assert_no_error (error);
  if (result == SC_ADMIT_OK)
    g_assert_cmpstr (r->id, ==, f->r->id);

  /* The node's copy, from every change of its reservations. */
  changes = sc_db_feed_changes (f->db, local->id, 0, 100, &error);
  g_assert_no_error (error);
  sc_node_schedule_replace (copy, changes, sc_db_feed_cursor (f->db, NULL));
  result2 = sc_node_schedule_decide (&req, &r2, &reason2, copy);
  g_assert_cmpstr (sc_admit_result_to_string (result2), ==,
                   sc_admit_result_to_string (result));
  if (reason != NULL)
    g_assert_cmpstr (reason2, ==, *reason);
  g_assert_cmpstr (r2 != NULL ? r2->id : NULL, ==, r != NULL ? r->id : NULL);
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

/* The rule alone: one pure function of the request and the reservation. */
static void
test_rules (void)
{
  ScReservation r = { .id = "r1",
                      .node = "local",
                      .stream = "news",
                      .start_us = T0,
                      .end_us = T0 + 60 * S,
                      .visibility = SC_VISIBILITY_PRIVATE };
  struct
  {
    ScAdmissionRole role;
    gboolean is_view;
    const char *stream;
    const char *node;
    ScReservationState state;
    gint64 now_us;
    ScAdmitResult expected;
  } cases[] = {
    { SC_ADMISSION_PUBLISH, FALSE, "news", "local", SC_RESERVATION_BOOKED,
      T0 - 30 * S - 1, SC_ADMIT_TOO_EARLY },
    { SC_ADMISSION_PUBLISH, FALSE, "news", "local", SC_RESERVATION_BOOKED,
      T0 - 30 * S, SC_ADMIT_OK },
    { SC_ADMISSION_PUBLISH, FALSE, "news", "local", SC_RESERVATION_BOOKED,
      T0 + 60 * S - 1, SC_ADMIT_OK },
    { SC_ADMISSION_PUBLISH, FALSE, "news", "local", SC_RESERVATION_BOOKED,
      T0 + 60 * S, SC_ADMIT_ENDED },
    { SC_ADMISSION_VIEW, TRUE, "news", "local", SC_RESERVATION_BOOKED,
      T0 - 30 * S, SC_ADMIT_OK },
    { SC_ADMISSION_VIEW, FALSE, "news", "local", SC_RESERVATION_BOOKED, T0,
      SC_ADMIT_WRONG_ROLE },
    { SC_ADMISSION_PUBLISH, TRUE, "news", "local", SC_RESERVATION_BOOKED, T0,
      SC_ADMIT_WRONG_ROLE },
    { SC_ADMISSION_PUBLISH, FALSE, "sport", "local", SC_RESERVATION_BOOKED, T0,
      SC_ADMIT_WRONG_STREAM },
    { SC_ADMISSION_PUBLISH, FALSE, "news", "edge", SC_RESERVATION_BOOKED, T0,
      SC_ADMIT_WRONG_NODE },
    { SC_ADMISSION_PUBLISH, FALSE, "news", "local", SC_RESERVATION_CANCELLED,
      T0, SC_ADMIT_CANCELLED },
    /* The order of the checks: the role before the window. */
    { SC_ADMISSION_VIEW, FALSE, "news", "local", SC_RESERVATION_BOOKED,
      T0 + 3600 * S, SC_ADMIT_WRONG_ROLE },
  };

  for (size_t i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      ScAdmissionRequest req = { .token = "unused",
                                 .stream = cases[i].stream,
                                 .node = cases[i].node,
                                 .role = cases[i].role,
                                 .admit_early_us = 30 * S,
                                 .now_us = cases[i].now_us };
      g_autofree char *reason = NULL;

      r.state = cases[i].state;
      g_test_message ("case %zu", i);
      g_assert_cmpstr (sc_admit_result_to_string (sc_admission_judge (
                           &req, &r, cases[i].is_view, NULL, &reason)),
                       ==, sc_admit_result_to_string (cases[i].expected));
      g_assert_nonnull (reason);
    }
  /* The schedule question: private bookings are not told before start. */
  {
    ScAdmissionRequest req = { .stream = "news",
                               .node = "local",
                               .role = SC_ADMISSION_SCHEDULE,
                               .now_us = T0 - S };

    g_assert_cmpint (sc_admission_judge_schedule (&req, &r, NULL, NULL), ==,
                     SC_ADMIT_NOT_BOOKED);
    r.visibility = SC_VISIBILITY_PUBLIC;
    g_assert_cmpint (sc_admission_judge_schedule (&req, &r, NULL, NULL), ==,
                     SC_ADMIT_TOO_EARLY);
    req.now_us = T0;
    g_assert_cmpint (sc_admission_judge_schedule (&req, &r, NULL, NULL), ==,
                     SC_ADMIT_OK);
    g_assert_cmpint (sc_admission_judge_schedule (&req, NULL, NULL, NULL), ==,
                     SC_ADMIT_NOT_BOOKED);
  }
}

/* The time rules over a table: where a slot stands, and what each part
 * (admission, the hub's gate, the cut, the schedule answer) does then. */
static void
test_phases (void)
{
  const ScSlotRules rules = { .admit_early_us = 30 * S, .grace_us = 5 * S };
  ScReservation r = { .start_us = T0, .end_us = T0 + 60 * S };
  struct
  {
    gint64 at_us;
    ScReservationState state;
    ScSlotPhase phase;
    gboolean admits, shows, keeps, started;
  } cases[] = {
    { T0 - 3600 * S, SC_RESERVATION_BOOKED, SC_SLOT_NOT_OPEN, 0, 0, 1, 0 },
    { T0 - 30 * S - 1, SC_RESERVATION_BOOKED, SC_SLOT_NOT_OPEN, 0, 0, 1, 0 },
    { T0 - 30 * S, SC_RESERVATION_BOOKED, SC_SLOT_EARLY, 1, 0, 1, 0 },
    { T0 - 1, SC_RESERVATION_BOOKED, SC_SLOT_EARLY, 1, 0, 1, 0 },
    { T0, SC_RESERVATION_BOOKED, SC_SLOT_LIVE, 1, 1, 1, 1 },
    { T0 + 60 * S - 1, SC_RESERVATION_BOOKED, SC_SLOT_LIVE, 1, 1, 1, 1 },
    { T0 + 60 * S, SC_RESERVATION_BOOKED, SC_SLOT_GRACE, 0, 1, 1, 1 },
    { T0 + 65 * S - 1, SC_RESERVATION_BOOKED, SC_SLOT_GRACE, 0, 1, 1, 1 },
    { T0 + 65 * S, SC_RESERVATION_BOOKED, SC_SLOT_OVER, 0, 0, 0, 1 },
    { T0 + 10 * S, SC_RESERVATION_CANCELLED, SC_SLOT_OVER, 0, 0, 0, 1 },
    { T0 - 3600 * S, SC_RESERVATION_CANCELLED, SC_SLOT_OVER, 0, 0, 0, 1 },
  };

  for (size_t i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      ScSlotPhase phase;

      r.state = cases[i].state;
      phase = sc_slot_phase (&r, cases[i].at_us, &rules);
      g_test_message ("case %zu: %s", i, sc_slot_phase_to_string (phase));
      g_assert_cmpstr (sc_slot_phase_to_string (phase), ==,
                       sc_slot_phase_to_string (cases[i].phase));
      g_assert_cmpint (sc_slot_admits (phase), ==, cases[i].admits);
      g_assert_cmpint (sc_slot_shows_media (phase), ==, cases[i].shows);
      g_assert_cmpint (sc_slot_keeps_publisher (phase), ==, cases[i].keeps);
      g_assert_cmpint (sc_slot_has_started (phase), ==, cases[i].started);
    }
  /* No grace: the end is the cut. */
  {
    const ScSlotRules none = { 0, 0 };

    r.state = SC_RESERVATION_BOOKED;
    g_assert_cmpint (sc_slot_phase (&r, T0 - 1, &none), ==, SC_SLOT_NOT_OPEN);
    g_assert_cmpint (sc_slot_phase (&r, T0 + 60 * S, &none), ==, SC_SLOT_OVER);
  }
}

/* The feed: each booking and cancellation is a change with the next
 * number; a node's changes and snapshot are its own. */
static void
test_feed (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ScNode) local = sc_db_get_node (f->db, "local", &error);
  ScNode edge_node = { .name = "edge", .public_host = "h", .capacity = 4 };
  g_autoptr (ScNode) edge = NULL;
  guint8 raw[SC_SEALER_KEY_LEN] = { 0 };
  g_autoptr (ScSealer) sealer = sc_sealer_new (raw);
  ScBookRequest req = { .owner_id = f->r->owner_id,
                        .stream = "elsewhere",
                        .start_us = T0 + 60 * S,
                        .end_us = T0 + 120 * S,
                        .node = "edge" };
  g_autoptr (ScReservation) there = NULL;
  g_autoptr (ScReservation) gone = NULL;
  g_autoptr (GPtrArray) changes = NULL;
  g_autoptr (GPtrArray) snapshot = NULL;
  gint64 cursor = sc_db_feed_cursor (f->db, &error);
  ScReservationEntry *e;

  g_assert_no_error (error);
  g_assert_cmpint (cursor, ==, 1);
  sc_db_upsert_node (f->db, &edge_node, &error);
  edge = sc_db_get_node (f->db, "edge", &error);
  there = sc_db_book (f->db, sealer, &req, T0, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sc_db_feed_cursor (f->db, NULL), ==, 2);
  gone = sc_db_cancel (f->db, f->r->id, T0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sc_db_feed_cursor (f->db, NULL), ==, 3);

  /* local: its booking (1) then its cancellation (3), one entry. */
  changes = sc_db_feed_changes (f->db, local->id, 0, 100, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (changes->len, ==, 1);
  e = changes->pdata[0];
  g_assert_cmpstr (e->reservation->id, ==, f->r->id);
  g_assert_cmpint (e->reservation->state, ==, SC_RESERVATION_CANCELLED);
  g_assert_cmpint (e->seq, ==, 3);
  g_clear_pointer (&changes, g_ptr_array_unref);
  changes = sc_db_feed_changes (f->db, local->id, 3, 100, &error);
  g_assert_cmpuint (changes->len, ==, 0);
  g_clear_pointer (&changes, g_ptr_array_unref);
  changes = sc_db_feed_changes (f->db, edge->id, 0, 100, &error);
  g_assert_cmpuint (changes->len, ==, 1);
  g_assert_cmpint (((ScReservationEntry *)changes->pdata[0])->seq, ==, 2);

  /* A snapshot has what is booked and not ended, nothing cancelled. */
  snapshot = sc_db_feed_snapshot (f->db, local->id, T0, 0, "", 100, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (snapshot->len, ==, 0);
  g_clear_pointer (&snapshot, g_ptr_array_unref);
  snapshot = sc_db_feed_snapshot (f->db, edge->id, T0, 0, "", 100, &error);
  g_assert_cmpuint (snapshot->len, ==, 1);
  g_clear_pointer (&snapshot, g_ptr_array_unref);
  snapshot
      = sc_db_feed_snapshot (f->db, edge->id, T0 + 120 * S, 0, "", 100, &error);
  g_assert_cmpuint (snapshot->len, ==, 0);
}

/* 1,001 reservations in pages of 500: every one once, in order. */
static void
test_feed_pages (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ScNode) local = sc_db_get_node (f->db, "local", &error);
  guint8 raw[SC_SEALER_KEY_LEN] = { 0 };
  g_autoptr (ScSealer) sealer = sc_sealer_new (raw);
  g_autoptr (GHashTable) seen
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gint64 after_start_us = 0;
  g_autofree char *after_id = g_strdup ("");
  guint pages = 0;

  g_assert_true (sc_db_batch_begin (f->db, &error));
  for (int i = 0; i < 1000; i++)
    {
      g_autofree char *stream = g_strdup_printf ("s%d", i);
      /* Two at each start: the id breaks the tie. */
      ScBookRequest req = { .owner_id = f->r->owner_id,
                            .stream = stream,
                            .start_us = T0 + (i / 2) * S,
                            .end_us = T0 + (i / 2) * S + S,
                            .node = "local" };
      g_autoptr (ScReservation) r
          = sc_db_book (f->db, sealer, &req, T0, NULL, NULL, &error);

      g_assert_no_error (error);
      g_assert_nonnull (r);
    }
  g_assert_true (sc_db_batch_commit (f->db, &error));
  for (;;)
    {
      g_autoptr (GPtrArray) page
          = sc_db_feed_snapshot (f->db, local->id, T0, after_start_us, after_id,
                                 SC_FEED_PAGE_MAX, &error);
      g_autofree char *token = NULL;
      g_autofree char *id = NULL;
      gint64 cursor;

      g_assert_no_error (error);
      pages++;
      for (guint i = 0; i < page->len; i++)
        g_assert_true (g_hash_table_add (
            seen,
            g_strdup (
                ((ScReservationEntry *)page->pdata[i])->reservation->id)));
      if (page->len < SC_FEED_PAGE_MAX)
        break;
      token = sc_feed_page_token (
          7, ((ScReservationEntry *)page->pdata[page->len - 1])->reservation);
      g_free (after_id);
      g_assert_true (
          sc_feed_page_token_parse (token, &cursor, &after_start_us, &id));
      g_assert_cmpint (cursor, ==, 7);
      after_id = g_steal_pointer (&id);
    }
  g_assert_cmpuint (pages, ==, 3);
  g_assert_cmpuint (g_hash_table_size (seen), ==, 1001);
}

/* The page's writer and parser agree; the parser refuses what is wrong. */
static void
test_feed_format (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ScNode) local = sc_db_get_node (f->db, "local", &error);
  g_autoptr (ScFeedPage) page = sc_feed_page_new ();
  g_autoptr (ScFeedPage) back = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GPtrArray) entries = NULL;
  g_autofree char *text = NULL;
  ScReservationEntry *a, *b;
  const char *bad[] = {
    "",
    "[]",
    "{\"node\":\"local\",\"snapshot\":true,\"cursor\":-1,"
    "\"reservations\":[]}",
    "{\"node\":\"local\",\"snapshot\":true,\"cursor\":1}",
    "{\"node\":\"\",\"snapshot\":true,\"cursor\":1,\"reservations\":[]}",
    "{\"node\":\"local\",\"snapshot\":1,\"cursor\":1,\"reservations\":[]}",
    "{\"node\":\"local\",\"snapshot\":true,\"cursor\":1,"
    "\"reservations\":[{\"id\":\"x y\"}]}",
  };

  entries = sc_db_feed_changes (f->db, local->id, 0, 100, &error);
  page->node = g_strdup ("local");
  page->cursor = 1;
  page->admit_early_s = 30;
  g_ptr_array_extend_and_steal (page->entries, g_steal_pointer (&entries));
  root = sc_feed_page_to_json (page);
  text = json_to_string (root, FALSE);
  back = sc_feed_page_parse (text, strlen (text), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back->entries->len, ==, 1);
  a = page->entries->pdata[0];
  b = back->entries->pdata[0];
  g_assert_cmpstr (b->reservation->id, ==, a->reservation->id);
  g_assert_cmpstr (b->reservation->stream, ==, "news");
  g_assert_cmpstr (b->reservation->node, ==, "local");
  g_assert_cmpint (b->reservation->start_us, ==, a->reservation->start_us);
  g_assert_cmpint (b->reservation->end_us, ==, a->reservation->end_us);
  g_assert_cmpint (b->reservation->visibility, ==, a->reservation->visibility);
  g_assert_cmpmem (b->publish_hash, SC_TOKEN_HASH_LEN, a->publish_hash,
                   SC_TOKEN_HASH_LEN);
  g_assert_cmpint (b->has_view_hash, ==, a->has_view_hash);
  if (a->has_view_hash)
    g_assert_cmpmem (b->view_hash, SC_TOKEN_HASH_LEN, a->view_hash,
                     SC_TOKEN_HASH_LEN);
  g_assert_cmpint (b->seq, ==, a->seq);
  g_assert_cmpint (back->admit_early_s, ==, 30);
  g_assert_null (back->next_page);

  for (size_t i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) e = NULL;
      g_autoptr (ScFeedPage) p
          = sc_feed_page_parse (bad[i], strlen (bad[i]), &e);

      g_assert_null (p);
      g_assert_nonnull (e);
    }
  /* A hash changed to a non-hex character is refused. */
  {
    char *at = strstr (text, "\"publish_hash\":\"");
    g_autoptr (GError) e = NULL;
    g_autoptr (ScFeedPage) p = NULL;

    g_assert_nonnull (at);
    at[strlen ("\"publish_hash\":\"")] = 'g';
    p = sc_feed_page_parse (text, strlen (text), &e);
    g_assert_error (e, SC_FEED_ERROR, SC_FEED_ERROR_INVALID);
  }
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
  g_test_add_func ("/admission/rules", test_rules);
  g_test_add_func ("/admission/phases", test_phases);
  g_test_add ("/admission/feed", Fixture,
              GINT_TO_POINTER (SC_VISIBILITY_PUBLIC), set_up, test_feed,
              tear_down);
  g_test_add ("/admission/feed-pages", Fixture,
              GINT_TO_POINTER (SC_VISIBILITY_PUBLIC), set_up, test_feed_pages,
              tear_down);
  g_test_add ("/admission/feed-format", Fixture,
              GINT_TO_POINTER (SC_VISIBILITY_PRIVATE), set_up, test_feed_format,
              tear_down);
  g_test_add_func ("/admission/describe", test_describe);
  g_test_add_func ("/admission/time", test_time);
  return g_test_run ();
}
