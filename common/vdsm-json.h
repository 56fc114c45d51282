/* vdsm-json.h: the JSON text writers and typed JsonNode readers that the
 * code generated from the schema is built on. Not part of the GI API.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* ---- Writers: append JSON text to a GString, no intermediate tree ---- */

/* A JSON string; NULL writes null. Invalid UTF-8 becomes U+FFFD. */
void vdsm_json_write_string (GString *out, const char *str);
void vdsm_json_write_int (GString *out, gint64 value);
void vdsm_json_write_uint (GString *out, guint64 value);
/* Always with a fraction or exponent (VDSM's `float` rejects integer
 * literals); NaN and infinities, which JSON lacks, write null. */
void vdsm_json_write_double (GString *out, gdouble value);
void vdsm_json_write_boolean (GString *out, gboolean value);
/* Any JsonNode; NULL writes null. Written by the writers above, so the
 * text is always JSON in UTF-8, whatever the node holds (json-glib keeps
 * infinities and the bytes of lone surrogate escapes). */
void vdsm_json_write_node (GString *out, JsonNode *node);
/* A JSON_NODE_VALUE or JSON_NODE_NULL node, as vdsm_json_write_node(). */
void vdsm_json_write_scalar (GString *out, JsonNode *node);

/* How vdsm_json_write_styled() renders the objects and arrays of a tree:
 * plain JSON, or another notation of the same tree (Python's repr() in
 * VDSM's messages, JSON with secrets masked for logs). */
typedef struct {
  const char *separator;        /* between members and between elements */
  const char *name_separator;   /* between a member's name and its value */
  void (*write_name) (GString *out, const char *name);
  /* A JSON_NODE_VALUE or JSON_NODE_NULL node. */
  void (*write_scalar) (GString *out, JsonNode *node);
  /* Optional: the text written instead of the value of a member named
   * @name, or NULL to write the value. */
  const char *(*replace_member) (const char *name);
} VdsmJsonStyle;

/* @node (not NULL) in @style. */
void vdsm_json_write_styled (GString *out, JsonNode *node, const VdsmJsonStyle *style);

/* Start an object member: a comma unless it is the first, then
 * @quoted_key, the key already written as a JSON string plus ':'. */
static inline void
vdsm_json_write_member (GString *out, gboolean *first, const char *quoted_key)
{
  if (!*first)
    g_string_append_c (out, ',');
  *first = FALSE;
  g_string_append (out, quoted_key);
}

/* ---- Paths: where a value sits, built on the stack, formatted on error ---- */

typedef struct _VdsmJsonPath VdsmJsonPath;
struct _VdsmJsonPath {
  const VdsmJsonPath *parent;
  const char *key;     /* member name, or NULL for an array index */
  gsize index;
};

/* "params.vms[3].status"; "" for NULL. */
char *vdsm_json_path_to_string (const VdsmJsonPath *path);

/* @node as JSON text for a message (the peer's value, so cut after 60
 * characters with "..."); "nothing" for NULL. The readers here and the
 * schema validator show values with it. */
char *vdsm_json_describe (JsonNode *node);

/* A VDSM_ERROR_INVALID_PARAMS error "<path>: <message>". */
void vdsm_json_set_error (GError **error, const VdsmJsonPath *path,
                          const char *format, ...) G_GNUC_PRINTF (3, 4);

/* The domain of vdsm_json_params_unreadable()'s errors; one code, 0. */
#define VDSM_JSON_UNMARSHAL_ERROR (vdsm_json_unmarshal_error_quark ())
GQuark vdsm_json_unmarshal_error_quark (void);

/* For vdsmd's generated dispatch: a reader refused params that the schema
 * validator had accepted. The validator is the one judge of a request
 * (docs/architecture.md, "Validation"), so this is a disagreement between
 * the two, a bug: @error, which the reader set, moves to
 * VDSM_JSON_UNMARSHAL_ERROR, which the server answers with -32603 and
 * logs, never as a second wording of -32602. Returns FALSE. */
gboolean vdsm_json_params_unreadable (GError **error);

/* The readers' errors are the caller's fault when they read params, the
 * server's when a client reads a result: for a typed client call, turns
 * @reader_error (the error of reading the result of @method, path
 * "result…") into a VDSM_ERROR_INVALID_REPLY error "The reply to <method>
 * does not match the schema: <path>: <message>". Takes @reader_error. */
