/* SPDX-License-Identifier: LGPL-2.1-or-later */

/**
 * ScFanout:
 *
 * Sends the RTP and RTCP of one shared PLAY media to every viewer that
 * receives it interleaved in its RTSP connection (RFC 2326, 10.12).
 *
 * Every viewer of a shared media gets the same packets; only the channel
 * numbers in the 4-byte interleaved headers may differ. So each buffer
 * list is framed once into one contiguous block, and each viewer costs a
 * single non-blocking send() of it: no per-viewer messages, queues,
 * wake-ups or locks shared with other viewers. gst-rtsp-server's own path
 * costs about twice as much per viewer (docs/PERFORMANCE.md).
 *
 * A payloader may push one access unit in several parts (an H.264
 * delimiter or parameter sets, then the slice's fragments): RTP that does
 * not end an access unit is held until the part that does, so that a
 * frame still costs each viewer one send() and one wake-up.
 *
 * A viewer that cannot take a block at once keeps the rest in its backlog,
 * which is sent first next time, so that blocks are never split by
 * anything else. When the backlog is full, whole blocks are dropped; a
 * viewer congested for longer than its limit (or whose socket failed) is
 * reported through its failed func, once.
 *
 * RTSP messages to a viewer (answers to its keep-alives, TEARDOWN) go
 * through sc_fanout_viewer_send_messages(), which writes them in order
 * with the blocks: at once when the backlog is empty, else after it.
 *
 * Each viewer writes through its own duplicate of the connection's socket,
 * so that gst-rtsp-server closing its socket never leaves us writing to a
 * number the kernel has handed to someone else; the connection ends when
 * both are closed (sc_fanout_viewer_close()).
 *
 * Threads: sc_fanout_send() runs on streaming threads (one per track, and
 * rtpbin's RTCP thread); viewers are added and removed on RTSP client
 * threads. The viewer list is copied on write, so senders hold the list
 * lock only to take a reference; each viewer has its own lock.
 */

#include "config.h"

#include "sc-fanout.h"

#include <errno.h>
#include <gst/rtsp/gstrtspconnection.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Its own category: the fanout is used (and unit-tested) without an
 * ScIngest. GST_DEBUG=slotcast-fanout:5 */
GST_DEBUG_CATEGORY_STATIC (sc_fanout_debug);
#define GST_CAT_DEFAULT sc_fanout_debug

#define DEFAULT_MAX_BACKLOG (1024 * 1024)
#define DEFAULT_MAX_CONGESTION_US (10 * G_USEC_PER_SEC)
#define MESSAGE_TIMEOUT_US G_USEC_PER_SEC

/* Both are atomic reference-counted boxes (g_atomic_rc_box). */
struct _ScFanout
{
  GMutex lock;
  GPtrArray *viewers; /* protected by lock; never changed, only replaced */
  GstBufferList *pending[SC_FANOUT_MAX_STREAMS]; /* protected by lock */
};

struct _ScFanoutViewer
{
  GMutex lock;
  int fd;                  /* protected by lock; -1 once closed */
  GstRTSPConnection *conn; /* protected by lock; writes messages on fd */
  gint16 channels[SC_FANOUT_MAX_STREAMS][2]; /* -1: not received */
  gboolean playing;                          /* protected by lock */
  gboolean expect_play;                      /* protected by lock */
  GByteArray *backlog;                       /* protected by lock */
  gsize backlog_sent;                        /* protected by lock */
  GPtrArray *deferred;    /* protected by lock; GstRTSPMessage copies */
  gint64 congested_since; /* protected by lock; 0 when not */
  guint64 dropped;        /* protected by lock */
  gboolean failed;        /* protected by lock */
  gsize max_backlog;
  gint64 max_congestion_us;
  ScFanoutFailedFunc failed_func;
  gpointer failed_data;
  GDestroyNotify failed_destroy;
};

/* One buffer list framed for the wire: the headers' channel bytes are at
 * @channel_at and hold @channel. */
