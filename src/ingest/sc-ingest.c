/* SPDX-License-Identifier: LGPL-2.1-or-later */

/**
 * ScIngest:
 *
 * The ingest of one node, put together from its parts (docs/ARCHITECTURE.md
 * draws them):
 *
 * - an #ScGate that decides admissions with the function it was given and
 *   keeps the refusals (gate/);
 * - an #ScHubRegistry, one #ScStreamHub per stream (hub/), whose hubs each
 *   get the outputs registered with it: the RTSP PLAY media (rtsp/) today;
 * - the inputs: an #ScRtspServer with its #ScRtspAuth and #ScRtspMounts
 *   (rtsp/) and an #ScRtmpServer (rtmp/), which admit through the gate and
 *   publish into the hubs.
 *
 * Each part gets what it needs passed in; only this file knows them all.
 * Here too: every 250 ms the hubs are visited (waiting publishers promoted,
 * ended slots cut, live reservations re-checked off the loop, outputs
 * ticked), every 10 s unbooked mounts are swept, and what is live is
 * reported.
 *
 * Everything of the ingest that is not an RTSP client (the listeners, RTMP
 * sessions, the checks) runs on the main context that was thread-default at
 * sc_ingest_start(), held in @context: under `slotcast serve` a thread of
 * its own, so that nothing the booking service waits on (a database locked
 * by another process) stalls media. RTSP clients run on gst-rtsp-server's
 * thread pool (16 threads: with none, a viewer's DESCRIBE waiting for data
 * blocks the publisher that would bring it).
 */

#include "config.h"

#include "sc-ingest.h"

#include "sc-hub-registry.h"
#include "sc-rtmp-server.h"
#include "sc-rtsp-auth.h"
#include "sc-rtsp-mounts.h"
#include "sc-rtsp-play.h"
#include "sc-rtsp-server.h"
#include "sc-rtsp-threads.h"

#include <string.h>

#define MOUNT_SWEEP_S 10
#define CHECK_INTERVAL_MS 250
#define THREADS 16
/* How long sc_ingest_stop() waits for RTSP clients to close. */
#define STOP_WAIT_US (1 * G_USEC_PER_SEC)
#define MAX_RTSP_BODY 65536

struct _ScIngest
{
  GObject parent_instance;

  ScSettings *settings;
  ScGate *gate;
  ScHubRegistry *hubs;
  ScRtspPlayConfig play; /* the RTSP PLAY outputs', from start */

  GstRTSPServer *server;
  ScRtspMounts *mounts;
  ScRtmpServer *rtmp;
  GMainContext *context; /* from start; owned */
  GSource *check;        /* on context */
  gint64 last_tick_us;
  guint ticks;
  gboolean rechecking; /* a re-check of the live publishers runs */
  guint16 port;
};

G_DEFINE_FINAL_TYPE (ScIngest, sc_ingest, G_TYPE_OBJECT)

static void
sc_ingest_dispose (GObject *object)
{
  ScIngest *self = SC_INGEST (object);

  sc_ingest_stop (self);
  g_clear_object (&self->mounts);
  g_clear_object (&self->server);
  g_clear_object (&self->rtmp);
  /* The hubs' outputs refer to play (the server weakly). */
  g_clear_object (&self->hubs);
  G_OBJECT_CLASS (sc_ingest_parent_class)->dispose (object);
}

static void
sc_ingest_finalize (GObject *object)
{
  ScIngest *self = SC_INGEST (object);

  g_clear_pointer (&self->settings, sc_settings_unref);
  g_clear_object (&self->gate);
  g_clear_pointer (&self->context, g_main_context_unref);
  G_OBJECT_CLASS (sc_ingest_parent_class)->finalize (object);
}

static void
sc_ingest_class_init (ScIngestClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sc_ingest_dispose;
  object_class->finalize = sc_ingest_finalize;
}

static void
sc_ingest_init (ScIngest *self)
{
}

/**
 * sc_ingest_new:
 * @admit: decides admissions; called from any thread
 *
 * Returns: (transfer full): an ingest, not listening yet
 */
ScIngest *
sc_ingest_new (ScSettings *settings, ScClock *clock, ScGateAdmitFunc admit,
               gpointer admit_data, GDestroyNotify admit_destroy)
{
  ScIngest *self = g_object_new (SC_TYPE_INGEST, NULL);

  self->settings = sc_settings_ref (settings);
  self->gate = sc_gate_new (settings, clock, admit, admit_data, admit_destroy);
  self->hubs = sc_hub_registry_new (clock, sc_gate_get_rules (self->gate));
  return self;
}

