/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * ScNodeSchedule: an ingest node's own copy of its reservations, so that it
 * admits publishers and viewers without asking anyone, and goes on
 * admitting them while the booking service is away.
 *
 * It holds what the reservation feed (sc-feed.c) carries: each reservation
 * that has not ended, booked or cancelled, with its tokens' SHA-256, never
 * the tokens. Admission looks a presented token's hash up and applies
 * sc_admission_judge(), the rule the booking service applies to its
 * database, so both answer alike. Until a first snapshot is loaded every
 * token question answers %SC_ADMIT_UNAVAILABLE.
 *
 * Thread-safe: RTSP client threads and RTMP workers decide while the
 * node's sync (ScReservationSync) applies pages on the main context; a
 * read-write lock lets decisions run side by side.
 */

#include "config.h"

#include "sc-node-schedule.h"

#include "sc-token.h"

#include <string.h>

struct _ScNodeSchedule
{
  char *node; /* immutable */

  GRWLock lock;
  GHashTable *by_id;      /* id → ScReservationEntry, owned */
  GHashTable *by_publish; /* publish hash → entry */
  GHashTable *by_view;    /* view hash → entry */
  GHashTable *by_stream;  /* stream → GPtrArray of entries */
  gint64 cursor;
  gboolean loaded;
};

static guint
hash_hash (gconstpointer key)
{
  guint h;

  /* Already a SHA-256: any four bytes are spread evenly. */
  memcpy (&h, key, sizeof h);
  return h;
}

static gboolean
hash_equal (gconstpointer a, gconstpointer b)
{
  return sc_token_hash_equal (a, b);
}

ScNodeSchedule *
sc_node_schedule_new (const char *node)
{
  ScNodeSchedule *self = g_new0 (ScNodeSchedule, 1);

  self->node = g_strdup (node);
  g_rw_lock_init (&self->lock);
  self->by_id = g_hash_table_new_full (
      g_str_hash, g_str_equal, NULL, (GDestroyNotify)sc_reservation_entry_free);
  self->by_publish = g_hash_table_new (hash_hash, hash_equal);
  self->by_view = g_hash_table_new (hash_hash, hash_equal);
  self->by_stream = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                           (GDestroyNotify)g_ptr_array_unref);
  return self;
}

void
sc_node_schedule_free (ScNodeSchedule *self)
{
  if (self == NULL)
    return;
  g_hash_table_unref (self->by_stream);
  g_hash_table_unref (self->by_view);
  g_hash_table_unref (self->by_publish);
  g_hash_table_unref (self->by_id);
  g_rw_lock_clear (&self->lock);
  g_free (self->node);
  g_free (self);
}

/* With the write lock: takes @e out of every index and frees it. */
static void
remove_locked (ScNodeSchedule *self, ScReservationEntry *e)
{
  GPtrArray *same
      = g_hash_table_lookup (self->by_stream, e->reservation->stream);

  g_hash_table_remove (self->by_publish, e->publish_hash);
  if (e->has_view_hash)
    g_hash_table_remove (self->by_view, e->view_hash);
  if (same != NULL)
    {
      g_ptr_array_remove_fast (same, e);
      if (same->len == 0)
        g_hash_table_remove (self->by_stream, e->reservation->stream);
    }
  g_hash_table_remove (self->by_id, e->reservation->id);
}

/* With the write lock: puts a copy of @e in place of what had its id. */
static void
put_locked (ScNodeSchedule *self, const ScReservationEntry *e)
{
  ScReservationEntry *copy;
  ScReservationEntry *old
      = g_hash_table_lookup (self->by_id, e->reservation->id);
  GPtrArray *same;

  if (old != NULL)
    remove_locked (self, old);
  copy = sc_reservation_entry_copy (e);
  g_free (copy->reservation->node);
  copy->reservation->node = g_strdup (self->node);
  g_hash_table_insert (self->by_id, copy->reservation->id, copy);
  g_hash_table_insert (self->by_publish, copy->publish_hash, copy);
  if (copy->has_view_hash)
    g_hash_table_insert (self->by_view, copy->view_hash, copy);
  same = g_hash_table_lookup (self->by_stream, copy->reservation->stream);
  if (same == NULL)
    {
      same = g_ptr_array_new ();
      g_hash_table_insert (self->by_stream,
                           g_strdup (copy->reservation->stream), same);
    }
  g_ptr_array_add (same, copy);
}

/**
 * sc_node_schedule_replace:
 * @entries: (element-type ScReservationEntry): a whole snapshot
 *
 * Replaces the copy with a snapshot taken at change @cursor, at once: no
 * decision sees half of it.
 */
void
sc_node_schedule_replace (ScNodeSchedule *self, GPtrArray *entries,
                          gint64 cursor)
{
  g_rw_lock_writer_lock (&self->lock);
  g_hash_table_remove_all (self->by_stream);
  g_hash_table_remove_all (self->by_view);
  g_hash_table_remove_all (self->by_publish);
  g_hash_table_remove_all (self->by_id);
  for (guint i = 0; i < entries->len; i++)
    put_locked (self, entries->pdata[i]);
  self->cursor = cursor;
  self->loaded = TRUE;
  g_rw_lock_writer_unlock (&self->lock);
}

