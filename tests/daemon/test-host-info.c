/* test-host-info.c: vdsmd's readers of /proc, /sys, /etc and libvirt's
 * capabilities XML, on fixed inputs (texts, and trees built in a temporary
 * directory the way the kernel lays them out).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>

#include "vdsmd-caps-xml.h"
#include "vdsmd-domain-xml.h"
#include "vdsmd-host-config.h"
#include "vdsmd-host-info.h"
#include "vdsmd-host-net.h"

/* ---- a temporary tree ---- */

static char *
tree_new (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("vdsmd-host-info-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

/* Write @text to @root/@path, making the directories. */
static void
tree_file (const char *root, const char *path, const char *text)
{
  g_autofree char *full = g_build_filename (root, path, NULL);
  g_autofree char *dir = g_path_get_dirname (full);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_file_set_contents (full, text, -1, &error);
  g_assert_no_error (error);
}

static void
tree_dir (const char *root, const char *path)
{
  g_autofree char *full = g_build_filename (root, path, NULL);

  g_assert_cmpint (g_mkdir_with_parents (full, 0755), ==, 0);
}

static void
tree_remove (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) &&
          !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        tree_remove (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

/* ---- /proc and /sys counters ---- */

static void
test_meminfo (void)
{
  VdsmdMemInfo m;

  g_assert_true (vdsmd_meminfo_parse (
    "MemTotal:       16384000 kB\n"
    "MemFree:         1000000 kB\n"
    "MemAvailable:    9000000 kB\n"
    "Buffers:           20000 kB\n"
    "Cached:          3000000 kB\n"
    "SwapCached:            0 kB\n"
    "SwapTotal:       2097148 kB\n"
    "SwapFree:        1048576 kB\n"
    "SReclaimable:     400000 kB\n"
    "AnonHugePages:    612352 kB\n", &m));
  g_assert_cmpuint (m.mem_total, ==, 16384000);
  g_assert_cmpuint (m.mem_free, ==, 1000000);
  g_assert_cmpuint (m.buffers, ==, 20000);
  /* "SwapCached:" must not be taken for "Cached:". */
  g_assert_cmpuint (m.cached, ==, 3000000);
  g_assert_cmpuint (m.swap_total, ==, 2097148);
  g_assert_cmpuint (m.swap_free, ==, 1048576);
  g_assert_cmpuint (m.sreclaimable, ==, 400000);
  g_assert_cmpuint (m.anon_huge_pages, ==, 612352);

  /* A kernel without huge pages or swap lines: they read as 0. */
  g_assert_true (vdsmd_meminfo_parse ("MemTotal: 100 kB\n", &m));
  g_assert_cmpuint (m.swap_total, ==, 0);
  g_assert_cmpuint (m.anon_huge_pages, ==, 0);
  g_assert_false (vdsmd_meminfo_parse ("MemFree: 100 kB\n", &m));
  g_assert_false (vdsmd_meminfo_parse ("", &m));
}

static void
test_proc_stat (void)
{
  guint64 boot_time;
  g_autoptr(GArray) cpus = vdsmd_proc_stat_parse (
    "cpu  700 20 300 9000 40 0 5 0 0 0\n"
    "cpu0 400 10 200 4000 20 0 3 1 0 0\n"
    "cpu2 300 10 100 5000 20 0 2\n"
    "cpu3 1 2 3\n"
    "intr 12345 0 0\n"
    "ctxt 99\n"
    "btime 1700000000\n"
    "processes 42\n", &boot_time);
  const VdsmdCpuTicks *c;

  g_assert_cmpuint (boot_time, ==, 1700000000);
  /* The total line is not a CPU, nor is a line with too few columns. */
  g_assert_cmpuint (cpus->len, ==, 2);
  c = &g_array_index (cpus, VdsmdCpuTicks, 0);
  g_assert_cmpuint (c->id, ==, 0);
  g_assert_cmpuint (c->user, ==, 400);
  g_assert_cmpuint (c->sys, ==, 200);
  /* user nice system idle iowait irq softirq steal; not the guest ones. */
  g_assert_cmpuint (c->total, ==, 400 + 10 + 200 + 4000 + 20 + 0 + 3 + 1);
  c = &g_array_index (cpus, VdsmdCpuTicks, 1);
  g_assert_cmpuint (c->id, ==, 2);
  g_assert_cmpuint (c->total, ==, 300 + 10 + 100 + 5000 + 20 + 0 + 2);

  g_clear_pointer (&cpus, g_array_unref);
  cpus = vdsmd_proc_stat_parse ("garbage", &boot_time);
  g_assert_cmpuint (cpus->len, ==, 0);
  g_assert_cmpuint (boot_time, ==, 0);
}

static void
test_pid_stat (void)
{
  VdsmdPidStat st;

  g_assert_true (vdsmd_pid_stat_parse (
    "1234 (vdsmd) S 1 1234 1234 0 -1 4194560 2000 0 0 0 157 42 0 0 20 0 "
    "9 0 5000 1000000 2000 18446744073709551615\n", &st));
  g_assert_cmpuint (st.utime, ==, 157);
  g_assert_cmpuint (st.stime, ==, 42);
  g_assert_cmpint (st.nice, ==, 0);

  /* A command name may hold blanks and parentheses; nice may be negative. */
  g_assert_true (vdsmd_pid_stat_parse (
    "77 (a) b (c) R 1 77 77 0 -1 0 0 0 0 0 3 4 0 0 0 -5 1 0 1 1 1\n", &st));
  g_assert_cmpuint (st.utime, ==, 3);
  g_assert_cmpuint (st.stime, ==, 4);
  g_assert_cmpint (st.nice, ==, -5);

  g_assert_false (vdsmd_pid_stat_parse ("1 (x) S 1 2 3", &st));
  g_assert_false (vdsmd_pid_stat_parse ("no parenthesis", &st));
}

static void
test_kernel_thread_find (void)
{
  g_autofree char *root = tree_new ();

  tree_file (root, "1/comm", "systemd\n");
  tree_file (root, "57/comm", "ksmd\n");
  tree_file (root, "self/comm", "ksmd\n");
  tree_file (root, "uptime", "1 2\n");
  g_assert_cmpint (vdsmd_kernel_thread_find (root, "ksmd"), ==, 57);
  g_assert_cmpint (vdsmd_kernel_thread_find (root, "khugepaged"), ==, 0);
  g_assert_cmpint (vdsmd_kernel_thread_find ("/nonexistent", "ksmd"), ==, 0);
  tree_remove (root);
}

static void
test_loadavg (void)
{
  g_autofree char *five = vdsmd_loadavg_parse ("0.52 1.58 2.59 1/467 12345\n");

  g_assert_cmpstr (five, ==, "1.58");
  g_assert_null (vdsmd_loadavg_parse ("0.52\n"));
  g_assert_null (vdsmd_loadavg_parse ("0.52 x 1\n"));
  g_assert_null (vdsmd_loadavg_parse (""));
}

static void
test_thp_mode (void)
{
  g_autofree char *madvise = vdsmd_thp_mode_parse ("always [madvise] never\n");
  g_autofree char *never = vdsmd_thp_mode_parse ("always madvise [never]\n");

  g_assert_cmpstr (madvise, ==, "madvise");
  g_assert_cmpstr (never, ==, "never");
  g_assert_null (vdsmd_thp_mode_parse ("always madvise never\n"));
  g_assert_null (vdsmd_thp_mode_parse ("[]\n"));
}

static void
test_ksm (void)
{
  g_autofree char *root = tree_new ();
  g_autofree char *missing = g_build_filename (root, "none", NULL);
  g_autofree char *merge = g_build_filename (root, "merge_across_nodes", NULL);
  VdsmdKsmInfo ksm;

  tree_file (root, "run", "1\n");
  tree_file (root, "pages_to_scan", "100\n");
  tree_file (root, "pages_sharing", "2560\n");
  tree_file (root, "merge_across_nodes", "0\n");
  g_assert_true (vdsmd_ksm_read (root, &ksm));
  g_assert_true (ksm.running);
  g_assert_cmpuint (ksm.pages_to_scan, ==, 100);
  g_assert_cmpuint (ksm.pages_sharing, ==, 2560);
  g_assert_false (ksm.merge_across_nodes);

  /* run 2 unmerges: not running. A kernel before 3.9 has no
   * merge_across_nodes: it merged across nodes. */
  tree_file (root, "run", "2\n");
  g_assert_cmpint (g_unlink (merge), ==, 0);
  g_assert_true (vdsmd_ksm_read (root, &ksm));
  g_assert_false (ksm.running);
  g_assert_true (ksm.merge_across_nodes);

  /* No KSM in the kernel: nothing runs or is shared. */
  g_assert_false (vdsmd_ksm_read (missing, &ksm));
  g_assert_false (ksm.running);
  g_assert_cmpuint (ksm.pages_sharing, ==, 0);
  tree_remove (root);
}

/* ---- network ---- */

static void
test_vlan_ids (void)
{
  g_autoptr(GHashTable) ids = vdsmd_vlan_ids_parse (
    "VLAN Dev name    | VLAN ID\n"
    "Name-Type: VLAN_NAME_TYPE_RAW_PLUS_VID_NO_PAD\n"
    "eth0.100       | 100  | eth0\n"
    "storage        | 4094  | bond0\n"
    "bad            | 5000  | eth0\n");

  g_assert_cmpuint (g_hash_table_size (ids), ==, 2);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (ids, "eth0.100")),
                    ==, 100);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (ids, "storage")),
                    ==, 4094);
}

