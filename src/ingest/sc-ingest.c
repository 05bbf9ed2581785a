/* SPDX-License-Identifier: LGPL-2.1-or-later */

/**
 * ScIngest:
 *
 * The ingest of one node: a gst-rtsp-server instance whose mount points
 * hold one #ScLiveFactory per stream (`/live/STREAM`, for publishing and
 * playing), an #ScRtspAuth that admits publishers and viewers through the
 * #ScIngestAdmitFunc it was given, an #ScRtmpServer whose publishers are
 * admitted by the same function, and one #ScStreamHub per stream that
 * either kind of publisher feeds and RTSP viewers read.
 *
 * Everything of the ingest that is not a client (the listeners, RTMP
 * sessions, the 250 ms check, closing connections) runs on the main context
 * that was thread-default at sc_ingest_start(), held in @context: under
 * `slotcast serve` a thread of its own, so that nothing the booking
 * service waits on (a database locked by another process) stalls media.
 * Clients run on gst-rtsp-server's thread pool (16 threads: with none, a
 * viewer's DESCRIBE waiting for data blocks the publisher that would bring
 * it). @lock protects the hub and mount tables, which client threads use.
 */

#include "config.h"

#include "sc-ingest.h"

#include "sc-ingest-private.h"
#include "sc-live-factory.h"
#include "sc-rtmp-server.h"
#include "sc-rtsp-auth.h"
#include "sc-rtsp-client.h"
#include "sc-rtsp-server.h"

#include "sc-auth-limiter.h"
#include "sc-booking.h"
#include "sc-pipelines-resources.h"

#include <string.h>

GST_DEBUG_CATEGORY (sc_ingest_debug);

#define MAX_MOUNTS 4096
#define MOUNT_SWEEP_S 10
#define CHECK_INTERVAL_MS 250
#define THREADS 16
/* How long sc_ingest_stop() waits for RTSP clients to close. */
#define STOP_WAIT_US (1 * G_USEC_PER_SEC)
#define MAX_RTSP_BODY 65536

/* Refusals kept for the web UI's "refused in the last hour". */
#define RECENT_REFUSALS 256
/* Addresses whose bad tokens are counted (sc_ingest_count_refusal()). */
#define REFUSING_ADDRESSES_MAX 65536
#define REFUSAL_STREAM_MAX 64

struct _ScIngest
{
  GObject parent_instance;

  ScSettings *settings;
  ScClock *clock;
  ScIngestAdmitFunc admit;
  gpointer admit_data;
  GDestroyNotify admit_destroy;

  GstRTSPServer *server;
  GstRTSPMountPoints *mounts;
  ScRtmpServer *rtmp;
  GMainContext *context; /* from start; owned */
  GSource *check;        /* on context */
  gint64 last_tick_us;
  guint ticks;
  gboolean sweeping;   /* a mount sweep runs */
  gboolean rechecking; /* a re-check of the live publishers runs */
  guint16 port;
  GHashTable *fragments; /* name → text; immutable after init */

  GMutex lock;
  GHashTable *hubs;    /* protected by lock: stream → ScStreamHub */
  GHashTable *mounted; /* protected by lock: stream names */
  guint64 refusals[SC_ADMIT_N_RESULTS]; /* atomic */
  ScAuthLimiter *bad_tokens;            /* thread-safe */
  guint64 unlogged;                     /* atomic: refusals not logged */

  GMutex recent_lock;                 /* taken alone, never with lock */
  ScRefusal *recent[RECENT_REFUSALS]; /* protected by recent_lock: a ring */
  guint recent_next;                  /* protected by recent_lock */
};

G_DEFINE_FINAL_TYPE (ScIngest, sc_ingest, G_TYPE_OBJECT)

static const char *const fragment_names[] = {
  "record-h264", "record-aac", "record-aac-latm", "record-opus", "flv-demux",
  "flv-h264",    "flv-aac",    "play-h264",       "play-aac",    "play-opus",
};

static void
sc_ingest_dispose (GObject *object)
{
  ScIngest *self = SC_INGEST (object);

  sc_ingest_stop (self);
  g_clear_object (&self->mounts);
  g_clear_object (&self->server);
  g_clear_object (&self->rtmp);
  G_OBJECT_CLASS (sc_ingest_parent_class)->dispose (object);
}

