/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The booking service's HTTP API, end to end: the real `slotcast serve` on
 * port 0, driven with libsoup as a client. Every endpoint and every error
 * code of SPEC.md. */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "sc-test-server.h"

typedef struct
{
  ScTestServer *server;
  SoupSession *session;
  char *key; /* admin, an operator */
} Fixture;

static const char *const default_args[]
    = { "--public-host", "media.test", NULL };

static void
set_up (Fixture *f, gconstpointer data)
{
  f->server = sc_test_server_start (NULL, data ? data : default_args, NULL);
  f->session = sc_test_session_new ();
  f->key = g_strdup (f->server->admin_key);
  g_assert_nonnull (f->key);
}

static void
tear_down (Fixture *f, gconstpointer data)
{
  if (g_subprocess_get_identifier (f->server->proc) != NULL)
    g_assert_cmpint (sc_test_server_stop (f->server), ==, 0);
  sc_test_server_free (f->server);
  g_object_unref (f->session);
  g_free (f->key);
}

static ScTestResponse *
call (Fixture *f, const char *method, const char *path, const char *key,
      const char *body)
{
  g_autofree char *url = sc_test_server_url (f->server, path);

  return sc_test_request (f->session, method, url, key, body);
}

/* "/api/v1/reservations/ID" + @suffix */
static char *
path_of (const char *id, const char *suffix)
{
  return g_strconcat ("/api/v1/reservations/", id, suffix, NULL);
}

static void
test_health (Fixture *f, gconstpointer data)
{
  g_autoptr (ScTestResponse) h = call (f, "GET", "/healthz", NULL, NULL);
  g_autoptr (ScTestResponse) m = call (f, "GET", "/metrics", NULL, NULL);
  g_autoptr (ScTestResponse) nf = call (f, "GET", "/nothing", NULL, NULL);
  g_autoptr (ScTestResponse) streams
      = call (f, "GET", "/api/v1/streams", f->key, NULL);
  g_autoptr (ScTestResponse) streams_anon
      = call (f, "GET", "/api/v1/streams", NULL, NULL);

  g_assert_cmpuint (h->status, ==, 200);
  g_assert_cmpmem (g_bytes_get_data (h->body, NULL), 3, "ok\n", 3);
  g_assert_cmpuint (m->status, ==, 200);
  g_assert_nonnull (strstr (g_bytes_get_data (m->body, NULL),
                            "# TYPE slotcast_bookings_total counter"));
  sc_test_assert_error (nf, 404, "not_found");
  /* Nothing is live until the ingest reports streams. */
  g_assert_cmpuint (streams->status, ==, 200);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                        json_node_get_object (streams->json), "streams")),
                    ==, 0);
  sc_test_assert_error (streams_anon, 401, "missing_key");
}

static void
check_url (const char *text, const char *scheme, const char *host, int port,
           const char *path, const char *token)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GUri) uri = g_uri_parse (text, G_URI_FLAGS_NONE, &error);
  g_autofree char *want_query
      = token ? g_strconcat ("token=", token, NULL) : NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (g_uri_get_scheme (uri), ==, scheme);
  g_assert_cmpstr (g_uri_get_host (uri), ==, host);
  g_assert_cmpint (g_uri_get_port (uri), ==, port);
  g_assert_cmpstr (g_uri_get_path (uri), ==, path);
  g_assert_cmpstr (g_uri_get_query (uri), ==, want_query);
}

