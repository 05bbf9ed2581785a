/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Helpers for the integration tests: run the real slotcast binary, talk to
 * it over HTTP with libsoup, read its JSON. */

#include "config.h"

#include "sc-test-server.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <string.h>

/* A server outlives no test: if the test dies, the kernel stops it. With
 * @data, its soft and hard limits on open files are that number (as
 * `ulimit -n N` sets them: the server cannot raise them). */
static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
  if (data != NULL)
    {
      struct rlimit rl = { GPOINTER_TO_UINT (data), GPOINTER_TO_UINT (data) };

      setrlimit (RLIMIT_NOFILE, &rl);
    }
}

static const char *
slotcast_bin (void)
{
  const char *bin = g_getenv ("SLOTCAST_BIN");

  g_assert_nonnull (bin);
  return bin;
}

char *
sc_test_make_tmp_dir (void)
{
  g_autoptr (GError) error = NULL;
  char *dir = g_dir_make_tmp ("slotcast-test-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

void
sc_test_remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          if (g_file_test (child, G_FILE_TEST_IS_DIR)
              && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
            sc_test_remove_tree (child);
          else
            g_unlink (child);
        }
      g_dir_close (dir);
    }
  g_rmdir (path);
}

/**
 * sc_test_server_start:
 * @data_dir: (nullable): reuse this data dir (a restart), or make one
 * @args: (nullable): more arguments for `slotcast serve`
 * @env: (nullable): more environment, "NAME=value" strings;
 *   "RLIMIT_NOFILE=N" is not passed on but limits the server to N open
 *   files, "STDERR_FILE=PATH" sends its standard error (its log) there
 */
ScTestServer *
sc_test_server_start (const char *data_dir, const char *const *args,
                      const char *const *env)
{
  return sc_test_server_start_command ("serve", data_dir, args, env);
}

/**
 * sc_test_server_start_command:
 * @command: "serve" or "web"
 */
ScTestServer *
sc_test_server_start_command (const char *command, const char *data_dir,
                              const char *const *args, const char *const *env)
{
  ScTestServer *server = g_new0 (ScTestServer, 1);
  g_autoptr (GSubprocessLauncher) launcher
      = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GDataInputStream) out = NULL;
  g_autoptr (GError) error = NULL;
  guint nofile = 0;

  server->own_data_dir = data_dir == NULL;
  server->data_dir = data_dir ? g_strdup (data_dir) : sc_test_make_tmp_dir ();
  g_ptr_array_add (argv, (char *)slotcast_bin ());
  g_ptr_array_add (argv, (char *)command);
  g_ptr_array_add (argv, "--data-dir");
  g_ptr_array_add (argv, server->data_dir);
  g_ptr_array_add (argv, "--http-port");
  g_ptr_array_add (argv, "0");
  if (strcmp (command, "web") != 0)
    {
      /* Never a fixed port; @args may still name one (the last wins). */
      g_ptr_array_add (argv, "--rtsp-port");
      g_ptr_array_add (argv, "0");
      g_ptr_array_add (argv, "--rtmp-port");
      g_ptr_array_add (argv, "0");
    }
  for (const char *const *a = args; a != NULL && *a != NULL; a++)
    {
      if (strcmp (*a, "--tls") == 0 || strcmp (*a, "--tls-cert") == 0)
        server->tls = TRUE;
      g_ptr_array_add (argv, (char *)*a);
    }
  g_ptr_array_add (argv, NULL);
  g_subprocess_launcher_unsetenv (launcher, "SLOTCAST_ADMIN_KEY");
  for (const char *const *e = env; e != NULL && *e != NULL; e++)
    {
      g_auto (GStrv) kv = g_strsplit (*e, "=", 2);

      if (strcmp (kv[0], "RLIMIT_NOFILE") == 0)
        nofile = atoi (kv[1]);
      else if (strcmp (kv[0], "STDERR_FILE") == 0)
        g_subprocess_launcher_set_stderr_file_path (launcher, kv[1]);
      else
        g_subprocess_launcher_setenv (launcher, kv[0], kv[1], TRUE);
    }
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent,
                                         GUINT_TO_POINTER (nofile), NULL);

  server->proc = g_subprocess_launcher_spawnv (
      launcher, (const char *const *)argv->pdata, &error);
  g_assert_no_error (error);

  /* Ready when the http-port line is out; the admin key and the other
   * ports come first. */
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server->proc));
  for (;;)
    {
      g_autofree char *line
          = g_data_input_stream_read_line (out, NULL, NULL, &error);

      g_assert_no_error (error);
      g_assert_nonnull (line); /* the server died before it was ready */
      if (g_str_has_prefix (line, "admin-key="))
        server->admin_key = g_strdup (line + strlen ("admin-key="));
      else if (g_str_has_prefix (line, "rtsp-port="))
        server->rtsp_port = atoi (line + strlen ("rtsp-port="));
      else if (g_str_has_prefix (line, "rtmp-port="))
        {
          server->rtmp_port = atoi (line + strlen ("rtmp-port="));
          if (strcmp (command, "ingest") == 0)
            break; /* an ingest node has no HTTP port: its last line */
        }
      else if (g_str_has_prefix (line, "http-port="))
        {
          server->http_port = atoi (line + strlen ("http-port="));
          break;
        }
    }
  g_assert_true (server->http_port > 0 || strcmp (command, "ingest") == 0);
  server->base_url = g_strdup_printf (
      "%s://127.0.0.1:%u", server->tls ? "https" : "http", server->http_port);
  return server;
}

