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

/* ---- Reading a definition's keys (vdsm-schema-read.c) ----
 * @owner names the definition in messages ("type VmStats"). */

/* A documentation key's text, or NULL when @key is absent or null (with a
 * warning when it is not a scalar: such keys never refuse a file). */
const char *vdsm_schema_read_text (VdsmSchemaDiagSink *sink, VdsmYamlNode *map,
                                   const char *key, const char *owner);
/* The `description`, or NULL; a warning when the key has no value. */
char *vdsm_schema_read_description (VdsmSchemaDiagSink *sink, VdsmYamlNode *map,
                                    const char *owner);
/* added/modified/deprecated: dot-separated numbers, quoted; NULL when
 * absent or not a version (a warning). */
char *vdsm_schema_read_version (VdsmSchemaDiagSink *sink, VdsmYamlNode *map,
                                const char *key, const char *owner);
/* A boolean extension key (docs/schema-language.md §11); absent is FALSE. */
gboolean vdsm_schema_read_flag (VdsmSchemaDiagSink *sink, VdsmYamlNode *map,
                                const char *key, const char *owner);
/* YAML data (a default value) as JSON, or NULL when it holds an alias. */
JsonNode *vdsm_schema_read_json (VdsmSchemaDiagSink *sink, VdsmYamlNode *node,
                                 const char *owner);
/* A warning for each key of @map in neither @known nor @more (may be NULL). */
void vdsm_schema_warn_unknown_keys (VdsmSchemaDiagSink *sink, VdsmYamlNode *map,
                                    const char *const *known, const char *const *more,
                                    const char *owner);
/* An advisory about a member or enum value name that C generators must
 * escape. */
void vdsm_schema_advise_c_name (VdsmSchemaDiagSink *sink, guint line, const char *owner,
                                const char *what, const char *name);

/* ---- Checks over one built file (vdsm-schema-check.c) ---- */

/* A member's literal default, checked against its type once every type of
 * its file is complete. */
typedef struct {
  VdsmSchemaMember *member;
  char *label;                   /* "property 'x' of type Y" */
} VdsmSchemaPendingDefault;

void vdsm_schema_pending_default_free (gpointer pending);
/* Unions (reachable members, no self-containment), maps (scalar keys),
 * alias cycles, unused types (@used: the types the file refers to; an
 * events file may leave some unused), names that look like other types,
 * and the @pending_defaults (VdsmSchemaPendingDefault*). */
void vdsm_schema_check_file (VdsmSchemaDiagSink *sink, VdsmSchemaFile *file, GHashTable *used,
                             gboolean events_file, GPtrArray *pending_defaults);

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
