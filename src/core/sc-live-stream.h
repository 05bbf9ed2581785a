/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "sc-admission.h"

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/**
 * ScLiveStream:
 *
 * What an ingest reports about one stream with a publisher (GET
 * /api/v1/streams): live once viewers can get its media.
 */
typedef struct
{
  char *stream;
  char *reservation_id;
  char *node;
  char *publisher;         /* the publisher's address */
  gint64 owner_id;         /* the reservation's owner */
  gboolean private_stream; /* viewers need the view token */
  gint64 since_us;
  guint64 bitrate; /* bits/s, last second */
  guint64 bytes_in;
  guint viewers;
  gboolean live; /* viewers get media; FALSE while admitted before start */
} ScLiveStream;

void sc_live_stream_free (ScLiveStream *self);
void sc_live_stream_to_json (const ScLiveStream *self, JsonBuilder *b,
                             gboolean full);
ScLiveStream *sc_live_stream_from_json (JsonObject *object, const char *node);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScLiveStream, sc_live_stream_free)

/**
 * ScRefusal:
 *
 * One publisher or viewer the ingest refused (GET /api/v1/streams).
 */
typedef struct
{
  gint64 at_us;
  ScAdmitResult reason;
  const char *protocol; /* static: "rtsp" or "rtmp" */
  const char *role;     /* static: "publish" or "view" */
  char *stream;         /* as asked, valid UTF-8, at most 64 bytes */
  char *address;
} ScRefusal;

void sc_refusal_free (ScRefusal *self);
void sc_refusal_to_json (const ScRefusal *self, JsonBuilder *b);
ScRefusal *sc_refusal_from_json (JsonObject *object);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScRefusal, sc_refusal_free)

/**
 * ScLiveSource:
 *
 * How the booking service asks the ingest of its process what is live.
 * Both functions are thread-safe.
 */
typedef struct
{
  GPtrArray *(*dup_live) (gpointer data); /* element-type ScLiveStream */
  guint64 (*get_refusals) (gpointer data, ScAdmitResult reason);
  /* element-type ScRefusal, newest first, at or after since_us */
  GPtrArray *(*dup_refusals) (gpointer data, gint64 since_us);
  gpointer data;
} ScLiveSource;

G_END_DECLS
