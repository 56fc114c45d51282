/* test-schema-equal.c: vdsm_schema_type_ref_equal() under its three kinds
 * of sameness, on two small files that define some types alike and some
 * not, and an alias.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include "vdsm-schema.h"

static const char first_file[] =
  "types:\n"
  "  Status: &Status\n"
  "    added: '1.0'\n"
  "    name: Status\n"
  "    type: enum\n"
  "    values:\n"
  "      up: running\n"
  "      down: stopped\n"
  "  Uuid: &Uuid\n"
  "    added: '1.0'\n"
  "    name: Uuid\n"
  "    sourcetype: string\n"
  "    type: alias\n"
  "  Vm: &Vm\n"
  "    added: '1.0'\n"
  "    name: Vm\n"
  "    type: object\n"
  "    properties:\n"
  "    - name: id\n"
  "      type: *Uuid\n"
  "    - name: status\n"
  "      type: *Status\n"
  "    - name: disks\n"
  "      type: [string]\n"
  "    - name: plain_id\n"
  "      type: string\n"
  "Host.getVms:\n"
  "  added: '1.0'\n"
  "  return:\n"
  "    type: [*Vm]\n";

/* Status as above, Vm with one more property. */
static const char second_file[] =
  "types:\n"
  "  Status: &Status\n"
  "    added: '1.0'\n"
  "    name: Status\n"
  "    type: enum\n"
  "    values:\n"
  "      up: running\n"
  "      down: stopped\n"
  "  Vm: &Vm\n"
  "    added: '1.0'\n"
  "    name: Vm\n"
  "    type: object\n"
  "    properties:\n"
  "    - name: id\n"
  "      type: string\n"
  "    - name: status\n"
  "      type: *Status\n"
  "    - name: extra\n"
  "      type: int\n"
  "Host.getOtherVms:\n"
  "  added: '1.0'\n"
  "  return:\n"
  "    type: [*Vm]\n";

static const VdsmSchemaType *
file_type (VdsmSchema *schema, guint file, const char *key)
{
  const VdsmSchemaFile *f = g_ptr_array_index (vdsm_schema_get_files (schema), file);

  return g_hash_table_lookup (f->types_by_key, key);
}

static const VdsmSchemaTypeRef *
property_type (const VdsmSchemaType *type, const char *name)
{
  for (guint i = 0; i < type->properties->len; i++)
    {
      const VdsmSchemaMember *member = g_ptr_array_index (type->properties, i);

      if (strcmp (member->name, name) == 0)
        return member->type;
    }
  g_assert_not_reached ();
}

static VdsmSchema *
load_both (void)
{
  VdsmSchema *schema = vdsm_schema_new ();
  g_autoptr (GError) error = NULL;

  g_assert_true (vdsm_schema_load_data (schema, "first.yml", first_file, strlen (first_file),
                                        VDSM_SCHEMA_LOAD_DEFAULT, &error));
  g_assert_no_error (error);
  g_assert_true (vdsm_schema_load_data (schema, "second.yml", second_file,
                                        strlen (second_file), VDSM_SCHEMA_LOAD_DEFAULT, &error));
  g_assert_no_error (error);
  return schema;
}

/* Each file's Status is its own definition, alike in both. */
static void
test_named_types (void)
{
  g_autoptr (VdsmSchema) schema = load_both ();
  const VdsmSchemaTypeRef *status1 = property_type (file_type (schema, 0, "Vm"), "status");
  const VdsmSchemaTypeRef *status2 = property_type (file_type (schema, 1, "Vm"), "status");

  g_assert_true (vdsm_schema_type_ref_equal (status1, status1, VDSM_SCHEMA_SAME_DEFINITION));
  g_assert_false (vdsm_schema_type_ref_equal (status1, status2, VDSM_SCHEMA_SAME_DEFINITION));
  g_assert_true (vdsm_schema_type_ref_equal (status1, status2, VDSM_SCHEMA_SAME_KEY));
  g_assert_true (vdsm_schema_type_ref_equal (status1, status2, VDSM_SCHEMA_SAME_STRUCTURE));
  g_assert_true (vdsm_schema_type_equal (status1->type, status2->type));
}

/* The two Vm types share a key but not their properties. */
static void
test_different_definitions (void)
{
  g_autoptr (VdsmSchema) schema = load_both ();
  const VdsmSchemaType *vm1 = file_type (schema, 0, "Vm");
  const VdsmSchemaType *vm2 = file_type (schema, 1, "Vm");
  const VdsmSchemaMethod *m1 = vdsm_schema_lookup_method (schema, "Host.getVms");
  const VdsmSchemaMethod *m2 = vdsm_schema_lookup_method (schema, "Host.getOtherVms");

  g_assert_false (vdsm_schema_type_equal (vm1, vm2));
  g_assert_true (vdsm_schema_type_ref_equal (m1->ret, m2->ret, VDSM_SCHEMA_SAME_KEY));
  g_assert_false (vdsm_schema_type_ref_equal (m1->ret, m2->ret, VDSM_SCHEMA_SAME_STRUCTURE));
  g_assert_false (vdsm_schema_type_ref_equal (m1->ret, m2->ret, VDSM_SCHEMA_SAME_DEFINITION));
}

/* Only sameness by key looks through aliases. */
static void
test_alias (void)
{
  g_autoptr (VdsmSchema) schema = load_both ();
  const VdsmSchemaType *vm = file_type (schema, 0, "Vm");
  const VdsmSchemaTypeRef *alias = property_type (vm, "id");
  const VdsmSchemaTypeRef *plain = property_type (vm, "plain_id");

  g_assert_true (vdsm_schema_type_ref_resolve (alias)->kind == VDSM_SCHEMA_REF_PRIMITIVE);
  g_assert_true (vdsm_schema_type_ref_resolve (plain) == plain);
  g_assert_true (vdsm_schema_type_ref_equal (alias, plain, VDSM_SCHEMA_SAME_KEY));
  g_assert_false (vdsm_schema_type_ref_equal (alias, plain, VDSM_SCHEMA_SAME_DEFINITION));
  g_assert_false (vdsm_schema_type_ref_equal (alias, plain, VDSM_SCHEMA_SAME_STRUCTURE));
}

static void
test_lists_and_null (void)
{
  g_autoptr (VdsmSchema) schema = load_both ();
  const VdsmSchemaType *vm = file_type (schema, 0, "Vm");
  const VdsmSchemaTypeRef *disks = property_type (vm, "disks");
  const VdsmSchemaTypeRef *plain = property_type (vm, "plain_id");

  g_assert_true (vdsm_schema_type_ref_equal (disks, disks, VDSM_SCHEMA_SAME_DEFINITION));
  g_assert_false (vdsm_schema_type_ref_equal (disks, plain, VDSM_SCHEMA_SAME_KEY));
  g_assert_true (vdsm_schema_type_ref_equal (NULL, NULL, VDSM_SCHEMA_SAME_STRUCTURE));
  g_assert_false (vdsm_schema_type_ref_equal (plain, NULL, VDSM_SCHEMA_SAME_STRUCTURE));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/schema/equal/named-types", test_named_types);
  g_test_add_func ("/schema/equal/different-definitions", test_different_definitions);
  g_test_add_func ("/schema/equal/alias", test_alias);
  g_test_add_func ("/schema/equal/lists-and-null", test_lists_and_null);
  return g_test_run ();
}
