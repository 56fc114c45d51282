/* vdsm-schema.c: the VdsmSchema container: loading entry points,
 * diagnostics, look-ups and combined counts.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vdsm-schema-private.h"

#include <string.h>

G_DEFINE_QUARK (vdsm-schema-error-quark, vdsm_schema_error)

/* A diagnostic plus its emission order, so that sorting by line is stable. */
typedef struct {
  VdsmSchemaDiagnostic pub;
  guint seq;
} Diagnostic;

static void
diagnostic_free (gpointer data)
{
  Diagnostic *diag = data;

  g_free (diag->pub.file);
  g_free (diag->pub.message);
  g_free (diag);
}

static void
file_free (gpointer data)
{
  VdsmSchemaFile *file = data;

  g_free (file->path);
  g_ptr_array_unref (file->types);
  g_hash_table_unref (file->types_by_key);
  if (file->stats)
    json_node_unref (file->stats);
  g_free (file);
}

/**
 * vdsm_schema_new:
 *
 * Returns: (transfer full): an empty schema; load files into it with
 *   vdsm_schema_load_file().
 */
VdsmSchema *
vdsm_schema_new (void)
{
  VdsmSchema *schema = g_new0 (VdsmSchema, 1);

  schema->files = g_ptr_array_new_with_free_func (file_free);
  schema->types = g_ptr_array_new_with_free_func ((GDestroyNotify) vdsm_schema_type_free);
  schema->anonymous = g_ptr_array_new_with_free_func ((GDestroyNotify) vdsm_schema_type_free);
  schema->methods = g_ptr_array_new_with_free_func ((GDestroyNotify) vdsm_schema_method_free);
  schema->events = g_ptr_array_new_with_free_func ((GDestroyNotify) vdsm_schema_event_free);
  schema->methods_by_name = g_hash_table_new (g_str_hash, g_str_equal);
  schema->events_by_key = g_hash_table_new (g_str_hash, g_str_equal);
  schema->types_by_key = g_hash_table_new (g_str_hash, g_str_equal);
  schema->diagnostics = g_ptr_array_new_with_free_func (diagnostic_free);
  return schema;
}

/**
 * vdsm_schema_free:
 * @schema: (transfer full) (nullable): a schema
 */
void
vdsm_schema_free (VdsmSchema *schema)
{
  if (schema == NULL)
    return;
  g_hash_table_unref (schema->methods_by_name);
  g_hash_table_unref (schema->events_by_key);
  g_hash_table_unref (schema->types_by_key);
  g_ptr_array_unref (schema->methods);
  g_ptr_array_unref (schema->events);
  g_ptr_array_unref (schema->anonymous);
  g_ptr_array_unref (schema->types);
  g_ptr_array_unref (schema->files);
  g_ptr_array_unref (schema->diagnostics);
  g_free (schema);
}

void
vdsm_schema_diag (VdsmSchemaDiagSink *sink, VdsmSchemaSeverity severity,
                  guint line, const char *format, ...)
{
  Diagnostic *diag = g_new0 (Diagnostic, 1);
  va_list args;

  if (severity == VDSM_SCHEMA_SEVERITY_ADVISORY)
    severity = VDSM_SCHEMA_SEVERITY_WARNING;
  else if (sink->flags & VDSM_SCHEMA_LOAD_STRICT)
    severity = VDSM_SCHEMA_SEVERITY_ERROR;
  va_start (args, format);
  diag->pub.message = g_strdup_vprintf (format, args);
  va_end (args);
  diag->pub.file = g_strdup (sink->path);
  diag->pub.line = line;
  diag->pub.severity = severity;
  diag->seq = sink->diagnostics->len;
  g_ptr_array_add (sink->diagnostics, diag);
  if (severity == VDSM_SCHEMA_SEVERITY_ERROR)
    sink->n_errors++;
}

static gint
compare_diagnostics (gconstpointer a, gconstpointer b)
{
  const Diagnostic *da = *(const Diagnostic * const *) a;
  const Diagnostic *db = *(const Diagnostic * const *) b;

  if (da->pub.line != db->pub.line)
    return da->pub.line < db->pub.line ? -1 : 1;
  return da->seq < db->seq ? -1 : da->seq > db->seq;
}

