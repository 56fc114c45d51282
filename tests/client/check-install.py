#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""libvdsm as a user gets it: `meson install` into a scratch DESTDIR, then
use the installed tree only.

usage: check-install.py MESON BUILD_DIR CC [CFLAG...]

- the layout: the library, headers under include/libvdsm-1.0/,
  libvdsm-1.0.pc, and (when the build makes them) the GIR and typelib;
- each installed header compiles alone (-include HEADER, nothing else
  included first) with the flags `pkg-config --cflags libvdsm-1.0` gives;
- a small C program built with `pkg-config --cflags --libs libvdsm-1.0`
  runs: it creates a VdsmClient on a socket nobody listens on and gets the
  connection error;
- with the typelib, Python through gi does the same;
- the C program of each namespace page of the API reference (`vdsm-schema
  examples`, VDSM_SCHEMA_TOOL on VDSM_API_FILES) builds the way its page
  says, with pkg-config.

The installed .pc names the configured prefix; a copy with the prefix moved
into DESTDIR stands in for it, so pkg-config finds the scratch tree and the
system's GLib alike. TAP output. Standard library only.
"""

import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

PROGRAM = r"""
#include <vdsm.h>

int
main (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VdsmClient) client = vdsm_client_new_sync ("unix://" SOCKET, NULL, &error);
  g_autoptr(VdsmHostStats) stats = vdsm_host_stats_new ();

  if (client != NULL || error == NULL)
    return 1;
  g_print ("%s\n", error->message);
  return vdsm_error_code_message (VDSM_ERROR_NO_SUCH_VM) != NULL ? 0 : 2;
}
"""

PYTHON = r"""
import sys
import gi
gi.require_version("Vdsm", "1.0")
from gi.repository import GLib, Vdsm
try:
    Vdsm.Client.new_sync("unix://" + sys.argv[1], None)
except GLib.Error as error:
    print(error.message)
    sys.exit(0)
sys.exit(1)
"""

results = []


def check(ok, what, detail=""):
    results.append((ok, what))
    print("%s %d - %s" % ("ok" if ok else "not ok", len(results), what))
    if not ok and detail:
        sys.stderr.write(detail + "\n")


def run(argv, env=None, cwd=None):
    return subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True)


def main(argv):
    if len(argv) < 4:
        sys.stderr.write(__doc__)
        return 2
    meson, build, cc = argv[1], argv[2], argv[3:]
    with tempfile.TemporaryDirectory(prefix="libvdsm-install-") as scratch:
        destdir = os.path.join(scratch, "dest")
        done = run([meson, "install", "-C", build, "--no-rebuild", "--quiet",
                    "--destdir", destdir])
        check(done.returncode == 0, "meson install --destdir", done.stdout + done.stderr)
        if done.returncode != 0:
            return 0

        pcs = glob.glob(os.path.join(destdir, "**", "pkgconfig", "libvdsm-1.0.pc"),
                        recursive=True)
        check(len(pcs) == 1, "libvdsm-1.0.pc installed", repr(pcs))
        if len(pcs) != 1:
            return 0
        with open(pcs[0], encoding="utf-8") as f:
            pc = f.read()
        prefix = next(line[len("prefix="):] for line in pc.splitlines()
                      if line.startswith("prefix="))
        root = destdir + prefix
        pkgconfig = os.path.join(scratch, "pkgconfig")
        os.mkdir(pkgconfig)
        with open(os.path.join(pkgconfig, "libvdsm-1.0.pc"), "w", encoding="utf-8") as f:
            f.write(pc.replace("prefix=" + prefix, "prefix=" + root, 1))
        env = dict(os.environ, PKG_CONFIG_PATH=pkgconfig)

        include = os.path.join(root, "include", "libvdsm-1.0")
        headers = sorted(glob.glob(os.path.join(include, "*.h")))
        names = [os.path.basename(h) for h in headers]
        check("vdsm.h" in names and "vdsm-types.h" in names and "vdsm-client-methods.h" in names,
              "headers under include/libvdsm-1.0: " + " ".join(names))
        libdir = os.path.dirname(os.path.dirname(pcs[0]))
        check(os.path.exists(os.path.join(libdir, "libvdsm-1.0.so")), "the library in " + libdir)

        flags = run(["pkg-config", "--cflags", "--libs", "libvdsm-1.0"], env=env)
        check(flags.returncode == 0, "pkg-config --cflags --libs libvdsm-1.0", flags.stderr)
        cflags = run(["pkg-config", "--cflags", "libvdsm-1.0"], env=env).stdout.split()
        libs = run(["pkg-config", "--libs", "libvdsm-1.0"], env=env).stdout.split()
        strict = ["-Wall", "-Wextra", "-Werror"]
        for header in headers:
            built = run(cc + strict + cflags + ["-fsyntax-only", "-include", header,
                                                "-x", "c", "/dev/null"])
            check(built.returncode == 0, os.path.basename(header) + " compiles alone",
                  built.stderr)

        socket = os.path.join(scratch, "nobody-listens")
        source = os.path.join(scratch, "program.c")
        program = os.path.join(scratch, "program")
        with open(source, "w", encoding="utf-8") as f:
            f.write('#define SOCKET "%s"\n' % socket + PROGRAM)
        built = run(cc + strict + cflags + [source, "-o", program] + libs
                    + ["-Wl,-rpath," + libdir])
        check(built.returncode == 0, "a program builds with pkg-config", built.stderr)
        if built.returncode == 0:
            ran = run([program])
            check(ran.returncode == 0, "it runs and gets the connection error: "
                  + ran.stdout.strip(), ran.stderr)

        tool = os.environ.get("VDSM_SCHEMA_TOOL")
        if tool:
            pages = os.path.join(scratch, "examples")
            api = os.environ["VDSM_API_FILES"].split(os.pathsep)
            made = run([tool, "examples", "--output-dir", pages] + api)
            check(made.returncode == 0, "vdsm-schema examples", made.stderr)
            for page in sorted(glob.glob(os.path.join(pages, "*.md"))):
                with open(page, encoding="utf-8") as f:
                    blocks = re.findall(r"^```c\n(.*?)^```$", f.read(), re.S | re.M)
                example = page[:-len(".md")] + ".c"
                with open(example, "w", encoding="utf-8") as f:
                    f.write("".join(blocks))
                built = run(cc + strict + cflags + [example, "-o", example[:-2]] + libs)
                check(len(blocks) == 1 and built.returncode == 0,
                      "the C example of %s builds" % os.path.basename(page), built.stderr)

        gir = glob.glob(os.path.join(root, "share", "gir-1.0", "Vdsm-1.0.gir"))
        typelibs = glob.glob(os.path.join(libdir, "girepository-1.0", "Vdsm-1.0.typelib"))
        if os.environ.get("VDSM_INTROSPECTION") == "1":
            check(len(gir) == 1 and len(typelibs) == 1, "Vdsm-1.0.gir and Vdsm-1.0.typelib")
            gi_env = dict(os.environ, GI_TYPELIB_PATH=os.path.dirname(typelibs[0]) if typelibs else "",
                          LD_LIBRARY_PATH=libdir)
            ran = run(["/usr/bin/python3", "-c", PYTHON, socket], env=gi_env)
            check(ran.returncode == 0, "Python through gi: " + ran.stdout.strip(), ran.stderr)
    print("1..%d" % len(results))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
