#!/usr/bin/python3
"""Hostile clients against vdsmd: the memory and loop-blocking scenarios
of the hardening work (send queue, batches, the budget of all buffers).

Starts the vdsmd binary given on a private unix socket, runs one scenario
and prints what the clients saw and the server's RSS and CPU time:

  overflow  a client asks for 15 KiB replies (Host.getApiSchema) without
            reading until its send queue overflows, while two other
            clients stream heart-beats (the server is never idle); then it
            reads once and holds the connection for --hold seconds
  batch     one batch of --n Host.ping requests, while another client
            pings every 10 ms
  giant     one Host.ping whose params are --mib MiB of a JSON array of
            small values, while another client pings every 10 ms
  budget    --k clients each send all but 1 MiB of a --mib MiB frame and
            stop, never reading; then a new client pings

Usage: memory-abuse.py VDSMD SCENARIO [OPTIONS] [-- VDSMD_OPTIONS]
e.g.   memory-abuse.py build/daemon/vdsmd budget --k 20 --mib 60 -- \\
           --max-frame-size 67108864

Bounded in time; unix socket only; stdlib only.
"""
import argparse
import json
import os
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

REQUESTS = "jms.topic.vdsm_requests"

# Another client streaming heart-beats, in a process of its own.
BUSY = """
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.sendall(b"CONNECT\\naccept-version:1.2\\n\\n\\0")
beats = b"\\n" * (1 << 20)
while True:
    s.sendall(beats)
"""


def proc_status(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    return 0


def rss_mib(pid):
    return proc_status(pid, "VmRSS") / 2**20


def peak_mib(pid):
    return proc_status(pid, "VmHWM") / 2**20


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def frame_head(command, headers):
    return (command + "\n" + "".join(f"{k}:{v}\n" for k, v in headers) + "\n").encode()


def frame(command, headers, body=b""):
    if body:
        headers = headers + [("content-length", len(body))]
    return frame_head(command, headers) + body + b"\0"


def send_frame(body):
    return frame("SEND", [("destination", REQUESTS), ("reply-to", "r")], body)


def request(method, rid):
    return json.dumps({"jsonrpc": "2.0", "method": method, "params": {},
                       "id": rid}).encode()


class Client:
    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.buf = b""

    def ready(self):
        """CONNECT, then SUBSCRIBE to the reply destination "r"."""
        self.sock.sendall(frame("CONNECT", [("accept-version", "1.2"),
                                            ("heart-beat", "0,0")]))
        self.frame(10)
        self.sock.sendall(frame("SUBSCRIBE", [("destination", "r"), ("id", "s")]))
        return self

    def _take_frame(self):
        self.buf = self.buf.lstrip(b"\n")
        end = self.buf.find(b"\n\n")
        if end < 0:
            return None
        length = None
        for line in self.buf[:end].decode().split("\n")[1:]:
            if line.startswith("content-length:"):
                length = int(line.split(":", 1)[1])
        stop = end + 2 + length if length is not None else self.buf.find(b"\0", end)
        if stop < 0 or len(self.buf) <= stop:
            return None
        body = self.buf[end + 2:stop]
        self.buf = self.buf[stop + 1:]
        return body

    def frame(self, timeout):
        """The next frame's body, or None at EOF or timeout."""
        deadline = time.monotonic() + timeout
        while (body := self._take_frame()) is None:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.sock], [], [], left)[0]:
                return None
            try:
                data = self.sock.recv(1 << 20)
            except ConnectionError:
                return None
            if not data:
                return None
            self.buf += data
        return body

    def drain(self):
        """Reads what the kernel holds: the byte count, or -1 at EOF."""
        total = 0
        while select.select([self.sock], [], [], 0.05)[0]:
            try:
                data = self.sock.recv(1 << 20)
            except ConnectionError:
                return -1
            if not data:
                return -1
            total += len(data)
        return total

    def call(self, body, timeout=30):
        self.sock.sendall(send_frame(body))
        return self.frame(timeout)


