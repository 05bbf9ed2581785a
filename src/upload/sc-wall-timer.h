/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

guint sc_wall_timeout_add (gint64 at_us, GSourceFunc func, gpointer data);

G_END_DECLS
