/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* slotcast-upload: the broadcaster's uploader. Parses options and hands over
 * to src/upload/: the ticket store, the booking API, the runner. */

#include "config.h"

#include <gst/gst.h>
#include <json-glib/json-glib.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sc-booking-body.h"
#include "sc-clock.h"
#include "sc-ticket-store.h"
#include "sc-upload-api.h"
#include "sc-upload-runner.h"

#define USAGE                                                                  \
  "Usage: slotcast-upload COMMAND [OPTION…]\n"                               \
  "\n"                                                                         \
  "  book --server URL --api-key KEY --stream NAME --start TIME "              \
  "--duration D\n"                                                             \
  "                       book a slot; the ticket is stored\n"                 \
  "  import FILE|URL      store a ticket (a downloaded file, its URL, or\n"    \
  "                       slotcast://import?url=URL)\n"                        \
  "  list                 the stored tickets\n"                                \
  "  show ID [--reveal]   one ticket (tokens masked unless --reveal)\n"        \
  "  cancel ID            cancel on the server, then forget the ticket\n"      \
  "  run [ID]             wait for the slot, notify, go live, stop at the "    \
  "end\n"                                                                      \
  "\n"                                                                         \
  "Run `slotcast-upload COMMAND --help` for a command's options.\n"

static int fail (const char *format, ...) G_GNUC_PRINTF (1, 2);

static int
fail (const char *format, ...)
{
  va_list args;
  g_autofree char *text = NULL;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  fprintf (stderr, "slotcast-upload: %s\n", text);
  return SC_UPLOAD_EXIT_ERROR;
}

static int
usage_error (const char *text)
{
  fprintf (stderr, "slotcast-upload: %s\n", text);
  return SC_UPLOAD_EXIT_USAGE;
}

/* Options shared by the commands that talk to the booking service. */
typedef struct
{
  char *server;
  char *api_key;
  char *ca_file;
} Remote;

static void
remote_clear (Remote *r)
{
  g_free (r->server);
  g_free (r->api_key);
  g_free (r->ca_file);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Remote, remote_clear)

static GOptionGroup *
remote_group (Remote *r)
{
  const GOptionEntry entries[] = {
    { "server", 0, 0, G_OPTION_ARG_STRING, &r->server,
      "The booking service (or SLOTCAST_SERVER)", "URL" },
    { "api-key", 0, 0, G_OPTION_ARG_STRING, &r->api_key,
      "Your API key (or SLOTCAST_API_KEY)", "KEY" },
    { "ca-file", 0, 0, G_OPTION_ARG_FILENAME, &r->ca_file,
      "Also trust these PEM certificates (a self-signed server)", "FILE" },
    { NULL },
  };
  GOptionGroup *g = g_option_group_new ("remote", "Booking service",
                                        "Booking service options", NULL, NULL);

  g_option_group_add_entries (g, entries);
  return g;
}

static void
remote_defaults (Remote *r)
{
  if (r->server == NULL)
    r->server = g_strdup (g_getenv ("SLOTCAST_SERVER"));
  if (r->api_key == NULL)
    r->api_key = g_strdup (g_getenv ("SLOTCAST_API_KEY"));
}

/* Parses @argv for @command; FALSE (and an exit code) on bad usage. */
static gboolean
parse (GOptionContext *context, int *argc, char ***argv, int *out_code)
{
  g_autoptr (GError) error = NULL;

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      *out_code = usage_error (error->message);
      return FALSE;
    }
  return TRUE;
}

static ScTicketStore *
open_store (int *out_code)
{
  g_autoptr (GError) error = NULL;
  ScTicketStore *store = sc_ticket_store_new (NULL, NULL, &error);

  if (store == NULL)
    *out_code = fail ("%s", error->message);
  return store;
}

/* A time: "now", "+90s", "+5m", "HH:MM[:SS]" (today, or tomorrow if that
 * has passed), or RFC 3339. */
