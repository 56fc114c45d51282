/* vdsmd-host-sample.h: the host's cumulative CPU counters at one instant;
 * Host.getStats reports usage over the interval between two samples, as
 * VDSM's host sampling does.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include <libvirt/libvirt.h>
#include <sys/types.h>

G_BEGIN_DECLS

/* Cumulative node CPU times in nanoseconds, as virNodeGetCPUStats gives. */
typedef struct {
  guint64 user;
  guint64 kernel;
  guint64 idle;
  guint64 iowait;
} VdsmdCpuSample;

typedef struct {
  gint64 taken_at;          /* g_get_monotonic_time () */
  gboolean have_node;       /* libvirt told the node's CPU times */
  VdsmdCpuSample node;
  guint64 self_user;        /* vdsmd's user time, clock ticks */
  guint64 self_sys;         /* vdsmd's system time, clock ticks */
  guint64 ksmd_ticks;       /* ksmd's user + system time, clock ticks */
  GArray *cpus;             /* VdsmdCpuTicks of each online CPU */
  guint64 boot_time;        /* seconds since the epoch, 0: unknown */
} VdsmdHostSample;

/* Read the counters now; @ksmd_pid 0 when the kernel has no ksmd. Fields
 * a source cannot tell stay 0 (the node's with have_node FALSE). */
void vdsmd_host_sample_take (virConnectPtr conn, pid_t ksmd_pid,
                             VdsmdHostSample *sample);
void vdsmd_host_sample_clear (VdsmdHostSample *sample);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (VdsmdHostSample, vdsmd_host_sample_clear)

/* Percent of one CPU that @ticks clock ticks are over @interval_us. */
double vdsmd_ticks_percent (guint64 ticks, gint64 interval_us);

/* "12.34": @value with two decimals, as VDSM writes its percentages. */
char *vdsmd_percent_text (double value);

G_END_DECLS
