/* SPDX-License-Identifier: LGPL-2.1-or-later */

/**
 * ScRtmpSession:
 *
 * One RTMP connection, publishing only: the handshake (C0-C2/S0-S2, the
 * plain form every encoder accepts), the chunk stream (#ScRtmpChunkReader),
 * protocol control (chunk size, window acknowledgement, ping) and the AMF0
 * commands of a publisher: `connect` (application `live`),
 * `releaseStream`, `FCPublish`, `createStream`, `publish`, `FCUnpublish`,
 * `deleteStream`. `play` is answered with an error: viewers use RTSP.
 *
 * `publish STREAM?token=T` (or the token in the connect URL's query) is
 * decided by the ingest's admission function, the same as for RTSP, on a
 * worker thread so a slow booking service never stalls other connections.
 * Admitted, the session hands its media to an #ScRtmpPublisher; refused,
 * it answers `onStatus` NetStream.Publish.Unauthorized (or BadName) with
 * the reason as description, then closes.
 *
 * Any protocol violation, bound or time-out closes this connection alone.
 * Lives on the ingest's main context, reading and writing asynchronously;
 * emits #ScRtmpSession::closed once.
 */

#include "config.h"

#include "sc-rtmp-session.h"

#include "sc-amf0.h"
#include "sc-booking.h"
#include "sc-rtmp-chunk.h"
#include "sc-rtmp-publisher.h"
#include "sc-ready-set.h"

#include <string.h>

#define HANDSHAKE_SIZE 1536
#define READ_SIZE 65536
#define READS_PER_TURN 4
#define OUT_CHUNK_SIZE 4096
#define WINDOW_SIZE 2500000
#define MESSAGE_STREAM 1
#define APPLICATION "live"
#define LINGER_US (2 * G_USEC_PER_SEC)

/* Chunk streams of what the server sends. */
enum
{
  CSID_CONTROL = 2,
  CSID_COMMAND = 3,
  CSID_STATUS = 5,
};

typedef enum
{
  STATE_C0C1,
  STATE_C2,
  STATE_COMMANDS,
  STATE_AUTHORIZING,
  STATE_PUBLISHING,
  STATE_CLOSING, /* flushing a last answer, then draining */
  STATE_CLOSED,
} State;

struct _ScRtmpSession
{
  GObject parent_instance;

  ScGate *gate;
  ScHubRegistry *hubs;
  char *server_url;
  char *play_base;       /* nullable */
  GMainContext *context; /* the server's */
  GSocketConnection *connection;
  GInputStream *in;
  GOutputStream *out;
  GCancellable *cancellable;
  char *address;
  ScRtmpLimits limits;

  State state;
  gint64 accepted_us;
  gint64 last_read_us;
  gint64 closing_us;
  GByteArray *inbuf;
  guint8 *read_buffer;
  ScReadySet *ready;   /* the server's; not owned */
  ScReadyEntry *watch; /* this socket's entry in it */
  ScRtmpChunkReader *reader;
  guint64 bytes_in;
  guint64 acked;
  guint32 peer_window;

  guint32 out_chunk_size;
  GByteArray *outbuf;  /* waiting to be written */
  GByteArray *writing; /* being written, or NULL */

  gboolean connected; /* `connect` succeeded */
  char *app_token;    /* from the connect URL's query */
  char *stream;
  ScRtmpPublisher *publisher;
};

G_DEFINE_FINAL_TYPE (ScRtmpSession, sc_rtmp_session, G_TYPE_OBJECT)

enum
{
  SIGNAL_CLOSED,
  SIGNAL_PUBLISHING,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void watch_socket (ScRtmpSession *self);
static void flush (ScRtmpSession *self);

static void
sc_rtmp_session_dispose (GObject *object)
{
  ScRtmpSession *self = SC_RTMP_SESSION (object);

  if (self->publisher != NULL)
    sc_rtmp_publisher_stop (self->publisher);
  g_clear_object (&self->publisher);
  G_OBJECT_CLASS (sc_rtmp_session_parent_class)->dispose (object);
}

static void
sc_rtmp_session_finalize (GObject *object)
{
  ScRtmpSession *self = SC_RTMP_SESSION (object);

  g_clear_object (&self->connection);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->gate);
  g_clear_object (&self->hubs);
  g_free (self->server_url);
  g_free (self->play_base);
  g_main_context_unref (self->context);
  g_free (self->address);
  g_byte_array_unref (self->inbuf);
  g_free (self->read_buffer);
  g_clear_pointer (&self->reader, sc_rtmp_chunk_reader_free);
  g_byte_array_unref (self->outbuf);
  g_clear_pointer (&self->writing, g_byte_array_unref);
  g_free (self->app_token);
  g_free (self->stream);
  G_OBJECT_CLASS (sc_rtmp_session_parent_class)->finalize (object);
}

