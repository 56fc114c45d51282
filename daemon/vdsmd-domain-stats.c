/* vdsmd-domain-stats.c: what a VmStats record needs to know of a domain,
 * read with as few libvirt calls as the driver allows.
 *
 * Every libvirt call on a domain costs a lookup in the driver and the
 * formatting of the domain's UUID for libvirt's debug log (done even when
 * nothing is logged), so one bulk virConnectGetAllDomainStats() call reads
 * all domains at once, with the groups VDSM's sampling asks for
 * (lib/vdsm/virt/sampling.py, BULK_STATS_TYPES). Drivers implement
 * different subsets of the groups and ignore the others, so each field is
 * taken from the bulk records when they carry it and asked of the domain
 * itself otherwise.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "vdsmd-domain-stats.h"

#include <libvirt/virterror.h>
#include <string.h>

#include "vdsmd-domain.h"

/* Bits of VdsmdDomainStats.known. */
enum {
  KNOWN_STATE = 1 << 0,
  KNOWN_REASON = 1 << 1,
  KNOWN_CPU_TIME = 1 << 2,
  KNOWN_VCPUS = 1 << 3,
  /* The driver reported the balloon: no guest memory figures in it means
   * the guest gives none. */
  KNOWN_BALLOON = 1 << 4,
  KNOWN_CPU_USER = 1 << 5,
  KNOWN_CPU_SYSTEM = 1 << 6,
  KNOWN_BALLOON_AVAILABLE = 1 << 7,
  KNOWN_BALLOON_UNUSED = 1 << 8,
};

#define BULK_GROUPS (VIR_DOMAIN_STATS_STATE | VIR_DOMAIN_STATS_CPU_TOTAL | \
                     VIR_DOMAIN_STATS_VCPU | VIR_DOMAIN_STATS_BALLOON | \
                     VIR_DOMAIN_STATS_INTERFACE | VIR_DOMAIN_STATS_BLOCK)

/* More devices than a domain can have: a bound on what a count makes us
 * allocate. */
#define MAX_DEVICES 4096

/* One counter of a device group: its name after "<group>.<n>.", where it
 * goes and its bit in the device's known. */
typedef struct {
  const char *field;
  gsize offset;
  guint bit;
} Counter;

static const Counter net_counters[] = {
  { "rx.bytes", G_STRUCT_OFFSET (VdsmdNetStats, rx_bytes), 1 << 0 },
  { "rx.errs", G_STRUCT_OFFSET (VdsmdNetStats, rx_errs), 1 << 1 },
  { "rx.drop", G_STRUCT_OFFSET (VdsmdNetStats, rx_drop), 1 << 2 },
  { "tx.bytes", G_STRUCT_OFFSET (VdsmdNetStats, tx_bytes), 1 << 3 },
  { "tx.errs", G_STRUCT_OFFSET (VdsmdNetStats, tx_errs), 1 << 4 },
  { "tx.drop", G_STRUCT_OFFSET (VdsmdNetStats, tx_drop), 1 << 5 },
};
#define NET_COMPLETE ((1u << 6) - 1)

static const Counter block_counters[] = {
  { "rd.reqs", G_STRUCT_OFFSET (VdsmdBlockStats, rd_reqs), 1 << 0 },
  { "rd.bytes", G_STRUCT_OFFSET (VdsmdBlockStats, rd_bytes), 1 << 1 },
  { "rd.times", G_STRUCT_OFFSET (VdsmdBlockStats, rd_times), 1 << 2 },
  { "wr.reqs", G_STRUCT_OFFSET (VdsmdBlockStats, wr_reqs), 1 << 3 },
  { "wr.bytes", G_STRUCT_OFFSET (VdsmdBlockStats, wr_bytes), 1 << 4 },
  { "wr.times", G_STRUCT_OFFSET (VdsmdBlockStats, wr_times), 1 << 5 },
  { "fl.reqs", G_STRUCT_OFFSET (VdsmdBlockStats, fl_reqs), 1 << 6 },
  { "fl.times", G_STRUCT_OFFSET (VdsmdBlockStats, fl_times), 1 << 7 },
  { "allocation", G_STRUCT_OFFSET (VdsmdBlockStats, allocation), 1 << 8 },
  { "physical", G_STRUCT_OFFSET (VdsmdBlockStats, physical), 1 << 9 },
};
/* The request counters; the sizes are optional (an empty CD-ROM). */
#define BLOCK_COMPLETE ((1u << 8) - 1)

gboolean
vdsmd_net_stats_complete (const VdsmdNetStats *s)
{
  return s->name != NULL && (s->known & NET_COMPLETE) == NET_COMPLETE;
}

gboolean
vdsmd_block_stats_complete (const VdsmdBlockStats *s)
{
  return s->name != NULL && (s->known & BLOCK_COMPLETE) == BLOCK_COMPLETE;
}

