/* SPDX-License-Identifier: LGPL-2.1-or-later */

/**
 * ScGate:
 *
 * The door of an ingest node: who may publish or view which stream now.
 * It asks the admission function it was given (the database's, or the
 * node's copy of its reservations) with this node's name and time rules,
 * and it keeps the refusals: counted by reason, the last 256 for the web
 * UI, and the bad tokens of each address limited in the log as bad keys
 * are on HTTP.
 *
 * Every input (RTSP, RTMP) and the ingest's checks hold the same gate.
 * Thread-safe: inputs ask from their client threads.
 */

#include "config.h"

#include "sc-gate.h"

#include "sc-auth-limiter.h"

#include <string.h>

/* Refusals kept for the web UI's "refused in the last hour". */
#define RECENT_REFUSALS 256
/* Addresses whose bad tokens are counted (sc_gate_count_refusal()). */
#define REFUSING_ADDRESSES_MAX 65536
#define REFUSAL_STREAM_MAX 64

struct _ScGate
{
  GObject parent_instance;

  ScSettings *settings; /* immutable */
  ScClock *clock;
  ScSlotRules rules; /* immutable */
  ScGateAdmitFunc admit;
  gpointer admit_data;
  GDestroyNotify admit_destroy;

  guint64 refusals[SC_ADMIT_N_RESULTS]; /* atomic */
  ScAuthLimiter *bad_tokens;            /* thread-safe */

  GMutex lock;
  ScRefusal *recent[RECENT_REFUSALS]; /* protected by lock: a ring */
  guint recent_next;                  /* protected by lock */
};

G_DEFINE_FINAL_TYPE (ScGate, sc_gate, G_TYPE_OBJECT)

static void
sc_gate_finalize (GObject *object)
{
  ScGate *self = SC_GATE (object);

  if (self->admit_destroy != NULL)
    self->admit_destroy (self->admit_data);
  g_clear_pointer (&self->settings, sc_settings_unref);
  g_clear_object (&self->clock);
  g_clear_object (&self->bad_tokens);
  for (guint i = 0; i < RECENT_REFUSALS; i++)
    sc_refusal_free (self->recent[i]);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (sc_gate_parent_class)->finalize (object);
}

static void
sc_gate_class_init (ScGateClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sc_gate_finalize;
}

static void
sc_gate_init (ScGate *self)
{
  g_mutex_init (&self->lock);
}

/**
 * sc_gate_new:
 * @admit: decides admissions; called from any thread
 *
 * Returns: (transfer full): the gate of the node [node] name, with the
 *   time rules of @settings ([booking] admit-early-s, grace-s)
 */
ScGate *
sc_gate_new (ScSettings *settings, ScClock *clock, ScGateAdmitFunc admit,
             gpointer admit_data, GDestroyNotify admit_destroy)
{
  ScGate *self = g_object_new (SC_TYPE_GATE, NULL);

  self->settings = sc_settings_ref (settings);
  self->clock = g_object_ref (clock);
  self->rules = (ScSlotRules){
    .admit_early_us = settings->admit_early_s * SC_USEC_PER_SEC,
    .grace_us = settings->grace_s * SC_USEC_PER_SEC,
  };
  self->admit = admit;
  self->admit_data = admit_data;
  self->admit_destroy = admit_destroy;
  self->bad_tokens = sc_auth_limiter_new (
      settings->auth_fail_limit, settings->auth_fail_window_s * SC_USEC_PER_SEC,
      settings->auth_block_s * SC_USEC_PER_SEC, REFUSING_ADDRESSES_MAX);
  return self;
}

/**
 * sc_gate_admit:
 * @token: (nullable): none for %SC_ADMISSION_SCHEDULE
 *
 * Asks the admission function about @token for @stream on this node, now.
 * Any thread.
 */
ScAdmitResult
sc_gate_admit (ScGate *self, const char *stream, const char *token,
               ScAdmissionRole role, ScReservation **out_reservation,
               char **out_reason)
{
  ScAdmissionRequest request = {
    .token = token,
    .stream = stream,
    .node = self->settings->node_name,
    .role = role,
    .admit_early_us = self->rules.admit_early_us,
    .now_us = sc_clock_now_us (self->clock),
  };
  g_autofree char *reason = NULL;

  /* Admission functions always give a reason. */
  return self->admit (&request, out_reservation,
                      out_reason != NULL ? out_reason : &reason,
                      self->admit_data);
}

/**
 * sc_gate_is_booked:
 *
 * Returns: whether @stream has a reservation on this node that has not
 *   ended (or the answer cannot be had now: it is not forgotten for that)
 */
gboolean
sc_gate_is_booked (ScGate *self, const char *stream)
{
  ScAdmitResult result
      = sc_gate_admit (self, stream, NULL, SC_ADMISSION_SCHEDULE, NULL, NULL);

  return result == SC_ADMIT_OK || result == SC_ADMIT_TOO_EARLY;
}

/* A refusal for a credential that is wrong (not one that is early, late
 * or cancelled): what a guesser or a broken client sends. */
