/* vdsm-schema-stats.c: per-file counts in the shape of the "files" entries
 * of reference-schema/expected-counts.json. They are taken from the YAML
 * tree (last duplicate key wins), not from the model, because they count
 * what is written, malformed items included (see the "rules" member there).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vdsm-schema-private.h"

#include <string.h>

typedef struct {
  char *key;
  gint64 count;
} Count;

/* An insertion-ordered multiset of words. */
typedef struct {
  GArray *items;                /* Count */
  GHashTable *index;            /* key -> position + 1 (keys owned by items) */
} Counter;

static void
count_clear (gpointer data)
{
  g_free (((Count *) data)->key);
}

static void
counter_init (Counter *counter, const char *const *preset)
{
  counter->items = g_array_new (FALSE, TRUE, sizeof (Count));
  g_array_set_clear_func (counter->items, count_clear);
  counter->index = g_hash_table_new (g_str_hash, g_str_equal);
  for (; preset && *preset; preset++)
    {
      Count c = { g_strdup (*preset), 0 };

      g_array_append_val (counter->items, c);
      g_hash_table_insert (counter->index, c.key, GUINT_TO_POINTER (counter->items->len));
    }
}

static void
counter_clear (Counter *counter)
{
  g_hash_table_unref (counter->index);
  g_array_unref (counter->items);
}

static void
counter_add (Counter *counter, const char *key)
{
  guint pos = GPOINTER_TO_UINT (g_hash_table_lookup (counter->index, key));

  if (pos == 0)
    {
      Count c = { g_strdup (key), 0 };

      g_array_append_val (counter->items, c);
      pos = counter->items->len;
      g_hash_table_insert (counter->index, c.key, GUINT_TO_POINTER (pos));
    }
  g_array_index (counter->items, Count, pos - 1).count++;
}

static gint
compare_by_key (gconstpointer a, gconstpointer b)
{
  return strcmp (((const Count *) a)->key, ((const Count *) b)->key);
}

/* Most frequent first, ties by name (as the reference counts list them). */
static gint
compare_by_count (gconstpointer a, gconstpointer b)
{
  const Count *ca = a, *cb = b;

  if (ca->count != cb->count)
    return ca->count > cb->count ? -1 : 1;
  return strcmp (ca->key, cb->key);
}

static void
add_counter (JsonBuilder *builder, const char *name, Counter *counter, GCompareFunc order)
{
  g_autoptr (GArray) sorted = g_array_sized_new (FALSE, FALSE, sizeof (Count),
                                                 counter->items->len);

  g_array_append_vals (sorted, counter->items->data, counter->items->len);
  if (order != NULL)
    g_array_sort (sorted, order);
  json_builder_set_member_name (builder, name);
  json_builder_begin_object (builder);
  for (guint i = 0; i < sorted->len; i++)
    {
      Count *c = &g_array_index (sorted, Count, i);

      json_builder_set_member_name (builder, c->key);
      json_builder_add_int_value (builder, c->count);
    }
  json_builder_end_object (builder);
}

