"""The Python program of each namespace page of libvdsm's API reference
(`vdsm-schema examples`, make docs), run against a real vdsmd: the call it
shows must reach the server with the arguments gi expects. A placeholder
argument may make the server refuse the call (a GLib.Error); anything else
(TypeError, AttributeError…) means the example is wrong."""
import glob
import os
import re
import subprocess

import pytest

from conftest import BUILD_ROOT, SOURCE_ROOT

EXAMPLE_URI = "tcp://127.0.0.1:54321"


def example_pages(tmp_path):
    tool = os.path.join(BUILD_ROOT, "tools", "vdsm-schema")
    api = [os.path.join(SOURCE_ROOT, "api", name) for name in ("vdsm-api.yml", "vdsm-events.yml")]
    subprocess.run([tool, "examples", "--output-dir", str(tmp_path)] + api, check=True)
    return sorted(glob.glob(os.path.join(str(tmp_path), "*.md")))


def python_block(page):
    with open(page, encoding="utf-8") as f:
        blocks = re.findall(r"^```python\n(.*?)^```$", f.read(), re.S | re.M)
    assert len(blocks) == 1, page
    assert EXAMPLE_URI in blocks[0]
    return blocks[0]


def test_python_examples_run(vdsmd, tmp_path):
    pages = example_pages(tmp_path)
    assert pages
    for page in pages:
        program = python_block(page).replace(EXAMPLE_URI, vdsmd["tcp"])
        ran = subprocess.run(["/usr/bin/python3", "-c", program], capture_output=True,
                             text=True, timeout=60)
        refused = "gi.repository.GLib.GError: vdsm-error-quark:" in ran.stderr
        if ran.returncode != 0 and not refused:
            pytest.fail(f"{os.path.basename(page)}:\n{program}\n{ran.stderr}")
