/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Settings: one table declares every key (group, key, type, default,
 * bounds, command-line option). The table drives the GKeyFile loader, the
 * command-line overrides, validation and --print-config, so a key exists in
 * exactly one place.
 *
 * Precedence, lowest first: the table's default, the --config file, the
 * command line. Derived defaults (data dir, public host) are resolved last.
 */

#include "config.h"

#include "sc-settings.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* The quark's name is one token: clang-format would space it out. */
/* clang-format off */
G_DEFINE_QUARK (sc-settings-error-quark, sc_settings_error)
/* clang-format on */

typedef enum
{
  TYPE_STRING,
  TYPE_INT,
  TYPE_BOOL,
  TYPE_SYNCHRONOUS,
} SettingType;

typedef struct
{
  const char *group;
  const char *key;
  SettingType type;
  size_t offset;
  const char *default_value;
  gint64 min, max;
  const char *option; /* long command-line option, or NULL */
  const char *arg_description;
  const char *description;
  const char *default_text; /* for defaults derived at load time */
} SettingSpec;

#define F(field) offsetof (ScSettings, field)

/* clang-format off */
static const SettingSpec specs[] = {
  { "server", "data-dir", TYPE_STRING, F (data_dir), "", 0, 0, "data-dir", "DIR",
    "Database, keys and recordings", "$XDG_DATA_HOME/slotcast" },
  { "http", "bind", TYPE_STRING, F (bind), "127.0.0.1", 0, 0, "bind", "ADDR",
    "Address every listener binds to" },
  { "http", "port", TYPE_INT, F (http_port), "8080", 0, 65535, "http-port", "N",
    "HTTP(S) port; 0 picks a free one" },
  { "http", "tls", TYPE_BOOL, F (tls), "false", 0, 0, "tls", NULL,
    "Serve HTTPS (a self-signed certificate is made in the data dir)" },
  { "http", "tls-cert", TYPE_STRING, F (tls_cert), "", 0, 0, "tls-cert", "FILE",
    "PEM certificate (chain) for HTTPS" },
  { "http", "tls-key", TYPE_STRING, F (tls_key), "", 0, 0, "tls-key", "FILE",
    "PEM private key for HTTPS" },
  { "http", "max-body-bytes", TYPE_INT, F (max_body_bytes), "65536", 1024, 16777216, NULL, NULL,
    "Largest request body accepted (413 above)" },
  { "http", "max-connections", TYPE_INT, F (http_max_connections), "4096", 16, 1000000, NULL, NULL,
    "HTTP connections held at once (the oldest idle one makes room for a new one)" },
  { "http", "max-connections-per-address", TYPE_INT, F (http_max_per_address), "256", 1, 1000000, NULL, NULL,
    "HTTP connections one address may hold at once (likewise)" },
  { "http", "header-timeout-s", TYPE_INT, F (http_header_timeout_s), "10", 1, 3600, NULL, NULL,
    "Seconds a new connection may take for its TLS handshake and first request's headers" },
  { "http", "keepalive-timeout-s", TYPE_INT, F (http_keepalive_timeout_s), "30", 1, 3600, NULL, NULL,
    "Seconds an idle connection is kept open for its next request" },
  { "http", "request-timeout-s", TYPE_INT, F (http_request_timeout_s), "30", 1, 3600, NULL, NULL,
    "Seconds from a request's headers to the end of its response" },
  { "http", "auth-fail-limit", TYPE_INT, F (auth_fail_limit), "20", 1, 1000000, NULL, NULL,
    "Bad keys from one address within the window before it gets 429" },
  { "http", "auth-fail-window-s", TYPE_INT, F (auth_fail_window_s), "60", 1, 86400, NULL, NULL,
    "Window over which bad keys are counted" },
  { "http", "auth-block-s", TYPE_INT, F (auth_block_s), "60", 1, 86400, NULL, NULL,
    "How long an address that hit the limit gets 429" },
  { "http", "session-lifetime-s", TYPE_INT, F (session_lifetime_s), "43200", 60, 2592000, NULL, NULL,
    "How long a web UI login lasts" },
  { "node", "name", TYPE_STRING, F (node_name), "local", 0, 0, "name", "NAME",
    "Name of this ingest node" },
  { "node", "public-host", TYPE_STRING, F (public_host), "", 0, 0, "public-host", "HOST",
    "Host put into URLs", "the bind address, or the host name" },
  { "node", "rtsp-port", TYPE_INT, F (rtsp_port), "8554", 0, 65535, "rtsp-port", "N",
    "RTSP port; 0 picks a free one" },
  { "node", "rtmp-port", TYPE_INT, F (rtmp_port), "1935", 0, 65535, "rtmp-port", "N",
    "RTMP port; 0 picks a free one" },
  { "node", "capacity", TYPE_INT, F (capacity), "4", 0, 100000, "capacity", "N",
    "Streams this node carries at once" },
  { "node", "dial-in", TYPE_STRING, F (dial_in), "", 0, 0, NULL, NULL,
    "Telephone dial-in number put into tickets (empty: none)" },
  { "rtsp", "direct-send", TYPE_BOOL, F (rtsp_direct_send), "true", 0, 0, "direct-send", "false",
    "Send to interleaved RTSP viewers directly, one write per viewer per frame (false: through gst-rtsp-server)" },
  { "rtsp", "max-connections", TYPE_INT, F (rtsp_max_connections), "4096", 16, 1000000, NULL, NULL,
    "RTSP connections held at once (one not yet playing or recording makes room for a new one)" },
  { "rtsp", "max-connections-per-address", TYPE_INT, F (rtsp_max_per_address), "128", 1, 1000000, NULL, NULL,
    "RTSP connections one address may hold at once, viewers included (likewise)" },
  { "rtsp", "setup-timeout-s", TYPE_INT, F (rtsp_setup_timeout_s), "10", 1, 3600, NULL, NULL,
    "Seconds an RTSP connection may take to start playing or recording" },
  { "rtmp", "max-connections", TYPE_INT, F (rtmp_max_connections), "4096", 16, 1000000, NULL, NULL,
    "RTMP connections held at once (one not yet publishing makes room for a new one)" },
  { "rtmp", "max-connections-per-address", TYPE_INT, F (rtmp_max_per_address), "32", 1, 100000, NULL, NULL,
    "RTMP connections one address may hold open at once (likewise)" },
  { "rtmp", "max-message-bytes", TYPE_INT, F (rtmp_max_message_bytes), "4194304", 65536, 67108864, NULL, NULL,
    "Largest RTMP message (a video frame) accepted" },
  { "rtmp", "timeout-s", TYPE_INT, F (rtmp_timeout_s), "10", 1, 3600, NULL, NULL,
    "Seconds an RTMP connection may take to start publishing, and may stay silent" },
  { "booking", "admit-early-s", TYPE_INT, F (admit_early_s), "30", 0, 3600, NULL, NULL,
    "Seconds before start a publisher is admitted" },
  { "booking", "grace-s", TYPE_INT, F (grace_s), "0", 0, 3600, NULL, NULL,
    "Seconds after end before the publisher is cut" },
  { "booking", "min-length-s", TYPE_INT, F (min_length_s), "5", 1, 86400, NULL, NULL,
    "Shortest reservation" },
  { "booking", "max-length-s", TYPE_INT, F (max_length_s), "86400", 1, 86400, NULL, NULL,
    "Longest reservation" },
  { "booking", "past-slack-s", TYPE_INT, F (past_slack_s), "10", 0, 3600, NULL, NULL,
    "How far in the past a start may be (clock skew)" },
  { "booking", "horizon-days", TYPE_INT, F (horizon_days), "90", 1, 3660, NULL, NULL,
    "How far ahead a reservation may start" },
  { "booking", "max-open-per-user", TYPE_INT, F (max_open_per_user), "50", 0, 1000000, NULL, NULL,
    "Reservations a broadcaster may hold that have not ended (0: no limit)" },
  { "booking", "max-hours-per-user", TYPE_INT, F (max_hours_per_user), "168", 0, 1000000, NULL, NULL,
    "Hours of reserved time to come a broadcaster may hold (0: no limit)" },
  { "booking", "list-limit", TYPE_INT, F (list_limit), "1000", 1, 100000, NULL, NULL,
    "Most reservations one list request returns" },
  { "database", "synchronous", TYPE_SYNCHRONOUS, F (synchronous), "normal", 0, 0, NULL, NULL,
    "SQLite durability: normal (survives a crash of the process) or full (also of the OS)" },
};
/* clang-format on */

