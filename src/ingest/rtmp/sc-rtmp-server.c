/* SPDX-License-Identifier: LGPL-2.1-or-later */

/**
 * ScRtmpServer:
 *
 * The RTMP listener of an ingest node: an #ScListener that makes one
 * #ScRtmpSession per accepted connection. A session waits (it may be
 * dropped to make room for another from its address, the oldest first)
 * until it publishes; sessions time out on their own (checked every
 * second). So half-done handshakes from an address shared with a publisher
 * (NAT) never lock the publisher out.
 *
 * Lives on the main context it was started on, as do its sessions.
 */

#include "config.h"

#include "sc-rtmp-server.h"

#include "sc-listener.h"

struct _ScRtmpServer
{
  GObject parent_instance;

  ScGate *gate;
  ScHubRegistry *hubs;
  char *bind;
  char *public_host;
  char *server_url; /* from start */
  char *play_base;  /* nullable */
  ScListenerLimits listener_limits;
  ScRtmpLimits limits;

  ScListener *listener;
  GSource *tick;        /* on the listener's context */
  ScReadySet *ready;    /* the sessions' sockets, on that context too */
  GHashTable *sessions; /* ScRtmpSession → its ScListenerConn, owned */
};

G_DEFINE_FINAL_TYPE (ScRtmpServer, sc_rtmp_server, G_TYPE_OBJECT)

static void
sc_rtmp_server_dispose (GObject *object)
{
  ScRtmpServer *self = SC_RTMP_SERVER (object);

  sc_rtmp_server_stop (self);
  G_OBJECT_CLASS (sc_rtmp_server_parent_class)->dispose (object);
}

static void
sc_rtmp_server_finalize (GObject *object)
{
  ScRtmpServer *self = SC_RTMP_SERVER (object);

  g_free (self->bind);
  g_free (self->public_host);
  g_free (self->server_url);
  g_free (self->play_base);
  g_clear_object (&self->gate);
  g_clear_object (&self->hubs);
  g_hash_table_unref (self->sessions);
  G_OBJECT_CLASS (sc_rtmp_server_parent_class)->finalize (object);
}

static void
sc_rtmp_server_class_init (ScRtmpServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sc_rtmp_server_dispose;
  object_class->finalize = sc_rtmp_server_finalize;
}

static void
sc_rtmp_server_init (ScRtmpServer *self)
{
  self->sessions = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
}

/**
 * sc_rtmp_server_new:
 * @gate: admits publishers
 * @hubs: where admitted publishers' streams go
 * @bind: the address to listen on
 * @public_host: the host name clients reach this node at, for the URLs
 *   told to them
 *
 * Returns: (transfer full): a server, not listening yet
 */
ScRtmpServer *
sc_rtmp_server_new (ScGate *gate, ScHubRegistry *hubs, const char *bind,
                    const char *public_host, guint max_connections,
                    guint max_per_address, const ScRtmpLimits *limits)
{
  ScRtmpServer *self = g_object_new (SC_TYPE_RTMP_SERVER, NULL);

  self->gate = g_object_ref (gate);
  self->hubs = g_object_ref (hubs);
  self->bind = g_strdup (bind);
  self->public_host = g_strdup (public_host);
  self->listener_limits.max_connections = max_connections;
  self->listener_limits.max_per_address = max_per_address;
  self->listener_limits.first_timeout_us = limits->setup_timeout_us;
  self->limits = *limits;
  return self;
}

static void
on_session_closed (ScRtmpSession *session, gpointer data)
{
  ScRtmpServer *self = data;
  ScListenerConn *slot = g_hash_table_lookup (self->sessions, session);

  if (slot != NULL)
    sc_listener_conn_release (slot);
  g_signal_handlers_disconnect_by_data (session, self);
  g_hash_table_remove (self->sessions, session);
}

static void
on_session_publishing (ScRtmpSession *session, gpointer data)
{
  ScRtmpServer *self = data;
  ScListenerConn *slot = g_hash_table_lookup (self->sessions, session);

  if (slot != NULL)
    sc_listener_conn_busy (slot, 0); /* the session's own time-outs */
}

/* The listener drops a session that waited too long or must make room. */
static void
on_dropped (gpointer data)
{
  ScRtmpSession *session = data;
  ScRtmpServer *self = g_object_get_data (G_OBJECT (session), "sc-server");

  g_hash_table_insert (self->sessions, g_object_ref (session), NULL);
  sc_rtmp_session_close (session, "dropped (timed out or room needed)");
}