static void
test_gateways (void)
{
  /* The gateway is the raw 32 bits in this host's byte order: 172.17.0.1
   * on a little-endian machine. */
  static const char route[] =
    "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
    "eth0\t00000000\t010011AC\t0003\t0\t0\t100\t00000000\t0\t0\t0\n"
    "eth0\t000011AC\t00000000\t0001\t0\t0\t100\t0000FFFF\t0\t0\t0\n"
    "eth1\t000A000A\t0100000A\t0003\t0\t0\t0\t00FFFFFF\t0\t0\t0\n";
  static const char route6[] =
    "fd000000000000000000000000000000 40 00000000000000000000000000000000 00 "
    "00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0\n"
    "00000000000000000000000000000000 00 00000000000000000000000000000000 00 "
    "fe800000000000000000000000000001 00000400 00000002 00000000 00000003     eth0\n";
  g_autofree char *gw = vdsmd_ipv4_gateway_parse (route, "eth0");
  g_autofree char *none = vdsmd_ipv4_gateway_parse (route, "eth1");
  g_autofree char *gw6 = vdsmd_ipv6_gateway_parse (route6, "eth0");
  g_autofree char *none6 = vdsmd_ipv6_gateway_parse (route6, "eth1");

#if G_BYTE_ORDER == G_LITTLE_ENDIAN
  g_assert_cmpstr (gw, ==, "172.17.0.1");
#endif
  /* eth1 routes a subnet through a gateway, but has no default route. */
  g_assert_cmpstr (none, ==, "");
  g_assert_cmpstr (gw6, ==, "fe80::1");
  g_assert_cmpstr (none6, ==, "");
}