static gboolean
parse_start (const char *text, gint64 now_us, gint64 *out_us)
{
  int h, m, s = 0;
  char tail;

  if (g_strcmp0 (text, "now") == 0)
    {
      *out_us = now_us;
      return TRUE;
    }
  if (text[0] == '+')
    {
      gint64 span;
      if (!sc_duration_parse (text + 1, &span))
        return FALSE;
      *out_us = now_us + span;
      return TRUE;
    }
  if ((sscanf (text, "%d:%d:%d%c", &h, &m, &s, &tail) == 3
       || sscanf (text, "%d:%d%c", &h, &m, &tail) == 2)
      && h >= 0 && h < 24 && m >= 0 && m < 60 && s >= 0 && s < 60)
    {
      g_autoptr (GDateTime) now
          = g_date_time_new_from_unix_local ((now_us) / G_USEC_PER_SEC);
      g_autoptr (GDateTime) at = g_date_time_new_local (
          g_date_time_get_year (now), g_date_time_get_month (now),
          g_date_time_get_day_of_month (now), h, m, s);

      *out_us = g_date_time_to_unix (at) * G_USEC_PER_SEC;
      if (*out_us < now_us - 60 * G_USEC_PER_SEC)
        *out_us += (gint64)24 * 3600 * G_USEC_PER_SEC;
      return TRUE;
    }
  return sc_time_parse (text, out_us);
}