static void
test_book_and_ticket (Fixture *f, gconstpointer data)
{
  g_autofree char *alice = sc_test_add_user (f->server, "alice", "broadcaster");
  g_autofree char *start = sc_test_time (60);
  g_autofree char *end = sc_test_time (360);
  g_autofree char *body = sc_test_booking_body ("news", 60, 360, NULL);
  g_autoptr (ScTestResponse) r
      = call (f, "POST", "/api/v1/reservations", alice, body);
  g_autoptr (ScTestResponse) one = NULL;
  g_autoptr (ScTestResponse) again = NULL;
  g_autoptr (ScTestResponse) list = NULL;
  g_autoptr (ScTestResponse) avail = NULL;
  g_autofree char *one_path = NULL;
  g_autofree char *ticket_path = NULL;
  g_autofree char *key_want = NULL;
  const char *id, *token;
  JsonObject *o;

  g_assert_cmpuint (r->status, ==, 201);
  g_assert_cmpstr (soup_message_headers_get_content_type (r->headers, NULL), ==,
                   "application/vnd.slotcast.ticket+json");
  o = json_node_get_object (r->json);
  g_assert_cmpstr (json_object_get_string_member (o, "type"), ==,
                   "slotcast-ticket");
  g_assert_cmpint (json_object_get_int_member (o, "version"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (o, "action"), ==, "store");
  g_assert_cmpstr (json_object_get_string_member (o, "stream"), ==, "news");
  g_assert_cmpstr (json_object_get_string_member (o, "visibility"), ==,
                   "public");
  g_assert_cmpstr (json_object_get_string_member (o, "start"), ==, start);
  g_assert_cmpstr (json_object_get_string_member (o, "end"), ==, end);
  g_assert_cmpint (json_object_get_int_member (o, "admit_early_s"), ==, 30);
  g_assert_true (json_object_get_null_member (o, "view_token"));
  id = json_object_get_string_member (o, "id");
  token = json_object_get_string_member (o, "publish_token");
  g_assert_true (g_uuid_string_is_valid (id));
  g_assert_cmpuint (strlen (token), ==, 43);
  one_path = path_of (id, "");
  g_assert_cmpstr (soup_message_headers_get_one (r->headers, "Location"), ==,
                   one_path);

  check_url (sc_test_json_string (r->json, "connection.rtsp_publish_url"),
             "rtsp", "media.test", f->server->rtsp_port, "/live/news", token);
  check_url (sc_test_json_string (r->json, "connection.rtsp_play_url"), "rtsp",
             "media.test", f->server->rtsp_port, "/live/news", NULL);
  check_url (sc_test_json_string (r->json, "connection.rtmp_server_url"),
             "rtmp", "media.test", f->server->rtmp_port, "/live", NULL);
  key_want = g_strconcat ("news?token=", token, NULL);
  g_assert_cmpstr (sc_test_json_string (r->json, "connection.rtmp_stream_key"),
                   ==, key_want);
  g_assert_null (sc_test_json_string (r->json, "connection.dial_in"));

  /* One reservation, without secrets. */
  one = call (f, "GET", one_path, alice, NULL);
  g_assert_cmpuint (one->status, ==, 200);
  g_assert_cmpstr (sc_test_json_string (one->json, "id"), ==, id);
  g_assert_cmpstr (sc_test_json_string (one->json, "owner"), ==, "alice");
  g_assert_cmpstr (sc_test_json_string (one->json, "state"), ==, "booked");
  g_assert_cmpstr (sc_test_json_string (one->json, "node"), ==, "local");
  g_assert_null (memmem (g_bytes_get_data (one->body, NULL),
                         g_bytes_get_size (one->body), token, 43));

  /* The ticket again: same token. */
  ticket_path = path_of (id, "/ticket");
  again = call (f, "GET", ticket_path, alice, NULL);
  g_assert_cmpuint (again->status, ==, 200);
  g_assert_cmpstr (soup_message_headers_get_content_type (again->headers, NULL),
                   ==, "application/vnd.slotcast.ticket+json");
  g_assert_cmpstr (sc_test_json_string (again->json, "publish_token"), ==,
                   token);
  g_assert_cmpstr (
      soup_message_headers_get_one (again->headers, "Cache-Control"), ==,
      "no-store");

  /* The list, without secrets. */
  list = call (f, "GET", "/api/v1/reservations", alice, NULL);
  g_assert_cmpuint (list->status, ==, 200);
  {
    JsonArray *a = json_object_get_array_member (
        json_node_get_object (list->json), "reservations");
    g_assert_cmpuint (json_array_get_length (a), ==, 1);
    g_assert_cmpstr (json_object_get_string_member (
                         json_array_get_object_element (a, 0), "id"),
                     ==, id);
    g_assert_null (memmem (g_bytes_get_data (list->body, NULL),
                           g_bytes_get_size (list->body), token, 43));
  }

  /* Availability: the local node has 3 of 4 places over the window. */
  {
    g_autofree char *q
        = g_strdup_printf ("/api/v1/availability?from=%s&to=%s", start, end);
    JsonArray *nodes, *free;
    JsonObject *seg;

    avail = call (f, "GET", q, alice, NULL);
    g_assert_cmpuint (avail->status, ==, 200);
    nodes = json_object_get_array_member (json_node_get_object (avail->json),
                                          "nodes");
    g_assert_cmpuint (json_array_get_length (nodes), ==, 1);
    free = json_object_get_array_member (
        json_array_get_object_element (nodes, 0), "free");
    g_assert_cmpuint (json_array_get_length (free), ==, 1);
    seg = json_array_get_object_element (free, 0);
    g_assert_cmpint (json_object_get_int_member (seg, "free"), ==, 3);
    g_assert_cmpstr (json_object_get_string_member (seg, "start"), ==, start);
  }
}

static void
test_private (Fixture *f, gconstpointer data)
{
  g_autofree char *body
      = sc_test_booking_body ("secret", 60, 120, "\"visibility\":\"private\"");
  g_autoptr (ScTestResponse) r
      = call (f, "POST", "/api/v1/reservations", f->key, body);
  const char *view;

  g_assert_cmpuint (r->status, ==, 201);
  view = sc_test_json_string (r->json, "view_token");
  g_assert_nonnull (view);
  g_assert_cmpstr (view, !=, sc_test_json_string (r->json, "publish_token"));
  check_url (sc_test_json_string (r->json, "connection.rtsp_play_url"), "rtsp",
             "media.test", f->server->rtsp_port, "/live/secret", view);
}

static void
test_bad_input (Fixture *f, gconstpointer data)
{
  struct
  {
    const char *body;
    guint status;
    const char *code;
    const char *field;
  } cases[] = {
    { "{bad", 400, "bad_json", NULL },
    /* json-glib would cut the name at the NUL: "ab" would be booked. */
    { "{\"stream\":\"ab\\u0000cd\",\"start\":\"2030-01-01T10:00:00Z\","
      "\"end\":\"2030-01-01T11:00:00Z\"}",
      400, "bad_json", NULL },
    { "[1,2]", 400, "bad_json", NULL },
    { "", 400, "bad_request", NULL },
    { "{}", 422, "invalid_field", "stream" },
    { "{\"stream\":7}", 422, "invalid_field", "stream" },
    { "{\"stream\":\"a\",\"start\":1}", 422, "invalid_field", "start" },
    { "{\"stream\":\"a\",\"start\":\"soon\",\"end\":\"later\"}", 422,
      "invalid_field", "start" },
    { "{\"stream\":\"a\",\"start\":\"2030-01-01T10:00:00Z\"}", 422,
      "invalid_field", "end" },
    { "{\"stream\":\"a b\",\"start\":\"2030-01-01T10:00:00Z\","
      "\"end\":\"2030-01-01T11:00:00Z\"}",
      422, "invalid_field", "stream" },
    { "{\"stream\":\"a\",\"start\":\"2030-01-01T10:00:00Z\","
      "\"end\":\"2030-01-01T10:00:00Z\"}",
      422, "invalid_field", "end" },
    { "{\"stream\":\"a\",\"start\":\"2030-01-01T10:00:00Z\","
      "\"end\":\"2030-01-01T10:00:04Z\"}",
      422, "invalid_field", "end" },
    { "{\"stream\":\"a\",\"start\":\"2030-01-01T10:00:00Z\","
      "\"end\":\"2030-01-02T10:00:01Z\"}",
      422, "invalid_field", "end" },
    { "{\"stream\":\"a\",\"start\":\"2020-01-01T10:00:00Z\","
      "\"end\":\"2020-01-01T11:00:00Z\"}",
      422, "invalid_field", "start" },
    { "{\"stream\":\"a\",\"start\":\"2030-01-01T10:00:00Z\","
      "\"end\":\"2030-01-01T11:00:00Z\",\"visibility\":\"secret\"}",
      422, "invalid_field", "visibility" },
    { "{\"stream\":\"a\",\"start\":\"2030-01-01T10:00:00Z\","
      "\"end\":\"2030-01-01T11:00:00Z\",\"node\":\"mars\"}",
      422, "invalid_field", "node" },
    { "{\"stream\":\"a\",\"start\":\"2030-01-01T10:00:00Z\","
      "\"end\":\"2030-01-01T11:00:00Z\",\"colour\":\"red\"}",
      422, "invalid_field", "colour" },
    { "{\"stream\":\"a\",\"start\":\"2030-01-01T10:00:00Z\","
      "\"end\":\"2030-01-01T11:00:00Z\",\"owner\":\"nobody\"}",
      422, "invalid_field", "owner" },
    { "\xff\xfe{}", 400, "bad_request", NULL },
  };
  g_autofree char *big = g_malloc (70000);
  g_autoptr (ScTestResponse) r = NULL;
  g_autoptr (ScTestResponse) list = NULL;

  for (size_t i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (ScTestResponse) resp
          = call (f, "POST", "/api/v1/reservations", f->key, cases[i].body);

      g_test_message ("case %zu: %s", i, cases[i].body);
      sc_test_assert_error (resp, cases[i].status, cases[i].code);
      if (cases[i].field != NULL)
        g_assert_true (g_str_has_prefix (
            sc_test_json_string (resp->json, "error.message"), cases[i].field));
    }

  /* Over 64 KiB: 413, before the body is read. */
  memset (big, ' ', 69999);
  big[69999] = '\0';
  big[0] = '{';
  r = call (f, "POST", "/api/v1/reservations", f->key, big);
  sc_test_assert_error (r, 413, "too_large");

  /* Nothing of this reached the database. */
  list = call (f, "GET",
               "/api/v1/reservations?state=all&from="
               "2000-01-01T00:00:00Z&to=2000-01-31T00:00:00Z",
               f->key, NULL);
  g_assert_cmpuint (list->status, ==, 200);
  {
    g_autofree char *q = g_strdup_printf (
        "/api/v1/reservations?state=all&from=%s", "2029-12-31T00:00:00Z");
    g_autoptr (ScTestResponse) l2 = call (f, "GET", q, f->key, NULL);
    g_autoptr (ScTestResponse) l3
        = call (f, "GET", "/api/v1/reservations?state=all", f->key, NULL);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                          json_node_get_object (l2->json), "reservations")),
                      ==, 0);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                          json_node_get_object (l3->json), "reservations")),
                      ==, 0);
  }
}

