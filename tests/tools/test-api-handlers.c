/* test-api-handlers.c: the handlers of the method table generated from
 * data/test-api.yml, as stand-ins that write down what they are given
 * (test-api-handlers.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "test-api-handlers.h"
#include "vdsm-types-private.h"
#include "vdsm-json.h"
#include "vdsm-rpc-handlers.h"

/* What the last handler that ended was given. */
static GMutex last_lock;
static char *last_seen;

/* A handler's arguments are written into @out, from seen_start() to
 * seen_end(). */
static GString *
seen_start (void)
{
  return g_string_new ("{");
}

static void
seen_member (GString *out, const char *name)
{
  if (out->len > 1)
    g_string_append_c (out, ',');
  vdsm_json_write_string (out, name);
  g_string_append_c (out, ':');
}

static void
seen_end (GString *out)
{
  g_string_append_c (out, '}');
  g_mutex_lock (&last_lock);
  g_free (last_seen);
  last_seen = g_string_free (out, FALSE);
  g_mutex_unlock (&last_lock);
}

char *
test_api_handlers_take_seen (void)
{
  char *text;

  g_mutex_lock (&last_lock);
  text = g_steal_pointer (&last_seen);
  g_mutex_unlock (&last_lock);
  return text;
}

/* Pointer arguments are NULL when absent: left out, like unset scalars. */
static void
seen_string (GString *out, const char *name, const char *value)
{
  if (value == NULL)
    return;
  seen_member (out, name);
  vdsm_json_write_string (out, value);
}

static void
seen_node (GString *out, const char *name, JsonNode *value)
{
  if (value == NULL)
    return;
  seen_member (out, name);
  vdsm_json_write_node (out, value);
}

typedef void (*WriteFunc) (gconstpointer value, GString *out);

static void
seen_list (GString *out, const char *name, GPtrArray *list, WriteFunc write)
{
  if (list == NULL)
    return;
  seen_member (out, name);
  g_string_append_c (out, '[');
  for (guint i = 0; i < list->len; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      write (g_ptr_array_index (list, i), out);
    }
  g_string_append_c (out, ']');
}

static void
write_string (gconstpointer value, GString *out)
{
  vdsm_json_write_string (out, value);
}

VdsmItem *
vdsmd_test_echo (VdsmRpcCall *call, const VdsmItem *item, gboolean has_times, guint64 times,
                 const char *note, gboolean has_limit, gint64 limit, GPtrArray *ids,
                 GError **error)
{
  GString *out = seen_start ();

  seen_member (out, "item");
  vdsm_item_write_json (item, out);
  if (has_times)
    {
      seen_member (out, "times");
      vdsm_json_write_uint (out, times);
    }
  seen_string (out, "note", note);
  if (has_limit)
    {
      seen_member (out, "limit");
      vdsm_json_write_int (out, limit);
    }
  seen_list (out, "ids", ids, write_string);
  seen_end (out);
  return vdsm_item_new ();
}

gboolean
vdsmd_test_ping (VdsmRpcCall *call, GError **error)
{
  GString *out = seen_start ();

  seen_end (out);
  return TRUE;
}

GPtrArray *
vdsmd_test_get_vm_list (VdsmRpcCall *call, GPtrArray *items, GError **error)
{
  GString *out = seen_start ();

  seen_list (out, "items", items, (WriteFunc) vdsm_item_write_json);
  seen_end (out);
  return g_ptr_array_new ();
}

VdsmItemMap *
vdsmd_test_get_items (VdsmRpcCall *call, GError **error)
{
  GString *out = seen_start ();

  seen_end (out);
  return vdsm_item_map_new ();
}

VdsmColor
vdsmd_test_paint (VdsmRpcCall *call, VdsmColor color, const char *error_, GError **error)
{
  GString *out = seen_start ();

  seen_member (out, "color");
  vdsm_color_write_json (color, out);
  seen_string (out, "error", error_);
  seen_end (out);
  return color;
}

guint64
vdsmd_test_fail (VdsmRpcCall *call, gint64 code, GError **error)
{
  GString *out = seen_start ();

  seen_member (out, "code");
  vdsm_json_write_int (out, code);
  seen_end (out);
  return 0;
}

gboolean
vdsmd_test_set (VdsmRpcCall *call, gboolean has_flag, gboolean flag, gboolean has_level,
                gdouble level, gboolean has_offset, gint64 offset, gboolean has_size,
                guint64 size, const VdsmShape *shape, GPtrArray *shapes,
                const VdsmItemMap *items, JsonNode *extra, JsonNode *anything,
                GError **error)
{
  GString *out = seen_start ();

  if (has_flag)
    {
      seen_member (out, "flag");
      vdsm_json_write_boolean (out, flag);
    }
  if (has_level)
    {
      seen_member (out, "level");
      vdsm_json_write_double (out, level);
    }
  if (has_offset)
    {
      seen_member (out, "offset");
      vdsm_json_write_int (out, offset);
    }
  if (has_size)
    {
      seen_member (out, "size");
      vdsm_json_write_uint (out, size);
    }
  if (shape != NULL)
    {
      seen_member (out, "shape");
      vdsm_shape_write_json (shape, out);
    }
  seen_list (out, "shapes", shapes, (WriteFunc) vdsm_shape_write_json);
  if (items != NULL)
    {
      seen_member (out, "items");
      vdsm_item_map_write_json (items, out);
    }
  seen_node (out, "extra", extra);
  seen_node (out, "anything", anything);
  seen_end (out);
  return TRUE;
}