static gboolean check_hubs (gpointer data);

/**
 * sc_ingest_start:
 *
 * Listens for RTSP on [node] rtsp-port and for RTMP on [node] rtmp-port (0:
 * a free one) of [http] bind, on the thread-default main context.
 */
gboolean
sc_ingest_start (ScIngest *self, GError **error)
{
  g_autoptr (GstRTSPThreadPool) threads = NULL;
  g_autoptr (GstRTSPMountPoints) points = NULL;
  g_autoptr (ScRtspAuth) auth = NULL;
  g_autofree char *play_base = NULL;
  ScSettings *settings = self->settings;
  ScRtmpLimits limits = {
    .max_message_bytes = settings->rtmp_max_message_bytes,
    .max_chunk_size = 1 << 20,
    .setup_timeout_us = settings->rtmp_timeout_s * G_USEC_PER_SEC,
    .idle_timeout_us = settings->rtmp_timeout_s * G_USEC_PER_SEC,
  };
  ScListenerLimits rtsp_limits = {
    .max_connections = settings->rtsp_max_connections,
    .max_per_address = settings->rtsp_max_per_address,
    .first_timeout_us = settings->rtsp_setup_timeout_s * G_USEC_PER_SEC,
  };

  g_return_val_if_fail (self->server == NULL, FALSE);

  self->context = g_main_context_ref_thread_default ();
  self->server = GST_RTSP_SERVER (sc_rtsp_server_new ());
  points = gst_rtsp_server_get_mount_points (self->server);
  self->mounts = sc_rtsp_mounts_new (points, self->hubs, self->gate,
                                     settings->rtsp_direct_send);
  self->play.server = self->server;
  self->play.mounts = self->mounts;
  self->play.context = self->context;
  sc_hub_registry_add_kind (self->hubs, &sc_rtsp_play_kind, &self->play);

  self->rtmp = sc_rtmp_server_new (
      self->gate, self->hubs, settings->bind, settings->public_host,
      settings->rtmp_max_connections, settings->rtmp_max_per_address, &limits);
  if (!sc_rtmp_server_start (self->rtmp, settings->rtmp_port, error))
    return FALSE;

  auth = sc_rtsp_auth_new (self->gate, self->hubs, self->mounts);
  gst_rtsp_server_set_auth (self->server, GST_RTSP_AUTH (auth));
  threads = gst_rtsp_server_get_thread_pool (self->server);
  gst_rtsp_thread_pool_set_max_threads (threads, THREADS);
  /* An SDP is small; gst-rtsp-server would buffer 4 GiB bodies. */
  gst_rtsp_server_set_content_length_limit (self->server, MAX_RTSP_BODY);
  if (!sc_rtsp_server_listen (SC_RTSP_SERVER (self->server), settings->bind,
                              settings->rtsp_port, &rtsp_limits, error))
    return FALSE;
  self->port = sc_rtsp_server_get_port (SC_RTSP_SERVER (self->server));
  play_base
      = g_strdup_printf ("rtsp://%s:%u", settings->public_host, self->port);
  sc_rtmp_server_set_play_base (self->rtmp, play_base);

  self->check = g_timeout_source_new (CHECK_INTERVAL_MS);
  g_source_set_callback (self->check, check_hubs, self, NULL);
  g_source_attach (self->check, self->context);
  return TRUE;
}

guint16
sc_ingest_get_rtsp_port (ScIngest *self)
{
  return self->port;
}

guint16
sc_ingest_get_rtmp_port (ScIngest *self)
{
  return self->rtmp ? sc_rtmp_server_get_port (self->rtmp) : 0;
}

/* A count of clients not closed yet, shared with their "closed" handlers
 * (which run on the clients' threads, maybe after sc_ingest_stop()
 * returned): each handler holds a reference. */
static void
on_client_closed (GstRTSPClient *client, gpointer data)
{
  g_atomic_int_add ((int *)data, -1);
}

static void
release_count (gpointer data, GClosure *closure)
{
  g_atomic_rc_box_release (data);
}

/**
 * sc_ingest_stop:
 *
 * Stops listening and closes every RTSP and RTMP connection.
 */
