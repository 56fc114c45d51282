/* vdsmd-host-sample.c: the host's cumulative CPU counters at one instant.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "vdsmd-host-sample.h"

#include <string.h>
#include <unistd.h>

#include "vdsmd-host-info.h"

static gboolean
read_node_cpu (virConnectPtr conn, VdsmdCpuSample *sample)
{
  int n = 0;
  g_autofree virNodeCPUStatsPtr params = NULL;

  if (virNodeGetCPUStats (conn, VIR_NODE_CPU_STATS_ALL_CPUS, NULL, &n,
                          0) < 0 || n <= 0)
    return FALSE;
  params = g_new0 (virNodeCPUStats, n);
  if (virNodeGetCPUStats (conn, VIR_NODE_CPU_STATS_ALL_CPUS, params, &n,
                          0) < 0)
    return FALSE;

  for (int i = 0; i < n; i++)
    {
      const char *field = params[i].field;

      if (g_ascii_strcasecmp (field, VIR_NODE_CPU_STATS_USER) == 0)
        sample->user = params[i].value;
      else if (g_ascii_strcasecmp (field, VIR_NODE_CPU_STATS_KERNEL) == 0)
        sample->kernel = params[i].value;
      else if (g_ascii_strcasecmp (field, VIR_NODE_CPU_STATS_IDLE) == 0)
        sample->idle = params[i].value;
      else if (g_ascii_strcasecmp (field, VIR_NODE_CPU_STATS_IOWAIT) == 0)
        sample->iowait = params[i].value;
    }
  return TRUE;
}

void
vdsmd_host_sample_take (virConnectPtr conn, pid_t ksmd_pid,
                        VdsmdHostSample *sample)
{
  VdsmdPidStat st;

  memset (sample, 0, sizeof *sample);
  sample->taken_at = g_get_monotonic_time ();
  sample->have_node = read_node_cpu (conn, &sample->node);
  if (!sample->have_node)
    memset (&sample->node, 0, sizeof sample->node);
  if (vdsmd_pid_stat_read (0, &st))
    {
      sample->self_user = st.utime;
      sample->self_sys = st.stime;
    }
  if (ksmd_pid != 0 && vdsmd_pid_stat_read (ksmd_pid, &st))
    sample->ksmd_ticks = st.utime + st.stime;
  sample->cpus = vdsmd_proc_stat_read ("/proc/stat", &sample->boot_time);
}

void
vdsmd_host_sample_clear (VdsmdHostSample *sample)
{
  g_clear_pointer (&sample->cpus, g_array_unref);
}

double
vdsmd_ticks_percent (guint64 ticks, gint64 interval_us)
{
  long hz = sysconf (_SC_CLK_TCK);

  if (interval_us <= 0 || hz <= 0)
    return 0.0;
  return 100.0 * (double) ticks / (double) hz * G_USEC_PER_SEC /
         (double) interval_us;
}

char *
vdsmd_percent_text (double value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  return g_strdup (g_ascii_formatd (buf, sizeof buf, "%.2f", value));
}
