/* SPDX-License-Identifier: LGPL-2.1-or-later */

/**
 * SECTION:sc-amf0
 *
 * AMF0 (Action Message Format 0, Adobe's AMF0 specification), the encoding
 * of RTMP commands and of FLV metadata, as JSON values: numbers and dates
 * become doubles, strings valid UTF-8 strings, objects, ECMA arrays and
 * typed objects JSON objects, strict arrays arrays, null and undefined
 * null. References, AMF3 switches and unknown markers are refused. Input is
 * untrusted network data: every length is checked against what is left,
 * nesting and the number of values are bounded, and nothing is allocated
 * before the bytes it describes are there.
 *
 * The writers encode the few shapes the server sends.
 */

#include "config.h"

#include "sc-amf0.h"

#include <string.h>

/* The quark's name is one token: clang-format would space it out. */
/* clang-format off */
G_DEFINE_QUARK (sc-amf0-error-quark, sc_amf0_error)
/* clang-format on */

enum
{
  MARKER_NUMBER = 0x00,
  MARKER_BOOLEAN = 0x01,
  MARKER_STRING = 0x02,
  MARKER_OBJECT = 0x03,
  MARKER_MOVIECLIP = 0x04,
  MARKER_NULL = 0x05,
  MARKER_UNDEFINED = 0x06,
  MARKER_REFERENCE = 0x07,
  MARKER_ECMA_ARRAY = 0x08,
  MARKER_OBJECT_END = 0x09,
  MARKER_STRICT_ARRAY = 0x0a,
  MARKER_DATE = 0x0b,
  MARKER_LONG_STRING = 0x0c,
  MARKER_UNSUPPORTED = 0x0d,
  MARKER_RECORDSET = 0x0e,
  MARKER_XML_DOCUMENT = 0x0f,
  MARKER_TYPED_OBJECT = 0x10,
  MARKER_AVMPLUS = 0x11,
};

typedef struct
{
  const guint8 *p;
  const guint8 *end;
  guint values;
} Reader;

static gboolean
fail (GError **error, ScAmf0Error code, const char *message)
{
  g_set_error_literal (error, SC_AMF0_ERROR, code, message);
  return FALSE;
}

static gboolean
need (Reader *r, gsize n, GError **error)
{
  if ((gsize)(r->end - r->p) < n)
    return fail (error, SC_AMF0_ERROR_TRUNCATED, "AMF0 value is truncated");
  return TRUE;
}

static guint32
get_be (Reader *r, guint n)
{
  guint32 v = 0;

  for (guint i = 0; i < n; i++)
    v = v << 8 | *r->p++;
  return v;
}

static double
get_double (Reader *r)
{
  guint64 bits = 0;
  double v;

  for (guint i = 0; i < 8; i++)
    bits = bits << 8 | *r->p++;
  memcpy (&v, &bits, sizeof v);
  return v;
}

/* A UTF-8 copy of @n bytes; invalid sequences are replaced. */
static char *
take_string (Reader *r, gsize n)
{
  g_autofree char *raw = g_strndup ((const char *)r->p, n);

  r->p += n;
  /* g_strndup stops at a NUL: what follows it is dropped, never read past. */
  return g_utf8_make_valid (raw, -1);
}

static gboolean
read_string (Reader *r, guint length_bytes, char **out, GError **error)
{
  gsize n;

  if (!need (r, length_bytes, error))
    return FALSE;
  n = get_be (r, length_bytes);
  if (!need (r, n, error))
    return FALSE;
  *out = take_string (r, n);
  return TRUE;
}

static JsonNode *read_value (Reader *r, guint depth, GError **error);