void
sc_ingest_stop (ScIngest *self)
{
  GList *clients;
  int *open;
  gint64 deadline_us = g_get_monotonic_time () + STOP_WAIT_US;

  if (self->check != NULL)
    g_source_destroy (self->check);
  g_clear_pointer (&self->check, g_source_unref);
  if (self->rtmp != NULL)
    sc_rtmp_server_stop (self->rtmp);
  if (self->server == NULL || self->port == 0)
    return;
  sc_rtsp_server_close (SC_RTSP_SERVER (self->server));
  self->port = 0;

  /* Each client is closed on its own context, and given a moment to be. */
  open = g_atomic_rc_box_new0 (int);
  clients = gst_rtsp_server_client_filter (self->server, NULL, NULL);
  for (GList *l = clients; l != NULL; l = l->next)
    {
      g_atomic_int_inc (open);
      g_signal_connect_data (l->data, "closed", G_CALLBACK (on_client_closed),
                             g_atomic_rc_box_acquire (open), release_count, 0);
      sc_rtsp_close_client (l->data);
    }
  while (g_atomic_int_get (open) > 0 && g_get_monotonic_time () < deadline_us)
    {
      g_main_context_iteration (self->context, FALSE);
      g_usleep (2000);
    }
  for (GList *l = clients; l != NULL; l = l->next)
    g_signal_handlers_disconnect_by_func (l->data, on_client_closed, open);
  g_list_free_full (clients, g_object_unref);
  g_atomic_rc_box_release (open);
}

/* The publishers whose reservations are re-checked, and those to cut. */
typedef struct
{
  GPtrArray *streams;  /* char * */
  GPtrArray *statuses; /* ScHubStatus, same order */
  GPtrArray *cut;      /* ScHubStatus of those to cut */
  GPtrArray *reasons;  /* why, same order */
} Recheck;

static void
recheck_free (Recheck *r)
{
  g_ptr_array_unref (r->streams);
  g_ptr_array_unref (r->statuses);
  g_ptr_array_unref (r->cut);
  g_ptr_array_unref (r->reasons);
  g_free (r);
}

/* On a worker thread: asks the admission function about each live
 * publisher's token (a database lookup, or an HTTP call to the booking
 * service), so no main loop ever waits on either. When the question cannot
 * be answered (the booking service or the database is away) the publisher
 * goes on: a fault of the control plane never cuts a live stream; its slot
 * still ends on time (check_hubs()). */
static void
recheck_thread (GTask *task, gpointer source, gpointer data,
                GCancellable *cancellable)
{
  ScIngest *self = source;
  Recheck *r = data;

  for (guint i = 0; i < r->statuses->len; i++)
    {
      ScHubStatus *s = r->statuses->pdata[i];
      g_autoptr (ScReservation) found = NULL;
      g_autofree char *reason = NULL;
      ScAdmitResult result
          = sc_gate_admit (self->gate, r->streams->pdata[i], s->token,
                           SC_ADMISSION_PUBLISH, &found, &reason);

      if (result == SC_ADMIT_OK || result == SC_ADMIT_ENDED)
        continue;
      if (result == SC_ADMIT_UNAVAILABLE)
        {
          g_debug ("Cannot re-check the publisher of %s now (%s); it goes on",
                   (char *)r->streams->pdata[i], reason);
          continue;
        }
      g_ptr_array_add (r->cut, s);
      g_ptr_array_add (r->reasons, g_steal_pointer (&reason));
    }
  g_task_return_boolean (task, TRUE);
}

/* On the main context: cuts those the re-check refused, if they still
 * publish. */
static void
on_rechecked (GObject *source, GAsyncResult *result, gpointer data)
{
  ScIngest *self = SC_INGEST (source);
  Recheck *r = g_task_get_task_data (G_TASK (result));

  self->rechecking = FALSE;
  for (guint i = 0; i < r->cut->len; i++)
    {
      ScHubStatus *s = r->cut->pdata[i];

      g_message ("Cutting the publisher of %s (reservation %s): %s",
                 s->reservation->stream, s->reservation->id,
                 (char *)r->reasons->pdata[i]);
      sc_hub_status_close (s);
    }
}

/* Every 250 ms, on the main context: lets waiting publishers take over,
 * cuts publishers whose slot ended (after the grace), ticks the outputs
 * (idle media, private viewers), and starts a re-check of the live
 * reservations (cancellations) off the loop; once a second, the bitrates;
 * every 10 s, a sweep of the mounts. */
