/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* ScUser and ScNode: plain records read from ScDb. */

#include "config.h"

#include "sc-user.h"

void
sc_user_free (ScUser *self)
{
  if (self == NULL)
    return;
  g_free (self->name);
  g_free (self);
}

const char *
sc_role_to_string (ScRole role)
{
  return role == SC_ROLE_OPERATOR ? "operator" : "broadcaster";
}

gboolean
sc_role_from_string (const char *text, ScRole *out)
{
  if (g_strcmp0 (text, "operator") == 0)
    *out = SC_ROLE_OPERATOR;
  else if (g_strcmp0 (text, "broadcaster") == 0)
    *out = SC_ROLE_BROADCASTER;
  else
    return FALSE;
  return TRUE;
}

/**
 * sc_user_name_valid:
 *
 * User and node names follow the stream-name alphabet, plus dots:
 * `[A-Za-z0-9._-]{1,64}`.
 */
gboolean
sc_user_name_valid (const char *name)
{
  size_t i;

  if (name == NULL)
    return FALSE;
  for (i = 0; name[i] != '\0'; i++)
    if (i >= 64
        || !(g_ascii_isalnum (name[i]) || name[i] == '_' || name[i] == '-'
             || name[i] == '.'))
      return FALSE;
  return i > 0;
}

/**
 * sc_node_copy:
 *
 * Returns: (transfer full): a deep copy of @self
 */
ScNode *
sc_node_copy (const ScNode *self)
{
  ScNode *copy = g_memdup2 (self, sizeof *self);

  copy->name = g_strdup (self->name);
  copy->public_host = g_strdup (self->public_host);
  copy->dial_in = g_strdup (self->dial_in);
  return copy;
}

void
sc_node_free (ScNode *self)
{
  if (self == NULL)
    return;
  g_free (self->name);
  g_free (self->public_host);
  g_free (self->dial_in);
  g_free (self);
}
