/* SPDX-License-Identifier: LGPL-2.1-or-later */

/**
 * ScTicketStore:
 *
 * The broadcaster's tickets at rest: one file per reservation,
 * `TICKETS_DIR/ID.ticket`, sealed with AES-256-GCM (#ScSealer) under a key
 * made on first use (`ticket.key`, mode 0600), the reservation id as
 * associated data (a file renamed to another id does not open). Files are
 * written atomically (temporary file, fsync, rename) with mode 0600. A file
 * that does not open (corrupt, tampered, another key) is reported by name
 * and skipped; it never stops the others.
 *
 * Defaults: `$XDG_DATA_HOME/slotcast/tickets/` and
 * `$XDG_CONFIG_HOME/slotcast/ticket.key`. Single-threaded.
 */

#include "config.h"

#include "sc-ticket-store.h"

#include "sc-sealer.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#define SUFFIX ".ticket"
#define MAX_FILE_BYTES (256 * 1024)

struct _ScTicketStore
{
  GObject parent_instance;

  char *dir;
  ScSealer *sealer;
};

G_DEFINE_FINAL_TYPE (ScTicketStore, sc_ticket_store, G_TYPE_OBJECT)

static void
sc_ticket_store_finalize (GObject *object)
{
  ScTicketStore *self = SC_TICKET_STORE (object);

  g_free (self->dir);
  g_clear_object (&self->sealer);
  G_OBJECT_CLASS (sc_ticket_store_parent_class)->finalize (object);
}

static void
sc_ticket_store_class_init (ScTicketStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sc_ticket_store_finalize;
}

static void
sc_ticket_store_init (ScTicketStore *self)
{
}

/**
 * sc_ticket_store_new:
 * @dir: (nullable): the tickets folder (default under $XDG_DATA_HOME)
 * @key_path: (nullable): the key file (default under $XDG_CONFIG_HOME)
 *
 * Opens the store, making the folder and the key if missing.
 *
 * Returns: (transfer full) (nullable): the store, or %NULL with @error set
 */
ScTicketStore *
sc_ticket_store_new (const char *dir, const char *key_path, GError **error)
{
  g_autoptr (ScTicketStore) self = g_object_new (SC_TYPE_TICKET_STORE, NULL);
  g_autofree char *key = NULL;
  g_autofree char *key_dir = NULL;

  self->dir = dir ? g_strdup (dir)
                  : g_build_filename (g_get_user_data_dir (), "slotcast",
                                      "tickets", NULL);
  key = key_path ? g_strdup (key_path)
                 : g_build_filename (g_get_user_config_dir (), "slotcast",
                                     "ticket.key", NULL);
  key_dir = g_path_get_dirname (key);
  if (g_mkdir_with_parents (self->dir, 0700) != 0
      || g_mkdir_with_parents (key_dir, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "Cannot make %s or %s: %s", self->dir, key_dir,
                   g_strerror (saved));
      return NULL;
    }
  if ((self->sealer = sc_sealer_new_from_file (key, error)) == NULL)
    return NULL;
  return g_steal_pointer (&self);
}

const char *
sc_ticket_store_get_dir (ScTicketStore *self)
{
  return self->dir;
}

static char *
path_of (ScTicketStore *self, const char *id)
{
  g_autofree char *name = g_strconcat (id, SUFFIX, NULL);

  return g_build_filename (self->dir, name, NULL);
}

/**
 * sc_ticket_store_put:
 *
 * Stores @ticket (replacing the one with its id).
 */
