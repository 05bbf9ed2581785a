/* SPDX-License-Identifier: LGPL-2.1-or-later */

/**
 * ScRtspClient:
 *
 * An RTSP connection of the ingest. Two things differ from
 * #GstRTSPClient:
 *
 * - the lookup path drops the query (`?token=…`): stock 1.22 keeps it and
 *   answers 404 to SETUP. ffmpeg puts the control after the query
 *   (`/live/a?token=T/streamid=0`), rtspclientsink before it
 *   (`/live/a/stream=0?token=T`); both become `/live/a/stream…`.
 * - it remembers what ScRtspAuth admitted on this connection (stream,
 *   token, reservation), because viewers send the token on
 *   DESCRIBE only.
 *
 * - a viewer that plays a stream's shared media interleaved in its RTSP
 *   connection (tunnelled in HTTP or not) is served by the media's
 *   #ScFanout, the only sender to interleaved viewers of such a media:
 *   from its PLAY the client's outgoing messages go through the fanout's
 *   viewer, so that they never split a packet.
 *
 * Runs on the client's own context (thread pool); the approval and the
 * viewer are protected by @lock.
 */

#include "config.h"

#include "sc-rtsp-client.h"

#include "sc-fanout.h"
#include "sc-rtsp-threads.h"

#include <string.h>

GST_DEBUG_CATEGORY_STATIC (sc_rtsp_client_debug);
#define GST_CAT_DEFAULT sc_rtsp_client_debug

struct _ScRtspClient
{
  GstRTSPClient parent_instance;

  GMutex lock;
  char *stream;               /* protected by lock */
  ScReservation *reservation; /* protected by lock */
  char *token;                /* protected by lock */

  ScFanoutViewer *viewer;  /* protected by lock */
  ScFanout *fanout;        /* protected by lock; the one serving viewer */
  GstRTSPSession *session; /* protected by lock; kept from expiring */
};

G_DEFINE_FINAL_TYPE (ScRtspClient, sc_rtsp_client, GST_TYPE_RTSP_CLIENT)

static char *
sc_rtsp_client_make_path_from_uri (GstRTSPClient *client, const GstRTSPUrl *uri)
{
  const char *control = uri->query ? strchr (uri->query, '/') : NULL;

  return g_strconcat (uri->abspath, control, NULL);
}

static ScFanoutViewer *
dup_viewer (ScRtspClient *self)
{
  ScFanoutViewer *v;

  g_mutex_lock (&self->lock);
  v = self->viewer ? sc_fanout_viewer_ref (self->viewer) : NULL;
  g_mutex_unlock (&self->lock);
  return v;
}

/* Everything the client sends, once its viewer is served by a fanout: its
 * answers, in order with the packets. A failed connection is closed. */
static gboolean
send_through_viewer (GstRTSPClient *client, GstRTSPMessage *messages, guint n,
                     gboolean close, gpointer data)
{
  g_autoptr (ScFanoutViewer) v = dup_viewer (SC_RTSP_CLIENT (client));
  gboolean ok = v != NULL && sc_fanout_viewer_send_messages (v, messages, n);

  if (close || !ok)
    sc_rtsp_close_client_later (client);
  return TRUE;
}

static void
on_viewer_failed (ScFanoutViewer *viewer, gpointer data)
{
  g_autoptr (GstRTSPClient) client = g_weak_ref_get (data);

  if (client != NULL)
    sc_rtsp_close_client_later (client);
}

static void
free_weak_ref (gpointer data)
{
  g_weak_ref_clear (data);
  g_free (data);
}

static gboolean
is_interleaved (GstRTSPStreamTransport *trans)
{
  return trans != NULL
         && gst_rtsp_stream_transport_get_transport (trans)->lower_transport
                == GST_RTSP_LOWER_TRANS_TCP;
}

/* Whether one of @transports is interleaved. */
static gboolean
any_interleaved (GPtrArray *transports)
{
  for (guint i = 0; i < transports->len; i++)
    if (is_interleaved (g_ptr_array_index (transports, i)))
      return TRUE;
  return FALSE;
}

/* Before a PLAY is answered: a viewer of a shared media receiving a stream
 * interleaved is handed to the media's fanout, which starts sending once
 * the answer is written. Streams it receives over UDP stay with
 * gst-rtsp-server's UDP sinks. */
