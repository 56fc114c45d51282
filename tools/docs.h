/* docs.h: the HTML API reference writer behind `vdsm-schema docs`.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "vdsm-schema.h"

G_BEGIN_DECLS

/* Write index.html, ns-<Namespace>.html per namespace, types.html,
 * events.html, style.css, search.js and search-index.js into @outdir.
 * Every page stands alone: no external assets, works from file://. */
/* @served: NULL, or the set of method names a server implements
 * (vdsm_schema_read_served()); the others are then marked "not served". */
gboolean emit_docs (VdsmSchema *schema, const char *outdir, const char *title,
                    GHashTable *served, GError **error);

G_END_DECLS
