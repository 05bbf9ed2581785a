/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * slotcast: the server command.
 *
 *   slotcast serve   booking service + the local ingest node (all in one)
 *   slotcast web     booking service only
 *   slotcast user add NAME --role operator|broadcaster | passwd NAME | list
 *   slotcast node add NAME --public-host H [...]         | node list
 *
 * This file only parses options, loads settings, builds objects and runs
 * the loop; the work lives in src/core and src/web.
 */

#include "config.h"

#include <glib-unix.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <openssl/crypto.h>

/* How often a node apart reports its live streams (sc-node-reporter.c). */
#define REPORT_INTERVAL_MS 2000
#define SYNC_START_TIMEOUT_MS 10000
/* A node's calls to the booking service: past a long poll's 20 s wait. */
#define BOOKING_TIMEOUT_S 30
#define BOOKING_MAX_ANSWER (4 * 1024 * 1024)

#include <gst/gst.h>

#include "sc-listener.h"
#include "sc-data-dir.h"
#include "sc-db-admitter.h"
#include "sc-node-registration.h"
#include "sc-node-schedule.h"
#include "sc-reservation-sync.h"
#include "sc-ingest.h"
#include "sc-node-reporter.h"
#include "sc-password.h"
#include "sc-web-server.h"

typedef struct
{
  ScSettings *settings;
  char *config_file;
  gboolean print_config;
  gboolean version;
} Common;

static void
common_clear (Common *common)
{
  g_clear_pointer (&common->settings, sc_settings_unref);
  g_clear_pointer (&common->config_file, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Common, common_clear)

static int
usage_error (GOptionContext *context, const char *message)
{
  g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

  g_printerr ("slotcast: %s\n\n%s", message, help);
  return 2;
}

/* Parses @argv with the settings options plus @extra, then loads the
 * settings. Returns an exit code, or -1 to go on. */
static int
parse (Common *common, const char *parameter, const char *summary,
       const GOptionEntry *extra, int *argc, char ***argv)
{
  g_autoptr (GOptionContext) context = g_option_context_new (parameter);
  g_autoptr (GError) error = NULL;
  const GOptionEntry entries[] = {
    { "config", 0, 0, G_OPTION_ARG_FILENAME, &common->config_file,
      "Read settings from this GKeyFile", "FILE" },
    { "print-config", 0, 0, G_OPTION_ARG_NONE, &common->print_config,
      "Print the settings in effect and exit", NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &common->version,
      "Print the version and exit", NULL },
    { NULL },
  };

  GOptionGroup *group;

  common->settings = sc_settings_new ();
  /* One --help lists every option: the settings group is the main one. */
  group = sc_settings_get_option_group (common->settings);
  g_option_group_add_entries (group, entries);
  if (extra != NULL)
    g_option_group_add_entries (group, extra);
  g_option_context_set_main_group (context, group);
  g_option_context_set_summary (context, summary);
  g_option_context_set_strict_posix (context, FALSE);

  if (!g_option_context_parse (context, argc, argv, &error))
    return usage_error (context, error->message);
  if (common->version)
    {
      g_print ("slotcast %s\n", PACKAGE_VERSION);
      return 0;
    }
  if (!sc_settings_load (common->settings, common->config_file, &error))
    {
      g_printerr ("slotcast: %s\n", error->message);
      return 2;
    }
  if (common->print_config)
    {
      g_autofree char *text = sc_settings_to_text (common->settings);
      g_print ("%s", text);
      return 0;
    }
  return -1;
}

typedef struct
{
  GMainLoop *loop;
  ScWebServer *web;
  gboolean stopping;
} Serving;

static void
on_web_stopped (GObject *source, GAsyncResult *result, gpointer data)
{
  Serving *serving = data;

  sc_web_server_stop_finish (SC_WEB_SERVER (source), result, NULL);
  g_main_loop_quit (serving->loop);
}

static gboolean
on_stop_signal (gpointer data)
{
  Serving *serving = data;

  if (serving->stopping)
    return G_SOURCE_CONTINUE;
  serving->stopping = TRUE;
  g_message ("Stopping: finishing requests in flight");
  sc_web_server_stop_async (serving->web, 5000, on_web_stopped, serving);
  return G_SOURCE_CONTINUE;
}

/* On the first start: admin's web UI password from SLOTCAST_ADMIN_PASSWORD,
 * when that is set. */
static gboolean
set_admin_password (ScDb *db, GError **error)
{
  const char *password = g_getenv ("SLOTCAST_ADMIN_PASSWORD");
  g_autofree char *hash = NULL;

  if (password == NULL)
    return TRUE;
  if (!sc_password_check_length (password, error)
      || (hash = sc_password_hash (password, error)) == NULL
      || !sc_db_set_password (db, "admin", hash, error))
    {
      g_prefix_error (error, "SLOTCAST_ADMIN_PASSWORD: ");
      return FALSE;
    }
  return TRUE;
}

/* Reads one line of at most SC_PASSWORD_MAX_LEN bytes from stdin, without
 * echo when it is a terminal. Returns: (transfer full) (nullable). */
static char *
read_line_secret (const char *prompt)
{
  char buf[SC_PASSWORD_MAX_LEN + 2];
  gboolean tty = isatty (STDIN_FILENO);
  struct termios old, quiet;
  char *line;

  if (tty)
    {
      fprintf (stderr, "%s", prompt);
      tcgetattr (STDIN_FILENO, &old);
      quiet = old;
      quiet.c_lflag &= ~(tcflag_t)ECHO;
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet);
    }
  line = fgets (buf, sizeof buf, stdin);
  if (tty)
    {
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &old);
      fputc ('\n', stderr);
    }
  if (line == NULL)
    return NULL;
  buf[strcspn (buf, "\r\n")] = '\0';
  line = g_strdup (buf);
  OPENSSL_cleanse (buf, sizeof buf);
  return line;
}

