/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "sc-db.h"
#include "sc-sealer.h"
#include "sc-settings.h"

G_BEGIN_DECLS

gboolean sc_data_dir_open (ScSettings *settings, ScDb **out_db,
                           ScSealer **out_sealer, GError **error);
char *sc_data_dir_ensure_admin (ScDb *db, const char *env_key, GError **error);
gboolean sc_data_dir_register_local_node (ScDb *db, ScSettings *settings,
                                          GError **error);

G_END_DECLS
