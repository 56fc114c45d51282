/* host-handlers.c: the Host.* methods of api/vdsm-api.yml over libvirt.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <string.h>
#include <sys/utsname.h>

#include "vdsm-rpc-handlers.h"
#include "vdsmd-caps-xml.h"
#include "vdsmd-context.h"
#include "vdsmd-domain.h"
#include "vdsmd-domain-stats.h"
#include "vdsmd-status.h"

/* Domains in an array that frees itself. */
typedef struct {
  virDomainPtr *doms;
  int n;
} DomainList;

static void
domain_list_clear (DomainList *list)
{
  for (int i = 0; i < list->n; i++)
    virDomainFree (list->doms[i]);
  free (list->doms);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (DomainList, domain_list_clear)

static int
compare_names (const void *a, const void *b)
{
  return g_strcmp0 (virDomainGetName (*(virDomainPtr const *) a),
                    virDomainGetName (*(virDomainPtr const *) b));
}

/* All domains, by name so that answers come in a stable order. */
static gboolean
list_domains (VdsmdContext *ctx, DomainList *list, GError **error)
{
  list->n = virConnectListAllDomains (ctx->conn, &list->doms, 0);
  if (list->n < 0)
    {
      list->n = 0;
      vdsmd_set_libvirt_error (error, "to list the VMs");
      return FALSE;
    }
  qsort (list->doms, (size_t) list->n, sizeof *list->doms, compare_names);
  return TRUE;
}

/* Whether libvirt says the domain is gone (undefined since it was listed);
 * such a domain is skipped rather than failing the whole call. */
static gboolean
domain_vanished (void)
{
  virErrorPtr err = virGetLastError ();

  return err != NULL && err->code == VIR_ERR_NO_DOMAIN;
}

gboolean
vdsmd_host_ping (VdsmRpcCall *call, GError **error)
{
  return TRUE;
}

static gboolean
uuid_requested (GPtrArray *vm_list, const char *uuid)
{
  if (vm_list == NULL || vm_list->len == 0)
    return TRUE;
  for (guint i = 0; i < vm_list->len; i++)
    if (g_ascii_strcasecmp (g_ptr_array_index (vm_list, i), uuid) == 0)
      return TRUE;
  return FALSE;
}

static VdsmVmInfo *
vm_info_new (virDomainPtr dom, const char *uuid, gboolean full_status,
             gboolean only_uuid, GError **error)
{
  g_autoptr(VdsmVmInfo) info = vdsm_vm_info_new ();
  virDomainInfo di;
  int state, reason;

  if (!full_status && only_uuid)
    {
      info->kind = VDSM_VM_INFO_KIND_UUID;
      info->uuid = g_strdup (uuid);
      return g_steal_pointer (&info);
    }

  if (virDomainGetState (dom, &state, &reason, 0) < 0 ||
      (full_status && virDomainGetInfo (dom, &di) < 0))
    {
      vdsmd_set_libvirt_error (error, "to describe a VM");
      return NULL;
    }
  if (full_status)
    {
      VdsmVmDefinition *def = vdsm_vm_definition_new ();

      def->vm_id = g_strdup (uuid);
      def->vm_name = g_strdup (virDomainGetName (dom));
      def->status = vdsmd_vm_status (state, reason);
      def->mem_size = di.maxMem / 1024;
      def->smp = di.nrVirtCpu;
      info->kind = VDSM_VM_INFO_KIND_VM_DEFINITION;
      info->vm_definition = def;
    }
  else
    {
      VdsmVmShortStatus *st = vdsm_vm_short_status_new ();

      st->vm_id = g_strdup (uuid);
      st->status = vdsmd_vm_status (state, reason);
      info->kind = VDSM_VM_INFO_KIND_VM_SHORT_STATUS;
      info->vm_short_status = st;
    }
  return g_steal_pointer (&info);
}

GPtrArray *
vdsmd_host_get_vm_list (VdsmRpcCall *call, gboolean has_full_status,
                        gboolean full_status, GPtrArray *vm_list,
                        gboolean has_only_uuid, gboolean only_uuid,
                        GError **error)
{
  VdsmdContext *ctx = call->user_data;
  g_auto(DomainList) doms = { NULL, 0 };
  g_autoptr(GPtrArray) result = NULL;

  if (!list_domains (ctx, &doms, error))
    return NULL;
  result = g_ptr_array_new_with_free_func ((GDestroyNotify) vdsm_vm_info_free);
  for (int i = 0; i < doms.n; i++)
    {
      char uuid[VIR_UUID_STRING_BUFLEN];
      g_autoptr(GError) local = NULL;
      VdsmVmInfo *info;

      if (!vdsmd_domain_uuid_string (doms.doms[i], uuid))
        {
          vdsmd_set_libvirt_error (error, "to read a VM's UUID");
          return NULL;
        }
      if (!uuid_requested (vm_list, uuid))
        continue;
      info = vm_info_new (doms.doms[i], uuid, full_status, only_uuid, &local);
      if (info == NULL && domain_vanished ())
        continue;
      if (info == NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return NULL;
        }
      g_ptr_array_add (result, info);
    }
  return g_steal_pointer (&result);
}

static GPtrArray *
sample_all_vm_stats (VdsmdContext *ctx, GError **error)
{
  g_autoptr(VdsmdDomainStatsList) list = NULL;
  GPtrArray *result;

  list = vdsmd_domain_stats_list_all (ctx->conn, error);
  if (list == NULL)
    return NULL;
  result = g_ptr_array_new_full ((guint) list->n,
                                 (GDestroyNotify) vdsm_vm_stats_free);
  for (gsize i = 0; i < list->n; i++)
    g_ptr_array_add (result, vdsmd_vm_stats_new (ctx, &list->items[i]));
  return result;
}

GPtrArray *
vdsmd_host_get_all_vm_stats (VdsmRpcCall *call, GError **error)
{
  VdsmdContext *ctx = call->user_data;
  G_GNUC_UNUSED g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&ctx->vm_stats_lock);
  guint generation = (guint) g_atomic_int_get (&ctx->vm_generation);

  if (ctx->vm_stats_sample == NULL || ctx->vm_stats_generation != generation ||
      g_get_monotonic_time () - ctx->vm_stats_sampled_at >= ctx->vm_stats_max_age_us)
    {
      gint64 started = g_get_monotonic_time ();
      GPtrArray *sample = sample_all_vm_stats (ctx, error);

      if (sample == NULL)
        return NULL;
      g_clear_pointer (&ctx->vm_stats_sample, g_ptr_array_unref);
      ctx->vm_stats_sample = sample;
      ctx->vm_stats_sampled_at = started;
      /* A change during the sampling makes the next call sample again. */
      ctx->vm_stats_generation = generation;
    }
  return g_ptr_array_ref (ctx->vm_stats_sample);
}

