/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The web UI's server side over HTTP, against the real `slotcast serve`:
 * static files (types, caching, CSP, nothing outside web/), logins,
 * session cookies and their flags, CSRF, session fixation, logout, the
 * login limit, and the last hour's refusals in /api/v1/streams. The page
 * itself is driven in Chromium by tests/browser/. */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "sc-test-server.h"

#define PASSWORD "correct horse battery"

typedef struct
{
  ScTestServer *server;
  SoupSession *session;
} Fixture;

static void
set_password (ScTestServer *server, const char *name, const char *password,
              int want_status)
{
  const char *bin = g_getenv ("SLOTCAST_BIN");
  g_autoptr (GSubprocess) proc = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *input = g_strconcat (password, "\n", NULL);

  proc = g_subprocess_new (
      G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
      bin, "user", "passwd", name, "--data-dir", server->data_dir, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, input, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, want_status);
}

static void
set_up (Fixture *f, gconstpointer data)
{
  const char *const *args = data;
  /* LeakSanitizer's thread tracer crashes on glib-networking's GnuTLS
   * worker threads (see test-api's TLS test): no leak check for a TLS
   * server. */
  static const char *const tls_env[]
      = { "ASAN_OPTIONS=detect_leaks=0:abort_on_error=1", NULL };
  gboolean tls = args != NULL && g_strv_contains (args, "--tls");

  f->server = sc_test_server_start (NULL, args, tls ? tls_env : NULL);
  f->session = sc_test_session_new ();
  set_password (f->server, "admin", PASSWORD, 0);
}

static void
tear_down (Fixture *f, gconstpointer data)
{
  g_assert_cmpint (sc_test_server_stop (f->server), ==, 0);
  sc_test_server_free (f->server);
  g_object_unref (f->session);
}

/* One request with an optional session cookie and CSRF token. */
static ScTestResponse *
call (Fixture *f, const char *method, const char *path, const char *cookie,
      const char *csrf, const char *body)
{
  g_autofree char *url = sc_test_server_url (f->server, path);
  g_autoptr (SoupMessage) msg = sc_test_message_new (method, url, NULL, body);
  SoupMessageHeaders *h = soup_message_get_request_headers (msg);

  if (cookie != NULL)
    {
      g_autofree char *value = g_strconcat ("slotcast_session=", cookie, NULL);
      soup_message_headers_replace (h, "Cookie", value);
    }
  if (csrf != NULL)
    soup_message_headers_replace (h, "X-CSRF-Token", csrf);
  return sc_test_send (f->session, msg);
}

/* The value of the session cookie @resp sets; its attributes, lowercased,
 * into @out_attrs. */
static char *
cookie_set_by (ScTestResponse *resp, char **out_attrs)
{
  const char *header
      = soup_message_headers_get_one (resp->headers, "Set-Cookie");
  const char *value, *end;

  g_assert_nonnull (header);
  g_assert_true (g_str_has_prefix (header, "slotcast_session="));
  value = header + strlen ("slotcast_session=");
  end = strchr (value, ';');
  g_assert_nonnull (end);
  if (out_attrs != NULL)
    *out_attrs = g_ascii_strdown (end, -1);
  return g_strndup (value, end - value);
}

typedef struct
{
  char *cookie;
  char *csrf;
} Login;

