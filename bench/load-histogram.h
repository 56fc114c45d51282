/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Log-linear buckets: 2^LOAD_HISTOGRAM_SUB_BITS per power of two keeps the
 * relative error of a reported percentile under 1 %, for any value up to
 * 2^64 ns, in a fixed 58 KiB per histogram. */
#define LOAD_HISTOGRAM_SUB_BITS 7
#define LOAD_HISTOGRAM_BUCKETS ((65 - LOAD_HISTOGRAM_SUB_BITS) << LOAD_HISTOGRAM_SUB_BITS)

typedef struct
{
  guint64 counts[LOAD_HISTOGRAM_BUCKETS];
  guint64 total;
  guint64 min_ns;
  guint64 max_ns;
  gdouble sum_ns;
} LoadHistogram;

void    load_histogram_init       (LoadHistogram       *self);
void    load_histogram_record     (LoadHistogram       *self,
                                   guint64              ns);
guint64 load_histogram_percentile (const LoadHistogram *self,
                                   gdouble              fraction);
gdouble load_histogram_mean       (const LoadHistogram *self);

G_END_DECLS
