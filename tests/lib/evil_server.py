#!/usr/bin/env python3
"""A hostile HTTP server on 127.0.0.1 for the client's transport tests.

    evil_server.py ROOT PORTFILE

Serves files below ROOT.  The first path segment chooses a behaviour, which
applies to every file, or only to the file named after a colon (NAME, or
HASH.NAME for a target under consistent snapshots):

    /plain/REST                 the file, normally
    /slow[:NAME]/REST           one byte every 2 seconds (slow retrieval)
    /endless[:NAME]/REST        200 and an endless body (endless data)
    /liar[:NAME]/REST           Content-Length far beyond the cap, then the file
    /to-http[:NAME]/REST        302 to http://localhost:PORT/plain/REST
    /to-https[:NAME]/REST       302 to https://127.0.0.1:PORT/plain/REST (another scheme)
    /loop[:NAME]/REST           302 to itself, forever
    /crlf[:NAME]/REST           302 with a Location carrying CR LF and a NUL
    /status-N[:NAME]/REST       HTTP status N
    /range[:NAME]/REST          honours "Range: bytes=K-" (206 with Content-Range)
    /cut-N[:NAME]/REST          announces the whole file (or range), sends the
                                body up to absolute byte N, then drops the
                                connection (a server killed mid-transfer);
                                honours ranges
    /trickle[:NAME]/REST        the file in 16 KiB pieces, 20 ms apart (honours ranges)
    /fail-N[:NAME]/REST         HTTP 503 for the first N requests of each URL, then the file
    /wrongrange[:NAME]/REST     206 for a range that starts elsewhere (byte 0)
    /to-other-host/REST         302 to http://localhost:PORT/plain/REST (same
                                server, another host name)

Every request is logged on stderr as one line
    REQ <path> range=<Range or -> auth=<Authorization or -> ua=<User-Agent>
and every body sent (or cut) as
    SENT <path> <bytes>
so tests can count requests, bytes and headers server-side.

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


FAILS = {}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _log_line(self, text):
        sys.stderr.write(text + "\n")
        sys.stderr.flush()

    def _range_start(self, data):
        r = self.headers.get("Range")
        if r is None or not r.startswith("bytes=") or not r.endswith("-"):
            return 0
        try:
            k = int(r[6:-1])
        except ValueError:
            return 0
        return k if 0 < k < len(data) else 0

    def _send_body(self, data, start, cut=None, pause=0.0):
        """200 (start 0) or 206 from `start`; stops at absolute byte `cut`."""
        self.send_response(206 if start else 200)
        if start:
            self.send_header("Content-Range", "bytes %d-%d/%d" % (start, len(data) - 1, len(data)))
        self.send_header("Content-Length", str(len(data) - start))
        self.end_headers()
        end = len(data) if cut is None else max(start, min(cut, len(data)))
        sent = 0
        try:
            pos = start
            while pos < end:
                piece = data[pos:min(end, pos + 16384)]
                self.wfile.write(piece)
                self.wfile.flush()
                pos += len(piece)
                sent += len(piece)
                if pause:
                    time.sleep(pause)
        except (BrokenPipeError, ConnectionResetError):
            pass
        self._log_line("SENT %s %d" % (self.path, sent))
        if cut is not None:
            self.close_connection = True

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
        self._log_line("REQ %s range=%s auth=%s ua=%s" % (self.path, self.headers.get("Range", "-"),
                                                          self.headers.get("Authorization", "-"),
                                                          self.headers.get("User-Agent", "-")))
        name = None
        if ":" in mode:
            mode, name = mode.split(":", 1)
        base = os.path.basename(urllib.parse.unquote(rest))
        # (a target's file name under consistent snapshots is HASH.NAME)
        if name is not None and base != name and not base.endswith("." + name):
            mode = "plain"
        port = self.server.server_address[1]
        if mode == "to-other-host":
            return self._send_status(302, [("Location", f"http://localhost:{port}/plain/{rest}")])
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
            self._log_line("SENT %s %d" % (self.path, len(data)))
            return self._send_status(200, [], data)
        if mode == "range":
            return self._send_body(data, self._range_start(data))
        if mode == "trickle":
            return self._send_body(data, self._range_start(data), pause=0.02)
        if mode.startswith("cut-"):
            return self._send_body(data, self._range_start(data), cut=int(mode[4:]))
        if mode == "wrongrange":
            if self._range_start(data):
                self.send_response(206)
                self.send_header("Content-Range", "bytes 0-%d/%d" % (len(data) - 1, len(data)))
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                return
            return self._send_body(data, 0)
        if mode.startswith("fail-"):
            FAILS[self.path] = FAILS.get(self.path, 0) + 1
            if FAILS[self.path] <= int(mode[5:]):
                return self._send_status(503)
            return self._send_body(data, 0)
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
