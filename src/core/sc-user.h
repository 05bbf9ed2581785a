/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  SC_ROLE_BROADCASTER,
  SC_ROLE_OPERATOR,
} ScRole;

/**
 * ScUser:
 *
 * One row of the users table, without its key hash.
 */
typedef struct
{
  gint64 id;
  char *name;
  ScRole role;
  gint64 created_us;
} ScUser;

void sc_user_free (ScUser *self);
const char *sc_role_to_string (ScRole role);
gboolean sc_role_from_string (const char *text, ScRole *out);
gboolean sc_user_name_valid (const char *name);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScUser, sc_user_free)

/**
 * ScNode:
 *
 * One ingest node: where publishers and viewers connect, how many streams
 * it carries at once.
 */
typedef struct
{
  gint64 id;
  char *name;
  char *public_host;
  int rtsp_port;
  int rtmp_port;
  int capacity;
  char *dial_in; /* nullable */
  gint64 created_us;
  gint64 longest_us; /* longest reservation ever booked here */
} ScNode;

ScNode *sc_node_copy (const ScNode *self);
void sc_node_free (ScNode *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScNode, sc_node_free)

G_END_DECLS
