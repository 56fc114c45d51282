/* vdsm-event-filter.h: event id patterns, as a client subscribes to
 * jms.queue.events with them and as vdsmd applies them
 * (docs/protocol.md §9.1). Internal to libvdsm and vdsmd.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The SUBSCRIBE header that carries the patterns, comma-separated. */
#define VDSM_EVENT_FILTER_HEADER "event-filter"

typedef struct _VdsmEventFilter VdsmEventFilter;

/* Whether @pattern is `RECEIVER|NAMESPACE|NAME|UNIQUE`, each field `*` (any)
 * or a literal without `*` or `,`; `*|virt|VM_status|*` or
 * `|virt|VM_status|*` selects every VM status change. */
gboolean vdsm_event_pattern_check (const char *pattern, GError **error);

/* @patterns (NULL-terminated, at least one); fails with G_IO_ERROR
 * INVALID_ARGUMENT naming the first bad pattern. */
VdsmEventFilter *vdsm_event_filter_new (const char *const *patterns, GError **error);
/* The value of the header: at most @max_patterns patterns (0: any number). */
VdsmEventFilter *vdsm_event_filter_parse (const char *header, guint max_patterns,
                                          GError **error);
void vdsm_event_filter_free (VdsmEventFilter *filter);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VdsmEventFilter, vdsm_event_filter_free)

/* Whether @event_id (`|virt|VM_status|<uuid>`) matches one of the patterns. */
gboolean vdsm_event_filter_matches (const VdsmEventFilter *filter, const char *event_id);
/* The header value for @filter. */
const char *vdsm_event_filter_to_header (const VdsmEventFilter *filter);

G_END_DECLS