#undef F

static const char *const synchronous_names[] = { "normal", "full" };

static const SettingSpec *
find_spec (const char *group, const char *key)
{
  for (size_t i = 0; i < G_N_ELEMENTS (specs); i++)
    if (strcmp (specs[i].group, group) == 0 && strcmp (specs[i].key, key) == 0)
      return &specs[i];
  return NULL;
}

static gboolean
parse_value (const SettingSpec *spec, const char *value, ScSettings *self,
             GError **error)
{
  void *field = (char *)self + spec->offset;

  switch (spec->type)
    {
      case TYPE_STRING:
        if (!g_utf8_validate (value, -1, NULL) || strlen (value) > 4096)
          break;
        g_free (*(char **)field);
        *(char **)field = g_strdup (value);
        return TRUE;

      case TYPE_INT:
        {
          gint64 n;
          if (!g_ascii_string_to_signed (value, 10, spec->min, spec->max, &n,
                                         NULL))
            {
              g_set_error (
                  error, SC_SETTINGS_ERROR, SC_SETTINGS_ERROR_BAD_VALUE,
                  "[%s] %s: \"%s\" is not a whole number from %" G_GINT64_FORMAT
                  " to %" G_GINT64_FORMAT,
                  spec->group, spec->key, value, spec->min, spec->max);
              return FALSE;
            }
          *(int *)field = (int)n;
          return TRUE;
        }

      case TYPE_BOOL:
        if (g_ascii_strcasecmp (value, "true") == 0 || strcmp (value, "1") == 0)
          *(gboolean *)field = TRUE;
        else if (g_ascii_strcasecmp (value, "false") == 0
                 || strcmp (value, "0") == 0)
          *(gboolean *)field = FALSE;
        else
          break;
        return TRUE;

      case TYPE_SYNCHRONOUS:
        for (size_t i = 0; i < G_N_ELEMENTS (synchronous_names); i++)
          if (g_ascii_strcasecmp (value, synchronous_names[i]) == 0)
            {
              *(ScSynchronous *)field = (ScSynchronous)i;
              return TRUE;
            }
        g_set_error (error, SC_SETTINGS_ERROR, SC_SETTINGS_ERROR_BAD_VALUE,
                     "[%s] %s: \"%s\" is not one of normal, full", spec->group,
                     spec->key, value);
        return FALSE;
    }

  g_set_error (error, SC_SETTINGS_ERROR, SC_SETTINGS_ERROR_BAD_VALUE,
               "[%s] %s: \"%s\" is not a valid %s", spec->group, spec->key,
               value, spec->type == TYPE_BOOL ? "true/false value" : "string");
  return FALSE;
}

