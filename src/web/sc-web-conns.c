/* SPDX-License-Identifier: LGPL-2.1-or-later */

/**
 * ScWebConns:
 *
 * The HTTP(S) connections of an #ScWebServer, from accept to close, so that
 * every one is bounded in number and time (libsoup 3.2 bounds neither):
 *
 * - An #ScListener accepts (limits in all and per address, pauses when out
 *   of descriptors) and drops connections that wait too long: for the TLS
 *   handshake and the request headers (`[http] header-timeout-s`), between
 *   two requests (`keepalive-timeout-s`), or from the headers to the end of
 *   the response (`request-timeout-s`).
 * - libsoup gets each connection through soup_server_accept_iostream() and
 *   serves one request on it. A server with no listener of its own never
 *   keeps a connection alive: it closes it after the response, through its
 *   own disconnect, which frees everything. Keep-alive is ours: when a
 *   response that may be followed by another is written ("wrote-body"), the
 *   connection is taken back (soup_server_message_steal_connection()) and
 *   handed to libsoup again as a new connection. libsoup 3.2's own
 *   keep-alive leaks the descriptor of every idle connection that the client
 *   closes (fixed upstream in 3.3): that path is never taken. Pipelined
 *   requests are not supported: bytes libsoup read ahead are dropped with
 *   the connection it gave back (no browser or common client pipelines).
 * - TLS is ours too (GTlsServerConnection over the accepted socket), so the
 *   handshake has the same deadline.
 * - A request refused from its headers (a body too large or without a
 *   length) is answered without reading its body:
 *   sc_web_conns_respond_and_close() takes the connection back, writes the
 *   response prepared on the message, shuts the sending side and discards
 *   what the client still sends for at most 2 s before closing.
 *
 * Lives on the main context of sc_web_conns_listen(), with its server.
 */

#include "config.h"

#include "sc-web-conns.h"

#include <string.h>

#define LINGER_US (2 * G_USEC_PER_SEC)
#define LINGER_MAX_BYTES (1024 * 1024)

typedef struct _Conn Conn;

struct _ScWebConns
{
  GObject parent_instance;

  SoupServer *soup;
  ScWebConnsLimits limits;
  GTlsCertificate *tls;
  ScWebConnsDoneFunc done;
  gpointer done_data;
  ScListener *listener;
  GSource *sweep;
  GHashTable *conns; /* remote GSocketAddress (the one given to libsoup,
                        also what its messages return) → Conn, owned */
  GMainContext *context;
};

G_DEFINE_FINAL_TYPE (ScWebConns, sc_web_conns, G_TYPE_OBJECT)

struct _Conn
{
  ScWebConns *owner;    /* NULL once the connection is over */
  ScListenerConn *slot; /* NULL once released or dropped */
  GSocketConnection *socket;
  GIOStream *stream; /* @socket, or the TLS connection over it */
  GSocketAddress *local;
  GSocketAddress *remote;
  GCancellable *cancellable;
  GSource *source; /* a pending hand-over, or the linger time-out */
  GBytes *reply;   /* a final response being written */
  gsize lingered;
  guint8 *buffer; /* what lingering reads */
};

static void
conn_clear (Conn *c)
{
  g_clear_object (&c->socket);
  g_clear_object (&c->stream);
  g_clear_object (&c->local);
  g_clear_object (&c->remote);
  g_clear_object (&c->cancellable);
  g_clear_pointer (&c->reply, g_bytes_unref);
  g_free (c->buffer);
}

static Conn *
conn_ref (Conn *c)
{
  return g_atomic_rc_box_acquire (c);
}

static void
conn_unref (Conn *c)
{
  g_atomic_rc_box_release_full (c, (GDestroyNotify)conn_clear);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Conn, conn_unref)

/* Ends @c for good: the socket is closed, the listener told, the record
 * forgotten. */
static void
conn_end (Conn *c)
{
  ScWebConns *self = c->owner;

  if (self == NULL)
    return;
  c->owner = NULL;
  g_cancellable_cancel (c->cancellable);
  if (c->source != NULL)
    g_source_destroy (c->source);
  g_clear_pointer (&c->source, g_source_unref);
  g_socket_close (g_socket_connection_get_socket (c->socket), NULL);
  if (c->slot != NULL)
    sc_listener_conn_release (g_steal_pointer (&c->slot));
  g_hash_table_remove (self->conns, c->remote); /* may free @c */
}

static void
sc_web_conns_dispose (GObject *object)
{
  sc_web_conns_close (SC_WEB_CONNS (object));
  G_OBJECT_CLASS (sc_web_conns_parent_class)->dispose (object);
}

