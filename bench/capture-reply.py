#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Capture one JSON-RPC reply from vdsmd over its unix socket.

bench/run-bench uses it to save the Host.getAllVmStats result that vdsmd
really sends on bench/host-1000.xml, for json-bench to serialize with
jansson and json-glib. STOMP 1.2 as vdsm's Python client speaks it;
bounded by --timeout. Writes the reply's "result" member to --output and
prints the size of the whole reply body in bytes.
"""

import argparse
import json
import socket
import sys
import time
import uuid

REQUEST_QUEUE = "jms.topic.vdsm_requests"


class Stomp:
    def __init__(self, path, deadline):
        self.deadline = deadline
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.remaining())
        self.sock.connect(path)
        self.buf = b""

    def remaining(self):
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("no reply in time")
        return left

    def send(self, command, headers, body=b""):
        head = "".join("%s:%s\n" % kv for kv in headers.items())
        self.sock.sendall(command.encode() + b"\n" + head.encode() + b"\n" + body + b"\0")

    def fill(self):
        self.sock.settimeout(self.remaining())
        data = self.sock.recv(1 << 20)
        if not data:
            raise ConnectionError("vdsmd closed the connection")
        self.buf += data

    def frame(self):
        """The next frame as (command, headers, body); skips heart-beats."""
        while True:
            self.buf = self.buf.lstrip(b"\r\n")
            end = self.buf.find(b"\n\n")
            if end < 0:
                self.fill()
                continue
            lines = self.buf[:end].decode().split("\n")
            headers = {}
            for line in lines[1:]:
                key, _, value = line.rstrip("\r").partition(":")
                headers.setdefault(key, value)
            start = end + 2
            if "content-length" in headers:
                stop = start + int(headers["content-length"])
            else:
                stop = self.buf.find(b"\0", start)
                stop = len(self.buf) + 1 if stop < 0 else stop
            if len(self.buf) <= stop:
                self.fill()
                continue
            body = self.buf[start:stop]
            self.buf = self.buf[stop + 1:]
            return lines[0], headers, body


def capture(path, method, timeout):
    stomp = Stomp(path, time.monotonic() + timeout)
    reply_to = "jms.topic.vdsm_responses." + str(uuid.uuid4())
    stomp.send("CONNECT", {"accept-version": "1.2", "heart-beat": "0,0"})
    stomp.send("SUBSCRIBE", {"destination": reply_to, "ack": "auto",
                             "id": str(uuid.uuid4())})
    command, headers, _ = stomp.frame()
    if command != "CONNECTED":
        raise RuntimeError("CONNECT answered with %s: %s" % (command, headers))
    request = json.dumps([{"jsonrpc": "2.0", "method": method, "params": {},
                           "id": str(uuid.uuid4())}]).encode()
    stomp.send("SEND", {"destination": REQUEST_QUEUE,
                        "content-type": "application/json",
                        "reply-to": reply_to,
                        "content-length": str(len(request))}, request)
    while True:
        command, headers, body = stomp.frame()
        if command == "MESSAGE":
            return body
        if command == "ERROR":
            raise RuntimeError("STOMP ERROR: %s" % headers.get("message", body[:200]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--unix", required=True, help="vdsmd's unix socket")
    parser.add_argument("--method", default="Host.getAllVmStats")
    parser.add_argument("--output", required=True, help="file for the result member")
    parser.add_argument("--timeout", type=float, default=10.0)
    args = parser.parse_args()

    body = capture(args.unix, args.method, args.timeout)
    reply = json.loads(body)
    if "result" not in reply:
        sys.exit("%s answered without a result: %s" % (args.method, body[:300]))
    with open(args.output, "w", encoding="utf-8") as f:
        json.dump(reply["result"], f)
    print(len(body))


if __name__ == "__main__":
    main()
