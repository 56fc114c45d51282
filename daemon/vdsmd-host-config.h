/* vdsmd-host-config.h: how the machine vdsmd runs on is set up, as VDSM's
 * capabilities read it from /proc, /sys and /etc: security, crash dumps,
 * storage adapters, devices guests may use.
 *
 * Readers of text files have a parser of the text, so that tests can feed
 * it fixed inputs.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The value of @key in "key = value" lines (blanks around both stripped,
 * lines starting with '#' skipped, the last line of @key counting), or
 * NULL: VDSM's parse_key_val_file, for qemu.conf and
 * /etc/iscsi/initiatorname.iscsi. */
char *vdsmd_key_value_parse (const char *text, const char *key);

/* The same of the file at @path; NULL when unreadable. */
char *vdsmd_key_value_read (const char *path, const char *key);

/* SELinux's mode as VDSM reports it: "1" enforcing, "0" permissive, "-1"
 * when no policy is loaded (no @selinux_dir/enforce). */
char *vdsmd_selinux_mode_read (const char *selinux_dir);

/* VDSM's kdump status: 1 when a crash kernel is loaded and kdump.conf
 * fences through fence_kdump, 0 when not, -1 when unknown. */
gint64 vdsmd_kdump_status_read (const char *crash_loaded_path,
                                const char *kdump_conf_path);

/* Automatic NUMA balancing from the text of
 * /proc/sys/kernel/numa_balancing: 0 off, 1 on, 2 unknown. */
gint64 vdsmd_autonuma_parse (const char *text);

/* A Fibre Channel adapter of /sys/class/fc_host. */
typedef struct {
  char *wwpn;
  char *wwnn;
  char *model;              /* "name - description", "Unknown" parts */
} VdsmdFcHost;

void vdsmd_fc_host_free (VdsmdFcHost *host);

/* The adapters under @fc_host_dir (normally /sys/class/fc_host), by name. */
GPtrArray *vdsmd_fc_hosts_read (const char *fc_host_dir);

/* Whether the host can give guests its PCI devices: IOMMU groups exist
 * (and, but on POWER, an IOMMU under /sys/class/iommu), as VDSM's
 * hostdev.is_supported decides. */
gboolean vdsmd_hostdev_passthrough_supported (const char *sys_dir);

/* The CPUs vdsmd may run on. */
GArray *vdsmd_cpu_affinity (void);

G_END_DECLS
