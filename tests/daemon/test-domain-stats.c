/* test-domain-stats.c: the bulk read of every domain's statistics gives what
 * libvirt's per-domain calls give, on libvirt's test driver with the
 * repository's data/host.xml.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <glib.h>
#include <libvirt/libvirt.h>
#include <string.h>

#include "vdsmd-context.h"
#include "vdsmd-domain-stats.h"
#include "vdsmd-domain.h"
#include "vdsmd-status.h"

/* The guests of data/host.xml by name, as the list must order them. */
static const char *const expected_names[] = {
  "backup01", "batch01", "db01", "template01", "web01",
};

#define NEW_DOMAIN_UUID "0b5e7d1c-3a2f-4e6d-9c8b-7a6f5e4d3c2b"
#define NEW_DOMAIN_XML \
  "<domain type='test'><name>aaa-new</name>" \
  "<uuid>" NEW_DOMAIN_UUID "</uuid>" \
  "<memory unit='MiB'>256</memory><vcpu>3</vcpu>" \
  "<os><type arch='x86_64'>hvm</type></os></domain>"

static virConnectPtr
open_host (void)
{
  const char *root = g_getenv ("VDSM_SOURCE_ROOT");
  g_autofree char *uri = NULL;
  virConnectPtr conn;

  g_assert_nonnull (root);
  uri = g_strdup_printf ("test://%s/data/host.xml", root);
  conn = virConnectOpen (uri);

  g_assert_nonnull (conn);
  return conn;
}

/* @s says what libvirt's per-domain calls say of its domain. */
static void
check_against_domain (const VdsmdDomainStats *s)
{
  char uuid[VIR_UUID_STRING_BUFLEN];
  int state, reason;
  virDomainInfo info;

  g_assert_cmpint (virDomainGetUUIDString (s->dom, uuid), ==, 0);
  g_assert_cmpstr (s->uuid, ==, uuid);
  g_assert_cmpstr (s->name, ==, virDomainGetName (s->dom));
  g_assert_cmpint (virDomainGetState (s->dom, &state, &reason, 0), ==, 0);
  g_assert_cmpint (s->state, ==, state);
  g_assert_cmpint (s->reason, ==, reason);
  if (!vdsmd_domain_state_is_active (state))
    return;
  g_assert_cmpint (virDomainGetInfo (s->dom, &info), ==, 0);
  g_assert_cmpuint (s->vcpus, ==, info.nrVirtCpu);
  g_assert_cmpuint (s->counters.cpu_time, >, 0);
  /* The test driver's guests report no memory figures. */
  g_assert_false (s->has_balloon_memory);
}

static void
test_list_all (void)
{
  virConnectPtr conn = open_host ();
  g_autoptr(GError) error = NULL;
  g_autoptr(VdsmdDomainStatsList) list =
    vdsmd_domain_stats_list_all (conn, &error);
  guint active = 0;

  g_assert_no_error (error);
  g_assert_nonnull (list);
  g_assert_cmpuint (list->n, ==, G_N_ELEMENTS (expected_names));
  for (gsize i = 0; i < list->n; i++)
    {
      g_assert_cmpstr (list->items[i].name, ==, expected_names[i]);
      check_against_domain (&list->items[i]);
      if (vdsmd_domain_state_is_active (list->items[i].state))
        active++;
    }
  /* Two running and one paused guest. */
  g_assert_cmpuint (active, ==, 3);

  g_clear_pointer (&list, vdsmd_domain_stats_list_free);
  virConnectClose (conn);
}

