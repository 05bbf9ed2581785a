/* SPDX-License-Identifier: LGPL-2.1-or-later */

/**
 * SECTION:sc-upload-runner
 *
 * `slotcast-upload run`: one reservation, unattended.
 *
 * ```
 * waiting ──start-notify_before──► notify (terminal, desktop, --on-notify)
 *         ──start-lead───────────► connecting ──► connected (admitted early)
 *                                    ▲    │         ──start──► live
 *                 backoff 0.5 s … 5 s│    ▼ link dropped, server restarted
 *                                  retrying
 * refused (bad token, cancelled) ──► exit 3 with the server's reason
 * end of the slot ──► stop, exit 0
 * ```
 *
 * Every event is planned from the wall clock: one #sc_wall_timeout_add per
 * next event, re-planned when it fires or when the clock is set; nothing
 * polls. The status (state, bitrate, dropped frames, time left) is a live
 * line on a terminal, log lines otherwise, or JSON lines with --json.
 * Runs a main loop on the default context.
 */

#include "config.h"

#include "sc-upload-runner.h"

#include "sc-clock.h"
#include "sc-wall-timer.h"

#include <glib-unix.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

#define RETRY_FIRST_US (G_USEC_PER_SEC / 2)
#define RETRY_MAX_US (5 * G_USEC_PER_SEC)
#define PLAIN_STATUS_EVERY 10

typedef enum
{
  WAITING,
  CONNECTING,
  CONNECTED, /* admitted before the start: media is held back */
  LIVE,
  RETRYING,
} State;

static const char *const state_names[]
    = { "waiting", "connecting", "connected", "live", "retrying" };

typedef struct
{
  const ScTicket *ticket;
  const ScUploadRunOptions *options;
  GMainLoop *loop;
  int exit_code;
  State state;
  gboolean notified;
  guint timer;  /* wall timer of the next planned event */
  guint retry;  /* monotonic timer of the next attempt */
  guint status; /* once a second */
  guint attempts;
  ScUploadPublisher *publisher;
  guint64 last_bytes;
  guint64 bitrate;
  guint ticks;
  gboolean line_open; /* a status line is on the terminal */
} Runner;

static void plan (Runner *r);

/* Output. */

static char *
clock_time (gint64 us)
{
  g_autoptr (GDateTime) dt
      = g_date_time_new_from_unix_local ((us) / G_USEC_PER_SEC);

  return g_date_time_format (dt, "%H:%M:%S");
}

static void
end_line (Runner *r)
{
  if (r->line_open)
    {
      fputs ("\r\033[K", stdout);
      r->line_open = FALSE;
    }
}

/* One event: a line (plain, terminal) or a JSON object. @extra are
 * key/value string pairs for JSON. */
static void
event (Runner *r, const char *name, const char *text, ...)
{
  if (r->options->output == SC_UPLOAD_OUTPUT_JSON)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();
      g_autoptr (JsonNode) root = NULL;
      g_autofree char *now = sc_time_format_us (g_get_real_time ());
      g_autofree char *json = NULL;
      va_list args;
      const char *key;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "event");
      json_builder_add_string_value (b, name);
      json_builder_set_member_name (b, "time");
      json_builder_add_string_value (b, now);
      json_builder_set_member_name (b, "reservation");
      json_builder_add_string_value (b, r->ticket->id);
      json_builder_set_member_name (b, "message");
      json_builder_add_string_value (b, text);
      va_start (args, text);
      while ((key = va_arg (args, const char *)) != NULL)
        {
          json_builder_set_member_name (b, key);
          json_builder_add_string_value (b, va_arg (args, const char *));
        }
      va_end (args);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      json = json_to_string (root, FALSE);
      printf ("%s\n", json);
    }
  else
    {
      g_autofree char *at = clock_time (g_get_real_time ());

      end_line (r);
      printf ("%s %s: %s\n", at, name, text);
    }
  fflush (stdout);
}

