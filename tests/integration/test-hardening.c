/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* What a stranger with a raw socket can do to the listeners, against the
 * real `slotcast serve` under `ulimit -n 1024`: descriptors stay flat over
 * many connections, silent and half-sent connections are dropped after their
 * time-out and never lock out real clients, bodies over the limit are
 * refused from their headers. docs/SECURITY.md lists what each test holds. */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include <sys/resource.h>

#include "sc-test-media.h"

#define NOFILE "RLIMIT_NOFILE=1024"

/* Starts as an ScTestFixture, for the media helpers. */
typedef struct
{
  ScTestServer *server;
  SoupSession *session;
  char *config;
} Fixture;

/* A config file for the server with @text in it. */
static char *
write_config (const char *text)
{
  g_autoptr (GError) error = NULL;
  char *path = NULL;
  int fd = g_file_open_tmp ("slotcast-test-XXXXXX.conf", &path, &error);

  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (path, text, -1, &error));
  g_assert_no_error (error);
  g_close (fd, NULL);
  return path;
}

static void
set_up (Fixture *f, gconstpointer data)
{
  const char *env[] = { NOFILE, NULL };

  f->config = write_config (data != NULL ? data : "");
  f->server = sc_test_server_start (
      NULL, (const char *const[]){ "--config", f->config, NULL }, env);
  f->session = sc_test_session_new ();
}

static void
tear_down (Fixture *f, gconstpointer data)
{
  g_assert_cmpint (sc_test_server_stop (f->server), ==, 0);
  sc_test_server_free (f->server);
  g_object_unref (f->session);
  g_unlink (f->config);
  g_free (f->config);
}

static guint
count_fds (ScTestServer *server)
{
  g_autofree char *path = g_strdup_printf (
      "/proc/%s/fd", g_subprocess_get_identifier (server->proc));
  GDir *dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;
  g_dir_close (dir);
  return n;
}

/* Waits up to @seconds for the server's descriptors to be at most @max. */
static guint
wait_fds_at_most (ScTestServer *server, guint max, guint seconds)
{
  guint n = count_fds (server);

  for (guint i = 0; i < seconds * 20 && n > max; i++)
    {
      g_usleep (G_USEC_PER_SEC / 20);
      n = count_fds (server);
    }
  return n;
}

static GSocket *
connect_to (guint16 port)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GInetAddress) lo
      = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new (lo, port);
  GSocket *s = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                             G_SOCKET_PROTOCOL_TCP, &error);

  g_assert_no_error (error);
  g_socket_set_timeout (s, 10);
  g_assert_true (g_socket_connect (s, address, NULL, &error));
  g_assert_no_error (error);
  return s;
}

static void
send_text (GSocket *s, const char *text)
{
  g_autoptr (GError) error = NULL;
  gsize len = strlen (text);
  gsize done = 0;

  while (done < len)
    {
      gssize n = g_socket_send (s, text + done, len - done, NULL, &error);

      g_assert_no_error (error);
      done += n;
    }
}

/* Reads one response with a Content-Length body; NULL at EOF first. */
static char *
read_response (GSocket *s)
{
  g_autoptr (GString) got = g_string_new (NULL);
  char buf[4096];

  for (;;)
    {
      g_autoptr (GError) error = NULL;
      const char *end = strstr (got->str, "\r\n\r\n");
      gssize n;

      if (end != NULL)
        {
          const char *cl = strstr (got->str, "Content-Length: ");
          gsize body = cl != NULL ? strtoul (cl + 16, NULL, 10) : 0;

          if (got->len >= (gsize)(end + 4 - got->str) + body)
            return g_string_free (g_steal_pointer (&got), FALSE);
        }
      n = g_socket_receive (s, buf, sizeof buf, NULL, &error);
      g_assert_no_error (error);
      if (n == 0)
        return got->len ? g_string_free (g_steal_pointer (&got), FALSE) : NULL;
      g_string_append_len (got, buf, n);
    }
}