gboolean
sc_ticket_store_put (ScTicketStore *self, const ScTicket *ticket,
                     GError **error)
{
  g_autofree char *data = sc_upload_ticket_to_data (ticket);
  g_autofree char *path = path_of (self, ticket->id);
  g_autoptr (GBytes) sealed
      = sc_sealer_seal (self->sealer, data, ticket->id, error);

  explicit_bzero (data, strlen (data));
  if (sealed == NULL)
    return FALSE;
  return g_file_set_contents_full (path, g_bytes_get_data (sealed, NULL),
                                   g_bytes_get_size (sealed),
                                   G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}

static ScTicket *
load_file (ScTicketStore *self, const char *path, const char *id,
           GError **error)
{
  g_autofree char *contents = NULL;
  g_autofree char *data = NULL;
  ScTicket *t;
  gsize len = 0;

  if (!g_file_get_contents (path, &contents, &len, error))
    return NULL;
  if (len > MAX_FILE_BYTES)
    {
      g_set_error (error, SC_UPLOAD_ERROR, SC_UPLOAD_ERROR_BAD_TICKET,
                   "%s is too large to be a ticket", path);
      return NULL;
    }
  data = sc_sealer_open (self->sealer, (const guint8 *)contents, len, id, NULL);
  if (data == NULL)
    {
      g_set_error (error, SC_UPLOAD_ERROR, SC_UPLOAD_ERROR_BAD_TICKET,
                   "%s does not open: corrupt, tampered with, or sealed "
                   "with another key",
                   path);
      return NULL;
    }
  t = sc_upload_ticket_from_data (data, error);
  explicit_bzero (data, strlen (data));
  if (t != NULL && g_strcmp0 (t->id, id) != 0)
    {
      g_set_error (error, SC_UPLOAD_ERROR, SC_UPLOAD_ERROR_BAD_TICKET,
                   "%s holds another reservation", path);
      g_clear_pointer (&t, sc_ticket_free);
    }
  return t;
}

/**
 * sc_ticket_store_get:
 * @id: a reservation id, or a unique prefix of one
 *
 * Returns: (transfer full) (nullable): the ticket, or %NULL with @error set
 */
ScTicket *
sc_ticket_store_get (ScTicketStore *self, const char *id, GError **error)
{
  g_autoptr (GPtrArray) problems = NULL;
  g_autoptr (GPtrArray) all = sc_ticket_store_list (self, &problems);
  guint matches = 0, found = 0;

  for (guint i = 0; i < all->len; i++)
    {
      ScTicket *t = all->pdata[i];

      if (g_str_has_prefix (t->id, id) && id[0] != '\0')
        {
          matches++;
          found = i;
        }
    }
  if (matches != 1)
    {
      g_set_error (error, SC_UPLOAD_ERROR, SC_UPLOAD_ERROR_NOT_FOUND,
                   matches ? "\"%s\" names more than one stored ticket"
                           : "No stored ticket \"%s\"",
                   id);
      return NULL;
    }
  return g_ptr_array_steal_index_fast (all, found);
}

static int
by_start (gconstpointer a, gconstpointer b)
{
  const ScTicket *x = *(ScTicket *const *)a;
  const ScTicket *y = *(ScTicket *const *)b;

  return x->start_us < y->start_us ? -1 : x->start_us > y->start_us;
}

/**
 * sc_ticket_store_list:
 * @out_problems: (out) (element-type utf8): one sentence per file that does
 *   not open
 *
 * Returns: (transfer full) (element-type ScTicket): the tickets that
 *   open, by start time
 */
GPtrArray *
sc_ticket_store_list (ScTicketStore *self, GPtrArray **out_problems)
{
  GPtrArray *tickets
      = g_ptr_array_new_with_free_func ((GDestroyNotify)sc_ticket_free);
  GPtrArray *problems = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GDir) dir = g_dir_open (self->dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *id = NULL;
      g_autofree char *path = NULL;
      g_autoptr (GError) error = NULL;
      ScTicket *t;

      if (!g_str_has_suffix (name, SUFFIX))
        continue;
      id = g_strndup (name, strlen (name) - strlen (SUFFIX));
      path = g_build_filename (self->dir, name, NULL);
      if ((t = load_file (self, path, id, &error)) != NULL)
        g_ptr_array_add (tickets, t);
      else
        g_ptr_array_add (problems, g_strdup (error->message));
    }
  g_ptr_array_sort (tickets, by_start);
  *out_problems = problems;
  return tickets;
}

/**
 * sc_ticket_store_remove:
 */
gboolean
sc_ticket_store_remove (ScTicketStore *self, const char *id, GError **error)
{
  g_autofree char *path = path_of (self, id);

  if (g_unlink (path) != 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "Cannot remove %s: %s", path, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}
