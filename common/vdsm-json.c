/* vdsm-json.c: JSON writers and readers for generated code.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vdsm-json.h"

#include "vdsm-error.h"
#include "vdsm-text.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- Writers ---- */

/* For each byte below 0x80: 0 when it is copied verbatim, else the letter of
 * its short escape, or 'u' for a \u00XX escape. */
static const char escape_table[128] = {
  ['\b'] = 'b', ['\t'] = 't', ['\n'] = 'n', ['\f'] = 'f', ['\r'] = 'r',
  [0x00] = 'u', [0x01] = 'u', [0x02] = 'u', [0x03] = 'u', [0x04] = 'u',
  [0x05] = 'u', [0x06] = 'u', [0x07] = 'u', [0x0b] = 'u', [0x0e] = 'u',
  [0x0f] = 'u', [0x10] = 'u', [0x11] = 'u', [0x12] = 'u', [0x13] = 'u',
  [0x14] = 'u', [0x15] = 'u', [0x16] = 'u', [0x17] = 'u', [0x18] = 'u',
  [0x19] = 'u', [0x1a] = 'u', [0x1b] = 'u', [0x1c] = 'u', [0x1d] = 'u',
  [0x1e] = 'u', [0x1f] = 'u',
  ['"'] = '"', ['\\'] = '\\',
};

void
vdsm_json_write_string (GString *out, const char *str)
{
  static const char hex[] = "0123456789abcdef";
  const guchar *p = (const guchar *) str;
  const guchar *run;

  if (str == NULL)
    {
      vdsm_text_append_len (out, "null", 4);
      return;
    }

  g_string_append_c (out, '"');
  run = p;
  while (*p != '\0')
    {
      if (*p < 0x80)
        {
          char esc = escape_table[*p];

          if (esc == 0)
            {
              p++;
              continue;
            }
          vdsm_text_append_len (out, (const char *) run, p - run);
          if (esc == 'u')
            {
              char buf[6] = { '\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 0xf] };
              vdsm_text_append_len (out, buf, sizeof buf);
            }
          else
            {
              char buf[2] = { '\\', esc };
              vdsm_text_append_len (out, buf, sizeof buf);
            }
          run = ++p;
        }
      else
        {
          /* Multi-byte UTF-8 is copied as is once validated. */
          gunichar c = g_utf8_get_char_validated ((const char *) p, -1);

          if (c == (gunichar) -1 || c == (gunichar) -2)
            {
              vdsm_text_append_len (out, (const char *) run, p - run);
              vdsm_text_append_len (out, "\\ufffd", 6);
              run = ++p;
            }
          else
            p = (const guchar *) g_utf8_next_char (p);
        }
    }
  vdsm_text_append_len (out, (const char *) run, p - run);
  g_string_append_c (out, '"');
}

static void
write_digits (GString *out, guint64 value, gboolean negative)
{
  char buf[24];
  char *end = buf + sizeof buf;
  char *p = end;

  do
    {
      *--p = (char) ('0' + value % 10);
      value /= 10;
    }
  while (value != 0);
  if (negative)
    *--p = '-';
  vdsm_text_append_len (out, p, end - p);
}

void
vdsm_json_write_int (GString *out, gint64 value)
{
  if (value < 0)
    write_digits (out, (guint64) 0 - (guint64) value, TRUE);
  else
    write_digits (out, (guint64) value, FALSE);
}

void
vdsm_json_write_uint (GString *out, guint64 value)
{
  write_digits (out, value, FALSE);
}

void
vdsm_json_write_double (GString *out, gdouble value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (!isfinite (value))
    {
      vdsm_text_append_len (out, "null", 4);
      return;
    }
  /* The shortest of %.15g and %.17g that reads back as the same double. */
  g_ascii_formatd (buf, sizeof buf, "%.15g", value);
  if (g_ascii_strtod (buf, NULL) != value)
    g_ascii_formatd (buf, sizeof buf, "%.17g", value);
  vdsm_text_append (out, buf);
  if (strpbrk (buf, ".eE") == NULL)
    vdsm_text_append_len (out, ".0", 2);
}

void
vdsm_json_write_boolean (GString *out, gboolean value)
{
  if (value)
    vdsm_text_append_len (out, "true", 4);
  else
    vdsm_text_append_len (out, "false", 5);
}

void
vdsm_json_write_scalar (GString *out, JsonNode *node)
{
  if (JSON_NODE_HOLDS_NULL (node))
    {
      vdsm_text_append_len (out, "null", 4);
      return;
    }
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      vdsm_json_write_string (out, json_node_get_string (node));
      break;
    case G_TYPE_BOOLEAN:
      vdsm_json_write_boolean (out, json_node_get_boolean (node));
      break;
    case G_TYPE_DOUBLE:
      vdsm_json_write_double (out, json_node_get_double (node));
      break;
    default:
      vdsm_json_write_int (out, json_node_get_int (node));
      break;
    }
}

