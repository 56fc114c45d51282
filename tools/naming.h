/* naming.h: how schema names become C identifiers (docs/architecture.md,
 * "Names"). Every function returns a newly allocated string.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* CamelCase → snake_case: split before an upper-case letter that follows a
 * lower-case letter or digit, or that is followed by a lower-case letter;
 * existing '_' are kept; other non-identifier characters become one '_'
 * (none at the ends). getVMList → get_vm_list. */
char *vdsm_naming_snake (const char *name);

/* snake_case words → CamelCase: vm_full_info → VmFullInfo. */
char *vdsm_naming_camel (const char *snake);

/* The C type name of a schema type key without the Vdsm prefix: the key
 * through snake and back to CamelCase, with a "Type" suffix for names that
 * clash with hand-written libvdsm types (Client, Error, Json…). */
char *vdsm_naming_type_base (const char *key);

/* The part of an enum constant after its type prefix, from a key's text:
 * 'Migration Source' → MIGRATION_SOURCE, 'virtio-serial' → VIRTIO_SERIAL,
 * 0.10 → V0_10, -1 → MINUS_1, '' → EMPTY, '-' → DASH. */
char *vdsm_naming_enum_value (const char *text);

/* A C identifier for a field, parameter or argument: snake_case, with '_'
 * appended to C, C++ and Python keywords (switch → switch_). */
char *vdsm_naming_identifier (const char *name);

gboolean vdsm_naming_is_keyword (const char *word);

/* @candidate, or @candidate_2, _3… if @used (a string set) holds it; the
 * result is added to @used. */
char *vdsm_naming_unique (GHashTable *used, const char *candidate);

G_END_DECLS
