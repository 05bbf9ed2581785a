/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define SC_SETTINGS_ERROR (sc_settings_error_quark ())
GQuark sc_settings_error_quark (void);

typedef enum
{
  SC_SETTINGS_ERROR_UNKNOWN_KEY,
  SC_SETTINGS_ERROR_BAD_VALUE,
  SC_SETTINGS_ERROR_FILE,
} ScSettingsError;

typedef enum
{
  SC_SYNCHRONOUS_NORMAL,
  SC_SYNCHRONOUS_FULL,
} ScSynchronous;

/**
 * ScSettings:
 *
 * Every setting of Slotcast, one field per key of the table in
 * sc-settings.c. Read the fields directly; change them only through
 * sc_settings_set() so values stay validated. Reference counted (atomic).
 */
typedef struct _ScSettings
{
  /* [server] */
  char *data_dir;
  /* [http] */
  char *bind;
  int http_port;
  gboolean tls;
  char *tls_cert;
  char *tls_key;
  int max_body_bytes;
  int http_max_connections;
  int http_max_per_address;
  int http_header_timeout_s;
  int http_keepalive_timeout_s;
  int http_request_timeout_s;
  int auth_fail_limit;
  int auth_fail_window_s;
  int auth_block_s;
  int session_lifetime_s;
  /* [node] */
  char *node_name;
  char *public_host;
  int rtsp_port;
  int rtmp_port;
  int capacity;
  char *dial_in;
  /* [rtsp] */
  gboolean rtsp_direct_send;
  int rtsp_max_connections;
  int rtsp_max_per_address;
  int rtsp_setup_timeout_s;
  /* [rtmp] */
  int rtmp_max_connections;
  int rtmp_max_per_address;
  int rtmp_max_message_bytes;
  int rtmp_timeout_s;
  /* [booking] */
  int admit_early_s;
  int grace_s;
  int min_length_s;
  int max_length_s;
  int past_slack_s;
  int list_limit;
  int horizon_days;
  int max_open_per_user;
  int max_hours_per_user;
  /* [database] */
  ScSynchronous synchronous;

  /*< private >*/
  GPtrArray *pending; /* "group.key", value, ... from the command line */
} ScSettings;

ScSettings *sc_settings_new (void);
ScSettings *sc_settings_ref (ScSettings *self);
void sc_settings_unref (ScSettings *self);

gboolean sc_settings_set (ScSettings *self, const char *group, const char *key,
                          const char *value, GError **error);
gboolean sc_settings_load_keyfile (ScSettings *self, GKeyFile *keyfile,
                                   const char *origin, GError **error);
GOptionGroup *sc_settings_get_option_group (ScSettings *self);
gboolean sc_settings_load (ScSettings *self, const char *config_file,
                           GError **error);
char *sc_settings_to_text (ScSettings *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScSettings, sc_settings_unref)

G_END_DECLS