static char *
describe_span (gint64 us)
{
  return sc_duration_describe (MAX (us, 0));
}

static gboolean
on_status (gpointer data)
{
  Runner *r = data;
  gint64 now = g_get_real_time ();
  guint64 bytes = r->publisher ? sc_upload_publisher_get_bytes (r->publisher)
                               : r->last_bytes;
  guint64 dropped
      = r->publisher ? sc_upload_publisher_get_dropped (r->publisher) : 0;
  g_autofree char *left = describe_span (r->ticket->end_us - now);
  g_autofree char *until = describe_span (r->ticket->start_us - now);
  g_autofree char *text = NULL;

  r->bitrate = bytes >= r->last_bytes ? (bytes - r->last_bytes) * 8 : 0;
  r->last_bytes = bytes;
  r->ticks++;
  if (r->state == LIVE)
    text = g_strdup_printf ("%s %s: %" G_GUINT64_FORMAT
                            " kbit/s, %" G_GUINT64_FORMAT " dropped, %s left",
                            state_names[r->state], r->ticket->stream,
                            r->bitrate / 1000, dropped, left);
  else
    text = g_strdup_printf ("%s %s: starts in %s", state_names[r->state],
                            r->ticket->stream, until);
  switch (r->options->output)
    {
      case SC_UPLOAD_OUTPUT_LINE:
        printf ("\r\033[K%s", text);
        fflush (stdout);
        r->line_open = TRUE;
        break;
      case SC_UPLOAD_OUTPUT_PLAIN:
        if (r->ticks % PLAIN_STATUS_EVERY == 0)
          event (r, "status", text, NULL);
        break;
      case SC_UPLOAD_OUTPUT_JSON:
        {
          g_autofree char *kbps
              = g_strdup_printf ("%" G_GUINT64_FORMAT, r->bitrate / 1000);
          g_autofree char *drops
              = g_strdup_printf ("%" G_GUINT64_FORMAT, dropped);

          if (r->ticks % 5 == 0)
            event (r, "status", text, "state", state_names[r->state], "kbit_s",
                   kbps, "dropped", drops, NULL);
        }
        break;
    }
  return G_SOURCE_CONTINUE;
}

static void
finish (Runner *r, int code)
{
  r->exit_code = code;
  g_main_loop_quit (r->loop);
}

/* Notification. */

static void
on_notified (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (GVariant) reply = g_dbus_connection_call_finish (
      G_DBUS_CONNECTION (source), result, NULL);

  /* No notification daemon is no error. The connection was kept alive
   * until here: dropping the last reference would close it unsent. */
  g_object_unref (source);
}

static void
notify_desktop (Runner *r, const char *summary, const char *body)
{
  GDBusConnection *bus;

  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    return;
  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  if (bus == NULL)
    return;
  g_dbus_connection_call (
      bus, "org.freedesktop.Notifications", "/org/freedesktop/Notifications",
      "org.freedesktop.Notifications", "Notify",
      g_variant_new ("(susssasa{sv}i)", "Slotcast", 0u, "media-record", summary,
                     body, NULL, NULL, -1),
      G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, 2000, NULL, on_notified,
      NULL);
}

static void
run_on_notify (Runner *r)
{
  g_autofree char *start = sc_time_format_us (r->ticket->start_us);
  g_auto (GStrv) env = g_get_environ ();
  const char *argv[] = { "/bin/sh", "-c", r->options->on_notify, NULL };
  g_autoptr (GError) error = NULL;

  env = g_environ_setenv (env, "SLOTCAST_ID", r->ticket->id, TRUE);
  env = g_environ_setenv (env, "SLOTCAST_STREAM", r->ticket->stream, TRUE);
  env = g_environ_setenv (env, "SLOTCAST_START", start, TRUE);
  if (!g_spawn_async (NULL, (char **)argv, env, G_SPAWN_DEFAULT, NULL, NULL,
                      NULL, &error))
    event (r, "warning", error->message, NULL);
}

