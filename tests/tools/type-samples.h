/* type-samples.h: sample JSON values built from a schema, and round trips
 * of them through the generated C of every type (tests only).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "gen-model.h"

#include <gmodule.h>

G_BEGIN_DECLS

/* A JSON text that @type accepts: every property set (optional ones down
 * to a depth, so nested types end), a union as its first member, an enum
 * as its first value, a map with one entry whose key fits the key type. */
char *type_sample_json (const VdsmSchemaType *type);

/* Reads a sample of every type of @model with the generated
 * vdsm_xxx_new_from_json_string (enums: every value through
 * vdsm_xxx_from_json), writes it back and copies it; the JSON must come back
 * unchanged. Functions are looked up in @module by the model's C names.
 * Fails the running test on any difference; returns how many types were
 * checked. */
guint type_samples_round_trip (GenModel *model, GModule *module);

G_END_DECLS
