/* test-api-types.c: JSON → struct → JSON round trips for every type of
 * libvdsm's own api/vdsm-*.yml. The generator's model names the C functions
 * and a sample value is built from each type's schema, so the test follows
 * the schema as it changes.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "type-samples.h"

static void
test_round_trips (void)
{
  const char *src = g_getenv ("VDSM_SOURCE_ROOT");
  const char *names[] = { "vdsm-api.yml", "vdsm-events.yml" };
  g_autoptr(VdsmSchema) schema = vdsm_schema_new ();
  g_autoptr(GenModel) model = NULL;
  GModule *self = g_module_open (NULL, 0);
  guint checked;

  g_assert_nonnull (self);
  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (src, "api", names[i], NULL);
      g_autoptr(GError) error = NULL;

      g_assert_true (vdsm_schema_load_file (schema, path, VDSM_SCHEMA_LOAD_DEFAULT, &error));
      g_assert_no_error (error);
    }
  model = gen_model_new (schema, TRUE);
  checked = type_samples_round_trip (model, self);
  g_test_message ("%u types round-tripped", checked);
  g_assert_cmpuint (checked, >, 0);
  g_module_close (self);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/tools/api-types/round-trips", test_round_trips);
  return g_test_run ();
}
