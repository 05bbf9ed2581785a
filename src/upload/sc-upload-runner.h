/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "sc-upload-publisher.h"
#include "sc-upload-ticket.h"

G_BEGIN_DECLS

/* Exit codes of `slotcast-upload` (SPEC.md, Uploader). */
enum
{
  SC_UPLOAD_EXIT_DONE = 0,
  SC_UPLOAD_EXIT_ERROR = 1,
  SC_UPLOAD_EXIT_USAGE = 2,
  SC_UPLOAD_EXIT_REFUSED = 3,
};

typedef enum
{
  SC_UPLOAD_OUTPUT_LINE,  /* one live status line (a terminal) */
  SC_UPLOAD_OUTPUT_PLAIN, /* log lines */
  SC_UPLOAD_OUTPUT_JSON,  /* one JSON object per line */
} ScUploadOutput;

/**
 * ScUploadRunOptions:
 * @on_notify: (nullable): a shell command run at notification time
 *
 * How `slotcast-upload run` behaves.
 */
typedef struct
{
  ScUploadMedia media;
  gint64 notify_before_us;
  gint64 lead_us;
  const char *on_notify;
  ScUploadOutput output;
} ScUploadRunOptions;

int sc_upload_run (const ScTicket *ticket, const ScUploadRunOptions *options);

G_END_DECLS