static void
login_clear (Login *login)
{
  g_clear_pointer (&login->cookie, g_free);
  g_clear_pointer (&login->csrf, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Login, login_clear)

static Login
log_in (Fixture *f, const char *name, const char *password, const char *planted)
{
  g_autofree char *body = g_strdup_printf (
      "{\"name\": \"%s\", \"password\": \"%s\"}", name, password);
  g_autoptr (ScTestResponse) r
      = call (f, "POST", "/api/v1/session", planted, NULL, body);
  Login login = { 0 };

  g_assert_cmpuint (r->status, ==, 201);
  login.cookie = cookie_set_by (r, NULL);
  login.csrf = g_strdup (sc_test_json_string (r->json, "csrf_token"));
  g_assert_cmpstr (sc_test_json_string (r->json, "name"), ==, name);
  g_assert_cmpuint (strlen (login.csrf), ==, 64);
  return login;
}

/* Sends "@method @path" as it is, byte for byte; returns the whole reply
 * (headers and body) as the server wrote it. */
static char *
raw_request (Fixture *f, const char *method, const char *path)
{
  g_autofree char *request = g_strdup_printf (
      "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", method,
      path);

  return sc_test_tcp_request (f->server->http_port, request, TRUE);
}

static guint
raw_get (Fixture *f, const char *path)
{
  g_autofree char *reply = raw_request (f, "GET", path);
  guint status = 0;

  g_assert_cmpint (sscanf (reply, "HTTP/1.1 %u", &status), ==, 1);
  return status;
}

static void
test_static_files (Fixture *f, gconstpointer data)
{
  static const struct
  {
    const char *path, *type;
  } files[] = {
    { "/", "text/html" },
    { "/index.html", "text/html" },
    { "/app.css", "text/css" },
    { "/js/app.js", "text/javascript" },
    { "/icon.svg", "image/svg+xml" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autoptr (ScTestResponse) r
          = call (f, "GET", files[i].path, NULL, NULL, NULL);
      g_autoptr (ScTestResponse) again = NULL;
      g_autofree char *url = sc_test_server_url (f->server, files[i].path);
      g_autoptr (SoupMessage) msg
          = sc_test_message_new ("GET", url, NULL, NULL);
      const char *etag, *csp;

      g_test_message ("%s", files[i].path);
      g_assert_cmpuint (r->status, ==, 200);
      g_assert_cmpstr (soup_message_headers_get_content_type (r->headers, NULL),
                       ==, files[i].type);
      g_assert_cmpuint (g_bytes_get_size (r->body), >, 100);
      g_assert_cmpstr (
          soup_message_headers_get_one (r->headers, "Cache-Control"), ==,
          "no-cache");
      g_assert_cmpstr (
          soup_message_headers_get_one (r->headers, "X-Content-Type-Options"),
          ==, "nosniff");
      csp = soup_message_headers_get_one (r->headers,
                                          "Content-Security-Policy");
      g_assert_nonnull (csp);
      g_assert_nonnull (strstr (csp, "default-src 'none'"));
      g_assert_nonnull (strstr (csp, "script-src 'self';"));
      g_assert_nonnull (strstr (csp, "frame-ancestors 'none'"));
      g_assert_null (strstr (csp, "unsafe"));

      /* Revalidation: 304 while nothing changed. */
      etag = soup_message_headers_get_one (r->headers, "ETag");
      g_assert_nonnull (etag);
      soup_message_headers_replace (soup_message_get_request_headers (msg),
                                    "If-None-Match", etag);
      again = sc_test_send (f->session, msg);
      g_assert_cmpuint (again->status, ==, 304);
      g_assert_cmpuint (g_bytes_get_size (again->body), ==, 0);
    }

  {
    g_autoptr (ScTestResponse) post
        = call (f, "POST", "/index.html", NULL, NULL, "{}");
    g_autofree char *head = raw_request (f, "HEAD", "/index.html");
    const char *end = strstr (head, "\r\n\r\n");

    g_assert_cmpuint (post->status, ==, 405);
    /* HEAD: the GET's headers, length included, and not one body byte. */
    g_assert_true (g_str_has_prefix (head, "HTTP/1.1 200"));
    g_assert_nonnull (strstr (head, "Content-Type: text/html"));
    g_assert_nonnull (end);
    g_assert_cmpstr (end, ==, "\r\n\r\n");
  }
}

static void
test_traversal (Fixture *f, gconstpointer data)
{
  const char *const paths[] = {
    "/../etc/passwd",
    "/../../../../etc/passwd",
    "/js/../../etc/passwd",
    "/%2e%2e/etc/passwd",
    "/%2E%2E/%2E%2E/etc/passwd",
    "/..%2fetc%2fpasswd",
    "/js/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/%252e%252e/etc/passwd",
    "/..\\..\\etc\\passwd",
    "/.%2e/etc/passwd",
    "//etc/passwd",
    "/index.html%00.js",
    "/index.html/",
    "/.hidden",
    "/web.gresource.xml",
    "/js",
    "/js/",
    "/org/slotcast/web/index.html",
    "/etc/passwd",
    "/api/v1/nothing",
  };

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      guint status = raw_get (f, paths[i]);

      g_test_message ("%s → %u", paths[i], status);
      /* libsoup itself answers 400 to a few malformed targets. */
      g_assert_true (status == 404 || status == 400);
    }
  g_assert_cmpuint (raw_get (f, "/js/../index.html"), ==, 200);
}

static void
test_login_and_cookie (Fixture *f, gconstpointer data)
{
  g_autoptr (ScTestResponse) wrong
      = call (f, "POST", "/api/v1/session", NULL, NULL,
              "{\"name\": \"admin\", \"password\": \"not the password\"}");
  g_autoptr (ScTestResponse) nobody
      = call (f, "POST", "/api/v1/session", NULL, NULL,
              "{\"name\": \"nobody\", \"password\": \"" PASSWORD "\"}");
  g_autoptr (ScTestResponse) extra = call (
      f, "POST", "/api/v1/session", NULL, NULL,
      "{\"name\": \"admin\", \"password\": \"" PASSWORD "\", \"x\": 1}");
  g_autoptr (ScTestResponse) ok = NULL;
  g_autoptr (ScTestResponse) me = NULL;
  g_autoptr (ScTestResponse) session = NULL;
  g_autoptr (ScTestResponse) anon = NULL;
  g_autofree char *attrs = NULL;
  g_autofree char *cookie = NULL;

  sc_test_assert_error (wrong, 401, "bad_login");
  sc_test_assert_error (nobody, 401, "bad_login");
  sc_test_assert_error (extra, 422, "invalid_field");
  g_assert_null (soup_message_headers_get_one (wrong->headers, "Set-Cookie"));

  ok = call (f, "POST", "/api/v1/session", NULL, NULL,
             "{\"name\": \"admin\", \"password\": \"" PASSWORD "\"}");
  g_assert_cmpuint (ok->status, ==, 201);
  cookie = cookie_set_by (ok, &attrs);
  g_assert_cmpuint (strlen (cookie), ==, 43);
  g_assert_nonnull (strstr (attrs, "; httponly"));
  g_assert_nonnull (strstr (attrs, "; samesite=strict"));
  g_assert_nonnull (strstr (attrs, "; path=/"));
  g_assert_nonnull (strstr (attrs, "expires="));
  g_assert_null (strstr (attrs, "secure")); /* plain HTTP */
  g_assert_cmpstr (sc_test_json_string (ok->json, "role"), ==, "operator");
  g_assert_nonnull (sc_test_json_string (ok->json, "expires"));

  me = call (f, "GET", "/api/v1/me", cookie, NULL, NULL);
  g_assert_cmpuint (me->status, ==, 200);
  g_assert_cmpstr (sc_test_json_string (me->json, "name"), ==, "admin");
  session = call (f, "GET", "/api/v1/session", cookie, NULL, NULL);
  g_assert_cmpuint (session->status, ==, 200);
  g_assert_cmpstr (sc_test_json_string (session->json, "csrf_token"), ==,
                   sc_test_json_string (ok->json, "csrf_token"));
  anon = call (f, "GET", "/api/v1/session", NULL, NULL, NULL);
  sc_test_assert_error (anon, 401, "no_session");
}

/* Login CSRF: another site cannot log the browser in as someone else. */
static void
test_login_csrf (Fixture *f, gconstpointer data)
{
  const char *body = "{\"name\": \"admin\", \"password\": \"" PASSWORD "\"}";
  g_autofree char *url = sc_test_server_url (f->server, "/api/v1/session");
  const char *const forms[]
      = { "text/plain", "application/x-www-form-urlencoded",
          "multipart/form-data; boundary=x" };

  /* What an HTML form can send: refused before any password check. */
  for (guint i = 0; i < G_N_ELEMENTS (forms); i++)
    {
      g_autoptr (SoupMessage) msg = soup_message_new ("POST", url);
      g_autoptr (GBytes) bytes = g_bytes_new_static (body, strlen (body));
      g_autoptr (ScTestResponse) r = NULL;

      soup_message_set_request_body_from_bytes (msg, forms[i], bytes);
      r = sc_test_send (f->session, msg);
      sc_test_assert_error (r, 415, "unsupported_media_type");
      g_assert_null (soup_message_headers_get_one (r->headers, "Set-Cookie"));
    }
  /* What the browser marks as coming from another site. */
  for (int same = 0; same <= 1; same++)
    {
      g_autoptr (SoupMessage) msg
          = sc_test_message_new ("POST", url, NULL, body);
      g_autoptr (ScTestResponse) r = NULL;

      soup_message_headers_replace (soup_message_get_request_headers (msg),
                                    "Sec-Fetch-Site",
                                    same ? "same-origin" : "cross-site");
      r = sc_test_send (f->session, msg);
      if (same)
        g_assert_cmpuint (r->status, ==, 201);
      else
        sc_test_assert_error (r, 403, "csrf");
    }
}

typedef struct
{
  int pending;
  guint statuses[600];
} Burst;

static void
on_burst_reply (GObject *source, GAsyncResult *result, gpointer data)
{
  Burst *burst = data;
  SoupMessage *msg
      = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr (GBytes) body
      = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);

  burst->statuses[MIN (soup_message_get_status (msg), 599)]++;
  burst->pending--;
}