static gboolean
check_hubs (gpointer data)
{
  ScIngest *self = data;
  gint64 now_us = sc_gate_now_us (self->gate);
  const ScSlotRules *rules = sc_gate_get_rules (self->gate);
  gboolean tick = now_us - self->last_tick_us >= G_USEC_PER_SEC;
  g_autoptr (GPtrArray) hubs = sc_hub_registry_dup_all (self->hubs);
  Recheck *recheck = g_new0 (Recheck, 1);

  recheck->streams = g_ptr_array_new_with_free_func (g_free);
  recheck->statuses
      = g_ptr_array_new_with_free_func ((GDestroyNotify)sc_hub_status_free);
  recheck->cut = g_ptr_array_new (); /* borrowed from statuses */
  recheck->reasons = g_ptr_array_new_with_free_func (g_free);
  if (tick)
    self->last_tick_us = now_us;
  if (tick && ++self->ticks % MOUNT_SWEEP_S == 0 && self->mounts != NULL)
    sc_rtsp_mounts_sweep (self->mounts);
  for (guint i = 0; i < hubs->len; i++)
    {
      ScStreamHub *hub = g_ptr_array_index (hubs, i);
      ScHubStatus *s;

      sc_stream_hub_promote (hub, now_us);
      sc_stream_hub_tick_outputs (hub);
      s = sc_stream_hub_dup_status (hub);
      if (s == NULL)
        continue;
      if (tick)
        sc_stream_hub_tick (hub, now_us);
      if (!sc_slot_keeps_publisher (
              sc_slot_phase (s->reservation, now_us, rules)))
        {
          g_message ("Cutting the publisher of %s (reservation %s): slot "
                     "ended",
                     sc_stream_hub_get_stream (hub), s->reservation->id);
          sc_hub_status_close (s);
          sc_hub_status_free (s);
          continue;
        }
      g_ptr_array_add (recheck->streams,
                       g_strdup (sc_stream_hub_get_stream (hub)));
      g_ptr_array_add (recheck->statuses, s);
    }
  if (!self->rechecking && recheck->statuses->len > 0)
    {
      g_autoptr (GTask) task = g_task_new (self, NULL, on_rechecked, NULL);

      self->rechecking = TRUE;
      g_task_set_task_data (task, recheck, (GDestroyNotify)recheck_free);
      g_task_run_in_thread (task, recheck_thread);
    }
  else
    recheck_free (recheck);
  return G_SOURCE_CONTINUE;
}

/**
 * sc_ingest_dup_live:
 *
 * Returns: (transfer full) (element-type ScLiveStream): what is live now,
 *   by stream name
 */
GPtrArray *
sc_ingest_dup_live (ScIngest *self)
{
  GPtrArray *out
      = g_ptr_array_new_with_free_func ((GDestroyNotify)sc_live_stream_free);
  g_autoptr (GPtrArray) hubs = sc_hub_registry_dup_all (self->hubs);

  for (guint i = 0; i < hubs->len; i++)
    {
      ScStreamHub *hub = g_ptr_array_index (hubs, i);
      g_autoptr (ScHubStatus) s = sc_stream_hub_dup_status (hub);
      ScLiveStream *live;

      if (s == NULL)
        continue;
      live = g_new0 (ScLiveStream, 1);
      live->stream = g_strdup (sc_stream_hub_get_stream (hub));
      live->reservation_id = g_strdup (s->reservation->id);
      live->node = g_strdup (self->settings->node_name);
      live->publisher = g_strdup (s->address);
      live->since_us = s->since_us;
      live->bitrate = s->bitrate;
      live->bytes_in = s->bytes_in;
      live->viewers = s->viewers;
      /* Live for viewers: data flows and their outputs serve. */
      live->live = s->ready;
      live->owner_id = s->reservation->owner_id;
      live->private_stream
          = s->reservation->visibility == SC_VISIBILITY_PRIVATE;
      g_ptr_array_add (out, live);
    }
  return out;
}

/**
 * sc_ingest_dup_refusals:
 *
 * Returns: (transfer full) (element-type ScRefusal): the refusals kept
 *   (the last 256) at or after @since_us, newest first
 */
GPtrArray *
sc_ingest_dup_refusals (ScIngest *self, gint64 since_us)
{
  return sc_gate_dup_refusals (self->gate, since_us);
}

guint64
sc_ingest_get_refusals (ScIngest *self, ScAdmitResult reason)
{
  return sc_gate_get_refusals (self->gate, reason);
}

static GPtrArray *
live_source_dup_refusals (gpointer data, gint64 since_us)
{
  return sc_ingest_dup_refusals (data, since_us);
}

static GPtrArray *
live_source_dup (gpointer data)
{
  return sc_ingest_dup_live (data);
}

static guint64
live_source_refusals (gpointer data, ScAdmitResult reason)
{
  return sc_ingest_get_refusals (data, reason);
}

/**
 * sc_ingest_get_live_source:
 *
 * Returns: what the booking service needs to report this ingest's live
 *   streams; valid as long as @self lives
 */
ScLiveSource
sc_ingest_get_live_source (ScIngest *self)
{
  return (ScLiveSource){ live_source_dup, live_source_refusals,
                         live_source_dup_refusals, self };
}
