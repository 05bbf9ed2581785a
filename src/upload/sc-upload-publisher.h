/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

typedef enum
{
  SC_UPLOAD_SOURCE_TEST_PATTERN,
  SC_UPLOAD_SOURCE_FILE,
  SC_UPLOAD_SOURCE_CAMERA,
  SC_UPLOAD_SOURCE_DESCRIPTION,
} ScUploadSourceKind;

/**
 * ScUploadMedia:
 * @value: the file (FILE) or the video source description (DESCRIPTION)
 * @audio: (nullable): an audio source description (DESCRIPTION)
 * @rtmp: publish over RTMP (H.264 + AAC) instead of RTSP (H.264 + Opus)
 * @gop_s: keyframe interval in seconds
 *
 * What to publish and how.
 */
typedef struct
{
  ScUploadSourceKind kind;
  const char *value;
  const char *audio;
  gboolean rtmp;
  int video_kbps;
  int gop_s;
} ScUploadMedia;

GstElement *sc_upload_pipeline_new (const ScUploadMedia *media,
                                    const char *location, GError **error);

#define SC_TYPE_UPLOAD_PUBLISHER (sc_upload_publisher_get_type ())
G_DECLARE_FINAL_TYPE (ScUploadPublisher, sc_upload_publisher, SC,
                      UPLOAD_PUBLISHER, GObject)

ScUploadPublisher *sc_upload_publisher_new (const ScUploadMedia *media,
                                            const char *location);
gboolean sc_upload_publisher_start (ScUploadPublisher *self, GError **error);
void sc_upload_publisher_stop (ScUploadPublisher *self);
void sc_upload_publisher_force_keyframe (ScUploadPublisher *self);
guint64 sc_upload_publisher_get_bytes (ScUploadPublisher *self);
guint64 sc_upload_publisher_get_dropped (ScUploadPublisher *self);

G_END_DECLS
