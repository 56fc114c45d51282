/* vdsmd-markup.c: helpers for reading libvirt's XML documents with GMarkup.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include "vdsmd-markup.h"

#include <string.h>

gboolean
vdsmd_markup_at (GMarkupParseContext *context, const char *root,
                 const char *path, guint skip)
{
  const GSList *stack = g_markup_parse_context_get_element_stack (context);
  const char *end = path + strlen (path);

  for (; skip > 0 && stack != NULL; skip--)
    stack = stack->next;
  /* Walk @path's components from the last one back, without splitting it:
   * this runs for every element of a document. */
  while (end > path)
    {
      const char *start = end;
      gsize len;

      while (start > path && start[-1] != '/')
        start--;
      len = (gsize) (end - start);
      if (stack == NULL || strncmp (stack->data, start, len) != 0 ||
          ((const char *) stack->data)[len] != '\0')
        return FALSE;
      stack = stack->next;
      end = start > path ? start - 1 : start;
    }
  return stack != NULL && strcmp (stack->data, root) == 0 &&
         stack->next == NULL;
}

const char *
vdsmd_markup_attribute (const char **names, const char **values,
                        const char *name)
{
  for (guint i = 0; names[i] != NULL; i++)
    if (strcmp (names[i], name) == 0)
      return values[i];
  return NULL;
}

gint64
vdsmd_markup_int_attribute (const char **names, const char **values,
                            const char *name, gint64 fallback)
{
  const char *value = vdsmd_markup_attribute (names, values, name);

  return value != NULL ? g_ascii_strtoll (value, NULL, 10) : fallback;
}
