/* SPDX-License-Identifier: LGPL-2.1-or-later */

/**
 * ScRtspMounts:
 *
 * Which `/live/STREAM` paths of the RTSP server have a factory
 * (#ScLiveFactory). A path is mounted only for a stream with a hub (a
 * publisher was admitted) or booked on this node: a request without a
 * credential for a name nobody booked leaves nothing behind. Mounts whose
 * stream has no hub and no reservation left are swept.
 *
 * Thread-safe: RTSP client threads mount, the ingest's main context
 * sweeps. @lock is taken alone.
 */

#include "config.h"

#include "sc-rtsp-mounts.h"

#include "sc-booking.h"
#include "sc-live-factory.h"

#include <string.h>

#define MAX_MOUNTS 4096

struct _ScRtspMounts
{
  GObject parent_instance;

  GstRTSPMountPoints *points;
  ScHubRegistry *hubs;
  ScGate *gate;
  gboolean direct_send;
  gboolean sweeping; /* on the sweeping context only */

  GMutex lock;
  GHashTable *mounted; /* protected by lock: stream names */
};

G_DEFINE_FINAL_TYPE (ScRtspMounts, sc_rtsp_mounts, G_TYPE_OBJECT)

static void
sc_rtsp_mounts_finalize (GObject *object)
{
  ScRtspMounts *self = SC_RTSP_MOUNTS (object);

  g_clear_object (&self->points);
  g_clear_object (&self->hubs);
  g_clear_object (&self->gate);
  g_hash_table_unref (self->mounted);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (sc_rtsp_mounts_parent_class)->finalize (object);
}

static void
sc_rtsp_mounts_class_init (ScRtspMountsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sc_rtsp_mounts_finalize;
}

static void
sc_rtsp_mounts_init (ScRtspMounts *self)
{
  g_mutex_init (&self->lock);
  self->mounted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

/**
 * sc_rtsp_mounts_new:
 * @direct_send: given to each factory (`[rtsp] direct-send`)
 *
 * Returns: (transfer full): the mounts kept in @points
 */
ScRtspMounts *
sc_rtsp_mounts_new (GstRTSPMountPoints *points, ScHubRegistry *hubs,
                    ScGate *gate, gboolean direct_send)
{
  ScRtspMounts *self = g_object_new (SC_TYPE_RTSP_MOUNTS, NULL);

  self->points = g_object_ref (points);
  self->hubs = g_object_ref (hubs);
  self->gate = g_object_ref (gate);
  self->direct_send = direct_send;
  return self;
}

/**
 * sc_rtsp_stream_from_path:
 *
 * Returns: (transfer full) (nullable): STREAM of `/live/STREAM[/…]`, if it
 *   is a valid stream name
 */
char *
sc_rtsp_stream_from_path (const char *path)
{
  g_autofree char *stream = NULL;

  if (path == NULL || !g_str_has_prefix (path, SC_LIVE_PREFIX))
    return NULL;
  path += strlen (SC_LIVE_PREFIX);
  stream = g_strndup (path, strcspn (path, "/"));
  if (!sc_booking_stream_name_valid (stream))
    return NULL;
  return g_steal_pointer (&stream);
}

/**
 * sc_rtsp_mounts_ensure:
 *
 * Mounts the factory of @stream at `/live/STREAM` if it is not yet (at most
 * 4,096 names): for a publisher just admitted.
 */
void
sc_rtsp_mounts_ensure (ScRtspMounts *self, const char *stream)
{
  g_autofree char *path = NULL;
  g_autoptr (ScLiveFactory) factory = NULL;

  g_mutex_lock (&self->lock);
  if (g_hash_table_contains (self->mounted, stream)
      || g_hash_table_size (self->mounted) >= MAX_MOUNTS)
    {
      g_mutex_unlock (&self->lock);
      return;
    }
  g_hash_table_add (self->mounted, g_strdup (stream));
  g_mutex_unlock (&self->lock);

  path = g_strconcat (SC_LIVE_PREFIX, stream, NULL);
  factory = sc_live_factory_new (self->hubs, stream, self->direct_send);
  gst_rtsp_mount_points_add_factory (
      self->points, path, GST_RTSP_MEDIA_FACTORY (g_steal_pointer (&factory)));
}

/**
 * sc_rtsp_mounts_mount_if_booked:
 *
 * Mounts @stream if it has a hub or is booked on this node. Runs on an
 * RTSP client's thread, before gst-rtsp-server looks the path up.
 *
 * Returns: whether @stream is mounted
 */
gboolean
sc_rtsp_mounts_mount_if_booked (ScRtspMounts *self, const char *stream)
{
  gboolean mounted;

  g_mutex_lock (&self->lock);
  mounted = g_hash_table_contains (self->mounted, stream);
  g_mutex_unlock (&self->lock);
  if (mounted)
    return TRUE;
  if (!sc_hub_registry_contains (self->hubs, stream)
      && !sc_gate_is_booked (self->gate, stream))
    return FALSE;
  sc_rtsp_mounts_ensure (self, stream);
  return TRUE;
}

/* On a worker thread (it asks the gate): the names mounted without a hub
 * whose reservations have all ended or were cancelled. */
static void
sweep_thread (GTask *task, gpointer source, gpointer data,
              GCancellable *cancellable)
{
  ScRtspMounts *self = source;
  GPtrArray *names = data;
  GPtrArray *gone = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < names->len; i++)
    if (!sc_gate_is_booked (self->gate, names->pdata[i]))
      g_ptr_array_add (gone, g_strdup (names->pdata[i]));
  g_task_return_pointer (task, gone, (GDestroyNotify)g_ptr_array_unref);
}

