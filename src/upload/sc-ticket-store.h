/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib-object.h>

#include "sc-upload-ticket.h"

G_BEGIN_DECLS

#define SC_TYPE_TICKET_STORE (sc_ticket_store_get_type ())
G_DECLARE_FINAL_TYPE (ScTicketStore, sc_ticket_store, SC, TICKET_STORE, GObject)

ScTicketStore *sc_ticket_store_new (const char *dir, const char *key_path,
                                    GError **error);
const char *sc_ticket_store_get_dir (ScTicketStore *self);
gboolean sc_ticket_store_put (ScTicketStore *self, const ScTicket *ticket,
                              GError **error);
ScTicket *sc_ticket_store_get (ScTicketStore *self, const char *id,
                               GError **error);
GPtrArray *sc_ticket_store_list (ScTicketStore *self, GPtrArray **out_problems);
gboolean sc_ticket_store_remove (ScTicketStore *self, const char *id,
                                 GError **error);

G_END_DECLS