static void
notify (Runner *r)
{
  g_autofree char *at = clock_time (r->ticket->start_us);
  g_autofree char *in
      = describe_span (r->ticket->start_us - g_get_real_time ());
  g_autofree char *text = g_strdup_printf ("%s goes live at %s (in %s)",
                                           r->ticket->stream, at, in);

  r->notified = TRUE;
  event (r, "notify", text, NULL);
  notify_desktop (r, "Slotcast: going live soon", text);
  if (r->options->on_notify != NULL)
    run_on_notify (r);
}

/* Publishing. */

static void connect_now (Runner *r);

static gboolean
on_retry (gpointer data)
{
  Runner *r = data;

  r->retry = 0;
  plan (r);
  return G_SOURCE_REMOVE;
}

static void
drop_publisher (Runner *r)
{
  if (r->publisher == NULL)
    return;
  r->last_bytes = 0;
  g_signal_handlers_disconnect_by_data (r->publisher, r);
  sc_upload_publisher_stop (r->publisher);
  /* Maybe inside its own signal: let it go when idle. */
  g_idle_add_once ((GSourceOnceFunc)g_object_unref,
                   g_steal_pointer (&r->publisher));
}

static void
on_connected (ScUploadPublisher *p, gpointer data)
{
  Runner *r = data;
  gboolean early = g_get_real_time () < r->ticket->start_us;

  r->attempts = 0;
  r->state = early ? CONNECTED : LIVE;
  event (r, early ? "connected" : "live",
         early ? "admitted; the ingest shows the stream from the start"
               : "publishing",
         NULL);
  plan (r);
}

static void
on_failed (ScUploadPublisher *p, const char *reason, gboolean refused,
           gpointer data)
{
  Runner *r = data;
  gint64 now = g_get_real_time ();
  gint64 delay;

  drop_publisher (r);
  if (now >= r->ticket->end_us)
    {
      plan (r);
      return;
    }
  /* Too early is the clocks disagreeing: try again. Any other refusal is
   * final. */
  if (refused && !g_str_has_prefix (reason, "slot opens in"))
    {
      g_autofree char *text
          = g_strdup_printf ("refused by the server: %s", reason);
      event (r, "refused", text, "reason", reason, NULL);
      finish (r, SC_UPLOAD_EXIT_REFUSED);
      return;
    }
  delay = MIN (RETRY_FIRST_US << MIN (r->attempts, 8), RETRY_MAX_US);
  r->attempts++;
  r->state = RETRYING;
  {
    g_autofree char *why = g_strdup (reason);
    g_autofree char *text = NULL;

    if (g_str_has_suffix (why, "."))
      why[strlen (why) - 1] = '\0';
    text = g_strdup_printf ("%s; again in %.1f s", why,
                            delay / (double)G_USEC_PER_SEC);
    event (r, "retrying", text, "reason", reason, NULL);
  }
  r->retry = g_timeout_add (delay / 1000, on_retry, r);
}

static void
on_finished (ScUploadPublisher *p, gpointer data)
{
  Runner *r = data;

  event (r, "done", "the source ended", NULL);
  finish (r, SC_UPLOAD_EXIT_DONE);
}

static void
connect_now (Runner *r)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *location
      = sc_ticket_dup_publish_url (r->ticket, r->options->media.rtmp, &error);

  if (location == NULL)
    {
      event (r, "error", error->message, NULL);
      finish (r, SC_UPLOAD_EXIT_ERROR);
      return;
    }
  r->publisher = sc_upload_publisher_new (&r->options->media, location);
  g_signal_connect (r->publisher, "connected", G_CALLBACK (on_connected), r);
  g_signal_connect (r->publisher, "failed", G_CALLBACK (on_failed), r);
  g_signal_connect (r->publisher, "finished", G_CALLBACK (on_finished), r);
  r->state = CONNECTING;
  if (r->attempts == 0)
    event (r, "connecting", r->options->media.rtmp ? "over RTMP" : "over RTSP",
           NULL);
  if (!sc_upload_publisher_start (r->publisher, &error))
    {
      event (r, "error", error->message, NULL);
      g_clear_object (&r->publisher);
      finish (r, SC_UPLOAD_EXIT_ERROR);
    }
}