static GPtrArray *
strings (const char *first, ...)
{
  GPtrArray *array = g_ptr_array_new_with_free_func (g_free);
  va_list ap;

  va_start (ap, first);
  for (const char *s = first; s != NULL; s = va_arg (ap, const char *))
    g_ptr_array_add (array, g_strdup (s));
  va_end (ap);
  return array;
}

static void
test_primary_ipv4 (void)
{
  g_autoptr(GPtrArray) addrs = strings ("10.0.0.5/8", "192.168.1.20/24", NULL);
  g_autoptr(GPtrArray) empty = g_ptr_array_new_with_free_func (g_free);
  char *addr, *mask;

  /* The address in the gateway's subnet wins... */
  vdsmd_primary_ipv4 (addrs, "192.168.1.1", &addr, &mask);
  g_assert_cmpstr (addr, ==, "192.168.1.20");
  g_assert_cmpstr (mask, ==, "255.255.255.0");
  g_free (addr);
  g_free (mask);
  /* ...else the first. */
  vdsmd_primary_ipv4 (addrs, "", &addr, &mask);
  g_assert_cmpstr (addr, ==, "10.0.0.5");
  g_assert_cmpstr (mask, ==, "255.0.0.0");
  g_free (addr);
  g_free (mask);
  vdsmd_primary_ipv4 (empty, "192.168.1.1", &addr, &mask);
  g_assert_cmpstr (addr, ==, "");
  g_assert_cmpstr (mask, ==, "");
  g_free (addr);
  g_free (mask);
}