/* One domain read alone matches its entry of the whole list. */
static void
test_read_one (void)
{
  virConnectPtr conn = open_host ();
  g_autoptr(VdsmdDomainStatsList) list =
    vdsmd_domain_stats_list_all (conn, NULL);

  g_assert_nonnull (list);
  for (gsize i = 0; i < list->n; i++)
    {
      const VdsmdDomainStats *item = &list->items[i];
      VdsmdDomainStats one;

      g_assert_true (vdsmd_domain_stats_read (item->dom, &one, NULL));
      g_assert_cmpstr (one.uuid, ==, item->uuid);
      g_assert_cmpstr (one.name, ==, item->name);
      g_assert_cmpint (one.state, ==, item->state);
      g_assert_cmpint (one.reason, ==, item->reason);
      g_assert_cmpuint (one.vcpus, ==, item->vcpus);
      g_assert_cmpint (one.has_balloon_memory, ==, item->has_balloon_memory);
      check_against_domain (&one);
      vdsmd_domain_stats_clear (&one);
    }

  g_clear_pointer (&list, vdsmd_domain_stats_list_free);
  virConnectClose (conn);
}

/* Domains defined, started and undefined after the connection opened are
 * seen as they are now. */
static void
test_follows_changes (void)
{
  virConnectPtr conn = open_host ();
  virDomainPtr dom = virDomainDefineXML (conn, NEW_DOMAIN_XML);
  g_autoptr(VdsmdDomainStatsList) list = NULL;

  g_assert_nonnull (dom);
  list = vdsmd_domain_stats_list_all (conn, NULL);
  g_assert_nonnull (list);
  g_assert_cmpuint (list->n, ==, G_N_ELEMENTS (expected_names) + 1);
  g_assert_cmpstr (list->items[0].uuid, ==, NEW_DOMAIN_UUID);
  g_assert_cmpint (list->items[0].state, ==, VIR_DOMAIN_SHUTOFF);
  g_clear_pointer (&list, vdsmd_domain_stats_list_free);

  g_assert_cmpint (virDomainCreate (dom), ==, 0);
  list = vdsmd_domain_stats_list_all (conn, NULL);
  g_assert_nonnull (list);
  g_assert_cmpint (list->items[0].state, ==, VIR_DOMAIN_RUNNING);
  g_assert_cmpuint (list->items[0].vcpus, ==, 3);
  check_against_domain (&list->items[0]);
  g_clear_pointer (&list, vdsmd_domain_stats_list_free);

  g_assert_cmpint (virDomainDestroy (dom), ==, 0);
  g_assert_cmpint (virDomainUndefine (dom), ==, 0);
  list = vdsmd_domain_stats_list_all (conn, NULL);
  g_assert_nonnull (list);
  g_assert_cmpuint (list->n, ==, G_N_ELEMENTS (expected_names));
  g_assert_cmpstr (list->items[0].name, ==, expected_names[0]);
  g_clear_pointer (&list, vdsmd_domain_stats_list_free);

  virDomainFree (dom);
  virConnectClose (conn);
}

/* Our UUID text is libvirt's, for UUIDs with every hex digit. */
static void
test_uuid_text (void)
{
  static const char *const uuids[] = {
    "00000000-0000-0000-0000-000000000000",
    "ffffffff-ffff-ffff-ffff-ffffffffffff",
    "01234567-89ab-cdef-fedc-ba9876543210",
  };
  virConnectPtr conn = open_host ();

  for (gsize i = 0; i < G_N_ELEMENTS (uuids); i++)
    {
      g_autofree char *xml = g_strdup_printf (
        "<domain type='test'><name>uuid%" G_GSIZE_FORMAT "</name>"
        "<uuid>%s</uuid><memory>65536</memory>"
        "<os><type arch='x86_64'>hvm</type></os></domain>", i, uuids[i]);
      g_autoptr(virDomain) dom = virDomainDefineXML (conn, xml);
      char text[VIR_UUID_STRING_BUFLEN];

      g_assert_nonnull (dom);
      g_assert_true (vdsmd_domain_uuid_string (dom, text));
      g_assert_cmpstr (text, ==, uuids[i]);
    }
  virConnectClose (conn);
}

/* ---- libvirt's bulk statistics of one domain, as qemu gives them ---- */

