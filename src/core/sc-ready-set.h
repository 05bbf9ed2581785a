/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _ScReadySet ScReadySet;
typedef struct _ScReadyEntry ScReadyEntry;

/* Called on the set's context while @fd has bytes to read (or is closed). */
typedef void (*ScReadyFunc) (gpointer user_data);

ScReadySet *sc_ready_set_new (GMainContext *context, GError **error);
void sc_ready_set_free (ScReadySet *self);
ScReadyEntry *sc_ready_set_add (ScReadySet *self, int fd, ScReadyFunc func,
                                gpointer user_data);
void sc_ready_set_remove (ScReadySet *self, ScReadyEntry *entry);
guint sc_ready_set_get_size (ScReadySet *self);

G_END_DECLS