static void
sc_rtmp_session_class_init (ScRtmpSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sc_rtmp_session_dispose;
  object_class->finalize = sc_rtmp_session_finalize;

  /**
   * ScRtmpSession::closed:
   *
   * The connection is closed; emitted once.
   */
  signals[SIGNAL_CLOSED]
      = g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                      NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* Admitted: the connection carries a stream now. */
  signals[SIGNAL_PUBLISHING]
      = g_signal_new ("publishing", G_TYPE_FROM_CLASS (klass),
                      G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
sc_rtmp_session_init (ScRtmpSession *self)
{
  self->inbuf = g_byte_array_new ();
  self->outbuf = g_byte_array_new ();
  self->cancellable = g_cancellable_new ();
  self->out_chunk_size = SC_RTMP_DEFAULT_CHUNK_SIZE;
}

/**
 * sc_rtmp_session_new:
 * @ready: where the session's socket is watched (the server's, on the
 *   session's context); must outlive the session's connection
 * @address: the peer's address, for logs and status
 *
 * Returns: (transfer full): a session for an accepted connection; call
 *   sc_rtmp_session_start()
 */
ScRtmpSession *
sc_rtmp_session_new (const ScRtmpSessionEnv *env, GSocketConnection *connection,
                     const char *address)
{
  ScRtmpSession *self = g_object_new (SC_TYPE_RTMP_SESSION, NULL);
  const ScRtmpLimits *limits = &env->limits;

  self->ready = env->ready;
  self->gate = g_object_ref (env->gate);
  self->hubs = g_object_ref (env->hubs);
  self->server_url = g_strdup (env->server_url);
  self->play_base = g_strdup (env->play_base);
  self->context = g_main_context_ref_thread_default ();
  self->connection = g_object_ref (connection);
  self->in = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  self->out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  self->address = g_strdup (address);
  self->limits = *limits;
  self->reader = sc_rtmp_chunk_reader_new (limits->max_message_bytes,
                                           limits->max_chunk_size);
  self->read_buffer = g_malloc (READ_SIZE);
  return self;
}

const char *
sc_rtmp_session_get_address (ScRtmpSession *self)
{
  return self->address;
}

void
sc_rtmp_session_start (ScRtmpSession *self)
{
  self->accepted_us = self->last_read_us = g_get_monotonic_time ();
  watch_socket (self);
}

/**
 * sc_rtmp_session_close:
 * @why: for the log
 *
 * Closes the connection now (dropping unsent bytes) and stops publishing.
 */
void
sc_rtmp_session_close (ScRtmpSession *self, const char *why)
{
  if (self->state == STATE_CLOSED)
    return;
  g_debug ("RTMP connection from %s closed: %s", self->address, why);
  self->state = STATE_CLOSED;
  g_cancellable_cancel (self->cancellable);
  sc_ready_set_remove (self->ready, g_steal_pointer (&self->watch));
  if (self->publisher != NULL)
    sc_rtmp_publisher_stop (self->publisher);
  g_io_stream_close (G_IO_STREAM (self->connection), NULL, NULL);
  g_signal_emit (self, signals[SIGNAL_CLOSED], 0);
}

static gboolean
cut_idle (gpointer data)
{
  sc_rtmp_session_close (data, "publisher cut");
  return G_SOURCE_REMOVE;
}

/**
 * sc_rtmp_session_cut:
 * @session: (type ScRtmpSession): a publisher's session
 *
 * Closes @session on its server's context; any thread may ask (an
 * #ScHubCloseFunc).
 */
void
sc_rtmp_session_cut (GObject *session)
{
  ScRtmpSession *self = SC_RTMP_SESSION (session);

  g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, cut_idle,
                              g_object_ref (self), g_object_unref);
}

/* Once the last answer is written: no more sending, and what the peer
 * still sends is read and dropped until it closes (or the linger time
 * passes). Closing at once with unread bytes would reset the connection,
 * and the peer might never read the answer. */
static void
shut_down_sending (ScRtmpSession *self)
{
  GSocket *socket = g_socket_connection_get_socket (self->connection);

  if (!g_socket_shutdown (socket, FALSE, TRUE, NULL))
    sc_rtmp_session_close (self, "answered");
}

/* Ends the session after a last answer (a refusal, an error). */
static void
close_after_flush (ScRtmpSession *self)
{
  if (self->state >= STATE_CLOSING)
    return;
  self->state = STATE_CLOSING;
  self->closing_us = g_get_monotonic_time ();
  if (self->publisher != NULL)
    sc_rtmp_publisher_stop (self->publisher);
  if (self->writing == NULL && self->outbuf->len == 0)
    shut_down_sending (self);
}

/**
 * sc_rtmp_session_check_timeouts:
 *
 * Closes the session if it is not publishing within the setup time or
 * has been silent for the idle time. Call about once a second.
 */
void
sc_rtmp_session_check_timeouts (ScRtmpSession *self, gint64 now_us)
{
  if (self->state == STATE_CLOSED)
    return;
  if (self->state == STATE_CLOSING)
    {
      if (now_us - self->closing_us > LINGER_US)
        sc_rtmp_session_close (self, "answered; peer did not close");
    }
  else if (self->state < STATE_PUBLISHING
           && now_us - self->accepted_us > self->limits.setup_timeout_us)
    {
      g_message ("RTMP connection from %s: not publishing after %d s, closed",
                 self->address,
                 (int)(self->limits.setup_timeout_us / G_USEC_PER_SEC));
      sc_rtmp_session_close (self, "setup time-out");
    }
  else if (now_us - self->last_read_us > self->limits.idle_timeout_us)
    {
      g_message ("RTMP connection from %s: silent for %d s, closed",
                 self->address,
                 (int)(self->limits.idle_timeout_us / G_USEC_PER_SEC));
      sc_rtmp_session_close (self, "idle time-out");
    }
}

/* Writing. */

static void
on_written (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (ScRtmpSession) self = data;
  g_autoptr (GError) error = NULL;

  g_clear_pointer (&self->writing, g_byte_array_unref);
  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL,
                                         &error))
    {
      sc_rtmp_session_close (self, error->message);
      return;
    }
  if (self->outbuf->len > 0)
    flush (self);
  else if (self->state == STATE_CLOSING)
    shut_down_sending (self);
}

