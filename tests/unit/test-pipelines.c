/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Every pipeline fragment in pipelines/ parses into a bin with the elements
 * the ingest looks for (depayN/sinkN, srcN/payN). */

#include "config.h"

#include <gst/gst.h>
#include <string.h>

#include "sc-pipelines-resources.h"

static void
test_fragment (gconstpointer data)
{
  const char *name = data;
  g_autofree char *path = g_strdup_printf ("/org/slotcast/pipelines/%s", name);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes
      = g_resource_lookup_data (sc_pipelines_get_resource (), path, 0, &error);
  g_autofree char *text = NULL;
  g_auto (GStrv) a = NULL;
  g_autofree char *with_n = NULL;
  g_auto (GStrv) b = NULL;
  g_autofree char *description = NULL;
  GstElement *bin;
  gboolean record = g_str_has_prefix (name, "record-");
  const char *wanted[2];

  g_assert_no_error (error);
  text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  a = g_strsplit (text, "{n}", -1);
  with_n = g_strjoinv ("0", a);
  b = g_strsplit (with_n, "{pt}", -1);
  description = g_strjoinv ("96", b);

  bin = gst_parse_bin_from_description_full (
      description, FALSE, NULL, GST_PARSE_FLAG_FATAL_ERRORS, &error);
  g_assert_no_error (error);
  g_assert_nonnull (bin);
  wanted[0] = record ? "depay0" : "src0";
  wanted[1] = record ? "sink0" : "pay0";
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