static char *
format_value (const SettingSpec *spec, ScSettings *self)
{
  void *field = (char *)self + spec->offset;

  switch (spec->type)
    {
      case TYPE_STRING:
        return g_strdup (*(char **)field);
      case TYPE_INT:
        return g_strdup_printf ("%d", *(int *)field);
      case TYPE_BOOL:
        return g_strdup (*(gboolean *)field ? "true" : "false");
      case TYPE_SYNCHRONOUS:
        return g_strdup (synchronous_names[*(ScSynchronous *)field]);
    }
  g_assert_not_reached ();
}

static void
settings_clear (ScSettings *self)
{
  for (size_t i = 0; i < G_N_ELEMENTS (specs); i++)
    if (specs[i].type == TYPE_STRING)
      g_clear_pointer ((char **)((char *)self + specs[i].offset), g_free);
  g_clear_pointer (&self->pending, g_ptr_array_unref);
}

/**
 * sc_settings_new:
 *
 * Returns: (transfer full): settings holding every default of the table
 */
ScSettings *
sc_settings_new (void)
{
  ScSettings *self = g_atomic_rc_box_new0 (ScSettings);

  for (size_t i = 0; i < G_N_ELEMENTS (specs); i++)
    if (!parse_value (&specs[i], specs[i].default_value, self, NULL))
      g_error ("default of [%s] %s is invalid", specs[i].group, specs[i].key);
  self->pending = g_ptr_array_new_with_free_func (g_free);
  return self;
}