/* Many logins at once from one address: one password check at a time, the
 * rest refused at once, and none can slip past the limit. */
static void
test_login_burst (Fixture *f, gconstpointer data)
{
  g_autofree char *url = sc_test_server_url (f->server, "/api/v1/session");
  Burst burst = { 0 };
  const int n = 8;

  for (int i = 0; i < n; i++)
    {
      g_autoptr (SoupMessage) msg = sc_test_message_new (
          "POST", url, NULL,
          "{\"name\": \"admin\", \"password\": \"wrong guess\"}");

      soup_session_send_and_read_async (f->session, msg, G_PRIORITY_DEFAULT,
                                        NULL, on_burst_reply, &burst);
      burst.pending++;
    }
  while (burst.pending > 0)
    g_main_context_iteration (NULL, TRUE);
  g_test_message ("401: %u, 429: %u", burst.statuses[401], burst.statuses[429]);
  g_assert_cmpuint (burst.statuses[401], >=, 1);
  g_assert_cmpuint (burst.statuses[429], >=, 1);
  g_assert_cmpuint (burst.statuses[401] + burst.statuses[429], ==, n);
}

typedef struct
{
  guint16 port;
  int source;      /* 127.0.0.N */
  gint64 until_us; /* monotonic */
  volatile int *stop;
  guint answers;
} Guesser;