static void
test_http_errors (Fixture *f, gconstpointer data)
{
  g_autoptr (ScTestResponse) no_key
      = call (f, "GET", "/api/v1/reservations", NULL, NULL);
  g_autoptr (ScTestResponse) bad_key
      = call (f, "GET", "/api/v1/reservations",
              "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL);
  g_autoptr (ScTestResponse) method
      = call (f, "PUT", "/api/v1/reservations", f->key, "{}");
  g_autoptr (ScTestResponse) unknown = call (
      f, "GET", "/api/v1/reservations/00000000-0000-4000-8000-000000000000",
      f->key, NULL);
  g_autoptr (ScTestResponse) junk_id
      = call (f, "GET", "/api/v1/reservations/..%2f..%2fetc", f->key, NULL);
  g_autoptr (ScTestResponse) deep
      = call (f, "GET", "/api/v1/reservations/a/b/c", f->key, NULL);
  g_autoptr (ScTestResponse) cancel_unknown = call (
      f, "DELETE", "/api/v1/reservations/00000000-0000-4000-8000-000000000000",
      f->key, NULL);
  g_autoptr (ScTestResponse) bad_query
      = call (f, "GET", "/api/v1/reservations?from=yesterday", f->key, NULL);
  g_autoptr (ScTestResponse) bad_range = call (
      f, "GET",
      "/api/v1/availability?from=2030-01-01T00:00:00Z&to=2030-03-01T00:00:00Z",
      f->key, NULL);
  /* Used to answer null times with a GLib-CRITICAL. */
  g_autoptr (ScTestResponse) far = call (
      f, "GET", "/api/v1/availability?from=9999-12-31T12:00:00Z", f->key, NULL);

  sc_test_assert_error (far, 400, "bad_query");
  sc_test_assert_error (no_key, 401, "missing_key");
  g_assert_nonnull (
      soup_message_headers_get_one (no_key->headers, "WWW-Authenticate"));
  sc_test_assert_error (bad_key, 401, "bad_key");
  sc_test_assert_error (method, 405, "method_not_allowed");
  g_assert_cmpstr (soup_message_headers_get_one (method->headers, "Allow"), ==,
                   "GET, POST");
  sc_test_assert_error (unknown, 404, "not_found");
  /* libsoup refuses paths that decode to new ".." segments. */
  g_assert_cmpuint (junk_id->status, ==, 400);
  sc_test_assert_error (deep, 404, "not_found");
  sc_test_assert_error (cancel_unknown, 404, "not_found");
  sc_test_assert_error (bad_query, 400, "bad_query");
  sc_test_assert_error (bad_range, 400, "bad_query");
}

static void
test_conflicts (Fixture *f, gconstpointer data)
{
  g_autofree char *a = sc_test_booking_body ("a", 60, 120, NULL);
  g_autofree char *a2 = sc_test_booking_body ("a", 119, 200, NULL);
  g_autofree char *a3 = sc_test_booking_body ("a", 120, 200, NULL);
  g_autofree char *b = sc_test_booking_body ("b", 60, 120, NULL);
  g_autoptr (ScTestResponse) r1
      = call (f, "POST", "/api/v1/reservations", f->key, a);
  g_autoptr (ScTestResponse) r2
      = call (f, "POST", "/api/v1/reservations", f->key, a2);
  g_autoptr (ScTestResponse) r3
      = call (f, "POST", "/api/v1/reservations", f->key, a3);
  g_autoptr (ScTestResponse) r4
      = call (f, "POST", "/api/v1/reservations", f->key, b);

  g_assert_cmpuint (r1->status, ==, 201);
  sc_test_assert_error (r2, 409, "stream_taken");
  g_assert_cmpuint (r3->status, ==, 201);        /* adjacent windows */
  sc_test_assert_error (r4, 409, "no_capacity"); /* --capacity 1 */
}

static void
test_ownership (Fixture *f, gconstpointer data)
{
  g_autofree char *alice = sc_test_add_user (f->server, "alice", "broadcaster");
  g_autofree char *bob = sc_test_add_user (f->server, "bob", "broadcaster");
  g_autofree char *body = sc_test_booking_body ("alices", 60, 120, NULL);
  g_autofree char *for_bob
      = sc_test_booking_body ("bobs", 60, 120, "\"owner\":\"bob\"");
  g_autoptr (ScTestResponse) r
      = call (f, "POST", "/api/v1/reservations", alice, body);
  const char *id = sc_test_json_string (r->json, "id");
  g_autofree char *one = path_of (id, "");
  g_autofree char *ticket = path_of (id, "/ticket");

  g_assert_cmpuint (r->status, ==, 201);
  /* Bob cannot see, fetch or cancel Alice's reservation. */
  {
    g_autoptr (ScTestResponse) get = call (f, "GET", one, bob, NULL);
    g_autoptr (ScTestResponse) tk = call (f, "GET", ticket, bob, NULL);
    g_autoptr (ScTestResponse) del = call (f, "DELETE", one, bob, NULL);
    g_autoptr (ScTestResponse) list
        = call (f, "GET", "/api/v1/reservations", bob, NULL);
    g_autoptr (ScTestResponse) forge
        = call (f, "POST", "/api/v1/reservations", bob,
                "{\"stream\":\"x\",\"start\":\"2030-01-01T10:00:00Z\","
                "\"end\":\"2030-01-01T11:00:00Z\",\"owner\":\"alice\"}");

    sc_test_assert_error (get, 404, "not_found");
    sc_test_assert_error (tk, 404, "not_found");
    sc_test_assert_error (del, 404, "not_found");
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                          json_node_get_object (list->json), "reservations")),
                      ==, 0);
    sc_test_assert_error (forge, 403, "forbidden");
  }
  /* The operator books for Bob and sees both. */
  {
    g_autoptr (ScTestResponse) op
        = call (f, "POST", "/api/v1/reservations", f->key, for_bob);
    g_autoptr (ScTestResponse) bob_list
        = call (f, "GET", "/api/v1/reservations", bob, NULL);
    g_autoptr (ScTestResponse) all
        = call (f, "GET", "/api/v1/reservations", f->key, NULL);
    g_autoptr (ScTestResponse) only_alice
        = call (f, "GET", "/api/v1/reservations?owner=alice", f->key, NULL);
    g_autoptr (ScTestResponse) me = call (f, "GET", "/api/v1/me", bob, NULL);

    g_assert_cmpuint (op->status, ==, 201);
    g_assert_cmpuint (
        json_array_get_length (json_object_get_array_member (
            json_node_get_object (bob_list->json), "reservations")),
        ==, 1);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                          json_node_get_object (all->json), "reservations")),
                      ==, 2);
    g_assert_cmpuint (
        json_array_get_length (json_object_get_array_member (
            json_node_get_object (only_alice->json), "reservations")),
        ==, 1);
    g_assert_cmpstr (sc_test_json_string (me->json, "role"), ==, "broadcaster");
  }
  /* Alice cancels her own; cancelling twice is a conflict. */
  {
    g_autoptr (ScTestResponse) del = call (f, "DELETE", one, alice, NULL);
    g_autoptr (ScTestResponse) del2 = call (f, "DELETE", one, alice, NULL);
    g_autoptr (ScTestResponse) get = call (f, "GET", one, alice, NULL);
    g_autoptr (ScTestResponse) list
        = call (f, "GET", "/api/v1/reservations", alice, NULL);
    g_autoptr (ScTestResponse) list_all
        = call (f, "GET", "/api/v1/reservations?state=all", alice, NULL);

    g_assert_cmpuint (del->status, ==, 200);
    g_assert_cmpstr (sc_test_json_string (del->json, "state"), ==, "cancelled");
    g_assert_nonnull (sc_test_json_string (del->json, "cancelled_at"));
    sc_test_assert_error (del2, 409, "already_cancelled");
    g_assert_cmpstr (sc_test_json_string (get->json, "state"), ==, "cancelled");
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                          json_node_get_object (list->json), "reservations")),
                      ==, 0);
    g_assert_cmpuint (
        json_array_get_length (json_object_get_array_member (
            json_node_get_object (list_all->json), "reservations")),
        ==, 1);
  }
}

