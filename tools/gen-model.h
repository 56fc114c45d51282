/* gen-model.h: the schema as the emitters see it: every type, method and
 * event with its C names decided, plus the code fragments that read, write,
 * copy and free a value of any type position.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "emit-writer.h"
#include "vdsm-schema.h"

G_BEGIN_DECLS

typedef struct _GenModel GenModel;
typedef struct _GenType GenType;
typedef struct _GenRef GenRef;

/* How a type position is represented in C. */
typedef enum {
  GEN_C_STRING,      /* char * */
  GEN_C_BOOLEAN,     /* gboolean */
  GEN_C_INT,         /* gint64 (int, long) */
  GEN_C_UINT,        /* guint64 (uint, ulong) */
  GEN_C_DOUBLE,      /* gdouble */
  GEN_C_ENUM,        /* a generated GEnum, by value */
  GEN_C_BOXED,       /* a generated boxed type (object, union or map), by pointer */
  GEN_C_PTR_ARRAY,   /* GPtrArray * of pointer items */
  GEN_C_ARRAY,       /* GArray * of scalar items */
  GEN_C_NODE,        /* JsonNode *: free-form, or a scalar map value */
} GenCKind;

struct _GenRef {
  GenCKind kind;
  VdsmSchemaPrimitive prim;  /* STRING…DOUBLE: the schema primitive (int vs long) */
  GenType *type;             /* ENUM, BOXED */
  GenRef *item;              /* PTR_ARRAY/ARRAY: the item; NODE: the scalar it holds, or NULL */
  gboolean object_only;      /* NODE without item: must be a JSON object */
  char *sig;                 /* names the static helpers for this shape */
  char *ctype;               /* "char *", "gint64", "VdsmVmStats *"… */
  char *in_ctype;            /* as a borrowed argument: "const char *"… */
};

typedef enum {
  GEN_TYPE_ENUM,
  GEN_TYPE_OBJECT,
  GEN_TYPE_UNION,
  GEN_TYPE_MAP,
} GenTypeKind;

/* An object property or a union member. */
typedef struct {
  const VdsmSchemaMember *member;  /* object property (NULL for a union member) */
  char *c_name;                    /* struct field */
  char *accessor;                  /* get_/set_ suffix (c_name, or type_value for type) */
  GenRef *ref;
  gboolean optional;
  char *has_name;                  /* optional scalar: its has_ flag, else NULL */
  char *default_c;                 /* scalar default preset by _new, or NULL */
  /* union members only */
  const VdsmSchemaTypeRef *schema_ref;
  char *kind_const;
  char *kind_nick;
} GenField;

struct _GenType {
  const VdsmSchemaType *schema;
  GenTypeKind kind;
  char *camel;        /* VdsmVmStats */
  char *snake;        /* vdsm_vm_stats */
  char *upper;        /* VDSM_VM_STATS */
  char *type_macro;   /* VDSM_TYPE_VM_STATS */
  GPtrArray *consts;  /* ENUM: char* constant per schema value */
  GPtrArray *fields;  /* OBJECT, UNION: GenField* */
  GenRef *value;      /* MAP: the value type, in a pointer slot */
  /* UNION: the kind enum */
  char *kind_camel, *kind_snake, *kind_type_macro;
  gboolean filled;
};

/* A method or event parameter. */
typedef struct {
  const VdsmSchemaMember *member;
  char *c_name;
  GenRef *ref;
  gboolean optional;
  char *has_name;        /* optional scalar: has_<c_name> */
  char *default_c;       /* C expression giving the default (a new value for
                          * pointers), or NULL for none/null */
} GenParam;

typedef struct {
  const VdsmSchemaMethod *method;
  char *id;              /* host_get_vm_list */
  GPtrArray *params;     /* GenParam* */
  GenRef *ret;           /* NULL: no return */
  gboolean served;       /* the daemon implements it (all, without a served list) */
} GenMethod;

typedef struct {
  const VdsmSchemaEvent *event;
  char *id;              /* virt_vm_status */
  GPtrArray *params;     /* GenParam*, notify_time left out */
  const GenParam *no_name; /* the param that is the params object itself */
} GenEvent;

struct _GenModel {
  VdsmSchema *schema;
  GPtrArray *types;      /* GenType*, emission order */
  GPtrArray *methods;    /* GenMethod* */
  GPtrArray *events;     /* GenEvent* */
  /* private */
  GHashTable *by_schema; /* VdsmSchemaType* -> GenType* */
  GHashTable *by_key;    /* key -> first GenType* */
  GHashTable *used_names;
  GHashTable *used_consts;
  GHashTable *used_methods;
  GPtrArray *pool;       /* everything else allocated, freed with the model */
  GPtrArray *pool_arrays;
  guint n_warnings;
  gboolean quiet;        /* count warnings without printing them */
};

GenModel *gen_model_new (VdsmSchema *schema, gboolean quiet);
/* Marks as served only the methods in @served (a set of names); without a
 * call, every method is served. */
void gen_model_set_served (GenModel *model, GHashTable *served);
void gen_model_free (GenModel *model);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GenModel, gen_model_free)

/* ---- Fragments of C for a type position ---- */

