/* vdsm-event-filter.c: event id patterns (docs/protocol.md §9.1).
 *
 * An event id is `|NAMESPACE|NAME|UNIQUE`: split at its first three `|`, it
 * is four fields, the first (the receiver in the ids of VDSM's Java client)
 * empty. A pattern has the same four fields, each `*` or a literal that
 * must equal the event's field. The unique part may itself hold `|`: it is
 * everything after the third.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vdsm-event-filter.h"

#include <gio/gio.h>
#include <string.h>

#define N_FIELDS 4

typedef struct {
  char *fields[N_FIELDS];   /* NULL: `*` */
} Pattern;

struct _VdsmEventFilter {
  GArray *patterns;         /* Pattern */
  char *header;
};

static void
pattern_clear (gpointer data)
{
  Pattern *pattern = data;

  for (guint i = 0; i < N_FIELDS; i++)
    g_free (pattern->fields[i]);
}

static gboolean
pattern_parse (const char *text, Pattern *out, GError **error)
{
  g_auto(GStrv) fields = g_strsplit (text, "|", N_FIELDS);
  const char *why = NULL;

  if (g_strv_length (fields) != N_FIELDS)
    why = "it needs four fields separated by |, as *|virt|VM_status|*";
  else if (strchr (text, ',') != NULL)
    why = "a pattern cannot hold a comma";
  else
    for (guint i = 0; i < N_FIELDS && why == NULL; i++)
      {
        if (strchr (fields[i], '*') != NULL && strcmp (fields[i], "*") != 0)
          why = "* stands for a whole field only";
        for (const char *c = fields[i]; *c != '\0' && why == NULL; c++)
          if ((guchar) *c < 0x20 || *c == 0x7f)
            why = "it holds a control character";
      }
  if (why != NULL)
    {
      g_autofree char *shown = g_strescape (text, NULL);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Invalid event pattern “%s”: %s", shown, why);
      return FALSE;
    }
  if (out != NULL)
    for (guint i = 0; i < N_FIELDS; i++)
      out->fields[i] = strcmp (fields[i], "*") == 0 ? NULL : g_strdup (fields[i]);
  return TRUE;
}

gboolean
vdsm_event_pattern_check (const char *pattern, GError **error)
{
  g_return_val_if_fail (pattern != NULL, FALSE);

  return pattern_parse (pattern, NULL, error);
}

VdsmEventFilter *
vdsm_event_filter_new (const char *const *patterns, GError **error)
{
  g_autoptr(VdsmEventFilter) filter = g_new0 (VdsmEventFilter, 1);

  g_return_val_if_fail (patterns != NULL && patterns[0] != NULL, NULL);

  filter->patterns = g_array_new (FALSE, TRUE, sizeof (Pattern));
  g_array_set_clear_func (filter->patterns, pattern_clear);
  for (guint i = 0; patterns[i] != NULL; i++)
    {
      Pattern pattern = { { NULL, } };

      if (!pattern_parse (patterns[i], &pattern, error))
        return NULL;
      g_array_append_val (filter->patterns, pattern);
    }
  filter->header = g_strjoinv (",", (char **) patterns);
  return g_steal_pointer (&filter);
}

VdsmEventFilter *
vdsm_event_filter_parse (const char *header, guint max_patterns, GError **error)
{
  g_auto(GStrv) patterns = NULL;

  g_return_val_if_fail (header != NULL, NULL);

  patterns = g_strsplit (header, ",", max_patterns > 0 ? (int) max_patterns + 1 : 0);
  if (patterns[0] == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "Invalid event filter: no pattern");
      return NULL;
    }
  if (max_patterns > 0 && g_strv_length (patterns) > max_patterns)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                   "Too many event patterns (limit %u)", max_patterns);
      return NULL;
    }
  return vdsm_event_filter_new ((const char *const *) patterns, error);
}

void
vdsm_event_filter_free (VdsmEventFilter *filter)
{
  if (filter == NULL)
    return;
  g_clear_pointer (&filter->patterns, g_array_unref);
  g_free (filter->header);
  g_free (filter);
}

/* Whether @field (@length bytes; NULL: the event id has no such field)
 * matches @want (NULL: `*`). */
static gboolean
field_matches (const char *want, const char *field, gsize length)
{
  if (want == NULL)
    return TRUE;
  return field != NULL && strlen (want) == length && memcmp (want, field, length) == 0;
}

gboolean
vdsm_event_filter_matches (const VdsmEventFilter *filter, const char *event_id)
{
  const char *starts[N_FIELDS] = { NULL, };
  gsize lengths[N_FIELDS] = { 0, };
  const char *p = event_id;

  g_return_val_if_fail (filter != NULL && event_id != NULL, FALSE);

  /* Split without copying: this runs for every event and subscription. */
  for (guint i = 0; i < N_FIELDS; i++)
    {
      const char *bar = i < N_FIELDS - 1 ? strchr (p, '|') : NULL;

      starts[i] = p;
      lengths[i] = bar != NULL ? (gsize) (bar - p) : strlen (p);
      if (bar == NULL)
        break;
      p = bar + 1;
    }
  for (guint n = 0; n < filter->patterns->len; n++)
    {
      const Pattern *pattern = &g_array_index (filter->patterns, Pattern, n);
      gboolean all = TRUE;

      for (guint i = 0; i < N_FIELDS && all; i++)
        all = field_matches (pattern->fields[i], starts[i], lengths[i]);
      if (all)
        return TRUE;
    }
  return FALSE;
}

const char *
vdsm_event_filter_to_header (const VdsmEventFilter *filter)
{
  g_return_val_if_fail (filter != NULL, NULL);

  return filter->header;
}
