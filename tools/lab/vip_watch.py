#!/usr/bin/python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""Sample which lab nodes hold an IPv4 address, every --interval seconds.

    vip_watch.py [--interval 0.01] ADDRESS NAME=NETNS...

One netlink socket per network namespace (opened once, with setns), one
RTM_GETADDR dump per namespace and sample: a sample of three nodes costs well
under a millisecond, so the sampling period is what --interval says.

Prints "<epoch seconds> <holders>" (holders comma separated, "-" for none)
for the first sample and every change, and when stopped (SIGTERM, SIGINT) a
last line "<epoch seconds> end samples=N max_period_ms=M".
"""
import argparse
import ctypes
import os
import signal
import socket
import struct
import sys
import time

CLONE_NEWNET = 0x40000000
RTM_NEWADDR, RTM_GETADDR = 20, 22
NLMSG_ERROR, NLMSG_DONE = 2, 3
NLM_F_REQUEST, NLM_F_DUMP = 0x1, 0x300
IFA_ADDRESS, IFA_LOCAL = 1, 2

libc = ctypes.CDLL(None, use_errno=True)


def netns_socket(netns):
    """A NETLINK_ROUTE socket that lives in /run/netns/NETNS."""
    own = os.open("/proc/self/ns/net", os.O_RDONLY)
    target = os.open(f"/run/netns/{netns}", os.O_RDONLY)
    try:
        if libc.setns(target, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), f"setns {netns}")
        sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
    finally:
        libc.setns(own, CLONE_NEWNET)
        os.close(target)
        os.close(own)
    sock.bind((0, 0))
    return sock


def holds(sock, addr, seq):
    """Whether any interface in the socket's namespace has addr (4 bytes)."""
    req = struct.pack("=LHHLL", 16 + 8, RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, seq, 0)
    req += struct.pack("=BBBBI", socket.AF_INET, 0, 0, 0, 0)
    sock.send(req)
    found = False
    while True:
        data = sock.recv(65536)
        off = 0
        while off + 16 <= len(data):
            length, mtype, _, _, _ = struct.unpack_from("=LHHLL", data, off)
            if length < 16:
                return found
            if mtype == NLMSG_DONE:
                return found
            if mtype == NLMSG_ERROR:
                raise OSError("netlink error in address dump")
            if mtype == RTM_NEWADDR:
                a = off + 16 + 8
                end = off + length
                while a + 4 <= end:
                    alen, atype = struct.unpack_from("=HH", data, a)
                    if alen < 4:
                        break
                    if atype in (IFA_ADDRESS, IFA_LOCAL) and data[a + 4:a + alen] == addr:
                        found = True
                    a += (alen + 3) & ~3
            off += (length + 3) & ~3


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--interval", type=float, default=0.01)
    ap.add_argument("address")
    ap.add_argument("nodes", nargs="+", metavar="NAME=NETNS")
    args = ap.parse_args()
    addr = socket.inet_aton(args.address)
    socks = []
    for spec in args.nodes:
        name, _, netns = spec.partition("=")
        socks.append((name, netns_socket(netns or name)))

    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    last, samples, seq, prev_t, max_period = None, 0, 0, None, 0.0
    next_t = time.monotonic()
    while not stop:
        now = time.time()
        seq += 1
        holders = ",".join(n for n, s in socks if holds(s, addr, seq)) or "-"
        samples += 1
        if prev_t is not None:
            max_period = max(max_period, now - prev_t)
        prev_t = now
        if holders != last:
            print(f"{now:.6f} {holders}", flush=True)
            last = holders
        next_t += args.interval
        delay = next_t - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        else:
            next_t = time.monotonic()
    print(f"{time.time():.6f} end samples={samples} max_period_ms={max_period * 1000:.1f}",
          flush=True)


if __name__ == "__main__":
    sys.exit(main())
