/* SPDX-License-Identifier: LGPL-2.1-or-later */

/**
 * ScHubRegistry:
 *
 * The stream hubs of a node, by stream name, and the kinds of output each
 * new hub gets (#ScHubOutputKind). Inputs ask for the hub of the stream
 * they admitted a publisher for; outputs and the ingest's checks look hubs
 * up. A hub, once made, stays for the registry's life: it is small when
 * nobody publishes.
 *
 * Thread-safe (@lock; taken alone, never while calling a hub or an output).
 * Kinds are added before the first hub is made.
 */

#include "config.h"

#include "sc-hub-registry.h"

typedef struct
{
  const ScHubOutputKind *kind;
  gpointer data;
} Kind;

struct _ScHubRegistry
{
  GObject parent_instance;

  ScClock *clock;
  ScSlotRules rules;
  GArray *kinds; /* Kind; fixed once a hub exists */

  GMutex lock;
  GHashTable *hubs; /* protected by lock: stream → ScStreamHub */
};

G_DEFINE_FINAL_TYPE (ScHubRegistry, sc_hub_registry, G_TYPE_OBJECT)

static void
sc_hub_registry_finalize (GObject *object)
{
  ScHubRegistry *self = SC_HUB_REGISTRY (object);

  g_hash_table_unref (self->hubs);
  g_array_unref (self->kinds);
  g_clear_object (&self->clock);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (sc_hub_registry_parent_class)->finalize (object);
}

static void
sc_hub_registry_class_init (ScHubRegistryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sc_hub_registry_finalize;
}

static void
sc_hub_registry_init (ScHubRegistry *self)
{
  g_mutex_init (&self->lock);
  self->kinds = g_array_new (FALSE, TRUE, sizeof (Kind));
  self->hubs
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
}

/**
 * sc_hub_registry_new:
 *
 * Returns: (transfer full): an empty registry whose hubs use @clock and
 *   @rules
 */
ScHubRegistry *
sc_hub_registry_new (ScClock *clock, const ScSlotRules *rules)
{
  ScHubRegistry *self = g_object_new (SC_TYPE_HUB_REGISTRY, NULL);

  self->clock = g_object_ref (clock);
  self->rules = *rules;
  return self;
}

/**
 * sc_hub_registry_add_kind:
 * @kind_data: passed to @kind's attach; must outlive the registry's hubs
 *
 * Every hub made from now on gets an output of @kind.
 */
void
sc_hub_registry_add_kind (ScHubRegistry *self, const ScHubOutputKind *kind,
                          gpointer kind_data)
{
  Kind k = { kind, kind_data };

  g_mutex_lock (&self->lock);
  g_warn_if_fail (g_hash_table_size (self->hubs) == 0);
  g_array_append_val (self->kinds, k);
  g_mutex_unlock (&self->lock);
}

/**
 * sc_hub_registry_ref:
 *
 * Returns: (transfer full): the hub of @stream, made if missing
 */
ScStreamHub *
sc_hub_registry_ref (ScHubRegistry *self, const char *stream)
{
  ScStreamHub *hub = sc_hub_registry_lookup (self, stream);
  ScStreamHub *made;

  if (hub != NULL)
    return hub;
  /* Made and given its outputs unlocked: attach may take its own locks. */
  made = sc_stream_hub_new (stream, self->clock, &self->rules);
  for (guint i = 0; i < self->kinds->len; i++)
    {
      Kind *k = &g_array_index (self->kinds, Kind, i);

      sc_stream_hub_attach (made, k->kind, k->data);
    }
  g_mutex_lock (&self->lock);
  hub = g_hash_table_lookup (self->hubs, stream);
  if (hub == NULL)
    {
      hub = made;
      made = NULL;
      g_hash_table_insert (self->hubs, g_strdup (stream), hub);
    }
  g_object_ref (hub);
  g_mutex_unlock (&self->lock);
  g_clear_object (&made); /* another thread made it first */
  return hub;
}

/**
 * sc_hub_registry_lookup:
 *
 * Returns: (transfer full) (nullable): the hub of @stream, if it has one
 */
ScStreamHub *
sc_hub_registry_lookup (ScHubRegistry *self, const char *stream)
{
  ScStreamHub *hub;

  g_mutex_lock (&self->lock);
  hub = g_hash_table_lookup (self->hubs, stream);
  if (hub != NULL)
    g_object_ref (hub);
  g_mutex_unlock (&self->lock);
  return hub;
}

gboolean
sc_hub_registry_contains (ScHubRegistry *self, const char *stream)
{
  gboolean found;

  g_mutex_lock (&self->lock);
  found = g_hash_table_contains (self->hubs, stream);
  g_mutex_unlock (&self->lock);
  return found;
}

/**
 * sc_hub_registry_dup_all:
 *
 * Returns: (transfer full) (element-type ScStreamHub): every hub now, to
 *   visit without the lock
 */
GPtrArray *
sc_hub_registry_dup_all (ScHubRegistry *self)
{
  GPtrArray *hubs = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  gpointer value;

  g_mutex_lock (&self->lock);
  g_hash_table_iter_init (&iter, self->hubs);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (hubs, g_object_ref (value));
  g_mutex_unlock (&self->lock);
  return hubs;
}
