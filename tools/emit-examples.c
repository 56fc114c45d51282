/* emit-examples.c: one Markdown page per method namespace for libvdsm's C
 * API reference (gi-docgen content files, `make docs`): the namespace's
 * typed calls, and a C and a Python program calling one of them, with the
 * argument rules of emit-client.c spelled out in real arguments.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "emitters.h"

#include <string.h>

/* Where the examples connect: `make run`'s vdsmd. */
#define EXAMPLE_URI "tcp://127.0.0.1:54321"

typedef struct {
  char *name;            /* "Host" */
  GPtrArray *methods;    /* GenMethod*, schema order */
} Namespace;

static void
namespace_free (gpointer data)
{
  Namespace *ns = data;

  g_free (ns->name);
  g_ptr_array_unref (ns->methods);
  g_free (ns);
}

/* The namespaces in order of first appearance. */
static GPtrArray *
group_namespaces (GenModel *model)
{
  GPtrArray *namespaces = g_ptr_array_new_with_free_func (namespace_free);
  g_autoptr(GHashTable) by_name = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < model->methods->len; i++)
    {
      GenMethod *method = g_ptr_array_index (model->methods, i);
      const char *dot = strchr (method->method->name, '.');
      g_autofree char *name = g_strndup (method->method->name,
                                         dot != NULL ? (gsize) (dot - method->method->name)
                                                     : strlen (method->method->name));
      Namespace *ns = g_hash_table_lookup (by_name, name);

      if (ns == NULL)
        {
          ns = g_new0 (Namespace, 1);
          ns->name = g_steal_pointer (&name);
          ns->methods = g_ptr_array_new ();
          g_ptr_array_add (namespaces, ns);
          g_hash_table_insert (by_name, ns->name, ns);
        }
      g_ptr_array_add (ns->methods, method);
    }
  return namespaces;
}

/* Scalars and strings make a short example; a required container or
 * object needs a value built first. */
static gboolean
is_simple (const GenRef *ref)
{
  return ref->kind != GEN_C_BOXED && ref->kind != GEN_C_PTR_ARRAY
         && ref->kind != GEN_C_ARRAY && ref->kind != GEN_C_NODE;
}

/* The method shown: the fewest required arguments that need building, then
 * the fewest required arguments, then one with a result, then schema order. */
static const GenMethod *
pick_method (const Namespace *ns)
{
  const GenMethod *best = NULL;
  guint best_score = G_MAXUINT;

  for (guint i = 0; i < ns->methods->len; i++)
    {
      const GenMethod *method = g_ptr_array_index (ns->methods, i);
      guint score = method->ret == NULL ? 1 : 0;

      for (guint p = 0; p < method->params->len; p++)
        {
          const GenParam *param = g_ptr_array_index (method->params, p);

          if (!param->optional)
            score += is_simple (param->ref) ? 2 : 100;
        }
      if (score < best_score)
        {
          best = method;
          best_score = score;
        }
    }
  return best;
}

/* "VdsmVmStatus" -> "Vdsm.VmStatus" */
static char *
python_class (const GenType *type)
{
  return g_strconcat ("Vdsm.", type->camel + strlen ("Vdsm"), NULL);
}

/* VDSM_VM_STATUS_UP -> Vdsm.VmStatus.UP */
static char *
python_enum_value (const GenType *type, const char *constant)
{
  g_autofree char *klass = python_class (type);

  return g_strdup_printf ("%s.%s", klass, constant + strlen (type->upper) + 1);
}

/* An argument in both languages, and the C statement that builds it when it
 * is not a literal. */
typedef struct {
  GString *c_args;
  GString *c_setup;
  GString *py_args;
  gboolean py_needs_json;
} Arguments;

static void
add_argument (Arguments *args, const char *c, const char *py)
{
  g_string_append_printf (args->c_args, ", %s", c);
  g_string_append_printf (args->py_args, "%s, ", py);
}

