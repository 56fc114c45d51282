/* host-stats-handlers.c: Host.getStats, the host's figures as VDSM's
 * host sampling reports them (lib/vdsm/host/api.py and stats.py): CPU and
 * memory from libvirt, the rest from /proc and /sys of this machine, and
 * the neutral answers VDSM gives for the subsystems vdsmd does not have
 * (storage, hosted engine, MOM).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <libvirt/libvirt.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "vdsm-rpc-handlers.h"
#include "vdsmd-caps-xml.h"
#include "vdsmd-context.h"
#include "vdsmd-domain.h"
#include "vdsmd-host-info.h"
#include "vdsmd-host-net.h"
#include "vdsmd-host-sample.h"

#define MIB (1024 * 1024)

/* The two samples a call measures between. */
typedef struct {
  VdsmdHostSample now;
  VdsmdHostSample prev;
} Samples;

static void
samples_clear (Samples *s)
{
  vdsmd_host_sample_clear (&s->now);
  vdsmd_host_sample_clear (&s->prev);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Samples, samples_clear)

/* Take a sample and keep it as the start of the next call's interval; the
 * previous one starts this call's (the first is taken at start-up). */
static void
samples_take (VdsmdContext *ctx, Samples *s)
{
  vdsmd_host_sample_take (ctx->conn, ctx->ksmd_pid, &s->now);
  s->prev = s->now;
  if (s->prev.cpus != NULL)
    g_array_ref (s->prev.cpus);
  vdsmd_context_swap_host_sample (ctx, &s->prev);
}

static gint64
interval_us (const Samples *s)
{
  return s->now.taken_at - s->prev.taken_at;
}

/* Node CPU usage over the interval, or since the host booted when there is
 * no earlier reading (or the counters did not move). */
static void
fill_cpu_usage (const Samples *s, VdsmHostStats *stats)
{
  const VdsmdCpuSample *now = &s->now.node, *prev = &s->prev.node;
  VdsmdCpuSample d = *now;
  guint64 total;

  if (s->prev.have_node &&
      now->user >= prev->user && now->kernel >= prev->kernel &&
      now->idle >= prev->idle && now->iowait >= prev->iowait &&
      (now->user - prev->user) + (now->kernel - prev->kernel) +
      (now->idle - prev->idle) + (now->iowait - prev->iowait) > 0)
    {
      d.user = now->user - prev->user;
      d.kernel = now->kernel - prev->kernel;
      d.idle = now->idle - prev->idle;
      d.iowait = now->iowait - prev->iowait;
    }
  total = d.user + d.kernel + d.idle + d.iowait;
  stats->cpu_user = vdsmd_percent_text (total == 0 ? 0.0
                                        : 100.0 * d.user / total);
  stats->cpu_sys = vdsmd_percent_text (total == 0 ? 0.0
                                       : 100.0 * d.kernel / total);
  /* Waiting for I/O is idle time for VDSM. */
  stats->cpu_idle = vdsmd_percent_text (total == 0 ? 0.0
                                        : 100.0 * (d.idle + d.iowait) / total);
}

/* vdsmd's own CPU use and ksmd's, in percent of one CPU over the
 * interval. */
static void
fill_process_usage (const Samples *s, VdsmHostStats *stats)
{
  gint64 us = interval_us (s);

  stats->cpu_user_vdsmd = vdsmd_percent_text (
    vdsmd_ticks_percent (s->now.self_user - s->prev.self_user, us));
  stats->cpu_sys_vdsmd = vdsmd_percent_text (
    vdsmd_ticks_percent (s->now.self_sys - s->prev.self_sys, us));
  /* MOM's ksmd_cpu_usage, a whole percentage. */
  stats->ksm_cpu = (guint64) (vdsmd_ticks_percent (
    s->now.ksmd_ticks - s->prev.ksmd_ticks, us) + 0.5);
}

static const VdsmdCpuTicks *
find_cpu (GArray *cpus, gint64 id)
{
  for (guint i = 0; cpus != NULL && i < cpus->len; i++)
    if (g_array_index (cpus, VdsmdCpuTicks, i).id == id)
      return &g_array_index (cpus, VdsmdCpuTicks, i);
  return NULL;
}