static void
flush (ScRtmpSession *self)
{
  if (self->writing != NULL || self->outbuf->len == 0
      || self->state == STATE_CLOSED)
    return;
  self->writing = g_steal_pointer (&self->outbuf);
  self->outbuf = g_byte_array_new ();
  g_output_stream_write_all_async (
      self->out, self->writing->data, self->writing->len, G_PRIORITY_DEFAULT,
      self->cancellable, on_written, g_object_ref (self));
}

static void
send_message (ScRtmpSession *self, guint32 csid, guint8 type, guint32 stream_id,
              GByteArray *payload)
{
  ScRtmpMessage m = { type, stream_id, 0, NULL };

  m.payload = g_bytes_new_static (payload->data, payload->len);
  sc_rtmp_chunk_write (self->outbuf, csid, &m, self->out_chunk_size);
  g_bytes_unref (m.payload);
  flush (self);
}

static void
send_control (ScRtmpSession *self, guint8 type, guint32 value, int extra)
{
  g_autoptr (GByteArray) p = g_byte_array_new ();
  guint8 b[5] = { value >> 24, value >> 16, value >> 8, value, extra };

  g_byte_array_append (p, b, extra >= 0 ? 5 : 4);
  send_message (self, CSID_CONTROL, type, 0, p);
}

static void
send_user_control (ScRtmpSession *self, guint16 event, const guint8 *data,
                   gsize size)
{
  g_autoptr (GByteArray) p = g_byte_array_new ();
  guint8 b[2] = { event >> 8, event };

  g_byte_array_append (p, b, 2);
  g_byte_array_append (p, data, size);
  send_message (self, CSID_CONTROL, SC_RTMP_USER_CONTROL, 0, p);
}

