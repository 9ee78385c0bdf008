# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""Raw IPv4 packets for the lab's forging tools (sync_send.py, vrrp_send.py):
the Internet checksum and an IPv4 header with it."""
import struct


def csum(data):
    """RFC 1071: the one's complement of the one's complement sum."""
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    s = (s & 0xFFFF) + (s >> 16)
    s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ipv4_header(src, dst, proto, payload_len, ttl=255, tos=0):
    """20 bytes, no options, checksum filled in; src and dst packed."""
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, tos, 20 + payload_len, 0, 0, ttl, proto, 0, src, dst)
    return ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
