/* vdsm-stomp.h: STOMP 1.2 frame codec (no I/O), shared by vdsmd and libvdsm.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * VDSM_STOMP_ERROR:
 *
 * Error domain of the frame codec. Errors are #VdsmStompErrorCode values.
 */
#define VDSM_STOMP_ERROR (vdsm_stomp_error_quark ())
GQuark vdsm_stomp_error_quark (void);

/**
 * VdsmStompErrorCode:
 * @VDSM_STOMP_ERROR_MALFORMED: the bytes are not a valid STOMP 1.2 frame
 *   (bad escape, raw ':' in a header value, header line without ':',
 *   content-length not followed by NUL, invalid UTF-8 in the header block...).
 *   A peer sending such bytes cannot be resynchronised: close the connection.
 * @VDSM_STOMP_ERROR_TOO_LARGE: a frame or its header block exceeds the
 *   limit given to vdsm_stomp_parser_new(). Reported as soon as the limit is
 *   exceeded (or, with content-length, as soon as the header block announces
 *   it, a number too large for any limit included), before the excess is
 *   buffered.
 * @VDSM_STOMP_ERROR_FAILED: the parser already failed; it must be reset.
 * @VDSM_STOMP_ERROR_CONTENT_LENGTH: the content-length header of a frame is
 *   not a decimal number (a sign, a space, a letter...). The end of the
 *   frame cannot be found, so the stream is lost as with
 *   %VDSM_STOMP_ERROR_MALFORMED, but the peer's mistake can be named.
 */
typedef enum {
  VDSM_STOMP_ERROR_MALFORMED,
  VDSM_STOMP_ERROR_TOO_LARGE,
  VDSM_STOMP_ERROR_FAILED,
  VDSM_STOMP_ERROR_CONTENT_LENGTH,
} VdsmStompErrorCode;

/**
 * VdsmStompCommand:
 * @VDSM_STOMP_COMMAND_UNKNOWN: any other command word (see
 *   vdsm_stomp_frame_get_command_name())
 * @VDSM_STOMP_COMMAND_CONNECT: `CONNECT`
 * @VDSM_STOMP_COMMAND_STOMP: `STOMP`
 * @VDSM_STOMP_COMMAND_CONNECTED: `CONNECTED`
 * @VDSM_STOMP_COMMAND_SEND: `SEND`
 * @VDSM_STOMP_COMMAND_SUBSCRIBE: `SUBSCRIBE`
 * @VDSM_STOMP_COMMAND_UNSUBSCRIBE: `UNSUBSCRIBE`
 * @VDSM_STOMP_COMMAND_ACK: `ACK`
 * @VDSM_STOMP_COMMAND_NACK: `NACK`
 * @VDSM_STOMP_COMMAND_BEGIN: `BEGIN`
 * @VDSM_STOMP_COMMAND_COMMIT: `COMMIT`
 * @VDSM_STOMP_COMMAND_ABORT: `ABORT`
 * @VDSM_STOMP_COMMAND_DISCONNECT: `DISCONNECT`
 * @VDSM_STOMP_COMMAND_MESSAGE: `MESSAGE`
 * @VDSM_STOMP_COMMAND_RECEIPT: `RECEIPT`
 * @VDSM_STOMP_COMMAND_ERROR: `ERROR`
 *
 * The STOMP 1.2 command words.
 */
typedef enum {
  VDSM_STOMP_COMMAND_UNKNOWN,
  VDSM_STOMP_COMMAND_CONNECT,
  VDSM_STOMP_COMMAND_STOMP,
  VDSM_STOMP_COMMAND_CONNECTED,
  VDSM_STOMP_COMMAND_SEND,
  VDSM_STOMP_COMMAND_SUBSCRIBE,
  VDSM_STOMP_COMMAND_UNSUBSCRIBE,
  VDSM_STOMP_COMMAND_ACK,
  VDSM_STOMP_COMMAND_NACK,
  VDSM_STOMP_COMMAND_BEGIN,
  VDSM_STOMP_COMMAND_COMMIT,
  VDSM_STOMP_COMMAND_ABORT,
  VDSM_STOMP_COMMAND_DISCONNECT,
  VDSM_STOMP_COMMAND_MESSAGE,
  VDSM_STOMP_COMMAND_RECEIPT,
  VDSM_STOMP_COMMAND_ERROR,
} VdsmStompCommand;