static void
put_status_object (GByteArray *p, const char *level, const char *code,
                   const char *description)
{
  sc_amf0_put_object_begin (p);
  sc_amf0_put_key (p, "level");
  sc_amf0_put_string (p, level);
  sc_amf0_put_key (p, "code");
  sc_amf0_put_string (p, code);
  sc_amf0_put_key (p, "description");
  sc_amf0_put_string (p, description);
}

static void
send_status (ScRtmpSession *self, const char *level, const char *code,
             const char *description)
{
  g_autoptr (GByteArray) p = g_byte_array_new ();

  sc_amf0_put_string (p, "onStatus");
  sc_amf0_put_number (p, 0);
  sc_amf0_put_null (p);
  put_status_object (p, level, code, description);
  sc_amf0_put_object_end (p);
  send_message (self, CSID_STATUS, SC_RTMP_COMMAND_AMF0, MESSAGE_STREAM, p);
}

/* `_result`/`_error` of transaction @txn with a null command object. */
static GByteArray *
begin_answer (const char *name, double txn)
{
  GByteArray *p = g_byte_array_new ();

  sc_amf0_put_string (p, name);
  sc_amf0_put_number (p, txn);
  return p;
}

/* Commands. */

static char *
query_token (const char *query)
{
  g_autoptr (GHashTable) params = NULL;

  if (query == NULL)
    return NULL;
  params = g_uri_parse_params (query, -1, "&", G_URI_PARAMS_NONE, NULL);
  return params ? g_strdup (g_hash_table_lookup (params, "token")) : NULL;
}

static void
on_connect (ScRtmpSession *self, double txn, JsonNode *command)
{
  const char *app = sc_amf0_get_string (sc_amf0_get_member (command, "app"));
  g_autofree char *name = NULL;
  const char *query = NULL;
  g_autoptr (GByteArray) p = NULL;

  send_control (self, SC_RTMP_SET_CHUNK_SIZE, OUT_CHUNK_SIZE, -1);
  self->out_chunk_size = OUT_CHUNK_SIZE;
  if (app != NULL)
    {
      name = g_strndup (app, strcspn (app, "?"));
      query = strchr (app, '?') ? strchr (app, '?') + 1 : NULL;
      if (g_str_has_suffix (name, "/"))
        name[strlen (name) - 1] = '\0';
    }
  if (g_strcmp0 (name, APPLICATION) != 0)
    {
      g_autofree char *why
          = g_strdup_printf ("Unknown application \"%s\": publish to %s",
                             app ? app : "", self->server_url);

      g_message ("RTMP connection from %s refused: %s", self->address, why);
      p = begin_answer ("_error", txn);
      sc_amf0_put_null (p);
      put_status_object (p, "error", "NetConnection.Connect.Rejected", why);
      sc_amf0_put_object_end (p);
      send_message (self, CSID_COMMAND, SC_RTMP_COMMAND_AMF0, 0, p);
      close_after_flush (self);
      return;
    }
  g_free (self->app_token);
  self->app_token = query_token (query);
  self->connected = TRUE;

  send_control (self, SC_RTMP_WINDOW_ACK_SIZE, WINDOW_SIZE, -1);
  send_control (self, SC_RTMP_SET_PEER_BANDWIDTH, WINDOW_SIZE, 2);
  p = begin_answer ("_result", txn);
  sc_amf0_put_object_begin (p);
  sc_amf0_put_key (p, "fmsVer");
  sc_amf0_put_string (p, "FMS/3,0,1,123");
  sc_amf0_put_key (p, "capabilities");
  sc_amf0_put_number (p, 31);
  sc_amf0_put_object_end (p);
  put_status_object (p, "status", "NetConnection.Connect.Success",
                     "Connection succeeded.");
  sc_amf0_put_key (p, "objectEncoding");
  sc_amf0_put_number (p, 0);
  sc_amf0_put_object_end (p);
  send_message (self, CSID_COMMAND, SC_RTMP_COMMAND_AMF0, 0, p);
}

