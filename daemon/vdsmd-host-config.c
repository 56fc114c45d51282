/* vdsmd-host-config.c: how the machine vdsmd runs on is set up.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
/* sched_getaffinity() and the CPU_* macros. */
#define _GNU_SOURCE

#include "config.h"

#include "vdsmd-host-config.h"

#include <sched.h>
#include <string.h>

#include "vdsmd-host-info.h"

char *
vdsmd_key_value_parse (const char *text, const char *key)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  char *value = NULL;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *eq = strchr (lines[i], '=');

      if (lines[i][0] == '#' || eq == NULL)
        continue;
      *eq = '\0';
      if (strcmp (g_strstrip (lines[i]), key) == 0)
        {
          g_free (value);
          value = g_strdup (g_strstrip (eq + 1));
        }
    }
  return value;
}

char *
vdsmd_key_value_read (const char *path, const char *key)
{
  g_autofree char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return NULL;
  return vdsmd_key_value_parse (text, key);
}

char *
vdsmd_selinux_mode_read (const char *selinux_dir)
{
  g_autofree char *path = g_build_filename (selinux_dir, "enforce", NULL);
  guint64 mode;

  if (!vdsmd_read_uint_file (path, &mode))
    return g_strdup ("-1");
  return g_strdup_printf ("%" G_GUINT64_FORMAT, mode);
}

gint64
vdsmd_kdump_status_read (const char *crash_loaded_path,
                         const char *kdump_conf_path)
{
  g_autofree char *conf = NULL;
  guint64 loaded;

  /* osinfo.kdump_status: a loaded crash kernel counts only when the dump
   * fences the host (fence_kdump_nodes in kdump.conf). */
  if (!vdsmd_read_uint_file (crash_loaded_path, &loaded))
    return -1;
  if (loaded != 1)
    return (gint64) loaded;
  if (!g_file_get_contents (kdump_conf_path, &conf, NULL, NULL))
    return -1;
  return g_str_has_prefix (conf, "fence_kdump_nodes") ||
         strstr (conf, "\nfence_kdump_nodes") != NULL;
}

gint64
vdsmd_autonuma_parse (const char *text)
{
  /* numa.autonuma_status looks at the first character only. */
  if (text[0] == '0')
    return 0;
  if (text[0] == '1')
    return 1;
  return 2;
}

void
vdsmd_fc_host_free (VdsmdFcHost *host)
{
  g_free (host->wwpn);
  g_free (host->wwnn);
  g_free (host->model);
  g_free (host);
}

/* A WWN as VDSM reports it: without "0x" and leading zeros. */
static char *
wwn_read (const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *text = NULL;
  const char *p;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return NULL;
  p = g_strstrip (text);
  /* Python's lstrip("0x") strips any run of '0' and 'x'. */
  while (*p == '0' || *p == 'x')
    p++;
  return g_strdup (p);
}

static char *
first_line (const char *path)
{
  char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return NULL;
  return g_strstrip (text);
}

/* hba.getModelDesc: the model name and description of the SCSI host, under
 * one of three pairs of attribute names depending on the driver. */
static char *
fc_model (const char *dir, const char *host)
{
  static const char *const pairs[][2] = {
    { "modelname", "modeldesc" },
    { "model", "model_description" },
    { "model_name", "model_desc" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (pairs); i++)
    {
      g_autofree char *name_path = g_build_filename (dir, "device", "scsi_host",
                                                     host, pairs[i][0], NULL);
      g_autofree char *desc_path = g_build_filename (dir, "device", "scsi_host",
                                                     host, pairs[i][1], NULL);
      g_autofree char *name = first_line (name_path);
      g_autofree char *desc = first_line (desc_path);

      if (name != NULL && desc != NULL)
        return g_strdup_printf ("%s - %s", name, desc);
    }
  return g_strdup ("Unknown - Unknown");
}

GPtrArray *
vdsmd_fc_hosts_read (const char *fc_host_dir)
{
  GPtrArray *hosts = g_ptr_array_new_with_free_func (
    (GDestroyNotify) vdsmd_fc_host_free);
  g_autoptr(GPtrArray) names = vdsmd_dir_list (fc_host_dir, "host");

  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *host = g_strconcat ("host", g_ptr_array_index (names, i),
                                           NULL);
      g_autofree char *path = g_build_filename (fc_host_dir, host, NULL);
      VdsmdFcHost *fc = g_new0 (VdsmdFcHost, 1);

      fc->wwpn = wwn_read (path, "port_name");
      fc->wwnn = wwn_read (path, "node_name");
      if (fc->wwpn == NULL || fc->wwnn == NULL)
        {
          vdsmd_fc_host_free (fc);
          continue;
        }
      fc->model = fc_model (path, host);
      g_ptr_array_add (hosts, fc);
    }
  return hosts;
}

static gboolean
dir_has_entries (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);

  return dir != NULL && g_dir_read_name (dir) != NULL;
}

gboolean
vdsmd_hostdev_passthrough_supported (const char *sys_dir)
{
  g_autofree char *groups = g_build_filename (sys_dir, "kernel", "iommu_groups",
                                              NULL);
  g_autofree char *iommu = g_build_filename (sys_dir, "class", "iommu", NULL);

#if defined(__powerpc__) || defined(__powerpc64__)
  return dir_has_entries (groups);
#else
  return dir_has_entries (groups) && dir_has_entries (iommu);
#endif
}

GArray *
vdsmd_cpu_affinity (void)
{
  GArray *cpus = g_array_new (FALSE, FALSE, sizeof (gint64));
  cpu_set_t set;

  if (sched_getaffinity (0, sizeof set, &set) < 0)
    return cpus;
  for (gint64 cpu = 0; cpu < CPU_SETSIZE; cpu++)
    if (CPU_ISSET (cpu, &set))
      g_array_append_val (cpus, cpu);
  return cpus;
}
