/* vdsmd-caps-net.c: the network members of Host.getCapabilities.
 *
 * VDSM reports every NIC, bond, bridge and VLAN of the host with its
 * addresses, and, under "networks", the networks VDSM itself configured;
 * vdsmd configures none. Whether a device takes its addresses from DHCP
 * VDSM learns from NetworkManager (nmstate), and says false for a device
 * NetworkManager does not report: vdsmd does not ask it, so it says false.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "vdsmd-caps-net.h"

#include <sys/socket.h>
#include <unistd.h>

#include "vdsmd-host-info.h"
#include "vdsmd-host-net.h"

/* The IP configuration of one device, as VDSM's cache._devinfo. */
typedef struct {
  char *addr;
  char *netmask;
  char *gateway;
  char *ipv6gateway;
  GPtrArray *ipv4;
  GPtrArray *ipv6;
  gboolean ipv6autoconf;
} DevIp;

/* What the devices share: the host's addresses and routing tables. */
typedef struct {
  GHashTable *addresses;    /* VdsmdAddresses * by device */
  char *routes;             /* /proc/net/route, or "" */
  char *routes6;            /* /proc/net/ipv6_route, or "" */
} HostIp;

static void
host_ip_clear (HostIp *host)
{
  g_clear_pointer (&host->addresses, g_hash_table_unref);
  g_clear_pointer (&host->routes, g_free);
  g_clear_pointer (&host->routes6, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (HostIp, host_ip_clear)

static void
host_ip_read (HostIp *host)
{
  host->addresses = vdsmd_addresses_read ();
  if (!g_file_get_contents ("/proc/net/route", &host->routes, NULL, NULL))
    host->routes = g_strdup ("");
  if (!g_file_get_contents ("/proc/net/ipv6_route", &host->routes6, NULL,
                            NULL))
    host->routes6 = g_strdup ("");
}

static void
dev_ip_read (const HostIp *host, const char *dev, DevIp *ip)
{
  VdsmdAddresses *a = g_hash_table_lookup (host->addresses, dev);
  g_autofree char *autoconf = g_build_filename ("/proc/sys/net/ipv6/conf",
                                                dev, "autoconf", NULL);
  guint64 value = 0;

  ip->gateway = vdsmd_ipv4_gateway_parse (host->routes, dev);
  ip->ipv6gateway = vdsmd_ipv6_gateway_parse (host->routes6, dev);
  ip->ipv4 = vdsmd_strings_copy (a != NULL ? a->ipv4 : NULL);
  ip->ipv6 = vdsmd_strings_copy (a != NULL ? a->ipv6 : NULL);
  vdsmd_primary_ipv4 (ip->ipv4, ip->gateway, &ip->addr, &ip->netmask);
  ip->ipv6autoconf = vdsmd_read_uint_file (autoconf, &value) && value != 0;
}

static VdsmNetInfoNic *
nic_new (const VdsmdLink *link, DevIp *ip)
{
  VdsmNetInfoNic *nic = vdsm_net_info_nic_new ();

  nic->hwaddr = g_strdup (link->hwaddr);
  nic->mtu = g_strdup (link->mtu);
  nic->speed = link->speed;
  nic->addr = g_steal_pointer (&ip->addr);
  nic->netmask = g_steal_pointer (&ip->netmask);
  nic->ipv4addrs = g_steal_pointer (&ip->ipv4);
  nic->ipv6addrs = g_steal_pointer (&ip->ipv6);
  nic->ipv4defaultroute = ip->gateway[0] != '\0';
  nic->has_ipv4defaultroute = TRUE;
  nic->gateway = g_steal_pointer (&ip->gateway);
  nic->ipv6gateway = g_steal_pointer (&ip->ipv6gateway);
  nic->ipv6autoconf = ip->ipv6autoconf;
  nic->has_ipv6autoconf = TRUE;
  return nic;
}

static VdsmNetInfoBond *
bond_new (const VdsmdLink *link, DevIp *ip)
{
  VdsmNetInfoBond *bond = vdsm_net_info_bond_new ();

  bond->hwaddr = g_strdup (link->hwaddr);
  bond->mtu = g_strdup (link->mtu);
  bond->slaves = vdsmd_strings_copy (link->slaves);
  bond->active_slave = g_strdup (link->active_slave);
  bond->opts = vdsm_string_map_new ();
  vdsm_string_map_insert (bond->opts, "mode", link->bond_mode);
  bond->switch_ = g_strdup ("legacy");
  bond->addr = g_steal_pointer (&ip->addr);
  bond->netmask = g_steal_pointer (&ip->netmask);
  bond->ipv4addrs = g_steal_pointer (&ip->ipv4);
  bond->ipv6addrs = g_steal_pointer (&ip->ipv6);
  bond->ipv4defaultroute = ip->gateway[0] != '\0';
  bond->has_ipv4defaultroute = TRUE;
  bond->gateway = g_steal_pointer (&ip->gateway);
  bond->ipv6gateway = g_steal_pointer (&ip->ipv6gateway);
  bond->ipv6autoconf = ip->ipv6autoconf;
  bond->has_ipv6autoconf = TRUE;
  return bond;
}

static VdsmNetInfoBridgedNetwork *
bridge_new (const VdsmdLink *link, DevIp *ip)
{
  VdsmNetInfoBridgedNetwork *bridge = vdsm_net_info_bridged_network_new ();

  bridge->mtu = g_strdup (link->mtu);
  bridge->ports = vdsmd_strings_copy (link->ports);
  bridge->stp = g_strdup (link->stp ? "on" : "off");
  bridge->addr = g_steal_pointer (&ip->addr);
  bridge->netmask = g_steal_pointer (&ip->netmask);
  bridge->ipv4addrs = g_steal_pointer (&ip->ipv4);
  bridge->ipv6addrs = g_steal_pointer (&ip->ipv6);
  bridge->ipv4defaultroute = ip->gateway[0] != '\0';
  bridge->has_ipv4defaultroute = TRUE;
  bridge->gateway = g_steal_pointer (&ip->gateway);
  bridge->ipv6gateway = g_steal_pointer (&ip->ipv6gateway);
  bridge->ipv6autoconf = ip->ipv6autoconf;
  bridge->has_ipv6autoconf = TRUE;
  return bridge;
}

static VdsmNetInfoVlan *
vlan_new (const VdsmdLink *link, guint vlan_id, DevIp *ip)
{
  VdsmNetInfoVlan *vlan = vdsm_net_info_vlan_new ();

  vlan->iface = g_strdup (link->lower != NULL ? link->lower : "");
  vlan->vlanid = vlan_id;
  vlan->mtu = g_strdup (link->mtu);
  vlan->addr = g_steal_pointer (&ip->addr);
  vlan->netmask = g_steal_pointer (&ip->netmask);
  vlan->ipv4addrs = g_steal_pointer (&ip->ipv4);
  vlan->ipv6addrs = g_steal_pointer (&ip->ipv6);
  vlan->ipv4defaultroute = ip->gateway[0] != '\0';
  vlan->has_ipv4defaultroute = TRUE;
  vlan->ipv6gateway = g_steal_pointer (&ip->ipv6gateway);
  return vlan;
}

static void
dev_ip_clear (DevIp *ip)
{
  g_free (ip->addr);
  g_free (ip->netmask);
  g_free (ip->gateway);
  g_free (ip->ipv6gateway);
  g_clear_pointer (&ip->ipv4, g_ptr_array_unref);
  g_clear_pointer (&ip->ipv6, g_ptr_array_unref);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (DevIp, dev_ip_clear)

/* VLAN IDs live in /proc/net/vlan/config, readable by root only: a VLAN
 * whose ID vdsmd cannot read is left out rather than given a made-up one. */
static GHashTable *
vlan_ids_read (void)
{
  g_autofree char *text = NULL;

  if (!g_file_get_contents ("/proc/net/vlan/config", &text, NULL, NULL))
    return g_hash_table_new (g_str_hash, g_str_equal);
  return vdsmd_vlan_ids_parse (text);
}

static void
fill_devices (VdsmVdsmCapabilities *caps)
{
  g_autoptr(GPtrArray) links = vdsmd_links_read ("/sys/class/net");
  g_autoptr(GHashTable) vlan_ids = vlan_ids_read ();
  g_auto(HostIp) host = { NULL, NULL, NULL };

  host_ip_read (&host);
  caps->nics = vdsm_net_info_nic_map_new ();
  caps->bondings = vdsm_net_info_bond_map_new ();
  caps->bridges = vdsm_net_info_bridge_map_new ();
  caps->vlans = vdsm_net_info_vlan_map_new ();
  for (guint i = 0; i < links->len; i++)
    {
      const VdsmdLink *link = g_ptr_array_index (links, i);
      g_auto(DevIp) ip = { NULL };
      gpointer vlan_id;

      if (link->kind == VDSMD_LINK_OTHER)
        continue;
      dev_ip_read (&host, link->name, &ip);
      if (link->kind == VDSMD_LINK_NIC)
        g_hash_table_insert (vdsm_net_info_nic_map_get_table (caps->nics),
                             g_strdup (link->name), nic_new (link, &ip));
      else if (link->kind == VDSMD_LINK_BOND)
        g_hash_table_insert (vdsm_net_info_bond_map_get_table (caps->bondings),
                             g_strdup (link->name), bond_new (link, &ip));
      else if (link->kind == VDSMD_LINK_BRIDGE)
        g_hash_table_insert (vdsm_net_info_bridge_map_get_table (caps->bridges),
                             g_strdup (link->name), bridge_new (link, &ip));
      else if (g_hash_table_lookup_extended (vlan_ids, link->name, NULL,
                                             &vlan_id))
        g_hash_table_insert (vdsm_net_info_vlan_map_get_table (caps->vlans),
                             g_strdup (link->name),
                             vlan_new (link, GPOINTER_TO_UINT (vlan_id), &ip));
    }
}

/* ip.address.ipv6_supported: whether the kernel has IPv6 at all. */
static gboolean
ipv6_supported (void)
{
  int fd = socket (AF_INET6, SOCK_DGRAM, 0);

  if (fd < 0)
    return FALSE;
  close (fd);
  return TRUE;
}

void
vdsmd_caps_net_fill (VdsmVdsmCapabilities *caps, const char *local_address)
{
  g_autofree char *resolv = NULL;
  char *device = NULL;

  fill_devices (caps);
  caps->networks = vdsm_net_info_network_map_new ();
  caps->net_config_dirty = g_strdup ("False");
  if (g_file_get_contents ("/etc/resolv.conf", &resolv, NULL, NULL))
    caps->nameservers = vdsmd_nameservers_parse (resolv);
  else
    caps->nameservers = g_ptr_array_new_with_free_func (g_free);
  caps->supports_i_pv6 = ipv6_supported ();
  /* Bridge.Host_getCapabilities_Ret: the device holding the address the
   * client connected to, "" when none does (a unix socket). */
  if (local_address != NULL)
    device = vdsmd_device_of_address (local_address);
  caps->last_client_iface = device != NULL ? device : g_strdup ("");
}
