/* SPDX-License-Identifier: LGPL-2.1-or-later */

/**
 * ScRtspThreadPool:
 *
 * The RTSP server's thread pool: the default one, which also notes on each
 * client the main context that runs it, so that sc_rtsp_close_client() can
 * close a client there. Closing it from another thread races the client's
 * own reading and closing in gst-rtsp-server 1.22 (GLib criticals on freed
 * streams and sources, seen when a publisher was cut, or left, as the
 * server cut it or stopped).
 */

#include "config.h"

#include "sc-rtsp-threads.h"

#define CONTEXT_KEY "sc-client-context"

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

/**
 * sc_rtsp_thread_pool_new:
 *
 * Returns: (transfer full): a pool for gst_rtsp_server_set_thread_pool()
 */
GstRTSPThreadPool *
sc_rtsp_thread_pool_new (void)
{
  return g_object_new (SC_TYPE_RTSP_THREAD_POOL, NULL);
}
