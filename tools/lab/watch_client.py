#!/usr/bin/python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""A streaming "watch" over TLS, as a kubelet or a controller holds one.

GET /watch?seconds=N on one connection; the apiserver stand-in sends a
line every 50 ms. Prints one line per line received: "<epoch s> <line>",
then "<epoch s> END <lines> <longest gap ms>" when the stream ended
normally, or "<epoch s> FAIL <error>". Exit status 0 on a normal end.
"""
import argparse
import socket
import ssl
import sys
import time


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--timeout", type=float, default=3.0)
    args = ap.parse_args()

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    lines = 0
    gap = 0.0
    last = None
    try:
        raw = socket.create_connection((args.host, args.port), timeout=args.timeout)
        sock = ctx.wrap_socket(raw)
        sock.sendall(f"GET /watch?seconds={args.seconds} HTTP/1.1\r\n"
                     f"Host: {args.host}\r\n\r\n".encode())
        f = sock.makefile("rb")
        status = f.readline().decode().strip()
        if " 200 " not in status + " ":
            raise RuntimeError(f"status {status!r}")
        while f.readline() not in (b"\r\n", b"\n", b""):
            pass  # headers
        while True:
            head = f.readline()
            if not head:
                raise ConnectionResetError("connection closed before the end of the stream")
            size = int(head.strip(), 16)
            if size == 0:
                break
            line = f.read(size).decode().strip()
            f.readline()
            now = time.time()
            if last is not None:
                gap = max(gap, now - last)
            last = now
            lines += 1
            print(f"{now:.3f} {line}", flush=True)
    except Exception as e:  # noqa: BLE001 - every failure is the result
        print(f"{time.time():.3f} FAIL {type(e).__name__}: {e}", flush=True)
        sys.exit(1)
    print(f"{time.time():.3f} END {lines} {gap * 1000:.0f}", flush=True)


if __name__ == "__main__":
    main()
