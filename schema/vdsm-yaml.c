/* vdsm-yaml.c: libyaml event stream -> VdsmYamlDocument.
 *
 * Aliases are kept as ALIAS nodes pointing at the anchored node instead of
 * being expanded, so "billion laughs" inputs cost nothing, and callers can
 * tell `type: *Foo` from an inline mapping.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vdsm-yaml.h"

#include <math.h>
#include <string.h>
#include <yaml.h>

/* The schema language nests about eight levels deep; anything far deeper is
 * hostile or broken input, and the limit keeps every consumer's recursion
 * bounded. */
#define MAX_DEPTH 64

typedef struct {
  VdsmYamlNode *node;
  GHashTable *keys;             /* MAPPING: key identity -> pair index + 1 */
  VdsmYamlNode *pending_key;    /* MAPPING: key read, value not yet */
} Frame;

typedef struct {
  VdsmYamlDocument *doc;
  GArray *stack;                /* Frame */
  GHashTable *anchors;          /* name -> VdsmYamlNode* (latest definition) */
  guint n_documents;
} Builder;

static void
node_free (gpointer data)
{
  VdsmYamlNode *node = data;

  g_free (node->anchor);
  g_free (node->text);
  if (node->items)
    g_ptr_array_unref (node->items);
  g_free (node);
}

static void
duplicate_free (gpointer data)
{
  VdsmYamlDuplicate *dup = data;

  g_free (dup->key);
  g_free (dup);
}

void
vdsm_yaml_document_free (VdsmYamlDocument *doc)
{
  if (doc == NULL)
    return;
  g_ptr_array_unref (doc->duplicates);
  g_ptr_array_unref (doc->nodes);
  g_free (doc);
}

/* ---- YAML 1.1 implicit typing of plain scalars (PyYAML's resolver) ---- */

typedef struct {
  GRegex *null_re, *bool_re, *int_re, *float_re;
} Resolver;

static const Resolver *
resolver_get (void)
{
  static Resolver resolver;
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      GRegexCompileFlags flags = G_REGEX_OPTIMIZE | G_REGEX_DOLLAR_ENDONLY;

      resolver.null_re = g_regex_new ("^(?:~|null|Null|NULL|)$", flags, 0, NULL);
      resolver.bool_re = g_regex_new ("^(?:yes|Yes|YES|no|No|NO|true|True|TRUE"
                                      "|false|False|FALSE|on|On|ON|off|Off|OFF)$",
                                      flags, 0, NULL);
      resolver.int_re = g_regex_new ("^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+"
                                     "|[-+]?(?:0|[1-9][0-9_]*)"
                                     "|[-+]?0x[0-9a-fA-F_]+"
                                     "|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$",
                                     flags, 0, NULL);
      resolver.float_re = g_regex_new ("^(?:[-+]?(?:[0-9][0-9_]*)\\.[0-9_]*(?:[eE][-+][0-9]+)?"
                                       "|\\.[0-9_]+(?:[eE][-+][0-9]+)?"
                                       "|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\\.[0-9_]*"
                                       "|[-+]?\\.(?:inf|Inf|INF)"
                                       "|\\.(?:nan|NaN|NAN))$",
                                       flags, 0, NULL);
      g_once_init_leave (&initialized, 1);
    }
  return &resolver;
}

/* Copy of @text without '_' separators, sign removed into @negative. */
static char *
strip_number (const char *text, gboolean *negative)
{
  GString *out = g_string_new (NULL);

  *negative = FALSE;
  if (*text == '-' || *text == '+')
    *negative = *text++ == '-';
  for (; *text; text++)
    if (*text != '_')
      g_string_append_c (out, *text);
  return g_string_free (out, FALSE);
}

/* Base-60 value of "a:b:c" (each part decimal, the last may be a float). */
static double
sexagesimal (const char *digits)
{
  g_auto (GStrv) parts = g_strsplit (digits, ":", -1);
  double value = 0;

  for (guint i = 0; parts[i] != NULL; i++)
    value = value * 60 + g_ascii_strtod (parts[i], NULL);
  return value;
}

