/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* libFuzzer target: the AMF0 decoder on command and metadata bodies. What
 * it accepts must be valid UTF-8 JSON (json-glib's generator checks) within
 * the bounds. Seeds: the commands of ffmpeg and rtmp2sink sessions. */

#include "config.h"

#include "sc-amf0.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autoptr (GPtrArray) values = sc_amf0_decode_all (data, size, NULL);

  if (values == NULL)
    return 0;
  g_assert (values->len <= SC_AMF0_MAX_VALUES);
  for (guint i = 0; i < values->len; i++)
    {
      g_autofree char *json = json_to_string (values->pdata[i], FALSE);

      g_assert (g_utf8_validate (json, -1, NULL));
    }
  return 0;
}