static void
on_create_stream (ScRtmpSession *self, double txn)
{
  g_autoptr (GByteArray) p = begin_answer ("_result", txn);

  sc_amf0_put_null (p);
  sc_amf0_put_number (p, MESSAGE_STREAM);
  send_message (self, CSID_COMMAND, SC_RTMP_COMMAND_AMF0, 0, p);
}

typedef struct
{
  char *stream;
  char *token;
  ScAdmitResult result;
  ScReservation *reservation;
  char *reason;
} Admission;

static void
admission_free (Admission *a)
{
  g_free (a->stream);
  g_free (a->token);
  g_clear_pointer (&a->reservation, sc_reservation_free);
  g_free (a->reason);
  g_free (a);
}

static void
admit_thread (GTask *task, gpointer source, gpointer data,
              GCancellable *cancellable)
{
  ScRtmpSession *self = source;
  Admission *a = data;

  a->result = sc_gate_admit (self->gate, a->stream, a->token,
                             SC_ADMISSION_PUBLISH, &a->reservation, &a->reason);
  g_task_return_boolean (task, TRUE);
}

static void
on_admitted (GObject *source, GAsyncResult *result, gpointer data)
{
  ScRtmpSession *self = SC_RTMP_SESSION (source);
  Admission *a = g_task_get_task_data (G_TASK (result));
  g_autofree char *started = NULL;

  if (self->state != STATE_AUTHORIZING)
    return; /* closed meanwhile */
  if (a->result != SC_ADMIT_OK)
    {
      if (sc_gate_count_refusal (self->gate, a->result, "rtmp", "publish",
                                 a->stream, self->address))
        g_message ("Refused RTMP publisher of %s from %s: %s", a->stream,
                   self->address, a->reason);
      send_status (self, "error", "NetStream.Publish.Unauthorized", a->reason);
      close_after_flush (self);
      return;
    }
  g_message ("Admitted RTMP publisher of %s (reservation %s) from %s",
             a->stream, a->reservation->id, self->address);
  self->publisher = sc_rtmp_publisher_new (
      self->hubs, a->stream, G_OBJECT (self), sc_rtmp_session_cut, a->token,
      self->address, a->reservation);
  self->state = STATE_PUBLISHING;
  g_signal_emit (self, signals[SIGNAL_PUBLISHING], 0);
  send_user_control (self, 0, (const guint8 *)"\0\0\0\1", 4); /* StreamBegin */
  started = g_strdup_printf ("%s is now published.", a->stream);
  send_status (self, "status", "NetStream.Publish.Start", started);
}

static void
on_publish (ScRtmpSession *self, GPtrArray *args)
{
  const char *name = args->len > 3 ? sc_amf0_get_string (args->pdata[3]) : NULL;
  g_autofree char *stream = NULL;
  g_autoptr (GTask) task = NULL;
  Admission *a;

  if (self->state != STATE_COMMANDS)
    {
      send_status (self, "error", "NetStream.Publish.BadConnection",
                   "This connection already publishes");
      close_after_flush (self);
      return;
    }
  if (name != NULL)
    stream = g_strndup (name, strcspn (name, "?"));
  if (stream == NULL || !sc_booking_stream_name_valid (stream))
    {
      g_message ("Refused RTMP publisher from %s: bad stream name",
                 self->address);
      send_status (self, "error", "NetStream.Publish.BadName",
                   "The stream key must be STREAM?token=TOKEN, STREAM of "
                   "A-Z a-z 0-9 _ - (at most 64)");
      close_after_flush (self);
      return;
    }
  a = g_new0 (Admission, 1);
  a->stream = g_steal_pointer (&stream);
  a->token = query_token (strchr (name, '?') ? strchr (name, '?') + 1 : NULL);
  if (a->token == NULL)
    a->token = g_strdup (self->app_token);
  g_free (self->stream);
  self->stream = g_strdup (a->stream);
  self->state = STATE_AUTHORIZING;
  task = g_task_new (self, NULL, on_admitted, NULL);
  g_task_set_task_data (task, a, (GDestroyNotify)admission_free);
  g_task_run_in_thread (task, admit_thread);
}

