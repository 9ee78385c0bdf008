#!/usr/bin/python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""Send one VRRP version 3 advert (RFC 5798) as any host of the segment could.

A raw IP socket (protocol 112), TTL 255, to 224.0.0.18 or --dst; checksum
with the IPv4 pseudo-header, as keepalived sends it. Used by the VRRP tests
to forge an advert (priority 255, interval 40.95 s) from a client.
"""
import argparse
import socket
import struct

from rawpkt import csum, ipv4_header



def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--src", required=True, help="the source address (the sender's own, or spoofed)")
    ap.add_argument("--dst", default="224.0.0.18")
    ap.add_argument("--vrid", type=int, default=51)
    ap.add_argument("--priority", type=int, default=255)
    ap.add_argument("--interval-cs", type=int, default=4095)
    ap.add_argument("--count", type=int, default=1)
    ap.add_argument("--dev", default="eth0", help="the interface to send on (no multicast route needed)")
    ap.add_argument("vip", nargs="+")
    args = ap.parse_args()

    addrs = b"".join(socket.inet_aton(a) for a in args.vip)
    src, dst = socket.inet_aton(args.src), socket.inet_aton(args.dst)
    vrrp = struct.pack("!BBBBHH", 0x31, args.vrid, args.priority, len(args.vip),
                       args.interval_cs & 0x0FFF, 0) + addrs
    pseudo = src + dst + struct.pack("!BBH", 0, 112, len(vrrp))
    vrrp = vrrp[:6] + struct.pack("!H", csum(pseudo + vrrp)) + vrrp[8:]
    ip = ipv4_header(src, dst, 112, len(vrrp), tos=0xC0)
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, args.dev.encode())
    for _ in range(args.count):
        s.sendto(ip + vrrp, (args.dst, 0))


if __name__ == "__main__":
    main()
