/* SPDX-License-Identifier: LGPL-2.1-or-later */

/**
 * ScRtspPlay:
 *
 * The RTSP PLAY output of one stream hub (an #ScHubOutputKind): the
 * stream's one shared PLAY media, which ScLiveFactory builds and every RTSP
 * viewer of the stream gets, and the viewers it admitted.
 *
 * - As soon as the publisher's first data gave every track its caps, the
 *   media is prepared on a worker thread, so viewers find it ready and no
 *   client thread waits in prepare for data that a publisher sharing its
 *   thread would have to bring.
 * - A change of tracks unprepares it (its viewers reconnect to a new one).
 * - When nobody publishes and nobody watches, it is unprepared.
 * - While nobody watches, the hub does not feed it (its sinks are paused):
 *   a stream nobody watches costs its publisher alone.
 * - When the live reservation is private, viewers admitted for another
 *   reservation are cut.
 *
 * @lock protects the media and the viewers; the hub's lock may be taken
 * inside it (the hub never calls an output with its lock held).
 */

#include "config.h"

#include "sc-rtsp-play.h"

#include "sc-rtsp-client.h"
#include "sc-rtsp-threads.h"

#include <string.h>

GST_DEBUG_CATEGORY_STATIC (sc_rtsp_play_debug);
#define GST_CAT_DEFAULT sc_rtsp_play_debug

struct _ScRtspPlay
{
  ScStreamHub *hub; /* owns the output */
  GWeakRef server;  /* GstRTSPServer: its mounts hold the hubs */
  GWeakRef mounts;  /* ScRtspMounts, likewise */
  GMainContext *context;

  GMutex lock;
  GstRTSPMedia *media; /* protected by lock: the prepared PLAY media */
  gboolean preparing;  /* protected by lock */
  GHashTable *viewers; /* protected by lock: GstRTSPClient set (weak) */
  char *viewers_of;    /* protected by lock: reservation last checked */
};

static gpointer
play_attach (ScStreamHub *hub, gpointer kind_data)
{
  ScRtspPlayConfig *config = kind_data;
  ScRtspPlay *self = g_new0 (ScRtspPlay, 1);

  GST_DEBUG_CATEGORY_INIT (sc_rtsp_play_debug, "slotcast-rtsp-play", 0,
                           "Slotcast RTSP PLAY output");
  self->hub = hub;
  g_weak_ref_init (&self->server, config->server);
  g_weak_ref_init (&self->mounts, config->mounts);
  self->context = g_main_context_ref (config->context);
  g_mutex_init (&self->lock);
  self->viewers = g_hash_table_new (NULL, NULL);
  return self;
}

static void
play_detach (gpointer output)
{
  ScRtspPlay *self = output;
  GHashTableIter iter;
  gpointer client;

  g_hash_table_iter_init (&iter, self->viewers);
  while (g_hash_table_iter_next (&iter, &client, NULL))
    g_signal_handlers_disconnect_by_data (client, self);
  g_hash_table_unref (self->viewers);
  g_clear_object (&self->media);
  g_free (self->viewers_of);
  g_weak_ref_clear (&self->server);
  g_weak_ref_clear (&self->mounts);
  g_main_context_unref (self->context);
  g_mutex_clear (&self->lock);
  g_free (self);
}

/**
 * sc_rtsp_play_of:
 *
 * Returns: (transfer none) (nullable): the RTSP PLAY output of @hub
 */
ScRtspPlay *
sc_rtsp_play_of (ScStreamHub *hub)
{
  return sc_stream_hub_get_output (hub, &sc_rtsp_play_kind);
}

static void
prepare_thread (GTask *task, gpointer source, gpointer data,
                GCancellable *cancellable)
{
  ScRtspPlay *self = data;
  const char *stream = sc_stream_hub_get_stream (self->hub);
  g_autofree char *path = g_strconcat ("/live/", stream, NULL);
  g_autofree char *uri = g_strconcat ("rtsp://127.0.0.1", path, NULL);
  g_autoptr (GstRTSPServer) server = g_weak_ref_get (&self->server);
  g_autoptr (ScRtspMounts) ours = g_weak_ref_get (&self->mounts);
  g_autoptr (GstRTSPMountPoints) mounts
      = server != NULL ? gst_rtsp_server_get_mount_points (server) : NULL;
  g_autoptr (GstRTSPMediaFactory) factory = NULL;
  g_autoptr (GstRTSPMedia) media = NULL;
  g_autoptr (GstRTSPThreadPool) pool = NULL;
  GstRTSPThread *thread;
  GstRTSPUrl *url = NULL;

  /* An RTMP publisher's stream has no mount until a viewer asks. */
  if (ours != NULL)
    sc_rtsp_mounts_ensure (ours, stream);
  if (mounts == NULL
      || (factory = gst_rtsp_mount_points_match (mounts, path, NULL)) == NULL
      || gst_rtsp_url_parse (uri, &url) != GST_RTSP_OK)
    goto done;
  media = gst_rtsp_media_factory_construct (factory, url);
  gst_rtsp_url_free (url);
  if (media == NULL)
    goto done;
  pool = gst_rtsp_server_get_thread_pool (server);
  thread = gst_rtsp_thread_pool_get_thread (pool, GST_RTSP_THREAD_TYPE_MEDIA,
                                            NULL);
  if (!gst_rtsp_media_prepare (media, thread))
    {
      g_warning ("Cannot prepare the viewers' media of %s", stream);
      goto done;
    }
  g_mutex_lock (&self->lock);
  g_set_object (&self->media, media);
  sc_stream_hub_pause_sinks (self->hub, media,
                             g_hash_table_size (self->viewers) == 0);
  g_mutex_unlock (&self->lock);
  GST_INFO ("viewers' media of %s prepared", stream);
done:
  g_mutex_lock (&self->lock);
  self->preparing = FALSE;
  g_mutex_unlock (&self->lock);
}

