#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Hold libvdsm's exported symbols to the committed list.

usage: check-symbols.py NM LIBRARY SYMBOLS_FILE

The library exports exactly what its installed headers declare with
VDSM_AVAILABLE_IN_ALL (common/vdsm-visibility.h). SYMBOLS_FILE
(client/libvdsm.symbols) lists those names, one a line, sorted; a symbol
that appears or disappears is a change of the ABI and shows in review as a
diff of that file. After an intended change (a method added to the schema,
a new function), refresh it and commit the result with the change:

    VDSM_UPDATE_SYMBOLS=1 meson test -C build symbols

TAP output. Standard library only.
"""

import difflib
import os
import subprocess
import sys


def exported(nm, library):
    """The names of the functions and data @library defines in its
    dynamic symbol table."""
    out = subprocess.run([nm, "-D", "--defined-only", library], check=True,
                         capture_output=True, text=True).stdout
    names = set()
    for line in out.splitlines():
        fields = line.split()
        if len(fields) == 3:
            names.add(fields[2].split("@")[0])
    return sorted(names)


def main(argv):
    if len(argv) != 4:
        sys.stderr.write(__doc__)
        return 2
    nm, library, symbols_file = argv[1:]
    names = exported(nm, library)
    text = "".join(name + "\n" for name in names)
    print("1..2")

    foreign = [name for name in names if not name.startswith("vdsm_")]
    if foreign:
        print("not ok 1 - every export is vdsm_*: %s" % " ".join(foreign))
    else:
        print("ok 1 - every export is vdsm_* (%d symbols)" % len(names))

    if os.environ.get("VDSM_UPDATE_SYMBOLS"):
        with open(symbols_file, "w", encoding="utf-8") as f:
            f.write(text)
        print("ok 2 - %s updated" % symbols_file)
        return 0
    with open(symbols_file, encoding="utf-8") as f:
        committed = f.read()
    diff = list(difflib.unified_diff(committed.splitlines(keepends=True),
                                     text.splitlines(keepends=True),
                                     fromfile=symbols_file, tofile=library))
    if diff:
        sys.stderr.writelines(diff)
        print("not ok 2 - exports differ from %s (VDSM_UPDATE_SYMBOLS=1 refreshes it)"
              % symbols_file)
    else:
        print("ok 2 - exports match %s" % symbols_file)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
