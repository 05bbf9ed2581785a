/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Browser sessions for the web UI: /api/v1/session (POST logs in, GET says
 * who is logged in, DELETE logs out), the session cookie and the CSRF
 * token.
 *
 * The cookie `slotcast_session` carries a fresh 256-bit token made at each
 * login (never one the browser offered, so a planted cookie cannot be
 * fixed onto a login); the database keeps only its SHA-256. It is
 * HttpOnly, SameSite=Strict, Path=/, Secure under TLS, and lasts
 * `[http] session-lifetime-s`.
 *
 * The CSRF token is HMAC-SHA256(session token, "slotcast-csrf"): the page
 * gets it in the body of POST and GET /api/v1/session and sends it back in
 * `X-CSRF-Token` with every request that changes something. Nothing needs
 * storing, and a page of another origin can neither read the cookie nor
 * the token. Requests with a bearer key need no CSRF token: browsers do
 * not send those on their own.
 *
 * Passwords are checked with scrypt (sc-password.c) on a worker thread,
 * since each check takes tens of milliseconds; the request is paused
 * meanwhile. At most MAX_LOGINS_IN_CHECK checks run at once; the others
 * wait in turn (at most MAX_LOGINS_QUEUED, 503 beyond), one login per
 * address at a time (429 for a second one), so a few addresses sending
 * wrong passwords delay a real login by a few checks instead of refusing
 * it. Failed logins count against the address like bad API keys, and an
 * address blocked while its check ran is refused even with the right
 * password.
 *
 * The login itself is guarded against login CSRF (another site logging
 * the browser in as someone else): it takes only `application/json`,
 * which a cross-site form cannot send, and refuses a request the browser
 * marks as cross-site (`Sec-Fetch-Site`).
 */

#include "config.h"

#include "sc-api-session.h"

#include "sc-http.h"
#include "sc-password.h"
#include "sc-web-session.h"

#include <openssl/crypto.h>
#include <string.h>

#define SESSION_PATH "/api/v1/session"
#define MAX_NAME_LEN 64
/* Password checks running at once (each takes ~50 ms and 32 MiB); one per
 * address, so no address can queue work faster than it is refused. */
#define MAX_LOGINS_IN_CHECK 4
/* Logins waiting for a check, from as many addresses. */
#define MAX_LOGINS_QUEUED 256

/* Reference-counted (g_rc_box): a password check running on a worker
 * thread holds a reference, and finds @closed set if the server went. */
struct _ScApiSession
{
  ScWebAuth *auth;       /* the server's */
  ScGroupCommit *commit; /* the server's */
  ScWebMetrics *metrics; /* the server's */
  ScDb *db;
  ScSettings *settings;
  ScClock *clock;
  gboolean closed;            /* sc_api_session_free() was called */
  GHashTable *pending_logins; /* addresses with a login checked or waiting */
  guint logins_checking;      /* password checks running */
  GQueue logins_waiting;      /* Login, oldest first */
};

static void
send_session (SoupServerMessage *msg, guint status, const ScUser *user,
              const char *token, gint64 expires_us)
{
  g_autoptr (JsonBuilder) b = json_builder_new_immutable ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *csrf = sc_web_session_csrf_for (token);
  g_autofree char *expires = sc_time_format_us (expires_us);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, user->name);
  json_builder_set_member_name (b, "role");
  json_builder_add_string_value (b, sc_role_to_string (user->role));
  json_builder_set_member_name (b, "csrf_token");
  json_builder_add_string_value (b, csrf);
  json_builder_set_member_name (b, "expires");
  json_builder_add_string_value (b, expires);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  sc_http_send_json (msg, status, root, NULL);
}

/* ---- login ------------------------------------------------------------ */

typedef struct
{
  SoupServerMessage *msg;
  char *address;
  gboolean gone; /* the client went away meanwhile */
  ScUser *user;  /* nullable: no such user */
  char *hash;    /* nullable: no such user, or no password */
  char *password;
  gboolean ok;
} Login;

static void
on_login_disconnected (SoupServerMessage *msg, gpointer data)
{
  Login *login = data;

  login->gone = TRUE;
}

static void
login_free (Login *login)
{
  g_signal_handlers_disconnect_by_data (login->msg, login);
  g_object_unref (login->msg);
  g_free (login->address);
  g_clear_pointer (&login->user, sc_user_free);
  g_free (login->hash);
  if (login->password != NULL)
    OPENSSL_cleanse (login->password, strlen (login->password));
  g_free (login->password);
  g_free (login);
}

static void
login_thread (GTask *task, gpointer source, gpointer data,
              GCancellable *cancellable)
{
  Login *login = data;

  if (login->hash != NULL)
    login->ok = sc_password_verify (login->password, login->hash);
  else
    /* Costs what a check costs, so the answer's timing does not tell
     * whether the user exists. */
    g_free (sc_password_hash (login->password, NULL));
}

static void on_login_checked (GObject *source, GAsyncResult *result,
                              gpointer data);

