/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The web UI's session on the wire: the cookie `slotcast_session` and the
 * CSRF token that goes with it.
 *
 * The cookie carries a 256-bit token made at each login (sc-api-session.c);
 * it is HttpOnly, SameSite=Strict, Path=/, host-only, Secure under TLS.
 * The CSRF token is HMAC-SHA256(session token, "slotcast-csrf"): the page
 * gets it with its session and sends it back in `X-CSRF-Token` with every
 * request that changes something. Nothing needs storing, and a page of
 * another origin can read neither the cookie nor the token.
 */

#include "config.h"

#include "sc-web-session.h"

#include "sc-http.h"

#include <openssl/crypto.h>
#include <string.h>

#define COOKIE_NAME "slotcast_session"
#define CSRF_HEADER "X-CSRF-Token"
#define CSRF_CONTEXT "slotcast-csrf"

/**
 * sc_web_session_dup_cookie:
 *
 * Returns: (transfer full) (nullable): the session token of @msg's
 *   `Cookie` header
 */
char *
sc_web_session_dup_cookie (SoupServerMessage *msg)
{
  const char *header = soup_message_headers_get_one (
      soup_server_message_get_request_headers (msg), "Cookie");
  g_autoptr (GHashTable) cookies = NULL;
  const char *token;

  if (header == NULL)
    return NULL;
  cookies = soup_header_parse_semi_param_list (header);
  token = g_hash_table_lookup (cookies, COOKIE_NAME);
  return token != NULL && token[0] != '\0' ? g_strdup (token) : NULL;
}

/**
 * sc_web_session_set_cookie:
 * @token: the session token, "" to clear the cookie (with @max_age_s 0)
 * @secure: whether the cookie goes over TLS only
 */
void
sc_web_session_set_cookie (SoupServerMessage *msg, const char *token,
                           int max_age_s, gboolean secure)
{
  g_autofree char *pair = g_strconcat (COOKIE_NAME "=", token, NULL);
  /* Parsed rather than soup_cookie_new(), which insists on a domain: the
   * cookie stays host-only. */
  g_autoptr (SoupCookie) cookie = soup_cookie_parse (pair, NULL);
  g_autofree char *header = NULL;

  soup_cookie_set_path (cookie, "/");
  soup_cookie_set_max_age (cookie, max_age_s);
  soup_cookie_set_http_only (cookie, TRUE);
  soup_cookie_set_secure (cookie, secure);
  soup_cookie_set_same_site_policy (cookie, SOUP_SAME_SITE_POLICY_STRICT);
  header = soup_cookie_to_set_cookie_header (cookie);
  soup_message_headers_append (soup_server_message_get_response_headers (msg),
                               "Set-Cookie", header);
}

/**
 * sc_web_session_csrf_for:
 *
 * Returns: (transfer full): the CSRF token that goes with @token
 */
char *
sc_web_session_csrf_for (const char *token)
{
  return g_compute_hmac_for_string (G_CHECKSUM_SHA256, (const guchar *)token,
                                    strlen (token), CSRF_CONTEXT, -1);
}

/**
 * sc_web_session_check_csrf:
 *
 * Returns: whether @msg carries the CSRF token of the session @token (a
 *   request that changes nothing needs none); 403 has been sent otherwise
 */
gboolean
sc_web_session_check_csrf (SoupServerMessage *msg, const char *token)
{
  const char *method = soup_server_message_get_method (msg);
  const char *sent = soup_message_headers_get_one (
      soup_server_message_get_request_headers (msg), CSRF_HEADER);
  g_autofree char *want = NULL;

  if (strcmp (method, "GET") == 0 || strcmp (method, "HEAD") == 0)
    return TRUE;
  want = sc_web_session_csrf_for (token);
  if (sent != NULL && strlen (sent) == strlen (want)
      && CRYPTO_memcmp (sent, want, strlen (want)) == 0)
    return TRUE;
  sc_http_send_error (msg, SOUP_STATUS_FORBIDDEN, "csrf",
                      "Requests that change something need the " CSRF_HEADER
                      " header of your session; reload the page");
  return FALSE;
}
