/* vdsmd-caps-xml.c: the parts of libvirt's capabilities XML that VDSM's
 * Host.getCapabilities reports, read with GMarkup (the document is
 * libvirt's own output, in the simple subset GMarkup accepts).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "vdsmd-caps-xml.h"

#include <string.h>

#include "vdsmd-domain.h"
#include "vdsmd-markup.h"

typedef struct {
  VdsmdCapsXml *caps;
  GString *text;
  VdsmdCapsCell *cell;      /* the open <cell>, or NULL */
  guint64 pages_size;       /* of the open <cell><pages> */
} ParseState;

static gboolean
at (GMarkupParseContext *context, const char *path)
{
  return vdsmd_markup_at (context, "capabilities", path, 0);
}

static void
cell_free (VdsmdCapsCell *cell)
{
  for (guint i = 0; i < cell->cpus->len; i++)
    g_free (g_array_index (cell->cpus, VdsmdCapsCpu, i).siblings);
  for (guint i = 0; i < cell->pages->len; i++)
    g_free (g_array_index (cell->pages, VdsmdCapsPages, i).count);
  g_array_unref (cell->cpus);
  g_array_unref (cell->pages);
  g_array_unref (cell->distances);
  g_free (cell);
}

static VdsmdCapsCell *
cell_new (gint64 id)
{
  VdsmdCapsCell *cell = g_new0 (VdsmdCapsCell, 1);

  cell->id = id;
  cell->cpus = g_array_new (FALSE, FALSE, sizeof (VdsmdCapsCpu));
  cell->pages = g_array_new (FALSE, FALSE, sizeof (VdsmdCapsPages));
  cell->distances = g_array_new (FALSE, FALSE, sizeof (guint64));
  return cell;
}

/* The elements of a <cell> of the host's NUMA topology. */
static void
start_cell_element (GMarkupParseContext *context, ParseState *st,
                    const char **names, const char **values)
{
  VdsmdCapsCell *cell = st->cell;

  if (at (context, "host/topology/cells/cell/cpus/cpu"))
    {
      VdsmdCapsCpu cpu = {
        vdsmd_markup_int_attribute (names, values, "id", -1),
        vdsmd_markup_int_attribute (names, values, "socket_id", -1),
        vdsmd_markup_int_attribute (names, values, "die_id", 0),
        vdsmd_markup_int_attribute (names, values, "core_id", -1),
        g_strdup (vdsmd_markup_attribute (names, values, "siblings")),
      };
      g_array_append_val (cell->cpus, cpu);
    }
  else if (at (context, "host/topology/cells/cell/pages"))
    st->pages_size = (guint64) vdsmd_markup_int_attribute (names, values,
                                                           "size", 0);
  else if (at (context, "host/topology/cells/cell/distances/sibling"))
    {
      guint64 distance = (guint64) vdsmd_markup_int_attribute (names, values,
                                                               "value", 0);
      g_array_append_val (cell->distances, distance);
    }
}

static void
end_cell_element (GMarkupParseContext *context, ParseState *st, char *text)
{
  if (at (context, "host/topology/cells/cell/memory"))
    st->cell->memory_kib = g_ascii_strtoull (text, NULL, 10);
  else if (at (context, "host/topology/cells/cell/pages"))
    {
      VdsmdCapsPages pages = { st->pages_size, g_strdup (text) };
      g_array_append_val (st->cell->pages, pages);
    }
  else if (at (context, "host/topology/cells/cell"))
    st->cell = NULL;
}

static void
add_unique (GPtrArray *array, const char *value)
{
  for (guint i = 0; i < array->len; i++)
    if (strcmp (g_ptr_array_index (array, i), value) == 0)
      return;
  g_ptr_array_add (array, g_strdup (value));
}

