/* vdsmd-context.h: the state every handler of vdsmd shares (the libvirt
 * connection and the little bookkeeping VDSM keeps that libvirt does not).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include <libvirt/libvirt.h>
#include <sys/types.h>

#include "vdsmd-domain-stats.h"
#include "vdsmd-domain-xml.h"
#include "vdsmd-host-sample.h"

G_BEGIN_DECLS

typedef struct {
  /* Thread-safe libvirt connection, shared by all workers. */
  virConnectPtr conn;
  /* g_get_monotonic_time() when vdsmd started. */
  gint64 start_time;
  /* What Host.getCapabilities reports as reservedMem and guestOverhead
   * (--host-mem-reserve, --guest-ram-overhead), MiB. */
  int host_mem_reserve_mib;
  int guest_ram_overhead_mib;
  /* The schema vdsmd serves, as the sealed JSON document Host.getApiSchema
   * answers with (set once at start-up, then read-only). */
  JsonNode *api_schema;

  GMutex lock;
  /* UUID string → g_get_monotonic_time() when the VM was first seen
   * running; libvirt has no start time for a domain. */
  GHashTable *running_since;
  /* Per VM UUID, what VDSM keeps of a VM that libvirt does not: the
   * counters of its last sample (VdsmdDomainCounters *), to measure rates
   * against; the address of the display client connected to it (char *,
   * from libvirt's graphics events); its parsed definition (VdsmdDomainXml
   * *), dropped when libvirt reports a change. */
  GHashTable *counters;
  GHashTable *client_ips;
  GHashTable *definitions;
  /* The previous host sample, to compute usage over an interval; the
   * first is taken when vdsmd starts. */
  VdsmdHostSample host_sample;
  /* The kernel's KSM thread, 0 when there is none; found once, at start
   * (a kernel thread keeps its process ID). */
  pid_t ksmd_pid;

  /* Host.getAllVmStats answers from a sample of all VMs at most
   * vm_stats_max_age_us old, as VDSM answers from its periodic samples:
   * at 1000 VMs, querying libvirt takes twenty times longer than writing
   * the reply. Held while sampling, so concurrent callers share a sample. */
  GMutex vm_stats_lock;
  GPtrArray *vm_stats_sample;       /* of VdsmVmStats*; read-only once stored */
  gint64 vm_stats_sampled_at;
  guint vm_stats_generation;        /* of the sample */
  gint64 vm_stats_max_age_us;
  /* Bumped (atomically) by every change libvirt reports: a sample of an
   * older generation is not served. */
  guint vm_generation;
} VdsmdContext;

VdsmdContext *vdsmd_context_new (virConnectPtr conn);
void vdsmd_context_free (VdsmdContext *ctx);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (VdsmdContext, vdsmd_context_free)

/* Seconds @vm_id has been running as far as vdsmd knows; starts counting
 * now for a VM not seen running before. */
guint64 vdsmd_context_running_seconds (VdsmdContext *ctx, const char *vm_id);

/* A lifecycle event says the VM (re)started, or stopped. */
void vdsmd_context_vm_started (VdsmdContext *ctx, const char *vm_id);
void vdsmd_context_vm_stopped (VdsmdContext *ctx, const char *vm_id);

/* A VM changed (lifecycle event, or a handler changed it): samples taken
 * before are stale. Any thread. */
void vdsmd_context_vms_changed (VdsmdContext *ctx);

/* Keep @counters (taken) as @vm_id's latest and return the previous ones
 * (NULL when there were none; the caller frees them). */
VdsmdDomainCounters *vdsmd_context_swap_counters (VdsmdContext *ctx,
                                                  const char *vm_id,
                                                  VdsmdDomainCounters *counters);

/* The definition of @dom (whose UUID is @vm_id), parsed once and kept until
 * vdsmd_context_definition_changed(); a new reference. */
VdsmdDomainXml *vdsmd_context_definition (VdsmdContext *ctx,
                                          virDomainPtr dom,
                                          const char *vm_id, GError **error);
/* libvirt reports a change to @vm_id's definition (or life cycle). */
void vdsmd_context_definition_changed (VdsmdContext *ctx, const char *vm_id);

/* A display client at @address connected to @vm_id, or (@connected FALSE)
 * disconnected: VDSM forgets the client only when the address is the one
 * it knows. */
void vdsmd_context_display_client (VdsmdContext *ctx, const char *vm_id,
                                   const char *address, gboolean connected);
/* The address of @vm_id's display client, "" when none (a copy). */
char *vdsmd_context_client_ip (VdsmdContext *ctx, const char *vm_id);

/* Store @sample as the latest host sample and give the previous one back
 * in @sample (the caller clears it). */
void vdsmd_context_swap_host_sample (VdsmdContext *ctx,
                                     VdsmdHostSample *sample);

G_END_DECLS
