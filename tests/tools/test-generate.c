/* test-generate.c: runs `vdsm-schema generate` on libvdsm's own api/vdsm-*.yml
 * and on VDSM's reference schema, and compiles every generated C file with
 * the project's warning flags; plus the tool's command line.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "vdsm-test-run.h"

static const char *const outputs[] = {
  "vdsm-types.h", "vdsm-types.c", "vdsm-rpc-handlers.h",
  "vdsm-rpc-dispatch.h", "vdsm-rpc-dispatch.c", "vdsm-rpc-events.h",
  "vdsm-rpc-events.c", "vdsm-client-methods.h", "vdsm-client-methods.c",
  "vdsm-types-private.h",
};

static char *
tool_path (void)
{
  return g_build_filename (g_getenv ("VDSM_BUILD_ROOT"), "tools", "vdsm-schema", NULL);
}

/* Run @argv; returns the exit status, output in @out/@err. */
static int
run (const char *const *argv, char **out, char **err)
{
  g_auto (VdsmTestRun) result = { 0 };

  vdsm_test_run (&result, NULL, argv, NULL);
  if (out != NULL)
    *out = g_steal_pointer (&result.out);
  if (err != NULL)
    *err = g_steal_pointer (&result.err);
  return result.status;
}

static int
generate (const char *dir, const char *const *files, char **err)
{
  g_autofree char *tool = tool_path ();
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *out = NULL;

  g_ptr_array_add (argv, tool);
  g_ptr_array_add (argv, (gpointer) "generate");
  g_ptr_array_add (argv, (gpointer) "--quiet");
  g_ptr_array_add (argv, (gpointer) "--output-dir");
  g_ptr_array_add (argv, (gpointer) dir);
  for (const char *const *f = files; *f != NULL; f++)
    g_ptr_array_add (argv, (gpointer) *f);
  g_ptr_array_add (argv, NULL);
  return run ((const char *const *) argv->pdata, &out, err);
}

#define CFLAGS "-std=gnu11 -O1 -Wall -Wextra -Werror -Wno-unused-parameter " \
  "-Wno-missing-field-initializers -DG_LOG_USE_STRUCTURED=1 " \
  "-DGLIB_VERSION_MIN_REQUIRED=GLIB_VERSION_2_74 " \
  "$(pkg-config --cflags gio-2.0 json-glib-1.0)"

