/* vdsmd-status.c: VDSM records (generated types) describing one domain.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "vdsmd-status.h"

#include <string.h>

#include "vdsmd-domain.h"
#include "vdsmd-host-info.h"

VdsmVmStatus
vdsmd_vm_status (int state, int reason)
{
  VdsmVmStatus status = VDSM_VM_STATUS_DOWN;

  /* Every text vdsmd_domain_status_text() returns is a VmStatus value. */
  if (!vdsm_vm_status_from_string (vdsmd_domain_status_text (state, reason),
                                   &status))
    g_assert_not_reached ();
  return status;
}

VdsmStatusDetails *
vdsmd_status_details_new (const char *vm_id, int state, int reason)
{
  VdsmStatusDetails *d = vdsm_status_details_new ();

  d->status = vdsmd_vm_status (state, reason);
  if (!vdsmd_domain_state_is_active (state))
    {
      VdsmdExitInfo exit = vdsmd_domain_exit_info (state, reason);

      d->vm_id = g_strdup (vm_id);
      d->has_exit_code = TRUE;
      d->exit_code = exit.code;
      d->has_exit_reason = TRUE;
      d->exit_reason = exit.reason;
      d->exit_message = g_strdup (exit.message);
    }
  else if (state == VIR_DOMAIN_PAUSED)
    d->pause_code = g_strdup (vdsmd_domain_pause_code (state, reason));
  return d;
}

static VdsmVmStats *
exited_stats_new (const char *vm_id, int state, int reason)
{
  VdsmVmStats *stats = vdsm_vm_stats_new ();
  VdsmExitedVmStats *e = vdsm_exited_vm_stats_new ();
  VdsmdExitInfo exit = vdsmd_domain_exit_info (state, reason);

  e->vm_id = g_strdup (vm_id);
  e->status = vdsmd_vm_status (state, reason);
  e->exit_code = exit.code;
  e->exit_reason = exit.reason;
  e->exit_message = g_strdup (exit.message);
  stats->kind = VDSM_VM_STATS_KIND_EXITED_VM_STATS;
  stats->exited_vm_stats = e;
  return stats;
}

/* Decimal text of @value: g_strdup_printf() would cost more than the rest
 * of a record when a large host's records are written. */
static char *
uint_text (guint64 value)
{
  char buf[24];
  char *p = buf + sizeof buf;

  *--p = '\0';
  do
    *--p = (char) ('0' + value % 10);
  while ((value /= 10) != 0);
  return g_strdup (p);
}

/* VDSM's event_time(): monotonic milliseconds, offset by 2^31 - 1 because
 * older Engines failed to parse smaller numbers (lib/vdsm/common/time.py). */
static char *
status_time_text (void)
{
  return uint_text ((guint64) G_MAXINT32 +
                    (guint64) (g_get_monotonic_time () / 1000));
}

static char *
two_decimals (double value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  return g_strdup (g_ascii_formatd (buf, sizeof buf, "%.2f", value));
}

/* Percent of one CPU that @ns nanoseconds are over @interval_us. */
static double
cpu_percent (guint64 ns, gint64 interval_us)
{
  return 100.0 * (double) ns / ((double) interval_us * 1000.0);
}

/* vmstats.cpu: usage over the interval since the previous sample, when
 * both have the user/system split and the counters did not restart. */
static void
fill_cpu (VdsmRunningVmStats *r, const VdsmdDomainCounters *now,
          const VdsmdDomainCounters *prev)
{
  gint64 interval = prev != NULL ? now->taken_at - prev->taken_at : 0;

  r->cpu_usage = uint_text (now->has_cpu_split
                            ? now->cpu_user + now->cpu_system
                            : now->cpu_time);
  if (prev != NULL && interval > 0 && now->has_cpu_split &&
      prev->has_cpu_split && now->cpu_user >= prev->cpu_user &&
      now->cpu_system >= prev->cpu_system && now->cpu_time >= prev->cpu_time)
    {
      guint64 sys = (now->cpu_user - prev->cpu_user) +
                    (now->cpu_system - prev->cpu_system);
      guint64 all = now->cpu_time - prev->cpu_time;

      r->cpu_sys = two_decimals (cpu_percent (sys, interval));
      /* The user/system split is coarser than cpu.time: never below 0. */
      r->cpu_user = two_decimals (all > sys ? cpu_percent (all - sys, interval)
                                            : 0.0);
      r->cpu_actual = TRUE;
      return;
    }
  r->cpu_sys = two_decimals (0.0);
  r->cpu_user = two_decimals (0.0);
  r->cpu_actual = FALSE;
}

