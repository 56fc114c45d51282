/* vdsmd-domain-xml.c: what VDSM's VM records tell of a domain's definition,
 * read from its libvirt domain XML with GMarkup.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "vdsmd-domain-xml.h"

#include <string.h>

#include "vdsmd-domain.h"
#include "vdsmd-markup.h"

/* The element of VDSM's metadata (namespace http://ovirt.org/vm/1.0, which
 * VDSM prefixes ovirt-vm) holding the memory guaranteed to the guest. */
#define GUARANTEED_MEMORY_ELEMENT "minGuaranteedMemoryMb"

typedef struct {
  VdsmdDomainXml *xml;
  GString *text;
  gboolean vcpu_current;    /* <vcpu current='…'> told the count */
  gboolean listen_seen;     /* the open <graphics> had a <listen> */
} ParseState;

static gboolean
at (GMarkupParseContext *context, const char *path)
{
  return vdsmd_markup_at (context, "domain", path, 0);
}

static char *
dup_or (const char *value, const char *fallback)
{
  return g_strdup (value != NULL ? value : fallback);
}

static void
start_interface (const char **names, const char **values,
                 VdsmdDomainXml *xml)
{
  VdsmdDomainNic nic = { NULL, g_strdup (""), g_strdup (""), FALSE };

  nic.hostdev = g_strcmp0 (vdsmd_markup_attribute (names, values, "type"),
                           "hostdev") == 0;
  g_array_append_val (xml->nics, nic);
}

static VdsmdDomainNic *
last_nic (VdsmdDomainXml *xml)
{
  return &g_array_index (xml->nics, VdsmdDomainNic, xml->nics->len - 1);
}

static VdsmdDomainGraphics *
last_graphics (VdsmdDomainXml *xml)
{
  return &g_array_index (xml->graphics, VdsmdDomainGraphics,
                         xml->graphics->len - 1);
}

/* Replace *@field by a copy of @value when there is one. */
static void
set_text (char **field, const char *value)
{
  if (value == NULL)
    return;
  g_free (*field);
  *field = g_strdup (value);
}

static void
start_device (GMarkupParseContext *context, const char **names,
              const char **values, ParseState *st)
{
  VdsmdDomainXml *xml = st->xml;

  if (at (context, "devices/interface"))
    start_interface (names, values, xml);
  else if (at (context, "devices/interface/target"))
    set_text (&last_nic (xml)->name,
              vdsmd_markup_attribute (names, values, "dev"));
  else if (at (context, "devices/interface/mac"))
    set_text (&last_nic (xml)->mac,
              vdsmd_markup_attribute (names, values, "address"));
  else if (at (context, "devices/interface/model"))
    set_text (&last_nic (xml)->model,
              vdsmd_markup_attribute (names, values, "type"));
  else if (at (context, "devices/graphics"))
    {
      VdsmdDomainGraphics g = {
        dup_or (vdsmd_markup_attribute (names, values, "type"), ""),
        dup_or (vdsmd_markup_attribute (names, values, "port"), ""),
        dup_or (vdsmd_markup_attribute (names, values, "tlsPort"), ""),
        g_strdup ("0"),
      };
      g_array_append_val (xml->graphics, g);
      st->listen_seen = FALSE;
    }
  /* display_info reads the first <listen>. */
  else if (at (context, "devices/graphics/listen") && !st->listen_seen)
    {
      st->listen_seen = TRUE;
      set_text (&last_graphics (xml)->address,
                vdsmd_markup_attribute (names, values, "address"));
    }
}

static void
start_element (GMarkupParseContext *context, const char *element,
               const char **names, const char **values, gpointer data,
               GError **error)
{
  ParseState *st = data;
  VdsmdDomainXml *xml = st->xml;

  g_string_truncate (st->text, 0);
  if (at (context, ""))
    set_text (&xml->type, vdsmd_markup_attribute (names, values, "type"));
  else if (at (context, "features/acpi"))
    xml->acpi = TRUE;
  else if (at (context, "clock"))
    set_text (&xml->time_offset,
              vdsmd_markup_attribute (names, values, "adjustment"));
  else if (at (context, "memoryBacking/hugepages"))
    xml->hugepages = TRUE;
  else if (at (context, "vcpu"))
    {
      const char *current = vdsmd_markup_attribute (names, values, "current");

      st->vcpu_current = current != NULL;
      if (current != NULL)
        xml->vcpus = (guint) g_ascii_strtoull (current, NULL, 10);
    }
  else
    start_device (context, names, values, st);
}

