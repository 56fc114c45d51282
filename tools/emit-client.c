/* emit-client.c: typed client calls (vdsm-client-methods.[ch]), an
 * async/finish/sync triple per method over vdsm_client_call(), documented
 * for GObject introspection.
 *
 * Argument rules (also in docs/architecture.md): required params are plain
 * arguments; an optional scalar with a literal default is a plain argument
 * that is sent only when it differs from the default; an optional scalar
 * without one comes as has_<name> + <name>; optional pointers are nullable
 * and left out when NULL.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "emitters.h"

#include <string.h>

static const char *
ret_failure (const GenMethod *method)
{
  if (method->ret == NULL)
    return "FALSE";
  if (gen_ref_is_pointer (method->ret))
    return "NULL";
  if (method->ret->kind == GEN_C_BOOLEAN)
    return "FALSE";
  if (method->ret->kind == GEN_C_DOUBLE)
    return "0.0";
  return "0";
}

static char *
signature (const GenMethod *method, const char *suffix)
{
  g_autofree char *decls = gen_param_decls (method->params, GEN_PARAMS_CLIENT);
  const char *ret = gen_client_ret_ctype (method);

  if (strcmp (suffix, "") == 0)
    return g_strdup_printf ("void\nvdsm_client_%s (VdsmClient *client%s, GCancellable *cancellable, "
                            "GAsyncReadyCallback callback, gpointer user_data)",
                            method->id, decls);
  if (strcmp (suffix, "_finish") == 0)
    return g_strdup_printf ("%s\nvdsm_client_%s_finish (VdsmClient *client, GAsyncResult *result, GError **error)",
                            ret, method->id);
  return g_strdup_printf ("%s\nvdsm_client_%s_sync (VdsmClient *client%s, GCancellable *cancellable, GError **error)",
                          ret, method->id, decls);
}

static void
emit_header (GenModel *model, EmitWriter *w)
{
  emit_banner (model, w, "typed client calls, one async/finish/sync triple per method");
  emit (w, "#pragma once\n\n#include \"vdsm-client.h\"\n#include \"vdsm-types.h\"\n\n");
  emit (w, "G_BEGIN_DECLS\n\n");
  for (guint i = 0; i < model->methods->len; i++)
    {
      const GenMethod *method = g_ptr_array_index (model->methods, i);
      const char *suffixes[] = { "", "_finish", "_sync" };

      for (gsize s = 0; s < G_N_ELEMENTS (suffixes); s++)
        {
          g_autofree char *sig = signature (method, suffixes[s]);

          emit_public_prototype (w, "%s;\n", sig);
        }
      emit (w, "\n");
    }
  emit (w, "G_END_DECLS\n");
}

static void
emit_param_docs (EmitWriter *w, const GenMethod *method)
{
  for (guint i = 0; i < method->params->len; i++)
    {
      const GenParam *param = g_ptr_array_index (method->params, i);
      g_autofree char *desc = gen_doc (param->member->description);
      g_autofree char *ann = gen_ref_gi_annotation (param->ref);
      const char *nullable = gen_ref_is_pointer (param->ref) && param->optional ? " (nullable)" : "";
      g_autofree char *note = NULL;
      g_autofree char *notes = NULL;
      g_autofree char *tag = NULL;
      g_autofree char *anns = NULL;
      g_autofree char *line = NULL;

      if (gen_param_has_flag (param, GEN_PARAMS_CLIENT))
        emit (w, " * @%s: whether to send @%s\n", param->has_name, param->c_name);
      if (param->optional && param->member->default_kind == VDSM_SCHEMA_DEFAULT_VALUE
          && param->member->default_value != NULL && !JSON_NODE_HOLDS_NULL (param->member->default_value))
        {
          g_autofree char *text = json_to_string (param->member->default_value, FALSE);

          note = g_strdup_printf (" (default: %s%s)", text,
                                  gen_ref_is_pointer (param->ref) ? ", when %NULL"
                                                                  : "; sent only when different");
        }
      else if (param->optional && gen_ref_is_pointer (param->ref))
        note = g_strdup (" (left out when %NULL)");
      notes = gen_member_notes (param->member);
      tag = g_strconcat ("@", param->c_name, NULL);
      anns = g_strconcat (nullable, ann, NULL);
      line = gen_doc_tag (tag, anns, "`%s`%s%s%s%s", param->member->name,
                          *desc != '\0' ? ": " : "", desc, note != NULL ? note : "", notes);
      emit (w, "%s", line);
    }
}

static void
emit_builder (GenHelpers *h, EmitWriter *w, const GenMethod *method)
{
  g_autofree char *decls = gen_param_decls (method->params, GEN_PARAMS_CLIENT);

  /* decls starts with ", " unless empty. */
  /* The params' JSON text, for vdsm_client_call_json(): NULL is `{}`. */
  emit_prototype (w, "static char *\nbuild_%s_params (%s)\n{\n", method->id,
                  *decls != '\0' ? decls + 2 : "void");
  emit_indent (w);
  if (method->params->len == 0)
    {
      emit (w, "return NULL;\n");
      emit_dedent (w);
      emit (w, "}\n\n");
      return;
    }
  emit (w, "g_autoptr (GString) out = g_string_new (\"{\");\ngboolean first = TRUE;\n\n");
  for (guint i = 0; i < method->params->len; i++)
    {
      const GenParam *param = g_ptr_array_index (method->params, i);
      g_autofree char *condition = NULL;

      /* A scalar equal to its default is not sent: the server applies it. */
      if (gen_param_has_flag (param, GEN_PARAMS_CLIENT))
        condition = g_strdup (param->has_name);
      else if (param->optional && param->default_c != NULL)
        condition = g_strdup_printf ("%s != %s", param->c_name, param->default_c);
      gen_emit_member_write (h, w, param->member->name, param->ref, param->c_name, condition,
                             "out");
    }
  emit (w, "g_string_append_c (out, '}');\n");
  emit (w, "return g_string_free (g_steal_pointer (&out), FALSE);\n");
  emit_dedent (w);
  emit (w, "}\n\n");
}

