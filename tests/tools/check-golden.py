#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Compare the C that `vdsm-schema generate` wrote for tests/tools/data/
with the golden copies in tests/tools/golden/.

usage: check-golden.py GOLDEN_DIR GENERATED_FILE...

The golden files pin the generator's output, so that a change to the
generator shows in review as a diff of generated code. After an intended
change, refresh them and commit the result with the change:

    VDSM_UPDATE_GOLDEN=1 meson test -C build golden

TAP output, one test per file; a difference goes to stderr as a unified
diff (golden first). Standard library only.
"""

import difflib
import os
import shutil
import sys


def read_lines(path):
    with open(path, encoding="utf-8") as f:
        return f.read().splitlines(keepends=True)


def check(golden, generated):
    """None when @golden holds what @generated holds, else the problem."""
    if not os.path.exists(golden):
        return ["golden file missing: %s\n" % golden]
    diff = list(difflib.unified_diff(read_lines(golden), read_lines(generated),
                                     fromfile=golden, tofile=generated))
    return diff or None


def main(argv):
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    golden_dir, generated = argv[1], argv[2:]
    update = os.environ.get("VDSM_UPDATE_GOLDEN") == "1"
    failed = False

    print("1..%d" % len(generated))
    for n, path in enumerate(generated, 1):
        name = os.path.basename(path)
        golden = os.path.join(golden_dir, name)
        problem = check(golden, path)
        if problem is None:
            print("ok %d - %s" % (n, name))
        elif update:
            shutil.copyfile(path, golden)
            print("ok %d - %s # updated %s" % (n, name, golden))
        else:
            failed = True
            print("not ok %d - %s differs from its golden copy" % (n, name))
            # stderr: what `meson test --print-errorlogs` shows.
            sys.stderr.writelines(problem)
    if failed:
        sys.stderr.write("refresh after an intended change: "
                         "VDSM_UPDATE_GOLDEN=1 meson test -C build golden\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