static void
test_nameservers (void)
{
  g_autoptr(GPtrArray) servers = vdsmd_nameservers_parse (
    "# generated\n"
    "search example.com\n"
    "nameserver 10.0.0.2\n"
    "  nameserver\t2001:db8::53  # second\n"
    "nameserver\n"
    "options edns0\n");

  g_assert_cmpuint (servers->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (servers, 0), ==, "10.0.0.2");
  g_assert_cmpstr (g_ptr_array_index (servers, 1), ==, "2001:db8::53");
}

/* A fake /sys/class/net: a NIC, a bond of two, a bridge with a port, a
 * VLAN over the bond and the loopback. */
static void
test_links (void)
{
  g_autofree char *root = tree_new ();
  g_autoptr(GPtrArray) links = NULL;
  const VdsmdLink *l;

  tree_file (root, "bond0/flags", "0x1403\n");
  tree_file (root, "bond0/carrier", "1\n");
  tree_file (root, "bond0/address", "52:54:00:00:00:0b\n");
  tree_file (root, "bond0/mtu", "9000\n");
  tree_file (root, "bond0/speed", "20000\n");
  tree_file (root, "bond0/bonding/slaves", "eth1 eth2\n");
  tree_file (root, "bond0/bonding/active_slave", "\n");
  tree_file (root, "bond0/bonding/mode", "802.3ad 4\n");
  tree_file (root, "bond0/statistics/rx_dropped", "7\n");
  tree_file (root, "bond0.100/flags", "0x1003\n");
  tree_file (root, "bond0.100/carrier", "1\n");
  tree_file (root, "bond0.100/uevent", "DEVTYPE=vlan\nINTERFACE=bond0.100\n");
  tree_dir (root, "bond0.100/lower_bond0");
  tree_file (root, "bond0.100/mtu", "9000\n");
  tree_file (root, "eth0/flags", "0x1003\n");
  tree_file (root, "eth0/carrier", "1\n");
  tree_file (root, "eth0/address", "52:54:00:00:00:01\n");
  tree_file (root, "eth0/mtu", "1500\n");
  tree_file (root, "eth0/speed", "1000\n");
  tree_dir (root, "eth0/device");
  tree_file (root, "eth0/statistics/rx_bytes", "123456\n");
  tree_file (root, "eth0/statistics/tx_bytes", "654321\n");
  tree_file (root, "eth0/statistics/rx_dropped", "3\n");
  tree_file (root, "eth0/statistics/tx_errors", "1\n");
  /* Down: its speed is not read (the kernel refuses it). */
  tree_file (root, "eth3/flags", "0x1002\n");
  tree_file (root, "eth3/speed", "10000\n");
  tree_dir (root, "eth3/device");
  tree_file (root, "lo/flags", "0x9\n");
  tree_file (root, "lo/carrier", "1\n");
  tree_file (root, "ovirtmgmt/flags", "0x1003\n");
  tree_file (root, "ovirtmgmt/carrier", "1\n");
  tree_file (root, "ovirtmgmt/bridge/stp_state", "1\n");
  tree_dir (root, "ovirtmgmt/brif/eth0");
  tree_dir (root, "ovirtmgmt/brif/vnet0");

  links = vdsmd_links_read (root);
  g_assert_cmpuint (links->len, ==, 6);

  l = g_ptr_array_index (links, 0);
  g_assert_cmpstr (l->name, ==, "bond0");
  g_assert_cmpint (l->kind, ==, VDSMD_LINK_BOND);
  g_assert_cmpstr (l->mtu, ==, "9000");
  g_assert_cmpint (l->speed, ==, 20000);
  g_assert_cmpuint (l->slaves->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (l->slaves, 1), ==, "eth2");
  g_assert_cmpstr (l->active_slave, ==, "");
  g_assert_cmpstr (l->bond_mode, ==, "4");
  g_assert_cmpuint (l->rx_dropped, ==, 7);

  l = g_ptr_array_index (links, 1);
  g_assert_cmpstr (l->name, ==, "bond0.100");
  g_assert_cmpint (l->kind, ==, VDSMD_LINK_VLAN);
  g_assert_cmpstr (l->lower, ==, "bond0");
  g_assert_cmpstr (l->hwaddr, ==, "");

  l = g_ptr_array_index (links, 2);
  g_assert_cmpstr (l->name, ==, "eth0");
  g_assert_cmpint (l->kind, ==, VDSMD_LINK_NIC);
  g_assert_true (l->oper_up);
  g_assert_cmpint (l->speed, ==, 1000);
  g_assert_cmpstr (l->hwaddr, ==, "52:54:00:00:00:01");
  g_assert_cmpuint (l->rx_bytes, ==, 123456);
  g_assert_cmpuint (l->tx_bytes, ==, 654321);
  g_assert_cmpuint (l->rx_dropped, ==, 3);
  g_assert_cmpuint (l->tx_errors, ==, 1);

  l = g_ptr_array_index (links, 3);
  g_assert_cmpstr (l->name, ==, "eth3");
  g_assert_false (l->oper_up);
  g_assert_cmpint (l->speed, ==, 0);

  l = g_ptr_array_index (links, 4);
  g_assert_cmpstr (l->name, ==, "lo");
  g_assert_cmpint (l->kind, ==, VDSMD_LINK_OTHER);
  g_assert_true (l->oper_up);

  l = g_ptr_array_index (links, 5);
  g_assert_cmpstr (l->name, ==, "ovirtmgmt");
  g_assert_cmpint (l->kind, ==, VDSMD_LINK_BRIDGE);
  g_assert_true (l->stp);
  g_assert_cmpuint (l->ports->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (l->ports, 0), ==, "eth0");
  tree_remove (root);
}