static void
start_check (ScApiSession *self, Login *login)
{
  g_autoptr (GTask) task
      = g_task_new (NULL, NULL, on_login_checked, g_rc_box_acquire (self));

  self->logins_checking++;
  g_task_set_task_data (task, login, (GDestroyNotify)login_free);
  g_task_run_in_thread (task, login_thread);
}

/* A check ended: the next waiting login whose client is still there. */
static void
start_next (ScApiSession *self)
{
  Login *login;

  while (self->logins_checking < MAX_LOGINS_IN_CHECK
         && (login = g_queue_pop_head (&self->logins_waiting)) != NULL)
    {
      if (!login->gone)
        {
          start_check (self, login);
          continue;
        }
      g_hash_table_remove (self->pending_logins, login->address);
      login_free (login);
    }
}

static void
session_clear (gpointer data)
{
  ScApiSession *self = data;

  g_hash_table_unref (self->pending_logins);
  g_object_unref (self->db);
  sc_settings_unref (self->settings);
  g_object_unref (self->clock);
}

static void login_checked (ScApiSession *self, Login *login);

static void
on_login_checked (GObject *source, GAsyncResult *result, gpointer data)
{
  ScApiSession *self = data;

  login_checked (self, g_task_get_task_data (G_TASK (result)));
  g_rc_box_release_full (self, session_clear);
}

static void
login_checked (ScApiSession *self, Login *login)
{
  SoupServerMessage *msg = login->msg;
  g_autoptr (GError) error = NULL;
  g_autofree char *token = NULL;
  gint64 now_us = sc_clock_now_us (self->clock);
  gint64 expires_us
      = now_us + (gint64)self->settings->session_lifetime_s * SC_USEC_PER_SEC;

  self->logins_checking--;
  g_hash_table_remove (self->pending_logins, login->address);
  if (!self->closed)
    start_next (self);
  /* The server is gone, or the client: nobody to answer, nothing to do. */
  if (self->closed || login->gone)
    return;
  if (!login->ok || login->user == NULL)
    {
      self->metrics->bad_logins++;
      g_message ("Failed web login as %s from %s",
                 login->user != NULL ? login->user->name : "(unknown user)",
                 login->address);
      if (!sc_web_auth_record_failure (self->auth, msg))
        sc_http_send_error (msg, SOUP_STATUS_UNAUTHORIZED, "bad_login",
                            "Wrong user name or password");
      soup_server_message_unpause (msg);
      return;
    }
  /* Blocked while the check ran (other guesses failed meanwhile). */
  if (!sc_web_auth_check_not_blocked (self->auth, msg)
      || !sc_group_commit_begin (self->commit, msg))
    {
      soup_server_message_unpause (msg);
      return;
    }
  token = sc_db_add_session (self->db, login->user->id, now_us, expires_us,
                             &error);
  if (token == NULL)
    {
      sc_http_send_db_error (msg, error);
      soup_server_message_unpause (msg);
      return;
    }
  self->metrics->logins++;
  g_message ("Web login as %s from %s", login->user->name, login->address);
  sc_web_session_set_cookie (msg, token, self->settings->session_lifetime_s,
                             self->settings->tls);
  send_session (msg, SOUP_STATUS_CREATED, login->user, token, expires_us);
  /* Still paused: released once the session row is committed. */
  sc_group_commit_hold (self->commit, msg);
}

/* Login CSRF: only JSON, and nothing the browser says comes from another
 * site. Returns: %FALSE with 415 or 403 sent. */
static gboolean
check_login_origin (SoupServerMessage *msg)
{
  SoupMessageHeaders *req = soup_server_message_get_request_headers (msg);
  const char *type = soup_message_headers_get_content_type (req, NULL);
  const char *site = soup_message_headers_get_one (req, "Sec-Fetch-Site");

  if (type == NULL || g_ascii_strcasecmp (type, "application/json") != 0)
    {
      sc_http_send_error (msg, SOUP_STATUS_UNSUPPORTED_MEDIA_TYPE,
                          "unsupported_media_type",
                          "Send the login as application/json");
      return FALSE;
    }
  if (site != NULL && strcmp (site, "same-origin") != 0
      && strcmp (site, "none") != 0)
    {
      sc_http_send_error (msg, SOUP_STATUS_FORBIDDEN, "csrf",
                          "Log in from this server's own page");
      return FALSE;
    }
  return TRUE;
}

