/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * ScReservation and ScTicketSecrets: plain records passed from ScDb to the
 * edges (HTTP, ingest). They belong to whoever holds them.
 */

#include "config.h"

#include "sc-reservation.h"

#include "sc-live-stream.h"

#include <openssl/crypto.h>
#include <string.h>

/**
 * sc_reservation_copy:
 *
 * Returns: (transfer full): a deep copy of @self
 */
ScReservation *
sc_reservation_copy (const ScReservation *self)
{
  ScReservation *copy = g_memdup2 (self, sizeof *self);

  copy->id = g_strdup (self->id);
  copy->owner = g_strdup (self->owner);
  copy->node = g_strdup (self->node);
  copy->stream = g_strdup (self->stream);
  return copy;
}

void
sc_reservation_free (ScReservation *self)
{
  if (self == NULL)
    return;
  g_free (self->id);
  g_free (self->owner);
  g_free (self->node);
  g_free (self->stream);
  g_free (self);
}

/**
 * sc_reservation_entry_copy:
 *
 * Returns: (transfer full): a deep copy of @self
 */
ScReservationEntry *
sc_reservation_entry_copy (const ScReservationEntry *self)
{
  ScReservationEntry *copy = g_memdup2 (self, sizeof *self);

  copy->reservation = sc_reservation_copy (self->reservation);
  return copy;
}

void
sc_reservation_entry_free (ScReservationEntry *self)
{
  if (self == NULL)
    return;
  sc_reservation_free (self->reservation);
  g_free (self);
}

const char *
sc_visibility_to_string (ScVisibility visibility)
{
  return visibility == SC_VISIBILITY_PRIVATE ? "private" : "public";
}

gboolean
sc_visibility_from_string (const char *text, ScVisibility *out)
{
  if (g_strcmp0 (text, "public") == 0)
    *out = SC_VISIBILITY_PUBLIC;
  else if (g_strcmp0 (text, "private") == 0)
    *out = SC_VISIBILITY_PRIVATE;
  else
    return FALSE;
  return TRUE;
}

const char *
sc_reservation_state_to_string (ScReservationState state)
{
  return state == SC_RESERVATION_CANCELLED ? "cancelled" : "booked";
}

static void
wipe_free (char *secret)
{
  if (secret == NULL)
    return;
  OPENSSL_cleanse (secret, strlen (secret));
  g_free (secret);
}

void
sc_ticket_secrets_free (ScTicketSecrets *self)
{
  if (self == NULL)
    return;
  wipe_free (self->publish_token);
  wipe_free (self->view_token);
  g_free (self);
}
