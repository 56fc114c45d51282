/* emitters.h: one emitter per generated output (api/meson.build lists them).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "gen-model.h"

G_BEGIN_DECLS

/* vdsm-types.h, vdsm-types.c */
void emit_types (GenModel *model, EmitWriter *header, EmitWriter *source);
/* vdsm-rpc-handlers.h, vdsm-rpc-dispatch.h, vdsm-rpc-dispatch.c */
void emit_rpc (GenModel *model, EmitWriter *handlers, EmitWriter *header,
               EmitWriter *source);
/* vdsm-rpc-events.h, vdsm-rpc-events.c */
void emit_events (GenModel *model, EmitWriter *header, EmitWriter *source);
/* vdsm-client-methods.h, vdsm-client-methods.c */
void emit_client (GenModel *model, EmitWriter *header, EmitWriter *source);

/* The banner every generated file starts with. */
void emit_banner (GenModel *model, EmitWriter *w, const char *what);

G_END_DECLS
