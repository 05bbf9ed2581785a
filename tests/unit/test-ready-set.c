/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* ScReadySet: one epoll descriptor for many sockets on one context. */

#include "config.h"

#include <glib-unix.h>
#include <unistd.h>

#include "sc-ready-set.h"

typedef struct
{
  ScReadySet *set;
  ScReadyEntry *entry;
  ScReadyEntry *other; /* removed by this one's callback, if set */
  int fd;
  guint calls;
  gsize bytes;
  gsize per_call; /* 0: read all */
} Reader;

static void
on_ready (gpointer user_data)
{
  Reader *r = user_data;
  char buf[64];
  gsize want = r->per_call != 0 ? r->per_call : sizeof buf;
  gssize n = read (r->fd, buf, want);

  r->calls++;
  if (n > 0)
    r->bytes += n;
  if (r->other != NULL)
    {
      sc_ready_set_remove (r->set, r->other);
      r->other = NULL;
    }
}

static void
iterate (guint times)
{
  for (guint i = 0; i < times; i++)
    g_main_context_iteration (NULL, FALSE);
}

static void
make_pipe (int fds[2])
{
  g_autoptr (GError) error = NULL;

  g_assert_true (g_unix_open_pipe (fds, FD_CLOEXEC, &error));
  g_assert_true (g_unix_set_fd_nonblocking (fds[0], TRUE, &error));
  g_assert_no_error (error);
}

/* Only descriptors with bytes are visited, and a partial read is visited
 * again (level-triggered). */
static void
test_ready_level (void)
{
  g_autoptr (GError) error = NULL;
  ScReadySet *set = sc_ready_set_new (NULL, &error);
  int a[2], b[2];
  Reader ra = { 0 }, rb = { 0 };

  g_assert_no_error (error);
  make_pipe (a);
  make_pipe (b);
  ra = (Reader){ .set = set, .fd = a[0], .per_call = 2 };
  rb = (Reader){ .set = set, .fd = b[0] };
  ra.entry = sc_ready_set_add (set, a[0], on_ready, &ra);
  rb.entry = sc_ready_set_add (set, b[0], on_ready, &rb);
  g_assert_nonnull (ra.entry);
  g_assert_cmpuint (sc_ready_set_get_size (set), ==, 2);

  iterate (3);
  g_assert_cmpuint (ra.calls, ==, 0);
  g_assert_cmpuint (rb.calls, ==, 0);

  g_assert_cmpint (write (a[1], "abcdef", 6), ==, 6);
  iterate (10);
  g_assert_cmpuint (ra.bytes, ==, 6);
  g_assert_cmpuint (ra.calls, ==, 3);
  g_assert_cmpuint (rb.calls, ==, 0);

  sc_ready_set_remove (set, ra.entry);
  sc_ready_set_remove (set, rb.entry);
  g_assert_cmpuint (sc_ready_set_get_size (set), ==, 0);
  sc_ready_set_free (set);
  for (int i = 0; i < 2; i++)
    {
      close (a[i]);
      close (b[i]);
    }
}

/* An entry removed by another's callback in the same dispatch is not
 * called again (and freed after the dispatch: ASan checks that). */
static void
test_ready_remove_in_dispatch (void)
{
  g_autoptr (GError) error = NULL;
  ScReadySet *set = sc_ready_set_new (NULL, &error);
  int a[2], b[2];
  Reader ra, rb;

  make_pipe (a);
  make_pipe (b);
  ra = (Reader){ .set = set, .fd = a[0] };
  rb = (Reader){ .set = set, .fd = b[0] };
  ra.entry = sc_ready_set_add (set, a[0], on_ready, &ra);
  rb.entry = sc_ready_set_add (set, b[0], on_ready, &rb);
  /* whichever runs first removes the other */
  ra.other = rb.entry;
  rb.other = ra.entry;
  g_assert_cmpint (write (a[1], "x", 1), ==, 1);
  g_assert_cmpint (write (b[1], "y", 1), ==, 1);
  iterate (1);
  g_assert_cmpuint (ra.calls + rb.calls, ==, 1);
  g_assert_cmpuint (sc_ready_set_get_size (set), ==, 1);

  /* the survivor still works; the removed one never runs */
  g_assert_cmpint (write (a[1], "x", 1), ==, 1);
  g_assert_cmpint (write (b[1], "y", 1), ==, 1);
  iterate (5);
  g_assert_cmpuint (ra.calls + rb.calls, ==, 2);
  sc_ready_set_remove (set, ra.calls == 2 ? ra.entry : rb.entry);
  sc_ready_set_free (set);
  for (int i = 0; i < 2; i++)
    {
      close (a[i]);
      close (b[i]);
    }
}

/* A closed peer wakes the reader (it reads 0 and leaves). */
static void
test_ready_hangup (void)
{
  g_autoptr (GError) error = NULL;
  ScReadySet *set = sc_ready_set_new (NULL, &error);
  int a[2];
  Reader ra;

  make_pipe (a);
  ra = (Reader){ .set = set, .fd = a[0] };
  ra.entry = sc_ready_set_add (set, a[0], on_ready, &ra);
  close (a[1]);
  iterate (1);
  g_assert_cmpuint (ra.calls, ==, 1);
  g_assert_cmpuint (ra.bytes, ==, 0);
  sc_ready_set_remove (set, ra.entry);
  sc_ready_set_free (set);
  close (a[0]);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/ready-set/level", test_ready_level);
  g_test_add_func ("/ready-set/remove-in-dispatch",
                   test_ready_remove_in_dispatch);
  g_test_add_func ("/ready-set/hangup", test_ready_hangup);
  return g_test_run ();
}
