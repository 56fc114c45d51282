/* vdsmd-domain-stats.h: what a VmStats record needs to know of a domain,
 * read with as few libvirt calls as the driver allows.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include <libvirt/libvirt.h>

G_BEGIN_DECLS

typedef struct {
  virDomainPtr dom;       /* borrowed */
  const char *name;       /* @dom's own */
  char uuid[VIR_UUID_STRING_BUFLEN];
  int state;              /* virDomainState */
  int reason;
  /* The rest is read only for active domains. */
  guint64 cpu_time;       /* nanoseconds */
  guint vcpus;
  gboolean has_mem_usage; /* FALSE when the guest does not report it */
  guint64 mem_usage;      /* percent of the guest's memory in use */
  /* private: which fields libvirt's bulk statistics filled in */
  guint known;
} VdsmdDomainStats;

typedef struct {
  VdsmdDomainStats *items;  /* by name */
  gsize n;
  /* private: what owns the domains */
  virDomainStatsRecordPtr *records;
  virDomainPtr *doms;
  int n_owned;
} VdsmdDomainStatsList;

/* The statistics of every domain of @conn, sorted by name. Domains
 * undefined while they are read are left out. */
VdsmdDomainStatsList *vdsmd_domain_stats_list_all (virConnectPtr conn,
                                                   GError **error);
void vdsmd_domain_stats_list_free (VdsmdDomainStatsList *list);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VdsmdDomainStatsList,
                               vdsmd_domain_stats_list_free)

/* Read the statistics of @dom into @stats; @stats borrows @dom. */
gboolean vdsmd_domain_stats_read (virDomainPtr dom, VdsmdDomainStats *stats,
                                  GError **error);

G_END_DECLS
