/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * An ingest node that runs apart from the booking service (`slotcast
 * ingest`) registers with it at start (`POST /api/v1/ingest/register` with
 * the node key), once, before its main loop runs, so that tickets carry the
 * host and the ports really in use. Admission itself is the node's own
 * (ScNodeSchedule, kept by ScReservationSync): no question goes out per
 * publisher.
 */

#include "config.h"

#include "sc-node-registration.h"

#include "sc-registration.h"

#include <json-glib/json-glib.h>
#include <string.h>

/**
 * sc_node_register:
 *
 * Tells the booking service where this node can be reached.
 */
gboolean
sc_node_register (ScApiClient *client, const char *name,
                  const char *public_host, int rtsp_port, int rtmp_port,
                  GError **error)
{
  ScRegistration r
      = { (char *)name, (char *)public_host, rtsp_port, rtmp_port };
  g_autoptr (JsonNode) root = sc_registration_to_json (&r);
  g_autoptr (GBytes) body = NULL;
  g_autoptr (GBytes) answer = NULL;
  g_autoptr (GError) local = NULL;
  char *text;

  text = json_to_string (root, FALSE);
  body = g_bytes_new_take (text, strlen (text));
  answer = sc_api_client_call (client, "POST", "/api/v1/ingest/register", body,
                               NULL, &local);
  if (answer == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "The booking service did not register this node: %s",
                   local->message);
      return FALSE;
    }
  return TRUE;
}