static void
net_stats_clear (gpointer data)
{
  g_free (((VdsmdNetStats *) data)->name);
}

static void
block_stats_clear (gpointer data)
{
  g_free (((VdsmdBlockStats *) data)->name);
}

static GArray *
device_array_new (gsize size, GDestroyNotify clear)
{
  GArray *array = g_array_new (FALSE, TRUE, (guint) size);

  g_array_set_clear_func (array, clear);
  return array;
}

/* Take "<n>.<field>" (@rest) of a device group into @devices, sized by the
 * group's count. */
static void
take_device_param (GArray *devices, const Counter *counters, gsize n_counters,
                   gsize name_offset, gsize known_offset, const char *rest,
                   const virTypedParameter *p)
{
  char *end;
  guint64 index = g_ascii_strtoull (rest, &end, 10);
  guint8 *device;

  if (end == rest)
    {
      /* "<group>.count" */
      if (strcmp (rest, "count") == 0 && p->type == VIR_TYPED_PARAM_UINT)
        g_array_set_size (devices, MIN (p->value.ui, MAX_DEVICES));
      return;
    }
  if (*end != '.' || index >= devices->len)
    return;
  device = (guint8 *) devices->data + index * g_array_get_element_size (devices);
  rest = end + 1;
  if (strcmp (rest, "name") == 0 && p->type == VIR_TYPED_PARAM_STRING)
    {
      char **name = (char **) (device + name_offset);

      g_free (*name);
      *name = g_strdup (p->value.s);
      return;
    }
  if (p->type != VIR_TYPED_PARAM_ULLONG)
    return;
  for (gsize i = 0; i < n_counters; i++)
    if (strcmp (rest, counters[i].field) == 0)
      {
        *(guint64 *) (device + counters[i].offset) = p->value.ul;
        *(guint *) (device + known_offset) |= counters[i].bit;
      }
}

static void
take_balloon_param (VdsmdDomainStats *s, const char *what,
                    const virTypedParameter *p)
{
  s->known |= KNOWN_BALLOON;
  if (p->type != VIR_TYPED_PARAM_ULLONG)
    return;
  if (strcmp (what, "maximum") == 0)
    s->balloon_maximum = p->value.ul;
  else if (strcmp (what, "available") == 0)
    {
      s->balloon_available = p->value.ul;
      s->known |= KNOWN_BALLOON_AVAILABLE;
    }
  else if (strcmp (what, "unused") == 0)
    {
      s->balloon_unused = p->value.ul;
      s->known |= KNOWN_BALLOON_UNUSED;
    }
  else if (strcmp (what, "disk_caches") == 0)
    s->balloon_disk_caches = p->value.ul;
}

/* A ULLONG field into @value, marking @bit. */
static gboolean
take_ullong (VdsmdDomainStats *s, const virTypedParameter *p,
             const char *field, guint64 *value, guint bit)
{
  if (p->type != VIR_TYPED_PARAM_ULLONG || strcmp (p->field, field) != 0)
    return FALSE;
  *value = p->value.ul;
  s->known |= bit;
  return TRUE;
}

static void
take_param (VdsmdDomainStats *s, const virTypedParameter *p)
{
  const char *f = p->field;

  if (g_str_has_prefix (f, "net."))
    take_device_param (s->nets, net_counters, G_N_ELEMENTS (net_counters),
                       G_STRUCT_OFFSET (VdsmdNetStats, name),
                       G_STRUCT_OFFSET (VdsmdNetStats, known),
                       f + strlen ("net."), p);
  else if (g_str_has_prefix (f, "block."))
    take_device_param (s->counters.blocks, block_counters,
                       G_N_ELEMENTS (block_counters),
                       G_STRUCT_OFFSET (VdsmdBlockStats, name),
                       G_STRUCT_OFFSET (VdsmdBlockStats, known),
                       f + strlen ("block."), p);
  else if (g_str_has_prefix (f, "balloon."))
    take_balloon_param (s, f + strlen ("balloon."), p);
  else if (p->type == VIR_TYPED_PARAM_INT && strcmp (f, "state.state") == 0)
    {
      s->state = p->value.i;
      s->known |= KNOWN_STATE;
    }
  else if (p->type == VIR_TYPED_PARAM_INT && strcmp (f, "state.reason") == 0)
    {
      s->reason = p->value.i;
      s->known |= KNOWN_REASON;
    }
  else if (p->type == VIR_TYPED_PARAM_UINT && strcmp (f, "vcpu.current") == 0)
    {
      s->vcpus = p->value.ui;
      s->known |= KNOWN_VCPUS;
    }
  else if (!take_ullong (s, p, "cpu.time", &s->counters.cpu_time,
                         KNOWN_CPU_TIME) &&
           !take_ullong (s, p, "cpu.user", &s->counters.cpu_user,
                         KNOWN_CPU_USER))
    take_ullong (s, p, "cpu.system", &s->counters.cpu_system,
                 KNOWN_CPU_SYSTEM);
}

