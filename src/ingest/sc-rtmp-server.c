/* SPDX-License-Identifier: LGPL-2.1-or-later */

/**
 * ScRtmpServer:
 *
 * The RTMP listener of an ingest node: a #GSocketService that makes one
 * #ScRtmpSession per accepted connection, at most max_per_address at once
 * from one address (the next ones are closed at once), and closes sessions
 * that time out (checked every second).
 *
 * Lives on the main context it was started on, as do its sessions.
 */

#include "config.h"

#include "sc-rtmp-server.h"

#include "sc-ingest-private.h"

#define BACKLOG 1024

struct _ScRtmpServer
{
  GObject parent_instance;

  ScIngest *ingest; /* owns the server */
  char *bind;
  guint max_per_address;
  ScRtmpLimits limits;

  GSocketService *service;
  guint16 port;
  guint tick_id;
  GHashTable *sessions;    /* ScRtmpSession set, owned */
  GHashTable *per_address; /* address → count */
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
  g_hash_table_unref (self->sessions);
  g_hash_table_unref (self->per_address);
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
  self->per_address
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

/**
 * sc_rtmp_server_new:
 * @bind: the address to listen on
 *
 * Returns: (transfer full): a server, not listening yet
 */
ScRtmpServer *
sc_rtmp_server_new (ScIngest *ingest, const char *bind, guint max_per_address,
                    const ScRtmpLimits *limits)
{
  ScRtmpServer *self = g_object_new (SC_TYPE_RTMP_SERVER, NULL);

  self->ingest = ingest;
  self->bind = g_strdup (bind);
  self->max_per_address = max_per_address;
  self->limits = *limits;
  return self;
}

static void
release_address (ScRtmpServer *self, const char *address)
{
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (self->per_address, address));

  if (n <= 1)
    g_hash_table_remove (self->per_address, address);
  else
    g_hash_table_insert (self->per_address, g_strdup (address),
                         GUINT_TO_POINTER (n - 1));
}

static void
on_session_closed (ScRtmpSession *session, gpointer data)
{
  ScRtmpServer *self = data;

  release_address (self, sc_rtmp_session_get_address (session));
  g_signal_handlers_disconnect_by_data (session, self);
  g_hash_table_remove (self->sessions, session);
}

static gboolean
on_incoming (GSocketService *service, GSocketConnection *connection,
             GObject *source, gpointer data)
{
  ScRtmpServer *self = data;
  g_autoptr (GSocketAddress) remote
      = g_socket_connection_get_remote_address (connection, NULL);
  g_autofree char *address = NULL;
  ScRtmpSession *session;
  guint n;

  if (remote == NULL || !G_IS_INET_SOCKET_ADDRESS (remote))
    return TRUE;
  address = g_inet_address_to_string (
      g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (remote)));
  n = GPOINTER_TO_UINT (g_hash_table_lookup (self->per_address, address));
  if (n >= self->max_per_address)
    {
      g_message ("RTMP connection from %s refused: already %u from there",
                 address, n);
      g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
      return TRUE;
    }
  g_hash_table_insert (self->per_address, g_strdup (address),
                       GUINT_TO_POINTER (n + 1));
  session
      = sc_rtmp_session_new (self->ingest, connection, address, &self->limits);
  g_hash_table_add (self->sessions, session);
  g_signal_connect (session, "closed", G_CALLBACK (on_session_closed), self);
  sc_rtmp_session_start (session);
  return TRUE;
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
  g_autoptr (GInetAddress) inet = g_inet_address_new_from_string (self->bind);
  g_autoptr (GSocketAddress) address = NULL;
  g_autoptr (GSocketAddress) effective = NULL;

  g_return_val_if_fail (self->service == NULL, FALSE);

  if (inet == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Cannot listen for RTMP on \"%s\": not an IP address",
                   self->bind);
      return FALSE;
    }
  address = g_inet_socket_address_new (inet, port);
  self->service = g_socket_service_new ();
  g_socket_listener_set_backlog (G_SOCKET_LISTENER (self->service), BACKLOG);
  if (!g_socket_listener_add_address (
          G_SOCKET_LISTENER (self->service), address, G_SOCKET_TYPE_STREAM,
          G_SOCKET_PROTOCOL_TCP, NULL, &effective, error))
    {
      g_prefix_error (
          error, "Cannot listen for RTMP on %s port %d: ", self->bind, port);
      g_clear_object (&self->service);
      return FALSE;
    }
  self->port
      = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  g_signal_connect (self->service, "incoming", G_CALLBACK (on_incoming), self);
  g_socket_service_start (self->service);
  self->tick_id = g_timeout_add_seconds (1, tick, self);
  return TRUE;
}

guint16
sc_rtmp_server_get_port (ScRtmpServer *self)
{
  return self->port;
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

  g_clear_handle_id (&self->tick_id, g_source_remove);
  if (self->service == NULL)
    return;
  g_socket_service_stop (self->service);
  g_socket_listener_close (G_SOCKET_LISTENER (self->service));
  g_clear_object (&self->service);
  sessions = dup_sessions (self);
  for (guint i = 0; i < sessions->len; i++)
    sc_rtmp_session_close (sessions->pdata[i], "server stops");
}
