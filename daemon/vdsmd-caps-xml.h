/* vdsmd-caps-xml.h: the parts of libvirt's capabilities XML that VDSM's
 * Host.getCapabilities reports.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include <libvirt/libvirt.h>

G_BEGIN_DECLS

/* A CPU of a NUMA cell: <cpu id socket_id die_id core_id siblings>. */
typedef struct {
  gint64 id;
  gint64 socket_id;         /* -1 when libvirt does not say */
  gint64 die_id;            /* 0 when libvirt does not say (older ones) */
  gint64 core_id;           /* -1 when libvirt does not say */
  char *siblings;           /* NULL when libvirt does not say */
} VdsmdCapsCpu;

/* <pages size='…'>count</pages> */
typedef struct {
  guint64 size_kib;
  char *count;              /* the text, as VDSM reports it */
} VdsmdCapsPages;

/* A NUMA cell of <host><topology><cells>. */
typedef struct {
  gint64 id;
  guint64 memory_kib;
  GArray *cpus;             /* VdsmdCapsCpu */
  GArray *pages;            /* VdsmdCapsPages */
  GArray *distances;        /* guint64: <distances><sibling value>, in order */
} VdsmdCapsCell;

typedef struct {
  char *host_uuid;          /* <host><uuid>, or NULL */
  char *cpu_model;          /* <host><cpu><model>, or NULL */
  GPtrArray *cpu_features;  /* char *: <host><cpu><feature name> and the
                             * element names under <host><cpu><features> */
  GPtrArray *cpu_ids;       /* char *: <topology> … <cpu id> */
  GArray *page_sizes;       /* gint64 KiB: <host><cpu><pages size> */
  GPtrArray *machines;      /* char *: <guest><arch><machine>, distinct */
  gboolean kvm;             /* some <guest><arch><domain type='kvm'> */
  GPtrArray *cells;         /* VdsmdCapsCell * */
} VdsmdCapsXml;

VdsmdCapsXml *vdsmd_caps_xml_parse (const char *xml, GError **error);

/* libvirt's capabilities XML of @conn, parsed. */
VdsmdCapsXml *vdsmd_caps_xml_read (virConnectPtr conn, GError **error);
void vdsmd_caps_xml_free (VdsmdCapsXml *caps);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VdsmdCapsXml, vdsmd_caps_xml_free)

G_END_DECLS
