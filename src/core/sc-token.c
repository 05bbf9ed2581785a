/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Secrets: publish tokens, view tokens, API keys and node keys.
 *
 * Every secret is 32 bytes from OpenSSL's RAND_bytes, shown to people as
 * base64url without padding. Only its SHA-256 is used to find and compare it;
 * the comparison is constant-time (CRYPTO_memcmp). A secret never goes to a
 * log: log sc_token_hash_short() instead. All functions are thread-safe.
 */

#include "config.h"

#include "sc-token.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <string.h>

/* The quark's name is one token: clang-format would space it out. */
/* clang-format off */
G_DEFINE_QUARK (sc-token-error-quark, sc_token_error)
/* clang-format on */

/**
 * sc_base64url_encode:
 *
 * Returns: (transfer full): @data as base64url without padding (RFC 4648 §5)
 */
char *
sc_base64url_encode (const guint8 *data, size_t len)
{
  char *text = g_base64_encode (data, len);
  char *p;

  for (p = text; *p != '\0'; p++)
    {
      if (*p == '+')
        *p = '-';
      else if (*p == '/')
        *p = '_';
      else if (*p == '=')
        {
          *p = '\0';
          break;
        }
    }
  return text;
}

/**
 * sc_base64url_decode:
 *
 * Strict: only the base64url alphabet, no padding, no stray bits.
 *
 * Returns: (transfer full) (nullable): the bytes, or %NULL if @text is not
 *   canonical base64url
 */
guint8 *
sc_base64url_decode (const char *text, size_t *out_len)
{
  size_t len = strlen (text);
  g_autofree char *std = NULL;
  g_autofree guint8 *data = NULL;
  g_autofree char *again = NULL;
  size_t i;
  gsize n = 0;

  if (len % 4 == 1 || len > 4096)
    return NULL;
  std = g_malloc (len + 3);
  for (i = 0; i < len; i++)
    {
      char c = text[i];

      if (g_ascii_isalnum (c))
        std[i] = c;
      else if (c == '-')
        std[i] = '+';
      else if (c == '_')
        std[i] = '/';
      else
        return NULL;
    }
  while (i % 4 != 0)
    std[i++] = '=';
  std[i] = '\0';

  data = g_base64_decode (std, &n);
  /* Reject non-canonical forms (unused low bits set). */
  again = sc_base64url_encode (data, n);
  if (strcmp (again, text) != 0)
    return NULL;
  *out_len = n;
  return g_steal_pointer (&data);
}

/* OpenSSL 3 looks an algorithm up on every implicit use; fetch it once. */
static const EVP_MD *
sha256_md (void)
{
  static gsize once;
  static EVP_MD *md;

  if (g_once_init_enter (&once))
    {
      md = EVP_MD_fetch (NULL, "SHA256", NULL);
      g_once_init_leave (&once, 1);
    }
  return md;
}

static void
sha256 (const void *data, size_t len, guint8 out[SC_TOKEN_HASH_LEN])
{
  unsigned int n = SC_TOKEN_HASH_LEN;

  EVP_Digest (data, len, out, &n, sha256_md (), NULL);
}

/**
 * sc_token_generate:
 * @out_hash: (out caller-allocates): the token's SHA-256
 *
 * Returns: (transfer full) (nullable): a new secret, or %NULL if the system
 *   has no randomness to give
 */
char *
sc_token_generate (guint8 out_hash[SC_TOKEN_HASH_LEN], GError **error)
{
  guint8 raw[SC_TOKEN_BYTES];
  char *text;

  if (RAND_bytes (raw, sizeof raw) != 1)
    {
      g_set_error_literal (error, SC_TOKEN_ERROR, SC_TOKEN_ERROR_RANDOM,
                           "OpenSSL could not produce random bytes");
      return NULL;
    }
  text = sc_base64url_encode (raw, sizeof raw);
  sha256 (text, strlen (text), out_hash);
  OPENSSL_cleanse (raw, sizeof raw);
  return text;
}

/**
 * sc_token_hash:
 * @token: text from a user
 * @out_hash: (out caller-allocates): its SHA-256
 *
 * Hashes the text form of a token after checking its shape, so malformed
 * input is refused before any lookup.
 *
 * Returns: whether @token has the shape of a Slotcast secret
 */
gboolean
sc_token_hash (const char *token, guint8 out_hash[SC_TOKEN_HASH_LEN])
{
  size_t i;

  if (token == NULL)
    return FALSE;
  for (i = 0; i < SC_TOKEN_TEXT_LEN; i++)
    {
      char c = token[i];
      if (!(g_ascii_isalnum (c) || c == '-' || c == '_'))
        return FALSE;
    }
  if (token[SC_TOKEN_TEXT_LEN] != '\0')
    return FALSE;
  sha256 (token, SC_TOKEN_TEXT_LEN, out_hash);
  return TRUE;
}

gboolean
sc_token_hash_equal (const guint8 *a, const guint8 *b)
{
  return CRYPTO_memcmp (a, b, SC_TOKEN_HASH_LEN) == 0;
}

/**
 * sc_token_hash_short:
 *
 * Returns: (transfer full): the first 4 bytes of a token's hash in hex, the
 *   only form of a secret that may appear in a log
 */
char *
sc_token_hash_short (const guint8 hash[SC_TOKEN_HASH_LEN])
{
  return g_strdup_printf ("%02x%02x%02x%02x", hash[0], hash[1], hash[2],
                          hash[3]);
}

/**
 * sc_uuid_v7_new:
 * @now_us: the time to put in the id
 *
 * Makes a time-ordered UUID (RFC 9562 version 7): 48 bits of Unix time in
 * milliseconds, then 74 random bits. Ids made later sort later, so a
 * B-tree keyed on them grows at its right edge.
 *
 * Returns: (transfer full) (nullable): "xxxxxxxx-xxxx-7xxx-Vxxx-xxxxxxxxxxxx"
 */
char *
sc_uuid_v7_new (gint64 now_us, GError **error)
{
  guint8 b[16];
  guint64 ms = (guint64)(now_us / 1000);

  if (RAND_bytes (b + 6, 10) != 1)
    {
      g_set_error_literal (error, SC_TOKEN_ERROR, SC_TOKEN_ERROR_RANDOM,
                           "OpenSSL could not produce random bytes");
      return NULL;
    }
  for (int i = 0; i < 6; i++)
    b[i] = (ms >> (40 - 8 * i)) & 0xff;
  b[6] = 0x70 | (b[6] & 0x0f); /* version 7 */
  b[8] = 0x80 | (b[8] & 0x3f); /* variant 10 */
  return g_strdup_printf ("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
                          "%02x%02x%02x%02x%02x%02x",
                          b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8],
                          b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}
