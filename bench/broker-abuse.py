#!/usr/bin/python3
# broker-abuse.py: what hostile SEND frames cost vdsmd's I/O thread and
# memory (docs/security.md, "Broker destinations"). Starts vdsmd on a free
# loopback port, then for each scenario measures the longest Host.ping
# round trip of a client pinging meanwhile (how long the loop was blocked)
# and the growth of vdsmd's peak RSS.
#
#   dots      one SEND whose destination has N dots, then P such SENDs
#             pipelined in one write
#   fanout    C connections that never read, each with S subscriptions to
#             one destination; one SEND of B bytes to it
#
# The forwarding scenarios need VDSM's permissive broker rule: the option
# is passed when `vdsmd --help-all` offers it (older builds forward always).
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time

PERMISSIVE_OPTION = "--broker-forwarding"


def frame(command, headers, body=b""):
    out = command.encode() + b"\n"
    for name, value in headers:
        out += name.encode() + b":" + value.encode() + b"\n"
    if body:
        out += b"content-length:%d\n" % len(body)
    return out + b"\n" + body + b"\0"


def connect(port, rcvbuf=None):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if rcvbuf:
        # Before connect: the window stays small, so the bytes the
        # server cannot send stay in its own send queue.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    sock.connect(("127.0.0.1", port))
    return sock


def read_frame(sock, buf):
    while b"\0" not in buf:
        data = sock.recv(65536)
        if not data:
            raise EOFError("vdsmd closed the connection")
        buf += data
    end = buf.index(b"\0")
    return buf[:end].lstrip(b"\n"), buf[end + 1:]


class Pinger(threading.Thread):
    """Host.ping in a loop; keeps the longest round trip."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.sock = connect(port)
        self.sock.sendall(frame("CONNECT", [("accept-version", "1.2")]) +
                          frame("SUBSCRIBE", [("destination", "ping-replies"),
                                              ("id", "p")]))
        self.buf = b""
        _, self.buf = read_frame(self.sock, self.buf)
        self.stop = threading.Event()
        self.longest = 0.0
        self.count = 0

    def ping(self):
        body = b'{"jsonrpc": "2.0", "method": "Host.ping", "params": {}, "id": 1}'
        start = time.monotonic()
        self.sock.sendall(frame("SEND", [("destination", "jms.topic.vdsm_requests"),
                                         ("reply-to", "ping-replies")], body))
        _, self.buf = read_frame(self.sock, self.buf)
        return time.monotonic() - start

    def run(self):
        while not self.stop.is_set():
            self.longest = max(self.longest, self.ping())
            self.count += 1
            time.sleep(0.002)

    def finish(self):
        self.stop.set()
        self.join()
        self.sock.close()
        return self.longest


def proc_status(pid, field):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise KeyError(field)


def reset_peak(pid):
    with open("/proc/%d/clear_refs" % pid, "w") as f:
        f.write("5")


class Vdsmd:
    def __init__(self, binary, extra):
        help_text = subprocess.run([binary, "--help-all"], capture_output=True,
                                   text=True).stdout
        self.permissive = PERMISSIVE_OPTION in help_text
        args = [binary, "--listen", "127.0.0.1:0", "--unix", ""] + extra
        if self.permissive:
            args.append(PERMISSIVE_OPTION)
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        match = re.search(r"listening on 127\.0\.0\.1:(\d+)", line)
        if not match:
            self.proc.kill()
            raise RuntimeError("vdsmd did not start: %r" % line)
        self.port = int(match.group(1))

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=30)


def measure(server, attack, settle):
    """Runs @attack while pinging; returns (longest ping s, peak RSS growth)."""
    pid = server.proc.pid
    pinger = Pinger(server.port)
    before = proc_status(pid, "VmRSS")
    reset_peak(pid)
    pinger.start()
    time.sleep(0.2)
    started = time.monotonic()
    keep = attack()
    time.sleep(settle)
    longest = pinger.finish()
    peak = proc_status(pid, "VmHWM")
    for sock in keep:
        sock.close()
    return {"longest_ping_s": round(longest, 4),
            "peak_rss_growth_mb": round((peak - before) / 2**20, 1),
            "attack_s": round(time.monotonic() - started - settle, 3),
            "pings": pinger.count}


def dots_attack(port, n_dots, n_frames):
    destination = "a" + ".a" * n_dots

    def attack():
        sock = connect(port)
        sock.sendall(frame("SUBSCRIBE", [("destination", "a"), ("id", "s")]))
        wire = frame("SEND", [("destination", destination)], b"x") * n_frames
        sock.sendall(wire)
        # The copies come back to the subscriber: wait for the last one.
        buf, got = b"", 0
        while got < n_frames:
            _, buf = read_frame(sock, buf)
            got += 1
        return [sock]
    return attack


def fanout_attack(port, n_conns, n_subs, body_size):
    def attack():
        keep = []
        for c in range(n_conns):
            sock = connect(port, rcvbuf=4096)
            wire = b"".join(frame("SUBSCRIBE", [("destination", "fan"),
                                                ("id", "s%d" % i)])
                            for i in range(n_subs))
            sock.sendall(wire)
            keep.append(sock)
        # Subscriptions are in before the SEND: a ping through each
        # connection's read order is not needed, the server reads in order.
        time.sleep(0.5)
        sender = connect(port)
        sender.sendall(frame("SEND", [("destination", "fan")], b"x" * body_size))
        keep.append(sender)
        return keep
    return attack


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--vdsmd", default="build/daemon/vdsmd")
    parser.add_argument("--dots", type=int, default=30000)
    parser.add_argument("--pipelined", type=int, default=20)
    parser.add_argument("--conns", type=int, default=20)
    parser.add_argument("--subs", type=int, default=256)
    parser.add_argument("--body", type=int, default=100 * 1024)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("vdsmd_args", nargs="*", help="passed to vdsmd (after --)")
    args = parser.parse_args()

    server = Vdsmd(args.vdsmd, args.vdsmd_args)
    results = {"permissive_option": server.permissive}
    try:
        results["dots-1"] = measure(server, dots_attack(server.port, args.dots, 1), 0.3)
        results["dots-%d" % args.pipelined] = measure(
            server, dots_attack(server.port, args.dots, args.pipelined), 0.3)
        results["fanout"] = measure(
            server, fanout_attack(server.port, args.conns, args.subs, args.body), 2.0)
    finally:
        server.stop()
    if args.json:
        print(json.dumps(results))
    else:
        for name, value in results.items():
            print(name, value)


if __name__ == "__main__":
    sys.exit(main())