static void
stats_init (VdsmdDomainStats *s)
{
  if (s->nets == NULL)
    s->nets = device_array_new (sizeof (VdsmdNetStats), net_stats_clear);
  if (s->counters.blocks == NULL)
    s->counters.blocks = device_array_new (sizeof (VdsmdBlockStats),
                                           block_stats_clear);
}

/* The balloon's guest memory figures, once all are in. */
static void
settle_balloon (VdsmdDomainStats *s)
{
  const guint both = KNOWN_BALLOON_AVAILABLE | KNOWN_BALLOON_UNUSED;

  s->has_balloon_memory = (s->known & both) == both;
  s->counters.has_cpu_split =
    (s->known & (KNOWN_CPU_USER | KNOWN_CPU_SYSTEM)) ==
    (KNOWN_CPU_USER | KNOWN_CPU_SYSTEM);
}

void
vdsmd_domain_stats_take_params (VdsmdDomainStats *s,
                                const virTypedParameter *params, int n)
{
  stats_init (s);
  for (int i = 0; i < n; i++)
    take_param (s, &params[i]);
  settle_balloon (s);
}

void
vdsmd_domain_stats_clear (VdsmdDomainStats *s)
{
  g_clear_pointer (&s->nets, g_array_unref);
  g_clear_pointer (&s->counters.blocks, g_array_unref);
}

VdsmdDomainCounters *
vdsmd_domain_counters_copy (const VdsmdDomainCounters *c)
{
  VdsmdDomainCounters *copy = g_new (VdsmdDomainCounters, 1);

  *copy = *c;
  copy->blocks = device_array_new (sizeof (VdsmdBlockStats),
                                   block_stats_clear);
  for (guint i = 0; c->blocks != NULL && i < c->blocks->len; i++)
    {
      VdsmdBlockStats b = g_array_index (c->blocks, VdsmdBlockStats, i);

      b.name = g_strdup (b.name);
      g_array_append_val (copy->blocks, b);
    }
  return copy;
}

void
vdsmd_domain_counters_free (VdsmdDomainCounters *c)
{
  if (c == NULL)
    return;
  g_clear_pointer (&c->blocks, g_array_unref);
  g_free (c);
}

/* The guest's memory figures from the balloon driver, for a driver without
 * bulk statistics. */
static void
read_memory_stats (VdsmdDomainStats *s, guint64 max_kib)
{
  virDomainMemoryStatStruct st[VIR_DOMAIN_MEMORY_STAT_NR];
  int n = virDomainMemoryStats (s->dom, st, VIR_DOMAIN_MEMORY_STAT_NR, 0);

  s->balloon_maximum = max_kib;
  for (int i = 0; i < n; i++)
    if (st[i].tag == VIR_DOMAIN_MEMORY_STAT_AVAILABLE)
      {
        s->balloon_available = st[i].val;
        s->known |= KNOWN_BALLOON_AVAILABLE;
      }
    else if (st[i].tag == VIR_DOMAIN_MEMORY_STAT_UNUSED)
      {
        s->balloon_unused = st[i].val;
        s->known |= KNOWN_BALLOON_UNUSED;
      }
    else if (st[i].tag == VIR_DOMAIN_MEMORY_STAT_DISK_CACHES)
      s->balloon_disk_caches = st[i].val;
  settle_balloon (s);
}

/* Ask the domain for whatever the bulk records did not carry. */
static gboolean
complete (VdsmdDomainStats *s, GError **error)
{
  const guint state_bits = KNOWN_STATE | KNOWN_REASON;
  const guint info_bits = KNOWN_CPU_TIME | KNOWN_VCPUS | KNOWN_BALLOON;

  stats_init (s);
  s->counters.taken_at = g_get_monotonic_time ();
  if (!vdsmd_domain_uuid_string (s->dom, s->uuid))
    goto failed;
  if ((s->known & state_bits) != state_bits &&
      virDomainGetState (s->dom, &s->state, &s->reason, 0) < 0)
    goto failed;
  if (!vdsmd_domain_state_is_active (s->state))
    return TRUE;

  if ((s->known & info_bits) != info_bits)
    {
      virDomainInfo info;

      if (virDomainGetInfo (s->dom, &info) < 0)
        goto failed;
      if (!(s->known & KNOWN_CPU_TIME))
        s->counters.cpu_time = info.cpuTime;
      if (!(s->known & KNOWN_VCPUS))
        s->vcpus = info.nrVirtCpu;
      if (!(s->known & KNOWN_BALLOON))
        read_memory_stats (s, info.maxMem);
    }
  return TRUE;

failed:
  vdsmd_set_libvirt_error (error, "to describe a VM");
  return FALSE;
}

