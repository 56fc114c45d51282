/* emit-rpc.c: the daemon's side of every method: the typed handler
 * prototypes (vdsm-rpc-handlers.h) and the method table whose invoke
 * functions unmarshal params, call the handler and write its result
 * (vdsm-rpc-dispatch.[ch]).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "emitters.h"

static const char *
handler_ret_ctype (const GenMethod *method)
{
  return method->ret != NULL ? method->ret->ctype : "gboolean";
}

static void
emit_handlers (GenModel *model, EmitWriter *w)
{
  emit_banner (model, w, "the typed handlers the daemon implements, one per method");
  emit (w, "#pragma once\n\n#include \"vdsm-rpc-server.h\"\n#include \"vdsm-types.h\"\n\n");
  emit (w, "G_BEGIN_DECLS\n\n");
  emit (w, "/* Each handler reports failure by setting @error (VDSM_ERROR codes go on\n"
           " * the wire as they are); arguments are borrowed, the result is owned by\n"
           " * the caller. Optional scalars come with a has_ flag and hold their\n"
           " * schema default when unset; pointers without a default are NULL when\n"
           " * absent. */\n\n");
  for (guint i = 0; i < model->methods->len; i++)
    {
      const GenMethod *method = g_ptr_array_index (model->methods, i);
      g_autofree char *decls = NULL;
      g_autofree char *desc = NULL;
      g_autofree char *ret = NULL;

      if (!method->served)
        continue;
      decls = gen_param_decls (method->params, GEN_PARAMS_HANDLER);
      desc = gen_doc (method->method->description);
      ret = gen_decl (handler_ret_ctype (method), "");
      emit (w, "/* %s: %s */\n", method->method->name, desc);
      emit_prototype (w, "%svdsmd_%s (VdsmRpcCall *call%s, GError **error);\n\n", ret, method->id, decls);
    }
  emit (w, "G_END_DECLS\n");
}

static void
emit_dispatch_header (GenModel *model, EmitWriter *w)
{
  emit_banner (model, w, "the daemon's method table");
  emit (w, "#pragma once\n\n#include \"vdsm-rpc-server.h\"\n\n");
  emit (w, "G_BEGIN_DECLS\n\n");
  emit (w, "/* One entry per schema method, in schema order; the array also ends\n"
           " * with a NULL entry that vdsm_rpc_n_methods does not count. A method\n"
           " * the daemon does not serve has no invoke function. */\n");
  emit (w, "extern const VdsmRpcMethod vdsm_rpc_methods[];\n");
  emit (w, "extern const gsize vdsm_rpc_n_methods;\n\n");
  emit (w, "G_END_DECLS\n");
}

/* The params come validated (VdsmRpcInvokeFunc): a reader that refuses
 * them disagrees with the validator, which is reported as such. */
#define UNREADABLE "return vdsm_json_params_unreadable (error);"

static void
emit_param_read (GenHelpers *h, EmitWriter *w, const GenParam *param)
{
  g_autofree char *name = gen_c_literal (param->member->name);
  g_autofree char *target = g_strdup_printf ("&%s", param->c_name);

  emit (w, "node = params != NULL ? json_object_get_member (params, %s) : NULL;\n", name);
  gen_emit_member_read (h, w, UNREADABLE, name, param->ref, "node", "&root", target,
                        param->has_name);
  if (!param->optional)
    {
      emit (w, "else\n  {\n    const VdsmJsonPath path = { &root, %s, 0 };\n\n", name);
      emit (w, "    vdsm_json_set_error (error, &path, \"missing required parameter\");\n");
      emit (w, "    " UNREADABLE "\n  }\n");
    }
  else if (gen_ref_is_pointer (param->ref) && param->default_c != NULL)
    emit (w, "else\n  %s = %s;\n", param->c_name, param->default_c);
}

