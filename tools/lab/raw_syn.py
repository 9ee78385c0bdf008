#!/usr/bin/python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""Send bare TCP SYNs from a chosen source port, outside any socket.

    raw_syn.py DST DPORT SPORT [--count N] [--interval S]

What a blind attacker on the segment does to claim a client's tuple: the
SYN carries the port of a connection the client already has, and the
kernel's own socket for that port knows nothing of it. The source address
is the host's own (the lab spoofs nothing outside its namespaces).
"""
import argparse
import random
import socket
import struct
import time


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def syn(src, dst, sport, dport):
    seq = random.getrandbits(32)
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq, 0, 5 << 4, 0x02, 64240, 0, 0)
    pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 6, len(hdr))
    return hdr[:16] + struct.pack("!H", checksum(pseudo + hdr)) + hdr[18:]


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("dst")
    ap.add_argument("dport", type=int)
    ap.add_argument("sport", type=int)
    ap.add_argument("--count", type=int, default=3)
    ap.add_argument("--interval", type=float, default=0.2)
    args = ap.parse_args()
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    probe.connect((args.dst, 9))
    src = probe.getsockname()[0]
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
    for _ in range(args.count):
        raw.sendto(syn(src, args.dst, args.sport, args.dport), (args.dst, 0))
        time.sleep(args.interval)


if __name__ == "__main__":
    main()