static void
login (ScApiSession *self, SoupServerMessage *msg)
{
  static const char *const allowed[] = { "name", "password", NULL };
  g_autoptr (JsonObject) body = NULL;
  g_autoptr (GError) error = NULL;
  const char *name, *password;
  Login *login;

  const char *address = soup_server_message_get_remote_host (msg);

  if (address == NULL)
    address = "unknown";
  if (!check_login_origin (msg)
      || !sc_web_auth_check_not_blocked (self->auth, msg)
      || (body = sc_http_read_json_object (msg)) == NULL
      || !sc_json_check_members (msg, body, allowed)
      || !sc_json_get_string (msg, body, "name", TRUE, &name)
      || !sc_json_get_string (msg, body, "password", TRUE, &password))
    return;
  if (strlen (name) > MAX_NAME_LEN || strlen (password) > SC_PASSWORD_MAX_LEN)
    {
      sc_http_send_error (msg, SOUP_STATUS_UNPROCESSABLE_ENTITY,
                          "invalid_field", "%s: too long",
                          strlen (name) > MAX_NAME_LEN ? "name" : "password");
      return;
    }

  if (g_hash_table_contains (self->pending_logins, address))
    {
      soup_message_headers_replace (
          soup_server_message_get_response_headers (msg), "Retry-After", "1");
      sc_http_send_error (msg, 429 /* Too Many Requests */, "too_many_requests",
                          "A login from this address is being checked; "
                          "one at a time");
      return;
    }
  if (self->logins_checking >= MAX_LOGINS_IN_CHECK
      && self->logins_waiting.length >= MAX_LOGINS_QUEUED)
    {
      soup_message_headers_replace (
          soup_server_message_get_response_headers (msg), "Retry-After", "1");
      sc_http_send_error (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "busy",
                          "Too many logins at once; try again");
      return;
    }

  login = g_new0 (Login, 1);
  login->msg = g_object_ref (msg);
  login->address = g_strdup (address);
  login->password = g_strdup (password);
  login->user = sc_db_get_user_password (self->db, name, &login->hash, &error);
  if (error != NULL)
    {
      login_free (login);
      sc_http_send_db_error (msg, error);
      return;
    }
  g_signal_connect (msg, "disconnected", G_CALLBACK (on_login_disconnected),
                    login);
  g_hash_table_add (self->pending_logins, g_strdup (address));
  soup_server_message_pause (msg);
  if (self->logins_checking >= MAX_LOGINS_IN_CHECK)
    g_queue_push_tail (&self->logins_waiting, login);
  else
    start_check (self, login);
}

/* ---- the route -------------------------------------------------------- */

static void
session_handler (SoupServer *soup, SoupServerMessage *msg, const char *path,
                 GHashTable *query, gpointer data)
{
  ScApiSession *self = data;
  const char *method = soup_server_message_get_method (msg);
  g_autofree char *token = NULL;
  g_autoptr (ScUser) user = NULL;
  g_autoptr (GError) error = NULL;
  gint64 expires_us = 0;

  if (!sc_http_require_path (msg, path, SESSION_PATH)
      || !sc_http_require_method (msg, "GET", "POST", "DELETE", NULL))
    return;
  if (strcmp (method, "POST") == 0)
    {
      login (self, msg);
      return;
    }

  token = sc_web_session_dup_cookie (msg);
  if (token != NULL)
    user = sc_db_find_user_by_session (
        self->db, token, sc_clock_now_us (self->clock), &expires_us, &error);
  if (error != NULL)
    {
      sc_http_send_db_error (msg, error);
      return;
    }
  if (user == NULL)
    {
      sc_http_send_error (msg, SOUP_STATUS_UNAUTHORIZED, "no_session",
                          "Not logged in");
      return;
    }
  if (strcmp (method, "GET") == 0)
    {
      send_session (msg, SOUP_STATUS_OK, user, token, expires_us);
      return;
    }

  /* DELETE: log out. */
  if (!sc_web_session_check_csrf (msg, token)
      || !sc_group_commit_begin (self->commit, msg))
    return;
  if (!sc_db_delete_session (self->db, token, &error))
    {
      sc_http_send_db_error (msg, error);
      return;
    }
  g_message ("Web logout of %s", user->name);
  sc_web_session_set_cookie (msg, "", 0, self->settings->tls);
  soup_server_message_set_status (msg, SOUP_STATUS_NO_CONTENT, NULL);
  sc_group_commit_hold (self->commit, msg);
}

/**
 * sc_api_session_new:
 * @auth: (not nullable): outlives the part
 * @commit: (not nullable): outlives the part
 * @metrics: (not nullable): outlives the part
 *
 * Returns: (transfer full): the part, its route added to @routes
 */
ScApiSession *
sc_api_session_new (const ScWebRoutes *routes, ScWebAuth *auth,
                    ScGroupCommit *commit, ScDb *db, ScSettings *settings,
                    ScClock *clock, ScWebMetrics *metrics)
{
  ScApiSession *self = g_rc_box_new0 (ScApiSession);

  self->auth = auth;
  self->commit = commit;
  self->metrics = metrics;
  self->db = g_object_ref (db);
  self->settings = sc_settings_ref (settings);
  self->clock = g_object_ref (clock);
  self->pending_logins
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_queue_init (&self->logins_waiting);
  sc_web_routes_add (routes, SESSION_PATH, session_handler, self);
  return self;
}

/**
 * sc_api_session_free:
 *
 * Forgets the logins waiting for a check (the server goes); checks still
 * running end without an answer.
 */
void
sc_api_session_free (ScApiSession *self)
{
  Login *login;

  if (self == NULL)
    return;
  self->closed = TRUE;
  while ((login = g_queue_pop_head (&self->logins_waiting)) != NULL)
    login_free (login);
  g_rc_box_release_full (self, session_clear);
}
