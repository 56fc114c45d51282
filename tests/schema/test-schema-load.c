/* test-schema-load.c: the reference VDSM schema files load unchanged, give
 * the counts of expected-counts.json, and build the model docs/schema-language.md describes.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include "vdsm-schema.h"

typedef struct {
  VdsmSchema *schema;
  JsonNode *expected;           /* expected-counts.json */
} Fixture;

static char *
reference_path (const char *name)
{
  const char *dir = g_getenv ("VDSM_REFERENCE_SCHEMA_DIR");

  if (dir == NULL)
    return NULL;
  return g_build_filename (dir, name, NULL);
}

static void
fixture_set_up (Fixture *fx, gconstpointer data)
{
  g_autofree char *api = reference_path ("vdsm-api.yml");
  g_autofree char *events = reference_path ("vdsm-events.yml");
  g_autofree char *counts = reference_path ("expected-counts.json");
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;

  if (api == NULL || !g_file_test (api, G_FILE_TEST_EXISTS)
      || !g_file_test (events, G_FILE_TEST_EXISTS)
      || !g_file_test (counts, G_FILE_TEST_EXISTS))
    return;

  fx->schema = vdsm_schema_new ();
  g_assert_true (vdsm_schema_load_file (fx->schema, api, VDSM_SCHEMA_LOAD_DEFAULT, &error));
  g_assert_no_error (error);
  g_assert_true (vdsm_schema_load_file (fx->schema, events, VDSM_SCHEMA_LOAD_DEFAULT, &error));
  g_assert_no_error (error);
  g_assert_true (json_parser_load_from_file (parser, counts, &error));
  g_assert_no_error (error);
  fx->expected = json_node_copy (json_parser_get_root (parser));
}

static void
fixture_tear_down (Fixture *fx, gconstpointer data)
{
  g_clear_pointer (&fx->schema, vdsm_schema_free);
  g_clear_pointer (&fx->expected, json_node_unref);
}

static gboolean
skip_without_reference (Fixture *fx)
{
  if (fx->schema != NULL)
    return FALSE;
  g_test_skip ("reference schema files not found (VDSM_REFERENCE_SCHEMA_DIR)");
  return TRUE;
}

static void
test_no_errors (Fixture *fx, gconstpointer data)
{
  GPtrArray *diags;
  guint n_warnings = 0;

  if (skip_without_reference (fx))
    return;
  diags = vdsm_schema_get_diagnostics (fx->schema);
  for (guint i = 0; i < diags->len; i++)
    {
      VdsmSchemaDiagnostic *diag = g_ptr_array_index (diags, i);
      g_autofree char *text = vdsm_schema_diagnostic_format (diag);

      if (diag->severity == VDSM_SCHEMA_SEVERITY_ERROR)
        g_error ("unexpected error: %s", text);
      n_warnings++;
    }
  /* The files are irregular by design (§3.7, §10): warnings must be reported. */
  g_assert_cmpuint (n_warnings, >, 100);
}

static void
test_stats (Fixture *fx, gconstpointer data)
{
  JsonObject *expected_files;
  GPtrArray *files;

  if (skip_without_reference (fx))
    return;
  expected_files = json_object_get_object_member (json_node_get_object (fx->expected), "files");
  files = vdsm_schema_get_files (fx->schema);
  g_assert_cmpuint (files->len, ==, 2);
  for (guint i = 0; i < files->len; i++)
    {
      VdsmSchemaFile *file = g_ptr_array_index (files, i);
      g_autofree char *base = g_path_get_basename (file->path);
      JsonNode *expected = json_object_get_member (expected_files, base);

      g_assert_nonnull (expected);
      g_assert_nonnull (file->stats);
      if (!json_node_equal (expected, file->stats))
        {
          g_autofree char *ours = json_to_string (file->stats, TRUE);
          g_autofree char *theirs = json_to_string (expected, TRUE);

          g_error ("%s: counts differ.\nours: %s\nexpected: %s", base, ours, theirs);
        }
    }
}

