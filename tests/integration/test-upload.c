/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* slotcast-upload against a real `slotcast serve` on port 0, with real
 * pipelines and reservations a few seconds ahead: the ticket store, going
 * live on time, surviving a server restart, stopping on a cancel, skipping
 * a tampered ticket. Each test has its own XDG folders. */

#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>

#include "sc-test-media.h"

typedef struct
{
  ScTestFixture f;
  char *home;
  char **env;
} Fixture;

static void
set_up (Fixture *x, gconstpointer data)
{
  x->home = sc_test_make_tmp_dir ();
  if (g_strcmp0 (data, "logs") == 0)
    {
      /* Everything the server can log, into a file. */
      g_autofree char *log = g_build_filename (x->home, "server.log", NULL);
      g_autofree char *to = g_strconcat ("STDERR_FILE=", log, NULL);
      const char *env[] = { "G_MESSAGES_DEBUG=all", "GST_DEBUG=3", to, NULL };

      x->f.server = sc_test_server_start (NULL, NULL, env);
    }
  else
    x->f.server = sc_test_server_start (NULL, NULL, NULL);
  x->f.session = sc_test_session_new ();
  x->env = g_get_environ ();
  x->env = g_environ_setenv (x->env, "XDG_DATA_HOME", x->home, TRUE);
  x->env = g_environ_setenv (x->env, "XDG_CONFIG_HOME", x->home, TRUE);
  x->env = g_environ_unsetenv (x->env, "DBUS_SESSION_BUS_ADDRESS");
  /* rtspclientsink 1.22 logs GLib criticals from its send thread when the
   * server vanishes mid-write (the restart test): not fatal for the
   * uploader, whose own code is covered by the unit tests. */
  x->env = g_environ_unsetenv (x->env, "G_DEBUG");
  x->env = g_environ_setenv (x->env, "SLOTCAST_SERVER", x->f.server->base_url,
                             TRUE);
  x->env = g_environ_setenv (x->env, "SLOTCAST_API_KEY", x->f.server->admin_key,
                             TRUE);
}

/* Waits (at most 5 s) until the server lists no publisher: a publisher
 * leaving at the very moment of SIGTERM races gst-rtsp-server 1.22's own
 * closing of that client (a GLib critical in g_source_remove_child_source,
 * fatal under G_DEBUG=fatal-criticals). */
static void
wait_no_publisher (Fixture *x)
{
  g_autofree char *url = sc_test_server_url (x->f.server, "/api/v1/streams");

  for (int i = 0; i < 100; i++)
    {
      g_autoptr (ScTestResponse) r = sc_test_request (
          x->f.session, "GET", url, x->f.server->admin_key, NULL);
      JsonArray *a = json_object_get_array_member (
          json_node_get_object (r->json), "streams");

      if (json_array_get_length (a) == 0)
        return;
      g_usleep (50000);
    }
}

static void
tear_down (Fixture *x, gconstpointer data)
{
  if (x->f.server != NULL)
    {
      wait_no_publisher (x);
      g_assert_cmpint (sc_test_server_stop (x->f.server), ==, 0);
      sc_test_server_free (x->f.server);
    }
  g_object_unref (x->f.session);
  sc_test_remove_tree (x->home);
  g_free (x->home);
  g_strfreev (x->env);
}

