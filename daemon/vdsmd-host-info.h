/* vdsmd-host-info.h: the kernel's counters of the machine vdsmd runs on, as
 * /proc and /sys tell them (what VDSM's host sampling reads there).
 *
 * Each reader has a parser of the file's text, so that tests can feed it
 * fixed inputs.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include <sys/types.h>

G_BEGIN_DECLS

/* /proc/meminfo, in KiB; a line the kernel does not write reads as 0. */
typedef struct {
  guint64 mem_total;
  guint64 mem_free;
  guint64 buffers;
  guint64 cached;
  guint64 sreclaimable;
  guint64 swap_total;
  guint64 swap_free;
  guint64 anon_huge_pages;
} VdsmdMemInfo;

/* FALSE when @text has no MemTotal line. */
gboolean vdsmd_meminfo_parse (const char *text, VdsmdMemInfo *info);
gboolean vdsmd_meminfo_read (const char *path, VdsmdMemInfo *info);

/* The time one CPU spent, in clock ticks, from its cpuN line of /proc/stat:
 * user time without nice time and system time (as VDSM counts them per
 * core), and all of its time (nice, idle, I/O wait, interrupts and steal
 * too). */
typedef struct {
  guint id;
  guint64 user;
  guint64 sys;
  guint64 total;
} VdsmdCpuTicks;

/* The cpuN lines of /proc/stat (GArray of VdsmdCpuTicks, in file order)
 * and its boot time (seconds since the epoch, 0 when absent). */
GArray *vdsmd_proc_stat_parse (const char *text, guint64 *boot_time);
GArray *vdsmd_proc_stat_read (const char *path, guint64 *boot_time);

/* What /proc/PID/stat tells of a process. */
typedef struct {
  guint64 utime;            /* user time, clock ticks */
  guint64 stime;            /* system time, clock ticks */
  gint64 nice;
} VdsmdPidStat;

gboolean vdsmd_pid_stat_parse (const char *text, VdsmdPidStat *st);
/* The same of process @pid (0: vdsmd itself). */
gboolean vdsmd_pid_stat_read (pid_t pid, VdsmdPidStat *st);

/* The process of the kernel thread named @comm (e.g. "ksmd"), or 0. */
pid_t vdsmd_kernel_thread_find (const char *proc_dir, const char *comm);

/* The 5-minute load average of /proc/loadavg, as text; NULL when @text is
 * not one. */
char *vdsmd_loadavg_parse (const char *text);

/* The selected mode of /sys/kernel/mm/transparent_hugepage/enabled
 * ("always [madvise] never" selects madvise); NULL when none is. */
char *vdsmd_thp_mode_parse (const char *text);

/* The state of the kernel's same-page merging (/sys/kernel/mm/ksm). */
typedef struct {
  gboolean running;         /* run is 1 */
  guint64 pages_to_scan;
  guint64 pages_sharing;
  gboolean merge_across_nodes;
} VdsmdKsmInfo;

/* FALSE when @dir (normally /sys/kernel/mm/ksm) is missing: a kernel
 * without KSM, which merges nothing. */
gboolean vdsmd_ksm_read (const char *dir, VdsmdKsmInfo *ksm);

/* The names of the entries of @dir that start with @prefix, without it,
 * sorted; empty when @dir cannot be read. */
GPtrArray *vdsmd_dir_list (const char *dir, const char *prefix);

/* A copy of a GPtrArray of strings (NULL copies as empty). */
GPtrArray *vdsmd_strings_copy (GPtrArray *strings);

/* A file holding one unsigned number, as sysfs and procfs write them. */
gboolean vdsmd_read_uint_file (const char *path, guint64 *value);

G_END_DECLS