static VdsmCpuCoreStats *
core_stats_new (const VdsmdCpuTicks *now, const VdsmdCpuTicks *prev,
                gint64 node)
{
  VdsmCpuCoreStats *core = vdsm_cpu_core_stats_new ();
  VdsmdCpuTicks d = *now;
  double user, sys;

  if (prev != NULL && now->total > prev->total && now->user >= prev->user &&
      now->sys >= prev->sys)
    {
      d.user = now->user - prev->user;
      d.sys = now->sys - prev->sys;
      d.total = now->total - prev->total;
    }
  user = d.total == 0 ? 0.0 : 100.0 * d.user / d.total;
  sys = d.total == 0 ? 0.0 : 100.0 * d.sys / d.total;
  core->node_index = (guint64) MAX (node, 0);
  core->cpu_user = vdsmd_percent_text (user);
  core->cpu_sys = vdsmd_percent_text (sys);
  core->cpu_idle = vdsmd_percent_text (MAX (0.0, 100.0 - user - sys));
  return core;
}

/* Per CPU of each NUMA cell libvirt reports, as VDSM's
 * _get_cpu_core_stats: a CPU /proc/stat does not list (offline) is left
 * out. */
static VdsmCpuCoreStatsMap *
cpu_statistics_new (const Samples *s, const VdsmdCapsXml *caps)
{
  VdsmCpuCoreStatsMap *map = vdsm_cpu_core_stats_map_new ();
  GHashTable *table = vdsm_cpu_core_stats_map_get_table (map);

  for (guint c = 0; c < caps->cells->len; c++)
    {
      const VdsmdCapsCell *cell = g_ptr_array_index (caps->cells, c);

      for (guint i = 0; i < cell->cpus->len; i++)
        {
          gint64 id = g_array_index (cell->cpus, VdsmdCapsCpu, i).id;
          const VdsmdCpuTicks *now = find_cpu (s->now.cpus, id);

          if (now != NULL)
            g_hash_table_insert (table,
                                 g_strdup_printf ("%" G_GINT64_FORMAT, id),
                                 core_stats_new (now,
                                                 find_cpu (s->prev.cpus, id),
                                                 cell->id));
        }
    }
  return map;
}

/* The node's memory statistics of @cell (or of all cells), in KiB; a
 * figure the driver does not give stays 0. */
typedef struct {
  guint64 total;
  guint64 free;
  guint64 buffers;
  guint64 cached;
} NodeMemory;

static gboolean
node_memory (virConnectPtr conn, int cell, NodeMemory *m)
{
  int n = 0;
  g_autofree virNodeMemoryStatsPtr params = NULL;

  memset (m, 0, sizeof *m);
  if (virNodeGetMemoryStats (conn, cell, NULL, &n, 0) < 0 || n <= 0)
    return FALSE;
  params = g_new0 (virNodeMemoryStats, n);
  if (virNodeGetMemoryStats (conn, cell, params, &n, 0) < 0)
    return FALSE;
  for (int i = 0; i < n; i++)
    if (strcmp (params[i].field, VIR_NODE_MEMORY_STATS_TOTAL) == 0)
      m->total = params[i].value;
    else if (strcmp (params[i].field, VIR_NODE_MEMORY_STATS_FREE) == 0)
      m->free = params[i].value;
    else if (strcmp (params[i].field, VIR_NODE_MEMORY_STATS_BUFFERS) == 0)
      m->buffers = params[i].value;
    else if (strcmp (params[i].field, VIR_NODE_MEMORY_STATS_CACHED) == 0)
      m->cached = params[i].value;
  return TRUE;
}