/* ---- host configuration ---- */

static void
test_key_value (void)
{
  static const char conf[] =
    "# vnc_tls = 1\n"
    "vnc_listen = \"0.0.0.0\"\n"
    "vnc_tls=0\n"
    "  vnc_tls   =   1  \n"
    "novalue\n";
  g_autofree char *tls = vdsmd_key_value_parse (conf, "vnc_tls");
  g_autofree char *listen = vdsmd_key_value_parse (conf, "vnc_listen");
  g_autofree char *iqn = vdsmd_key_value_parse (
    "InitiatorName=iqn.1994-05.com.redhat:abc\n", "InitiatorName");

  g_assert_cmpstr (tls, ==, "1");
  g_assert_cmpstr (listen, ==, "\"0.0.0.0\"");
  g_assert_cmpstr (iqn, ==, "iqn.1994-05.com.redhat:abc");
  g_assert_null (vdsmd_key_value_parse (conf, "novalue"));
  g_assert_null (vdsmd_key_value_read ("/nonexistent", "vnc_tls"));
}

static void
test_selinux_kdump_autonuma (void)
{
  g_autofree char *root = tree_new ();
  g_autofree char *selinux = g_build_filename (root, "selinux", NULL);
  g_autofree char *loaded = g_build_filename (root, "kexec_crash_loaded", NULL);
  g_autofree char *kdump = g_build_filename (root, "kdump.conf", NULL);
  g_autofree char *missing = g_build_filename (root, "none", NULL);
  g_autofree char *enforcing = NULL;
  g_autofree char *disabled = NULL;

  tree_file (root, "selinux/enforce", "1");
  enforcing = vdsmd_selinux_mode_read (selinux);
  disabled = vdsmd_selinux_mode_read (missing);
  g_assert_cmpstr (enforcing, ==, "1");
  g_assert_cmpstr (disabled, ==, "-1");

  g_assert_cmpint (vdsmd_kdump_status_read (missing, kdump), ==, -1);
  tree_file (root, "kexec_crash_loaded", "0\n");
  g_assert_cmpint (vdsmd_kdump_status_read (loaded, kdump), ==, 0);
  tree_file (root, "kexec_crash_loaded", "1\n");
  g_assert_cmpint (vdsmd_kdump_status_read (loaded, kdump), ==, -1);
  tree_file (root, "kdump.conf", "path /var/crash\n");
  g_assert_cmpint (vdsmd_kdump_status_read (loaded, kdump), ==, 0);
  tree_file (root, "kdump.conf", "path /var/crash\nfence_kdump_nodes h1\n");
  g_assert_cmpint (vdsmd_kdump_status_read (loaded, kdump), ==, 1);

  g_assert_cmpint (vdsmd_autonuma_parse ("0\n"), ==, 0);
  g_assert_cmpint (vdsmd_autonuma_parse ("1\n"), ==, 1);
  g_assert_cmpint (vdsmd_autonuma_parse ("2\n"), ==, 2);
  g_assert_cmpint (vdsmd_autonuma_parse (""), ==, 2);
  tree_remove (root);
}

