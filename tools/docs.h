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
gboolean emit_docs (VdsmSchema *schema, const char *outdir, const char *title,
                    GError **error);

G_END_DECLS
