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

#include "vdsmd-domain-stats.h"
#include "vdsmd-domain.h"

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
  g_assert_cmpuint (s->cpu_time, >, 0);
  /* The test driver's guests report no memory figures. */
  g_assert_false (s->has_mem_usage);
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
      g_assert_cmpint (one.has_mem_usage, ==, item->has_mem_usage);
      check_against_domain (&one);
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

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/domain-stats/list-all", test_list_all);
  g_test_add_func ("/domain-stats/read-one", test_read_one);
  g_test_add_func ("/domain-stats/follows-changes", test_follows_changes);
  g_test_add_func ("/domain-stats/uuid-text", test_uuid_text);
  return g_test_run ();
}