static void
type_int (VdsmYamlNode *node)
{
  gboolean negative;
  g_autofree char *digits = strip_number (node->text, &negative);
  guint64 magnitude = 0;
  const char *start = digits;
  guint base = 10;
  gboolean ok;

  if (strchr (digits, ':') != NULL)
    {
      double value = sexagesimal (digits) * (negative ? -1 : 1);

      if (fabs (value) < 9e18)
        {
          node->stype = VDSM_YAML_INT;
          node->ival = (gint64) value;
        }
      else
        {
          node->stype = VDSM_YAML_FLOAT;
          node->fval = value;
        }
      return;
    }
  if (g_str_has_prefix (digits, "0b"))
    base = 2, start += 2;
  else if (g_str_has_prefix (digits, "0x"))
    base = 16, start += 2;
  else if (digits[0] == '0' && digits[1] != '\0')
    base = 8, start += 1;

  ok = *start == '\0' || g_ascii_string_to_unsigned (start, base, 0, G_MAXUINT64,
                                                       &magnitude, NULL);
  if (ok && magnitude <= (guint64) G_MAXINT64 + (negative ? 1 : 0))
    {
      node->stype = VDSM_YAML_INT;
      node->ival = negative ? (gint64) (0 - magnitude) : (gint64) magnitude;
    }
  else
    {
      /* PyYAML has big integers; the nearest we keep is a double. */
      node->stype = VDSM_YAML_FLOAT;
      node->fval = g_ascii_strtod (start, NULL) * (negative ? -1 : 1);
    }
}

static void
type_float (VdsmYamlNode *node)
{
  gboolean negative;
  g_autofree char *digits = strip_number (node->text, &negative);
  g_autofree char *lower = g_ascii_strdown (digits, -1);
  double value;

  if (strcmp (lower, ".inf") == 0)
    value = INFINITY;
  else if (strcmp (lower, ".nan") == 0)
    value = NAN;
  else if (strchr (lower, ':') != NULL)
    value = sexagesimal (lower);
  else
    value = g_ascii_strtod (lower, NULL);
  node->stype = VDSM_YAML_FLOAT;
  node->fval = negative ? -value : value;
}

static void
type_scalar (VdsmYamlNode *node, gboolean plain)
{
  const Resolver *r = resolver_get ();

  node->stype = VDSM_YAML_STR;
  if (!plain)
    return;
  if (g_regex_match (r->null_re, node->text, 0, NULL))
    node->stype = VDSM_YAML_NULL;
  else if (g_regex_match (r->bool_re, node->text, 0, NULL))
    {
      node->stype = VDSM_YAML_BOOL;
      node->bval = strchr ("yYtToO", node->text[0]) != NULL
                   && g_ascii_strcasecmp (node->text, "off") != 0;
    }
  else if (g_regex_match (r->int_re, node->text, 0, NULL))
    type_int (node);
  else if (g_regex_match (r->float_re, node->text, 0, NULL))
    type_float (node);
}

/* Identity of a mapping key as PyYAML's dict sees it: by typed value. */
static char *
key_identity (VdsmYamlNode *key)
{
  switch (key->stype)
    {
    case VDSM_YAML_NULL:
      return g_strdup ("n");
    case VDSM_YAML_BOOL:
      return g_strdup (key->bval ? "i:1" : "i:0");
    case VDSM_YAML_INT:
      return g_strdup_printf ("i:%" G_GINT64_FORMAT, key->ival);
    case VDSM_YAML_FLOAT:
      if (key->fval == floor (key->fval) && fabs (key->fval) < 9e18)
        return g_strdup_printf ("i:%" G_GINT64_FORMAT, (gint64) key->fval);
      return g_strdup_printf ("f:%.17g", key->fval);
    case VDSM_YAML_STR:
    default:
      return g_strconcat ("s:", key->text, NULL);
    }
}

/* ---- tree building ---- */

static VdsmYamlNode *
node_new (Builder *b, VdsmYamlKind kind, const yaml_mark_t *mark)
{
  VdsmYamlNode *node = g_new0 (VdsmYamlNode, 1);

  node->kind = kind;
  node->line = (guint) mark->line + 1;
  if (kind == VDSM_YAML_SEQUENCE)
    node->items = g_ptr_array_new ();
  else if (kind == VDSM_YAML_MAPPING)
    node->items = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (b->doc->nodes, node);
  return node;
}

