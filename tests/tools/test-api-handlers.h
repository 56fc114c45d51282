/* test-api-handlers.h: stand-in handlers for the method table generated
 * from data/test-api.yml. Each writes down the arguments it was given, as
 * one JSON object written with the generated writers (a scalar with a
 * has_ flag only when set, a NULL pointer left out), and succeeds.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The arguments of the last handler that ended, on any thread, as JSON
 * text (free it), or NULL when none ended since the last call. */
char *test_api_handlers_take_seen (void);

G_END_DECLS
