/* fuzz-schema-load.c: the YAML schema loader (schema/vdsm-yaml.c,
 * vdsm-schema.c, vdsm-schema-build.c) on arbitrary bytes.
 *
 * The input is loaded as an API or events file, leniently and strictly,
 * then a second time into the same schema (the merge of several files).
 * The loader must never crash, and must report failure consistently: FALSE
 * with a VDSM_SCHEMA_ERROR_LOAD error and at least one error diagnostic;
 * strict success implies lenient success. Whatever loaded must be usable:
 * every type, method and event can be looked up, the counts and
 * diagnostics can be formatted, and the validator runs over every type
 * with a few fixed values (so loader-built oddities reach it too).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "fuzz-common.h"
#include "vdsm-schema.h"

#include <string.h>

static const char *const probe_texts[] = {
  "null", "{}", "[]", "0", "-1", "1.5", "\"\"", "\"a\"", "true",
  "{\"a\": [1, {\"b\": null}]}", "[[\"x\"], {}]",
};

static JsonNode *probes[G_N_ELEMENTS (probe_texts)];

static void
setup (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (probe_texts); i++)
    {
      g_autoptr(GError) error = NULL;

      probes[i] = json_from_string (probe_texts[i], &error);
      g_assert_no_error (error);
      json_node_seal (probes[i]);
    }
}

static guint
count_errors (VdsmSchema *schema, guint from)
{
  GPtrArray *diags = vdsm_schema_get_diagnostics (schema);
  guint n = 0;

  for (guint i = from; i < diags->len; i++)
    {
      VdsmSchemaDiagnostic *diag = diags->pdata[i];
      g_autofree char *text = vdsm_schema_diagnostic_format (diag);

      FUZZ_CHECK (text != NULL, "diagnostic not formatted");
      FUZZ_CHECK_UTF8 (text, -1, "diagnostic");
      FUZZ_CHECK (diag->message != NULL, "diagnostic without message");
      if (diag->severity == VDSM_SCHEMA_SEVERITY_ERROR)
        n++;
    }
  return n;
}

static gboolean
load (VdsmSchema *schema, const char *name, const uint8_t *data, size_t size,
      VdsmSchemaLoadFlags flags)
{
  g_autoptr(GError) error = NULL;
  guint before = vdsm_schema_get_diagnostics (schema)->len;
  gboolean ok = vdsm_schema_load_data (schema, name, (const char *) data, size, flags, &error);
  guint errors = count_errors (schema, before);

  FUZZ_CHECK (ok == (error == NULL), "returned %d with error %s", ok,
              error ? error->message : "(none)");
  FUZZ_CHECK (ok || g_error_matches (error, VDSM_SCHEMA_ERROR, VDSM_SCHEMA_ERROR_LOAD),
              "error %s:%d", g_quark_to_string (error->domain), error->code);
  FUZZ_CHECK (ok == (errors == 0), "returned %d with %u error diagnostics", ok, errors);
  return ok;
}

static void
validate_all (const VdsmSchemaTypeRef *ref)
{
  for (guint i = 0; i < G_N_ELEMENTS (probes); i++)
    {
      g_autoptr(GError) error = NULL;
      gboolean ok = vdsm_schema_validate_value (ref, probes[i], "v", &error);

      FUZZ_CHECK (ok == (error == NULL), "validator: returned %d with error %s", ok,
                  error ? error->message : "(none)");
    }
}

static void
use_schema (VdsmSchema *schema)
{
  GPtrArray *types = vdsm_schema_get_types (schema);
  GPtrArray *methods = vdsm_schema_get_methods (schema);
  GPtrArray *events = vdsm_schema_get_events (schema);
  GPtrArray *files = vdsm_schema_get_files (schema);
  g_autoptr(JsonNode) summary = vdsm_schema_get_summary (schema);
  g_autofree char *summary_text = NULL;

  FUZZ_CHECK (summary != NULL, "no summary");
  summary_text = json_to_string (summary, FALSE);
  for (guint i = 0; i < files->len; i++)
    {
      VdsmSchemaFile *file = files->pdata[i];

      if (file->stats)
        g_free (json_to_string (file->stats, FALSE));
    }
  for (guint i = 0; i < types->len; i++)
    {
      VdsmSchemaType *type = types->pdata[i];
      VdsmSchemaTypeRef ref = { .kind = VDSM_SCHEMA_REF_NAMED, .type = type };

      FUZZ_CHECK (vdsm_schema_lookup_type (schema, type->key) != NULL,
                  "type '%s' not found", type->key);
      validate_all (&ref);
    }
  for (guint i = 0; i < methods->len; i++)
    {
      VdsmSchemaMethod *method = methods->pdata[i];

      FUZZ_CHECK (vdsm_schema_lookup_method (schema, method->name) != NULL,
                  "method '%s' not found", method->name);
      for (guint j = 0; j < G_N_ELEMENTS (probes); j++)
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(GError) result_error = NULL;
          g_autoptr(JsonObject) params = vdsm_schema_validate_params (method, probes[j], &error);
          gboolean result_ok = vdsm_schema_validate_result (method, probes[j], &result_error);

          FUZZ_CHECK ((params != NULL) == (error == NULL), "%s: params inconsistent",
                      method->name);
          FUZZ_CHECK (result_ok == (result_error == NULL), "%s: result inconsistent",
                      method->name);
        }
    }
  for (guint i = 0; i < events->len; i++)
    {
      VdsmSchemaEvent *event = events->pdata[i];

      FUZZ_CHECK (vdsm_schema_lookup_event (schema, event->key) != NULL,
                  "event '%s' not found", event->key);
      for (guint j = 0; j < G_N_ELEMENTS (probes); j++)
        {
          g_autoptr(GError) error = NULL;
          gboolean ok = vdsm_schema_validate_event (event, probes[j], &error);

          FUZZ_CHECK (ok == (error == NULL), "%s: event inconsistent", event->key);
        }
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(VdsmSchema) lenient = vdsm_schema_new ();
  g_autoptr(VdsmSchema) strict = vdsm_schema_new ();
  gboolean lenient_ok, strict_ok;

  if (probes[0] == NULL)
    setup ();

  lenient_ok = load (lenient, "fuzz.yml", data, size, VDSM_SCHEMA_LOAD_DEFAULT);
  strict_ok = load (strict, "fuzz.yml", data, size, VDSM_SCHEMA_LOAD_STRICT);
  FUZZ_CHECK (!strict_ok || lenient_ok, "strict load succeeded, lenient failed");
  /* Only loaded schemas are used: callers stop at a failed load. */
  if (strict_ok)
    use_schema (strict);
  /* A second file into the same schema: duplicate methods and events
   * across files are errors, types are per file. */
  if (lenient_ok)
    {
      use_schema (lenient);
      if (load (lenient, "again.yml", data, size, VDSM_SCHEMA_LOAD_DEFAULT))
        use_schema (lenient);
    }
  return 0;
}