/* slotcast-upload with @args (NULL-terminated), not waited for. */
static GSubprocess *
spawn_upload (Fixture *x, const char *const *args)
{
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (
      G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  GSubprocess *proc;

  g_ptr_array_add (argv, (char *)g_getenv ("SLOTCAST_UPLOAD_BIN"));
  g_assert_nonnull (argv->pdata[0]);
  for (const char *const *a = args; *a != NULL; a++)
    g_ptr_array_add (argv, (char *)*a);
  g_ptr_array_add (argv, NULL);
  g_subprocess_launcher_set_environ (launcher, x->env);
  proc = g_subprocess_launcher_spawnv (
      launcher, (const char *const *)argv->pdata, &error);
  g_assert_no_error (error);
  return proc;
}

/* Waits for @proc; its exit status; its output in @out and @err. */
static int
finish (GSubprocess *proc, char **out, char **err)
{
  g_autoptr (GError) error = NULL;

  g_subprocess_communicate_utf8 (proc, NULL, NULL, out, err, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_if_exited (proc))
    g_error ("slotcast-upload died of signal %d:\n%s%s",
             g_subprocess_get_term_sig (proc), out ? *out : "",
             err ? *err : "");
  g_test_message ("slotcast-upload exited with %d:\n%s%s",
                  g_subprocess_get_exit_status (proc), out ? *out : "",
                  err ? *err : "");
  return g_subprocess_get_exit_status (proc);
}

static int
upload (Fixture *x, const char *const *args, char **out, char **err)
{
  g_autoptr (GSubprocess) proc = spawn_upload (x, args);

  return finish (proc, out, err);
}

/* Books with `slotcast-upload book`; the reservation id. */
static char *
book (Fixture *x, const char *stream, const char *start, const char *duration)
{
  const char *args[] = { "book", "--stream",   stream,   "--start",
                         start,  "--duration", duration, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *id;

  g_assert_cmpint (upload (x, args, &out, &err), ==, 0);
  id = strstr (out, "id: ");
  g_assert_nonnull (id);
  return g_strndup (id + 4, 36);
}

static char *
ticket_path (Fixture *x, const char *id)
{
  g_autofree char *name = g_strconcat (id, ".ticket", NULL);

  return g_build_filename (x->home, "slotcast", "tickets", name, NULL);
}

static JsonNode *
server_ticket (Fixture *x, const char *id)
{
  g_autofree char *path
      = g_strconcat ("/api/v1/reservations/", id, "/ticket", NULL);
  g_autofree char *url = sc_test_server_url (x->f.server, path);
  g_autoptr (ScTestResponse) r = sc_test_request (x->f.session, "GET", url,
                                                  x->f.server->admin_key, NULL);

  g_assert_cmpuint (r->status, ==, 200);
  return json_node_ref (r->json);
}

/* book stores the ticket sealed (the token is not in the file), list shows
 * it, show masks the token unless --reveal. */
static void
test_store (Fixture *x, gconstpointer data)
{
  g_autofree char *id = book (x, "store", "+1h", "30m");
  g_autofree char *path = ticket_path (x, id);
  g_autofree char *key
      = g_build_filename (x->home, "slotcast", "ticket.key", NULL);
  g_autoptr (JsonNode) ticket = server_ticket (x, id);
  const char *token = sc_test_json_string (ticket, "publish_token");
  g_autofree char *contents = NULL;
  g_autofree char *out = NULL;
  gsize len;
  GStatBuf st;

  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  g_assert_null (g_strstr_len (contents, len, token));
  g_assert_null (g_strstr_len (contents, len, "store"));
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (g_stat (key, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  {
    const char *args[] = { "list", NULL };
    g_assert_cmpint (upload (x, args, &out, NULL), ==, 0);
    g_assert_nonnull (strstr (out, id));
    g_assert_nonnull (strstr (out, "upcoming"));
    g_clear_pointer (&out, g_free);
  }
  {
    const char *args[] = { "show", id, NULL };
    g_assert_cmpint (upload (x, args, &out, NULL), ==, 0);
    g_assert_null (strstr (out, token));
    g_assert_nonnull (strstr (out, "rtsp publish: rtsp://"));
    g_clear_pointer (&out, g_free);
  }
  {
    const char *args[] = { "show", "--reveal", id, NULL };
    g_assert_cmpint (upload (x, args, &out, NULL), ==, 0);
    g_assert_nonnull (strstr (out, token));
    g_clear_pointer (&out, g_free);
  }
  /* import stores a downloaded ticket file as it is. */
  {
    g_autofree char *file = g_build_filename (x->home, "news.slotcast", NULL);
    g_autofree char *text = json_to_string (ticket, FALSE);
    const char *args[] = { "import", file, NULL };

    g_assert_true (g_file_set_contents (file, text, -1, NULL));
    g_assert_cmpint (upload (x, args, &out, NULL), ==, 0);
    g_assert_nonnull (strstr (out, id));
  }
  /* cancel asks the server, then forgets the ticket. */
  {
    const char *args[] = { "cancel", id, NULL };
    g_autofree char *list = NULL;
    const char *list_args[] = { "list", NULL };

    g_assert_cmpint (upload (x, args, NULL, NULL), ==, 0);
    g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
    g_assert_cmpint (upload (x, list_args, &list, NULL), ==, 0);
    g_assert_null (strstr (list, id));
  }
}

/* The JSON events of a run, in order. */
static GPtrArray *
events (const char *out)
{
  GPtrArray *list
      = g_ptr_array_new_with_free_func ((GDestroyNotify)json_node_unref);
  g_auto (GStrv) lines = g_strsplit (out, "\n", -1);

  for (char **l = lines; *l != NULL; l++)
    {
      g_autoptr (JsonParser) p = json_parser_new ();

      if (**l == '{' && json_parser_load_from_data (p, *l, -1, NULL))
        g_ptr_array_add (list, json_node_ref (json_parser_get_root (p)));
    }
  return list;
}

/* When (µs since the epoch) event @name came first, or 0. */
static gint64
event_time (GPtrArray *list, const char *name)
{
  for (guint i = 0; i < list->len; i++)
    {
      JsonNode *e = list->pdata[i];

      if (g_strcmp0 (sc_test_json_string (e, "event"), name) == 0)
        return sc_test_json_time (e, "time");
    }
  return 0;
}

/* A stand-in for the desktop's notification daemon on a private session
 * bus (GTestDBus), served from its own thread: it records the summary and
 * body of every Notify call. */
typedef struct
{
  GTestDBus *bus;
  GThread *thread;
  GMainContext *context;
  GMainLoop *loop;
  GMutex lock;
  GPtrArray *notes; /* protected by lock: "summary|body" */
} Notifier;

static const char notifications_xml[]
    = "<node><interface name='org.freedesktop.Notifications'>"
      "<method name='Notify'><arg type='s' direction='in'/>"
      "<arg type='u' direction='in'/><arg type='s' direction='in'/>"
      "<arg type='s' direction='in'/><arg type='s' direction='in'/>"
      "<arg type='as' direction='in'/><arg type='a{sv}' direction='in'/>"
      "<arg type='i' direction='in'/><arg type='u' direction='out'/>"
      "</method></interface></node>";

static void
on_notify_call (GDBusConnection *c, const char *sender, const char *path,
                const char *iface, const char *method, GVariant *params,
                GDBusMethodInvocation *invocation, gpointer data)
{
  Notifier *n = data;
  const char *summary, *body;

  g_variant_get_child (params, 3, "&s", &summary);
  g_variant_get_child (params, 4, "&s", &body);
  g_mutex_lock (&n->lock);
  g_ptr_array_add (n->notes, g_strdup_printf ("%s|%s", summary, body));
  g_mutex_unlock (&n->lock);
  g_dbus_method_invocation_return_value (invocation, g_variant_new ("(u)", 1));
}

static gpointer
notifier_thread (gpointer data)
{
  Notifier *n = data;
  static const GDBusInterfaceVTable vtable = { on_notify_call };
  g_autoptr (GDBusNodeInfo) info
      = g_dbus_node_info_new_for_xml (notifications_xml, NULL);
  g_autoptr (GDBusConnection) c = NULL;
  g_autoptr (GError) error = NULL;

  g_main_context_push_thread_default (n->context);
  c = g_dbus_connection_new_for_address_sync (
      g_test_dbus_get_bus_address (n->bus),
      G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT
          | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
      NULL, NULL, &error);
  g_assert_no_error (error);
  g_dbus_connection_register_object (c, "/org/freedesktop/Notifications",
                                     info->interfaces[0], &vtable, n, NULL,
                                     &error);
  g_assert_no_error (error);
  g_bus_own_name_on_connection (c, "org.freedesktop.Notifications",
                                G_BUS_NAME_OWNER_FLAGS_NONE, NULL, NULL, NULL,
                                NULL);
  g_main_loop_run (n->loop);
  g_main_context_pop_thread_default (n->context);
  return NULL;
}

static Notifier *
notifier_start (void)
{
  Notifier *n = g_new0 (Notifier, 1);

  n->bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (n->bus);
  g_mutex_init (&n->lock);
  n->notes = g_ptr_array_new_with_free_func (g_free);
  n->context = g_main_context_new ();
  n->loop = g_main_loop_new (n->context, FALSE);
  n->thread = g_thread_new ("notifications", notifier_thread, n);
  return n;
}

static void
notifier_stop (Notifier *n)
{
  g_main_loop_quit (n->loop);
  g_thread_join (n->thread);
  g_main_loop_unref (n->loop);
  g_main_context_unref (n->context);
  g_test_dbus_down (n->bus);
  g_object_unref (n->bus);
  g_ptr_array_unref (n->notes);
  g_mutex_clear (&n->lock);
  g_free (n);
}

/* run --test-pattern on a slot 5 s ahead: the notification comes before
 * the start (a line, the command, and a desktop notification over D-Bus),
 * viewers get nothing before it and frames after it, the uploader exits 0
 * at the end. */
static void
test_run (Fixture *x, gconstpointer data)
{
  g_autofree char *id = book (x, "onair", "+5s", "8s");
  g_autoptr (JsonNode) ticket = server_ticket (x, id);
  gint64 start_us = sc_test_json_time (ticket, "start");
  gint64 end_us = sc_test_json_time (ticket, "end");
  const char *args[] = { "run",
                         "--test-pattern",
                         "--json",
                         "--notify-before",
                         "3",
                         "--lead",
                         "2",
                         "--on-notify",
                         "echo notified-$SLOTCAST_STREAM",
                         "--bitrate",
                         "800",
                         NULL };
  Notifier *notifier = notifier_start ();
  g_autoptr (GSubprocess) run = NULL;
  g_autoptr (GSubprocess) viewer = NULL;
  g_autoptr (GPtrArray) list = NULL;
  g_autofree char *out = NULL;
  gint64 exited_us;

  x->env = g_environ_setenv (x->env, "DBUS_SESSION_BUS_ADDRESS",
                             g_test_dbus_get_bus_address (notifier->bus), TRUE);
  run = spawn_upload (x, args);

  /* Before the start: admitted early at most, never live for viewers. */
  while (g_get_real_time () < start_us - 300000)
    {
      g_autoptr (ScTestResponse) r = NULL;
      JsonObject *o = sc_test_live_entry (&x->f, "onair", &r);

      if (o != NULL)
        g_assert_false (json_object_get_boolean_member (o, "live"));
      g_usleep (100000);
    }
  g_assert_cmpint (sc_test_wait_live (&x->f, "onair", TRUE, 10000), >=,
                   start_us);
  viewer = sc_test_view (&x->f, "onair", NULL, 25);
  g_assert_true (sc_test_got_frames (viewer, 10000));

  g_assert_cmpint (finish (run, &out, NULL), ==, 0);
  exited_us = g_get_real_time ();
  list = events (out);
  g_assert_cmpint (event_time (list, "notify"), >, 0);
  g_assert_cmpint (event_time (list, "notify"), <, start_us);
  g_assert_cmpint (event_time (list, "connected"), <, start_us);
  g_assert_cmpint (event_time (list, "live"), >=, start_us - G_USEC_PER_SEC);
  g_assert_cmpint (event_time (list, "done"), >=, end_us - G_USEC_PER_SEC);
  g_assert_cmpint (exited_us, <, end_us + 3 * G_USEC_PER_SEC);
  g_assert_nonnull (strstr (out, "notified-onair"));
  g_mutex_lock (&notifier->lock);
  g_assert_cmpuint (notifier->notes->len, ==, 1);
  g_assert_nonnull (strstr (notifier->notes->pdata[0], "onair goes live at"));
  g_mutex_unlock (&notifier->lock);
  notifier_stop (notifier);
}

/* run --file: a media file (made here with ffmpeg, 720p H.264 + AAC) is
 * published at its own pace; viewers get its frames; the uploader stops
 * when the file ends. */
static void
test_file (Fixture *x, gconstpointer data)
{
  g_autofree char *file = g_build_filename (x->home, "talk.mp4", NULL);
  const char *make[]
      = { "ffmpeg", "-nostdin", "-loglevel", "error",
          "-f",     "lavfi",    "-i",        "testsrc=size=640x360:rate=25",
          "-f",     "lavfi",    "-i",        "sine=frequency=330",
          "-t",     "4",        "-pix_fmt",  "yuv420p",
          "-c:v",   "libx264",  "-preset",   "ultrafast",
          "-c:a",   "aac",      "-y",        file,
          NULL };
  g_autoptr (GSubprocess) ffmpeg = sc_test_spawn (make);
  g_autofree char *id = NULL;
  const char *args[] = { "run", "--file", file, "--lead", "1", NULL };
  g_autoptr (GSubprocess) run = NULL;
  g_autoptr (GSubprocess) viewer = NULL;
  g_autofree char *out = NULL;

  g_assert_cmpint (sc_test_wait_for (ffmpeg, 30000), ==, 0);
  {
    const char *missing[] = { "run", "--file", "/nonexistent.mp4", NULL };
    g_autofree char *err = NULL;

    g_assert_cmpint (upload (x, missing, NULL, &err), ==, 2);
    g_assert_nonnull (strstr (err, "no such file"));
  }
  id = book (x, "talk", "+2s", "30s");
  /* Under LSan: discovering the file through GIO leaves GLib worker threads
   * (dconf, GIO) alive at exit, whose thread-local allocations LSan
   * reports. The uploader's own code is checked by the other runs. */
  if (g_getenv ("ASAN_OPTIONS") != NULL)
    {
      g_autofree char *asan
          = g_strconcat (g_getenv ("ASAN_OPTIONS"), ":detect_leaks=0", NULL);
      x->env = g_environ_setenv (x->env, "ASAN_OPTIONS", asan, TRUE);
    }
  run = spawn_upload (x, args);
  g_assert_cmpint (sc_test_wait_live (&x->f, "talk", TRUE, 10000), >, 0);
  viewer = sc_test_view (&x->f, "talk", NULL, 25);
  g_assert_true (sc_test_got_frames (viewer, 10000));
  g_assert_cmpint (finish (run, &out, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "the source ended"));
}

/* The server restarts mid-slot (killed, then started on the same ports):
 * the uploader is live again and viewers get frames again. */
static void
test_restart (Fixture *x, gconstpointer data)
{
  g_autofree char *id = book (x, "phoenix", "+3s", "14s");
  g_autoptr (JsonNode) ticket = server_ticket (x, id);
  const char *args[]
      = { "run", "--test-pattern", "--lead", "1", "--bitrate", "800", NULL };
  g_autoptr (GSubprocess) run = spawn_upload (x, args);
  g_autoptr (GSubprocess) viewer = NULL;
  g_autofree char *port = g_strdup_printf ("%u", x->f.server->rtsp_port);
  const char *again[] = { "--rtsp-port", port, NULL };
  ScTestServer *old = x->f.server;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  gint64 down_us;

  g_assert_cmpint (sc_test_wait_live (&x->f, "phoenix", TRUE, 10000), >, 0);
  sc_test_server_kill (old);
  down_us = g_get_monotonic_time ();
  x->f.server = sc_test_server_start (old->data_dir, again, NULL);
  x->f.server->admin_key = g_strdup (old->admin_key);
  g_assert_cmpint (sc_test_wait_live (&x->f, "phoenix", TRUE, 10000), >, 0);
  g_test_message ("live again %.2f s after the kill",
                  (g_get_monotonic_time () - down_us) / 1e6);
  viewer = sc_test_view (&x->f, "phoenix", NULL, 25);
  g_assert_true (sc_test_got_frames (viewer, 10000));
  g_assert_cmpint (finish (run, &out, &err), ==, 0);
  g_assert_nonnull (strstr (out, "retrying"));
  wait_no_publisher (x);
  g_assert_cmpint (sc_test_server_stop (x->f.server), ==, 0);
  sc_test_server_free (x->f.server);
  x->f.server = NULL;
  sc_test_server_free (old);
}

/* Cancelled mid-slot: the uploader stops with exit code 3 and the
 * server's reason. Over RTMP or RTSP (@data). */
static void
test_cancel (Fixture *x, gconstpointer data)
{
  const char *protocol = data;
  g_autofree char *id = book (x, "halt", "+2s", "60s");
  const char *args[]
      = { "run",    "--test-pattern", "--lead", "1", "--protocol",
          protocol, "--bitrate",      "800",    NULL };
  g_autoptr (GSubprocess) run = spawn_upload (x, args);
  g_autofree char *out = NULL;
  gint64 cancelled_us;

  g_assert_cmpint (sc_test_wait_live (&x->f, "halt", TRUE, 10000), >, 0);
  sc_test_cancel (&x->f, id);
  cancelled_us = g_get_monotonic_time ();
  g_assert_cmpint (finish (run, &out, NULL), ==, 3);
  g_test_message ("stopped %.2f s after the cancel",
                  (g_get_monotonic_time () - cancelled_us) / 1e6);
  g_assert_cmpint (g_get_monotonic_time () - cancelled_us, <,
                   5 * G_USEC_PER_SEC);
  g_assert_nonnull (strstr (out, "reservation cancelled"));
}

/* A tampered ticket file is reported by name and skipped; the others
 * still list and run. */
static void
test_tampered (Fixture *x, gconstpointer data)
{
  g_autofree char *bad = book (x, "later", "+1h", "10m");
  g_autofree char *good = book (x, "soon", "+2s", "5s");
  g_autofree char *bad_path = ticket_path (x, bad);
  g_autofree char *contents = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (bad_path, &contents, &len, NULL));
  contents[len / 2] ^= 0x20;
  g_assert_true (g_file_set_contents (bad_path, contents, len, NULL));
  {
    const char *args[] = { "list", NULL };
    g_assert_cmpint (upload (x, args, &out, &err), ==, 0);
    g_assert_nonnull (strstr (err, bad_path));
    g_assert_nonnull (strstr (out, good));
    g_assert_null (strstr (out, bad));
  }
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  {
    const char *args[]
        = { "run", "--test-pattern", "--lead", "1", "--bitrate", "800", NULL };
    g_assert_cmpint (upload (x, args, &out, &err), ==, 0);
    g_assert_nonnull (strstr (err, bad_path));
    g_assert_nonnull (strstr (out, "soon"));
    g_assert_nonnull (strstr (out, "done"));
  }
}

/* Fails if @log has any of @secrets (or its first 12 characters). */
static void
assert_no_secret (const char *what, const char *log, const char *const *secrets)
{
  for (const char *const *s = secrets; *s != NULL; s++)
    {
      g_autofree char *start = g_strndup (*s, 12);

      g_test_message ("%s: %zu bytes, looking for %.4s…", what, strlen (log),
                      *s);
      g_assert_null (strstr (log, start));
    }
}

/* No secret in any log line at any level: a private slot booked, published
 * by the uploader over RTSP and then RTMP, watched with its view token,
 * with G_MESSAGES_DEBUG=all and GST_DEBUG=3 on the server and the
 * uploader (whose debug log printed the whole pipeline, token included). */
static void
test_no_secrets_in_logs (Fixture *x, gconstpointer data)
{
  const char *book_args[]
      = { "book",       "--stream", "hush",      "--start", "+3s",
          "--duration", "8s",       "--private", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *id = NULL;
  g_autoptr (JsonNode) ticket = NULL;
  g_autofree char *server_log = NULL;
  g_autofree char *log_path = g_build_filename (x->home, "server.log", NULL);
  g_autoptr (GString) upload_log = g_string_new (NULL);
  const char *protocols[] = { "rtsp", "rtmp" };

  x->env = g_environ_setenv (x->env, "G_MESSAGES_DEBUG", "all", TRUE);
  x->env = g_environ_setenv (x->env, "GST_DEBUG", "3", TRUE);
  g_assert_cmpint (upload (x, book_args, &out, &err), ==, 0);
  g_string_append_printf (upload_log, "%s%s", out, err);
  id = g_strndup (strstr (out, "id: ") + 4, 36);
  ticket = server_ticket (x, id);
  for (guint i = 0; i < G_N_ELEMENTS (protocols); i++)
    {
      const char *run_args[]
          = { "run", "--test-pattern", "--protocol", protocols[i], "--lead",
              "1",   "--bitrate",      "500",        NULL };
      g_autoptr (GSubprocess) run = spawn_upload (x, run_args);
      g_autoptr (GSubprocess) viewer = NULL;
      g_autofree char *o = NULL;
      g_autofree char *e = NULL;

      g_assert_cmpint (sc_test_wait_live (&x->f, "hush", TRUE, 15000), >, 0);
      viewer = sc_test_view (&x->f, "hush",
                             sc_test_json_string (ticket, "view_token"), 10);
      g_assert_true (sc_test_got_frames (viewer, 15000));
      g_subprocess_send_signal (run, SIGINT);
      finish (run, &o, &e);
      g_string_append_printf (upload_log, "%s%s", o, e);
      wait_no_publisher (x);
    }
  /* A wrong password and a bad key are logged as such, never their text. */
  {
    g_autofree char *url = sc_test_server_url (x->f.server, "/api/v1/me");
    g_autoptr (ScTestResponse) r
        = sc_test_request (x->f.session, "GET", url,
                           "BADKEY_not_a_key_at_all_but_long_enough", NULL);

    g_assert_cmpuint (r->status, ==, 401);
  }
  g_assert_true (g_file_get_contents (log_path, &server_log, NULL, NULL));
  {
    const char *secrets[] = {
      sc_test_json_string (ticket, "publish_token"),
      sc_test_json_string (ticket, "view_token"),
      x->f.server->admin_key,
      "BADKEY_not_a_key_at_all_but_long_enough",
      NULL,
    };

    g_assert_cmpuint (strlen (server_log), >, 1000);
    assert_no_secret ("server log", server_log, secrets);
    assert_no_secret ("uploader log", upload_log->str, secrets);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/upload/store", Fixture, NULL, set_up, test_store, tear_down);
  g_test_add ("/upload/run", Fixture, NULL, set_up, test_run, tear_down);
  g_test_add ("/upload/file", Fixture, NULL, set_up, test_file, tear_down);
  g_test_add ("/upload/restart", Fixture, NULL, set_up, test_restart,
              tear_down);
  g_test_add ("/upload/cancel-rtsp", Fixture, "rtsp", set_up, test_cancel,
              tear_down);
  g_test_add ("/upload/cancel-rtmp", Fixture, "rtmp", set_up, test_cancel,
              tear_down);
  g_test_add ("/upload/tampered", Fixture, NULL, set_up, test_tampered,
              tear_down);
  g_test_add ("/upload/no-secrets-in-logs", Fixture, "logs", set_up,
              test_no_secrets_in_logs, tear_down);
  return g_test_run ();
}
