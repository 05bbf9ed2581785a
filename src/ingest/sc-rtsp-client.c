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
 * Runs on the client's own context (thread pool); the approval is
 * protected by @lock.
 */

#include "config.h"

#include "sc-rtsp-client.h"

#include "sc-ingest-private.h"

#include <string.h>

struct _ScRtspClient
{
  GstRTSPClient parent_instance;

  ScIngest *ingest; /* weak: the ingest outlives its clients */

  GMutex lock;
  char *stream;               /* protected by lock */
  ScReservation *reservation; /* protected by lock */
  char *token;                /* protected by lock */
};

G_DEFINE_FINAL_TYPE (ScRtspClient, sc_rtsp_client, GST_TYPE_RTSP_CLIENT)

static char *
sc_rtsp_client_make_path_from_uri (GstRTSPClient *client, const GstRTSPUrl *uri)
{
  const char *control = uri->query ? strchr (uri->query, '/') : NULL;

  return g_strconcat (uri->abspath, control, NULL);
}

static void
sc_rtsp_client_finalize (GObject *object)
{
  ScRtspClient *self = SC_RTSP_CLIENT (object);

  g_clear_weak_pointer (&self->ingest);
  g_free (self->stream);
  g_free (self->token);
  g_clear_pointer (&self->reservation, sc_reservation_free);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (sc_rtsp_client_parent_class)->finalize (object);
}

static void
sc_rtsp_client_class_init (ScRtspClientClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sc_rtsp_client_finalize;
  GST_RTSP_CLIENT_CLASS (klass)->make_path_from_uri
      = sc_rtsp_client_make_path_from_uri;
}

static void
sc_rtsp_client_init (ScRtspClient *self)
{
  g_mutex_init (&self->lock);
}

/**
 * sc_rtsp_client_new:
 *
 * Returns: (transfer full): a client of @ingest
 */
ScRtspClient *
sc_rtsp_client_new (ScIngest *ingest)
{
  ScRtspClient *self = g_object_new (SC_TYPE_RTSP_CLIENT, NULL);

  g_set_weak_pointer (&self->ingest, ingest);
  return self;
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
