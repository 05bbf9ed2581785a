/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* libFuzzer target: the reservation feed's page parser (an ingest node
 * reads pages from the network) and the snapshot's page tokens (the
 * booking service reads them from a query). What the parser accepts must
 * write back to a page that parses alike, and load into a node's copy that
 * answers admission questions; a page token that parses must print back
 * the same. */

#include "config.h"

#include <string.h>

#include "sc-feed.h"
#include "sc-node-schedule.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static void
check_page (const char *text, size_t size)
{
  g_autoptr (ScFeedPage) page = sc_feed_page_parse (text, size, NULL);
  g_autoptr (ScFeedPage) back = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (ScNodeSchedule) copy = NULL;
  g_autofree char *again = NULL;

  if (page == NULL)
    return;
  root = sc_feed_page_to_json (page);
  again = json_to_string (root, FALSE);
  back = sc_feed_page_parse (again, strlen (again), NULL);
  g_assert_nonnull (back);
  g_assert_cmpuint (back->entries->len, ==, page->entries->len);
  g_assert_cmpint (back->cursor, ==, page->cursor);
  for (guint i = 0; i < page->entries->len; i++)
    {
      const ScReservationEntry *a = page->entries->pdata[i];
      const ScReservationEntry *b = back->entries->pdata[i];

      g_assert_cmpstr (a->reservation->id, ==, b->reservation->id);
      g_assert_cmpstr (a->reservation->stream, ==, b->reservation->stream);
      g_assert_cmpint (a->reservation->start_us, ==, b->reservation->start_us);
      g_assert_cmpint (a->reservation->end_us, ==, b->reservation->end_us);
      g_assert_true (
          memcmp (a->publish_hash, b->publish_hash, SC_TOKEN_HASH_LEN) == 0);
    }

  /* Loaded twice (ids may repeat), then asked. */
  copy = sc_node_schedule_new (page->node);
  sc_node_schedule_replace (copy, page->entries, page->cursor);
  sc_node_schedule_apply (copy, back->entries, back->cursor);
  for (guint i = 0; i < page->entries->len && i < 4; i++)
    {
      const ScReservation *r
          = ((ScReservationEntry *)page->entries->pdata[i])->reservation;
      ScAdmissionRequest req
          = { .token = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
              .stream = r->stream,
              .node = page->node,
              .role = SC_ADMISSION_PUBLISH,
              .now_us = r->start_us };
      g_autofree char *reason = NULL;
      g_autofree char *reason2 = NULL;
      g_autoptr (ScReservation) found = NULL;

      sc_node_schedule_decide (&req, NULL, &reason, copy);
      req.role = SC_ADMISSION_SCHEDULE;
      sc_node_schedule_decide (&req, &found, &reason2, copy);
    }
  sc_node_schedule_prune (copy, G_MAXINT64);
  g_assert_cmpuint (sc_node_schedule_get_size (copy), ==, 0);
}

static void
check_token (const char *text)
{
  gint64 cursor, start_us;
  g_autofree char *id = NULL;
  g_autofree char *again = NULL;
  ScReservation r = { 0 };

  if (!sc_feed_page_token_parse (text, &cursor, &start_us, &id))
    return;
  r.id = id;
  r.start_us = start_us;
  again = sc_feed_page_token (cursor, &r);
  /* Leading zeros are the only other spelling. */
  if (text[0] != '0' && strstr (text, ".0") == NULL)
    g_assert_cmpstr (again, ==, text);
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autofree char *text = g_strndup ((const char *)data, size);

  check_page ((const char *)data, size);
  check_token (text);
  return 0;
}