/* vmstats.nic_info: the speed VDSM assumes for the model. */
static const char *
nic_speed (const char *model)
{
  return g_strcmp0 (model, "e1000") == 0 || g_strcmp0 (model, "e1000e") == 0 ||
         g_strcmp0 (model, "virtio") == 0 ? "1000" : "100";
}

/* vmstats.networks: the interfaces with a host-side device whose counters
 * libvirt gave. */
static VdsmNetworkInterfaceStatsMap *
network_new (const VdsmdDomainStats *s, const VdsmdDomainXml *xml)
{
  VdsmNetworkInterfaceStatsMap *map = vdsm_network_interface_stats_map_new ();
  GHashTable *table = vdsm_network_interface_stats_map_get_table (map);
  double sample_time = (double) s->counters.taken_at / G_USEC_PER_SEC;

  for (guint i = 0; i < s->nets->len; i++)
    {
      const VdsmdNetStats *n = &g_array_index (s->nets, VdsmdNetStats, i);
      const VdsmdDomainNic *nic = NULL;
      VdsmNetworkInterfaceStats *st;

      if (vdsmd_net_stats_complete (n))
        nic = vdsmd_domain_xml_find_nic (xml, n->name);
      if (nic == NULL || nic->hostdev)
        continue;
      st = vdsm_network_interface_stats_new ();
      st->name = g_strdup (n->name);
      st->mac_addr = g_strdup (nic->mac);
      st->speed = g_strdup (nic_speed (nic->model));
      /* VDSM does not read the link state of a VM's interface. */
      st->state = VDSM_NETWORK_INTERFACE_STATE_UNKNOWN;
      st->rx = uint_text (n->rx_bytes);
      st->rx_errors = uint_text (n->rx_errs);
      st->rx_dropped = uint_text (n->rx_drop);
      st->tx = uint_text (n->tx_bytes);
      st->tx_errors = uint_text (n->tx_errs);
      st->tx_dropped = uint_text (n->tx_drop);
      st->sample_time = sample_time;
      g_hash_table_insert (table, g_strdup (n->name), st);
    }
  if (g_hash_table_size (table) > 0)
    return map;
  vdsm_network_interface_stats_map_free (map);
  return NULL;
}

static const VdsmdBlockStats *
find_block (const VdsmdDomainCounters *c, const char *name)
{
  for (guint i = 0; c != NULL && i < c->blocks->len; i++)
    {
      const VdsmdBlockStats *b = &g_array_index (c->blocks, VdsmdBlockStats, i);

      if (g_strcmp0 (b->name, name) == 0 && vdsmd_block_stats_complete (b))
        return b;
    }
  return NULL;
}

/* vmstats._disk_latency: the mean time of the requests of the interval. */
static char *
latency_text (guint64 times_now, guint64 times_prev, guint64 reqs_now,
              guint64 reqs_prev)
{
  if (reqs_now <= reqs_prev || times_now < times_prev)
    return g_strdup ("0");
  return two_decimals ((double) (times_now - times_prev) /
                       (double) (reqs_now - reqs_prev));
}

static char *
rate_text (guint64 now, guint64 prev, gint64 interval_us)
{
  return two_decimals (now >= prev ? (double) (now - prev) * G_USEC_PER_SEC /
                                     (double) interval_us
                                   : 0.0);
}

/* vmstats.disks: a disk's counters, and its rates and latencies over the
 * interval when the previous sample has it too (VDSM's disk_info gives
 * 0.0 and 0 until then). */