static char *
add_node (Fixture *f, const char *name)
{
  const char *args[] = { "node",      "add",        name, "--public-host",
                         "edge.test", "--capacity", "2",  NULL };
  int status = -1;
  char *key = sc_test_run_cli (f->server->data_dir, args, &status);

  g_assert_cmpint (status, ==, 0);
  return g_strstrip (key);
}

static ScTestResponse *
authorize (Fixture *f, const char *key, const char *stream, const char *token,
           const char *extra)
{
  g_autofree char *body
      = g_strdup_printf ("{\"stream\":\"%s\",\"token\":\"%s\"%s%s}", stream,
                         token, extra ? "," : "", extra ? extra : "");

  return call (f, "POST", "/api/v1/ingest/authorize", key, body);
}

static void
test_authorize (Fixture *f, gconstpointer data)
{
  g_autofree char *node_key = add_node (f, "edge");
  g_autofree char *alice = sc_test_add_user (f->server, "alice", "broadcaster");
  g_autofree char *now_body
      = sc_test_booking_body ("live", 2, 60, "\"node\":\"edge\"");
  g_autofree char *later_body
      = sc_test_booking_body ("later", 3600, 3660, "\"node\":\"edge\"");
  g_autofree char *local_body = sc_test_booking_body ("home", 2, 60, NULL);
  g_autoptr (ScTestResponse) now
      = call (f, "POST", "/api/v1/reservations", alice, now_body);
  g_autoptr (ScTestResponse) later
      = call (f, "POST", "/api/v1/reservations", alice, later_body);
  g_autoptr (ScTestResponse) local
      = call (f, "POST", "/api/v1/reservations", alice, local_body);
  const char *token = sc_test_json_string (now->json, "publish_token");
  const char *id = sc_test_json_string (now->json, "id");
  g_autofree char *one = path_of (id, "");

  g_assert_cmpuint (now->status, ==, 201);
  g_assert_cmpstr (sc_test_json_string (now->json, "node"), ==, "edge");
  check_url (sc_test_json_string (now->json, "connection.rtsp_play_url"),
             "rtsp", "edge.test", 8554, "/live/live", NULL);
  g_assert_cmpuint (later->status, ==, 201);
  g_assert_cmpuint (local->status, ==, 201);

  {
    g_autoptr (ScTestResponse) ok
        = authorize (f, node_key, "live", token, NULL);
    g_autoptr (ScTestResponse) op
        = authorize (f, f->key, "live", token, "\"node\":\"edge\"");
    g_autoptr (ScTestResponse) op_no_node
        = authorize (f, f->key, "live", token, NULL);
    g_autoptr (ScTestResponse) wrong_stream
        = authorize (f, node_key, "other", token, NULL);
    g_autoptr (ScTestResponse) early
        = authorize (f, node_key, "later",
                     sc_test_json_string (later->json, "publish_token"), NULL);
    g_autoptr (ScTestResponse) wrong_node
        = authorize (f, node_key, "home",
                     sc_test_json_string (local->json, "publish_token"), NULL);
    g_autoptr (ScTestResponse) unknown
        = authorize (f, node_key, "live",
                     "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL);
    g_autoptr (ScTestResponse) malformed
        = authorize (f, node_key, "live", "x", NULL);
    g_autoptr (ScTestResponse) broadcaster
        = authorize (f, alice, "live", token, "\"node\":\"edge\"");
    g_autoptr (ScTestResponse) as_view
        = authorize (f, node_key, "live", token, "\"role\":\"view\"");
    g_autoptr (ScTestResponse) other_node
        = authorize (f, node_key, "live", token, "\"node\":\"local\"");

    g_assert_cmpuint (ok->status, ==, 200);
    g_assert_cmpstr (sc_test_json_string (ok->json, "reservation.id"), ==, id);
    g_assert_cmpuint (op->status, ==, 200);
    sc_test_assert_error (op_no_node, 422, "invalid_field");
    sc_test_assert_error (wrong_stream, 403, "wrong_stream");
    sc_test_assert_error (early, 403, "too_early");
    g_assert_true (g_str_has_prefix (
        sc_test_json_string (early->json, "error.message"), "slot opens in"));
    sc_test_assert_error (wrong_node, 403, "wrong_node");
    sc_test_assert_error (unknown, 403, "unknown_token");
    g_assert_cmpstr (sc_test_json_string (unknown->json, "error.message"), ==,
                     "unknown token");
    sc_test_assert_error (malformed, 403, "malformed_token");
    sc_test_assert_error (broadcaster, 403, "forbidden");
    sc_test_assert_error (as_view, 403, "wrong_role");
    sc_test_assert_error (other_node, 403, "wrong_node");
  }

  /* Cancelling makes the token useless at once. */
  {
    g_autoptr (ScTestResponse) del = call (f, "DELETE", one, alice, NULL);
    g_autoptr (ScTestResponse) refused
        = authorize (f, node_key, "live", token, NULL);
    g_autoptr (ScTestResponse) metrics
        = call (f, "GET", "/metrics", NULL, NULL);

    g_assert_cmpuint (del->status, ==, 200);
    sc_test_assert_error (refused, 403, "cancelled");
    g_assert_cmpstr (sc_test_json_string (refused->json, "error.message"), ==,
                     "reservation cancelled");
    g_assert_nonnull (
        strstr (g_bytes_get_data (metrics->body, NULL),
                "slotcast_authorize_total{result=\"cancelled\"} 1\n"));
    g_assert_nonnull (strstr (g_bytes_get_data (metrics->body, NULL),
                              "slotcast_authorize_total{result=\"ok\"} 2\n"));
  }
  /* Nodes are listed with what tickets need. */
  {
    g_autoptr (ScTestResponse) nodes
        = call (f, "GET", "/api/v1/nodes", alice, NULL);
    JsonArray *a = json_object_get_array_member (
        json_node_get_object (nodes->json), "nodes");

    g_assert_cmpuint (json_array_get_length (a), ==, 2);
    g_assert_cmpstr (json_object_get_string_member (
                         json_array_get_object_element (a, 0), "name"),
                     ==, "edge");
  }
}

static void
test_rate_limit (Fixture *f, gconstpointer data)
{
  for (int i = 1; i <= 20; i++)
    {
      g_autoptr (ScTestResponse) r
          = call (f, "GET", "/api/v1/me",
                  "BAD_KEY_BAD_KEY_BAD_KEY_BAD_KEY_BAD_KEY_BAD", NULL);
      g_assert_cmpuint (r->status, ==, i < 20 ? 401 : 429);
    }
  /* Blocked: bad keys get 429 without being counted or logged again... */
  {
    g_autoptr (ScTestResponse) r
        = call (f, "GET", "/api/v1/me",
                "BAD_KEY_BAD_KEY_BAD_KEY_BAD_KEY_BAD_KEY_BAD", NULL);
    sc_test_assert_error (r, 429, "too_many_requests");
    g_assert_nonnull (soup_message_headers_get_one (r->headers, "Retry-After"));
  }
  /* ...but a valid key from that address (a node, a user behind the same
   * NAT as the guesser) is served: 256-bit keys are not guessed, and a
   * stranger must not be able to lock real clients out. */
  {
    g_autoptr (ScTestResponse) r = call (f, "GET", "/api/v1/me", f->key, NULL);
    g_assert_cmpuint (r->status, ==, 200);
  }
}

static void
test_restart_keeps_data (Fixture *f, gconstpointer data)
{
  g_autofree char *body = sc_test_booking_body ("keep", 60, 120, NULL);
  g_autoptr (ScTestResponse) r
      = call (f, "POST", "/api/v1/reservations", f->key, body);
  g_autofree char *dir = g_strdup (f->server->data_dir);
  g_autofree char *ticket
      = path_of (sc_test_json_string (r->json, "id"), "/ticket");
  g_autoptr (ScTestResponse) again = NULL;

  g_assert_cmpuint (r->status, ==, 201);
  g_assert_cmpint (sc_test_server_stop (f->server), ==, 0);
  f->server->own_data_dir = FALSE;
  sc_test_server_free (f->server);

  f->server = sc_test_server_start (dir, default_args, NULL);
  f->server->own_data_dir = TRUE;
  g_assert_null (f->server->admin_key); /* made once, not again */
  again = call (f, "GET", ticket, f->key, NULL);
  g_assert_cmpuint (again->status, ==, 200);
  g_assert_cmpstr (sc_test_json_string (again->json, "publish_token"), ==,
                   sc_test_json_string (r->json, "publish_token"));
}

static void
test_admin_key_from_env (void)
{
  const char *key = "ENV_KEY_ENV_KEY_ENV_KEY_ENV_KEY_ENV_KEY_ENV";
  g_autofree char *env = g_strconcat ("SLOTCAST_ADMIN_KEY=", key, NULL);
  const char *envv[] = { env, NULL };
  ScTestServer *server = sc_test_server_start (NULL, NULL, envv);
  g_autoptr (SoupSession) session = sc_test_session_new ();
  g_autofree char *url = sc_test_server_url (server, "/api/v1/me");
  g_autoptr (ScTestResponse) me
      = sc_test_request (session, "GET", url, key, NULL);

  g_assert_null (server->admin_key); /* not printed: the user knows it */
  g_assert_cmpuint (me->status, ==, 200);
  g_assert_cmpstr (sc_test_json_string (me->json, "name"), ==, "admin");
  g_assert_cmpstr (sc_test_json_string (me->json, "role"), ==, "operator");
  g_assert_cmpint (sc_test_server_stop (server), ==, 0);
  sc_test_server_free (server);
}

static void
test_tls (void)
{
  const char *args[] = { "--tls", NULL };
  /* Under ASan, LeakSanitizer's thread tracer crashes on the GnuTLS worker
   * threads of glib-networking ("Tracer caught signal 11"): leak checks of
   * this one process are off; every other test keeps them. */
  const char *env[] = { "ASAN_OPTIONS=detect_leaks=0:abort_on_error=1", NULL };
  ScTestServer *server = sc_test_server_start (NULL, args, env);
  g_autoptr (SoupSession) session = sc_test_session_new ();
  g_autofree char *url = sc_test_server_url (server, "/api/v1/me");
  g_autofree char *cert
      = g_build_filename (server->data_dir, "tls-cert.pem", NULL);
  g_autofree char *keyfile
      = g_build_filename (server->data_dir, "tls-key.pem", NULL);
  g_autoptr (ScTestResponse) me
      = sc_test_request (session, "GET", url, server->admin_key, NULL);
  GStatBuf st;

  g_assert_true (g_str_has_prefix (url, "https://"));
  g_assert_cmpuint (me->status, ==, 200);
  g_assert_true (g_file_test (cert, G_FILE_TEST_EXISTS));
  g_assert_cmpint (g_stat (keyfile, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (sc_test_server_stop (server), ==, 0);

  /* The same files given with --tls-cert and --tls-key. */
  {
    const char *given[] = { "--tls-cert", cert, "--tls-key", keyfile, NULL };
    ScTestServer *second = sc_test_server_start (NULL, given, env);
    g_autofree char *url2 = NULL;
    g_autoptr (ScTestResponse) me2 = NULL;

    url2 = sc_test_server_url (second, "/healthz");
    me2 = sc_test_request (session, "GET", url2, NULL, NULL);
    g_assert_cmpuint (me2->status, ==, 200);
    g_assert_cmpint (sc_test_server_stop (second), ==, 0);
    sc_test_server_free (second);
  }
  sc_test_server_free (server);
}

/* The booking service alone: no local node, so nothing can be booked until
 * a node is added; then its ticket carries that node's host. */
static void
test_web_alone (void)
{
  ScTestServer *server = sc_test_server_start_command ("web", NULL, NULL, NULL);
  g_autoptr (SoupSession) session = sc_test_session_new ();
  g_autofree char *nodes_url = sc_test_server_url (server, "/api/v1/nodes");
  g_autofree char *book_url
      = sc_test_server_url (server, "/api/v1/reservations");
  g_autofree char *body = sc_test_booking_body ("solo", 60, 120, NULL);
  const char *add[]
      = { "node", "add", "edge", "--public-host", "edge.test", NULL };
  int status = -1;
  g_autoptr (ScTestResponse) nodes
      = sc_test_request (session, "GET", nodes_url, server->admin_key, NULL);
  g_autoptr (ScTestResponse) none
      = sc_test_request (session, "POST", book_url, server->admin_key, body);
  g_autofree char *key = sc_test_run_cli (server->data_dir, add, &status);
  g_autoptr (ScTestResponse) booked = NULL;

  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                        json_node_get_object (nodes->json), "nodes")),
                    ==, 0);
  sc_test_assert_error (none, 409, "no_capacity");
  g_assert_cmpint (status, ==, 0);
  booked = sc_test_request (session, "POST", book_url, server->admin_key, body);
  g_assert_cmpuint (booked->status, ==, 201);
  g_assert_cmpstr (sc_test_json_string (booked->json, "node"), ==, "edge");
  g_assert_true (g_str_has_prefix (
      sc_test_json_string (booked->json, "connection.rtsp_play_url"),
      "rtsp://edge.test:8554/"));
  g_assert_cmpint (sc_test_server_stop (server), ==, 0);
  sc_test_server_free (server);
}

