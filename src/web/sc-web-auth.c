/* SPDX-License-Identifier: LGPL-2.1-or-later */

/**
 * ScWebAuth:
 *
 * Who a request of the booking API is: a bearer API key (a user's or an
 * ingest node's), or the web UI's session cookie with its CSRF token
 * (sc-web-session.c). Bad credentials count against the sender's address
 * (ScAuthLimiter, `[http] auth-fail-limit` in `auth-fail-window-s`):
 * once over, that address gets 429 for `auth-block-s` for its bad keys,
 * while a valid key from it is never refused (a node behind the same NAT
 * as a key-guesser keeps working).
 *
 * Main context only, like the database it reads.
 */

#include "config.h"

#include "sc-web-auth.h"

#include "sc-auth-limiter.h"
#include "sc-http.h"
#include "sc-web-session.h"

#define AUTH_TABLE_MAX 65536

struct _ScWebAuth
{
  ScDb *db;
  ScClock *clock;
  ScWebMetrics *metrics; /* the server's */
  ScAuthLimiter *limiter;
};

/**
 * sc_web_auth_new:
 * @metrics: where bad keys and refusals are counted; outlives the result
 *
 * Returns: (transfer full): the API's authentication
 */
ScWebAuth *
sc_web_auth_new (ScSettings *settings, ScDb *db, ScClock *clock,
                 ScWebMetrics *metrics)
{
  ScWebAuth *self = g_new0 (ScWebAuth, 1);

  self->db = g_object_ref (db);
  self->clock = g_object_ref (clock);
  self->metrics = metrics;
  self->limiter = sc_auth_limiter_new (
      settings->auth_fail_limit, settings->auth_fail_window_s * SC_USEC_PER_SEC,
      settings->auth_block_s * SC_USEC_PER_SEC, AUTH_TABLE_MAX);
  return self;
}

void
sc_web_auth_free (ScWebAuth *self)
{
  if (self == NULL)
    return;
  g_object_unref (self->db);
  g_object_unref (self->clock);
  g_object_unref (self->limiter);
  g_free (self);
}

static const char *
bearer_key (SoupServerMessage *msg)
{
  const char *auth = soup_message_headers_get_one (
      soup_server_message_get_request_headers (msg), "Authorization");

  if (auth == NULL || g_ascii_strncasecmp (auth, "Bearer ", 7) != 0)
    return NULL;
  auth += 7;
  while (*auth == ' ')
    auth++;
  return auth;
}

static const char *
remote_host (SoupServerMessage *msg)
{
  const char *host = soup_server_message_get_remote_host (msg);

  return host != NULL ? host : "unknown";
}

/**
 * sc_web_auth_check_not_blocked:
 *
 * Returns: %TRUE when @msg's address may go on; otherwise 429 has been sent
 */
gboolean
sc_web_auth_check_not_blocked (ScWebAuth *self, SoupServerMessage *msg)
{
  gint64 left = sc_auth_limiter_blocked_for (self->limiter, remote_host (msg),
                                             sc_clock_now_us (self->clock));
  g_autofree char *retry = NULL;

  if (left == 0)
    return TRUE;
  self->metrics->rate_limited++;
  retry = g_strdup_printf ("%" G_GINT64_FORMAT,
                           (left + SC_USEC_PER_SEC - 1) / SC_USEC_PER_SEC);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Retry-After", retry);
  sc_http_send_error (msg, 429 /* Too Many Requests */, "too_many_requests",
                      "Too many bad keys from this address; retry in %s s",
                      retry);
  return FALSE;
}

/**
 * sc_web_auth_record_failure:
 *
 * Counts a failed authentication (a bad key, a wrong password) against
 * @msg's address.
 *
 * Returns: %TRUE when that blocked the address and 429 has been sent
 */
gboolean
sc_web_auth_record_failure (ScWebAuth *self, SoupServerMessage *msg)
{
  if (!sc_auth_limiter_record_failure (self->limiter, remote_host (msg),
                                       sc_clock_now_us (self->clock)))
    return FALSE;
  sc_web_auth_check_not_blocked (self, msg);
  return TRUE;
}