static GstRTSPStatusCode
sc_rtsp_client_pre_play_request (GstRTSPClient *client, GstRTSPContext *ctx)
{
  ScRtspClient *self = SC_RTSP_CLIENT (client);
  ScFanout *fanout = ctx->media ? sc_fanout_of (G_OBJECT (ctx->media)) : NULL;
  GstRTSPConnection *conn = gst_rtsp_client_get_connection (client);
  g_autoptr (GPtrArray) transports = NULL;
  g_autoptr (ScFanoutViewer) v = NULL;
  g_autoptr (GError) error = NULL;
  gboolean install = FALSE;

  if (fanout == NULL || ctx->sessmedia == NULL || ctx->session == NULL)
    return GST_RTSP_STS_OK;
  transports = gst_rtsp_session_media_get_transports (ctx->sessmedia);
  if (!any_interleaved (transports))
    return GST_RTSP_STS_OK;
  if (conn == NULL)
    return GST_RTSP_STS_INTERNAL_SERVER_ERROR;

  g_mutex_lock (&self->lock);
  if (self->viewer == NULL)
    {
      GWeakRef *ref = g_new0 (GWeakRef, 1);

      self->viewer = sc_fanout_viewer_new (
          gst_rtsp_connection_get_write_socket (conn), &error);
      if (self->viewer == NULL)
        {
          g_mutex_unlock (&self->lock);
          g_free (ref);
          GST_WARNING ("viewer refused: %s", error->message);
          return GST_RTSP_STS_INTERNAL_SERVER_ERROR;
        }
      g_weak_ref_init (ref, client);
      sc_fanout_viewer_set_failed_func (self->viewer, on_viewer_failed, ref,
                                        free_weak_ref);
      self->fanout = sc_fanout_ref (fanout);
      self->session = g_object_ref (ctx->session);
      gst_rtsp_session_prevent_expire (self->session);
      install = TRUE;
    }
  else if (self->fanout != fanout
           && !sc_fanout_viewer_is_playing (self->viewer))
    {
      /* Another stream on this connection, the first one paused. */
      sc_fanout_remove (self->fanout, self->viewer);
      sc_fanout_viewer_reset_channels (self->viewer);
      sc_fanout_unref (self->fanout);
      self->fanout = sc_fanout_ref (fanout);
    }
  if (self->fanout == fanout)
    v = sc_fanout_viewer_ref (self->viewer);
  g_mutex_unlock (&self->lock);
  /* Two streams playing interleaved on one connection at once would need
   * their writes ordered between two fanouts; no client we know of does
   * that. */
  if (v == NULL)
    {
      GST_WARNING ("a connection plays one stream interleaved at a time");
      return GST_RTSP_STS_UNSUPPORTED_TRANSPORT;
    }

  for (guint i = 0; i < transports->len; i++)
    {
      GstRTSPStreamTransport *trans = g_ptr_array_index (transports, i);
      const GstRTSPTransport *t;

      if (!is_interleaved (trans))
        continue;
      t = gst_rtsp_stream_transport_get_transport (trans);
      sc_fanout_viewer_set_channels (
          v,
          gst_rtsp_stream_get_index (
              gst_rtsp_stream_transport_get_stream (trans)),
          t->interleaved.min, t->interleaved.max);
    }
  GST_INFO ("client %p (%s%s) plays through fanout %p", client,
            gst_rtsp_connection_get_ip (conn),
            gst_rtsp_connection_is_tunneled (conn) ? ", tunnelled" : "",
            fanout);
  sc_fanout_viewer_expect_play (v);
  if (install)
    gst_rtsp_client_set_send_messages_func (client, send_through_viewer, NULL,
                                            NULL);
  sc_fanout_add (fanout, v);
  return GST_RTSP_STS_OK;
}

static GstRTSPStatusCode
sc_rtsp_client_pre_pause_request (GstRTSPClient *client, GstRTSPContext *ctx)
{
  g_autoptr (ScFanoutViewer) v = dup_viewer (SC_RTSP_CLIENT (client));

  if (v != NULL)
    sc_fanout_viewer_set_playing (v, FALSE);
  return GST_RTSP_STS_OK;
}

/* Stops the fanout for this client; with @close, for good. */
static void
release_viewer (ScRtspClient *self, gboolean close)
{
  ScFanoutViewer *v;
  ScFanout *fanout;
  GstRTSPSession *session = NULL;

  g_mutex_lock (&self->lock);
  v = self->viewer ? sc_fanout_viewer_ref (self->viewer) : NULL;
  fanout = self->fanout ? sc_fanout_ref (self->fanout) : NULL;
  if (close)
    {
      g_clear_pointer (&self->viewer, sc_fanout_viewer_unref);
      g_clear_pointer (&self->fanout, sc_fanout_unref);
      session = g_steal_pointer (&self->session);
    }
  g_mutex_unlock (&self->lock);

  if (v != NULL)
    {
      sc_fanout_viewer_set_playing (v, FALSE);
      sc_fanout_remove (fanout, v);
      if (close)
        sc_fanout_viewer_close (v);
      sc_fanout_viewer_unref (v);
      sc_fanout_unref (fanout);
    }
  if (session != NULL)
    {
      gst_rtsp_session_allow_expire (session);
      g_object_unref (session);
    }
}

