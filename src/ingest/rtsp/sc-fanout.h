/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>
#include <gst/gst.h>
#include <gst/rtsp/gstrtspmessage.h>

G_BEGIN_DECLS

/* Streams (tracks) of one media a viewer can receive. */
#define SC_FANOUT_MAX_STREAMS 4

typedef struct _ScFanout ScFanout;
typedef struct _ScFanoutViewer ScFanoutViewer;

/* Called once, on the thread that found it, when a viewer's connection
 * failed or stayed congested too long: the owner closes the connection. */
typedef void (*ScFanoutFailedFunc) (ScFanoutViewer *viewer, gpointer data);

ScFanout *sc_fanout_new (void);
void sc_fanout_attach (GObject *media, ScFanout *fanout);
ScFanout *sc_fanout_of (GObject *media);
ScFanout *sc_fanout_ref (ScFanout *self);
void sc_fanout_unref (ScFanout *self);

void sc_fanout_send (ScFanout *self, guint index, gboolean rtcp,
                     GstBuffer *buffer, GstBufferList *list, gboolean complete);
void sc_fanout_add (ScFanout *self, ScFanoutViewer *viewer);
void sc_fanout_remove (ScFanout *self, ScFanoutViewer *viewer);
guint sc_fanout_get_n_viewers (ScFanout *self);

ScFanoutViewer *sc_fanout_viewer_new (GSocket *socket, GError **error);
ScFanoutViewer *sc_fanout_viewer_ref (ScFanoutViewer *viewer);
void sc_fanout_viewer_unref (ScFanoutViewer *viewer);
void sc_fanout_viewer_set_failed_func (ScFanoutViewer *viewer,
                                       ScFanoutFailedFunc func, gpointer data,
                                       GDestroyNotify destroy);
void sc_fanout_viewer_set_limits (ScFanoutViewer *viewer, gsize max_backlog,
                                  gint64 max_congestion_us);
void sc_fanout_viewer_reset_channels (ScFanoutViewer *viewer);
void sc_fanout_viewer_set_channels (ScFanoutViewer *viewer, guint index,
                                    guint8 rtp, guint8 rtcp);
void sc_fanout_viewer_expect_play (ScFanoutViewer *viewer);
void sc_fanout_viewer_set_playing (ScFanoutViewer *viewer, gboolean playing);
gboolean sc_fanout_viewer_is_playing (ScFanoutViewer *viewer);
gboolean sc_fanout_viewer_send_messages (ScFanoutViewer *viewer,
                                         GstRTSPMessage *messages, guint n);
void sc_fanout_viewer_close (ScFanoutViewer *viewer);
guint64 sc_fanout_viewer_get_dropped (ScFanoutViewer *viewer);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScFanout, sc_fanout_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScFanoutViewer, sc_fanout_viewer_unref)

G_END_DECLS
