/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Settings: defaults, key files, command-line overrides, errors,
 * --print-config round trip. */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "sc-settings.h"

static void
test_defaults (void)
{
  g_autoptr (ScSettings) s = sc_settings_new ();
  g_autoptr (GError) error = NULL;

  g_assert_true (sc_settings_load (s, NULL, &error));
  g_assert_cmpint (s->http_port, ==, 8080);
  g_assert_cmpint (s->rtsp_port, ==, 8554);
  g_assert_cmpint (s->rtmp_port, ==, 1935);
  g_assert_cmpint (s->capacity, ==, 4);
  g_assert_cmpstr (s->bind, ==, "127.0.0.1");
  g_assert_cmpstr (s->public_host, ==, "127.0.0.1");
  g_assert_cmpint (s->max_body_bytes, ==, 65536);
  g_assert_cmpint (s->synchronous, ==, SC_SYNCHRONOUS_NORMAL);
  g_assert_true (g_str_has_suffix (s->data_dir, "slotcast"));
  g_assert_false (s->tls);
}

static char *
write_temp (const char *contents)
{
  g_autoptr (GError) error = NULL;
  char *path = NULL;
  int fd = g_file_open_tmp ("sc-settings-XXXXXX.conf", &path, &error);

  g_assert_no_error (error);
  close (fd);
  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
  return path;
}

static gboolean
parse_args (ScSettings *s, const char *const *args, GError **error)
{
  g_autoptr (GOptionContext) ctx = g_option_context_new (NULL);
  g_auto (GStrv) argv = g_strdupv ((char **)args);

  g_option_context_add_group (ctx, sc_settings_get_option_group (s));
  return g_option_context_parse_strv (ctx, &argv, error);
}

static void
test_file_and_overrides (void)
{
  g_autoptr (ScSettings) s = sc_settings_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *path
      = write_temp ("[http]\nport = 9000\nbind = 0.0.0.0\n"
                    "[node]\ncapacity = 7\npublic-host = media.example\n"
                    "[database]\nsynchronous = full\n");
  const char *args[] = { "prog", "--http-port", "0", "--tls", NULL };

  g_assert_true (parse_args (s, args, &error));
  g_assert_no_error (error);
  g_assert_true (sc_settings_load (s, path, &error));
  g_assert_no_error (error);
  g_assert_cmpint (s->http_port, ==, 0); /* command line wins */
  g_assert_true (s->tls);
  g_assert_cmpint (s->capacity, ==, 7); /* file beats default */
  g_assert_cmpstr (s->bind, ==, "0.0.0.0");
  g_assert_cmpstr (s->public_host, ==, "media.example");
  g_assert_cmpint (s->synchronous, ==, SC_SYNCHRONOUS_FULL);
  g_unlink (path);
}

/* A boolean option alone turns its setting on; "=false" turns it off,
 * over the file; anything else is refused. */
static void
test_boolean_options (void)
{
  g_autoptr (ScSettings) s = sc_settings_new ();
  g_autoptr (ScSettings) bad = sc_settings_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *path = write_temp ("[rtsp]\ndirect-send = true\n");
  const char *args[] = { "prog", "--direct-send=false", "--tls", NULL };
  const char *wrong[] = { "prog", "--direct-send=maybe", NULL };

  g_assert_true (s->rtsp_direct_send); /* the default */
  g_assert_true (parse_args (s, args, &error));
  g_assert_no_error (error);
  g_assert_true (sc_settings_load (s, path, &error));
  g_assert_no_error (error);
  g_assert_false (s->rtsp_direct_send);
  g_assert_true (s->tls);
  g_assert_false (parse_args (bad, wrong, &error));
  g_assert_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE);
  g_unlink (path);
}

static void
expect_error (const char *contents, int code, const char *fragment,
              gboolean names_file)
{
  g_autoptr (ScSettings) s = sc_settings_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *path = write_temp (contents);

  g_assert_false (sc_settings_load (s, path, &error));
  g_assert_error (error, SC_SETTINGS_ERROR, code);
  g_assert_nonnull (strstr (error->message, fragment));
  if (names_file)
    g_assert_nonnull (strstr (error->message, path));
  g_unlink (path);
}

static void
expect_file_error (const char *contents, int code, const char *fragment)
{
  expect_error (contents, code, fragment, TRUE);
}

static void
test_errors (void)
{
  expect_file_error ("[http]\nprot = 1\n", SC_SETTINGS_ERROR_UNKNOWN_KEY,
                     "[http] prot");
  expect_file_error ("[htp]\nport = 1\n", SC_SETTINGS_ERROR_UNKNOWN_KEY,
                     "[htp] port");
  expect_file_error ("[http]\nport = 70000\n", SC_SETTINGS_ERROR_BAD_VALUE,
                     "from 0 to 65535");
  expect_file_error ("[http]\nport = 12ab\n", SC_SETTINGS_ERROR_BAD_VALUE,
                     "12ab");
  expect_file_error ("[http]\ntls = maybe\n", SC_SETTINGS_ERROR_BAD_VALUE,
                     "maybe");
  expect_file_error ("[database]\nsynchronous = off\n",
                     SC_SETTINGS_ERROR_BAD_VALUE, "normal, full");
  expect_file_error ("not a key file", SC_SETTINGS_ERROR_FILE, "");
  /* Checks across keys come after every source is read. */
  expect_error ("[booking]\nmin-length-s = 100\nmax-length-s = 50\n",
                SC_SETTINGS_ERROR_BAD_VALUE, "min-length-s", FALSE);
  expect_error ("[http]\ntls-cert = /x.pem\n", SC_SETTINGS_ERROR_BAD_VALUE,
                "go together", FALSE);
}

static void
test_bad_option (void)
{
  g_autoptr (ScSettings) s = sc_settings_new ();
  g_autoptr (GError) error = NULL;
  const char *args[] = { "prog", "--capacity", "-1", NULL };

  g_assert_false (parse_args (s, args, &error));
  g_assert_nonnull (strstr (error->message, "--capacity"));
  g_assert_cmpint (s->capacity, ==, 4);
}

static void
test_round_trip (void)
{
  g_autoptr (ScSettings) a = sc_settings_new ();
  g_autoptr (ScSettings) b = sc_settings_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *again = NULL;
  g_autofree char *path = NULL;

  g_assert_true (sc_settings_set (a, "node", "capacity", "12", &error));
  g_assert_true (sc_settings_set (a, "node", "dial-in", "+1 555 0100", &error));
  g_assert_true (sc_settings_load (a, NULL, &error));
  text = sc_settings_to_text (a);
  g_assert_nonnull (strstr (text, "capacity=12"));
  g_assert_nonnull (strstr (text, "# Streams this node carries at once"));
  path = write_temp (text);
  g_assert_true (sc_settings_load (b, path, &error));
  g_assert_no_error (error);
  again = sc_settings_to_text (b);
  g_assert_cmpstr (text, ==, again);
  g_unlink (path);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/settings/defaults", test_defaults);
  g_test_add_func ("/settings/file-and-overrides", test_file_and_overrides);
  g_test_add_func ("/settings/boolean-options", test_boolean_options);
  g_test_add_func ("/settings/errors", test_errors);
  g_test_add_func ("/settings/bad-option", test_bad_option);
  g_test_add_func ("/settings/round-trip", test_round_trip);
  return g_test_run ();
}
