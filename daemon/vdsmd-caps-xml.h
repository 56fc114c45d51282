/* vdsmd-caps-xml.h: the parts of libvirt's capabilities XML that VDSM's
 * Host.getCapabilities reports.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  char *host_uuid;          /* <host><uuid>, or NULL */
  char *cpu_model;          /* <host><cpu><model>, or NULL */
  GPtrArray *cpu_features;  /* char *: <host><cpu><feature name> and the
                             * element names under <host><cpu><features> */
  GPtrArray *cpu_ids;       /* char *: <topology> … <cpu id> */
  GArray *page_sizes;       /* gint64 KiB: <host><cpu><pages size> */
  GPtrArray *machines;      /* char *: <guest><arch><machine>, distinct */
  gboolean kvm;             /* some <guest><arch><domain type='kvm'> */
} VdsmdCapsXml;

VdsmdCapsXml *vdsmd_caps_xml_parse (const char *xml, GError **error);
void vdsmd_caps_xml_free (VdsmdCapsXml *caps);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VdsmdCapsXml, vdsmd_caps_xml_free)

G_END_DECLS
