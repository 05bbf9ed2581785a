/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Password hashing for the web UI's logins: scrypt (OpenSSL EVP_PBE_scrypt)
 * with a 16-byte random salt, stored as
 *
 *   $scrypt$ln=15,r=8,p=1$SALT$HASH
 *
 * (SALT and HASH in base64url). The parameters travel with each hash, so
 * they can be raised later without breaking stored ones. N = 2^15, r = 8
 * costs 32 MiB and about 50 ms per check here: callers run checks off the
 * main loop. Verification compares in constant time and refuses parameters
 * outside sane bounds, so a tampered row cannot make a check take minutes.
 */

#include "config.h"

#include "sc-password.h"

#include "sc-token.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>

#define SALT_LEN 16
#define HASH_LEN 32
#define LOG2_N 15
#define BLOCK_R 8
#define PARALLEL_P 1
/* Bounds for stored parameters: up to 2^20 × 128 × 8 = 1 GiB is refused
 * by OpenSSL's own maxmem below anyway; keep checks quick. */
#define MAX_LOG2_N 20
#define MAX_R 32
#define MAX_P 4
#define MAX_MEM (256u * 1024 * 1024)

static gboolean
derive (const char *password, const guint8 *salt, size_t salt_len, int log2_n,
        int r, int p, guint8 out[HASH_LEN])
{
  return EVP_PBE_scrypt (password, strlen (password), salt, salt_len,
                         (uint64_t)1 << log2_n, r, p, MAX_MEM, out, HASH_LEN)
         == 1;
}

/**
 * sc_password_check_length:
 *
 * Returns: %FALSE with @error set when @password is too short or too long
 */
gboolean
sc_password_check_length (const char *password, GError **error)
{
  size_t len = strlen (password);

  if (len < SC_PASSWORD_MIN_LEN || len > SC_PASSWORD_MAX_LEN)
    {
      g_set_error (error, SC_TOKEN_ERROR, SC_TOKEN_ERROR_MALFORMED,
                   "A password has %d to %d characters", SC_PASSWORD_MIN_LEN,
                   SC_PASSWORD_MAX_LEN);
      return FALSE;
    }
  return TRUE;
}

/**
 * sc_password_hash:
 *
 * Returns: (transfer full) (nullable): the encoded hash of @password
 */
char *
sc_password_hash (const char *password, GError **error)
{
  guint8 salt[SALT_LEN], hash[HASH_LEN];
  g_autofree char *salt_text = NULL;
  g_autofree char *hash_text = NULL;
  char *out;

  if (RAND_bytes (salt, sizeof salt) != 1)
    {
      g_set_error (error, SC_TOKEN_ERROR, SC_TOKEN_ERROR_RANDOM,
                   "No random bytes for a password salt");
      return NULL;
    }
  if (!derive (password, salt, sizeof salt, LOG2_N, BLOCK_R, PARALLEL_P, hash))
    {
      g_set_error (error, SC_TOKEN_ERROR, SC_TOKEN_ERROR_SEAL, "scrypt failed");
      return NULL;
    }
  salt_text = sc_base64url_encode (salt, sizeof salt);
  hash_text = sc_base64url_encode (hash, sizeof hash);
  out = g_strdup_printf ("$scrypt$ln=%d,r=%d,p=%d$%s$%s", LOG2_N, BLOCK_R,
                         PARALLEL_P, salt_text, hash_text);
  OPENSSL_cleanse (hash, sizeof hash);
  return out;
}

/**
 * sc_password_verify:
 * @encoded: a hash made by sc_password_hash()
 *
 * Returns: whether @password is the one @encoded was made from; %FALSE
 *   for anything malformed
 */
gboolean
sc_password_verify (const char *password, const char *encoded)
{
  g_auto (GStrv) parts = NULL;
  g_autofree guint8 *salt = NULL;
  g_autofree guint8 *want = NULL;
  guint8 got[HASH_LEN];
  size_t salt_len = 0, want_len = 0;
  int log2_n, r, p, used = 0;
  gboolean ok;

  if (password == NULL || encoded == NULL)
    return FALSE;
  /* "", "scrypt", "ln=…,r=…,p=…", SALT, HASH */
  parts = g_strsplit (encoded, "$", 6);
  if (g_strv_length (parts) != 5 || parts[0][0] != '\0'
      || strcmp (parts[1], "scrypt") != 0
      || sscanf (parts[2], "ln=%d,r=%d,p=%d%n", &log2_n, &r, &p, &used) != 3
      || parts[2][used] != '\0' || log2_n < 1 || log2_n > MAX_LOG2_N || r < 1
      || r > MAX_R || p < 1 || p > MAX_P)
    return FALSE;
  salt = sc_base64url_decode (parts[3], &salt_len);
  want = sc_base64url_decode (parts[4], &want_len);
  if (salt == NULL || salt_len < 8 || want == NULL || want_len != HASH_LEN)
    return FALSE;
  if (!derive (password, salt, salt_len, log2_n, r, p, got))
    return FALSE;
  ok = CRYPTO_memcmp (got, want, HASH_LEN) == 0;
  OPENSSL_cleanse (got, sizeof got);
  return ok;
}
