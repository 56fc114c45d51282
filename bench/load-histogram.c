/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "load-histogram.h"

#include <string.h>

void
load_histogram_init (LoadHistogram *self)
{
  memset (self, 0, sizeof *self);
  self->min_ns = G_MAXUINT64;
}

static guint
bucket_of (guint64 ns)
{
  guint msb = 63 - __builtin_clzll (ns | 1);
  guint shift;

  if (msb <= LOAD_HISTOGRAM_SUB_BITS)
    return (guint) ns;
  shift = msb - LOAD_HISTOGRAM_SUB_BITS;
  return (shift << LOAD_HISTOGRAM_SUB_BITS) + (guint) (ns >> shift);
}

/* The middle of the bucket: half its width above its lowest value. */
static guint64
bucket_value (guint index)
{
  guint shift;

  if (index < (2u << LOAD_HISTOGRAM_SUB_BITS))
    return index;
  shift = (index >> LOAD_HISTOGRAM_SUB_BITS) - 1;
  return ((guint64) (index - (shift << LOAD_HISTOGRAM_SUB_BITS)) << shift)
         + ((G_GUINT64_CONSTANT (1) << shift) >> 1);
}

void
load_histogram_record (LoadHistogram *self, guint64 ns)
{
  self->counts[bucket_of (ns)]++;
  self->total++;
  self->sum_ns += (gdouble) ns;
  if (ns < self->min_ns)
    self->min_ns = ns;
  if (ns > self->max_ns)
    self->max_ns = ns;
}

/* The smallest recorded value (to bucket precision) that at least
 * @fraction of all samples do not exceed; 0 for an empty histogram. */
guint64
load_histogram_percentile (const LoadHistogram *self, gdouble fraction)
{
  guint64 rank, seen = 0;

  if (self->total == 0)
    return 0;
  rank = (guint64) (fraction * (gdouble) self->total + 0.999999);
  rank = CLAMP (rank, 1, self->total);
  if (rank == self->total)
    return self->max_ns;
  for (guint i = 0; i < LOAD_HISTOGRAM_BUCKETS; i++)
    {
      seen += self->counts[i];
      if (seen >= rank)
        return CLAMP (bucket_value (i), self->min_ns, self->max_ns);
    }
  return self->max_ns;
}

gdouble
load_histogram_mean (const LoadHistogram *self)
{
  return self->total ? self->sum_ns / (gdouble) self->total : 0.0;
}