gboolean gen_ref_is_pointer (const GenRef *ref);
/* A declaration "T name" (pointer types hug the name). */
char *gen_decl (const char *ctype, const char *name);
/* A local that frees itself: "g_autofree char *x = NULL", "gint64 x = 0"… */
char *gen_ref_auto_decl (const GenRef *ref, const char *name);
/* g_clear_pointer()-able free function, or NULL for scalars. */
const char *gen_ref_free_func (const GenRef *ref);
/* A GDestroyNotify expression, or NULL for scalars. */
char *gen_ref_destroy_notify (const GenRef *ref);
/* The GI name of the type ("utf8", "VdsmVmStats", "GLib.PtrArray(utf8)"). */
char *gen_ref_gi_type (const GenRef *ref);
/* " (element-type …)" for containers, "" otherwise. */
char *gen_ref_gi_annotation (const GenRef *ref);
/* A word for documentation: "string", "list of VmStats"… */
char *gen_ref_describe (const GenRef *ref);

/* Static helpers for container shapes, emitted once per output file. */
typedef struct {
  GenModel *model;
  EmitWriter protos;
  EmitWriter defs;
  GHashTable *done;
} GenHelpers;

void gen_helpers_init (GenHelpers *h, GenModel *model);
void gen_helpers_clear (GenHelpers *h);
/* Append the helpers' prototypes and definitions. */
void gen_helpers_emit_protos (GenHelpers *h, EmitWriter *w);
void gen_helpers_emit_defs (GenHelpers *h, EmitWriter *w);

/* A statement writing @value as JSON to the GString* @out. */
char *gen_write_stmt (GenHelpers *h, const GenRef *ref, const char *value, const char *out);
/* Emits the statements writing one object member `"name":value` to the
 * GString* @out, after a comma unless it is the first (a `gboolean first`
 * in scope): under `@value != NULL` for a pointer, else under the C
 * expression @condition (an optional scalar's has-flag, say), else
 * unconditionally. */
void gen_emit_member_write (GenHelpers *h, EmitWriter *w, const char *name,
                            const GenRef *ref, const char *value,
                            const char *condition, const char *out);
/* Emits the block reading JsonNode* @node, the member @name (a C string
 * literal) of the object at VdsmJsonPath* @parent_path, into *@target when
 * it is present and not null, setting @has_flag (may be NULL); it returns
 * FALSE from the enclosing function on a bad value. */
void gen_emit_member_read (GenHelpers *h, EmitWriter *w, const char *name,
                           const GenRef *ref, const char *node, const char *parent_path,
                           const char *target, const char *has_flag);
/* A gboolean expression reading JsonNode* @node at VdsmJsonPath* @path
 * into *@out_ptr, failing into GError** @error. */
char *gen_read_expr (GenHelpers *h, const GenRef *ref, const char *node,
                     const char *path, const char *out_ptr, const char *error);
/* An expression giving a deep copy of @value. */
char *gen_copy_expr (GenHelpers *h, const GenRef *ref, const char *value);
/* A gboolean expression: does @node look like this member of an untagged
 * union (names lists the object keys a union allows in every member)? */
char *gen_match_expr (GenHelpers *h, const GenRef *ref, const char *node,
                      const GenType *in_union);
/* Like gen_match_expr(), and for an object member of @in_union also that
 * @node holds every required property of the member. */
char *gen_match_complete_expr (GenHelpers *h, const GenRef *ref,
                               const char *node, const GenType *in_union);

/* A C string literal (with quotes) of @text. */
char *gen_c_literal (const char *text);
/* A C literal of a JSON member name followed by ':', as written on the
 * wire: "\"vmID\":". */
char *gen_json_key_literal (const char *name);

/* The default of @member for @ref as a C expression, or NULL; @file names
 * the member's file in warnings. */
char *gen_default_expr (GenModel *model, const GenRef *ref,
                        const VdsmSchemaMember *member, const char *file);

/* How a parameter reaches C code: the daemon's handlers get a has_ flag
 * for every optional scalar; the client takes a plain value for optional
 * scalars with a literal default (sent only when it differs). */
typedef enum {
  GEN_PARAMS_HANDLER,
  GEN_PARAMS_CLIENT,
} GenParamStyle;

gboolean gen_param_has_flag (const GenParam *param, GenParamStyle style);
/* ", const char *vm_id, gboolean has_x, gint64 x" (empty for none). */
char *gen_param_decls (GPtrArray *params, GenParamStyle style);
/* ", vm_id, has_x, x" (empty for none). */
char *gen_param_args (GPtrArray *params, GenParamStyle style);

/* Documentation text, safe inside a comment. */
char *gen_doc (const char *text);
/* The gtk-doc tags that carry a schema version history into the GIR
 * (" *\n * Since: 4.4\n * Deprecated: 4.5\n"), to end a doc comment; "" when
 * the schema gives neither. */
char *gen_doc_version_tags (const char *added, const char *deprecated);
/* What a member's schema says besides its description, as a parenthesis
 * with a leading space (" (datatype uint, sent as a string; added in VDSM
 * 4.4)"); ""
 * when nothing. */
char *gen_member_notes (const VdsmSchemaMember *member);

void gen_model_warn (GenModel *model, const char *file, guint line,
                     const char *format, ...) G_GNUC_PRINTF (4, 5);

G_END_DECLS
