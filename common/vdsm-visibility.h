/* vdsm-visibility.h: VDSM_AVAILABLE_IN_ALL, the mark of libvdsm's public
 * declarations.
 *
 * libvdsm-1.0 is compiled with -fvisibility=hidden: a function is exported
 * only when its declaration in an installed header carries this mark, so
 * the internals linked into the library (the STOMP codec, the JSON helpers,
 * the generated readers and writers) stay private. client/libvdsm.symbols
 * lists what is exported; a test holds the built library to it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

/**
 * VDSM_AVAILABLE_IN_ALL:
 *
 * Marks a declaration as part of libvdsm's ABI: the function is exported
 * from libvdsm-1.0.so.
 */
#if defined(__GNUC__) || defined(__clang__)
#define VDSM_AVAILABLE_IN_ALL __attribute__ ((visibility ("default"))) extern
#else
#define VDSM_AVAILABLE_IN_ALL extern
#endif
