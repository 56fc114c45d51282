/* vdsm-rpc-redact.c: JSON for the log with secrets masked. VDSM and the
 * Java client keep values under `password` and `_X_…` keys out of logs.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vdsm-rpc-private.h"
#include "vdsm-json.h"

#include <string.h>

#define MASK "\"********\""

static gboolean
is_secret_key (const char *name)
{
  return strcmp (name, "password") == 0 || g_str_has_prefix (name, "_X_");
}

static void
write_redacted (GString *out, JsonNode *node)
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
            if (!first)
              g_string_append_c (out, ',');
            first = FALSE;
            vdsm_json_write_string (out, name);
            g_string_append_c (out, ':');
            if (is_secret_key (name))
              g_string_append (out, MASK);
            else
              write_redacted (out, member);
          }
        g_string_append_c (out, '}');
      }
      break;
    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);

        g_string_append_c (out, '[');
        for (guint i = 0; i < json_array_get_length (array); i++)
          {
            if (i > 0)
              g_string_append_c (out, ',');
            write_redacted (out, json_array_get_element (array, i));
          }
        g_string_append_c (out, ']');
      }
      break;
    case JSON_NODE_NULL:
    case JSON_NODE_VALUE:
      vdsm_json_write_node (out, node);
      break;
    }
}

char *
vdsm_rpc_redact_json (JsonNode *node)
{
  GString *out = g_string_new (NULL);

  write_redacted (out, node);
  return g_string_free (out, FALSE);
}

gboolean
vdsm_rpc_text_may_hold_secret (const char *text)
{
  return strstr (text, "password") != NULL || strstr (text, "_X_") != NULL;
}

gboolean
vdsm_rpc_log_enabled (GLogLevelFlags level)
{
  return !g_log_writer_default_would_drop (level, G_LOG_DOMAIN);
}
