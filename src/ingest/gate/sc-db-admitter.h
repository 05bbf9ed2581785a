/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "sc-admission.h"

G_BEGIN_DECLS

typedef struct _ScDbAdmitter ScDbAdmitter;

ScDbAdmitter *sc_db_admitter_new (const char *db_path,
                                  ScSynchronous synchronous, GError **error);
void sc_db_admitter_free (ScDbAdmitter *self);
ScAdmitResult sc_db_admitter_decide (const ScAdmissionRequest *request,
                                     ScReservation **out_reservation,
                                     char **out_reason, gpointer self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScDbAdmitter, sc_db_admitter_free)

G_END_DECLS
