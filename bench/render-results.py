#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Render bench/run-bench's raw results (JSON lines) as bench/results.md.

Each input line is {"scenario", "transport", "server", "round", "client",
"load"}, where "load" is vdsm-load's (or the reference loadgen's) --json
object, or null when the run produced none. Of several rounds, the round
with the median rate stands for the group, so its latencies and CPU figure
come from one consistent run. --json-bench is bench/json-bench's --json
object from the same run (ns per operation), which the Host.getAllVmStats
targets are judged against.
"""

import argparse
import datetime
import json
import os

REQUEST_SCENARIOS = ["ping-pong", "pipelined-1x64", "pipelined-16x64",
                     "pipelined-256x16", "getAllVmStats-1000", "getAllVmStats-1000-unsampled"]
TITLES = {
    "ping-pong": "Host.ping strict ping-pong, 1 conn",
    "pipelined-1x64": "Host.ping pipelined, 1 conn x 64",
    "pipelined-16x64": "Host.ping pipelined, 16 conns x 64",
    "pipelined-256x16": "Host.ping pipelined, 256 conns x 16",
    "getAllVmStats-1000": "Host.getAllVmStats, 1000 VMs, 1 conn",
    "getAllVmStats-1000-unsampled": "Host.getAllVmStats, 1000 VMs, 1 conn, --stats-max-age 0",
    "idle": "idle connections (CONNECT + SUBSCRIBE)",
    "connect-burst": "connect burst, one Host.ping each",
    "connect-burst-resumed": "connect burst, TLS session resumed, one Host.ping each",
}
TRANSPORTS = ["tcp", "unix", "tls"]
IDLE_TARGET_BYTES = {"tcp": 8 * 1024, "unix": 8 * 1024, "tls": 24 * 1024}


def load_results(path):
    groups = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            rec = json.loads(line)
            key = (rec["scenario"], rec["transport"], rec["server"], rec["client"])
            groups.setdefault(key, []).append(rec["load"])
    return groups


def median_round(loads):
    """The run with the median rate, and the spread of rates."""
    runs = [r for r in loads if r is not None]
    if not runs:
        return None, None
    runs.sort(key=lambda r: r.get("rps", 0.0))
    rates = [r.get("rps", 0.0) for r in runs]
    return runs[(len(runs) - 1) // 2], (min(rates), max(rates))


def fmt_rate(v):
    return "%.0f" % v if v is not None else "—"


def fmt_us(v):
    if v is None:
        return "—"
    return "%.0f" % v if v >= 100 else "%.1f" % v


def fmt_pct(v):
    return "%.0f %%" % (100 * v) if v is not None else "—"


def fmt_ns(ns):
    """A duration in ns, in µs with three significant digits or more."""
    us = ns / 1000.0
    if us >= 100:
        return "%.0f µs" % us
    return ("%.1f µs" if us >= 10 else "%.2f µs") % us


def load_json_bench(path):
    if not path:
        return {}
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def problems(r):
    out = []
    for key, label in (("errors", "errors"), ("refused", "refused (1100)"),
                       ("invalid", "invalid replies"), ("lost", "lost"),
                       ("stomp_errors", "STOMP errors"),
                       ("conns_failed", "conns failed"),
                       ("conns_dropped", "conns dropped")):
        if r.get(key):
            out.append("%d %s" % (r[key], label))
    if r.get("first_error") and out:
        text = r["first_error"].replace("|", "\\|")
        out.append("first: `%s`" % (text[:90] + ("…" if len(text) > 90 else "")))
    return out


class Report:
    def __init__(self, groups, json_costs, args):
        self.groups = groups
        self.json_costs = json_costs
        self.args = args
        self.lines = []

    def get(self, scenario, transport, server, client="vdsm-load"):
        return median_round(self.groups.get((scenario, transport, server, client), []))

    def out(self, text=""):
        self.lines.append(text)

    def header(self):
        a = self.args
        model = "unknown CPU"
        try:
            with open("/proc/cpuinfo", encoding="utf-8") as f:
                for line in f:
                    if line.startswith("model name"):
                        model = line.split(":", 1)[1].strip()
                        break
        except OSError:
            pass
        self.out("# vdsmd benchmark results")
        self.out()
        self.out("Written by `make bench` (bench/run-bench) on %s, commit `%s`: "
                 "%d CPUs (%s), load average %s at the end."
                 % (datetime.datetime.now().strftime("%Y-%m-%d %H:%M"), a.commit,
                    os.cpu_count() or 0, model,
                    " ".join("%.2f" % x for x in os.getloadavg())))
        self.out()
        self.out("Each server runs pinned to CPU 0, the load (bench/vdsm-load) to CPU 1%s. "
                 "minsrv (../shared/anchors) is the floor: a STOMP server that parses "
                 "nothing. Request scenarios ran %d alternating rounds of %g s (after "
                 "a 0.2 s warm-up) per server; the median round is shown, with the "
                 "spread of rates in the notes. CPU µs/req is the server's utime + "
                 "stime (/proc/PID/stat) over the measured requests; RSS is the "
                 "server's peak resident set (VmHWM) during the scenario (reset "
                 "at its start through /proc/PID/clear_refs). Idle connections "
                 "run first, on fresh servers: their memory is the growth of "
                 "VmRSS with the connections held. "
                 "Scenarios took %d s in all."
                 % ("" if a.pinned == "yes" else " (NOT pinned: one CPU)", a.rounds,
                    a.seconds, a.elapsed))
        self.out()

    def request_row(self, scenario, transport, server, client="vdsm-load"):
        r, spread = self.get(scenario, transport, server, client)
        if r is None:
            return None
        floor, _ = self.get(scenario, transport, "minsrv")
        ratio = "—"
        if server == "vdsmd":
            if scenario.startswith("getAllVmStats-1000"):
                ratio = "n/a (no floor)"
            elif floor and floor.get("rps"):
                ratio = fmt_pct(r["rps"] / floor["rps"])
            elif transport == "tls":
                tcp_floor, _ = self.get(scenario, "tcp", "minsrv")
                if tcp_floor and tcp_floor.get("rps"):
                    ratio = fmt_pct(r["rps"] / tcp_floor["rps"]) + " of TCP floor"
        notes = problems(r)
        if spread and spread[1] > 0 and spread[0] != spread[1]:
            notes.insert(0, "rounds %s–%s req/s" % (fmt_rate(spread[0]), fmt_rate(spread[1])))
        name = server if client == "vdsm-load" else "%s (ref. loadgen)" % server
        cpu = r.get("server_cpu_us_per_req")
        rss = r.get("server_hwm_kib")
        return "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            TITLES[scenario], transport, name, fmt_rate(r.get("rps")),
            fmt_us(r.get("p50_us")), fmt_us(r.get("p99_us")), fmt_us(r.get("p999_us")),
            "%.2f" % cpu if cpu is not None else "—",
            "%d KiB" % rss if rss else "—", ratio, "; ".join(notes))

    def idle_row(self, transport, server):
        r, _ = self.get("idle", transport, server)
        if r is None:
            return None
        per_conn = r.get("server_bytes_per_conn")
        floor, _ = self.get("idle", transport, "minsrv")
        ratio = "—"
        if server == "vdsmd" and floor and floor.get("server_bytes_per_conn"):
            ratio = "%.2f× floor memory" % (per_conn / floor["server_bytes_per_conn"])
        notes = ["%d of %d CONNECTed + subscribed in %.2f s, **%.0f B per connection** "
                 "(RSS %d → %d KiB)" % (r["conns_ready"], r["connections"], r["elapsed_s"],
                                        per_conn or 0, r.get("server_rss_before_kib", 0),
                                        r.get("server_rss_kib", 0))]
        notes += problems(r)
        return "| %s | %s | %s | — | — | — | — | — | %s | %s | %s |" % (
            TITLES["idle"], transport, server,
            "%d KiB" % r["server_hwm_kib"] if r.get("server_hwm_kib") else "—",
            ratio, "; ".join(notes))

    def burst_row(self, transport, server, scenario="connect-burst"):
        r, _ = self.get(scenario, transport, server)
        if r is None:
            return None
        floor, _ = self.get("connect-burst", transport, "minsrv")
        ratio = "—"
        if server == "vdsmd" and floor and floor.get("elapsed_s"):
            ratio = "%.1f× floor time" % (r["elapsed_s"] / floor["elapsed_s"])
        notes = ["%d of %d answered, the last **%.0f ms** after the first connect "
                 "(latencies: connect to reply)"
                 % (r["measured"], r["connections"], 1000 * r["elapsed_s"])]
        notes += problems(r)
        return "| %s | %s | %s | — | %s | %s | %s | %s | %s | %s | %s |" % (
            TITLES[scenario], transport, server, fmt_us(r.get("p50_us")),
            fmt_us(r.get("p99_us")), fmt_us(r.get("p999_us")),
            "%.0f" % r["server_cpu_us_per_req"] if r.get("server_cpu_us_per_req") else "—",
            "%d KiB" % r["server_hwm_kib"] if r.get("server_hwm_kib") else "—",
            ratio, "; ".join(notes))

    def table(self):
        self.out("| scenario | transport | server | req/s | p50 µs | p99 µs | p99.9 µs "
                 "| CPU µs/req | RSS (peak) | vs floor | notes |")
        self.out("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|")
        for scenario in REQUEST_SCENARIOS:
            for transport in TRANSPORTS:
                for server, client in (("minsrv", "vdsm-load"), ("minsrv", "loadgen"),
                                       ("vdsmd", "vdsm-load")):
                    row = self.request_row(scenario, transport, server, client)
                    if row:
                        self.out(row)
        for render in (self.idle_row, self.burst_row):
            for transport in TRANSPORTS:
                for server in ("minsrv", "vdsmd"):
                    row = render(transport, server)
                    if row:
                        self.out(row)
        row = self.burst_row("tls", "vdsmd", "connect-burst-resumed")
        if row:
            self.out(row)
        if not any(k[1] == "tls" for k in self.groups):
            self.out("| all scenarios | tls | vdsmd | not supported yet | | | | | | | |")
        self.out()

    def targets(self):
        rows = []

        def verdict(ok):
            return "**pass**" if ok else "**FAIL**"

        v, _ = self.get("pipelined-16x64", "tcp", "vdsmd")
        f, _ = self.get("pipelined-16x64", "tcp", "minsrv")
        if v and f and f.get("rps"):
            ratio = v["rps"] / f["rps"]
            rows.append(("Host.ping pipelined 16×64 TCP ≥ 15 % of the floor, none refused",
                         "%s of floor, %d refused" % (fmt_pct(ratio), v.get("refused", 0)),
                         verdict(ratio >= 0.15 and not v.get("refused") and not v.get("lost"))))
        v, _ = self.get("ping-pong", "tcp", "vdsmd")
        f, _ = self.get("ping-pong", "tcp", "minsrv")
        if v and f and f.get("rps"):
            ratio = v["rps"] / f["rps"]
            rows.append(("strict ping-pong TCP ≥ 70 % of the floor's rate",
                         fmt_pct(ratio), verdict(ratio >= 0.70)))
            rows.append(("strict ping-pong TCP p99 ≤ floor p99 + 25 µs",
                         "%s µs vs %s + 25 µs" % (fmt_us(v["p99_us"]), fmt_us(f["p99_us"])),
                         verdict(v["p99_us"] <= f["p99_us"] + 25)))
        for scenario in ("ping-pong", "pipelined-16x64"):
            u, _ = self.get(scenario, "unix", "vdsmd")
            t, _ = self.get(scenario, "tcp", "vdsmd")
            if u and t:
                rows.append(("unix ≥ TCP (%s)" % TITLES[scenario],
                             "%s vs %s req/s" % (fmt_rate(u["rps"]), fmt_rate(t["rps"])),
                             verdict(u["rps"] >= t["rps"])))
        for transport in TRANSPORTS:
            b, _ = self.get("connect-burst", transport, "vdsmd")
            if b:
                ok = b["measured"] == b["connections"] and b["elapsed_s"] <= 1.0
                rows.append(("%d clients connecting at once (%s) all served within 1 s"
                             % (b["connections"], transport),
                             "%d served, last after %.0f ms"
                             % (b["measured"], 1000 * b["elapsed_s"]), verdict(ok)))
        full, _ = self.get("connect-burst", "tls", "vdsmd")
        resumed, _ = self.get("connect-burst-resumed", "tls", "vdsmd")
        if full and resumed and full.get("server_cpu_us_per_req"):
            ratio = resumed.get("server_cpu_us_per_req", 0) / full["server_cpu_us_per_req"]
            ok = (resumed["measured"] == resumed["connections"] and 0 < ratio <= 0.5)
            rows.append(("TLS 1.3 resumption ≤ 0.5× a full handshake's server CPU "
                         "(burst of %d, per connection)" % resumed["connections"],
                         "%.0f µs resumed vs %.0f µs full = %.2f×"
                         % (resumed.get("server_cpu_us_per_req", 0),
                            full["server_cpu_us_per_req"], ratio), verdict(ok)))
        serialize = self.json_costs.get("serialize_ns", {})
        jansson = serialize.get("jansson")
        if jansson:
            ratio = serialize["generated"] / jansson
            rows.append(("Host.getAllVmStats reply writer ≤ 0.5× jansson serialize "
                         "(%d VMs, same document)" % self.json_costs["vms"],
                         "%s = %.2f× jansson's %s" % (fmt_ns(serialize["generated"]), ratio,
                                                      fmt_ns(jansson)),
                         verdict(ratio <= 0.5)))
        for transport in TRANSPORTS:
            g, _ = self.get("getAllVmStats-1000", transport, "vdsmd")
            if g:
                trouble = problems(g)
                clean = g["measured"] > 0 and not trouble
                value = "p50 %s µs" % fmt_us(g["p50_us"])
                if jansson:
                    value += " = %.1f× jansson's %s" % (1000 * g["p50_us"] / jansson,
                                                        fmt_ns(jansson))
                value = "; ".join([value, "%.1f req/s" % g["rps"]] + trouble)
                if jansson:
                    ok = verdict(clean and 1000 * g["p50_us"] <= 3 * jansson)
                else:
                    ok = "not judged: no jansson figure" if clean else verdict(False)
                rows.append(("Host.getAllVmStats p50 ≤ 3× jansson serialize, 1000 VMs (%s)"
                             % transport, value, ok))
        for transport in TRANSPORTS:
            i, _ = self.get("idle", transport, "vdsmd")
            if i:
                per = i.get("server_bytes_per_conn") or 0
                limit = IDLE_TARGET_BYTES[transport]
                ok = i["conns_ready"] >= i["connections"] and 0 < per <= limit
                rows.append(("≤ %d KiB per idle connection, %d CONNECTed + subscribed (%s)"
                             % (limit // 1024, i["connections"], transport),
                             "%d ready, %.0f B each" % (i["conns_ready"], per), verdict(ok)))
        self.out("## Targets")
        self.out()
        self.out("| target | measured | verdict |")
        self.out("|---|---|---|")
        for target, value, ok in rows:
            self.out("| %s | %s | %s |" % (target, value, ok))
        self.out()

    def json_table(self):
        parse = self.json_costs.get("ping_parse_ns")
        if not parse:
            return
        serialize = self.json_costs.get("serialize_ns")
        self.out("## JSON cost per operation")
        self.out()
        self.out("bench/json-bench in this run, after the scenarios, pinned like the "
                 "servers: the median of 9 batches, the contenders' batches alternating. "
                 "*Ours, tree* is vdsm_json_parse_data(), vdsmd's strict parser; *ours, "
                 "what vdsmd does* is, for a request, the envelope read of its "
                 "plain-request path (VdsmJsonReader, trees for `id` and `params` only), "
                 "and for the reply, the generated writers (vdsm_vm_stats_write_json into "
                 "a reused GString, no tree). Parsing only: answering is not included. "
                 "The document is the Host.getAllVmStats result that this vdsmd sent on "
                 "bench/host-1000.xml%s; jansson and json-glib serialize it from their "
                 "own trees, built beforehand. In parentheses: the multiple of "
                 "jansson's time."
                 % (", a reply of %d bytes" % self.args.reply_bytes
                    if self.args.reply_bytes else ""))
        self.out()
        self.out("| operation | jansson | json-glib | ours, tree | ours, what vdsmd does |")
        self.out("|---|---:|---:|---:|---:|")

        def cell(figures, key):
            if key not in figures:
                return "—"
            if key == "jansson":
                return fmt_ns(figures[key])
            return "%s (%.2f×)" % (fmt_ns(figures[key]), figures[key] / figures["jansson"])

        self.out("| parse a Host.ping request (%d B, one-element batch) | %s | %s | %s | %s |"
                 % (self.json_costs["ping_request_bytes"], cell(parse, "jansson"),
                    cell(parse, "json-glib"), cell(parse, "vdsm-tree"),
                    cell(parse, "vdsm-envelope")))
        if serialize:
            self.out("| serialize Host.getAllVmStats, %d VMs (%d B as written) | %s | %s | — | %s |"
                     % (self.json_costs["vms"], self.json_costs["document_bytes"],
                        cell(serialize, "jansson"), cell(serialize, "json-glib"),
                        cell(serialize, "generated")))
        self.out()

    def notes(self, path):
        with open(path, encoding="utf-8") as f:
            notes = [n.strip() for n in f if n.strip()]
        if notes:
            self.out("## Notes from the run")
            self.out()
            for n in notes:
                self.out("- " + n)
            self.out()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", required=True)
    parser.add_argument("--notes", required=True)
    parser.add_argument("--elapsed", type=int, required=True)
    parser.add_argument("--rounds", type=int, required=True)
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--pinned", required=True)
    parser.add_argument("--commit", required=True)
    parser.add_argument("--json-bench", default="",
                        help="json-bench --json output; empty when not measured")
    parser.add_argument("--reply-bytes", type=int, default=0,
                        help="size of vdsmd's Host.getAllVmStats reply body")
    args = parser.parse_args()

    report = Report(load_results(args.results), load_json_bench(args.json_bench), args)
    report.header()
    report.targets()
    report.json_table()
    report.out("## All scenarios")
    report.out()
    report.table()
    report.notes(args.notes)
    print("\n".join(report.lines))


if __name__ == "__main__":
    main()
