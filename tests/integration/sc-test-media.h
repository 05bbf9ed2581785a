/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "sc-test-server.h"

G_BEGIN_DECLS

/**
 * ScTestFixture:
 *
 * A running `slotcast serve` and an HTTP session to it.
 */
typedef struct
{
  ScTestServer *server;
  SoupSession *session;
} ScTestFixture;

gboolean sc_test_direct_send (void);
void sc_test_fixture_set_up (ScTestFixture *f, gconstpointer data);
void sc_test_fixture_tear_down (ScTestFixture *f, gconstpointer data);
JsonNode *sc_test_book (ScTestFixture *f, const char *stream, gint64 start_s,
                        gint64 length_s, const char *extra);
GSubprocess *sc_test_spawn_flags (const char *const *argv,
                                  GSubprocessFlags flags);
GSubprocess *sc_test_spawn (const char *const *argv);
GSubprocess *sc_test_spawn_gst (const char *pipeline);
GSubprocess *sc_test_spawn_viewer (const char *pipeline);
GSubprocess *sc_test_view_over (ScTestFixture *f, const char *stream,
                                const char *token, const char *protocols,
                                int frames);
GSubprocess *sc_test_view (ScTestFixture *f, const char *stream,
                           const char *token, int frames);
int sc_test_wait_for (GSubprocess *proc, guint ms);
gboolean sc_test_got_frames (GSubprocess *viewer, guint ms);
JsonObject *sc_test_live_entry (ScTestFixture *f, const char *stream,
                                ScTestResponse **keep);
gint64 sc_test_wait_live (ScTestFixture *f, const char *stream, gboolean live,
                          guint ms);
gint64 sc_test_json_time (JsonNode *ticket, const char *member);
void sc_test_stop_process (GSubprocess *proc);
char *sc_test_run_viewers (const char *url, int n, int seconds, gint64 expected,
                           int cycles);
gint64 sc_test_live_bitrate (ScTestFixture *f, const char *stream);
int sc_test_ffmpeg_kib (const char *log, const char *kind);
GSubprocess *sc_test_spawn_ffmpeg (gboolean audio, const char *const *output,
                                   gboolean errors);
char *sc_test_describe (guint16 port, const char *stream);
char *sc_test_live_member (ScTestFixture *f, const char *stream,
                           const char *member);
char *sc_test_probe_rtsp (ScTestFixture *f, const char *stream,
                          int *out_status);
void sc_test_cancel (ScTestFixture *f, const char *id);

G_END_DECLS
