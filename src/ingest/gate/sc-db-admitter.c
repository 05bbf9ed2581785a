/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * ScDbAdmitter: admission for the ingest that runs inside `slotcast serve`.
 * It has its own SQLite connection to the booking database (WAL lets it read
 * while the booking service writes) and serialises the RTSP client threads
 * on a mutex around it: one decision is a single indexed lookup, tens of
 * microseconds, so no client waits on another for long. A cancelled
 * reservation is refused from the next decision on.
 */

#include "config.h"

#include "sc-db-admitter.h"

struct _ScDbAdmitter
{
  GMutex lock;
  ScDb *db; /* protected by lock */
};

/**
 * sc_db_admitter_new:
 *
 * Returns: (transfer full) (nullable): an admitter on the database file
 */
ScDbAdmitter *
sc_db_admitter_new (const char *db_path, ScSynchronous synchronous,
                    GError **error)
{
  ScDb *db = sc_db_open (db_path, synchronous, error);
  ScDbAdmitter *self;

  if (db == NULL)
    return NULL;
  self = g_new0 (ScDbAdmitter, 1);
  g_mutex_init (&self->lock);
  self->db = db;
  return self;
}

void
sc_db_admitter_free (ScDbAdmitter *self)
{
  if (self == NULL)
    return;
  g_clear_object (&self->db);
  g_mutex_clear (&self->lock);
  g_free (self);
}

/**
 * sc_db_admitter_decide: (skip)
 *
 * An #ScGateAdmitFunc; thread-safe.
 */
ScAdmitResult
sc_db_admitter_decide (const ScAdmissionRequest *request,
                       ScReservation **out_reservation, char **out_reason,
                       gpointer data)
{
  ScDbAdmitter *self = data;
  g_autoptr (GError) error = NULL;
  ScAdmitResult result;

  g_mutex_lock (&self->lock);
  result = sc_admission_decide (self->db, request, out_reservation, out_reason,
                                &error);
  g_mutex_unlock (&self->lock);
  if (error != NULL)
    g_warning ("Admission check failed: %s", error->message);
  return result;
}