/* ---- Host.getStats ---- */

static gboolean
read_cpu_sample (VdsmdContext *ctx, VdsmdCpuSample *sample, GError **error)
{
  int n = 0;
  g_autofree virNodeCPUStatsPtr params = NULL;

  if (virNodeGetCPUStats (ctx->conn, VIR_NODE_CPU_STATS_ALL_CPUS, NULL, &n,
                          0) < 0 || n <= 0)
    goto failed;
  params = g_new0 (virNodeCPUStats, n);
  if (virNodeGetCPUStats (ctx->conn, VIR_NODE_CPU_STATS_ALL_CPUS, params, &n,
                          0) < 0)
    goto failed;

  memset (sample, 0, sizeof *sample);
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

failed:
  vdsmd_set_libvirt_error (error, "to read the host's CPU times");
  return FALSE;
}

static char *
percent_text (guint64 part, guint64 total)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  return g_strdup (g_ascii_formatd (buf, sizeof buf, "%.2f",
                                    total == 0 ? 0.0 : 100.0 * part / total));
}

/* CPU usage over the interval since the previous getStats, or since the
 * host booted for the first call (or when the counters did not move). */
static gboolean
fill_cpu_usage (VdsmdContext *ctx, VdsmHostStats *stats, GError **error)
{
  VdsmdCpuSample now, prev, d;
  guint64 total;

  if (!read_cpu_sample (ctx, &now, error))
    return FALSE;
  d = now;
  if (vdsmd_context_swap_cpu_sample (ctx, &now, &prev) &&
      now.user >= prev.user && now.kernel >= prev.kernel &&
      now.idle >= prev.idle && now.iowait >= prev.iowait &&
      (now.user - prev.user) + (now.kernel - prev.kernel) +
      (now.idle - prev.idle) + (now.iowait - prev.iowait) > 0)
    {
      d.user = now.user - prev.user;
      d.kernel = now.kernel - prev.kernel;
      d.idle = now.idle - prev.idle;
      d.iowait = now.iowait - prev.iowait;
    }
  total = d.user + d.kernel + d.idle + d.iowait;
  stats->cpu_user = percent_text (d.user, total);
  stats->cpu_sys = percent_text (d.kernel, total);
  /* Waiting for I/O is idle time for VDSM. */
  stats->cpu_idle = percent_text (d.idle + d.iowait, total);
  return TRUE;
}

