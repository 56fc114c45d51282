/* compat.h: compare two versions of a schema and classify every change by
 * what it does to existing clients and servers (docs/compat.md).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "vdsm-schema.h"

G_BEGIN_DECLS

/* Ordered by gravity: the verdict of a change seen from several directions
 * is the gravest one, and the report lists the gravest first. */
typedef enum {
  COMPAT_DESCRIPTION,  /* a changed description, for review: never a verdict */
  COMPAT_COMPATIBLE,
  COMPAT_DEPRECATED,   /* compatible, but announces a removal (release notes) */
  COMPAT_RISKY,        /* valid for the schema, but old clients may not expect it */
  COMPAT_BREAKING,
} CompatSeverity;

#define COMPAT_N_SEVERITIES (COMPAT_BREAKING + 1)

/* Whose compatibility is judged (docs/compat.md "Two views"). */
typedef enum {
  COMPAT_VIEW_WIRE,  /* a client on the wire: JSON values only */
  COMPAT_VIEW_API,   /* also a program compiled against the generated C API */
} CompatView;

typedef struct {
  CompatView view;
  gboolean descriptions;  /* also list changed descriptions */
} CompatOptions;

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

/* Every change between @old_schema and @new_schema: the gravest first;
 * within one class, method, event and type order of the old schema,
 * additions last, then (in the API view) the C API's own changes.
 * Returns: (transfer full) (element-type CompatChange): the array frees
 *   its changes. */
GPtrArray *compat_compare (VdsmSchema *old_schema, VdsmSchema *new_schema,
                           const CompatOptions *options);

/* "BREAKING: old.yml:12 -> new.yml:14: what" ("-" for a missing side).
 * Returns: (transfer full) */
char *compat_change_format (const CompatChange *change);

/* "BREAKING", "RISKY", "DEPRECATED", "COMPATIBLE" or "DESCRIPTION". */
const char *compat_severity_name (CompatSeverity severity);

G_END_DECLS
