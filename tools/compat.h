/* compat.h: compare two versions of a schema and classify every change by
 * what it does to existing clients and servers.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "vdsm-schema.h"

G_BEGIN_DECLS

/* Ordered by gravity: the verdict of a change seen from several directions
 * is the gravest one. */
typedef enum {
  COMPAT_COMPATIBLE,
  COMPAT_RISKY,      /* valid for the schema, but old clients may not expect it */
  COMPAT_BREAKING,
} CompatSeverity;

/* One side of a change; @file is NULL when the item does not exist there
 * (a removed or added method, event or type). */
typedef struct {
  const char *file;   /* borrowed from the loaded schema */
  guint line;
} CompatLocation;

typedef struct {
  CompatSeverity severity;
  CompatLocation old_loc;
  CompatLocation new_loc;
  char *what;
} CompatChange;

/* Every change between @old_schema and @new_schema: breaking ones first,
 * then risky, then compatible; within each, method, event and type order of
 * the old schema, additions last.
 * Returns: (transfer full) (element-type CompatChange): the array frees
 *   its changes. */
GPtrArray *compat_compare (VdsmSchema *old_schema, VdsmSchema *new_schema);

/* "BREAKING: old.yml:12 -> new.yml:14: what" ("-" for a missing side).
 * Returns: (transfer full) */
char *compat_change_format (const CompatChange *change);

const char *compat_severity_name (CompatSeverity severity);

G_END_DECLS
