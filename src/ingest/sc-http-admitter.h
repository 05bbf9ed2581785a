/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "sc-admission.h"

G_BEGIN_DECLS

typedef struct _ScHttpAdmitter ScHttpAdmitter;

ScHttpAdmitter *sc_http_admitter_new (const char *booking_url,
                                      const char *node_key);
void sc_http_admitter_free (ScHttpAdmitter *self);
gboolean sc_http_admitter_register (ScHttpAdmitter *self, const char *name,
                                    const char *public_host, int rtsp_port,
                                    int rtmp_port, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScHttpAdmitter, sc_http_admitter_free)

G_END_DECLS