static void
test_cli (void)
{
  g_autofree char *dir = sc_test_make_tmp_dir ();
  const char *add[] = { "user", "add", "carol", "--role", "broadcaster", NULL };
  const char *bad_role[] = { "user", "add", "dave", "--role", "king", NULL };
  const char *list[] = { "user", "list", NULL };
  const char *print[] = { "serve", "--print-config", "--capacity", "9", NULL };
  const char *unknown[] = { "serve", "--capacity", "many", NULL };
  int status = -1;
  g_autofree char *key = sc_test_run_cli (dir, add, &status);
  g_autofree char *dup = NULL;
  g_autofree char *bad = NULL;
  g_autofree char *users = NULL;
  g_autofree char *config = NULL;
  g_autofree char *refused = NULL;

  g_assert_cmpint (status, ==, 0);
  g_assert_cmpuint (strlen (g_strstrip (key)), ==, 43);
  dup = sc_test_run_cli (dir, add, &status);
  g_assert_cmpint (status, ==, 1);
  bad = sc_test_run_cli (dir, bad_role, &status);
  g_assert_cmpint (status, ==, 2);
  users = sc_test_run_cli (dir, list, &status);
  g_assert_cmpstr (users, ==, "carol\tbroadcaster\n");
  config = sc_test_run_cli (dir, print, &status);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (config, "[node]"));
  g_assert_nonnull (strstr (config, "capacity=9"));
  refused = sc_test_run_cli (dir, unknown, &status);
  g_assert_cmpint (status, ==, 2);
  sc_test_remove_tree (dir);
}