typedef struct
{
  guint8 *data;
  gsize size;
  gsize *channel_at;
  guint n_packets;
  guint8 channel;
} Block;

/**
 * sc_fanout_attach:
 *
 * Makes @fanout what sends @media (a stream's shared PLAY media) to its
 * interleaved viewers; @media holds a reference.
 */
void
sc_fanout_attach (GObject *media, ScFanout *fanout)
{
  g_object_set_data_full (media, "sc-fanout", sc_fanout_ref (fanout),
                          (GDestroyNotify)sc_fanout_unref);
}

/**
 * sc_fanout_of:
 *
 * Returns: (transfer none) (nullable): what sends @media to its
 *   interleaved viewers, if it is a stream's shared PLAY media
 */
ScFanout *
sc_fanout_of (GObject *media)
{
  return g_object_get_data (media, "sc-fanout");
}

ScFanout *
sc_fanout_new (void)
{
  static gsize debug_once = 0;
  ScFanout *self = g_atomic_rc_box_new0 (ScFanout);

  if (g_once_init_enter (&debug_once))
    {
      GST_DEBUG_CATEGORY_INIT (sc_fanout_debug, "slotcast-fanout", 0,
                               "Slotcast: sending to interleaved viewers");
      g_once_init_leave (&debug_once, 1);
    }

  g_mutex_init (&self->lock);
  self->viewers
      = g_ptr_array_new_with_free_func ((GDestroyNotify)sc_fanout_viewer_unref);
  return self;
}

ScFanout *
sc_fanout_ref (ScFanout *self)
{
  return g_atomic_rc_box_acquire (self);
}

static void
fanout_clear (gpointer data)
{
  ScFanout *self = data;

  g_ptr_array_unref (self->viewers);
  for (guint i = 0; i < SC_FANOUT_MAX_STREAMS; i++)
    g_clear_pointer (&self->pending[i], gst_buffer_list_unref);
  g_mutex_clear (&self->lock);
}

void
sc_fanout_unref (ScFanout *self)
{
  g_atomic_rc_box_release_full (self, fanout_clear);
}

/* With the lock: the viewers but @skip, in a new array. */
static GPtrArray *
copy_viewers_without (ScFanout *self, ScFanoutViewer *skip)
{
  GPtrArray *copy = g_ptr_array_new_full (
      self->viewers->len + 1, (GDestroyNotify)sc_fanout_viewer_unref);

  for (guint i = 0; i < self->viewers->len; i++)
    {
      ScFanoutViewer *v = g_ptr_array_index (self->viewers, i);

      if (v != skip)
        g_ptr_array_add (copy, sc_fanout_viewer_ref (v));
    }
  return copy;
}

/* Senders keep using the list they took; the next ones take the copy. */
static void
update (ScFanout *self, ScFanoutViewer *viewer, gboolean add)
{
  GPtrArray *old, *copy;

  g_mutex_lock (&self->lock);
  copy = copy_viewers_without (self, viewer);
  if (add)
    g_ptr_array_add (copy, sc_fanout_viewer_ref (viewer));
  old = self->viewers;
  self->viewers = copy;
  g_mutex_unlock (&self->lock);
  g_ptr_array_unref (old);
}

/**
 * sc_fanout_add:
 *
 * Sends to @viewer from now on, while it plays (once only).
 */
void
sc_fanout_add (ScFanout *self, ScFanoutViewer *viewer)
{
  update (self, viewer, TRUE);
}

void
sc_fanout_remove (ScFanout *self, ScFanoutViewer *viewer)
{
  update (self, viewer, FALSE);
}

guint
sc_fanout_get_n_viewers (ScFanout *self)
{
  guint n;

  g_mutex_lock (&self->lock);
  n = self->viewers->len;
  g_mutex_unlock (&self->lock);
  return n;
}

