/* docs-html.h: HTML writing for the API reference: escaping, the page
 * frame, and the static style sheet and search script.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Append @text with & < > " ' escaped (NULL appends nothing); safe both in
 * element content and in quoted attribute values. */
void docs_html_text (GString *out, const char *text);

/* Append formatted HTML; every %s argument is escaped first, so only the
 * format itself may carry markup. */
void docs_html (GString *out, const char *format, ...);

/* The document up to <main>, with the navigation bar and the search box. */
void docs_html_page_begin (GString *out, const char *site_title, const char *page_title);
void docs_html_page_end (GString *out);

/* Contents of style.css and search.js. */
extern const char docs_html_css[];
extern const char docs_html_search_js[];

G_END_DECLS
