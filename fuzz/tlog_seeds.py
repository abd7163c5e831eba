#!/usr/bin/env python3
"""fuzz/tlog_seeds.py - writes the seed corpora of the transparency-log fuzz
targets (tlog_note, tlog_checkpoint, tlog_policy, tlog_proof) as
fuzz/corpus/<target>/seed-*.  Deterministic: the same bytes on every run.
Keys are the public keys of RFC 8032 section 7.1 (TEST 1-3) and the
signed-note specification's example; the one signed note that verifies is
that example."""
import base64
import hashlib
import os
import struct

here = os.path.dirname(os.path.abspath(__file__))
RFC8032 = [bytes.fromhex(h) for h in (
    "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
    "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
    "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025")]
SPEC_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
SPEC_NOTE = ("This is an example message.\n\n\u2014 example.com/foo "
             "Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n").encode()


def vkey(name, typ, pub):
    kid = hashlib.sha256(name.encode() + b"\n" + bytes([typ]) + pub).digest()[:4]
    return "%s+%s+%s" % (name, kid.hex(), base64.b64encode(bytes([typ]) + pub).decode())


def write(target, name, data):
    d = os.path.join(here, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def leaf(b):
    return hashlib.sha256(b"\x00" + b).digest()


def node(l, r):
    return hashlib.sha256(b"\x01" + l + r).digest()


def mth(leaves):
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return node(mth(leaves[:k]), mth(leaves[k:]))


def path(m, leaves):
    if len(leaves) <= 1:
        return []
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    if m < k:
        return path(m, leaves[:k]) + [mth(leaves[k:])]
    return path(m - k, leaves[k:]) + [mth(leaves[:k])]


def subproof(m, leaves, b):
    n = len(leaves)
    if m == n:
        return [] if b else [mth(leaves)]
    k = 1
    while k * 2 < n:
        k *= 2
    if m <= k:
        return subproof(m, leaves[:k], b) + [mth(leaves[k:])]
    return subproof(m - k, leaves[k:], False) + [mth(leaves[:k])]


def main():
    root = base64.b64encode(hashlib.sha256(b"root").digest()).decode()
    cp = "example.com/log\n20852163\n%s\n" % root
    write("tlog_note", "spec-example", SPEC_NOTE)
    sig = base64.b64encode(bytes.fromhex("530d903a") + b"\x00" * 64).decode()
    cosig = base64.b64encode(b"\x01\x02\x03\x04" + struct.pack(">Q", 1679315147) + b"\x00" * 64).decode()
    write("tlog_note", "checkpoint-two-sigs",
          cp + "\n\u2014 example.com/foo " + sig + "\n\u2014 witness.example " + cosig + "\n")
    write("tlog_note", "blank-lines-in-text", "a\n\nb\n\n\u2014 k AAAAAAAA\n")
    write("tlog_note", "bad-no-blank", "text\n\u2014 k AAAAAAAA\n")
    write("tlog_checkpoint", "example", cp)
    write("tlog_checkpoint", "extensions", "o\n0\n%s\next one\next two\n" % root)
    write("tlog_checkpoint", "max-size", "o\n18446744073709551615\n%s\n" % root)
    write("tlog_checkpoint", "bad-leading-zero", "o\n01\n%s\n" % root)
    log = SPEC_VKEY
    w = [vkey("w%d.example" % i, 4, RFC8032[i]) for i in range(3)]
    write("tlog_policy", "example",
          "# comment\nlog %s https://log.example/\nwitness A %s\nwitness B %s\n\twitness C %s  \n"
          "group AB any A B\ngroup Q 2 AB C\nquorum Q\n" % (log, w[0], w[1], w[2]))
    write("tlog_policy", "none", "log %s\nquorum none\n" % log)
    write("tlog_policy", "all", "witness A %s\nwitness B %s\ngroup G all A B\nquorum G\n" % (w[0], w[1]))
    write("tlog_policy", "bad-dup-key", "witness A %s\nwitness B %s\nquorum A\n" % (w[0], w[0]))
    leaves = [leaf(b"entry %d" % i) for i in range(13)]
    for idx, size, old, tile in ((5, 13, 7, "tile/0/x001/x234/067.p/8"), (0, 1, 1, "tile/entries/000"),
                                 (12, 13, 8, "tile/3/000.p/1")):
        p = path(idx, leaves[:size])
        c = subproof(old, leaves[:size], True) if old < size else []
        body = struct.pack(">QQQ", idx, size, old) + leaves[idx] + mth(leaves[:size]) + mth(leaves[:old])
        write("tlog_proof", "incl-%d-%d" % (idx, size), tile.encode() + b"\n" + body + b"".join(p))
        write("tlog_proof", "cons-%d-%d" % (old, size), b"tile/0/000\n" + body + b"".join(c))
    write("tlog_proof", "bundle", b"tile/entries/x001/000\n\x00\x03abc\x00\x00")


if __name__ == "__main__":
    main()
