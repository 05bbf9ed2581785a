/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * ScReadySet: many sockets read from one main context through one epoll
 * descriptor. GMainContext polls every descriptor of every source at each
 * wake-up: with a hundred publishers sending 70 messages a second each,
 * that is most of what carrying streams nobody watches costs
 * (bench/streams). Here the context polls only the epoll descriptor, and a
 * wake-up visits the sockets that are ready, nothing else.
 *
 * Level-triggered: a callback may read only part of what is there (to be
 * fair to the others) and is called again at the next dispatch. An entry
 * removed during a dispatch is not called again and freed after it.
 * Linux only (epoll), as Slotcast is.
 *
 * Belongs to the context given to sc_ready_set_new(); not thread-safe.
 */

#include "config.h"

#include "sc-ready-set.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib-unix.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#define MAX_EVENTS 256

struct _ScReadyEntry
{
  int fd;
  ScReadyFunc func;
  gpointer user_data;
  gboolean removed;
};

typedef struct
{
  GSource source;
  ScReadySet *set;
} ReadySource;

struct _ScReadySet
{
  int epfd;
  GSource *source;
  gpointer tag;
  guint size;
  gboolean dispatching;
  GPtrArray *removed; /* entries removed during a dispatch */
};

static gboolean
ready_dispatch (GSource *source, GSourceFunc callback, gpointer data)
{
  ScReadySet *self = ((ReadySource *)source)->set;
  struct epoll_event events[MAX_EVENTS];
  int n = epoll_wait (self->epfd, events, MAX_EVENTS, 0);

  self->dispatching = TRUE;
  for (int i = 0; i < n; i++)
    {
      ScReadyEntry *e = events[i].data.ptr;

      if (!e->removed)
        e->func (e->user_data);
    }
  self->dispatching = FALSE;
  g_ptr_array_set_size (self->removed, 0);
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs ready_funcs = {
  .dispatch = ready_dispatch,
};

/**
 * sc_ready_set_new:
 *
 * Returns: (transfer full) (nullable): an empty set attached to @context
 *   (%NULL: the thread-default one)
 */
ScReadySet *
sc_ready_set_new (GMainContext *context, GError **error)
{
  ScReadySet *self;
  int epfd = epoll_create1 (EPOLL_CLOEXEC);

  if (epfd < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "epoll_create1: %s", g_strerror (saved));
      return NULL;
    }
  self = g_new0 (ScReadySet, 1);
  self->epfd = epfd;
  self->removed = g_ptr_array_new_with_free_func (g_free);
  self->source = g_source_new (&ready_funcs, sizeof (ReadySource));
  ((ReadySource *)self->source)->set = self;
  g_source_set_name (self->source, "ScReadySet");
  self->tag = g_source_add_unix_fd (self->source, epfd, G_IO_IN);
  g_source_attach (self->source, context != NULL
                                     ? context
                                     : g_main_context_get_thread_default ());
  return self;
}

void
sc_ready_set_free (ScReadySet *self)
{
  if (self == NULL)
    return;
  g_source_destroy (self->source);
  g_source_unref (self->source);
  g_ptr_array_unref (self->removed);
  close (self->epfd);
  g_free (self);
}

/**
 * sc_ready_set_add:
 *
 * Calls @func while @fd is readable, until sc_ready_set_remove().
 *
 * Returns: (transfer none) (nullable): the entry, or %NULL if epoll
 *   refused @fd
 */
ScReadyEntry *
sc_ready_set_add (ScReadySet *self, int fd, ScReadyFunc func,
                  gpointer user_data)
{
  ScReadyEntry *e = g_new0 (ScReadyEntry, 1);
  struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP, .data.ptr = e };

  e->fd = fd;
  e->func = func;
  e->user_data = user_data;
  if (epoll_ctl (self->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
    {
      g_warning ("epoll_ctl ADD %d: %s", fd, g_strerror (errno));
      g_free (e);
      return NULL;
    }
  self->size++;
  return e;
}

/**
 * sc_ready_set_remove:
 *
 * Stops watching @entry's descriptor (before it is closed) and frees it.
 */
void
sc_ready_set_remove (ScReadySet *self, ScReadyEntry *entry)
{
  if (entry == NULL)
    return;
  epoll_ctl (self->epfd, EPOLL_CTL_DEL, entry->fd, NULL);
  self->size--;
  entry->removed = TRUE;
  if (self->dispatching)
    g_ptr_array_add (self->removed, entry);
  else
    g_free (entry);
}

guint
sc_ready_set_get_size (ScReadySet *self)
{
  return self->size;
}
