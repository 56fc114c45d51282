/* vdsmd-domain.h: libvirt domains seen through VDSM's eyes (status names,
 * exit details, error codes).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include <libvirt/libvirt.h>

G_BEGIN_DECLS

/* VDSM's exit codes (ExitedVmStats.exitCode). */
#define VDSMD_EXIT_NORMAL 0
#define VDSMD_EXIT_ERROR 1

typedef struct {
  int code;           /* VDSMD_EXIT_* */
  int reason;         /* VDSM's exit reason number */
  const char *message;
} VdsmdExitInfo;

/* The VDSM status text (a VmStatus value) of a libvirt state and reason. */
const char *vdsmd_domain_status_text (int state, int reason);

/* Why a domain in libvirt state @state (shut off or crashed) with @reason
 * is not running. */
VdsmdExitInfo vdsmd_domain_exit_info (int state, int reason);

/* VDSM's pause code for a domain in @state/@reason. */
const char *vdsmd_domain_pause_code (int state, int reason);

/* The libvirt state and reason a lifecycle event leads to. Returns FALSE for
 * events that do not change the run state (defined, undefined). */
gboolean vdsmd_domain_event_state (int event, int detail,
                                   int *state, int *reason);

/* Whether a libvirt state counts as active (running, paused, …). */
gboolean vdsmd_domain_state_is_active (int state);

/* Look @vm_id up; an unparsable or unknown UUID fails with VDSM code 1. */
virDomainPtr vdsmd_domain_lookup (virConnectPtr conn, const char *vm_id,
                                  GError **error);

/* Write @dom's UUID in libvirt's text form into @uuid; FALSE (with
 * libvirt's error set) when libvirt cannot tell it. */
gboolean vdsmd_domain_uuid_string (virDomainPtr dom,
                                   char uuid[VIR_UUID_STRING_BUFLEN]);

/* Domains in an array that frees itself. */
typedef struct {
  virDomainPtr *doms;
  int n;
} VdsmdDomainList;

void vdsmd_domain_list_clear (VdsmdDomainList *list);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (VdsmdDomainList, vdsmd_domain_list_clear)

/* All domains of @conn, by name so that answers come in a stable order. */
gboolean vdsmd_domain_list_all (virConnectPtr conn, VdsmdDomainList *list,
                                GError **error);

/* Whether libvirt's last error says a domain is gone (undefined since it
 * was listed): such a domain is skipped rather than failing a whole call. */
gboolean vdsmd_domain_vanished (void);

/* Where the QEMU driver of @conn writes the process ID files of its
 * domains (<dir>/<name>.pid), or NULL for other drivers. */
char *vdsmd_qemu_pid_dir (virConnectPtr conn);

/* The QEMU process of the running domain @name, from its file in @pid_dir
 * (NULL: none); 0 when there is none to tell. */
guint64 vdsmd_qemu_pid (const char *pid_dir, const char *name);

/* Set @error from libvirt's last error of this thread, prefixed by @what. */
void vdsmd_set_libvirt_error (GError **error, const char *what);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (virDomain, virDomainFree)

G_END_DECLS
