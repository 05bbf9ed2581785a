/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * What every strict reader of a wire format asks of a JSON object (the
 * ticket, the feed's page, a registration, a booking request, a node's
 * report): a member of one type or nothing, an integer in a range, and no
 * member but the known ones.
 */

#include "config.h"

#include "sc-json.h"

#include <string.h>

/**
 * sc_json_value_of:
 *
 * Returns: (transfer none) (nullable): the member @name of @object if it
 *   is a value of @type, else %NULL (missing, null, another type)
 */
JsonNode *
sc_json_value_of (JsonObject *object, const char *name, GType type)
{
  JsonNode *n = json_object_get_member (object, name);

  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n)
      || json_node_get_value_type (n) != type)
    return NULL;
  return n;
}

/**
 * sc_json_string_of:
 *
 * Returns: (transfer none) (nullable): the string member @name, or %NULL
 */
const char *
sc_json_string_of (JsonObject *object, const char *name)
{
  JsonNode *n = sc_json_value_of (object, name, G_TYPE_STRING);

  return n != NULL ? json_node_get_string (n) : NULL;
}

/**
 * sc_json_int_of:
 *
 * Returns: whether the member @name is an integer from @min to @max, set
 *   in @out
 */
gboolean
sc_json_int_of (JsonObject *object, const char *name, gint64 min, gint64 max,
                gint64 *out)
{
  JsonNode *n = sc_json_value_of (object, name, G_TYPE_INT64);

  if (n == NULL || json_node_get_int (n) < min || json_node_get_int (n) > max)
    return FALSE;
  *out = json_node_get_int (n);
  return TRUE;
}

/**
 * sc_json_check_only:
 * @allowed: %NULL-terminated member names
 *
 * Returns: whether every member of @object is one of @allowed; if not,
 *   %FALSE with @error (@domain, @code) "NAME: unknown field", the name
 *   cut to 64 bytes and made valid UTF-8
 */
gboolean
sc_json_check_only (JsonObject *object, const char *const *allowed,
                    GQuark domain, gint code, GError **error)
{
  JsonObjectIter iter;
  const char *name;

  json_object_iter_init (&iter, object);
  while (json_object_iter_next (&iter, &name, NULL))
    if (!g_strv_contains (allowed, name))
      {
        g_autofree char *shown = g_utf8_make_valid (name, strnlen (name, 64));

        g_set_error (error, domain, code, "%s: unknown field", shown);
        return FALSE;
      }
  return TRUE;
}
