/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

/**
 * ScTestServer:
 *
 * A real `slotcast` process for integration tests: started on port 0 with
 * its own data dir, ready once it printed its port line (never a sleep).
 */
typedef struct
{
  GSubprocess *proc;
  char *data_dir;
  gboolean own_data_dir;
  guint16 http_port;
  guint16 rtsp_port; /* 0 for `slotcast web` */
  guint16 rtmp_port;
  char *admin_key;
  char *base_url;
  gboolean tls;
} ScTestServer;

ScTestServer *sc_test_server_start (const char *data_dir,
                                    const char *const *args,
                                    const char *const *env);
ScTestServer *sc_test_server_start_command (const char *command,
                                            const char *data_dir,
                                            const char *const *args,
                                            const char *const *env);
int sc_test_server_stop (ScTestServer *server);
void sc_test_server_kill (ScTestServer *server);
void sc_test_server_free (ScTestServer *server);
char *sc_test_server_url (ScTestServer *server, const char *path);

char *sc_test_run_cli (const char *data_dir, const char *const *args,
                       int *out_status);
char *sc_test_add_user (ScTestServer *server, const char *name,
                        const char *role);
char *sc_test_make_tmp_dir (void);
void sc_test_remove_tree (const char *path);

/**
 * ScTestResponse:
 *
 * One HTTP exchange's result; @json is parsed when the body is JSON.
 */
typedef struct
{
  guint status;
  GBytes *body;
  JsonNode *json;
  SoupMessageHeaders *headers;
} ScTestResponse;

void sc_test_response_free (ScTestResponse *response);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScTestResponse, sc_test_response_free)

SoupSession *sc_test_session_new (void);
SoupMessage *sc_test_message_new (const char *method, const char *url,
                                  const char *key, const char *body);
ScTestResponse *sc_test_request (SoupSession *session, const char *method,
                                 const char *url, const char *key,
                                 const char *body);
ScTestResponse *sc_test_send (SoupSession *session, SoupMessage *msg);
char *sc_test_tcp_request (guint16 port, const char *request,
                           gboolean until_close);
const char *sc_test_json_string (JsonNode *node, const char *path);
char *sc_test_time (gint64 offset_s);
char *sc_test_booking_body (const char *stream, gint64 start_s, gint64 end_s,
                            const char *extra);

/* @resp is the API error @want_code with status @want_status and a
 * message. */
#define sc_test_assert_error(resp, want_status, want_code)                     \
  G_STMT_START                                                                 \
  {                                                                            \
    g_assert_cmpuint ((resp)->status, ==, (want_status));                      \
    g_assert_nonnull ((resp)->json);                                           \
    g_assert_cmpstr (sc_test_json_string ((resp)->json, "error.code"), ==,     \
                     (want_code));                                             \
    g_assert_nonnull (sc_test_json_string ((resp)->json, "error.message"));    \
  }                                                                            \
  G_STMT_END

G_END_DECLS