/* A broadcaster holds at most max-open-per-user reservations to come and
 * max-hours-per-user of their time (409 quota); nothing starts beyond the
 * horizon (422); operators have no quota. */
static void
test_quota (Fixture *f, gconstpointer data)
{
  g_autofree char *alice = sc_test_add_user (f->server, "alice", "broadcaster");

  for (int i = 0; i < 3; i++)
    {
      g_autofree char *name = g_strdup_printf ("q%d", i);
      g_autofree char *body
          = sc_test_booking_body (name, 60 + i * 100, 120 + i * 100, NULL);
      g_autoptr (ScTestResponse) r
          = call (f, "POST", "/api/v1/reservations", alice, body);

      g_assert_cmpuint (r->status, ==, 201);
    }
  {
    g_autofree char *body = sc_test_booking_body ("q3", 1000, 1060, NULL);
    g_autoptr (ScTestResponse) r
        = call (f, "POST", "/api/v1/reservations", alice, body);

    sc_test_assert_error (r, 409, "quota");
  }
  {
    /* 2 h in all to come: 3 min booked, 2 h more is over it. */
    g_autofree char *bob = sc_test_add_user (f->server, "bob", "broadcaster");
    g_autofree char *body = sc_test_booking_body ("long", 60, 60 + 7200, NULL);
    g_autoptr (ScTestResponse) ok = NULL;
    g_autoptr (ScTestResponse) r = NULL;

    g_free (body);
    body = sc_test_booking_body ("long", 60, 60 + 3600, NULL);
    ok = call (f, "POST", "/api/v1/reservations", bob, body);
    g_assert_cmpuint (ok->status, ==, 201);
    g_free (body);
    body = sc_test_booking_body ("longer", 4000, 4000 + 3601, NULL);
    r = call (f, "POST", "/api/v1/reservations", bob, body);
    sc_test_assert_error (r, 409, "quota");
  }
  {
    g_autoptr (ScTestResponse) r
        = call (f, "POST", "/api/v1/reservations", alice,
                "{\"stream\":\"far\",\"start\":\"9999-12-31T12:00:00Z\","
                "\"end\":\"9999-12-31T13:00:00Z\"}");

    sc_test_assert_error (r, 422, "invalid_field");
    g_assert_true (g_str_has_prefix (
        sc_test_json_string (r->json, "error.message"), "start: at most"));
  }
  for (int i = 0; i < 5; i++)
    {
      g_autofree char *name = g_strdup_printf ("op%d", i);
      g_autofree char *body
          = sc_test_booking_body (name, 60 + i * 100, 120 + i * 100, NULL);
      g_autoptr (ScTestResponse) r
          = call (f, "POST", "/api/v1/reservations", f->key, body);

      g_assert_cmpuint (r->status, ==, 201);
    }
}

