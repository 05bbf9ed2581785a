/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * A node's registration on the wire (`POST /api/v1/ingest/register`), its
 * writer (the node, sc-node-registration.c) and its reader (the booking
 * service, sc-api-ingest.c) side by side:
 *
 *   {"name": "edge-1", "public_host": "ingest.example.org",
 *    "rtsp_port": 8554, "rtmp_port": 1935}
 *
 * The reader is strict: these four members and no other, a host a ticket
 * can carry (sc_url_host_valid()), ports in range. Fuzzed by fuzz-parsers.
 */

#include "config.h"

#include "sc-registration.h"

#include "sc-json.h"
#include "sc-ticket.h"
#include "sc-user.h"

/* The quark's name is one token: clang-format would space it out. */
/* clang-format off */
G_DEFINE_QUARK (sc-registration-error-quark, sc_registration_error)
/* clang-format on */

void
sc_registration_free (ScRegistration *self)
{
  if (self == NULL)
    return;
  g_free (self->name);
  g_free (self->public_host);
  g_free (self);
}

/**
 * sc_registration_to_json:
 *
 * Returns: (transfer full): @self as the node sends it
 */
JsonNode *
sc_registration_to_json (const ScRegistration *self)
{
  g_autoptr (JsonBuilder) b = json_builder_new_immutable ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, self->name);
  json_builder_set_member_name (b, "public_host");
  json_builder_add_string_value (b, self->public_host);
  json_builder_set_member_name (b, "rtsp_port");
  json_builder_add_int_value (b, self->rtsp_port);
  json_builder_set_member_name (b, "rtmp_port");
  json_builder_add_int_value (b, self->rtmp_port);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static gpointer
invalid (GError **error, const char *field, const char *why)
{
  g_set_error (error, SC_REGISTRATION_ERROR, SC_REGISTRATION_ERROR_INVALID,
               "%s: %s", field, why);
  return NULL;
}

/**
 * sc_registration_from_json:
 *
 * Returns: (transfer full) (nullable): the registration, or %NULL with
 *   @error saying which field is wrong ("FIELD: why")
 */
ScRegistration *
sc_registration_from_json (JsonNode *json, GError **error)
{
  static const char *const members[]
      = { "name", "public_host", "rtsp_port", "rtmp_port", NULL };
  g_autoptr (ScRegistration) r = g_new0 (ScRegistration, 1);
  JsonObject *o = json != NULL && JSON_NODE_HOLDS_OBJECT (json)
                      ? json_node_get_object (json)
                      : NULL;
  const char *name, *host;
  gint64 rtsp, rtmp;

  if (o == NULL)
    return invalid (error, "body", "must be a JSON object");
  if (!sc_json_check_only (o, members, SC_REGISTRATION_ERROR,
                           SC_REGISTRATION_ERROR_INVALID, error))
    return NULL;
  if ((name = sc_json_string_of (o, "name")) == NULL
      || !sc_user_name_valid (name))
    return invalid (error, "name", "must be a node name");
  if ((host = sc_json_string_of (o, "public_host")) == NULL
      || !sc_url_host_valid (host))
    return invalid (error, "public_host",
                    "must be a host name or an IP address");
  if (!sc_json_int_of (o, "rtsp_port", 1, 65535, &rtsp))
    return invalid (error, "rtsp_port",
                    "must be a port number from 1 to 65535");
  if (!sc_json_int_of (o, "rtmp_port", 0, 65535, &rtmp))
    return invalid (error, "rtmp_port",
                    "must be a port number from 0 to 65535");
  r->rtsp_port = (int)rtsp;
  r->rtmp_port = (int)rtmp;
  r->name = g_strdup (name);
  r->public_host = g_strdup (host);
  return g_steal_pointer (&r);
}
