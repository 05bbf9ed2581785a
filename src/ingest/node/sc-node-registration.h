/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "sc-api-client.h"

G_BEGIN_DECLS

gboolean sc_node_register (ScApiClient *client, const char *name,
                           const char *public_host, int rtsp_port,
                           int rtmp_port, GError **error);

G_END_DECLS