/* One address guessing passwords, one login after the other. */
static gpointer
guess_thread (gpointer data)
{
  Guesser *g = data;
  const char *body = "{\"name\": \"admin\", \"password\": \"wrong guess\"}";
  g_autofree char *request = g_strdup_printf (
      "POST /api/v1/session HTTP/1.1\r\nHost: 127.0.0.1\r\n"
      "Content-Type: application/json\r\nContent-Length: %zu\r\n"
      "Connection: close\r\n\r\n%s",
      strlen (body), body);
  g_autofree char *from = g_strdup_printf ("127.0.0.%d", g->source);
  g_autoptr (GInetAddress) inet = g_inet_address_new_from_string (from);
  g_autoptr (GSocketAddress) local = g_inet_socket_address_new (inet, 0);
  g_autoptr (GSocketClient) client = g_socket_client_new ();

  g_socket_client_set_local_address (client, local);
  while (g_get_monotonic_time () < g->until_us && !*g->stop)
    {
      g_autoptr (GSocketConnection) c = g_socket_client_connect_to_host (
          client, "127.0.0.1", g->port, NULL, NULL);
      char buf[512];

      if (c == NULL)
        continue;
      g_output_stream_write_all (
          g_io_stream_get_output_stream (G_IO_STREAM (c)), request,
          strlen (request), NULL, NULL, NULL);
      if (g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (c)),
                               buf, sizeof buf, NULL, NULL)
          > 0)
        g->answers++;
    }
  return NULL;
}

/* Eight addresses sending wrong passwords without pause (and never
 * blocked: the limit is off here) kept every password-check slot busy and
 * a real login got 503; now logins wait their turn, and every real one
 * goes through within a few checks. */
static void
test_login_queue (Fixture *f, gconstpointer data)
{
  Guesser guessers[8];
  GThread *threads[8];
  volatile int stop = 0;
  guint answers = 0;

  for (int i = 0; i < 8; i++)
    {
      guessers[i] = (Guesser){ f->server->http_port, 2 + i,
                               g_get_monotonic_time () + 20 * G_USEC_PER_SEC,
                               &stop, 0 };
      threads[i] = g_thread_new ("guesser", guess_thread, &guessers[i]);
    }
  g_usleep (G_USEC_PER_SEC / 2);
  for (int i = 0; i < 10; i++)
    {
      gint64 t0 = g_get_monotonic_time ();
      g_auto (Login) admin = log_in (f, "admin", PASSWORD, NULL);
      gint64 took = g_get_monotonic_time () - t0;

      g_test_message ("login %d: %.0f ms", i, took / 1e3);
      g_assert_cmpint (took, <, 3 * G_USEC_PER_SEC);
    }
  stop = 1;
  for (int i = 0; i < 8; i++)
    {
      g_thread_join (threads[i]);
      answers += guessers[i].answers;
    }
  g_test_message ("%u wrong guesses answered meanwhile", answers);
  g_assert_cmpuint (answers, >, 10);
}

