/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "sc-reservation.h"

G_BEGIN_DECLS

/**
 * ScBookingBody:
 *
 * A booking as a client asks for it: the body of
 * `POST /api/v1/reservations` (docs/API.md).
 */
typedef struct
{
  char *stream;
  gint64 start_us;
  gint64 end_us;
  ScVisibility visibility; /* public when not given */
  char *node;              /* nullable: the server picks one */
  char *owner;             /* nullable: the caller */
} ScBookingBody;

JsonNode *sc_booking_body_to_json (const ScBookingBody *self);
ScBookingBody *sc_booking_body_from_json (JsonObject *object, GError **error);
void sc_booking_body_free (ScBookingBody *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScBookingBody, sc_booking_body_free)

G_END_DECLS