void
vdsm_json_write_styled (GString *out, JsonNode *node, const VdsmJsonStyle *style)
{
  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObjectIter iter;
        const char *name;
        JsonNode *member;
        gboolean first = TRUE;

        g_string_append_c (out, '{');
        json_object_iter_init_ordered (&iter, json_node_get_object (node));
        while (json_object_iter_next_ordered (&iter, &name, &member))
          {
            const char *replacement = NULL;

            if (!first)
              vdsm_text_append (out, style->separator);
            first = FALSE;
            style->write_name (out, name);
            vdsm_text_append (out, style->name_separator);
            if (style->replace_member != NULL)
              replacement = style->replace_member (name);
            if (replacement != NULL)
              vdsm_text_append (out, replacement);
            else
              vdsm_json_write_styled (out, member, style);
          }
        g_string_append_c (out, '}');
      }
      break;
    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);
        guint length = json_array_get_length (array);

        g_string_append_c (out, '[');
        for (guint i = 0; i < length; i++)
          {
            if (i > 0)
              vdsm_text_append (out, style->separator);
            vdsm_json_write_styled (out, json_array_get_element (array, i), style);
          }
        g_string_append_c (out, ']');
      }
      break;
    case JSON_NODE_NULL:
    case JSON_NODE_VALUE:
      style->write_scalar (out, node);
      break;
    }
}

static const VdsmJsonStyle json_style = {
  .separator = ",",
  .name_separator = ":",
  .write_name = vdsm_json_write_string,
  .write_scalar = vdsm_json_write_scalar,
};

void
vdsm_json_write_node (GString *out, JsonNode *node)
{
  if (node == NULL)
    vdsm_text_append_len (out, "null", 4);
  else
    vdsm_json_write_styled (out, node, &json_style);
}

/* ---- Paths and errors ---- */

static void
path_append (GString *out, const VdsmJsonPath *path)
{
  if (path == NULL)
    return;
  path_append (out, path->parent);
  if (path->key != NULL)
    {
      if (out->len > 0)
        g_string_append_c (out, '.');
      vdsm_text_append (out, path->key);
    }
  else
    g_string_append_printf (out, "[%" G_GSIZE_FORMAT "]", path->index);
}

char *
vdsm_json_path_to_string (const VdsmJsonPath *path)
{
  GString *out = g_string_new (NULL);

  path_append (out, path);
  return g_string_free (out, FALSE);
}

void
vdsm_json_set_error (GError **error, const VdsmJsonPath *path,
                     const char *format, ...)
{
  g_autofree char *where = vdsm_json_path_to_string (path);
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  if (*where == '\0')
    g_set_error_literal (error, VDSM_ERROR, VDSM_ERROR_INVALID_PARAMS, message);
  else
    g_set_error (error, VDSM_ERROR, VDSM_ERROR_INVALID_PARAMS, "%s: %s",
                 where, message);
}

void
vdsm_json_propagate_reply_error (GError **error, GError *reader_error, const char *method)
{
  g_set_error (error, VDSM_ERROR, VDSM_ERROR_INVALID_REPLY,
               "The reply to %s does not match the schema: %s", method, reader_error->message);
  g_error_free (reader_error);
}

G_DEFINE_QUARK (vdsm-json-unmarshal-error-quark, vdsm_json_unmarshal_error)

gboolean
vdsm_json_params_unreadable (GError **error)
{
  if (error != NULL && *error != NULL)
    {
      (*error)->domain = VDSM_JSON_UNMARSHAL_ERROR;
      (*error)->code = 0;
      g_prefix_error (error, "params the validator accepted do not unmarshal: ");
    }
  return FALSE;
}

char *
vdsm_json_describe (JsonNode *node)
{
  enum { MAX_SHOWN = 60 };
  GString *text;

  if (node == NULL)
    return g_strdup ("nothing");
  text = g_string_new (NULL);
  vdsm_json_write_node (text, node);
  /* The writer's text is UTF-8: cut between characters. */
  if (g_utf8_strlen (text->str, text->len) > MAX_SHOWN)
    {
      const char *cut = g_utf8_offset_to_pointer (text->str, MAX_SHOWN);

      g_string_truncate (text, cut - text->str);
      vdsm_text_append (text, "...");
    }
  return g_string_free (text, FALSE);
}

static gboolean
type_error (JsonNode *node, const VdsmJsonPath *path, const char *expected,
            GError **error)
{
  g_autofree char *got = vdsm_json_describe (node);

  vdsm_json_set_error (error, path, "expected %s, got %s", expected, got);
  return FALSE;
}

/* ---- Readers ---- */

