/* emit-docs.c: the browsable HTML API reference: an index page, one page
 * per method namespace, a types page grouped by kind, an events page, and
 * the search index the search box runs over.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "docs.h"

#include "docs-html.h"
#include "docs-names.h"
#include "emit-writer.h"

#include <errno.h>
#include <string.h>

/* Kinds in the order of the types page. */
static const VdsmSchemaKind kind_order[] = {
  VDSM_SCHEMA_KIND_OBJECT, VDSM_SCHEMA_KIND_ENUM, VDSM_SCHEMA_KIND_UNION,
  VDSM_SCHEMA_KIND_MAP, VDSM_SCHEMA_KIND_ALIAS,
};
static const char *const kind_titles[] = {
  [VDSM_SCHEMA_KIND_OBJECT] = "Objects",
  [VDSM_SCHEMA_KIND_ENUM] = "Enums",
  [VDSM_SCHEMA_KIND_ALIAS] = "Aliases",
  [VDSM_SCHEMA_KIND_MAP] = "Maps",
  [VDSM_SCHEMA_KIND_UNION] = "Unions",
};

/* Where a type is used: a link to the user. */
typedef struct {
  char *href;
  char *label;
} Use;

typedef struct {
  VdsmSchema *schema;
  DocsNames *names;
  const char *title;
  GHashTable *uses;        /* const VdsmSchemaType* -> GPtrArray of Use* */
  GPtrArray *namespaces;   /* char*, sorted */
  JsonBuilder *index;      /* the search index, an array being built */
  GHashTable *served;      /* method names, or NULL: no server in view */
} Docs;

static void
use_free (Use *use)
{
  g_free (use->href);
  g_free (use->label);
  g_free (use);
}

static int
compare_text (const char *a, const char *b)
{
  int c = g_ascii_strcasecmp (a, b);

  return c != 0 ? c : strcmp (a, b);
}

static int
compare_methods (gconstpointer a, gconstpointer b)
{
  return compare_text ((*(const VdsmSchemaMethod *const *) a)->name,
                       (*(const VdsmSchemaMethod *const *) b)->name);
}

static int
compare_types (gconstpointer a, gconstpointer b)
{
  return compare_text ((*(const VdsmSchemaType *const *) a)->key,
                       (*(const VdsmSchemaType *const *) b)->key);
}

static int
compare_events (gconstpointer a, gconstpointer b)
{
  return compare_text ((*(const VdsmSchemaEvent *const *) a)->key,
                       (*(const VdsmSchemaEvent *const *) b)->key);
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return compare_text (*(const char *const *) a, *(const char *const *) b);
}

/* A copy of @array sorted with @compare. */
static GPtrArray *
sorted_copy (GPtrArray *array, GCompareFunc compare)
{
  GPtrArray *copy = g_ptr_array_sized_new (array->len);

  /* not g_ptr_array_copy (): that would take over the free function */
  for (guint i = 0; i < array->len; i++)
    g_ptr_array_add (copy, g_ptr_array_index (array, i));
  g_ptr_array_sort (copy, compare);
  return copy;
}

/* The first sentence of @text, for the index and the search results. */
static char *
summary (const char *text)
{
  const char *end;

  if (text == NULL)
    return g_strdup ("");
  end = strstr (text, ". ");
  if (end == NULL || end - text > 160)
    return g_utf8_substring (text, 0, MIN (g_utf8_strlen (text, -1), 160));
  return g_strndup (text, end - text + 1);
}

/* ---- Where types are used ---- */

static void
add_use (Docs *d, const VdsmSchemaType *type, const char *href, const char *label)
{
  GPtrArray *uses = g_hash_table_lookup (d->uses, type);
  Use *use;

  if (uses == NULL)
    {
      uses = g_ptr_array_new_with_free_func ((GDestroyNotify) use_free);
      g_hash_table_insert (d->uses, (gpointer) type, uses);
    }
  for (guint i = 0; i < uses->len; i++)
    if (strcmp (((Use *) g_ptr_array_index (uses, i))->href, href) == 0)
      return;
  use = g_new0 (Use, 1);
  use->href = g_strdup (href);
  use->label = g_strdup (label);
  g_ptr_array_add (uses, use);
}

