/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Every pipeline fragment in pipelines/ parses into a bin with the elements
 * the ingest looks for (depayN/sinkN, srcN/payN; flv-* track fragments
 * after flv-demux, with flvdemux and sinkN); the uploader's upload-* ones
 * parse. */

#include "config.h"

#include <gst/gst.h>
#include <string.h>

#include "sc-pipelines-resources.h"

static char *
load (const char *name)
{
  g_autofree char *path = g_strdup_printf ("/org/slotcast/pipelines/%s", name);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes
      = g_resource_lookup_data (sc_pipelines_get_resource (), path, 0, &error);
  g_autofree char *text = NULL;
  g_auto (GStrv) a = NULL;
  g_autofree char *with_n = NULL;
  g_auto (GStrv) b = NULL;

  g_assert_no_error (error);
  text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  a = g_strsplit (text, "{n}", -1);
  with_n = g_strjoinv ("0", a);
  b = g_strsplit (with_n, "{pt}", -1);
  g_free (with_n);
  with_n = g_strjoinv ("96", b);
  /* The uploader's placeholders. */
  for (const char *const *kv
       = (const char *const[]){ "{kbps}", "2500", "{gop}", "60", NULL };
       *kv != NULL; kv += 2)
    {
      g_auto (GStrv) parts = g_strsplit (with_n, kv[0], -1);

      g_free (with_n);
      with_n = g_strjoinv (kv[1], parts);
    }
  return g_steal_pointer (&with_n);
}

static void
test_fragment (gconstpointer data)
{
  const char *name = data;
  g_autoptr (GError) error = NULL;
  g_autofree char *description = load (name);
  GstElement *bin;
  gboolean record = g_str_has_prefix (name, "record-");
  gboolean flv = g_str_has_prefix (name, "flv-");
  const char *wanted[2];

  if (g_str_has_prefix (name, "upload-"))
    {
      /* The uploader's fragments parse on their own; a source may end in
       * caps, which need an element after them. */
      if (strstr (name, "-video.") != NULL || strstr (name, "-audio.") != NULL)
        {
          g_autofree char *closed
              = g_strconcat (description, " ! fakesink", NULL);

          g_free (description);
          description = g_steal_pointer (&closed);
        }
      bin = gst_parse_bin_from_description_full (
          description, FALSE, NULL, GST_PARSE_FLAG_FATAL_ERRORS, &error);
      g_assert_no_error (error);
      gst_object_unref (bin);
      return;
    }

  if (flv && strcmp (name, "flv-demux.pipeline") != 0)
    {
      g_autofree char *head = load ("flv-demux.pipeline");
      g_autofree char *both = g_strconcat (head, " ", description, NULL);

      g_free (description);
      description = g_steal_pointer (&both);
    }

  bin = gst_parse_bin_from_description_full (
      description, FALSE, NULL, GST_PARSE_FLAG_FATAL_ERRORS, &error);
  g_assert_no_error (error);
  g_assert_nonnull (bin);
  wanted[0] = flv ? "flvdemux" : record ? "depay0" : "src0";
  wanted[1] = flv ? "flvdemux" : record ? "sink0" : "pay0";
  if (flv && strcmp (name, "flv-demux.pipeline") != 0)
    wanted[0] = "sink0";
  for (int i = 0; i < 2; i++)
    {
      GstElement *e = gst_bin_get_by_name (GST_BIN (bin), wanted[i]);
      g_assert_nonnull (e);
      gst_object_unref (e);
    }
  gst_object_unref (bin);
}

int
main (int argc, char **argv)
{
  g_auto (GStrv) names = NULL;

  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  names = g_resource_enumerate_children (sc_pipelines_get_resource (),
                                         "/org/slotcast/pipelines", 0, NULL);
  g_assert_nonnull (names);
  for (char **n = names; *n != NULL; n++)
    {
      g_autofree char *test = g_strdup_printf ("/pipelines/%s", *n);
      g_test_add_data_func_full (test, g_strdup (*n), test_fragment, g_free);
    }
  return g_test_run ();
}
