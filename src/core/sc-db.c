/* SPDX-License-Identifier: LGPL-2.1-or-later */

/**
 * ScDb:
 *
 * The one owner of Slotcast's SQLite database. Opens it in WAL mode with
 * foreign keys and a busy timeout, applies the schema and migrations keyed on
 * `PRAGMA user_version`, and offers typed operations on users, nodes and
 * reservations. Every statement is prepared once (persistent) and only ever
 * takes bound parameters.
 *
 * A booking's checks (stream name free, node capacity) and its insert run in
 * one BEGIN IMMEDIATE transaction, so concurrent bookings, from this process
 * or another one on the same file, can never double-book.
 *
 * Threading: an ScDb belongs to the thread that opened it (the connection is
 * opened without SQLite's mutex). Other processes may share the file.
 */

#include "config.h"

#include "sc-db.h"

#include "sc-db-private.h"

#include "sc-clock.h"
#include "sc-resources.h"

#include <gio/gio.h>
#include <sqlite3.h>
#include <string.h>

/* The quark's name is one token: clang-format would space it out. */
/* clang-format off */
G_DEFINE_QUARK (sc-db-error-quark, sc_db_error)
/* clang-format on */

#define SCHEMA_VERSION 3
#define BUSY_TIMEOUT_MS 5000

#define RESERVATION_COLUMNS                                                    \
  "SELECT r.id, r.owner_id, u.name, r.node_id, n.name, r.stream, "             \
  "r.start_us, r.end_us, r.visibility, r.state, r.created_us, "                \
  "r.cancelled_us FROM reservations r JOIN users u ON u.id = r.owner_id "      \
  "JOIN nodes n ON n.id = r.node_id "

/* Columns 0–11 as RESERVATION_COLUMNS, then the hashes and the change. */
#define FEED_COLUMNS                                                           \
  "SELECT r.id, r.owner_id, u.name, r.node_id, n.name, r.stream, "             \
  "r.start_us, r.end_us, r.visibility, r.state, r.created_us, "                \
  "r.cancelled_us, r.publish_hash, r.view_hash, r.seq FROM reservations r "    \
  "JOIN users u ON u.id = r.owner_id JOIN nodes n ON n.id = r.node_id "

#define NODE_COLUMNS                                                           \
  "SELECT id, name, public_host, rtsp_port, rtmp_port, capacity, dial_in, "    \
  "created_us, longest_us FROM nodes "

/* A window [s, e) overlaps a booked row iff row.start < e and row.end > s;
 * as no row on a node is longer than its longest_us, row.start > s - longest
 * bounds the index scan. Parameters: ?2 = s, ?3 = e, ?4 = s - longest. */
#define OVERLAPS "start_us > ?4 AND start_us < ?3 AND end_us > ?2 "
/* The same bound across all nodes, for queries not tied to one. */
#define LONGEST_ANYWHERE "(SELECT coalesce(max(longest_us), 0) FROM nodes)"