static VdsmNumaNodeHugePagesStatsMap *
free_pages_new (virConnectPtr conn, const VdsmdCapsCell *cell, int index)
{
  VdsmNumaNodeHugePagesStatsMap *map = vdsm_numa_node_huge_pages_stats_map_new ();
  GHashTable *table = vdsm_numa_node_huge_pages_stats_map_get_table (map);
  guint n = cell->pages->len;
  g_autofree unsigned int *sizes = g_new0 (unsigned int, MAX (n, 1));
  g_autofree unsigned long long *counts = g_new0 (unsigned long long,
                                                  MAX (n, 1));

  for (guint i = 0; i < n; i++)
    sizes[i] = (unsigned int) g_array_index (cell->pages, VdsmdCapsPages,
                                             i).size_kib;
  if (n == 0 || virNodeGetFreePages (conn, n, sizes, index, 1, counts, 0) < 0)
    return map;
  for (guint i = 0; i < n; i++)
    {
      VdsmNumaNodeHugePagesStats *pages = vdsm_numa_node_huge_pages_stats_new ();

      pages->free_pages = counts[i];
      g_hash_table_insert (table, g_strdup_printf ("%u", sizes[i]), pages);
    }
  return map;
}

/* Free memory of each NUMA cell, as VDSM's NumaNodeMemorySample. */
static VdsmNumaNodeMemoryStatsMap *
numa_memory_new (virConnectPtr conn, const VdsmdCapsXml *caps)
{
  VdsmNumaNodeMemoryStatsMap *map = vdsm_numa_node_memory_stats_map_new ();
  GHashTable *table = vdsm_numa_node_memory_stats_map_get_table (map);

  for (guint c = 0; c < caps->cells->len; c++)
    {
      const VdsmdCapsCell *cell = g_ptr_array_index (caps->cells, c);
      /* Like VDSM, a single cell is asked for as the whole host: libvirt
       * built without numactl knows no cell 0. */
      int index = caps->cells->len == 1 ? VIR_NODE_MEMORY_STATS_ALL_CELLS
                                        : (int) cell->id;
      NodeMemory m;
      VdsmNumaNodeMemoryStats *mem;

      if (!node_memory (conn, index, &m))
        continue;
      mem = vdsm_numa_node_memory_stats_new ();
      mem->mem_free = g_strdup_printf ("%" G_GUINT64_FORMAT, m.free / 1024);
      /* A cell without memory counts as all used. */
      mem->mem_percent = m.total == 0 ? 100 : 100 - m.free * 100 / m.total;
      mem->hugepages = free_pages_new (conn, cell, index);
      g_hash_table_insert (table, g_strdup_printf ("%" G_GINT64_FORMAT,
                                                   cell->id), mem);
    }
  return map;
}

/* Free memory in KiB: free + buffers + cached from the node's memory
 * statistics, else libvirt's free-memory count. FALSE when the driver has
 * neither (the test driver without NUMA cells). */
static gboolean
free_memory_kib (VdsmdContext *ctx, guint64 *kib)
{
  NodeMemory m;
  unsigned long long bytes;

  if (node_memory (ctx->conn, VIR_NODE_MEMORY_STATS_ALL_CELLS, &m))
    {
      *kib = m.free + m.buffers + m.cached;
      return TRUE;
    }
  /* libvirt reports 0 as an error here. */
  bytes = virNodeGetFreeMemory (ctx->conn);
  if (bytes == 0)
    return FALSE;
  *kib = bytes / 1024;
  return TRUE;
}

/* VM counts as VDSM's _countVms: active are the VMs that are Up. */
static void
fill_vm_counts (VdsmdContext *ctx, const VdsmdDomainList *doms,
                VdsmHostStats *stats, guint64 *assigned_kib)
{
  stats->vm_count = doms->n;
  for (int i = 0; i < doms->n; i++)
    {
      virDomainInfo info;
      int state, reason;
      const char *status;

      if (virDomainGetState (doms->doms[i], &state, &reason, 0) < 0)
        continue;   /* gone since it was listed */
      status = vdsmd_domain_status_text (state, reason);
      if (strcmp (status, "Up") == 0)
        stats->vm_active++;
      else if (strcmp (status, "Migration Destination") == 0)
        stats->incoming_vm_migrations++;
      else if (strcmp (status, "Migration Source") == 0)
        stats->outgoing_vm_migrations++;
      if (vdsmd_domain_state_is_active (state) &&
          virDomainGetInfo (doms->doms[i], &info) == 0)
        *assigned_kib += info.memory;
    }
  stats->vm_migrating = (gint64) (stats->incoming_vm_migrations +
                                  stats->outgoing_vm_migrations);
}

