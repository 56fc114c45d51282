/* caps-handlers.c: Host.getCapabilities, the host as VDSM's
 * lib/vdsm/host/caps.py describes it: CPUs, NUMA and guest support from
 * libvirt, the rest from /proc, /sys and /etc of this machine, and the
 * neutral answers VDSM gives for what vdsmd does not have (VDSM networks,
 * gluster, hosted engine).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <libvirt/libvirt.h>
#include <string.h>
#include <sys/utsname.h>

#include "vdsm-rpc-handlers.h"
#include "vdsmd-caps-xml.h"
#include "vdsmd-context.h"
#include "vdsmd-caps-net.h"
#include "vdsmd-domain.h"
#include "vdsmd-host-config.h"
#include "vdsmd-host-info.h"

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

/* numa.cpu_info: the CPUs libvirt places completely (socket, core and
 * siblings known). */
static GPtrArray *
cpu_topology_new (const VdsmdCapsXml *xml)
{
  GPtrArray *cpus = g_ptr_array_new_with_free_func (
    (GDestroyNotify) vdsm_cpu_info_free);

  for (guint c = 0; c < xml->cells->len; c++)
    {
      const VdsmdCapsCell *cell = g_ptr_array_index (xml->cells, c);

      for (guint i = 0; i < cell->cpus->len; i++)
        {
          const VdsmdCapsCpu *cpu = &g_array_index (cell->cpus, VdsmdCapsCpu, i);
          VdsmCpuInfo *info;

          if (cpu->siblings == NULL || cpu->socket_id < 0 || cpu->core_id < 0)
            continue;
          info = vdsm_cpu_info_new ();
          info->cpu_id = cpu->id;
          info->numa_cell_id = cell->id;
          info->socket_id = cpu->socket_id;
          info->die_id = cpu->die_id;
          info->core_id = cpu->core_id;
          g_ptr_array_add (cpus, info);
        }
    }
  return cpus;
}

static VdsmNumaNode *
numa_node_new (const VdsmdCapsCell *cell)
{
  VdsmNumaNode *node = vdsm_numa_node_new ();
  GHashTable *pages;

  node->cpus = g_array_new (FALSE, FALSE, sizeof (guint64));
  for (guint i = 0; i < cell->cpus->len; i++)
    {
      guint64 id = (guint64) g_array_index (cell->cpus, VdsmdCapsCpu, i).id;
      g_array_append_val (node->cpus, id);
    }
  node->total_memory = g_strdup_printf ("%" G_GUINT64_FORMAT,
                                        cell->memory_kib / 1024);
  node->hugepages = vdsm_numa_node_huge_pages_map_new ();
  pages = vdsm_numa_node_huge_pages_map_get_table (node->hugepages);
  for (guint i = 0; i < cell->pages->len; i++)
    {
      const VdsmdCapsPages *p = &g_array_index (cell->pages, VdsmdCapsPages, i);
      VdsmNumaNodeHugePages *hp = vdsm_numa_node_huge_pages_new ();

      hp->total_pages = g_strdup (p->count);
      g_hash_table_insert (pages, g_strdup_printf ("%" G_GUINT64_FORMAT,
                                                   p->size_kib), hp);
    }
  return node;
}

/* numa.topology and numa.distances, keyed by cell. */
static void
fill_numa (VdsmVdsmCapabilities *caps, const VdsmdCapsXml *xml)
{
  GHashTable *nodes, *distances;
  g_autofree char *balancing = NULL;

  caps->numa_nodes = vdsm_numa_node_map_new ();
  caps->numa_node_distance = vdsm_numa_node_distance_map_new ();
  nodes = vdsm_numa_node_map_get_table (caps->numa_nodes);
  distances = vdsm_numa_node_distance_map_get_table (caps->numa_node_distance);
  for (guint c = 0; c < xml->cells->len; c++)
    {
      const VdsmdCapsCell *cell = g_ptr_array_index (xml->cells, c);
      char *key = g_strdup_printf ("%" G_GINT64_FORMAT, cell->id);

      g_hash_table_insert (nodes, key, numa_node_new (cell));
      g_hash_table_insert (distances, g_strdup (key),
                           g_array_ref (cell->distances));
    }
  caps->cpu_topology = cpu_topology_new (xml);
  if (g_file_get_contents ("/proc/sys/kernel/numa_balancing", &balancing,
                           NULL, NULL))
    caps->auto_numa_balancing = vdsmd_autonuma_parse (balancing);
  else
    caps->auto_numa_balancing = VDSM_AUTO_NUMA_BALANCING_STATUS_V2;
}

/* hba.HBAInventory. */
static VdsmHbaInventory *
hba_inventory_new (const char *initiator_name)
{
  VdsmHbaInventory *hba = vdsm_hba_inventory_new ();
  g_autoptr(GPtrArray) fc_hosts = vdsmd_fc_hosts_read ("/sys/class/fc_host");

  hba->i_scsi = g_ptr_array_new_with_free_func (
    (GDestroyNotify) vdsm_iscsi_hba_free);
  if (initiator_name[0] != '\0')
    {
      VdsmIscsiHba *iscsi = vdsm_iscsi_hba_new ();

      iscsi->initiator_name = g_strdup (initiator_name);
      g_ptr_array_add (hba->i_scsi, iscsi);
    }
  hba->fc = g_ptr_array_new_with_free_func ((GDestroyNotify) vdsm_fc_hba_free);
  for (guint i = 0; i < fc_hosts->len; i++)
    {
      const VdsmdFcHost *host = g_ptr_array_index (fc_hosts, i);
      VdsmFcHba *fc = vdsm_fc_hba_new ();

      fc->wwpn = g_strdup (host->wwpn);
      fc->wwnn = g_strdup (host->wwnn);
      fc->model = g_strdup (host->model);
      g_ptr_array_add (hba->fc, fc);
    }
  return hba;
}

