/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* bench/booking preload: fills a data dir with reservations through the
 * same ScDb code the server uses, so the benchmark runs against a store
 * that already holds them.
 *
 * Layout: NODES nodes of capacity 8; on each, 6 of the 8 places are taken
 * by one-hour reservations, hour after hour from tomorrow on, until COUNT
 * reservations exist. The benchmark then books the 2 free places. */

#include "config.h"

#include <stdlib.h>

#include "sc-clock.h"
#include "sc-data-dir.h"

#define HOUR (G_GINT64_CONSTANT (3600) * SC_USEC_PER_SEC)

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ScSettings) settings = sc_settings_new ();
  g_autoptr (ScDb) db = NULL;
  g_autoptr (ScSealer) sealer = NULL;
  g_autofree char *key = NULL;
  g_autoptr (ScUser) admin = NULL;
  int count, nodes;
  gint64 base, t0 = g_get_monotonic_time ();

  if (argc != 6)
    {
      g_printerr (
          "usage: preload DATA_DIR ADMIN_KEY COUNT NODES BASE_UNIX_S\n");
      return 2;
    }
  count = atoi (argv[3]);
  nodes = atoi (argv[4]);
  base = g_ascii_strtoll (argv[5], NULL, 10) * SC_USEC_PER_SEC;
  if (!sc_settings_set (settings, "server", "data-dir", argv[1], &error)
      || !sc_settings_load (settings, NULL, &error)
      || !sc_data_dir_open (settings, &db, &sealer, &error))
    g_error ("%s", error->message);
  key = sc_data_dir_ensure_admin (db, argv[2], &error);
  admin = sc_db_find_user_by_key (db, argv[2], &error);
  g_assert (admin != NULL);
  for (int n = 0; n < nodes; n++)
    {
      g_autofree char *name = g_strdup_printf ("node%02d", n);
      ScNode node = { .name = name,
                      .public_host = "127.0.0.1",
                      .rtsp_port = 8554,
                      .rtmp_port = 1935,
                      .capacity = 8 };
      if (!sc_db_upsert_node (db, &node, &error))
        g_error ("%s", error->message);
    }

  for (int i = 0; i < count; i++)
    {
      int n = i % nodes, lane = (i / nodes) % 6, hour = i / (nodes * 6);
      g_autofree char *stream = g_strdup_printf ("pre-%d-%d-%d", n, lane, hour);
      g_autofree char *node = g_strdup_printf ("node%02d", n);
      ScBookRequest req = { .owner_id = admin->id,
                            .stream = stream,
                            .start_us = base + hour * HOUR,
                            .end_us = base + (hour + 1) * HOUR,
                            .node = node };
      g_autoptr (ScReservation) r
          = sc_db_book (db, sealer, &req, base, NULL, NULL, &error);

      if (r == NULL)
        g_error ("preload %d: %s", i, error->message);
    }
  g_print ("preloaded %d reservations on %d nodes in %.1f s\n", count, nodes,
           (g_get_monotonic_time () - t0) / 1e6);
  return 0;
}