/* `slotcast user passwd NAME`: the web UI password, from the terminal
 * (asked twice) or one line of stdin. */
static gboolean
set_password (ScDb *db, const char *name, GError **error)
{
  g_autofree char *password = read_line_secret ("New password: ");
  g_autofree char *again = NULL;
  g_autofree char *hash = NULL;

  if (password == NULL)
    {
      g_set_error (error, SC_DB_ERROR, SC_DB_ERROR_INVALID,
                   "No password given on stdin");
      return FALSE;
    }
  if (!sc_password_check_length (password, error))
    return FALSE;
  if (isatty (STDIN_FILENO))
    {
      again = read_line_secret ("Again: ");
      if (again == NULL || strcmp (again, password) != 0)
        {
          g_set_error (error, SC_DB_ERROR, SC_DB_ERROR_INVALID,
                       "The two passwords differ");
          return FALSE;
        }
    }
  hash = sc_password_hash (password, error);
  OPENSSL_cleanse (password, strlen (password));
  return hash != NULL && sc_db_set_password (db, name, hash, error);
}

/* The in-process ingest of `slotcast serve` runs on a thread and a main
 * context of its own: the booking service's main loop waits on SQLite
 * (another process holding the write lock blocks it up to the busy
 * time-out), and media must never wait with it. */
typedef struct
{
  ScIngest *ingest;
  GMainContext *context;
  GMainLoop *loop;
  GThread *thread;
  GMutex lock;
  GCond cond;
  gboolean started; /* protected by lock */
  GError *error;    /* protected by lock */
} IngestThread;

static gpointer
ingest_thread_main (gpointer data)
{
  IngestThread *t = data;
  g_autoptr (GError) error = NULL;
  gboolean ok;

  g_main_context_push_thread_default (t->context);
  ok = sc_ingest_start (t->ingest, &error);
  g_mutex_lock (&t->lock);
  t->started = TRUE;
  t->error = g_steal_pointer (&error);
  g_cond_signal (&t->cond);
  g_mutex_unlock (&t->lock);
  if (ok)
    g_main_loop_run (t->loop);
  sc_ingest_stop (t->ingest);
  g_main_context_pop_thread_default (t->context);
  return NULL;
}

