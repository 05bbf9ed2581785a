/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "sc-web-routes.h"

G_BEGIN_DECLS

typedef struct _ScStatic ScStatic;

ScStatic *sc_static_new (const ScWebRoutes *routes);
void sc_static_free (ScStatic *self);

G_END_DECLS
