#!/usr/bin/python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""One long-lived TLS connection, one GET every --interval seconds.

Prints one line per request: "<seconds since start> ok <body>" or
"<seconds> FAIL <error>" (with --wall-clock, the time is the epoch in
seconds instead, to line up with other events), and after the first failure
stops (a broken
connection must not be silently replaced by a new one, which would hide
the failure). Exit status 0 when every request succeeded.
"""
import argparse
import http.client
import ssl
import sys
import time


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    ap.add_argument("--path", default="/")
    ap.add_argument("--interval", type=float, default=0.1)
    ap.add_argument("--duration", type=float, default=5.0)
    ap.add_argument("--timeout", type=float, default=2.0)
    ap.add_argument("--wall-clock", action="store_true",
                    help="print the epoch time (s) rather than the time since start")
    ap.add_argument("--bind-port", type=int, default=0,
                    help="local port to connect from (default: the kernel's choice)")
    args = ap.parse_args()

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    start = time.monotonic()
    conn = http.client.HTTPSConnection(args.host, args.port, timeout=args.timeout, context=ctx,
                                       source_address=("", args.bind_port) if args.bind_port else None)
    ok = True
    first_sock = None
    while time.monotonic() - start < args.duration:
        t = time.time() if args.wall_clock else time.monotonic() - start
        try:
            conn.request("GET", args.path)
            resp = conn.getresponse()
            body = resp.read().decode(errors="replace").strip()
            if resp.status != 200:
                raise RuntimeError(f"HTTP {resp.status} {body}")
            if resp.getheader("Connection", "").lower() == "close":
                raise RuntimeError("server closed the connection")
            # http.client silently reconnects when the socket was closed:
            # make sure it is still the very first connection.
            sock = conn.sock.getsockname() if conn.sock else None
            if sock is None:
                raise RuntimeError("connection closed after the response")
            if first_sock is None:
                first_sock = sock
            elif sock != first_sock:
                raise RuntimeError(f"connection replaced: {first_sock} -> {sock}")
            if args.wall_clock:
                t = time.time()  # when the answer came
            print(f"{t:.3f} ok {body} from {sock[0]}:{sock[1]}", flush=True)
        except Exception as e:  # any failure ends the run: report it
            if args.wall_clock:
                t = time.time()
            print(f"{t:.3f} FAIL {type(e).__name__}: {e}", flush=True)
            ok = False
            break
        time.sleep(args.interval)
    conn.close()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