/* Whether the server closed @s (EOF, or a reset), within 10 s. */
static gboolean
closed_by_server (GSocket *s)
{
  char buf[256];

  for (;;)
    {
      g_autoptr (GError) error = NULL;
      gssize n = g_socket_receive (s, buf, sizeof buf, NULL, &error);

      if (n == 0
          || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED)
          || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE))
        return TRUE;
      if (error != NULL)
        {
          g_test_message ("receive: %s", error->message);
          return FALSE;
        }
    }
}

static void
assert_healthy (ScTestServer *server)
{
  g_autofree char *got = sc_test_tcp_request (
      server->http_port,
      "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", TRUE);

  g_assert_true (g_str_has_prefix (got, "HTTP/1.1 200"));
}

/* Every connection that the client closes after its keep-alive request
 * gives its descriptor back (libsoup 3.2 kept each in CLOSE-WAIT for ever:
 * ~1,000 of them stopped the server); a connection serves many requests. */
static void
test_keepalive_fds (Fixture *f, gconstpointer data)
{
  guint before = count_fds (f->server);
  guint after;

  for (guint i = 0; i < 1500; i++)
    {
      g_autoptr (GSocket) s = connect_to (f->server->http_port);
      g_autofree char *a = NULL;
      g_autofree char *b = NULL;

      send_text (s, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
      a = read_response (s);
      g_assert_true (g_str_has_prefix (a, "HTTP/1.1 200"));
      if (i % 100 == 0)
        {
          /* The same connection again. */
          send_text (s, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
          b = read_response (s);
          g_assert_true (g_str_has_prefix (b, "HTTP/1.1 200"));
        }
      g_socket_close (s, NULL);
    }
  after = wait_fds_at_most (f->server, before + 2, 5);
  g_test_message ("descriptors: %u before, %u after 1,500 connections", before,
                  after);
  g_assert_cmpuint (after, <=, before + 2);
  assert_healthy (f->server);
}

/* 2,000 connections that never finish their request headers, with a 1 s
 * header time-out and 256 per address: real requests from the same address
 * are served meanwhile (the oldest silent connection makes room), every
 * silent one is closed within its time-out, the descriptors come back. */
static void
test_half_open (Fixture *f, gconstpointer data)
{
  g_autoptr (GPtrArray) silent
      = g_ptr_array_new_with_free_func (g_object_unref);
  guint before = count_fds (f->server);
  guint closed = 0;
  guint after;

  for (guint i = 0; i < 2000; i++)
    {
      GSocket *s = connect_to (f->server->http_port);

      if (i % 2 == 0)
        send_text (s, "GET /healthz HTTP/1.1\r\nHost: x\r\n");
      g_ptr_array_add (silent, s);
      if (i % 250 == 0)
        assert_healthy (f->server);
    }
  g_assert_cmpuint (count_fds (f->server), <=, before + 256 + 8);
  assert_healthy (f->server);
  for (guint i = 0; i < silent->len; i++)
    closed += closed_by_server (silent->pdata[i]);
  g_assert_cmpuint (closed, ==, silent->len);
  after = wait_fds_at_most (f->server, before + 2, 5);
  g_test_message ("descriptors: %u before, %u after", before, after);
  g_assert_cmpuint (after, <=, before + 2);
  assert_healthy (f->server);
}

/* A body over the limit is refused from its headers: the 413 comes without
 * the body being sent; a body that is sent anyway is discarded. A body
 * shorter than its length is cut at the request time-out. */
static void
test_body_limits (Fixture *f, gconstpointer data)
{
  {
    g_autoptr (GSocket) s = connect_to (f->server->http_port);
    g_autofree char *got = NULL;

    send_text (s, "POST /api/v1/reservations HTTP/1.1\r\nHost: x\r\n"
                  "Content-Type: application/json\r\n"
                  "Content-Length: 1503238553\r\n\r\n");
    got = read_response (s);
    g_assert_nonnull (got);
    g_assert_true (g_str_has_prefix (got, "HTTP/1.1 413"));
    g_assert_nonnull (strstr (got, "\"too_large\""));
    g_assert_true (closed_by_server (s));
  }
  {
    g_autoptr (GSocket) s = connect_to (f->server->http_port);
    g_autofree char *chunk = g_strnfill (65536, 'x');
    g_autofree char *got = NULL;

    send_text (s, "POST /api/v1/reservations HTTP/1.1\r\nHost: x\r\n"
                  "Content-Length: 419430400\r\n\r\n");
    for (guint i = 0; i < 8; i++)
      send_text (s, chunk);
    got = read_response (s);
    g_assert_nonnull (got);
    g_assert_true (g_str_has_prefix (got, "HTTP/1.1 413"));
  }
  {
    g_autoptr (GSocket) s = connect_to (f->server->http_port);
    g_autofree char *got = NULL;

    send_text (s, "POST /api/v1/reservations HTTP/1.1\r\nHost: x\r\n"
                  "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
    got = read_response (s);
    g_assert_true (g_str_has_prefix (got, "HTTP/1.1 411"));
  }
  {
    g_autoptr (GSocket) s = connect_to (f->server->http_port);
    g_autofree char *got = NULL;

    send_text (s, "POST /api/v1/reservations HTTP/1.1\r\nHost: x\r\n"
                  "Content-Length: 5\r\nContent-Length: 10\r\n\r\nhello");
    got = read_response (s);
    g_assert_nonnull (got);
    g_assert_true (g_str_has_prefix (got, "HTTP/1.1 400"));
  }
  {
    g_autoptr (GSocket) s = connect_to (f->server->http_port);

    send_text (s, "POST /api/v1/reservations HTTP/1.1\r\nHost: x\r\n"
                  "Content-Length: 100\r\n\r\nshort");
    g_assert_true (closed_by_server (s));
  }
  assert_healthy (f->server);
}

/* 2,000 half-open connections on each listener in turn, beside a live
 * stream and its viewer: the API answers all along, every half-open
 * connection is closed within its time-out, the viewer keeps its frame
 * rate, the descriptors come back. */
static void
test_floods (Fixture *f, gconstpointer data)
{
  ScTestFixture *tf = (ScTestFixture *)f;
  g_autoptr (JsonNode) ticket = sc_test_book (tf, "steady", 1, 120, NULL);
  const char *url = sc_test_json_string (ticket, "connection.rtsp_publish_url");
  const char *output[] = { "-f", "rtsp", "-rtsp_transport", "tcp", url, NULL };
  g_autoptr (GSubprocess) pub = sc_test_spawn_ffmpeg (FALSE, output, FALSE);
  g_autoptr (GSubprocess) viewer = NULL;
  const struct
  {
    const char *name;
    guint16 port;
    const char *opening;
  } listeners[] = {
    { "HTTP", f->server->http_port, "GET /healthz HTTP/1.1\r\nHost: x\r\n" },
    { "RTSP", f->server->rtsp_port, "OPTIONS * RTSP/1.0\r\nCSeq: 1\r\n" },
    { "RTMP", f->server->rtmp_port, "\x03\x00\x00" },
  };
  guint before;
  gint64 viewing_us;

  g_assert_cmpint (sc_test_wait_live (tf, "steady", TRUE, 15000), >, 0);
  viewer = sc_test_view (tf, "steady", NULL, 250); /* 10 s of video */
  viewing_us = g_get_monotonic_time ();
  before = count_fds (f->server);
  for (guint l = 0; l < G_N_ELEMENTS (listeners); l++)
    {
      g_autoptr (GPtrArray) flood
          = g_ptr_array_new_with_free_func (g_object_unref);
      gint64 t0 = g_get_monotonic_time ();
      guint closed = 0;

      for (guint i = 0; i < 2000; i++)
        {
          GSocket *s = connect_to (listeners[l].port);

          if (i % 2 == 0)
            send_text (s, listeners[l].opening);
          g_ptr_array_add (flood, s);
          if (i % 500 == 0)
            assert_healthy (f->server);
        }
      assert_healthy (f->server);
      for (guint i = 0; i < flood->len; i++)
        closed += closed_by_server (flood->pdata[i]);
      g_test_message ("%s: 2,000 half-open connections, all closed %.1f s "
                      "after the first; %u descriptors (%u before)",
                      listeners[l].name, (g_get_monotonic_time () - t0) / 1e6,
                      count_fds (f->server), before);
      g_assert_cmpuint (closed, ==, flood->len);
    }
  assert_healthy (f->server);
  g_assert_true (sc_test_got_frames (viewer, 30000));
  g_test_message ("viewer got 250 frames in %.1f s",
                  (g_get_monotonic_time () - viewing_us) / 1e6);
  g_assert_cmpint (g_get_monotonic_time () - viewing_us, <,
                   15 * G_USEC_PER_SEC);
  g_assert_cmpint (sc_test_wait_live (tf, "steady", TRUE, 100), >, 0);
  g_assert_cmpuint (wait_fds_at_most (f->server, before + 2, 5), <=,
                    before + 2);
  sc_test_stop_process (pub);
}

/* DESCRIBEs and ANNOUNCEs of 5,000 made-up names, one connection each and
 * no token, mount nothing (there were at most 4,096 mounts, never freed:
 * a booked publisher then got 404); a private stream's booking is not
 * told to a stranger; the booked publisher then goes live. */
static void
test_made_up_names (Fixture *f, gconstpointer data)
{
  ScTestFixture *tf = (ScTestFixture *)f;
  g_autoptr (JsonNode) ticket = sc_test_book (tf, "real", 1, 120, NULL);
  g_autoptr (JsonNode) secret
      = sc_test_book (tf, "secret", 3600, 60, "\"visibility\":\"private\"");
  g_autoptr (JsonNode) later = sc_test_book (tf, "later", 3600, 60, NULL);
  const char *url = sc_test_json_string (ticket, "connection.rtsp_publish_url");
  const char *output[] = { "-f", "rtsp", "-rtsp_transport", "tcp", url, NULL };
  g_autoptr (GSubprocess) pub = NULL;
  guint before = count_fds (f->server);

  for (guint i = 0; i < 5000; i++)
    {
      g_autofree char *request = g_strdup_printf (
          "%s rtsp://127.0.0.1:%u/live/made-up-%u RTSP/1.0\r\nCSeq: 1\r\n"
          "\r\n",
          i % 2 ? "ANNOUNCE" : "DESCRIBE", f->server->rtsp_port, i);
      g_autofree char *got
          = sc_test_tcp_request (f->server->rtsp_port, request, FALSE);

      if (i % 2)
        g_assert_true (g_str_has_prefix (got, "RTSP/1.0 401"));
      else
        g_assert_true (g_str_has_prefix (got, "RTSP/1.0 404"));
    }
  {
    g_autofree char *s = sc_test_describe (f->server->rtsp_port, "secret");
    g_autofree char *l = sc_test_describe (f->server->rtsp_port, "later");

    g_assert_cmpstr (s, ==, "RTSP/1.0 404 Not Found: stream is not live");
    g_assert_true (g_str_has_prefix (
        l, "RTSP/1.0 503 Service Unavailable: stream starts in "));
  }
  pub = sc_test_spawn_ffmpeg (FALSE, output, FALSE);
  g_assert_cmpint (sc_test_wait_live (tf, "real", TRUE, 15000), >, 0);
  sc_test_stop_process (pub);
  g_assert_cmpuint (wait_fds_at_most (f->server, before + 2, 5), <=,
                    before + 2);
}

/* 500 publishes with unknown tokens from one address, as fast as it can:
 * every one refused and counted, the log holds the first 20 and one line
 * saying the rest are not logged (it had a line each, over 1,000/s), and a
 * valid publisher from the same address is admitted at once. */
static void
test_bad_tokens (void)
{
  g_autofree char *dir = sc_test_make_tmp_dir ();
  g_autofree char *log = g_build_filename (dir, "server.log", NULL);
  g_autofree char *to = g_strconcat ("STDERR_FILE=", log, NULL);
  const char *env[] = { NOFILE, to, NULL };
  ScTestServer *server = sc_test_server_start (NULL, NULL, env);
  ScTestFixture tf = { server, sc_test_session_new () };
  g_autoptr (JsonNode) ticket = sc_test_book (&tf, "guarded", 1, 120, NULL);
  const char *url = sc_test_json_string (ticket, "connection.rtsp_publish_url");
  const char *output[] = { "-f", "rtsp", "-rtsp_transport", "tcp", url, NULL };
  g_autoptr (GSubprocess) pub = NULL;
  g_autoptr (ScTestResponse) streams = NULL;
  g_autofree char *streams_url = sc_test_server_url (server, "/api/v1/streams");
  g_autofree char *text = NULL;
  guint logged = 0;

  for (guint i = 0; i < 500; i++)
    {
      g_autofree char *request = g_strdup_printf (
          "ANNOUNCE rtsp://127.0.0.1:%u/live/guarded?token=%043u RTSP/1.0\r\n"
          "CSeq: 1\r\nContent-Type: application/sdp\r\n"
          "Content-Length: 0\r\n\r\n",
          server->rtsp_port, i);
      g_autofree char *got
          = sc_test_tcp_request (server->rtsp_port, request, FALSE);

      g_assert_true (g_str_has_prefix (got, "RTSP/1.0 403"));
    }
  pub = sc_test_spawn_ffmpeg (FALSE, output, FALSE);
  g_assert_cmpint (sc_test_wait_live (&tf, "guarded", TRUE, 15000), >, 0);
  streams = sc_test_request (tf.session, "GET", streams_url, server->admin_key,
                             NULL);
  g_assert_cmpint (json_object_get_int_member (
                       json_object_get_object_member (
                           json_node_get_object (streams->json), "refused"),
                       "unknown_token"),
                   ==, 500);
  sc_test_stop_process (pub);
  g_assert_cmpint (sc_test_server_stop (server), ==, 0);
  sc_test_server_free (server);
  g_object_unref (tf.session);

  g_assert_true (g_file_get_contents (log, &text, NULL, NULL));
  for (const char *at = text;
       (at = strstr (at, "Refused publisher of guarded")) != NULL; at++)
    logged++;
  g_test_message ("%u of 500 refusals logged", logged);
  g_assert_cmpuint (logged, ==, 20);
  g_assert_nonnull (strstr (text, "127.0.0.1 sent 20 bad tokens within 60 s: "
                                  "its refusals for the next 60 s are "
                                  "counted, not logged"));
  g_assert_nonnull (strstr (text, "Admitted publisher of guarded"));
  sc_test_remove_tree (dir);
}

static const char *const flood_timeouts
    = "[http]\nheader-timeout-s=1\n[rtsp]\nsetup-timeout-s=2\n"
      "[rtmp]\ntimeout-s=2\n";

static const char *const short_timeouts
    = "[http]\nheader-timeout-s=1\nkeepalive-timeout-s=1\n"
      "request-timeout-s=2\n";

int
main (int argc, char **argv)
{
  struct rlimit rl;

  g_test_init (&argc, &argv, NULL);
  /* The floods need 2,000 descriptors of this process's own. */
  if (getrlimit (RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max)
    {
      rl.rlim_cur = rl.rlim_max;
      setrlimit (RLIMIT_NOFILE, &rl);
    }
  g_test_add ("/hardening/http/keepalive-fds", Fixture, NULL, set_up,
              test_keepalive_fds, tear_down);
  g_test_add ("/hardening/http/half-open", Fixture, short_timeouts, set_up,
              test_half_open, tear_down);
  g_test_add ("/hardening/http/body-limits", Fixture, short_timeouts, set_up,
              test_body_limits, tear_down);
  g_test_add ("/hardening/floods", Fixture, flood_timeouts, set_up, test_floods,
              tear_down);
  g_test_add_func ("/hardening/rtsp/bad-tokens", test_bad_tokens);
  g_test_add ("/hardening/rtsp/made-up-names", Fixture, NULL, set_up,
              test_made_up_names, tear_down);
  return g_test_run ();
}