void vdsm_json_propagate_reply_error (GError **error, GError *reader_error,
                                      const char *method);

/* ---- Readers: typed values from a JsonNode, path-qualified GErrors ---- */

gboolean vdsm_json_read_string (JsonNode *node, const VdsmJsonPath *path,
                                char **out, GError **error);
gboolean vdsm_json_read_boolean (JsonNode *node, const VdsmJsonPath *path,
                                 gboolean *out, GError **error);
/* `int`: an integer literal; booleans are refused. */
gboolean vdsm_json_read_int (JsonNode *node, const VdsmJsonPath *path,
                             gint64 *out, GError **error);
/* `uint`: an integer literal >= 0. */
gboolean vdsm_json_read_uint (JsonNode *node, const VdsmJsonPath *path,
                              guint64 *out, GError **error);
/* `long`: any number; a fraction is truncated. */
gboolean vdsm_json_read_long (JsonNode *node, const VdsmJsonPath *path,
                              gint64 *out, GError **error);
/* `ulong`: any number >= 0; a fraction is truncated. */
gboolean vdsm_json_read_ulong (JsonNode *node, const VdsmJsonPath *path,
                               guint64 *out, GError **error);
/* `float`: any number, integer literals included. */
gboolean vdsm_json_read_double (JsonNode *node, const VdsmJsonPath *path,
                                gdouble *out, GError **error);
/* (transfer none) */
JsonObject *vdsm_json_read_object (JsonNode *node, const VdsmJsonPath *path,
                                   GError **error);
/* (transfer none) */
JsonArray *vdsm_json_read_array (JsonNode *node, const VdsmJsonPath *path,
                                 GError **error);
/* A free-form value: a copy of @node; @object_only requires a JSON object. */
gboolean vdsm_json_read_node (JsonNode *node, const VdsmJsonPath *path,
                              gboolean object_only, JsonNode **out,
                              GError **error);

/* One value of a generated enum, in C value order. */
typedef enum {
  VDSM_JSON_ENUM_STRING,
  VDSM_JSON_ENUM_INT,
  VDSM_JSON_ENUM_DOUBLE,
} VdsmJsonEnumKeyKind;

typedef struct {
  const char *text;              /* the key as the schema writes it: the nick */
  const char *wire;              /* the JSON text written for it */
  VdsmJsonEnumKeyKind kind;
  gint64 int_key;                /* VDSM_JSON_ENUM_INT */
  gdouble double_key;            /* VDSM_JSON_ENUM_DOUBLE */
} VdsmJsonEnumValue;

/* A string matches a key with the same text (numeric keys included, so
 * "0.10" matches the key 0.10); a number matches a numeric key of equal
 * value; booleans match nothing. */
gboolean vdsm_json_read_enum (JsonNode *node, const VdsmJsonPath *path,
                              const char *type_name,
                              const VdsmJsonEnumValue *values, guint n_values,
                              int *out, GError **error);
/* Whether @node would be accepted by vdsm_json_read_enum(). */
gboolean vdsm_json_match_enum (JsonNode *node,
                               const VdsmJsonEnumValue *values, guint n_values);

/* What an untagged union member accepts, for picking the member. */
typedef enum {
  VDSM_JSON_KIND_STRING,
  VDSM_JSON_KIND_BOOLEAN,
  VDSM_JSON_KIND_INT,
  VDSM_JSON_KIND_UINT,
  VDSM_JSON_KIND_LONG,
  VDSM_JSON_KIND_ULONG,
  VDSM_JSON_KIND_DOUBLE,
  VDSM_JSON_KIND_OBJECT,
  VDSM_JSON_KIND_ARRAY,
  VDSM_JSON_KIND_ANY,
} VdsmJsonKind;

/* Whether the reader for @kind would accept @node. */
gboolean vdsm_json_matches (JsonNode *node, VdsmJsonKind kind);

/* A new object node with the members of @object (shared, not copied) but
 * those named in the NULL-terminated @names: an event's no_name params
 * without notify_time. */
JsonNode *vdsm_json_object_without (JsonObject *object, const char *const *names);
/* Whether every member name of @object is one of the NULL-terminated
 * @names: how an untagged union picks its member. */
gboolean vdsm_json_object_keys_within (JsonObject *object,
                                       const char *const *names);