/**
 * sc_node_schedule_apply:
 * @entries: (element-type ScReservationEntry): changes, in order
 *
 * Applies the changes that followed the cursor, up to change @cursor.
 */
void
sc_node_schedule_apply (ScNodeSchedule *self, GPtrArray *entries, gint64 cursor)
{
  g_rw_lock_writer_lock (&self->lock);
  for (guint i = 0; i < entries->len; i++)
    put_locked (self, entries->pdata[i]);
  if (cursor > self->cursor)
    self->cursor = cursor;
  g_rw_lock_writer_unlock (&self->lock);
}

/**
 * sc_node_schedule_prune:
 *
 * Forgets the reservations that ended before @ended_before_us.
 *
 * Returns: how many
 */
guint
sc_node_schedule_prune (ScNodeSchedule *self, gint64 ended_before_us)
{
  g_autoptr (GPtrArray) gone = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;

  g_rw_lock_writer_lock (&self->lock);
  g_hash_table_iter_init (&iter, self->by_id);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (((ScReservationEntry *)value)->reservation->end_us < ended_before_us)
      g_ptr_array_add (gone, value);
  for (guint i = 0; i < gone->len; i++)
    remove_locked (self, gone->pdata[i]);
  g_rw_lock_writer_unlock (&self->lock);
  return gone->len;
}

gint64
sc_node_schedule_get_cursor (ScNodeSchedule *self)
{
  gint64 cursor;

  g_rw_lock_reader_lock (&self->lock);
  cursor = self->cursor;
  g_rw_lock_reader_unlock (&self->lock);
  return cursor;
}

gboolean
sc_node_schedule_is_loaded (ScNodeSchedule *self)
{
  gboolean loaded;

  g_rw_lock_reader_lock (&self->lock);
  loaded = self->loaded;
  g_rw_lock_reader_unlock (&self->lock);
  return loaded;
}

guint
sc_node_schedule_get_size (ScNodeSchedule *self)
{
  guint size;

  g_rw_lock_reader_lock (&self->lock);
  size = g_hash_table_size (self->by_id);
  g_rw_lock_reader_unlock (&self->lock);
  return size;
}

/* With a lock: the booked reservation of @stream open at @now_us or, if
 * none, the next to open (as sc_db_next_booked()). */
static const ScReservation *
next_booked_locked (ScNodeSchedule *self, const char *stream, gint64 now_us)
{
  GPtrArray *same = g_hash_table_lookup (self->by_stream, stream);
  const ScReservation *best = NULL;

  for (guint i = 0; same != NULL && i < same->len; i++)
    {
      const ScReservation *r
          = ((ScReservationEntry *)same->pdata[i])->reservation;

      if (r->state == SC_RESERVATION_BOOKED && r->end_us > now_us
          && (best == NULL || r->start_us < best->start_us))
        best = r;
    }
  return best;
}

/**
 * sc_node_schedule_decide: (skip)
 * @self: an #ScNodeSchedule
 *
 * An #ScGateAdmitFunc: sc_admission_judge() on the copy. Thread-safe.
 */
ScAdmitResult
sc_node_schedule_decide (const ScAdmissionRequest *request,
                         ScReservation **out_reservation, char **out_reason,
                         gpointer data)
{
  ScNodeSchedule *self = data;
  guint8 hash[SC_TOKEN_HASH_LEN];
  const ScReservationEntry *e = NULL;
  gboolean is_view = FALSE;
  ScAdmitResult result;

  if (request->role != SC_ADMISSION_SCHEDULE
      && (result = sc_admission_check_token (request, hash, out_reason))
             != SC_ADMIT_OK)
    return result;
  g_rw_lock_reader_lock (&self->lock);
  if (!self->loaded)
    {
      g_rw_lock_reader_unlock (&self->lock);
      if (out_reason != NULL)
        *out_reason
            = g_strdup ("this node has not loaded its reservations yet");
      return request->role == SC_ADMISSION_SCHEDULE ? SC_ADMIT_NOT_BOOKED
                                                    : SC_ADMIT_UNAVAILABLE;
    }
  if (request->role == SC_ADMISSION_SCHEDULE)
    {
      /* This copy knows of no other node's bookings. */
      gboolean here = g_strcmp0 (request->node, self->node) == 0;

      result = sc_admission_judge_schedule (
          request,
          here ? next_booked_locked (self, request->stream, request->now_us)
               : NULL,
          out_reservation, out_reason);
      g_rw_lock_reader_unlock (&self->lock);
      return result;
    }
  e = g_hash_table_lookup (self->by_publish, hash);
  if (e == NULL)
    {
      e = g_hash_table_lookup (self->by_view, hash);
      is_view = e != NULL;
    }
  result = sc_admission_judge (request, e != NULL ? e->reservation : NULL,
                               is_view, out_reservation, out_reason);
  g_rw_lock_reader_unlock (&self->lock);
  return result;
}
