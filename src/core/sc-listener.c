/* SPDX-License-Identifier: LGPL-2.1-or-later */

/**
 * ScListener:
 *
 * A listening TCP socket for one protocol (HTTP, RTSP, RTMP) and the books
 * of the connections it accepted, so that no stranger can hold the server's
 * file descriptors or lock an address out:
 *
 * - Every connection is either *waiting* (nothing proven yet: a TLS or RTMP
 *   handshake, request headers, a keep-alive pause) or *busy* (a request
 *   being served, an admitted publisher or viewer). A waiting connection has
 *   a deadline and may be dropped to make room; a busy one is never dropped
 *   for room, and only at a deadline its owner set.
 * - At most `max_connections` in all and `max_per_address` from one address.
 *   A new connection over a limit takes the place of the oldest waiting one
 *   (from that address for the per-address limit), so a flood of silent
 *   connections from an address shared with real clients (NAT, a proxy)
 *   only ever costs its own oldest ones; when nothing is waiting, the new
 *   connection is closed.
 * - Accepting stops for a moment when the process is out of descriptors
 *   (EMFILE, ENFILE, ENOBUFS) instead of failing for good or spinning; a
 *   descriptor above the soft limit less a reserve counts as over the limit,
 *   so the media and the database always find descriptors.
 * - Refusals are logged in a summary at most once per 10 s.
 *
 * The owner of a connection (the protocol's server) tells its state with
 * sc_listener_conn_wait() and sc_listener_conn_busy(), and its end with
 * sc_listener_conn_release(); the listener calls the owner's drop function
 * when it ends a connection itself.
 *
 * Belongs to the thread-default main context of sc_listener_listen(); every
 * function is called there.
 */

#include "config.h"

#include "sc-listener.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>

#define BACKLOG 1024
#define ACCEPTS_PER_DISPATCH 64
#define PAUSE_MS 250
#define LOG_INTERVAL_US (10 * G_USEC_PER_SEC)
/* Descriptors kept free for everything that is not a connection. */
#define FD_RESERVE 64

typedef struct
{
  char *text;
  guint count;
  GQueue waiting; /* ScListenerConn, oldest first (addr_link) */
} Address;

struct _ScListenerConn
{
  ScListener *listener;
  Address *address;
  GList all_link;  /* in listener->all */
  GList wait_link; /* in listener->waiting, while waiting */
  GList addr_link; /* in address->waiting, while waiting */
  gboolean waiting;
  gint64 deadline_us; /* monotonic; 0: none */
  ScListenerDropFunc drop;
  gpointer data;
};

struct _ScListener
{
  GObject parent_instance;

  char *name;
  ScListenerLimits limits;
  ScListenerAcceptFunc accept;
  gpointer accept_data;

  GMainContext *context;
  GSocket *socket;
  guint16 port;
  GSource *accept_source;
  GSource *pause_source;
  GSource *tick_source;
  guint fd_limit; /* soft RLIMIT_NOFILE at listen time */

  GHashTable *addresses; /* text → Address */
  GQueue all;            /* ScListenerConn (all_link) */
  GQueue waiting;        /* ScListenerConn (wait_link), oldest first */

  guint64 unlogged;    /* refused or dropped since the last log line */
  gint64 last_log_us;  /* monotonic */
  gboolean out_of_fds; /* logged once per pause */
};

G_DEFINE_FINAL_TYPE (ScListener, sc_listener, G_TYPE_OBJECT)

static void
address_free (Address *a)
{
  g_free (a->text);
  g_free (a);
}

static void
sc_listener_dispose (GObject *object)
{
  sc_listener_close (SC_LISTENER (object));
  G_OBJECT_CLASS (sc_listener_parent_class)->dispose (object);
}

static void
sc_listener_finalize (GObject *object)
{
  ScListener *self = SC_LISTENER (object);

  g_free (self->name);
  g_hash_table_unref (self->addresses);
  g_clear_pointer (&self->context, g_main_context_unref);
  G_OBJECT_CLASS (sc_listener_parent_class)->finalize (object);
}

static void
sc_listener_class_init (ScListenerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sc_listener_dispose;
  object_class->finalize = sc_listener_finalize;
}

static void
sc_listener_init (ScListener *self)
{
  self->addresses = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                           (GDestroyNotify)address_free);
}

/**
 * sc_listener_new:
 * @name: the protocol, for log lines ("HTTP")
 * @accept: called with every connection accepted
 *
 * Returns: (transfer full): a listener, not listening yet
 */
