/* vdsmd-host-info.c: the kernel's counters of the machine vdsmd runs on.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "vdsmd-host-info.h"

#include <gio/gio.h>
#include <stdlib.h>
#include <string.h>

/* An unsigned decimal number at the start of @text (after blanks); @end
 * gets what follows it. */
static gboolean
parse_uint (const char *text, guint64 *value, const char **end)
{
  char *stop;

  while (*text == ' ' || *text == '\t')
    text++;
  if (!g_ascii_isdigit (*text))
    return FALSE;
  *value = g_ascii_strtoull (text, &stop, 10);
  if (end != NULL)
    *end = stop;
  return TRUE;
}

gboolean
vdsmd_read_uint_file (const char *path, guint64 *value)
{
  g_autofree char *text = NULL;

  return g_file_get_contents (path, &text, NULL, NULL) &&
         parse_uint (text, value, NULL);
}

static gboolean
read_text (const char *path, char **text)
{
  return g_file_get_contents (path, text, NULL, NULL);
}

gboolean
vdsmd_meminfo_parse (const char *text, VdsmdMemInfo *info)
{
  static const struct { const char *key; gsize offset; } keys[] = {
    { "MemTotal:", G_STRUCT_OFFSET (VdsmdMemInfo, mem_total) },
    { "MemFree:", G_STRUCT_OFFSET (VdsmdMemInfo, mem_free) },
    { "Buffers:", G_STRUCT_OFFSET (VdsmdMemInfo, buffers) },
    { "Cached:", G_STRUCT_OFFSET (VdsmdMemInfo, cached) },
    { "SReclaimable:", G_STRUCT_OFFSET (VdsmdMemInfo, sreclaimable) },
    { "SwapTotal:", G_STRUCT_OFFSET (VdsmdMemInfo, swap_total) },
    { "SwapFree:", G_STRUCT_OFFSET (VdsmdMemInfo, swap_free) },
    { "AnonHugePages:", G_STRUCT_OFFSET (VdsmdMemInfo, anon_huge_pages) },
  };
  gboolean have_total = FALSE;

  memset (info, 0, sizeof *info);
  for (const char *line = text; line != NULL && *line != '\0';)
    {
      const char *next = strchr (line, '\n');

      for (gsize i = 0; i < G_N_ELEMENTS (keys); i++)
        if (g_str_has_prefix (line, keys[i].key) &&
            parse_uint (line + strlen (keys[i].key),
                        G_STRUCT_MEMBER_P (info, keys[i].offset), NULL))
          have_total |= i == 0;
      line = next != NULL ? next + 1 : NULL;
    }
  return have_total;
}

gboolean
vdsmd_meminfo_read (const char *path, VdsmdMemInfo *info)
{
  g_autofree char *text = NULL;

  return read_text (path, &text) && vdsmd_meminfo_parse (text, info);
}

/* "cpu3 10 2 30 400 5 0 1 0 0 0": CPU 3's user, nice, system, idle, I/O
 * wait, interrupt, soft interrupt and steal ticks (older kernels write
 * fewer; the guest columns after them are counted in user and nice). */
static gboolean
parse_cpu_line (const char *line, VdsmdCpuTicks *cpu)
{
  guint64 id, value;
  const char *p;
  guint column;

  if (!g_str_has_prefix (line, "cpu") || !g_ascii_isdigit (line[3]) ||
      !parse_uint (line + 3, &id, &p) || id > G_MAXUINT)
    return FALSE;
  cpu->id = (guint) id;
  cpu->user = cpu->sys = cpu->total = 0;
  for (column = 0; column < 8 && parse_uint (p, &value, &p); column++)
    {
      if (column == 0)
        cpu->user = value;
      else if (column == 2)
        cpu->sys = value;
      cpu->total += value;
    }
  /* Every kernel since 2.6 writes user, nice, system and idle. */
  return column >= 4;
}

GArray *
vdsmd_proc_stat_parse (const char *text, guint64 *boot_time)
{
  GArray *cpus = g_array_new (FALSE, FALSE, sizeof (VdsmdCpuTicks));

  *boot_time = 0;
  for (const char *line = text; line != NULL && *line != '\0';)
    {
      const char *next = strchr (line, '\n');
      VdsmdCpuTicks cpu;

      if (parse_cpu_line (line, &cpu))
        g_array_append_val (cpus, cpu);
      else if (g_str_has_prefix (line, "btime "))
        parse_uint (line + strlen ("btime "), boot_time, NULL);
      line = next != NULL ? next + 1 : NULL;
    }
  return cpus;
}