static void
on_play (ScRtmpSession *self, GPtrArray *args)
{
  const char *name = args->len > 3 ? sc_amf0_get_string (args->pdata[3]) : NULL;
  g_autofree char *stream = name ? g_strndup (name, strcspn (name, "?")) : NULL;
  g_autofree char *path = g_strconcat (
      "/live/", sc_booking_stream_name_valid (stream) ? stream : "STREAM",
      NULL);
  g_autofree char *why = g_strdup_printf (
      "Playing over RTMP is not offered: play %s%s",
      self->play_base != NULL ? self->play_base : "over RTSP", path);

  g_message ("RTMP connection from %s asked to play: refused", self->address);
  send_status (self, "error", "NetStream.Play.Failed", why);
  close_after_flush (self);
}

static void
on_unpublish (ScRtmpSession *self)
{
  if (self->publisher == NULL)
    return;
  sc_rtmp_publisher_stop (self->publisher);
  g_clear_object (&self->publisher);
  self->state = STATE_COMMANDS;
  send_status (self, "status", "NetStream.Unpublish.Success",
               "Stopped publishing.");
}

static gboolean
handle_command (ScRtmpSession *self, const ScRtmpMessage *m, GError **error)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (m->payload, &size);
  g_autoptr (GPtrArray) args = NULL;
  const char *name;
  double txn;

  /* An AMF3 command starts with a format byte, then is AMF0. */
  if (m->type == SC_RTMP_COMMAND_AMF3 && size > 0)
    {
      data++;
      size--;
    }
  if ((args = sc_amf0_decode_all (data, size, error)) == NULL)
    return FALSE;
  name = args->len >= 2 ? sc_amf0_get_string (args->pdata[0]) : NULL;
  if (name == NULL || !sc_amf0_get_number (args->pdata[1], &txn))
    {
      g_set_error_literal (error, SC_RTMP_ERROR, SC_RTMP_ERROR_PROTOCOL,
                           "command without a name and transaction id");
      return FALSE;
    }
  if (!self->connected && strcmp (name, "connect") != 0)
    {
      g_set_error (error, SC_RTMP_ERROR, SC_RTMP_ERROR_PROTOCOL,
                   "\"%s\" before connect", name);
      return FALSE;
    }
  if (strcmp (name, "connect") == 0)
    {
      if (self->connected)
        {
          g_set_error_literal (error, SC_RTMP_ERROR, SC_RTMP_ERROR_PROTOCOL,
                               "second connect");
          return FALSE;
        }
      on_connect (self, txn, args->len > 2 ? args->pdata[2] : NULL);
    }
  else if (strcmp (name, "createStream") == 0)
    on_create_stream (self, txn);
  else if (strcmp (name, "publish") == 0)
    on_publish (self, args);
  else if (strcmp (name, "play") == 0 || strcmp (name, "play2") == 0)
    on_play (self, args);
  else if (strcmp (name, "FCUnpublish") == 0
           || strcmp (name, "deleteStream") == 0
           || strcmp (name, "closeStream") == 0)
    on_unpublish (self);
  /* releaseStream, FCPublish and the rest need no answer. */
  return TRUE;
}

static gboolean
handle_message (ScRtmpSession *self, const ScRtmpMessage *m, GError **error)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (m->payload, &size);

  switch (m->type)
    {
      case SC_RTMP_USER_CONTROL:
        /* PingRequest → PingResponse with the same time. */
        if (size >= 6 && data[0] == 0 && data[1] == 6)
          send_user_control (self, 7, data + 2, 4);
        return TRUE;
      case SC_RTMP_WINDOW_ACK_SIZE:
        if (size >= 4)
          self->peer_window
              = (guint32)data[0] << 24 | data[1] << 16 | data[2] << 8 | data[3];
        return TRUE;
      case SC_RTMP_COMMAND_AMF0:
      case SC_RTMP_COMMAND_AMF3:
        return handle_command (self, m, error);
      case SC_RTMP_AUDIO:
      case SC_RTMP_VIDEO:
      case SC_RTMP_DATA_AMF0:
        if (self->state != STATE_PUBLISHING || self->publisher == NULL)
          return TRUE;
        return sc_rtmp_publisher_push (self->publisher, m, error);
      default:
        return TRUE;
    }
}

/* Reading. */