static void
on_accept (ScListenerConn *slot, GSocketConnection *connection,
           const char *address, gpointer data)
{
  ScRtmpServer *self = data;
  ScRtmpSessionEnv env = {
    .gate = self->gate,
    .hubs = self->hubs,
    .ready = self->ready,
    .server_url = self->server_url,
    .play_base = self->play_base,
    .limits = self->limits,
  };
  ScRtmpSession *session = sc_rtmp_session_new (&env, connection, address);

  g_object_set_data (G_OBJECT (session), "sc-server", self);
  g_hash_table_insert (self->sessions, session, slot);
  sc_listener_conn_set_data (slot, on_dropped, session);
  g_signal_connect (session, "closed", G_CALLBACK (on_session_closed), self);
  g_signal_connect (session, "publishing", G_CALLBACK (on_session_publishing),
                    self);
  sc_rtmp_session_start (session);
}

/* Closing removes a session from the table: visit a snapshot instead,
 * each session kept alive. */
static GPtrArray *
dup_sessions (ScRtmpServer *self)
{
  GPtrArray *sessions = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, self->sessions);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (sessions, g_object_ref (key));
  return sessions;
}

static gboolean
tick (gpointer data)
{
  ScRtmpServer *self = data;
  gint64 now_us = g_get_monotonic_time ();
  g_autoptr (GPtrArray) sessions = dup_sessions (self);

  for (guint i = 0; i < sessions->len; i++)
    sc_rtmp_session_check_timeouts (sessions->pdata[i], now_us);
  return G_SOURCE_CONTINUE;
}

/**
 * sc_rtmp_server_start:
 * @port: 0 picks a free one
 *
 * Listens on the thread-default main context.
 */
gboolean
sc_rtmp_server_start (ScRtmpServer *self, int port, GError **error)
{
  g_return_val_if_fail (self->listener == NULL, FALSE);

  if ((self->ready = sc_ready_set_new (NULL, error)) == NULL)
    return FALSE;
  self->listener
      = sc_listener_new ("RTMP", &self->listener_limits, on_accept, self);
  if (!sc_listener_listen (self->listener, self->bind, port, error))
    {
      g_clear_object (&self->listener);
      g_clear_pointer (&self->ready, sc_ready_set_free);
      return FALSE;
    }
  g_free (self->server_url);
  self->server_url = g_strdup_printf ("rtmp://%s:%u/live", self->public_host,
                                      sc_listener_get_port (self->listener));
  {
    g_autoptr (GMainContext) context = g_main_context_ref_thread_default ();

    self->tick = g_timeout_source_new_seconds (1);
    g_source_set_callback (self->tick, tick, self, NULL);
    g_source_attach (self->tick, context);
  }
  return TRUE;
}

/**
 * sc_rtmp_server_set_play_base:
 * @play_base: (nullable): `rtsp://HOST:PORT`, where the streams play
 *
 * Tells clients that ask to play where to (RTMP only takes publishers).
 */
void
sc_rtmp_server_set_play_base (ScRtmpServer *self, const char *play_base)
{
  g_free (self->play_base);
  self->play_base = g_strdup (play_base);
}

guint16
sc_rtmp_server_get_port (ScRtmpServer *self)
{
  return self->listener != NULL ? sc_listener_get_port (self->listener) : 0;
}

guint
sc_rtmp_server_get_n_sessions (ScRtmpServer *self)
{
  return g_hash_table_size (self->sessions);
}

/**
 * sc_rtmp_server_stop:
 *
 * Stops listening and closes every connection.
 */
void
sc_rtmp_server_stop (ScRtmpServer *self)
{
  g_autoptr (GPtrArray) sessions = NULL;

  if (self->tick != NULL)
    g_source_destroy (self->tick);
  g_clear_pointer (&self->tick, g_source_unref);
  if (self->listener == NULL)
    return;
  sc_listener_close (self->listener);
  g_clear_object (&self->listener);
  sessions = dup_sessions (self);
  for (guint i = 0; i < sessions->len; i++)
    sc_rtmp_session_close (sessions->pdata[i], "server stops");
  g_clear_pointer (&self->ready, sc_ready_set_free);
}