static char *
sha256_hex (const char *text)
{
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, text, -1);
}

/* GET /api/v1/ingest/reservations: a node's snapshot (its own reservations
 * only, hashes not tokens), changes after a cursor, a long poll that a
 * cancellation ends at once, and refusals. */
static void
test_feed (Fixture *f, gconstpointer data)
{
  g_autofree char *node_key = add_node (f, "edge");
  g_autofree char *alice = sc_test_add_user (f->server, "alice", "broadcaster");
  g_autofree char *edge_body = sc_test_booking_body (
      "live", 60, 120, "\"node\":\"edge\",\"visibility\":\"private\"");
  g_autofree char *local_body = sc_test_booking_body ("home", 60, 120, NULL);
  g_autoptr (ScTestResponse) edge
      = call (f, "POST", "/api/v1/reservations", alice, edge_body);
  g_autoptr (ScTestResponse) local
      = call (f, "POST", "/api/v1/reservations", alice, local_body);
  g_autoptr (ScTestResponse) snap = NULL;
  g_autofree char *publish_hash = NULL;
  g_autofree char *view_hash = NULL;
  g_autofree char *since = NULL;
  g_autofree char *poll_path = NULL;
  JsonObject *o;
  JsonArray *a;
  gint64 cursor;

  g_assert_cmpuint (edge->status, ==, 201);
  g_assert_cmpuint (local->status, ==, 201);
  snap = call (f, "GET", "/api/v1/ingest/reservations", node_key, NULL);
  g_assert_cmpuint (snap->status, ==, 200);
  o = json_node_get_object (snap->json);
  g_assert_true (json_object_get_boolean_member (o, "snapshot"));
  g_assert_cmpstr (json_object_get_string_member (o, "node"), ==, "edge");
  g_assert_true (json_object_get_null_member (o, "next_page"));
  cursor = json_object_get_int_member (o, "cursor");
  g_assert_cmpint (cursor, >=, 2);
  a = json_object_get_array_member (o, "reservations");
  g_assert_cmpuint (json_array_get_length (a), ==, 1);
  o = json_array_get_object_element (a, 0);
  g_assert_cmpstr (json_object_get_string_member (o, "id"), ==,
                   sc_test_json_string (edge->json, "id"));
  g_assert_cmpstr (json_object_get_string_member (o, "state"), ==, "booked");
  publish_hash = sha256_hex (sc_test_json_string (edge->json, "publish_token"));
  view_hash = sha256_hex (sc_test_json_string (edge->json, "view_token"));
  g_assert_cmpstr (json_object_get_string_member (o, "publish_hash"), ==,
                   publish_hash);
  g_assert_cmpstr (json_object_get_string_member (o, "view_hash"), ==,
                   view_hash);
  /* No token anywhere in the page. */
  g_assert_null (strstr (g_bytes_get_data (snap->body, NULL),
                         sc_test_json_string (edge->json, "publish_token")));

  /* Nothing changed since: the cursor stays. */
  since = g_strdup_printf (
      "/api/v1/ingest/reservations?since=%" G_GINT64_FORMAT, cursor);
  {
    g_autoptr (ScTestResponse) none = call (f, "GET", since, node_key, NULL);

    g_assert_cmpuint (none->status, ==, 200);
    g_assert_false (json_object_get_boolean_member (
        json_node_get_object (none->json), "snapshot"));
    g_assert_cmpint (json_object_get_int_member (
                         json_node_get_object (none->json), "cursor"),
                     ==, cursor);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                          json_node_get_object (none->json), "reservations")),
                      ==, 0);
  }

  /* A long poll, ended by the cancellation. */
  poll_path = g_strconcat (since, "&wait=10", NULL);
  {
    /* curl, so that no thread of this process is left to LeakSanitizer. */
    g_autofree char *url = sc_test_server_url (f->server, poll_path);
    g_autofree char *auth
        = g_strconcat ("Authorization: Bearer ", node_key, NULL);
    g_autoptr (GSubprocess) poll
        = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, NULL, "curl", "-s",
                            "-H", auth, "-w", "\n%{http_code}", url, NULL);
    g_autofree char *one = path_of (sc_test_json_string (edge->json, "id"), "");
    g_autoptr (ScTestResponse) del = NULL;
    g_autoptr (JsonParser) parser = json_parser_new ();
    g_autofree char *out = NULL;
    char *code;
    JsonObject *change, *answer;
    gint64 t0 = g_get_monotonic_time (), took_us;

    g_assert_nonnull (poll);
    g_usleep (G_USEC_PER_SEC / 2);
    del = call (f, "DELETE", one, alice, NULL);
    g_assert_cmpuint (del->status, ==, 200);
    g_assert_true (
        g_subprocess_communicate_utf8 (poll, NULL, NULL, &out, NULL, NULL));
    took_us = g_get_monotonic_time () - t0;
    g_test_message ("the long poll answered after %.2f s", took_us / 1e6);
    code = strrchr (out, '\n');
    g_assert_nonnull (code);
    g_assert_cmpstr (code + 1, ==, "200");
    *code = '\0';
    g_assert_cmpint (took_us, >=, G_USEC_PER_SEC / 2);
    g_assert_cmpint (took_us, <, 3 * G_USEC_PER_SEC);
    g_assert_true (json_parser_load_from_data (parser, out, -1, NULL));
    answer = json_node_get_object (json_parser_get_root (parser));
    a = json_object_get_array_member (answer, "reservations");
    g_assert_cmpuint (json_array_get_length (a), ==, 1);
    change = json_array_get_object_element (a, 0);
    g_assert_cmpstr (json_object_get_string_member (change, "state"), ==,
                     "cancelled");
    g_assert_cmpint (json_object_get_int_member (answer, "cursor"), >, cursor);
  }

  /* Refusals. */
  {
    g_autoptr (ScTestResponse) anonymous
        = call (f, "GET", "/api/v1/ingest/reservations", NULL, NULL);
    g_autoptr (ScTestResponse) op
        = call (f, "GET", "/api/v1/ingest/reservations", f->key, NULL);
    g_autoptr (ScTestResponse) user
        = call (f, "GET", "/api/v1/ingest/reservations", alice, NULL);
    g_autoptr (ScTestResponse) unknown = call (
        f, "GET", "/api/v1/ingest/reservations?since=999999", node_key, NULL);
    g_autoptr (ScTestResponse) bad_since = call (
        f, "GET", "/api/v1/ingest/reservations?since=-1", node_key, NULL);
    g_autoptr (ScTestResponse) bad_wait
        = call (f, "GET", "/api/v1/ingest/reservations?since=1&wait=99",
                node_key, NULL);
    g_autoptr (ScTestResponse) bad_page = call (
        f, "GET", "/api/v1/ingest/reservations?page=1.2.x%20y", node_key, NULL);
    g_autoptr (ScTestResponse) post
        = call (f, "POST", "/api/v1/ingest/reservations", node_key, "{}");

    g_assert_cmpuint (anonymous->status, ==, 401);
    sc_test_assert_error (op, 403, "forbidden");
    sc_test_assert_error (user, 403, "forbidden");
    sc_test_assert_error (unknown, 410, "cursor_unknown");
    sc_test_assert_error (bad_since, 400, "bad_query");
    sc_test_assert_error (bad_wait, 400, "bad_query");
    sc_test_assert_error (bad_page, 400, "bad_query");
    g_assert_cmpuint (post->status, ==, 405);
  }
}

