/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * GET /api/v1/ingest/reservations: the reservation feed, from which an
 * ingest node keeps its own copy of its reservations (ScNodeSchedule) and
 * admits without asking, through an outage of this service too.
 *
 * Without `since`, a snapshot: the node's booked reservations that have
 * not ended, 500 a page (`page`: the `next_page` of the previous one), and
 * the change number they were read at. With `since=N`, the changes after
 * N: reservations booked or cancelled since, in order. `wait=S` (at most
 * 20) holds an answer with no change for up to S seconds, until a change
 * is committed: a long poll that ties no thread up (the message is paused;
 * every commit looks again before it releases the responses it held, and a
 * tick each second does for writers in other processes). A cursor this database
 * never gave (another database) is answered 410 `cursor_unknown`: the node
 * takes a snapshot again.
 *
 * Node key only: the node is the key's. The page's format is sc-feed.c's.
 */

#include "config.h"

#include "sc-api-feed.h"

#include "sc-feed.h"
#include "sc-http.h"

#include <string.h>

#define FEED_PATH "/api/v1/ingest/reservations"
#define MAX_WAIT_S 20
/* Long polls held at once; past it, answers go out at once. */
#define MAX_WAITERS 1024

struct _ScApiFeed
{
  ScWebAuth *auth;
  ScGroupCommit *commit;
  ScDb *db;
  ScSettings *settings;
  ScClock *clock;
  GPtrArray *feed_waiters; /* Waiter */
  guint feed_tick_id;
  gboolean stopping; /* answers go out at once */
};

typedef struct
{
  SoupServerMessage *msg;
  ScNode *node;
  gint64 since;
  gint64 deadline_us; /* monotonic */
  gboolean gone;      /* the client went away */
} Waiter;

static void
waiter_free (Waiter *w)
{
  g_signal_handlers_disconnect_by_data (w->msg, w);
  g_object_unref (w->msg);
  sc_node_free (w->node);
  g_free (w);
}

static ScFeedPage *
new_page (ScApiFeed *self, const ScNode *node)
{
  ScFeedPage *page = sc_feed_page_new ();

  page->node = g_strdup (node->name);
  page->admit_early_s = self->settings->admit_early_s;
  page->grace_s = self->settings->grace_s;
  return page;
}

/* The changes of @node after @since; %NULL with @error, or with
 * @out_unknown set when @since is past every change made. */
static ScFeedPage *
read_changes (ScApiFeed *self, const ScNode *node, gint64 since,
              gboolean *out_unknown, GError **error)
{
  g_autoptr (ScFeedPage) page = new_page (self, node);
  g_autoptr (GPtrArray) entries = NULL;
  gint64 current;

  *out_unknown = FALSE;
  /* Read first: every change up to it is visible to the query below. */
  if ((current = sc_db_feed_cursor (self->db, error)) < 0)
    return NULL;
  if (since > current)
    {
      *out_unknown = TRUE;
      return NULL;
    }
  entries
      = sc_db_feed_changes (self->db, node->id, since, SC_FEED_PAGE_MAX, error);
  if (entries == NULL)
    return NULL;
  page->more = entries->len == SC_FEED_PAGE_MAX;
  page->cursor = since;
  if (entries->len > 0)
    page->cursor
        = ((ScReservationEntry *)entries->pdata[entries->len - 1])->seq;
  /* No change of this node up to @current is left out. */
  if (!page->more && current > page->cursor)
    page->cursor = current;
  g_ptr_array_extend_and_steal (page->entries, g_steal_pointer (&entries));
  return g_steal_pointer (&page);
}

static ScFeedPage *
read_snapshot (ScApiFeed *self, const ScNode *node, gint64 cursor,
               gint64 after_start_us, const char *after_id, GError **error)
{
  g_autoptr (ScFeedPage) page = new_page (self, node);
  g_autoptr (GPtrArray) entries = NULL;

  page->snapshot = TRUE;
  if (cursor < 0 && (cursor = sc_db_feed_cursor (self->db, error)) < 0)
    return NULL;
  page->cursor = cursor;
  entries
      = sc_db_feed_snapshot (self->db, node->id, sc_clock_now_us (self->clock),
                             after_start_us, after_id, SC_FEED_PAGE_MAX, error);
  if (entries == NULL)
    return NULL;
  if (entries->len == SC_FEED_PAGE_MAX)
    page->next_page = sc_feed_page_token (
        cursor,
        ((ScReservationEntry *)entries->pdata[entries->len - 1])->reservation);
  g_ptr_array_extend_and_steal (page->entries, g_steal_pointer (&entries));
  return g_steal_pointer (&page);
}