/* Starts @ingest on its thread; returns once it listens (or failed). */
static IngestThread *
ingest_thread_start (ScIngest *ingest, GError **error)
{
  IngestThread *t = g_new0 (IngestThread, 1);

  t->ingest = g_object_ref (ingest);
  t->context = g_main_context_new ();
  t->loop = g_main_loop_new (t->context, FALSE);
  g_mutex_init (&t->lock);
  g_cond_init (&t->cond);
  t->thread = g_thread_new ("ingest", ingest_thread_main, t);
  g_mutex_lock (&t->lock);
  while (!t->started)
    g_cond_wait (&t->cond, &t->lock);
  g_mutex_unlock (&t->lock);
  if (t->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&t->error));
      g_thread_join (g_steal_pointer (&t->thread));
    }
  return t;
}

/* Stops the ingest (on its thread) and frees @t. */
static void
ingest_thread_stop (IngestThread *t)
{
  if (t == NULL)
    return;
  if (t->thread != NULL)
    {
      g_main_loop_quit (t->loop);
      g_thread_join (t->thread);
    }
  g_main_loop_unref (t->loop);
  g_main_context_unref (t->context);
  g_object_unref (t->ingest);
  g_mutex_clear (&t->lock);
  g_cond_clear (&t->cond);
  g_free (t);
}

static int
run_server (int argc, char **argv, gboolean with_local_node)
{
  g_auto (Common) common = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (ScDb) db = NULL;
  g_autoptr (ScSealer) sealer = NULL;
  g_autoptr (ScClock) clock = sc_clock_new_system ();
  g_autoptr (ScWebServer) web = NULL;
  g_autoptr (ScIngest) ingest = NULL;
  IngestThread *ingest_thread = NULL;
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autofree char *admin_key = NULL;
  Serving serving = { loop };
  guint sigterm, sigint;
  int rc;

  rc = parse (&common, "",
              with_local_node
                  ? "Runs the booking service (HTTP API) and the local "
                    "ingest node."
                  : "Runs the booking service (HTTP API) alone; ingest "
                    "nodes run apart.",
              NULL, &argc, &argv);
  if (rc >= 0)
    return rc;
  if (argc > 1)
    {
      g_printerr ("slotcast: unexpected argument %s\n", argv[1]);
      return 2;
    }

  if (!sc_data_dir_open (common.settings, &db, &sealer, &error))
    goto fail;
  admin_key
      = sc_data_dir_ensure_admin (db, g_getenv ("SLOTCAST_ADMIN_KEY"), &error);
  if (error != NULL)
    goto fail;
  if (admin_key != NULL && !set_admin_password (db, &error))
    goto fail;
  if (with_local_node)
    {
      g_autofree char *db_path
          = g_build_filename (common.settings->data_dir, "slotcast.db", NULL);
      ScDbAdmitter *admitter
          = sc_db_admitter_new (db_path, common.settings->synchronous, &error);

      if (admitter == NULL)
        goto fail;
      gst_init (NULL, NULL);
      ingest = sc_ingest_new (common.settings, clock, sc_db_admitter_decide,
                              admitter, (GDestroyNotify)sc_db_admitter_free);
      ingest_thread = ingest_thread_start (ingest, &error);
      if (error != NULL)
        goto fail;
      /* Tickets carry the port really in use (--rtsp-port 0 picks one). */
      common.settings->rtsp_port = sc_ingest_get_rtsp_port (ingest);
      common.settings->rtmp_port = sc_ingest_get_rtmp_port (ingest);
      if (!sc_data_dir_register_local_node (db, common.settings, &error))
        goto fail;
    }

  web = sc_web_server_new (common.settings, db, clock, sealer);
  if (ingest != NULL)
    {
      ScLiveSource live = sc_ingest_get_live_source (ingest);
      sc_web_server_set_live_source (web, &live);
    }
  if (!sc_web_server_listen (web, &error))
    goto fail;

  if (admin_key != NULL)
    {
      if (g_getenv ("SLOTCAST_ADMIN_KEY") == NULL)
        {
          g_print ("admin-key=%s\n", admin_key);
          g_message ("Created the operator \"admin\"; its API key above is "
                     "shown this once");
          if (g_getenv ("SLOTCAST_ADMIN_PASSWORD") == NULL)
            g_message ("Give admin a web UI password with: slotcast user "
                       "passwd admin --data-dir %s",
                       common.settings->data_dir);
        }
      else
        g_message ("Created the operator \"admin\" with SLOTCAST_ADMIN_KEY");
    }
  /* One line per port; http-port last: when it is out, all are ready. */
  if (with_local_node)
    {
      g_print ("rtsp-port=%d\n", common.settings->rtsp_port);
      g_print ("rtmp-port=%d\n", common.settings->rtmp_port);
    }
  g_print ("http-port=%u\n", sc_web_server_get_port (web));
  fflush (stdout);
  g_message ("Serving %s://%s:%u/ (data in %s)",
             sc_web_server_is_tls (web) ? "https" : "http",
             common.settings->bind, sc_web_server_get_port (web),
             common.settings->data_dir);

  serving.web = web;
  sigterm = g_unix_signal_add (SIGTERM, on_stop_signal, &serving);
  sigint = g_unix_signal_add (SIGINT, on_stop_signal, &serving);
  g_main_loop_run (loop);
  g_source_remove (sigterm);
  g_source_remove (sigint);
  g_clear_pointer (&ingest_thread, ingest_thread_stop);
  g_clear_object (&web);
  g_clear_object (&ingest);
  g_clear_object (&db);
  g_message ("Stopped; database closed");
  return 0;

fail:
  g_printerr ("slotcast: %s\n", error->message);
  g_clear_pointer (&ingest_thread, ingest_thread_stop);
  return 1;
}