static gboolean
is_bad_credential (ScAdmitResult result)
{
  switch (result)
    {
      case SC_ADMIT_MISSING_TOKEN:
      case SC_ADMIT_MALFORMED_TOKEN:
      case SC_ADMIT_UNKNOWN_TOKEN:
      case SC_ADMIT_WRONG_ROLE:
      case SC_ADMIT_WRONG_STREAM:
      case SC_ADMIT_WRONG_NODE:
        return TRUE;
      default:
        return FALSE;
    }
}

/* Whether a refusal of @result from @address is logged: bad credentials
 * from an address count against it as bad keys do on HTTP ([http]
 * auth-fail-limit in auth-fail-window-s); past the limit, its refusals are
 * counted and kept but not logged, for auth-block-s. Valid tokens from
 * that address are admitted all the same: a publisher behind the same NAT
 * as a guesser is not locked out. */
static gboolean
should_log (ScGate *self, ScAdmitResult result, const char *address)
{
  gint64 now_us;

  if (!is_bad_credential (result) || address == NULL)
    return TRUE;
  now_us = g_get_monotonic_time ();
  if (sc_auth_limiter_blocked_for (self->bad_tokens, address, now_us) > 0)
    return FALSE;
  if (sc_auth_limiter_record_failure (self->bad_tokens, address, now_us))
    g_message ("%s sent %d bad tokens within %d s: its refusals for the next "
               "%d s are counted, not logged",
               address, self->settings->auth_fail_limit,
               self->settings->auth_fail_window_s,
               self->settings->auth_block_s);
  return TRUE;
}

/**
 * sc_gate_count_refusal:
 * @protocol: (not nullable): a static string, "rtsp" or "rtmp"
 * @role: (not nullable): a static string, "publish" or "view"
 * @stream: the stream asked for, as sent (any bytes)
 *
 * Counts a refusal by reason and keeps it for sc_gate_dup_refusals(). Any
 * thread.
 *
 * Returns: whether to log it (%FALSE once @address sent too many bad
 *   tokens, see should_log())
 */
gboolean
sc_gate_count_refusal (ScGate *self, ScAdmitResult result, const char *protocol,
                       const char *role, const char *stream,
                       const char *address)
{
  ScRefusal *r;
  const char *end;

  if (result >= SC_ADMIT_N_RESULTS)
    return TRUE;
  __atomic_add_fetch (&self->refusals[result], 1, __ATOMIC_RELAXED);

  r = g_new0 (ScRefusal, 1);
  r->at_us = sc_clock_now_us (self->clock);
  r->reason = result;
  r->protocol = protocol;
  r->role = role;
  r->stream = g_utf8_make_valid (stream != NULL ? stream : "", -1);
  if (strlen (r->stream) > REFUSAL_STREAM_MAX)
    {
      /* Cut at a character boundary. */
      g_utf8_validate (r->stream, REFUSAL_STREAM_MAX, &end);
      r->stream[end - r->stream] = '\0';
    }
  r->address = g_strdup (address != NULL ? address : "?");
  g_mutex_lock (&self->lock);
  sc_refusal_free (self->recent[self->recent_next]);
  self->recent[self->recent_next] = r;
  self->recent_next = (self->recent_next + 1) % RECENT_REFUSALS;
  g_mutex_unlock (&self->lock);
  return should_log (self, result, address);
}

gint64
sc_gate_now_us (ScGate *self)
{
  return sc_clock_now_us (self->clock);
}

/**
 * sc_gate_get_rules:
 *
 * Returns: (transfer none): this node's time rules
 */
const ScSlotRules *
sc_gate_get_rules (ScGate *self)
{
  return &self->rules;
}

guint64
sc_gate_get_refusals (ScGate *self, ScAdmitResult reason)
{
  g_return_val_if_fail (reason < SC_ADMIT_N_RESULTS, 0);
  return __atomic_load_n (&self->refusals[reason], __ATOMIC_RELAXED);
}

/**
 * sc_gate_dup_refusals:
 *
 * Returns: (transfer full) (element-type ScRefusal): the refusals kept
 *   (the last 256) at or after @since_us, newest first
 */
GPtrArray *
sc_gate_dup_refusals (ScGate *self, gint64 since_us)
{
  GPtrArray *out
      = g_ptr_array_new_with_free_func ((GDestroyNotify)sc_refusal_free);

  g_mutex_lock (&self->lock);
  for (guint n = 1; n <= RECENT_REFUSALS; n++)
    {
      ScRefusal *r = self->recent[(self->recent_next + RECENT_REFUSALS - n)
                                  % RECENT_REFUSALS];
      ScRefusal *copy;

      if (r == NULL || r->at_us < since_us)
        break;
      copy = g_memdup2 (r, sizeof *r);
      copy->stream = g_strdup (r->stream);
      copy->address = g_strdup (r->address);
      g_ptr_array_add (out, copy);
    }
  g_mutex_unlock (&self->lock);
  return out;
}