ScListener *
sc_listener_new (const char *name, const ScListenerLimits *limits,
                 ScListenerAcceptFunc accept, gpointer data)
{
  ScListener *self = g_object_new (SC_TYPE_LISTENER, NULL);

  self->name = g_strdup (name);
  self->limits = *limits;
  self->accept = accept;
  self->accept_data = data;
  return self;
}

/* Counts one refused or dropped connection; logs a summary at most every
 * 10 s, so a flood cannot flood the log. */
static void
count_drop (ScListener *self, const char *why, const char *address)
{
  gint64 now = g_get_monotonic_time ();

  self->unlogged++;
  if (now - self->last_log_us < LOG_INTERVAL_US)
    return;
  g_message ("%s: %" G_GUINT64_FORMAT " connection(s) refused or dropped in "
             "the last 10 s (latest: %s, %s)",
             self->name, self->unlogged, address, why);
  self->unlogged = 0;
  self->last_log_us = now;
}

static void
set_waiting (ScListenerConn *c, gboolean waiting)
{
  ScListener *self = c->listener;

  if (c->waiting == waiting)
    return;
  c->waiting = waiting;
  if (waiting)
    {
      g_queue_push_tail_link (&self->waiting, &c->wait_link);
      g_queue_push_tail_link (&c->address->waiting, &c->addr_link);
    }
  else
    {
      g_queue_unlink (&self->waiting, &c->wait_link);
      g_queue_unlink (&c->address->waiting, &c->addr_link);
    }
}

/* Forgets @c and frees it. */
static void
forget (ScListenerConn *c)
{
  ScListener *self = c->listener;
  Address *a = c->address;

  set_waiting (c, FALSE);
  g_queue_unlink (&self->all, &c->all_link);
  if (--a->count == 0)
    g_hash_table_remove (self->addresses, a->text);
  g_free (c);
}

/* Ends @c from the listener's side: the owner closes it. */
static void
drop (ScListenerConn *c, const char *why)
{
  ScListenerDropFunc func = c->drop;
  gpointer data = c->data;

  count_drop (c->listener, why, c->address->text);
  forget (c);
  if (func != NULL)
    func (data);
}

static gboolean
make_room (ScListener *self, GQueue *waiting, const char *why,
           const char *address)
{
  if (waiting->head == NULL)
    {
      count_drop (self, why, address);
      return FALSE;
    }
  drop (waiting->head->data, why); /* every link's data is its conn */
  return TRUE;
}

static void
take (ScListener *self, GSocket *socket)
{
  g_autoptr (GSocketAddress) remote
      = g_socket_get_remote_address (socket, NULL);
  g_autoptr (GSocketConnection) connection = NULL;
  g_autofree char *text = NULL;
  ScListenerConn *c;
  Address *a;
  gboolean fds_low;

  if (remote == NULL || !G_IS_INET_SOCKET_ADDRESS (remote))
    {
      g_socket_close (socket, NULL);
      return;
    }
  text = g_inet_address_to_string (
      g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (remote)));
  a = g_hash_table_lookup (self->addresses, text);
  if (a != NULL && a->count >= self->limits.max_per_address
      && !make_room (self, &a->waiting, "too many from that address", text))
    {
      g_socket_close (socket, NULL);
      return;
    }
  fds_low = self->fd_limit > FD_RESERVE
            && (guint)g_socket_get_fd (socket) >= self->fd_limit - FD_RESERVE;
  if ((self->all.length >= self->limits.max_connections || fds_low)
      && !make_room (
          self, &self->waiting,
          fds_low ? "out of file descriptors" : "too many connections", text))
    {
      g_socket_close (socket, NULL);
      return;
    }
  /* make_room() may have freed the address's record. */
  a = g_hash_table_lookup (self->addresses, text);
  if (a == NULL)
    {
      a = g_new0 (Address, 1);
      a->text = g_strdup (text);
      g_hash_table_insert (self->addresses, a->text, a);
    }
  a->count++;
  c = g_new0 (ScListenerConn, 1);
  c->listener = self;
  c->address = a;
  c->all_link.data = c;
  c->wait_link.data = c;
  c->addr_link.data = c;
  g_queue_push_tail_link (&self->all, &c->all_link);
  sc_listener_conn_wait (c, self->limits.first_timeout_us);

  g_socket_set_blocking (socket, TRUE); /* as GSocketListener gives them */
  g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, TRUE, NULL);
  connection = g_socket_connection_factory_create_connection (socket);
  self->accept (c, connection, text, self->accept_data);
}

