/* SPDX-License-Identifier: LGPL-2.1-or-later */

/**
 * ScRtmpChunkReader:
 *
 * The RTMP chunk stream (RTMP specification, section 5.3): splits the bytes
 * a peer sends after the handshake into chunks and reassembles messages.
 * It applies Set Chunk Size and Abort itself, since they change how the
 * next bytes parse, and returns every other message.
 *
 * Input is untrusted: the chunk size, the message size, the number of chunk
 * streams and the bytes held for incomplete messages are bounded, and a
 * violation is an error after which the connection must be closed. A chunk
 * is taken only once all of its bytes are there, so the caller can hand in
 * whatever it has read and hand the rest in again later.
 *
 * Timestamps follow ffmpeg and librtmp: a type 0 header carries an absolute
 * time, types 1 and 2 a delta, a type 3 header starting a message reuses
 * the last time field as a delta, and type 3 chunks repeat the extended
 * timestamp when the header they continue had one.
 *
 * Not thread-safe; one per connection.
 */

#include "config.h"

#include "sc-rtmp-chunk.h"

#include <string.h>

/* The quark's name is one token: clang-format would space it out. */
/* clang-format off */
G_DEFINE_QUARK (sc-rtmp-error-quark, sc_rtmp_error)
/* clang-format on */

#define EXTENDED_TIMESTAMP 0xffffff

typedef struct
{
  guint32 timestamp;
  guint32 time_field; /* the last header's time: absolute (type 0) or delta */
  guint32 length;
  guint32 stream_id;
  guint8 type;
  gboolean extended;   /* the last header had an extended timestamp */
  GByteArray *partial; /* the message being reassembled, or NULL */
} ChunkStream;

struct _ScRtmpChunkReader
{
  gsize max_message;
  guint32 max_chunk_size;
  guint32 chunk_size;
  GHashTable *streams; /* csid → ChunkStream */
  gsize pending;       /* bytes held in partial messages */
};

void
sc_rtmp_message_free (ScRtmpMessage *message)
{
  if (message == NULL)
    return;
  g_bytes_unref (message->payload);
  g_free (message);
}

static void
chunk_stream_free (ChunkStream *cs)
{
  if (cs->partial != NULL)
    g_byte_array_unref (cs->partial);
  g_free (cs);
}

/**
 * sc_rtmp_chunk_reader_new:
 * @max_message_size: the largest message accepted
 * @max_chunk_size: the largest chunk size a peer may set
 *
 * Returns: (transfer full): a reader at the default chunk size (128)
 */
ScRtmpChunkReader *
sc_rtmp_chunk_reader_new (gsize max_message_size, guint32 max_chunk_size)
{
  ScRtmpChunkReader *r = g_new0 (ScRtmpChunkReader, 1);

  r->max_message = max_message_size;
  r->max_chunk_size = max_chunk_size;
  r->chunk_size = SC_RTMP_DEFAULT_CHUNK_SIZE;
  r->streams = g_hash_table_new_full (NULL, NULL, NULL,
                                      (GDestroyNotify)chunk_stream_free);
  return r;
}

void
sc_rtmp_chunk_reader_free (ScRtmpChunkReader *reader)
{
  if (reader == NULL)
    return;
  g_hash_table_unref (reader->streams);
  g_free (reader);
}

static guint32
be (const guint8 *p, guint n)
{
  guint32 v = 0;

  for (guint i = 0; i < n; i++)
    v = v << 8 | p[i];
  return v;
}

static gssize protocol_error (GError **error, int code, const char *format, ...)
    G_GNUC_PRINTF (3, 4);

/* Sets @error; returns -1. */
static gssize
protocol_error (GError **error, int code, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error,
                     g_error_new_valist (SC_RTMP_ERROR, code, format, args));
  va_end (args);
  return -1;
}

