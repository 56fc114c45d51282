/* vdsm-client-tool-schema.h: what the vdsm-client tool learns from the
 * embedded schema: namespaces, methods, help texts and how to type the
 * NAME=VALUE arguments.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "vdsm-schema.h"

G_BEGIN_DECLS

/* The API schema compiled into the tool as a GResource, and in @served the
 * set of its methods that vdsmd implements (daemon/served-methods.txt). */
VdsmSchema *tool_schema_load (GHashTable **served, GError **error);

/* Whether some method lives in namespace @ns. */
gboolean tool_schema_has_namespace (VdsmSchema *schema, const char *ns);

/* The namespaces of the methods, sorted (the strings are the schema's). */
GPtrArray *tool_schema_namespaces (VdsmSchema *schema);

/* The methods of @ns, sorted by name (the schema's). */
GPtrArray *tool_schema_methods (VdsmSchema *schema, const char *ns);

/* The events' names NAMESPACE.NAME ("virt.VM_status"), sorted. */
GPtrArray *tool_schema_event_names (VdsmSchema *schema);

/* Whether the glob @pattern matches the name of some event. */
gboolean tool_schema_has_events_matching (VdsmSchema *schema, const char *pattern);

/* "  Host  (49 methods, 6 served by vdsmd)\n…": the namespaces, sorted. */
void tool_schema_list_namespaces (VdsmSchema *schema, GHashTable *served, GString *out);

/* "  getVMList  <first sentence of its description>\n…", sorted; methods
 * not in @served say so. */
void tool_schema_list_methods (VdsmSchema *schema, GHashTable *served, const char *ns,
                               GString *out);

/* "  virt.VM_status  <first sentence of its description>\n…", sorted. */
void tool_schema_list_events (VdsmSchema *schema, GString *out);

/* The parameter @name of @method, or NULL. */
const VdsmSchemaMember *tool_schema_find_param (const VdsmSchemaMethod *method,
                                                const char *name);

/* Every value @param can take when there are few: false and true for a
 * boolean, the values of an enum (the schema's strings); else empty. */
GPtrArray *tool_schema_param_values (const VdsmSchemaMember *param);

/* The description, every parameter (type, required or default, text) and
 * the return type of @method. */
void tool_schema_describe_method (const VdsmSchemaMethod *method, GString *out);

/* The params object for @method: the members of @base (a JSON object from
 * --file, or NULL), overridden by each NAME=VALUE of @assignments. A value
 * for a string-typed parameter (strings, their aliases, enums of strings)
 * is taken as written; any other is parsed as JSON. Unknown names and
 * unparsable values fail with G_OPTION_ERROR_BAD_VALUE. */
JsonNode *tool_schema_build_params (const VdsmSchemaMethod *method, JsonNode *base,
                                    char **assignments, GError **error);

G_END_DECLS
