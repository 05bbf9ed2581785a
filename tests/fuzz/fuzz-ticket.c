/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* libFuzzer target: the uploader's ticket parser (a ticket comes from a
 * downloaded file or any URL) and the path from a ticket to the publishing
 * pipeline. What it accepts must survive the store's round trip, be
 * describable, and give a pipeline of exactly the usual elements with the
 * ticket's URL as a property. */

#include "config.h"

#include <string.h>

#include "sc-upload-publisher.h"
#include "sc-upload-ticket.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static const ScUploadMedia media[2] = {
  { SC_UPLOAD_SOURCE_TEST_PATTERN, NULL, NULL, FALSE, 1000, 2 },
  { SC_UPLOAD_SOURCE_TEST_PATTERN, NULL, NULL, TRUE, 1000, 2 },
};

/* How many elements the pipeline of each media has for a plain URL. */
static guint usual[2];

static guint
count_elements (GstElement *pipeline)
{
  g_autoptr (GstIterator) it = gst_bin_iterate_recurse (GST_BIN (pipeline));
  GValue v = G_VALUE_INIT;
  guint n = 0;

  while (gst_iterator_next (it, &v) == GST_ITERATOR_OK)
    {
      n++;
      g_value_reset (&v);
    }
  g_value_unset (&v);
  return n;
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  gst_init (argc, argv);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr (GstElement) p = sc_upload_pipeline_new (
          &media[i], i ? "rtmp://h/live/a?token=t" : "rtsp://h/live/a?token=t",
          NULL);

      g_assert (p != NULL);
      usual[i] = count_elements (p);
    }
  return 0;
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autoptr (ScTicket) t = sc_ticket_parse ((const char *)data, size, NULL);
  g_autofree char *stored = NULL;
  g_autofree char *shown = NULL;
  g_autoptr (ScTicket) back = NULL;

  if (t == NULL)
    return 0;
  g_assert (t->end_us > t->start_us);
  stored = sc_upload_ticket_to_data (t);
  back = sc_upload_ticket_from_data (stored, NULL);
  g_assert (back != NULL);
  g_assert (strcmp (back->publish_token, t->publish_token) == 0);
  shown = sc_upload_ticket_describe (back, FALSE);
  g_assert (g_utf8_validate (shown, -1, NULL));
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *url = sc_ticket_dup_publish_url (t, i, NULL);
      g_autoptr (GstElement) p = NULL;

      g_assert (url != NULL);
      p = sc_upload_pipeline_new (&media[i], url, NULL);
      g_assert (p != NULL);
      g_assert (count_elements (p) == usual[i]);
    }
  return 0;
}