int
main (int argc, char **argv)
{
  static const char *const capacity_one[] = { "--capacity", "1", NULL };
  g_autofree char *dir = sc_test_make_tmp_dir ();
  g_autofree char *quota_conf = g_build_filename (dir, "quota.conf", NULL);
  const char *quota_args[] = { "--config", quota_conf, NULL };
  /* The bad-input cases book in 2030: past the default horizon. */
  g_autofree char *far_conf = g_build_filename (dir, "far.conf", NULL);
  const char *far_args[]
      = { "--config", far_conf, "--public-host", "media.test", NULL };
  int rc;

  g_test_init (&argc, &argv, NULL);
  g_assert_true (g_file_set_contents (quota_conf,
                                      "[booking]\nmax-open-per-user = 3\n"
                                      "max-hours-per-user = 2\n",
                                      -1, NULL));
  g_assert_true (g_file_set_contents (
      far_conf, "[booking]\nhorizon-days = 3660\n", -1, NULL));
  g_test_add ("/api/health", Fixture, NULL, set_up, test_health, tear_down);
  g_test_add ("/api/quota", Fixture, quota_args, set_up, test_quota, tear_down);
  g_test_add ("/api/book-and-ticket", Fixture, NULL, set_up,
              test_book_and_ticket, tear_down);
  g_test_add ("/api/private", Fixture, NULL, set_up, test_private, tear_down);
  g_test_add ("/api/bad-input", Fixture, far_args, set_up, test_bad_input,
              tear_down);
  g_test_add ("/api/http-errors", Fixture, NULL, set_up, test_http_errors,
              tear_down);
  g_test_add ("/api/conflicts", Fixture, capacity_one, set_up, test_conflicts,
              tear_down);
  g_test_add ("/api/ownership", Fixture, NULL, set_up, test_ownership,
              tear_down);
  g_test_add ("/api/authorize", Fixture, NULL, set_up, test_authorize,
              tear_down);
  g_test_add ("/api/feed", Fixture, NULL, set_up, test_feed, tear_down);
  g_test_add ("/api/rate-limit", Fixture, NULL, set_up, test_rate_limit,
              tear_down);
  g_test_add ("/api/restart-keeps-data", Fixture, NULL, set_up,
              test_restart_keeps_data, tear_down);
  g_test_add_func ("/api/admin-key-from-env", test_admin_key_from_env);
  g_test_add_func ("/api/tls", test_tls);
  g_test_add_func ("/api/web-alone", test_web_alone);
  g_test_add_func ("/api/cli", test_cli);
  rc = g_test_run ();
  sc_test_remove_tree (dir);
  return rc;
}