static void note_type_body (Docs *d, const VdsmSchemaType *type, const char *href,
                            const char *label);

static void
note_ref (Docs *d, const VdsmSchemaTypeRef *ref, const char *href, const char *label)
{
  if (ref == NULL)
    return;
  if (ref->kind == VDSM_SCHEMA_REF_LIST)
    note_ref (d, ref->item, href, label);
  else if (ref->kind == VDSM_SCHEMA_REF_NAMED && ref->type->anonymous)
    note_type_body (d, ref->type, href, label);   /* shown inline, where it is used */
  else if (ref->kind == VDSM_SCHEMA_REF_NAMED)
    add_use (d, ref->type, href, label);
}

static void
note_members (Docs *d, const GPtrArray *members, const char *href, const char *label)
{
  for (guint i = 0; members != NULL && i < members->len; i++)
    note_ref (d, ((const VdsmSchemaMember *) g_ptr_array_index (members, i))->type, href, label);
}

static void
note_type_body (Docs *d, const VdsmSchemaType *type, const char *href, const char *label)
{
  note_members (d, type->properties, href, label);
  for (guint i = 0; type->members != NULL && i < type->members->len; i++)
    note_ref (d, g_ptr_array_index (type->members, i), href, label);
  note_ref (d, type->key_type, href, label);
  note_ref (d, type->value_type, href, label);
  note_ref (d, type->source, href, label);
}

static void
collect_uses (Docs *d)
{
  GPtrArray *methods = vdsm_schema_get_methods (d->schema);
  GPtrArray *events = vdsm_schema_get_events (d->schema);
  GPtrArray *types = vdsm_schema_get_types (d->schema);

  for (guint i = 0; i < methods->len; i++)
    {
      const VdsmSchemaMethod *method = g_ptr_array_index (methods, i);
      g_autofree char *href = docs_names_method_href (method);

      note_members (d, method->params, href, method->name);
      note_ref (d, method->ret, href, method->name);
    }
  for (guint i = 0; i < events->len; i++)
    {
      const VdsmSchemaEvent *event = g_ptr_array_index (events, i);
      g_autofree char *href = docs_names_event_href (event);

      note_members (d, event->params, href, event->key);
    }
  for (guint i = 0; i < types->len; i++)
    {
      const VdsmSchemaType *type = g_ptr_array_index (types, i);
      g_autofree char *href = docs_names_type_href (d->names, type);

      note_type_body (d, type, href, type->key);
    }
}

/* ---- Pieces ---- */

static void
append_badges (GString *out, const char *added, const char *modified, const char *deprecated)
{
  if (added != NULL)
    docs_html (out, " <span class=\"badge added\" title=\"added in version %s\">added %s</span>",
               added, added);
  if (modified != NULL)
    docs_html (out, " <span class=\"badge modified\" title=\"changed in version %s\">"
               "modified %s</span>", modified, modified);
  if (deprecated != NULL)
    docs_html (out, " <span class=\"badge deprecated\" title=\"deprecated since version %s\">"
               "deprecated %s</span>", deprecated, deprecated);
}

static void append_ref (Docs *d, GString *out, const VdsmSchemaTypeRef *ref);

static void
append_type_link (Docs *d, GString *out, const VdsmSchemaType *type)
{
  g_autofree char *href = docs_names_type_href (d->names, type);

  docs_html (out, "<a href=\"%s\"><code>%s</code></a>", href, type->key);
}

