/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* 32 random bytes; base64url without padding is 43 characters. */
#define SC_TOKEN_BYTES 32
#define SC_TOKEN_TEXT_LEN 43
#define SC_TOKEN_HASH_LEN 32

#define SC_TOKEN_ERROR (sc_token_error_quark ())
GQuark sc_token_error_quark (void);

typedef enum
{
  SC_TOKEN_ERROR_RANDOM,
  SC_TOKEN_ERROR_MALFORMED,
  SC_TOKEN_ERROR_KEY_FILE,
  SC_TOKEN_ERROR_SEAL,
} ScTokenError;

char *sc_token_generate (guint8 out_hash[SC_TOKEN_HASH_LEN], GError **error);
gboolean sc_token_hash (const char *token, guint8 out_hash[SC_TOKEN_HASH_LEN]);
gboolean sc_token_hash_equal (const guint8 *a, const guint8 *b);
char *sc_token_hash_short (const guint8 hash[SC_TOKEN_HASH_LEN]);
char *sc_base64url_encode (const guint8 *data, size_t len);
guint8 *sc_base64url_decode (const char *text, size_t *out_len);
char *sc_uuid_v7_new (gint64 now_us, GError **error);

G_END_DECLS
