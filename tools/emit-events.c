/* emit-events.c: one typed emitter per schema event
 * (vdsm-rpc-events.[ch]): it writes the params object and hands it to
 * vdsm_rpc_server_emit_event(), which adds notify_time and publishes it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "emitters.h"

static char *
event_decl (const GenEvent *event)
{
  g_autofree char *decls = gen_param_decls (event->params, GEN_PARAMS_HANDLER);

  return g_strdup_printf ("void\nvdsm_rpc_emit_%s (VdsmRpcServer *server, const char *unique_id%s)",
                          event->id, decls);
}

static void
emit_header (GenModel *model, EmitWriter *w)
{
  emit_banner (model, w, "typed emitters for the schema's events");
  emit (w, "#pragma once\n\n#include \"vdsm-rpc-server.h\"\n#include \"vdsm-types.h\"\n\n");
  emit (w, "G_BEGIN_DECLS\n\n");
  for (guint i = 0; i < model->events->len; i++)
    {
      const GenEvent *event = g_ptr_array_index (model->events, i);
      g_autofree char *decl = event_decl (event);
      g_autofree char *desc = gen_doc (event->event->description);

      emit (w, "/* %s<unique_id>: %s", event->event->key, desc);
      if (event->no_name != NULL)
        emit (w, " @%s is the params object itself (the no_name convention).",
              event->no_name->c_name);
      emit_prototype (w, " */\n%s;\n\n", decl);
    }
  emit (w, "G_END_DECLS\n");
}

static void
emit_emitter (GenHelpers *h, EmitWriter *w, gconstpointer item)
{
  const GenEvent *event = item;
  g_autofree char *decl = event_decl (event);
  g_autofree char *key = gen_c_literal (event->event->key);
  guint n_members = event->params->len - (event->no_name != NULL ? 1 : 0);

  emit_prototype (w, "%s\n{\n", decl);
  emit_indent (w);
  emit (w, "g_autoptr (GString) params = g_string_new (NULL);\n");
  emit (w, "g_autofree char *event_id = NULL;\n");
  if (n_members > 0)
    emit (w, "gboolean first = TRUE;\n");
  emit (w, "\ng_return_if_fail (server != NULL);\ng_return_if_fail (unique_id != NULL);\n");
  emit (w, "event_id = g_strconcat (%s, unique_id, NULL);\n", key);
  if (event->no_name != NULL)
    {
      g_autofree char *write = gen_write_stmt (h, event->no_name->ref, event->no_name->c_name, "params");

      emit (w, "if (%s != NULL)\n  %s\n", event->no_name->c_name, write);
      /* Anything but an object (a free-form value can be) has no members to
       * send: the params are then empty. */
      emit (w, "if (params->len < 2 || params->str[0] != '{')\n  g_string_assign (params, \"{}\");\n");
      if (n_members > 0)
        emit (w, "g_string_truncate (params, params->len - 1);\nfirst = params->len == 1;\n");
    }
  else
    emit (w, "g_string_append_c (params, '{');\n");
  for (guint i = 0; i < event->params->len; i++)
    {
      const GenParam *param = g_ptr_array_index (event->params, i);

      if (param != event->no_name)
        gen_emit_member_write (h, w, param->member->name, param->ref, param->c_name,
                               param->has_name, "params");
    }
  if (event->no_name == NULL || n_members > 0)
    emit (w, "g_string_append_c (params, '}');\n");
  emit (w, "vdsm_rpc_server_emit_event (server, event_id, params->str);\n");
  emit_dedent (w);
  emit (w, "}\n\n");
}

void
emit_events (GenModel *model, EmitWriter *header, EmitWriter *source)
{
  emit_header (model, header);
  emit_source_for_each (model, source, "typed emitters for the schema's events",
                        "#include \"vdsm-rpc-events.h\"\n#include \"vdsm-types-private.h\"\n", model->events, emit_emitter);
}