/* An inline definition, written out where it is used. */
static void
append_anonymous (Docs *d, GString *out, const VdsmSchemaType *type)
{
  switch (type->kind)
    {
    case VDSM_SCHEMA_KIND_MAP:
      g_string_append (out, "map of ");
      append_ref (d, out, type->key_type);
      g_string_append (out, " to ");
      append_ref (d, out, type->value_type);
      break;
    case VDSM_SCHEMA_KIND_ALIAS:
      append_ref (d, out, type->source);
      break;
    case VDSM_SCHEMA_KIND_UNION:
      g_string_append (out, "one of ");
      for (guint i = 0; i < type->members->len; i++)
        {
          if (i > 0)
            g_string_append (out, " | ");
          append_ref (d, out, g_ptr_array_index (type->members, i));
        }
      break;
    case VDSM_SCHEMA_KIND_ENUM:
      g_string_append (out, "one of the strings ");
      for (guint i = 0; i < type->values->len; i++)
        docs_html (out, "%s<code>%s</code>", i > 0 ? ", " : "",
                   ((const VdsmSchemaEnumValue *) g_ptr_array_index (type->values, i))->text);
      break;
    case VDSM_SCHEMA_KIND_OBJECT:
    default:
      g_string_append (out, "object {");
      for (guint i = 0; type->properties != NULL && i < type->properties->len; i++)
        {
          const VdsmSchemaMember *member = g_ptr_array_index (type->properties, i);

          docs_html (out, "%s<code>%s</code>: ", i > 0 ? ", " : " ", member->name);
          append_ref (d, out, member->type);
        }
      g_string_append (out, " }");
      break;
    }
}

static void
append_ref (Docs *d, GString *out, const VdsmSchemaTypeRef *ref)
{
  switch (ref->kind)
    {
    case VDSM_SCHEMA_REF_PRIMITIVE:
      docs_html (out, "<code>%s</code>", vdsm_schema_primitive_name (ref->primitive));
      break;
    case VDSM_SCHEMA_REF_NAMED:
      if (ref->type->anonymous)
        append_anonymous (d, out, ref->type);
      else
        append_type_link (d, out, ref->type);
      break;
    case VDSM_SCHEMA_REF_LIST:
      g_string_append (out, "list of ");
      append_ref (d, out, ref->item);
      break;
    case VDSM_SCHEMA_REF_ANY_OBJECT:
      g_string_append (out, "<code>dict</code> <span class=\"note\">(any JSON object)</span>");
      break;
    case VDSM_SCHEMA_REF_ANY:
    default:
      g_string_append (out, "<span class=\"note\">any JSON value</span>");
      break;
    }
}

static void
append_presence (GString *out, const VdsmSchemaMember *member)
{
  switch (member->default_kind)
    {
    case VDSM_SCHEMA_DEFAULT_NONE:
      g_string_append (out, "<span class=\"required\">required</span>");
      break;
    case VDSM_SCHEMA_DEFAULT_VALUE:
      if (JSON_NODE_HOLDS_NULL (member->default_value))
        g_string_append (out, "optional");
      else
        {
          g_autofree char *json = json_to_string (member->default_value, FALSE);

          docs_html (out, "optional, default <code>%s</code>", json);
        }
      break;
    case VDSM_SCHEMA_DEFAULT_NEEDS_UPDATING:
      g_string_append (out, "optional <span class=\"note\">(default not documented)</span>");
      break;
    case VDSM_SCHEMA_DEFAULT_NO_DEFAULT:
    default:
      g_string_append (out, "optional, no default");
      break;
    }
}

