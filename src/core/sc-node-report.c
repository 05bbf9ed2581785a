/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * A node's report on the wire (`POST /api/v1/ingest/streams`), its writer
 * (the node, sc-node-reporter.c) and its reader (the booking service,
 * sc-node-reports.c) side by side:
 *
 *   {"streams": [ScLiveStream…], "refused": {"unknown_token": 3, …},
 *    "recent_refusals": [ScRefusal…]}
 *
 * The entries are sc-live-stream.c's. The reader takes these members and
 * no other, at most SC_NODE_REPORT_MAX_STREAMS streams and
 * SC_NODE_REPORT_MAX_REFUSALS refusals, and refuses the whole report when
 * an entry is malformed. Fuzzed by fuzz-parsers.
 */

#include "config.h"

#include "sc-node-report.h"

#include "sc-json.h"

/* The quark's name is one token: clang-format would space it out. */
/* clang-format off */
G_DEFINE_QUARK (sc-node-report-error-quark, sc_node_report_error)
/* clang-format on */

ScNodeReport *
sc_node_report_new (void)
{
  ScNodeReport *self = g_new0 (ScNodeReport, 1);

  self->streams
      = g_ptr_array_new_with_free_func ((GDestroyNotify)sc_live_stream_free);
  self->refusals
      = g_ptr_array_new_with_free_func ((GDestroyNotify)sc_refusal_free);
  return self;
}

void
sc_node_report_free (ScNodeReport *self)
{
  if (self == NULL)
    return;
  g_ptr_array_unref (self->streams);
  g_ptr_array_unref (self->refusals);
  g_free (self);
}

/**
 * sc_node_report_to_json:
 *
 * Returns: (transfer full): @self as the node sends it
 */
JsonNode *
sc_node_report_to_json (const ScNodeReport *self)
{
  g_autoptr (JsonBuilder) b = json_builder_new_immutable ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "streams");
  json_builder_begin_array (b);
  for (guint i = 0; i < self->streams->len; i++)
    sc_live_stream_to_json (g_ptr_array_index (self->streams, i), b, TRUE);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "refused");
  json_builder_begin_object (b);
  for (int r = SC_ADMIT_OK + 1; r < SC_ADMIT_N_RESULTS; r++)
    {
      json_builder_set_member_name (b, sc_admit_result_to_string (r));
      json_builder_add_int_value (b, self->refused[r]);
    }
  json_builder_end_object (b);
  json_builder_set_member_name (b, "recent_refusals");
  json_builder_begin_array (b);
  for (guint i = 0; i < self->refusals->len; i++)
    sc_refusal_to_json (g_ptr_array_index (self->refusals, i), b);
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static gboolean
invalid (GError **error, const char *field, const char *why)
{
  g_set_error (error, SC_NODE_REPORT_ERROR, SC_NODE_REPORT_ERROR_INVALID,
               "%s: %s", field, why);
  return FALSE;
}

/* The entries of the array member @name, each read with @read. */
static gboolean
read_array (JsonObject *o, const char *name, guint max,
            gpointer (*read) (JsonObject *, const char *), const char *node,
            GPtrArray *into, GError **error)
{
  JsonNode *member = json_object_get_member (o, name);
  JsonArray *array;

  if (member == NULL || !JSON_NODE_HOLDS_ARRAY (member)
      || json_array_get_length (array = json_node_get_array (member)) > max)
    {
      g_autofree char *why
          = g_strdup_printf ("must be an array of at most %u", max);
      return invalid (error, name, why);
    }
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      gpointer item = JSON_NODE_HOLDS_OBJECT (element)
                          ? read (json_node_get_object (element), node)
                          : NULL;

      if (item == NULL)
        {
          g_autofree char *why = g_strdup_printf ("element %u is malformed", i);
          return invalid (error, name, why);
        }
      g_ptr_array_add (into, item);
    }
  return TRUE;
}

static gpointer
read_stream (JsonObject *object, const char *node)
{
  return sc_live_stream_from_json (object, node);
}

static gpointer
read_refusal (JsonObject *object, const char *node)
{
  return sc_refusal_from_json (object);
}

/**
 * sc_node_report_from_json:
 * @node: the reporting node's name, given to every stream
 *
 * Returns: (transfer full) (nullable): the report, or %NULL with @error
 *   naming the field. Counts that are missing or not numbers are 0.
 */
ScNodeReport *
sc_node_report_from_json (JsonObject *o, const char *node, GError **error)
{
  static const char *const members[]
      = { "streams", "refused", "recent_refusals", NULL };
  g_autoptr (ScNodeReport) report = sc_node_report_new ();
  JsonNode *refused;

  if (!sc_json_check_only (o, members, SC_NODE_REPORT_ERROR,
                           SC_NODE_REPORT_ERROR_INVALID, error)
      || !read_array (o, "streams", SC_NODE_REPORT_MAX_STREAMS, read_stream,
                      node, report->streams, error)
      || !read_array (o, "recent_refusals", SC_NODE_REPORT_MAX_REFUSALS,
                      read_refusal, node, report->refusals, error))
    return NULL;
  refused = json_object_get_member (o, "refused");
  if (refused != NULL && JSON_NODE_HOLDS_OBJECT (refused))
    for (int r = SC_ADMIT_OK + 1; r < SC_ADMIT_N_RESULTS; r++)
      {
        gint64 n;

        if (sc_json_int_of (json_node_get_object (refused),
                            sc_admit_result_to_string (r), 0, G_MAXINT64, &n))
          report->refused[r] = n;
      }
  return g_steal_pointer (&report);
}