static gboolean
fill_memory (VdsmdContext *ctx, const VdsmdDomainList *doms,
             VdsmHostStats *stats, GError **error)
{
  virNodeInfo node;
  guint64 free_kib, assigned_kib = 0;
  VdsmdMemInfo meminfo = { 0 };
  VdsmdKsmInfo ksm;

  if (virNodeGetInfo (ctx->conn, &node) < 0)
    {
      vdsmd_set_libvirt_error (error, "to describe the host");
      return FALSE;
    }
  fill_vm_counts (ctx, doms, stats, &assigned_kib);
  /* Without a free-memory figure from libvirt, what the running VMs do not
   * hold is the best account of the host's free memory. */
  if (!free_memory_kib (ctx, &free_kib))
    free_kib = node.memory > assigned_kib ? node.memory - assigned_kib : 0;
  free_kib = MIN (free_kib, (guint64) node.memory);
  stats->mem_free = (gint64) (free_kib / 1024);
  stats->mem_used = g_strdup_printf (
    "%" G_GUINT64_FORMAT,
    node.memory == 0 ? 0 : (node.memory - free_kib) * 100 / node.memory);

  vdsmd_meminfo_read ("/proc/meminfo", &meminfo);
  stats->swap_total = (gint64) (meminfo.swap_total / 1024);
  stats->swap_free = (gint64) (meminfo.swap_free / 1024);
  stats->anon_huge_pages = g_strdup_printf ("%" G_GUINT64_FORMAT,
                                            meminfo.anon_huge_pages / 1024);

  vdsmd_ksm_read ("/sys/kernel/mm/ksm", &ksm);
  stats->ksm_state = ksm.running;
  stats->ksm_pages = (gint64) ksm.pages_to_scan;
  stats->ksm_merge_across_nodes = ksm.merge_across_nodes;
  stats->mem_shared = (gint64) (ksm.pages_sharing *
                                (guint64) sysconf (_SC_PAGESIZE) / MIB);
  return TRUE;
}

static void
fill_kernel_state (VdsmHostStats *stats)
{
  g_autofree char *loadavg = NULL;
  g_autofree char *thp = NULL;
  g_autofree char *mode = NULL;

  /* VDSM answers 0.0 and never when it cannot read them. */
  if (g_file_get_contents ("/proc/loadavg", &loadavg, NULL, NULL))
    stats->cpu_load = vdsmd_loadavg_parse (loadavg);
  if (stats->cpu_load == NULL)
    stats->cpu_load = g_strdup ("0.0");
  if (g_file_get_contents ("/sys/kernel/mm/transparent_hugepage/enabled",
                           &thp, NULL, NULL))
    mode = vdsmd_thp_mode_parse (thp);
  if (mode == NULL || !vdsm_thp_states_from_string (mode, &stats->thp_state))
    stats->thp_state = VDSM_THP_STATES_NEVER;
}

static VdsmHostNetworkInterfaceStats *
link_stats_new (const VdsmdLink *link, double sample_time)
{
  VdsmHostNetworkInterfaceStats *st = vdsm_host_network_interface_stats_new ();

  st->name = g_strdup (link->name);
  st->state = link->oper_up ? VDSM_NETWORK_INTERFACE_STATE_UP
                            : VDSM_NETWORK_INTERFACE_STATE_DOWN;
  /* netstats._normalize_network_stats: an unknown speed is 1000. */
  st->speed = g_strdup_printf ("%" G_GINT64_FORMAT,
                               link->speed > 0 ? link->speed : 1000);
  st->rx = g_strdup_printf ("%" G_GUINT64_FORMAT, link->rx_bytes);
  st->tx = g_strdup_printf ("%" G_GUINT64_FORMAT, link->tx_bytes);
  st->rx_dropped = g_strdup_printf ("%" G_GUINT64_FORMAT, link->rx_dropped);
  st->tx_dropped = g_strdup_printf ("%" G_GUINT64_FORMAT, link->tx_dropped);
  st->rx_errors = g_strdup_printf ("%" G_GUINT64_FORMAT, link->rx_errors);
  st->tx_errors = g_strdup_printf ("%" G_GUINT64_FORMAT, link->tx_errors);
  st->sample_time = sample_time;
  return st;
}

