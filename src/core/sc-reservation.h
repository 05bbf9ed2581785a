/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

#include "sc-token.h"

G_BEGIN_DECLS

typedef enum
{
  SC_VISIBILITY_PUBLIC,
  SC_VISIBILITY_PRIVATE,
} ScVisibility;

typedef enum
{
  SC_RESERVATION_BOOKED,
  SC_RESERVATION_CANCELLED,
} ScReservationState;

/**
 * ScReservation:
 *
 * One row of the reservations table, without secrets, with the owner's and
 * the node's names joined in. A plain record: fields are read directly.
 */
typedef struct
{
  char *id;
  gint64 owner_id;
  char *owner;
  gint64 node_id;
  char *node;
  char *stream;
  gint64 start_us;
  gint64 end_us;
  ScVisibility visibility;
  ScReservationState state;
  gint64 created_us;
  gint64 cancelled_us; /* 0 while booked */
} ScReservation;

ScReservation *sc_reservation_copy (const ScReservation *self);
void sc_reservation_free (ScReservation *self);

const char *sc_visibility_to_string (ScVisibility visibility);
gboolean sc_visibility_from_string (const char *text, ScVisibility *out);
const char *sc_reservation_state_to_string (ScReservationState state);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScReservation, sc_reservation_free)

/**
 * ScReservationEntry:
 *
 * What an ingest node keeps of one of its reservations to admit without
 * asking: the reservation and its tokens' SHA-256 (never the tokens), and
 * the change number (sc_db_feed_changes()) it was read at.
 */
typedef struct
{
  ScReservation *reservation;
  guint8 publish_hash[SC_TOKEN_HASH_LEN];
  guint8 view_hash[SC_TOKEN_HASH_LEN];
  gboolean has_view_hash; /* private reservations only */
  gint64 seq;
} ScReservationEntry;

ScReservationEntry *sc_reservation_entry_copy (const ScReservationEntry *self);
void sc_reservation_entry_free (ScReservationEntry *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScReservationEntry, sc_reservation_entry_free)

/**
 * ScTicketSecrets:
 *
 * The tokens of one reservation, in clear. Only ever in memory, on the way
 * to the broadcaster; freed with their memory wiped.
 */
typedef struct
{
  char *publish_token;
  char *view_token; /* NULL for a public reservation */
} ScTicketSecrets;

void sc_ticket_secrets_free (ScTicketSecrets *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScTicketSecrets, sc_ticket_secrets_free)

G_END_DECLS