static const char *const sql[N_STMTS] = {
  [STMT_BEGIN_IMMEDIATE] = "BEGIN IMMEDIATE",
  [STMT_COMMIT] = "COMMIT",
  [STMT_ROLLBACK] = "ROLLBACK",
  [STMT_SAVEPOINT] = "SAVEPOINT write",
  [STMT_RELEASE] = "RELEASE write",
  [STMT_ROLLBACK_TO] = "ROLLBACK TO write",
  [STMT_COUNT_USERS] = "SELECT count(*) FROM users",
  [STMT_ADD_USER] = "INSERT INTO users (name, role, key_hash, created_us) "
                    "VALUES (?1, ?2, ?3, ?4)",
  [STMT_USER_BY_KEY] = "SELECT id, name, role, created_us, key_hash "
                       "FROM users WHERE key_hash = ?1",
  [STMT_LIST_USERS] = "SELECT id, name, role, created_us FROM users "
                      "ORDER BY name",
  [STMT_UPSERT_NODE]
  = "INSERT INTO nodes (name, public_host, rtsp_port, rtmp_port, capacity, "
    "dial_in, created_us) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
    "ON CONFLICT (name) DO UPDATE SET public_host = excluded.public_host, "
    "rtsp_port = excluded.rtsp_port, rtmp_port = excluded.rtmp_port, "
    "capacity = excluded.capacity, dial_in = excluded.dial_in",
  [STMT_ADD_NODE]
  = "INSERT INTO nodes (name, public_host, rtsp_port, rtmp_port, capacity, "
    "dial_in, created_us, key_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
  [STMT_NODE_BY_NAME] = NODE_COLUMNS "WHERE name = ?1",
  [STMT_NODE_BY_KEY] = NODE_COLUMNS "WHERE key_hash = ?1",
  [STMT_LIST_NODES] = NODE_COLUMNS "ORDER BY name",
  [STMT_STREAM_CONFLICT]
  = "SELECT start_us, end_us FROM reservations WHERE stream = ?1 AND "
    "state = 'booked' AND start_us > ?2 - " LONGEST_ANYWHERE
    " AND start_us < ?3 AND end_us > ?2 LIMIT 1",
  [STMT_NODE_INTERVALS]
  = "SELECT start_us, end_us FROM reservations WHERE node_id = ?1 AND "
    "state = 'booked' AND " OVERLAPS,
  [STMT_INSERT_RESERVATION]
  = "INSERT INTO reservations (id, owner_id, node_id, stream, start_us, "
    "end_us, visibility, publish_hash, publish_sealed, view_hash, "
    "view_sealed, created_us) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
  [STMT_GET_RESERVATION] = RESERVATION_COLUMNS "WHERE r.id = ?1",
  [STMT_LIST_RESERVATIONS] = RESERVATION_COLUMNS
  "WHERE r.start_us > ?2 - " LONGEST_ANYWHERE " AND r.start_us < ?3 "
  "AND r.end_us > ?2 AND (?1 = 0 OR r.owner_id = ?1) AND (?5 OR r.state = "
  "'booked') "
  "ORDER BY r.start_us, r.id LIMIT ?6",
  [STMT_SECRETS] = "SELECT publish_sealed, view_sealed FROM reservations "
                   "WHERE id = ?1",
  [STMT_CANCEL] = "UPDATE reservations SET state = 'cancelled', "
                  "cancelled_us = ?2 WHERE id = ?1 AND state = 'booked'",
  [STMT_BY_PUBLISH_HASH] = RESERVATION_COLUMNS "WHERE r.publish_hash = ?1",
  [STMT_GROW_LONGEST] = "UPDATE nodes SET longest_us = ?2 "
                        "WHERE id = ?1 AND longest_us < ?2",
  [STMT_BY_VIEW_HASH] = RESERVATION_COLUMNS "WHERE r.view_hash = ?1",
  [STMT_NEXT_BOOKED] = RESERVATION_COLUMNS
  "WHERE r.stream = ?1 AND n.name = ?2 AND r.state = 'booked' "
  "AND r.start_us > ?3 - " LONGEST_ANYWHERE " AND r.end_us > ?3 "
  "ORDER BY r.start_us LIMIT 1",
  [STMT_SET_PASSWORD] = "UPDATE users SET password_hash = ?2 WHERE name = ?1",
  [STMT_PASSWORD_BY_NAME] = "SELECT id, name, role, created_us, password_hash "
                            "FROM users WHERE name = ?1",
  [STMT_ADD_SESSION] = "INSERT INTO sessions (token_hash, user_id, "
                       "created_us, expires_us) VALUES (?1, ?2, ?3, ?4)",
  [STMT_USER_BY_SESSION]
  = "SELECT u.id, u.name, u.role, u.created_us, s.token_hash, s.expires_us "
    "FROM sessions s JOIN users u ON u.id = s.user_id "
    "WHERE s.token_hash = ?1 AND s.expires_us > ?2",
  [STMT_DELETE_SESSION] = "DELETE FROM sessions WHERE token_hash = ?1",
  [STMT_PURGE_SESSIONS] = "DELETE FROM sessions WHERE expires_us <= ?1",
  /* ?3, the time of making, is not kept for links. */
  [STMT_ADD_TICKET_LINK] = "INSERT INTO ticket_links (token_hash, "
                           "reservation_id, expires_us) VALUES (?1, ?2, ?4)",
  [STMT_PURGE_TICKET_LINKS] = "DELETE FROM ticket_links WHERE expires_us <= ?1",
  [STMT_TAKE_TICKET_LINK]
  = "DELETE FROM ticket_links WHERE token_hash = ?1 AND expires_us > ?2 "
    "RETURNING reservation_id",
  [STMT_OWNER_OPEN]
  = "SELECT count(*), coalesce(sum(end_us - max(start_us, ?2)), 0) "
    "FROM reservations WHERE owner_id = ?1 AND start_us > ?2 - ?3 "
    "AND end_us > ?2 AND state = 'booked'",
  [STMT_FEED_CURSOR] = "SELECT last FROM change_seq",
  /* A node's booked reservations that have not ended, by (start, id) from
   * after (?3, ?4): the node window index bounds the scan as for overlaps. */
  [STMT_FEED_SNAPSHOT] = FEED_COLUMNS
  "WHERE r.node_id = ?1 AND r.state = 'booked' AND r.start_us > ?2 - "
  "(SELECT longest_us FROM nodes WHERE id = ?1) AND r.end_us > ?2 "
  "AND (r.start_us, r.id) > (?3, ?4) ORDER BY r.start_us, r.id LIMIT ?5",
  [STMT_FEED_CHANGES]
  = FEED_COLUMNS "WHERE r.node_id = ?1 AND r.seq > ?2 ORDER BY r.seq LIMIT ?3",
  [STMT_DELETE_USER_SESSIONS] = "DELETE FROM sessions WHERE user_id = "
                                "(SELECT id FROM users WHERE name = ?1)",
};

struct _ScDb
{
  GObject parent_instance;

  sqlite3 *handle;
  sqlite3_stmt *stmts[N_STMTS];
  int schema_version;
  gboolean in_batch; /* a group transaction is open */
};

G_DEFINE_FINAL_TYPE (ScDb, sc_db, G_TYPE_OBJECT)

/* A statement in use: reset and unbound when the variable leaves scope. */
void
sc_db_stmt_release (ScStmtLease *stmt)
{
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
}

gboolean
sc_db_sqlite_error (ScDb *self, GError **error, const char *what)
{
  g_set_error (error, SC_DB_ERROR, SC_DB_ERROR_SQLITE, "%s: %s", what,
               sqlite3_errmsg (self->handle));
  return FALSE;
}

ScStmtLease *
sc_db_stmt_lease (ScDb *self, ScDbStmt which, GError **error)
{
  if (self->stmts[which] == NULL
      && sqlite3_prepare_v3 (self->handle, sql[which], -1,
                             SQLITE_PREPARE_PERSISTENT, &self->stmts[which],
                             NULL)
             != SQLITE_OK)
    {
      sc_db_sqlite_error (self, error, "Cannot prepare a statement");
      return NULL;
    }
  return self->stmts[which];
}

/* Runs a statement that returns no rows. */
gboolean
sc_db_stmt_exec (ScDb *self, ScStmtLease *stmt, GError **error)
{
  int rc = sqlite3_step (stmt);

  if (rc != SQLITE_DONE)
    return sc_db_sqlite_error (self, error, "Database statement failed");
  return TRUE;
}

static gboolean
exec_simple (ScDb *self, ScDbStmt which, GError **error)
{
  g_autoptr (ScStmtLease) stmt = sc_db_stmt_lease (self, which, error);

  return stmt != NULL && sc_db_stmt_exec (self, stmt, error);
}

/* One write: its own BEGIN IMMEDIATE … COMMIT, or, inside a group
 * transaction, a savepoint that a failure rolls back alone. */
gboolean
sc_db_write_begin (ScDb *self, GError **error)
{
  return exec_simple (
      self, self->in_batch ? STMT_SAVEPOINT : STMT_BEGIN_IMMEDIATE, error);
}

gboolean
sc_db_write_end (ScDb *self, gboolean ok, GError **error)
{
  if (self->in_batch)
    {
      if (!ok)
        exec_simple (self, STMT_ROLLBACK_TO, NULL);
      return exec_simple (self, STMT_RELEASE, ok ? error : NULL) && ok;
    }
  if (ok && exec_simple (self, STMT_COMMIT, error))
    return TRUE;
  if (!sqlite3_get_autocommit (self->handle))
    exec_simple (self, STMT_ROLLBACK, NULL);
  return FALSE;
}

