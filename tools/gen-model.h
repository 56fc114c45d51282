/* gen-model.h: the schema as the emitters see it: every type, method and
 * event with its C names and defaults decided. The C text built from it is
 * in gen-fragments.h (declarations, annotations, docs) and gen-helpers.h
 * (reading, writing, copying, matching values).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

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
  /* event types only: the no_name param, read from and written as the
   * params object's members other than the named ones */
  gboolean rest;
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
  gboolean is_event;  /* OBJECT: an event's params (add_event_type) */
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

/* Is a value of @ref held by pointer (strings, boxed types, containers,
 * JsonNode), not by value (numbers, booleans, enums)? */
gboolean gen_ref_is_pointer (const GenRef *ref);
/* Is every value of @ref a JSON object (an object or map type, or a
 * free-form object), so that it can stand for a whole params object? */
gboolean gen_ref_is_object_like (const GenRef *ref);

/* The default of @member for @ref as a C expression, or NULL; @file names
 * the member's file in warnings. */
char *gen_default_expr (GenModel *model, const GenRef *ref,
                        const VdsmSchemaMember *member, const char *file);

void gen_model_warn (GenModel *model, const char *file, guint line,
                     const char *format, ...) G_GNUC_PRINTF (4, 5);

G_END_DECLS
