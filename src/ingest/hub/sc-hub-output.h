/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

#include "sc-reservation.h"

G_BEGIN_DECLS

typedef struct _ScStreamHub ScStreamHub;

/**
 * ScHubOutputKind:
 * @name: a static name, for logs ("rtsp-play")
 * @attach: makes this kind's output for a new hub; returns it (%NULL: no
 *   output of this kind for that hub). Called once per hub, on the thread
 *   that made the hub, before any media; @hub outlives the output.
 * @ready: every track of the live publisher has its caps (after a new
 *   publisher, or a change of tracks): the output may build what consumes
 *   them. Called on the publisher's streaming thread: must not block.
 * @stale: the track layout changed (another number of tracks, another
 *   codec): whatever was built for the old layout must go; its consumers
 *   reconnect. Called on the publisher's streaming thread: must not block.
 * @tick: about every 250 ms, on the ingest's main context: @live is the
 *   reservation of the live publisher, %NULL when nobody publishes. The
 *   output frees what nobody uses and cuts consumers @live does not admit
 *   (private streams).
 * @count_viewers: (nullable): how many consume the stream now; any thread
 * @serves: (nullable): whether a consumer that comes now gets media at once
 *   (for /api/v1/streams' `live`); any thread. %NULL: always.
 * @detach: the hub goes: the last call.
 *
 * One way out of a stream hub (RTSP PLAY now; HLS and recording next). A
 * kind is registered once with the #ScHubRegistry (sc_hub_registry_add_kind)
 * and every hub then gets its own output of each kind.
 *
 * Buffers: an output that consumes media builds a pipeline with one
 * #GstAppSrc per track and hands them to sc_stream_hub_add_sink(). The hub
 * pushes each track's buffers there (memory shared, never copied; times
 * mapped into the appsrc's pipeline through the system clock) while that
 * pipeline is PLAYING and the slot shows media, from the publisher's
 * streaming thread. Outputs cost nothing while nobody consumes them: an
 * output with no sink, or whose sinks it paused while it has no consumer
 * (sc_stream_hub_pause_sinks()), costs the publisher nothing.
 *
 * No callback is called with the hub's lock held: an output may call any
 * sc_stream_hub_*() function from them.
 */
typedef struct
{
  const char *name;
  gpointer (*attach) (ScStreamHub *hub, gpointer kind_data);
  void (*ready) (gpointer output);
  void (*stale) (gpointer output);
  void (*tick) (gpointer output, const ScReservation *live);
  guint (*count_viewers) (gpointer output);
  gboolean (*serves) (gpointer output);
  void (*detach) (gpointer output);
} ScHubOutputKind;

G_END_DECLS
