#!/usr/bin/python3
"""Add up meson (TAP subtests counted one by one) and pytest (JUnit XML)
results into the single closing line "N passed, N failed, N skipped".
Exit status 1 when anything failed or a report is missing."""
import json
import re
import sys
import xml.etree.ElementTree as ET

TAP = re.compile(r"^(not ok|ok)\b[^#]*(#\s*(\w+))?", re.IGNORECASE)


def meson_counts(path):
    passed = failed = skipped = 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            entry = json.loads(line)
            result = entry.get("result", "FAIL")
            p = fa = s = 0
            for out in (entry.get("stdout") or "").splitlines():
                m = TAP.match(out.strip())
                if not m:
                    continue
                directive = (m.group(3) or "").upper()
                if directive == "SKIP":
                    s += 1
                elif m.group(1).lower() == "ok" or directive == "TODO":
                    p += 1
                else:
                    fa += 1
            if p + fa + s == 0:
                if result == "OK":
                    p = 1
                elif result == "SKIP":
                    s = 1
                else:
                    fa = 1
            elif result not in ("OK", "SKIP", "EXPECTEDFAIL") and fa == 0:
                fa = 1  # crashed or timed out after its last TAP line
            passed, failed, skipped = passed + p, failed + fa, skipped + s
    return passed, failed, skipped


def junit_counts(path):
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    passed = failed = skipped = 0
    for s in suites:
        total = int(s.get("tests", 0))
        f = int(s.get("failures", 0)) + int(s.get("errors", 0))
        sk = int(s.get("skipped", 0))
        passed += total - f - sk
        failed += f
        skipped += sk
    return passed, failed, skipped


def main(argv):
    totals = [0, 0, 0]
    for spec in argv:
        kind, _, path = spec.partition(":")
        try:
            counts = meson_counts(path) if kind == "meson" else junit_counts(path)
        except (OSError, ValueError, ET.ParseError) as e:
            print(f"summarize: no usable report {path}: {e}", file=sys.stderr)
            counts = (0, 1, 0)
        totals = [a + b for a, b in zip(totals, counts)]
    print(f"{totals[0]} passed, {totals[1]} failed, {totals[2]} skipped")
    return 1 if totals[1] or not totals[0] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