/* Free memory in KiB: free + buffers + cached from the node's memory
 * statistics, else libvirt's free-memory count. FALSE when the driver has
 * neither (the test driver without NUMA cells). */
static gboolean
free_memory_kib (VdsmdContext *ctx, guint64 *kib)
{
  int n = 0;
  unsigned long long bytes;

  if (virNodeGetMemoryStats (ctx->conn, VIR_NODE_MEMORY_STATS_ALL_CELLS, NULL,
                             &n, 0) == 0 && n > 0)
    {
      g_autofree virNodeMemoryStatsPtr params = g_new0 (virNodeMemoryStats, n);

      if (virNodeGetMemoryStats (ctx->conn, VIR_NODE_MEMORY_STATS_ALL_CELLS,
                                 params, &n, 0) == 0)
        {
          *kib = 0;
          for (int i = 0; i < n; i++)
            if (strcmp (params[i].field, VIR_NODE_MEMORY_STATS_FREE) == 0 ||
                strcmp (params[i].field, VIR_NODE_MEMORY_STATS_BUFFERS) == 0 ||
                strcmp (params[i].field, VIR_NODE_MEMORY_STATS_CACHED) == 0)
              *kib += params[i].value;
          return TRUE;
        }
    }

  /* libvirt reports 0 as an error here. */
  bytes = virNodeGetFreeMemory (ctx->conn);
  if (bytes == 0)
    return FALSE;
  *kib = bytes / 1024;
  return TRUE;
}

VdsmHostStats *
vdsmd_host_get_stats (VdsmRpcCall *call, GError **error)
{
  VdsmdContext *ctx = call->user_data;
  g_autoptr(VdsmHostStats) stats = vdsm_host_stats_new ();
  g_auto(DomainList) doms = { NULL, 0 };
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  virNodeInfo node;
  guint64 free_kib, assigned_kib = 0;

  if (virNodeGetInfo (ctx->conn, &node) < 0)
    {
      vdsmd_set_libvirt_error (error, "to describe the host");
      return NULL;
    }
  if (!fill_cpu_usage (ctx, stats, error) ||
      !list_domains (ctx, &doms, error))
    return NULL;

  stats->vm_count = doms.n;
  for (int i = 0; i < doms.n; i++)
    {
      virDomainInfo info;
      int state, reason;

      if (virDomainGetState (doms.doms[i], &state, &reason, 0) < 0)
        continue;   /* gone since it was listed */
      if (g_str_has_prefix (vdsmd_domain_status_text (state, reason),
                            "Migration"))
        stats->vm_migrating++;
      if (!vdsmd_domain_state_is_active (state))
        continue;
      stats->vm_active++;
      if (virDomainGetInfo (doms.doms[i], &info) == 0)
        assigned_kib += info.memory;
    }

  /* Without a free-memory figure from libvirt, what the running VMs do not
   * hold is the best account of the host's free memory. */
  if (!free_memory_kib (ctx, &free_kib))
    free_kib = node.memory > assigned_kib ? node.memory - assigned_kib : 0;
  free_kib = MIN (free_kib, (guint64) node.memory);
  stats->mem_free = (gint64) (free_kib / 1024);
  stats->mem_used = g_strdup_printf (
    "%" G_GUINT64_FORMAT,
    node.memory == 0 ? 0 : (node.memory - free_kib) * 100 / node.memory);

  stats->elapsed_time = g_strdup_printf (
    "%" G_GINT64_FORMAT,
    (g_get_monotonic_time () - ctx->start_time) / G_USEC_PER_SEC);
  stats->date_time = g_date_time_format (now, "%Y-%m-%dT%H:%M:%S GMT");
  return g_steal_pointer (&stats);
}