static void
sc_rtsp_client_teardown_request (GstRTSPClient *client, GstRTSPContext *ctx)
{
  release_viewer (SC_RTSP_CLIENT (client), FALSE);
}

static void
sc_rtsp_client_closed (GstRTSPClient *client)
{
  release_viewer (SC_RTSP_CLIENT (client), TRUE);
  if (GST_RTSP_CLIENT_CLASS (sc_rtsp_client_parent_class)->closed != NULL)
    GST_RTSP_CLIENT_CLASS (sc_rtsp_client_parent_class)->closed (client);
}

static void
sc_rtsp_client_finalize (GObject *object)
{
  ScRtspClient *self = SC_RTSP_CLIENT (object);

  release_viewer (self, TRUE);
  g_free (self->stream);
  g_free (self->token);
  g_clear_pointer (&self->reservation, sc_reservation_free);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (sc_rtsp_client_parent_class)->finalize (object);
}

static void
sc_rtsp_client_class_init (ScRtspClientClass *klass)
{
  GstRTSPClientClass *client_class = GST_RTSP_CLIENT_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = sc_rtsp_client_finalize;
  client_class->make_path_from_uri = sc_rtsp_client_make_path_from_uri;
  client_class->pre_play_request = sc_rtsp_client_pre_play_request;
  client_class->pre_pause_request = sc_rtsp_client_pre_pause_request;
  client_class->teardown_request = sc_rtsp_client_teardown_request;
  client_class->closed = sc_rtsp_client_closed;
  GST_DEBUG_CATEGORY_INIT (sc_rtsp_client_debug, "slotcast-rtsp-client", 0,
                           "Slotcast RTSP connections");
}

static void
sc_rtsp_client_init (ScRtspClient *self)
{
  g_mutex_init (&self->lock);
}

/**
 * sc_rtsp_client_new:
 *
 * Returns: (transfer full): a client, for gst_rtsp_server_transfer_connection()
 */
ScRtspClient *
sc_rtsp_client_new (void)
{
  return g_object_new (SC_TYPE_RTSP_CLIENT, NULL);
}

/**
 * sc_rtsp_client_approve:
 * @token: (nullable): the token admitted, kept to re-check the reservation
 *
 * Remembers that this connection was admitted for @stream.
 */
void
sc_rtsp_client_approve (ScRtspClient *self, const char *stream,
                        const char *token, const ScReservation *reservation)
{
  g_mutex_lock (&self->lock);
  g_free (self->token);
  self->token = g_strdup (token);
  g_free (self->stream);
  self->stream = g_strdup (stream);
  g_clear_pointer (&self->reservation, sc_reservation_free);
  self->reservation = reservation ? sc_reservation_copy (reservation) : NULL;
  g_mutex_unlock (&self->lock);
}

/**
 * sc_rtsp_client_is_approved:
 *
 * Returns: whether this connection was admitted for @stream
 */
gboolean
sc_rtsp_client_is_approved (ScRtspClient *self, const char *stream)
{
  gboolean approved;

  g_mutex_lock (&self->lock);
  approved = g_strcmp0 (self->stream, stream) == 0;
  g_mutex_unlock (&self->lock);
  return approved;
}

/**
 * sc_rtsp_client_dup_reservation:
 *
 * Returns: (transfer full) (nullable): the reservation admitted
 */
ScReservation *
sc_rtsp_client_dup_reservation (ScRtspClient *self)
{
  ScReservation *r;

  g_mutex_lock (&self->lock);
  r = self->reservation ? sc_reservation_copy (self->reservation) : NULL;
  g_mutex_unlock (&self->lock);
  return r;
}

/**
 * sc_rtsp_client_dup_token:
 *
 * Returns: (transfer full) (nullable): the token this connection was
 *   admitted with
 */
char *
sc_rtsp_client_dup_token (ScRtspClient *self)
{
  char *token;

  g_mutex_lock (&self->lock);
  token = g_strdup (self->token);
  g_mutex_unlock (&self->lock);
  return token;
}
