/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SC_RTMP_ERROR (sc_rtmp_error_quark ())
GQuark sc_rtmp_error_quark (void);

typedef enum
{
  SC_RTMP_ERROR_PROTOCOL,
  SC_RTMP_ERROR_TOO_LARGE,
} ScRtmpError;

/* Message types (RTMP specification 5.4, 7.1). */
typedef enum
{
  SC_RTMP_SET_CHUNK_SIZE = 1,
  SC_RTMP_ABORT = 2,
  SC_RTMP_ACKNOWLEDGEMENT = 3,
  SC_RTMP_USER_CONTROL = 4,
  SC_RTMP_WINDOW_ACK_SIZE = 5,
  SC_RTMP_SET_PEER_BANDWIDTH = 6,
  SC_RTMP_AUDIO = 8,
  SC_RTMP_VIDEO = 9,
  SC_RTMP_DATA_AMF3 = 15,
  SC_RTMP_COMMAND_AMF3 = 17,
  SC_RTMP_DATA_AMF0 = 18,
  SC_RTMP_COMMAND_AMF0 = 20,
} ScRtmpMessageType;

#define SC_RTMP_DEFAULT_CHUNK_SIZE 128
#define SC_RTMP_MAX_CHUNK_STREAMS 16

/**
 * ScRtmpMessage:
 * @timestamp: milliseconds, as the peer counts them (wraps at 2^32)
 *
 * One reassembled message.
 */
typedef struct
{
  guint8 type;
  guint32 stream_id;
  guint32 timestamp;
  GBytes *payload;
} ScRtmpMessage;

void sc_rtmp_message_free (ScRtmpMessage *message);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScRtmpMessage, sc_rtmp_message_free)

typedef struct _ScRtmpChunkReader ScRtmpChunkReader;

ScRtmpChunkReader *sc_rtmp_chunk_reader_new (gsize max_message_size,
                                             guint32 max_chunk_size);
void sc_rtmp_chunk_reader_free (ScRtmpChunkReader *reader);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScRtmpChunkReader, sc_rtmp_chunk_reader_free)

gssize sc_rtmp_chunk_reader_parse (ScRtmpChunkReader *reader,
                                   const guint8 *data, gsize size,
                                   GPtrArray *messages, GError **error);

void sc_rtmp_chunk_write (GByteArray *out, guint32 csid,
                          const ScRtmpMessage *message, guint32 chunk_size);

G_END_DECLS