/* Every network device's counters and the totals of dropped packets. */
static void
fill_network (VdsmHostStats *stats)
{
  g_autoptr(GPtrArray) links = vdsmd_links_read ("/sys/class/net");
  double sample_time = (double) g_get_real_time () / G_USEC_PER_SEC;
  GHashTable *table;
  guint64 rx_dropped = 0, tx_dropped = 0;

  stats->network = vdsm_host_network_interface_stats_map_new ();
  table = vdsm_host_network_interface_stats_map_get_table (stats->network);
  for (guint i = 0; i < links->len; i++)
    {
      const VdsmdLink *link = g_ptr_array_index (links, i);

      rx_dropped += link->rx_dropped;
      tx_dropped += link->tx_dropped;
      g_hash_table_insert (table, g_strdup (link->name),
                           link_stats_new (link, sample_time));
    }
  stats->rx_dropped = g_strdup_printf ("%" G_GUINT64_FORMAT, rx_dropped);
  stats->tx_dropped = g_strdup_printf ("%" G_GUINT64_FORMAT, tx_dropped);
}

/* Free space, in MiB, of the file systems VDSM watches (HostSample's
 * MONITORED_PATHS, but for VDSM's run directory, which vdsmd does not
 * use); a path that cannot be measured is left out. */
static VdsmPathStatsMap *
disk_stats_new (void)
{
  static const char *const paths[] = { "/tmp", "/var/log" };
  VdsmPathStatsMap *map = vdsm_path_stats_map_new ();
  GHashTable *table = vdsm_path_stats_map_get_table (map);

  for (gsize i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      struct statvfs st;
      VdsmPathStats *path;

      if (statvfs (paths[i], &st) < 0)
        continue;
      path = vdsm_path_stats_new ();
      path->free = g_strdup_printf ("%" G_GUINT64_FORMAT,
                                    (guint64) st.f_bavail * st.f_bsize / MIB);
      g_hash_table_insert (table, g_strdup (paths[i]), path);
    }
  return map;
}

/* What VDSM sends for the subsystems vdsmd does not have: no storage
 * domains (no storage connected), hosted engine not configured
 * (host.api._getHaInfo without its client), MOM not running, no network
 * configuration of its own to persist. */
static void
fill_absent_subsystems (VdsmHostStats *stats)
{
  stats->storage_domains = vdsm_storage_domain_vitals_map_new ();
  stats->ha_stats = vdsm_hosted_engine_status_new ();
  stats->mom_status = VDSM_MOM_STATUS_INACTIVE;
  stats->net_config_dirty = g_strdup ("False");
}

VdsmHostStats *
vdsmd_host_get_stats (VdsmRpcCall *call, GError **error)
{
  VdsmdContext *ctx = call->user_data;
  g_autoptr(VdsmHostStats) stats = vdsm_host_stats_new ();
  g_auto(VdsmdDomainList) doms = { NULL, 0 };
  g_autoptr(VdsmdCapsXml) caps = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_auto(Samples) samples = { { 0 }, { 0 } };

  caps = vdsmd_caps_xml_read (ctx->conn, error);
  if (caps == NULL || !vdsmd_domain_list_all (ctx->conn, &doms, error) ||
      !fill_memory (ctx, &doms, stats, error))
    return NULL;

  samples_take (ctx, &samples);
  fill_cpu_usage (&samples, stats);
  fill_process_usage (&samples, stats);
  stats->cpu_statistics = cpu_statistics_new (&samples, caps);
  stats->numa_node_mem_free = numa_memory_new (ctx->conn, caps);
  if (samples.now.boot_time != 0)
    stats->boot_time = g_strdup_printf ("%" G_GUINT64_FORMAT,
                                        samples.now.boot_time);
  fill_kernel_state (stats);
  fill_network (stats);
  stats->disk_stats = disk_stats_new ();
  fill_absent_subsystems (stats);

  stats->elapsed_time = g_strdup_printf (
    "%" G_GINT64_FORMAT,
    (g_get_monotonic_time () - ctx->start_time) / G_USEC_PER_SEC);
  stats->date_time = g_date_time_format (now, "%Y-%m-%dT%H:%M:%S GMT");
  return g_steal_pointer (&stats);
}
