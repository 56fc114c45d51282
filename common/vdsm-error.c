/* vdsm-error.c: the VDSM_ERROR domain and VDSM's fixed error texts (the
 * codes and texts themselves are generated from common/error-codes.txt).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vdsm-error-private.h"

#include <stdlib.h>

G_DEFINE_QUARK (vdsm-error-quark, vdsm_error)

static int
compare_code (const void *key, const void *entry)
{
  int code = *(const int *) key;
  int other = ((const VdsmErrorText *) entry)->code;

  return (code > other) - (code < other);
}

/**
 * vdsm_error_code_message:
 * @code: a VDSM or JSON-RPC error code
 *
 * VDSM's fixed text for @code, as the server puts it in an error's
 * `message` (for most codes, the text before VDSM's details).
 *
 * Returns: (nullable): the text, or %NULL for a code that is not a
 *   #VdsmError (VDSM's storage and gluster ranges among them)
 */
const char *
vdsm_error_code_message (int code)
{
  const VdsmErrorText *found = bsearch (&code, vdsm_error_texts, vdsm_error_n_texts,
                                        sizeof vdsm_error_texts[0], compare_code);

  return found != NULL ? found->text : NULL;
}

GString *
vdsm_error_message_new (VdsmError code)
{
  const char *text = vdsm_error_code_message (code);
  GString *message = g_string_new (text);

  g_return_val_if_fail (text != NULL, message);
  g_string_append (message, ": ");
  return message;
}

void
vdsm_error_set (GError **error, VdsmError code, const char *details_format, ...)
{
  g_autoptr (GString) message = vdsm_error_message_new (code);
  va_list args;

  va_start (args, details_format);
  g_string_append_vprintf (message, details_format, args);
  va_end (args);
  g_set_error_literal (error, VDSM_ERROR, code, message->str);
}
