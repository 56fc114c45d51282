/* vdsmd-host-net.c: the network devices of the machine vdsmd runs on.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "vdsmd-host-net.h"

#include <arpa/inet.h>
#include <gio/gio.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "vdsmd-host-info.h"

void
vdsmd_link_free (VdsmdLink *link)
{
  if (link == NULL)
    return;
  g_free (link->name);
  g_free (link->hwaddr);
  g_free (link->mtu);
  g_clear_pointer (&link->slaves, g_ptr_array_unref);
  g_free (link->active_slave);
  g_free (link->bond_mode);
  g_clear_pointer (&link->ports, g_ptr_array_unref);
  g_free (link->lower);
  g_free (link);
}

/* The first line of a sysfs attribute of @link, or NULL. */
static char *
attribute (const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return NULL;
  text[strcspn (text, "\n")] = '\0';
  return text;
}

static guint64
attribute_uint (const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  guint64 value = 0;

  vdsmd_read_uint_file (path, &value);
  return value;
}

static gboolean
has_file (const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  return g_file_test (path, G_FILE_TEST_EXISTS);
}

static VdsmdLinkKind
link_kind (const char *dir)
{
  g_autofree char *uevent = NULL;
  g_autofree char *path = g_build_filename (dir, "uevent", NULL);

  if (has_file (dir, "bridge"))
    return VDSMD_LINK_BRIDGE;
  if (has_file (dir, "bonding"))
    return VDSMD_LINK_BOND;
  if (g_file_get_contents (path, &uevent, NULL, NULL) &&
      strstr (uevent, "DEVTYPE=vlan\n") != NULL)
    return VDSMD_LINK_VLAN;
  if (has_file (dir, "device"))
    return VDSMD_LINK_NIC;
  return VDSMD_LINK_OTHER;
}

/* The speed sysfs reports for a running device, in Mb/s; 0 when it gives
 * none or one of the values drivers use for "unknown" (VDSM's
 * nic.read_speed_using_sysfs refuses the same). */
static gint64
link_speed (const char *dir)
{
  g_autofree char *text = attribute (dir, "speed");
  gint64 speed;

  if (text == NULL)
    return 0;
  speed = g_ascii_strtoll (text, NULL, 10);
  if (speed <= 0 || speed == G_MAXUINT16 || speed == G_MAXUINT32)
    return 0;
  return speed;
}

static void
read_bond (const char *dir, VdsmdLink *link)
{
  g_autofree char *bonding = g_build_filename (dir, "bonding", NULL);
  g_autofree char *slaves = attribute (bonding, "slaves");
  g_autofree char *mode = attribute (bonding, "mode");
  g_auto(GStrv) names = g_strsplit (slaves != NULL ? slaves : "", " ", -1);
  const char *number;

  link->slaves = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; names[i] != NULL; i++)
    if (names[i][0] != '\0')
      g_ptr_array_add (link->slaves, g_strdup (names[i]));
  link->active_slave = attribute (bonding, "active_slave");
  if (link->active_slave == NULL)
    link->active_slave = g_strdup ("");
  /* "802.3ad 4": VDSM reports the number. */
  number = mode != NULL ? strrchr (mode, ' ') : NULL;
  link->bond_mode = g_strdup (number != NULL ? number + 1 : "");
}

