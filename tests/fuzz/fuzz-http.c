/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* libFuzzer target: raw bytes as one HTTP connection to the booking
 * service (libsoup's request parser, routing, query strings, JSON bodies,
 * bearer keys, session cookies, logins, static files, booking and
 * admission), through an in-memory stream. The
 * server must answer or close, never crash, hang or corrupt its database.
 *
 * Seeds carry the admin key below; the clock is fixed at
 * 2029-12-31T00:00:00Z so seeds booking in 2030 stay valid. */

#include "config.h"

#include <glib/gstdio.h>

#include "sc-data-dir.h"
#include "sc-web-server.h"

#define FUZZ_ADMIN_KEY "FUZZ_ADMIN_KEY_FUZZ_ADMIN_KEY_FUZZ_ADMIN_KE"

static ScWebServer *web;
static ScDb *db;
static GSocketAddress *local;
static GSocketAddress *remote;

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ScSettings) settings = sc_settings_new ();
  g_autoptr (ScSealer) sealer = NULL;
  g_autoptr (ScClock) clock = NULL;
  g_autoptr (GDateTime) at = g_date_time_new_utc (2029, 12, 31, 0, 0, 0);
  g_autofree char *dir = g_dir_make_tmp ("slotcast-fuzz-XXXXXX", &error);
  g_autofree char *key = NULL;
  g_autoptr (GInetAddress) lo
      = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);

  g_log_set_writer_func (g_log_writer_default, NULL, NULL);
  g_setenv ("G_MESSAGES_DEBUG", "", TRUE);
  if (!sc_settings_set (settings, "server", "data-dir", dir, &error)
      || !sc_settings_set (settings, "http", "auth-fail-limit", "1000000",
                           &error)
      || !sc_settings_load (settings, NULL, &error)
      || !sc_data_dir_open (settings, &db, &sealer, &error))
    g_error ("fuzz set-up: %s", error->message);
  key = sc_data_dir_ensure_admin (db, FUZZ_ADMIN_KEY, &error);
  if (!sc_data_dir_register_local_node (db, settings, &error))
    g_error ("fuzz set-up: %s", error->message);
  clock = sc_clock_new_manual (g_date_time_to_unix (at) * SC_USEC_PER_SEC);
  web = sc_web_server_new (settings, db, clock, sealer);
  local = g_inet_socket_address_new (lo, 8080);
  remote = g_inet_socket_address_new (lo, 40000);
  return 0;
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autoptr (GInputStream) in = g_memory_input_stream_new_from_data (
      g_memdup2 (data, size), size, g_free);
  g_autoptr (GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr (GIOStream) io = g_simple_io_stream_new (in, out);
  int idle = 0;

  if (!sc_web_server_accept_stream (web, io, local, remote, NULL))
    return 0;
  /* Run until the exchange settles: a few idle passes in a row, waiting
   * for requests still being answered (a login's password check runs on
   * a worker thread). */
  while (idle < 3)
    {
      if (sc_web_server_get_n_in_flight (web) > 0)
        {
          g_main_context_iteration (NULL, TRUE);
          idle = 0;
          continue;
        }
      idle = g_main_context_iteration (NULL, FALSE) ? 0 : idle + 1;
    }
  return 0;
}