/* Frames @buffer or @list once, channel bytes to be patched per viewer. */
static gboolean
block_init (Block *b, GstBuffer *buffer, GstBufferList *list)
{
  guint n = list ? gst_buffer_list_length (list) : 1;
  gsize size = 0, at = 0;

  for (guint i = 0; i < n; i++)
    {
      GstBuffer *buf = list ? gst_buffer_list_get (list, i) : buffer;
      gsize len = gst_buffer_get_size (buf);

      if (len > G_MAXUINT16)
        {
          GST_WARNING ("a %" G_GSIZE_FORMAT "-byte packet cannot be "
                       "interleaved: dropped",
                       len);
          return FALSE;
        }
      size += 4 + len;
    }
  b->data = g_malloc (size);
  b->size = size;
  b->channel_at = g_new (gsize, n);
  b->n_packets = n;
  b->channel = 0;
  for (guint i = 0; i < n; i++)
    {
      GstBuffer *buf = list ? gst_buffer_list_get (list, i) : buffer;
      gsize len = gst_buffer_get_size (buf);

      b->data[at] = '$';
      b->data[at + 1] = 0;
      b->data[at + 2] = len >> 8;
      b->data[at + 3] = len & 0xff;
      b->channel_at[i] = at + 1;
      gst_buffer_extract (buf, 0, b->data + at + 4, len);
      at += 4 + len;
    }
  return TRUE;
}

static void
block_set_channel (Block *b, guint8 channel)
{
  if (b->channel == channel)
    return;
  for (guint i = 0; i < b->n_packets; i++)
    b->data[b->channel_at[i]] = channel;
  b->channel = channel;
}

static void
block_clear (Block *b)
{
  g_free (b->data);
  g_free (b->channel_at);
}

/* A send() that never blocks and never raises SIGPIPE: bytes written, 0 if
 * the socket is full, -1 (errno set) if it failed. */