/**
 * sc_test_server_stop:
 *
 * SIGTERM, then wait.
 *
 * Returns: the exit status
 */
int
sc_test_server_stop (ScTestServer *server)
{
  g_autoptr (GError) error = NULL;

  g_subprocess_send_signal (server->proc, SIGTERM);
  g_subprocess_wait (server->proc, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (server->proc));
  return g_subprocess_get_exit_status (server->proc);
}

void
sc_test_server_kill (ScTestServer *server)
{
  g_subprocess_force_exit (server->proc);
  g_subprocess_wait (server->proc, NULL, NULL);
}

void
sc_test_server_free (ScTestServer *server)
{
  if (server == NULL)
    return;
  if (g_subprocess_get_identifier (server->proc) != NULL)
    sc_test_server_kill (server);
  if (server->own_data_dir)
    sc_test_remove_tree (server->data_dir);
  g_object_unref (server->proc);
  g_free (server->data_dir);
  g_free (server->admin_key);
  g_free (server->base_url);
  g_free (server);
}

char *
sc_test_server_url (ScTestServer *server, const char *path)
{
  return g_strconcat (server->base_url, path, NULL);
}

/**
 * sc_test_run_cli:
 *
 * Runs `slotcast ARGS… --data-dir DIR` and returns its stdout.
 */
char *
sc_test_run_cli (const char *data_dir, const char *const *args, int *out_status)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GSubprocess) proc = NULL;
  g_autoptr (GError) error = NULL;
  char *out = NULL;

  g_ptr_array_add (argv, (char *)slotcast_bin ());
  for (const char *const *a = args; *a != NULL; a++)
    g_ptr_array_add (argv, (char *)*a);
  if (data_dir != NULL)
    {
      g_ptr_array_add (argv, "--data-dir");
      g_ptr_array_add (argv, (char *)data_dir);
    }
  g_ptr_array_add (argv, NULL);
  proc = g_subprocess_newv ((const char *const *)argv->pdata,
                            G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  *out_status = g_subprocess_get_exit_status (proc);
  return out;
}

char *
sc_test_add_user (ScTestServer *server, const char *name, const char *role)
{
  const char *args[] = { "user", "add", name, "--role", role, NULL };
  int status = -1;
  char *out = sc_test_run_cli (server->data_dir, args, &status);

  g_assert_cmpint (status, ==, 0);
  g_strstrip (out);
  g_assert_cmpuint (strlen (out), ==, 43);
  return out;
}

void
sc_test_response_free (ScTestResponse *response)
{
  if (response == NULL)
    return;
  g_clear_pointer (&response->body, g_bytes_unref);
  g_clear_pointer (&response->json, json_node_unref);
  g_clear_pointer (&response->headers, soup_message_headers_unref);
  g_free (response);
}

static gboolean
accept_any_certificate (SoupMessage *msg, GTlsCertificate *cert,
                        GTlsCertificateFlags errors, gpointer data)
{
  return TRUE;
}

SoupSession *
sc_test_session_new (void)
{
  return soup_session_new_with_options ("timeout", 30, "max-conns", 128,
                                        "max-conns-per-host", 128, NULL);
}

/**
 * sc_test_message_new:
 * @key: (nullable): sent as "Authorization: Bearer KEY"
 * @body: (nullable): sent as application/json
 *
 * Returns: (transfer full): a request; any TLS certificate is accepted
 */