static void
sc_ingest_finalize (GObject *object)
{
  ScIngest *self = SC_INGEST (object);

  if (self->admit_destroy != NULL)
    self->admit_destroy (self->admit_data);
  g_clear_pointer (&self->settings, sc_settings_unref);
  g_clear_object (&self->clock);
  g_clear_object (&self->bad_tokens);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_hash_table_unref (self->fragments);
  g_hash_table_unref (self->hubs);
  g_hash_table_unref (self->mounted);
  g_mutex_clear (&self->lock);
  for (guint i = 0; i < RECENT_REFUSALS; i++)
    sc_refusal_free (self->recent[i]);
  g_mutex_clear (&self->recent_lock);
  G_OBJECT_CLASS (sc_ingest_parent_class)->finalize (object);
}

static void
sc_ingest_class_init (ScIngestClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sc_ingest_dispose;
  object_class->finalize = sc_ingest_finalize;
  GST_DEBUG_CATEGORY_INIT (sc_ingest_debug, "slotcast-ingest", 0,
                           "Slotcast ingest");
}

static void
sc_ingest_init (ScIngest *self)
{
  g_mutex_init (&self->lock);
  g_mutex_init (&self->recent_lock);
  self->hubs
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->mounted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->fragments
      = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
}

/**
 * sc_ingest_new:
 * @admit: decides admissions; called from client threads
 *
 * Returns: (transfer full): an ingest, not listening yet
 */
ScIngest *
sc_ingest_new (ScSettings *settings, ScClock *clock, ScIngestAdmitFunc admit,
               gpointer admit_data, GDestroyNotify admit_destroy)
{
  ScIngest *self = g_object_new (SC_TYPE_INGEST, NULL);

  self->settings = sc_settings_ref (settings);
  self->clock = g_object_ref (clock);
  self->admit = admit;
  self->admit_data = admit_data;
  self->admit_destroy = admit_destroy;
  self->bad_tokens = sc_auth_limiter_new (
      settings->auth_fail_limit, settings->auth_fail_window_s * SC_USEC_PER_SEC,
      settings->auth_block_s * SC_USEC_PER_SEC, REFUSING_ADDRESSES_MAX);
  for (size_t i = 0; i < G_N_ELEMENTS (fragment_names); i++)
    {
      g_autofree char *path = g_strdup_printf (
          "/org/slotcast/pipelines/%s.pipeline", fragment_names[i]);
      g_autoptr (GBytes) bytes = g_resource_lookup_data (
          sc_pipelines_get_resource (), path, 0, NULL);

      g_assert (bytes != NULL);
      g_hash_table_insert (
          self->fragments, (gpointer)fragment_names[i],
          g_strstrip (g_strndup (g_bytes_get_data (bytes, NULL),
                                 g_bytes_get_size (bytes))));
    }
  return self;
}

static gboolean check_publishers (gpointer data);

/**
 * sc_ingest_get_slot_rules:
 *
 * Returns: this node's time rules ([booking] admit-early-s, grace-s)
 */
ScSlotRules
sc_ingest_get_slot_rules (ScIngest *self)
{
  return (ScSlotRules){
    .admit_early_us = self->settings->admit_early_s * SC_USEC_PER_SEC,
    .grace_us = self->settings->grace_s * SC_USEC_PER_SEC,
  };
}

