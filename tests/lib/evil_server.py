#!/usr/bin/env python3
"""A hostile HTTP server on 127.0.0.1 for the client's transport tests.

    evil_server.py ROOT PORTFILE

Serves files below ROOT.  The first path segment chooses a behaviour, which
applies to every file, or only to the file named after a colon:

    /plain/REST                 the file, normally
    /slow[:NAME]/REST           one byte every 2 seconds (slow retrieval)
    /endless[:NAME]/REST        200 and an endless body (endless data)
    /liar[:NAME]/REST           Content-Length far beyond the cap, then the file
    /to-http[:NAME]/REST        302 to http://localhost:PORT/plain/REST
    /to-https[:NAME]/REST       302 to https://127.0.0.1:PORT/plain/REST (another scheme)
    /loop[:NAME]/REST           302 to itself, forever
    /crlf[:NAME]/REST           302 with a Location carrying CR LF and a NUL
    /status-N[:NAME]/REST       HTTP status N

Writes the port it listens on to PORTFILE, then serves until killed.
Everything stays on the loopback interface.
"""
import http.server
import os
import socketserver
import sys
import time
import urllib.parse

ROOT = os.path.abspath(sys.argv[1])


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        sys.stderr.write("evil_server: " + (fmt % args) + "\n")

    def _file(self, rest):
        path = os.path.normpath(os.path.join(ROOT, urllib.parse.unquote(rest)))
        if not path.startswith(ROOT + os.sep) or not os.path.isfile(path):
            return None
        with open(path, "rb") as f:
            return f.read()

    def _send_status(self, code, headers=(), body=b""):
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):  # noqa: N802 (http.server API)
        parts = self.path.lstrip("/").split("/", 1)
        if len(parts) != 2:
            return self._send_status(404)
        mode, rest = parts
        name = None
        if ":" in mode:
            mode, name = mode.split(":", 1)
        if name is not None and os.path.basename(urllib.parse.unquote(rest)) != name:
            mode = "plain"
        port = self.server.server_address[1]
        if mode == "to-http":
            return self._send_status(302, [("Location", f"http://localhost:{port}/plain/{rest}")])
        if mode == "to-https":
            return self._send_status(302, [("Location", f"https://127.0.0.1:{port}/plain/{rest}")])
        if mode == "loop":
            return self._send_status(302, [("Location", self.path)])
        if mode == "crlf":
            self.wfile.write(b"HTTP/1.1 302 Found\r\nLocation: /plain/" + rest.encode() +
                             b"\r\nX-Injected: yes\x00\r\nContent-Length: 0\r\n\r\n")
            return
        if mode.startswith("status-"):
            return self._send_status(int(mode[7:]))
        if mode == "endless":  # whether or not the file exists
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            chunk = b"x" * 65536
            try:
                while True:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            except (BrokenPipeError, ConnectionResetError):
                return
        data = self._file(rest)
        if data is None:
            return self._send_status(404)
        if mode == "plain":
            return self._send_status(200, [], data)
        if mode == "liar":
            self.send_response(200)
            self.send_header("Content-Length", str(1 << 40))
            self.end_headers()
            self.wfile.write(data)
            return
        if mode == "slow":
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            try:
                for b in data:
                    self.wfile.write(bytes([b]))
                    self.wfile.flush()
                    time.sleep(2)
            except (BrokenPipeError, ConnectionResetError):
                return
            return
        return self._send_status(404)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    srv = Server(("127.0.0.1", 0), Handler)
    with open(sys.argv[2] + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(sys.argv[2] + ".tmp", sys.argv[2])
    srv.serve_forever()


if __name__ == "__main__":
    main()