static void
send_page (SoupServerMessage *msg, const ScFeedPage *page)
{
  g_autoptr (JsonNode) root = sc_feed_page_to_json (page);

  sc_http_send_json (msg, SOUP_STATUS_OK, root, NULL);
}

static void
send_unknown_cursor (SoupServerMessage *msg, gint64 since)
{
  sc_http_send_error (msg, SOUP_STATUS_GONE, "cursor_unknown",
                      "No change %" G_GINT64_FORMAT " here: take a snapshot",
                      since);
}

static void
on_waiter_disconnected (SoupServerMessage *msg, gpointer data)
{
  ((Waiter *)data)->gone = TRUE;
}

/* Answers the waiters that have a change or whose time is up (all of them
 * with @all); keeps the others waiting. */
static void
check_waiters (ScApiFeed *self, gboolean all)
{
  g_autoptr (GPtrArray) waiting = g_steal_pointer (&self->feed_waiters);
  gint64 now = g_get_monotonic_time ();

  self->feed_waiters = g_ptr_array_new ();
  if (sc_db_in_batch (self->db))
    {
      /* Uncommitted rows are visible to this connection: look after the
       * commit (which calls again). */
      g_ptr_array_extend_and_steal (self->feed_waiters,
                                    g_steal_pointer (&waiting));
      return;
    }
  for (guint i = 0; i < waiting->len; i++)
    {
      Waiter *w = waiting->pdata[i];
      g_autoptr (ScFeedPage) page = NULL;
      g_autoptr (GError) error = NULL;
      gboolean unknown = FALSE;

      if (w->gone)
        {
          waiter_free (w);
          continue;
        }
      page = read_changes (self, w->node, w->since, &unknown, &error);
      if (page != NULL && page->entries->len == 0 && !all
          && now < w->deadline_us)
        {
          g_ptr_array_add (self->feed_waiters, w);
          continue;
        }
      if (page != NULL)
        send_page (w->msg, page);
      else if (unknown)
        send_unknown_cursor (w->msg, w->since);
      else
        sc_http_send_db_error (w->msg, error);
      soup_server_message_unpause (w->msg);
      waiter_free (w);
    }
  if (self->feed_waiters->len == 0)
    g_clear_handle_id (&self->feed_tick_id, g_source_remove);
}

