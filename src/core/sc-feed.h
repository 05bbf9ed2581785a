/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "sc-reservation.h"

G_BEGIN_DECLS

#define SC_FEED_ERROR (sc_feed_error_quark ())
GQuark sc_feed_error_quark (void);

typedef enum
{
  SC_FEED_ERROR_INVALID,
} ScFeedError;

/* The most reservations one page carries. */
#define SC_FEED_PAGE_MAX 500

/**
 * ScFeedPage:
 *
 * One answer of `GET /api/v1/ingest/reservations`: a page of a node's
 * reservations with their tokens' hashes. A snapshot lists the booked
 * reservations that have not ended (@next_page: where the next page
 * starts, %NULL on the last); otherwise @entries are the changes after the
 * cursor asked for, in order, booked or cancelled. Either way, @cursor is
 * the change number to ask from next.
 */
typedef struct
{
  char *node;
  gboolean snapshot;
  gint64 cursor;
  char *next_page;   /* snapshot only; nullable */
  gboolean more;     /* changes only: more follow at once */
  int admit_early_s; /* the booking service's settings, for the record */
  int grace_s;
  GPtrArray *entries; /* ScReservationEntry */
} ScFeedPage;

ScFeedPage *sc_feed_page_new (void);
void sc_feed_page_free (ScFeedPage *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScFeedPage, sc_feed_page_free)

JsonNode *sc_feed_page_to_json (const ScFeedPage *self);
ScFeedPage *sc_feed_page_parse (const char *data, gsize len, GError **error);

char *sc_feed_page_token (gint64 cursor, const ScReservation *last);
gboolean sc_feed_page_token_parse (const char *text, gint64 *out_cursor,
                                   gint64 *out_start_us, char **out_id);

G_END_DECLS