/* Params, properties or common properties as a table. */
static void
append_members (Docs *d, GString *out, const GPtrArray *members, const char *noun,
                gboolean event_params)
{
  if (members == NULL || members->len == 0)
    {
      docs_html (out, "<p class=\"note\">No %s.</p>\n", noun);
      return;
    }
  g_string_append (out, "<table class=\"members\">\n<thead><tr><th>Name</th><th>Type</th>"
                        "<th>Presence</th><th>Description</th></tr></thead>\n<tbody>\n");
  for (guint i = 0; i < members->len; i++)
    {
      const VdsmSchemaMember *member = g_ptr_array_index (members, i);

      docs_html (out, "<tr><td><code>%s</code>", member->name);
      append_badges (out, member->added, member->modified, member->deprecated);
      g_string_append (out, "</td><td>");
      append_ref (d, out, member->type);
      if (member->datatype != NULL)
        docs_html (out, " <span class=\"note\">holding a %s</span>", member->datatype);
      g_string_append (out, "</td><td>");
      append_presence (out, member);
      g_string_append (out, "</td><td>");
      if (event_params && strcmp (member->name, "no_name") == 0)
        g_string_append (out, "<span class=\"note\">(<code>no_name</code>: the params "
                              "object itself, without <code>notify_time</code>, is this "
                              "value)</span> ");
      docs_html (out, "%s</td></tr>\n", member->description);
    }
  g_string_append (out, "</tbody>\n</table>\n");
}

static void
append_description (GString *out, const char *text)
{
  if (text != NULL && text[0] != '\0')
    docs_html (out, "<p>%s</p>\n", text);
}

static void
append_where (GString *out, const VdsmSchemaFile *file, guint line)
{
  g_autofree char *base = g_path_get_basename (file->path);

  docs_html (out, "<p class=\"note\">Defined in %s, line %u.</p>\n", base, line);
}

static void
index_add (Docs *d, const char *name, const char *kind, const char *href, const char *text)
{
  g_autofree char *brief = summary (text);

  json_builder_begin_object (d->index);
  json_builder_set_member_name (d->index, "n");
  json_builder_add_string_value (d->index, name);
  json_builder_set_member_name (d->index, "k");
  json_builder_add_string_value (d->index, kind);
  json_builder_set_member_name (d->index, "h");
  json_builder_add_string_value (d->index, href);
  json_builder_set_member_name (d->index, "d");
  json_builder_add_string_value (d->index, brief);
  json_builder_end_object (d->index);
}

/* ---- Pages ---- */

static gboolean
is_unserved (Docs *d, const VdsmSchemaMethod *method)
{
  return d->served != NULL && !g_hash_table_contains (d->served, method->name);
}

static void
append_served_badge (Docs *d, GString *out, const VdsmSchemaMethod *method)
{
  if (is_unserved (d, method))
    g_string_append (out, " <span class=\"badge unserved\" title=\"vdsmd answers this "
                          "method with error -32601\">not served by vdsmd</span>");
}

static guint
count_served (Docs *d, GPtrArray *methods)
{
  guint n = 0;

  for (guint i = 0; i < methods->len; i++)
    if (!is_unserved (d, g_ptr_array_index (methods, i)))
      n++;
  return n;
}

static void
append_method (Docs *d, GString *out, const VdsmSchemaMethod *method)
{
  g_autofree char *id = docs_names_method_id (method);
  g_autofree char *href = docs_names_method_href (method);

  docs_html (out, "<section class=\"item method\" id=\"%s\">\n<h2><code>%s</code>", id,
             method->name);
  append_badges (out, method->added, NULL, method->deprecated);
  append_served_badge (d, out, method);
  g_string_append (out, "</h2>\n");
  append_description (out, method->description);
  g_string_append (out, "<h3>Parameters</h3>\n");
  append_members (d, out, method->params, "parameters", FALSE);
  g_string_append (out, "<h3>Returns</h3>\n");
  if (method->ret != NULL)
    {
      g_string_append (out, "<p>");
      append_ref (d, out, method->ret);
      if (method->ret_description != NULL)
        docs_html (out, " — %s", method->ret_description);
      g_string_append (out, "</p>\n");
    }
  else
    g_string_append (out, "<p class=\"note\">No declared return value: a successful call "
                          "answers <code>true</code>.</p>\n");
  append_where (out, method->file, method->line);
  g_string_append (out, "</section>\n");
  index_add (d, method->name, "method", href, method->description);
}

