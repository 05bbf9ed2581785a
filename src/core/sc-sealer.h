/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define SC_TYPE_SEALER (sc_sealer_get_type ())
G_DECLARE_FINAL_TYPE (ScSealer, sc_sealer, SC, SEALER, GObject)

#define SC_SEALER_KEY_LEN 32

ScSealer *sc_sealer_new (const guint8 key[SC_SEALER_KEY_LEN]);
ScSealer *sc_sealer_new_from_file (const char *path, GError **error);

GBytes *sc_sealer_seal (ScSealer *self, const char *plaintext, const char *aad,
                        GError **error);
char *sc_sealer_open (ScSealer *self, const guint8 *sealed, size_t len,
                      const char *aad, GError **error);

G_END_DECLS