/* ---- Host.getCapabilities ---- */

static VdsmSoftwarePackageInfo *
package_info_new (const char *version, const char *release)
{
  VdsmSoftwarePackageInfo *p = vdsm_software_package_info_new ();

  p->version = g_strdup (version);
  p->release = g_strdup (release);
  return p;
}

static VdsmSoftwarePackageInfoMap *
packages_new (VdsmdContext *ctx, GError **error)
{
  g_autoptr(VdsmSoftwarePackageInfoMap) map = vdsm_software_package_info_map_new ();
  /* The map's own table takes the entries without copying them. */
  GHashTable *table = vdsm_software_package_info_map_get_table (map);
  unsigned long libver;
  struct utsname uts;
  g_autofree char *libvirt_version = NULL;
  char *dash;

  if (virConnectGetLibVersion (ctx->conn, &libver) < 0)
    {
      vdsmd_set_libvirt_error (error, "to tell its version");
      return NULL;
    }
  libvirt_version = g_strdup_printf ("%lu.%lu.%lu", libver / 1000000,
                                     libver / 1000 % 1000, libver % 1000);
  g_hash_table_insert (table, g_strdup ("libvirt"),
                       package_info_new (libvirt_version, ""));
  g_hash_table_insert (table, g_strdup ("vdsm"),
                       package_info_new (PACKAGE_VERSION, ""));

  /* "6.1.0-18-amd64": the upstream version, then the distribution's part. */
  if (uname (&uts) == 0)
    {
      dash = strchr (uts.release, '-');
      if (dash != NULL)
        *dash = '\0';
      g_hash_table_insert (table, g_strdup ("kernel"),
                           package_info_new (uts.release,
                                             dash != NULL ? dash + 1 : ""));
    }
  return g_steal_pointer (&map);
}

static VdsmOsVersion *
os_version_new (void)
{
  static const struct { const char *id; const char *name; } families[] = {
    { "debian", "Debian" }, { "ubuntu", "Debian" },
    { "fedora", "Fedora" },
    { "rhel", "RHEL" }, { "centos", "RHEL" }, { "rocky", "RHEL" },
    { "almalinux", "RHEL" },
  };
  VdsmOsVersion *os = vdsm_os_version_new ();
  g_autofree char *id = g_get_os_info (G_OS_INFO_KEY_ID);
  g_autofree char *release = g_get_os_info (G_OS_INFO_KEY_VERSION_ID);
  g_autofree char *version = g_get_os_info (G_OS_INFO_KEY_VERSION);
  g_autofree char *pretty = g_get_os_info (G_OS_INFO_KEY_PRETTY_NAME);
  const char *family = "unknown";

  for (gsize i = 0; i < G_N_ELEMENTS (families); i++)
    if (g_strcmp0 (id, families[i].id) == 0)
      family = families[i].name;
  if (!vdsm_os_name_from_string (family, &os->name))
    g_assert_not_reached ();
  os->release = g_strdup (release != NULL ? release : "");
  os->version = g_strdup (version != NULL ? version : "");
  os->pretty_name = g_strdup (pretty != NULL ? pretty : "");
  return os;
}