/* Key/value pairs up to the empty key and object-end marker. */
static JsonNode *
read_properties (Reader *r, guint depth, GError **error)
{
  g_autoptr (JsonObject) object = json_object_new ();
  JsonNode *node;

  for (;;)
    {
      g_autofree char *key = NULL;
      JsonNode *value;

      if (!read_string (r, 2, &key, error))
        return NULL;
      if (key[0] == '\0')
        {
          if (!need (r, 1, error))
            return NULL;
          if (*r->p++ != MARKER_OBJECT_END)
            {
              fail (error, SC_AMF0_ERROR_INVALID,
                    "AMF0 object has an empty key");
              return NULL;
            }
          break;
        }
      if ((value = read_value (r, depth + 1, error)) == NULL)
        return NULL;
      json_object_set_member (object, key, value);
    }
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (node, object);
  return node;
}

static JsonNode *
read_value (Reader *r, guint depth, GError **error)
{
  g_autofree char *s = NULL;
  JsonNode *node;
  guint8 marker;

  if (depth > SC_AMF0_MAX_DEPTH)
    {
      fail (error, SC_AMF0_ERROR_TOO_COMPLEX, "AMF0 value is nested too deep");
      return NULL;
    }
  if (++r->values > SC_AMF0_MAX_VALUES)
    {
      fail (error, SC_AMF0_ERROR_TOO_COMPLEX, "AMF0 data has too many values");
      return NULL;
    }
  if (!need (r, 1, error))
    return NULL;
  marker = *r->p++;
  switch (marker)
    {
      case MARKER_NUMBER:
      case MARKER_DATE:
        if (!need (r, marker == MARKER_DATE ? 10 : 8, error))
          return NULL;
        node = json_node_init_double (json_node_alloc (), get_double (r));
        if (marker == MARKER_DATE)
          r->p += 2; /* time zone, reserved */
        return node;
      case MARKER_BOOLEAN:
        if (!need (r, 1, error))
          return NULL;
        return json_node_init_boolean (json_node_alloc (), *r->p++ != 0);
      case MARKER_STRING:
      case MARKER_LONG_STRING:
      case MARKER_XML_DOCUMENT:
        if (!read_string (r, marker == MARKER_STRING ? 2 : 4, &s, error))
          return NULL;
        return json_node_init_string (json_node_alloc (), s);
      case MARKER_NULL:
      case MARKER_UNDEFINED:
      case MARKER_UNSUPPORTED:
        return json_node_init_null (json_node_alloc ());
      case MARKER_OBJECT:
        return read_properties (r, depth, error);
      case MARKER_TYPED_OBJECT:
        if (!read_string (r, 2, &s, error)) /* class name */
          return NULL;
        return read_properties (r, depth, error);
      case MARKER_ECMA_ARRAY:
        /* The count is a hint only; the end marker ends it. */
        if (!need (r, 4, error))
          return NULL;
        r->p += 4;
        return read_properties (r, depth, error);
      case MARKER_STRICT_ARRAY:
        {
          g_autoptr (JsonArray) array = NULL;
          guint32 count;

          if (!need (r, 4, error))
            return NULL;
          count = get_be (r, 4);
          /* Every value takes at least its marker byte. */
          if (!need (r, count, error))
            return NULL;
          array = json_array_sized_new (MIN (count, 64));
          for (guint32 i = 0; i < count; i++)
            {
              JsonNode *v = read_value (r, depth + 1, error);

              if (v == NULL)
                return NULL;
              json_array_add_element (array, v);
            }
          node = json_node_new (JSON_NODE_ARRAY);
          json_node_set_array (node, array);
          return node;
        }
      case MARKER_REFERENCE:
      case MARKER_AVMPLUS:
      case MARKER_MOVIECLIP:
      case MARKER_RECORDSET:
        fail (error, SC_AMF0_ERROR_UNSUPPORTED,
              "AMF0 references, AMF3 and reserved types are not accepted");
        return NULL;
      default:
        g_set_error (error, SC_AMF0_ERROR, SC_AMF0_ERROR_INVALID,
                     "unknown AMF0 type marker 0x%02x", marker);
        return NULL;
    }
}

