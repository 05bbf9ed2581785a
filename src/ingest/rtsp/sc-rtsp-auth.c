/* SPDX-License-Identifier: LGPL-2.1-or-later */

/**
 * ScRtspAuth:
 *
 * Admission to the RTSP ingest, decided where gst-rtsp-server asks
 * (GST_RTSP_AUTH_CHECK_MEDIA_FACTORY_ACCESS: DESCRIBE, ANNOUNCE, SETUP),
 * before any pipeline is built.
 *
 * - Publishers (ANNOUNCE/RECORD) need the publish token of a reservation of
 *   this stream on this node, open now (sc_admission_decide()). No token:
 *   401 with `WWW-Authenticate: Basic`, so clients that cannot put a query
 *   in a URL retry with the token as password; any other refusal: 403 with
 *   the reason in the status line.
 * - Viewers get 404 when the stream is not live, 503 while its first data
 *   has not arrived, and need the view token when it is private.
 *
 * What was admitted is remembered on the #ScRtspClient, since viewers
 * send the token on DESCRIBE only. Runs on client threads; holds no state
 * of its own.
 */

#include "config.h"

#include "sc-rtsp-auth.h"

#include "sc-rtsp-client.h"
#include "sc-rtsp-mounts.h"
#include "sc-rtsp-play.h"

#include "sc-clock.h"

#include <string.h>

struct _ScRtspAuth
{
  GstRTSPAuth parent_instance;

  ScGate *gate;
  ScHubRegistry *hubs;
  ScRtspMounts *mounts;
};

G_DEFINE_FINAL_TYPE (ScRtspAuth, sc_rtsp_auth, GST_TYPE_RTSP_AUTH)

/**
 * sc_rtsp_token_from_request:
 *
 * The token from the `token` query parameter (ffmpeg's trailing
 * `/streamid=N` cut off), else from Basic credentials' password.
 *
 * Returns: (transfer full) (nullable): the token
 */
char *
sc_rtsp_token_from_request (const GstRTSPUrl *uri, GstRTSPMessage *request)
{
  char *auth = NULL;

  if (uri->query != NULL)
    {
      g_auto (GStrv) params = g_strsplit (uri->query, "&", 16);

      for (char **p = params; *p != NULL; p++)
        if (g_str_has_prefix (*p, "token="))
          return g_strndup (*p + 6, strcspn (*p + 6, "/"));
    }
  if (request != NULL
      && gst_rtsp_message_get_header (request, GST_RTSP_HDR_AUTHORIZATION,
                                      &auth, 0)
             == GST_RTSP_OK
      && g_ascii_strncasecmp (auth, "Basic ", 6) == 0)
    {
      gsize len = 0;
      g_autofree guchar *raw = g_base64_decode (auth + 6, &len);
      g_autofree char *text = g_strndup ((const char *)raw, len);
      const char *colon = strchr (text, ':');

      if (colon != NULL && colon[1] != '\0')
        return g_strdup (colon + 1);
    }
  return NULL;
}

static gboolean
refuse (GstRTSPContext *ctx, GstRTSPStatusCode code, const char *reason)
{
  g_autofree char *phrase
      = g_strdup_printf ("%s: %s", gst_rtsp_status_as_text (code), reason);

  gst_rtsp_message_init_response (ctx->response, code, phrase, ctx->request);
  if (code == GST_RTSP_STS_UNAUTHORIZED)
    gst_rtsp_message_add_header (ctx->response, GST_RTSP_HDR_WWW_AUTHENTICATE,
                                 "Basic realm=\"slotcast\"");
  gst_rtsp_client_send_message (ctx->client, ctx->session, ctx->response);
  return FALSE;
}

static const char *
peer (GstRTSPContext *ctx)
{
  const char *ip = ctx->conn ? gst_rtsp_connection_get_ip (ctx->conn) : NULL;

  return ip ? ip : "?";
}

