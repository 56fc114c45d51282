/* vdsm-schema.h: the typed model of a VDSM YAML schema, its loader, checker
 * and value validator.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct _VdsmSchema VdsmSchema;
typedef struct _VdsmSchemaType VdsmSchemaType;
typedef struct _VdsmSchemaTypeRef VdsmSchemaTypeRef;
typedef struct _VdsmSchemaMember VdsmSchemaMember;
typedef struct _VdsmSchemaEnumValue VdsmSchemaEnumValue;
typedef struct _VdsmSchemaMethod VdsmSchemaMethod;
typedef struct _VdsmSchemaEvent VdsmSchemaEvent;
typedef struct _VdsmSchemaFile VdsmSchemaFile;
typedef struct _VdsmSchemaDiagnostic VdsmSchemaDiagnostic;

#define VDSM_SCHEMA_ERROR (vdsm_schema_error_quark ())
GQuark vdsm_schema_error_quark (void);

typedef enum {
  VDSM_SCHEMA_ERROR_LOAD,      /* file unreadable, YAML syntax, or schema errors */
  VDSM_SCHEMA_ERROR_INVALID,   /* a JSON value does not match a type */
} VdsmSchemaErrorCode;

/* The seven primitive names of the language (docs/schema-language.md §5). */
typedef enum {
  VDSM_SCHEMA_PRIM_STRING,
  VDSM_SCHEMA_PRIM_BOOLEAN,
  VDSM_SCHEMA_PRIM_INT,
  VDSM_SCHEMA_PRIM_UINT,
  VDSM_SCHEMA_PRIM_LONG,
  VDSM_SCHEMA_PRIM_ULONG,
  VDSM_SCHEMA_PRIM_FLOAT,
} VdsmSchemaPrimitive;

/* What a type position (member type, return, key/value type, union member,
 * alias source, list item) refers to, after resolution (§4). */
typedef enum {
  VDSM_SCHEMA_REF_PRIMITIVE,   /* ->primitive */
  VDSM_SCHEMA_REF_NAMED,       /* ->type: a named (or inline, anonymous) type */
  VDSM_SCHEMA_REF_LIST,        /* ->item: a JSON array of item */
  VDSM_SCHEMA_REF_ANY_OBJECT,  /* `dict`: any JSON object (free-form) */
  VDSM_SCHEMA_REF_ANY,         /* the kind word `object` as a member type: any JSON value */
} VdsmSchemaRefKind;

typedef enum {
  VDSM_SCHEMA_KIND_OBJECT,
  VDSM_SCHEMA_KIND_ENUM,
  VDSM_SCHEMA_KIND_ALIAS,
  VDSM_SCHEMA_KIND_MAP,
  VDSM_SCHEMA_KIND_UNION,
} VdsmSchemaKind;

/* Special values of `defaultvalue` (§6). */
typedef enum {
  VDSM_SCHEMA_DEFAULT_NONE,            /* no defaultvalue key: required */
  VDSM_SCHEMA_DEFAULT_VALUE,           /* a literal default (possibly null): optional */
  VDSM_SCHEMA_DEFAULT_NEEDS_UPDATING,  /* 'needs updating': optional, undocumented */
  VDSM_SCHEMA_DEFAULT_NO_DEFAULT,      /* 'no-default': optional, no default */
} VdsmSchemaDefaultKind;

typedef enum {
  VDSM_SCHEMA_SEVERITY_WARNING,
  VDSM_SCHEMA_SEVERITY_ERROR,
} VdsmSchemaSeverity;

struct _VdsmSchemaTypeRef {
  VdsmSchemaRefKind kind;
  VdsmSchemaPrimitive primitive;   /* REF_PRIMITIVE */
  VdsmSchemaType *type;            /* REF_NAMED (not owned: owned by the schema) */
  VdsmSchemaTypeRef *item;         /* REF_LIST (owned) */
  guint line;                      /* where the reference is written */
};

/* A method or event parameter, or an object/union property. */
struct _VdsmSchemaMember {
  char *name;
  VdsmSchemaTypeRef *type;
  char *description;               /* may be NULL */
  VdsmSchemaDefaultKind default_kind;
  JsonNode *default_value;         /* DEFAULT_VALUE only; a JSON null node for `null` */
  char *datatype;                  /* documentation hint on string members, or NULL */
  char *added, *modified, *deprecated;  /* version strings or NULL */
  guint line;
};

struct _VdsmSchemaEnumValue {
  char *text;                      /* the key as written in the file ("0.10", "on") */
  JsonNode *typed;                 /* the key as YAML 1.1 types it: string, int or double */
  char *description;
  guint line;
};