/* Set Chunk Size and Abort act on the reader; FALSE on a bad value. */
static gboolean
apply_control (ScRtmpChunkReader *r, guint8 type, GBytes *payload,
               GError **error)
{
  gsize n;
  const guint8 *p = g_bytes_get_data (payload, &n);
  guint32 value;

  if (n < 4)
    {
      protocol_error (error, SC_RTMP_ERROR_PROTOCOL,
                      "control message %u is too short", type);
      return FALSE;
    }
  value = be (p, 4);
  if (type == SC_RTMP_SET_CHUNK_SIZE)
    {
      if (value == 0 || value > r->max_chunk_size)
        {
          protocol_error (error, SC_RTMP_ERROR_TOO_LARGE,
                          "chunk size %u is out of bounds (1 to %u)", value,
                          r->max_chunk_size);
          return FALSE;
        }
      r->chunk_size = value;
    }
  else
    {
      ChunkStream *cs
          = g_hash_table_lookup (r->streams, GUINT_TO_POINTER (value));

      if (cs != NULL && cs->partial != NULL)
        {
          r->pending -= cs->partial->len;
          g_clear_pointer (&cs->partial, g_byte_array_unref);
        }
    }
  return TRUE;
}

/* One chunk at @p (@size bytes available): 0 when incomplete, -1 on error,
 * else the bytes it took. State changes only when a whole chunk is there. */
static gssize
parse_chunk (ScRtmpChunkReader *r, const guint8 *p, gsize size,
             GPtrArray *messages, GError **error)
{
  gsize off = 1;
  guint fmt, csid;
  guint32 field = 0, length, stream_id, take;
  guint8 type;
  gboolean extended, starts;
  ChunkStream *cs;

  if (size < 1)
    return 0;
  fmt = p[0] >> 6;
  csid = p[0] & 0x3f;
  if (csid == 0 || csid == 1)
    {
      off += csid + 1;
      if (size < off)
        return 0;
      csid = csid == 0 ? 64 + p[1] : 64 + p[1] + 256 * p[2];
    }
  if (csid < 2)
    return protocol_error (error, SC_RTMP_ERROR_PROTOCOL,
                           "chunk stream id %u is reserved", csid);

  cs = g_hash_table_lookup (r->streams, GUINT_TO_POINTER (csid));
  if (cs == NULL && fmt != 0)
    return protocol_error (error, SC_RTMP_ERROR_PROTOCOL,
                           "chunk stream %u starts without a full header",
                           csid);
  if (cs == NULL && g_hash_table_size (r->streams) >= SC_RTMP_MAX_CHUNK_STREAMS)
    return protocol_error (error, SC_RTMP_ERROR_TOO_LARGE,
                           "more than %d chunk streams",
                           SC_RTMP_MAX_CHUNK_STREAMS);
  if (cs != NULL && cs->partial != NULL && fmt != 3)
    return protocol_error (error, SC_RTMP_ERROR_PROTOCOL,
                           "chunk stream %u: new header inside a message",
                           csid);

  /* The header, into locals. */
  length = cs ? cs->length : 0;
  type = cs ? cs->type : 0;
  stream_id = cs ? cs->stream_id : 0;
  extended = cs ? cs->extended : FALSE;
  if (fmt < 3)
    {
      static const guint sizes[3] = { 11, 7, 3 };

      if (size < off + sizes[fmt])
        return 0;
      field = be (p + off, 3);
      if (fmt < 2)
        {
          length = be (p + off + 3, 3);
          type = p[off + 6];
        }
      if (fmt == 0)
        stream_id = p[off + 7] | p[off + 8] << 8 | p[off + 9] << 16
                    | (guint32)p[off + 10] << 24;
      off += sizes[fmt];
      extended = field == EXTENDED_TIMESTAMP;
    }
  else
    field = cs->time_field;
  if (extended)
    {
      if (size < off + 4)
        return 0;
      field = be (p + off, 4);
      off += 4;
    }
  if (length > r->max_message)
    return protocol_error (error, SC_RTMP_ERROR_TOO_LARGE,
                           "message of %u bytes (at most %" G_GSIZE_FORMAT ")",
                           length, r->max_message);

  starts = cs == NULL || cs->partial == NULL;
  take = MIN (r->chunk_size, length - (starts ? 0 : cs->partial->len));
  if (size < off + take)
    return 0;
  if (starts && r->pending + length > 2 * r->max_message)
    return protocol_error (error, SC_RTMP_ERROR_TOO_LARGE,
                           "too many incomplete messages");

  /* A whole chunk: commit. */
  if (cs == NULL)
    {
      cs = g_new0 (ChunkStream, 1);
      g_hash_table_insert (r->streams, GUINT_TO_POINTER (csid), cs);
    }
  if (starts)
    {
      cs->timestamp = fmt == 0 ? field : cs->timestamp + field;
      cs->time_field = field;
      cs->length = length;
      cs->type = type;
      cs->stream_id = stream_id;
      cs->extended = extended;
      cs->partial = g_byte_array_sized_new (length);
      r->pending += length;
    }
  g_byte_array_append (cs->partial, p + off, take);
  off += take;

  if (cs->partial->len == cs->length)
    {
      g_autoptr (ScRtmpMessage) m = g_new0 (ScRtmpMessage, 1);

      r->pending -= cs->length;
      m->type = cs->type;
      m->stream_id = cs->stream_id;
      m->timestamp = cs->timestamp;
      m->payload = g_byte_array_free_to_bytes (g_steal_pointer (&cs->partial));
      if (m->type == SC_RTMP_SET_CHUNK_SIZE || m->type == SC_RTMP_ABORT)
        {
          if (!apply_control (r, m->type, m->payload, error))
            return -1;
        }
      else
        g_ptr_array_add (messages, g_steal_pointer (&m));
    }
  return off;
}