/* Counts, logs and answers an admission refusal. */
static gboolean
refuse_admission (ScRtspAuth *self, GstRTSPContext *ctx, const char *who,
                  const char *stream, ScAdmitResult result, const char *reason)
{
  if (sc_gate_count_refusal (self->gate, result, "rtsp",
                             strcmp (who, "publisher") == 0 ? "publish"
                                                            : "view",
                             stream, peer (ctx)))
    g_message ("Refused %s of %s from %s: %s", who, stream, peer (ctx), reason);
  return refuse (ctx,
                 result == SC_ADMIT_MISSING_TOKEN ? GST_RTSP_STS_UNAUTHORIZED
                                                  : GST_RTSP_STS_FORBIDDEN,
                 reason);
}

static gboolean
check_publisher (ScRtspAuth *self, GstRTSPContext *ctx, const char *stream)
{
  g_autofree char *token = sc_rtsp_token_from_request (ctx->uri, ctx->request);
  g_autofree char *reason = NULL;
  g_autoptr (ScReservation) r = NULL;
  ScAdmitResult result = sc_gate_admit (self->gate, stream, token,
                                        SC_ADMISSION_PUBLISH, &r, &reason);

  if (result != SC_ADMIT_OK)
    return refuse_admission (self, ctx, "publisher", stream, result, reason);
  g_message ("Admitted publisher of %s (reservation %s) from %s", stream, r->id,
             peer (ctx));
  sc_rtsp_client_approve (SC_RTSP_CLIENT (ctx->client), stream, token, r);
  return TRUE;
}

/* A viewer of a stream that is not live: 503 with when it starts if it is
 * booked here and not started yet (its publisher may already be in, held
 * back until the start), else 404. Not counted as a refusal: nobody was
 * turned away from anything that exists. */
static gboolean
refuse_not_live (ScRtspAuth *self, GstRTSPContext *ctx, const char *stream,
                 ScStreamHub *hub)
{
  g_autoptr (ScReservation) r
      = hub != NULL ? sc_stream_hub_dup_reservation (hub) : NULL;
  g_autofree char *reason = NULL;
  gint64 now_us = sc_gate_now_us (self->gate);
  const ScSlotRules *rules = sc_gate_get_rules (self->gate);

  if (r != NULL && !sc_slot_has_started (sc_slot_phase (r, now_us, rules))
      && r->visibility != SC_VISIBILITY_PRIVATE)
    {
      g_autofree char *in = sc_duration_describe (r->start_us - now_us);
      g_autofree char *at = sc_time_format_us (r->start_us);

      reason = g_strdup_printf ("stream starts in %s (%s)", in, at);
    }
  else if (r == NULL
           && sc_gate_admit (self->gate, stream, NULL, SC_ADMISSION_SCHEDULE,
                             NULL, &reason)
                  != SC_ADMIT_TOO_EARLY)
    g_clear_pointer (&reason, g_free);
  if (reason != NULL)
    return refuse (ctx, GST_RTSP_STS_SERVICE_UNAVAILABLE, reason);
  return refuse (ctx, GST_RTSP_STS_NOT_FOUND, "stream is not live");
}

static gboolean
check_viewer (ScRtspAuth *self, GstRTSPContext *ctx, const char *stream)
{
  g_autoptr (ScStreamHub) hub = sc_hub_registry_lookup (self->hubs, stream);
  g_autoptr (ScReservation) live = NULL;

  if (hub == NULL || !sc_stream_hub_is_live (hub))
    return refuse_not_live (self, ctx, stream, hub);
  live = sc_stream_hub_dup_reservation (hub);
  if (live != NULL && live->visibility == SC_VISIBILITY_PRIVATE)
    {
      g_autofree char *token
          = sc_rtsp_token_from_request (ctx->uri, ctx->request);
      g_autofree char *reason = NULL;
      g_autoptr (ScReservation) r = NULL;
      ScAdmitResult result = sc_gate_admit (self->gate, stream, token,
                                            SC_ADMISSION_VIEW, &r, &reason);

      if (result == SC_ADMIT_OK && g_strcmp0 (r->id, live->id) != 0)
        {
          result = SC_ADMIT_WRONG_STREAM;
          g_free (reason);
          reason = g_strdup ("token is for another reservation");
        }
      if (result != SC_ADMIT_OK)
        return refuse_admission (self, ctx, "viewer", stream, result, reason);
    }
  /* Never wait here: this thread may also carry the publisher whose data
   * the stream waits for. /api/v1/streams lists a stream once it is ready. */
  if (!sc_stream_hub_is_ready (hub))
    return refuse (ctx, GST_RTSP_STS_SERVICE_UNAVAILABLE,
                   "stream is starting, try again");
  sc_rtsp_client_approve (SC_RTSP_CLIENT (ctx->client), stream, NULL, live);
  sc_rtsp_play_add_viewer (sc_rtsp_play_of (hub), ctx->client);
  return TRUE;
}

