#!/usr/bin/env python3
"""tests/lib/witness_double.py - a C2SP tlog-witness double on loopback for
the repository tests (the real witness is `rampart witness`).

    witness_double.py NAME SEED_HEX LOG_VKEY STATE_FILE PORT_FILE [MODE]

Cosigns (C2SP tlog-cosignature v1, Ed25519, with the test key whose seed
is SEED_HEX) each add-checkpoint whose checkpoint the log key LOG_VKEY
signed, whose "old" size is the one it stored (else 409 and its size) and
whose consistency proof verifies (else 422); stores the size and root in
STATE_FILE before answering.  Writes its port to PORT_FILE once listening
and its vkey to PORT_FILE.vkey.  MODE: ok (default), 403 (answers 403 to
everything), badsig (cosigns with a wrong signature).  Every request is
appended to STATE_FILE.log (old size and checkpoint size).  The seconds in
STATE_FILE.offset, when it exists, are added to the cosignatures' time.  Test keys
only: it holds no secret of the tests.
"""
import base64, hashlib, http.server, os, struct, sys, time
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives import serialization

name, seed, log_vkey, state_file, port_file = sys.argv[1:6]
mode = sys.argv[6] if len(sys.argv) > 6 else "ok"
key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(seed))
pub = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
key_id = hashlib.sha256(name.encode() + b"\n\x04" + pub).digest()[:4]
log_name, log_id_hex, log_b64 = log_vkey.strip().split("+", 2)
log_raw = base64.b64decode(log_b64)
assert log_raw[0] == 1
log_key = Ed25519PublicKey.from_public_bytes(log_raw[1:])
log_id = bytes.fromhex(log_id_hex)


def h(b):
    return hashlib.sha256(b).digest()


def node(l, r):
    return h(b"\x01" + l + r)


def verify_consistency(m, n, old_root, new_root, proof):
    """RFC 9162 2.1.4.2"""
    if m == n:
        return not proof and old_root == new_root
    if m == 0 or m > n:
        return False
    if m & (m - 1) == 0:
        proof = [old_root] + proof
    if not proof:
        return False
    fn, sn = m - 1, n - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node(c, fr)
            sr = node(c, sr)
            if (fn & 1) == 0:
                while (fn & 1) == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old_root and sr == new_root


def clock_offset():
    """Seconds in STATE_FILE.offset, if any: tests that simulate days move
    the double's clock with the repository's (faketime)."""
    try:
        return int(open(state_file + ".offset").read())
    except FileNotFoundError:
        return 0


def load():
    try:
        size, root = open(state_file).read().split()
        return int(size), base64.b64decode(root)
    except FileNotFoundError:
        return 0, None


class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def answer(self, code, body=b"", ctype="text/plain"):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.path.rstrip("/").split("/")[-1] != "add-checkpoint":
            return self.answer(404)
        if mode == "403":
            return self.answer(403)
        head, _, note = body.partition(b"\n\n")
        lines = head.split(b"\n")
        old = int(lines[0][4:])
        proof = [base64.b64decode(x) for x in lines[1:]]
        text, _, sigs = note.rpartition(b"\n\n")
        text += b"\n"
        origin, size, root = text.decode().split("\n")[:3]
        size, root = int(size), base64.b64decode(root)
        with open(state_file + ".log", "a") as f:
            f.write("old %d size %d\n" % (old, size))
        if origin != log_name:
            return self.answer(404)
        ok = False
        for line in sigs.decode().split("\n"):
            if not line.startswith("\u2014 "):
                continue
            n, s = line[2:].rsplit(" ", 1)
            raw = base64.b64decode(s)
            if n == log_name and raw[:4] == log_id:
                try:
                    log_key.verify(raw[4:], text)
                    ok = True
                except Exception:
                    return self.answer(403)
        if not ok:
            return self.answer(403)
        have, have_root = load()
        if old != have:
            return self.answer(409, b"%d\n" % have, "text/x.tlog.size")
        if old > size:
            return self.answer(400)
        if old == size and have_root != root:
            return self.answer(409, b"%d\n" % have, "text/x.tlog.size")
        if old > 0 and not verify_consistency(old, size, have_root, root, proof):
            return self.answer(422)
        tmp = state_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d %s\n" % (size, base64.b64encode(root).decode()))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, state_file)
        t = int(time.time()) + clock_offset()
        sig = key.sign(b"cosignature/v1\ntime %d\n" % t + text)
        if mode == "badsig":
            sig = bytes([sig[0] ^ 1]) + sig[1:]
        line = "\u2014 %s %s\n" % (name, base64.b64encode(key_id + struct.pack(">Q", t) + sig).decode())
        self.answer(200, line.encode())


srv = http.server.HTTPServer(("127.0.0.1", 0), H)
with open(port_file + ".vkey", "w") as f:
    f.write("%s+%s+%s\n" % (name, key_id.hex(), base64.b64encode(b"\x04" + pub).decode()))
with open(port_file + ".tmp", "w") as f:
    f.write("%d\n" % srv.server_address[1])
os.replace(port_file + ".tmp", port_file)
srv.serve_forever()