ScSettings *
sc_settings_ref (ScSettings *self)
{
  return g_atomic_rc_box_acquire (self);
}

void
sc_settings_unref (ScSettings *self)
{
  g_atomic_rc_box_release_full (self, (GDestroyNotify)settings_clear);
}

/**
 * sc_settings_set:
 *
 * Sets one key from its text form, as in a config file.
 *
 * Returns: %FALSE with @error set for an unknown key or an invalid value;
 *   the setting is then unchanged
 */
gboolean
sc_settings_set (ScSettings *self, const char *group, const char *key,
                 const char *value, GError **error)
{
  const SettingSpec *spec = find_spec (group, key);

  if (spec == NULL)
    {
      g_set_error (error, SC_SETTINGS_ERROR, SC_SETTINGS_ERROR_UNKNOWN_KEY,
                   "Unknown setting [%s] %s", group, key);
      return FALSE;
    }
  return parse_value (spec, value, self, error);
}

/**
 * sc_settings_load_keyfile:
 * @origin: where @keyfile came from, for error messages
 *
 * Applies every key of @keyfile. Unknown groups or keys are errors, so a
 * typo never goes unnoticed.
 */
gboolean
sc_settings_load_keyfile (ScSettings *self, GKeyFile *keyfile,
                          const char *origin, GError **error)
{
  g_auto (GStrv) groups = g_key_file_get_groups (keyfile, NULL);

  for (char **g = groups; *g != NULL; g++)
    {
      g_auto (GStrv) keys = g_key_file_get_keys (keyfile, *g, NULL, NULL);

      for (char **k = keys; keys != NULL && *k != NULL; k++)
        {
          g_autoptr (GError) local_error = NULL;
          g_autofree char *value
              = g_key_file_get_string (keyfile, *g, *k, &local_error);

          if (value == NULL
              || !sc_settings_set (self, *g, *k, value, &local_error))
            {
              g_set_error (error, SC_SETTINGS_ERROR,
                           local_error->domain == SC_SETTINGS_ERROR
                               ? local_error->code
                               : SC_SETTINGS_ERROR_BAD_VALUE,
                           "%s: %s", origin, local_error->message);
              return FALSE;
            }
        }
    }
  return TRUE;
}

static gboolean
on_option (const char *option_name, const char *value, gpointer data,
           GError **error)
{
  ScSettings *self = data;
  const char *name = option_name + 2; /* "--http-port" */

  for (size_t i = 0; i < G_N_ELEMENTS (specs); i++)
    {
      const SettingSpec *spec = &specs[i];
      g_autoptr (GError) local_error = NULL;

      if (spec->option == NULL || strcmp (spec->option, name) != 0)
        continue;
      if (value == NULL)
        value = "true";
      if (!parse_value (spec, value, self, &local_error))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "%s: %s", option_name, local_error->message);
          return FALSE;
        }
      g_ptr_array_add (self->pending,
                       g_strdup_printf ("%s.%s", spec->group, spec->key));
      g_ptr_array_add (self->pending, g_strdup (value));
      return TRUE;
    }
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_UNKNOWN_OPTION,
               "Unknown option %s", option_name);
  return FALSE;
}

/**
 * sc_settings_get_option_group:
 *
 * Returns: (transfer full): one command-line option per setting that has
 *   one; values given there override the --config file
 */
GOptionGroup *
sc_settings_get_option_group (ScSettings *self)
{
  GOptionGroup *group = g_option_group_new (
      "settings", "Settings (override --config):", "Show settings options",
      self, NULL);
  g_autoptr (GArray) entries = g_array_new (TRUE, TRUE, sizeof (GOptionEntry));

  for (size_t i = 0; i < G_N_ELEMENTS (specs); i++)
    {
      GOptionEntry e = { 0 };

      if (specs[i].option == NULL)
        continue;
      e.long_name = specs[i].option;
      /* --tls is --tls=true; --tls=false turns a default on off. */
      e.flags = specs[i].type == TYPE_BOOL ? G_OPTION_FLAG_OPTIONAL_ARG : 0;
      e.arg = G_OPTION_ARG_CALLBACK;
      e.arg_data = (gpointer)on_option;
      e.description = specs[i].description;
      e.arg_description = specs[i].arg_description;
      g_array_append_val (entries, e);
    }
  /* The group copies the entries; the strings are static. */
  g_option_group_add_entries (group, (GOptionEntry *)entries->data);
  return group;
}