static void
add_int (JsonBuilder *builder, const char *name, gint64 value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

typedef struct {
  gint64 properties_total, properties_named_typed;
  gint64 with_default, needs_updating, no_default, with_datatype, params_with_datatype;
  gint64 union_members, union_common, enum_values;
  gint64 entries, with_return, without_params, deprecated;
  gint64 params, optional;
  Counter declared, effective, namespaces, type_names;
  gboolean events;
} Stats;

static guint
seq_len (VdsmYamlNode *node)
{
  return node && node->kind == VDSM_YAML_SEQUENCE ? node->items->len : 0;
}

/* A scalar written in a type position; lists recurse into their items. */
static void
count_type_position (Stats *st, VdsmYamlNode *node)
{
  if (node == NULL)
    return;
  if (node->kind == VDSM_YAML_SEQUENCE)
    for (guint i = 0; i < node->items->len; i++)
      count_type_position (st, g_ptr_array_index (node->items, i));
  else if (node->kind == VDSM_YAML_SCALAR && node->stype == VDSM_YAML_STR)
    {
      VdsmSchemaKind kind;

      if (!vdsm_schema_kind_from_name (node->text, &kind))
        counter_add (&st->type_names, node->text);
    }
}

static void
count_member_types (Stats *st, VdsmYamlNode *member)
{
  count_type_position (st, vdsm_yaml_lookup (member, "type"));
  count_type_position (st, vdsm_yaml_lookup (member, "key-type"));
  count_type_position (st, vdsm_yaml_lookup (member, "value-type"));
  count_type_position (st, vdsm_yaml_lookup (member, "sourcetype"));
}

static void
count_type (Stats *st, VdsmYamlNode *def)
{
  VdsmYamlNode *kind = vdsm_yaml_lookup (def, "type");
  VdsmYamlNode *props = vdsm_yaml_lookup (def, "properties");
  VdsmYamlNode *values = vdsm_yaml_lookup (def, "values");
  const char *declared, *effective = NULL;

  if (kind == NULL)
    {
      declared = "(missing)";
      if (props != NULL)
        effective = "object";
    }
  else if (kind->kind != VDSM_YAML_SCALAR)
    {
      declared = "(mapping)";
      effective = "alias";
    }
  else
    {
      VdsmSchemaKind known;

      declared = kind->text;
      if (vdsm_schema_kind_from_name (declared, &known))
        effective = declared;
    }
  counter_add (&st->declared, declared);
  if (effective != NULL)
    counter_add (&st->effective, effective);

  for (guint i = 0; i < seq_len (props); i++)
    {
      VdsmYamlNode *prop = g_ptr_array_index (props->items, i);
      VdsmYamlNode *dv = vdsm_yaml_lookup (prop, "defaultvalue");

      if (g_strcmp0 (effective, "object") == 0)
        {
          st->properties_total++;
          if (vdsm_yaml_lookup (prop, "name") && vdsm_yaml_lookup (prop, "type"))
            st->properties_named_typed++;
        }
      if (g_strcmp0 (declared, "union") == 0)
        st->union_common++;
      if (dv != NULL)
        {
          st->with_default++;
          st->needs_updating += vdsm_yaml_is_string (dv, "needs updating");
          st->no_default += vdsm_yaml_is_string (dv, "no-default");
        }
      st->with_datatype += vdsm_yaml_lookup (prop, "datatype") != NULL;
      count_member_types (st, prop);
    }

  if (g_strcmp0 (declared, "union") == 0)
    {
      st->union_members += seq_len (values);
      for (guint i = 0; i < seq_len (values); i++)
        count_type_position (st, g_ptr_array_index (values->items, i));
    }
  if (g_strcmp0 (declared, "enum") == 0 && values && values->kind == VDSM_YAML_MAPPING)
    st->enum_values += values->items->len;
  count_type_position (st, vdsm_yaml_lookup (def, "sourcetype"));
  count_type_position (st, vdsm_yaml_lookup (def, "key-type"));
  count_type_position (st, vdsm_yaml_lookup (def, "value-type"));
}

static void
count_entry (Stats *st, const char *key, VdsmYamlNode *def)
{
  VdsmYamlNode *params = vdsm_yaml_lookup (def, "params");
  VdsmYamlNode *ret = vdsm_yaml_lookup (def, "return");
  g_autofree char *ns = NULL;

  st->entries++;
  if (st->events)
    {
      g_auto (GStrv) parts = g_strsplit (key, "|", 3);

      ns = g_strdup (parts[0] && parts[1] ? parts[1] : "");
    }
  else
    {
      const char *dot = strchr (key, '.');

      ns = dot ? g_strndup (key, (gsize) (dot - key)) : g_strdup (key);
    }
  counter_add (&st->namespaces, ns);
  st->with_return += ret != NULL;
  st->without_params += params == NULL;
  st->deprecated += vdsm_yaml_lookup (def, "deprecated") != NULL;

  for (guint i = 0; i < seq_len (params); i++)
    {
      VdsmYamlNode *param = g_ptr_array_index (params->items, i);

      st->params++;
      st->optional += vdsm_yaml_lookup (param, "defaultvalue") != NULL;
      st->params_with_datatype += vdsm_yaml_lookup (param, "datatype") != NULL;
      count_member_types (st, param);
    }
  if (ret != NULL)
    count_type_position (st, vdsm_yaml_lookup (ret, "type"));
}

static gint64
count_lines (const char *data, gsize len)
{
  gint64 lines = 0;

  for (gsize i = 0; i < len; i++)
    lines += data[i] == '\n';
  if (len > 0 && data[len - 1] != '\n')
    lines++;
  return lines;
}

static void
build_json (JsonBuilder *b, Stats *st, VdsmYamlDocument *doc, const char *data, gsize len,
            gint64 n_types)
{
  g_autofree char *sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256,
                                                      (const guchar *) data, len);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "sha256");
  json_builder_add_string_value (b, sha);
  add_int (b, "bytes", (gint64) len);
  add_int (b, "lines", count_lines (data, len));

  json_builder_set_member_name (b, "types");
  json_builder_begin_object (b);
  add_int (b, "total", n_types);
  add_counter (b, "by_declared_kind", &st->declared, NULL);
  add_counter (b, "by_effective_kind", &st->effective, NULL);
  json_builder_end_object (b);

  json_builder_set_member_name (b, "object_properties");
  json_builder_begin_object (b);
  add_int (b, "total", st->properties_total);
  add_int (b, "with_name_and_type", st->properties_named_typed);
  json_builder_end_object (b);

  json_builder_set_member_name (b, "markers");
  json_builder_begin_object (b);
  add_int (b, "properties_with_defaultvalue", st->with_default);
  add_int (b, "defaultvalue_needs_updating", st->needs_updating);
  add_int (b, "defaultvalue_no_default", st->no_default);
  add_int (b, "properties_with_datatype", st->with_datatype);
  add_int (b, "params_with_datatype", st->params_with_datatype);
  json_builder_end_object (b);

  add_int (b, "union_members", st->union_members);
  add_int (b, "union_common_properties", st->union_common);
  add_int (b, "enum_values", st->enum_values);

  json_builder_set_member_name (b, st->events ? "events" : "methods");
  json_builder_begin_object (b);
  add_int (b, "total", st->entries);
  add_int (b, "namespaces", st->namespaces.items->len);
  add_counter (b, "by_namespace", &st->namespaces, compare_by_key);
  if (!st->events)
    {
      add_int (b, "with_return", st->with_return);
      add_int (b, "without_return", st->entries - st->with_return);
      add_int (b, "without_params_key", st->without_params);
      add_int (b, "deprecated", st->deprecated);
    }
  json_builder_end_object (b);

  json_builder_set_member_name (b, "params");
  json_builder_begin_object (b);
  add_int (b, "total", st->params);
  add_int (b, "optional", st->optional);
  add_int (b, "required", st->params - st->optional);
  json_builder_end_object (b);

  add_counter (b, "type_name_uses", &st->type_names, compare_by_count);

  json_builder_set_member_name (b, "yaml");
  json_builder_begin_object (b);
  add_int (b, "anchors", doc->n_anchors);
  add_int (b, "alias_uses", doc->n_aliases);
  add_int (b, "duplicate_mapping_keys", doc->duplicates->len);
  json_builder_end_object (b);

  json_builder_end_object (b);
}