static char *
join_strings (GPtrArray *strings)
{
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; i < strings->len; i++)
    g_string_append_printf (out, "%s%s", i > 0 ? "," : "",
                            (char *) g_ptr_array_index (strings, i));
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static char *
online_cpus (VdsmdContext *ctx, VdsmdCapsXml *caps)
{
  unsigned char *map = NULL;
  unsigned int online = 0;
  int n;
  g_autoptr(GString) out = NULL;

  /* The capabilities' topology lists the online CPUs; without one (the
   * test driver's host definitions have none), libvirt's CPU map does. */
  if (caps->cpu_ids->len > 0)
    return join_strings (caps->cpu_ids);
  n = virNodeGetCPUMap (ctx->conn, &map, &online, 0);
  if (n < 0)
    return g_strdup ("");
  out = g_string_new (NULL);
  for (int cpu = 0; cpu < n; cpu++)
    if (VIR_CPU_USED (map, cpu))
      g_string_append_printf (out, "%s%d", out->len > 0 ? "," : "", cpu);
  free (map);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static GPtrArray *
copy_strings (GPtrArray *strings)
{
  GPtrArray *copy = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < strings->len; i++)
    g_ptr_array_add (copy, g_strdup (g_ptr_array_index (strings, i)));
  return copy;
}

VdsmVdsmCapabilities *
vdsmd_host_get_capabilities (VdsmRpcCall *call, GError **error)
{
  VdsmdContext *ctx = call->user_data;
  g_autoptr(VdsmVdsmCapabilities) caps = vdsm_vdsm_capabilities_new ();
  g_autoptr(VdsmdCapsXml) xml = NULL;
  g_autofree char *xml_text = NULL;
  g_autofree char *cmdline = NULL;
  virNodeInfo node;

  if (virNodeGetInfo (ctx->conn, &node) < 0 ||
      (xml_text = virConnectGetCapabilities (ctx->conn)) == NULL)
    {
      vdsmd_set_libvirt_error (error, "to describe the host");
      return NULL;
    }
  xml = vdsmd_caps_xml_parse (xml_text, error);
  if (xml == NULL)
    return NULL;

  caps->packages2 = packages_new (ctx, error);
  if (caps->packages2 == NULL)
    return NULL;

  caps->cpu_sockets = g_strdup_printf ("%u", node.nodes * node.sockets);
  caps->cpu_cores = g_strdup_printf ("%u",
                                     node.nodes * node.sockets * node.cores);
  caps->cpu_threads = g_strdup_printf ("%u", node.cpus);
  caps->cpu_model = g_strdup (xml->cpu_model != NULL ? xml->cpu_model
                                                     : node.model);
  caps->cpu_speed = g_strdup_printf ("%u", node.mhz);
  caps->cpu_flags = join_strings (xml->cpu_features);
  caps->online_cpus = online_cpus (ctx, xml);
  caps->mem_size = g_strdup_printf ("%lu", node.memory / 1024);
  caps->kvm_enabled = g_strdup (xml->kvm ? "true" : "false");
  caps->vm_types = g_array_new (FALSE, FALSE, sizeof (VdsmVmType));
  if (xml->kvm)
    {
      VdsmVmType kvm = VDSM_VM_TYPE_KVM;
      g_array_append_val (caps->vm_types, kvm);
    }
  caps->emulated_machines = copy_strings (xml->machines);
  if (xml->page_sizes->len > 0)
    caps->hugepages = g_array_ref (xml->page_sizes);
  caps->software_version = g_strdup (PACKAGE_VERSION);
  caps->operating_system = os_version_new ();
  if (g_file_get_contents ("/proc/cmdline", &cmdline, NULL, NULL))
    caps->kernel_args = g_strdup (g_strstrip (cmdline));
  caps->uuid = g_strdup (xml->host_uuid);
  return g_steal_pointer (&caps);
}
