/* fuzz-common.h: what every harness shares: the libFuzzer entry points
 * (also called by replay-main.c outside fuzzing builds), quiet logging,
 * and the check that turns a broken invariant into a crash.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

G_BEGIN_DECLS

/* Defined in fuzz-common.c: installs the log writer. */
int LLVMFuzzerInitialize (int *argc, char ***argv);
/* Defined by each harness. */
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* A broken invariant is a finding: g_error() aborts, which libFuzzer and
 * the replay driver both report as a crash with the message. */
#define FUZZ_CHECK(cond, ...) \
  G_STMT_START { \
    if (G_UNLIKELY (!(cond))) \
      fuzz_fail (__FILE__, __LINE__, #cond, __VA_ARGS__); \
  } G_STMT_END

/* Fails, showing the bytes escaped, unless @text (@length bytes, or -1:
 * NUL-terminated) is valid UTF-8. @what says what the text is. */
#define FUZZ_CHECK_UTF8(text, length, what) \
  fuzz_check_utf8 (__FILE__, __LINE__, (text), (length), (what))

void fuzz_check_utf8 (const char *file, int line, const char *text, gssize length,
                      const char *what);

G_NORETURN void fuzz_fail (const char *file, int line, const char *cond,
                           const char *format, ...) G_GNUC_PRINTF (4, 5);

G_END_DECLS
