/* SPDX-License-Identifier: LGPL-2.1-or-later */

/**
 * ScAuthLimiter:
 *
 * Slows down key guessing: an address that presents @limit bad keys within
 * @window_us of its first bad key is refused (429) for @block_us, whatever
 * key it sends meanwhile.
 *
 * Memory is bounded: at most @max_addresses are tracked. When the table is
 * full, entries that are neither blocked nor inside a window are dropped
 * first, then the unblocked ones; blocked addresses are kept.
 *
 * Used by the web server for bad keys and passwords, and by the ingest for
 * bad tokens. Thread-safe (RTSP client threads record failures): one mutex
 * around the table.
 */

#include "config.h"

#include "sc-auth-limiter.h"

typedef struct
{
  gint64 window_start_us;
  guint failures;
  gint64 blocked_until_us;
} Entry;

struct _ScAuthLimiter
{
  GObject parent_instance;

  guint limit;
  gint64 window_us;
  gint64 block_us;
  guint max_addresses;
  GMutex lock;
  GHashTable *entries; /* protected by lock: char *address → Entry * */
};

G_DEFINE_FINAL_TYPE (ScAuthLimiter, sc_auth_limiter, G_TYPE_OBJECT)

static void
sc_auth_limiter_finalize (GObject *object)
{
  ScAuthLimiter *self = SC_AUTH_LIMITER (object);

  g_hash_table_unref (self->entries);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (sc_auth_limiter_parent_class)->finalize (object);
}

static void
sc_auth_limiter_class_init (ScAuthLimiterClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sc_auth_limiter_finalize;
}

static void
sc_auth_limiter_init (ScAuthLimiter *self)
{
  g_mutex_init (&self->lock);
  self->entries
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

/**
 * sc_auth_limiter_new:
 *
 * Returns: (transfer full): a limiter
 */
ScAuthLimiter *
sc_auth_limiter_new (guint limit, gint64 window_us, gint64 block_us,
                     guint max_addresses)
{
  ScAuthLimiter *self = g_object_new (SC_TYPE_AUTH_LIMITER, NULL);

  self->limit = MAX (limit, 1);
  self->window_us = window_us;
  self->block_us = block_us;
  self->max_addresses = MAX (max_addresses, 1);
  return self;
}

/**
 * sc_auth_limiter_blocked_for:
 *
 * Returns: how long @address stays blocked, in microseconds; 0 if it is
 *   not blocked
 */
gint64
sc_auth_limiter_blocked_for (ScAuthLimiter *self, const char *address,
                             gint64 now_us)
{
  Entry *e;
  gint64 left = 0;

  g_mutex_lock (&self->lock);
  e = g_hash_table_lookup (self->entries, address);
  if (e != NULL && e->blocked_until_us > now_us)
    left = e->blocked_until_us - now_us;
  g_mutex_unlock (&self->lock);
  return left;
}

static gboolean
is_stale (gpointer key, gpointer value, gpointer data)
{
  Entry *e = value;
  gint64 now_us = *(gint64 *)((gpointer *)data)[0];
  ScAuthLimiter *self = ((gpointer *)data)[1];

  return e->blocked_until_us <= now_us
         && now_us - e->window_start_us >= self->window_us;
}

static gboolean
is_unblocked (gpointer key, gpointer value, gpointer data)
{
  Entry *e = value;

  return e->blocked_until_us <= *(gint64 *)data;
}

static void
make_room (ScAuthLimiter *self, gint64 now_us)
{
  gpointer data[2] = { &now_us, self };

  g_hash_table_foreach_remove (self->entries, is_stale, data);
  if (g_hash_table_size (self->entries) >= self->max_addresses)
    g_hash_table_foreach_remove (self->entries, is_unblocked, &now_us);
}

static gboolean
record_failure_locked (ScAuthLimiter *self, const char *address, gint64 now_us)
{
  Entry *e = g_hash_table_lookup (self->entries, address);

  if (e == NULL)
    {
      if (g_hash_table_size (self->entries) >= self->max_addresses)
        make_room (self, now_us);
      if (g_hash_table_size (self->entries) >= self->max_addresses)
        return FALSE; /* every tracked address is blocked: keep them */
      e = g_new0 (Entry, 1);
      e->window_start_us = now_us;
      g_hash_table_insert (self->entries, g_strdup (address), e);
    }
  if (now_us - e->window_start_us >= self->window_us)
    {
      e->window_start_us = now_us;
      e->failures = 0;
    }
  if (++e->failures >= self->limit)
    {
      e->blocked_until_us = now_us + self->block_us;
      e->failures = 0;
      e->window_start_us = e->blocked_until_us;
    }
  return e->blocked_until_us > now_us;
}

/**
 * sc_auth_limiter_record_failure:
 *
 * Counts one bad credential from @address.
 *
 * Returns: whether @address is blocked now
 */
gboolean
sc_auth_limiter_record_failure (ScAuthLimiter *self, const char *address,
                                gint64 now_us)
{
  gboolean blocked;

  g_mutex_lock (&self->lock);
  blocked = record_failure_locked (self, address, now_us);
  g_mutex_unlock (&self->lock);
  return blocked;
}

guint
sc_auth_limiter_get_size (ScAuthLimiter *self)
{
  guint size;

  g_mutex_lock (&self->lock);
  size = g_hash_table_size (self->entries);
  g_mutex_unlock (&self->lock);
  return size;
}