/* A snapshot of the hubs, to visit without holding the lock. */
static GPtrArray *
dup_hubs (ScIngest *self)
{
  GPtrArray *hubs = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  gpointer value;

  g_mutex_lock (&self->lock);
  g_hash_table_iter_init (&iter, self->hubs);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (hubs, g_object_ref (value));
  g_mutex_unlock (&self->lock);
  return hubs;
}

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
  g_autoptr (ScRtspAuth) auth = NULL;
  ScRtmpLimits limits = {
    .max_message_bytes = self->settings->rtmp_max_message_bytes,
    .max_chunk_size = 1 << 20,
    .setup_timeout_us = self->settings->rtmp_timeout_s * G_USEC_PER_SEC,
    .idle_timeout_us = self->settings->rtmp_timeout_s * G_USEC_PER_SEC,
  };
  ScListenerLimits rtsp_limits = {
    .max_connections = self->settings->rtsp_max_connections,
    .max_per_address = self->settings->rtsp_max_per_address,
    .first_timeout_us = self->settings->rtsp_setup_timeout_s * G_USEC_PER_SEC,
  };
  int port;

  g_return_val_if_fail (self->server == NULL, FALSE);

  self->context = g_main_context_ref_thread_default ();
  self->rtmp = sc_rtmp_server_new (
      self, self->settings->bind, self->settings->rtmp_max_connections,
      self->settings->rtmp_max_per_address, &limits);
  if (!sc_rtmp_server_start (self->rtmp, self->settings->rtmp_port, error))
    return FALSE;

  self->server = GST_RTSP_SERVER (sc_rtsp_server_new (self));
  self->mounts = gst_rtsp_server_get_mount_points (self->server);
  auth = sc_rtsp_auth_new (self);
  gst_rtsp_server_set_auth (self->server, GST_RTSP_AUTH (auth));
  threads = gst_rtsp_server_get_thread_pool (self->server);
  gst_rtsp_thread_pool_set_max_threads (threads, THREADS);
  /* An SDP is small; gst-rtsp-server would buffer 4 GiB bodies. */
  gst_rtsp_server_set_content_length_limit (self->server, MAX_RTSP_BODY);
  if (!sc_rtsp_server_listen (SC_RTSP_SERVER (self->server),
                              self->settings->bind, self->settings->rtsp_port,
                              &rtsp_limits, error))
    return FALSE;
  port = sc_rtsp_server_get_port (SC_RTSP_SERVER (self->server));
  self->port = port;
  self->check = g_timeout_source_new (CHECK_INTERVAL_MS);
  g_source_set_callback (self->check, check_publishers, self, NULL);
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

static gboolean
close_connection_idle (gpointer data)
{
  if (SC_IS_RTMP_SESSION (data))
    sc_rtmp_session_close (data, "publisher cut");
  else
    sc_rtsp_close_client (data);
  return G_SOURCE_REMOVE;
}

/**
 * sc_ingest_close_connection:
 * @connection: a #GstRTSPClient or an #ScRtmpSession
 *
 * Closes a publisher's connection from the ingest's main context (any
 * thread may ask).
 */
void
sc_ingest_close_connection (ScIngest *self, GObject *connection)
{
  g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT,
                              close_connection_idle, g_object_ref (connection),
                              g_object_unref);
}

/* A private reservation is watched only by viewers admitted for it: when
 * the live reservation of a name changes (the next slot, private, takes
 * over), viewers admitted for another one are cut. */
static void
check_viewers (ScIngest *self, ScStreamHub *hub, const ScReservation *live)
{
  g_autoptr (GPtrArray) viewers = NULL;
  const char *checked = g_object_get_data (G_OBJECT (hub), "sc-viewers-of");

  /* Viewers are admitted against the live reservation: only a change of
   * it needs a look at those already in. */
  if (g_strcmp0 (checked, live->id) == 0)
    return;
  g_object_set_data_full (G_OBJECT (hub), "sc-viewers-of", g_strdup (live->id),
                          g_free);
  if (live->visibility != SC_VISIBILITY_PRIVATE)
    return;
  viewers = sc_stream_hub_dup_viewers (hub);
  for (guint i = 0; i < viewers->len; i++)
    {
      GstRTSPClient *client = viewers->pdata[i];
      g_autoptr (ScReservation) r
          = sc_rtsp_client_dup_reservation (SC_RTSP_CLIENT (client));

      if (r != NULL && strcmp (r->id, live->id) == 0)
        continue;
      g_message ("Cutting a viewer of %s: reservation %s is live now, and "
                 "private",
                 sc_stream_hub_get_stream (hub), live->id);
      sc_stream_hub_remove_viewer (hub, client);
      sc_rtsp_close_client (client);
    }
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
 * still ends on time (check_publishers()). */
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
          = sc_ingest_admit (self, r->streams->pdata[i], s->token,
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
      close_connection_idle (s->connection);
    }
}

static void sweep_mounts (ScIngest *self);

/* Every 250 ms, on the main context: lets waiting publishers take over,
 * cuts publishers whose slot ended (after the grace), checks viewers of
 * private streams, and starts a re-check of the live reservations
 * (cancellations) off the loop; once a second, the bitrates. */