static void
end_element (GMarkupParseContext *context, const char *element,
             gpointer data, GError **error)
{
  ParseState *st = data;
  VdsmdDomainXml *xml = st->xml;
  const char *local = strchr (element, ':');
  g_autofree char *text = g_strstrip (g_strdup (st->text->str));

  /* libvirt writes <memory> in KiB (unit='KiB'). */
  if (at (context, "memory"))
    xml->memory_kib = g_ascii_strtoull (text, NULL, 10);
  else if (at (context, "vcpu") && !st->vcpu_current)
    xml->vcpus = (guint) g_ascii_strtoull (text, NULL, 10);
  else if (local != NULL && strcmp (local + 1, GUARANTEED_MEMORY_ELEMENT) == 0 &&
           vdsmd_markup_at (context, "domain", "metadata", 2))
    xml->guaranteed_mib = g_ascii_strtoull (text, NULL, 10);
  g_string_truncate (st->text, 0);
}

static void
text (GMarkupParseContext *context, const char *text, gsize len,
      gpointer data, GError **error)
{
  ParseState *st = data;

  g_string_append_len (st->text, text, (gssize) len);
}

static void
nic_clear (gpointer data)
{
  VdsmdDomainNic *nic = data;

  g_free (nic->name);
  g_free (nic->mac);
  g_free (nic->model);
}

static void
graphics_clear (gpointer data)
{
  VdsmdDomainGraphics *g = data;

  g_free (g->type);
  g_free (g->port);
  g_free (g->tls_port);
  g_free (g->address);
}

VdsmdDomainXml *
vdsmd_domain_xml_parse (const char *document, GError **error)
{
  static const GMarkupParser parser = {
    start_element, end_element, text, NULL, NULL
  };
  g_autoptr(VdsmdDomainXml) xml = g_new0 (VdsmdDomainXml, 1);
  g_autoptr(GString) buf = g_string_new (NULL);
  ParseState st = { xml, buf, FALSE, FALSE };
  g_autoptr(GMarkupParseContext) context = NULL;

  g_atomic_ref_count_init (&xml->ref);
  xml->type = g_strdup ("");
  xml->time_offset = g_strdup ("0");
  xml->nics = g_array_new (FALSE, FALSE, sizeof (VdsmdDomainNic));
  g_array_set_clear_func (xml->nics, nic_clear);
  xml->graphics = g_array_new (FALSE, FALSE, sizeof (VdsmdDomainGraphics));
  g_array_set_clear_func (xml->graphics, graphics_clear);

  context = g_markup_parse_context_new (&parser, 0, &st, NULL);
  if (!g_markup_parse_context_parse (context, document, -1, error) ||
      !g_markup_parse_context_end_parse (context, error))
    {
      g_prefix_error (error, "libvirt's domain XML: ");
      return NULL;
    }
  return g_steal_pointer (&xml);
}

VdsmdDomainXml *
vdsmd_domain_xml_ref (VdsmdDomainXml *xml)
{
  g_atomic_ref_count_inc (&xml->ref);
  return xml;
}

void
vdsmd_domain_xml_unref (VdsmdDomainXml *xml)
{
  if (xml == NULL || !g_atomic_ref_count_dec (&xml->ref))
    return;
  g_free (xml->type);
  g_free (xml->time_offset);
  g_array_unref (xml->nics);
  g_array_unref (xml->graphics);
  g_free (xml);
}

VdsmdDomainXml *
vdsmd_domain_xml_read (virDomainPtr dom, GError **error)
{
  g_autofree char *document = virDomainGetXMLDesc (dom, 0);

  if (document == NULL)
    {
      vdsmd_set_libvirt_error (error, "to give a VM's definition");
      return NULL;
    }
  return vdsmd_domain_xml_parse (document, error);
}

const VdsmdDomainNic *
vdsmd_domain_xml_find_nic (const VdsmdDomainXml *xml, const char *name)
{
  for (guint i = 0; i < xml->nics->len; i++)
    {
      const VdsmdDomainNic *nic = &g_array_index (xml->nics, VdsmdDomainNic, i);

      if (g_strcmp0 (nic->name, name) == 0)
        return nic;
    }
  return NULL;
}
