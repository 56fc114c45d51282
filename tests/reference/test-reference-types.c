/* test-reference-types.c: JSON → struct → JSON round trips for every type
 * of a schema built into a libvdsm of this directory.
 *
 * Usage: test-reference-types LIBRARY SCHEMA-FILE…: the files in the order
 * they were given to `vdsm-schema generate`, the library built from that
 * output. The generator's model names the functions looked up in it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "type-samples.h"

static const char *library_path;
static char **schema_files;

static void
test_round_trips (void)
{
  g_autoptr(VdsmSchema) schema = vdsm_schema_new ();
  g_autoptr(GenModel) model = NULL;
  GModule *library = g_module_open (library_path, G_MODULE_BIND_LAZY | G_MODULE_BIND_LOCAL);
  guint checked;

  if (library == NULL)
    g_error ("cannot load %s: %s", library_path, g_module_error ());
  for (char **file = schema_files; *file != NULL; file++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (vdsm_schema_load_file (schema, *file, VDSM_SCHEMA_LOAD_DEFAULT, &error));
      g_assert_no_error (error);
    }
  model = gen_model_new (schema, TRUE);
  checked = type_samples_round_trip (model, library);
  g_test_message ("%u types round-tripped through %s", checked, library_path);
  /* Every type with a C type of its own was checked. */
  g_assert_cmpuint (checked, ==, model->types->len);
  g_assert_cmpuint (checked, >, 0);
  g_module_close (library);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (argc < 3)
    {
      g_printerr ("usage: %s LIBRARY SCHEMA-FILE…\n", argv[0]);
      return 2;
    }
  library_path = argv[1];
  schema_files = argv + 2;
  g_test_add_func ("/reference/types/round-trips", test_round_trips);
  return g_test_run ();
}
