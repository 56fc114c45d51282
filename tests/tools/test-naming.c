/* test-naming.c: the schema-name → C-identifier rules of
 * docs/architecture.md ("Names").
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "naming.h"

typedef struct {
  const char *in;
  const char *out;
} Case;

static void
check_cases (char *(*func) (const char *), const Case *cases, gsize n)
{
  for (gsize i = 0; i < n; i++)
    {
      g_autofree char *got = func (cases[i].in);

      g_test_message ("%s -> %s", cases[i].in, got);
      g_assert_cmpstr (got, ==, cases[i].out);
    }
}

static void
test_snake (void)
{
  static const Case cases[] = {
    { "getVMList", "get_vm_list" },
    { "getAllVmStats", "get_all_vm_stats" },
    { "VmStats", "vm_stats" },
    { "VMFullInfo", "vm_full_info" },
    { "UUID", "uuid" },
    { "Qcow2BitmapInfo", "qcow2_bitmap_info" },
    { "start_backup", "start_backup" },
    { "VM_status", "vm_status" },
    { "host_conn", "host_conn" },
    { "vmUpdateDeviceParams", "vm_update_device_params" },
    { "snap-max-soft-limit", "snap_max_soft_limit" },
    { "Migration Source", "migration_source" },
    { "|virt|VM_status|", "virt_vm_status" },
    { "a - b", "a_b" },
    { "ping", "ping" },
  };

  check_cases (vdsm_naming_snake, cases, G_N_ELEMENTS (cases));
}

static void
test_type_base (void)
{
  static const Case cases[] = {
    { "VmStats", "VmStats" },
    { "VMFullInfo", "VmFullInfo" },
    { "vmUpdateDeviceParams", "VmUpdateDeviceParams" },
    { "geoRepPairInfo", "GeoRepPairInfo" },
    { "UUID", "Uuid" },
    /* Hand-written libvdsm types keep their names. */
    { "Client", "ClientType" },
    { "Error", "ErrorType" },
    { "Json", "JsonType" },
  };

  check_cases (vdsm_naming_type_base, cases, G_N_ELEMENTS (cases));
}

static void
test_enum_value (void)
{
  static const Case cases[] = {
    { "Up", "UP" },
    { "Migration Source", "MIGRATION_SOURCE" },
    { "WaitForLaunch", "WAIT_FOR_LAUNCH" },
    { "virtio-serial", "VIRTIO_SERIAL" },
    { "tpm-tis", "TPM_TIS" },
    { "", "EMPTY" },
    { "-", "DASH" },
    { "0.10", "V0_10" },
    { "1.1", "V1_1" },
    { "0", "V0" },
    { "-1", "MINUS_1" },
    { "auto", "AUTO" },
    { "switch", "SWITCH" },
    { "Active", "ACTIVE" },
    { "active", "ACTIVE" },
    { "in-use", "IN_USE" },
  };

  check_cases (vdsm_naming_enum_value, cases, G_N_ELEMENTS (cases));
}

static void
test_identifier (void)
{
  static const Case cases[] = {
    { "vmID", "vm_id" },
    { "switch", "switch_" },
    { "class", "class_" },
    { "auto", "auto_" },
    { "default", "default_" },
    { "from", "from_" },
    { "activate-on-create", "activate_on_create" },
    { "0day", "v0day" },
    { "type", "type" },
    { "uint", "uint_" },
    { "ulong", "ulong_" },
  };

  check_cases (vdsm_naming_identifier, cases, G_N_ELEMENTS (cases));
  g_assert_true (vdsm_naming_is_keyword ("auto"));
  g_assert_false (vdsm_naming_is_keyword ("status"));
}

static void
test_unique (void)
{
  g_autoptr(GHashTable) used = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *a = vdsm_naming_unique (used, "ACTIVE");
  g_autofree char *b = vdsm_naming_unique (used, "ACTIVE");
  g_autofree char *c = vdsm_naming_unique (used, "ACTIVE");
  g_autofree char *d = vdsm_naming_unique (used, "ACTIVE_2_X");

  g_assert_cmpstr (a, ==, "ACTIVE");
  g_assert_cmpstr (b, ==, "ACTIVE_2");
  g_assert_cmpstr (c, ==, "ACTIVE_3");
  g_assert_cmpstr (d, ==, "ACTIVE_2_X");
  g_assert_cmpuint (g_hash_table_size (used), ==, 4);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/tools/naming/snake", test_snake);
  g_test_add_func ("/tools/naming/type-base", test_type_base);
  g_test_add_func ("/tools/naming/enum-value", test_enum_value);
  g_test_add_func ("/tools/naming/identifier", test_identifier);
  g_test_add_func ("/tools/naming/unique", test_unique);
  return g_test_run ();
}
