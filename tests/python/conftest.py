"""Fixtures for the gi-bindings suite: a real vdsmd on an ephemeral port and a
temporary unix socket, loaded with the repository's host definition."""
import os
import select
import signal
import subprocess
import tempfile
import time

import pytest

SOURCE_ROOT = os.environ.get(
    "VDSM_SOURCE_ROOT", os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
BUILD_ROOT = os.environ.get("VDSM_BUILD_ROOT", os.path.join(SOURCE_ROOT, "build"))
STARTUP_TIMEOUT = 20.0


def _read_listening(proc, deadline):
    """Collect the daemon's 'listening on ...' lines until both endpoints are up."""
    endpoints = {}
    buf = b""
    while time.monotonic() < deadline and len(endpoints) < 2:
        ready, _, _ = select.select([proc.stdout], [], [], 0.2)
        if proc.poll() is not None:
            break
        if not ready:
            continue
        chunk = os.read(proc.stdout.fileno(), 4096)
        if not chunk:
            break
        buf += chunk
        *lines, buf = buf.split(b"\n")
        for line in lines:
            text = line.decode()
            if text.startswith("listening on unix:"):
                endpoints["unix"] = "unix://" + text[len("listening on unix:"):]
            elif text.startswith("listening on "):
                endpoints["tcp"] = "tcp://" + text[len("listening on "):]
    return endpoints


@pytest.fixture(scope="module")
def vdsmd():
    """Start vdsmd; yields {'tcp': uri, 'unix': uri}."""
    tmp = tempfile.mkdtemp(prefix="vdsmd-pytest-")
    sock = os.path.join(tmp, "vdsmd.sock")
    cmd = [os.path.join(BUILD_ROOT, "daemon", "vdsmd"),
           "--listen", "127.0.0.1:0", "--unix", sock, "--strict-replies",
           "--host-definition", os.path.join(SOURCE_ROOT, "data", "host.xml")]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE)
    try:
        endpoints = _read_listening(proc, time.monotonic() + STARTUP_TIMEOUT)
        if len(endpoints) < 2:
            pytest.fail(f"vdsmd did not start: {endpoints}, exit={proc.poll()}")
        yield endpoints
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            rc = proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            rc = proc.wait()
        assert rc == 0, f"vdsmd exited with {rc}"
