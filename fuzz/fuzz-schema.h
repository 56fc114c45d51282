/* fuzz-schema.h: the small schema the validator and JSON-RPC harnesses
 * run against.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "vdsm-schema.h"

G_BEGIN_DECLS

/* A new schema holding the fuzz API file ("fuzz-api.yml": types and the
 * Test.* methods) and events file ("fuzz-events.yml"). Aborts, printing
 * the diagnostics, if they do not load: the harnesses would test nothing. */
VdsmSchema *fuzz_schema_new (void);

G_END_DECLS
