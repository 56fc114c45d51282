/* compat-private.h: what the parts of the compatibility checker share: the
 * wire comparison (compat.c) and the generated C API's (compat-capi.c).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "compat.h"

G_BEGIN_DECLS

/* A change with the verdict given, appended to @changes. */
void compat_add_change (GPtrArray *changes, CompatSeverity severity,
                        CompatLocation old_loc, CompatLocation new_loc,
                        const char *format, ...) G_GNUC_PRINTF (5, 6);

CompatLocation compat_location (const VdsmSchemaFile *file, guint line);

/* The changes of the C API generated from the two schemas (the API view):
 * types, fields, enum constants and client functions that a program
 * compiled against the old one uses and that are gone, changed or moved. */
void compat_capi_compare (VdsmSchema *old_schema, VdsmSchema *new_schema,
                          GPtrArray *changes);

G_END_DECLS