static GType
value_type (JsonNode *node)
{
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return G_TYPE_INVALID;
  return json_node_get_value_type (node);
}

gboolean
vdsm_json_read_string (JsonNode *node, const VdsmJsonPath *path,
                       char **out, GError **error)
{
  if (value_type (node) != G_TYPE_STRING)
    return type_error (node, path, "string", error);
  *out = g_strdup (json_node_get_string (node));
  return TRUE;
}

gboolean
vdsm_json_read_boolean (JsonNode *node, const VdsmJsonPath *path,
                        gboolean *out, GError **error)
{
  if (value_type (node) != G_TYPE_BOOLEAN)
    return type_error (node, path, "boolean", error);
  *out = json_node_get_boolean (node);
  return TRUE;
}

gboolean
vdsm_json_read_int (JsonNode *node, const VdsmJsonPath *path,
                    gint64 *out, GError **error)
{
  if (value_type (node) != G_TYPE_INT64)
    return type_error (node, path, "integer", error);
  *out = json_node_get_int (node);
  return TRUE;
}

gboolean
vdsm_json_read_uint (JsonNode *node, const VdsmJsonPath *path,
                     guint64 *out, GError **error)
{
  GType type = value_type (node);

  /* json-glib parses integers beyond G_MAXINT64 as doubles; doubles of
   * that size have no fraction. */
  if (type == G_TYPE_INT64 && json_node_get_int (node) >= 0)
    *out = (guint64) json_node_get_int (node);
  else if (type == G_TYPE_DOUBLE && json_node_get_double (node) >= 0x1p63
           && json_node_get_double (node) < 0x1p64)
    *out = (guint64) json_node_get_double (node);
  else
    return type_error (node, path, "unsigned integer", error);
  return TRUE;
}

/* A number as a double, for the lenient long/ulong/float readers. */
static gboolean
read_number (JsonNode *node, gdouble *out)
{
  GType type = value_type (node);

  if (type == G_TYPE_INT64)
    *out = (gdouble) json_node_get_int (node);
  else if (type == G_TYPE_DOUBLE)
    *out = json_node_get_double (node);
  else
    return FALSE;
  return TRUE;
}

gboolean
vdsm_json_read_long (JsonNode *node, const VdsmJsonPath *path,
                     gint64 *out, GError **error)
{
  gdouble value;

  if (value_type (node) == G_TYPE_INT64)
    {
      *out = json_node_get_int (node);
      return TRUE;
    }
  if (!read_number (node, &value) || !(value >= -0x1p63 && value < 0x1p63))
    return type_error (node, path, "integer", error);
  *out = (gint64) value;
  return TRUE;
}

gboolean
vdsm_json_read_ulong (JsonNode *node, const VdsmJsonPath *path,
                      guint64 *out, GError **error)
{
  gdouble value;

  if (value_type (node) == G_TYPE_INT64 && json_node_get_int (node) >= 0)
    {
      *out = (guint64) json_node_get_int (node);
      return TRUE;
    }
  if (!read_number (node, &value) || !(value >= 0 && value < 0x1p64))
    return type_error (node, path, "unsigned integer", error);
  *out = (guint64) value;
  return TRUE;
}

gboolean
vdsm_json_read_double (JsonNode *node, const VdsmJsonPath *path,
                       gdouble *out, GError **error)
{
  if (!read_number (node, out))
    return type_error (node, path, "number", error);
  return TRUE;
}

JsonObject *
vdsm_json_read_object (JsonNode *node, const VdsmJsonPath *path,
                       GError **error)
{
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      type_error (node, path, "object", error);
      return NULL;
    }
  return json_node_get_object (node);
}

JsonArray *
vdsm_json_read_array (JsonNode *node, const VdsmJsonPath *path,
                      GError **error)
{
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      type_error (node, path, "array", error);
      return NULL;
    }
  return json_node_get_array (node);
}

gboolean
vdsm_json_read_node (JsonNode *node, const VdsmJsonPath *path,
                     gboolean object_only, JsonNode **out, GError **error)
{
  if (node == NULL || (object_only && !JSON_NODE_HOLDS_OBJECT (node)))
    return type_error (node, path, object_only ? "object" : "a value", error);
  *out = json_node_copy (node);
  return TRUE;
}

static int
find_enum (JsonNode *node, const VdsmJsonEnumValue *values, guint n_values)
{
  GType type = value_type (node);

  for (guint i = 0; i < n_values; i++)
    {
      const VdsmJsonEnumValue *v = &values[i];

      if (type == G_TYPE_STRING)
        {
          if (strcmp (json_node_get_string (node), v->text) == 0)
            return (int) i;
        }
      else if (type == G_TYPE_INT64)
        {
          if ((v->kind == VDSM_JSON_ENUM_INT && json_node_get_int (node) == v->int_key)
              || (v->kind == VDSM_JSON_ENUM_DOUBLE
                  && (gdouble) json_node_get_int (node) == v->double_key))
            return (int) i;
        }
      else if (type == G_TYPE_DOUBLE)
        {
          if ((v->kind == VDSM_JSON_ENUM_INT && json_node_get_double (node) == (gdouble) v->int_key)
              || (v->kind == VDSM_JSON_ENUM_DOUBLE && json_node_get_double (node) == v->double_key))
            return (int) i;
        }
    }
  return -1;
}