static gboolean
attach (Builder *b, VdsmYamlNode *node, guint *error_line, GError **error)
{
  Frame *top;

  if (b->stack->len == 0)
    {
      if (b->doc->root != NULL)
        {
          *error_line = node->line;
          g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_PARSE,
                       "only one YAML document is allowed");
          return FALSE;
        }
      b->doc->root = node;
      return TRUE;
    }

  top = &g_array_index (b->stack, Frame, b->stack->len - 1);
  if (top->node->kind == VDSM_YAML_SEQUENCE)
    {
      g_ptr_array_add (top->node->items, node);
      return TRUE;
    }

  if (top->pending_key == NULL)
    {
      VdsmYamlNode *key = vdsm_yaml_deref (node);

      if (key->kind != VDSM_YAML_SCALAR)
        {
          *error_line = node->line;
          g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_PARSE,
                       "mapping keys must be scalars");
          return FALSE;
        }
      top->pending_key = node;
      return TRUE;
    }
  else
    {
      VdsmYamlNode *key = vdsm_yaml_deref (top->pending_key);
      g_autofree char *identity = key_identity (key);
      guint index = GPOINTER_TO_UINT (g_hash_table_lookup (top->keys, identity));

      if (index != 0)
        {
          VdsmYamlPair *pair = g_ptr_array_index (top->node->items, index - 1);
          VdsmYamlDuplicate *dup = g_new0 (VdsmYamlDuplicate, 1);

          dup->mapping = top->node;
          dup->key = g_strdup (key->text);
          dup->first_line = pair->key->line;
          dup->line = top->pending_key->line;
          g_ptr_array_add (b->doc->duplicates, dup);
          pair->key = top->pending_key;
          pair->value = node;
        }
      else
        {
          VdsmYamlPair *pair = g_new0 (VdsmYamlPair, 1);

          pair->key = top->pending_key;
          pair->value = node;
          g_ptr_array_add (top->node->items, pair);
          g_hash_table_insert (top->keys, g_steal_pointer (&identity),
                               GUINT_TO_POINTER (top->node->items->len));
        }
      top->pending_key = NULL;
      return TRUE;
    }
}

static void
set_anchor (Builder *b, VdsmYamlNode *node, const yaml_char_t *anchor)
{
  if (anchor == NULL)
    return;
  node->anchor = g_strdup ((const char *) anchor);
  g_hash_table_insert (b->anchors, g_strdup (node->anchor), node);
  b->doc->n_anchors++;
}

static void
frame_clear (gpointer data)
{
  Frame *frame = data;

  g_clear_pointer (&frame->keys, g_hash_table_unref);
}

static gboolean
handle_event (Builder *b, yaml_event_t *event, guint *error_line, GError **error)
{
  VdsmYamlNode *node = NULL;

  switch (event->type)
    {
    case YAML_DOCUMENT_START_EVENT:
      if (++b->n_documents > 1)
        {
          *error_line = (guint) event->start_mark.line + 1;
          g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_PARSE,
                       "only one YAML document is allowed");
          return FALSE;
        }
      return TRUE;

    case YAML_SCALAR_EVENT:
      node = node_new (b, VDSM_YAML_SCALAR, &event->start_mark);
      node->text = g_strndup ((const char *) event->data.scalar.value,
                              event->data.scalar.length);
      type_scalar (node, event->data.scalar.style == YAML_PLAIN_SCALAR_STYLE);
      set_anchor (b, node, event->data.scalar.anchor);
      return attach (b, node, error_line, error);

    case YAML_ALIAS_EVENT:
      {
        const char *name = (const char *) event->data.alias.anchor;
        VdsmYamlNode *target = g_hash_table_lookup (b->anchors, name);

        if (target == NULL)
          {
            *error_line = (guint) event->start_mark.line + 1;
            g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_PARSE,
                         "alias *%s refers to no anchor defined before it", name);
            return FALSE;
          }
        node = node_new (b, VDSM_YAML_ALIAS, &event->start_mark);
        node->target = target;
        node->text = g_strdup (name);
        b->doc->n_aliases++;
        return attach (b, node, error_line, error);
      }

    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT:
      {
        gboolean mapping = event->type == YAML_MAPPING_START_EVENT;
        Frame frame = { 0 };

        if (b->stack->len >= MAX_DEPTH)
          {
            *error_line = (guint) event->start_mark.line + 1;
            g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_PARSE,
                         "YAML nesting deeper than %d levels", MAX_DEPTH);
            return FALSE;
          }
        node = node_new (b, mapping ? VDSM_YAML_MAPPING : VDSM_YAML_SEQUENCE,
                         &event->start_mark);
        set_anchor (b, node, mapping ? event->data.mapping_start.anchor
                                     : event->data.sequence_start.anchor);
        if (!attach (b, node, error_line, error))
          return FALSE;
        frame.node = node;
        if (mapping)
          frame.keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
        g_array_append_val (b->stack, frame);
        return TRUE;
      }

    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
      g_array_set_size (b->stack, b->stack->len - 1);
      return TRUE;

    case YAML_NO_EVENT:
    case YAML_STREAM_START_EVENT:
    case YAML_STREAM_END_EVENT:
    case YAML_DOCUMENT_END_EVENT:
    default:
      return TRUE;
    }
}