static void
test_csrf (Fixture *f, gconstpointer data)
{
  g_auto (Login) admin = log_in (f, "admin", PASSWORD, NULL);
  g_autofree char *body = sc_test_booking_body ("news", 60, 120, NULL);
  g_autoptr (ScTestResponse) none = NULL;
  g_autoptr (ScTestResponse) bad = NULL;
  g_autoptr (ScTestResponse) other = NULL;
  g_autoptr (ScTestResponse) list = NULL;
  g_autoptr (ScTestResponse) booked = NULL;
  g_autoptr (ScTestResponse) cancel = NULL;
  g_autoptr (ScTestResponse) cancelled = NULL;
  g_autoptr (ScTestResponse) one = NULL;
  g_auto (Login) second = log_in (f, "admin", PASSWORD, NULL);
  g_autofree char *path = NULL;
  char flipped[65];

  none = call (f, "POST", "/api/v1/reservations", admin.cookie, NULL, body);
  sc_test_assert_error (none, 403, "csrf");
  memcpy (flipped, admin.csrf, sizeof flipped);
  flipped[10] = flipped[10] == 'a' ? 'b' : 'a';
  bad = call (f, "POST", "/api/v1/reservations", admin.cookie, flipped, body);
  sc_test_assert_error (bad, 403, "csrf");
  /* Another session's token does not do either. */
  other = call (f, "POST", "/api/v1/reservations", admin.cookie, second.csrf,
                body);
  sc_test_assert_error (other, 403, "csrf");
  list = call (f, "GET", "/api/v1/reservations", admin.cookie, NULL, NULL);
  g_assert_cmpuint (list->status, ==, 200);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                        json_node_get_object (list->json), "reservations")),
                    ==, 0);

  booked = call (f, "POST", "/api/v1/reservations", admin.cookie, admin.csrf,
                 body);
  g_assert_cmpuint (booked->status, ==, 201);
  path = g_strconcat ("/api/v1/reservations/",
                      sc_test_json_string (booked->json, "id"), NULL);
  cancel = call (f, "DELETE", path, admin.cookie, NULL, NULL);
  sc_test_assert_error (cancel, 403, "csrf");
  one = call (f, "GET", path, admin.cookie, NULL, NULL);
  g_assert_cmpstr (sc_test_json_string (one->json, "state"), ==, "booked");
  cancelled = call (f, "DELETE", path, admin.cookie, admin.csrf, NULL);
  g_assert_cmpuint (cancelled->status, ==, 200);

  /* A bearer key needs no CSRF token: browsers never send one by
   * themselves. */
  {
    g_autofree char *url
        = sc_test_server_url (f->server, "/api/v1/reservations");
    g_autofree char *body2 = sc_test_booking_body ("news2", 60, 120, NULL);
    g_autoptr (ScTestResponse) by_key = sc_test_request (
        f->session, "POST", url, f->server->admin_key, body2);

    g_assert_cmpuint (by_key->status, ==, 201);
  }
}

static void
test_fixation_and_logout (Fixture *f, gconstpointer data)
{
  const char *planted = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
  g_auto (Login) admin = log_in (f, "admin", PASSWORD, planted);
  g_auto (Login) again = log_in (f, "admin", PASSWORD, NULL);
  g_autoptr (ScTestResponse) with_planted = NULL;
  g_autoptr (ScTestResponse) out_no_csrf = NULL;
  g_autoptr (ScTestResponse) still = NULL;
  g_autoptr (ScTestResponse) out = NULL;
  g_autoptr (ScTestResponse) after = NULL;
  g_autoptr (ScTestResponse) other = NULL;
  g_autoptr (ScTestResponse) after_passwd = NULL;
  g_autofree char *attrs = NULL;
  g_autofree char *cleared = NULL;

  /* The login made its own token; the planted one is worth nothing. */
  g_assert_cmpstr (admin.cookie, !=, planted);
  g_assert_cmpstr (admin.cookie, !=, again.cookie);
  with_planted = call (f, "GET", "/api/v1/me", planted, NULL, NULL);
  sc_test_assert_error (with_planted, 401, "no_session");

  out_no_csrf = call (f, "DELETE", "/api/v1/session", admin.cookie, NULL, NULL);
  sc_test_assert_error (out_no_csrf, 403, "csrf");
  still = call (f, "GET", "/api/v1/me", admin.cookie, NULL, NULL);
  g_assert_cmpuint (still->status, ==, 200);

  out = call (f, "DELETE", "/api/v1/session", admin.cookie, admin.csrf, NULL);
  g_assert_cmpuint (out->status, ==, 204);
  cleared = cookie_set_by (out, &attrs);
  g_assert_cmpstr (cleared, ==, "");
  after = call (f, "GET", "/api/v1/me", admin.cookie, NULL, NULL);
  sc_test_assert_error (after, 401, "no_session");
  /* Only that session ended. */
  other = call (f, "GET", "/api/v1/me", again.cookie, NULL, NULL);
  g_assert_cmpuint (other->status, ==, 200);

  /* A new password ends every session of the user. */
  set_password (f->server, "admin", "another password", 0);
  set_password (f->server, "admin", "short", 1);
  after_passwd = call (f, "GET", "/api/v1/me", again.cookie, NULL, NULL);
  sc_test_assert_error (after_passwd, 401, "no_session");
}