#define P_INT(f, v) { f, VIR_TYPED_PARAM_INT, { .i = v } }
#define P_UINT(f, v) { f, VIR_TYPED_PARAM_UINT, { .ui = v } }
#define P_ULL(f, v) { f, VIR_TYPED_PARAM_ULLONG, { .ul = v } }
#define P_STR(f, v) { f, VIR_TYPED_PARAM_STRING, { .s = (char *) v } }

static void
test_take_params (void)
{
  virTypedParameter params[] = {
    P_INT ("state.state", VIR_DOMAIN_RUNNING), P_INT ("state.reason", 1),
    P_ULL ("cpu.time", 9000000000), P_ULL ("cpu.user", 5000000000),
    P_ULL ("cpu.system", 3000000000),
    P_ULL ("balloon.current", 2097152), P_ULL ("balloon.maximum", 2097152),
    P_ULL ("balloon.available", 2000000), P_ULL ("balloon.unused", 1500000),
    P_ULL ("balloon.disk_caches", 100000),
    P_UINT ("vcpu.current", 2), P_UINT ("vcpu.maximum", 4),
    P_UINT ("net.count", 2),
    P_STR ("net.0.name", "vnet0"), P_ULL ("net.0.rx.bytes", 1000),
    P_ULL ("net.0.rx.pkts", 10), P_ULL ("net.0.rx.errs", 1),
    P_ULL ("net.0.rx.drop", 2), P_ULL ("net.0.tx.bytes", 2000),
    P_ULL ("net.0.tx.pkts", 20), P_ULL ("net.0.tx.errs", 3),
    P_ULL ("net.0.tx.drop", 4),
    /* A second interface whose counters libvirt could not read. */
    P_STR ("net.1.name", "vnet1"), P_ULL ("net.1.rx.bytes", 5),
    /* An index beyond the count is not taken. */
    P_STR ("net.7.name", "ghost"),
    P_UINT ("block.count", 2),
    P_STR ("block.0.name", "vda"), P_STR ("block.0.path", "/images/a.qcow2"),
    P_ULL ("block.0.rd.reqs", 100), P_ULL ("block.0.rd.bytes", 409600),
    P_ULL ("block.0.rd.times", 5000000), P_ULL ("block.0.wr.reqs", 50),
    P_ULL ("block.0.wr.bytes", 204800), P_ULL ("block.0.wr.times", 7000000),
    P_ULL ("block.0.fl.reqs", 5), P_ULL ("block.0.fl.times", 900000),
    P_ULL ("block.0.allocation", 1073741824),
    P_ULL ("block.0.capacity", 10737418240),
    P_ULL ("block.0.physical", 1074000000),
    /* An empty CD-ROM: a name, no counters. */
    P_STR ("block.1.name", "sdc"),
  };
  VdsmdDomainStats s = { 0 };
  const VdsmdNetStats *net;
  const VdsmdBlockStats *block;

  vdsmd_domain_stats_take_params (&s, params, G_N_ELEMENTS (params));
  g_assert_cmpint (s.state, ==, VIR_DOMAIN_RUNNING);
  g_assert_cmpuint (s.vcpus, ==, 2);
  g_assert_true (s.counters.has_cpu_split);
  g_assert_cmpuint (s.counters.cpu_time, ==, 9000000000);
  g_assert_cmpuint (s.counters.cpu_user, ==, 5000000000);
  g_assert_cmpuint (s.counters.cpu_system, ==, 3000000000);
  g_assert_true (s.has_balloon_memory);
  g_assert_cmpuint (s.balloon_maximum, ==, 2097152);
  g_assert_cmpuint (s.balloon_unused, ==, 1500000);
  g_assert_cmpuint (s.balloon_disk_caches, ==, 100000);

  g_assert_cmpuint (s.nets->len, ==, 2);
  net = &g_array_index (s.nets, VdsmdNetStats, 0);
  g_assert_true (vdsmd_net_stats_complete (net));
  g_assert_cmpstr (net->name, ==, "vnet0");
  g_assert_cmpuint (net->rx_bytes, ==, 1000);
  g_assert_cmpuint (net->rx_drop, ==, 2);
  g_assert_cmpuint (net->tx_errs, ==, 3);
  g_assert_false (vdsmd_net_stats_complete (&g_array_index (s.nets,
                                                            VdsmdNetStats, 1)));

  g_assert_cmpuint (s.counters.blocks->len, ==, 2);
  block = &g_array_index (s.counters.blocks, VdsmdBlockStats, 0);
  g_assert_true (vdsmd_block_stats_complete (block));
  g_assert_cmpstr (block->name, ==, "vda");
  g_assert_cmpuint (block->rd_times, ==, 5000000);
  g_assert_cmpuint (block->fl_reqs, ==, 5);
  g_assert_cmpuint (block->allocation, ==, 1073741824);
  g_assert_cmpuint (block->physical, ==, 1074000000);
  g_assert_false (vdsmd_block_stats_complete (
    &g_array_index (s.counters.blocks, VdsmdBlockStats, 1)));

  /* The copy kept for the next sample owns its own names. */
  {
    g_autoptr(VdsmdDomainCounters) copy =
      vdsmd_domain_counters_copy (&s.counters);

    vdsmd_domain_stats_clear (&s);
    g_assert_cmpstr (g_array_index (copy->blocks, VdsmdBlockStats, 0).name,
                     ==, "vda");
    g_assert_true (copy->has_cpu_split);
  }
}

