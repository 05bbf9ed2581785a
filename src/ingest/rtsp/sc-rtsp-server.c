/* SPDX-License-Identifier: LGPL-2.1-or-later */

/**
 * ScRtspServer:
 *
 * A #GstRTSPServer whose connections are #ScRtspClient. Its create_client
 * wires a client the way the default one does (session pool, mount points,
 * auth, thread pool, content length limit).
 *
 * It listens through an #ScListener (limits in all and per address, a
 * pause when out of descriptors instead of gst-rtsp-server's busy loop) and
 * hands each accepted socket to gst-rtsp-server with
 * gst_rtsp_server_transfer_connection(). A client waits (it may be dropped
 * for room, the oldest first, and is dropped at `[rtsp] setup-timeout-s`)
 * until it plays or records.
 *
 * Its thread pool is an #ScRtspThreadPool (sc_rtsp_close_client()).
 */

#include "config.h"

#include "sc-rtsp-server.h"

#include "sc-rtsp-client.h"
#include "sc-rtsp-threads.h"
#include "sc-listener.h"

#include <netinet/in.h>
#include <netinet/tcp.h>

struct _ScRtspServer
{
  GstRTSPServer parent_instance;

  ScListener *listener;
  GMainContext *context;       /* the listener's */
  struct _Accepted *accepting; /* during transfer_connection() */
};

/* A connection the listener accepted, for as long as gst-rtsp-server has
 * it. Only touched on the listener's context. */
typedef struct _Accepted
{
  GMainContext *context; /* the listener's */
  ScListenerConn *slot;  /* NULL once released or dropped */
  GSocketConnection *connection;
  GWeakRef client; /* GstRTSPClient; a GWeakRef, since the client
                    * goes on its own thread */
} Accepted;

G_DEFINE_FINAL_TYPE (ScRtspServer, sc_rtsp_server, GST_TYPE_RTSP_SERVER)

static GstRTSPClient *
sc_rtsp_server_create_client (GstRTSPServer *server)
{
  GstRTSPClient *client = GST_RTSP_CLIENT (sc_rtsp_client_new ());
  g_autoptr (GstRTSPSessionPool) pool
      = gst_rtsp_server_get_session_pool (server);
  g_autoptr (GstRTSPMountPoints) mounts
      = gst_rtsp_server_get_mount_points (server);
  g_autoptr (GstRTSPAuth) auth = gst_rtsp_server_get_auth (server);
  g_autoptr (GstRTSPThreadPool) threads
      = gst_rtsp_server_get_thread_pool (server);

  gst_rtsp_client_set_session_pool (client, pool);
  gst_rtsp_client_set_mount_points (client, mounts);
  gst_rtsp_client_set_auth (client, auth);
  gst_rtsp_client_set_thread_pool (client, threads);
  gst_rtsp_client_set_content_length_limit (
      client, gst_rtsp_server_get_content_length_limit (server));
  return client;
}

static void
accepted_free (Accepted *a)
{
  if (a->slot != NULL)
    sc_listener_conn_release (a->slot);
  g_weak_ref_clear (&a->client);
  g_clear_object (&a->connection);
  g_main_context_unref (a->context);
  g_free (a);
}

static gboolean
on_closed_main (gpointer data)
{
  accepted_free (data);
  return G_SOURCE_REMOVE;
}

/* On the client's thread: the connection is over. */
static void
on_client_closed (GstRTSPClient *client, gpointer data)
{
  Accepted *a = data;

  g_signal_handlers_disconnect_by_data (client, a);
  g_main_context_invoke (a->context, on_closed_main, a);
}

static gboolean
on_busy_main (gpointer data)
{
  Accepted *a = data;

  if (a->slot != NULL)
    sc_listener_conn_busy (a->slot, 0); /* its session's own time-out */
  return G_SOURCE_REMOVE;
}

/* On the client's thread: it plays or records; never dropped for room. The
 * record lives until its "closed" handler hops to the same context, so it
 * outlives this call. */
static void
on_client_active (GstRTSPClient *client, GstRTSPContext *ctx, gpointer data)
{
  Accepted *a = data;

  g_main_context_invoke (a->context, on_busy_main, a);
}

/* The listener drops a client that did not start in time, or to make room. */
static void
on_dropped (gpointer data)
{
  Accepted *a = data;
  g_autoptr (GstRTSPClient) client = g_weak_ref_get (&a->client);

  a->slot = NULL;
  if (client != NULL)
    sc_rtsp_close_client (client);
  else
    g_socket_close (g_socket_connection_get_socket (a->connection), NULL);
}

