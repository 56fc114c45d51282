/* vdsm-client-tool-complete.c: what may come next on a vdsm-client command
 * line (the protocol is in vdsm-client-tool-complete.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vdsm-client-tool-complete.h"

#include "vdsm-client-tool-schema.h"

#include <string.h>

/* The words before the current one, read the way GOption reads them. */
typedef struct {
  GPtrArray *positionals;          /* borrowed words: NAMESPACE METHOD NAME=VALUE… */
  const GOptionEntry *pending;     /* the last word was this option, wanting its argument */
  gboolean options_ended;          /* after "--" */
} ReadLine;

static gboolean
is_visible (const GOptionEntry *entry)
{
  return entry->long_name != NULL && entry->long_name[0] != '\0' &&
         (entry->flags & G_OPTION_FLAG_HIDDEN) == 0;
}

static gboolean
takes_argument (const GOptionEntry *entry)
{
  return entry->arg != G_OPTION_ARG_NONE;
}

static const GOptionEntry *
find_long (const GOptionEntry *entries, const char *name, gsize length)
{
  for (const GOptionEntry *e = entries; e->long_name != NULL; e++)
    if (is_visible (e) && strlen (e->long_name) == length &&
        strncmp (e->long_name, name, length) == 0)
      return e;
  return NULL;
}

static const GOptionEntry *
find_short (const GOptionEntry *entries, char name)
{
  for (const GOptionEntry *e = entries; e->long_name != NULL; e++)
    if (e->short_name == name)
      return e;
  return NULL;
}

/* The option @word names, when it takes an argument that is not in @word. */
static const GOptionEntry *
option_wanting_argument (const GOptionEntry *entries, const char *word)
{
  if (g_str_has_prefix (word, "--"))
    {
      const GOptionEntry *entry;

      if (strchr (word, '=') != NULL)
        return NULL;
      entry = find_long (entries, word + 2, strlen (word + 2));
      return entry != NULL && takes_argument (entry) ? entry : NULL;
    }
  /* -xyz: flags, up to one that takes the rest of the word or the next. */
  for (const char *c = word + 1; *c != '\0'; c++)
    {
      const GOptionEntry *entry = find_short (entries, *c);

      if (entry != NULL && takes_argument (entry))
        return c[1] == '\0' ? entry : NULL;
    }
  return NULL;
}

static void
read_line (const GOptionEntry *entries, const char *const *words, guint index, ReadLine *line)
{
  line->positionals = g_ptr_array_new ();
  line->pending = NULL;
  line->options_ended = FALSE;
  for (guint i = 1; i < index && words[i] != NULL; i++)
    {
      const char *word = words[i];

      if (line->pending != NULL)
        line->pending = NULL;
      else if (line->options_ended || word[0] != '-' || word[1] == '\0')
        g_ptr_array_add (line->positionals, (gpointer) word);
      else if (g_str_equal (word, "--"))
        line->options_ended = TRUE;
      else
        line->pending = option_wanting_argument (entries, word);
    }
}

static void
add_if_prefixed (GString *out, const char *prefix, const char *candidate)
{
  if (g_str_has_prefix (candidate, prefix))
    g_string_append_printf (out, "%s\n", candidate);
}

static void
complete_argument (const GOptionEntry *entry, GString *out)
{
  g_string_append (out, entry->arg == G_OPTION_ARG_FILENAME ? "files\n" : "words\n");
}

static void
complete_options (const GOptionEntry *entries, const char *cur, GString *out)
{
  g_string_append (out, "words\n");
  for (const GOptionEntry *e = entries; e->long_name != NULL; e++)
    if (is_visible (e))
      {
        g_autofree char *name = g_strconcat ("--", e->long_name, NULL);

        add_if_prefixed (out, cur, name);
      }
}

static void
complete_events (VdsmSchema *schema, const char *cur, GString *out)
{
  g_autoptr(GPtrArray) names = tool_schema_event_names (schema);

  for (guint i = 0; i < names->len; i++)
    add_if_prefixed (out, cur, g_ptr_array_index (names, i));
}

