/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* libFuzzer target: the small parsers of untrusted text: RFC 3339 times,
 * tokens and base64url. The first byte picks the parser. */

#include "config.h"

#include <string.h>

#include "sc-clock.h"
#include "sc-token.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autofree char *text = NULL;
  guint8 hash[SC_TOKEN_HASH_LEN];
  gint64 us;
  size_t len;

  if (size < 1 || size > 4096)
    return 0;
  text = g_strndup ((const char *)data + 1, size - 1);
  switch (data[0] % 3)
    {
      case 0:
        if (sc_time_parse (text, &us))
          {
            g_autofree char *back = sc_time_format_us (us);
            gint64 again;
            g_assert (sc_time_parse (back, &again) && again == us);
          }
        break;
      case 1:
        if (sc_token_hash (text, hash))
          g_assert (strlen (text) == SC_TOKEN_TEXT_LEN);
        break;
      case 2:
        {
          g_autofree guint8 *raw = sc_base64url_decode (text, &len);
          if (raw != NULL)
            {
              g_autofree char *back = sc_base64url_encode (raw, len);
              g_assert (strcmp (back, text) == 0);
            }
        }
        break;
    }
  return 0;
}