static void
sc_web_conns_finalize (GObject *object)
{
  ScWebConns *self = SC_WEB_CONNS (object);

  g_clear_object (&self->tls);
  g_hash_table_unref (self->conns);
  g_clear_pointer (&self->context, g_main_context_unref);
  G_OBJECT_CLASS (sc_web_conns_parent_class)->finalize (object);
}

static void
sc_web_conns_class_init (ScWebConnsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sc_web_conns_dispose;
  object_class->finalize = sc_web_conns_finalize;
}

static void
sc_web_conns_init (ScWebConns *self)
{
  self->conns
      = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify)conn_unref);
}

/* The listener drops @c (a time-out, or room for another connection).
 * Closing the socket under libsoup makes it end its side: its read fails
 * and it disconnects. */
static void
on_dropped (gpointer data)
{
  Conn *c = data;

  c->slot = NULL;
  conn_end (c);
}

static void
hand_over (Conn *c)
{
  g_autoptr (GError) error = NULL;

  if (!soup_server_accept_iostream (c->owner->soup, c->stream, c->local,
                                    c->remote, &error))
    {
      g_debug ("HTTP: cannot serve a connection: %s", error->message);
      conn_end (c);
    }
}

static void
on_handshake (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (Conn) c = data;
  g_autoptr (GError) error = NULL;

  if (!g_tls_connection_handshake_finish (G_TLS_CONNECTION (source), result,
                                          &error))
    {
      if (c->owner != NULL)
        g_debug ("HTTP: TLS handshake failed: %s", error->message);
      conn_end (c);
      return;
    }
  if (c->owner != NULL)
    hand_over (c);
}

static void
on_accept (ScListenerConn *slot, GSocketConnection *connection,
           const char *address, gpointer data)
{
  ScWebConns *self = data;
  g_autoptr (GError) error = NULL;
  Conn *c = g_atomic_rc_box_new0 (Conn);

  c->owner = self;
  c->slot = slot;
  c->socket = g_object_ref (connection);
  c->local = g_socket_connection_get_local_address (connection, NULL);
  c->remote = g_socket_connection_get_remote_address (connection, NULL);
  c->cancellable = g_cancellable_new ();
  if (c->local == NULL || c->remote == NULL)
    {
      g_socket_close (g_socket_connection_get_socket (connection), NULL);
      sc_listener_conn_release (slot);
      conn_unref (c);
      return;
    }
  sc_listener_conn_set_data (slot, on_dropped, c);
  g_hash_table_insert (self->conns, c->remote, c);
  if (self->tls == NULL)
    {
      c->stream = g_object_ref (G_IO_STREAM (connection));
      hand_over (c);
      return;
    }
  c->stream = g_tls_server_connection_new (G_IO_STREAM (connection), self->tls,
                                           &error);
  if (c->stream == NULL)
    {
      g_warning ("HTTPS: %s", error->message);
      conn_end (c);
      return;
    }
  g_object_set (c->stream, "require-close-notify", FALSE, NULL);
  g_tls_connection_handshake_async (G_TLS_CONNECTION (c->stream),
                                    G_PRIORITY_DEFAULT, c->cancellable,
                                    on_handshake, conn_ref (c));
}

static Conn *
lookup (ScWebConns *self, SoupServerMessage *msg)
{
  return g_hash_table_lookup (self->conns,
                              soup_server_message_get_remote_address (msg));
}

static void
on_got_headers (SoupServerMessage *msg, gpointer data)
{
  Conn *c = lookup (data, msg);

  if (c != NULL && c->slot != NULL)
    sc_listener_conn_busy (c->slot, c->owner->limits.request_timeout_us);
}

/* What libsoup 3.2 decides in soup_server_message_is_keepalive(). */
static gboolean
is_keepalive (SoupServerMessage *msg)
{
  SoupMessageHeaders *req = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *resp = soup_server_message_get_response_headers (msg);

  if (soup_message_headers_get_encoding (resp) == SOUP_ENCODING_EOF)
    return FALSE;
  if (soup_server_message_get_http_version (msg) == SOUP_HTTP_1_0)
    return soup_message_headers_header_contains (resp, "Connection",
                                                 "Keep-Alive");
  return !soup_message_headers_header_contains (req, "Connection", "close")
         && !soup_message_headers_header_contains (resp, "Connection", "close");
}

static gboolean
on_hand_over_again (gpointer data)
{
  Conn *c = data;

  g_clear_pointer (&c->source, g_source_unref);
  hand_over (c);
  return G_SOURCE_REMOVE;
}

/* The response is written. A connection that stays open is taken back from
 * libsoup and, from the main loop, given to it again as a new one. */