static gboolean
is_assigned (GPtrArray *positionals, const char *name)
{
  gsize length = strlen (name);

  for (guint i = 2; i < positionals->len; i++)
    {
      const char *word = g_ptr_array_index (positionals, i);

      if (strncmp (word, name, length) == 0 && word[length] == '=')
        return TRUE;
    }
  return FALSE;
}

/* NAME= for each parameter not given yet, or NAME=VALUE for the values of
 * the parameter being written. */
static void
complete_params (const VdsmSchemaMethod *method, GPtrArray *positionals, const char *cur,
                 GString *out)
{
  const char *equals = strchr (cur, '=');

  if (equals != NULL)
    {
      g_autofree char *name = g_strndup (cur, (gsize) (equals - cur));
      const VdsmSchemaMember *param = tool_schema_find_param (method, name);
      g_autoptr(GPtrArray) values = NULL;

      if (param == NULL)
        return;
      values = tool_schema_param_values (param);
      for (guint i = 0; i < values->len; i++)
        {
          g_autofree char *candidate = g_strconcat (name, "=", g_ptr_array_index (values, i), NULL);

          add_if_prefixed (out, cur, candidate);
        }
      return;
    }
  for (guint i = 0; i < method->params->len; i++)
    {
      const VdsmSchemaMember *param = g_ptr_array_index (method->params, i);
      g_autofree char *candidate = NULL;

      if (is_assigned (positionals, param->name))
        continue;
      candidate = g_strconcat (param->name, "=", NULL);
      add_if_prefixed (out, cur, candidate);
    }
}

static void
complete_positional (VdsmSchema *schema, GPtrArray *positionals, const char *cur, GString *out)
{
  const char *ns = positionals->len > 0 ? g_ptr_array_index (positionals, 0) : NULL;

  g_string_append (out, "words\n");
  if (ns == NULL)
    {
      g_autoptr(GPtrArray) names = tool_schema_namespaces (schema);

      add_if_prefixed (out, cur, TOOL_EVENTS_COMMAND);
      for (guint i = 0; i < names->len; i++)
        add_if_prefixed (out, cur, g_ptr_array_index (names, i));
    }
  else if (g_str_equal (ns, TOOL_EVENTS_COMMAND))
    complete_events (schema, cur, out);
  else if (positionals->len == 1)
    {
      g_autoptr(GPtrArray) methods = tool_schema_methods (schema, ns);

      for (guint i = 0; i < methods->len; i++)
        add_if_prefixed (out, cur, ((const VdsmSchemaMethod *) g_ptr_array_index (methods, i))->verb);
    }
  else
    {
      g_autofree char *name = g_strconcat (ns, ".", g_ptr_array_index (positionals, 1), NULL);
      const VdsmSchemaMethod *method = vdsm_schema_lookup_method (schema, name);

      if (method != NULL)
        complete_params (method, positionals, cur, out);
    }
}

void
tool_complete (VdsmSchema *schema, const GOptionEntry *entries, const char *const *words,
               guint index, GString *out)
{
  guint n_words = g_strv_length ((char **) words);
  const char *cur = index < n_words ? words[index] : "";
  ReadLine line;

  read_line (entries, words, index, &line);
  if (line.pending != NULL)
    complete_argument (line.pending, out);
  else if (line.options_ended)
    complete_positional (schema, line.positionals, cur, out);
  else if (g_str_has_prefix (cur, "--") && strchr (cur, '=') != NULL)
    {
      const GOptionEntry *entry = find_long (entries, cur + 2, (gsize) (strchr (cur, '=') - cur - 2));

      if (entry != NULL)
        complete_argument (entry, out);
      else
        g_string_append (out, "words\n");
    }
  else if (cur[0] == '-')
    complete_options (entries, cur, out);
  else
    complete_positional (schema, line.positionals, cur, out);
  g_ptr_array_unref (line.positionals);
}