SoupMessage *
sc_test_message_new (const char *method, const char *url, const char *key,
                     const char *body)
{
  SoupMessage *msg = soup_message_new (method, url);

  g_assert_nonnull (msg);
  g_signal_connect (msg, "accept-certificate",
                    G_CALLBACK (accept_any_certificate), NULL);
  if (key != NULL)
    {
      g_autofree char *auth = g_strconcat ("Bearer ", key, NULL);
      soup_message_headers_replace (soup_message_get_request_headers (msg),
                                    "Authorization", auth);
    }
  if (body != NULL)
    {
      g_autoptr (GBytes) bytes = g_bytes_new (body, strlen (body));
      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  return msg;
}

/**
 * sc_test_request:
 * @key: (nullable): sent as "Authorization: Bearer KEY"
 * @body: (nullable): sent as application/json
 */
ScTestResponse *
sc_test_request (SoupSession *session, const char *method, const char *url,
                 const char *key, const char *body)
{
  g_autoptr (SoupMessage) msg = sc_test_message_new (method, url, key, body);

  return sc_test_send (session, msg);
}

/**
 * sc_test_tcp_request:
 * @until_close: read until the server closes, else one read
 *
 * Sends @request byte for byte to 127.0.0.1:@port (for what a client
 * library would not send as it is: raw paths, RTSP).
 *
 * Returns: (transfer full): what came back
 */
char *
sc_test_tcp_request (guint16 port, const char *request, gboolean until_close)
{
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GSocketConnection) conn = NULL;
  g_autoptr (GError) error = NULL;
  GString *reply = g_string_new (NULL);
  char buf[4096];
  gssize got;

  conn = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL,
                                          &error);
  g_assert_no_error (error);
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (conn)),
                             request, strlen (request), NULL, NULL, &error);
  g_assert_no_error (error);
  do
    {
      got = g_input_stream_read (
          g_io_stream_get_input_stream (G_IO_STREAM (conn)), buf, sizeof buf,
          NULL, &error);
      g_assert_no_error (error);
      g_string_append_len (reply, buf, MAX (got, 0));
    }
  while (until_close && got > 0);
  return g_string_free (reply, FALSE);
}

/**
 * sc_test_send:
 *
 * Sends @msg and reads the whole answer; the body is parsed when it is
 * JSON.
 */
ScTestResponse *
sc_test_send (SoupSession *session, SoupMessage *msg)
{
  g_autoptr (GError) error = NULL;
  ScTestResponse *response = g_new0 (ScTestResponse, 1);
  const char *type;

  response->body = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  response->status = soup_message_get_status (msg);
  response->headers
      = soup_message_headers_ref (soup_message_get_response_headers (msg));
  type = soup_message_headers_get_content_type (response->headers, NULL);
  if (type != NULL
      && (strcmp (type, "application/json") == 0
          || g_str_has_suffix (type, "+json")))
    {
      g_autoptr (JsonParser) parser = json_parser_new ();
      gsize len;
      const char *data = g_bytes_get_data (response->body, &len);

      json_parser_load_from_data (parser, data, len, &error);
      g_assert_no_error (error);
      response->json = json_node_ref (json_parser_get_root (parser));
    }
  return response;
}

/**
 * sc_test_json_string:
 * @path: members separated by dots, e.g. "connection.rtsp_play_url"
 *
 * Returns: (nullable): the string there, or %NULL for null or absent
 */
const char *
sc_test_json_string (JsonNode *node, const char *path)
{
  g_auto (GStrv) parts = g_strsplit (path, ".", -1);

  for (char **p = parts; *p != NULL; p++)
    {
      if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
        return NULL;
      node = json_object_get_member (json_node_get_object (node), *p);
    }
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;
  return json_node_get_string (node);
}

/* RFC 3339 for now + @offset_s, whole seconds. */
char *
sc_test_time (gint64 offset_s)
{
  /* Whole seconds, in integers: adding a fraction to cancel the
   * microseconds came out a hair under the second now and then, and a 5 s
   * slot became 4 s (422 from the length rule, /rtmp/end-and-cancel). */
  g_autoptr (GDateTime) at = g_date_time_new_from_unix_utc (
      g_get_real_time () / G_USEC_PER_SEC + offset_s);

  return g_date_time_format (at, "%Y-%m-%dT%H:%M:%SZ");
}

char *
sc_test_booking_body (const char *stream, gint64 start_s, gint64 end_s,
                      const char *extra)
{
  g_autofree char *start = sc_test_time (start_s);
  g_autofree char *end = sc_test_time (end_s);

  return g_strdup_printf ("{\"stream\":\"%s\",\"start\":\"%s\",\"end\":\"%s\""
                          "%s%s}",
                          stream, start, end, extra ? "," : "",
                          extra ? extra : "");
}
