/* vdsm-error-private.h: VDSM's texts of the VDSM_ERROR codes, for the code
 * that writes them (vdsmd) and the generated table (not installed).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "vdsm-error.h"

G_BEGIN_DECLS

typedef struct {
  int code;
  const char *text;
} VdsmErrorText;

/* Every code of common/error-codes.txt with its text, sorted by code
 * (generated: vdsm-error-codes.c). */
extern const VdsmErrorText vdsm_error_texts[];
extern const gsize vdsm_error_n_texts;

/* A message as VDSM writes one (docs/protocol.md §8): the text of @code,
 * then ": ", for the caller to append the details in Python's notation. */
GString *vdsm_error_message_new (VdsmError code);

/* g_set_error() with such a message: the text of @code, ": ", and the
 * details @details_format gives. */
void vdsm_error_set (GError **error, VdsmError code, const char *details_format, ...)
  G_GNUC_PRINTF (3, 4);

G_END_DECLS
