/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

/**
 * ScWebRoutes:
 *
 * Where the API's parts register their paths: the #SoupServer, and the
 * early handler every route gets (libsoup runs only the early handler of
 * the most specific path, so each route needs the common one).
 */
typedef struct
{
  SoupServer *soup;
  SoupServerCallback early;
  gpointer early_data;
} ScWebRoutes;

void sc_web_routes_add (const ScWebRoutes *routes, const char *path,
                        SoupServerCallback callback, gpointer data);

G_END_DECLS
