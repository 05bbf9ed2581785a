/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The pipeline fragments of the ingest (pipelines/NAME.pipeline, compiled
 * in as resources): fixed launch-syntax text with `{n}` for the track
 * number and `{pt}` for the RTP payload type, and nothing else substituted.
 * Nothing that a client sends ever becomes launch syntax: names and URLs
 * are set as properties after parsing.
 */

#include "config.h"

#include "sc-fragments.h"

#include "sc-pipelines-resources.h"

static const char *const names[] = {
  "record-h264", "record-aac", "record-aac-latm", "record-opus", "flv-demux",
  "flv-h264",    "flv-aac",    "play-h264",       "play-aac",    "play-opus",
};

/* name → text; built once, immutable after. */
static GHashTable *
fragments (void)
{
  static GHashTable *table;
  static gsize once;

  if (g_once_init_enter (&once))
    {
      GHashTable *t
          = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);

      for (size_t i = 0; i < G_N_ELEMENTS (names); i++)
        {
          g_autofree char *path = g_strdup_printf (
              "/org/slotcast/pipelines/%s.pipeline", names[i]);
          g_autoptr (GBytes) bytes = g_resource_lookup_data (
              sc_pipelines_get_resource (), path, 0, NULL);

          g_assert (bytes != NULL);
          g_hash_table_insert (
              t, (gpointer)names[i],
              g_strstrip (g_strndup (g_bytes_get_data (bytes, NULL),
                                     g_bytes_get_size (bytes))));
        }
      table = t;
      g_once_init_leave (&once, 1);
    }
  return table;
}

/**
 * sc_fragment_expand:
 * @name: a fragment's name, fixed at build time
 *
 * Returns: (transfer full): the fragment @name for track @n with payload
 *   type @pt
 */
char *
sc_fragment_expand (const char *name, guint n, guint pt)
{
  const char *text = g_hash_table_lookup (fragments (), name);
  g_autofree char *ns = g_strdup_printf ("%u", n);
  g_autofree char *pts = g_strdup_printf ("%u", pt);
  g_auto (GStrv) a = NULL;
  g_autofree char *with_n = NULL;
  g_auto (GStrv) b = NULL;

  g_assert (text != NULL);
  a = g_strsplit (text, "{n}", -1);
  with_n = g_strjoinv (ns, a);
  b = g_strsplit (with_n, "{pt}", -1);
  return g_strjoinv (pts, b);
}
