/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Shared by the files of ScDb (sc-db.c, sc-db-users.c) only. */

#include "sc-db.h"

#include <sqlite3.h>

G_BEGIN_DECLS

typedef enum
{
  STMT_BEGIN_IMMEDIATE,
  STMT_COMMIT,
  STMT_ROLLBACK,
  STMT_SAVEPOINT,
  STMT_RELEASE,
  STMT_ROLLBACK_TO,
  STMT_COUNT_USERS,
  STMT_ADD_USER,
  STMT_USER_BY_KEY,
  STMT_LIST_USERS,
  STMT_UPSERT_NODE,
  STMT_ADD_NODE,
  STMT_NODE_BY_NAME,
  STMT_NODE_BY_KEY,
  STMT_LIST_NODES,
  STMT_STREAM_CONFLICT,
  STMT_NODE_INTERVALS,
  STMT_INSERT_RESERVATION,
  STMT_GET_RESERVATION,
  STMT_LIST_RESERVATIONS,
  STMT_SECRETS,
  STMT_CANCEL,
  STMT_BY_PUBLISH_HASH,
  STMT_BY_VIEW_HASH,
  STMT_GROW_LONGEST,
  STMT_NEXT_BOOKED,
  STMT_SET_PASSWORD,
  STMT_PASSWORD_BY_NAME,
  STMT_ADD_SESSION,
  STMT_USER_BY_SESSION,
  STMT_DELETE_SESSION,
  STMT_PURGE_SESSIONS,
  STMT_DELETE_USER_SESSIONS,
  STMT_OWNER_OPEN,
  STMT_ADD_TICKET_LINK,
  STMT_PURGE_TICKET_LINKS,
  STMT_TAKE_TICKET_LINK,
  STMT_FEED_CURSOR,
  STMT_FEED_SNAPSHOT,
  STMT_FEED_CHANGES,
  N_STMTS
} ScDbStmt;

/* A statement in use: reset and unbound when the variable leaves scope. */
typedef sqlite3_stmt ScStmtLease;
void sc_db_stmt_release (ScStmtLease *stmt);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScStmtLease, sc_db_stmt_release)

ScStmtLease *sc_db_stmt_lease (ScDb *self, ScDbStmt which, GError **error);
gboolean sc_db_stmt_exec (ScDb *self, ScStmtLease *stmt, GError **error);
gboolean sc_db_sqlite_error (ScDb *self, GError **error, const char *what);
gboolean sc_db_is_constraint (ScDb *self);
gboolean sc_db_write_begin (ScDb *self, GError **error);
gboolean sc_db_write_end (ScDb *self, gboolean ok, GError **error);
char *sc_db_column_dup (sqlite3_stmt *stmt, int col);

G_END_DECLS
