#!/usr/bin/env python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""The report of tools/bench/e2e: reads its raw results (one line per wrk run,
KEY=VALUE), prints a table per metric and a summary (Markdown), writes JSON
and a PNG chart (gnuplot); with --smoke, checks instead that every path
carried traffic where it should and nowhere else, and ends with the line
"N passed, N failed"."""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

PATHS = ["direct", "khaxdp", "dsr", "haproxy", "direct6", "khaxdp6", "haproxy6"]
HZ = os.sysconf("SC_CLK_TCK")

# key, title, unit, higher is better, format
METRICS = [
    ("conn_per_s", "connections/s (new TCP connection, GET /, ~150-byte answer, close; 16 at a time)",
     "conn/s", True, "{:,.0f}"),
    ("req_per_s", "requests/s on kept-alive connections (16)", "req/s", True, "{:,.0f}"),
    ("lat_p50_us", "latency p50, one kept-alive connection, requests back to back", "µs", False, "{:,.0f}"),
    ("lat_p99_us", "latency p99, one kept-alive connection, requests back to back", "µs", False, "{:,.0f}"),
    ("paced_p99_us", "latency p99, 16 kept-alive connections pausing 1 ms after each answer (paced, "
     "below saturation)", "µs", False, "{:,.0f}"),
    ("load_p99_us", "latency p99 at saturation (the 16 connections of requests/s)", "µs", False, "{:,.0f}"),
    ("bulk1_MBps", "bulk throughput, 1 TCP stream (HTTP download of 16 MiB, again and again)",
     "MB/s", True, "{:,.0f}"),
    ("bulk8_MBps", "bulk throughput, 8 TCP streams", "MB/s", True, "{:,.0f}"),
    ("cpu_s_per_GB", "CPU seconds per GB moved, whole machine (busy time in /proc/stat during bulk 1 + 8)",
     "CPU s/GB", False, "{:.2f}"),
    ("softirq_s_per_GB", "  of which softirq (machine-wide: khaxdp's XDP runs here, so does every "
     "namespace's TCP receive path)", "CPU s/GB", False, "{:.2f}"),
    ("haproxy_s_per_GB", "haproxy's own process time (utime + stime) per GB", "CPU s/GB", False, "{:.2f}"),
]
SHORT = {
    "conn_per_s": "connections/s",
    "req_per_s": "requests/s, kept alive (16 conns)",
    "lat_p50_us": "latency p50, 1 conn (µs)",
    "lat_p99_us": "latency p99, 1 conn (µs)",
    "paced_p99_us": "latency p99, 16 conns paced (µs)",
    "load_p99_us": "latency p99, 16 conns saturated (µs)",
    "bulk1_MBps": "throughput, 1 stream (MB/s)",
    "bulk8_MBps": "throughput, 8 streams (MB/s)",
    "cpu_s_per_GB": "CPU s/GB, whole machine",
    "softirq_s_per_GB": "softirq s/GB, whole machine",
    "haproxy_s_per_GB": "haproxy process s/GB",
}
# The goals khaxdp set itself: (metric, path, against, op, factor).
GOALS = [
    ("conn_per_s", "khaxdp", "haproxy", ">=", 1.5),
    ("bulk1_MBps", "khaxdp", "haproxy", ">=", 1.3),
    ("bulk1_MBps", "khaxdp", "direct", ">=", 0.9),
    ("lat_p99_us", "khaxdp", "haproxy", "<=", 1.0),
    ("paced_p99_us", "khaxdp", "haproxy", "<=", 1.0),
    ("load_p99_us", "khaxdp", "haproxy", "<=", 1.0),
    ("bulk1_MBps", "dsr", "direct", ">=", 0.9),
    ("bulk8_MBps", "dsr", "direct", ">=", 0.9),
]
COLOURS = {"direct": "#9e9e9e", "khaxdp": "#2e7d32", "dsr": "#66bb6a", "haproxy": "#1565c0",
           "direct6": "#bdbdbd", "khaxdp6": "#558b2f", "haproxy6": "#42a5f5"}


def parse(raw):
    runs, profile, sustained = [], None, []
    with open(raw) as f:
        for line in f:
            words = line.split()
            if not words:
                continue
            kv = {}
            for w in words:
                if "=" in w:
                    k, v = w.split("=", 1)
                    kv[k] = v if k in ("metric", "path") else float(v)
            if words[0] == "xdp_profile":
                profile = kv
            elif words[0] == "sustained":
                sustained.append(kv)
            else:
                runs.append(kv)
    return runs, profile, sustained


def sustained_summary(chunks):
    """{path: {rates: [connections/s per chunk], syn_retrans: [...], ...}}."""
    out = {}
    for c in chunks:
        p = out.setdefault(c["path"], {"rates": [], "syn_retrans": [], "errors": 0,
                                       "seconds": 0.0, "requests": 0})
        secs = c["duration_us"] / 1e6
        p["rates"].append(c["requests"] / secs if secs else 0)
        p["syn_retrans"].append(int(c["syn_retrans"]))
        p["errors"] += int(c["err_connect"] + c["err_read"] + c["err_write"] +
                           c["err_status"] + c["err_timeout"])
        p["seconds"] += secs
        p["requests"] += c["requests"]
    for p in out.values():
        p["rate"] = p["requests"] / p["seconds"] if p["seconds"] else 0
        half = len(p["rates"]) // 2
        tail = p["rates"][half:] or p["rates"]
        p["rate_second_half"] = sum(tail) / len(tail) if tail else 0
        p["syn_retrans_total"] = sum(p["syn_retrans"])
    return out


def print_sustained(su):
    if not su:
        return
    n = max(len(p["rates"]) for p in su.values())
    print()
    print("New connections for {:.0f} s in a row (connections/s per chunk; SYNs sent again):".format(
        max(p["seconds"] for p in su.values())))
    print("  {:<8} {}".format("chunk", "  ".join("{:>16}".format(p) for p in PATHS if p in su)))
    for i in range(n):
        cells = []
        for p in PATHS:
            if p not in su:
                continue
            r = su[p]["rates"][i] if i < len(su[p]["rates"]) else 0
            x = su[p]["syn_retrans"][i] if i < len(su[p]["syn_retrans"]) else 0
            cells.append("{:>10,.0f} ({:>3})".format(r, x).replace(",", " "))
        print("  {:<8} {}".format(i + 1, "  ".join(cells)))
    for p in PATHS:
        if p in su:
            s = su[p]
            print("  {:<8} {:,.0f}/s over the run, {:,.0f}/s over its second half, "
                  "{} SYNs sent again, {} wrk errors".format(
                      p, s["rate"], s["rate_second_half"], s["syn_retrans_total"],
                      s["errors"]).replace(",", " "))
    for k, h in (("khaxdp", "haproxy"), ("khaxdp6", "haproxy6")):
        if k in su and h in su and su[h]["rate"]:
            print("  {}/{}: {:.2f}x over the run, {:.2f}x over its second half".format(
                k, h, su[k]["rate"] / su[h]["rate"],
                su[k]["rate_second_half"] / su[h]["rate_second_half"]
                if su[h]["rate_second_half"] else 0))


def values(runs):
    """{metric: {path: [value per round]}} and the errors wrk counted."""
    out = {m[0]: {p: [] for p in PATHS} for m in METRICS}
    errors = {p: {} for p in PATHS}
    stalled = []
    by = {}
    for r in runs:
        by[(r["round"], r["metric"], r["path"])] = r
        secs = r["duration_us"] / 1e6
        err = sum(r[k] for k in ("err_connect", "err_read", "err_write", "err_status", "err_timeout"))
        errors[r["path"]][r["metric"]] = errors[r["path"]].get(r["metric"], 0) + int(err)
        m, p = r["metric"], r["path"]
        if r["requests"] == 0:
            # Nothing answered in the whole run: no latency to take (it is
            # left out of the latency medians), and said in the output.
            stalled.append("{} {} round {}".format(p, m, int(r["round"])))
        if m == "conn":
            out["conn_per_s"][p].append(r["requests"] / secs)
        elif m == "rps":
            out["req_per_s"][p].append(r["requests"] / secs)
            if r["requests"]:
                out["load_p99_us"][p].append(r["p99_us"])
        elif m == "lat" and r["requests"]:
            out["lat_p50_us"][p].append(r["p50_us"])
            out["lat_p99_us"][p].append(r["p99_us"])
        elif m == "paced" and r["requests"]:
            out["paced_p99_us"][p].append(r["p99_us"])
        elif m in ("bulk1", "bulk8"):
            out[m + "_MBps"][p].append(r["bytes"] / secs / 1e6)
    for (rnd, m, p), r in sorted(by.items()):
        if m != "bulk1" or (rnd, "bulk8", p) not in by:
            continue
        r8 = by[(rnd, "bulk8", p)]
        gb = (r["bytes"] + r8["bytes"]) / 1e9
        if gb <= 0:
            continue
        out["cpu_s_per_GB"][p].append((r["cpu_busy"] + r8["cpu_busy"]) / HZ / gb)
        out["softirq_s_per_GB"][p].append((r["cpu_softirq"] + r8["cpu_softirq"]) / HZ / gb)
        if p in ("haproxy", "haproxy6"):
            out["haproxy_s_per_GB"][p].append((r["haproxy_cpu"] + r8["haproxy_cpu"]) / HZ / gb)
    return out, errors, stalled


def summarize(vals):
    s = {}
    for m in vals:
        s[m] = {}
        for p, v in vals[m].items():
            if v:
                s[m][p] = {"runs": v, "median": statistics.median(v), "min": min(v), "max": max(v)}
    return s


def ratio(s, m, a, b):
    if a in s[m] and b in s[m] and s[m][b]["median"]:
        return s[m][a]["median"] / s[m][b]["median"]
    return None


def goal_text(s, m):
    out = []
    for gm, path, against, op, f in GOALS:
        if gm != m:
            continue
        r = ratio(s, m, path, against)
        if r is None:
            continue
        met = r >= f if op == ">=" else r <= f
        out.append((path, against, op, f, r, met))
    return out


def fmt(fmtstr, v):
    return fmtstr.format(v).replace(",", " ")


def cell(fmtstr, st):
    if st is None:
        return "–"
    return "{} ({}–{})".format(fmt(fmtstr, st["median"]), fmt(fmtstr, st["min"]), fmt(fmtstr, st["max"]))


def xr(r):
    return "–" if r is None else "{:.2f}×".format(r)


def print_tables(s, errors, a):
    print("khaxdp end to end: direct, khaxdp (nat), dsr, haproxy — {} round(s) of {} s per test, "
          "median (min–max)".format(a.rounds, a.seconds))
    print("machine: {}; {}; load average at start {}".format(a.machine, a.versions, a.load))
    print("direct = client1 -> control2:6443; khaxdp = VIP:7443, XDP on control1, NAT, backends "
          "control2 + control3; dsr = VIP:7445, mode dsr, control2 + control3 serve and answer "
          "directly; haproxy = VIP:7444 (khaxdp stays attached: its XDP passes port "
          "7444), seed haproxy.cfg, backends control2 + control3; nginx on :6443; wrk, 1 thread, "
          "in client1; veth tx checksum offload off (software checksums, no TSO) on all paths")
    print()
    for key, title, unit, higher, f in METRICS:
        if not s[key]:
            continue
        print("### {} — {} is better".format(title.strip(), "higher" if higher else "lower"))
        print()
        print("| path    | median ({}) | min–max | runs |".format(unit))
        print("|---------|------:|--------:|------|")
        for p in PATHS:
            st = s[key].get(p)
            if st is None:
                continue
            print("| {:<7} | {} | {}–{} | {} |".format(
                p, fmt(f, st["median"]), fmt(f, st["min"]), fmt(f, st["max"]),
                " ".join(fmt(f, v) for v in st["runs"])))
        line = "khaxdp/haproxy {} · khaxdp/direct {} · dsr/direct {}".format(
            xr(ratio(s, key, "khaxdp", "haproxy")), xr(ratio(s, key, "khaxdp", "direct")),
            xr(ratio(s, key, "dsr", "direct")))
        for path, against, op, g, r, met in goal_text(s, key):
            line += " · goal {}/{} {} {:.1f}×: {}".format(path, against,
                                                         op.replace(">=", "≥").replace("<=", "≤"),
                                                         g, "met" if met else "NOT met")
        print()
        print(line)
        print()
    errs = {p: {m: n for m, n in e.items() if n} for p, e in errors.items()}
    if any(errs.values()):
        print("wrk errors (all rounds): " + "; ".join(
            "{}: {}".format(p, ", ".join("{} {}".format(m, n) for m, n in e.items()))
            for p, e in errs.items() if e))
        print()
    print("### Summary")
    print()
    print("| metric | direct | khaxdp (nat) | dsr | haproxy | khaxdp/haproxy | khaxdp/direct | dsr/direct |")
    print("|--------|-------:|-------:|----:|--------:|---------------:|--------------:|-----------:|")
    for key, _, _, _, f in METRICS:
        if not s[key]:
            continue
        print("| {} | {} | {} | {} | {} | {} | {} | {} |".format(
            SHORT[key], cell(f, s[key].get("direct")), cell(f, s[key].get("khaxdp")),
            cell(f, s[key].get("dsr")), cell(f, s[key].get("haproxy")),
            xr(ratio(s, key, "khaxdp", "haproxy")), xr(ratio(s, key, "khaxdp", "direct")),
            xr(ratio(s, key, "dsr", "direct"))))
    print()
    print("IPv6 (the same paths over IPv6):")
    print()
    print("| metric | direct6 | khaxdp6 (nat66) | haproxy6 | khaxdp6/haproxy6 | khaxdp6/direct6 | khaxdp6/khaxdp |")
    print("|--------|--------:|--------:|---------:|-----------------:|----------------:|---------------:|")
    for key, _, _, _, f in METRICS:
        if not s[key] or "khaxdp6" not in s[key]:
            continue
        print("| {} | {} | {} | {} | {} | {} | {} |".format(
            SHORT[key], cell(f, s[key].get("direct6")), cell(f, s[key].get("khaxdp6")),
            cell(f, s[key].get("haproxy6")), xr(ratio(s, key, "khaxdp6", "haproxy6")),
            xr(ratio(s, key, "khaxdp6", "direct6")), xr(ratio(s, key, "khaxdp6", "khaxdp"))))
    print()
    print("Goals:")
    for key, path, against, op, g in GOALS:
        for p, ag, o, gg, r, met in goal_text(s, key):
            if p == path and ag == against:
                print("  {:<28} {}/{:<7} {} {:.1f}×: {:.2f}×  {}".format(
                    SHORT[key], path, against, o.replace(">=", "≥").replace("<=", "≤"), gg, r,
                    "met" if met else "NOT met"))


def chart(s, png, a):
    panels = [k for k, *_ in METRICS if s[k]]
    tmp = tempfile.mkdtemp(prefix="khaxdp-e2e-chart.")
    cmds = [
        "set terminal pngcairo size 1600,{} font 'sans,10'".format(400 * ((len(panels) + 3) // 4) + 60),
        "set output '{}'".format(png),
        "set multiplot layout {},4 title \"khaxdp end to end: direct, khaxdp (nat), dsr, haproxy — median of {} "
        "rounds, bars min–max\\n{}\" font 'sans,12'".format((len(panels) + 3) // 4, a.rounds, a.machine),
        "set style fill solid 0.85 border -1",
        "set boxwidth 0.6",
        "set xrange [-0.6:{:.1f}]".format(len(PATHS) - 0.4),
        "set yrange [0:*]",
        "set grid ytics",
        "unset key",
    ]
    for k in panels:
        f = os.path.join(tmp, k + ".dat")
        with open(f, "w") as out:
            for i, p in enumerate(PATHS):
                st = s[k].get(p)
                if st is None:
                    continue
                out.write("{} {} {} {} {} 0x{} \"{}\"\n".format(
                    i, p, st["median"], st["min"], st["max"], COLOURS[p][1:],
                    fmt("{:.2f}" if st["median"] < 10 else "{:,.0f}", st["median"])))
        title = SHORT[k]
        higher = [m for m in METRICS if m[0] == k][0][3]
        title += " ↑" if higher else " ↓"
        top = max(st["max"] for st in s[k].values())
        cmds += [
            "set title \"{}\"".format(title),
            "set format y '{}'".format("%.1f" if top < 10 else "%.0f" if top < 10000 else "%.0s%c"),
            "plot '{0}' using 1:3:6:xtic(2) with boxes lc rgb variable, "
            "'' using 1:3:4:5 with yerrorbars lc rgb 'black' pt -1, "
            "'' using 1:5:7 with labels offset 0,0.8 font 'sans,9'".format(f),
        ]
    cmds.append("unset multiplot")
    script = os.path.join(tmp, "chart.gp")
    with open(script, "w") as out:
        out.write("\n".join(cmds) + "\n")
    os.makedirs(os.path.dirname(os.path.abspath(png)), exist_ok=True)
    res = subprocess.run(["gnuplot", script], capture_output=True, text=True)
    if res.returncode != 0:
        print("bench-e2e: gnuplot failed: " + res.stderr, file=sys.stderr)
        return False
    for f in os.listdir(tmp):
        os.unlink(os.path.join(tmp, f))
    os.rmdir(tmp)
    print("\nchart: " + png)
    return True


def flows_or_0(r):
    return int(r.get("kx_flows", 0))


def smoke(runs, su):
    passed = failed = 0

    def check(ok, what, got):
        nonlocal passed, failed
        if ok:
            passed += 1
            print("  ok   " + what)
        else:
            failed += 1
            print("  FAIL {} (got {})".format(what, got))

    by = {(r["metric"], r["path"]): r for r in runs}
    STRAGGLERS = 20
    for p in PATHS:
        for m in ("conn", "rps", "paced", "lat", "bulk1", "bulk8"):
            r = by.get((m, p))
            if r is None:
                check(False, "{} {}: ran".format(p, m), "no result")
                continue
            if m.startswith("bulk"):
                check(r["bytes"] >= 1e6, "{} {}: moved {:.0f} MB".format(p, m, r["bytes"] / 1e6), r["bytes"])
            else:
                check(r["requests"] > 0, "{} {}: {:.0f} requests".format(p, m, r["requests"]), r["requests"])
            fwd, reply = int(r["kx_fwd"]), int(r["kx_reply"])
            dsr = int(r.get("kx_dsr", 0))
            if p in ("khaxdp", "khaxdp6"):
                check(fwd > 0 and reply > 0,
                      "{} {}: khaxdp forwarded {} and replied {} packets".format(p, m, fwd, reply),
                      (fwd, reply))
            elif p == "dsr":
                check(dsr > 0 and flows_or_0(r) > 0 or m != "conn" and dsr > 0,
                      "{} {}: khaxdp sent {} packets on to the backend nodes".format(p, m, dsr),
                      dsr)
                check(reply <= STRAGGLERS,
                      "{} {}: no answer crossed control1 (at most {} strays)".format(
                          p, m, STRAGGLERS), reply)
            else:
                # No connection of this run may go through khaxdp: it opens
                # no flow. The last packets of the run before it (a FIN or
                # ACK retransmitted) may still cross XDP; a few, not more.
                flows = int(r["kx_flows"])
                check(flows == 0 and fwd + reply + dsr <= STRAGGLERS,
                      "{} {}: khaxdp opened no flow and carried at most {} stray packets".format(
                          p, m, STRAGGLERS),
                      "FLOW_NEW {} FWD {} REPLY {} DSR {}".format(flows, fwd, reply, dsr))
            ses = int(r["hap_sessions"])
            if p in ("haproxy", "haproxy6"):
                check(ses > 0, "{} {}: haproxy carried {} sessions".format(p, m, ses), ses)
            else:
                check(ses == 0, "{} {}: haproxy carried nothing".format(p, m), ses)
        r = by.get(("conn", p))
        if r and p in ("khaxdp", "khaxdp6"):
            check(r["kx_flows"] > 0, "{} conn: {:.0f} new flows".format(p, r["kx_flows"]), r["kx_flows"])
    for p in PATHS:
        got = su.get(p, {}).get("requests", 0)
        check(got > 0, "{} sustained: {:.0f} new connections".format(p, got), got)
    print("{} passed, {} failed".format(passed, failed))
    return failed == 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--raw", required=True)
    ap.add_argument("--json", required=True)
    ap.add_argument("--png")
    ap.add_argument("--machine", default="")
    ap.add_argument("--versions", default="")
    ap.add_argument("--rounds", type=int, default=0)
    ap.add_argument("--seconds", type=float, default=0)
    ap.add_argument("--load", default="")
    ap.add_argument("--elapsed", type=int, default=0)
    ap.add_argument("--smoke", action="store_true")
    a = ap.parse_args()

    runs, profile, chunks = parse(a.raw)
    su = sustained_summary(chunks)
    vals, errors, stalled = values(runs)
    s = summarize(vals)
    doc = {
        "machine": a.machine, "versions": a.versions, "load_average_at_start": a.load,
        "rounds": a.rounds, "seconds_per_test": a.seconds, "elapsed_s": a.elapsed,
        "paths": {
            "direct": "client1 -> control2:6443 (nginx)",
            "khaxdp": "client1 -> VIP:7443, khaxdp XDP on control1, NAT, backends control2 control3",
            "dsr": "client1 -> VIP:7445, khaxdp XDP on control1, mode dsr: control2 and control3 "
                   "serve and answer the client directly",
            "haproxy": "client1 -> VIP:7444, haproxy 2.6 (seed haproxy.cfg, bind port 7444, "
                       "no server control1) in control1, backends control2 control3; khaxdp stays attached",
        },
        "metrics": {}, "goals": [], "wrk_errors": errors, "stalled_runs": stalled, "raw": runs,
        "sustained": su, "sustained_raw": chunks,
    }
    if "khaxdp" in su and "haproxy" in su and su["haproxy"]["rate"]:
        r = su["khaxdp"]["rate"] / su["haproxy"]["rate"]
        doc["goals"].append({"metric": "sustained_conn_per_s", "against": "haproxy", "op": ">=",
                             "factor": 1.5, "ratio": r, "met": r >= 1.5})
        doc["goals"].append({"metric": "sustained_syn_retrans", "against": "none", "op": "==",
                             "factor": 0, "ratio": su["khaxdp"]["syn_retrans_total"],
                             "met": su["khaxdp"]["syn_retrans_total"] == 0})
    for key, title, unit, higher, _ in METRICS:
        if not s[key]:
            continue
        doc["metrics"][key] = {
            "title": title.strip(), "unit": unit, "higher_is_better": higher, "paths": s[key],
            "khaxdp_over_haproxy": ratio(s, key, "khaxdp", "haproxy"),
            "khaxdp_over_direct": ratio(s, key, "khaxdp", "direct"),
            "dsr_over_direct": ratio(s, key, "dsr", "direct"),
        }
        for path, against, op, g, r, met in goal_text(s, key):
            doc["goals"].append({"metric": key, "path": path, "against": against, "op": op,
                                 "factor": g, "ratio": r, "met": met})
    if profile:
        secs = profile["duration_us"] / 1e6
        gb = profile["bytes"] / 1e9
        doc["xdp_profile"] = {
            "what": "khaxdp bulk 8 streams once more with kernel.bpf_stats_enabled=1: "
                    "control1's XDP program's own run time",
            "MBps": profile["bytes"] / secs / 1e6,
            "runs": profile["run_cnt"],
            "ns_per_run": profile["run_time_ns"] / profile["run_cnt"] if profile["run_cnt"] else None,
            "cpu_s_per_GB": profile["run_time_ns"] / 1e9 / gb if gb else None,
            "packets_per_GB": profile["run_cnt"] / gb if gb else None,
        }
    with open(a.json, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")

    if a.smoke:
        print("bench-e2e --smoke: one round of {} s per test; {}".format(a.seconds, a.machine))
        for key, _, _, _, f in METRICS:
            if s[key]:
                print("  {:<32} {}".format(SHORT[key], "  ".join(
                    "{} {}".format(p, fmt(f, s[key][p]["median"])) for p in PATHS if p in s[key])))
        print_sustained(su)
        ok = smoke(runs, su)
        print("json: " + a.json, file=sys.stderr)
        return 0 if ok else 1

    print_tables(s, errors, a)
    print_sustained(su)
    if stalled:
        print()
        print("Runs in which not one request was answered (left out of the latency medians): "
              + "; ".join(stalled))
    if "xdp_profile" in doc:
        x = doc["xdp_profile"]
        print()
        print("khaxdp's XDP program on control1, on its own (bulk, 8 streams, bpf_stats on): "
              "{:.0f} ns per packet, {:,.0f} packets per GB, {:.3f} CPU s/GB ({:.0f} MB/s in that run)".format(
                  x["ns_per_run"] or 0, x["packets_per_GB"] or 0, x["cpu_s_per_GB"] or 0, x["MBps"]))
    print("\njson: " + a.json)
    ok = True
    if a.png:
        ok = chart(s, a.png, a)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