struct _VdsmSchemaType {
  char *key;                       /* identity: the mapping key under `types:` */
  char *name;                      /* the `name:` value (may differ from key, §3.7) */
  VdsmSchemaKind kind;             /* effective kind, after §3.7 inference */
  char *description;
  char *added, *modified, *deprecated;
  const VdsmSchemaFile *file;
  guint line;
  gboolean anonymous;              /* an inline definition (§4), key is synthesized */

  GPtrArray *properties;           /* VdsmSchemaMember*: OBJECT, and a UNION's common properties */
  gboolean any_string;             /* OBJECT: has the magic `any_string` property */
  GPtrArray *values;               /* VdsmSchemaEnumValue*: ENUM */
  VdsmSchemaTypeRef *source;       /* ALIAS: the referenced primitive or type */
  VdsmSchemaTypeRef *key_type;     /* MAP */
  VdsmSchemaTypeRef *value_type;   /* MAP */
  GPtrArray *members;              /* VdsmSchemaTypeRef*: UNION, in declared order */
};

struct _VdsmSchemaMethod {
  char *name;                      /* "Host.getVMList" */
  char *ns;                        /* "Host": text before the first '.' */
  char *verb;                      /* "getVMList" */
  char *description;
  char *added, *deprecated;
  GPtrArray *params;               /* VdsmSchemaMember*, positional order; empty if none */
  VdsmSchemaTypeRef *ret;          /* NULL when the method declares no return */
  char *ret_description;
  const VdsmSchemaFile *file;
  guint line;
  gboolean run_inline;             /* `inline: true` (docs/schema-language.md §11): cheap,
                                    * never blocks, may run on the server's I/O thread */
};

struct _VdsmSchemaEvent {
  char *key;                       /* "|virt|VM_status|" */
  char *ns;                        /* "virt" */
  char *name;                      /* "VM_status" */
  char *description;
  GPtrArray *params;               /* VdsmSchemaMember*; `no_name` keeps its special meaning */
  const VdsmSchemaFile *file;
  guint line;
};

struct _VdsmSchemaFile {
  char *path;                      /* as given to the loader; used in diagnostics */
  GPtrArray *types;                /* VdsmSchemaType* defined in this file, file order (not owned) */
  GHashTable *types_by_key;        /* key -> VdsmSchemaType* (per-file scope, §2) */
  JsonNode *stats;                 /* per-file counts in the shape of expected-counts.json "files" entries */
};

struct _VdsmSchemaDiagnostic {
  char *file;
  guint line;
  VdsmSchemaSeverity severity;
  char *message;
};

VdsmSchema *vdsm_schema_new (void);
void vdsm_schema_free (VdsmSchema *schema);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VdsmSchema, vdsm_schema_free)

/* Loading flags. */
typedef enum {
  VDSM_SCHEMA_LOAD_DEFAULT = 0,
  /* Turn every warning into an error (libvdsm's own api/ schema files),
   * except advisory ones about what the wire API needs as it is (enum
   * texts that C must escape, non-object union members, per-file copies
   * of a type, snake_case verbs, numeric enum keys...). */
  VDSM_SCHEMA_LOAD_STRICT = 1 << 0,
} VdsmSchemaLoadFlags;

/* Load one file into @schema. Methods of several API files merge into one
 * table (as VDSM merges vdsm-api.yml and vdsm-api-gluster.yml); a file whose
 * top-level keys are events fills the event table. Type references resolve
 * within the file. Every diagnostic is appended to the schema's list (see
 * vdsm_schema_get_diagnostics()); returns FALSE and sets @error when any
 * error-severity diagnostic was produced by this file. */
gboolean vdsm_schema_load_file (VdsmSchema *schema, const char *path,
                                VdsmSchemaLoadFlags flags, GError **error);
/* Same, from memory; @name is used as the file name in diagnostics. */
gboolean vdsm_schema_load_data (VdsmSchema *schema, const char *name,
                                const char *data, gsize len,
                                VdsmSchemaLoadFlags flags, GError **error);

/* (element-type VdsmSchemaDiagnostic) (transfer none) */
GPtrArray *vdsm_schema_get_diagnostics (VdsmSchema *schema);
/* "file:line: error|warning: message" */
char *vdsm_schema_diagnostic_format (const VdsmSchemaDiagnostic *diag);

/* (element-type VdsmSchemaFile) (transfer none) */
GPtrArray *vdsm_schema_get_files (VdsmSchema *schema);
/* All methods, file order, files in load order. (element-type VdsmSchemaMethod) */
GPtrArray *vdsm_schema_get_methods (VdsmSchema *schema);
/* All events. (element-type VdsmSchemaEvent) */
GPtrArray *vdsm_schema_get_events (VdsmSchema *schema);
/* All named types of all files, load order. (element-type VdsmSchemaType) */
GPtrArray *vdsm_schema_get_types (VdsmSchema *schema);

