/* vdsmd-markup.h: helpers for reading libvirt's XML documents with GMarkup
 * (they are libvirt's own output, in the simple subset GMarkup accepts).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Whether the open elements, innermost first and after skipping @skip of
 * them, are exactly @path's components from the last one back, right below
 * the root element @root: with root "capabilities", "host/cpu/model"
 * matches capabilities > host > cpu > model. */
gboolean vdsmd_markup_at (GMarkupParseContext *context, const char *root,
                          const char *path, guint skip);

/* The value of attribute @name, or NULL. */
const char *vdsmd_markup_attribute (const char **names, const char **values,
                                    const char *name);

/* The integer value of attribute @name, or @fallback when it is absent. */
gint64 vdsmd_markup_int_attribute (const char **names, const char **values,
                                   const char *name, gint64 fallback);

G_END_DECLS