static gboolean
handshake (ScRtmpSession *self, GError **error)
{
  const guint8 *c1;
  guint8 s0s1[1 + HANDSHAKE_SIZE];

  if (self->state == STATE_C0C1)
    {
      if (self->inbuf->len < 1 + HANDSHAKE_SIZE)
        return TRUE;
      if (self->inbuf->data[0] != 3)
        {
          g_set_error (error, SC_RTMP_ERROR, SC_RTMP_ERROR_PROTOCOL,
                       "not RTMP: version byte %u", self->inbuf->data[0]);
          return FALSE;
        }
      c1 = self->inbuf->data + 1;
      /* S1: time 0, zero, filler; S2 echoes C1. */
      memset (s0s1, 0, sizeof s0s1);
      s0s1[0] = 3;
      for (guint i = 9; i < sizeof s0s1; i++)
        s0s1[i] = g_random_int () & 0xff;
      g_byte_array_append (self->outbuf, s0s1, sizeof s0s1);
      g_byte_array_append (self->outbuf, c1, HANDSHAKE_SIZE);
      flush (self);
      g_byte_array_remove_range (self->inbuf, 0, 1 + HANDSHAKE_SIZE);
      self->state = STATE_C2;
    }
  if (self->state == STATE_C2 && self->inbuf->len >= HANDSHAKE_SIZE)
    {
      g_byte_array_remove_range (self->inbuf, 0, HANDSHAKE_SIZE);
      self->state = STATE_COMMANDS;
    }
  return TRUE;
}

static gboolean
process (ScRtmpSession *self, GError **error)
{
  g_autoptr (GPtrArray) messages
      = g_ptr_array_new_with_free_func ((GDestroyNotify)sc_rtmp_message_free);
  gssize used;

  if (self->state < STATE_COMMANDS && !handshake (self, error))
    return FALSE;
  if (self->state < STATE_COMMANDS || self->inbuf->len == 0)
    return TRUE;
  used = sc_rtmp_chunk_reader_parse (self->reader, self->inbuf->data,
                                     self->inbuf->len, messages, error);
  if (used < 0)
    return FALSE;
  g_byte_array_remove_range (self->inbuf, 0, used);
  for (guint i = 0; i < messages->len; i++)
    {
      if (self->state >= STATE_CLOSING)
        break;
      if (!handle_message (self, messages->pdata[i], error))
        return FALSE;
    }
  return TRUE;
}

/* Takes @n bytes just read. */
static void
on_bytes (ScRtmpSession *self, gssize n)
{
  g_autoptr (GError) error = NULL;

  self->last_read_us = g_get_monotonic_time ();
  self->bytes_in += n;
  if (self->state == STATE_CLOSING)
    return; /* drained and dropped */
  g_byte_array_append (self->inbuf, self->read_buffer, n);
  if (!process (self, &error))
    {
      g_message ("RTMP connection from %s: %s; closed", self->address,
                 error->message);
      sc_rtmp_session_close (self, error->message);
      return;
    }
  if (self->state == STATE_CLOSED)
    return;
  if (self->peer_window > 0
      && self->bytes_in - self->acked >= self->peer_window)
    {
      self->acked = self->bytes_in;
      send_control (self, SC_RTMP_ACKNOWLEDGEMENT, (guint32)self->bytes_in, -1);
    }
}

/* The socket is readable: reads what is there, a few times at most so
 * that other connections get their turn (the set calls again while bytes
 * are left). */
static void
on_readable (gpointer data)
{
  g_autoptr (ScRtmpSession) self = g_object_ref (data);
  GSocket *socket = g_socket_connection_get_socket (self->connection);

  for (int i = 0; i < READS_PER_TURN && self->state != STATE_CLOSED; i++)
    {
      g_autoptr (GError) error = NULL;
      gssize n = g_socket_receive_with_blocking (
          socket, (char *)self->read_buffer, READ_SIZE, FALSE, NULL, &error);

      if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        return;
      if (n <= 0)
        {
          sc_rtmp_session_close (self,
                                 n == 0 ? "end of stream" : error->message);
          return;
        }
      on_bytes (self, n);
      if (n < READ_SIZE)
        return;
    }
}

static void
watch_socket (ScRtmpSession *self)
{
  int fd = g_socket_get_fd (g_socket_connection_get_socket (self->connection));

  self->watch = sc_ready_set_add (self->ready, fd, on_readable, self);
  if (self->watch == NULL)
    sc_rtmp_session_close (self, "cannot watch the socket");
}