/* Back on the sweeping context: their mounts go, unless a hub came. */
static void
on_swept (GObject *source, GAsyncResult *result, gpointer data)
{
  ScRtspMounts *self = SC_RTSP_MOUNTS (source);
  g_autoptr (GPtrArray) gone = g_task_propagate_pointer (G_TASK (result), NULL);

  self->sweeping = FALSE;
  for (guint i = 0; gone != NULL && i < gone->len; i++)
    {
      const char *stream = gone->pdata[i];
      g_autofree char *path = g_strconcat (SC_LIVE_PREFIX, stream, NULL);
      gboolean unmount;

      g_mutex_lock (&self->lock);
      unmount = !sc_hub_registry_contains (self->hubs, stream)
                && g_hash_table_remove (self->mounted, stream);
      g_mutex_unlock (&self->lock);
      if (unmount)
        gst_rtsp_mount_points_remove_factory (self->points, path);
    }
}

/**
 * sc_rtsp_mounts_sweep:
 *
 * Starts a sweep of the mounts nobody booked any more, unless one runs.
 * Call it from one main context (the ingest's), every few seconds.
 */
void
sc_rtsp_mounts_sweep (ScRtspMounts *self)
{
  g_autoptr (GTask) task = NULL;
  GPtrArray *names;
  GHashTableIter iter;
  gpointer key;

  if (self->sweeping)
    return;
  names = g_ptr_array_new_with_free_func (g_free);
  g_mutex_lock (&self->lock);
  g_hash_table_iter_init (&iter, self->mounted);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (names, g_strdup (key));
  g_mutex_unlock (&self->lock);
  for (guint i = names->len; i > 0; i--)
    if (sc_hub_registry_contains (self->hubs, names->pdata[i - 1]))
      g_ptr_array_remove_index_fast (names, i - 1);
  if (names->len == 0)
    {
      g_ptr_array_unref (names);
      return;
    }
  self->sweeping = TRUE;
  task = g_task_new (self, NULL, on_swept, NULL);
  g_task_set_task_data (task, names, (GDestroyNotify)g_ptr_array_unref);
  g_task_run_in_thread (task, sweep_thread);
}