class Server:
    """vdsmd on a private unix socket; its log in a temporary file."""

    def __init__(self, vdsmd, args):
        self.tmp = tempfile.mkdtemp(prefix="memory-abuse-")
        self.path = os.path.join(self.tmp, "vdsmd.sock")
        self.log = os.path.join(self.tmp, "log")
        with open(self.log, "w") as log:
            self.proc = subprocess.Popen(
                [vdsmd, "--listen", "", "--unix", self.path] + args,
                stdout=subprocess.PIPE, stderr=log, text=True)
        line = self.proc.stdout.readline()
        while line and "listening" not in line:
            line = self.proc.stdout.readline()
        if "listening" not in line:
            sys.exit("vdsmd did not start: " + open(self.log).read())
        # GLib writes info and debug lines to stdout: never let it block.
        threading.Thread(target=self._copy_stdout, daemon=True).start()
        self.pid = self.proc.pid

    def _copy_stdout(self):
        with open(self.log, "a") as f:
            for line in self.proc.stdout:
                f.write(line)
                f.flush()

    def log_lines(self, *words):
        with open(self.log) as f:
            return [line.rstrip() for line in f if any(w in line for w in words)]

    def stop(self):
        self.proc.terminate()
        self.proc.wait()
        shutil.rmtree(self.tmp, ignore_errors=True)


def overflow(server, opts):
    c = Client(server.path).ready()
    size = len(c.call(request("Host.getApiSchema", 0)))
    rss0 = rss_mib(server.pid)
    stop, sent = threading.Event(), [0]

    def sender():
        # Requests, then heart-beats: it keeps sending while it reads once.
        try:
            c.sock.settimeout(10)
            while not stop.is_set():
                if sent[0] < opts.requests:
                    c.sock.sendall(send_frame(request("Host.getApiSchema", sent[0])))
                    sent[0] += 1
                else:
                    c.sock.sendall(b"\n" * 4096)
        except OSError as e:
            print(f"  sending stopped after {sent[0]} requests: {e}")

    busy = [subprocess.Popen([sys.executable, "-c", BUSY, server.path]) for _ in range(2)]
    t = threading.Thread(target=sender)
    t.start()
    while sent[0] < opts.requests and t.is_alive():
        time.sleep(0.05)
    time.sleep(0.5)
    full = rss_mib(server.pid)
    got = c.drain()
    stop.set()
    t.join()
    for b in busy:
        b.kill()
        b.wait()
    cpu0, t0 = cpu_seconds(server.pid), time.monotonic()
    time.sleep(opts.hold)
    cpu = (cpu_seconds(server.pid) - cpu0) / (time.monotonic() - t0)
    closed = c.drain() == -1
    print(f"  replies of {size} B, {sent[0]} requests; the client read once: "
          f"{'EOF' if got < 0 else f'{got} B'}")
    print(f"  server CPU while the client held the connection: {cpu * 100:.0f} %")
    print(f"  closed by the server within {opts.hold} s: {closed}")
    print(f"  RSS {rss0:.0f} MiB, {full:.0f} MiB after the requests, "
          f"{rss_mib(server.pid):.0f} MiB after the hold")
    c.sock.close()
    time.sleep(0.5)
    for line in server.log_lines("send queue", "closed")[:3]:
        print("  log:", line[:200])


def while_pinging(server, body):
    """Sends @body while another client pings every 10 ms; returns the
    reply, the seconds it took and the other client's latencies."""
    stop, latencies = threading.Event(), []

    def pinger():
        p = Client(server.path).ready()
        i = 0
        while not stop.is_set():
            t = time.monotonic()
            try:
                if p.call(request("Host.ping", f"p{i}"), 60) is None:
                    return
            except OSError:
                return
            latencies.append(time.monotonic() - t)
            i += 1
            time.sleep(0.01)

    t = threading.Thread(target=pinger)
    t.start()
    time.sleep(0.5)
    c = Client(server.path).ready()
    t0 = time.monotonic()
    try:
        c.sock.sendall(send_frame(body))
    except OSError as e:
        print(f"  sending failed: {e}")
    reply = c.frame(300)
    took = time.monotonic() - t0
    time.sleep(2)
    stop.set()
    t.join()
    return reply, took, sorted(latencies)