static void
test_fc_hosts (void)
{
  g_autofree char *root = tree_new ();
  g_autoptr(GPtrArray) hosts = NULL;
  const VdsmdFcHost *h;

  tree_file (root, "host3/port_name", "0x10000090fa1b2c3d\n");
  tree_file (root, "host3/node_name", "0x20000090fa1b2c3d\n");
  tree_file (root, "host3/device/scsi_host/host3/model_name", "QLE2562\n");
  tree_file (root, "host3/device/scsi_host/host3/model_desc",
             "8Gb FC Adapter\n");
  tree_file (root, "host5/port_name", "0x500143802426baf4\n");
  tree_file (root, "host5/node_name", "0x500143802426baf5\n");
  /* Without its names an adapter is not reported. */
  tree_dir (root, "host7");

  hosts = vdsmd_fc_hosts_read (root);
  g_assert_cmpuint (hosts->len, ==, 2);
  h = g_ptr_array_index (hosts, 0);
  g_assert_cmpstr (h->wwpn, ==, "10000090fa1b2c3d");
  g_assert_cmpstr (h->wwnn, ==, "20000090fa1b2c3d");
  g_assert_cmpstr (h->model, ==, "QLE2562 - 8Gb FC Adapter");
  h = g_ptr_array_index (hosts, 1);
  g_assert_cmpstr (h->wwpn, ==, "500143802426baf4");
  g_assert_cmpstr (h->model, ==, "Unknown - Unknown");
  tree_remove (root);
}

static void
test_hostdev_passthrough (void)
{
  g_autofree char *root = tree_new ();

  g_assert_false (vdsmd_hostdev_passthrough_supported (root));
  tree_dir (root, "kernel/iommu_groups/0");
  tree_dir (root, "class/iommu");
#if !defined(__powerpc__) && !defined(__powerpc64__)
  g_assert_false (vdsmd_hostdev_passthrough_supported (root));
#endif
  tree_dir (root, "class/iommu/dmar0");
  g_assert_true (vdsmd_hostdev_passthrough_supported (root));
  tree_remove (root);
}

/* ---- libvirt's capabilities: the NUMA topology ---- */

static void
test_caps_cells (void)
{
  static const char xml[] =
    "<capabilities><host><uuid>a8f1e4a6-0000-4000-8000-000000000001</uuid>"
    "<cpu><arch>x86_64</arch><model>Skylake</model></cpu>"
    "<topology><cells num='2'>"
    "<cell id='0'><memory unit='KiB'>8388608</memory>"
    "<pages unit='KiB' size='4'>2097152</pages>"
    "<pages unit='KiB' size='2048'>16</pages>"
    "<distances><sibling id='0' value='10'/><sibling id='1' value='21'/></distances>"
    "<cpus num='2'>"
    "<cpu id='0' socket_id='0' die_id='0' core_id='0' siblings='0,2'/>"
    "<cpu id='2' socket_id='0' core_id='0' siblings='0,2'/>"
    "</cpus></cell>"
    "<cell id='1'><memory unit='KiB'>4194304</memory>"
    "<distances><sibling id='0' value='21'/><sibling id='1' value='10'/></distances>"
    "<cpus num='1'><cpu id='1'/></cpus></cell>"
    "</cells></topology></host></capabilities>";
  g_autoptr(GError) error = NULL;
  g_autoptr(VdsmdCapsXml) caps = vdsmd_caps_xml_parse (xml, &error);
  const VdsmdCapsCell *cell;
  const VdsmdCapsCpu *cpu;
  const VdsmdCapsPages *pages;

  g_assert_no_error (error);
  g_assert_cmpuint (caps->cells->len, ==, 2);
  cell = g_ptr_array_index (caps->cells, 0);
  g_assert_cmpint (cell->id, ==, 0);
  g_assert_cmpuint (cell->memory_kib, ==, 8388608);
  g_assert_cmpuint (cell->pages->len, ==, 2);
  pages = &g_array_index (cell->pages, VdsmdCapsPages, 1);
  g_assert_cmpuint (pages->size_kib, ==, 2048);
  g_assert_cmpstr (pages->count, ==, "16");
  g_assert_cmpuint (cell->distances->len, ==, 2);
  g_assert_cmpuint (g_array_index (cell->distances, guint64, 1), ==, 21);
  g_assert_cmpuint (cell->cpus->len, ==, 2);
  cpu = &g_array_index (cell->cpus, VdsmdCapsCpu, 1);
  g_assert_cmpint (cpu->id, ==, 2);
  g_assert_cmpint (cpu->socket_id, ==, 0);
  /* Older libvirt writes no die_id: die 0. */
  g_assert_cmpint (cpu->die_id, ==, 0);
  g_assert_cmpstr (cpu->siblings, ==, "0,2");

  cell = g_ptr_array_index (caps->cells, 1);
  g_assert_cmpint (cell->id, ==, 1);
  g_assert_cmpuint (cell->pages->len, ==, 0);
  cpu = &g_array_index (cell->cpus, VdsmdCapsCpu, 0);
  g_assert_cmpint (cpu->id, ==, 1);
  g_assert_cmpint (cpu->socket_id, ==, -1);
  g_assert_null (cpu->siblings);

  /* The online CPUs, across cells, in document order. */
  g_assert_cmpuint (caps->cpu_ids->len, ==, 3);
  g_assert_cmpstr (caps->cpu_model, ==, "Skylake");
}

