/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define SC_REGISTRATION_ERROR (sc_registration_error_quark ())
GQuark sc_registration_error_quark (void);

typedef enum
{
  SC_REGISTRATION_ERROR_INVALID,
} ScRegistrationError;

/**
 * ScRegistration:
 *
 * Where an ingest node that runs apart can be reached: the body of
 * `POST /api/v1/ingest/register`.
 */
typedef struct
{
  char *name;
  char *public_host;
  int rtsp_port; /* 1–65535 */
  int rtmp_port; /* 0 (none) – 65535 */
} ScRegistration;

JsonNode *sc_registration_to_json (const ScRegistration *self);
ScRegistration *sc_registration_from_json (JsonNode *json, GError **error);
void sc_registration_free (ScRegistration *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScRegistration, sc_registration_free)

G_END_DECLS