/* Without the user/system split or the guest's memory figures (the test
 * driver's records): nothing is made up. */
static void
test_take_params_partial (void)
{
  virTypedParameter params[] = {
    P_INT ("state.state", VIR_DOMAIN_PAUSED), P_INT ("state.reason", 2),
    P_ULL ("cpu.time", 42), P_ULL ("cpu.user", 40),
    P_ULL ("balloon.current", 1024), P_ULL ("balloon.available", 1000),
    P_UINT ("net.count", 100000),
  };
  VdsmdDomainStats s = { 0 };

  vdsmd_domain_stats_take_params (&s, params, G_N_ELEMENTS (params));
  g_assert_cmpint (s.state, ==, VIR_DOMAIN_PAUSED);
  g_assert_false (s.counters.has_cpu_split);
  g_assert_false (s.has_balloon_memory);
  /* A count is bounded by what a domain can have. */
  g_assert_cmpuint (s.nets->len, <=, 4096);
  for (guint i = 0; i < s.nets->len; i++)
    g_assert_false (vdsmd_net_stats_complete (&g_array_index (s.nets,
                                                              VdsmdNetStats,
                                                              i)));
  vdsmd_domain_stats_clear (&s);
}

/* ---- the VmStats record of a running VM, from fixed counters ---- */

#define WEB01_UUID "1b4e28ba-2fa1-11d2-883f-0016d3cca427"

static void
add_block (VdsmdDomainStats *s, const char *name, guint64 rd_reqs,
           guint64 rd_bytes, guint64 rd_times)
{
  VdsmdBlockStats b = { g_strdup (name), rd_reqs, rd_bytes, rd_times,
                        0, 0, 0, 0, 0, 4096, 8192, 0xff };

  g_array_append_val (s->counters.blocks, b);
}

/* web01 of host.xml as qemu would report it: the user/system split of its
 * CPU time, its disk, its interface (testnet0 in its definition). */