/* ---- a domain's definition ---- */

static void
test_domain_xml (void)
{
  static const char xml[] =
    "<domain type='kvm' id='3' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>"
    "<name>web01</name><uuid>1b4e28ba-2fa1-11d2-883f-0016d3cca427</uuid>"
    "<metadata xmlns:ns1='http://ovirt.org/vm/tune/1.0' xmlns:ovirt-vm='http://ovirt.org/vm/1.0'>"
    "<ns1:qos/>"
    "<ovirt-vm:vm xmlns:ovirt-vm='http://ovirt.org/vm/1.0'>"
    "<ovirt-vm:clusterVersion>4.7</ovirt-vm:clusterVersion>"
    "<ovirt-vm:minGuaranteedMemoryMb type='int'>1536</ovirt-vm:minGuaranteedMemoryMb>"
    "</ovirt-vm:vm></metadata>"
    "<description>minGuaranteedMemoryMb 99 &lt;not this&gt;</description>"
    "<memory unit='KiB'>2097152</memory>"
    "<currentMemory unit='KiB'>1048576</currentMemory>"
    "<memoryBacking><hugepages><page size='2048' unit='KiB'/></hugepages></memoryBacking>"
    "<vcpu placement='static' current='2'>16</vcpu>"
    "<features><acpi/><apic/></features>"
    "<clock offset='variable' adjustment='-3600' basis='utc'>"
    "<timer name='rtc' tickpolicy='catchup'/></clock>"
    "<devices>"
    "<disk type='file' device='disk'><target dev='vda' bus='virtio'/></disk>"
    "<interface type='bridge'><mac address='56:6f:1a:2b:00:01'/>"
    "<source bridge='ovirtmgmt'/><target dev='vnet0'/><model type='virtio'/></interface>"
    "<interface type='hostdev'><mac address='56:6f:1a:2b:00:02'/></interface>"
    "<interface type='network'><mac address='56:6f:1a:2b:00:03'/>"
    "<model type='e1000'/></interface>"
    "<graphics type='spice' port='5900' tlsPort='5901' autoport='yes'>"
    "<listen type='network' network='vdsm-ovirtmgmt'/>"
    "<listen type='address' address='192.0.2.10'/></graphics>"
    "<graphics type='vnc' port='5902'><listen type='address' address='192.0.2.10'/></graphics>"
    "</devices></domain>";
  g_autoptr(GError) error = NULL;
  g_autoptr(VdsmdDomainXml) d = vdsmd_domain_xml_parse (xml, &error);
  const VdsmdDomainNic *nic;
  const VdsmdDomainGraphics *g;

  g_assert_no_error (error);
  g_assert_cmpstr (d->type, ==, "kvm");
  g_assert_true (d->acpi);
  g_assert_cmpstr (d->time_offset, ==, "-3600");
  g_assert_cmpuint (d->memory_kib, ==, 2097152);
  g_assert_cmpuint (d->vcpus, ==, 2);
  g_assert_true (d->hugepages);
  g_assert_cmpuint (d->guaranteed_mib, ==, 1536);

  g_assert_cmpuint (d->nics->len, ==, 3);
  nic = vdsmd_domain_xml_find_nic (d, "vnet0");
  g_assert_nonnull (nic);
  g_assert_cmpstr (nic->mac, ==, "56:6f:1a:2b:00:01");
  g_assert_cmpstr (nic->model, ==, "virtio");
  g_assert_false (nic->hostdev);
  nic = &g_array_index (d->nics, VdsmdDomainNic, 1);
  g_assert_true (nic->hostdev);
  g_assert_null (nic->name);
  nic = &g_array_index (d->nics, VdsmdDomainNic, 2);
  g_assert_cmpstr (nic->model, ==, "e1000");
  g_assert_null (vdsmd_domain_xml_find_nic (d, "vnet9"));

  g_assert_cmpuint (d->graphics->len, ==, 2);
  g = &g_array_index (d->graphics, VdsmdDomainGraphics, 0);
  g_assert_cmpstr (g->type, ==, "spice");
  g_assert_cmpstr (g->port, ==, "5900");
  g_assert_cmpstr (g->tls_port, ==, "5901");
  /* display_info reads the first <listen>: one without an address. */
  g_assert_cmpstr (g->address, ==, "0");
  g = &g_array_index (d->graphics, VdsmdDomainGraphics, 1);
  g_assert_cmpstr (g->type, ==, "vnc");
  g_assert_cmpstr (g->tls_port, ==, "");
  g_assert_cmpstr (g->address, ==, "192.0.2.10");
}