static VdsmdLink *
link_read (const char *class_net, const char *name)
{
  g_autofree char *dir = g_build_filename (class_net, name, NULL);
  g_autofree char *flags_text = attribute (dir, "flags");
  VdsmdLink *link = g_new0 (VdsmdLink, 1);
  guint64 flags = flags_text != NULL ? g_ascii_strtoull (flags_text, NULL, 16)
                                     : 0;
  g_autofree char *stats = g_build_filename (dir, "statistics", NULL);

  link->name = g_strdup (name);
  link->kind = link_kind (dir);
  link->hwaddr = attribute (dir, "address");
  if (link->hwaddr == NULL)
    link->hwaddr = g_strdup ("");
  link->mtu = attribute (dir, "mtu");
  if (link->mtu == NULL)
    link->mtu = g_strdup ("0");
  /* VDSM asks netlink for IFF_UP and IFF_RUNNING; sysfs's flags lack the
   * latter, which is the carrier (unreadable while the device is down). */
  link->oper_up = (flags & IFF_UP) && attribute_uint (dir, "carrier") == 1;
  if (link->oper_up && link->kind != VDSMD_LINK_OTHER &&
      link->kind != VDSMD_LINK_BRIDGE)
    link->speed = link_speed (dir);
  link->rx_bytes = attribute_uint (stats, "rx_bytes");
  link->tx_bytes = attribute_uint (stats, "tx_bytes");
  link->rx_dropped = attribute_uint (stats, "rx_dropped");
  link->tx_dropped = attribute_uint (stats, "tx_dropped");
  link->rx_errors = attribute_uint (stats, "rx_errors");
  link->tx_errors = attribute_uint (stats, "tx_errors");

  if (link->kind == VDSMD_LINK_BOND)
    read_bond (dir, link);
  else if (link->kind == VDSMD_LINK_BRIDGE)
    {
      g_autofree char *brif = g_build_filename (dir, "brif", NULL);
      g_autofree char *bridge = g_build_filename (dir, "bridge", NULL);

      link->ports = vdsmd_dir_list (brif, "");
      link->stp = attribute_uint (bridge, "stp_state") != 0;
    }
  else if (link->kind == VDSMD_LINK_VLAN)
    {
      g_autoptr(GPtrArray) lower = vdsmd_dir_list (dir, "lower_");

      if (lower->len > 0)
        link->lower = g_strdup (g_ptr_array_index (lower, 0));
    }
  return link;
}

GPtrArray *
vdsmd_links_read (const char *class_net)
{
  g_autoptr(GPtrArray) names = vdsmd_dir_list (class_net, "");
  GPtrArray *links = g_ptr_array_new_with_free_func (
    (GDestroyNotify) vdsmd_link_free);

  for (guint i = 0; i < names->len; i++)
    g_ptr_array_add (links, link_read (class_net,
                                       g_ptr_array_index (names, i)));
  return links;
}

GHashTable *
vdsmd_vlan_ids_parse (const char *text)
{
  GHashTable *ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                           NULL);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  /* "eth0.100       | 100  | eth0", after two header lines. */
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[i], "|", -1);
      guint64 id;
      char *end;

      if (g_strv_length (fields) != 3)
        continue;
      g_strstrip (fields[0]);
      g_strstrip (fields[1]);
      id = g_ascii_strtoull (fields[1], &end, 10);
      if (fields[0][0] == '\0' || fields[1][0] == '\0' || *end != '\0' ||
          id > 4095)
        continue;
      g_hash_table_insert (ids, g_strdup (fields[0]),
                           GUINT_TO_POINTER ((guint) id));
    }
  return ids;
}

char *
vdsmd_ipv4_gateway_parse (const char *text, const char *dev)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  /* Iface Destination Gateway Flags RefCnt Use Metric Mask …, addresses in
   * hex of the raw (network order) 32 bits as this host stores them. */
  for (guint i = 1; lines[i] != NULL; i++)
    {
      g_auto(GStrv) f = g_strsplit_set (lines[i], " \t", -1);
      g_autoptr(GPtrArray) fields = g_ptr_array_new ();
      struct in_addr gw;
      char buf[INET_ADDRSTRLEN];

      for (guint j = 0; f[j] != NULL; j++)
        if (f[j][0] != '\0')
          g_ptr_array_add (fields, f[j]);
      if (fields->len < 8 || strcmp (g_ptr_array_index (fields, 0), dev) != 0 ||
          strcmp (g_ptr_array_index (fields, 1), "00000000") != 0 ||
          strcmp (g_ptr_array_index (fields, 7), "00000000") != 0)
        continue;
      gw.s_addr = (in_addr_t) g_ascii_strtoull (g_ptr_array_index (fields, 2),
                                                NULL, 16);
      if (gw.s_addr == 0)
        continue;
      return g_strdup (inet_ntop (AF_INET, &gw, buf, sizeof buf));
    }
  return g_strdup ("");
}