static int
cmd_book (int argc, char **argv)
{
  g_auto (Remote) remote = { 0 };
  g_autofree char *stream = NULL, *start = NULL, *duration = NULL;
  g_autofree char *end = NULL, *node = NULL;
  gboolean private = FALSE;
  const GOptionEntry entries[] = {
    { "stream", 0, 0, G_OPTION_ARG_STRING, &stream, "Stream name", "NAME" },
    { "start", 0, 0, G_OPTION_ARG_STRING, &start,
      "When: HH:MM, +10m, now or RFC 3339", "TIME" },
    { "duration", 0, 0, G_OPTION_ARG_STRING, &duration,
      "How long: 30m, 1h30m, 90s", "D" },
    { "end", 0, 0, G_OPTION_ARG_STRING, &end, "Or the end time", "TIME" },
    { "private", 0, 0, G_OPTION_ARG_NONE, &private,
      "Viewers need the view token", NULL },
    { "node", 0, 0, G_OPTION_ARG_STRING, &node, "The ingest node", "NAME" },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("- book a slot");
  g_autoptr (ScTicketStore) store = NULL;
  g_autoptr (ScApiClient) client = NULL;
  g_autoptr (ScTicket) ticket = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *body = NULL, *text = NULL;
  gint64 now = g_get_real_time (), start_us, end_us, span;
  int code = 0;

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_add_group (context, remote_group (&remote));
  if (!parse (context, &argc, &argv, &code))
    return code;
  remote_defaults (&remote);
  if (remote.server == NULL || remote.api_key == NULL || stream == NULL
      || start == NULL || (duration == NULL) == (end == NULL))
    return usage_error ("book needs --server, --api-key, --stream, --start "
                        "and --duration (or --end)");
  if (!parse_start (start, now, &start_us))
    return usage_error ("--start: not a time (HH:MM, +10m, now, RFC 3339)");
  if (duration != NULL)
    {
      if (!sc_duration_parse (duration, &span) || span <= 0)
        return usage_error ("--duration: not a duration (30m, 1h30m, 90s)");
      end_us = start_us + span;
    }
  else if (!parse_start (end, start_us, &end_us))
    return usage_error ("--end: not a time");

  if ((store = open_store (&code)) == NULL)
    return code;
  {
    ScBookingBody request = {
      .stream = stream,
      .start_us = start_us,
      .end_us = end_us,
      .visibility = private ? SC_VISIBILITY_PRIVATE : SC_VISIBILITY_PUBLIC,
      .node = node,
    };

    root = sc_booking_body_to_json (&request);
    body = json_to_string (root, FALSE);
  }

  if ((client = sc_upload_client_new (remote.server, remote.api_key,
                                      remote.ca_file, &error))
          == NULL
      || (ticket = sc_upload_api_book (client, body, &error)) == NULL
      || !sc_ticket_store_put (store, ticket, &error))
    return fail ("%s", error->message);
  text = sc_upload_ticket_describe (ticket, FALSE);
  printf ("Booked; the ticket is stored.\n%s", text);
  return SC_UPLOAD_EXIT_DONE;
}

static int
cmd_import (int argc, char **argv)
{
  g_auto (Remote) remote = { 0 };
  g_autoptr (GOptionContext) context
      = g_option_context_new ("FILE|URL - store a ticket");
  g_autoptr (ScTicketStore) store = NULL;
  g_autoptr (ScTicket) ticket = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *local = NULL;
  g_autofree char *text = NULL;
  const char *what;
  int code = 0;

  g_option_context_add_group (context, remote_group (&remote));
  if (!parse (context, &argc, &argv, &code))
    return code;
  if (argc != 2)
    return usage_error ("import needs one FILE or URL");
  remote_defaults (&remote);
  what = argv[1];
  if (g_str_has_prefix (what, "slotcast://import?"))
    {
      g_autoptr (GHashTable) params
          = g_uri_parse_params (what + strlen ("slotcast://import?"), -1, "&",
                                G_URI_PARAMS_NONE, NULL);
      const char *u = params ? g_hash_table_lookup (params, "url") : NULL;

      if (u == NULL)
        return usage_error ("slotcast:// link without url=");
      url = g_strdup (u);
    }
  else if (g_str_has_prefix (what, "https://")
           || g_str_has_prefix (what, "http://"))
    url = g_strdup (what);
  else if (g_str_has_prefix (what, "file://"))
    {
      /* From a desktop file's %u. */
      local = g_filename_from_uri (what, NULL, &error);
      if (local == NULL)
        return fail ("%s", error->message);
      what = local;
    }

  if ((store = open_store (&code)) == NULL)
    return code;
  if (url != NULL)
    {
      g_autofree char *server = sc_upload_server_of (url);
      g_autoptr (ScApiClient) client
          = sc_upload_client_new (server != NULL ? server : url, remote.api_key,
                                  remote.ca_file, &error);

      if (client != NULL)
        ticket = sc_upload_api_fetch (client, url, &error);
    }
  else
    {
      g_autofree char *contents = NULL;
      gsize len = 0;

      if (g_file_get_contents (what, &contents, &len, &error))
        ticket = sc_ticket_parse (contents, len, &error);
      if (ticket != NULL && remote.server != NULL)
        ticket->server = g_strdup (remote.server);
    }
  if (ticket == NULL || !sc_ticket_store_put (store, ticket, &error))
    return fail ("%s: %s", what, error->message);
  text = sc_upload_ticket_describe (ticket, FALSE);
  printf ("Stored.\n%s", text);
  return SC_UPLOAD_EXIT_DONE;
}

static void
report_problems (GPtrArray *problems)
{
  for (guint i = 0; i < problems->len; i++)
    fprintf (stderr, "slotcast-upload: skipped: %s\n",
             (char *)problems->pdata[i]);
}

static int
cmd_list (int argc, char **argv)
{
  g_autoptr (GOptionContext) context
      = g_option_context_new ("- the stored tickets");
  g_autoptr (ScTicketStore) store = NULL;
  g_autoptr (GPtrArray) problems = NULL;
  g_autoptr (GPtrArray) tickets = NULL;
  gint64 now = g_get_real_time ();
  int code = 0;

  if (!parse (context, &argc, &argv, &code))
    return code;
  if ((store = open_store (&code)) == NULL)
    return code;
  tickets = sc_ticket_store_list (store, &problems);
  report_problems (problems);
  if (tickets->len == 0)
    printf ("No tickets stored (in %s).\n", sc_ticket_store_get_dir (store));
  for (guint i = 0; i < tickets->len; i++)
    {
      ScTicket *t = tickets->pdata[i];
      g_autoptr (GDateTime) s
          = g_date_time_new_from_unix_local ((t->start_us) / G_USEC_PER_SEC);
      g_autoptr (GDateTime) e
          = g_date_time_new_from_unix_local ((t->end_us) / G_USEC_PER_SEC);
      g_autofree char *from = g_date_time_format (s, "%Y-%m-%d %H:%M:%S");
      g_autofree char *to = g_date_time_format (e, "%H:%M:%S %Z");
      const char *state = now >= t->end_us     ? "ended"
                          : now >= t->start_us ? "open"
                                               : "upcoming";

      printf ("%s  %-20s %s – %s  %s\n", t->id, t->stream, from, to, state);
    }
  return SC_UPLOAD_EXIT_DONE;
}

static int
cmd_show (int argc, char **argv)
{
  gboolean reveal = FALSE;
  const GOptionEntry entries[] = {
    { "reveal", 0, 0, G_OPTION_ARG_NONE, &reveal, "Show the tokens", NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("ID - one ticket");
  g_autoptr (ScTicketStore) store = NULL;
  g_autoptr (ScTicket) t = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;
  int code = 0;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!parse (context, &argc, &argv, &code))
    return code;
  if (argc != 2)
    return usage_error ("show needs a ticket ID");
  if ((store = open_store (&code)) == NULL)
    return code;
  if ((t = sc_ticket_store_get (store, argv[1], &error)) == NULL)
    return fail ("%s", error->message);
  text = sc_upload_ticket_describe (t, reveal);
  fputs (text, stdout);
  return SC_UPLOAD_EXIT_DONE;
}

static int
cmd_cancel (int argc, char **argv)
{
  g_auto (Remote) remote = { 0 };
  g_autoptr (GOptionContext) context
      = g_option_context_new ("ID - cancel a reservation");
  g_autoptr (ScTicketStore) store = NULL;
  g_autoptr (ScTicket) t = NULL;
  g_autoptr (ScApiClient) client = NULL;
  g_autoptr (GError) error = NULL;
  const char *server;
  int code = 0;

  g_option_context_add_group (context, remote_group (&remote));
  if (!parse (context, &argc, &argv, &code))
    return code;
  if (argc != 2)
    return usage_error ("cancel needs a ticket ID");
  remote_defaults (&remote);
  if ((store = open_store (&code)) == NULL)
    return code;
  if ((t = sc_ticket_store_get (store, argv[1], &error)) == NULL)
    return fail ("%s", error->message);
  server = remote.server ? remote.server : t->server;
  if (server == NULL || remote.api_key == NULL)
    return usage_error ("cancel needs --api-key (and --server for an "
                        "imported ticket)");
  if ((client
       = sc_upload_client_new (server, remote.api_key, remote.ca_file, &error))
          == NULL
      || !sc_upload_api_cancel (client, t->id, &error))
    return fail ("%s", error->message);
  if (!sc_ticket_store_remove (store, t->id, &error))
    return fail ("%s", error->message);
  printf ("Cancelled %s (%s); the ticket is removed.\n", t->stream, t->id);
  return SC_UPLOAD_EXIT_DONE;
}

/* The stored ticket to run: @id, or the next one not ended. */
static ScTicket *
pick (ScTicketStore *store, const char *id, GError **error)
{
  g_autoptr (GPtrArray) problems = NULL;
  g_autoptr (GPtrArray) tickets = NULL;
  gint64 now = g_get_real_time ();

  if (id != NULL)
    return sc_ticket_store_get (store, id, error);
  tickets = sc_ticket_store_list (store, &problems);
  report_problems (problems);
  for (guint i = 0; i < tickets->len; i++)
    if (((ScTicket *)tickets->pdata[i])->end_us > now)
      return g_ptr_array_steal_index (tickets, i);
  g_set_error (error, SC_UPLOAD_ERROR, SC_UPLOAD_ERROR_NOT_FOUND,
               "No stored ticket for a slot that has not ended");
  return NULL;
}

static int
cmd_run (int argc, char **argv)
{
  gboolean test_pattern = FALSE, camera = FALSE, json = FALSE;
  g_autofree char *file = NULL, *source = NULL, *audio = NULL;
  g_autofree char *protocol = NULL, *on_notify = NULL;
  int notify_before = 60, lead = 5, kbps = 2500, gop = 2;
  const GOptionEntry entries[] = {
    { "test-pattern", 0, 0, G_OPTION_ARG_NONE, &test_pattern,
      "Publish a test pattern with a clock and a tone", NULL },
    { "file", 0, 0, G_OPTION_ARG_FILENAME, &file, "Publish a media file",
      "FILE" },
    { "camera", 0, 0, G_OPTION_ARG_NONE, &camera,
      "Publish the camera (V4L2) and the microphone", NULL },
    { "source", 0, 0, G_OPTION_ARG_STRING, &source,
      "Publish this GStreamer video source (raw video out)", "DESC" },
    { "audio-source", 0, 0, G_OPTION_ARG_STRING, &audio,
      "With --source: this audio source (raw audio out)", "DESC" },
    { "protocol", 0, 0, G_OPTION_ARG_STRING, &protocol,
      "rtsp (default) or rtmp", "P" },
    { "notify-before", 0, 0, G_OPTION_ARG_INT, &notify_before,
      "Notify this many seconds before the start (60)", "S" },
    { "lead", 0, 0, G_OPTION_ARG_INT, &lead,
      "Connect this many seconds before the start (5)", "S" },
    { "on-notify", 0, 0, G_OPTION_ARG_STRING, &on_notify,
      "Also run this shell command when notifying", "CMD" },
    { "bitrate", 0, 0, G_OPTION_ARG_INT, &kbps, "Video kbit/s (2500)", "N" },
    { "keyframe-interval", 0, 0, G_OPTION_ARG_INT, &gop,
      "Seconds between keyframes (2)", "S" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Events as JSON lines", NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) context
      = g_option_context_new ("[ID] - go live for a stored ticket");
  g_autoptr (ScTicketStore) store = NULL;
  g_autoptr (ScTicket) ticket = NULL;
  g_autoptr (GError) error = NULL;
  ScUploadRunOptions options = { 0 };
  int sources, code = 0;

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_add_group (context, gst_init_get_option_group ());
  if (!parse (context, &argc, &argv, &code))
    return code;
  sources = test_pattern + camera + (file != NULL) + (source != NULL);
  if (argc > 2 || sources > 1)
    return usage_error ("run [ID] with at most one of --test-pattern, "
                        "--file, --camera, --source");
  if (protocol != NULL && strcmp (protocol, "rtsp") != 0
      && strcmp (protocol, "rtmp") != 0)
    return usage_error ("--protocol is rtsp or rtmp");
  if (notify_before < 0 || lead < 0 || lead > 3600 || kbps < 100
      || kbps > 100000 || gop < 1 || gop > 10)
    return usage_error ("--notify-before, --lead, --bitrate or "
                        "--keyframe-interval out of range");
  if (audio != NULL && source == NULL)
    return usage_error ("--audio-source goes with --source");
  if (file != NULL && !g_file_test (file, G_FILE_TEST_IS_REGULAR))
    return usage_error ("--file: no such file");

  options.media.kind = file     ? SC_UPLOAD_SOURCE_FILE
                       : camera ? SC_UPLOAD_SOURCE_CAMERA
                       : source ? SC_UPLOAD_SOURCE_DESCRIPTION
                                : SC_UPLOAD_SOURCE_TEST_PATTERN;
  options.media.value = file ? file : source;
  options.media.audio = audio;
  options.media.rtmp = g_strcmp0 (protocol, "rtmp") == 0;
  options.media.video_kbps = kbps;
  options.media.gop_s = gop;
  options.notify_before_us = (gint64)notify_before * G_USEC_PER_SEC;
  options.lead_us = (gint64)lead * G_USEC_PER_SEC;
  options.on_notify = on_notify;
  options.output = json                     ? SC_UPLOAD_OUTPUT_JSON
                   : isatty (STDOUT_FILENO) ? SC_UPLOAD_OUTPUT_LINE
                                            : SC_UPLOAD_OUTPUT_PLAIN;

  if ((store = open_store (&code)) == NULL)
    return code;
  if ((ticket = pick (store, argc == 2 ? argv[1] : NULL, &error)) == NULL)
    return fail ("%s", error->message);
  return sc_upload_run (ticket, &options);
}

int
main (int argc, char **argv)
{
  static const struct
  {
    const char *name;
    int (*run) (int, char **);
  } commands[] = {
    { "book", cmd_book }, { "import", cmd_import }, { "list", cmd_list },
    { "show", cmd_show }, { "cancel", cmd_cancel }, { "run", cmd_run },
  };

  setlocale (LC_ALL, "");
  if (argc < 2 || strcmp (argv[1], "--help") == 0
      || strcmp (argv[1], "-h") == 0)
    {
      fputs (USAGE, argc < 2 ? stderr : stdout);
      return argc < 2 ? SC_UPLOAD_EXIT_USAGE : SC_UPLOAD_EXIT_DONE;
    }
  for (size_t i = 0; i < G_N_ELEMENTS (commands); i++)
    if (strcmp (argv[1], commands[i].name) == 0)
      {
        return commands[i].run (argc - 1, argv + 1);
      }
  fprintf (stderr, "slotcast-upload: unknown command \"%s\"\n\n%s", argv[1],
           USAGE);
  return SC_UPLOAD_EXIT_USAGE;
}