/* A placeholder for a required value, or the neutral value after an unset
 * has_ flag. */
static void
add_placeholder (Arguments *args, const GenParam *param)
{
  const GenRef *ref = param->ref;
  g_autofree char *c = NULL;
  g_autofree char *py = NULL;

  switch (ref->kind)
    {
    case GEN_C_STRING:
      c = g_strdup_printf ("\"<%s>\"", param->member->name);
      py = g_strdup (c);
      break;
    case GEN_C_BOOLEAN:
      c = g_strdup ("FALSE");
      py = g_strdup ("False");
      break;
    case GEN_C_DOUBLE:
      c = g_strdup ("0.0");
      py = g_strdup ("0.0");
      break;
    case GEN_C_ENUM:
      c = g_strdup (g_ptr_array_index (ref->type->consts, 0));
      py = python_enum_value (ref->type, c);
      break;
    case GEN_C_BOXED:
      g_string_append_printf (args->c_setup, "  g_autoptr (%s) %s = %s_new ();\n",
                              ref->type->camel, param->c_name, ref->type->snake);
      c = g_strdup (param->c_name);
      {
        g_autofree char *klass = python_class (ref->type);

        py = g_strdup_printf ("%s.new()", klass);
      }
      break;
    case GEN_C_PTR_ARRAY:
      g_string_append_printf (args->c_setup, "  g_autoptr (GPtrArray) %s = g_ptr_array_new ();\n",
                              param->c_name);
      c = g_strdup (param->c_name);
      py = g_strdup ("[]");
      break;
    case GEN_C_ARRAY:
      g_string_append_printf (args->c_setup,
                              "  g_autoptr (GArray) %s = g_array_new (FALSE, FALSE, sizeof (%s));\n",
                              param->c_name, ref->item->ctype);
      c = g_strdup (param->c_name);
      py = g_strdup ("[]");
      break;
    case GEN_C_NODE:
      g_string_append_printf (args->c_setup,
                              "  g_autoptr (JsonNode) %s = json_from_string (\"{}\", NULL);\n",
                              param->c_name);
      c = g_strdup (param->c_name);
      py = g_strdup ("Json.from_string(\"{}\")");
      args->py_needs_json = TRUE;
      break;
    case GEN_C_INT:
    case GEN_C_UINT:
    default:
      c = g_strdup ("0");
      py = g_strdup ("0");
      break;
    }
  add_argument (args, c, py);
}

/* An optional scalar passed as its schema default: not sent. */
static void
add_default (Arguments *args, const GenParam *param)
{
  JsonNode *value = param->member->default_value;
  g_autofree char *py = NULL;

  if (param->ref->kind == GEN_C_ENUM)
    py = python_enum_value (param->ref->type, param->default_c);
  else if (param->ref->kind == GEN_C_BOOLEAN)
    py = g_strdup (json_node_get_boolean (value) ? "True" : "False");
  else
    py = json_to_string (value, FALSE);
  add_argument (args, param->default_c, py);
}

static void
build_arguments (Arguments *args, const GenMethod *method)
{
  for (guint i = 0; i < method->params->len; i++)
    {
      const GenParam *param = g_ptr_array_index (method->params, i);

      if (gen_param_has_flag (param, GEN_PARAMS_CLIENT))
        {
          add_argument (args, "FALSE", "False");
          add_placeholder (args, param);
        }
      else if (param->optional && gen_ref_is_pointer (param->ref))
        add_argument (args, "NULL", "None");
      else if (param->optional && param->default_c != NULL)
        add_default (args, param);
      else
        add_placeholder (args, param);
    }
}