/* Every track has caps: prepare the media if there is none. */
static void
play_ready (gpointer output)
{
  ScRtspPlay *self = output;
  g_autoptr (GTask) task = NULL;
  gboolean start;

  g_mutex_lock (&self->lock);
  start = self->media == NULL && !self->preparing;
  self->preparing = self->preparing || start;
  g_mutex_unlock (&self->lock);
  if (!start)
    return;
  /* The hub holds the output: the task's reference on it keeps both. */
  task = g_task_new (self->hub, NULL, NULL, NULL);
  g_task_set_task_data (task, self, NULL);
  g_task_run_in_thread (task, prepare_thread);
}

static gboolean
unprepare_idle (gpointer data)
{
  gst_rtsp_media_unprepare (data);
  return G_SOURCE_REMOVE;
}

/* The tracks changed: the media built for the old ones goes. */
static void
play_stale (gpointer output)
{
  ScRtspPlay *self = output;
  GstRTSPMedia *media;

  g_mutex_lock (&self->lock);
  media = g_steal_pointer (&self->media);
  g_mutex_unlock (&self->lock);
  if (media == NULL)
    return;
  g_message ("Stream %s changed its tracks: its viewers' media is rebuilt",
             sc_stream_hub_get_stream (self->hub));
  g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, unprepare_idle,
                              media, g_object_unref);
}

/* Called with the lock held. */
static void
pause_if_unwatched_locked (ScRtspPlay *self)
{
  if (self->media != NULL && g_hash_table_size (self->viewers) == 0)
    sc_stream_hub_pause_sinks (self->hub, self->media, TRUE);
}

/* A private reservation is watched only by viewers admitted for it: when
 * the live reservation changes (the next slot, private, takes over),
 * viewers admitted for another one are cut. */
static void
check_viewers (ScRtspPlay *self, const ScReservation *live)
{
  g_autoptr (GPtrArray) cut = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  gpointer key;

  g_mutex_lock (&self->lock);
  /* Viewers are admitted against the live reservation: only a change of
   * it needs a look at those already in. */
  if (g_strcmp0 (self->viewers_of, live->id) == 0)
    {
      g_mutex_unlock (&self->lock);
      return;
    }
  g_free (self->viewers_of);
  self->viewers_of = g_strdup (live->id);
  if (live->visibility == SC_VISIBILITY_PRIVATE)
    {
      g_hash_table_iter_init (&iter, self->viewers);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        {
          g_autoptr (ScReservation) r
              = sc_rtsp_client_dup_reservation (SC_RTSP_CLIENT (key));

          if (r != NULL && strcmp (r->id, live->id) == 0)
            continue;
          g_signal_handlers_disconnect_by_data (key, self);
          g_ptr_array_add (cut, g_object_ref (key));
          g_hash_table_iter_remove (&iter);
        }
      pause_if_unwatched_locked (self);
    }
  g_mutex_unlock (&self->lock);
  for (guint i = 0; i < cut->len; i++)
    {
      g_message ("Cutting a viewer of %s: reservation %s is live now, and "
                 "private",
                 sc_stream_hub_get_stream (self->hub), live->id);
      sc_rtsp_close_client (cut->pdata[i]);
    }
}

static void
play_tick (gpointer output, const ScReservation *live)
{
  ScRtspPlay *self = output;
  g_autoptr (GstRTSPMedia) idle = NULL;

  if (live != NULL)
    {
      check_viewers (self, live);
      return;
    }
  /* Nobody publishes: once nobody watches either, the media goes. */
  g_mutex_lock (&self->lock);
  if (g_hash_table_size (self->viewers) == 0)
    idle = g_steal_pointer (&self->media);
  g_mutex_unlock (&self->lock);
  if (idle != NULL)
    gst_rtsp_media_unprepare (idle);
}

static guint
play_count_viewers (gpointer output)
{
  ScRtspPlay *self = output;
  guint n;

  g_mutex_lock (&self->lock);
  n = g_hash_table_size (self->viewers);
  g_mutex_unlock (&self->lock);
  return n;
}

static gboolean
play_serves (gpointer output)
{
  ScRtspPlay *self = output;
  gboolean prepared;

  g_mutex_lock (&self->lock);
  prepared = self->media != NULL;
  g_mutex_unlock (&self->lock);
  return prepared;
}

const ScHubOutputKind sc_rtsp_play_kind = {
  .name = "rtsp-play",
  .attach = play_attach,
  .ready = play_ready,
  .stale = play_stale,
  .tick = play_tick,
  .count_viewers = play_count_viewers,
  .serves = play_serves,
  .detach = play_detach,
};

static void
on_viewer_closed (GstRTSPClient *client, gpointer data)
{
  ScRtspPlay *self = data;

  g_mutex_lock (&self->lock);
  if (g_hash_table_remove (self->viewers, client))
    pause_if_unwatched_locked (self);
  g_mutex_unlock (&self->lock);
}

/**
 * sc_rtsp_play_add_viewer:
 *
 * Counts @client as a viewer until its connection closes.
 */
void
sc_rtsp_play_add_viewer (ScRtspPlay *self, GstRTSPClient *client)
{
  gboolean added;

  g_mutex_lock (&self->lock);
  added = g_hash_table_add (self->viewers, client);
  if (self->media != NULL)
    sc_stream_hub_pause_sinks (self->hub, self->media, FALSE);
  g_mutex_unlock (&self->lock);
  if (added)
    g_signal_connect (client, "closed", G_CALLBACK (on_viewer_closed), self);
}