JsonNode *
vdsm_schema_file_stats (VdsmYamlDocument *doc, const char *data, gsize len)
{
  static const char *const declared_preset[] = {
    "object", "enum", "alias", "map", "union", "(missing)", "(mapping)", NULL
  };
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  VdsmYamlNode *root = doc->root;
  VdsmYamlNode *types = vdsm_yaml_lookup (root, "types");
  gint64 n_types = 0;
  Stats st = { 0 };

  counter_init (&st.declared, declared_preset);
  counter_init (&st.effective, vdsm_schema_kind_names);
  counter_init (&st.namespaces, NULL);
  counter_init (&st.type_names, NULL);

  if (types != NULL && types->kind == VDSM_YAML_MAPPING)
    {
      n_types = types->items->len;
      for (guint i = 0; i < types->items->len; i++)
        {
          VdsmYamlPair *pair = g_ptr_array_index (types->items, i);

          if (pair->value->kind == VDSM_YAML_MAPPING)
            count_type (&st, pair->value);
        }
    }
  if (root->kind == VDSM_YAML_MAPPING)
    {
      for (guint i = 0; i < root->items->len; i++)
        {
          VdsmYamlPair *pair = g_ptr_array_index (root->items, i);
          const char *key = vdsm_yaml_deref (pair->key)->text;

          if (strcmp (key, "types") != 0 && key[0] == '|')
            st.events = TRUE;
        }
      for (guint i = 0; i < root->items->len; i++)
        {
          VdsmYamlPair *pair = g_ptr_array_index (root->items, i);
          const char *key = vdsm_yaml_deref (pair->key)->text;

          if (strcmp (key, "types") != 0)
            count_entry (&st, key, pair->value);
        }
    }

  build_json (builder, &st, doc, data, len, n_types);
  counter_clear (&st.declared);
  counter_clear (&st.effective);
  counter_clear (&st.namespaces);
  counter_clear (&st.type_names);
  return json_builder_get_root (builder);
}