/* Move the file's diagnostics, sorted by line, to the schema; report. */
static gboolean
sink_finish (VdsmSchemaDiagSink *sink, GError **error)
{
  g_autofree char *first = NULL;

  g_ptr_array_sort (sink->diagnostics, compare_diagnostics);
  for (guint i = 0; i < sink->diagnostics->len; i++)
    {
      Diagnostic *diag = g_ptr_array_index (sink->diagnostics, i);

      if (first == NULL && diag->pub.severity == VDSM_SCHEMA_SEVERITY_ERROR)
        first = vdsm_schema_diagnostic_format (&diag->pub);
      g_ptr_array_add (sink->schema->diagnostics, diag);
    }
  g_ptr_array_set_free_func (sink->diagnostics, NULL);
  g_ptr_array_unref (sink->diagnostics);

  if (sink->n_errors == 0)
    return TRUE;
  if (sink->n_errors == 1)
    g_set_error (error, VDSM_SCHEMA_ERROR, VDSM_SCHEMA_ERROR_LOAD, "%s", first);
  else
    g_set_error (error, VDSM_SCHEMA_ERROR, VDSM_SCHEMA_ERROR_LOAD,
                 "%s (and %u more errors)", first, sink->n_errors - 1);
  return FALSE;
}

static VdsmSchemaDiagSink
sink_init (VdsmSchema *schema, const char *path, VdsmSchemaLoadFlags flags)
{
  VdsmSchemaDiagSink sink = { 0 };

  sink.schema = schema;
  sink.path = path;
  sink.flags = flags;
  sink.diagnostics = g_ptr_array_new_with_free_func (diagnostic_free);
  return sink;
}

/**
 * vdsm_schema_load_data:
 * @schema: a schema
 * @name: the file name used in diagnostics
 * @data: (array length=len): the YAML text
 * @len: length of @data in bytes
 * @flags: loading flags
 * @error: return location for a #GError
 *
 * Loads one schema file from memory; see vdsm_schema_load_file().
 *
 * Returns: %FALSE when the file produced an error diagnostic.
 */
gboolean
vdsm_schema_load_data (VdsmSchema *schema, const char *name, const char *data,
                       gsize len, VdsmSchemaLoadFlags flags, GError **error)
{
  VdsmSchemaDiagSink sink;
  VdsmSchemaFile *file;
  g_autoptr (VdsmYamlDocument) doc = NULL;
  g_autoptr (GError) parse_error = NULL;
  guint error_line = 0;

  g_return_val_if_fail (schema != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);

  file = g_new0 (VdsmSchemaFile, 1);
  file->path = g_strdup (name);
  file->types = g_ptr_array_new ();
  file->types_by_key = g_hash_table_new (g_str_hash, g_str_equal);
  g_ptr_array_add (schema->files, file);

  sink = sink_init (schema, file->path, flags);
  doc = vdsm_yaml_parse (data ? data : "", len, &error_line, &parse_error);
  if (doc == NULL)
    vdsm_schema_error (&sink, error_line, "%s", parse_error->message);
  else
    {
      file->stats = vdsm_schema_file_stats (doc, data, len);
      vdsm_schema_build (&sink, file, doc);
    }
  return sink_finish (&sink, error);
}

/**
 * vdsm_schema_load_file:
 * @schema: a schema
 * @path: (type filename): the YAML file
 * @flags: loading flags
 * @error: return location for a #GError
 *
 * Loads one schema file. Every diagnostic goes to the schema's list.
 *
 * Returns: %FALSE when the file could not be read or produced an error
 *   diagnostic.
 */