/* What libvirt's test driver writes: no ACPI, no clock adjustment, a
 * plain vcpu count. */
static void
test_domain_xml_plain (void)
{
  static const char xml[] =
    "<domain type='test' id='1'><name>web01</name>"
    "<memory unit='KiB'>2097152</memory>"
    "<vcpu placement='static'>2</vcpu>"
    "<clock offset='utc'/>"
    "<devices><interface type='network'><mac address='52:54:00:10:00:01'/>"
    "<source network='ovirtmgmt'/><target dev='testnet0'/></interface>"
    "</devices></domain>";
  g_autoptr(GError) error = NULL;
  g_autoptr(VdsmdDomainXml) d = vdsmd_domain_xml_parse (xml, &error);
  const VdsmdDomainNic *nic;

  g_assert_no_error (error);
  g_assert_cmpstr (d->type, ==, "test");
  g_assert_false (d->acpi);
  g_assert_cmpstr (d->time_offset, ==, "0");
  g_assert_cmpuint (d->vcpus, ==, 2);
  g_assert_false (d->hugepages);
  g_assert_cmpuint (d->guaranteed_mib, ==, 0);
  g_assert_cmpuint (d->graphics->len, ==, 0);
  nic = vdsmd_domain_xml_find_nic (d, "testnet0");
  g_assert_nonnull (nic);
  g_assert_cmpstr (nic->model, ==, "");

  g_assert_null (vdsmd_domain_xml_parse ("<domain><name>x</domain>", &error));
  g_assert_nonnull (error);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/host-info/meminfo", test_meminfo);
  g_test_add_func ("/host-info/proc-stat", test_proc_stat);
  g_test_add_func ("/host-info/pid-stat", test_pid_stat);
  g_test_add_func ("/host-info/kernel-thread", test_kernel_thread_find);
  g_test_add_func ("/host-info/loadavg", test_loadavg);
  g_test_add_func ("/host-info/thp-mode", test_thp_mode);
  g_test_add_func ("/host-info/ksm", test_ksm);
  g_test_add_func ("/host-net/vlan-ids", test_vlan_ids);
  g_test_add_func ("/host-net/gateways", test_gateways);
  g_test_add_func ("/host-net/primary-ipv4", test_primary_ipv4);
  g_test_add_func ("/host-net/nameservers", test_nameservers);
  g_test_add_func ("/host-net/links", test_links);
  g_test_add_func ("/host-config/key-value", test_key_value);
  g_test_add_func ("/host-config/selinux-kdump-autonuma",
                   test_selinux_kdump_autonuma);
  g_test_add_func ("/host-config/fc-hosts", test_fc_hosts);
  g_test_add_func ("/host-config/hostdev-passthrough",
                   test_hostdev_passthrough);
  g_test_add_func ("/caps-xml/cells", test_caps_cells);
  g_test_add_func ("/domain-xml/full", test_domain_xml);
  g_test_add_func ("/domain-xml/plain", test_domain_xml_plain);
  return g_test_run ();
}