def report(server, what, body, reply, took, latencies, rss0):
    if reply is None:
        text = "no reply (the connection closed)"
    elif reply.startswith(b"["):
        text = f"an array of {len(reply)} B"
    else:
        text = reply[:150].decode(errors="replace")
    print(f"  {what}, {len(body) / 2**20:.1f} MiB: {text}")
    print(f"  answered {took:.2f} s after the start of the send")
    if latencies:
        print(f"  the other client: {len(latencies)} pings, worst {latencies[-1] * 1000:.0f} ms, "
              f"median {latencies[len(latencies) // 2] * 1000:.1f} ms")
    print(f"  RSS {rss0:.0f} MiB, {rss_mib(server.pid):.0f} MiB 2 s after the reply, "
          f"peak {peak_mib(server.pid):.0f} MiB")


def batch(server, opts):
    body = b"[" + b",".join(b'{"jsonrpc":"2.0","method":"Host.ping","id":%d}' % i
                            for i in range(opts.n)) + b"]"
    rss0 = rss_mib(server.pid)
    report(server, f"one batch of {opts.n} pings", body, *while_pinging(server, body), rss0)


def giant(server, opts):
    n = int(opts.mib * 2**20) // 2
    body = (b'{"jsonrpc":"2.0","method":"Host.ping","params":{"x":['
            + b"0," * (n - 1) + b'0]},"id":1}')
    rss0 = rss_mib(server.pid)
    report(server, f"one request of {n} values", body, *while_pinging(server, body), rss0)


def budget(server, opts):
    rss0 = rss_mib(server.pid)
    clients = []
    mib = int(opts.mib)
    chunk = b"x" * (1 << 20)
    for i in range(opts.k):
        c = Client(server.path).ready()
        try:
            c.sock.settimeout(5)
            c.sock.sendall(frame_head("SEND", [("destination", REQUESTS),
                                               ("content-length", mib << 20)]))
            for _ in range(mib - 1):
                c.sock.sendall(chunk)
        except OSError as e:
            print(f"  client {i}: {e}")
        clients.append(c)
    time.sleep(1)
    rss1 = rss_mib(server.pid)
    closed = sum(1 for c in clients if c.drain() == -1)
    fresh = Client(server.path).ready()
    t = time.monotonic()
    ok = fresh.call(request("Host.ping", "fresh"), 10)
    print(f"  {opts.k} clients stopped {mib - 1} MiB into {mib} MiB frames: RSS {rss0:.0f} "
          f"-> {rss1:.0f} MiB, {closed} closed by the server")
    print(f"  a new client's ping: {'answered' if ok else 'NOT answered'} "
          f"in {(time.monotonic() - t) * 1000:.1f} ms")
    for line in server.log_lines("budget")[:3]:
        print("  log:", line[:240])


SCENARIOS = {"overflow": overflow, "batch": batch, "giant": giant, "budget": budget}


def main():
    argv = sys.argv[1:]
    extra = []
    if "--" in argv:
        extra = argv[argv.index("--") + 1:]
        argv = argv[:argv.index("--")]
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("vdsmd")
    p.add_argument("scenario", choices=SCENARIOS)
    p.add_argument("--requests", type=int, default=12000, help="overflow: requests sent")
    p.add_argument("--hold", type=float, default=5, help="overflow: seconds held")
    p.add_argument("--n", type=int, default=1250000, help="batch: requests")
    p.add_argument("--k", type=int, default=8, help="budget: clients")
    p.add_argument("--mib", type=float, default=3.9, help="giant, budget: MiB per frame")
    opts = p.parse_args(argv)
    server = Server(opts.vdsmd, extra)
    try:
        print(f"{opts.scenario}: {opts.vdsmd} {' '.join(extra)}")
        SCENARIOS[opts.scenario](server, opts)
    finally:
        server.stop()


main()
