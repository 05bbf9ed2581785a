/* SPDX-License-Identifier: LGPL-2.1-or-later */

/**
 * ScGroupCommit:
 *
 * Group commit for the booking API's writes: the first write of a
 * main-loop iteration opens a transaction, each write is a savepoint in
 * it, and its response is held (the message paused) until an idle
 * callback commits the group, after every request that was ready has been
 * handled. A response never reports a write that is not committed; under
 * load one commit serves many bookings. After each commit, the function
 * given to sc_group_commit_new() runs before the held responses go (the
 * feed's long polls: a node hears of a booking no later than its booker).
 *
 * Main context only.
 */

#include "config.h"

#include "sc-group-commit.h"

#include "sc-http.h"

struct _ScGroupCommit
{
  ScDb *db;
  GFunc committed; /* nullable */
  gpointer committed_data;
  GPtrArray *awaiting_commit; /* paused SoupServerMessage */
  guint commit_idle_id;
};

/**
 * sc_group_commit_new:
 * @committed: (nullable): called after each successful commit, with
 *   @committed_data
 *
 * Returns: (transfer full): group commit over @db's connection
 */
ScGroupCommit *
sc_group_commit_new (ScDb *db, GFunc committed, gpointer committed_data)
{
  ScGroupCommit *self = g_new0 (ScGroupCommit, 1);

  self->db = g_object_ref (db);
  self->committed = committed;
  self->committed_data = committed_data;
  self->awaiting_commit = g_ptr_array_new_with_free_func (g_object_unref);
  return self;
}

/* Commits the open group and releases the responses it held. */
static void
commit_now (ScGroupCommit *self)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) held = NULL;
  gboolean ok;

  g_clear_handle_id (&self->commit_idle_id, g_source_remove);
  if (!sc_db_in_batch (self->db))
    return;
  ok = sc_db_batch_commit (self->db, &error);
  if (!ok)
    g_warning ("Group commit failed, %u write(s) lost: %s",
               self->awaiting_commit->len, error->message);
  /* The nodes' long polls first: a node hears of a booking no later than
   * its booker gets the ticket. */
  if (ok && self->committed != NULL)
    self->committed (self->committed_data, NULL);
  held = g_steal_pointer (&self->awaiting_commit);
  self->awaiting_commit = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < held->len; i++)
    {
      SoupServerMessage *msg = g_ptr_array_index (held, i);

      if (!ok)
        {
          SoupMessageHeaders *headers
              = soup_server_message_get_response_headers (msg);

          /* Nothing that reported the lost write may go out with the 500. */
          soup_message_headers_remove (headers, "Location");
          soup_message_headers_remove (headers, "Set-Cookie");
          soup_message_headers_remove (headers, "Content-Disposition");
          sc_http_send_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR,
                              "internal", "The write could not be committed");
        }
      soup_server_message_unpause (msg);
    }
}

/**
 * sc_group_commit_now:
 *
 * Commits the open group, if any, and releases the responses it held.
 */
void
sc_group_commit_now (ScGroupCommit *self)
{
  commit_now (self);
}

static gboolean
on_commit_idle (gpointer data)
{
  ScGroupCommit *self = data;

  self->commit_idle_id = 0;
  commit_now (self);
  return G_SOURCE_REMOVE;
}

/**
 * sc_group_commit_begin:
 *
 * Makes sure a group transaction is open for a write of @msg's handler.
 *
 * Returns: %FALSE with 503 sent when the database cannot be written now
 */
gboolean
sc_group_commit_begin (ScGroupCommit *self, SoupServerMessage *msg)
{
  g_autoptr (GError) error = NULL;

  if (sc_db_in_batch (self->db))
    return TRUE;
  if (!sc_db_batch_begin (self->db, &error))
    {
      g_warning ("Cannot start a write: %s", error->message);
      sc_http_send_error (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "busy",
                          "The database is busy; try again");
      return FALSE;
    }
  /* Default-idle priority: runs once no request is ready to be handled. */
  self->commit_idle_id = g_idle_add (on_commit_idle, self);
  return TRUE;
}

/**
 * sc_group_commit_hold:
 *
 * Holds the response already set on @msg until the group transaction its
 * write joined is committed; if the commit fails, the client gets 500.
 */
void
sc_group_commit_hold (ScGroupCommit *self, SoupServerMessage *msg)
{
  g_return_if_fail (sc_db_in_batch (self->db));

  soup_server_message_pause (msg);
  g_ptr_array_add (self->awaiting_commit, g_object_ref (msg));
}

/**
 * sc_group_commit_free:
 *
 * Commits what is open (its held responses go), then frees.
 */
void
sc_group_commit_free (ScGroupCommit *self)
{
  if (self == NULL)
    return;
  commit_now (self);
  g_clear_handle_id (&self->commit_idle_id, g_source_remove);
  g_ptr_array_unref (self->awaiting_commit);
  g_object_unref (self->db);
  g_free (self);
}
