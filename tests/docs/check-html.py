#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Check an HTML API reference written by `vdsm-schema docs`.

usage: check-html.py OUTDIR [EXPECTED]

- every *.html page parses with html.parser, starts with <!DOCTYPE html>,
  closes every element it opens, in order, and has no duplicate id;
- every link (href, src) is internal (no external assets or pages), and
  points to an existing file and, with a #fragment, to an existing id;
- search-index.js holds a JSON array of {n, k, h, d} whose links resolve;
- with EXPECTED, a file of page#id lines, each of them exists.

Prints what it checked; exits 1 with every problem listed on stderr.
Standard library only.
"""

import html.parser
import json
import os
import sys
import urllib.parse

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
        "meta", "source", "track", "wbr"}


class Page(html.parser.HTMLParser):
    def __init__(self, name, problems):
        super().__init__(convert_charrefs=True)
        self.name = name
        self.problems = problems
        self.stack = []
        self.ids = set()
        self.links = []
        self.doctype = False
        self.seen_tag = False

    def problem(self, text):
        line, col = self.getpos()
        self.problems.append(f"{self.name}:{line}:{col}: {text}")

    def handle_decl(self, decl):
        if not self.seen_tag and decl.lower() == "doctype html":
            self.doctype = True

    def handle_starttag(self, tag, attrs):
        self.seen_tag = True
        for key, value in attrs:
            if key == "id":
                if value in self.ids:
                    self.problem(f"duplicate id {value!r}")
                self.ids.add(value)
            if key in ("href", "src"):
                self.links.append((value, self.getpos()))
        if tag not in VOID:
            self.stack.append((tag, self.getpos()))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag in VOID:
            self.problem(f"end tag for void element <{tag}>")
        elif not self.stack:
            self.problem(f"</{tag}> closes nothing")
        elif self.stack[-1][0] != tag:
            open_tag, (line, _) = self.stack[-1]
            self.problem(f"</{tag}> while <{open_tag}> (line {line}) is open")
        else:
            self.stack.pop()

    def finish(self):
        self.close()
        if not self.doctype:
            self.problem("no <!DOCTYPE html> first")
        for tag, (line, _) in self.stack:
            self.problems.append(f"{self.name}:{line}: <{tag}> never closed")


def resolve(pages, files, source, link, problems, where):
    """Check that @link, found on page @source, points to something."""
    parts = urllib.parse.urlsplit(link)
    if parts.scheme or parts.netloc:
        problems.append(f"{where}: external link {link!r}")
        return False
    target = urllib.parse.unquote(parts.path) or source
    if target not in files:
        problems.append(f"{where}: link {link!r} to a missing file")
        return False
    if parts.fragment:
        fragment = urllib.parse.unquote(parts.fragment)
        if target not in pages or fragment not in pages[target].ids:
            problems.append(f"{where}: link {link!r}: no id {fragment!r} in {target}")
            return False
    return True


def main(argv):
    if len(argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    outdir = argv[1]
    problems = []
    files = set(os.listdir(outdir))
    pages = {}
    for name in sorted(files):
        if not name.endswith(".html"):
            continue
        with open(os.path.join(outdir, name), encoding="utf-8") as f:
            text = f.read()
        page = Page(name, problems)
        page.feed(text)
        page.finish()
        pages[name] = page

    n_links = 0
    for name, page in pages.items():
        for link, (line, col) in page.links:
            n_links += 1
            resolve(pages, files, name, link, problems, f"{name}:{line}:{col}")

    n_entries = 0
    with open(os.path.join(outdir, "search-index.js"), encoding="utf-8") as f:
        script = f.read()
    start, end = script.find("= "), script.rfind(";")
    try:
        entries = json.loads(script[start + 2:end])
    except ValueError as e:
        problems.append(f"search-index.js: not JSON: {e}")
        entries = []
    for entry in entries:
        n_entries += 1
        if set(entry) != {"n", "k", "h", "d"}:
            problems.append(f"search-index.js: bad entry {entry!r}")
            continue
        resolve(pages, files, "index.html", entry["h"], problems,
                f"search-index.js entry {entry['n']!r}")
    for asset in ("style.css", "search.js", "index.html"):
        if asset not in files:
            problems.append(f"{asset} missing")

    n_expected = 0
    if len(argv) == 3:
        with open(argv[2], encoding="utf-8") as f:
            for line in f:
                line = line.rstrip("\n")
                if line:
                    n_expected += 1
                    resolve(pages, files, "index.html", line, problems,
                            f"expected {line!r}")

    for p in problems:
        print(p, file=sys.stderr)
    print(f"{len(pages)} pages, {n_links} links, {n_entries} search entries, "
          f"{n_expected} expected anchors, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
