/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <libsoup/soup.h>

#include "sc-db.h"

G_BEGIN_DECLS

typedef struct _ScGroupCommit ScGroupCommit;

ScGroupCommit *sc_group_commit_new (ScDb *db, GFunc committed,
                                    gpointer committed_data);
void sc_group_commit_free (ScGroupCommit *self);
gboolean sc_group_commit_begin (ScGroupCommit *self, SoupServerMessage *msg);
void sc_group_commit_hold (ScGroupCommit *self, SoupServerMessage *msg);
void sc_group_commit_now (ScGroupCommit *self);

G_END_DECLS