/* Planning: look at the clock, do what is due, arm the next event. */

static gboolean
on_timer (gpointer data)
{
  Runner *r = data;

  r->timer = 0;
  plan (r);
  return G_SOURCE_REMOVE;
}

static void
plan (Runner *r)
{
  const ScTicket *t = r->ticket;
  gint64 now = g_get_real_time ();
  gint64 notify_at = t->start_us - r->options->notify_before_us;
  gint64 connect_at = t->start_us - r->options->lead_us;
  gint64 next = t->end_us;

  g_clear_handle_id (&r->timer, g_source_remove);
  if (now >= t->end_us)
    {
      drop_publisher (r);
      event (r, "done", "the slot ended", NULL);
      finish (r, SC_UPLOAD_EXIT_DONE);
      return;
    }
  if (!r->notified && now >= notify_at)
    notify (r);
  if (r->publisher == NULL && r->retry == 0 && now >= connect_at)
    connect_now (r);
  if (r->state == CONNECTED && now >= t->start_us)
    {
      r->state = LIVE;
      /* The ingest showed nothing before the start: begin with a frame
       * viewers can decode at once. */
      sc_upload_publisher_force_keyframe (r->publisher);
      event (r, "live", "the slot opened", NULL);
    }

  if (!r->notified)
    next = MIN (next, notify_at);
  if (r->publisher == NULL && r->retry == 0)
    next = MIN (next, connect_at);
  if (r->state == CONNECTED)
    next = MIN (next, t->start_us);
  r->timer = sc_wall_timeout_add (next, on_timer, r);
}

static gboolean
on_signal (gpointer data)
{
  Runner *r = data;

  event (r, "stopped", "interrupted", NULL);
  finish (r, SC_UPLOAD_EXIT_ERROR);
  return G_SOURCE_CONTINUE;
}

/**
 * sc_upload_run:
 *
 * Waits for @ticket's slot, notifies, publishes from its start to its end,
 * reconnecting when the link drops.
 *
 * Returns: the exit code (SC_UPLOAD_EXIT_*)
 */
int
sc_upload_run (const ScTicket *ticket, const ScUploadRunOptions *options)
{
  Runner r = { ticket, options };
  guint sigint, sigterm;

  if (g_get_real_time () >= ticket->end_us)
    {
      fprintf (stderr, "slotcast-upload: the slot of %s has ended\n",
               ticket->stream);
      return SC_UPLOAD_EXIT_ERROR;
    }
  r.loop = g_main_loop_new (NULL, FALSE);
  sigint = g_unix_signal_add (SIGINT, on_signal, &r);
  sigterm = g_unix_signal_add (SIGTERM, on_signal, &r);
  r.status = g_timeout_add_seconds (1, on_status, &r);
  {
    g_autofree char *start = clock_time (ticket->start_us);
    g_autofree char *end = clock_time (ticket->end_us);
    g_autofree char *text
        = g_strdup_printf ("%s from %s to %s", ticket->stream, start, end);
    event (&r, "waiting", text, NULL);
  }
  plan (&r);
  g_main_loop_run (r.loop);

  end_line (&r);
  fflush (stdout);
  drop_publisher (&r);
  g_clear_handle_id (&r.timer, g_source_remove);
  g_clear_handle_id (&r.retry, g_source_remove);
  g_clear_handle_id (&r.status, g_source_remove);
  g_source_remove (sigint);
  g_source_remove (sigterm);
  g_main_loop_unref (r.loop);
  return r.exit_code;
}