static void
test_summary (Fixture *fx, gconstpointer data)
{
  g_autoptr (JsonNode) summary = NULL;
  g_autofree char *text = NULL;

  if (skip_without_reference (fx))
    return;
  summary = vdsm_schema_get_summary (fx->schema);
  text = json_to_string (summary, FALSE);
  g_assert_cmpstr (text, ==,
                   "{\"types\":382,\"methods\":205,\"namespaces\":16,\"params\":536,\"events\":4}");
}

static const VdsmSchemaMember *
find_member (GPtrArray *members, const char *name)
{
  for (guint i = 0; i < members->len; i++)
    {
      const VdsmSchemaMember *member = g_ptr_array_index (members, i);

      if (strcmp (member->name, name) == 0)
        return member;
    }
  return NULL;
}

static const VdsmSchemaType *
file_type (VdsmSchema *schema, guint file, const char *key)
{
  VdsmSchemaFile *f = g_ptr_array_index (vdsm_schema_get_files (schema), file);
  const VdsmSchemaType *type = g_hash_table_lookup (f->types_by_key, key);

  g_assert_nonnull (type);
  return type;
}

static void
test_model (Fixture *fx, gconstpointer data)
{
  const VdsmSchemaType *type;
  const VdsmSchemaMember *member;
  const VdsmSchemaMethod *method;
  const VdsmSchemaEvent *event;
  const VdsmSchemaEnumValue *value;

  if (skip_without_reference (fx))
    return;

  /* Enum keys keep both the typed value and the source text. */
  type = vdsm_schema_lookup_type (fx->schema, "Qcow2Compat");
  g_assert_cmpint (type->kind, ==, VDSM_SCHEMA_KIND_ENUM);
  value = g_ptr_array_index (type->values, 0);
  g_assert_cmpstr (value->text, ==, "0.10");
  g_assert_cmpfloat (json_node_get_double (value->typed), ==, 0.1);
  type = vdsm_schema_lookup_type (fx->schema, "AutoNumaBalancingStatus");
  value = g_ptr_array_index (type->values, 2);
  g_assert_cmpint (json_node_get_int (value->typed), ==, 2);

  /* §3.7: no kind -> object; a type as kind -> alias of it. */
  type = vdsm_schema_lookup_type (fx->schema, "VMFullInfo");
  g_assert_cmpint (type->kind, ==, VDSM_SCHEMA_KIND_OBJECT);
  member = find_member (type->properties, "vmType");
  g_assert_cmpint (member->type->kind, ==, VDSM_SCHEMA_REF_ANY);
  type = vdsm_schema_lookup_type (fx->schema, "Qcow2Bitmaps");
  g_assert_cmpint (type->kind, ==, VDSM_SCHEMA_KIND_ALIAS);
  g_assert_cmpstr (type->source->type->key, ==, "Qcow2BitmapInfo");

  /* §1 duplicate keys: allocation vanished, qcow2_compat inherits defaultvalue null. */
  type = vdsm_schema_lookup_type (fx->schema, "ExternalVmParams");
  g_assert_null (find_member (type->properties, "allocation"));
  member = find_member (type->properties, "qcow2_compat");
  g_assert_cmpint (member->default_kind, ==, VDSM_SCHEMA_DEFAULT_VALUE);
  g_assert_true (JSON_NODE_HOLDS_NULL (member->default_value));

  type = vdsm_schema_lookup_type (fx->schema, "HookScriptAdditional");
  g_assert_true (type->any_string);
  type = vdsm_schema_lookup_type (fx->schema, "StorageDomainTypeId");
  g_assert_cmpstr (type->name, ==, "StorageDomainType");
  type = vdsm_schema_lookup_type (fx->schema, "VmDevice");
  g_assert_cmpint (type->kind, ==, VDSM_SCHEMA_KIND_UNION);
  g_assert_cmpuint (type->properties->len, >, 0);
  type = vdsm_schema_lookup_type (fx->schema, "BalloonInfo");
  member = find_member (type->properties, "balloon_cur");
  g_assert_cmpint (member->default_kind, ==, VDSM_SCHEMA_DEFAULT_NEEDS_UPDATING);

  /* Types are scoped per file: the events file has its own MigrationStatus,
   * whose split-up properties were all dropped (§6 malformed members). */
  type = file_type (fx->schema, 0, "MigrationStatus");
  g_assert_cmpint (type->kind, ==, VDSM_SCHEMA_KIND_ENUM);
  type = file_type (fx->schema, 1, "MigrationStatus");
  g_assert_cmpint (type->kind, ==, VDSM_SCHEMA_KIND_OBJECT);
  g_assert_cmpuint (type->properties->len, ==, 0);
  type = file_type (fx->schema, 1, "JobInfo");
  member = find_member (type->properties, "status");
  g_assert_cmpint (member->default_kind, ==, VDSM_SCHEMA_DEFAULT_NONE);

  method = vdsm_schema_lookup_method (fx->schema, "Host.getVMList");
  g_assert_cmpstr (method->ns, ==, "Host");
  g_assert_cmpstr (method->verb, ==, "getVMList");
  g_assert_cmpuint (method->params->len, ==, 3);
  member = g_ptr_array_index (method->params, 1);
  g_assert_cmpint (member->type->kind, ==, VDSM_SCHEMA_REF_LIST);
  g_assert_cmpstr (member->type->item->type->key, ==, "UUID");
  g_assert_cmpint (method->ret->kind, ==, VDSM_SCHEMA_REF_LIST);
  method = vdsm_schema_lookup_method (fx->schema, "Host.setMOMPolicyParameters");
  member = g_ptr_array_index (method->params, 0);
  g_assert_cmpint (member->type->kind, ==, VDSM_SCHEMA_REF_ANY_OBJECT);
  method = vdsm_schema_lookup_method (fx->schema, "VM.start_backup");
  g_assert_cmpstr (method->verb, ==, "start_backup");
  g_assert_null (vdsm_schema_lookup_method (fx->schema, "VM.nope"));

  event = vdsm_schema_lookup_event (fx->schema, "|virt|VM_status|5f0e1ba3-0000-4000-8000-000000000001");
  g_assert_nonnull (event);
  g_assert_cmpstr (event->key, ==, "|virt|VM_status|");
  g_assert_cmpstr (event->ns, ==, "virt");
  g_assert_cmpstr (event->name, ==, "VM_status");
  event = vdsm_schema_lookup_event (fx->schema, "|jobs|status|");
  member = find_member (event->params, "id");
  g_assert_cmpint (member->type->kind, ==, VDSM_SCHEMA_REF_NAMED);
  g_assert_cmpstr (member->type->type->key, ==, "UUID");
  event = vdsm_schema_lookup_event (fx->schema, "|virt|VM_migration_status|x");
  member = find_member (event->params, "VmMigrationStatus");
  g_assert_true (member->type->type->anonymous);
  g_assert_cmpint (member->type->type->kind, ==, VDSM_SCHEMA_KIND_MAP);
  g_assert_null (vdsm_schema_lookup_event (fx->schema, "|virt|nope|x"));
}