/**
 * sc_rtmp_chunk_reader_parse:
 * @messages: (element-type ScRtmpMessage): receives the complete messages
 *
 * Takes as many whole chunks from @data as it holds.
 *
 * Returns: the bytes taken (the rest must be handed in again with more),
 *   or -1 with @error set
 */
gssize
sc_rtmp_chunk_reader_parse (ScRtmpChunkReader *reader, const guint8 *data,
                            gsize size, GPtrArray *messages, GError **error)
{
  gsize done = 0;

  while (done < size)
    {
      gssize n
          = parse_chunk (reader, data + done, size - done, messages, error);

      if (n < 0)
        return -1;
      if (n == 0)
        break;
      done += n;
    }
  return done;
}

static void
put_be (GByteArray *out, guint32 v, guint n)
{
  guint8 b[4];

  for (guint i = 0; i < n; i++)
    b[i] = v >> (8 * (n - 1 - i));
  g_byte_array_append (out, b, n);
}

/**
 * sc_rtmp_chunk_write:
 * @csid: a chunk stream id from 2 to 63
 *
 * Appends @message to @out as chunks of at most @chunk_size bytes: a type
 * 0 header, then type 3 headers.
 */
void
sc_rtmp_chunk_write (GByteArray *out, guint32 csid,
                     const ScRtmpMessage *message, guint32 chunk_size)
{
  gsize size;
  const guint8 *payload = g_bytes_get_data (message->payload, &size);
  gboolean extended = message->timestamp >= EXTENDED_TIMESTAMP;
  guint8 basic = csid & 0x3f;
  guint32 sid = GUINT32_TO_LE (message->stream_id);
  gsize off = 0;

  g_return_if_fail (csid >= 2 && csid < 64);

  g_byte_array_append (out, &basic, 1);
  put_be (out, extended ? EXTENDED_TIMESTAMP : message->timestamp, 3);
  put_be (out, size, 3);
  g_byte_array_append (out, &message->type, 1);
  g_byte_array_append (out, (const guint8 *)&sid, 4);
  for (;;)
    {
      gsize n = MIN (chunk_size, size - off);

      if (extended)
        put_be (out, message->timestamp, 4);
      g_byte_array_append (out, payload + off, n);
      off += n;
      if (off >= size)
        break;
      basic = 0xc0 | (csid & 0x3f);
      g_byte_array_append (out, &basic, 1);
    }
}