static gboolean
resolve_defaults (ScSettings *self, GError **error)
{
  if (self->data_dir[0] == '\0')
    {
      g_free (self->data_dir);
      self->data_dir
          = g_build_filename (g_get_user_data_dir (), "slotcast", NULL);
    }
  if (self->public_host[0] == '\0')
    {
      g_free (self->public_host);
      if (strcmp (self->bind, "0.0.0.0") == 0 || strcmp (self->bind, "::") == 0)
        self->public_host = g_strdup (g_get_host_name ());
      else
        self->public_host = g_strdup (self->bind);
    }
  if (self->min_length_s > self->max_length_s)
    {
      g_set_error (error, SC_SETTINGS_ERROR, SC_SETTINGS_ERROR_BAD_VALUE,
                   "[booking] min-length-s (%d) is above max-length-s (%d)",
                   self->min_length_s, self->max_length_s);
      return FALSE;
    }
  if ((self->tls_cert[0] == '\0') != (self->tls_key[0] == '\0'))
    {
      g_set_error_literal (error, SC_SETTINGS_ERROR,
                           SC_SETTINGS_ERROR_BAD_VALUE,
                           "[http] tls-cert and tls-key go together");
      return FALSE;
    }
  if (self->tls_cert[0] != '\0')
    self->tls = TRUE;
  return TRUE;
}

/**
 * sc_settings_load:
 * @config_file: (nullable): a GKeyFile to read
 *
 * Reads @config_file, then re-applies the command-line values so they win,
 * then resolves the defaults that depend on other keys.
 */
gboolean
sc_settings_load (ScSettings *self, const char *config_file, GError **error)
{
  if (config_file != NULL)
    {
      g_autoptr (GKeyFile) keyfile = g_key_file_new ();
      g_autoptr (GError) local_error = NULL;

      if (!g_key_file_load_from_file (keyfile, config_file, G_KEY_FILE_NONE,
                                      &local_error))
        {
          g_set_error (error, SC_SETTINGS_ERROR, SC_SETTINGS_ERROR_FILE,
                       "%s: %s", config_file, local_error->message);
          return FALSE;
        }
      if (!sc_settings_load_keyfile (self, keyfile, config_file, error))
        return FALSE;
      for (guint i = 0; i + 1 < self->pending->len; i += 2)
        {
          const char *name = g_ptr_array_index (self->pending, i);
          const char *dot = strchr (name, '.');
          g_autofree char *group = g_strndup (name, dot - name);

          if (!sc_settings_set (self, group, dot + 1,
                                g_ptr_array_index (self->pending, i + 1),
                                error))
            return FALSE;
        }
    }
  return resolve_defaults (self, error);
}

/**
 * sc_settings_to_text:
 *
 * Returns: (transfer full): every setting as a GKeyFile, with the table's
 *   descriptions as comments; loading it gives the same settings
 */
char *
sc_settings_to_text (ScSettings *self)
{
  g_autoptr (GKeyFile) keyfile = g_key_file_new ();

  for (size_t i = 0; i < G_N_ELEMENTS (specs); i++)
    {
      g_autofree char *value = format_value (&specs[i], self);
      const char *def = specs[i].default_text       ? specs[i].default_text
                        : specs[i].default_value[0] ? specs[i].default_value
                                                    : "none";
      g_autofree char *comment
          = g_strdup_printf (" %s (default: %s)", specs[i].description, def);

      g_key_file_set_string (keyfile, specs[i].group, specs[i].key, value);
      g_key_file_set_comment (keyfile, specs[i].group, specs[i].key, comment,
                              NULL);
    }
  return g_key_file_to_data (keyfile, NULL, NULL);
}
