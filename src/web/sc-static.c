/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The web UI's files: every path no API route claims. They come only from
 * the GResource compiled from web/ (web/web.gresource.xml), never from the
 * file system, so no path can reach outside web/: a path is looked up as a
 * resource name or answered 404. Paths with anything but [A-Za-z0-9._/-],
 * a segment starting with a dot or an empty segment are 404 before any
 * lookup (libsoup has already removed dot segments; percent-encoded ones
 * stay encoded and are refused here).
 *
 * Responses carry their content type, an ETag and `Cache-Control:
 * no-cache` (file names are not fingerprinted, so browsers revalidate and
 * get 304 while nothing changed), and a strict Content-Security-Policy:
 * scripts, styles and fetches from this origin only, no inline code, no
 * framing.
 */

#include "config.h"

#include "sc-static.h"

#include "sc-http.h"
#include "sc-web-resources.h"

#include <string.h>

#define RESOURCE_ROOT "/org/slotcast/web"
#define MAX_PATH_LEN 128

struct _ScStatic
{
  GHashTable *etags; /* resource name → its ETag */
};

#define CSP                                                                    \
  "default-src 'none'; script-src 'self'; style-src 'self'; "                  \
  "img-src 'self' data:; connect-src 'self'; font-src 'self'; "                \
  "manifest-src 'self'; base-uri 'none'; form-action 'self'; "                 \
  "frame-ancestors 'none'"

static const struct
{
  const char *suffix;
  const char *type;
} content_types[] = {
  { ".html", "text/html; charset=utf-8" },
  { ".js", "text/javascript; charset=utf-8" },
  { ".css", "text/css; charset=utf-8" },
  { ".svg", "image/svg+xml" },
  { ".png", "image/png" },
  { ".ico", "image/vnd.microsoft.icon" },
  { ".json", "application/json" },
  { ".webmanifest", "application/manifest+json" },
  { ".txt", "text/plain; charset=utf-8" },
};

static const char *
content_type_for (const char *path)
{
  for (guint i = 0; i < G_N_ELEMENTS (content_types); i++)
    if (g_str_has_suffix (path, content_types[i].suffix))
      return content_types[i].type;
  return NULL;
}

/* Whether @path may name a file of the UI at all. */
static gboolean
path_is_plain (const char *path)
{
  size_t len = strlen (path);

  if (path[0] != '/' || len > MAX_PATH_LEN)
    return FALSE;
  for (const char *p = path; *p != '\0'; p++)
    {
      if (*p == '/')
        {
          if (p[1] == '/' || p[1] == '.')
            return FALSE;
        }
      else if (!g_ascii_isalnum (*p) && *p != '.' && *p != '_' && *p != '-')
        return FALSE;
    }
  return TRUE;
}

static void
not_found (SoupServerMessage *msg)
{
  sc_http_send_error (msg, SOUP_STATUS_NOT_FOUND, "not_found",
                      "Nothing at this path");
}

static void
static_handler (SoupServer *soup, SoupServerMessage *msg, const char *path,
                GHashTable *query, gpointer data)
{
  ScStatic *self = data;
  SoupMessageHeaders *req = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *resp = soup_server_message_get_response_headers (msg);
  g_autofree char *name = NULL;
  const char *etag;
  g_autoptr (GBytes) bytes = NULL;
  const char *type, *match;

  if (strcmp (path, "/") == 0)
    path = "/index.html";
  if (!path_is_plain (path) || g_str_has_prefix (path, "/api/")
      || (type = content_type_for (path)) == NULL)
    {
      not_found (msg);
      return;
    }
  name = g_strconcat (RESOURCE_ROOT, path, NULL);
  bytes = g_resource_lookup_data (sc_web_get_resource (), name,
                                  G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
  if (bytes == NULL)
    {
      not_found (msg);
      return;
    }
  if (!sc_http_require_method (msg, "GET", "HEAD", NULL))
    return;

  etag = g_hash_table_lookup (self->etags, name);
  if (etag == NULL)
    {
      /* The files never change while the binary runs: hash each once. */
      g_autofree char *digest
          = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);

      etag = g_strdup_printf ("\"%.32s\"", digest);
      g_hash_table_insert (self->etags, g_strdup (name), (char *)etag);
    }
  soup_message_headers_replace (resp, "ETag", etag);
  soup_message_headers_replace (resp, "Cache-Control", "no-cache");
  soup_message_headers_replace (resp, "Content-Security-Policy", CSP);
  soup_message_headers_replace (resp, "X-Frame-Options", "DENY");
  soup_message_headers_replace (resp, "Referrer-Policy", "no-referrer");
  soup_message_headers_replace (resp, "Cross-Origin-Opener-Policy",
                                "same-origin");
  match = soup_message_headers_get_one (req, "If-None-Match");
  if (match != NULL && strstr (match, etag) != NULL)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_MODIFIED, NULL);
      return;
    }
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_set_content_type (resp, type, NULL);
  soup_message_body_append_bytes (soup_server_message_get_response_body (msg),
                                  bytes);
}

/**
 * sc_static_new:
 *
 * Returns: (transfer full): the web UI's files, served at every path no
 *   other route of @routes claims
 */
ScStatic *
sc_static_new (const ScWebRoutes *routes)
{
  ScStatic *self = g_new0 (ScStatic, 1);

  self->etags = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  sc_web_routes_add (routes, "/", static_handler, self);
  return self;
}

void
sc_static_free (ScStatic *self)
{
  if (self == NULL)
    return;
  g_hash_table_unref (self->etags);
  g_free (self);
}
