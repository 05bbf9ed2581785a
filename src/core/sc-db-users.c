/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * ScDb, users part: users and their API keys, web passwords, browser
 * sessions and one-use ticket links. Same rules as sc-db.c: persistent prepared
 * statements, bound parameters only, secrets stored as hashes, one thread.
 */

#include "config.h"

#include "sc-db-private.h"

#include <string.h>

/* Columns: id, name, role, created_us. */
static ScUser *
read_user (sqlite3_stmt *stmt)
{
  ScUser *user = g_new0 (ScUser, 1);

  user->id = sqlite3_column_int64 (stmt, 0);
  user->name = sc_db_column_dup (stmt, 1);
  sc_role_from_string ((const char *)sqlite3_column_text (stmt, 2),
                       &user->role);
  user->created_us = sqlite3_column_int64 (stmt, 3);
  return user;
}

gint64
sc_db_count_users (ScDb *self, GError **error)
{
  g_autoptr (ScStmtLease) stmt
      = sc_db_stmt_lease (self, STMT_COUNT_USERS, error);

  if (stmt == NULL)
    return -1;
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      sc_db_sqlite_error (self, error, "Counting users");
      return -1;
    }
  return sqlite3_column_int64 (stmt, 0);
}

/**
 * sc_db_add_user:
 * @key: (nullable): the API key to give the user, or %NULL to make one
 *
 * Returns: (transfer full) (nullable): the user's API key, which is not
 *   stored and cannot be shown again
 */
char *
sc_db_add_user (ScDb *self, const char *name, ScRole role, const char *key,
                GError **error)
{
  guint8 hash[SC_TOKEN_HASH_LEN];
  g_autofree char *made = NULL;
  g_autoptr (ScStmtLease) stmt = NULL;

  if (!sc_user_name_valid (name))
    {
      g_set_error (error, SC_DB_ERROR, SC_DB_ERROR_INVALID,
                   "User name \"%s\" is not 1 to 64 of A-Z a-z 0-9 . _ -",
                   name);
      return NULL;
    }
  if (key != NULL)
    {
      if (!sc_token_hash (key, hash))
        {
          g_set_error (error, SC_DB_ERROR, SC_DB_ERROR_INVALID,
                       "An API key is %d characters of base64url (make one "
                       "with: openssl rand 32 | basenc --base64url | tr -d =)",
                       SC_TOKEN_TEXT_LEN);
          return NULL;
        }
    }
  else if ((made = sc_token_generate (hash, error)) == NULL)
    return NULL;

  stmt = sc_db_stmt_lease (self, STMT_ADD_USER, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, sc_role_to_string (role), -1, SQLITE_STATIC);
  sqlite3_bind_blob (stmt, 3, hash, sizeof hash, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, g_get_real_time ());
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      if (sc_db_is_constraint (self))
        g_set_error (error, SC_DB_ERROR, SC_DB_ERROR_EXISTS,
                     "A user named %s exists already (or the key is taken)",
                     name);
      else
        sc_db_sqlite_error (self, error, "Adding a user");
      return NULL;
    }
  return made != NULL ? g_steal_pointer (&made) : g_strdup (key);
}

/**
 * sc_db_find_user_by_key:
 *
 * Returns: (transfer full) (nullable): the user whose API key is @key;
 *   %NULL without @error set when there is none
 */