/**
 * sc_db_batch_begin:
 *
 * Opens a group transaction (group commit): until sc_db_batch_commit(),
 * every write joins it as a savepoint. The caller must not report a write
 * as done before the group commits. Does nothing if one is open already.
 */
gboolean
sc_db_batch_begin (ScDb *self, GError **error)
{
  g_return_val_if_fail (SC_IS_DB (self), FALSE);

  if (self->in_batch)
    return TRUE;
  if (!exec_simple (self, STMT_BEGIN_IMMEDIATE, error))
    return FALSE;
  self->in_batch = TRUE;
  return TRUE;
}

/**
 * sc_db_batch_commit:
 *
 * Commits the group transaction. On failure it is rolled back: none of its
 * writes happened.
 */
gboolean
sc_db_batch_commit (ScDb *self, GError **error)
{
  g_return_val_if_fail (SC_IS_DB (self), FALSE);

  if (!self->in_batch)
    return TRUE;
  self->in_batch = FALSE;
  if (exec_simple (self, STMT_COMMIT, error))
    return TRUE;
  if (!sqlite3_get_autocommit (self->handle))
    exec_simple (self, STMT_ROLLBACK, NULL);
  return FALSE;
}

gboolean
sc_db_in_batch (ScDb *self)
{
  return self->in_batch;
}

char *
sc_db_column_dup (sqlite3_stmt *stmt, int col)
{
  const unsigned char *text = sqlite3_column_text (stmt, col);

  return text != NULL ? g_strdup ((const char *)text) : NULL;
}

static void
sc_db_finalize (GObject *object)
{
  ScDb *self = SC_DB (object);

  for (int i = 0; i < N_STMTS; i++)
    sqlite3_finalize (self->stmts[i]);
  /* Closing the last connection checkpoints the WAL into the database. */
  if (self->handle != NULL && sqlite3_close (self->handle) != SQLITE_OK)
    g_warning ("Database did not close cleanly: %s",
               sqlite3_errmsg (self->handle));
  G_OBJECT_CLASS (sc_db_parent_class)->finalize (object);
}

static void
sc_db_class_init (ScDbClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sc_db_finalize;
}

static void
sc_db_init (ScDb *self)
{
}

static gboolean
exec_script (ScDb *self, const char *script, GError **error)
{
  char *message = NULL;

  if (sqlite3_exec (self->handle, script, NULL, NULL, &message) != SQLITE_OK)
    {
      g_set_error (error, SC_DB_ERROR, SC_DB_ERROR_SQLITE, "%s", message);
      sqlite3_free (message);
      return FALSE;
    }
  return TRUE;
}

static int
read_user_version (ScDb *self)
{
  sqlite3_stmt *stmt = NULL;
  int version = -1;

  if (sqlite3_prepare_v2 (self->handle, "PRAGMA user_version", -1, &stmt, NULL)
          == SQLITE_OK
      && sqlite3_step (stmt) == SQLITE_ROW)
    version = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  return version;
}

/* Migration N takes the database from version N to N + 1; migration 0 is
 * the schema itself. */
static const char *const migrations[SCHEMA_VERSION] = {
  "/org/slotcast/data/schema.sql",
  "/org/slotcast/data/migrate-2-sessions.sql",
  "/org/slotcast/data/migrate-3-changes.sql",
};

static gboolean
migrate (ScDb *self, GError **error)
{
  int version;

  if (!exec_script (self, "BEGIN IMMEDIATE", error))
    return FALSE;
  version = read_user_version (self);
  if (version < 0 || version > SCHEMA_VERSION)
    {
      exec_script (self, "ROLLBACK", NULL);
      g_set_error (error, SC_DB_ERROR, SC_DB_ERROR_SCHEMA,
                   "Database schema version %d is not one this Slotcast "
                   "knows (it knows up to %d)",
                   version, SCHEMA_VERSION);
      return FALSE;
    }
  for (int v = version; v < SCHEMA_VERSION; v++)
    {
      g_autoptr (GBytes) script
          = g_resource_lookup_data (sc_get_resource (), migrations[v],
                                    G_RESOURCE_LOOKUP_FLAGS_NONE, error);
      g_autofree char *set_version
          = g_strdup_printf ("PRAGMA user_version = %d", v + 1);

      if (script == NULL
          || !exec_script (self, g_bytes_get_data (script, NULL), error)
          || !exec_script (self, set_version, error))
        {
          exec_script (self, "ROLLBACK", NULL);
          g_prefix_error (error,
                          "Migrating the database to version %d: ", v + 1);
          return FALSE;
        }
    }
  self->schema_version = SCHEMA_VERSION;
  return exec_script (self, "COMMIT", error);
}

/**
 * sc_db_open:
 * @path: a database file (made if missing), or ":memory:"
 *
 * Returns: (transfer full) (nullable): the database, migrated to the
 *   current schema
 */
ScDb *
sc_db_open (const char *path, ScSynchronous synchronous, GError **error)
{
  g_autoptr (ScDb) self = g_object_new (SC_TYPE_DB, NULL);
  /* WAL; a 64 MiB page cache and memory-mapped reads, so index pages stay
   * hot with 100,000s of reservations; checkpoints every 32 MiB of WAL
   * instead of every 4 MiB, since each one costs an fsync. */
  g_autofree char *pragmas = g_strdup_printf (
      "PRAGMA journal_mode = WAL; PRAGMA synchronous = %s; "
      "PRAGMA foreign_keys = ON; PRAGMA cache_size = -65536; "
      "PRAGMA mmap_size = 268435456; PRAGMA wal_autocheckpoint = 8192; "
      "PRAGMA journal_size_limit = 67108864;",
      synchronous == SC_SYNCHRONOUS_FULL ? "FULL" : "NORMAL");

  if (sqlite3_open_v2 (path, &self->handle,
                       SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
                           | SQLITE_OPEN_NOMUTEX,
                       NULL)
      != SQLITE_OK)
    {
      g_set_error (
          error, SC_DB_ERROR, SC_DB_ERROR_SQLITE, "Cannot open database %s: %s",
          path, self->handle ? sqlite3_errmsg (self->handle) : "out of memory");
      return NULL;
    }
  sqlite3_busy_timeout (self->handle, BUSY_TIMEOUT_MS);
  sqlite3_extended_result_codes (self->handle, 1);
  if (!exec_script (self, pragmas, error) || !migrate (self, error))
    {
      g_prefix_error (error, "%s: ", path);
      return NULL;
    }
  return g_steal_pointer (&self);
}