static void
test_strict (void)
{
  g_autofree char *api = reference_path ("vdsm-api.yml");
  g_autoptr (VdsmSchema) schema = vdsm_schema_new ();
  g_autoptr (GError) error = NULL;

  if (api == NULL || !g_file_test (api, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("reference schema files not found (VDSM_REFERENCE_SCHEMA_DIR)");
      return;
    }
  /* Strict mode (libvdsm's own files) refuses every irregularity. */
  g_assert_false (vdsm_schema_load_file (schema, api, VDSM_SCHEMA_LOAD_STRICT, &error));
  g_assert_error (error, VDSM_SCHEMA_ERROR, VDSM_SCHEMA_ERROR_LOAD);
  g_assert_true (g_str_has_prefix (error->message, api));
}

/* API files merge their methods; types stay scoped per file. */
static void
test_multi_file (void)
{
  static const char first[] =
    "types:\n"
    "    Info: &Info\n"
    "        added: '1.0'\n"
    "        description: A string here.\n"
    "        name: Info\n"
    "        sourcetype: string\n"
    "        type: alias\n"
    "A.get:\n"
    "    added: '1.0'\n"
    "    description: D.\n"
    "    return:\n"
    "        type: *Info\n"
    "        description: R.\n";
  static const char second[] =
    "types:\n"
    "    Info: &Info\n"
    "        added: '1.0'\n"
    "        description: A number there.\n"
    "        name: Info\n"
    "        sourcetype: int\n"
    "        type: alias\n"
    "B.get:\n"
    "    added: '1.0'\n"
    "    description: D.\n"
    "    return:\n"
    "        type: *Info\n"
    "        description: R.\n"
    "A.get:\n"
    "    added: '1.0'\n"
    "    description: Again.\n";
  g_autoptr (VdsmSchema) schema = vdsm_schema_new ();
  g_autoptr (GError) error = NULL;
  const VdsmSchemaMethod *a, *b;
  GPtrArray *diags;
  g_autofree char *last = NULL;

  g_assert_true (vdsm_schema_load_data (schema, "first.yml", first, strlen (first),
                                        VDSM_SCHEMA_LOAD_DEFAULT, &error));
  g_assert_no_error (error);
  g_assert_false (vdsm_schema_load_data (schema, "second.yml", second, strlen (second),
                                         VDSM_SCHEMA_LOAD_DEFAULT, &error));
  g_assert_error (error, VDSM_SCHEMA_ERROR, VDSM_SCHEMA_ERROR_LOAD);
  g_assert_cmpstr (error->message, ==,
                   "second.yml:14: error: method A.get: already defined in first.yml:8");

  g_assert_cmpuint (vdsm_schema_get_methods (schema)->len, ==, 2);
  g_assert_cmpuint (vdsm_schema_get_types (schema)->len, ==, 2);
  a = vdsm_schema_lookup_method (schema, "A.get");
  b = vdsm_schema_lookup_method (schema, "B.get");
  g_assert_cmpstr (a->file->path, ==, "first.yml");
  g_assert_cmpint (a->ret->type->source->primitive, ==, VDSM_SCHEMA_PRIM_STRING);
  g_assert_cmpint (b->ret->type->source->primitive, ==, VDSM_SCHEMA_PRIM_INT);
  g_assert_true (vdsm_schema_lookup_type (schema, "Info") == a->ret->type);

  diags = vdsm_schema_get_diagnostics (schema);
  g_assert_cmpuint (diags->len, ==, 2);
  last = vdsm_schema_diagnostic_format (g_ptr_array_index (diags, 0));
  g_assert_cmpstr (last, ==,
                   "second.yml:2: warning: type Info is also defined in first.yml:2 "
                   "(types are scoped per file)");
}

static void
test_missing_file (void)
{
  g_autoptr (VdsmSchema) schema = vdsm_schema_new ();
  g_autoptr (GError) error = NULL;

  g_assert_false (vdsm_schema_load_file (schema, "/nonexistent/x.yml", 0, &error));
  g_assert_error (error, VDSM_SCHEMA_ERROR, VDSM_SCHEMA_ERROR_LOAD);
  g_assert_true (g_str_has_prefix (error->message,
                                   "/nonexistent/x.yml: error: cannot read the file: "));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/schema/reference/no-errors", Fixture, NULL, fixture_set_up, test_no_errors,
              fixture_tear_down);
  g_test_add ("/schema/reference/stats", Fixture, NULL, fixture_set_up, test_stats,
              fixture_tear_down);
  g_test_add ("/schema/reference/summary", Fixture, NULL, fixture_set_up, test_summary,
              fixture_tear_down);
  g_test_add ("/schema/reference/model", Fixture, NULL, fixture_set_up, test_model,
              fixture_tear_down);
  g_test_add_func ("/schema/reference/strict", test_strict);
  g_test_add_func ("/schema/load/multi-file", test_multi_file);
  g_test_add_func ("/schema/load/missing-file", test_missing_file);
  return g_test_run ();
}