static gssize
send_some (int fd, const guint8 *data, gsize size)
{
  gssize n;

  do
    n = send (fd, data, size, MSG_DONTWAIT | MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
    return 0;
  return n;
}

/* With the lock: sends what the backlog holds. FALSE if the socket failed. */
static gboolean
flush_backlog (ScFanoutViewer *v)
{
  while (v->backlog_sent < v->backlog->len)
    {
      gssize n = send_some (v->fd, v->backlog->data + v->backlog_sent,
                            v->backlog->len - v->backlog_sent);

      if (n < 0)
        return FALSE;
      if (n == 0)
        return TRUE;
      v->backlog_sent += n;
    }
  g_byte_array_set_size (v->backlog, 0);
  v->backlog_sent = 0;
  return TRUE;
}

static gsize
backlog_size (ScFanoutViewer *v)
{
  return v->backlog->len - v->backlog_sent;
}

/* With the lock, the backlog empty: the messages held back for it. */
static gboolean
send_deferred (ScFanoutViewer *v)
{
  GstRTSPResult res = GST_RTSP_OK;

  for (guint i = 0; i < v->deferred->len && res == GST_RTSP_OK; i++)
    res = gst_rtsp_connection_send_usec (
        v->conn, g_ptr_array_index (v->deferred, i), MESSAGE_TIMEOUT_US);
  g_ptr_array_set_size (v->deferred, 0);
  return res == GST_RTSP_OK;
}

/* With the lock: gives up on @v; the caller reports it. */
static gboolean
mark_failed (ScFanoutViewer *v)
{
  gboolean first = !v->failed;

  v->failed = TRUE;
  v->playing = FALSE;
  return first;
}

static void
report_failed (ScFanoutViewer *v)
{
  if (v->failed_func != NULL)
    v->failed_func (v, v->failed_data);
}

/* Sends @b to @v; returns whether @v just failed. */
static gboolean
viewer_send_block (ScFanoutViewer *v, Block *b, guint index, gboolean rtcp,
                   gint64 now)
{
  gboolean failed = FALSE;
  gint channel;

  g_mutex_lock (&v->lock);
  channel = v->channels[index][rtcp ? 1 : 0];
  if (!v->playing || v->fd < 0 || channel < 0)
    goto out;
  block_set_channel (b, channel);

  if (backlog_size (v) > 0 && !flush_backlog (v))
    goto fail;
  if (backlog_size (v) == 0 && !send_deferred (v))
    goto fail;
  if (v->deferred->len > 0)
    v->dropped++; /* a message waits: nothing may overtake it */
  else if (backlog_size (v) == 0)
    {
      gssize n = send_some (v->fd, b->data, b->size);

      if (n < 0)
        goto fail;
      if ((gsize)n < b->size)
        g_byte_array_append (v->backlog, b->data + n, b->size - n);
    }
  else if (backlog_size (v) + b->size <= v->max_backlog)
    g_byte_array_append (v->backlog, b->data, b->size);
  else
    v->dropped++;

  if (backlog_size (v) == 0 && v->deferred->len == 0)
    v->congested_since = 0;
  else if (v->congested_since == 0)
    v->congested_since = now;
  else if (now - v->congested_since > v->max_congestion_us)
    {
      GST_WARNING ("viewer %p congested for %" G_GINT64_FORMAT " ms: closed", v,
                   (now - v->congested_since) / 1000);
      goto fail;
    }
  goto out;

fail:
  failed = mark_failed (v);
out:
  g_mutex_unlock (&v->lock);
  return failed;
}

/* With the lock: @list (or @buffer) after what waits for stream @index, as
 * one list; NULL if it must wait too. */
static GstBufferList *
take_with_pending (ScFanout *self, guint index, GstBuffer *buffer,
                   GstBufferList *list, gboolean complete)
{
  GstBufferList *all = self->pending[index];
  guint n = list ? gst_buffer_list_length (list) : 1;

  if (all == NULL && complete)
    return NULL;
  if (all == NULL)
    all = gst_buffer_list_new ();
  for (guint i = 0; i < n; i++)
    gst_buffer_list_add (
        all, gst_buffer_ref (list ? gst_buffer_list_get (list, i) : buffer));
  /* A stream that never marks the end of its units is not held forever. */
  if (!complete && gst_buffer_list_length (all) < 256)
    {
      self->pending[index] = all;
      return NULL;
    }
  self->pending[index] = NULL;
  return all;
}

/**
 * sc_fanout_send:
 * @index: the stream (track) of the media
 * @rtcp: whether these are RTCP packets (else RTP)
 * @buffer: (nullable): one packet
 * @list: (nullable): packets
 * @complete: whether these packets end an access unit (else they are held
 *   and go with the next ones of the stream)
 *
 * Sends the packets to every playing viewer that receives stream @index.
 */
void
sc_fanout_send (ScFanout *self, guint index, gboolean rtcp, GstBuffer *buffer,
                GstBufferList *list, gboolean complete)
{
  g_autoptr (GPtrArray) viewers = NULL;
  g_autoptr (GstBufferList) joined = NULL;
  Block b;
  gint64 now;

  if (index >= SC_FANOUT_MAX_STREAMS)
    return;
  g_mutex_lock (&self->lock);
  viewers = g_ptr_array_ref (self->viewers);
  if (!rtcp)
    {
      joined = take_with_pending (self, index, buffer, list, complete);
      if (joined == NULL && !complete)
        {
          g_mutex_unlock (&self->lock);
          return;
        }
    }
  g_mutex_unlock (&self->lock);
  if (joined != NULL)
    {
      buffer = NULL;
      list = joined;
    }
  if (viewers->len == 0 || !block_init (&b, buffer, list))
    return;

  now = g_get_monotonic_time ();
  for (guint i = 0; i < viewers->len; i++)
    {
      ScFanoutViewer *v = g_ptr_array_index (viewers, i);

      if (viewer_send_block (v, &b, index, rtcp, now))
        report_failed (v);
    }
  block_clear (&b);
}

static void
free_message (gpointer data)
{
  gst_rtsp_message_free (data);
}

/**
 * sc_fanout_viewer_new:
 * @socket: the viewer's connection
 *
 * Returns: (transfer full) (nullable): a viewer writing on a duplicate of
 *   @socket, not playing yet
 */
ScFanoutViewer *
sc_fanout_viewer_new (GSocket *socket, GError **error)
{
  ScFanoutViewer *v;
  g_autoptr (GSocket) own = NULL;
  GstRTSPConnection *conn = NULL;
  int fd = dup (g_socket_get_fd (socket));

  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "cannot duplicate the viewer's socket: %s",
                   g_strerror (saved));
      return NULL;
    }
  own = g_socket_new_from_fd (fd, error);
  if (own == NULL)
    {
      close (fd);
      return NULL;
    }
  if (gst_rtsp_connection_create_from_socket (own, "0.0.0.0", 0, NULL, &conn)
      != GST_RTSP_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "cannot write RTSP on the viewer's socket");
      return NULL;
    }

  v = g_atomic_rc_box_new0 (ScFanoutViewer);
  g_mutex_init (&v->lock);
  v->fd = fd;
  v->conn = conn;
  sc_fanout_viewer_reset_channels (v);
  v->backlog = g_byte_array_new ();
  v->deferred = g_ptr_array_new_with_free_func (free_message);
  v->max_backlog = DEFAULT_MAX_BACKLOG;
  v->max_congestion_us = DEFAULT_MAX_CONGESTION_US;
  return v;
}

