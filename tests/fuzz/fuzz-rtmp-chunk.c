/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* libFuzzer target: the RTMP chunk stream as a peer sends it after the
 * handshake, handed in pieces the way reads deliver it (the first byte sets
 * the piece size), and the AMF0 of every command and data message in it.
 * Seeds: ffmpeg and rtmp2sink sessions (capture-rtmp.py). */

#include "config.h"

#include "sc-amf0.h"
#include "sc-rtmp-chunk.h"

#define MAX_MESSAGE (256 * 1024)
#define MAX_CHUNK 65536

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autoptr (ScRtmpChunkReader) reader = NULL;
  g_autoptr (GByteArray) pending = g_byte_array_new ();
  gsize step;

  if (size < 1)
    return 0;
  step = 1 + data[0] * 16;
  data++;
  size--;
  reader = sc_rtmp_chunk_reader_new (MAX_MESSAGE, MAX_CHUNK);
  for (gsize off = 0; off < size; off += step)
    {
      g_autoptr (GPtrArray) messages = g_ptr_array_new_with_free_func (
          (GDestroyNotify)sc_rtmp_message_free);
      gssize used;

      g_byte_array_append (pending, data + off, MIN (step, size - off));
      used = sc_rtmp_chunk_reader_parse (reader, pending->data, pending->len,
                                         messages, NULL);
      if (used < 0)
        return 0;
      g_assert ((gsize)used <= pending->len);
      g_byte_array_remove_range (pending, 0, used);
      for (guint i = 0; i < messages->len; i++)
        {
          ScRtmpMessage *m = messages->pdata[i];
          gsize n;
          const guint8 *p = g_bytes_get_data (m->payload, &n);

          g_assert (n <= MAX_MESSAGE);
          if (m->type == SC_RTMP_COMMAND_AMF0 || m->type == SC_RTMP_DATA_AMF0)
            {
              g_autoptr (GPtrArray) values = sc_amf0_decode_all (p, n, NULL);

              g_assert (values == NULL || values->len <= SC_AMF0_MAX_VALUES);
            }
        }
    }
  return 0;
}
