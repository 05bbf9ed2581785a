/* SPDX-License-Identifier: LGPL-2.1-or-later */

/**
 * ScSealer:
 *
 * AES-256-GCM with one key: seals short secrets (reservation tokens) so the
 * database can hand a ticket out again without holding a usable token. The
 * additional data binds each sealed blob to its row and purpose, so a blob
 * copied to another row does not open.
 *
 * Sealed form: 12-byte random nonce, ciphertext, 16-byte tag.
 *
 * The key is immutable after construction; every method is thread-safe.
 */

#include "config.h"

#include "sc-sealer.h"

#include "sc-token.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <string.h>
#include <unistd.h>

#define NONCE_LEN 12
#define TAG_LEN 16
#define MAX_PLAINTEXT 32768

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EVP_CIPHER_CTX, EVP_CIPHER_CTX_free)

/* Fetched once: OpenSSL 3 looks it up on every implicit use. */
static const EVP_CIPHER *
aes_256_gcm (void)
{
  static gsize once;
  static EVP_CIPHER *cipher;

  if (g_once_init_enter (&once))
    {
      cipher = EVP_CIPHER_fetch (NULL, "AES-256-GCM", NULL);
      g_once_init_leave (&once, 1);
    }
  return cipher;
}

struct _ScSealer
{
  GObject parent_instance;

  guint8 key[SC_SEALER_KEY_LEN];
};

G_DEFINE_FINAL_TYPE (ScSealer, sc_sealer, G_TYPE_OBJECT)

static void
sc_sealer_finalize (GObject *object)
{
  ScSealer *self = SC_SEALER (object);

  OPENSSL_cleanse (self->key, sizeof self->key);
  G_OBJECT_CLASS (sc_sealer_parent_class)->finalize (object);
}

static void
sc_sealer_class_init (ScSealerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sc_sealer_finalize;
}

static void
sc_sealer_init (ScSealer *self)
{
}

/**
 * sc_sealer_new:
 *
 * Returns: (transfer full): a sealer with a copy of @key
 */
ScSealer *
sc_sealer_new (const guint8 key[SC_SEALER_KEY_LEN])
{
  ScSealer *self = g_object_new (SC_TYPE_SEALER, NULL);

  memcpy (self->key, key, SC_SEALER_KEY_LEN);
  return self;
}

static gboolean
write_new_key (const char *path, guint8 key[SC_SEALER_KEY_LEN], GError **error)
{
  g_autofree char *tmp = g_strconcat (path, ".XXXXXX", NULL);
  int fd;

  if (RAND_bytes (key, SC_SEALER_KEY_LEN) != 1)
    {
      g_set_error_literal (error, SC_TOKEN_ERROR, SC_TOKEN_ERROR_RANDOM,
                           "OpenSSL could not produce random bytes");
      return FALSE;
    }
  fd = g_mkstemp_full (tmp, O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0 || write (fd, key, SC_SEALER_KEY_LEN) != SC_SEALER_KEY_LEN
      || fsync (fd) != 0)
    {
      int saved = errno;
      if (fd >= 0)
        {
          close (fd);
          g_unlink (tmp);
        }
      g_set_error (error, SC_TOKEN_ERROR, SC_TOKEN_ERROR_KEY_FILE,
                   "Cannot write key file %s: %s", path, g_strerror (saved));
      return FALSE;
    }
  close (fd);
  /* link() fails if another process made the key first: then use theirs. */
  if (link (tmp, path) != 0)
    {
      int saved = errno;
      g_unlink (tmp);
      if (saved == EEXIST)
        return FALSE;
      g_set_error (error, SC_TOKEN_ERROR, SC_TOKEN_ERROR_KEY_FILE,
                   "Cannot create key file %s: %s", path, g_strerror (saved));
      return FALSE;
    }
  g_unlink (tmp);
  return TRUE;
}

/**
 * sc_sealer_new_from_file:
 * @path: a key file, made (mode 0600) with a random key if missing
 *
 * Returns: (transfer full) (nullable): the sealer, or %NULL with @error set
 */