static void
on_wrote_body (SoupServerMessage *msg, gpointer data)
{
  ScWebConns *self = data;
  Conn *c = lookup (self, msg);
  g_autoptr (GIOStream) stolen = NULL;

  if (c == NULL || c->slot == NULL || !is_keepalive (msg))
    return;
  /* libsoup's own wrapper of c->stream, which does not close it. */
  stolen = soup_server_message_steal_connection (msg);
  sc_listener_conn_wait (c->slot, self->limits.keepalive_timeout_us);
  c->source = g_idle_source_new ();
  g_source_set_callback (c->source, on_hand_over_again, conn_ref (c),
                         (GDestroyNotify)conn_unref);
  g_source_attach (c->source, self->context);
  /* Last: counting the response may finish a stop, which ends @c. */
  self->done (msg, self->done_data);
}

static void
on_request_started (SoupServer *soup, SoupServerMessage *msg, gpointer data)
{
  ScWebConns *self = data;

  g_signal_connect_object (msg, "got-headers", G_CALLBACK (on_got_headers),
                           self, 0);
  g_signal_connect_object (msg, "wrote-body", G_CALLBACK (on_wrote_body), self,
                           0);
}

/* Whether libsoup closed @c (after a response that closes it, or on an
 * error) while it had it: not ours to hand over or to answer on. */
static gboolean
closed_by_libsoup (Conn *c)
{
  return c->owner != NULL && c->source == NULL && c->reply == NULL
         && c->stream != NULL && g_io_stream_is_closed (c->stream);
}

/* After a request: forget @c on the next iteration if libsoup closed it. */
static gboolean
on_check_closed (gpointer data)
{
  Conn *c = data;

  if (closed_by_libsoup (c))
    conn_end (c);
  return G_SOURCE_REMOVE;
}

static void
on_request_over (SoupServer *soup, SoupServerMessage *msg, gpointer data)
{
  ScWebConns *self = data;
  Conn *c = lookup (self, msg);
  GSource *idle;

  if (c == NULL)
    return;
  idle = g_idle_source_new ();
  g_source_set_callback (idle, on_check_closed, conn_ref (c),
                         (GDestroyNotify)conn_unref);
  g_source_attach (idle, self->context);
  g_source_unref (idle);
}

/* Connections libsoup closed without a word (an error before any request
 * line) are forgotten within a second. */
static gboolean
on_sweep (gpointer data)
{
  ScWebConns *self = data;
  g_autoptr (GPtrArray) closed
      = g_ptr_array_new_with_free_func ((GDestroyNotify)conn_unref);
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->conns);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Conn *c = value;

      if (closed_by_libsoup (c))
        g_ptr_array_add (closed, conn_ref (c));
    }
  for (guint i = 0; i < closed->len; i++)
    conn_end (closed->pdata[i]);
  return G_SOURCE_CONTINUE;
}

/**
 * sc_web_conns_new:
 * @tls: (nullable): the certificate to serve HTTPS with
 * @done: counts responses on connections kept alive
 *
 * Returns: (transfer full): the connections of @soup, not listening yet
 */
ScWebConns *
sc_web_conns_new (SoupServer *soup, const ScWebConnsLimits *limits,
                  GTlsCertificate *tls, ScWebConnsDoneFunc done, gpointer data)
{
  ScWebConns *self = g_object_new (SC_TYPE_WEB_CONNS, NULL);

  self->soup = soup;
  self->limits = *limits;
  self->tls = tls != NULL ? g_object_ref (tls) : NULL;
  self->done = done;
  self->done_data = data;
  self->listener = sc_listener_new (tls != NULL ? "HTTPS" : "HTTP",
                                    &limits->listener, on_accept, self);
  g_signal_connect_object (soup, "request-started",
                           G_CALLBACK (on_request_started), self, 0);
  g_signal_connect_object (soup, "request-finished",
                           G_CALLBACK (on_request_over), self, 0);
  g_signal_connect_object (soup, "request-aborted",
                           G_CALLBACK (on_request_over), self, 0);
  return self;
}

/**
 * sc_web_conns_listen:
 * @port: 0 picks a free one
 *
 * Listens on the thread-default main context.
 */
gboolean
sc_web_conns_listen (ScWebConns *self, const char *bind, int port,
                     GError **error)
{
  self->context = g_main_context_ref_thread_default ();
  if (!sc_listener_listen (self->listener, bind, port, error))
    return FALSE;
  self->sweep = g_timeout_source_new_seconds (1);
  g_source_set_callback (self->sweep, on_sweep, self, NULL);
  g_source_attach (self->sweep, self->context);
  return TRUE;
}

