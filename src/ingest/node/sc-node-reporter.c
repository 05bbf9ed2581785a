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
#include "sc-node-report.h"

#include <libsoup/soup.h>
#include <string.h>
#define RECENT_US (3600 * SC_USEC_PER_SEC)
/* Keeps a report well under the booking service's body limit. */
#define MAX_REFUSALS 100

struct _ScNodeReporter
{
  ScLiveSource source; /* valid as long as the reporter */
  ScClock *clock;
  ScApiClient *client;
  GCancellable *cancellable;
  GSource *timer; /* on the thread-default context of _new() */
  gboolean in_flight;
  gboolean failing; /* the last report failed: warn once, not every tick */
};

static GBytes *
build_report (ScNodeReporter *self)
{
  g_autoptr (ScNodeReport) report = sc_node_report_new ();
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GPtrArray) live = self->source.dup_live (self->source.data);
  g_autoptr (GPtrArray) recent = NULL;
  gint64 now_us = sc_clock_now_us (self->clock);
  gsize len;
  char *text;

  recent = self->source.dup_refusals (self->source.data, now_us - RECENT_US);
  g_ptr_array_extend_and_steal (report->streams, g_steal_pointer (&live));
  for (guint i = 0; i < MIN (recent->len, MAX_REFUSALS); i++)
    g_ptr_array_add (report->refusals,
                     g_steal_pointer (&g_ptr_array_index (recent, i)));
  for (int r = SC_ADMIT_OK + 1; r < SC_ADMIT_N_RESULTS; r++)
    report->refused[r] = self->source.get_refusals (self->source.data, r);
  root = sc_node_report_to_json (report);
  json_generator_set_root (gen, root);
  text = json_generator_to_data (gen, &len);
  return g_bytes_new_take (text, len);
}

static void
on_reported (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (GError) error = NULL;
  guint status = 0;
  g_autoptr (GBytes) answer = sc_api_client_call_finish (
      SC_API_CLIENT (source), result, &status, &error);
  ScNodeReporter *self = data;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return; /* freed meanwhile */
  self->in_flight = FALSE;
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
  g_autoptr (GBytes) body = NULL;

  if (self->in_flight)
    return G_SOURCE_CONTINUE;
  body = build_report (self);
  self->in_flight = TRUE;
  sc_api_client_call_async (self->client, "POST", "/api/v1/ingest/streams",
                            body, self->cancellable, on_reported, self);
  return G_SOURCE_CONTINUE;
}

/**
 * sc_node_reporter_new:
 * @client: the booking service, with this node's key
 *
 * @source: what is live (sc_ingest_get_live_source())
 *
 * Starts reporting @source's live streams every @interval_ms, the first
 * time at once.
 *
 * Returns: (transfer full): the reporter; free it before @source's ingest
 */
ScNodeReporter *
sc_node_reporter_new (ScApiClient *client, const ScLiveSource *source,
                      ScClock *clock, guint interval_ms)
{
  ScNodeReporter *self = g_new0 (ScNodeReporter, 1);
  g_autoptr (GMainContext) context = g_main_context_ref_thread_default ();

  self->source = *source;
  self->clock = g_object_ref (clock);
  self->client = g_object_ref (client);
  self->cancellable = g_cancellable_new ();
  self->timer = g_timeout_source_new (interval_ms);
  g_source_set_callback (self->timer, on_tick, self, NULL);
  g_source_attach (self->timer, context);
  on_tick (self);
  return self;
}

void
sc_node_reporter_free (ScNodeReporter *self)
{
  if (self == NULL)
    return;
  g_source_destroy (self->timer);
  g_source_unref (self->timer);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->client);
  g_clear_object (&self->clock);
  g_free (self);
}