static gboolean
sc_rtsp_auth_check (GstRTSPAuth *auth, GstRTSPContext *ctx, const char *check)
{
  ScRtspAuth *self = SC_RTSP_AUTH (auth);
  g_autofree char *stream = NULL;

  /* Every request's URL is checked first: mount the stream's factory
   * there, before gst-rtsp-server looks the path up. */
  if (strcmp (check, GST_RTSP_AUTH_CHECK_URL) == 0)
    {
      if (ctx->uri == NULL
          || (stream = sc_rtsp_stream_from_path (ctx->uri->abspath)) == NULL
          || sc_rtsp_mounts_mount_if_booked (self->mounts, stream))
        return TRUE;
      /* Not booked here, so not mounted: say why rather than a bare 404. */
      if (ctx->method == GST_RTSP_ANNOUNCE)
        return check_publisher (self, ctx, stream)
               && (sc_rtsp_mounts_ensure (self->mounts, stream), TRUE);
      if (ctx->method == GST_RTSP_DESCRIBE)
        return refuse_not_live (self, ctx, stream, NULL);
      return TRUE;
    }
  if (strcmp (check, GST_RTSP_AUTH_CHECK_MEDIA_FACTORY_ACCESS) != 0)
    return TRUE;
  if (ctx->uri == NULL
      || (stream = sc_rtsp_stream_from_path (ctx->uri->abspath)) == NULL)
    return refuse (ctx, GST_RTSP_STS_NOT_FOUND, "no such stream");

  switch (ctx->method)
    {
      case GST_RTSP_ANNOUNCE:
        return check_publisher (self, ctx, stream);
      case GST_RTSP_DESCRIBE:
        return check_viewer (self, ctx, stream);
      default:
        /* SETUP, PLAY, RECORD: on a connection admitted before, or a viewer
         * that skips DESCRIBE. */
        if (sc_rtsp_client_is_approved (SC_RTSP_CLIENT (ctx->client), stream))
          return TRUE;
        return check_viewer (self, ctx, stream);
    }
}

static void
sc_rtsp_auth_finalize (GObject *object)
{
  ScRtspAuth *self = SC_RTSP_AUTH (object);

  g_clear_object (&self->gate);
  g_clear_object (&self->hubs);
  g_clear_object (&self->mounts);
  G_OBJECT_CLASS (sc_rtsp_auth_parent_class)->finalize (object);
}

static void
sc_rtsp_auth_class_init (ScRtspAuthClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sc_rtsp_auth_finalize;
  GST_RTSP_AUTH_CLASS (klass)->check = sc_rtsp_auth_check;
}

static void
sc_rtsp_auth_init (ScRtspAuth *self)
{
}

/**
 * sc_rtsp_auth_new:
 * @gate: decides admissions
 * @hubs: the streams' hubs (live or not, ready or not)
 * @mounts: where a booked stream is mounted before its lookup
 *
 * Returns: (transfer full): the RTSP server's auth
 */
ScRtspAuth *
sc_rtsp_auth_new (ScGate *gate, ScHubRegistry *hubs, ScRtspMounts *mounts)
{
  ScRtspAuth *self = g_object_new (SC_TYPE_RTSP_AUTH, NULL);

  self->gate = g_object_ref (gate);
  self->hubs = g_object_ref (hubs);
  self->mounts = g_object_ref (mounts);
  return self;
}
