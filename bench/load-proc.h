/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean load_proc_cpu_seconds (int      pid,
                                gdouble *seconds);
gboolean load_proc_memory_kib  (int      pid,
                                guint64 *rss_kib,
                                guint64 *hwm_kib);
gboolean load_proc_reset_peak  (int      pid);

G_END_DECLS