/* Turns the result node into the C result; shared by _finish and _sync.
 * A result that does not match the schema is the server's fault:
 * VDSM_ERROR_INVALID_REPLY, never the caller's -32602. */
static void
emit_result_reader (GenHelpers *h, EmitWriter *w, const GenMethod *method)
{
  g_autofree char *out = gen_decl (gen_client_ret_ctype (method), "*out");
  g_autofree char *read = NULL;
  g_autofree char *name = NULL;

  if (method->ret == NULL)
    return;
  read = gen_read_expr (h, method->ret, "node", "&path", "out", "&local_error");
  name = gen_c_literal (method->method->name);
  emit_prototype (w, "static gboolean\nread_%s_result (JsonNode *node, %s, GError **error)\n{\n", method->id, out);
  emit (w, "  const VdsmJsonPath path = { NULL, \"result\", 0 };\n");
  emit (w, "  GError *local_error = NULL;\n\n");
  emit (w, "  if (%s)\n    return TRUE;\n", read);
  emit (w, "  vdsm_json_propagate_reply_error (error, local_error, %s);\n", name);
  emit (w, "  return FALSE;\n}\n\n");
}

static void
emit_result_return (EmitWriter *w, const GenMethod *method)
{
  g_autofree char *decl = NULL;

  emit (w, "if (local_error != NULL)\n  {\n    g_propagate_error (error, local_error);\n    return %s;\n  }\n",
        ret_failure (method));
  if (method->ret == NULL)
    {
      emit (w, "return TRUE;\n");
      return;
    }
  decl = gen_ref_auto_decl (method->ret, "ret");
  emit (w, "{\n  %s;\n\n", decl);
  emit (w, "  if (!read_%s_result (node, &ret, error))\n    return %s;\n", method->id, ret_failure (method));
  emit (w, "  return %s;\n}\n", gen_ref_is_pointer (method->ret) ? "g_steal_pointer (&ret)" : "ret");
}