static void
start_element (GMarkupParseContext *context, const char *element,
               const char **names, const char **values, gpointer data,
               GError **error)
{
  ParseState *st = data;
  VdsmdCapsXml *caps = st->caps;
  const char *value;

  g_string_truncate (st->text, 0);

  /* Features come as <feature name='…'/> (real hosts) or as elements of
   * their own under <features> (the test driver). */
  if (at (context, "host/cpu/feature") &&
      (value = vdsmd_markup_attribute (names, values, "name")) != NULL)
    add_unique (caps->cpu_features, value);
  else if (vdsmd_markup_at (context, "capabilities", "host/cpu/features", 1))
    add_unique (caps->cpu_features, element);

  if (at (context, "host/cpu/pages") &&
      (value = vdsmd_markup_attribute (names, values, "size")) != NULL)
    {
      gint64 size = g_ascii_strtoll (value, NULL, 10);
      g_array_append_val (caps->page_sizes, size);
    }
  else if (at (context, "host/topology/cells/cell/cpus/cpu") &&
           (value = vdsmd_markup_attribute (names, values, "id")) != NULL)
    g_ptr_array_add (caps->cpu_ids, g_strdup (value));
  else if (at (context, "guest/arch/domain") &&
           g_strcmp0 (vdsmd_markup_attribute (names, values, "type"),
                      "kvm") == 0)
    caps->kvm = TRUE;

  if (at (context, "host/topology/cells/cell"))
    {
      st->cell = cell_new (vdsmd_markup_int_attribute (names, values, "id",
                                                       -1));
      g_ptr_array_add (caps->cells, st->cell);
    }
  else if (st->cell != NULL)
    start_cell_element (context, st, names, values);
}

static void
end_element (GMarkupParseContext *context, const char *element,
             gpointer data, GError **error)
{
  ParseState *st = data;
  VdsmdCapsXml *caps = st->caps;
  g_autofree char *text = g_strstrip (g_strdup (st->text->str));

  if (at (context, "host/uuid"))
    {
      g_free (caps->host_uuid);
      caps->host_uuid = g_steal_pointer (&text);
    }
  else if (at (context, "host/cpu/model"))
    {
      g_free (caps->cpu_model);
      caps->cpu_model = g_steal_pointer (&text);
    }
  else if ((at (context, "guest/arch/machine") ||
            at (context, "guest/arch/domain/machine")) && *text != '\0')
    add_unique (caps->machines, text);
  else if (st->cell != NULL)
    end_cell_element (context, st, text);
  g_string_truncate (st->text, 0);
}

static void
text (GMarkupParseContext *context, const char *text, gsize len,
      gpointer data, GError **error)
{
  ParseState *st = data;

  g_string_append_len (st->text, text, (gssize) len);
}

VdsmdCapsXml *
vdsmd_caps_xml_parse (const char *xml, GError **error)
{
  static const GMarkupParser parser = {
    start_element, end_element, text, NULL, NULL
  };
  g_autoptr(VdsmdCapsXml) caps = g_new0 (VdsmdCapsXml, 1);
  g_autoptr(GString) buf = g_string_new (NULL);
  ParseState st = { caps, buf, NULL, 0 };
  g_autoptr(GMarkupParseContext) context = NULL;

  caps->cpu_features = g_ptr_array_new_with_free_func (g_free);
  caps->cpu_ids = g_ptr_array_new_with_free_func (g_free);
  caps->page_sizes = g_array_new (FALSE, FALSE, sizeof (gint64));
  caps->machines = g_ptr_array_new_with_free_func (g_free);
  caps->cells = g_ptr_array_new_with_free_func ((GDestroyNotify) cell_free);

  context = g_markup_parse_context_new (&parser, 0, &st, NULL);
  if (!g_markup_parse_context_parse (context, xml, -1, error) ||
      !g_markup_parse_context_end_parse (context, error))
    {
      g_prefix_error (error, "libvirt's capabilities XML: ");
      return NULL;
    }
  return g_steal_pointer (&caps);
}

void
vdsmd_caps_xml_free (VdsmdCapsXml *caps)
{
  if (caps == NULL)
    return;
  g_free (caps->host_uuid);
  g_free (caps->cpu_model);
  g_ptr_array_unref (caps->cpu_features);
  g_ptr_array_unref (caps->cpu_ids);
  g_array_unref (caps->page_sizes);
  g_ptr_array_unref (caps->machines);
  g_ptr_array_unref (caps->cells);
  g_free (caps);
}

VdsmdCapsXml *
vdsmd_caps_xml_read (virConnectPtr conn, GError **error)
{
  g_autofree char *xml = virConnectGetCapabilities (conn);

  if (xml == NULL)
    {
      vdsmd_set_libvirt_error (error, "to describe the host");
      return NULL;
    }
  return vdsmd_caps_xml_parse (xml, error);
}
