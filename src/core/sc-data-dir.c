/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The data dir: what `slotcast serve` and its siblings open at start.
 *
 *   DATA_DIR/               mode 0700, made if missing
 *   DATA_DIR/slotcast.db    SQLite (WAL), see sc-db.c
 *   DATA_DIR/ticket-seal.key  AES-256 key sealing reservation tokens (0600)
 *   DATA_DIR/tls-*.pem      self-signed TLS material, when --tls makes it
 */

#include "config.h"

#include "sc-data-dir.h"

#include <errno.h>
#include <glib/gstdio.h>

/**
 * sc_data_dir_open:
 * @out_db: (out) (transfer full): the database
 * @out_sealer: (out) (transfer full): the token sealer
 *
 * Creates the data dir if needed and opens what it holds.
 */
gboolean
sc_data_dir_open (ScSettings *settings, ScDb **out_db, ScSealer **out_sealer,
                  GError **error)
{
  g_autofree char *db_path = NULL;
  g_autofree char *key_path = NULL;
  g_autoptr (ScDb) db = NULL;
  g_autoptr (ScSealer) sealer = NULL;

  if (g_mkdir_with_parents (settings->data_dir, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   "Cannot make data dir %s: %s", settings->data_dir,
                   g_strerror (saved));
      return FALSE;
    }
  db_path = g_build_filename (settings->data_dir, "slotcast.db", NULL);
  key_path = g_build_filename (settings->data_dir, "ticket-seal.key", NULL);
  if ((db = sc_db_open (db_path, settings->synchronous, error)) == NULL
      || (sealer = sc_sealer_new_from_file (key_path, error)) == NULL)
    return FALSE;
  *out_db = g_steal_pointer (&db);
  *out_sealer = g_steal_pointer (&sealer);
  return TRUE;
}

/**
 * sc_data_dir_ensure_admin:
 * @env_key: (nullable): the key to give admin (SLOTCAST_ADMIN_KEY)
 *
 * On a database without users, creates the operator "admin".
 *
 * Returns: (transfer full) (nullable): admin's new API key when one was
 *   made now (to print once); %NULL when users exist or on error
 */
char *
sc_data_dir_ensure_admin (ScDb *db, const char *env_key, GError **error)
{
  gint64 n = sc_db_count_users (db, error);

  if (n != 0)
    return NULL;
  return sc_db_add_user (db, "admin", SC_ROLE_OPERATOR,
                         env_key != NULL && env_key[0] != '\0' ? env_key : NULL,
                         error);
}

/**
 * sc_data_dir_register_local_node:
 *
 * Creates or updates the node this process runs ([node] settings).
 */
gboolean
sc_data_dir_register_local_node (ScDb *db, ScSettings *settings, GError **error)
{
  ScNode node = {
    .name = settings->node_name,
    .public_host = settings->public_host,
    .rtsp_port = settings->rtsp_port,
    .rtmp_port = settings->rtmp_port,
    .capacity = settings->capacity,
    .dial_in = settings->dial_in,
  };

  return sc_db_upsert_node (db, &node, error);
}
