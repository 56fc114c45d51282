/* docs-names.h: where each method, type and event lives in the HTML API
 * reference: page file names and anchors. Shared with tests/docs, which
 * checks that every one of them exists.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "vdsm-schema.h"

G_BEGIN_DECLS

#define DOCS_INDEX_PAGE "index.html"
#define DOCS_TYPES_PAGE "types.html"
#define DOCS_EVENTS_PAGE "events.html"

typedef struct _DocsNames DocsNames;

DocsNames *docs_names_new (VdsmSchema *schema);
void docs_names_free (DocsNames *names);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DocsNames, docs_names_free)

/* "ns-Host.html". Returns: (transfer full) */
char *docs_names_namespace_page (const char *ns);

/* Anchors, unique within their page and safe in URLs: a method's is its
 * name ("Host.getVMList"), an event's "event-virt.VM_status", a type's
 * "type-VmStats", with ".<file>" added for a key that an earlier file
 * defines too ("type-UUID.vdsm-events.yml"). Anonymous (inline) types have
 * none: they are shown where they are used.
 * Returns: (transfer full) */
char *docs_names_method_id (const VdsmSchemaMethod *method);
char *docs_names_event_id (const VdsmSchemaEvent *event);
/* Returns: (transfer none) (nullable) */
const char *docs_names_type_id (DocsNames *names, const VdsmSchemaType *type);

/* "page.html#anchor". Returns: (transfer full) */
char *docs_names_method_href (const VdsmSchemaMethod *method);
char *docs_names_event_href (const VdsmSchemaEvent *event);
/* Returns: (transfer full) (nullable): NULL for an anonymous type */
char *docs_names_type_href (DocsNames *names, const VdsmSchemaType *type);

G_END_DECLS