/**
 * vdsm_stomp_command_from_string:
 * @name: a command word, e.g. "SEND"
 *
 * Returns: the command, or %VDSM_STOMP_COMMAND_UNKNOWN
 */
VdsmStompCommand vdsm_stomp_command_from_string (const char *name);

/**
 * vdsm_stomp_command_to_string:
 * @command: a command other than %VDSM_STOMP_COMMAND_UNKNOWN
 *
 * Returns: (transfer none): the command word, or %NULL for
 *   %VDSM_STOMP_COMMAND_UNKNOWN
 */
const char *vdsm_stomp_command_to_string (VdsmStompCommand command);

/* ---- Frames ---- */

/**
 * VdsmStompFrame:
 *
 * One STOMP frame: a command word, headers in wire order (decoded, repeated
 * names kept; look-ups return the first occurrence, as STOMP 1.2 says) and
 * an optional body. Reference counted; immutable once shared between
 * threads.
 */
typedef struct _VdsmStompFrame VdsmStompFrame;

#define VDSM_TYPE_STOMP_FRAME (vdsm_stomp_frame_get_type ())
GType vdsm_stomp_frame_get_type (void) G_GNUC_CONST;

/**
 * vdsm_stomp_frame_new:
 * @command: the command word (any non-empty text without EOL or NUL)
 *
 * Creates a frame without headers and without body, to be filled with
 * vdsm_stomp_frame_add_header() and vdsm_stomp_frame_set_body(), then
 * written with vdsm_stomp_frame_write().
 *
 * Returns: (transfer full): a new frame
 */
VdsmStompFrame *vdsm_stomp_frame_new (const char *command);

/**
 * vdsm_stomp_frame_ref:
 * @frame: a frame
 *
 * Returns: (transfer full): @frame
 */
VdsmStompFrame *vdsm_stomp_frame_ref (VdsmStompFrame *frame);

/**
 * vdsm_stomp_frame_unref:
 * @frame: (transfer full): a frame
 */
void vdsm_stomp_frame_unref (VdsmStompFrame *frame);

/**
 * vdsm_stomp_frame_get_command:
 * @frame: a frame
 *
 * Returns: the command, %VDSM_STOMP_COMMAND_UNKNOWN for other words
 */
VdsmStompCommand vdsm_stomp_frame_get_command (const VdsmStompFrame *frame);

/**
 * vdsm_stomp_frame_get_command_name:
 * @frame: a frame
 *
 * Returns: (transfer none): the command word as received or given
 */
const char *vdsm_stomp_frame_get_command_name (const VdsmStompFrame *frame);

/**
 * vdsm_stomp_frame_get_header:
 * @frame: a frame
 * @name: a header name (case-sensitive, decoded)
 *
 * Returns: (transfer none) (nullable): the decoded value of the first header
 *   called @name, or %NULL
 */
const char *vdsm_stomp_frame_get_header (const VdsmStompFrame *frame,
                                         const char *name);

/**
 * vdsm_stomp_frame_get_n_headers:
 * @frame: a frame
 *
 * Returns: the number of headers, repeated ones included
 */
guint vdsm_stomp_frame_get_n_headers (const VdsmStompFrame *frame);

/**
 * vdsm_stomp_frame_get_header_nth:
 * @frame: a frame
 * @index_: a position below vdsm_stomp_frame_get_n_headers()
 * @name: (out) (transfer none) (optional): the decoded name
 * @value: (out) (transfer none) (optional): the decoded value
 *
 * Gives the header at @index_, in wire (or insertion) order.
 */
void vdsm_stomp_frame_get_header_nth (const VdsmStompFrame *frame,
                                      guint index_,
                                      const char **name,
                                      const char **value);

