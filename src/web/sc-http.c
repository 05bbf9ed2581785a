/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * HTTP helpers shared by the API handlers: JSON responses, the error body
 * `{"error": {"code", "message"}}`, strict request-body and query parsing.
 *
 * The readers send the error response themselves and return %FALSE/%NULL,
 * so a handler only has to return: malformed JSON is 400, a missing or
 * wrong-typed field is 422 naming the field.
 */

#include "config.h"

#include "sc-http.h"

#include "sc-clock.h"

#include <stdarg.h>
#include <string.h>

/**
 * sc_http_send_json:
 * @content_type: (nullable): defaults to application/json
 *
 * Sets @node as the response body with @status.
 */
void
sc_http_send_json (SoupServerMessage *msg, guint status, JsonNode *node,
                   const char *content_type)
{
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  char *body;
  gsize len = 0;

  json_generator_set_root (gen, node);
  body = json_generator_to_data (gen, &len);
  /* libsoup 3.2 has no phrase for 429. */
  soup_server_message_set_status (msg, status,
                                  status == 429 ? "Too Many Requests" : NULL);
  soup_server_message_set_response (
      msg, content_type != NULL ? content_type : "application/json",
      SOUP_MEMORY_TAKE, body, len);
}

void
sc_http_send_error (SoupServerMessage *msg, guint status, const char *code,
                    const char *format, ...)
{
  g_autoptr (JsonBuilder) b = json_builder_new_immutable ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "error");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "code");
  json_builder_add_string_value (b, code);
  json_builder_set_member_name (b, "message");
  json_builder_add_string_value (b, message);
  json_builder_end_object (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  sc_http_send_json (msg, status, root, NULL);
}

/**
 * sc_http_send_db_error:
 *
 * Logs @error and answers 500 without telling the client more.
 */
void
sc_http_send_db_error (SoupServerMessage *msg, const GError *error)
{
  g_warning ("Database error: %s", error->message);
  sc_http_send_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "internal",
                      "The server could not complete the request");
}

/**
 * sc_http_require_path:
 * @path: the request's path
 * @want: the one path the handler serves
 *
 * libsoup hands a handler every path below its own; this refuses the rest.
 *
 * Returns: whether @path is @want; if not, 404 has been set
 */
gboolean
sc_http_require_path (SoupServerMessage *msg, const char *path,
                      const char *want)
{
  if (strcmp (path, want) == 0)
    return TRUE;
  sc_http_send_error (msg, SOUP_STATUS_NOT_FOUND, "not_found",
                      "Nothing at this path");
  return FALSE;
}

/**
 * sc_http_require_method:
 * @allow: the first allowed method, then more, then %NULL
 *
 * Returns: whether the request's method is allowed; if not, 405 with an
 *   Allow header has been set
 */
gboolean
sc_http_require_method (SoupServerMessage *msg, const char *allow, ...)
{
  const char *method = soup_server_message_get_method (msg);
  g_autoptr (GString) list = g_string_new (NULL);
  va_list args;
  gboolean found = FALSE;

  va_start (args, allow);
  for (const char *m = allow; m != NULL; m = va_arg (args, const char *))
    {
      if (strcmp (m, method) == 0)
        found = TRUE;
      if (list->len > 0)
        g_string_append (list, ", ");
      g_string_append (list, m);
    }
  va_end (args);
  if (found)
    return TRUE;
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Allow", list->str);
  sc_http_send_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "method_not_allowed",
                      "%s is not allowed here (use %s)", method, list->str);
  return FALSE;
}

/**
 * sc_http_read_json_object:
 *
 * Parses the request body as one JSON object. The body size was bounded
 * before it was read (see ScWebServer's early handler).
 *
 * Returns: (transfer full) (nullable): the object, or %NULL with 400 sent
 */
/* 9999-01-01T00:00:00Z */
#define MAX_QUERY_TIME_US (G_GINT64_CONSTANT (253370764800) * G_USEC_PER_SEC)

/* Whether @data has the escape \u0000 in a string: json-glib decodes it to
 * a NUL, and every C string then ends there ("ab\u0000cd" would book
 * "ab"). An escaped backslash before "u0000" is no such escape. */
static gboolean
has_nul_escape (const char *data, gsize len)
{
  for (const char *p = data; (p = memmem (p, data + len - p, "u0000", 5));
       p += 5)
    {
      gsize slashes = 0;

      while (p - slashes > data && p[-1 - (gssize)slashes] == '\\')
        slashes++;
      if (slashes % 2 == 1)
        return TRUE;
    }
  return FALSE;
}