GArray *
vdsmd_proc_stat_read (const char *path, guint64 *boot_time)
{
  g_autofree char *text = NULL;

  if (!read_text (path, &text))
    {
      *boot_time = 0;
      return g_array_new (FALSE, FALSE, sizeof (VdsmdCpuTicks));
    }
  return vdsmd_proc_stat_parse (text, boot_time);
}

gboolean
vdsmd_pid_stat_parse (const char *text, VdsmdPidStat *st)
{
  /* The command name (field 2) is in parentheses and may hold anything,
   * blanks and parentheses included: the fields are counted after the
   * last ')'. utime, stime and nice are fields 14, 15 and 19. */
  const char *p = strrchr (text, ')');
  g_auto(GStrv) fields = NULL;
  char *end;

  if (p == NULL)
    return FALSE;
  fields = g_strsplit (p + 1, " ", -1);
  /* fields[0] is the empty text before the blank after ')'; field N is
   * fields[N - 2]. */
  if (g_strv_length (fields) < 18 || !parse_uint (fields[12], &st->utime, NULL) ||
      !parse_uint (fields[13], &st->stime, NULL))
    return FALSE;
  st->nice = g_ascii_strtoll (fields[17], &end, 10);
  return end != fields[17];
}

gboolean
vdsmd_pid_stat_read (pid_t pid, VdsmdPidStat *st)
{
  g_autofree char *path = pid == 0 ? g_strdup ("/proc/self/stat")
                                   : g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *text = NULL;

  return read_text (path, &text) && vdsmd_pid_stat_parse (text, st);
}

pid_t
vdsmd_kernel_thread_find (const char *proc_dir, const char *comm)
{
  g_autoptr(GDir) dir = g_dir_open (proc_dir, 0, NULL);
  const char *name;

  if (dir == NULL)
    return 0;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *text = NULL;
      guint64 pid;
      const char *end;

      if (!parse_uint (name, &pid, &end) || *end != '\0' || pid > G_MAXINT)
        continue;
      path = g_build_filename (proc_dir, name, "comm", NULL);
      if (read_text (path, &text) && g_strcmp0 (g_strchomp (text), comm) == 0)
        return (pid_t) pid;
    }
  return 0;
}

char *
vdsmd_loadavg_parse (const char *text)
{
  /* "0.52 0.58 0.59 1/467 12345": the second is the 5-minute average,
   * which is the one VDSM reports. */
  g_auto(GStrv) fields = g_strsplit_set (text, " \n", -1);
  char *end;

  if (g_strv_length (fields) < 2 || fields[1][0] == '\0')
    return NULL;
  g_ascii_strtod (fields[1], &end);
  if (*end != '\0')
    return NULL;
  return g_strdup (fields[1]);
}

char *
vdsmd_thp_mode_parse (const char *text)
{
  const char *open = strchr (text, '[');
  const char *close = open != NULL ? strchr (open, ']') : NULL;

  if (close == NULL || close == open + 1)
    return NULL;
  return g_strndup (open + 1, (gsize) (close - open - 1));
}

static gboolean
read_dir_uint (const char *dir, const char *name, guint64 *value)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  return vdsmd_read_uint_file (path, value);
}

gboolean
vdsmd_ksm_read (const char *dir, VdsmdKsmInfo *ksm)
{
  guint64 run = 0, merge = 1;

  memset (ksm, 0, sizeof *ksm);
  /* Each file is read on its own: an older kernel lacks some of them
   * (merge_across_nodes came in 3.9), and then its default holds. */
  if (!read_dir_uint (dir, "run", &run))
    {
      ksm->merge_across_nodes = TRUE;
      return FALSE;
    }
  read_dir_uint (dir, "pages_to_scan", &ksm->pages_to_scan);
  read_dir_uint (dir, "pages_sharing", &ksm->pages_sharing);
  read_dir_uint (dir, "merge_across_nodes", &merge);
  ksm->running = run == 1;
  ksm->merge_across_nodes = merge != 0;
  return TRUE;
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

GPtrArray *
vdsmd_dir_list (const char *dir_path, const char *prefix)
{
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_prefix (name, prefix))
      g_ptr_array_add (names, g_strdup (name + strlen (prefix)));
  g_ptr_array_sort (names, compare_strings);
  return names;
}

GPtrArray *
vdsmd_strings_copy (GPtrArray *strings)
{
  GPtrArray *copy = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; strings != NULL && i < strings->len; i++)
    g_ptr_array_add (copy, g_strdup (g_ptr_array_index (strings, i)));
  return copy;
}