/* The C statements that show the result. */
static char *
c_print_result (const GenRef *ret)
{
  if (ret == NULL)
    return g_strdup ("  g_print (\"done\\n\");\n");
  switch (ret->kind)
    {
    case GEN_C_BOXED:
      return g_strdup_printf ("  json = %s_to_json_string (result);\n"
                              "  g_print (\"%%s\\n\", json);\n", ret->type->snake);
    case GEN_C_NODE:
      return g_strdup ("  json = json_to_string (result, TRUE);\n"
                       "  g_print (\"%s\\n\", json);\n");
    case GEN_C_PTR_ARRAY:
    case GEN_C_ARRAY:
      return g_strdup ("  g_print (\"%u items\\n\", result->len);\n");
    case GEN_C_STRING:
      return g_strdup ("  g_print (\"%s\\n\", result);\n");
    case GEN_C_BOOLEAN:
      return g_strdup ("  g_print (\"%s\\n\", result ? \"true\" : \"false\");\n");
    case GEN_C_DOUBLE:
      return g_strdup ("  g_print (\"%g\\n\", result);\n");
    case GEN_C_ENUM:
      return g_strdup_printf ("  g_print (\"%%s\\n\", %s_to_string (result));\n",
                              ret->type->snake);
    case GEN_C_UINT:
      return g_strdup ("  g_print (\"%\" G_GUINT64_FORMAT \"\\n\", result);\n");
    case GEN_C_INT:
    default:
      return g_strdup ("  g_print (\"%\" G_GINT64_FORMAT \"\\n\", result);\n");
    }
}

static void
emit_c_example (EmitWriter *w, const GenMethod *method, const Arguments *args)
{
  g_autofree char *result_decl = method->ret != NULL ? gen_ref_auto_decl (method->ret, "result")
                                                     : NULL;
  g_autofree char *print = c_print_result (method->ret);
  gboolean has_json = method->ret != NULL
                      && (method->ret->kind == GEN_C_BOXED || method->ret->kind == GEN_C_NODE);

  emit (w, "```c\n#include <vdsm.h>\n\nint\nmain (void)\n{\n");
  emit (w, "  g_autoptr (GError) error = NULL;\n  g_autoptr (VdsmClient) client = NULL;\n");
  emit (w, "%s", args->c_setup->str);
  if (result_decl != NULL)
    emit (w, "  %s;\n", result_decl);
  if (has_json)
    emit (w, "  g_autofree char *json = NULL;\n");
  emit (w, "\n  client = vdsm_client_new_sync (\"" EXAMPLE_URI "\", NULL, &error);\n");
  emit (w, "  if (client == NULL)\n    g_error (\"%%s\", error->message);\n");
  emit (w, "  %svdsm_client_%s_sync (client%s, NULL, &error);\n",
        result_decl != NULL ? "result = " : "", method->id, args->c_args->str);
  emit (w, "  if (error != NULL)\n    g_error (\"%s: %%s\", error->message);\n",
        method->method->name);
  emit (w, "%s  return 0;\n}\n```\n", print);
}

static char *
python_print_result (const GenRef *ret)
{
  if (ret != NULL && ret->kind == GEN_C_BOXED)
    return g_strdup ("print(result.to_json_string())");
  if (ret != NULL && ret->kind == GEN_C_PTR_ARRAY && ret->item->kind == GEN_C_BOXED)
    return g_strdup ("for item in result:\n    print(item.to_json_string())");
  return g_strdup ("print(result)");
}

static void
emit_python_example (EmitWriter *w, const GenMethod *method, const Arguments *args)
{
  g_autofree char *print = python_print_result (method->ret);

  emit (w, "```python\nimport gi\n\ngi.require_version(\"Vdsm\", \"1.0\")\n");
  if (args->py_needs_json)
    emit (w, "gi.require_version(\"Json\", \"1.0\")\nfrom gi.repository import Json, Vdsm\n");
  else
    emit (w, "from gi.repository import Vdsm\n");
  emit (w, "\nclient = Vdsm.Client.new_sync(\"" EXAMPLE_URI "\", None)\n");
  emit (w, "result = client.%s_sync(%sNone)\n%s\n```\n", method->id, args->py_args->str, print);
}

