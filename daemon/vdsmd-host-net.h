/* vdsmd-host-net.h: the network devices of the machine vdsmd runs on, as
 * /sys/class/net, /proc/net and getifaddrs() tell them (what VDSM's
 * network reports read through netlink).
 *
 * Each reader of a /proc file has a parser of its text, so that tests can
 * feed it fixed inputs.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* How VDSM sorts a device into its capability maps. */
typedef enum {
  VDSMD_LINK_OTHER,         /* loopback, tap, veth, dummy…: statistics only */
  VDSMD_LINK_NIC,           /* backed by a device (PCI, virtio…) */
  VDSMD_LINK_BOND,
  VDSMD_LINK_BRIDGE,
  VDSMD_LINK_VLAN,
} VdsmdLinkKind;

typedef struct {
  char *name;
  VdsmdLinkKind kind;
  char *hwaddr;             /* "" when the device has none */
  char *mtu;                /* as sysfs writes it */
  gboolean oper_up;         /* administratively up and running */
  gint64 speed;             /* Mb/s; 0 when the device does not say */
  guint64 rx_bytes, tx_bytes;
  guint64 rx_dropped, tx_dropped;
  guint64 rx_errors, tx_errors;
  /* VDSMD_LINK_BOND */
  GPtrArray *slaves;        /* char * */
  char *active_slave;       /* "" when none */
  char *bond_mode;          /* the mode's number, e.g. "4" */
  /* VDSMD_LINK_BRIDGE */
  GPtrArray *ports;         /* char * */
  gboolean stp;
  /* VDSMD_LINK_VLAN */
  char *lower;              /* the device the VLAN runs over, or NULL */
} VdsmdLink;

void vdsmd_link_free (VdsmdLink *link);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VdsmdLink, vdsmd_link_free)

/* The devices under @class_net (normally /sys/class/net), by name. */
GPtrArray *vdsmd_links_read (const char *class_net);

/* The VLAN IDs of /proc/net/vlan/config: device name → ID
 * (GUINT_TO_POINTER). */
GHashTable *vdsmd_vlan_ids_parse (const char *text);

/* The default gateway through @dev in /proc/net/route, "" when none. */
char *vdsmd_ipv4_gateway_parse (const char *text, const char *dev);
/* The same in /proc/net/ipv6_route. */
char *vdsmd_ipv6_gateway_parse (const char *text, const char *dev);

/* The addresses of one device, "address/prefix" (IPv6 link-local ones
 * left out, as VDSM leaves out link-scope addresses). */
typedef struct {
  GPtrArray *ipv4;          /* char * */
  GPtrArray *ipv6;          /* char * */
} VdsmdAddresses;

/* Device name → VdsmdAddresses * of the host, from getifaddrs(). */
GHashTable *vdsmd_addresses_read (void);

/* The device holding @address (IPv4, IPv6, or IPv4 mapped in IPv6), or
 * NULL. */
char *vdsmd_device_of_address (const char *address);

/* VDSM's primary IPv4 address of a device: the first of @ipv4 in the
 * subnet of @gateway, else the first; its address and dotted netmask go
 * to @addr and @netmask ("" when @ipv4 is empty). */
void vdsmd_primary_ipv4 (GPtrArray *ipv4, const char *gateway, char **addr,
                         char **netmask);

/* The nameserver lines of resolv.conf. */
GPtrArray *vdsmd_nameservers_parse (const char *text);

G_END_DECLS
