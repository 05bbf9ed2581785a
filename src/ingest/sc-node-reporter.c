/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * ScNodeReporter: an ingest node that runs apart (`slotcast ingest`) tells
 * the booking service what is live on it, so that its /api/v1/streams, its
 * /metrics and the web UI's live panel show this node's streams too. Every
 * interval it POSTs the form of GET /api/v1/streams (streams with the
 * publisher's address and reservation, refusal counts, the last hour's
 * refusals) to /api/v1/ingest/streams with the node key. The booking
 * service forgets a node that stops reporting after a few seconds.
 *
 * Belongs to the thread-default main context at creation; one request at a
 * time (a tick while one is out is skipped), nothing blocks.
 */

#include "config.h"

#include "sc-node-reporter.h"

#include "sc-clock.h"
#include "sc-ingest-private.h"
#include "sc-live-stream.h"

#include <libsoup/soup.h>
#include <string.h>

#define TIMEOUT_S 5
#define RECENT_US (3600 * SC_USEC_PER_SEC)
/* Keeps a report well under the booking service's body limit. */
#define MAX_REFUSALS 100

struct _ScNodeReporter
{
  ScIngest *ingest;
  SoupSession *session;
  GCancellable *cancellable;
  char *url;
  char *auth_header;
  guint timer_id;
  gboolean in_flight;
  gboolean failing; /* the last report failed: warn once, not every tick */
};

static GBytes *
build_report (ScNodeReporter *self)
{
  g_autoptr (JsonBuilder) b = json_builder_new_immutable ();
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GPtrArray) live = sc_ingest_dup_live (self->ingest);
  g_autoptr (GPtrArray) recent = NULL;
  gint64 now_us = sc_ingest_now_us (self->ingest);
  gsize len;
  char *text;

  recent = sc_ingest_dup_refusals (self->ingest, now_us - RECENT_US);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "streams");
  json_builder_begin_array (b);
  for (guint i = 0; i < live->len; i++)
    sc_live_stream_to_json (g_ptr_array_index (live, i), b, TRUE);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "refused");
  json_builder_begin_object (b);
  for (int r = SC_ADMIT_OK + 1; r < SC_ADMIT_N_RESULTS; r++)
    {
      json_builder_set_member_name (b, sc_admit_result_to_string (r));
      json_builder_add_int_value (b, sc_ingest_get_refusals (self->ingest, r));
    }
  json_builder_end_object (b);
  json_builder_set_member_name (b, "recent_refusals");
  json_builder_begin_array (b);
  for (guint i = 0; i < MIN (recent->len, MAX_REFUSALS); i++)
    sc_refusal_to_json (g_ptr_array_index (recent, i), b);
  json_builder_end_array (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  text = json_generator_to_data (gen, &len);
  return g_bytes_new_take (text, len);
}

static void
on_reported (GObject *source, GAsyncResult *result, gpointer data)
{
  ScNodeReporter *self = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) answer = soup_session_send_and_read_finish (
      SOUP_SESSION (source), result, &error);
  SoupMessage *msg;
  guint status;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return; /* freed meanwhile */
  self->in_flight = FALSE;
  msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  status = msg != NULL ? soup_message_get_status (msg) : 0;
  if (answer != NULL && status == SOUP_STATUS_NO_CONTENT)
    {
      if (self->failing)
        g_message ("Reporting live streams to the booking service again");
      self->failing = FALSE;
      return;
    }
  if (!self->failing)
    g_warning ("Cannot report live streams to the booking service: %s",
               error != NULL ? error->message
                             : soup_status_get_phrase (status));
  self->failing = TRUE;
}

static gboolean
on_tick (gpointer data)
{
  ScNodeReporter *self = data;
  g_autoptr (SoupMessage) msg = NULL;
  g_autoptr (GBytes) body = NULL;

  if (self->in_flight)
    return G_SOURCE_CONTINUE;
  msg = soup_message_new ("POST", self->url);
  body = build_report (self);
  soup_message_headers_replace (soup_message_get_request_headers (msg),
                                "Authorization", self->auth_header);
  soup_message_set_request_body_from_bytes (msg, "application/json", body);
  self->in_flight = TRUE;
  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT,
                                    self->cancellable, on_reported, self);
  return G_SOURCE_CONTINUE;
}

/**
 * sc_node_reporter_new:
 * @booking_url: e.g. "https://booking.example:8080"
 *
 * Starts reporting @ingest's live streams every @interval_ms, the first
 * time at once.
 *
 * Returns: (transfer full): the reporter; free it before @ingest
 */
ScNodeReporter *
sc_node_reporter_new (const char *booking_url, const char *node_key,
                      ScIngest *ingest, guint interval_ms)
{
  ScNodeReporter *self = g_new0 (ScNodeReporter, 1);
  size_t len = strlen (booking_url);

  while (len > 0 && booking_url[len - 1] == '/')
    len--;
  self->ingest = g_object_ref (ingest);
  self->session = soup_session_new_with_options ("timeout", TIMEOUT_S, NULL);
  self->cancellable = g_cancellable_new ();
  self->url
      = g_strdup_printf ("%.*s/api/v1/ingest/streams", (int)len, booking_url);
  self->auth_header = g_strconcat ("Bearer ", node_key, NULL);
  self->timer_id = g_timeout_add (interval_ms, on_tick, self);
  on_tick (self);
  return self;
}

void
sc_node_reporter_free (ScNodeReporter *self)
{
  if (self == NULL)
    return;
  g_clear_handle_id (&self->timer_id, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->session);
  g_clear_object (&self->ingest);
  g_free (self->url);
  g_free (self->auth_header);
  g_free (self);
}