const VdsmSchemaMethod *vdsm_schema_lookup_method (VdsmSchema *schema, const char *name);
/* @id may be the schema key ("|virt|VM_status|") or a wire id with its
 * final unique part ("|virt|VM_status|<uuid>"), §8. */
const VdsmSchemaEvent *vdsm_schema_lookup_event (VdsmSchema *schema, const char *id);
/* Look-up by key over all files (the first file that defines it wins). */
const VdsmSchemaType *vdsm_schema_lookup_type (VdsmSchema *schema, const char *key);

/* The methods a server implements (vdsm-schema-served.c): @text has one
 * method name per line; blank lines and `#` comments are ignored. Each name
 * must be a method of @schema, listed once; errors name @path and the line.
 * Returns a set of names. (transfer full) */
GHashTable *vdsm_schema_parse_served (VdsmSchema *schema, const char *path, const char *text,
                                      GError **error);
/* The same, read from the file @path. */
GHashTable *vdsm_schema_read_served (VdsmSchema *schema, const char *path, GError **error);

/* Combined counts for --stats: {"types":N,"methods":N,"namespaces":N,"params":N,"events":N} */
JsonNode *vdsm_schema_get_summary (VdsmSchema *schema);

const char *vdsm_schema_primitive_name (VdsmSchemaPrimitive prim);
/* The word of @kind in a definition's `type` key: "object", "enum",
 * "alias", "map" or "union". */
const char *vdsm_schema_kind_name (VdsmSchemaKind kind);
/* The one word a reference goes by: the primitive's name, the named type's
 * key, or "list", "dict" and "value" for a list, `dict` and the `object`
 * word (a free-form value). For messages and names built from union
 * members. */
const char *vdsm_schema_type_ref_word (const VdsmSchemaTypeRef *ref);

/* ---- Sameness (vdsm-schema-equal.c) ---- */

/* What makes two named types the same for vdsm_schema_type_ref_equal(). */
typedef enum {
  /* The one definition: references within one file. */
  VDSM_SCHEMA_SAME_DEFINITION,
  /* The same kind and key, aliases resolved first: one type in two
   * versions of a schema. */
  VDSM_SCHEMA_SAME_KEY,
  /* The same key and equal definitions (vdsm_schema_type_equal()): one
   * type defined alike in several files. */
  VDSM_SCHEMA_SAME_STRUCTURE,
} VdsmSchemaSameness;

/* Do @a and @b denote the same type? Primitives must match, lists must
 * have the same items, and `dict` and the `object` word equal themselves.
 * Two NULL references are equal. */
gboolean vdsm_schema_type_ref_equal (const VdsmSchemaTypeRef *a, const VdsmSchemaTypeRef *b,
                                     VdsmSchemaSameness same);
/* Are @a and @b defined alike (their keys aside): the same kind, members
 * of the same names, types and defaults in the same order, the same enum
 * values, union members and map types? */
gboolean vdsm_schema_type_equal (const VdsmSchemaType *a, const VdsmSchemaType *b);
/* What @ref ends at through aliases (an alias without a source ends there;
 * a cycle ends after a bounded number of steps). */
const VdsmSchemaTypeRef *vdsm_schema_type_ref_resolve (const VdsmSchemaTypeRef *ref);

/* The schema as one JSON object keyed by file path, each file in the shape
 * of its YAML document (types, then methods or events); for introspection.
 * (transfer full) */
JsonNode *vdsm_schema_to_json (VdsmSchema *schema);

/* ---- Validation (docs/schema-language.md §9) ----
 *
 * Errors are VDSM_SCHEMA_ERROR_INVALID with a path-qualified message such as
 * "params.vmID: expected string, got 12" or
 * "result[3].status: \"Upp\" is not a value of enum VmStatus". */

/* Check @value against @ref; @path prefixes messages ("params.vmID"). */
gboolean vdsm_schema_validate_value (const VdsmSchemaTypeRef *ref,
                                     JsonNode *value, const char *path,
                                     GError **error);

/* Check request params of @method. @params is a JSON object (by name), a
 * JSON array (by position, schema order) or NULL (no params). On success
 * returns a new object keyed by parameter name (positional params named;
 * JSON nulls dropped), ready for the generated unmarshaller. Unknown names,
 * missing required params and wrong types fail. */
JsonObject *vdsm_schema_validate_params (const VdsmSchemaMethod *method,
                                         JsonNode *params, GError **error);

/* Check a method's result (no-op returning TRUE when no return is declared). */
gboolean vdsm_schema_validate_result (const VdsmSchemaMethod *method,
                                      JsonNode *result, GError **error);

/* Check an event's params object (with the `no_name` rule, §8). */
gboolean vdsm_schema_validate_event (const VdsmSchemaEvent *event,
                                     JsonNode *params, GError **error);

G_END_DECLS
