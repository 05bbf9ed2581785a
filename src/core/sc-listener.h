/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * ScListenerLimits:
 * @max_connections: connections held at once, all addresses together
 * @max_per_address: connections held at once from one address
 * @first_timeout_us: how long a new connection may wait (see
 *   sc_listener_conn_wait()) before it is dropped
 */
typedef struct
{
  guint max_connections;
  guint max_per_address;
  gint64 first_timeout_us;
} ScListenerLimits;

typedef struct _ScListenerConn ScListenerConn;

/**
 * ScListenerAcceptFunc:
 * @conn: the listener's record of the connection; valid until
 *   sc_listener_conn_release() or until the drop function is called
 * @connection: (transfer none): the accepted connection
 * @address: the peer's IP address as text
 *
 * Called on the listener's main context for every connection accepted
 * within the limits. The callee owns the connection from now on and tells
 * the listener when it ends (sc_listener_conn_release()).
 */
typedef void (*ScListenerAcceptFunc) (ScListenerConn *conn,
                                      GSocketConnection *connection,
                                      const char *address, gpointer data);

/**
 * ScListenerDropFunc:
 * @conn_data: what sc_listener_conn_set_data() gave
 *
 * The listener drops a connection: its timeout passed, or it was waiting
 * and a new connection needs its place. The callee closes the connection; its
 * #ScListenerConn is gone when this returns (do not release it).
 */
typedef void (*ScListenerDropFunc) (gpointer conn_data);

#define SC_TYPE_LISTENER (sc_listener_get_type ())
G_DECLARE_FINAL_TYPE (ScListener, sc_listener, SC, LISTENER, GObject)

ScListener *sc_listener_new (const char *name, const ScListenerLimits *limits,
                             ScListenerAcceptFunc accept, gpointer data);
gboolean sc_listener_listen (ScListener *self, const char *bind, int port,
                             GError **error);
guint16 sc_listener_get_port (ScListener *self);
void sc_listener_close (ScListener *self);

void sc_listener_conn_set_data (ScListenerConn *conn, ScListenerDropFunc func,
                                gpointer conn_data);
void sc_listener_conn_wait (ScListenerConn *conn, gint64 timeout_us);
void sc_listener_conn_busy (ScListenerConn *conn, gint64 timeout_us);
void sc_listener_conn_release (ScListenerConn *conn);

void sc_listener_raise_fd_limit (void);

G_END_DECLS