static void
test_login_limit (Fixture *f, gconstpointer data)
{
  g_autoptr (ScTestResponse) blocked = NULL;
  g_autoptr (ScTestResponse) right = NULL;
  g_autoptr (ScTestResponse) metrics = NULL;
  g_autofree char *text = NULL;

  /* [http] auth-fail-limit = 3 (the fixture's config). */
  for (int i = 0; i < 2; i++)
    {
      g_autoptr (ScTestResponse) r
          = call (f, "POST", "/api/v1/session", NULL, NULL,
                  "{\"name\": \"admin\", \"password\": \"guess number\"}");
      sc_test_assert_error (r, 401, "bad_login");
    }
  blocked = call (f, "POST", "/api/v1/session", NULL, NULL,
                  "{\"name\": \"admin\", \"password\": \"guess number\"}");
  sc_test_assert_error (blocked, 429, "too_many_requests");
  g_assert_nonnull (
      soup_message_headers_get_one (blocked->headers, "Retry-After"));
  /* Blocked means blocked, also with the right password. */
  right = call (f, "POST", "/api/v1/session", NULL, NULL,
                "{\"name\": \"admin\", \"password\": \"" PASSWORD "\"}");
  sc_test_assert_error (right, 429, "too_many_requests");

  metrics = call (f, "GET", "/metrics", NULL, NULL, NULL);
  text = g_strndup (g_bytes_get_data (metrics->body, NULL),
                    g_bytes_get_size (metrics->body));
  g_assert_nonnull (
      strstr (text, "slotcast_web_logins_total{outcome=\"refused\"} 3\n"));
}

static void
test_tls_cookie (Fixture *f, gconstpointer data)
{
  g_autoptr (ScTestResponse) ok
      = call (f, "POST", "/api/v1/session", NULL, NULL,
              "{\"name\": \"admin\", \"password\": \"" PASSWORD "\"}");
  g_autofree char *attrs = NULL;
  g_autofree char *cookie = NULL;

  g_assert_cmpuint (ok->status, ==, 201);
  cookie = cookie_set_by (ok, &attrs);
  g_assert_nonnull (strstr (attrs, "; secure"));
}

/* A refused RTSP publisher shows in the operators' last-hour list. */
static void
test_recent_refusals (Fixture *f, gconstpointer data)
{
  g_autofree char *request = NULL;
  g_autofree char *reply = NULL;
  g_autofree char *bob = sc_test_add_user (f->server, "bob", "broadcaster");
  g_autofree char *url = sc_test_server_url (f->server, "/api/v1/streams");
  g_autoptr (ScTestResponse) admin = NULL;
  g_autoptr (ScTestResponse) broadcaster = NULL;
  JsonArray *recent;
  JsonObject *first;

  request = g_strdup_printf (
      "ANNOUNCE rtsp://127.0.0.1:%u/live/news?token=nonsense RTSP/1.0\r\n"
      "CSeq: 1\r\nContent-Type: application/sdp\r\nContent-Length: 0\r\n\r\n",
      f->server->rtsp_port);
  reply = sc_test_tcp_request (f->server->rtsp_port, request, FALSE);
  g_assert_true (g_str_has_prefix (reply, "RTSP/1.0 403"));

  admin = sc_test_request (f->session, "GET", url, f->server->admin_key, NULL);
  recent = json_object_get_array_member (json_node_get_object (admin->json),
                                         "recent_refusals");
  g_assert_cmpuint (json_array_get_length (recent), ==, 1);
  first = json_array_get_object_element (recent, 0);
  g_assert_cmpstr (json_object_get_string_member (first, "stream"), ==, "news");
  g_assert_cmpstr (json_object_get_string_member (first, "protocol"), ==,
                   "rtsp");
  g_assert_cmpstr (json_object_get_string_member (first, "role"), ==,
                   "publish");
  g_assert_cmpstr (json_object_get_string_member (first, "address"), ==,
                   "127.0.0.1");
  g_assert_nonnull (json_object_get_string_member (first, "reason"));
  g_assert_nonnull (json_object_get_string_member (first, "at"));

  /* Broadcasters do not see others' addresses. */
  broadcaster = sc_test_request (f->session, "GET", url, bob, NULL);
  recent = json_object_get_array_member (
      json_node_get_object (broadcaster->json), "recent_refusals");
  g_assert_cmpuint (json_array_get_length (recent), ==, 0);
}

