#!/usr/bin/python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""The lab's kube-apiserver stand-in: HTTPS on :6443 (IPv4 and IPv6),
threaded, keep-alive.

GET /readyz answers 200 "ok", or 500 while the file given with --readyz-file
holds "500" (so a test can make the node unready without stopping it). GET
/peer answers the node name and the address:port the request came from, as
an apiserver's audit log would record it ("control2 192.168.218.11:40312").
GET /bytes?n=N answers N bytes ("x" repeated; a large list, as
"kubectl get -A" fetches). GET /watch?seconds=N streams like a Kubernetes watch: a chunked response
with one line "NODE SEQ" every 50 ms for N seconds (default 10).
Any other path answers the node name and a newline, e.g. "control2\n", so a
client can see where its request landed.
"""
import argparse
import http.server
import pathlib
import socket
import ssl
import sys
import threading
import time
import urllib.parse


def make_handler(name, readyz_file):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as kubectl uses it

        def _reply(self, code, body):
            data = body.encode()
            self.send_response(code)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):  # noqa: N802 (http.server's naming)
            if self.path.split("?")[0] == "/readyz":
                want = "200"
                if readyz_file:
                    try:
                        want = pathlib.Path(readyz_file).read_text().strip() or "200"
                    except OSError:
                        pass
                if want == "200":
                    self._reply(200, "ok")
                else:
                    self._reply(int(want), "readyz check failed\n")
                return
            if self.path.split("?")[0] == "/bytes":
                query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
                self._reply(200, "x" * min(int(query.get("n", ["0"])[0]), 64 << 20))
                return
            if self.path.split("?")[0] == "/watch":
                query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
                seconds = float(query.get("seconds", ["10"])[0])
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                end = time.monotonic() + seconds
                seq = 0
                try:
                    while time.monotonic() < end:
                        line = f"{name} {seq}\n".encode()
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(line), line))
                        self.wfile.flush()
                        seq += 1
                        time.sleep(0.05)
                    self.wfile.write(b"0\r\n\r\n")
                except OSError:
                    pass
                return
            if self.path.split("?")[0] == "/peer":
                host, port = self.client_address[:2]
                self._reply(200, f"{name} {host}:{port}\n")
                return
            self._reply(200, name + "\n")

        def log_message(self, fmt, *args):  # quiet: tests read stdout
            pass

    return Handler


class Server(http.server.ThreadingHTTPServer):
    HANDSHAKE_TIMEOUT = 10.0  # Go's net/http TLS handshake bound
    IDLE_TIMEOUT = 300.0      # a connection silent this long is closed

    def finish_request(self, request, client_address):
        try:
            request.settimeout(self.HANDSHAKE_TIMEOUT)
            request.do_handshake()
            request.settimeout(self.IDLE_TIMEOUT)
        except OSError:  # timeouts, resets and TLS errors alike
            return
        super().finish_request(request, client_address)

    def handle_error(self, request, client_address):  # quiet: tests read stdout
        pass


class Server6(Server):
    """The same over IPv6 alone (IPv4 stays with the first server, whose
    clients' addresses tests read as they are)."""
    address_family = socket.AF_INET6

    def server_bind(self):
        self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        super().server_bind()


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--name", required=True)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--listen", default="0.0.0.0")
    ap.add_argument("--listen6", default="::", help="IPv6 address too ('' for none)")
    ap.add_argument("--port", type=int, default=6443)
    ap.add_argument("--readyz-file")
    args = ap.parse_args()

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.cert, args.key)
    http.server.ThreadingHTTPServer.allow_reuse_address = True
    http.server.ThreadingHTTPServer.daemon_threads = True
    # A real apiserver's backlog, not socketserver's 5: under churn a full
    # queue drops SYNs, and the health checks then time out.
    http.server.ThreadingHTTPServer.request_queue_size = 128
    handler = make_handler(args.name, args.readyz_file)
    srv = Server((args.listen, args.port), handler)
    # The TLS handshake is done in each connection's thread, with a bound, as
    # a real apiserver does: done in accept() (wrap_socket's default), one
    # client that connects and never speaks (its FIN or RST lost in a
    # failover) stopped every later connection, health checks included.
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True, do_handshake_on_connect=False)
    if args.listen6:
        srv6 = Server6((args.listen6, args.port), handler)
        srv6.socket = ctx.wrap_socket(srv6.socket, server_side=True, do_handshake_on_connect=False)
        threading.Thread(target=srv6.serve_forever, daemon=True).start()
    print(f"apiserver {args.name}: listening on {args.listen}:{args.port}"
          + (f" and [{args.listen6}]:{args.port}" if args.listen6 else ""),
          file=sys.stderr, flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