VdsmYamlDocument *
vdsm_yaml_parse (const char *data, gsize len, guint *error_line, GError **error)
{
  yaml_parser_t parser;
  Builder b = { 0 };
  gboolean done = FALSE, ok = TRUE;

  *error_line = 0;
  if (!yaml_parser_initialize (&parser))
    {
      g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_PARSE,
                   "cannot initialize the YAML parser");
      return NULL;
    }
  yaml_parser_set_input_string (&parser, (const unsigned char *) data, len);

  b.doc = g_new0 (VdsmYamlDocument, 1);
  b.doc->nodes = g_ptr_array_new_with_free_func (node_free);
  b.doc->duplicates = g_ptr_array_new_with_free_func (duplicate_free);
  b.stack = g_array_new (FALSE, TRUE, sizeof (Frame));
  g_array_set_clear_func (b.stack, frame_clear);
  b.anchors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  while (ok && !done)
    {
      yaml_event_t event;

      if (!yaml_parser_parse (&parser, &event))
        {
          *error_line = (guint) parser.problem_mark.line + 1;
          g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_PARSE,
                       "YAML syntax error: %s%s%s",
                       parser.problem ? parser.problem : "unknown problem",
                       parser.context ? " " : "",
                       parser.context ? parser.context : "");
          ok = FALSE;
          break;
        }
      done = event.type == YAML_STREAM_END_EVENT;
      ok = handle_event (&b, &event, error_line, error);
      yaml_event_delete (&event);
    }

  yaml_parser_delete (&parser);
  g_array_unref (b.stack);
  g_hash_table_unref (b.anchors);

  if (ok && b.doc->root == NULL)
    {
      *error_line = 1;
      g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_PARSE,
                   "the file holds no YAML document");
      ok = FALSE;
    }
  if (!ok)
    {
      vdsm_yaml_document_free (b.doc);
      return NULL;
    }
  return b.doc;
}

VdsmYamlNode *
vdsm_yaml_deref (VdsmYamlNode *node)
{
  if (node != NULL && node->kind == VDSM_YAML_ALIAS)
    return node->target;
  return node;
}

VdsmYamlPair *
vdsm_yaml_lookup_pair (VdsmYamlNode *map, const char *key)
{
  if (map == NULL || map->kind != VDSM_YAML_MAPPING)
    return NULL;
  for (guint i = 0; i < map->items->len; i++)
    {
      VdsmYamlPair *pair = g_ptr_array_index (map->items, i);
      VdsmYamlNode *k = vdsm_yaml_deref (pair->key);

      if (k->stype == VDSM_YAML_STR && strcmp (k->text, key) == 0)
        return pair;
    }
  return NULL;
}

VdsmYamlNode *
vdsm_yaml_lookup (VdsmYamlNode *map, const char *key)
{
  VdsmYamlPair *pair = vdsm_yaml_lookup_pair (map, key);

  return pair ? pair->value : NULL;
}

gboolean
vdsm_yaml_is_scalar (VdsmYamlNode *node, VdsmYamlScalarType stype)
{
  return node != NULL && node->kind == VDSM_YAML_SCALAR && node->stype == stype;
}

gboolean
vdsm_yaml_is_string (VdsmYamlNode *node, const char *text)
{
  return vdsm_yaml_is_scalar (node, VDSM_YAML_STR) && strcmp (node->text, text) == 0;
}
