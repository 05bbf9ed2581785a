/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * TLS material for the booking service: either the operator's PEM files, or
 * a self-signed certificate made with OpenSSL on first start and kept in the
 * data dir (ECDSA P-256, SHA-256, valid 825 days, subjectAltName for the
 * public host and for localhost/127.0.0.1/::1).
 */

#include "config.h"

#include "sc-tls.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <unistd.h>

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EVP_PKEY, EVP_PKEY_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (X509, X509_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (X509_EXTENSION, X509_EXTENSION_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BIGNUM, BN_free)

static gboolean
tls_error (GError **error, const char *what)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
               "Making the TLS certificate: %s failed", what);
  return FALSE;
}

static gboolean
add_extension (X509 *cert, int nid, const char *value)
{
  X509V3_CTX ctx;
  g_autoptr (X509_EXTENSION) ext = NULL;

  X509V3_set_ctx_nodb (&ctx);
  X509V3_set_ctx (&ctx, cert, cert, NULL, NULL, 0);
  ext = X509V3_EXT_conf_nid (NULL, &ctx, nid, value);
  return ext != NULL && X509_add_ext (cert, ext, -1) == 1;
}

static gboolean
write_pem (const char *path, int mode, gboolean (*write_fn) (FILE *, void *),
           void *object, GError **error)
{
  g_autofree char *tmp = g_strconcat (path, ".XXXXXX", NULL);
  int fd = g_mkstemp_full (tmp, O_WRONLY | O_CLOEXEC, mode);
  FILE *f;
  gboolean ok;

  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "Cannot write %s: %s", path, g_strerror (saved));
      return FALSE;
    }
  f = fdopen (fd, "w");
  ok = f != NULL && write_fn (f, object) && fflush (f) == 0 && fsync (fd) == 0;
  if (f != NULL)
    fclose (f);
  else
    close (fd);
  if (!ok || g_rename (tmp, path) != 0)
    {
      g_unlink (tmp);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Cannot write %s",
                   path);
      return FALSE;
    }
  return TRUE;
}

static gboolean
write_key (FILE *f, void *key)
{
  return PEM_write_PrivateKey (f, key, NULL, NULL, 0, NULL, NULL) == 1;
}

static gboolean
write_cert (FILE *f, void *cert)
{
  return PEM_write_X509 (f, cert) == 1;
}

/**
 * sc_tls_make_self_signed:
 *
 * Writes a new key (mode 0600) and a self-signed certificate for @host.
 */
gboolean
sc_tls_make_self_signed (const char *cert_path, const char *key_path,
                         const char *host, GError **error)
{
  g_autoptr (EVP_PKEY) key = EVP_EC_gen ("P-256");
  g_autoptr (X509) cert = X509_new ();
  g_autoptr (BIGNUM) serial = BN_new ();
  g_autofree char *san = NULL;
  GInetAddress *addr;
  X509_NAME *name;

  if (key == NULL || cert == NULL || serial == NULL)
    return tls_error (error, "key generation");
  if (X509_set_version (cert, 2) != 1
      || BN_rand (serial, 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1
      || BN_to_ASN1_INTEGER (serial, X509_get_serialNumber (cert)) == NULL
      || X509_gmtime_adj (X509_getm_notBefore (cert), -3600) == NULL
      || X509_gmtime_adj (X509_getm_notAfter (cert), 825L * 86400) == NULL
      || X509_set_pubkey (cert, key) != 1)
    return tls_error (error, "certificate fields");

  name = X509_get_subject_name (cert);
  if (X509_NAME_add_entry_by_txt (name, "O", MBSTRING_UTF8,
                                  (const guint8 *)"Slotcast", -1, -1, 0)
          != 1
      || X509_NAME_add_entry_by_txt (name, "CN", MBSTRING_UTF8,
                                     (const guint8 *)host, -1, -1, 0)
             != 1
      || X509_set_issuer_name (cert, name) != 1)
    return tls_error (error, "certificate name");

  addr = g_inet_address_new_from_string (host);
  san = g_strdup_printf ("%s:%s,DNS:localhost,IP:127.0.0.1,IP:::1",
                         addr != NULL ? "IP" : "DNS", host);
  g_clear_object (&addr);
  if (!add_extension (cert, NID_subject_alt_name, san)
      || !add_extension (cert, NID_basic_constraints, "critical,CA:FALSE")
      || !add_extension (cert, NID_key_usage,
                         "critical,digitalSignature,keyEncipherment")
      || !add_extension (cert, NID_ext_key_usage, "serverAuth"))
    return tls_error (error, "certificate extensions");
  if (X509_sign (cert, key, EVP_sha256 ()) == 0)
    return tls_error (error, "signing");

  return write_pem (key_path, 0600, write_key, key, error)
         && write_pem (cert_path, 0644, write_cert, cert, error);
}

/**
 * sc_tls_load:
 * @cert_path: (nullable): PEM certificate, or empty/%NULL for the
 *   self-signed one in @data_dir
 *
 * Returns: (transfer full) (nullable): the certificate with its key
 */
GTlsCertificate *
sc_tls_load (const char *data_dir, const char *cert_path, const char *key_path,
             const char *host, GError **error)
{
  g_autofree char *own_cert = NULL;
  g_autofree char *own_key = NULL;

  if (cert_path == NULL || cert_path[0] == '\0')
    {
      own_cert = g_build_filename (data_dir, "tls-cert.pem", NULL);
      own_key = g_build_filename (data_dir, "tls-key.pem", NULL);
      if (!g_file_test (own_cert, G_FILE_TEST_EXISTS)
          || !g_file_test (own_key, G_FILE_TEST_EXISTS))
        {
          if (!sc_tls_make_self_signed (own_cert, own_key, host, error))
            return NULL;
          g_message ("Made a self-signed TLS certificate for %s: %s", host,
                     own_cert);
        }
      cert_path = own_cert;
      key_path = own_key;
    }
  return g_tls_certificate_new_from_files (cert_path, key_path, error);
}