int
sc_db_get_schema_version (ScDb *self)
{
  return self->schema_version;
}

/**
 * sc_db_check_integrity:
 *
 * Runs `PRAGMA integrity_check` and the foreign key check.
 */
gboolean
sc_db_check_integrity (ScDb *self, GError **error)
{
  sqlite3_stmt *stmt = NULL;
  g_autofree char *result = NULL;
  gboolean fk_ok;

  if (sqlite3_prepare_v2 (self->handle, "PRAGMA integrity_check", -1, &stmt,
                          NULL)
          != SQLITE_OK
      || sqlite3_step (stmt) != SQLITE_ROW)
    {
      sqlite3_finalize (stmt);
      return sc_db_sqlite_error (self, error, "integrity_check");
    }
  result = sc_db_column_dup (stmt, 0);
  sqlite3_finalize (stmt);
  if (sqlite3_prepare_v2 (self->handle, "PRAGMA foreign_key_check", -1, &stmt,
                          NULL)
      != SQLITE_OK)
    return sc_db_sqlite_error (self, error, "foreign_key_check");
  fk_ok = sqlite3_step (stmt) == SQLITE_DONE;
  sqlite3_finalize (stmt);
  if (g_strcmp0 (result, "ok") != 0 || !fk_ok)
    {
      g_set_error (error, SC_DB_ERROR, SC_DB_ERROR_SCHEMA,
                   "Database check failed: %s%s", result,
                   fk_ok ? "" : ", foreign keys broken");
      return FALSE;
    }
  return TRUE;
}

gboolean
sc_db_is_constraint (ScDb *self)
{
  return (sqlite3_errcode (self->handle) & 0xff) == SQLITE_CONSTRAINT;
}

/* ---- nodes ------------------------------------------------------------ */

static void
bind_node (sqlite3_stmt *stmt, const ScNode *node)
{
  sqlite3_bind_text (stmt, 1, node->name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, node->public_host, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 3, node->rtsp_port);
  sqlite3_bind_int (stmt, 4, node->rtmp_port);
  sqlite3_bind_int (stmt, 5, node->capacity);
  if (node->dial_in != NULL && node->dial_in[0] != '\0')
    sqlite3_bind_text (stmt, 6, node->dial_in, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 7, g_get_real_time ());
}

static ScNode *
read_node (sqlite3_stmt *stmt)
{
  ScNode *node = g_new0 (ScNode, 1);

  node->id = sqlite3_column_int64 (stmt, 0);
  node->name = sc_db_column_dup (stmt, 1);
  node->public_host = sc_db_column_dup (stmt, 2);
  node->rtsp_port = sqlite3_column_int (stmt, 3);
  node->rtmp_port = sqlite3_column_int (stmt, 4);
  node->capacity = sqlite3_column_int (stmt, 5);
  node->dial_in = sc_db_column_dup (stmt, 6);
  node->created_us = sqlite3_column_int64 (stmt, 7);
  node->longest_us = sqlite3_column_int64 (stmt, 8);
  return node;
}

/**
 * sc_db_upsert_node:
 *
 * Creates the node @node->name or updates its host, ports, capacity and
 * dial-in; its key, if any, stays.
 */
gboolean
sc_db_upsert_node (ScDb *self, const ScNode *node, GError **error)
{
  g_autoptr (ScStmtLease) stmt = NULL;

  if (!sc_user_name_valid (node->name))
    {
      g_set_error (error, SC_DB_ERROR, SC_DB_ERROR_INVALID,
                   "Node name \"%s\" is not 1 to 64 of A-Z a-z 0-9 . _ -",
                   node->name);
      return FALSE;
    }
  stmt = sc_db_stmt_lease (self, STMT_UPSERT_NODE, error);
  if (stmt == NULL)
    return FALSE;
  bind_node (stmt, node);
  return sc_db_stmt_exec (self, stmt, error);
}

/**
 * sc_db_add_node:
 *
 * Adds a node that runs apart and authorises with a node key.
 *
 * Returns: (transfer full) (nullable): the node key, shown once
 */
char *
sc_db_add_node (ScDb *self, const ScNode *node, GError **error)
{
  guint8 hash[SC_TOKEN_HASH_LEN];
  g_autofree char *key = NULL;
  g_autoptr (ScStmtLease) stmt = NULL;

  if (!sc_user_name_valid (node->name))
    {
      g_set_error (error, SC_DB_ERROR, SC_DB_ERROR_INVALID,
                   "Node name \"%s\" is not 1 to 64 of A-Z a-z 0-9 . _ -",
                   node->name);
      return NULL;
    }
  if ((key = sc_token_generate (hash, error)) == NULL)
    return NULL;
  stmt = sc_db_stmt_lease (self, STMT_ADD_NODE, error);
  if (stmt == NULL)
    return NULL;
  bind_node (stmt, node);
  sqlite3_bind_blob (stmt, 8, hash, sizeof hash, SQLITE_STATIC);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      if (sc_db_is_constraint (self))
        g_set_error (error, SC_DB_ERROR, SC_DB_ERROR_EXISTS,
                     "A node named %s exists already", node->name);
      else
        sc_db_sqlite_error (self, error, "Adding a node");
      return NULL;
    }
  return g_steal_pointer (&key);
}

