/* SPDX-License-Identifier: LGPL-2.1-or-later */

/**
 * ScRtspServer:
 *
 * A #GstRTSPServer whose connections are #ScRtspClient. Its create_client
 * wires a client the way the default one does (session pool, mount points,
 * auth, thread pool, content length limit).
 *
 * Its thread pool remembers which main context runs each client, so that
 * sc_rtsp_close_client() can close a client there: closing it from
 * another thread races the client's own reading and closing in
 * gst-rtsp-server 1.22 (GLib criticals on freed streams and sources, seen
 * when a publisher was cut, or left, as the server cut it or stopped).
 */

#include "config.h"

#include "sc-rtsp-server.h"

#include "sc-rtsp-client.h"

#include <netinet/in.h>
#include <netinet/tcp.h>

struct _ScRtspServer
{
  GstRTSPServer parent_instance;

  ScIngest *ingest; /* weak */
};

G_DEFINE_FINAL_TYPE (ScRtspServer, sc_rtsp_server, GST_TYPE_RTSP_SERVER)

#define CONTEXT_KEY "sc-client-context"

/* The thread pool: the default one, plus a note on each client of the
 * context it runs on. */
#define SC_TYPE_RTSP_THREAD_POOL (sc_rtsp_thread_pool_get_type ())
G_DECLARE_FINAL_TYPE (ScRtspThreadPool, sc_rtsp_thread_pool, SC,
                      RTSP_THREAD_POOL, GstRTSPThreadPool)

struct _ScRtspThreadPool
{
  GstRTSPThreadPool parent_instance;
};

G_DEFINE_FINAL_TYPE (ScRtspThreadPool, sc_rtsp_thread_pool,
                     GST_TYPE_RTSP_THREAD_POOL)

static GstRTSPThread *
sc_rtsp_thread_pool_get_thread (GstRTSPThreadPool *pool, GstRTSPThreadType type,
                                GstRTSPContext *ctx)
{
  GstRTSPThread *thread
      = GST_RTSP_THREAD_POOL_CLASS (sc_rtsp_thread_pool_parent_class)
            ->get_thread (pool, type, ctx);

  if (thread != NULL && type == GST_RTSP_THREAD_TYPE_CLIENT && ctx != NULL
      && ctx->client != NULL)
    g_object_set_data_full (G_OBJECT (ctx->client), CONTEXT_KEY,
                            g_main_context_ref (thread->context),
                            (GDestroyNotify)g_main_context_unref);
  return thread;
}

static void
sc_rtsp_thread_pool_class_init (ScRtspThreadPoolClass *klass)
{
  GST_RTSP_THREAD_POOL_CLASS (klass)->get_thread
      = sc_rtsp_thread_pool_get_thread;
}

static void
sc_rtsp_thread_pool_init (ScRtspThreadPool *self)
{
}

static gboolean
close_in_own_context (gpointer data)
{
  gst_rtsp_client_close (data);
  return G_SOURCE_REMOVE;
}

/**
 * sc_rtsp_close_client:
 *
 * Closes @client on the main context that runs it (any thread may ask);
 * it emits #GstRTSPClient::closed there.
 */
void
sc_rtsp_close_client (GstRTSPClient *client)
{
  GMainContext *context = g_object_get_data (G_OBJECT (client), CONTEXT_KEY);

  if (context == NULL)
    {
      gst_rtsp_client_close (client);
      return;
    }
  g_main_context_invoke_full (context, G_PRIORITY_DEFAULT, close_in_own_context,
                              g_object_ref (client), g_object_unref);
}

/**
 * sc_rtsp_close_client_later:
 *
 * Like sc_rtsp_close_client(), but never before returning, even on the
 * client's own thread: for callers inside gst-rtsp-server's sending, whose
 * lock the close takes.
 */
void
sc_rtsp_close_client_later (GstRTSPClient *client)
{
  GMainContext *context = g_object_get_data (G_OBJECT (client), CONTEXT_KEY);
  GSource *idle = g_idle_source_new ();

  g_source_set_callback (idle, close_in_own_context, g_object_ref (client),
                         g_object_unref);
  g_source_attach (idle, context);
  g_source_unref (idle);
}

static GstRTSPClient *
sc_rtsp_server_create_client (GstRTSPServer *server)
{
  ScRtspServer *self = SC_RTSP_SERVER (server);
  GstRTSPClient *client = GST_RTSP_CLIENT (sc_rtsp_client_new (self->ingest));
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

/* Interleaved RTP goes out in small writes: without TCP_NODELAY, Nagle
 * holds each one until the previous is acknowledged, and with delayed ACKs
 * that is tens of milliseconds per frame. */
static void
on_client_connected (GstRTSPServer *server, GstRTSPClient *client,
                     gpointer data)
{
  GstRTSPConnection *conn = gst_rtsp_client_get_connection (client);
  GSocket *socket = conn ? gst_rtsp_connection_get_read_socket (conn) : NULL;

  if (socket != NULL)
    g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
}

static void
sc_rtsp_server_finalize (GObject *object)
{
  g_clear_weak_pointer (&SC_RTSP_SERVER (object)->ingest);
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
sc_rtsp_server_new (ScIngest *ingest)
{
  ScRtspServer *self = g_object_new (SC_TYPE_RTSP_SERVER, NULL);
  g_autoptr (GstRTSPThreadPool) pool
      = g_object_new (SC_TYPE_RTSP_THREAD_POOL, NULL);

  gst_rtsp_server_set_thread_pool (GST_RTSP_SERVER (self), pool);
  g_set_weak_pointer (&self->ingest, ingest);
  return self;
}
