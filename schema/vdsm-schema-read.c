/* vdsm-schema-read.c: the values of a definition's keys, read from YAML
 * with their diagnostics: scalars, descriptions, versions, flags, literal
 * defaults as JSON, unknown keys, names C must escape.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vdsm-schema-private.h"

#include <string.h>

static gboolean
is_c_identifier (const char *text)
{
  if (!g_ascii_isalpha (*text) && *text != '_')
    return FALSE;
  for (; *text; text++)
    if (!g_ascii_isalnum (*text) && *text != '_')
      return FALSE;
  return TRUE;
}

static gboolean
is_c_keyword (const char *text)
{
  static const char *const keywords[] = {
    "auto", "break", "case", "char", "const", "continue", "default", "do",
    "double", "else", "enum", "extern", "float", "for", "goto", "if",
    "inline", "int", "long", "register", "restrict", "return", "short",
    "signed", "sizeof", "static", "struct", "switch", "typedef", "union",
    "unsigned", "void", "volatile", "while", "class", "bool", "true",
    "false", NULL
  };

  return g_strv_contains (keywords, text);
}

void
vdsm_schema_advise_c_name (VdsmSchemaDiagSink *sink, guint line, const char *owner,
                           const char *what, const char *name)
{
  if (!is_c_identifier (name))
    vdsm_schema_advise (sink, line, "%s: %s '%s' is not a C identifier", owner, what, name);
  else if (is_c_keyword (name))
    vdsm_schema_advise (sink, line, "%s: %s '%s' is a C keyword", owner, what, name);
}

/* The keys read here only document (a display name, a description, a
 * version, a datatype): none changes what goes on the wire, so a malformed
 * one is a warning and is ignored, never a reason to refuse a file
 * (docs/schema-language.md §3.1). VDSM shipped `name: *LldpMap`, an alias
 * of the type's own definition, from 2017 to 2018. */
const char *
vdsm_schema_read_text (VdsmSchemaDiagSink *sink, VdsmYamlNode *map, const char *key,
                       const char *owner)
{
  VdsmYamlNode *node = vdsm_yaml_lookup (map, key);

  if (node == NULL)
    return NULL;
  if (node->kind != VDSM_YAML_SCALAR)
    {
      vdsm_schema_warn (sink, node->line, "%s: '%s' is not text (ignored)", owner, key);
      return NULL;
    }
  if (node->stype == VDSM_YAML_NULL)
    return NULL;
  return node->text;
}

char *
vdsm_schema_read_description (VdsmSchemaDiagSink *sink, VdsmYamlNode *map, const char *owner)
{
  VdsmYamlNode *node = vdsm_yaml_lookup (map, "description");

  if (node != NULL && vdsm_yaml_is_scalar (node, VDSM_YAML_NULL))
    vdsm_schema_warn (sink, node->line, "%s: 'description' has no value", owner);
  return g_strdup (vdsm_schema_read_text (sink, map, "description", owner));
}

char *
vdsm_schema_read_version (VdsmSchemaDiagSink *sink, VdsmYamlNode *map, const char *key,
                          const char *owner)
{
  VdsmYamlNode *node = vdsm_yaml_lookup (map, key);
  static GRegex *version_re;
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      version_re = g_regex_new ("^[0-9]+(\\.[0-9]+)*$", G_REGEX_DOLLAR_ENDONLY, 0, NULL);
      g_once_init_leave (&initialized, 1);
    }

  if (node == NULL)
    return NULL;
  if (node->kind != VDSM_YAML_SCALAR || node->stype == VDSM_YAML_NULL
      || node->stype == VDSM_YAML_BOOL
      || !g_regex_match (version_re, node->text, 0, NULL))
    {
      if (node->kind == VDSM_YAML_SCALAR)
        vdsm_schema_warn (sink, node->line,
                          "%s: '%s: %s' is not a version (numbers separated by dots; "
                          "ignored)", owner, key, node->text);
      else
        vdsm_schema_warn (sink, node->line,
                          "%s: '%s' is not a version (numbers separated by dots; ignored)",
                          owner, key);
      return NULL;
    }
  if (node->stype != VDSM_YAML_STR)
    vdsm_schema_warn (sink, node->line,
                      "%s: '%s: %s' is a number in YAML; quote the version",
                      owner, key, node->text);
  return g_strdup (node->text);
}

void
vdsm_schema_warn_unknown_keys (VdsmSchemaDiagSink *sink, VdsmYamlNode *map,
                               const char *const *known, const char *const *more,
                               const char *owner)
{
  for (guint i = 0; i < map->items->len; i++)
    {
      VdsmYamlPair *pair = g_ptr_array_index (map->items, i);
      VdsmYamlNode *key = vdsm_yaml_deref (pair->key);

      if (g_strv_contains (known, key->text) || (more && g_strv_contains (more, key->text)))
        continue;
      vdsm_schema_warn (sink, pair->key->line, "%s: unknown key '%s' (ignored)",
                        owner, key->text);
    }
}

JsonNode *
vdsm_schema_read_json (VdsmSchemaDiagSink *sink, VdsmYamlNode *node, const char *owner)
{
  JsonNode *json;

  switch (node->kind)
    {
    case VDSM_YAML_SCALAR:
      json = json_node_new (JSON_NODE_VALUE);
      switch (node->stype)
        {
        case VDSM_YAML_NULL:
          json_node_init_null (json);
          break;
        case VDSM_YAML_BOOL:
          json_node_set_boolean (json, node->bval);
          break;
        case VDSM_YAML_INT:
          json_node_set_int (json, node->ival);
          break;
        case VDSM_YAML_FLOAT:
          json_node_set_double (json, node->fval);
          break;
        case VDSM_YAML_STR:
        default:
          json_node_set_string (json, node->text);
          break;
        }
      return json;

    case VDSM_YAML_SEQUENCE:
      {
        g_autoptr (JsonArray) array = json_array_new ();

        for (guint i = 0; i < node->items->len; i++)
          {
            JsonNode *item = vdsm_schema_read_json (sink, g_ptr_array_index (node->items, i),
                                                    owner);

            if (item == NULL)
              return NULL;
            json_array_add_element (array, item);
          }
        return json_node_init_array (json_node_alloc (), array);
      }

    case VDSM_YAML_MAPPING:
      {
        g_autoptr (JsonObject) object = json_object_new ();

        for (guint i = 0; i < node->items->len; i++)
          {
            VdsmYamlPair *pair = g_ptr_array_index (node->items, i);
            JsonNode *value = vdsm_schema_read_json (sink, pair->value, owner);

            if (value == NULL)
              return NULL;
            json_object_set_member (object, vdsm_yaml_deref (pair->key)->text, value);
          }
        return json_node_init_object (json_node_alloc (), object);
      }

    case VDSM_YAML_ALIAS:
    default:
      /* Data does not refer to types. */
      vdsm_schema_error (sink, node->line, "%s: alias *%s used as data", owner,
                         node->text);
      return NULL;
    }
}

gboolean
vdsm_schema_read_flag (VdsmSchemaDiagSink *sink, VdsmYamlNode *map, const char *key,
                       const char *owner)
{
  VdsmYamlNode *node = vdsm_yaml_lookup (map, key);

  if (node == NULL)
    return FALSE;
  if (node->kind != VDSM_YAML_SCALAR || node->stype != VDSM_YAML_BOOL)
    {
      vdsm_schema_error (sink, node->line, "%s: '%s' is not true or false", owner, key);
      return FALSE;
    }
  return node->bval;
}

