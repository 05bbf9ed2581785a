/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The bad-key limiter: the limit, the window, the block, bounded memory. */

#include "config.h"

#include "sc-auth-limiter.h"

#define S (G_GINT64_CONSTANT (1000000))

static void
test_limit (void)
{
  g_autoptr (ScAuthLimiter) l = sc_auth_limiter_new (20, 60 * S, 60 * S, 100);
  gint64 t = 1000 * S;

  for (int i = 0; i < 19; i++)
    g_assert_false (sc_auth_limiter_record_failure (l, "a", t + i * S));
  g_assert_cmpint (sc_auth_limiter_blocked_for (l, "a", t + 19 * S), ==, 0);
  g_assert_true (sc_auth_limiter_record_failure (l, "a", t + 19 * S));
  g_assert_cmpint (sc_auth_limiter_blocked_for (l, "a", t + 19 * S), ==,
                   60 * S);
  /* Other addresses are not affected. */
  g_assert_cmpint (sc_auth_limiter_blocked_for (l, "b", t + 19 * S), ==, 0);
  /* The block ends. */
  g_assert_cmpint (sc_auth_limiter_blocked_for (l, "a", t + 79 * S - 1), ==, 1);
  g_assert_cmpint (sc_auth_limiter_blocked_for (l, "a", t + 79 * S), ==, 0);
}

static void
test_window (void)
{
  g_autoptr (ScAuthLimiter) l = sc_auth_limiter_new (3, 60 * S, 10 * S, 100);

  g_assert_false (sc_auth_limiter_record_failure (l, "a", 0));
  g_assert_false (sc_auth_limiter_record_failure (l, "a", 30 * S));
  /* The window has passed: counting starts again. */
  g_assert_false (sc_auth_limiter_record_failure (l, "a", 60 * S));
  g_assert_false (sc_auth_limiter_record_failure (l, "a", 61 * S));
  g_assert_true (sc_auth_limiter_record_failure (l, "a", 62 * S));
}

static void
test_bounded (void)
{
  g_autoptr (ScAuthLimiter) l = sc_auth_limiter_new (2, 60 * S, 60 * S, 8);

  /* Four blocked addresses stay; unblocked ones make room for new ones. */
  for (int i = 0; i < 4; i++)
    {
      g_autofree char *addr = g_strdup_printf ("blocked-%d", i);
      sc_auth_limiter_record_failure (l, addr, 0);
      g_assert_true (sc_auth_limiter_record_failure (l, addr, 0));
    }
  for (int i = 0; i < 1000; i++)
    {
      g_autofree char *addr = g_strdup_printf ("x-%d", i);
      sc_auth_limiter_record_failure (l, addr, S);
      g_assert_cmpuint (sc_auth_limiter_get_size (l), <=, 8);
    }
  for (int i = 0; i < 4; i++)
    {
      g_autofree char *addr = g_strdup_printf ("blocked-%d", i);
      g_assert_cmpint (sc_auth_limiter_blocked_for (l, addr, S), >, 0);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/auth-limiter/limit", test_limit);
  g_test_add_func ("/auth-limiter/window", test_window);
  g_test_add_func ("/auth-limiter/bounded", test_bounded);
  return g_test_run ();
}