typedef struct
{
  GMainLoop *loop;
} Ingesting;

static gboolean
on_ingest_stop_signal (gpointer data)
{
  g_main_loop_quit (((Ingesting *)data)->loop);
  return G_SOURCE_CONTINUE;
}

/* `slotcast ingest`: an ingest node apart from the booking service. */
static int
run_ingest (int argc, char **argv)
{
  g_auto (Common) common = { 0 };
  g_autoptr (GError) error = NULL;
  g_autofree char *booking_url = NULL;
  g_autofree char *node_key = NULL;
  g_autoptr (ScClock) clock = sc_clock_new_system ();
  /* Declared before the ingest, which admits from it: freed after. */
  g_autoptr (ScNodeSchedule) schedule = NULL;
  g_autoptr (ScIngest) ingest = NULL;
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr (ScApiClient) client = NULL;
  g_autoptr (ScReservationSync) sync = NULL;
  g_autoptr (ScNodeReporter) reporter = NULL;
  Ingesting ingesting = { loop };
  const GOptionEntry extra[] = {
    { "booking-url", 0, 0, G_OPTION_ARG_STRING, &booking_url,
      "The booking service, e.g. https://booking.example:8080", "URL" },
    { "node-key", 0, 0, G_OPTION_ARG_STRING, &node_key,
      "This node's key from `slotcast node add` (or SLOTCAST_NODE_KEY)",
      "KEY" },
    { NULL },
  };
  guint sigterm, sigint;
  int rc = parse (&common, "",
                  "Runs an ingest node that admits publishers through a "
                  "booking service.",
                  extra, &argc, &argv);

  if (rc >= 0)
    return rc;
  if (node_key == NULL)
    node_key = g_strdup (g_getenv ("SLOTCAST_NODE_KEY"));
  if (booking_url == NULL || node_key == NULL || argc > 1)
    {
      g_printerr ("slotcast ingest --booking-url URL --node-key KEY "
                  "--name NAME [--rtsp-port N ...]\n");
      return 2;
    }

  gst_init (NULL, NULL);
  /* One client of the booking service for the registration, the
   * reservation feed's long polls and the reports. */
  client = sc_api_client_new (booking_url, node_key, NULL, BOOKING_TIMEOUT_S,
                              BOOKING_MAX_ANSWER, &error);
  if (client == NULL)
    {
      g_printerr ("slotcast: %s\n", error->message);
      return 1;
    }
  /* The node admits from its own copy of its reservations, loaded before
   * it serves and kept in step for as long as it runs. */
  schedule = sc_node_schedule_new (common.settings->node_name);
  sync = sc_reservation_sync_new (client, schedule, clock,
                                  common.settings->grace_s * SC_USEC_PER_SEC);
  sc_reservation_sync_start (sync);
  if (!sc_reservation_sync_wait_loaded (sync, SYNC_START_TIMEOUT_MS, &error))
    {
      g_printerr ("slotcast: cannot load this node's reservations: %s\n",
                  error->message);
      return 1;
    }
  ingest = sc_ingest_new (common.settings, clock, sc_node_schedule_decide,
                          schedule, NULL);
  if (!sc_ingest_start (ingest, &error)
      || !sc_node_register (client, common.settings->node_name,
                            common.settings->public_host,
                            sc_ingest_get_rtsp_port (ingest),
                            sc_ingest_get_rtmp_port (ingest), &error))
    {
      g_printerr ("slotcast: %s\n", error->message);
      return 1;
    }
  g_print ("rtsp-port=%u\n", sc_ingest_get_rtsp_port (ingest));
  g_print ("rtmp-port=%u\n", sc_ingest_get_rtmp_port (ingest));
  fflush (stdout);
  {
    ScLiveSource source = sc_ingest_get_live_source (ingest);

    reporter
        = sc_node_reporter_new (client, &source, clock, REPORT_INTERVAL_MS);
  }
  g_message ("Ingest node %s serving rtsp://%s:%u/live/ for %s",
             common.settings->node_name, common.settings->public_host,
             sc_ingest_get_rtsp_port (ingest), booking_url);

  sigterm = g_unix_signal_add (SIGTERM, on_ingest_stop_signal, &ingesting);
  sigint = g_unix_signal_add (SIGINT, on_ingest_stop_signal, &ingesting);
  g_main_loop_run (loop);
  g_source_remove (sigterm);
  g_source_remove (sigint);
  g_clear_pointer (&reporter, sc_node_reporter_free);
  sc_ingest_stop (ingest);
  g_clear_object (&ingest);
  g_clear_pointer (&sync, sc_reservation_sync_free);
  g_message ("Stopped");
  return 0;
}

