/* emit-writer.h: a small indenting writer for generated C, and the
 * write-if-changed file output that keeps ninja incremental.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  GString *buf;
  guint indent;        /* in steps of two spaces */
} EmitWriter;

void emit_writer_init (EmitWriter *w);
void emit_writer_clear (EmitWriter *w);

/* Append formatted text; every line that starts inside it is indented. */
void emit (EmitWriter *w, const char *format, ...) G_GNUC_PRINTF (2, 3);
/* emit() for text that holds function heads ("RET name (T a, T b);" or a
 * definition's "name (T a, T b)" line): a head longer than 80 columns gets
 * its parameter list broken after commas, continuation lines aligned after
 * the '('. Only lines that start with a letter can be heads. */
void emit_prototype (EmitWriter *w, const char *format, ...) G_GNUC_PRINTF (2, 3);
/* emit_prototype() for a declaration of libvdsm's ABI, in an installed
 * header: VDSM_AVAILABLE_IN_ALL on the line before exports it
 * (common/vdsm-visibility.h). */
void emit_public_prototype (EmitWriter *w, const char *format, ...) G_GNUC_PRINTF (2, 3);
void emit_indent (EmitWriter *w);
void emit_dedent (EmitWriter *w);

/* "text" as a C string literal body (no quotes): escapes \ " and
 * non-printable bytes. */
char *emit_c_string (const char *text);

/* @text made safe inside a C comment ("*" "/" broken apart), on one line. */
char *emit_comment_text (const char *text);

/* Write @contents to @dir/@name unless the file already holds exactly it. */
gboolean emit_write_file (const char *dir, const char *name,
                          const GString *contents, GError **error);

G_END_DECLS