static GString *
namespace_page (Docs *d, const char *ns, GPtrArray *methods)
{
  GString *out = g_string_new (NULL);
  g_autofree char *title = g_strdup_printf ("Namespace %s", ns);
  g_autofree char *page = docs_names_namespace_page (ns);

  docs_html_page_begin (out, d->title, title);
  docs_html (out, "<h1>Namespace <code>%s</code></h1>\n<p>%u methods", ns, methods->len);
  if (d->served != NULL)
    docs_html (out, ", %u served by vdsmd", count_served (d, methods));
  g_string_append (out, ".</p>\n<ul class=\"toc\">\n");
  for (guint i = 0; i < methods->len; i++)
    {
      const VdsmSchemaMethod *method = g_ptr_array_index (methods, i);
      g_autofree char *id = docs_names_method_id (method);

      docs_html (out, "<li><a href=\"#%s\"><code>%s</code></a>", id, method->verb);
      append_badges (out, NULL, NULL, method->deprecated);
      append_served_badge (d, out, method);
      g_string_append (out, "</li>\n");
    }
  g_string_append (out, "</ul>\n");
  for (guint i = 0; i < methods->len; i++)
    append_method (d, out, g_ptr_array_index (methods, i));
  docs_html_page_end (out);
  index_add (d, ns, "namespace", page, NULL);
  return out;
}

static void
append_enum_values (GString *out, const VdsmSchemaType *type)
{
  g_string_append (out, "<table class=\"values\">\n<thead><tr><th>Value</th>"
                        "<th>Description</th></tr></thead>\n<tbody>\n");
  for (guint i = 0; i < type->values->len; i++)
    {
      const VdsmSchemaEnumValue *value = g_ptr_array_index (type->values, i);
      GType typed = json_node_get_value_type (value->typed);

      docs_html (out, "<tr><td><code>%s</code>", value->text);
      if (value->text[0] == '\0')
        g_string_append (out, " <span class=\"note\">(the empty string)</span>");
      else if (typed != G_TYPE_STRING)
        g_string_append (out, " <span class=\"note\">(a JSON number)</span>");
      docs_html (out, "</td><td>%s</td></tr>\n", value->description);
    }
  g_string_append (out, "</tbody>\n</table>\n");
}