/* The first sentence of @text, on one line, for a list entry. */
static char *
first_sentence (const char *text)
{
  g_autofree char *flat = g_strdup (text != NULL ? text : "");
  const char *end;

  g_strdelimit (flat, "\n", ' ');
  end = strstr (flat, ". ");
  return end != NULL ? g_strndup (flat, (gsize) (end - flat) + 1) : g_strdup (g_strstrip (flat));
}

static void
emit_page (EmitWriter *w, const Namespace *ns)
{
  const GenMethod *shown = pick_method (ns);
  Arguments args = {
    g_string_new (NULL), g_string_new (NULL), g_string_new (NULL), FALSE,
  };

  emit (w, "Title: The %s namespace\n\n# The %s namespace\n\n", ns->name, ns->name);
  emit (w, "The typed calls of the `%s.*` methods, each an async/finish/sync triple\n"
           "on [class@Vdsm.Client]:\n\n", ns->name);
  for (guint i = 0; i < ns->methods->len; i++)
    {
      const GenMethod *method = g_ptr_array_index (ns->methods, i);
      g_autofree char *summary = first_sentence (method->method->description);

      emit (w, "- [method@Vdsm.Client.%s_sync] (`%s`): %s\n", method->id,
            method->method->name, summary);
    }
  build_arguments (&args, shown);
  emit (w, "\n## Calling `%s` from C\n\n", shown->method->name);
  emit (w, "Build with `cc example.c $(pkg-config --cflags --libs libvdsm-1.0)`.\n\n");
  emit_c_example (w, shown, &args);
  emit (w, "\n## Calling `%s` from Python\n\n", shown->method->name);
  emit (w, "Through GObject introspection; a failed call raises `GLib.Error`.\n\n");
  emit_python_example (w, shown, &args);
  g_string_free (args.c_args, TRUE);
  g_string_free (args.c_setup, TRUE);
  g_string_free (args.py_args, TRUE);
}

/* "Host" -> "namespace-host.md" */
static char *
page_name (const Namespace *ns)
{
  g_autofree char *lower = g_ascii_strdown (ns->name, -1);

  return g_strdup_printf ("namespace-%s.md", lower);
}

/* @toml_template with "@CONTENT_FILES@" replaced by the pages' names as
 * TOML strings separated by commas, and "@VERSION@" by the version. */
static gboolean
write_config (const char *dir, const char *toml_template, GPtrArray *pages, GError **error)
{
  g_autofree char *text = NULL;
  g_autoptr(GString) list = g_string_new (NULL);
  g_autoptr(GString) config = NULL;

  if (!g_file_get_contents (toml_template, &text, NULL, error))
    return FALSE;
  for (guint i = 0; i < pages->len; i++)
    g_string_append_printf (list, "%s\"%s\"", i > 0 ? ", " : "",
                            (char *) g_ptr_array_index (pages, i));
  config = g_string_new (text);
  g_string_replace (config, "@CONTENT_FILES@", list->str, 0);
  g_string_replace (config, "@VERSION@", PACKAGE_VERSION, 0);
  return emit_write_file (dir, "libvdsm.toml", config, error);
}

gboolean
emit_examples (GenModel *model, const char *dir, const char *toml_template, GError **error)
{
  g_autoptr(GPtrArray) namespaces = group_namespaces (model);
  g_autoptr(GPtrArray) pages = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < namespaces->len; i++)
    {
      const Namespace *ns = g_ptr_array_index (namespaces, i);
      g_autofree char *name = page_name (ns);
      EmitWriter w;
      gboolean ok;

      emit_writer_init (&w);
      emit_page (&w, ns);
      ok = emit_write_file (dir, name, w.buf, error);
      emit_writer_clear (&w);
      if (!ok)
        return FALSE;
      g_ptr_array_add (pages, g_steal_pointer (&name));
    }
  return toml_template == NULL || write_config (dir, toml_template, pages, error);
}