static void
run_compiler (const char *what, const char *cmd)
{
  const char *argv[] = { "/bin/sh", "-c", cmd, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  g_test_message ("%s", what);
  status = run (argv, &out, &err);
  if (status != 0)
    g_test_message ("%s", err);
  g_assert_cmpint (status, ==, 0);
}

static void
compile (const char *dir, const char *file)
{
  const char *src = g_getenv ("VDSM_SOURCE_ROOT");
  const char *build = g_getenv ("VDSM_BUILD_ROOT");
  g_autofree char *cmd = g_strdup_printf (
    "%s " CFLAGS " -I'%s' -I'%s/common' -I'%s/common' -I'%s/server' -I'%s/schema' "
    "-I'%s/client' -c '%s/%s' -o '%s/%s.o'",
    TEST_CC, dir, src, build, src, src, src, dir, file, dir, file);
  g_autofree char *what = g_strdup_printf ("compiling %s", file);
  g_autofree char *object = g_strdup_printf ("%s/%s.o", dir, file);

  run_compiler (what, cmd);
  g_remove (object);
}

/* The first line of @text that @pattern matches fails the test. */
static void
assert_no_line (const char *path, const char *text, const char *pattern, const char *what)
{
  g_autoptr (GRegex) bad = g_regex_new (pattern, G_REGEX_MULTILINE, 0, NULL);
  g_autoptr (GMatchInfo) match = NULL;

  if (g_regex_match (bad, text, 0, &match))
    {
      g_autofree char *line = g_match_info_fetch (match, 0);

      g_error ("%s: %s: '%s'", path, what, line);
    }
}

/* Generated text is tidy: gtk-doc tag lines read "Returns: text" or
 * "@name: (annotations): text" (never "Returns::" or "Returns:text"), and
 * no line ends in blanks. */
static void
assert_well_formed (const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  g_assert_no_error (error);
  assert_no_line (path, text, "^ \\* (@\\w+|Returns):(?! ).*$", "malformed doc tag");
  assert_no_line (path, text, "^.*[ \\t]$", "trailing blanks");
}

/* The headers libvdsm installs from the generated code compile alone,
 * beside only the other installed headers, and no public declaration
 * names a private type (common/vdsm-json.h's, all VdsmJson…, even as an
 * opaque forward declaration). */
static const char *const installed_outputs[] = { "vdsm-types.h", "vdsm-client-methods.h" };

/* Copies @from into @dir; returns the copy's path. */
static char *
copy_file (const char *from, const char *dir)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *base = g_path_get_basename (from);
  char *to = g_build_filename (dir, base, NULL);
  g_autofree char *text = NULL;
  gsize length;

  g_assert_true (g_file_get_contents (from, &text, &length, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (to, text, length, &error));
  g_assert_no_error (error);
  return to;
}

static void
compile_installed_headers (const char *dir)
{
  const char *src = g_getenv ("VDSM_SOURCE_ROOT");
  const char *build = g_getenv ("VDSM_BUILD_ROOT");
  g_autofree char *include = g_build_filename (dir, "include", NULL);
  g_autofree char *visibility = g_build_filename (src, "common", "vdsm-visibility.h", NULL);
  g_autofree char *error_h = g_build_filename (src, "common", "vdsm-error.h", NULL);
  g_autofree char *codes = g_build_filename (build, "common", "vdsm-error-codes.h", NULL);
  g_autofree char *client = g_build_filename (src, "client", "vdsm-client.h", NULL);
  const char *installed[] = { visibility, error_h, codes, client };
  g_autoptr(GPtrArray) copies = g_ptr_array_new_with_free_func (g_free);

  g_assert_cmpint (g_mkdir (include, 0700), ==, 0);
  for (gsize i = 0; i < G_N_ELEMENTS (installed); i++)
    g_ptr_array_add (copies, copy_file (installed[i], include));
  for (gsize i = 0; i < G_N_ELEMENTS (installed_outputs); i++)
    {
      g_autofree char *generated = g_build_filename (dir, installed_outputs[i], NULL);
      g_autofree char *cmd = g_strdup_printf ("%s " CFLAGS " -fsyntax-only -I'%s' -include '%s/%s' -x c /dev/null",
                                              TEST_CC, include, include, installed_outputs[i]);
      g_autofree char *what = g_strdup_printf ("%s alone", installed_outputs[i]);

      g_autofree char *text = NULL;

      g_assert_true (g_file_get_contents (generated, &text, NULL, NULL));
      assert_no_line (generated, text, "^.*\\bVdsmJson\\w*.*$", "private type in a public header");
      g_ptr_array_add (copies, copy_file (generated, include));
      run_compiler (what, cmd);
    }
  for (guint i = 0; i < copies->len; i++)
    g_remove (g_ptr_array_index (copies, i));
  g_rmdir (include);
}

static void
remove_outputs (const char *dir)
{
  for (gsize i = 0; i < G_N_ELEMENTS (outputs); i++)
    {
      g_autofree char *path = g_build_filename (dir, outputs[i], NULL);

      g_remove (path);
    }
  g_rmdir (dir);
}

static void
generate_and_compile (const char *const *files)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("vdsm-generate-XXXXXX", &error);
  g_autofree char *err = NULL;
  g_autofree char *err2 = NULL;
  GStatBuf before, after;
  g_autofree char *types_c = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (generate (dir, files, &err), ==, 0);
  for (gsize i = 0; i < G_N_ELEMENTS (outputs); i++)
    {
      g_autofree char *path = g_build_filename (dir, outputs[i], NULL);

      g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
      assert_well_formed (path);
      if (g_str_has_suffix (path, ".c"))
        compile (dir, outputs[i]);
    }
  compile_installed_headers (dir);

  /* Unchanged output is not rewritten, so ninja's restat keeps builds
   * incremental. */
  types_c = g_build_filename (dir, "vdsm-types.c", NULL);
  g_assert_cmpint (g_stat (types_c, &before), ==, 0);
  g_usleep (G_USEC_PER_SEC / 100);
  g_assert_cmpint (generate (dir, files, &err2), ==, 0);
  g_assert_cmpint (g_stat (types_c, &after), ==, 0);
  g_assert_cmpint (before.st_mtime, ==, after.st_mtime);
  g_assert_cmpint (before.st_ino, ==, after.st_ino);
  remove_outputs (dir);
}

static void
test_api (void)
{
  const char *src = g_getenv ("VDSM_SOURCE_ROOT");
  g_autofree char *api = g_build_filename (src, "api", "vdsm-api.yml", NULL);
  g_autofree char *events = g_build_filename (src, "api", "vdsm-events.yml", NULL);
  const char *files[] = { api, events, NULL };

  generate_and_compile (files);
}