static void
append_type (Docs *d, GString *out, const VdsmSchemaType *type)
{
  const char *id = docs_names_type_id (d->names, type);
  g_autofree char *href = docs_names_type_href (d->names, type);
  GPtrArray *uses = g_hash_table_lookup (d->uses, type);

  docs_html (out, "<section class=\"item type\" id=\"%s\">\n<h3><code>%s</code>"
                  "<span class=\"kindtag\">%s</span>", id, type->key,
             vdsm_schema_kind_name (type->kind));
  append_badges (out, type->added, type->modified, type->deprecated);
  g_string_append (out, "</h3>\n");
  if (g_strcmp0 (type->name, type->key) != 0)
    docs_html (out, "<p class=\"note\">Its <code>name</code> field says <code>%s</code>.</p>\n",
               type->name);
  append_description (out, type->description);
  switch (type->kind)
    {
    case VDSM_SCHEMA_KIND_OBJECT:
      append_members (d, out, type->properties, "properties", FALSE);
      if (type->any_string)
        g_string_append (out, "<p class=\"note\">Free-form: the <code>any_string</code> "
                              "property stands for any other key.</p>\n");
      break;
    case VDSM_SCHEMA_KIND_ENUM:
      append_enum_values (out, type);
      break;
    case VDSM_SCHEMA_KIND_ALIAS:
      g_string_append (out, "<p>Alias of ");
      append_ref (d, out, type->source);
      g_string_append (out, ": takes the same values.</p>\n");
      break;
    case VDSM_SCHEMA_KIND_MAP:
      g_string_append (out, "<p>A JSON object mapping keys of type ");
      append_ref (d, out, type->key_type);
      g_string_append (out, " to values of type ");
      append_ref (d, out, type->value_type);
      g_string_append (out, ".</p>\n");
      break;
    case VDSM_SCHEMA_KIND_UNION:
      g_string_append (out, "<p>One of these (the first that fits):</p>\n<ol class=\"members\">\n");
      for (guint i = 0; i < type->members->len; i++)
        {
          g_string_append (out, "<li>");
          append_ref (d, out, g_ptr_array_index (type->members, i));
          g_string_append (out, "</li>\n");
        }
      g_string_append (out, "</ol>\n");
      if (type->properties != NULL && type->properties->len > 0)
        {
          g_string_append (out, "<h4>Common properties</h4>\n");
          append_members (d, out, type->properties, "common properties", FALSE);
        }
      break;
    default:
      break;
    }
  if (uses != NULL)
    {
      g_string_append (out, "<p class=\"usedby\">Used by: ");
      for (guint i = 0; i < uses->len; i++)
        {
          const Use *use = g_ptr_array_index (uses, i);

          docs_html (out, "%s<a href=\"%s\"><code>%s</code></a>", i > 0 ? ", " : "",
                     use->href, use->label);
        }
      g_string_append (out, "</p>\n");
    }
  else
    g_string_append (out, "<p class=\"usedby\">Not used by any method, event or type.</p>\n");
  append_where (out, type->file, type->line);
  g_string_append (out, "</section>\n");
  if (vdsm_schema_lookup_type (d->schema, type->key) == type)
    index_add (d, type->key, vdsm_schema_kind_name (type->kind), href, type->description);
  else
    {
      /* a later file's own type of that name */
      g_autofree char *base = g_path_get_basename (type->file->path);
      g_autofree char *name = g_strdup_printf ("%s (%s)", type->key, base);

      index_add (d, name, vdsm_schema_kind_name (type->kind), href, type->description);
    }
}

static GString *
types_page (Docs *d, GPtrArray *types)
{
  GString *out = g_string_new (NULL);

  docs_html_page_begin (out, d->title, "Types");
  docs_html (out, "<h1>Types</h1>\n<p>%u types.", types->len);
  for (guint k = 0; k < G_N_ELEMENTS (kind_order); k++)
    docs_html (out, " <a href=\"#kind-%s\">%s</a>", vdsm_schema_kind_name (kind_order[k]),
               kind_titles[kind_order[k]]);
  g_string_append (out, "</p>\n");
  for (guint k = 0; k < G_N_ELEMENTS (kind_order); k++)
    {
      VdsmSchemaKind kind = kind_order[k];

      docs_html (out, "<h2 id=\"kind-%s\">%s</h2>\n<ul class=\"toc\">\n",
                 vdsm_schema_kind_name (kind), kind_titles[kind]);
      for (guint i = 0; i < types->len; i++)
        {
          const VdsmSchemaType *type = g_ptr_array_index (types, i);

          if (type->kind == kind)
            docs_html (out, "<li><a href=\"#%s\"><code>%s</code></a></li>\n",
                       docs_names_type_id (d->names, type), type->key);
        }
      g_string_append (out, "</ul>\n");
      for (guint i = 0; i < types->len; i++)
        {
          const VdsmSchemaType *type = g_ptr_array_index (types, i);

          if (type->kind == kind)
            append_type (d, out, type);
        }
    }
  docs_html_page_end (out);
  return out;
}

