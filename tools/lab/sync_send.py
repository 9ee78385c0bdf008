#!/usr/bin/python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""Send one flow sync message (vrrp/sync_wire.h, version 1) as any host could.

The IP header is ours (a raw socket): any source address, any TTL (the
hop limit, when --src and --dst are IPv6 addresses). One
record announces CLIENT:PORT -> VIP:PORT to BACKEND:PORT. With --key FILE
the message carries the HMAC-SHA256 of that key (--bad-mac flips one of its
bits); without, none. Used by tests/e2e/sync to show what a node refuses.
"""
import argparse
import hashlib
import hmac
import socket
import struct
import time

from rawpkt import csum, ipv4_header


def addr(s):
    host, port = s.rsplit(":", 1)
    return socket.inet_aton(host), int(port)



def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--src", required=True)
    ap.add_argument("--dst", required=True)
    ap.add_argument("--ttl", type=int, default=255)
    ap.add_argument("--port", type=int, default=7448)
    ap.add_argument("--key")
    ap.add_argument("--bad-mac", action="store_true")
    ap.add_argument("--seq", type=int, default=1)
    ap.add_argument("client")
    ap.add_argument("vip")
    ap.add_argument("backend")
    args = ap.parse_args()

    c, cport = addr(args.client)
    v, vport = addr(args.vip)
    b, bport = addr(args.backend)
    pad = bytes(12)
    rec = struct.pack("!BBBBI", 1, 2, 1, 0, 0) + c + pad + v + pad + b + pad
    rec += struct.pack("!HHH", cport, vport, bport) + bytes(2)
    key = open(args.key, "rb").read().rstrip(b"\r\n") if args.key else None
    epoch = int(time.time() * 1e6) + 10**9  # newer than any real sender's
    hdr = b"KX" + struct.pack("!BBBBHQQ", 1, 1, 1 if key else 0, 0, 1, epoch, args.seq)
    msg = hdr + rec
    if key:
        mac = bytearray(hmac.new(key, msg, hashlib.sha256).digest())
        if args.bad_mac:
            mac[5] ^= 1
        msg += bytes(mac)
    fam = socket.AF_INET6 if ":" in args.src else socket.AF_INET
    src, dst = socket.inet_pton(fam, args.src), socket.inet_pton(fam, args.dst)
    udp_len = 8 + len(msg)
    if fam == socket.AF_INET6:
        pseudo = src + dst + struct.pack("!I3xB", udp_len, 17)
    else:
        pseudo = src + dst + struct.pack("!BBH", 0, 17, udp_len)
    udp = struct.pack("!HHHH", args.port, args.port, udp_len, 0) + msg
    udp = udp[:6] + struct.pack("!H", csum(pseudo + udp) or 0xFFFF) + udp[8:]
    if fam == socket.AF_INET6:
        # IPPROTO_RAW on an IPv6 socket: the header is ours too.
        ip = struct.pack("!IHBB16s16s", 6 << 28, udp_len, 17, args.ttl, src, dst)
    else:
        ip = ipv4_header(src, dst, 17, udp_len, ttl=args.ttl)
    s = socket.socket(fam, socket.SOCK_RAW, socket.IPPROTO_RAW)
    s.sendto(ip + udp, (args.dst, 0))


if __name__ == "__main__":
    main()