static ScNode *
node_lookup (ScDb *self, ScDbStmt which, const void *key, int key_len,
             GError **error)
{
  g_autoptr (ScStmtLease) stmt = sc_db_stmt_lease (self, which, error);
  int rc;

  if (stmt == NULL)
    return NULL;
  if (key_len < 0)
    sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  else
    sqlite3_bind_blob (stmt, 1, key, key_len, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return read_node (stmt);
  if (rc != SQLITE_DONE)
    sc_db_sqlite_error (self, error, "Looking up a node");
  return NULL;
}

/**
 * sc_db_get_node:
 *
 * Returns: (transfer full) (nullable): the node named @name; %NULL without
 *   @error set when there is none
 */
ScNode *
sc_db_get_node (ScDb *self, const char *name, GError **error)
{
  return node_lookup (self, STMT_NODE_BY_NAME, name, -1, error);
}

/**
 * sc_db_find_node_by_key:
 *
 * Returns: (transfer full) (nullable): the node whose key is @key
 */
ScNode *
sc_db_find_node_by_key (ScDb *self, const char *key, GError **error)
{
  guint8 hash[SC_TOKEN_HASH_LEN];

  if (!sc_token_hash (key, hash))
    return NULL;
  return node_lookup (self, STMT_NODE_BY_KEY, hash, sizeof hash, error);
}

/**
 * sc_db_list_nodes:
 *
 * Returns: (transfer full) (element-type ScNode) (nullable): all nodes
 */
GPtrArray *
sc_db_list_nodes (ScDb *self, GError **error)
{
  g_autoptr (ScStmtLease) stmt
      = sc_db_stmt_lease (self, STMT_LIST_NODES, error);
  g_autoptr (GPtrArray) nodes = NULL;
  int rc;

  if (stmt == NULL)
    return NULL;
  nodes = g_ptr_array_new_with_free_func ((GDestroyNotify)sc_node_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (nodes, read_node (stmt));
  if (rc != SQLITE_DONE)
    {
      sc_db_sqlite_error (self, error, "Listing nodes");
      return NULL;
    }
  return g_steal_pointer (&nodes);
}

/* ---- reservations ----------------------------------------------------- */

static void
bind_window (sqlite3_stmt *stmt, gint64 start_us, gint64 end_us)
{
  sqlite3_bind_int64 (stmt, 2, start_us);
  sqlite3_bind_int64 (stmt, 3, end_us);
}

static ScReservation *
read_reservation (sqlite3_stmt *stmt)
{
  ScReservation *r = g_new0 (ScReservation, 1);

  r->id = sc_db_column_dup (stmt, 0);
  r->owner_id = sqlite3_column_int64 (stmt, 1);
  r->owner = sc_db_column_dup (stmt, 2);
  r->node_id = sqlite3_column_int64 (stmt, 3);
  r->node = sc_db_column_dup (stmt, 4);
  r->stream = sc_db_column_dup (stmt, 5);
  r->start_us = sqlite3_column_int64 (stmt, 6);
  r->end_us = sqlite3_column_int64 (stmt, 7);
  sc_visibility_from_string ((const char *)sqlite3_column_text (stmt, 8),
                             &r->visibility);
  r->state
      = g_strcmp0 ((const char *)sqlite3_column_text (stmt, 9), "cancelled")
                == 0
            ? SC_RESERVATION_CANCELLED
            : SC_RESERVATION_BOOKED;
  r->created_us = sqlite3_column_int64 (stmt, 10);
  r->cancelled_us = sqlite3_column_int64 (stmt, 11);
  return r;
}

/**
 * sc_db_next_booked:
 *
 * Returns: (transfer full) (nullable): the booked reservation of @stream on
 *   @node that is open at @now_us or, if none, the next one to open; %NULL
 *   without @error set when there is none
 */
ScReservation *
sc_db_next_booked (ScDb *self, const char *stream, const char *node,
                   gint64 now_us, GError **error)
{
  g_autoptr (ScStmtLease) stmt
      = sc_db_stmt_lease (self, STMT_NEXT_BOOKED, error);
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, stream, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, node, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, now_us);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return read_reservation (stmt);
  if (rc != SQLITE_DONE)
    sc_db_sqlite_error (self, error, "Looking up a stream's schedule");
  return NULL;
}

/**
 * sc_db_booked_intervals:
 *
 * Returns: (transfer full) (element-type ScInterval) (nullable): the windows
 *   of the booked reservations on @node that overlap
 *   `[from_us, to_us)`
 */
GArray *
sc_db_booked_intervals (ScDb *self, const ScNode *node, gint64 from_us,
                        gint64 to_us, GError **error)
{
  g_autoptr (ScStmtLease) stmt
      = sc_db_stmt_lease (self, STMT_NODE_INTERVALS, error);
  g_autoptr (GArray) out = NULL;
  int rc;

  if (stmt == NULL)
    return NULL;
  out = g_array_new (FALSE, FALSE, sizeof (ScInterval));
  sqlite3_bind_int64 (stmt, 1, node->id);
  bind_window (stmt, from_us, to_us);
  sqlite3_bind_int64 (stmt, 4, from_us - node->longest_us);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ScInterval iv
          = { sqlite3_column_int64 (stmt, 0), sqlite3_column_int64 (stmt, 1) };
      g_array_append_val (out, iv);
    }
  if (rc != SQLITE_DONE)
    {
      sc_db_sqlite_error (self, error, "Reading a node's bookings");
      return NULL;
    }
  return g_steal_pointer (&out);
}

/* Free places on @node over the window, or -1 on error. */
static int
node_free_places (ScDb *self, const ScNode *node, gint64 start_us,
                  gint64 end_us, GError **error)
{
  g_autoptr (GArray) booked
      = sc_db_booked_intervals (self, node, start_us, end_us, error);

  if (booked == NULL)
    return -1;
  return node->capacity
         - sc_booking_max_overlap ((ScInterval *)booked->data, booked->len,
                                   start_us, end_us);
}

static gboolean
check_stream_free (ScDb *self, const ScBookRequest *request, GError **error)
{
  g_autoptr (ScStmtLease) stmt
      = sc_db_stmt_lease (self, STMT_STREAM_CONFLICT, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, request->stream, -1, SQLITE_STATIC);
  bind_window (stmt, request->start_us, request->end_us);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      g_autofree char *s = sc_time_format_us (sqlite3_column_int64 (stmt, 0));
      g_autofree char *e = sc_time_format_us (sqlite3_column_int64 (stmt, 1));

      g_set_error (error, SC_BOOKING_ERROR, SC_BOOKING_ERROR_STREAM_TAKEN,
                   "Stream %s is already booked from %s to %s", request->stream,
                   s, e);
      return FALSE;
    }
  if (rc != SQLITE_DONE)
    return sc_db_sqlite_error (self, error, "Checking the stream name");
  return TRUE;
}

/* The owner's quota: how many reservations it has that have not ended,
 * and how much of their time is still to come. */
