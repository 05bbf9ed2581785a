/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Web logins: password hashing (sc-password.c), and the users part of the
 * database (sc-db-users.c): passwords, sessions and their expiry, and the
 * migration of a version 1 database. */

#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "sc-db.h"
#include "sc-password.h"

#define S G_USEC_PER_SEC
#define T0 ((gint64)1795000000 * S)

static void
test_password_round_trip (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *a = sc_password_hash ("correct horse", &error);
  g_autofree char *b = sc_password_hash ("correct horse", &error);

  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (a, "$scrypt$ln=15,r=8,p=1$"));
  /* A fresh salt each time. */
  g_assert_cmpstr (a, !=, b);
  g_assert_true (sc_password_verify ("correct horse", a));
  g_assert_true (sc_password_verify ("correct horse", b));
  g_assert_false (sc_password_verify ("correct hors", a));
  g_assert_false (sc_password_verify ("correct horse ", a));
  g_assert_false (sc_password_verify ("", a));
  g_assert_false (sc_password_verify (NULL, a));
}

static void
test_password_malformed (void)
{
  g_autofree char *good = sc_password_hash ("password1", NULL);
  g_auto (GStrv) parts = g_strsplit (good, "$", -1);
  const char *salt = parts[3], *hash = parts[4];
  g_autoptr (GPtrArray) bad = g_ptr_array_new_with_free_func (g_free);

#define BAD(...) g_ptr_array_add (bad, g_strdup_printf (__VA_ARGS__))
  BAD ("%s", "");
  BAD ("%s", "$");
  BAD ("%s", "$scrypt$");
  BAD ("$scrypt$ln=15,r=8,p=1$%s", salt);
  BAD ("$scrypt$ln=15,r=8,p=1$%s$%s$", salt, hash);
  BAD ("$bcrypt$ln=15,r=8,p=1$%s$%s", salt, hash);
  BAD ("$scrypt$ln=15,r=8$%s$%s", salt, hash);
  BAD ("$scrypt$ln=15,r=8,p=1x$%s$%s", salt, hash);
  BAD ("$scrypt$ln=0,r=8,p=1$%s$%s", salt, hash);
  BAD ("$scrypt$ln=-1,r=8,p=1$%s$%s", salt, hash);
  /* Costs that would take minutes or gigabytes: refused, not run. */
  BAD ("$scrypt$ln=40,r=8,p=1$%s$%s", salt, hash);
  BAD ("$scrypt$ln=15,r=100000,p=1$%s$%s", salt, hash);
  BAD ("$scrypt$ln=15,r=8,p=99$%s$%s", salt, hash);
  /* Salt and hash: not base64url, too short, missing. */
  BAD ("$scrypt$ln=15,r=8,p=1$!!$%s", hash);
  BAD ("$scrypt$ln=15,r=8,p=1$%s$AAAA", salt);
  BAD ("$scrypt$ln=15,r=8,p=1$$%s", hash);
  BAD ("$scrypt$ln=15,r=8,p=1$AAAA$%s", hash);
#undef BAD

  g_assert_true (sc_password_verify ("password1", good));
  for (guint i = 0; i < bad->len; i++)
    {
      g_test_message ("%s", (char *)bad->pdata[i]);
      g_assert_false (sc_password_verify ("password1", bad->pdata[i]));
    }
}

static void
test_password_length (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *huge = g_strnfill (SC_PASSWORD_MAX_LEN + 1, 'x');

  g_assert_true (sc_password_check_length ("12345678", NULL));
  g_assert_false (sc_password_check_length ("1234567", &error));
  g_assert_nonnull (error);
  g_assert_false (sc_password_check_length (huge, NULL));
}