ScFanoutViewer *
sc_fanout_viewer_ref (ScFanoutViewer *v)
{
  return g_atomic_rc_box_acquire (v);
}

static void
viewer_clear (gpointer data)
{
  ScFanoutViewer *v = data;

  sc_fanout_viewer_close (v);
  if (v->failed_destroy != NULL)
    v->failed_destroy (v->failed_data);
  g_byte_array_unref (v->backlog);
  g_ptr_array_unref (v->deferred);
  g_mutex_clear (&v->lock);
}

void
sc_fanout_viewer_unref (ScFanoutViewer *v)
{
  g_atomic_rc_box_release_full (v, viewer_clear);
}

/**
 * sc_fanout_viewer_set_failed_func:
 *
 * Sets what is called when @viewer's connection failed or stayed
 * congested; before the viewer is added anywhere.
 */
void
sc_fanout_viewer_set_failed_func (ScFanoutViewer *v, ScFanoutFailedFunc func,
                                  gpointer data, GDestroyNotify destroy)
{
  v->failed_func = func;
  v->failed_data = data;
  v->failed_destroy = destroy;
}

/**
 * sc_fanout_viewer_set_limits:
 * @max_backlog: bytes kept for a viewer that cannot take them yet
 * @max_congestion_us: how long a viewer may go without catching up
 *
 * Before the viewer is added anywhere.
 */
void
sc_fanout_viewer_set_limits (ScFanoutViewer *v, gsize max_backlog,
                             gint64 max_congestion_us)
{
  v->max_backlog = max_backlog;
  v->max_congestion_us = max_congestion_us;
}

/**
 * sc_fanout_viewer_set_channels:
 *
 * Stream @index goes to @viewer on interleaved channels @rtp and @rtcp.
 */
void
sc_fanout_viewer_set_channels (ScFanoutViewer *v, guint index, guint8 rtp,
                               guint8 rtcp)
{
  g_return_if_fail (index < SC_FANOUT_MAX_STREAMS);
  g_mutex_lock (&v->lock);
  v->channels[index][0] = rtp;
  v->channels[index][1] = rtcp;
  g_mutex_unlock (&v->lock);
}

/**
 * sc_fanout_viewer_reset_channels:
 *
 * @viewer receives no stream until sc_fanout_viewer_set_channels().
 */