static gboolean
check_quota (ScDb *self, const ScBookRequest *request, gint64 now_us,
             GError **error)
{
  g_autoptr (ScStmtLease) stmt = NULL;
  gint64 open, booked_us;

  if (request->max_open <= 0 && request->max_booked_us <= 0)
    return TRUE;
  if ((stmt = sc_db_stmt_lease (self, STMT_OWNER_OPEN, error)) == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, request->owner_id);
  sqlite3_bind_int64 (stmt, 2, now_us);
  sqlite3_bind_int64 (stmt, 3, request->longest_us);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return sc_db_sqlite_error (self, error, "Checking the quota");
  open = sqlite3_column_int64 (stmt, 0);
  booked_us = sqlite3_column_int64 (stmt, 1);
  if (request->max_open > 0 && open >= request->max_open)
    {
      g_set_error (error, SC_BOOKING_ERROR, SC_BOOKING_ERROR_QUOTA,
                   "Already %" G_GINT64_FORMAT " reservations to come (at most "
                   "%d)",
                   open, request->max_open);
      return FALSE;
    }
  if (request->max_booked_us > 0
      && booked_us + (request->end_us - MAX (request->start_us, now_us))
             > request->max_booked_us)
    {
      g_autofree char *max = sc_duration_describe (request->max_booked_us);

      g_set_error (error, SC_BOOKING_ERROR, SC_BOOKING_ERROR_QUOTA,
                   "This would book more than %s of time to come", max);
      return FALSE;
    }
  return TRUE;
}

/* The node to book on: the one named, if it has a free place, or the one
 * with the most free places (ties: first by name). */
static ScNode *
choose_node (ScDb *self, const ScBookRequest *request, GError **error)
{
  g_autoptr (GPtrArray) nodes = NULL;
  guint best = 0;
  int best_free = 0;

  if (request->node != NULL)
    {
      g_autoptr (ScNode) node = sc_db_get_node (self, request->node, error);
      int free;

      if (node == NULL)
        {
          if (error == NULL || *error == NULL)
            g_set_error (error, SC_BOOKING_ERROR, SC_BOOKING_ERROR_UNKNOWN_NODE,
                         "node: there is no node named %s", request->node);
          return NULL;
        }
      free = node_free_places (self, node, request->start_us, request->end_us,
                               error);
      if (free < 0 && (error == NULL || *error != NULL))
        return NULL;
      if (free <= 0)
        {
          g_set_error (error, SC_BOOKING_ERROR, SC_BOOKING_ERROR_NO_CAPACITY,
                       "Node %s is full in this window (capacity %d)",
                       node->name, node->capacity);
          return NULL;
        }
      return g_steal_pointer (&node);
    }

  nodes = sc_db_list_nodes (self, error);
  if (nodes == NULL)
    return NULL;
  for (guint i = 0; i < nodes->len; i++)
    {
      g_autoptr (GError) local_error = NULL;
      int free
          = node_free_places (self, g_ptr_array_index (nodes, i),
                              request->start_us, request->end_us, &local_error);

      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      if (free > best_free)
        {
          best = i;
          best_free = free;
        }
    }
  if (best_free <= 0)
    {
      g_set_error_literal (error, SC_BOOKING_ERROR,
                           SC_BOOKING_ERROR_NO_CAPACITY,
                           "No node has a free place in this window");
      return NULL;
    }
  return g_ptr_array_steal_index (nodes, best);
}

static GBytes *
seal_token (ScSealer *sealer, const char *id, const char *purpose,
            const char *token, GError **error)
{
  g_autofree char *aad = g_strconcat (id, "/", purpose, NULL);

  return sc_sealer_seal (sealer, token, aad, error);
}

static ScReservation *
book_locked (ScDb *self, ScSealer *sealer, const ScBookRequest *request,
             gint64 now_us, ScTicketSecrets **out_secrets, ScNode **out_node,
             GError **error)
{
  g_autoptr (ScNode) node = NULL;
  g_autoptr (ScTicketSecrets) secrets = g_new0 (ScTicketSecrets, 1);
  g_autofree char *id = sc_uuid_v7_new (now_us, error);
  guint8 publish_hash[SC_TOKEN_HASH_LEN], view_hash[SC_TOKEN_HASH_LEN];
  g_autoptr (GBytes) publish_sealed = NULL;
  g_autoptr (GBytes) view_sealed = NULL;
  g_autoptr (ScStmtLease) stmt = NULL;
  gboolean private = request->visibility == SC_VISIBILITY_PRIVATE;

  if (id == NULL || !check_quota (self, request, now_us, error)
      || !check_stream_free (self, request, error))
    return NULL;
  if ((node = choose_node (self, request, error)) == NULL)
    return NULL;

  secrets->publish_token = sc_token_generate (publish_hash, error);
  if (secrets->publish_token == NULL)
    return NULL;
  publish_sealed
      = seal_token (sealer, id, "publish", secrets->publish_token, error);
  if (publish_sealed == NULL)
    return NULL;
  if (private)
    {
      secrets->view_token = sc_token_generate (view_hash, error);
      if (secrets->view_token == NULL)
        return NULL;
      view_sealed = seal_token (sealer, id, "view", secrets->view_token, error);
      if (view_sealed == NULL)
        return NULL;
    }

  stmt = sc_db_stmt_lease (self, STMT_INSERT_RESERVATION, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, request->owner_id);
  sqlite3_bind_int64 (stmt, 3, node->id);
  sqlite3_bind_text (stmt, 4, request->stream, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 5, request->start_us);
  sqlite3_bind_int64 (stmt, 6, request->end_us);
  sqlite3_bind_text (stmt, 7, sc_visibility_to_string (request->visibility), -1,
                     SQLITE_STATIC);
  sqlite3_bind_blob (stmt, 8, publish_hash, sizeof publish_hash, SQLITE_STATIC);
  sqlite3_bind_blob (stmt, 9, g_bytes_get_data (publish_sealed, NULL),
                     g_bytes_get_size (publish_sealed), SQLITE_STATIC);
  if (private)
    {
      sqlite3_bind_blob (stmt, 10, view_hash, sizeof view_hash, SQLITE_STATIC);
      sqlite3_bind_blob (stmt, 11, g_bytes_get_data (view_sealed, NULL),
                         g_bytes_get_size (view_sealed), SQLITE_STATIC);
    }
  sqlite3_bind_int64 (stmt, 12, now_us);
  if (!sc_db_stmt_exec (self, stmt, error))
    return NULL;
  if (request->end_us - request->start_us > node->longest_us)
    {
      g_autoptr (ScStmtLease) grow
          = sc_db_stmt_lease (self, STMT_GROW_LONGEST, error);

      if (grow == NULL)
        return NULL;
      sqlite3_bind_int64 (grow, 1, node->id);
      sqlite3_bind_int64 (grow, 2, request->end_us - request->start_us);
      if (!sc_db_stmt_exec (self, grow, error))
        return NULL;
      node->longest_us = request->end_us - request->start_us;
    }

  if (out_secrets != NULL)
    *out_secrets = g_steal_pointer (&secrets);
  if (out_node != NULL)
    *out_node = sc_node_copy (node);
  {
    ScReservation *r = g_new0 (ScReservation, 1);

    r->id = g_steal_pointer (&id);
    r->owner_id = request->owner_id;
    r->node_id = node->id;
    r->node = g_strdup (node->name);
    r->stream = g_strdup (request->stream);
    r->start_us = request->start_us;
    r->end_us = request->end_us;
    r->visibility = request->visibility;
    r->state = SC_RESERVATION_BOOKED;
    r->created_us = now_us;
    return r;
  }
}

