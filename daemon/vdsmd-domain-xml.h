/* vdsmd-domain-xml.h: what VDSM's VM records tell of a domain's definition
 * (its libvirt domain XML): type, ACPI, clock, memory, network interfaces,
 * displays.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include <libvirt/libvirt.h>

G_BEGIN_DECLS

/* <interface>: its host-side device name, MAC address and model. */
typedef struct {
  char *name;               /* <target dev>, or NULL before it has one */
  char *mac;                /* <mac address>, or "" */
  char *model;              /* <model type>, or "" */
  gboolean hostdev;         /* type='hostdev': no host-side device */
} VdsmdDomainNic;

/* <graphics>: VDSM's display_info reads the attributes as they are. */
typedef struct {
  char *type;               /* "vnc", "spice", … */
  char *port;               /* "" when absent */
  char *tls_port;           /* "" when absent */
  char *address;            /* its <listen address>, "0" when none */
} VdsmdDomainGraphics;

typedef struct {
  gatomicrefcount ref;
  char *type;               /* <domain type>: "kvm", "qemu", "test"… */
  gboolean acpi;            /* <features><acpi/> */
  char *time_offset;        /* <clock adjustment>, "0" when none */
  guint64 memory_kib;       /* <memory> */
  guint vcpus;              /* <vcpu current>, else its count */
  gboolean hugepages;       /* <memoryBacking><hugepages/> */
  guint64 guaranteed_mib;   /* VDSM's metadata minGuaranteedMemoryMb, or 0 */
  GArray *nics;             /* VdsmdDomainNic */
  GArray *graphics;         /* VdsmdDomainGraphics */
} VdsmdDomainXml;

VdsmdDomainXml *vdsmd_domain_xml_parse (const char *xml, GError **error);
VdsmdDomainXml *vdsmd_domain_xml_ref (VdsmdDomainXml *xml);
void vdsmd_domain_xml_unref (VdsmdDomainXml *xml);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VdsmdDomainXml, vdsmd_domain_xml_unref)

/* The live definition of @dom, parsed. */
VdsmdDomainXml *vdsmd_domain_xml_read (virDomainPtr dom, GError **error);

/* The nic of @xml whose host-side device is @name, or NULL. */
const VdsmdDomainNic *vdsmd_domain_xml_find_nic (const VdsmdDomainXml *xml,
                                                 const char *name);

G_END_DECLS