static void
refuse_key (ScWebAuth *self, SoupServerMessage *msg, gboolean was_sent)
{
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "WWW-Authenticate",
                                "Bearer realm=\"slotcast\"");
  if (!was_sent)
    {
      sc_http_send_error (msg, SOUP_STATUS_UNAUTHORIZED, "missing_key",
                          "Send an API key: Authorization: Bearer KEY");
      return;
    }
  /* Already blocked: 429, and no more counting or logging. */
  if (!sc_web_auth_check_not_blocked (self, msg))
    return;
  self->metrics->bad_keys++;
  g_message ("Bad API key from %s", remote_host (msg));
  if (sc_web_auth_record_failure (self, msg))
    return;
  sc_http_send_error (msg, SOUP_STATUS_UNAUTHORIZED, "bad_key",
                      "The API key is not valid");
}

/* The key the request presents, or NULL once 401 (no key) has been sent.
 * A valid key is never refused for its address: the bad-key limit counts
 * and blocks only requests whose credential is bad (a node behind the
 * same NAT as a key-guesser keeps working). */
static const char *
presented_key (ScWebAuth *self, SoupServerMessage *msg)
{
  const char *key;

  key = bearer_key (msg);
  if (key == NULL || key[0] == '\0')
    {
      refuse_key (self, msg, FALSE);
      return NULL;
    }
  return key;
}

/* The web UI's way in: the session cookie, and the CSRF token for a
 * request that changes something (sc-api-session.c). */
static ScUser *
authenticate_session (ScWebAuth *self, SoupServerMessage *msg,
                      const char *token)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ScUser) user = NULL;

  user = sc_db_find_user_by_session (
      self->db, token, sc_clock_now_us (self->clock), NULL, &error);
  if (error != NULL)
    {
      sc_http_send_db_error (msg, error);
      return NULL;
    }
  if (user == NULL)
    {
      if (sc_web_auth_check_not_blocked (self, msg))
        sc_http_send_error (msg, SOUP_STATUS_UNAUTHORIZED, "no_session",
                            "Your session has ended; log in again");
      return NULL;
    }
  if (!sc_web_session_check_csrf (msg, token))
    return NULL;
  return g_steal_pointer (&user);
}

/**
 * sc_web_auth_user:
 *
 * Takes an API key (`Authorization: Bearer`) or, without one, the web UI's
 * session cookie.
 *
 * Returns: (transfer full) (nullable): the user whose API key the request
 *   carries, or %NULL after sending 401, 429 or 500
 */
ScUser *
sc_web_auth_user (ScWebAuth *self, SoupServerMessage *msg)
{
  g_autoptr (GError) error = NULL;
  const char *key;
  ScUser *user;

  if (bearer_key (msg) == NULL)
    {
      g_autofree char *token = sc_web_session_dup_cookie (msg);

      if (token != NULL)
        return authenticate_session (self, msg, token);
    }
  if ((key = presented_key (self, msg)) == NULL)
    return NULL;
  user = sc_db_find_user_by_key (self->db, key, &error);
  if (error != NULL)
    {
      sc_http_send_db_error (msg, error);
      return NULL;
    }
  if (user == NULL)
    refuse_key (self, msg, TRUE);
  return user;
}

/**
 * sc_web_auth_node:
 * @out_user: (out) (transfer full): the operator, when an operator's API
 *   key was sent instead of a node key
 *
 * Returns: (transfer full) (nullable): the node whose key the request
 *   carries; %NULL with *@out_user set for an operator; %NULL with both
 *   unset after sending 401, 403, 429 or 500
 */
ScNode *
sc_web_auth_node (ScWebAuth *self, SoupServerMessage *msg, ScUser **out_user)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ScUser) user = NULL;
  const char *key;
  ScNode *node;

  *out_user = NULL;
  if ((key = presented_key (self, msg)) == NULL)
    return NULL;
  node = sc_db_find_node_by_key (self->db, key, &error);
  if (node == NULL && error == NULL)
    user = sc_db_find_user_by_key (self->db, key, &error);
  if (error != NULL)
    {
      sc_http_send_db_error (msg, error);
      return NULL;
    }
  if (node != NULL)
    return node;
  if (user == NULL)
    {
      refuse_key (self, msg, TRUE);
      return NULL;
    }
  if (user->role != SC_ROLE_OPERATOR)
    {
      sc_http_send_error (msg, SOUP_STATUS_FORBIDDEN, "forbidden",
                          "Only ingest nodes and operators may ask this");
      return NULL;
    }
  *out_user = g_steal_pointer (&user);
  return NULL;
}
