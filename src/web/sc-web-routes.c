/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "config.h"

#include "sc-web-routes.h"

/**
 * sc_web_routes_add:
 * @path: the path @callback serves, with everything below it
 * @data: given to @callback; must outlive the server's routes
 *
 * Registers one handler, with the common early checks.
 */
void
sc_web_routes_add (const ScWebRoutes *routes, const char *path,
                   SoupServerCallback callback, gpointer data)
{
  soup_server_add_early_handler (routes->soup, path, routes->early,
                                 routes->early_data, NULL);
  soup_server_add_handler (routes->soup, path, callback, data, NULL);
}
