/* vdsm-schema-private.h: internals shared by the schema loader files.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "vdsm-schema.h"
#include "vdsm-yaml.h"

G_BEGIN_DECLS

struct _VdsmSchema {
  GPtrArray *files;              /* VdsmSchemaFile*, owned */
  GPtrArray *types;              /* VdsmSchemaType*, owned (named, load order) */
  GPtrArray *anonymous;          /* VdsmSchemaType*, owned (inline definitions) */
  GPtrArray *methods;            /* VdsmSchemaMethod*, owned */
  GPtrArray *events;             /* VdsmSchemaEvent*, owned */
  GHashTable *methods_by_name;   /* name -> VdsmSchemaMethod* */
  GHashTable *events_by_key;     /* key -> VdsmSchemaEvent* */
  GHashTable *types_by_key;      /* key -> first VdsmSchemaType* */
  GPtrArray *diagnostics;        /* VdsmSchemaDiagnostic*, owned */
};

/* Collects the diagnostics of one file being loaded. */
typedef struct {
  VdsmSchema *schema;
  const char *path;
  VdsmSchemaLoadFlags flags;
  GPtrArray *diagnostics;        /* this file's, moved to the schema at the end */
  guint n_errors;
} VdsmSchemaDiagSink;

void vdsm_schema_diag (VdsmSchemaDiagSink *sink, VdsmSchemaSeverity severity,
                       guint line, const char *format, ...) G_GNUC_PRINTF (4, 5);
/* A warning that strict loading keeps a warning: it is about something the
 * wire API needs as it is (enum texts C must escape, non-object union
 * members, per-file copies of a type...), not a fault of the schema. */
#define VDSM_SCHEMA_SEVERITY_ADVISORY ((VdsmSchemaSeverity) (VDSM_SCHEMA_SEVERITY_ERROR + 1))
#define vdsm_schema_advise(sink, line, ...) \
  vdsm_schema_diag ((sink), VDSM_SCHEMA_SEVERITY_ADVISORY, (line), __VA_ARGS__)
#define vdsm_schema_warn(sink, line, ...) \
  vdsm_schema_diag ((sink), VDSM_SCHEMA_SEVERITY_WARNING, (line), __VA_ARGS__)
#define vdsm_schema_error(sink, line, ...) \
  vdsm_schema_diag ((sink), VDSM_SCHEMA_SEVERITY_ERROR, (line), __VA_ARGS__)

/* Build the model of @doc into @file and @sink->schema (vdsm-schema-build.c). */
void vdsm_schema_build (VdsmSchemaDiagSink *sink, VdsmSchemaFile *file,
                        VdsmYamlDocument *doc);

/* Per-file counts (vdsm-schema-stats.c). */
JsonNode *vdsm_schema_file_stats (VdsmYamlDocument *doc, const char *data,
                                  gsize len);

/* The kind words by VdsmSchemaKind, then NULL (vdsm-schema.c). */
extern const char *const vdsm_schema_kind_names[];
gboolean vdsm_schema_kind_from_name (const char *name, VdsmSchemaKind *kind);

void vdsm_schema_type_ref_free (VdsmSchemaTypeRef *ref);
void vdsm_schema_member_free (VdsmSchemaMember *member);
void vdsm_schema_enum_value_free (VdsmSchemaEnumValue *value);
void vdsm_schema_type_free (VdsmSchemaType *type);
void vdsm_schema_method_free (VdsmSchemaMethod *method);
void vdsm_schema_event_free (VdsmSchemaEvent *event);

G_END_DECLS