typedef struct
{
  char *dir;
  char *path;
  ScDb *db;
  gint64 alice;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *key = NULL;
  g_autoptr (ScUser) alice = NULL;

  f->dir = g_dir_make_tmp ("sc-users-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "t.db", NULL);
  f->db = sc_db_open (f->path, SC_SYNCHRONOUS_NORMAL, &error);
  g_assert_no_error (error);
  key = sc_db_add_user (f->db, "alice", SC_ROLE_BROADCASTER, NULL, &error);
  g_assert_no_error (error);
  alice = sc_db_get_user (f->db, "alice", &error);
  f->alice = alice->id;
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  const char *const suffixes[] = { "", "-wal", "-shm" };

  g_clear_object (&f->db);
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *p = g_strconcat (f->path, suffixes[i], NULL);
      g_unlink (p);
    }
  g_rmdir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static void
test_db_password (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *stored = NULL;
  g_autoptr (ScUser) user = NULL;
  g_autoptr (ScUser) nobody = NULL;

  /* No password yet: no web login. */
  user = sc_db_get_user_password (f->db, "alice", &stored, &error);
  g_assert_no_error (error);
  g_assert_nonnull (user);
  g_assert_null (stored);
  g_clear_pointer (&user, sc_user_free);

  hash = sc_password_hash ("open sesame", &error);
  g_assert_true (sc_db_set_password (f->db, "alice", hash, &error));
  g_assert_no_error (error);
  user = sc_db_get_user_password (f->db, "alice", &stored, &error);
  g_assert_cmpstr (stored, ==, hash);
  g_assert_cmpstr (user->name, ==, "alice");
  g_assert_cmpint (user->role, ==, SC_ROLE_BROADCASTER);

  g_assert_false (sc_db_set_password (f->db, "bob", hash, &error));
  g_assert_error (error, SC_DB_ERROR, SC_DB_ERROR_INVALID);
  g_clear_error (&error);
  g_clear_pointer (&stored, g_free);
  nobody = sc_db_get_user_password (f->db, "bob", &stored, &error);
  g_assert_no_error (error);
  g_assert_null (nobody);
  g_assert_null (stored);
}

static void
test_db_sessions (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autoptr (ScUser) user = NULL;
  gint64 expires = 0;

  a = sc_db_add_session (f->db, f->alice, T0, T0 + 60 * S, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (strlen (a), ==, 43);
  b = sc_db_add_session (f->db, f->alice, T0, T0 + 120 * S, &error);
  g_assert_cmpstr (a, !=, b);

  user = sc_db_find_user_by_session (f->db, a, T0 + 59 * S, &expires, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (user->name, ==, "alice");
  g_assert_cmpint (expires, ==, T0 + 60 * S);
  g_clear_pointer (&user, sc_user_free);

  /* Expired at its end, not a microsecond later. */
  g_assert_null (
      sc_db_find_user_by_session (f->db, a, T0 + 60 * S, NULL, &error));
  g_assert_no_error (error);
  /* Unknown and malformed tokens are simply nobody. */
  g_assert_null (sc_db_find_user_by_session (
      f->db, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", T0, NULL, &error));
  g_assert_null (
      sc_db_find_user_by_session (f->db, "x'; --", T0, NULL, &error));
  g_assert_no_error (error);

  /* Logout ends one session only. */
  g_assert_true (sc_db_delete_session (f->db, b, &error));
  g_assert_null (sc_db_find_user_by_session (f->db, b, T0, NULL, &error));
  user = sc_db_find_user_by_session (f->db, a, T0, NULL, &error);
  g_assert_nonnull (user);
  g_clear_pointer (&user, sc_user_free);
  g_assert_true (sc_db_delete_session (f->db, "not a token", &error));

  /* A new password ends every session of the user. */
  g_assert_true (sc_db_set_password (f->db, "alice", NULL, &error));
  g_assert_null (sc_db_find_user_by_session (f->db, a, T0, NULL, &error));
  g_assert_no_error (error);
}

static void
test_db_ticket_links (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ScReservation) r = NULL;
  g_autoptr (ScTicketSecrets) secrets = NULL;
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autofree char *id = NULL;
  g_autofree char *again = NULL;
  ScBookRequest request = { .owner_id = f->alice,
                            .stream = "news",
                            .start_us = T0,
                            .end_us = T0 + 60 * S,
                            .visibility = SC_VISIBILITY_PUBLIC };
  guint8 key[SC_SEALER_KEY_LEN] = { 1 };
  g_autoptr (ScSealer) sealer = sc_sealer_new (key);
  ScNode node = { .name = "local", .public_host = "h", .capacity = 2 };

  g_assert_true (sc_db_upsert_node (f->db, &node, &error));
  r = sc_db_book (f->db, sealer, &request, T0 - S, &secrets, NULL, &error);
  g_assert_no_error (error);

  a = sc_db_add_ticket_link (f->db, r->id, T0, T0 + 10 * S, &error);
  b = sc_db_add_ticket_link (f->db, r->id, T0, T0 + 10 * S, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (a, !=, b);

  /* Once. */
  id = sc_db_take_ticket_link (f->db, a, T0 + 9 * S, &error);
  g_assert_cmpstr (id, ==, r->id);
  again = sc_db_take_ticket_link (f->db, a, T0 + 9 * S, &error);
  g_assert_no_error (error);
  g_assert_null (again);
  /* Not at or after its expiry. */
  g_assert_null (sc_db_take_ticket_link (f->db, b, T0 + 10 * S, &error));
  g_assert_null (sc_db_take_ticket_link (f->db, "garbage", T0, &error));
  g_assert_no_error (error);
}

/* A version 1 database (before web logins) is migrated in place. */
static void
test_db_migrate_v1 (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ScUser) user = NULL;
  g_autofree char *token = NULL;
  sqlite3 *raw = NULL;

  g_clear_object (&f->db);
  g_assert_cmpint (sqlite3_open (f->path, &raw), ==, SQLITE_OK);
  g_assert_cmpint (
      sqlite3_exec (raw,
                    "DROP TRIGGER reservations_seq_insert; "
                    "DROP TRIGGER reservations_seq_update; "
                    "DROP INDEX reservations_node_seq; DROP TABLE change_seq; "
                    "ALTER TABLE reservations DROP COLUMN seq; "
                    "DROP TABLE sessions; DROP TABLE ticket_links; "
                    "ALTER TABLE users DROP COLUMN password_hash; "
                    "PRAGMA user_version = 1;",
                    NULL, NULL, NULL),
      ==, SQLITE_OK);
  sqlite3_close (raw);

  f->db = sc_db_open (f->path, SC_SYNCHRONOUS_NORMAL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sc_db_get_schema_version (f->db), ==, 3);
  user = sc_db_get_user (f->db, "alice", &error);
  g_assert_nonnull (user);
  token = sc_db_add_session (f->db, user->id, T0, T0 + S, &error);
  g_assert_no_error (error);
  g_assert_true (sc_db_check_integrity (f->db, &error));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/users/password/round-trip", test_password_round_trip);
  g_test_add_func ("/users/password/malformed", test_password_malformed);
  g_test_add_func ("/users/password/length", test_password_length);
  g_test_add ("/users/db/password", Fixture, NULL, fixture_set_up,
              test_db_password, fixture_tear_down);
  g_test_add ("/users/db/sessions", Fixture, NULL, fixture_set_up,
              test_db_sessions, fixture_tear_down);
  g_test_add ("/users/db/ticket-links", Fixture, NULL, fixture_set_up,
              test_db_ticket_links, fixture_tear_down);
  g_test_add ("/users/db/migrate-v1", Fixture, NULL, fixture_set_up,
              test_db_migrate_v1, fixture_tear_down);
  return g_test_run ();
}
