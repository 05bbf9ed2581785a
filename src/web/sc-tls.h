/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

gboolean sc_tls_make_self_signed (const char *cert_path, const char *key_path,
                                  const char *host, GError **error);
GTlsCertificate *sc_tls_load (const char *data_dir, const char *cert_path,
                              const char *key_path, const char *host,
                              GError **error);

G_END_DECLS