static void
fake_stats (VdsmdDomainStats *s, virDomainPtr dom, gint64 at,
            guint64 cpu_time, guint64 cpu_user, guint64 cpu_system,
            guint64 rd_reqs, guint64 rd_bytes, guint64 rd_times)
{
  virTypedParameter params[] = {
    P_INT ("state.state", VIR_DOMAIN_RUNNING), P_INT ("state.reason", 1),
    P_ULL ("cpu.time", cpu_time), P_ULL ("cpu.user", cpu_user),
    P_ULL ("cpu.system", cpu_system), P_UINT ("vcpu.current", 2),
    P_ULL ("balloon.maximum", 2097152), P_ULL ("balloon.available", 2000000),
    P_ULL ("balloon.unused", 1000000), P_ULL ("balloon.disk_caches", 48576),
    P_UINT ("net.count", 1), P_STR ("net.0.name", "testnet0"),
    P_ULL ("net.0.rx.bytes", 10), P_ULL ("net.0.rx.errs", 0),
    P_ULL ("net.0.rx.drop", 1), P_ULL ("net.0.tx.bytes", 20),
    P_ULL ("net.0.tx.errs", 0), P_ULL ("net.0.tx.drop", 2),
  };

  memset (s, 0, sizeof *s);
  s->dom = dom;
  s->name = virDomainGetName (dom);
  g_assert_true (vdsmd_domain_uuid_string (dom, s->uuid));
  vdsmd_domain_stats_take_params (s, params, G_N_ELEMENTS (params));
  add_block (s, "vda", rd_reqs, rd_bytes, rd_times);
  s->counters.taken_at = at;
}

static VdsmRunningVmStats *
running (VdsmVmStats *stats)
{
  g_assert_nonnull (stats);
  g_assert_cmpint (stats->kind, ==, VDSM_VM_STATS_KIND_RUNNING_VM_STATS);
  return stats->running_vm_stats;
}

static void
test_vm_stats_rates (void)
{
  virConnectPtr conn = open_host ();
  g_autoptr(virDomain) dom = virDomainLookupByUUIDString (conn, WEB01_UUID);
  g_autoptr(VdsmdContext) ctx = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(VdsmVmStats) first = NULL;
  g_autoptr(VdsmVmStats) second = NULL;
  VdsmdDomainStats s;
  VdsmRunningVmStats *r;
  VdsmVmDiskStats *disk;
  VdsmNetworkInterfaceStats *nic;

  g_assert_nonnull (dom);
  /* The context owns the connection. */
  ctx = vdsmd_context_new (conn);

  /* The first record has nothing to measure against: VDSM's values for
   * no interval yet. */
  fake_stats (&s, dom, 1000000, 10000000000, 4000000000, 2000000000,
              100, 409600, 5000000);
  first = vdsmd_vm_stats_new (ctx, &s, &error);
  vdsmd_domain_stats_clear (&s);
  g_assert_no_error (error);
  r = running (first);
  g_assert_false (r->cpu_actual);
  g_assert_cmpstr (r->cpu_user, ==, "0.00");
  g_assert_cmpstr (r->cpu_sys, ==, "0.00");
  g_assert_cmpstr (r->cpu_usage, ==, "6000000000");
  disk = vdsm_vm_disk_stats_map_lookup (r->disks, "vda");
  g_assert_nonnull (disk);
  g_assert_cmpstr (disk->read_rate, ==, "0.0");
  g_assert_cmpstr (disk->read_latency, ==, "0");
  g_assert_cmpstr (disk->read_ops, ==, "100");
  g_assert_cmpstr (disk->truesize, ==, "4096");
  g_assert_cmpstr (disk->apparentsize, ==, "8192");
  /* 100 - (1000000 + 48576) / 2097152 KiB * 100 = 50 */
  g_assert_cmpstr (r->mem_usage, ==, "50");
  nic = vdsm_network_interface_stats_map_lookup (r->network, "testnet0");
  g_assert_nonnull (nic);
  g_assert_cmpstr (nic->mac_addr, ==, "52:54:00:10:00:01");
  g_assert_cmpstr (nic->rx_dropped, ==, "1");
  g_assert_cmpstr (nic->tx, ==, "20");
  /* No model in the definition: VDSM assumes 100 Mb/s. */
  g_assert_cmpstr (nic->speed, ==, "100");
  g_assert_cmpint (nic->state, ==, VDSM_NETWORK_INTERFACE_STATE_UNKNOWN);
  g_assert_cmpstr (r->vm_type, ==, "test");
  g_assert_cmpstr (r->kvm_enable, ==, "false");
  g_assert_cmpstr (r->time_offset, ==, "0");
  g_assert_cmpuint (r->display_info->len, ==, 0);

  /* Two seconds later: 1 s of user+system CPU and 3 s of CPU time in all
   * are 50 % and 100 % of one CPU; 100 reads of 409600 bytes that took
   * 5 ms are 204800 B/s at 50000 ns each. */
  fake_stats (&s, dom, 3000000, 13000000000, 4600000000, 2400000000,
              200, 819200, 10000000);
  second = vdsmd_vm_stats_new (ctx, &s, &error);
  vdsmd_domain_stats_clear (&s);
  g_assert_no_error (error);
  r = running (second);
  g_assert_true (r->cpu_actual);
  g_assert_cmpstr (r->cpu_sys, ==, "50.00");
  g_assert_cmpstr (r->cpu_user, ==, "100.00");
  disk = vdsm_vm_disk_stats_map_lookup (r->disks, "vda");
  g_assert_cmpstr (disk->read_rate, ==, "204800.00");
  g_assert_cmpstr (disk->read_latency, ==, "50000.00");
  /* No writes in the interval. */
  g_assert_cmpstr (disk->write_latency, ==, "0");
  g_assert_cmpstr (disk->write_rate, ==, "0.00");
}