/**
 * vdsm_stomp_frame_add_header:
 * @frame: a frame not yet shared
 * @name: the name (unescaped text; escaped when written)
 * @value: the value (unescaped text; escaped when written)
 *
 * Appends a header. A `content-length` header is ignored by
 * vdsm_stomp_frame_write(), which computes its own.
 */
void vdsm_stomp_frame_add_header (VdsmStompFrame *frame,
                                  const char *name,
                                  const char *value);

/**
 * vdsm_stomp_frame_get_body:
 * @frame: a frame
 * @length: (out) (optional): the body length in bytes
 *
 * Returns: (transfer none) (array length=length) (element-type guint8):
 *   the body, always followed by a NUL byte not counted in @length (so a
 *   text body can be used as a C string); "" for a frame without body. A
 *   body read with content-length may contain NUL bytes.
 */
const char *vdsm_stomp_frame_get_body (const VdsmStompFrame *frame,
                                       gsize *length);

/**
 * vdsm_stomp_frame_has_body:
 * @frame: a frame
 *
 * Returns: %TRUE when a body was set or received (it may be empty); parsed
 *   frames always have one
 */
gboolean vdsm_stomp_frame_has_body (const VdsmStompFrame *frame);

/**
 * vdsm_stomp_frame_set_body:
 * @frame: a frame not yet shared
 * @data: (array length=length) (element-type guint8) (nullable): the body
 *   bytes, or %NULL to remove the body
 * @length: the length of @data, or -1 if @data is NUL-terminated
 *
 * Sets (copies) the body.
 */
void vdsm_stomp_frame_set_body (VdsmStompFrame *frame,
                                const char *data,
                                gssize length);

/**
 * vdsm_stomp_frame_write:
 * @frame: a frame
 * @out: the string to append the wire form to
 *
 * Appends the frame as bytes: command, LF, every header escaped except
 * any `content-length`, then `content-length:<n>` as the last header when
 * the frame has a body, a blank line, the body and the NUL terminator.
 */
void vdsm_stomp_frame_write (const VdsmStompFrame *frame, GString *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VdsmStompFrame, vdsm_stomp_frame_unref)

/* ---- Streaming writer, for callers that build frames without a
 * VdsmStompFrame (one GString per outgoing frame, no copies) ---- */

/**
 * vdsm_stomp_write_command:
 * @out: where to append
 * @command: the command word
 *
 * Starts a frame: appends "@command\n".
 */
void vdsm_stomp_write_command (GString *out, const char *command);

/**
 * vdsm_stomp_write_header:
 * @out: where to append
 * @name: header name (unescaped)
 * @value: header value (unescaped)
 *
 * Appends "name:value\n" with the STOMP 1.2 escapes `\\` `\n` `\r` `\c`
 * applied to both.
 */
void vdsm_stomp_write_header (GString *out, const char *name, const char *value);

/**
 * vdsm_stomp_write_body:
 * @out: where to append
 * @body: (array length=length) (element-type guint8) (nullable): the
 *   body, or %NULL for a frame without body (CONNECTED, RECEIPT)
 * @length: length of @body, or -1 if @body is NUL-terminated
 *
 * Ends a frame: with a body, appends "content-length:<n>\n\n", the body
 * and NUL; without, appends "\n" and NUL.
 */
void vdsm_stomp_write_body (GString *out, const char *body, gssize length);

/* ---- Incremental parser ---- */

/**
 * VdsmStompParser:
 *
 * Incremental STOMP 1.2 parser. Feed it the bytes of a stream in any
 * chunking; it returns complete frames, and reports each EOL between frames
 * as a heart-beat. It accepts LF and CRLF line ends, bodies delimited by
 * content-length or by the first NUL, decodes the header escapes, and never
 * holds more than the limits given at construction. Not thread-safe: one
 * parser per stream, used by one thread at a time.
 */
typedef struct _VdsmStompParser VdsmStompParser;

/**
 * VDSM_STOMP_DEFAULT_MAX_FRAME_SIZE:
 *
 * Default limit on a whole frame (header block + body): 64 MiB. Real hosts
 * answer Host.getAllVmStats with hundreds of KiB.
 */