gboolean
vdsmd_domain_stats_read (virDomainPtr dom, VdsmdDomainStats *stats,
                         GError **error)
{
  virDomainPtr doms[] = { dom, NULL };
  virDomainStatsRecordPtr *records = NULL;
  int n;

  memset (stats, 0, sizeof *stats);
  stats->dom = dom;
  stats->name = virDomainGetName (dom);
  n = virDomainListGetStats (doms, BULK_GROUPS, &records, 0);
  if (n == 1)
    {
      vdsmd_domain_stats_take_params (stats, records[0]->params,
                                      records[0]->nparams);
      /* As for the whole list: see list_start(). */
      stats->known |= KNOWN_BALLOON;
    }
  if (records != NULL)
    virDomainStatsRecordListFree (records);
  if (n < 0 && virGetLastErrorCode () != VIR_ERR_NO_SUPPORT)
    {
      vdsmd_set_libvirt_error (error, "to read a VM's statistics");
      return FALSE;
    }
  return complete (stats, error);
}

static int
compare_names (const void *a, const void *b)
{
  return g_strcmp0 (((const VdsmdDomainStats *) a)->name,
                    ((const VdsmdDomainStats *) b)->name);
}

/* Start the list from the bulk statistics, or from the domains alone when
 * the driver has no bulk statistics. */
static gboolean
list_start (virConnectPtr conn, VdsmdDomainStatsList *list, GError **error)
{
  int n = virConnectGetAllDomainStats (conn, BULK_GROUPS, &list->records, 0);

  if (n >= 0)
    {
      list->n_owned = n;
      list->items = g_new0 (VdsmdDomainStats, n);
      for (int i = 0; i < n; i++)
        {
          list->items[i].dom = list->records[i]->dom;
          vdsmd_domain_stats_take_params (&list->items[i],
                                          list->records[i]->params,
                                          list->records[i]->nparams);
          /* The balloon group is the bulk form of virDomainMemoryStats()
           * (qemu fills both from the same query): a driver that answered
           * the bulk call without it has no guest memory figures to give.
           * Asking each domain again cost a third of the call at 1000 VMs. */
          list->items[i].known |= KNOWN_BALLOON;
        }
      list->n = n;
      return TRUE;
    }
  list->records = NULL;
  if (virGetLastErrorCode () != VIR_ERR_NO_SUPPORT)
    {
      vdsmd_set_libvirt_error (error, "to read the VMs' statistics");
      return FALSE;
    }

  n = virConnectListAllDomains (conn, &list->doms, 0);
  if (n < 0)
    {
      list->doms = NULL;
      vdsmd_set_libvirt_error (error, "to list the VMs");
      return FALSE;
    }
  list->n_owned = n;
  list->items = g_new0 (VdsmdDomainStats, n);
  for (int i = 0; i < n; i++)
    list->items[i].dom = list->doms[i];
  list->n = n;
  return TRUE;
}

VdsmdDomainStatsList *
vdsmd_domain_stats_list_all (virConnectPtr conn, GError **error)
{
  g_autoptr(VdsmdDomainStatsList) list = g_new0 (VdsmdDomainStatsList, 1);
  gsize kept = 0;

  if (!list_start (conn, list, error))
    return NULL;

  for (gsize i = 0; i < list->n; i++)
    list->items[i].name = virDomainGetName (list->items[i].dom);
  qsort (list->items, list->n, sizeof *list->items, compare_names);

  for (gsize i = 0; i < list->n; i++)
    {
      g_autoptr(GError) local = NULL;

      if (complete (&list->items[i], &local))
        list->items[kept++] = list->items[i];
      /* Undefined since it was listed: not an error of the whole call. */
      else if (virGetLastErrorCode () == VIR_ERR_NO_DOMAIN)
        vdsmd_domain_stats_clear (&list->items[i]);
      else
        {
          /* The list frees the items kept; these are no one's. */
          for (gsize j = i; j < list->n; j++)
            vdsmd_domain_stats_clear (&list->items[j]);
          list->n = kept;
          g_propagate_error (error, g_steal_pointer (&local));
          return NULL;
        }
    }
  list->n = kept;
  return g_steal_pointer (&list);
}

void
vdsmd_domain_stats_list_free (VdsmdDomainStatsList *list)
{
  if (list == NULL)
    return;
  for (gsize i = 0; i < list->n; i++)
    vdsmd_domain_stats_clear (&list->items[i]);
  if (list->records != NULL)
    virDomainStatsRecordListFree (list->records);
  if (list->doms != NULL)
    {
      for (int i = 0; i < list->n_owned; i++)
        virDomainFree (list->doms[i]);
      free (list->doms);
    }
  g_free (list->items);
  g_free (list);
}