/**
 * sc_db_book:
 * @sealer: seals the new tokens so the ticket can be handed out again
 * @out_secrets: (out) (optional) (transfer full): the new tokens
 * @out_node: (out) (optional) (transfer full): the node booked on
 *
 * Books @request in one BEGIN IMMEDIATE transaction: the stream name must
 * be free over the window, and the node (named, or the one with the most
 * free places) must have a place free at every instant of it.
 *
 * Returns: (transfer full) (nullable): the reservation (its owner name is
 *   not filled in), or %NULL with a #SC_BOOKING_ERROR (conflicts) or
 *   #SC_DB_ERROR
 */
ScReservation *
sc_db_book (ScDb *self, ScSealer *sealer, const ScBookRequest *request,
            gint64 now_us, ScTicketSecrets **out_secrets, ScNode **out_node,
            GError **error)
{
  ScReservation *r;

  g_return_val_if_fail (SC_IS_DB (self), NULL);
  g_return_val_if_fail (SC_IS_SEALER (sealer), NULL);

  if (!sc_db_write_begin (self, error))
    return NULL;
  r = book_locked (self, sealer, request, now_us, out_secrets, out_node, error);
  if (!sc_db_write_end (self, r != NULL, r != NULL ? error : NULL))
    {
      if (r != NULL && out_secrets != NULL)
        g_clear_pointer (out_secrets, sc_ticket_secrets_free);
      if (r != NULL && out_node != NULL)
        g_clear_pointer (out_node, sc_node_free);
      g_clear_pointer (&r, sc_reservation_free);
    }
  return r;
}

static void
set_not_found (GError **error, const char *id)
{
  g_set_error (error, SC_BOOKING_ERROR, SC_BOOKING_ERROR_NOT_FOUND,
               "No reservation %s", id);
}

/**
 * sc_db_get_reservation:
 *
 * Returns: (transfer full) (nullable): the reservation, or %NULL with
 *   %SC_BOOKING_ERROR_NOT_FOUND
 */
ScReservation *
sc_db_get_reservation (ScDb *self, const char *id, GError **error)
{
  g_autoptr (ScStmtLease) stmt
      = sc_db_stmt_lease (self, STMT_GET_RESERVATION, error);
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return read_reservation (stmt);
  if (rc == SQLITE_DONE)
    set_not_found (error, id);
  else
    sc_db_sqlite_error (self, error, "Reading a reservation");
  return NULL;
}

/**
 * sc_db_list_reservations:
 * @owner_id: only this owner's, or 0 for everyone's
 *
 * Returns: (transfer full) (element-type ScReservation) (nullable): the
 *   reservations overlapping `[from_us, to_us)`, by start time, at most
 *   @limit of them
 */
GPtrArray *
sc_db_list_reservations (ScDb *self, gint64 owner_id, gint64 from_us,
                         gint64 to_us, gboolean include_cancelled, int limit,
                         GError **error)
{
  g_autoptr (ScStmtLease) stmt
      = sc_db_stmt_lease (self, STMT_LIST_RESERVATIONS, error);
  g_autoptr (GPtrArray) out = NULL;
  int rc;

  if (stmt == NULL)
    return NULL;
  out = g_ptr_array_new_with_free_func ((GDestroyNotify)sc_reservation_free);
  sqlite3_bind_int64 (stmt, 1, owner_id);
  bind_window (stmt, from_us, to_us);
  sqlite3_bind_int (stmt, 5, include_cancelled);
  sqlite3_bind_int (stmt, 6, limit);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (out, read_reservation (stmt));
  if (rc != SQLITE_DONE)
    {
      sc_db_sqlite_error (self, error, "Listing reservations");
      return NULL;
    }
  return g_steal_pointer (&out);
}

static char *
open_column (ScDb *self, ScSealer *sealer, sqlite3_stmt *stmt, int col,
             const char *id, const char *purpose, GError **error)
{
  g_autofree char *aad = g_strconcat (id, "/", purpose, NULL);

  if (sqlite3_column_type (stmt, col) == SQLITE_NULL)
    return NULL;
  return sc_sealer_open (sealer, sqlite3_column_blob (stmt, col),
                         sqlite3_column_bytes (stmt, col), aad, error);
}

/**
 * sc_db_open_secrets:
 *
 * Returns: (transfer full) (nullable): the tokens of reservation @id, for
 *   its ticket
 */
ScTicketSecrets *
sc_db_open_secrets (ScDb *self, ScSealer *sealer, const char *id,
                    GError **error)
{
  g_autoptr (ScStmtLease) stmt = sc_db_stmt_lease (self, STMT_SECRETS, error);
  g_autoptr (ScTicketSecrets) secrets = NULL;
  g_autoptr (GError) local_error = NULL;
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      if (rc == SQLITE_DONE)
        set_not_found (error, id);
      else
        sc_db_sqlite_error (self, error, "Reading a reservation's secrets");
      return NULL;
    }
  secrets = g_new0 (ScTicketSecrets, 1);
  secrets->publish_token
      = open_column (self, sealer, stmt, 0, id, "publish", error);
  if (secrets->publish_token == NULL)
    return NULL;
  secrets->view_token
      = open_column (self, sealer, stmt, 1, id, "view", &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  return g_steal_pointer (&secrets);
}