#define VDSM_STOMP_DEFAULT_MAX_FRAME_SIZE (64u * 1024u * 1024u)

/**
 * VDSM_STOMP_DEFAULT_MAX_HEADER_SIZE:
 *
 * Default limit on a header block (command line, headers, blank line): 64 KiB.
 */
#define VDSM_STOMP_DEFAULT_MAX_HEADER_SIZE (64u * 1024u)

/**
 * VdsmStompParseResult:
 * @VDSM_STOMP_PARSE_NEED_MORE: every input byte was consumed and no frame
 *   is complete yet
 * @VDSM_STOMP_PARSE_FRAME: a frame is complete and returned
 * @VDSM_STOMP_PARSE_HEARTBEAT: one EOL (LF or CRLF) between frames was read
 * @VDSM_STOMP_PARSE_ERROR: the stream is invalid; the error is set and the
 *   parser stays failed until vdsm_stomp_parser_reset()
 */
typedef enum {
  VDSM_STOMP_PARSE_NEED_MORE,
  VDSM_STOMP_PARSE_FRAME,
  VDSM_STOMP_PARSE_HEARTBEAT,
  VDSM_STOMP_PARSE_ERROR,
} VdsmStompParseResult;

/**
 * vdsm_stomp_parser_new:
 * @max_frame_size: limit on header block + body, in bytes (0: the default)
 * @max_header_size: limit on the header block, in bytes (0: the default);
 *   clamped to @max_frame_size
 *
 * Returns: (transfer full): a new parser, to free with vdsm_stomp_parser_free()
 */
VdsmStompParser *vdsm_stomp_parser_new (gsize max_frame_size,
                                        gsize max_header_size);

/**
 * vdsm_stomp_parser_free:
 * @parser: (transfer full) (nullable): a parser
 */
void vdsm_stomp_parser_free (VdsmStompParser *parser);

/**
 * vdsm_stomp_parser_reset:
 * @parser: a parser
 *
 * Drops any partial frame and a failed state; the next byte starts a frame.
 */
void vdsm_stomp_parser_reset (VdsmStompParser *parser);

/**
 * vdsm_stomp_parser_parse:
 * @parser: a parser
 * @data: (inout): the unconsumed input; advanced past the bytes used
 * @length: (inout): the number of bytes at *@data; decreased accordingly
 * @frame: (out) (transfer full) (optional): the complete frame, set only
 *   for %VDSM_STOMP_PARSE_FRAME
 * @error: return location for an error (#VDSM_STOMP_ERROR)
 *
 * Consumes input up to the end of the next frame or heart-beat. Call it in
 * a loop until it returns %VDSM_STOMP_PARSE_NEED_MORE (then *@length is 0)
 * or %VDSM_STOMP_PARSE_ERROR:
 *
 * |[<!-- language="C" -->
 * while (len > 0)
 *   switch (vdsm_stomp_parser_parse (p, &data, &len, &frame, &error))
 *     { case VDSM_STOMP_PARSE_FRAME: handle (frame); ... }
 * ]|
 *
 * Returns: what was found
 */
VdsmStompParseResult vdsm_stomp_parser_parse (VdsmStompParser *parser,
                                              const char **data,
                                              gsize *length,
                                              VdsmStompFrame **frame,
                                              GError **error);

/**
 * vdsm_stomp_parser_is_idle:
 * @parser: a parser
 *
 * Returns: %TRUE when no partial frame is buffered (the last byte consumed
 *   ended a frame or a heart-beat, or nothing was fed yet)
 */
gboolean vdsm_stomp_parser_is_idle (const VdsmStompParser *parser);

/**
 * vdsm_stomp_parser_get_buffered:
 * @parser: a parser
 *
 * Returns: the bytes of the partial frame the parser holds (header block
 *   and body received so far; a body announced by content-length but not
 *   received yet is not counted)
 */
gsize vdsm_stomp_parser_get_buffered (const VdsmStompParser *parser);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VdsmStompParser, vdsm_stomp_parser_free)

G_END_DECLS