static void
emit_method (GenHelpers *h, EmitWriter *w, gconstpointer item)
{
  const GenMethod *method = item;
  const VdsmSchemaMethod *sm = method->method;
  g_autofree char *args = gen_param_args (method->params, GEN_PARAMS_CLIENT);
  g_autofree char *name = gen_c_literal (sm->name);
  g_autofree char *desc = gen_doc (sm->description);
  /* A method without a return answers `true`: the node is owned, not read. */
  const char *unused_node = method->ret == NULL ? "G_GNUC_UNUSED " : "";
  g_autofree char *sig_async = signature (method, "");
  g_autofree char *sig_finish = signature (method, "_finish");
  g_autofree char *sig_sync = signature (method, "_sync");
  g_autofree char *ann = method->ret != NULL ? gen_ref_gi_annotation (method->ret) : g_strdup ("");
  g_autofree char *ret_desc = gen_doc (sm->ret_description);
  g_autofree char *returns = NULL;
  g_autofree char *deprecated = sm->deprecated != NULL
                                ? g_strdup_printf (" Deprecated in VDSM %s.", sm->deprecated)
                                : g_strdup ("");
  g_autofree char *tags = gen_doc_version_tags (sm->added, sm->deprecated);

  if (method->ret == NULL)
    returns = gen_doc_tag ("Returns", NULL, "%%TRUE on success, %%FALSE with @error set");
  else
    {
      /* Containers own their items through free functions: the caller only
       * unrefs them, which GI calls (transfer container). */
      const char *transfer = !gen_ref_is_pointer (method->ret) ? ""
                             : method->ret->kind == GEN_C_PTR_ARRAY
                               || method->ret->kind == GEN_C_ARRAY ? " (transfer container)"
                             : " (transfer full)";
      g_autofree char *returns_ann = g_strconcat (transfer, ann, NULL);

      returns = gen_doc_tag ("Returns", returns_ann, "%s",
                             *ret_desc != '\0' ? ret_desc : "the result");
    }

  emit_builder (h, w, method);
  emit_result_reader (h, w, method);

  emit (w, "/**\n * vdsm_client_%s:\n * @client: a #VdsmClient\n", method->id);
  emit_param_docs (w, method);
  emit (w, " * @cancellable: (nullable): a #GCancellable\n"
           " * @callback: (scope async): called when the call completes\n"
           " * @user_data: (closure): data for @callback\n *\n");
  emit (w, " * Calls `%s`: %s%s Finish with vdsm_client_%s_finish().\n%s */\n",
        sm->name, desc, deprecated, method->id, tags);
  emit_prototype (w, "%s\n{\n", sig_async);
  emit (w, "  g_autofree char *params = build_%s_params (%s);\n\n", method->id,
        *args != '\0' ? args + 2 : "");
  emit (w, "  vdsm_client_call_json (client, %s, params, cancellable, callback, user_data);\n}\n\n", name);

  emit (w, "/**\n * vdsm_client_%s_finish:\n * @client: a #VdsmClient\n"
           " * @result: the #GAsyncResult given to the callback\n"
           " * @error: return location for a #GError\n *\n"
           " * Finishes vdsm_client_%s().\n *\n%s%s */\n",
        method->id, method->id, returns, tags);
  emit_prototype (w, "%s\n{\n", sig_finish);
  emit_indent (w);
  emit (w, "GError *local_error = NULL;\n");
  emit (w, "%sg_autoptr (JsonNode) node = vdsm_client_call_finish (client, result, &local_error);\n\n",
        unused_node);
  emit_result_return (w, method);
  emit_dedent (w);
  emit (w, "}\n\n");

  emit (w, "/**\n * vdsm_client_%s_sync:\n * @client: a #VdsmClient\n", method->id);
  emit_param_docs (w, method);
  emit (w, " * @cancellable: (nullable): a #GCancellable\n"
           " * @error: return location for a #GError\n *\n");
  emit (w, " * Calls `%s` and waits for the answer: %s%s\n *\n%s%s */\n",
        sm->name, desc, deprecated, returns, tags);
  emit_prototype (w, "%s\n{\n", sig_sync);
  emit_indent (w);
  emit (w, "GError *local_error = NULL;\n");
  emit (w, "g_autofree char *params = build_%s_params (%s);\n", method->id,
        *args != '\0' ? args + 2 : "");
  emit (w, "%sg_autoptr (JsonNode) node = vdsm_client_call_json_sync (client, %s, params, cancellable, &local_error);\n\n",
        unused_node, name);
  emit_result_return (w, method);
  emit_dedent (w);
  emit (w, "}\n\n");
}

void
emit_client (GenModel *model, EmitWriter *header, EmitWriter *source)
{
  emit_header (model, header);
  emit_source_for_each (model, source, "typed client calls, one async/finish/sync triple per method",
                        "#include \"vdsm-client-methods.h\"\n#include \"vdsm-client-private.h\"\n#include \"vdsm-types-private.h\"\n", model->methods, emit_method);
}
