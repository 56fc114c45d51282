/* vdsm-rpc-redact.c: JSON for the log with secrets masked. VDSM and the
 * Java client keep values under `password` and `_X_…` keys out of logs.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vdsm-rpc-private.h"
#include "vdsm-json.h"

#include <string.h>

#define MASK "\"********\""

static const char *
mask_secret (const char *name)
{
  if (strcmp (name, "password") == 0 || g_str_has_prefix (name, "_X_"))
    return MASK;
  return NULL;
}

static const VdsmJsonStyle redacted_style = {
  .separator = ",",
  .name_separator = ":",
  .write_name = vdsm_json_write_string,
  .write_scalar = vdsm_json_write_scalar,
  .replace_member = mask_secret,
};

char *
vdsm_rpc_redact_json (JsonNode *node)
{
  GString *out = g_string_new (NULL);

  vdsm_json_write_styled (out, node, &redacted_style);
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
  static gsize env_read;
  static gboolean debug_by_env, info_by_env;

  if (g_log_get_debug_enabled ())
    return TRUE;
  /* Without the flag, GLib reads G_MESSAGES_DEBUG on every message: a
   * getenv() per request. The environment of a running server is fixed. */
  if (g_once_init_enter (&env_read))
    {
      debug_by_env = !g_log_writer_default_would_drop (G_LOG_LEVEL_DEBUG, G_LOG_DOMAIN);
      info_by_env = !g_log_writer_default_would_drop (G_LOG_LEVEL_INFO, G_LOG_DOMAIN);
      g_once_init_leave (&env_read, 1);
    }
  if (level & G_LOG_LEVEL_DEBUG)
    return debug_by_env;
  if (level & G_LOG_LEVEL_INFO)
    return info_by_env;
  return !g_log_writer_default_would_drop (level, G_LOG_DOMAIN);
}
