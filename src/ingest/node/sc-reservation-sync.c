/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * ScReservationSync: keeps an ingest node's copy of its reservations
 * (ScNodeSchedule) in step with the booking service, over the reservation
 * feed (GET /api/v1/ingest/reservations, sc-feed.c's pages).
 *
 * First a snapshot, page by page, swapped in whole; then, for ever, a long
 * poll for the changes after the copy's change number (`wait=20`): a
 * booking or a cancellation reaches the node as soon as it is committed.
 * When the service cannot be reached, the copy stays as it is and keeps
 * admitting (the data plane outlives the control plane); the sync tries
 * again after 250 ms, then every 500 ms (a cancellation made once it is
 * back reaches the node within a second), warns once per outage and says
 * when the service is back. An answer 410 (a cursor the service does not
 * know: another database) starts a snapshot again. Reservations that ended
 * longer ago than the node's grace are forgotten.
 *
 * Lives on the thread-default main context of sc_reservation_sync_new();
 * nothing blocks it (libsoup's asynchronous API), one request at a time.
 */

#include "config.h"

#include "sc-reservation-sync.h"

#include "sc-feed.h"

#include <libsoup/soup.h>

#define WAIT_S 20
#define RETRY_FIRST_MS 250
#define RETRY_MAX_MS 500
#define FEED_PATH "/api/v1/ingest/reservations"

struct _ScReservationSync
{
  GMainContext *context; /* owned */
  ScApiClient *client;   /* its time-out must exceed WAIT_S */
  GCancellable *cancellable;
  ScNodeSchedule *schedule; /* not owned; outlives this */
  ScClock *clock;
  gint64 keep_after_end_us;

  gboolean snapshot;     /* a snapshot is being read */
  GPtrArray *pending;    /* its pages so far */
  gint64 pending_cursor; /* its change number */
  char *next_page;       /* where its next page starts; NULL: first */
  guint retry_ms;
  guint retry_id;
  gboolean failing; /* warned of an outage */
  GError *last_error;
};

static void request_next (ScReservationSync *self);

/**
 * sc_reservation_sync_new:
 * @client: the booking service, with this node's key; its time-out longer
 *   than a long poll's 20 s
 * @schedule: the copy to keep; must outlive the sync
 * @keep_after_end_us: how long after its end a reservation is kept (the
 *   node's grace: its publisher may still be cut then)
 *
 * Returns: (transfer full): a sync, not started
 */
ScReservationSync *
sc_reservation_sync_new (ScApiClient *client, ScNodeSchedule *schedule,
                         ScClock *clock, gint64 keep_after_end_us)
{
  ScReservationSync *self = g_new0 (ScReservationSync, 1);

  self->context = g_main_context_ref_thread_default ();
  self->client = g_object_ref (client);
  self->cancellable = g_cancellable_new ();
  self->schedule = schedule;
  self->clock = g_object_ref (clock);
  self->keep_after_end_us = keep_after_end_us;
  self->snapshot = TRUE;
  self->retry_ms = RETRY_FIRST_MS;
  return self;
}

void
sc_reservation_sync_free (ScReservationSync *self)
{
  if (self == NULL)
    return;
  g_cancellable_cancel (self->cancellable);
  if (self->retry_id != 0)
    {
      GSource *source
          = g_main_context_find_source_by_id (self->context, self->retry_id);

      if (source != NULL)
        g_source_destroy (source);
    }
  g_clear_object (&self->client);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->clock);
  g_clear_pointer (&self->pending, g_ptr_array_unref);
  g_clear_error (&self->last_error);
  g_main_context_unref (self->context);
  g_free (self->next_page);
  g_free (self);
}

/**
 * sc_reservation_sync_start:
 *
 * Starts loading the copy, then keeps it in step.
 */
void
sc_reservation_sync_start (ScReservationSync *self)
{
  request_next (self);
}

static gboolean
on_retry (gpointer data)
{
  ScReservationSync *self = data;

  self->retry_id = 0;
  request_next (self);
  return G_SOURCE_REMOVE;
}

static void
retry_later (ScReservationSync *self, GError *error)
{
  GSource *source;

  if (!self->failing)
    g_warning ("Cannot sync this node's reservations with the booking "
               "service (%s); admitting from the %u kept here",
               error->message, sc_node_schedule_get_size (self->schedule));
  self->failing = TRUE;
  g_clear_error (&self->last_error);
  self->last_error = error;
  source = g_timeout_source_new (self->retry_ms);
  g_source_set_callback (source, on_retry, self, NULL);
  self->retry_id = g_source_attach (source, self->context);
  g_source_unref (source);
  self->retry_ms = MIN (self->retry_ms * 2, RETRY_MAX_MS);
}

static void
start_snapshot (ScReservationSync *self)
{
  self->snapshot = TRUE;
  g_clear_pointer (&self->pending, g_ptr_array_unref);
  g_clear_pointer (&self->next_page, g_free);
}

/* Applies one page: a snapshot's goes with the others until its last. */
static void
apply_page (ScReservationSync *self, ScFeedPage *page)
{
  gint64 now_us = sc_clock_now_us (self->clock);

  if (self->snapshot)
    {
      if (!page->snapshot)
        return;
      if (self->pending == NULL)
        {
          self->pending = g_ptr_array_new_with_free_func (
              (GDestroyNotify)sc_reservation_entry_free);
          self->pending_cursor = page->cursor;
        }
      g_ptr_array_extend_and_steal (self->pending,
                                    g_steal_pointer (&page->entries));
      page->entries = g_ptr_array_new ();
      g_free (self->next_page);
      self->next_page = g_strdup (page->next_page);
      if (self->next_page != NULL)
        return;
      sc_node_schedule_replace (self->schedule, self->pending,
                                self->pending_cursor);
      g_message (
          "Loaded the %u reservation(s) of node %s (change %" G_GINT64_FORMAT
          "); the booking service allows publishers %d s early, "
          "cuts %d s after the end",
          self->pending->len, page->node, self->pending_cursor,
          page->admit_early_s, page->grace_s);
      g_clear_pointer (&self->pending, g_ptr_array_unref);
      self->snapshot = FALSE;
    }
  else if (!page->snapshot)
    {
      for (guint i = 0; i < page->entries->len; i++)
        {
          const ScReservation *r
              = ((ScReservationEntry *)page->entries->pdata[i])->reservation;

          g_message ("Reservation %s of %s on this node: %s", r->id, r->stream,
                     sc_reservation_state_to_string (r->state));
        }
      sc_node_schedule_apply (self->schedule, page->entries, page->cursor);
    }
  sc_node_schedule_prune (self->schedule, now_us - self->keep_after_end_us);
}

static void
on_answer (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (GError) error = NULL;
  guint status = 0;
  g_autoptr (GBytes) body = sc_api_client_call_finish (SC_API_CLIENT (source),
                                                       result, &status, &error);
  ScReservationSync *self = data;
  g_autoptr (ScFeedPage) page = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return; /* freed meanwhile */
  if (status == SOUP_STATUS_GONE)
    {
      g_message ("The booking service does not know this node's change "
                 "number: loading its reservations again");
      start_snapshot (self);
      request_next (self);
      return;
    }
  if (body != NULL)
    page = sc_feed_page_parse (g_bytes_get_data (body, NULL),
                               g_bytes_get_size (body), &error);
  if (page == NULL)
    {
      retry_later (self, g_steal_pointer (&error));
      return;
    }
  if (self->failing)
    g_message ("The booking service answers again: syncing this node's "
               "reservations");
  self->failing = FALSE;
  self->retry_ms = RETRY_FIRST_MS;
  apply_page (self, page);
  request_next (self);
}

static void
request_next (ScReservationSync *self)
{
  g_autofree char *path = NULL;

  if (self->snapshot && self->next_page != NULL)
    {
      g_autofree char *escaped
          = g_uri_escape_string (self->next_page, NULL, FALSE);

      path = g_strdup_printf (FEED_PATH "?page=%s", escaped);
    }
  else if (self->snapshot)
    path = g_strdup (FEED_PATH);
  else
    path = g_strdup_printf (FEED_PATH "?since=%" G_GINT64_FORMAT "&wait=%d",
                            sc_node_schedule_get_cursor (self->schedule),
                            WAIT_S);
  g_main_context_push_thread_default (self->context);
  sc_api_client_call_async (self->client, "GET", path, NULL, self->cancellable,
                            on_answer, self);
  g_main_context_pop_thread_default (self->context);
}

/**
 * sc_reservation_sync_wait_loaded:
 *
 * Runs the sync's main context until the first snapshot is loaded (at
 * start, before the node serves), or @timeout_ms passes.
 *
 * Returns: whether the copy is loaded; if not, @error says why
 */
static gboolean
on_wait_over (gpointer data)
{
  *(gboolean *)data = TRUE;
  return G_SOURCE_REMOVE;
}

gboolean
sc_reservation_sync_wait_loaded (ScReservationSync *self, guint timeout_ms,
                                 GError **error)
{
  GSource *timeout = g_timeout_source_new (timeout_ms);
  gboolean over = FALSE;

  g_source_set_callback (timeout, on_wait_over, &over, NULL);
  g_source_attach (timeout, self->context);
  while (!sc_node_schedule_is_loaded (self->schedule) && !over
         && self->last_error == NULL)
    g_main_context_iteration (self->context, TRUE);
  g_source_destroy (timeout);
  g_source_unref (timeout);
  if (sc_node_schedule_is_loaded (self->schedule))
    return TRUE;
  if (self->last_error != NULL)
    g_propagate_error (error, g_steal_pointer (&self->last_error));
  else
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                 "The booking service sent no reservations in %u ms",
                 timeout_ms);
  return FALSE;
}