static VdsmVmDiskStats *
disk_stats_new (const VdsmdBlockStats *b, const VdsmdBlockStats *prev,
                gint64 interval_us)
{
  VdsmVmDiskStats *d = vdsm_vm_disk_stats_new ();

  d->truesize = uint_text (b->allocation);
  d->apparentsize = uint_text (b->physical);
  d->read_ops = uint_text (b->rd_reqs);
  d->write_ops = uint_text (b->wr_reqs);
  d->read_bytes = uint_text (b->rd_bytes);
  d->written_bytes = uint_text (b->wr_bytes);
  if (prev != NULL && interval_us > 0)
    {
      d->read_rate = rate_text (b->rd_bytes, prev->rd_bytes, interval_us);
      d->write_rate = rate_text (b->wr_bytes, prev->wr_bytes, interval_us);
      d->read_latency = latency_text (b->rd_times, prev->rd_times,
                                      b->rd_reqs, prev->rd_reqs);
      d->write_latency = latency_text (b->wr_times, prev->wr_times,
                                       b->wr_reqs, prev->wr_reqs);
      d->flush_latency = latency_text (b->fl_times, prev->fl_times,
                                       b->fl_reqs, prev->fl_reqs);
    }
  else
    {
      d->read_rate = g_strdup ("0.0");
      d->write_rate = g_strdup ("0.0");
      d->read_latency = g_strdup ("0");
      d->write_latency = g_strdup ("0");
      d->flush_latency = g_strdup ("0");
    }
  return d;
}

static VdsmVmDiskStatsMap *
disks_new (const VdsmdDomainCounters *now, const VdsmdDomainCounters *prev)
{
  VdsmVmDiskStatsMap *map = vdsm_vm_disk_stats_map_new ();
  GHashTable *table = vdsm_vm_disk_stats_map_get_table (map);
  gint64 interval = prev != NULL ? now->taken_at - prev->taken_at : 0;

  for (guint i = 0; i < now->blocks->len; i++)
    {
      const VdsmdBlockStats *b = &g_array_index (now->blocks, VdsmdBlockStats,
                                                 i);

      if (vdsmd_block_stats_complete (b))
        g_hash_table_insert (table, g_strdup (b->name),
                             disk_stats_new (b, find_block (prev, b->name),
                                             interval));
    }
  if (g_hash_table_size (table) > 0)
    return map;
  vdsm_vm_disk_stats_map_free (map);
  return NULL;
}

/* Vm._getGuestStats without a guest agent, but for memory: the balloon's
 * figures, as VDSM computes them when the agent gives none. */
static char *
mem_usage_text (const VdsmdDomainStats *s)
{
  double free_part;

  if (!s->has_balloon_memory || s->balloon_maximum == 0)
    return g_strdup ("0");
  free_part = 100.0 * (double) (s->balloon_unused + s->balloon_disk_caches) /
              (double) s->balloon_maximum;
  return uint_text (free_part >= 100.0 ? 0 : (guint64) (100.0 - free_part));
}

/* graphics.display_info: the VNC and SPICE displays of the definition. */
static GPtrArray *
display_info_new (const VdsmdDomainXml *xml)
{
  GPtrArray *displays = g_ptr_array_new_with_free_func (
    (GDestroyNotify) vdsm_vm_display_info_free);

  for (guint i = 0; i < xml->graphics->len; i++)
    {
      const VdsmdDomainGraphics *g = &g_array_index (xml->graphics,
                                                     VdsmdDomainGraphics, i);
      VdsmVmGraphicsDeviceType type;
      VdsmVmDisplayInfo *d;

      if (!vdsm_vm_graphics_device_type_from_string (g->type, &type))
        continue;
      d = vdsm_vm_display_info_new ();
      d->type = type;
      d->port = g_strdup (g->port);
      d->tls_port = g_strdup (g->tls_port);
      d->ip_address = g_strdup (g->address);
      g_ptr_array_add (displays, d);
    }
  return displays;
}

/* What the guest agent would tell: vdsmd has none, so VDSM's answers
 * without one (GuestAgent.getGuestInfo). */
static void
fill_guest_unknown (VdsmRunningVmStats *r)
{
  r->username = g_strdup ("Unknown");
  r->session = VDSM_GUEST_SESSION_STATE_UNKNOWN;
  r->guest_i_ps = g_strdup ("");
  r->guest_fqdn = g_strdup ("");
  r->guest_cpu_count = -1;
}