static GString *
events_page (Docs *d, GPtrArray *events)
{
  GString *out = g_string_new (NULL);

  docs_html_page_begin (out, d->title, "Events");
  docs_html (out, "<h1>Events</h1>\n<p>%u events, published on <code>jms.queue.events</code>. "
                  "An event's id is its key followed by a unique part, such as a VM's "
                  "UUID.</p>\n", events->len);
  for (guint i = 0; i < events->len; i++)
    {
      const VdsmSchemaEvent *event = g_ptr_array_index (events, i);
      g_autofree char *id = docs_names_event_id (event);
      g_autofree char *href = docs_names_event_href (event);
      g_autofree char *name = g_strdup_printf ("%s.%s", event->ns, event->name);

      docs_html (out, "<section class=\"item event\" id=\"%s\">\n<h2><code>%s</code></h2>\n"
                      "<p class=\"note\">Key <code>%s</code></p>\n", id, name, event->key);
      append_description (out, event->description);
      g_string_append (out, "<h3>Parameters</h3>\n");
      append_members (d, out, event->params, "parameters", TRUE);
      append_where (out, event->file, event->line);
      g_string_append (out, "</section>\n");
      index_add (d, name, "event", href, event->description);
    }
  docs_html_page_end (out);
  return out;
}

static GString *
index_page (Docs *d, GPtrArray *by_ns, GPtrArray *types, GPtrArray *events)
{
  GString *out = g_string_new (NULL);
  GPtrArray *files = vdsm_schema_get_files (d->schema);

  docs_html_page_begin (out, d->title, "Index");
  docs_html (out, "<h1>%s</h1>\n<p>From", d->title);
  for (guint i = 0; i < files->len; i++)
    {
      g_autofree char *base = g_path_get_basename (
        ((const VdsmSchemaFile *) g_ptr_array_index (files, i))->path);

      docs_html (out, "%s <code>%s</code>", i > 0 ? "," : "", base);
    }
  docs_html (out, ": %u methods in %u namespaces, %u types, %u events. "
                  "Type in the search box to find any of them.</p>\n",
             vdsm_schema_get_methods (d->schema)->len, d->namespaces->len, types->len,
             events->len);

  g_string_append (out, "<h2 id=\"namespaces\">Namespaces</h2>\n<ul class=\"toc\">\n");
  for (guint i = 0; i < d->namespaces->len; i++)
    {
      const char *ns = g_ptr_array_index (d->namespaces, i);
      g_autofree char *page = docs_names_namespace_page (ns);

      GPtrArray *methods = g_ptr_array_index (by_ns, i);

      docs_html (out, "<li><a href=\"%s\"><code>%s</code></a> (%u", page, ns, methods->len);
      if (d->served != NULL)
        docs_html (out, ", %u served", count_served (d, methods));
      g_string_append (out, ")</li>\n");
    }
  g_string_append (out, "</ul>\n<h2 id=\"events\">Events</h2>\n<ul class=\"toc\">\n");
  for (guint i = 0; i < events->len; i++)
    {
      const VdsmSchemaEvent *event = g_ptr_array_index (events, i);
      g_autofree char *href = docs_names_event_href (event);

      docs_html (out, "<li><a href=\"%s\"><code>%s.%s</code></a></li>\n", href, event->ns,
                 event->name);
    }
  g_string_append (out, "</ul>\n<h2 id=\"types\">Types</h2>\n");
  for (guint k = 0; k < G_N_ELEMENTS (kind_order); k++)
    {
      docs_html (out, "<h3>%s</h3>\n<ul class=\"toc\">\n", kind_titles[kind_order[k]]);
      for (guint i = 0; i < types->len; i++)
        {
          const VdsmSchemaType *type = g_ptr_array_index (types, i);

          if (type->kind != kind_order[k])
            continue;
          g_string_append (out, "<li>");
          append_type_link (d, out, type);
          g_string_append (out, "</li>\n");
        }
      g_string_append (out, "</ul>\n");
    }
  docs_html_page_end (out);
  return out;
}

static gboolean
write_page (const char *outdir, const char *name, GString *contents, GError **error)
{
  gboolean ok = emit_write_file (outdir, name, contents, error);

  g_string_free (contents, TRUE);
  return ok;
}

