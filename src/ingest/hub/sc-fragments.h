/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

char *sc_fragment_expand (const char *name, guint n, guint pt);

G_END_DECLS
