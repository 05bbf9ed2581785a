/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define SC_AMF0_ERROR (sc_amf0_error_quark ())
GQuark sc_amf0_error_quark (void);

typedef enum
{
  SC_AMF0_ERROR_TRUNCATED,
  SC_AMF0_ERROR_INVALID,
  SC_AMF0_ERROR_TOO_COMPLEX,
  SC_AMF0_ERROR_UNSUPPORTED,
} ScAmf0Error;

/* Nesting and value-count bounds of one decode. */
#define SC_AMF0_MAX_DEPTH 16
#define SC_AMF0_MAX_VALUES 4096

JsonNode *sc_amf0_decode (const guint8 *data, gsize size, gsize *consumed,
                          GError **error);
GPtrArray *sc_amf0_decode_all (const guint8 *data, gsize size, GError **error);

const char *sc_amf0_get_string (JsonNode *node);
gboolean sc_amf0_get_number (JsonNode *node, double *out);
JsonNode *sc_amf0_get_member (JsonNode *node, const char *name);

void sc_amf0_put_number (GByteArray *out, double value);
void sc_amf0_put_boolean (GByteArray *out, gboolean value);
void sc_amf0_put_string (GByteArray *out, const char *value);
void sc_amf0_put_null (GByteArray *out);
void sc_amf0_put_object_begin (GByteArray *out);
void sc_amf0_put_key (GByteArray *out, const char *key);
void sc_amf0_put_object_end (GByteArray *out);

G_END_DECLS