static gboolean
write_text (const char *outdir, const char *name, const char *text, GError **error)
{
  return write_page (outdir, name, g_string_new (text), error);
}

/* The methods of each namespace, sorted; d->namespaces gets the names. */
static GPtrArray *
group_methods (Docs *d)
{
  g_autoptr (GPtrArray) methods = sorted_copy (vdsm_schema_get_methods (d->schema),
                                               compare_methods);
  g_autoptr (GHashTable) groups = g_hash_table_new (g_str_hash, g_str_equal);
  GPtrArray *by_ns = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);

  for (guint i = 0; i < methods->len; i++)
    {
      const VdsmSchemaMethod *method = g_ptr_array_index (methods, i);

      if (!g_hash_table_contains (groups, method->ns))
        {
          g_hash_table_insert (groups, method->ns, g_ptr_array_new ());
          g_ptr_array_add (d->namespaces, method->ns);
        }
      g_ptr_array_add (g_hash_table_lookup (groups, method->ns), (gpointer) method);
    }
  g_ptr_array_sort (d->namespaces, compare_strings);
  for (guint i = 0; i < d->namespaces->len; i++)
    g_ptr_array_add (by_ns, g_hash_table_lookup (groups, g_ptr_array_index (d->namespaces, i)));
  return by_ns;
}

/**
 * emit_docs:
 * @schema: a loaded schema
 * @outdir: the directory to write into (created if missing)
 * @title: the site title
 * @error: return location for a #GError
 *
 * Returns: TRUE when every page was written.
 */
gboolean
emit_docs (VdsmSchema *schema, const char *outdir, const char *title, GHashTable *served,
           GError **error)
{
  g_autoptr (DocsNames) names = docs_names_new (schema);
  g_autoptr (GHashTable) uses = g_hash_table_new_full (NULL, NULL, NULL,
                                                       (GDestroyNotify) g_ptr_array_unref);
  g_autoptr (GPtrArray) namespaces = g_ptr_array_new ();
  g_autoptr (JsonBuilder) index = json_builder_new ();
  Docs d = { schema, names, title, uses, namespaces, index, served };
  g_autoptr (GPtrArray) by_ns = NULL;
  g_autoptr (GPtrArray) types = sorted_copy (vdsm_schema_get_types (schema), compare_types);
  g_autoptr (GPtrArray) events = sorted_copy (vdsm_schema_get_events (schema), compare_events);
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *json = NULL;
  g_autofree char *script = NULL;

  if (g_mkdir_with_parents (outdir, 0755) != 0)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   "cannot create %s: %s", outdir, g_strerror (saved));
      return FALSE;
    }
  collect_uses (&d);
  by_ns = group_methods (&d);
  json_builder_begin_array (index);
  for (guint i = 0; i < namespaces->len; i++)
    {
      const char *ns = g_ptr_array_index (namespaces, i);
      g_autofree char *page = docs_names_namespace_page (ns);

      if (!write_page (outdir, page, namespace_page (&d, ns, g_ptr_array_index (by_ns, i)),
                       error))
        return FALSE;
    }
  if (!write_page (outdir, DOCS_TYPES_PAGE, types_page (&d, types), error)
      || !write_page (outdir, DOCS_EVENTS_PAGE, events_page (&d, events), error)
      || !write_page (outdir, DOCS_INDEX_PAGE, index_page (&d, by_ns, types, events), error)
      || !write_text (outdir, "style.css", docs_html_css, error)
      || !write_text (outdir, "search.js", docs_html_search_js, error))
    return FALSE;
  json_builder_end_array (index);
  root = json_builder_get_root (index);
  json_generator_set_root (generator, root);
  json = json_generator_to_data (generator, NULL);
  script = g_strdup_printf ("/* Generated by vdsm-schema docs: what the search box searches. */\n"
                            "window.VDSM_SEARCH_INDEX = %s;\n", json);
  return write_text (outdir, "search-index.js", script, error);
}