guint16
sc_web_conns_get_port (ScWebConns *self)
{
  return sc_listener_get_port (self->listener);
}

/* Lingering close: what the client still sends (the body it was told not
 * to send) is read and discarded until it closes, 1 MiB or 2 s, so the
 * close does not reset the connection before the client read the answer. */
static void linger_read (Conn *c);

static void
on_linger_read (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (Conn) c = data;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, NULL);

  if (n <= 0 || c->owner == NULL)
    {
      conn_end (c);
      return;
    }
  c->lingered += n;
  if (c->lingered >= LINGER_MAX_BYTES)
    conn_end (c);
  else
    linger_read (c);
}

static void
linger_read (Conn *c)
{
  if (c->buffer == NULL)
    c->buffer = g_malloc (16384);
  g_input_stream_read_async (g_io_stream_get_input_stream (c->stream),
                             c->buffer, 16384, G_PRIORITY_DEFAULT,
                             c->cancellable, on_linger_read, conn_ref (c));
}

static gboolean
on_linger_over (gpointer data)
{
  Conn *c = data;

  conn_end (c);
  return G_SOURCE_REMOVE;
}

static void
on_final_written (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (Conn) c = data;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL,
                                         NULL)
      || c->owner == NULL)
    {
      conn_end (c);
      return;
    }
  if (!G_IS_TLS_CONNECTION (c->stream))
    g_socket_shutdown (g_socket_connection_get_socket (c->socket), FALSE, TRUE,
                       NULL);
  c->source = g_timeout_source_new (LINGER_US / 1000);
  g_source_set_callback (c->source, on_linger_over, c, NULL);
  g_source_attach (c->source, c->owner->context);
  linger_read (c);
}

static void
append_header (const char *name, const char *value, gpointer data)
{
  g_string_append_printf (data, "%s: %s\r\n", name, value);
}

/**
 * sc_web_conns_respond_and_close:
 * @msg: a request whose headers were read, its response set (an early
 *   handler's refusal)
 *
 * Takes @msg's connection back from libsoup before the body is read,
 * writes the response set on @msg and closes the connection.
 */
void
sc_web_conns_respond_and_close (ScWebConns *self, SoupServerMessage *msg)
{
  Conn *c = lookup (self, msg);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  SoupMessageBody *body = soup_server_message_get_response_body (msg);
  guint status = soup_server_message_get_status (msg);
  g_autoptr (GBytes) content = soup_message_body_flatten (body);
  g_autoptr (GIOStream) stolen = NULL;
  GString *head;

  if (c == NULL || c->slot == NULL)
    return;
  stolen = soup_server_message_steal_connection (msg);
  sc_listener_conn_busy (c->slot, LINGER_US * 2);
  soup_message_headers_replace (headers, "Connection", "close");
  soup_message_headers_set_content_length (headers, g_bytes_get_size (content));
  head = g_string_new (NULL);
  g_string_append_printf (head, "HTTP/1.1 %u %s\r\n", status,
                          soup_server_message_get_reason_phrase (msg)
                              ? soup_server_message_get_reason_phrase (msg)
                              : soup_status_get_phrase (status));
  soup_message_headers_foreach (headers, append_header, head);
  g_string_append (head, "\r\n");
  g_string_append_len (head, g_bytes_get_data (content, NULL),
                       g_bytes_get_size (content));
  c->reply = g_string_free_to_bytes (head);
  g_output_stream_write_all_async (
      g_io_stream_get_output_stream (c->stream),
      g_bytes_get_data (c->reply, NULL), g_bytes_get_size (c->reply),
      G_PRIORITY_DEFAULT, c->cancellable, on_final_written, conn_ref (c));
  /* Last: counting the response may finish a stop, which ends @c. */
  self->done (msg, self->done_data);
}

/**
 * sc_web_conns_close:
 *
 * Stops listening and closes every connection (libsoup's side of them is
 * closed by soup_server_disconnect()).
 */
void
sc_web_conns_close (ScWebConns *self)
{
  g_autoptr (GList) all = NULL;

  if (self->sweep != NULL)
    g_source_destroy (self->sweep);
  g_clear_pointer (&self->sweep, g_source_unref);
  if (self->listener == NULL)
    return;
  sc_listener_close (self->listener);
  all = g_hash_table_get_values (self->conns);
  for (GList *l = all; l != NULL; l = l->next)
    conn_ref (l->data);
  for (GList *l = all; l != NULL; l = l->next)
    {
      conn_end (l->data);
      conn_unref (l->data);
    }
  g_clear_object (&self->listener);
}