static void
test_reference (void)
{
  const char *ref = g_getenv ("VDSM_REFERENCE_SCHEMA_DIR");
  g_autofree char *api = NULL;
  g_autofree char *events = NULL;
  g_autofree char *gluster = NULL;
  const char *files[4] = { NULL };
  int n = 0;

  if (ref == NULL || !g_file_test (ref, G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("reference schema not found (VDSM_REFERENCE_SCHEMA_DIR)");
      return;
    }
  api = g_build_filename (ref, "vdsm-api.yml", NULL);
  events = g_build_filename (ref, "vdsm-events.yml", NULL);
  gluster = g_build_filename (ref, "vdsm-api-gluster.yml", NULL);
  files[n++] = api;
  /* Gluster's types clash with the api's: it exercises per-file prefixes. */
  if (g_file_test (gluster, G_FILE_TEST_EXISTS))
    files[n++] = gluster;
  files[n++] = events;
  generate_and_compile (files);
}

static void
test_command_line (void)
{
  g_autofree char *tool = tool_path ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("vdsm-generate-XXXXXX", &error);
  g_autofree char *bad = g_build_filename (dir, "bad.yml", NULL);

  {
    const char *argv[] = { tool, "--help", NULL };

    g_assert_cmpint (run (argv, &out, &err), ==, 0);
    g_assert_nonnull (strstr (out, "SYNOPSIS"));
    g_assert_nonnull (strstr (out, "generate --output-dir DIR"));
    g_assert_nonnull (strstr (out, "check"));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }
  {
    const char *argv[] = { tool, NULL };

    g_assert_cmpint (run (argv, &out, &err), ==, 2);
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }
  {
    const char *argv[] = { tool, "frobnicate", NULL };

    g_assert_cmpint (run (argv, &out, &err), ==, 2);
    g_assert_nonnull (strstr (err, "unknown command"));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }
  {
    const char *argv[] = { tool, "generate", bad, NULL };

    g_assert_cmpint (run (argv, &out, &err), ==, 2);
    g_assert_nonnull (strstr (err, "--output-dir"));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }
  {
    const char *argv[] = { tool, "generate", "-o", dir, bad, NULL };

    g_assert_true (g_file_set_contents (bad, "types:\n  X: [unclosed\n", -1, NULL));
    g_assert_cmpint (run (argv, &out, &err), ==, 1);
    g_assert_nonnull (strstr (err, "bad.yml:"));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }
  g_remove (bad);
  g_rmdir (dir);
}

/* ---- generate --strict and the C names of enum values ---- */

/* Run `generate --strict` on a schema with the enum State (@values are the
 * lines of its values mapping), the types @extra and one method answering
 * @answer. */
static int
generate_strict_enum (const char *values, const char *extra, const char *answer,
                      char **err)
{
  g_autofree char *tool = tool_path ();
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("vdsm-generate-XXXXXX", &error);
  g_autofree char *yml = g_build_filename (dir, "enum.yml", NULL);
  g_autofree char *text = g_strdup_printf (
    "types:\n"
    "    State: &State\n"
    "        added: '1.0'\n"
    "        description: A state.\n"
    "        name: State\n"
    "        type: enum\n"
    "        values:\n%s\n%s"
    "Host.getState:\n"
    "    added: '1.0'\n"
    "    description: Get it.\n"
    "    return:\n"
    "        description: The state.\n"
    "        type: *%s\n", values, extra, answer);
  const char *argv[] = { tool, "generate", "--strict", "--output-dir", dir, yml, NULL };
  int status;

  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (yml, text, -1, NULL));
  status = run (argv, NULL, err);
  g_remove (yml);
  remove_outputs (dir);
  return status;
}

/* VDSM's wire has enum values that differ only in case (StorageDomainStatus
 * has active and Active): their C names are numbered, which --strict
 * accepts, since the schema cannot change the wire. */
static void
test_strict_case_only_enum_values (void)
{
  g_autofree char *err = NULL;

  g_assert_cmpint (generate_strict_enum ("            active: a\n"
                                         "            Active: b\n", "", "State", &err), ==, 0);
  g_assert_nonnull (strstr (err, "VDSM_STATE_ACTIVE_2"));
}

/* A C name taken by another type is still a fault of the schema. */
static void
test_strict_enum_value_clash (void)
{
  g_autofree char *err = NULL;
  const char *other =
    "    StateUp: &StateUp\n"
    "        added: '1.0'\n"
    "        description: Another.\n"
    "        name: StateUp\n"
    "        type: enum\n"
    "        values:\n"
    "            x: x\n"
    "\n"
    "    Holder: &Holder\n"
    "        added: '1.0'\n"
    "        description: Uses both.\n"
    "        name: Holder\n"
    "        properties:\n"
    "        -   description: one\n"
    "            name: a\n"
    "            type: *State\n"
    "        -   description: two\n"
    "            name: b\n"
    "            type: *StateUp\n"
    "        type: object\n\n";

  g_assert_cmpint (generate_strict_enum ("            up_x: a\n", other, "Holder", &err), ==, 1);
  g_assert_nonnull (strstr (err, "generator warning"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/tools/generate/command-line", test_command_line);
  g_test_add_func ("/tools/generate/api", test_api);
  g_test_add_func ("/tools/generate/reference", test_reference);
  g_test_add_func ("/tools/generate/strict-case-only-enum-values",
                   test_strict_case_only_enum_values);
  g_test_add_func ("/tools/generate/strict-enum-value-clash", test_strict_enum_value_clash);
  return g_test_run ();
}
