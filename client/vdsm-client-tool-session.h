/* vdsm-client-tool-session.h: one connection of the vdsm-client tool, to
 * make a call or to print events, within the --timeout deadline.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "vdsm-client-tool-transport.h"

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The tool's exit statuses, besides 0. */
enum {
  TOOL_EXIT_SERVER_ERROR = 1,   /* the server answered with an error */
  TOOL_EXIT_CONNECTION = 2,     /* no connection, connection lost or no reply in time */
  TOOL_EXIT_USAGE = 64,         /* bad command line */
};

typedef struct {
  const ToolTransport *transport;
  double timeout;               /* seconds, fractions allowed; 0: wait forever */
  const char *flow_id;          /* or NULL */
  gboolean verbose;             /* say on stderr how the tool connects */
} ToolSessionSetup;

/* Calls @method with @params and prints the result as JSON (objects'
 * members sorted by name, four-space indentation, as VDSM's tool); errors
 * go to stderr. The deadline covers connecting and the reply. Returns the
 * exit status. */
int tool_session_call (const ToolSessionSetup *setup, const char *method, JsonNode *params);

/* Prints every event whose name (NAMESPACE.NAME, from the event id
 * `|NAMESPACE|NAME|…`; an id of another shape as it is) matches one of the
 * glob @patterns (all events when there are none), one JSON object
 * `{"event": ID, "params": PARAMS}` per line, as they arrive. The deadline
 * covers connecting only. Ends after @count events (0: never), on SIGINT or
 * SIGTERM (status 0), or when the connection is lost (status 2). */
int tool_session_events (const ToolSessionSetup *setup, const char *const *patterns,
                         guint count);

G_END_DECLS