static gboolean on_readable (GSocket *socket, GIOCondition condition,
                             gpointer data);

static void
watch (ScListener *self)
{
  self->accept_source = g_socket_create_source (self->socket, G_IO_IN, NULL);
  g_source_set_callback (self->accept_source, G_SOURCE_FUNC (on_readable), self,
                         NULL);
  g_source_attach (self->accept_source, self->context);
}

static gboolean
on_pause_over (gpointer data)
{
  ScListener *self = data;

  g_clear_pointer (&self->pause_source, g_source_unref);
  watch (self);
  return G_SOURCE_REMOVE;
}

/* Out of descriptors (or kernel memory): stop accepting for a moment; the
 * clients wait in the backlog meanwhile. */
static void
pause_accepting (ScListener *self, const GError *error)
{
  gint64 now = g_get_monotonic_time ();

  if (now - self->last_log_us >= LOG_INTERVAL_US || !self->out_of_fds)
    {
      g_warning ("%s: cannot accept connections now (%s); trying again "
                 "every %d ms",
                 self->name, error->message, PAUSE_MS);
      self->last_log_us = now;
    }
  self->out_of_fds = TRUE;
  g_source_destroy (self->accept_source);
  g_clear_pointer (&self->accept_source, g_source_unref);
  self->pause_source = g_timeout_source_new (PAUSE_MS);
  g_source_set_callback (self->pause_source, on_pause_over, self, NULL);
  g_source_attach (self->pause_source, self->context);
}

