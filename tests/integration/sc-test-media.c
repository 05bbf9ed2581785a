/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Helpers of the media tests: booking, spawning real clients (gst-launch-1.0,
 * ffmpeg), waiting for them, and watching GET /api/v1/streams. */

#include "config.h"

#include "sc-test-media.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

/* Books @stream from now + @start_s for @length_s; returns the ticket. */
JsonNode *
sc_test_book (ScTestFixture *f, const char *stream, gint64 start_s,
              gint64 length_s, const char *extra)
{
  g_autofree char *body
      = sc_test_booking_body (stream, start_s, start_s + length_s, extra);
  g_autofree char *url = sc_test_server_url (f->server, "/api/v1/reservations");
  g_autoptr (ScTestResponse) r
      = sc_test_request (f->session, "POST", url, f->server->admin_key, body);

  g_assert_cmpuint (r->status, ==, 201);
  return json_node_ref (r->json);
}

GSubprocess *
sc_test_spawn_flags (const char *const *argv, GSubprocessFlags flags)
{
  g_autoptr (GError) error = NULL;
  GSubprocess *proc = g_subprocess_newv (argv, flags, &error);

  g_assert_no_error (error);
  return proc;
}

GSubprocess *
sc_test_spawn (const char *const *argv)
{
  return sc_test_spawn_flags (argv, G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
}

GSubprocess *
sc_test_spawn_gst (const char *pipeline)
{
  g_autofree char *cmd = g_strdup_printf ("gst-launch-1.0 -q %s", pipeline);
  g_auto (GStrv) argv = NULL;

  g_assert_true (g_shell_parse_argv (cmd, NULL, &argv, NULL));
  return sc_test_spawn ((const char *const *)argv);
}

/* A gst-launch-1.0 viewer whose stdout tells whether it reached EOS. */
GSubprocess *
sc_test_spawn_viewer (const char *pipeline)
{
  g_autofree char *cmd = g_strdup_printf ("gst-launch-1.0 %s", pipeline);
  g_auto (GStrv) argv = NULL;

  g_assert_true (g_shell_parse_argv (cmd, NULL, &argv, NULL));
  return sc_test_spawn_flags ((const char *const *)argv,
                              G_SUBPROCESS_FLAGS_STDOUT_PIPE);
}

/* A viewer of @stream over @protocols ("tcp", "udp", or "http" for RTSP
 * tunnelled in HTTP) that decodes @frames frames and exits 0. */
GSubprocess *
sc_test_view_over (ScTestFixture *f, const char *stream, const char *token,
                   const char *protocols, int frames)
{
  gboolean http = strcmp (protocols, "http") == 0;
  g_autofree char *p = g_strdup_printf (
      "rtspsrc location=\"%s://127.0.0.1:%u/live/%s%s%s\" latency=0 "
      "protocols=%s ! rtph264depay ! h264parse ! avdec_h264 ! "
      "fakesink num-buffers=%d",
      http ? "rtsph" : "rtsp", f->server->rtsp_port, stream,
      token ? "?token=" : "", token ? token : "", http ? "tcp" : protocols,
      frames);

  return sc_test_spawn_viewer (p);
}

/* A viewer over TCP that decodes @frames frames and exits 0. */
GSubprocess *
sc_test_view (ScTestFixture *f, const char *stream, const char *token,
              int frames)
{
  return sc_test_view_over (f, stream, token, "tcp", frames);
}

static gboolean
on_timeout (gpointer data)
{
  *(gboolean *)data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
on_process_exit (GObject *source, GAsyncResult *result, gpointer data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *(gboolean *)data = TRUE;
}

/* Waits at most @ms for @proc; its exit status, or -1 when it had to be
 * killed. */
int
sc_test_wait_for (GSubprocess *proc, guint ms)
{
  gboolean done = FALSE, timed_out = FALSE;
  guint id = g_timeout_add (ms, on_timeout, &timed_out);

  g_subprocess_wait_async (proc, NULL, on_process_exit, &done);
  while (!done && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  if (!done)
    {
      g_subprocess_force_exit (proc);
      while (!done)
        g_main_context_iteration (NULL, TRUE);
      return -1;
    }
  return g_subprocess_get_if_exited (proc) ? g_subprocess_get_exit_status (proc)
                                           : -2;
}

/* Waits for a viewer; whether it decoded all its frames (reached EOS).
 * Its exit status is not the test: rtspsrc may report an error while
 * tearing down after EOS. */
gboolean
sc_test_got_frames (GSubprocess *viewer, guint ms)
{
  GInputStream *out = g_subprocess_get_stdout_pipe (viewer);
  g_autoptr (GString) text = g_string_new (NULL);
  char buf[4096];
  gssize n;
  int status = sc_test_wait_for (viewer, ms);

  while ((n = g_input_stream_read (out, buf, sizeof buf, NULL, NULL)) > 0)
    g_string_append_len (text, buf, n);
  if (status != 0)
    g_test_message ("viewer exited with %d", status);
  return strstr (text->str, "Got EOS from element") != NULL;
}

/* The entry of /api/v1/streams for @stream, or NULL. */
JsonObject *
sc_test_live_entry (ScTestFixture *f, const char *stream, ScTestResponse **keep)
{
  g_autofree char *url = sc_test_server_url (f->server, "/api/v1/streams");
  ScTestResponse *r
      = sc_test_request (f->session, "GET", url, f->server->admin_key, NULL);
  JsonArray *a;

  g_assert_cmpuint (r->status, ==, 200);
  *keep = r;
  a = json_object_get_array_member (json_node_get_object (r->json), "streams");
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      JsonObject *o = json_array_get_object_element (a, i);
      if (g_strcmp0 (json_object_get_string_member (o, "stream"), stream) == 0)
        return o;
    }
  return NULL;
}

/* Waits until @stream is (or is no longer) live for viewers; returns
 * when, in microseconds of wall clock, or 0 on time-out. */
gint64
sc_test_wait_live (ScTestFixture *f, const char *stream, gboolean live,
                   guint ms)
{
  gint64 until = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < until)
    {
      g_autoptr (ScTestResponse) r = NULL;
      JsonObject *o = sc_test_live_entry (f, stream, &r);
      gboolean is_live
          = o != NULL && json_object_get_boolean_member (o, "live");

      if (is_live == live)
        return g_get_real_time ();
      g_usleep (20000);
    }
  return 0;
}

gint64
sc_test_json_time (JsonNode *ticket, const char *member)
{
  gint64 us = 0;
  g_autoptr (GDateTime) dt = g_date_time_new_from_iso8601 (
      sc_test_json_string (ticket, member), NULL);

  g_assert_nonnull (dt);
  us = g_date_time_to_unix (dt) * G_USEC_PER_SEC;
  return us;
}

void
sc_test_stop_process (GSubprocess *proc)
{
  if (g_subprocess_get_identifier (proc) != NULL)
    {
      g_subprocess_send_signal (proc, SIGINT);
      if (sc_test_wait_for (proc, 5000) == -1)
        g_test_message ("had to kill %s",
                        g_subprocess_get_identifier (proc) ?: "a client");
    }
}

/**
 * sc_test_run_viewers:
 *
 * Runs bench/fanout/viewers.c (raw RTSP viewers of the first track only)
 * against @url: @n viewers for @seconds, @cycles times, each fed when it
 * got @expected bits per second.
 *
 * Returns: (transfer full): its report, one line per cycle
 */
char *
sc_test_run_viewers (const char *url, int n, int seconds, gint64 expected,
                     int cycles)
{
  g_autofree char *ns = g_strdup_printf ("%d", n);
  g_autofree char *secs = g_strdup_printf ("%d", seconds);
  g_autofree char *rate = g_strdup_printf ("%" G_GINT64_FORMAT, expected);
  g_autofree char *times = g_strdup_printf ("%d", cycles);
  const char *argv[]
      = { g_getenv ("SLOTCAST_VIEWERS_BIN"), url, ns, secs, rate, times, NULL };
  g_autoptr (GSubprocess) crowd = NULL;
  g_autoptr (GError) error = NULL;
  char *out = NULL;

  g_assert_nonnull (argv[0]);
  crowd = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (crowd, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_test_message ("%s", out);
  return out;
}

/**
 * sc_test_live_bitrate:
 *
 * Returns: @stream's ingest bitrate once /api/v1/streams reports one
 */
gint64
sc_test_live_bitrate (ScTestFixture *f, const char *stream)
{
  gint64 bitrate = 0;

  for (int i = 0; i < 100 && bitrate == 0; i++)
    {
      g_autoptr (ScTestResponse) r = NULL;
      JsonObject *o = sc_test_live_entry (f, stream, &r);

      g_assert_nonnull (o);
      bitrate = json_object_get_int_member (o, "bitrate");
      if (bitrate == 0)
        g_usleep (50000);
    }
  g_assert_cmpint (bitrate, >, 0);
  return bitrate;
}

/**
 * sc_test_ffmpeg_kib:
 * @log: ffmpeg's stderr at the default log level
 * @kind: "video" or "audio"
 *
 * Returns: how many KiB of @kind ffmpeg's final statistics report
 *   ("video:123kB audio:45kB …"), or -1 when they are missing
 */
int
sc_test_ffmpeg_kib (const char *log, const char *kind)
{
  g_autofree char *key = g_strconcat (kind, ":", NULL);
  const char *at = g_strrstr (log, key);

  return at ? atoi (at + strlen (key)) : -1;
}

/**
 * sc_test_direct_send:
 *
 * Returns: whether the servers of this run send to interleaved RTSP
 *   viewers themselves (the default), rather than through
 *   gst-rtsp-server's path (`SLOTCAST_TEST_DIRECT_SEND=0`)
 */
gboolean
sc_test_direct_send (void)
{
  return g_strcmp0 (g_getenv ("SLOTCAST_TEST_DIRECT_SEND"), "0") != 0;
}

/**
 * sc_test_fixture_set_up:
 * @data: (nullable): more arguments for `slotcast serve`
 *
 * Starts a server and a session (a g_test_add() set-up), with
 * `--direct-send=false` if sc_test_direct_send() says so.
 */
void
sc_test_fixture_set_up (ScTestFixture *f, gconstpointer data)
{
  g_autoptr (GPtrArray) args = g_ptr_array_new ();

  for (const char *const *a = data; a != NULL && *a != NULL; a++)
    g_ptr_array_add (args, (char *)*a);
  if (!sc_test_direct_send ())
    g_ptr_array_add (args, "--direct-send=false");
  g_ptr_array_add (args, NULL);
  f->server
      = sc_test_server_start (NULL, (const char *const *)args->pdata, NULL);
  f->session = sc_test_session_new ();
}

void
sc_test_fixture_tear_down (ScTestFixture *f, gconstpointer data)
{
  g_assert_cmpint (sc_test_server_stop (f->server), ==, 0);
  sc_test_server_free (f->server);
  g_object_unref (f->session);
}

/**
 * sc_test_spawn_ffmpeg:
 * @audio: also a 440 Hz tone as AAC
 * @output: (array zero-terminated=1): the output options and URL, e.g.
 *   `-f flv rtmp://…`
 * @errors: pipe stderr (else it goes to the test's)
 *
 * Returns: (transfer full): ffmpeg publishing a live 320×240, 25 fps
 *   H.264 test pattern (keyframe every second) in real time
 */
GSubprocess *
sc_test_spawn_ffmpeg (gboolean audio, const char *const *output,
                      gboolean errors)
{
  const char *video[] = { "ffmpeg", "-nostdin", "-loglevel",
                          "error",  "-re",      "-f",
                          "lavfi",  "-i",       "testsrc=size=320x240:rate=25",
                          NULL };
  const char *tone[]
      = { "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100", NULL };
  const char *encode[]
      = { "-pix_fmt", "yuv420p",     "-c:v", "libx264", "-preset", "ultrafast",
          "-tune",    "zerolatency", "-g",   "25",      NULL };
  const char *aac[] = { "-c:a", "aac", NULL };
  const char *const *parts[]
      = { video, audio ? tone : NULL, encode, audio ? aac : NULL, output };
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();

  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    for (const char *const *a = parts[i]; a != NULL && *a != NULL; a++)
      g_ptr_array_add (argv, (char *)*a);
  g_ptr_array_add (argv, NULL);
  return sc_test_spawn_flags (
      (const char *const *)argv->pdata,
      G_SUBPROCESS_FLAGS_STDOUT_SILENCE
          | (errors ? G_SUBPROCESS_FLAGS_STDERR_PIPE : 0));
}

/**
 * sc_test_live_member:
 *
 * Returns: (transfer full) (nullable): the string @member of @stream's
 *   entry in /api/v1/streams, or %NULL when it is not listed
 */
char *
sc_test_live_member (ScTestFixture *f, const char *stream, const char *member)
{
  g_autoptr (ScTestResponse) keep = NULL;
  JsonObject *o = sc_test_live_entry (f, stream, &keep);

  return o ? g_strdup (json_object_get_string_member (o, member)) : NULL;
}

/**
 * sc_test_describe:
 *
 * Returns: (transfer full): the status line a DESCRIBE of /live/@stream on
 *   @port gets
 */
char *
sc_test_describe (guint16 port, const char *stream)
{
  g_autofree char *request = g_strdup_printf (
      "DESCRIBE rtsp://127.0.0.1:%u/live/%s RTSP/1.0\r\nCSeq: 1\r\n"
      "Accept: application/sdp\r\n\r\n",
      port, stream);
  g_autofree char *reply = sc_test_tcp_request (port, request, FALSE);

  g_test_message ("DESCRIBE %s: %.*s", stream, (int)strcspn (reply, "\r"),
                  reply);
  return g_strndup (reply, strcspn (reply, "\r"));
}

/**
 * sc_test_probe_rtsp:
 * @out_status: (out): ffmpeg's exit status
 *
 * Views @stream over RTSP with ffmpeg for 2 s, every track decoded.
 *
 * Returns: (transfer full): ffmpeg's stderr (the tracks, the statistics)
 */
char *
sc_test_probe_rtsp (ScTestFixture *f, const char *stream, int *out_status)
{
  g_autofree char *url = g_strdup_printf ("rtsp://127.0.0.1:%u/live/%s",
                                          f->server->rtsp_port, stream);
  const char *argv[] = { "ffmpeg", "-nostdin", "-rtsp_transport",
                         "tcp",    "-i",       url,
                         "-t",     "2",        "-map",
                         "0",      "-f",       "null",
                         "-",      NULL };
  g_autoptr (GSubprocess) viewer = sc_test_spawn_flags (
      argv, G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr (GError) error = NULL;
  char *err = NULL;

  g_subprocess_communicate_utf8 (viewer, NULL, NULL, NULL, &err, &error);
  g_assert_no_error (error);
  *out_status = g_subprocess_get_exit_status (viewer);
  g_test_message ("ffmpeg viewer of %s exited with %d", stream, *out_status);
  return err;
}

/**
 * sc_test_cancel:
 *
 * Cancels reservation @id as the operator (asserting 200).
 */
void
sc_test_cancel (ScTestFixture *f, const char *id)
{
  g_autofree char *path = g_strconcat ("/api/v1/reservations/", id, NULL);
  g_autofree char *url = sc_test_server_url (f->server, path);
  g_autoptr (ScTestResponse) r
      = sc_test_request (f->session, "DELETE", url, f->server->admin_key, NULL);

  g_assert_cmpuint (r->status, ==, 200);
}