/**
 * sc_amf0_decode:
 * @consumed: (out): bytes the value took
 *
 * Decodes the AMF0 value at the start of @data.
 *
 * Returns: (transfer full) (nullable): the value, or %NULL with @error set
 */
JsonNode *
sc_amf0_decode (const guint8 *data, gsize size, gsize *consumed, GError **error)
{
  Reader r = { data, data + size, 0 };
  JsonNode *node = read_value (&r, 0, error);

  if (node != NULL)
    *consumed = r.p - data;
  return node;
}

/**
 * sc_amf0_decode_all:
 *
 * Decodes a sequence of AMF0 values that fills @data, as a command or data
 * message carries.
 *
 * Returns: (transfer full) (nullable) (element-type JsonNode): the values
 */
GPtrArray *
sc_amf0_decode_all (const guint8 *data, gsize size, GError **error)
{
  g_autoptr (GPtrArray) values
      = g_ptr_array_new_with_free_func ((GDestroyNotify)json_node_unref);
  Reader r = { data, data + size, 0 };

  while (r.p < r.end)
    {
      JsonNode *v = read_value (&r, 0, error);

      if (v == NULL)
        return NULL;
      g_ptr_array_add (values, v);
    }
  return g_steal_pointer (&values);
}

/**
 * sc_amf0_get_string:
 * @node: (nullable): a decoded value
 *
 * Returns: (nullable): @node's string, or %NULL if it is something else
 */
const char *
sc_amf0_get_string (JsonNode *node)
{
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/**
 * sc_amf0_get_number:
 * @node: (nullable): a decoded value
 *
 * Returns: whether @node is a number (stored in @out)
 */
gboolean
sc_amf0_get_number (JsonNode *node, double *out)
{
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_DOUBLE)
    return FALSE;
  *out = json_node_get_double (node);
  return TRUE;
}

/**
 * sc_amf0_get_member:
 * @node: (nullable): a decoded value
 *
 * Returns: (nullable) (transfer none): member @name of @node if it is an
 *   object that has one
 */
JsonNode *
sc_amf0_get_member (JsonNode *node, const char *name)
{
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  return json_object_get_member (json_node_get_object (node), name);
}

void
sc_amf0_put_number (GByteArray *out, double value)
{
  guint8 b[9] = { MARKER_NUMBER };
  guint64 bits;

  memcpy (&bits, &value, sizeof bits);
  for (guint i = 0; i < 8; i++)
    b[1 + i] = bits >> (56 - 8 * i);
  g_byte_array_append (out, b, sizeof b);
}

void
sc_amf0_put_boolean (GByteArray *out, gboolean value)
{
  guint8 b[2] = { MARKER_BOOLEAN, value ? 1 : 0 };

  g_byte_array_append (out, b, sizeof b);
}

static void
put_utf8 (GByteArray *out, const char *s)
{
  gsize n = MIN (strlen (s), G_MAXUINT16);
  guint8 len[2] = { n >> 8, n & 0xff };

  g_byte_array_append (out, len, 2);
  g_byte_array_append (out, (const guint8 *)s, n);
}

void
sc_amf0_put_string (GByteArray *out, const char *value)
{
  guint8 marker = MARKER_STRING;

  g_byte_array_append (out, &marker, 1);
  put_utf8 (out, value);
}

void
sc_amf0_put_null (GByteArray *out)
{
  guint8 marker = MARKER_NULL;

  g_byte_array_append (out, &marker, 1);
}

void
sc_amf0_put_object_begin (GByteArray *out)
{
  guint8 marker = MARKER_OBJECT;

  g_byte_array_append (out, &marker, 1);
}

/**
 * sc_amf0_put_key:
 *
 * Writes the key of the next property of an object; its value follows.
 */
void
sc_amf0_put_key (GByteArray *out, const char *key)
{
  put_utf8 (out, key);
}

void
sc_amf0_put_object_end (GByteArray *out)
{
  static const guint8 end[3] = { 0, 0, MARKER_OBJECT_END };

  g_byte_array_append (out, end, sizeof end);
}
