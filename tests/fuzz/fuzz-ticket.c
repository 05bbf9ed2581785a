/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* libFuzzer target: the uploader's ticket parser (a ticket comes from a
 * downloaded file or any URL). What it accepts must survive the store's
 * round trip and be describable. */

#include "config.h"

#include <string.h>

#include "sc-upload-ticket.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autoptr (ScUploadTicket) t
      = sc_upload_ticket_parse ((const char *)data, size, NULL);
  g_autofree char *stored = NULL;
  g_autofree char *shown = NULL;
  g_autoptr (ScUploadTicket) back = NULL;

  if (t == NULL)
    return 0;
  g_assert (t->end_us > t->start_us);
  stored = sc_upload_ticket_to_data (t);
  back = sc_upload_ticket_from_data (stored, NULL);
  g_assert (back != NULL);
  g_assert (strcmp (back->publish_token, t->publish_token) == 0);
  shown = sc_upload_ticket_describe (back, FALSE);
  g_assert (g_utf8_validate (shown, -1, NULL));
  return 0;
}
