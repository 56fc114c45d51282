/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <openssl/ssl.h>
#include <sys/socket.h>

#include "load-histogram.h"

G_BEGIN_DECLS

typedef enum
{
  LOAD_MODE_REQUESTS,   /* keep a window of requests in flight */
  LOAD_MODE_IDLE,       /* CONNECT + SUBSCRIBE, then hold */
  LOAD_MODE_BURST,      /* connect all at once, one request each */
} LoadMode;

typedef struct
{
  LoadMode               mode;
  const struct sockaddr *address;
  socklen_t              address_len;
  SSL_CTX               *tls;            /* NULL: plain */
  guint                  connections;
  guint                  window;
  guint64                total;          /* requests; 0: run for duration */
  gdouble                duration;       /* seconds of sending, measured */
  gdouble                warmup;         /* seconds of sending before that */
  gdouble                hold;           /* idle: seconds held before measuring */
  gdouble                timeout;        /* seconds to connect, and to drain */
  guint                  parallel;       /* connections being set up at once */
  const char            *method;
  const char            *params;         /* JSON text */
  gboolean               compact;        /* the Java client's body form */
  int                    server_pid;     /* 0: do not read /proc */
} LoadConfig;

typedef struct
{
  guint64       sent;
  guint64       replies;        /* replies matched to a request */
  guint64       measured;       /* those to requests sent after warm-up */
  guint64       ok;
  guint64       errors;         /* JSON-RPC errors other than 1100 */
  guint64       refused;        /* error 1100: not enough resources */
  guint64       invalid;        /* replies that matched no request */
  guint64       lost;           /* requests never answered */
  guint64       stomp_errors;   /* ERROR frames and unparsable streams */
  guint         conns_ready;
  guint         conns_failed;   /* closed or refused before CONNECTED */
  guint         conns_dropped;  /* closed by the server after CONNECTED */
  gint64        first_error_code;
  char          first_error[160];
  gdouble       elapsed;        /* see load_engine_run() */
  LoadHistogram latency;
  gboolean      server_measured;
  gboolean      server_peak_reset;   /* server_hwm_kib is this run's peak */
  gdouble       server_cpu;     /* seconds during the measured phase */
  guint64       server_rss_before_kib;
  guint64       server_rss_kib;
  guint64       server_hwm_kib;
} LoadResult;

gboolean load_engine_run (const LoadConfig  *config,
                          LoadResult        *result,
                          GError           **error);

G_END_DECLS