gboolean
vdsm_json_read_enum (JsonNode *node, const VdsmJsonPath *path,
                     const char *type_name,
                     const VdsmJsonEnumValue *values, guint n_values,
                     int *out, GError **error)
{
  int found = find_enum (node, values, n_values);

  if (found < 0)
    {
      g_autofree char *got = vdsm_json_describe (node);

      vdsm_json_set_error (error, path, "%s is not a value of enum %s",
                           got, type_name);
      return FALSE;
    }
  *out = found;
  return TRUE;
}

gboolean
vdsm_json_match_enum (JsonNode *node,
                      const VdsmJsonEnumValue *values, guint n_values)
{
  return find_enum (node, values, n_values) >= 0;
}

gboolean
vdsm_json_matches (JsonNode *node, VdsmJsonKind kind)
{
  union { gint64 i; guint64 u; gdouble d; gboolean b; } scratch;

  switch (kind)
    {
    case VDSM_JSON_KIND_STRING:
      return value_type (node) == G_TYPE_STRING;
    case VDSM_JSON_KIND_BOOLEAN:
      return vdsm_json_read_boolean (node, NULL, &scratch.b, NULL);
    case VDSM_JSON_KIND_INT:
      return vdsm_json_read_int (node, NULL, &scratch.i, NULL);
    case VDSM_JSON_KIND_UINT:
      return vdsm_json_read_uint (node, NULL, &scratch.u, NULL);
    case VDSM_JSON_KIND_LONG:
      return vdsm_json_read_long (node, NULL, &scratch.i, NULL);
    case VDSM_JSON_KIND_ULONG:
      return vdsm_json_read_ulong (node, NULL, &scratch.u, NULL);
    case VDSM_JSON_KIND_DOUBLE:
      return vdsm_json_read_double (node, NULL, &scratch.d, NULL);
    case VDSM_JSON_KIND_OBJECT:
      return node != NULL && JSON_NODE_HOLDS_OBJECT (node);
    case VDSM_JSON_KIND_ARRAY:
      return node != NULL && JSON_NODE_HOLDS_ARRAY (node);
    case VDSM_JSON_KIND_ANY:
      return node != NULL;
    }
  g_return_val_if_reached (FALSE);
}

gboolean
vdsm_json_object_keys_within (JsonObject *object, const char *const *names)
{
  JsonObjectIter iter;
  const char *key;

  json_object_iter_init (&iter, object);
  while (json_object_iter_next (&iter, &key, NULL))
    {
      const char *const *name;

      for (name = names; *name != NULL; name++)
        if (strcmp (*name, key) == 0)
          break;
      if (*name == NULL)
        return FALSE;
    }
  return TRUE;
}

gboolean
vdsm_json_object_has_keys (JsonObject *object, const char *const *names)
{
  for (const char *const *name = names; *name != NULL; name++)
    if (!json_object_has_member (object, *name))
      return FALSE;
  return TRUE;
}

JsonNode *
vdsm_json_object_without (JsonObject *object, const char *const *names)
{
  JsonObject *rest = json_object_new ();
  JsonNode *node = json_node_init_object (json_node_alloc (), rest);
  JsonObjectIter iter;
  const char *key;
  JsonNode *value;

  json_object_iter_init (&iter, object);
  while (json_object_iter_next (&iter, &key, &value))
    if (!g_strv_contains (names, key))
      json_object_set_member (rest, key, json_node_ref (value));
  json_object_unref (rest);
  return node;
}

/* ---- Containers ---- */

gpointer
vdsm_json_copy_string (gconstpointer src, gpointer unused)
{
  return g_strdup (src);
}

gpointer
vdsm_json_copy_node (gconstpointer src, gpointer unused)
{
  return src != NULL ? json_node_copy ((JsonNode *) src) : NULL;
}

GHashTable *
vdsm_json_hash_table_new (GDestroyNotify value_free)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, value_free);
}

GHashTable *
vdsm_json_hash_table_copy (GHashTable *table, GCopyFunc copy,
                           GDestroyNotify value_free)
{
  GHashTable *result;
  GHashTableIter iter;
  gpointer key, value;

  if (table == NULL)
    return NULL;
  result = vdsm_json_hash_table_new (value_free);
  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (result, g_strdup (key), copy (value, NULL));
  return result;
}
