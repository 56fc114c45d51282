/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Frames the server sends that the load generator acts on. */
typedef enum
{
  LOAD_STOMP_OTHER,
  LOAD_STOMP_CONNECTED,
  LOAD_STOMP_MESSAGE,
  LOAD_STOMP_ERROR,
} LoadStompCommand;

/* One frame, pointing into the read buffer it was found in. */
typedef struct
{
  LoadStompCommand command;
  const char      *headers;
  gsize            headers_len;
  const char      *body;
  gsize            body_len;
} LoadStompFrame;

typedef enum
{
  LOAD_STOMP_FRAME,
  LOAD_STOMP_NEED_MORE,
  LOAD_STOMP_BAD,
} LoadStompStatus;

LoadStompStatus load_stomp_next (const char     *buf,
                                 gsize           len,
                                 gsize           max_frame,
                                 LoadStompFrame *frame,
                                 gsize          *consumed,
                                 gsize          *need);

G_END_DECLS