JsonObject *
sc_http_read_json_object (SoupServerMessage *msg)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr (GBytes) bytes = soup_message_body_flatten (body);
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  g_autoptr (GError) error = NULL;
  gsize len = 0;
  const char *data = g_bytes_get_data (bytes, &len);
  JsonNode *root;

  if (len == 0)
    {
      sc_http_send_error (msg, SOUP_STATUS_BAD_REQUEST, "bad_request",
                          "The request needs a JSON object as its body");
      return NULL;
    }
  if (!g_utf8_validate (data, len, NULL))
    {
      sc_http_send_error (msg, SOUP_STATUS_BAD_REQUEST, "bad_request",
                          "The body is not UTF-8");
      return NULL;
    }
  if (!json_parser_load_from_data (parser, data, len, &error))
    {
      sc_http_send_error (msg, SOUP_STATUS_BAD_REQUEST, "bad_json",
                          "The body is not valid JSON: %s", error->message);
      return NULL;
    }
  if (has_nul_escape (data, len))
    {
      sc_http_send_error (msg, SOUP_STATUS_BAD_REQUEST, "bad_json",
                          "Strings must not contain \\u0000");
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      sc_http_send_error (msg, SOUP_STATUS_BAD_REQUEST, "bad_json",
                          "The body must be a JSON object");
      return NULL;
    }
  return json_object_ref (json_node_get_object (root));
}

/**
 * sc_http_printable:
 * @max: the most bytes to take from @text
 *
 * Returns: (transfer full): @text cut to @max bytes and made valid UTF-8,
 *   for messages and logs
 */
char *
sc_http_printable (const char *text, size_t max)
{
  return g_utf8_make_valid (text, strnlen (text, max));
}

static void
send_invalid (SoupServerMessage *msg, const char *field, const char *what)
{
  sc_http_send_error (msg, SOUP_STATUS_UNPROCESSABLE_ENTITY, "invalid_field",
                      "%s: %s", field, what);
}

/**
 * sc_json_check_members:
 * @allowed: %NULL-terminated member names
 *
 * Returns: whether every member of @object is one of @allowed; if not, 422
 *   naming the first stranger has been sent
 */
gboolean
sc_json_check_members (SoupServerMessage *msg, JsonObject *object,
                       const char *const *allowed)
{
  JsonObjectIter iter;
  const char *name;

  json_object_iter_init (&iter, object);
  while (json_object_iter_next (&iter, &name, NULL))
    {
      if (!g_strv_contains (allowed, name))
        {
          g_autofree char *shown = sc_http_printable (name, 64);
          send_invalid (msg, shown, "unknown field");
          return FALSE;
        }
    }
  return TRUE;
}

/**
 * sc_json_get_string:
 * @out: (out) (transfer none): the value, %NULL when absent and optional
 *
 * Returns: %FALSE with 422 sent when the member is missing though
 *   @required, or not a string
 */
gboolean
sc_json_get_string (SoupServerMessage *msg, JsonObject *object,
                    const char *name, gboolean required, const char **out)
{
  JsonNode *node = json_object_get_member (object, name);

  *out = NULL;
  if (node == NULL || (!required && JSON_NODE_HOLDS_NULL (node)))
    {
      if (!required)
        return TRUE;
      send_invalid (msg, name, "is required");
      return FALSE;
    }
  if (!JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      send_invalid (msg, name, "must be a string");
      return FALSE;
    }
  *out = json_node_get_string (node);
  return TRUE;
}

/**
 * sc_json_get_time:
 *
 * Reads a required RFC 3339 member.
 */
gboolean
sc_json_get_time (SoupServerMessage *msg, JsonObject *object, const char *name,
                  gint64 *out)
{
  const char *text;

  if (!sc_json_get_string (msg, object, name, TRUE, &text))
    return FALSE;
  if (!sc_time_parse (text, out))
    {
      send_invalid (msg, name,
                    "must be an RFC 3339 time with an offset, like "
                    "2026-11-24T10:00:00Z");
      return FALSE;
    }
  return TRUE;
}

/**
 * sc_query_get_time:
 *
 * Reads an optional RFC 3339 query parameter; 400 when malformed.
 */
gboolean
sc_query_get_time (SoupServerMessage *msg, GHashTable *query, const char *name,
                   gint64 fallback, gint64 *out)
{
  const char *text = query != NULL ? g_hash_table_lookup (query, name) : NULL;

  if (text == NULL || text[0] == '\0')
    {
      *out = fallback;
      return TRUE;
    }
  if (!sc_time_parse (text, out))
    {
      sc_http_send_error (msg, SOUP_STATUS_BAD_REQUEST, "bad_query",
                          "%s: must be an RFC 3339 time with an offset, like "
                          "2026-11-24T10:00:00Z",
                          name);
      return FALSE;
    }
  /* Windows end a range later; past year 9998 they could not be written
   * back (GDateTime stops at 9999). */
  if (*out < 0 || *out >= MAX_QUERY_TIME_US)
    {
      sc_http_send_error (msg, SOUP_STATUS_BAD_REQUEST, "bad_query",
                          "%s: must be between 1970 and 9998", name);
      return FALSE;
    }
  return TRUE;
}

gboolean
sc_query_get_int (SoupServerMessage *msg, GHashTable *query, const char *name,
                  int min, int max, int fallback, int *out)
{
  const char *text = query != NULL ? g_hash_table_lookup (query, name) : NULL;
  gint64 n;

  if (text == NULL || text[0] == '\0')
    {
      *out = fallback;
      return TRUE;
    }
  if (!g_ascii_string_to_signed (text, 10, min, max, &n, NULL))
    {
      sc_http_send_error (msg, SOUP_STATUS_BAD_REQUEST, "bad_query",
                          "%s: must be a whole number from %d to %d", name, min,
                          max);
      return FALSE;
    }
  *out = (int)n;
  return TRUE;
}