void
sc_fanout_viewer_reset_channels (ScFanoutViewer *v)
{
  g_mutex_lock (&v->lock);
  for (guint i = 0; i < SC_FANOUT_MAX_STREAMS; i++)
    v->channels[i][0] = v->channels[i][1] = -1;
  g_mutex_unlock (&v->lock);
}

/**
 * sc_fanout_viewer_expect_play:
 *
 * The next successful response written to @viewer answers its PLAY: the
 * viewer plays from the moment it is written, so that no packet goes
 * before the answer.
 */
void
sc_fanout_viewer_expect_play (ScFanoutViewer *v)
{
  g_mutex_lock (&v->lock);
  v->expect_play = TRUE;
  g_mutex_unlock (&v->lock);
}

void
sc_fanout_viewer_set_playing (ScFanoutViewer *v, gboolean playing)
{
  g_mutex_lock (&v->lock);
  v->playing = playing && !v->failed && v->fd >= 0;
  v->expect_play = FALSE;
  g_mutex_unlock (&v->lock);
}

gboolean
sc_fanout_viewer_is_playing (ScFanoutViewer *v)
{
  gboolean playing;

  g_mutex_lock (&v->lock);
  playing = v->playing;
  g_mutex_unlock (&v->lock);
  return playing;
}

/* With the lock: a copy of @m kept until the backlog is sent. */
static void
defer_message (ScFanoutViewer *v, const GstRTSPMessage *m)
{
  GstRTSPMessage *copy = NULL;

  if (gst_rtsp_message_copy (m, &copy) == GST_RTSP_OK)
    g_ptr_array_add (v->deferred, copy);
}

/**
 * sc_fanout_viewer_send_messages:
 *
 * Writes RTSP requests and responses to @viewer in order with its packets,
 * after the backlog. Data messages are dropped: the fanout is the only
 * sender of packets to its viewers.
 *
 * Returns: FALSE if the connection failed
 */
gboolean
sc_fanout_viewer_send_messages (ScFanoutViewer *v, GstRTSPMessage *messages,
                                guint n)
{
  gboolean ok = TRUE;

  g_mutex_lock (&v->lock);
  if (v->fd < 0 || v->failed)
    {
      ok = FALSE;
      goto out;
    }
  for (guint i = 0; i < n; i++)
    {
      GstRTSPMessage *m = &messages[i];
      GstRTSPStatusCode code = 0;

      switch (gst_rtsp_message_get_type (m))
        {
          case GST_RTSP_MESSAGE_DATA:
            continue;
          case GST_RTSP_MESSAGE_RESPONSE:
            gst_rtsp_message_parse_response (m, &code, NULL, NULL);
            G_GNUC_FALLTHROUGH;
          default:
            defer_message (v, m);
            break;
        }
      if (code == GST_RTSP_STS_OK && v->expect_play)
        {
          v->expect_play = FALSE;
          v->playing = TRUE;
        }
    }
  ok = flush_backlog (v) && (backlog_size (v) > 0 || send_deferred (v));
  if (!ok)
    mark_failed (v);
out:
  g_mutex_unlock (&v->lock);
  return ok;
}

/**
 * sc_fanout_viewer_close:
 *
 * Stops writing to @viewer and closes its duplicate of the socket.
 */
void
sc_fanout_viewer_close (ScFanoutViewer *v)
{
  g_mutex_lock (&v->lock);
  v->playing = FALSE;
  if (v->conn != NULL)
    {
      gst_rtsp_connection_free (v->conn);
      v->conn = NULL;
    }
  v->fd = -1;
  g_ptr_array_set_size (v->deferred, 0);
  g_mutex_unlock (&v->lock);
}

guint64
sc_fanout_viewer_get_dropped (ScFanoutViewer *v)
{
  guint64 dropped;

  g_mutex_lock (&v->lock);
  dropped = v->dropped;
  g_mutex_unlock (&v->lock);
  return dropped;
}