static void
on_accept (ScListenerConn *slot, GSocketConnection *connection,
           const char *address, gpointer data)
{
  ScRtspServer *self = data;
  g_autoptr (GSocketAddress) remote
      = g_socket_connection_get_remote_address (connection, NULL);
  GSocket *socket = g_socket_connection_get_socket (connection);
  Accepted *a = g_new0 (Accepted, 1);

  a->context = g_main_context_ref (self->context);
  g_weak_ref_init (&a->client, NULL);
  a->slot = slot;
  a->connection = g_object_ref (connection);
  sc_listener_conn_set_data (slot, on_dropped, a);
  self->accepting = a;
  if (remote == NULL
      || !gst_rtsp_server_transfer_connection (
          GST_RTSP_SERVER (self), g_object_ref (socket), address,
          g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (remote)),
          NULL))
    {
      g_debug ("RTSP: cannot serve a connection from %s", address);
      g_socket_close (socket, NULL);
      if (self->accepting != NULL)
        accepted_free (a);
    }
  self->accepting = NULL;
}

/* Runs inside gst_rtsp_server_transfer_connection(), on the listener's
 * context, before the client is attached to its own.
 *
 * Interleaved RTP goes out in small writes: without TCP_NODELAY, Nagle
 * holds each one until the previous is acknowledged, and with delayed ACKs
 * that is tens of milliseconds per frame. */
static void
on_client_connected (GstRTSPServer *server, GstRTSPClient *client,
                     gpointer data)
{
  ScRtspServer *self = SC_RTSP_SERVER (server);
  GstRTSPConnection *conn = gst_rtsp_client_get_connection (client);
  GSocket *socket = conn ? gst_rtsp_connection_get_read_socket (conn) : NULL;
  Accepted *a = g_steal_pointer (&self->accepting);

  if (socket != NULL)
    g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
  if (a == NULL)
    return;
  g_weak_ref_set (&a->client, client);
  g_signal_connect (client, "closed", G_CALLBACK (on_client_closed), a);
  g_signal_connect (client, "play-request", G_CALLBACK (on_client_active), a);
  g_signal_connect (client, "record-request", G_CALLBACK (on_client_active), a);
}

/**
 * sc_rtsp_server_listen:
 * @port: 0 picks a free one
 *
 * Listens on the thread-default main context.
 */
gboolean
sc_rtsp_server_listen (ScRtspServer *self, const char *bind, int port,
                       const ScListenerLimits *limits, GError **error)
{
  g_return_val_if_fail (self->listener == NULL, FALSE);

  self->context = g_main_context_ref_thread_default ();
  self->listener = sc_listener_new ("RTSP", limits, on_accept, self);
  if (!sc_listener_listen (self->listener, bind, port, error))
    {
      g_clear_object (&self->listener);
      return FALSE;
    }
  return TRUE;
}

guint16
sc_rtsp_server_get_port (ScRtspServer *self)
{
  return self->listener != NULL ? sc_listener_get_port (self->listener) : 0;
}

/**
 * sc_rtsp_server_close:
 *
 * Stops listening; the clients stay (close them with
 * sc_rtsp_close_client()).
 */
void
sc_rtsp_server_close (ScRtspServer *self)
{
  if (self->listener != NULL)
    sc_listener_close (self->listener);
  g_clear_object (&self->listener);
}

static void
sc_rtsp_server_finalize (GObject *object)
{
  ScRtspServer *self = SC_RTSP_SERVER (object);

  sc_rtsp_server_close (self);
  g_clear_pointer (&self->context, g_main_context_unref);
  G_OBJECT_CLASS (sc_rtsp_server_parent_class)->finalize (object);
}

static void
sc_rtsp_server_class_init (ScRtspServerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sc_rtsp_server_finalize;
  GST_RTSP_SERVER_CLASS (klass)->create_client = sc_rtsp_server_create_client;
}

static void
sc_rtsp_server_init (ScRtspServer *self)
{
  g_signal_connect (self, "client-connected", G_CALLBACK (on_client_connected),
                    NULL);
}

ScRtspServer *
sc_rtsp_server_new (void)
{
  ScRtspServer *self = g_object_new (SC_TYPE_RTSP_SERVER, NULL);
  g_autoptr (GstRTSPThreadPool) pool = sc_rtsp_thread_pool_new ();

  gst_rtsp_server_set_thread_pool (GST_RTSP_SERVER (self), pool);
  return self;
}
