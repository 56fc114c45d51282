/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  LOAD_REPLY_RESULT,
  LOAD_REPLY_ERROR,
} LoadReplyKind;

/* What the load generator needs from a JSON-RPC response: which request it
 * answers and whether it failed. @id points into the scanned body. */
typedef struct
{
  LoadReplyKind kind;
  const char   *id;
  gsize         id_len;
  gint64        error_code;
} LoadReply;

gboolean load_reply_scan (const char *body,
                          gsize       len,
                          LoadReply  *reply);

G_END_DECLS