static int
run_user (int argc, char **argv)
{
  g_auto (Common) common = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (ScDb) db = NULL;
  g_autoptr (ScSealer) sealer = NULL;
  g_autofree char *role_text = NULL;
  const GOptionEntry extra[] = {
    { "role", 0, 0, G_OPTION_ARG_STRING, &role_text,
      "operator or broadcaster (for add)", "ROLE" },
    { NULL },
  };
  int rc = parse (&common, "add NAME --role ROLE | passwd NAME | list",
                  "Manages the users of the booking service.", extra, &argc,
                  &argv);

  if (rc >= 0)
    return rc;
  if (argc < 2)
    {
      g_printerr ("slotcast user: say add, passwd or list\n");
      return 2;
    }
  if (!sc_data_dir_open (common.settings, &db, &sealer, &error))
    goto fail;

  if (strcmp (argv[1], "add") == 0)
    {
      ScRole role;
      g_autofree char *key = NULL;

      if (argc != 3 || !sc_role_from_string (role_text, &role))
        {
          g_printerr ("slotcast user add NAME --role operator|broadcaster\n");
          return 2;
        }
      key = sc_db_add_user (db, argv[2], role, NULL, &error);
      if (key == NULL)
        goto fail;
      g_print ("%s\n", key);
      g_printerr ("Created %s %s; the API key above is shown this once.\n",
                  role_text, argv[2]);
      return 0;
    }
  if (strcmp (argv[1], "passwd") == 0)
    {
      if (argc != 3)
        {
          g_printerr ("slotcast user passwd NAME\n");
          return 2;
        }
      if (!set_password (db, argv[2], &error))
        goto fail;
      g_printerr ("Password of %s set; its web sessions have ended.\n",
                  argv[2]);
      return 0;
    }
  if (strcmp (argv[1], "list") == 0)
    {
      g_autoptr (GPtrArray) users = sc_db_list_users (db, &error);

      if (users == NULL)
        goto fail;
      for (guint i = 0; i < users->len; i++)
        {
          ScUser *user = g_ptr_array_index (users, i);
          g_print ("%s\t%s\n", user->name, sc_role_to_string (user->role));
        }
      return 0;
    }
  g_printerr ("slotcast user: unknown action %s (add, passwd, list)\n",
              argv[1]);
  return 2;

fail:
  g_printerr ("slotcast: %s\n", error->message);
  return 1;
}

