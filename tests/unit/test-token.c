/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Tokens (make, hash, verify), base64url, and the AES-GCM sealer. */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "sc-sealer.h"
#include "sc-token.h"

static void
test_generate (void)
{
  guint8 h1[SC_TOKEN_HASH_LEN], h2[SC_TOKEN_HASH_LEN], h3[SC_TOKEN_HASH_LEN];
  g_autofree char *a = sc_token_generate (h1, NULL);
  g_autofree char *b = sc_token_generate (h2, NULL);
  g_autofree guint8 *raw = NULL;
  size_t len = 0;

  g_assert_cmpuint (strlen (a), ==, SC_TOKEN_TEXT_LEN);
  g_assert_cmpstr (a, !=, b);
  g_assert_false (sc_token_hash_equal (h1, h2));
  /* The hash given back is the hash of the text. */
  g_assert_true (sc_token_hash (a, h3));
  g_assert_true (sc_token_hash_equal (h1, h3));
  raw = sc_base64url_decode (a, &len);
  g_assert_nonnull (raw);
  g_assert_cmpuint (len, ==, SC_TOKEN_BYTES);
  for (const char *p = a; *p; p++)
    g_assert_true (g_ascii_isalnum (*p) || *p == '-' || *p == '_');
}

static void
test_hash_rejects (void)
{
  guint8 h[SC_TOKEN_HASH_LEN];
  g_autofree char *good = sc_token_generate (h, NULL);
  g_autofree char *longer = g_strconcat (good, "A", NULL);
  g_autofree char *shorter = g_strndup (good, SC_TOKEN_TEXT_LEN - 1);
  g_autofree char *bad_char = g_strdup (good);

  bad_char[5] = '+';
  g_assert_false (sc_token_hash (NULL, h));
  g_assert_false (sc_token_hash ("", h));
  g_assert_false (sc_token_hash (longer, h));
  g_assert_false (sc_token_hash (shorter, h));
  g_assert_false (sc_token_hash (bad_char, h));
}

static void
test_short_hash (void)
{
  guint8 h[SC_TOKEN_HASH_LEN];
  g_autofree char *token = sc_token_generate (h, NULL);
  g_autofree char *shown = sc_token_hash_short (h);

  g_assert_cmpuint (strlen (shown), ==, 8);
  g_assert_null (strstr (token, shown));
}

static void
test_base64url (void)
{
  const guint8 data[] = { 0xfb, 0xff, 0xbf, 0x00, 0x10 };
  g_autofree char *text = sc_base64url_encode (data, sizeof data);
  g_autofree guint8 *back = NULL;
  size_t len = 0;

  g_assert_cmpstr (text, ==, "-_-_ABA");
  back = sc_base64url_decode (text, &len);
  g_assert_cmpmem (back, len, data, sizeof data);
  g_assert_null (sc_base64url_decode ("-_-_ABB", &len)); /* stray bits */
  g_assert_null (sc_base64url_decode ("ab+c", &len));
  g_assert_null (sc_base64url_decode ("abc=", &len));
  g_assert_null (sc_base64url_decode ("a", &len));
}

static void
test_seal (void)
{
  guint8 key[SC_SEALER_KEY_LEN] = { 7 };
  g_autoptr (ScSealer) sealer = sc_sealer_new (key);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) sealed
      = sc_sealer_seal (sealer, "secret", "id/publish", &error);
  g_autoptr (GBytes) sealed2
      = sc_sealer_seal (sealer, "secret", "id/publish", &error);
  gsize len;
  const guint8 *data = g_bytes_get_data (sealed, &len);
  g_autofree char *opened
      = sc_sealer_open (sealer, data, len, "id/publish", &error);
  g_autofree guint8 *tampered = g_memdup2 (data, len);
  char *none;

  g_assert_no_error (error);
  g_assert_cmpstr (opened, ==, "secret");
  g_assert_false (g_bytes_equal (sealed, sealed2)); /* fresh nonce */
  g_assert_null (memmem (data, len, "secret", 6));

  none = sc_sealer_open (sealer, data, len, "id/view", &error);
  g_assert_null (none);
  g_assert_error (error, SC_TOKEN_ERROR, SC_TOKEN_ERROR_SEAL);
  g_clear_error (&error);
  tampered[len / 2] ^= 1;
  none = sc_sealer_open (sealer, tampered, len, "id/publish", &error);
  g_assert_null (none);
  g_clear_error (&error);
  none = sc_sealer_open (sealer, data, 10, "id/publish", &error);
  g_assert_null (none);
}

static void
test_key_file (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("sc-token-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "k", NULL);
  g_autoptr (ScSealer) a = sc_sealer_new_from_file (path, &error);
  g_autoptr (ScSealer) b = NULL;
  g_autoptr (GBytes) sealed = NULL;
  g_autofree char *opened = NULL;
  GStatBuf st;
  const guint8 *data;
  gsize len;

  g_assert_no_error (error);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (st.st_size, ==, SC_SEALER_KEY_LEN);
  /* The second open reads the same key. */
  b = sc_sealer_new_from_file (path, &error);
  sealed = sc_sealer_seal (a, "x", "ad", &error);
  data = g_bytes_get_data (sealed, &len);
  opened = sc_sealer_open (b, data, len, "ad", &error);
  g_assert_cmpstr (opened, ==, "x");

  /* A key file of the wrong size is an error, not a silent new key. */
  g_assert_true (g_file_set_contents (path, "short", -1, NULL));
  g_clear_object (&b);
  b = sc_sealer_new_from_file (path, &error);
  g_assert_null (b);
  g_assert_error (error, SC_TOKEN_ERROR, SC_TOKEN_ERROR_KEY_FILE);
  g_unlink (path);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/token/generate", test_generate);
  g_test_add_func ("/token/hash-rejects", test_hash_rejects);
  g_test_add_func ("/token/short-hash", test_short_hash);
  g_test_add_func ("/token/base64url", test_base64url);
  g_test_add_func ("/token/seal", test_seal);
  g_test_add_func ("/token/key-file", test_key_file);
  return g_test_run ();
}
