/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib-object.h>

#include "sc-booking.h"
#include "sc-reservation.h"
#include "sc-sealer.h"
#include "sc-settings.h"
#include "sc-token.h"
#include "sc-user.h"

G_BEGIN_DECLS

#define SC_DB_ERROR (sc_db_error_quark ())
GQuark sc_db_error_quark (void);

typedef enum
{
  SC_DB_ERROR_SQLITE,
  SC_DB_ERROR_SCHEMA,
  SC_DB_ERROR_EXISTS,
  SC_DB_ERROR_INVALID,
} ScDbError;

#define SC_TYPE_DB (sc_db_get_type ())
G_DECLARE_FINAL_TYPE (ScDb, sc_db, SC, DB, GObject)

/**
 * ScBookRequest:
 *
 * What a booking asks for, already checked against the name and window
 * rules (sc_booking_check_stream(), sc_booking_check_window()).
 */
typedef struct
{
  gint64 owner_id;
  const char *stream;
  gint64 start_us;
  gint64 end_us;
  ScVisibility visibility;
  const char *node; /* nullable: the node with the most free capacity */
  /* The owner's quota, checked in the booking's transaction; 0: none. */
  int max_open;         /* reservations booked and not ended */
  gint64 max_booked_us; /* their time still to come, in all */
  gint64 longest_us;    /* the longest a reservation may be */
} ScBookRequest;

ScDb *sc_db_open (const char *path, ScSynchronous synchronous, GError **error);
int sc_db_get_schema_version (ScDb *self);
gboolean sc_db_check_integrity (ScDb *self, GError **error);

gboolean sc_db_batch_begin (ScDb *self, GError **error);
gboolean sc_db_batch_commit (ScDb *self, GError **error);
gboolean sc_db_in_batch (ScDb *self);

gint64 sc_db_count_users (ScDb *self, GError **error);
char *sc_db_add_user (ScDb *self, const char *name, ScRole role,
                      const char *key, GError **error);
ScUser *sc_db_find_user_by_key (ScDb *self, const char *key, GError **error);
ScUser *sc_db_get_user (ScDb *self, const char *name, GError **error);
GPtrArray *sc_db_list_users (ScDb *self, GError **error);
gboolean sc_db_set_password (ScDb *self, const char *name,
                             const char *password_hash, GError **error);
ScUser *sc_db_get_user_password (ScDb *self, const char *name, char **out_hash,
                                 GError **error);
char *sc_db_add_session (ScDb *self, gint64 user_id, gint64 now_us,
                         gint64 expires_us, GError **error);
ScUser *sc_db_find_user_by_session (ScDb *self, const char *token,
                                    gint64 now_us, gint64 *out_expires_us,
                                    GError **error);
gboolean sc_db_delete_session (ScDb *self, const char *token, GError **error);
char *sc_db_add_ticket_link (ScDb *self, const char *reservation_id,
                             gint64 now_us, gint64 expires_us, GError **error);
char *sc_db_take_ticket_link (ScDb *self, const char *token, gint64 now_us,
                              GError **error);

gboolean sc_db_upsert_node (ScDb *self, const ScNode *node, GError **error);
char *sc_db_add_node (ScDb *self, const ScNode *node, GError **error);
ScNode *sc_db_get_node (ScDb *self, const char *name, GError **error);
ScNode *sc_db_find_node_by_key (ScDb *self, const char *key, GError **error);
GPtrArray *sc_db_list_nodes (ScDb *self, GError **error);

ScReservation *sc_db_book (ScDb *self, ScSealer *sealer,
                           const ScBookRequest *request, gint64 now_us,
                           ScTicketSecrets **out_secrets, ScNode **out_node,
                           GError **error);
ScReservation *sc_db_get_reservation (ScDb *self, const char *id,
                                      GError **error);
GPtrArray *sc_db_list_reservations (ScDb *self, gint64 owner_id, gint64 from_us,
                                    gint64 to_us, gboolean include_cancelled,
                                    int limit, GError **error);
ScTicketSecrets *sc_db_open_secrets (ScDb *self, ScSealer *sealer,
                                     const char *id, GError **error);
ScReservation *sc_db_cancel (ScDb *self, const char *id, gint64 now_us,
                             GError **error);
ScReservation *sc_db_find_by_token (ScDb *self, const char *token,
                                    gboolean *out_is_view, GError **error);
ScReservation *sc_db_next_booked (ScDb *self, const char *stream,
                                  const char *node, gint64 now_us,
                                  GError **error);
GArray *sc_db_booked_intervals (ScDb *self, const ScNode *node, gint64 from_us,
                                gint64 to_us, GError **error);

gint64 sc_db_feed_cursor (ScDb *self, GError **error);
GPtrArray *sc_db_feed_snapshot (ScDb *self, gint64 node_id, gint64 now_us,
                                gint64 after_start_us, const char *after_id,
                                int limit, GError **error);
GPtrArray *sc_db_feed_changes (ScDb *self, gint64 node_id, gint64 since,
                               int limit, GError **error);

G_END_DECLS