static int
run_node (int argc, char **argv)
{
  g_auto (Common) common = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (ScDb) db = NULL;
  g_autoptr (ScSealer) sealer = NULL;
  int rc = parse (&common,
                  "add NAME [--public-host H --rtsp-port N --rtmp-port N "
                  "--capacity N] | list",
                  "Manages ingest nodes. add prints the node key that "
                  "`slotcast ingest --node-key` needs.",
                  NULL, &argc, &argv);

  if (rc >= 0)
    return rc;
  if (argc < 2)
    {
      g_printerr ("slotcast node: say add or list\n");
      return 2;
    }
  if (!sc_data_dir_open (common.settings, &db, &sealer, &error))
    goto fail;

  if (strcmp (argv[1], "add") == 0)
    {
      ScSettings *s = common.settings;
      ScNode node = { .public_host = s->public_host,
                      .rtsp_port = s->rtsp_port,
                      .rtmp_port = s->rtmp_port,
                      .capacity = s->capacity,
                      .dial_in = s->dial_in };
      g_autofree char *key = NULL;

      if (argc != 3)
        {
          g_printerr ("slotcast node add NAME [--public-host H ...]\n");
          return 2;
        }
      node.name = argv[2];
      key = sc_db_add_node (db, &node, &error);
      if (key == NULL)
        goto fail;
      g_print ("%s\n", key);
      g_printerr ("Added node %s; the node key above is shown this once.\n",
                  node.name);
      return 0;
    }
  if (strcmp (argv[1], "list") == 0)
    {
      g_autoptr (GPtrArray) nodes = sc_db_list_nodes (db, &error);

      if (nodes == NULL)
        goto fail;
      for (guint i = 0; i < nodes->len; i++)
        {
          ScNode *n = g_ptr_array_index (nodes, i);
          g_print ("%s\t%s\trtsp %d\trtmp %d\tcapacity %d\n", n->name,
                   n->public_host, n->rtsp_port, n->rtmp_port, n->capacity);
        }
      return 0;
    }
  g_printerr ("slotcast node: unknown action %s (add, list)\n", argv[1]);
  return 2;

fail:
  g_printerr ("slotcast: %s\n", error->message);
  return 1;
}

static void
print_usage (FILE *out)
{
  fprintf (
      out,
      "Usage: slotcast COMMAND [OPTION…]\n\n"
      "Commands:\n"
      "  serve   booking service and the local ingest node, in one\n"
      "  web     booking service alone\n"
      "  ingest  an ingest node apart, admitting through --booking-url\n"
      "  user    add NAME --role operator|broadcaster, passwd NAME, or list\n"
      "  node    add NAME (prints its node key), or list\n\n"
      "slotcast COMMAND --help shows the options of a command.\n");
}

int
main (int argc, char **argv)
{
  const char *command;

  setlocale (LC_ALL, "");
  if (argc < 2)
    {
      print_usage (stderr);
      return 2;
    }
  command = argv[1];
  /* "slotcast COMMAND" becomes argv[0] of the command's option parsing. */
  argc--;
  argv++;
  argv[0] = g_strconcat ("slotcast ", command, NULL);
  g_set_prgname (argv[0]);
  /* Servers: every connection costs a descriptor. */
  if (strcmp (command, "serve") == 0 || strcmp (command, "web") == 0
      || strcmp (command, "ingest") == 0)
    sc_listener_raise_fd_limit ();
  if (strcmp (command, "serve") == 0)
    return run_server (argc, argv, TRUE);
  if (strcmp (command, "web") == 0)
    return run_server (argc, argv, FALSE);
  if (strcmp (command, "ingest") == 0)
    return run_ingest (argc, argv);
  if (strcmp (command, "user") == 0)
    return run_user (argc, argv);
  if (strcmp (command, "node") == 0)
    return run_node (argc, argv);
  if (strcmp (command, "--help") == 0 || strcmp (command, "-h") == 0
      || strcmp (command, "help") == 0)
    {
      print_usage (stdout);
      return 0;
    }
  if (strcmp (command, "--version") == 0)
    {
      printf ("slotcast %s\n", PACKAGE_VERSION);
      return 0;
    }
  fprintf (stderr, "slotcast: unknown command %s\n\n", command);
  print_usage (stderr);
  return 2;
}