/**
 * sc_db_cancel:
 *
 * Cancels reservation @id: its tokens stop working at once.
 *
 * Returns: (transfer full) (nullable): the cancelled reservation, or %NULL
 *   with %SC_BOOKING_ERROR_NOT_FOUND or %SC_BOOKING_ERROR_CANCELLED
 */
ScReservation *
sc_db_cancel (ScDb *self, const char *id, gint64 now_us, GError **error)
{
  g_autoptr (ScReservation) r = NULL;
  gboolean changed;

  if (!sc_db_write_begin (self, error))
    return NULL;
  {
    g_autoptr (ScStmtLease) stmt = sc_db_stmt_lease (self, STMT_CANCEL, error);
    gboolean ok = stmt != NULL;

    if (ok)
      {
        sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
        sqlite3_bind_int64 (stmt, 2, now_us);
        ok = sc_db_stmt_exec (self, stmt, error);
      }
    changed = ok && sqlite3_changes (self->handle) > 0;
    if (!sc_db_write_end (self, ok, ok ? error : NULL))
      return NULL;
  }
  if ((r = sc_db_get_reservation (self, id, error)) == NULL)
    return NULL;
  if (!changed)
    {
      g_set_error (error, SC_BOOKING_ERROR, SC_BOOKING_ERROR_CANCELLED,
                   "Reservation %s was already cancelled", id);
      return NULL;
    }
  return g_steal_pointer (&r);
}

/**
 * sc_db_find_by_token:
 * @out_is_view: (out) (optional): whether @token is the view token
 *
 * Finds the reservation whose publish or view token is @token. Malformed
 * tokens find nothing.
 *
 * Returns: (transfer full) (nullable): the reservation; %NULL without
 *   @error set when the token is unknown
 */
ScReservation *
sc_db_find_by_token (ScDb *self, const char *token, gboolean *out_is_view,
                     GError **error)
{
  guint8 hash[SC_TOKEN_HASH_LEN];
  const ScDbStmt which[] = { STMT_BY_PUBLISH_HASH, STMT_BY_VIEW_HASH };

  if (!sc_token_hash (token, hash))
    return NULL;
  for (size_t i = 0; i < G_N_ELEMENTS (which); i++)
    {
      g_autoptr (ScStmtLease) stmt = sc_db_stmt_lease (self, which[i], error);
      int rc;

      if (stmt == NULL)
        return NULL;
      sqlite3_bind_blob (stmt, 1, hash, sizeof hash, SQLITE_STATIC);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          if (out_is_view != NULL)
            *out_is_view = i == 1;
          return read_reservation (stmt);
        }
      if (rc != SQLITE_DONE)
        {
          sc_db_sqlite_error (self, error, "Looking up a token");
          return NULL;
        }
    }
  return NULL;
}

/* ---- the nodes' feed -------------------------------------------------- */

/**
 * sc_db_feed_cursor:
 *
 * Returns: the number of the last change to any reservation, 0 if none,
 *   or -1 with @error set. Every change numbered up to it is visible to
 *   the reads that follow.
 */
gint64
sc_db_feed_cursor (ScDb *self, GError **error)
{
  g_autoptr (ScStmtLease) stmt
      = sc_db_stmt_lease (self, STMT_FEED_CURSOR, error);

  if (stmt == NULL)
    return -1;
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      sc_db_sqlite_error (self, error, "Reading the change number");
      return -1;
    }
  return sqlite3_column_int64 (stmt, 0);
}

static gboolean
read_hash (sqlite3_stmt *stmt, int col, guint8 out[SC_TOKEN_HASH_LEN])
{
  if (sqlite3_column_type (stmt, col) != SQLITE_BLOB
      || sqlite3_column_bytes (stmt, col) != SC_TOKEN_HASH_LEN)
    return FALSE;
  memcpy (out, sqlite3_column_blob (stmt, col), SC_TOKEN_HASH_LEN);
  return TRUE;
}

static GPtrArray *
read_entries (ScDb *self, sqlite3_stmt *stmt, GError **error)
{
  g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func (
      (GDestroyNotify)sc_reservation_entry_free);
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ScReservationEntry *e = g_new0 (ScReservationEntry, 1);

      e->reservation = read_reservation (stmt);
      read_hash (stmt, 12, e->publish_hash);
      e->has_view_hash = read_hash (stmt, 13, e->view_hash);
      e->seq = sqlite3_column_int64 (stmt, 14);
      g_ptr_array_add (out, e);
    }
  if (rc != SQLITE_DONE)
    {
      sc_db_sqlite_error (self, error, "Reading a node's reservations");
      return NULL;
    }
  return g_steal_pointer (&out);
}

/**
 * sc_db_feed_snapshot:
 * @after_start_us: with @after_id, where the previous page stopped; 0 and
 *   "" for the first page
 *
 * Returns: (transfer full) (element-type ScReservationEntry) (nullable):
 *   at most @limit booked reservations of node @node_id that have not ended
 *   at @now_us, by start then id
 */
GPtrArray *
sc_db_feed_snapshot (ScDb *self, gint64 node_id, gint64 now_us,
                     gint64 after_start_us, const char *after_id, int limit,
                     GError **error)
{
  g_autoptr (ScStmtLease) stmt
      = sc_db_stmt_lease (self, STMT_FEED_SNAPSHOT, error);

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, node_id);
  sqlite3_bind_int64 (stmt, 2, now_us);
  sqlite3_bind_int64 (stmt, 3, after_start_us);
  sqlite3_bind_text (stmt, 4, after_id, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 5, limit);
  return read_entries (self, stmt, error);
}

/**
 * sc_db_feed_changes:
 *
 * Returns: (transfer full) (element-type ScReservationEntry) (nullable):
 *   at most @limit reservations of node @node_id changed (booked,
 *   cancelled) after change @since, in the order of the changes
 */
GPtrArray *
sc_db_feed_changes (ScDb *self, gint64 node_id, gint64 since, int limit,
                    GError **error)
{
  g_autoptr (ScStmtLease) stmt
      = sc_db_stmt_lease (self, STMT_FEED_CHANGES, error);

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, node_id);
  sqlite3_bind_int64 (stmt, 2, since);
  sqlite3_bind_int (stmt, 3, limit);
  return read_entries (self, stmt, error);
}
