#!/usr/bin/env python3
"""Tiny HTTP/1.1 server that record.sh runs inside its server namespace.

Standard library only. Serves files from a directory with keep-alive, answers
POST /submit, /chunked (Transfer-Encoding: chunked) and /redirect (301).
Usage: python3 http_server.py DIR PORT [PORT...]   (listens on :: dual-stack)
"""
import http.server
import os
import socket
import sys
import threading


class Handler(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: two requests on one connection
    server_version = "mekong-capture/1.0"
    sys_version = ""

    def do_GET(self):
        if self.path == "/chunked":
            parts = [b"first chunk of a chunked body\n", b"second chunk\n", b"third and last\n"]
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for p in parts:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(p), p))
            self.wfile.write(b"0\r\n\r\n")
            return
        if self.path == "/redirect":
            self.send_response(301)
            self.send_header("Location", "/hello.txt")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        super().do_GET()

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        reply = b"received %d bytes\n" % len(body)
        self.send_response(201)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, fmt, *args):
        sys.stderr.write("http_server: " + (fmt % args) + "\n")


class Server(http.server.ThreadingHTTPServer):
    address_family = socket.AF_INET6
    daemon_threads = True

    def server_bind(self):
        self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        super().server_bind()


def main():
    root = sys.argv[1]
    ports = [int(p) for p in sys.argv[2:]]
    os.chdir(root)
    servers = [Server(("::", p), Handler) for p in ports]
    for s in servers[1:]:
        threading.Thread(target=s.serve_forever, daemon=True).start()
    print("ready", flush=True)
    servers[0].serve_forever()


if __name__ == "__main__":
    main()
