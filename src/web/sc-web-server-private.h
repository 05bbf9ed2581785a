/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "sc-web-conns.h"

#include "sc-admission.h"
#include "sc-auth-limiter.h"
#include "sc-http.h"
#include "sc-web-server.h"

G_BEGIN_DECLS

typedef struct _ScNodeReport ScNodeReport;
void sc_node_report_free (ScNodeReport *report);

/* Counters for /metrics; main context only. */
typedef struct
{
  guint64 responses[6]; /* by status class: [1] 1xx … [5] 5xx */
  guint64 bookings;
  guint64 booking_conflicts;
  guint64 booking_rejected;
  guint64 cancellations;
  guint64 authorize[SC_ADMIT_N_RESULTS];
  guint64 bad_keys;
  guint64 rate_limited;
  guint64 body_too_large;
  guint64 logins;
  guint64 bad_logins;
} ScWebMetrics;

struct _ScWebServer
{
  GObject parent_instance;

  SoupServer *soup;
  ScWebConns *conns;
  ScSettings *settings;
  ScDb *db;
  ScClock *clock;
  ScSealer *sealer;
  ScAuthLimiter *limiter;
  ScWebMetrics metrics;
  ScLiveSource live; /* dup_live NULL: no ingest in this process */
  gint64 started_us;
  guint16 port;
  gboolean tls;

  guint in_flight;            /* requests read, response not yet sent */
  GPtrArray *awaiting_commit; /* paused SoupServerMessage, see below */
  guint commit_idle_id;
  GHashTable *node_reports;   /* node name → ScNodeReport */
  GHashTable *etags;          /* web file's resource name → its ETag */
  GHashTable *pending_logins; /* addresses with a login checked or waiting */
  guint logins_checking;      /* password checks running */
  GQueue logins_waiting;      /* Login (sc-api-session.c), oldest first */
  GPtrArray *feed_waiters;    /* long polls of the feed (sc-api-feed.c) */
  guint feed_tick_id;
  GTask *stop_task;
  guint stop_timeout_id;
};

void sc_web_server_add_route (ScWebServer *self, const char *path,
                              SoupServerCallback callback);
ScUser *sc_web_server_authenticate (ScWebServer *self, SoupServerMessage *msg);
ScNode *sc_web_server_authenticate_node (ScWebServer *self,
                                         SoupServerMessage *msg,
                                         ScUser **out_user);
gboolean sc_web_server_write_begin (ScWebServer *self, SoupServerMessage *msg);
void sc_web_server_hold_until_commit (ScWebServer *self,
                                      SoupServerMessage *msg);
void sc_web_server_commit_now (ScWebServer *self);
void sc_web_server_send_db_error (ScWebServer *self, SoupServerMessage *msg,
                                  const GError *error);

gboolean sc_web_server_check_not_blocked (ScWebServer *self,
                                          SoupServerMessage *msg);
gboolean sc_web_server_record_auth_failure (ScWebServer *self,
                                            SoupServerMessage *msg);

char *sc_web_session_dup_cookie (SoupServerMessage *msg);
gboolean sc_web_session_check_csrf (SoupServerMessage *msg, const char *token);

GPtrArray *sc_web_server_dup_live (ScWebServer *self);
GPtrArray *sc_web_server_dup_refusals (ScWebServer *self, gint64 since_us);
guint64 sc_web_server_count_refusals (ScWebServer *self, ScAdmitResult reason);

void sc_static_register (ScWebServer *self);
void sc_node_reports_register (ScWebServer *self);
void sc_api_session_register (ScWebServer *self);
void sc_api_session_drop_waiting (ScWebServer *self);
void sc_api_reservations_register (ScWebServer *self);
void sc_api_ingest_register (ScWebServer *self);
void sc_api_status_register (ScWebServer *self);
void sc_api_feed_register (ScWebServer *self);
void sc_api_feed_wake (ScWebServer *self);
void sc_api_feed_release (ScWebServer *self);
void sc_api_feed_free (ScWebServer *self);

G_END_DECLS
