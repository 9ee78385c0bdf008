#!/usr/bin/python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""Open a new TCP connection to HOST:PORT every --interval seconds.

    conn_probe.py [--interval 0.01] [--timeout 1] [--duration 60] HOST PORT

Connections are non-blocking and overlap: a lost SYN does not delay the next
attempt. Each attempt ends with one line when it completes or times out:
"<start> <end> ok <TO> <FROM>" or "<start> <end> fail <reason>" (epoch
seconds). A packet socket sees the frames: TO is the Ethernet destination of
the SYN (where the client's ARP entry for HOST pointed), FROM the source of
the SYN-ACK (the node that answered), which tells the old master from the
new one - and shows when a node answered a frame that was not sent to it.
A connection that succeeded is reset at once (no TIME_WAIT, nothing sent).
Stops after --duration seconds or on SIGTERM/SIGINT.
"""
import argparse
import errno
import selectors
import signal
import socket
import struct
import sys
import time


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    ap.add_argument("--interval", type=float, default=0.01)
    ap.add_argument("--timeout", type=float, default=1.0)
    ap.add_argument("--duration", type=float, default=60.0)
    args = ap.parse_args()

    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    sel = selectors.DefaultSelector()
    # local port -> Ethernet destination of its SYN, source of its SYN-ACK
    # ETH_P_ALL: only such sockets see outgoing frames too.
    raw = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
    raw.setblocking(False)
    syn_to, synack_from = {}, {}

    def drain():
        while True:
            try:
                f, (_, _, pkttype, _, _) = raw.recvfrom(128)
            except BlockingIOError:
                return
            if len(f) < 14 + 20 + 20 or f[12:14] != b"\x08\x00" or f[14 + 9] != 6:
                continue
            tcp = 14 + (f[14] & 0x0F) * 4
            if len(f) < tcp + 14:
                continue
            sport, dport = struct.unpack_from("!HH", f, tcp)
            flags = f[tcp + 13] & 0x12
            if pkttype == socket.PACKET_OUTGOING and dport == args.port and flags == 0x02:
                syn_to.setdefault(sport, f[0:6].hex(":"))
            elif pkttype != socket.PACKET_OUTGOING and sport == args.port and flags == 0x12:
                synack_from.setdefault(dport, f[6:12].hex(":"))

    pending = {}  # socket -> (start epoch, deadline monotonic)
    out = sys.stdout
    mono0 = time.monotonic()
    end_at = mono0 + args.duration
    next_at = mono0

    def finish(s, result):
        start, _ = pending.pop(s)
        sel.unregister(s)
        if result == "ok":
            drain()
            port = s.getsockname()[1]
            result = f"ok {syn_to.get(port, '?')} {synack_from.get(port, '?')}"
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()
        out.write(f"{start:.6f} {time.time():.6f} {result}\n")

    while not stop:
        now = time.monotonic()
        if now >= end_at:
            break
        if now >= next_at:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            drain()  # what is left in the queue belongs to older attempts
            start = time.time()
            err = s.connect_ex((args.host, args.port))
            port = s.getsockname()[1]
            syn_to.pop(port, None)
            synack_from.pop(port, None)
            if err not in (0, errno.EINPROGRESS):
                s.close()
                out.write(f"{start:.6f} {time.time():.6f} fail {errno.errorcode.get(err, err)}\n")
            else:
                pending[s] = (start, now + args.timeout)
                sel.register(s, selectors.EVENT_WRITE)
            next_at += args.interval
            if next_at < now:
                next_at = now + args.interval
        for key, _ in sel.select(timeout=max(0.0, min(next_at, end_at) - time.monotonic())):
            s = key.fileobj
            err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            finish(s, "ok" if err == 0 else f"fail {errno.errorcode.get(err, err)}")
        now = time.monotonic()
        for s in [s for s, (_, dl) in pending.items() if dl <= now]:
            finish(s, "fail timeout")
        out.flush()
    for s in list(pending):
        finish(s, "fail stopped")
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