/* rngsources.list_available: the random sources a guest can be given. */
static GArray *
rng_sources_new (void)
{
  static const struct { VdsmVmRngDeviceSource source; const char *path; }
    sources[] = {
      { VDSM_VM_RNG_DEVICE_SOURCE_RANDOM, "/dev/random" },
      { VDSM_VM_RNG_DEVICE_SOURCE_HWRNG, "/dev/hwrng" },
    };
  GArray *available = g_array_new (FALSE, FALSE, sizeof (VdsmVmRngDeviceSource));

  for (gsize i = 0; i < G_N_ELEMENTS (sources); i++)
    if (g_file_test (sources[i].path, G_FILE_TEST_EXISTS))
      g_array_append_val (available, sources[i].source);
  return available;
}

/* What the host's configuration files and the kernel say. */
static void
fill_host_config (VdsmVdsmCapabilities *caps)
{
  g_autofree char *initiator = vdsmd_key_value_read (
    "/etc/iscsi/initiatorname.iscsi", "InitiatorName");
  g_autofree char *vnc_tls = vdsmd_key_value_read ("/etc/libvirt/qemu.conf",
                                                   "vnc_tls");
  g_autofree char *cmdline = NULL;

  caps->iscsi_initiator_name = g_strdup (initiator != NULL ? initiator : "");
  caps->hba_inventory = hba_inventory_new (caps->iscsi_initiator_name);
  caps->selinux = vdsm_se_linux_status_new ();
  caps->selinux->mode = vdsmd_selinux_mode_read ("/sys/fs/selinux");
  caps->kdump_status = vdsmd_kdump_status_read ("/sys/kernel/kexec_crash_loaded",
                                                "/etc/kdump.conf");
  caps->rng_sources = rng_sources_new ();
  caps->hostdev_passthrough = g_strdup (
    vdsmd_hostdev_passthrough_supported ("/sys") ? "true" : "false");
  /* check_qemu_conf_contains ('vnc_tls', '1'). */
  caps->vnc_encrypted = g_strcmp0 (vnc_tls, "1") == 0;
  caps->vdsm_to_cpus_affinity = vdsmd_cpu_affinity ();
  if (g_file_get_contents ("/proc/cmdline", &cmdline, NULL, NULL))
    caps->kernel_args = g_strdup (g_strstrip (cmdline));
}

/* dsaversion.version_info, for vdsmd: it serves a part of the API
 * (daemon/served-methods.txt) that no Engine version or cluster level can
 * manage a host with, so it claims none; and none of VDSM's additional
 * features (gluster's), which vdsmd does not have. */
static void
fill_version (VdsmdContext *ctx, VdsmVdsmCapabilities *caps)
{
  caps->software_version = g_strdup (PACKAGE_VERSION);
  /* A build from source, not a distribution package: release 0, as VDSM
   * numbers its own untagged builds. */
  caps->software_revision = g_strdup ("0");
  /* VDSM names its releases ("Snow Man"); vdsmd gives its project's. */
  caps->version_name = g_strdup ("libvdsm");
  caps->supported_engin_es = g_ptr_array_new_with_free_func (g_free);
  caps->cluster_levels = g_ptr_array_new_with_free_func (g_free);
  caps->additional_features = g_ptr_array_new_with_free_func (g_free);
  caps->reserved_mem = g_strdup_printf ("%d", ctx->host_mem_reserve_mib);
  caps->guest_overhead = g_strdup_printf ("%d", ctx->guest_ram_overhead_mib);
}

VdsmVdsmCapabilities *
vdsmd_host_get_capabilities (VdsmRpcCall *call, GError **error)
{
  VdsmdContext *ctx = call->user_data;
  g_autoptr(VdsmVdsmCapabilities) caps = vdsm_vdsm_capabilities_new ();
  g_autoptr(VdsmdCapsXml) xml = NULL;
  virNodeInfo node;

  if (virNodeGetInfo (ctx->conn, &node) < 0)
    {
      vdsmd_set_libvirt_error (error, "to describe the host");
      return NULL;
    }
  xml = vdsmd_caps_xml_read (ctx->conn, error);
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
  caps->emulated_machines = vdsmd_strings_copy (xml->machines);
  if (xml->page_sizes->len > 0)
    caps->hugepages = g_array_ref (xml->page_sizes);
  fill_numa (caps, xml);
  fill_version (ctx, caps);
  caps->operating_system = os_version_new ();
  caps->uuid = g_strdup (xml->host_uuid != NULL ? xml->host_uuid : "");
  fill_host_config (caps);
  vdsmd_caps_net_fill (caps, call->local_address);
  return g_steal_pointer (&caps);
}
