/* gen-helpers.h: the statements and expressions generated code uses to
 * write, read, copy and match a value of any type position, with the static
 * helper functions they need collected once per output file.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "emit-writer.h"
#include "gen-model.h"

G_BEGIN_DECLS

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
 * it is present and not null, setting @has_flag (may be NULL); on a bad
 * value it runs @on_failure, a statement that leaves the enclosing
 * function ("return FALSE;"). */
void gen_emit_member_read (GenHelpers *h, EmitWriter *w, const char *on_failure,
                           const char *name, const GenRef *ref, const char *node,
                           const char *parent_path, const char *target,
                           const char *has_flag);
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

G_END_DECLS