ScUser *
sc_db_find_user_by_key (ScDb *self, const char *key, GError **error)
{
  guint8 hash[SC_TOKEN_HASH_LEN];
  g_autoptr (ScStmtLease) stmt = NULL;
  int rc;

  if (!sc_token_hash (key, hash))
    return NULL;
  stmt = sc_db_stmt_lease (self, STMT_USER_BY_KEY, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_blob (stmt, 1, hash, sizeof hash, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return NULL;
  if (rc != SQLITE_ROW)
    {
      sc_db_sqlite_error (self, error, "Looking up a key");
      return NULL;
    }
  /* The index found the row by hash; compare once more in constant time. */
  if (sqlite3_column_bytes (stmt, 4) != SC_TOKEN_HASH_LEN
      || !sc_token_hash_equal (sqlite3_column_blob (stmt, 4), hash))
    return NULL;
  return read_user (stmt);
}

/**
 * sc_db_get_user:
 *
 * Returns: (transfer full) (nullable): the user named @name; %NULL without
 *   @error set when there is none
 */
ScUser *
sc_db_get_user (ScDb *self, const char *name, GError **error)
{
  g_autofree char *hash = NULL;

  return sc_db_get_user_password (self, name, &hash, error);
}

/**
 * sc_db_list_users:
 *
 * Returns: (transfer full) (element-type ScUser) (nullable): all users
 */
GPtrArray *
sc_db_list_users (ScDb *self, GError **error)
{
  g_autoptr (ScStmtLease) stmt
      = sc_db_stmt_lease (self, STMT_LIST_USERS, error);
  g_autoptr (GPtrArray) users = NULL;
  int rc;

  if (stmt == NULL)
    return NULL;
  users = g_ptr_array_new_with_free_func ((GDestroyNotify)sc_user_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (users, read_user (stmt));
  if (rc != SQLITE_DONE)
    {
      sc_db_sqlite_error (self, error, "Listing users");
      return NULL;
    }
  return g_steal_pointer (&users);
}

/**
 * sc_db_set_password:
 * @password_hash: (nullable): a hash from sc_password_hash(), or %NULL to
 *   disable web logins for the user
 *
 * Sets @name's web password and ends every browser session of the user.
 *
 * Returns: %FALSE with %SC_DB_ERROR_INVALID when there is no such user
 */
gboolean
sc_db_set_password (ScDb *self, const char *name, const char *password_hash,
                    GError **error)
{
  g_autoptr (ScStmtLease) stmt = NULL;
  g_autoptr (ScStmtLease) drop = NULL;
  gboolean ok = FALSE;

  if (!sc_db_write_begin (self, error))
    return FALSE;
  stmt = sc_db_stmt_lease (self, STMT_SET_PASSWORD, error);
  drop = sc_db_stmt_lease (self, STMT_DELETE_USER_SESSIONS, error);
  if (stmt != NULL && drop != NULL)
    {
      sqlite3_bind_text (stmt, 1, name, -1, SQLITE_STATIC);
      if (password_hash != NULL)
        sqlite3_bind_text (stmt, 2, password_hash, -1, SQLITE_STATIC);
      sqlite3_bind_text (drop, 1, name, -1, SQLITE_STATIC);
      ok = sc_db_stmt_exec (self, stmt, error);
      if (ok && sqlite3_changes (sqlite3_db_handle (stmt)) == 0)
        {
          g_set_error (error, SC_DB_ERROR, SC_DB_ERROR_INVALID,
                       "No user named %s", name);
          ok = FALSE;
        }
      ok = ok && sc_db_stmt_exec (self, drop, error);
    }
  return sc_db_write_end (self, ok, error);
}

/**
 * sc_db_get_user_password:
 * @out_hash: (out) (transfer full) (nullable): the user's password hash;
 *   %NULL when the user has none
 *
 * Returns: (transfer full) (nullable): the user named @name; %NULL without
 *   @error set when there is none
 */
ScUser *
sc_db_get_user_password (ScDb *self, const char *name, char **out_hash,
                         GError **error)
{
  g_autoptr (ScStmtLease) stmt
      = sc_db_stmt_lease (self, STMT_PASSWORD_BY_NAME, error);
  int rc;

  *out_hash = NULL;
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *out_hash = sc_db_column_dup (stmt, 4);
      return read_user (stmt);
    }
  if (rc != SQLITE_DONE)
    sc_db_sqlite_error (self, error, "Looking up a user");
  return NULL;
}

/* Mints a token and stores the row of its hash with @insert (?1 the hash,
 * ?2 @owner_text or else @owner_id, ?3 @now_us, ?4 @expires_us), after
 * @purge (?1 @now_us) dropped the expired rows of the same table.
 * Returns: (transfer full) (nullable): the token; only its hash is kept. */
static char *
add_token_row (ScDb *self, ScDbStmt purge_which, ScDbStmt insert_which,
               gint64 owner_id, const char *owner_text, gint64 now_us,
               gint64 expires_us, GError **error)
{
  guint8 hash[SC_TOKEN_HASH_LEN];
  g_autofree char *token = NULL;
  g_autoptr (ScStmtLease) purge = NULL;
  g_autoptr (ScStmtLease) stmt = NULL;
  gboolean ok = FALSE;

  if ((token = sc_token_generate (hash, error)) == NULL
      || !sc_db_write_begin (self, error))
    return NULL;
  purge = sc_db_stmt_lease (self, purge_which, error);
  stmt = sc_db_stmt_lease (self, insert_which, error);
  if (purge != NULL && stmt != NULL)
    {
      sqlite3_bind_int64 (purge, 1, now_us);
      sqlite3_bind_blob (stmt, 1, hash, sizeof hash, SQLITE_STATIC);
      if (owner_text != NULL)
        sqlite3_bind_text (stmt, 2, owner_text, -1, SQLITE_STATIC);
      else
        sqlite3_bind_int64 (stmt, 2, owner_id);
      sqlite3_bind_int64 (stmt, 3, now_us);
      sqlite3_bind_int64 (stmt, 4, expires_us);
      ok = sc_db_stmt_exec (self, purge, error)
           && sc_db_stmt_exec (self, stmt, error);
    }
  if (!sc_db_write_end (self, ok, error))
    return NULL;
  return g_steal_pointer (&token);
}

/**
 * sc_db_add_session:
 * @expires_us: when the session stops working
 *
 * Makes a browser session for @user_id and purges expired ones.
 *
 * Returns: (transfer full) (nullable): the session token for the cookie;
 *   only its hash is stored
 */
char *
sc_db_add_session (ScDb *self, gint64 user_id, gint64 now_us, gint64 expires_us,
                   GError **error)
{
  return add_token_row (self, STMT_PURGE_SESSIONS, STMT_ADD_SESSION, user_id,
                        NULL, now_us, expires_us, error);
}

/**
 * sc_db_find_user_by_session:
 * @out_expires_us: (out) (optional): when the session ends
 *
 * Returns: (transfer full) (nullable): the user of the unexpired session
 *   @token; %NULL without @error set when there is none
 */
ScUser *
sc_db_find_user_by_session (ScDb *self, const char *token, gint64 now_us,
                            gint64 *out_expires_us, GError **error)
{
  guint8 hash[SC_TOKEN_HASH_LEN];
  g_autoptr (ScStmtLease) stmt = NULL;
  int rc;

  if (!sc_token_hash (token, hash))
    return NULL;
  if ((stmt = sc_db_stmt_lease (self, STMT_USER_BY_SESSION, error)) == NULL)
    return NULL;
  sqlite3_bind_blob (stmt, 1, hash, sizeof hash, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, now_us);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return NULL;
  if (rc != SQLITE_ROW)
    {
      sc_db_sqlite_error (self, error, "Looking up a session");
      return NULL;
    }
  if (sqlite3_column_bytes (stmt, 4) != SC_TOKEN_HASH_LEN
      || !sc_token_hash_equal (sqlite3_column_blob (stmt, 4), hash))
    return NULL;
  if (out_expires_us != NULL)
    *out_expires_us = sqlite3_column_int64 (stmt, 5);
  return read_user (stmt);
}

/**
 * sc_db_delete_session:
 *
 * Ends the session @token (logout); an unknown token is not an error.
 */
gboolean
sc_db_delete_session (ScDb *self, const char *token, GError **error)
{
  guint8 hash[SC_TOKEN_HASH_LEN];
  g_autoptr (ScStmtLease) stmt = NULL;
  gboolean ok;

  if (!sc_token_hash (token, hash))
    return TRUE;
  if (!sc_db_write_begin (self, error))
    return FALSE;
  stmt = sc_db_stmt_lease (self, STMT_DELETE_SESSION, error);
  ok = stmt != NULL;
  if (ok)
    {
      sqlite3_bind_blob (stmt, 1, hash, sizeof hash, SQLITE_STATIC);
      ok = sc_db_stmt_exec (self, stmt, error);
    }
  return sc_db_write_end (self, ok, error);
}

/**
 * sc_db_add_ticket_link:
 * @expires_us: when the link stops working
 *
 * Makes a link token that hands out the ticket of @reservation_id once
 * (sc_db_take_ticket_link()), and purges expired ones.
 *
 * Returns: (transfer full) (nullable): the token; only its hash is stored
 */
char *
sc_db_add_ticket_link (ScDb *self, const char *reservation_id, gint64 now_us,
                       gint64 expires_us, GError **error)
{
  return add_token_row (self, STMT_PURGE_TICKET_LINKS, STMT_ADD_TICKET_LINK, 0,
                        reservation_id, now_us, expires_us, error);
}

/**
 * sc_db_take_ticket_link:
 *
 * Uses up the unexpired link @token.
 *
 * Returns: (transfer full) (nullable): the id of the reservation whose
 *   ticket the link hands out; %NULL without @error set when the token is
 *   unknown, used or expired
 */
char *
sc_db_take_ticket_link (ScDb *self, const char *token, gint64 now_us,
                        GError **error)
{
  guint8 hash[SC_TOKEN_HASH_LEN];
  g_autoptr (ScStmtLease) stmt = NULL;
  g_autofree char *id = NULL;
  int rc;

  if (!sc_token_hash (token, hash) || !sc_db_write_begin (self, error))
    return NULL;
  stmt = sc_db_stmt_lease (self, STMT_TAKE_TICKET_LINK, error);
  if (stmt == NULL)
    {
      sc_db_write_end (self, FALSE, NULL);
      return NULL;
    }
  sqlite3_bind_blob (stmt, 1, hash, sizeof hash, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, now_us);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      id = sc_db_column_dup (stmt, 0);
      rc = sqlite3_step (stmt);
    }
  if (rc != SQLITE_DONE)
    {
      sc_db_sqlite_error (self, error, "Taking a ticket link");
      sc_db_write_end (self, FALSE, NULL);
      return NULL;
    }
  sqlite3_reset (stmt);
  if (!sc_db_write_end (self, TRUE, error))
    return NULL;
  return g_steal_pointer (&id);
}
