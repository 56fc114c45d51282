/* vdsmd-domain-stats.h: what a VmStats record needs to know of a domain,
 * read with as few libvirt calls as the driver allows.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include <libvirt/libvirt.h>

G_BEGIN_DECLS

/* The counters of one network interface (net.<n>.* of libvirt's bulk
 * statistics). */
typedef struct {
  char *name;               /* its host-side device */
  guint64 rx_bytes, rx_errs, rx_drop;
  guint64 tx_bytes, tx_errs, tx_drop;
  guint known;              /* private: which counters libvirt gave */
} VdsmdNetStats;

/* The counters of one disk (block.<n>.*); times in nanoseconds. */
typedef struct {
  char *name;               /* its target device, e.g. "vda" */
  guint64 rd_reqs, rd_bytes, rd_times;
  guint64 wr_reqs, wr_bytes, wr_times;
  guint64 fl_reqs, fl_times;
  guint64 allocation;       /* bytes the image holds, 0 when unknown */
  guint64 physical;         /* bytes of its container, 0 when unknown */
  guint known;              /* private: which counters libvirt gave */
} VdsmdBlockStats;

/* Cumulative counters of a domain at one instant: what a later sample
 * measures rates against. */
typedef struct {
  gint64 taken_at;          /* g_get_monotonic_time () */
  guint64 cpu_time;         /* nanoseconds, all threads */
  guint64 cpu_user;         /* nanoseconds; see has_cpu_split */
  guint64 cpu_system;
  gboolean has_cpu_split;   /* the driver gave cpu.user and cpu.system */
  GArray *blocks;           /* VdsmdBlockStats */
} VdsmdDomainCounters;

/* Whether @s holds a complete set of counters of the interface. */
gboolean vdsmd_net_stats_complete (const VdsmdNetStats *s);
/* Whether @s holds a complete set of the disk's request counters. */
gboolean vdsmd_block_stats_complete (const VdsmdBlockStats *s);

/* A deep copy of @counters, to keep. */
VdsmdDomainCounters *vdsmd_domain_counters_copy (const VdsmdDomainCounters *c);
void vdsmd_domain_counters_free (VdsmdDomainCounters *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VdsmdDomainCounters, vdsmd_domain_counters_free)

typedef struct {
  virDomainPtr dom;       /* borrowed */
  const char *name;       /* @dom's own */
  char uuid[VIR_UUID_STRING_BUFLEN];
  int state;              /* virDomainState */
  int reason;
  /* The rest is read only for active domains. */
  VdsmdDomainCounters counters;
  guint vcpus;
  /* The balloon driver's figures, in KiB; has_balloon_memory is FALSE when
   * the guest does not report them. */
  gboolean has_balloon_memory;
  guint64 balloon_maximum;
  guint64 balloon_available;
  guint64 balloon_unused;
  guint64 balloon_disk_caches;
  GArray *nets;           /* VdsmdNetStats */
  /* private: which fields libvirt's bulk statistics filled in */
  guint known;
} VdsmdDomainStats;

/* Take libvirt's bulk statistics of one domain into @stats (which starts
 * zeroed or as a previous call left it). */
void vdsmd_domain_stats_take_params (VdsmdDomainStats *stats,
                                     const virTypedParameter *params, int n);
void vdsmd_domain_stats_clear (VdsmdDomainStats *stats);

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

/* Read the statistics of @dom into @stats (cleared by the caller with
 * vdsmd_domain_stats_clear()); @stats borrows @dom. */
gboolean vdsmd_domain_stats_read (virDomainPtr dom, VdsmdDomainStats *stats,
                                  GError **error);

G_END_DECLS