/* Whether @object has a member of each of the NULL-terminated @names: an
 * untagged union prefers the member whose required properties are all
 * there. */
gboolean vdsm_json_object_has_keys (JsonObject *object,
                                    const char *const *names);

/* ---- Union choices: the validator's member for each union value ---- */

/* A generated union reader picks by shape: the first member, in schema
 * order, that a value fits and whose required properties it has, else the
 * first it fits. The schema validator picks the first member that the
 * value fits and passes in full (docs/schema-language.md §9.4), which a
 * reader cannot tell without validating. So where a validator has judged
 * the value (vdsmd's params), the reader takes the validator's choice,
 * recorded here, and only elsewhere (replies read by the client) picks by
 * shape. */
typedef struct _VdsmJsonUnionChoices VdsmJsonUnionChoices;

VdsmJsonUnionChoices *vdsm_json_union_choices_new (void);
void vdsm_json_union_choices_free (VdsmJsonUnionChoices *choices);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VdsmJsonUnionChoices, vdsm_json_union_choices_free)
/* @value was accepted as member @member (schema order) of the union whose
 * schema key is @union_key (borrowed: it must outlive @choices). The last
 * record for a value and a union wins. */
void vdsm_json_union_choices_add (VdsmJsonUnionChoices *choices, JsonNode *value,
                                  const char *union_key, guint member);
/* Makes @choices (NULL: none) the ones that union readers on this thread
 * follow, until the next call; returns the previous ones. */
VdsmJsonUnionChoices *vdsm_json_union_choices_use (VdsmJsonUnionChoices *choices);
/* For generated union readers: the member to read @value as, or -1 when no
 * choice is recorded for it on this thread (then pick by shape). */
int vdsm_json_union_choice (JsonNode *value, const char *union_key);

/* Strict RFC 8259 parsing into JsonNode trees (vdsm-json-parser.c): the
 * one JSON reader for network input, bounded by VDSM_JSON_MAX_DEPTH.
 * Empty text is an error. */
JsonNode *vdsm_json_parse_data (const char *data, gsize length, GError **error);
JsonNode *vdsm_json_parse (const char *text, GError **error);

/* The same parser, value by value, for a caller that expects a shape (the
 * JSON-RPC envelope) and wants no tree for the parts it knows. Errors go
 * to @error of vdsm_json_reader_init(); after one, stop reading. */
typedef struct {
  const char *start;
  const char *p;
  const char *end;
  guint depth;
  GString *scratch;                 /* unescaped text of the last string read */
  GError **error;
} VdsmJsonReader;

void vdsm_json_reader_init (VdsmJsonReader *reader, const char *data, gsize length,
                            GString *scratch, GError **error);
/* The next byte after white space, '\0' at the end of the text. */
char vdsm_json_reader_peek (VdsmJsonReader *reader);
/* Consumes @c if it comes next (after white space). */
gboolean vdsm_json_reader_skip (VdsmJsonReader *reader, char c);
/* Reads a string; the text (NUL-terminated, in @scratch) lives until the
 * next read. */
const char *vdsm_json_reader_string (VdsmJsonReader *reader, gsize *length);
JsonNode *vdsm_json_reader_value (VdsmJsonReader *reader);
/* Whether only white space is left. */
gboolean vdsm_json_reader_at_end (VdsmJsonReader *reader);

/* ---- Containers of generated values ---- */

/* GCopyFunc adapters for container copies. */
gpointer vdsm_json_copy_string (gconstpointer src, gpointer unused);
gpointer vdsm_json_copy_node (gconstpointer src, gpointer unused);

/* A new string-keyed table with the same entries, values copied with
 * @copy and freed with @value_free. NULL gives NULL. */
GHashTable *vdsm_json_hash_table_copy (GHashTable *table, GCopyFunc copy,
                                       GDestroyNotify value_free);

/* A string-keyed table owning its keys, values freed with @value_free. */
GHashTable *vdsm_json_hash_table_new (GDestroyNotify value_free);

/* Deepest array/object nesting accepted in JSON text. Every recursive
 * consumer of a tree (json-glib's copy and free among them) would overflow
 * the stack near 100 000 levels; VDSM's deepest documents nest about ten. */
#define VDSM_JSON_MAX_DEPTH 512

G_END_DECLS