static gboolean
check_publishers (gpointer data)
{
  ScIngest *self = data;
  gint64 now_us = sc_clock_now_us (self->clock);
  ScSlotRules rules = sc_ingest_get_slot_rules (self);
  gboolean tick = now_us - self->last_tick_us >= G_USEC_PER_SEC;
  g_autoptr (GPtrArray) hubs = dup_hubs (self);
  Recheck *recheck = g_new0 (Recheck, 1);

  recheck->streams = g_ptr_array_new_with_free_func (g_free);
  recheck->statuses
      = g_ptr_array_new_with_free_func ((GDestroyNotify)sc_hub_status_free);
  recheck->cut = g_ptr_array_new (); /* borrowed from statuses */
  recheck->reasons = g_ptr_array_new_with_free_func (g_free);
  if (tick)
    self->last_tick_us = now_us;
  if (tick && !self->sweeping && ++self->ticks % MOUNT_SWEEP_S == 0)
    sweep_mounts (self);
  for (guint i = 0; i < hubs->len; i++)
    {
      ScStreamHub *hub = g_ptr_array_index (hubs, i);
      g_autoptr (GObject) replaced = sc_stream_hub_promote (hub, now_us);
      ScHubStatus *s;

      if (replaced != NULL)
        close_connection_idle (replaced);
      s = sc_stream_hub_dup_status (hub);
      if (s == NULL)
        {
          g_autoptr (GstRTSPMedia) idle
              = sc_stream_hub_take_idle_play_media (hub);

          if (idle != NULL)
            gst_rtsp_media_unprepare (idle);
          continue;
        }
      check_viewers (self, hub, s->reservation);
      if (tick)
        sc_stream_hub_tick (hub, now_us);
      if (!sc_slot_keeps_publisher (
              sc_slot_phase (s->reservation, now_us, &rules)))
        {
          g_message ("Cutting the publisher of %s (reservation %s): slot "
                     "ended",
                     sc_stream_hub_get_stream (hub), s->reservation->id);
          close_connection_idle (s->connection);
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
  g_autoptr (GPtrArray) hubs = dup_hubs (self);

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
      /* Live for viewers: data flows and their media is prepared. */
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
  GPtrArray *out
      = g_ptr_array_new_with_free_func ((GDestroyNotify)sc_refusal_free);

  g_mutex_lock (&self->recent_lock);
  for (guint n = 1; n <= RECENT_REFUSALS; n++)
    {
      ScRefusal *r = self->recent[(self->recent_next + RECENT_REFUSALS - n)
                                  % RECENT_REFUSALS];
      ScRefusal *copy;

      if (r == NULL || r->at_us < since_us)
        break;
      copy = g_memdup2 (r, sizeof *r);
      copy->stream = g_strdup (r->stream);
      copy->address = g_strdup (r->address);
      g_ptr_array_add (out, copy);
    }
  g_mutex_unlock (&self->recent_lock);
  return out;
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

guint64
sc_ingest_get_refusals (ScIngest *self, ScAdmitResult reason)
{
  g_return_val_if_fail (reason < SC_ADMIT_N_RESULTS, 0);
  return __atomic_load_n (&self->refusals[reason], __ATOMIC_RELAXED);
}

/* The ingest's clock (injectable in tests). Any thread. */
gint64
sc_ingest_now_us (ScIngest *self)
{
  return sc_clock_now_us (self->clock);
}

/* A refusal for a credential that is wrong (not one that is early, late
 * or cancelled): what a guesser or a broken client sends. */
static gboolean
is_bad_credential (ScAdmitResult result)
{
  switch (result)
    {
      case SC_ADMIT_MISSING_TOKEN:
      case SC_ADMIT_MALFORMED_TOKEN:
      case SC_ADMIT_UNKNOWN_TOKEN:
      case SC_ADMIT_WRONG_ROLE:
      case SC_ADMIT_WRONG_STREAM:
      case SC_ADMIT_WRONG_NODE:
        return TRUE;
      default:
        return FALSE;
    }
}

/* Whether a refusal of @result from @address is logged: bad credentials
 * from an address count against it as bad keys do on HTTP ([http]
 * auth-fail-limit in auth-fail-window-s); past the limit, its refusals are
 * counted and kept but not logged, for auth-block-s. Valid tokens from
 * that address are admitted all the same: a publisher behind the same NAT
 * as a guesser is not locked out. */
static gboolean
should_log (ScIngest *self, ScAdmitResult result, const char *address)
{
  gint64 now_us;

  if (!is_bad_credential (result) || address == NULL)
    return TRUE;
  now_us = g_get_monotonic_time ();
  if (sc_auth_limiter_blocked_for (self->bad_tokens, address, now_us) > 0)
    {
      __atomic_add_fetch (&self->unlogged, 1, __ATOMIC_RELAXED);
      return FALSE;
    }
  if (sc_auth_limiter_record_failure (self->bad_tokens, address, now_us))
    g_message ("%s sent %d bad tokens within %d s: its refusals for the next "
               "%d s are counted, not logged",
               address, self->settings->auth_fail_limit,
               self->settings->auth_fail_window_s,
               self->settings->auth_block_s);
  return TRUE;
}

/**
 * sc_ingest_count_refusal:
 * @protocol: (not nullable): a static string, "rtsp" or "rtmp"
 * @role: (not nullable): a static string, "publish" or "view"
 * @stream: the stream asked for, as sent (any bytes)
 *
 * Counts a refusal by reason and keeps it for sc_ingest_dup_refusals().
 * Any thread.
 *
 * Returns: whether to log it (%FALSE once @address sent too many bad
 *   tokens, see should_log())
 */
gboolean
sc_ingest_count_refusal (ScIngest *self, ScAdmitResult result,
                         const char *protocol, const char *role,
                         const char *stream, const char *address)
{
  ScRefusal *r;
  const char *end;

  if (result >= SC_ADMIT_N_RESULTS)
    return TRUE;
  __atomic_add_fetch (&self->refusals[result], 1, __ATOMIC_RELAXED);

  r = g_new0 (ScRefusal, 1);
  r->at_us = sc_clock_now_us (self->clock);
  r->reason = result;
  r->protocol = protocol;
  r->role = role;
  r->stream = g_utf8_make_valid (stream != NULL ? stream : "", -1);
  if (strlen (r->stream) > REFUSAL_STREAM_MAX)
    {
      /* Cut at a character boundary. */
      g_utf8_validate (r->stream, REFUSAL_STREAM_MAX, &end);
      r->stream[end - r->stream] = '\0';
    }
  r->address = g_strdup (address != NULL ? address : "?");
  g_mutex_lock (&self->recent_lock);
  sc_refusal_free (self->recent[self->recent_next]);
  self->recent[self->recent_next] = r;
  self->recent_next = (self->recent_next + 1) % RECENT_REFUSALS;
  g_mutex_unlock (&self->recent_lock);
  return should_log (self, result, address);
}

/**
 * sc_ingest_get_unlogged_refusals:
 *
 * Returns: how many refusals were counted but not logged
 */
guint64
sc_ingest_get_unlogged_refusals (ScIngest *self)
{
  return __atomic_load_n (&self->unlogged, __ATOMIC_RELAXED);
}

/**
 * sc_ingest_stream_from_path:
 *
 * Returns: (transfer full) (nullable): STREAM of `/live/STREAM[/…]`, if it
 *   is a valid stream name
 */
char *
sc_ingest_stream_from_path (const char *path)
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
 * sc_ingest_ensure_mount:
 *
 * Mounts the factory of @stream at `/live/STREAM` if it is not yet (at most
 * 4,096 names). Called for an admitted RTMP publisher, and through
 * sc_ingest_mount_if_booked() for RTSP requests.
 */
void
sc_ingest_ensure_mount (ScIngest *self, const char *stream)
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
  factory = sc_live_factory_new (self, stream);
  gst_rtsp_mount_points_add_factory (
      self->mounts, path, GST_RTSP_MEDIA_FACTORY (g_steal_pointer (&factory)));
}

/* Whether @stream has a reservation on this node that has not ended. */
static gboolean
is_booked (ScIngest *self, const char *stream)
{
  ScAdmitResult result
      = sc_ingest_admit (self, stream, NULL, SC_ADMISSION_SCHEDULE, NULL, NULL);

  return result == SC_ADMIT_OK || result == SC_ADMIT_TOO_EARLY;
}

/**
 * sc_ingest_mount_if_booked:
 *
 * Mounts @stream if it has a hub (a publisher was admitted) or is booked on
 * this node; a name nobody booked is never mounted, so requests without a
 * credential leave nothing behind. Runs on an RTSP client's thread, before
 * gst-rtsp-server looks the path up.
 *
 * Returns: whether @stream is mounted
 */
gboolean
sc_ingest_mount_if_booked (ScIngest *self, const char *stream)
{
  g_autoptr (ScStreamHub) hub = NULL;
  gboolean mounted;

  g_mutex_lock (&self->lock);
  mounted = g_hash_table_contains (self->mounted, stream);
  g_mutex_unlock (&self->lock);
  if (mounted)
    return TRUE;
  hub = sc_ingest_lookup_hub (self, stream);
  if (hub == NULL && !is_booked (self, stream))
    return FALSE;
  sc_ingest_ensure_mount (self, stream);
  return TRUE;
}

/* Every MOUNT_SWEEP_S: on a worker thread (it asks the admission function),
 * the names mounted without a hub whose reservations have all ended or were
 * cancelled; then on the main context, their mounts go. */
static void
sweep_thread (GTask *task, gpointer source, gpointer data,
              GCancellable *cancellable)
{
  ScIngest *self = source;
  GPtrArray *names = data;
  GPtrArray *gone = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < names->len; i++)
    if (!is_booked (self, names->pdata[i]))
      g_ptr_array_add (gone, g_strdup (names->pdata[i]));
  g_task_return_pointer (task, gone, (GDestroyNotify)g_ptr_array_unref);
}

static void
on_swept (GObject *source, GAsyncResult *result, gpointer data)
{
  ScIngest *self = SC_INGEST (source);
  g_autoptr (GPtrArray) gone = g_task_propagate_pointer (G_TASK (result), NULL);

  self->sweeping = FALSE;
  for (guint i = 0; gone != NULL && i < gone->len; i++)
    {
      const char *stream = gone->pdata[i];
      g_autofree char *path = g_strconcat (SC_LIVE_PREFIX, stream, NULL);
      gboolean unmount;

      g_mutex_lock (&self->lock);
      unmount = !g_hash_table_contains (self->hubs, stream)
                && g_hash_table_remove (self->mounted, stream);
      g_mutex_unlock (&self->lock);
      if (unmount && self->mounts != NULL)
        gst_rtsp_mount_points_remove_factory (self->mounts, path);
    }
}

static void
sweep_mounts (ScIngest *self)
{
  g_autoptr (GTask) task = NULL;
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer key;

  g_mutex_lock (&self->lock);
  g_hash_table_iter_init (&iter, self->mounted);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (self->hubs, key))
      g_ptr_array_add (names, g_strdup (key));
  g_mutex_unlock (&self->lock);
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

/* Prepares the stream's shared PLAY media as soon as the publisher's first
 * data gave every track its caps, on a worker thread: viewers then find it
 * prepared, and no client thread ever waits in prepare for data that a
 * publisher sharing its thread would have to bring. */
static void
prewarm_thread (GTask *task, gpointer source, gpointer data,
                GCancellable *cancellable)
{
  ScIngest *self = source;
  ScStreamHub *hub = data;
  g_autofree char *path
      = g_strconcat (SC_LIVE_PREFIX, sc_stream_hub_get_stream (hub), NULL);
  g_autofree char *uri = g_strconcat ("rtsp://127.0.0.1", path, NULL);
  g_autoptr (GstRTSPMediaFactory) factory = NULL;
  g_autoptr (GstRTSPMedia) media = NULL;
  g_autoptr (GstRTSPThreadPool) pool = NULL;
  GstRTSPThread *thread;
  GstRTSPUrl *url = NULL;

  if (self->mounts == NULL
      || (factory = gst_rtsp_mount_points_match (self->mounts, path, NULL))
             == NULL
      || gst_rtsp_url_parse (uri, &url) != GST_RTSP_OK)
    return;
  media = gst_rtsp_media_factory_construct (factory, url);
  gst_rtsp_url_free (url);
  if (media == NULL)
    return;
  pool = gst_rtsp_server_get_thread_pool (self->server);
  thread = gst_rtsp_thread_pool_get_thread (pool, GST_RTSP_THREAD_TYPE_MEDIA,
                                            NULL);
  if (!gst_rtsp_media_prepare (media, thread))
    {
      g_warning ("Cannot prepare the viewers' media of %s",
                 sc_stream_hub_get_stream (hub));
      return;
    }
  sc_stream_hub_set_play_media (hub, media);
  GST_INFO ("viewers' media of %s prepared", sc_stream_hub_get_stream (hub));
}

static gboolean
unprepare_idle (gpointer data)
{
  gst_rtsp_media_unprepare (data);
  return G_SOURCE_REMOVE;
}

/* A new publisher's tracks differ from the old one's: the viewers' media
 * built for the old ones goes (its viewers reconnect). */
static void
on_hub_stale (ScStreamHub *hub, GstRTSPMedia *media, gpointer data)
{
  g_message ("Stream %s changed its tracks: its viewers' media is rebuilt",
             sc_stream_hub_get_stream (hub));
  g_main_context_invoke_full (((ScIngest *)data)->context, G_PRIORITY_DEFAULT,
                              unprepare_idle, media, g_object_unref);
}

static void
on_hub_ready (ScStreamHub *hub, gpointer data)
{
  ScIngest *self = data;
  g_autoptr (GTask) task = g_task_new (self, NULL, NULL, NULL);

  g_task_set_task_data (task, g_object_ref (hub), g_object_unref);
  g_task_run_in_thread (task, prewarm_thread);
}

/**
 * sc_ingest_lookup_hub:
 *
 * Returns: (transfer full) (nullable): the hub of @stream, if it has one
 */
ScStreamHub *
sc_ingest_lookup_hub (ScIngest *self, const char *stream)
{
  ScStreamHub *hub;

  g_mutex_lock (&self->lock);
  hub = g_hash_table_lookup (self->hubs, stream);
  if (hub != NULL)
    g_object_ref (hub);
  g_mutex_unlock (&self->lock);
  return hub;
}

/**
 * sc_ingest_ref_hub:
 *
 * Returns: (transfer full): the hub of @stream, made if missing
 */
ScStreamHub *
sc_ingest_ref_hub (ScIngest *self, const char *stream)
{
  ScStreamHub *hub;

  g_mutex_lock (&self->lock);
  hub = g_hash_table_lookup (self->hubs, stream);
  if (hub == NULL)
    {
      ScSlotRules rules = sc_ingest_get_slot_rules (self);

      hub = sc_stream_hub_new (stream, self->clock, &rules, on_hub_ready,
                               on_hub_stale, self);
      g_hash_table_insert (self->hubs, g_strdup (stream), hub);
    }
  g_object_ref (hub);
  g_mutex_unlock (&self->lock);
  return hub;
}

/**
 * sc_ingest_dup_url:
 * @scheme: "rtsp" or "rtmp"
 *
 * Returns: (transfer full): this node's public URL of @path
 */
char *
sc_ingest_dup_url (ScIngest *self, const char *scheme, const char *path)
{
  guint16 port = g_str_equal (scheme, "rtmp") ? sc_ingest_get_rtmp_port (self)
                                              : self->port;

  return g_strdup_printf ("%s://%s:%u%s", scheme, self->settings->public_host,
                          port, path);
}

/**
 * sc_ingest_admit:
 *
 * Asks the admission function about @token for @stream on this node, now.
 */
ScAdmitResult
sc_ingest_admit (ScIngest *self, const char *stream, const char *token,
                 ScAdmissionRole role, ScReservation **out_reservation,
                 char **out_reason)
{
  ScAdmissionRequest request = {
    .token = token,
    .stream = stream,
    .node = self->settings->node_name,
    .role = role,
    .admit_early_us = self->settings->admit_early_s * SC_USEC_PER_SEC,
    .now_us = sc_clock_now_us (self->clock),
  };
  g_autofree char *reason = NULL;

  /* Admission functions always give a reason. */
  return self->admit (&request, out_reservation,
                      out_reason != NULL ? out_reason : &reason,
                      self->admit_data);
}

/**
 * sc_ingest_fragment:
 *
 * Returns: (transfer full): the pipeline fragment @name for track @n with
 *   payload type @pt
 */
char *
sc_ingest_fragment (ScIngest *self, const char *name, guint n, guint pt)
{
  const char *text = g_hash_table_lookup (self->fragments, name);
  g_autofree char *ns = g_strdup_printf ("%u", n);
  g_autofree char *pts = g_strdup_printf ("%u", pt);
  g_auto (GStrv) a = NULL;
  g_autofree char *with_n = NULL;
  g_auto (GStrv) b = NULL;

  g_assert (text != NULL); /* names are fixed at build time */
  a = g_strsplit (text, "{n}", -1);
  with_n = g_strjoinv (ns, a);
  b = g_strsplit (with_n, "{pt}", -1);
  return g_strjoinv (pts, b);
}

/**
 * sc_ingest_get_direct_send:
 *
 * Returns: whether viewers over TCP are sent to by an #ScFanout
 *   (`[rtsp] direct-send`)
 */
gboolean
sc_ingest_get_direct_send (ScIngest *self)
{
  return self->settings->rtsp_direct_send;
}