static VdsmVmStats *
running_stats_new (VdsmdContext *ctx, const VdsmdDomainStats *s,
                   const VdsmdDomainXml *xml, const VdsmdDomainCounters *prev)
{
  VdsmVmStats *stats = vdsm_vm_stats_new ();
  VdsmRunningVmStats *r = vdsm_running_vm_stats_new ();

  r->vm_id = g_strdup (s->uuid);
  r->status = vdsmd_vm_status (s->state, s->reason);
  r->status_time = status_time_text ();
  r->vm_name = g_strdup (s->name);
  r->vm_type = g_strdup (xml->type);
  r->kvm_enable = g_strdup (g_strcmp0 (xml->type, "kvm") == 0 ? "true"
                                                             : "false");
  r->acpi_enable = g_strdup (xml->acpi ? "true" : "false");
  r->time_offset = g_strdup (xml->time_offset);
  r->elapsed_time = uint_text (vdsmd_context_running_seconds (ctx, s->uuid));
  /* libvirt answered for this domain just now, so its monitor responds. */
  r->monitor_response = g_strdup ("0");
  r->client_ip = vdsmd_context_client_ip (ctx, s->uuid);
  r->pause_code = g_strdup (vdsmd_domain_pause_code (s->state, s->reason));
  r->vcpu_count = uint_text (s->vcpus);
  fill_cpu (r, &s->counters, prev);
  r->network = network_new (s, xml);
  r->disks = disks_new (&s->counters, prev);
  r->mem_usage = mem_usage_text (s);
  r->display_info = display_info_new (xml);
  fill_guest_unknown (r);
  stats->kind = VDSM_VM_STATS_KIND_RUNNING_VM_STATS;
  stats->running_vm_stats = r;
  return stats;
}

VdsmVmStats *
vdsmd_vm_stats_new (VdsmdContext *ctx, const VdsmdDomainStats *s,
                    GError **error)
{
  g_autoptr(VdsmdDomainXml) xml = NULL;
  g_autoptr(VdsmdDomainCounters) prev = NULL;

  if (!vdsmd_domain_state_is_active (s->state))
    return exited_stats_new (s->uuid, s->state, s->reason);
  xml = vdsmd_context_definition (ctx, s->dom, s->uuid, error);
  if (xml == NULL)
    return NULL;
  prev = vdsmd_context_swap_counters (ctx, s->uuid,
                                      vdsmd_domain_counters_copy (&s->counters));
  return running_stats_new (ctx, s, xml, prev);
}

VdsmVmDefinition *
vdsmd_vm_definition_new (VdsmdContext *ctx, virDomainPtr dom,
                         const char *vm_id, int state, int reason,
                         const VdsmdDefinitionHost *host, GError **error)
{
  g_autoptr(VdsmdDomainXml) xml = vdsmd_context_definition (ctx, dom, vm_id,
                                                            error);
  VdsmVmDefinition *def;
  VdsmdPidStat process = { 0 };

  if (xml == NULL)
    return NULL;
  def = vdsm_vm_definition_new ();
  def->vm_id = g_strdup (vm_id);
  def->vm_name = g_strdup (virDomainGetName (dom));
  def->status = vdsmd_vm_status (state, reason);
  def->vm_type = g_strdup (xml->type);
  def->kvm_enable = g_strcmp0 (xml->type, "kvm") == 0;
  def->acpi_enable = xml->acpi;
  def->mem_size = xml->memory_kib / 1024;
  def->mem_guaranteed_size = xml->guaranteed_mib;
  def->smp = xml->vcpus;
  def->time_offset = g_strdup (xml->time_offset);
  /* Memory backed by huge pages is not THP's to manage. */
  def->transparent_huge_pages = host->thp_enabled && !xml->hugepages;
  def->client_ip = vdsmd_context_client_ip (ctx, vm_id);
  /* 0 when there is no QEMU process to tell of (not running, or a driver
   * other than QEMU); its nice value then is the default, 0. */
  if (vdsmd_domain_state_is_active (state))
    def->pid = vdsmd_qemu_pid (host->pid_dir, virDomainGetName (dom));
  if (def->pid != 0 && def->pid <= G_MAXINT &&
      vdsmd_pid_stat_read ((pid_t) def->pid, &process))
    def->nice = process.nice;
  return def;
}

void
vdsmd_definition_host_init (VdsmdContext *ctx, VdsmdDefinitionHost *host)
{
  g_autofree char *thp = NULL;
  g_autofree char *mode = NULL;

  if (g_file_get_contents ("/sys/kernel/mm/transparent_hugepage/enabled",
                           &thp, NULL, NULL))
    mode = vdsmd_thp_mode_parse (thp);
  host->thp_enabled = mode != NULL && strcmp (mode, "never") != 0;
  host->pid_dir = vdsmd_qemu_pid_dir (ctx->conn);
}

void
vdsmd_definition_host_clear (VdsmdDefinitionHost *host)
{
  g_clear_pointer (&host->pid_dir, g_free);
}
