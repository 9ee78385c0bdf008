#!/usr/bin/python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""Set an interface's gso_max_size and gso_ipv4_max_size (BIG TCP, Linux 6.3).

Debian 12's iproute2 (6.1) does not know gso_ipv4_max_size: one RTM_NEWLINK
with IFLA_GSO_MAX_SIZE and IFLA_GSO_IPV4_MAX_SIZE. Above 65536 the stack
builds TCP packets of more than 64 KiB, whose IPv4 tot_len says 0.
"""
import socket
import struct
import sys

IFLA_GSO_MAX_SIZE = 41
IFLA_GSO_IPV4_MAX_SIZE = 63
RTM_NEWLINK = 16
NLM_F_REQUEST_ACK = 0x5


def attr(kind, value):
    return struct.pack("HH", 4 + len(value), kind) + value


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: gso_max.py IFNAME BYTES")
    ifname, size = sys.argv[1], int(sys.argv[2])
    ifi = struct.pack("BxHiII", socket.AF_UNSPEC, 0, socket.if_nametoindex(ifname), 0, 0)
    body = ifi + attr(IFLA_GSO_MAX_SIZE, struct.pack("I", size)) + \
        attr(IFLA_GSO_IPV4_MAX_SIZE, struct.pack("I", size))
    msg = struct.pack("IHHII", 16 + len(body), RTM_NEWLINK, NLM_F_REQUEST_ACK, 1, 0) + body
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
    s.send(msg)
    err = struct.unpack("i", s.recv(4096)[16:20])[0]
    if err:
        sys.exit(f"gso_max.py: {ifname}: {-err} ({ifname} may not take {size})")


if __name__ == "__main__":
    main()