/* A definition is read once, until libvirt reports a change. */
static void
test_definition_cache (void)
{
  virConnectPtr conn = open_host ();
  g_autoptr(virDomain) dom = virDomainLookupByUUIDString (conn, WEB01_UUID);
  g_autoptr(VdsmdContext) ctx = vdsmd_context_new (conn);
  g_autoptr(VdsmdDomainXml) first = NULL;
  g_autoptr(VdsmdDomainXml) again = NULL;
  g_autoptr(VdsmdDomainXml) fresh = NULL;
  g_autofree char *none = NULL;
  g_autofree char *client = NULL;
  g_autofree char *still = NULL;
  g_autofree char *gone = NULL;

  first = vdsmd_context_definition (ctx, dom, WEB01_UUID, NULL);
  again = vdsmd_context_definition (ctx, dom, WEB01_UUID, NULL);
  g_assert_nonnull (first);
  g_assert_true (first == again);
  vdsmd_context_definition_changed (ctx, WEB01_UUID);
  fresh = vdsmd_context_definition (ctx, dom, WEB01_UUID, NULL);
  g_assert_nonnull (fresh);
  g_assert_true (fresh != first);
  g_assert_cmpuint (fresh->memory_kib, ==, first->memory_kib);

  /* The display client: a disconnect from another address is not ours. */
  none = vdsmd_context_client_ip (ctx, WEB01_UUID);
  g_assert_cmpstr (none, ==, "");
  vdsmd_context_display_client (ctx, WEB01_UUID, "192.0.2.7", TRUE);
  client = vdsmd_context_client_ip (ctx, WEB01_UUID);
  g_assert_cmpstr (client, ==, "192.0.2.7");
  vdsmd_context_display_client (ctx, WEB01_UUID, "192.0.2.8", FALSE);
  still = vdsmd_context_client_ip (ctx, WEB01_UUID);
  g_assert_cmpstr (still, ==, "192.0.2.7");
  vdsmd_context_display_client (ctx, WEB01_UUID, "192.0.2.7", FALSE);
  gone = vdsmd_context_client_ip (ctx, WEB01_UUID);
  g_assert_cmpstr (gone, ==, "");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/domain-stats/list-all", test_list_all);
  g_test_add_func ("/domain-stats/read-one", test_read_one);
  g_test_add_func ("/domain-stats/follows-changes", test_follows_changes);
  g_test_add_func ("/domain-stats/uuid-text", test_uuid_text);
  g_test_add_func ("/domain-stats/take-params", test_take_params);
  g_test_add_func ("/domain-stats/take-params-partial",
                   test_take_params_partial);
  g_test_add_func ("/domain-stats/vm-stats-rates", test_vm_stats_rates);
  g_test_add_func ("/domain-stats/definition-cache", test_definition_cache);
  return g_test_run ();
}
