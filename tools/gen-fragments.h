/* gen-fragments.h: C text for a type position of the model (declarations,
 * free functions, GI annotations), parameter lists, literals and
 * documentation comments.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "gen-model.h"

G_BEGIN_DECLS

/* ---- A type position ---- */

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

/* ---- Literals ---- */

/* A C string literal (with quotes) of @text. */
char *gen_c_literal (const char *text);
/* A C literal of a JSON member name followed by ':', as written on the
 * wire: "\"vmID\":". */
char *gen_json_key_literal (const char *name);

/* ---- Parameters ---- */

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
/* What a client call answers in C: the return's type, or gboolean (TRUE)
 * for a method without one. */
const char *gen_client_ret_ctype (const GenMethod *method);

/* ---- Documentation ---- */

/* Documentation text, safe inside a comment. */
char *gen_doc (const char *text);
/* One gtk-doc tag line of a doc comment, " * @value: (nullable): the new
 * value\n" or " * Returns: the result\n": @tag ("@name", "Returns"), then
 * @annotations (NULL, "", or annotations each with a leading space, as
 * gen_ref_gi_annotation() gives them) closed by their own ':' only when
 * there are some, then the text of @format. */
char *gen_doc_tag (const char *tag, const char *annotations, const char *format, ...)
  G_GNUC_PRINTF (3, 4);
/* The gtk-doc tags that carry a schema version history into the GIR
 * (" *\n * Since: 4.4\n * Deprecated: 4.5\n"), to end a doc comment; "" when
 * the schema gives neither. */
char *gen_doc_version_tags (const char *added, const char *deprecated);
/* What a member's schema says besides its description, as a parenthesis
 * with a leading space (" (datatype uint, sent as a string; added in VDSM
 * 4.4)"); "" when nothing. */
char *gen_member_notes (const VdsmSchemaMember *member);

G_END_DECLS