static gboolean
on_feed_tick (gpointer data)
{
  ScApiFeed *self = data;

  check_waiters (self, FALSE);
  if (self->feed_waiters->len == 0)
    {
      self->feed_tick_id = 0;
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

/**
 * sc_api_feed_wake:
 *
 * Writes were committed: the long polls look again, now.
 */
void
sc_api_feed_wake (ScApiFeed *self)
{
  if (self->feed_waiters->len == 0)
    return;
  check_waiters (self, FALSE);
}

/**
 * sc_api_feed_release:
 *
 * Answers every long poll now, and the next ones at once (the server
 * stops).
 */
void
sc_api_feed_release (ScApiFeed *self)
{
  self->stopping = TRUE;
  check_waiters (self, TRUE);
}

/**
 * sc_api_feed_free:
 *
 * Drops the long polls without answering (the server goes).
 */
void
sc_api_feed_free (ScApiFeed *self)
{
  if (self == NULL)
    return;
  g_clear_handle_id (&self->feed_tick_id, g_source_remove);
  for (guint i = 0; i < self->feed_waiters->len; i++)
    waiter_free (self->feed_waiters->pdata[i]);
  g_ptr_array_unref (self->feed_waiters);
  g_object_unref (self->db);
  g_object_unref (self->clock);
  sc_settings_unref (self->settings);
  g_free (self);
}

static gboolean
query_since (SoupServerMessage *msg, GHashTable *query, gint64 *out)
{
  const char *text
      = query != NULL ? g_hash_table_lookup (query, "since") : NULL;
  guint64 n;

  *out = -1;
  if (text == NULL)
    return TRUE;
  if (text[0] == '\0' || strspn (text, "0123456789") != strlen (text)
      || !g_ascii_string_to_unsigned (text, 10, 0, G_MAXINT64, &n, NULL))
    {
      sc_http_send_error (msg, SOUP_STATUS_BAD_REQUEST, "bad_query",
                          "since: must be a change number");
      return FALSE;
    }
  *out = (gint64)n;
  return TRUE;
}

static void
feed_handler (SoupServer *soup, SoupServerMessage *msg, const char *path,
              GHashTable *query, gpointer data)
{
  ScApiFeed *self = data;
  g_autoptr (ScNode) node = NULL;
  g_autoptr (ScUser) operator= NULL;
  g_autoptr (ScFeedPage) page = NULL;
  g_autoptr (GError) error = NULL;
  const char *page_token
      = query != NULL ? g_hash_table_lookup (query, "page") : NULL;
  gboolean unknown = FALSE;
  gint64 since;
  int wait_s;

  if (!sc_http_require_path (msg, path, FEED_PATH)
      || !sc_http_require_method (msg, "GET", NULL))
    return;
  node = sc_web_auth_node (self->auth, msg, &operator);
  if (node == NULL)
    {
      if (operator!= NULL)
        sc_http_send_error (msg, SOUP_STATUS_FORBIDDEN, "forbidden",
                            "Only an ingest node reads its reservations");
      return;
    }
  if (!query_since (msg, query, &since)
      || !sc_query_get_int (msg, query, "wait", 0, MAX_WAIT_S, 0, &wait_s))
    return;
  /* This connection sees its own uncommitted writes: commit them first. */
  sc_group_commit_now (self->commit);

  if (since < 0)
    {
      g_autofree char *after_id = NULL;
      gint64 cursor = -1, after_start_us = 0;

      if (page_token != NULL
          && !sc_feed_page_token_parse (page_token, &cursor, &after_start_us,
                                        &after_id))
        {
          sc_http_send_error (msg, SOUP_STATUS_BAD_REQUEST, "bad_query",
                              "page: not a next_page of this feed");
          return;
        }
      page = read_snapshot (self, node, cursor, after_start_us,
                            after_id != NULL ? after_id : "", &error);
    }
  else
    page = read_changes (self, node, since, &unknown, &error);
  if (page == NULL)
    {
      if (unknown)
        send_unknown_cursor (msg, since);
      else
        sc_http_send_db_error (msg, error);
      return;
    }
  if (page->snapshot || page->entries->len > 0 || wait_s == 0
      || self->feed_waiters->len >= MAX_WAITERS || self->stopping)
    {
      send_page (msg, page);
      return;
    }

  {
    Waiter *w = g_new0 (Waiter, 1);

    w->msg = g_object_ref (msg);
    w->node = g_steal_pointer (&node);
    w->since = since;
    w->deadline_us = g_get_monotonic_time () + wait_s * G_USEC_PER_SEC;
    g_signal_connect (msg, "disconnected", G_CALLBACK (on_waiter_disconnected),
                      w);
    soup_server_message_pause (msg);
    g_ptr_array_add (self->feed_waiters, w);
    if (self->feed_tick_id == 0)
      self->feed_tick_id = g_timeout_add_seconds (1, on_feed_tick, self);
  }
}

/**
 * sc_api_feed_new:
 * @auth: (not nullable): outlives the feed
 * @commit: (not nullable): outlives the feed
 *
 * Returns: (transfer full): the feed, its route added to @routes
 */
ScApiFeed *
sc_api_feed_new (const ScWebRoutes *routes, ScWebAuth *auth,
                 ScGroupCommit *commit, ScDb *db, ScSettings *settings,
                 ScClock *clock)
{
  ScApiFeed *self = g_new0 (ScApiFeed, 1);

  self->auth = auth;
  self->commit = commit;
  self->db = g_object_ref (db);
  self->settings = sc_settings_ref (settings);
  self->clock = g_object_ref (clock);
  self->feed_waiters = g_ptr_array_new ();
  sc_web_routes_add (routes, FEED_PATH, feed_handler, self);
  return self;
}