static void
emit_invoke (GenHelpers *h, EmitWriter *w, const GenMethod *method)
{
  g_autofree char *args = gen_param_args (method->params, GEN_PARAMS_HANDLER);

  emit_prototype (w, "static gboolean\ninvoke_%s (VdsmRpcCall *call, JsonObject *params, GString *result, GError **error)\n{\n",
                  method->id);
  emit_indent (w);
  if (method->params->len > 0)
    emit (w, "const VdsmJsonPath root = { NULL, \"params\", 0 };\nJsonNode *node;\n");
  for (guint i = 0; i < method->params->len; i++)
    {
      const GenParam *param = g_ptr_array_index (method->params, i);

      if (param->has_name != NULL)
        emit (w, "gboolean %s = FALSE;\n", param->has_name);
      if (!gen_ref_is_pointer (param->ref) && param->default_c != NULL)
        {
          g_autofree char *decl = gen_decl (param->ref->ctype, param->c_name);

          emit (w, "%s = %s;\n", decl, param->default_c);
        }
      else
        {
          g_autofree char *decl = gen_ref_auto_decl (param->ref, param->c_name);

          emit (w, "%s;\n", decl);
        }
    }
  if (method->ret != NULL)
    {
      g_autofree char *decl = gen_ref_auto_decl (method->ret, "ret");

      emit (w, "%s;\n", decl);
    }
  emit (w, "GError *local_error = NULL;\n\n");
  for (guint i = 0; i < method->params->len; i++)
    emit_param_read (h, w, g_ptr_array_index (method->params, i));

  emit (w, "%svdsmd_%s (call%s, &local_error);\n", method->ret != NULL ? "ret = " : "",
        method->id, args);
  emit (w, "if (local_error != NULL)\n  {\n    g_propagate_error (error, local_error);\n    return FALSE;\n  }\n");
  if (method->ret != NULL)
    {
      g_autofree char *write = gen_write_stmt (h, method->ret, "ret", "result");

      emit (w, "%s\n", write);
    }
  else
    emit (w, "g_string_append (result, \"true\");\n");
  emit (w, "return TRUE;\n");
  emit_dedent (w);
  emit (w, "}\n\n");
}

static void
emit_dispatch_source (GenModel *model, EmitWriter *out)
{
  GenHelpers h;
  EmitWriter body;

  gen_helpers_init (&h, model);
  emit_writer_init (&body);
  for (guint i = 0; i < model->methods->len; i++)
    {
      const GenMethod *method = g_ptr_array_index (model->methods, i);

      if (method->served)
        emit_invoke (&h, &body, method);
    }

  emit (&body, "const VdsmRpcMethod vdsm_rpc_methods[] = {\n");
  for (guint i = 0; i < model->methods->len; i++)
    {
      const GenMethod *method = g_ptr_array_index (model->methods, i);
      g_autofree char *name = gen_c_literal (method->method->name);
      g_autofree char *invoke = method->served ? g_strconcat ("invoke_", method->id, NULL)
                                               : g_strdup ("NULL");

      emit (&body, "  { %s, %s, %s },\n", name, invoke,
            method->method->run_inline ? "VDSM_RPC_METHOD_INLINE" : "0");
    }
  emit (&body, "  { NULL, NULL, 0 }\n};\n\n");
  emit (&body, "const gsize vdsm_rpc_n_methods = G_N_ELEMENTS (vdsm_rpc_methods) - 1;\n\n");

  emit_source_file (model, out, "the daemon's method table",
                    "#include \"vdsm-rpc-dispatch.h\"\n#include \"vdsm-rpc-handlers.h\"\n"
                    "#include \"vdsm-types-private.h\"\n", &h, &body);
}

void
emit_rpc (GenModel *model, EmitWriter *handlers, EmitWriter *header,
          EmitWriter *source)
{
  emit_handlers (model, handlers);
  emit_dispatch_header (model, header);
  emit_dispatch_source (model, source);
}