static gboolean
on_readable (GSocket *socket, GIOCondition condition, gpointer data)
{
  ScListener *self = data;

  for (guint i = 0; i < ACCEPTS_PER_DISPATCH; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GSocket) accepted = g_socket_accept (socket, NULL, &error);
      int code;

      if (accepted != NULL)
        {
          self->out_of_fds = FALSE;
          take (self, accepted);
          continue;
        }
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        break;
      code = error->domain == G_IO_ERROR ? error->code : -1;
      if (code == G_IO_ERROR_TOO_MANY_OPEN_FILES || code == G_IO_ERROR_NO_SPACE)
        {
          /* EMFILE and ENFILE; ENOBUFS and ENOMEM are NO_SPACE. */
          pause_accepting (self, error);
          return G_SOURCE_REMOVE;
        }
      /* A connection reset before it was accepted, and the like. */
      g_debug ("%s: accept: %s", self->name, error->message);
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
on_tick (gpointer data)
{
  ScListener *self = data;
  gint64 now = g_get_monotonic_time ();
  GList *l = self->all.head;

  while (l != NULL)
    {
      ScListenerConn *c = l->data;

      l = l->next;
      if (c->deadline_us != 0 && now >= c->deadline_us)
        {
          /* Dropping may end other connections through their owners'
           * callbacks; start over, the list is short. */
          drop (c, c->waiting ? "timed out waiting" : "timed out");
          l = self->all.head;
          now = g_get_monotonic_time ();
        }
    }
  return G_SOURCE_CONTINUE;
}

/**
 * sc_listener_listen:
 * @bind: the address to listen on
 * @port: 0 picks a free one
 *
 * Listens on the thread-default main context.
 */
gboolean
sc_listener_listen (ScListener *self, const char *bind, int port,
                    GError **error)
{
  g_autoptr (GInetAddress) inet = g_inet_address_new_from_string (bind);
  g_autoptr (GSocketAddress) address = NULL;
  g_autoptr (GSocketAddress) local = NULL;
  struct rlimit rl;

  g_return_val_if_fail (self->socket == NULL, FALSE);

  if (inet == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Cannot listen for %s on \"%s\": not an IP address",
                   self->name, bind);
      return FALSE;
    }
  address = g_inet_socket_address_new (inet, port);
  self->socket
      = g_socket_new (g_inet_address_get_family (inet), G_SOCKET_TYPE_STREAM,
                      G_SOCKET_PROTOCOL_TCP, error);
  if (self->socket == NULL)
    return FALSE;
  /* GSocket's default backlog of 10 drops SYNs when many clients connect
   * at once, and each drop costs the client a 1 s retransmission. */
  g_socket_set_listen_backlog (self->socket, BACKLOG);
  g_socket_set_blocking (self->socket, FALSE);
  if (!g_socket_bind (self->socket, address, TRUE, error)
      || !g_socket_listen (self->socket, error)
      || (local = g_socket_get_local_address (self->socket, error)) == NULL)
    {
      g_prefix_error (error, "Cannot listen for %s on %s port %d: ", self->name,
                      bind, port);
      g_clear_object (&self->socket);
      return FALSE;
    }
  self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
  self->fd_limit
      = getrlimit (RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY
            ? (guint)MIN (rl.rlim_cur, G_MAXUINT)
            : 0;
  self->context = g_main_context_ref_thread_default ();
  watch (self);
  self->tick_source = g_timeout_source_new_seconds (1);
  g_source_set_callback (self->tick_source, on_tick, self, NULL);
  g_source_attach (self->tick_source, self->context);
  return TRUE;
}

guint16
sc_listener_get_port (ScListener *self)
{
  return self->port;
}

/**
 * sc_listener_close:
 *
 * Stops listening. Connections held stay with their owners, which still
 * release them; none is dropped.
 */
void
sc_listener_close (ScListener *self)
{
  if (self->accept_source != NULL)
    g_source_destroy (self->accept_source);
  g_clear_pointer (&self->accept_source, g_source_unref);
  if (self->pause_source != NULL)
    g_source_destroy (self->pause_source);
  g_clear_pointer (&self->pause_source, g_source_unref);
  if (self->tick_source != NULL)
    g_source_destroy (self->tick_source);
  g_clear_pointer (&self->tick_source, g_source_unref);
  if (self->socket != NULL)
    g_socket_close (self->socket, NULL);
  g_clear_object (&self->socket);
  /* Connections outlive the listener: their owners still release them. */
  for (GList *l = self->all.head; l != NULL; l = l->next)
    ((ScListenerConn *)l->data)->listener = NULL;
  while (self->all.head != NULL)
    g_queue_unlink (&self->all, self->all.head);
  while (self->waiting.head != NULL)
    g_queue_unlink (&self->waiting, self->waiting.head);
  g_hash_table_remove_all (self->addresses);
}

/**
 * sc_listener_conn_set_data:
 * @func: called when the listener ends the connection
 *
 * Tells the listener how to end the connection; call it from the accept
 * function.
 */
void
sc_listener_conn_set_data (ScListenerConn *conn, ScListenerDropFunc func,
                           gpointer conn_data)
{
  conn->drop = func;
  conn->data = conn_data;
}

/**
 * sc_listener_conn_wait:
 * @timeout_us: from now until the connection is dropped
 *
 * The connection waits for its peer (a handshake, a request): it may be
 * dropped for room, and is dropped after @timeout_us.
 */
void
sc_listener_conn_wait (ScListenerConn *conn, gint64 timeout_us)
{
  if (conn->listener == NULL)
    return;
  /* To the end of the queue: the oldest waiting is dropped first. */
  set_waiting (conn, FALSE);
  set_waiting (conn, TRUE);
  conn->deadline_us = g_get_monotonic_time () + timeout_us;
}

/**
 * sc_listener_conn_busy:
 * @timeout_us: from now until the connection is dropped; 0 for never
 *
 * The connection does what it is for: it is never dropped for room.
 */
void
sc_listener_conn_busy (ScListenerConn *conn, gint64 timeout_us)
{
  if (conn->listener == NULL)
    return;
  set_waiting (conn, FALSE);
  conn->deadline_us = timeout_us > 0 ? g_get_monotonic_time () + timeout_us : 0;
}

/**
 * sc_listener_conn_release:
 *
 * The owner closed the connection; @conn is gone.
 */
void
sc_listener_conn_release (ScListenerConn *conn)
{
  if (conn->listener == NULL)
    {
      g_free (conn);
      return;
    }
  forget (conn);
}

/**
 * sc_listener_raise_fd_limit:
 *
 * Raises the soft limit on open files to the hard one (a systemd service
 * or a login shell starts with 1024): each connection costs a descriptor.
 */
void
sc_listener_raise_fd_limit (void)
{
  struct rlimit rl;

  if (getrlimit (RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= rl.rlim_max)
    return;
  rl.rlim_cur = rl.rlim_max;
  if (setrlimit (RLIMIT_NOFILE, &rl) != 0)
    g_debug ("setrlimit (RLIMIT_NOFILE): %s", g_strerror (errno));
}