gboolean
vdsm_schema_load_file (VdsmSchema *schema, const char *path,
                       VdsmSchemaLoadFlags flags, GError **error)
{
  g_autofree char *data = NULL;
  g_autoptr (GError) read_error = NULL;
  gsize len = 0;

  g_return_val_if_fail (schema != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (!g_file_get_contents (path, &data, &len, &read_error))
    {
      VdsmSchemaDiagSink sink = sink_init (schema, path, flags);

      vdsm_schema_error (&sink, 0, "cannot read the file: %s", read_error->message);
      return sink_finish (&sink, error);
    }
  return vdsm_schema_load_data (schema, path, data, len, flags, error);
}

/**
 * vdsm_schema_get_diagnostics:
 * @schema: a schema
 *
 * Returns: (transfer none) (element-type VdsmSchemaDiagnostic): every
 *   diagnostic so far, files in load order, each file's sorted by line.
 */
GPtrArray *
vdsm_schema_get_diagnostics (VdsmSchema *schema)
{
  return schema->diagnostics;
}

/**
 * vdsm_schema_diagnostic_format:
 * @diag: a diagnostic
 *
 * Returns: (transfer full): "file:line: error|warning: message" (the line is
 *   left out when it is 0, for whole-file problems).
 */
char *
vdsm_schema_diagnostic_format (const VdsmSchemaDiagnostic *diag)
{
  const char *severity = diag->severity == VDSM_SCHEMA_SEVERITY_ERROR ? "error" : "warning";

  if (diag->line == 0)
    return g_strdup_printf ("%s: %s: %s", diag->file, severity, diag->message);
  return g_strdup_printf ("%s:%u: %s: %s", diag->file, diag->line, severity,
                          diag->message);
}

/**
 * vdsm_schema_get_files:
 * @schema: a schema
 *
 * Returns: (transfer none) (element-type VdsmSchemaFile): the loaded files.
 */
GPtrArray *
vdsm_schema_get_files (VdsmSchema *schema)
{
  return schema->files;
}

/**
 * vdsm_schema_get_methods:
 * @schema: a schema
 *
 * Returns: (transfer none) (element-type VdsmSchemaMethod): all methods.
 */
GPtrArray *
vdsm_schema_get_methods (VdsmSchema *schema)
{
  return schema->methods;
}

/**
 * vdsm_schema_get_events:
 * @schema: a schema
 *
 * Returns: (transfer none) (element-type VdsmSchemaEvent): all events.
 */
GPtrArray *
vdsm_schema_get_events (VdsmSchema *schema)
{
  return schema->events;
}

/**
 * vdsm_schema_get_types:
 * @schema: a schema
 *
 * Returns: (transfer none) (element-type VdsmSchemaType): all named types,
 *   load order (a key defined by several files appears once per file).
 */
GPtrArray *
vdsm_schema_get_types (VdsmSchema *schema)
{
  return schema->types;
}

/**
 * vdsm_schema_lookup_method:
 * @schema: a schema
 * @name: "Namespace.verb"
 *
 * Returns: (transfer none) (nullable): the method.
 */
const VdsmSchemaMethod *
vdsm_schema_lookup_method (VdsmSchema *schema, const char *name)
{
  return g_hash_table_lookup (schema->methods_by_name, name);
}

/**
 * vdsm_schema_lookup_event:
 * @schema: a schema
 * @id: an event key or a wire event id
 *
 * A wire id "|ns|name|unique" is looked up by what precedes its last bar,
 * as VDSM does.
 *
 * Returns: (transfer none) (nullable): the event.
 */
const VdsmSchemaEvent *
vdsm_schema_lookup_event (VdsmSchema *schema, const char *id)
{
  const char *last = strrchr (id, '|');
  g_autofree char *key = NULL;

  if (last == NULL)
    return NULL;
  key = g_strndup (id, (gsize) (last - id) + 1);
  return g_hash_table_lookup (schema->events_by_key, key);
}

/**
 * vdsm_schema_lookup_type:
 * @schema: a schema
 * @key: a type key
 *
 * Returns: (transfer none) (nullable): the type of the first file defining
 *   @key.
 */
const VdsmSchemaType *
vdsm_schema_lookup_type (VdsmSchema *schema, const char *key)
{
  return g_hash_table_lookup (schema->types_by_key, key);
}

/**
 * vdsm_schema_get_summary:
 * @schema: a schema
 *
 * "namespaces" counts the distinct namespaces of methods and events together;
 * "params" counts method and event params.
 *
 * Returns: (transfer full): {"types","methods","namespaces","params","events"}.
 */
JsonNode *
vdsm_schema_get_summary (VdsmSchema *schema)
{
  g_autoptr (GHashTable) namespaces = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  guint n_params = 0;

  for (guint i = 0; i < schema->methods->len; i++)
    {
      VdsmSchemaMethod *method = g_ptr_array_index (schema->methods, i);

      g_hash_table_add (namespaces, method->ns);
      n_params += method->params->len;
    }
  for (guint i = 0; i < schema->events->len; i++)
    {
      VdsmSchemaEvent *event = g_ptr_array_index (schema->events, i);

      g_hash_table_add (namespaces, event->ns);
      n_params += event->params->len;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "types");
  json_builder_add_int_value (builder, schema->types->len);
  json_builder_set_member_name (builder, "methods");
  json_builder_add_int_value (builder, schema->methods->len);
  json_builder_set_member_name (builder, "namespaces");
  json_builder_add_int_value (builder, g_hash_table_size (namespaces));
  json_builder_set_member_name (builder, "params");
  json_builder_add_int_value (builder, n_params);
  json_builder_set_member_name (builder, "events");
  json_builder_add_int_value (builder, schema->events->len);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/**
 * vdsm_schema_primitive_name:
 * @prim: a primitive
 *
 * Returns: (transfer none): its name in the schema language.
 */
const char *
vdsm_schema_primitive_name (VdsmSchemaPrimitive prim)
{
  static const char *const names[] = {
    [VDSM_SCHEMA_PRIM_STRING] = "string",
    [VDSM_SCHEMA_PRIM_BOOLEAN] = "boolean",
    [VDSM_SCHEMA_PRIM_INT] = "int",
    [VDSM_SCHEMA_PRIM_UINT] = "uint",
    [VDSM_SCHEMA_PRIM_LONG] = "long",
    [VDSM_SCHEMA_PRIM_ULONG] = "ulong",
    [VDSM_SCHEMA_PRIM_FLOAT] = "float",
  };

  g_return_val_if_fail ((guint) prim < G_N_ELEMENTS (names), NULL);
  return names[prim];
}

const char *const vdsm_schema_kind_names[] = {
  [VDSM_SCHEMA_KIND_OBJECT] = "object",
  [VDSM_SCHEMA_KIND_ENUM] = "enum",
  [VDSM_SCHEMA_KIND_ALIAS] = "alias",
  [VDSM_SCHEMA_KIND_MAP] = "map",
  [VDSM_SCHEMA_KIND_UNION] = "union",
  NULL
};

const char *
vdsm_schema_kind_name (VdsmSchemaKind kind)
{
  g_return_val_if_fail ((guint) kind <= VDSM_SCHEMA_KIND_UNION, NULL);
  return vdsm_schema_kind_names[kind];
}

gboolean
vdsm_schema_kind_from_name (const char *name, VdsmSchemaKind *kind)
{
  for (guint i = 0; vdsm_schema_kind_names[i] != NULL; i++)
    if (strcmp (name, vdsm_schema_kind_names[i]) == 0)
      {
        *kind = (VdsmSchemaKind) i;
        return TRUE;
      }
  return FALSE;
}

const char *
vdsm_schema_type_ref_word (const VdsmSchemaTypeRef *ref)
{
  g_return_val_if_fail (ref != NULL, NULL);
  switch (ref->kind)
    {
    case VDSM_SCHEMA_REF_PRIMITIVE:
      return vdsm_schema_primitive_name (ref->primitive);
    case VDSM_SCHEMA_REF_NAMED:
      return ref->type->key;
    case VDSM_SCHEMA_REF_LIST:
      return "list";
    case VDSM_SCHEMA_REF_ANY_OBJECT:
      return "dict";
    case VDSM_SCHEMA_REF_ANY:
      break;
    }
  return "value";
}

/* ---- model destructors ---- */

void
vdsm_schema_type_ref_free (VdsmSchemaTypeRef *ref)
{
  if (ref == NULL)
    return;
  vdsm_schema_type_ref_free (ref->item);
  g_free (ref);
}

void
vdsm_schema_member_free (VdsmSchemaMember *member)
{
  if (member == NULL)
    return;
  g_free (member->name);
  vdsm_schema_type_ref_free (member->type);
  g_free (member->description);
  if (member->default_value)
    json_node_unref (member->default_value);
  g_free (member->datatype);
  g_free (member->added);
  g_free (member->modified);
  g_free (member->deprecated);
  g_free (member);
}

void
vdsm_schema_enum_value_free (VdsmSchemaEnumValue *value)
{
  g_free (value->text);
  if (value->typed)
    json_node_unref (value->typed);
  g_free (value->description);
  g_free (value);
}

void
vdsm_schema_type_free (VdsmSchemaType *type)
{
  g_free (type->key);
  g_free (type->name);
  g_free (type->description);
  g_free (type->added);
  g_free (type->modified);
  g_free (type->deprecated);
  g_clear_pointer (&type->properties, g_ptr_array_unref);
  g_clear_pointer (&type->values, g_ptr_array_unref);
  g_clear_pointer (&type->members, g_ptr_array_unref);
  vdsm_schema_type_ref_free (type->source);
  vdsm_schema_type_ref_free (type->key_type);
  vdsm_schema_type_ref_free (type->value_type);
  g_free (type);
}

void
vdsm_schema_method_free (VdsmSchemaMethod *method)
{
  g_free (method->name);
  g_free (method->ns);
  g_free (method->verb);
  g_free (method->description);
  g_free (method->added);
  g_free (method->deprecated);
  g_ptr_array_unref (method->params);
  vdsm_schema_type_ref_free (method->ret);
  g_free (method->ret_description);
  g_free (method);
}

void
vdsm_schema_event_free (VdsmSchemaEvent *event)
{
  g_free (event->key);
  g_free (event->ns);
  g_free (event->name);
  g_free (event->description);
  g_ptr_array_unref (event->params);
  g_free (event);
}