static gboolean
hex_ipv6 (const char *hex, struct in6_addr *addr)
{
  if (strlen (hex) != 32)
    return FALSE;
  for (guint i = 0; i < 16; i++)
    {
      int hi = g_ascii_xdigit_value (hex[2 * i]);
      int lo = g_ascii_xdigit_value (hex[2 * i + 1]);

      if (hi < 0 || lo < 0)
        return FALSE;
      addr->s6_addr[i] = (guint8) (hi << 4 | lo);
    }
  return TRUE;
}

char *
vdsmd_ipv6_gateway_parse (const char *text, const char *dev)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  /* destination, its prefix length, source, its prefix length, next hop,
   * metric, reference count, use, flags, device. */
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) f = g_strsplit_set (lines[i], " \t", -1);
      g_autoptr(GPtrArray) fields = g_ptr_array_new ();
      struct in6_addr dest, hop;
      char buf[INET6_ADDRSTRLEN];

      for (guint j = 0; f[j] != NULL; j++)
        if (f[j][0] != '\0')
          g_ptr_array_add (fields, f[j]);
      if (fields->len < 10 ||
          strcmp (g_ptr_array_index (fields, 9), dev) != 0 ||
          strcmp (g_ptr_array_index (fields, 1), "00") != 0 ||
          !hex_ipv6 (g_ptr_array_index (fields, 0), &dest) ||
          !IN6_IS_ADDR_UNSPECIFIED (&dest) ||
          !hex_ipv6 (g_ptr_array_index (fields, 4), &hop) ||
          IN6_IS_ADDR_UNSPECIFIED (&hop))
        continue;
      return g_strdup (inet_ntop (AF_INET6, &hop, buf, sizeof buf));
    }
  return g_strdup ("");
}

static void
addresses_free (VdsmdAddresses *a)
{
  g_ptr_array_unref (a->ipv4);
  g_ptr_array_unref (a->ipv6);
  g_free (a);
}

static guint
prefix_length (const struct sockaddr *netmask)
{
  const guint8 *bytes;
  gsize n;
  guint bits = 0;

  if (netmask == NULL)
    return 0;
  if (netmask->sa_family == AF_INET)
    {
      bytes = (const guint8 *) &((const struct sockaddr_in *) netmask)->sin_addr;
      n = 4;
    }
  else
    {
      bytes = ((const struct sockaddr_in6 *) netmask)->sin6_addr.s6_addr;
      n = 16;
    }
  for (gsize i = 0; i < n; i++)
    for (guint8 b = bytes[i]; b & 0x80; b <<= 1)
      bits++;
  return bits;
}

GHashTable *
vdsmd_addresses_read (void)
{
  GHashTable *table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                             (GDestroyNotify) addresses_free);
  struct ifaddrs *list;

  if (getifaddrs (&list) < 0)
    return table;
  for (struct ifaddrs *ifa = list; ifa != NULL; ifa = ifa->ifa_next)
    {
      VdsmdAddresses *a;
      char buf[INET6_ADDRSTRLEN];
      const void *raw;
      int family;

      if (ifa->ifa_addr == NULL)
        continue;
      family = ifa->ifa_addr->sa_family;
      if (family == AF_INET)
        raw = &((struct sockaddr_in *) ifa->ifa_addr)->sin_addr;
      else if (family == AF_INET6)
        {
          const struct in6_addr *a6 =
            &((struct sockaddr_in6 *) ifa->ifa_addr)->sin6_addr;

          if (IN6_IS_ADDR_LINKLOCAL (a6))
            continue;
          raw = a6;
        }
      else
        continue;

      a = g_hash_table_lookup (table, ifa->ifa_name);
      if (a == NULL)
        {
          a = g_new0 (VdsmdAddresses, 1);
          a->ipv4 = g_ptr_array_new_with_free_func (g_free);
          a->ipv6 = g_ptr_array_new_with_free_func (g_free);
          g_hash_table_insert (table, g_strdup (ifa->ifa_name), a);
        }
      g_ptr_array_add (family == AF_INET ? a->ipv4 : a->ipv6,
                       g_strdup_printf ("%s/%u",
                                        inet_ntop (family, raw, buf, sizeof buf),
                                        prefix_length (ifa->ifa_netmask)));
    }
  freeifaddrs (list);
  return table;
}