ScSealer *
sc_sealer_new_from_file (const char *path, GError **error)
{
  guint8 key[SC_SEALER_KEY_LEN];
  g_autofree char *contents = NULL;
  gsize len = 0;
  g_autoptr (GError) local_error = NULL;
  ScSealer *self;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      if (write_new_key (path, key, &local_error))
        {
          self = sc_sealer_new (key);
          OPENSSL_cleanse (key, sizeof key);
          return self;
        }
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
    }

  if (!g_file_get_contents (path, &contents, &len, error))
    return NULL;
  if (len != SC_SEALER_KEY_LEN)
    {
      g_set_error (error, SC_TOKEN_ERROR, SC_TOKEN_ERROR_KEY_FILE,
                   "Key file %s must hold exactly %d bytes, it holds %zu", path,
                   SC_SEALER_KEY_LEN, (size_t)len);
      return NULL;
    }
  self = sc_sealer_new ((const guint8 *)contents);
  OPENSSL_cleanse (contents, len);
  return self;
}

static gboolean
seal_error (GError **error, const char *what)
{
  g_set_error (error, SC_TOKEN_ERROR, SC_TOKEN_ERROR_SEAL, "%s", what);
  return FALSE;
}

/**
 * sc_sealer_seal:
 * @plaintext: a short secret or a ticket (at most 32 KiB)
 * @aad: what the blob belongs to, e.g. "reservation-id/publish"
 *
 * Returns: (transfer full) (nullable): nonce, ciphertext and tag
 */
GBytes *
sc_sealer_seal (ScSealer *self, const char *plaintext, const char *aad,
                GError **error)
{
  g_autoptr (EVP_CIPHER_CTX) ctx = EVP_CIPHER_CTX_new ();
  size_t len = strlen (plaintext);
  g_autofree guint8 *out = NULL;
  int n = 0, fin = 0;

  g_return_val_if_fail (SC_IS_SEALER (self), NULL);
  g_return_val_if_fail (len <= MAX_PLAINTEXT, NULL);

  out = g_malloc (NONCE_LEN + len + TAG_LEN);
  if (ctx == NULL || RAND_bytes (out, NONCE_LEN) != 1)
    {
      seal_error (error, "Cannot seal: no cipher context or randomness");
      return NULL;
    }
  if (EVP_EncryptInit_ex (ctx, aes_256_gcm (), NULL, self->key, out) != 1
      || EVP_EncryptUpdate (ctx, NULL, &n, (const guint8 *)aad, strlen (aad))
             != 1
      || EVP_EncryptUpdate (ctx, out + NONCE_LEN, &n, (const guint8 *)plaintext,
                            len)
             != 1
      || EVP_EncryptFinal_ex (ctx, out + NONCE_LEN + n, &fin) != 1
      || EVP_CIPHER_CTX_ctrl (ctx, EVP_CTRL_GCM_GET_TAG, TAG_LEN,
                              out + NONCE_LEN + len)
             != 1)
    {
      seal_error (error, "AES-256-GCM sealing failed");
      return NULL;
    }
  return g_bytes_new_take (g_steal_pointer (&out), NONCE_LEN + len + TAG_LEN);
}

/**
 * sc_sealer_open:
 *
 * Returns: (transfer full) (nullable): the plaintext, or %NULL if @sealed was
 *   not sealed by this key for @aad or has been altered
 */
char *
sc_sealer_open (ScSealer *self, const guint8 *sealed, size_t len,
                const char *aad, GError **error)
{
  g_autoptr (EVP_CIPHER_CTX) ctx = EVP_CIPHER_CTX_new ();
  g_autofree char *out = NULL;
  size_t plen;
  int n = 0, fin = 0;

  g_return_val_if_fail (SC_IS_SEALER (self), NULL);

  if (len < NONCE_LEN + TAG_LEN || len > NONCE_LEN + MAX_PLAINTEXT + TAG_LEN)
    {
      seal_error (error, "Sealed data has an impossible length");
      return NULL;
    }
  plen = len - NONCE_LEN - TAG_LEN;
  out = g_malloc (plen + 1);
  if (ctx == NULL
      || EVP_DecryptInit_ex (ctx, aes_256_gcm (), NULL, self->key, sealed) != 1
      || EVP_DecryptUpdate (ctx, NULL, &n, (const guint8 *)aad, strlen (aad))
             != 1
      || EVP_DecryptUpdate (ctx, (guint8 *)out, &n, sealed + NONCE_LEN, plen)
             != 1
      || EVP_CIPHER_CTX_ctrl (ctx, EVP_CTRL_GCM_SET_TAG, TAG_LEN,
                              (void *)(sealed + NONCE_LEN + plen))
             != 1
      || EVP_DecryptFinal_ex (ctx, (guint8 *)out + n, &fin) != 1)
    {
      seal_error (error, "Sealed data does not open with this key");
      return NULL;
    }
  out[plen] = '\0';
  return g_steal_pointer (&out);
}
