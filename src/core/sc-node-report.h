/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "sc-live-stream.h"

G_BEGIN_DECLS

#define SC_NODE_REPORT_ERROR (sc_node_report_error_quark ())
GQuark sc_node_report_error_quark (void);

typedef enum
{
  SC_NODE_REPORT_ERROR_INVALID,
} ScNodeReportError;

/* Bounds of one report, as the reader takes it. */
#define SC_NODE_REPORT_MAX_STREAMS 1024
#define SC_NODE_REPORT_MAX_REFUSALS 256

/**
 * ScNodeReport:
 *
 * What an ingest node that runs apart says is live on it: the body of
 * `POST /api/v1/ingest/streams`.
 */
typedef struct
{
  GPtrArray *streams;  /* element-type ScLiveStream */
  GPtrArray *refusals; /* element-type ScRefusal, newest first */
  guint64 refused[SC_ADMIT_N_RESULTS];
} ScNodeReport;

ScNodeReport *sc_node_report_new (void);
void sc_node_report_free (ScNodeReport *self);
JsonNode *sc_node_report_to_json (const ScNodeReport *self);
ScNodeReport *sc_node_report_from_json (JsonObject *object, const char *node,
                                        GError **error);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScNodeReport, sc_node_report_free)

G_END_DECLS