/* "Open in uploader": a one-use link, taken by the real uploader. */
static void
test_ticket_link (Fixture *f, gconstpointer data)
{
  g_auto (Login) admin = log_in (f, "admin", PASSWORD, NULL);
  g_autofree char *body = sc_test_booking_body ("linked", 60, 120, NULL);
  g_autoptr (ScTestResponse) booked = NULL;
  g_autoptr (ScTestResponse) no_csrf = NULL;
  g_autoptr (ScTestResponse) link = NULL;
  g_autoptr (ScTestResponse) link2 = NULL;
  g_autoptr (ScTestResponse) ticket = NULL;
  g_autoptr (ScTestResponse) used = NULL;
  g_autoptr (ScTestResponse) unknown = NULL;
  g_autoptr (ScTestResponse) wrong_method = NULL;
  g_autoptr (ScTestResponse) dead = NULL;
  g_autoptr (ScTestResponse) stale_link = NULL;
  g_autoptr (ScTestResponse) stale = NULL;
  g_autoptr (GSubprocess) upload = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *link_path = NULL;
  g_autofree char *ticket_url = NULL;
  g_autofree char *import = NULL;
  g_autofree char *home = sc_test_make_tmp_dir ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_auto (GStrv) env = g_get_environ ();

  booked = call (f, "POST", "/api/v1/reservations", admin.cookie, admin.csrf,
                 body);
  g_assert_cmpuint (booked->status, ==, 201);
  id = g_strdup (sc_test_json_string (booked->json, "id"));
  link_path = g_strdup_printf ("/api/v1/reservations/%s/ticket-link", id);

  no_csrf = call (f, "POST", link_path, admin.cookie, NULL, NULL);
  sc_test_assert_error (no_csrf, 403, "csrf");
  link = call (f, "POST", link_path, admin.cookie, admin.csrf, NULL);
  g_assert_cmpuint (link->status, ==, 201);
  g_assert_true (g_str_has_prefix (sc_test_json_string (link->json, "path"),
                                   "/api/v1/tickets/"));
  g_assert_nonnull (sc_test_json_string (link->json, "expires"));

  /* No key needed; the same tokens as at booking; once only. */
  ticket = call (f, "GET", sc_test_json_string (link->json, "path"), NULL, NULL,
                 NULL);
  g_assert_cmpuint (ticket->status, ==, 200);
  g_assert_cmpstr (sc_test_json_string (ticket->json, "publish_token"), ==,
                   sc_test_json_string (booked->json, "publish_token"));
  used = call (f, "GET", sc_test_json_string (link->json, "path"), NULL, NULL,
               NULL);
  sc_test_assert_error (used, 404, "not_found");
  unknown = call (f, "GET",
                  "/api/v1/tickets/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                  NULL, NULL, NULL);
  sc_test_assert_error (unknown, 404, "not_found");

  /* The uploader takes a fresh link from a slotcast:// URL. */
  link2 = call (f, "POST", link_path, admin.cookie, admin.csrf, NULL);
  g_assert_cmpuint (link2->status, ==, 201);
  ticket_url = sc_test_server_url (f->server,
                                   sc_test_json_string (link2->json, "path"));
  {
    g_autofree char *escaped = g_uri_escape_string (ticket_url, NULL, FALSE);
    import = g_strconcat ("slotcast://import?url=", escaped, NULL);
  }
  env = g_environ_setenv (env, "XDG_DATA_HOME", home, TRUE);
  env = g_environ_setenv (env, "XDG_CONFIG_HOME", home, TRUE);
  {
    g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (
        G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);

    g_subprocess_launcher_set_environ (launcher, env);
    upload = g_subprocess_launcher_spawn (launcher, &error,
                                          g_getenv ("SLOTCAST_UPLOAD_BIN"),
                                          "import", import, NULL);
  }
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (upload, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_test_message ("uploader: %s%s", out, err);
  g_assert_cmpint (g_subprocess_get_exit_status (upload), ==, 0);
  g_assert_nonnull (strstr (out, "Stored."));
  g_assert_nonnull (strstr (out, "linked"));

  wrong_method = call (f, "DELETE", link_path, admin.cookie, admin.csrf, NULL);
  g_assert_cmpuint (wrong_method->status, ==, 405);

  /* A link made before the cancel hands out nothing after it, and a
   * cancelled reservation gets no new link. */
  stale_link = call (f, "POST", link_path, admin.cookie, admin.csrf, NULL);
  g_assert_cmpuint (stale_link->status, ==, 201);
  {
    g_autofree char *path = g_strconcat ("/api/v1/reservations/", id, NULL);
    g_autoptr (ScTestResponse) gone
        = call (f, "DELETE", path, admin.cookie, admin.csrf, NULL);
    g_assert_cmpuint (gone->status, ==, 200);
  }
  stale = call (f, "GET", sc_test_json_string (stale_link->json, "path"), NULL,
                NULL, NULL);
  sc_test_assert_error (stale, 409, "already_cancelled");
  dead = call (f, "POST", link_path, admin.cookie, admin.csrf, NULL);
  sc_test_assert_error (dead, 409, "already_cancelled");
  sc_test_remove_tree (home);
}

int
main (int argc, char **argv)
{
  static const char *const tls_args[] = { "--tls", NULL };
  g_autofree char *config_path = NULL;
  const char *limit_args[3] = { "--config", NULL, NULL };
  g_autofree char *nolimit_path = NULL;
  const char *nolimit_args[3] = { "--config", NULL, NULL };
  int rc;

  g_test_init (&argc, &argv, NULL);
  config_path = g_build_filename (g_get_tmp_dir (), "sc-web-ui-XXXXXX", NULL);
  {
    int fd = g_mkstemp (config_path);
    g_assert_cmpint (fd, >=, 0);
    close (fd);
  }
  g_assert_true (g_file_set_contents (
      config_path, "[http]\nauth-fail-limit = 3\n", -1, NULL));
  limit_args[1] = config_path;
  nolimit_path = g_build_filename (g_get_tmp_dir (), "sc-web-ui-XXXXXX", NULL);
  {
    int fd = g_mkstemp (nolimit_path);
    g_assert_cmpint (fd, >=, 0);
    close (fd);
  }
  g_assert_true (g_file_set_contents (
      nolimit_path, "[http]\nauth-fail-limit = 1000000\n", -1, NULL));
  nolimit_args[1] = nolimit_path;

  g_test_add ("/web-ui/static-files", Fixture, NULL, set_up, test_static_files,
              tear_down);
  g_test_add ("/web-ui/traversal", Fixture, NULL, set_up, test_traversal,
              tear_down);
  g_test_add ("/web-ui/login-and-cookie", Fixture, NULL, set_up,
              test_login_and_cookie, tear_down);
  g_test_add ("/web-ui/csrf", Fixture, NULL, set_up, test_csrf, tear_down);
  g_test_add ("/web-ui/login-csrf", Fixture, NULL, set_up, test_login_csrf,
              tear_down);
  g_test_add ("/web-ui/login-burst", Fixture, NULL, set_up, test_login_burst,
              tear_down);
  g_test_add ("/web-ui/login-queue", Fixture, nolimit_args, set_up,
              test_login_queue, tear_down);
  g_test_add ("/web-ui/fixation-and-logout", Fixture, NULL, set_up,
              test_fixation_and_logout, tear_down);
  g_test_add ("/web-ui/login-limit", Fixture, limit_args, set_up,
              test_login_limit, tear_down);
  g_test_add ("/web-ui/tls-cookie", Fixture, tls_args, set_up, test_tls_cookie,
              tear_down);
  g_test_add ("/web-ui/ticket-link", Fixture, NULL, set_up, test_ticket_link,
              tear_down);
  g_test_add ("/web-ui/recent-refusals", Fixture, NULL, set_up,
              test_recent_refusals, tear_down);
  rc = g_test_run ();
  g_unlink (config_path);
  g_unlink (nolimit_path);
  return rc;
}