char *
vdsmd_device_of_address (const char *address)
{
  g_autoptr(GInetAddress) wanted = g_inet_address_new_from_string (address);
  struct ifaddrs *list;
  char *device = NULL;

  if (wanted == NULL || getifaddrs (&list) < 0)
    return NULL;
  for (struct ifaddrs *ifa = list; ifa != NULL && device == NULL;
       ifa = ifa->ifa_next)
    {
      g_autoptr(GSocketAddress) sa = NULL;
      GInetAddress *have;

      if (ifa->ifa_addr == NULL || (ifa->ifa_addr->sa_family != AF_INET &&
                                    ifa->ifa_addr->sa_family != AF_INET6))
        continue;
      sa = g_socket_address_new_from_native (
        ifa->ifa_addr, ifa->ifa_addr->sa_family == AF_INET
                       ? sizeof (struct sockaddr_in)
                       : sizeof (struct sockaddr_in6));
      have = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (sa));
      if (g_inet_address_equal (have, wanted))
        device = g_strdup (ifa->ifa_name);
      else if (g_inet_address_get_family (wanted) == G_SOCKET_FAMILY_IPV6 &&
               g_inet_address_get_family (have) == G_SOCKET_FAMILY_IPV4)
        {
          /* A dual-stack listener sees IPv4 clients as ::ffff:a.b.c.d. */
          const guint8 *w = g_inet_address_to_bytes (wanted);
          static const guint8 mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                             0xff, 0xff };

          if (memcmp (w, mapped, sizeof mapped) == 0 &&
              memcmp (w + 12, g_inet_address_to_bytes (have), 4) == 0)
            device = g_strdup (ifa->ifa_name);
        }
    }
  freeifaddrs (list);
  return device;
}

static gboolean
parse_ipv4_cidr (const char *cidr, guint32 *address, guint *prefix)
{
  g_auto(GStrv) parts = g_strsplit (cidr, "/", 2);
  struct in_addr a;

  if (g_strv_length (parts) != 2 || inet_pton (AF_INET, parts[0], &a) != 1)
    return FALSE;
  *address = ntohl (a.s_addr);
  *prefix = (guint) g_ascii_strtoull (parts[1], NULL, 10);
  return *prefix <= 32;
}

static guint32
mask_of (guint prefix)
{
  return prefix == 0 ? 0 : G_MAXUINT32 << (32 - prefix);
}

void
vdsmd_primary_ipv4 (GPtrArray *ipv4, const char *gateway, char **addr,
                    char **netmask)
{
  struct in_addr gw;
  gboolean have_gw = gateway != NULL &&
                     inet_pton (AF_INET, gateway, &gw) == 1;
  const char *chosen = NULL;
  guint32 address;
  guint prefix;
  struct in_addr a, m;
  char abuf[INET_ADDRSTRLEN], mbuf[INET_ADDRSTRLEN];

  for (guint i = 0; ipv4 != NULL && i < ipv4->len && chosen == NULL; i++)
    if (have_gw && parse_ipv4_cidr (g_ptr_array_index (ipv4, i), &address,
                                    &prefix) &&
        ((address ^ ntohl (gw.s_addr)) & mask_of (prefix)) == 0)
      chosen = g_ptr_array_index (ipv4, i);
  if (chosen == NULL && ipv4 != NULL && ipv4->len > 0)
    chosen = g_ptr_array_index (ipv4, 0);
  if (chosen == NULL || !parse_ipv4_cidr (chosen, &address, &prefix))
    {
      *addr = g_strdup ("");
      *netmask = g_strdup ("");
      return;
    }
  a.s_addr = htonl (address);
  m.s_addr = htonl (mask_of (prefix));
  *addr = g_strdup (inet_ntop (AF_INET, &a, abuf, sizeof abuf));
  *netmask = g_strdup (inet_ntop (AF_INET, &m, mbuf, sizeof mbuf));
}

GPtrArray *
vdsmd_nameservers_parse (const char *text)
{
  GPtrArray *servers = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = g_strsplit_set (g_strstrip (lines[i]), " \t", -1);

      if (g_strv_length (fields) >= 2 &&
          strcmp (fields[0], "nameserver") == 0 && fields[1][0] != '\0')
        g_ptr_array_add (servers, g_strdup (fields[1]));
    }
  return servers;
}
