/* emitters.h: one emitter per generated output (api/meson.build lists them).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "gen-fragments.h"
#include "gen-helpers.h"
#include "gen-model.h"

G_BEGIN_DECLS

/* vdsm-types.h (installed), vdsm-types-private.h, vdsm-types.c */
void emit_types (GenModel *model, EmitWriter *header, EmitWriter *private_header,
                 EmitWriter *source);
/* vdsm-rpc-handlers.h, vdsm-rpc-dispatch.h, vdsm-rpc-dispatch.c */
void emit_rpc (GenModel *model, EmitWriter *handlers, EmitWriter *header,
               EmitWriter *source);
/* vdsm-rpc-events.h, vdsm-rpc-events.c */
void emit_events (GenModel *model, EmitWriter *header, EmitWriter *source);
/* vdsm-client-methods.h, vdsm-client-methods.c */
void emit_client (GenModel *model, EmitWriter *header, EmitWriter *source);

/* namespace-<ns>.md per method namespace into @dir (gi-docgen content
 * files), and with @toml_template, @dir/libvdsm.toml listing them. */
gboolean emit_examples (GenModel *model, const char *dir, const char *toml_template,
                        GError **error);

/* The banner every generated file starts with. */
void emit_banner (GenModel *model, EmitWriter *w, const char *what);

typedef void (*EmitItemFunc) (GenHelpers *helpers, EmitWriter *body, gconstpointer item);

/* Writes a generated .c file whose body is @emit_item applied to each of
 * @items in order (see emit_source_file()). */
void emit_source_for_each (GenModel *model, EmitWriter *out, const char *what,
                           const char *includes, GPtrArray *items,
                           EmitItemFunc emit_item);

/* Writes a generated .c file into @out: the banner, @includes, prototypes
 * of the helpers @body used (collected in @helpers), @body, then those
 * helpers' definitions. Clears @helpers and @body. */
void emit_source_file (GenModel *model, EmitWriter *out, const char *what,
                       const char *includes, GenHelpers *helpers,
                       EmitWriter *body);

G_END_DECLS
