#!/usr/bin/env python3
"""fuzz/prov_seeds.py - writes the seed corpora of the provenance fuzz
targets (dsse, prov_policy, prov_verify):

    fuzz/prov_seeds.py [RAMPART]      (default build/debug/cli/rampart)

writes fuzz/corpus/{dsse,prov_policy,prov_verify}/seed-* after removing the
old seed-* files there (hand-* and regress-* files are left alone).

Every seed is deterministic: envelopes are made by `rampart attest` with
the Ed25519 keys of RFC 8032 section 7.1 (TEST 1 = "A", TEST 2 = "B",
whose secret keys the RFC prints; Ed25519 signatures are deterministic),
or, for statements `rampart attest` does not write, signed here with the
same keys by `openssl pkeyutl` over the DSSE PAE.  The policies name these
keys, the ECDSA key of the DSSE specification's test vector
(tests/vectors/dsse/spec-ecdsa.pub.pem), and the worked example of
docs/provenance.md (tests/vectors/prov/example-policy.json).  The fuzz
targets know the same keys (fuzz/fuzz_prov.h).  See fuzz/corpus/README.md.
"""
import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
RAMPART = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build/debug/cli/rampart")

SECRET = {"A": "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
          "B": "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb"}
PUBLIC = {"A": "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
          "B": "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c"}
ECDSA_PEM = open(os.path.join(ROOT, "tests/vectors/dsse/spec-ecdsa.pub.pem")).read()

ARTIFACT = b"app 1.2.0\n"  # FUZZ_ARTIFACT in fuzz_prov.h
FIRMWARE = b"firmware 3.1\n"
SHA256 = hashlib.sha256(ARTIFACT).hexdigest()
SHA512 = hashlib.sha512(ARTIFACT).hexdigest()
OTHER256 = hashlib.sha256(b"app 1.2.0, backdoored\n").hexdigest()

BUILDER = "https://ci.example.com/builders/release@v1"
SOURCE = "git+https://git.example.com/example/app"
GENERIC = "urn:rampart:attest:generic:v1"
MAKE = "https://ci.example.com/build-types/make@v1"
INTOTO = "application/vnd.in-toto+json"
SEP = b"\n%%\n"

tmp = tempfile.mkdtemp(prefix="prov-seeds-")


def put(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def key_file(k):
    """The PKCS#8 PEM of test key k (an Ed25519 seed behind a fixed DER prefix)."""
    path = os.path.join(tmp, k + ".key")
    der = bytes.fromhex("302e020100300506032b657004220420" + SECRET[k])
    with open(path, "w") as f:
        f.write("-----BEGIN PRIVATE KEY-----\n%s\n-----END PRIVATE KEY-----\n" % base64.b64encode(der).decode())
    return path


def artifact_file(name, data):
    path = os.path.join(tmp, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


def attest(keys, files, *opts):
    out = os.path.join(tmp, "out.att")
    if os.path.exists(out):
        os.remove(out)
    args = [RAMPART, "attest", "--builder-id", BUILDER, "--out", out]
    for k in keys:
        args += ["--key", key_file(k)]
    subprocess.run(args + list(opts) + files, check=True, stdout=subprocess.DEVNULL)
    return open(out, "rb").read()


def pae(ptype, body):
    t = ptype.encode()
    return b"DSSEv1 %d %s %d %s" % (len(t), t, len(body), body)


def envelope(payload, keys, ptype=INTOTO):
    """A DSSE envelope of payload signed by each of keys, as rampart attest writes it."""
    sigs = []
    msg = os.path.join(tmp, "pae")
    with open(msg, "wb") as f:
        f.write(pae(ptype, payload))
    for k in keys:
        sig = subprocess.run(["openssl", "pkeyutl", "-sign", "-rawin", "-inkey", key_file(k), "-in", msg],
                             check=True, stdout=subprocess.PIPE).stdout
        sigs.append({"keyid": k, "sig": base64.b64encode(sig).decode()})
    env = {"payload": base64.b64encode(payload).decode(), "payloadType": ptype, "signatures": sigs}
    return (json.dumps(env, separators=(",", ":")) + "\n").encode()


def statement(subjects, predicate_type="https://slsa.dev/provenance/v1", predicate=None):
    if predicate is None:
        predicate = {"buildDefinition": {"buildType": GENERIC, "externalParameters": {},
                                         "resolvedDependencies": [{"uri": SOURCE + "@refs/tags/v1.2.0"}]},
                     "runDetails": {"builder": {"id": BUILDER}}}
    st = {"_type": "https://in-toto.io/Statement/v1", "subject": subjects, "predicateType": predicate_type,
          "predicate": predicate}
    return json.dumps(st, separators=(",", ":"), sort_keys=True).encode()


def tuf_key(k):
    if k == "E":
        return {"keytype": "ecdsa", "scheme": "ecdsa-sha2-nistp256", "keyval": {"public": ECDSA_PEM}}
    return {"keytype": "ed25519", "scheme": "ed25519", "keyval": {"public": PUBLIC[k]}}


def policy(keys, default, rules=None):
    p = {"version": 1, "keys": {name: tuf_key(k) for name, k in keys.items()}, "default": default}
    if rules is not None:
        p["rules"] = rules
    return json.dumps(p, indent=1).encode()


def main():
    for t in ("dsse", "prov_policy", "prov_verify"):
        d = os.path.join(HERE, "corpus", t)
        os.makedirs(d, exist_ok=True)
        for name in os.listdir(d):
            if name.startswith("seed-"):
                os.remove(os.path.join(d, name))
    app = artifact_file("app-1.2.0.tar.gz", ARTIFACT)
    fw = artifact_file("fw-3.1.bin", FIRMWARE)

    # ---- envelopes from rampart attest
    att = {
        "attest-full": attest("A", [app], "--source-uri", SOURCE, "--source-revision", "refs/tags/v1.2.0",
                              "--source-commit", "6c1b8e3f0d9a4f2e8b7c5a3d1e0f9b8a7c6d5e4f", "--param",
                              "target=release", "--param", "arch=x86_64", "--invocation-id", "run-1234"),
        "attest-two-keys": attest("AB", [app], "--source-uri", SOURCE, "--source-revision", "refs/tags/v1.2.0"),
        "attest-key-b": attest("B", [app], "--source-uri", SOURCE, "--source-revision", "refs/tags/v1.2.0"),
        "attest-minimal": attest("A", [app]),
        "attest-two-subjects": attest("A", [app, fw], "--source-uri", SOURCE, "--source-revision",
                                      "refs/tags/1.2.0"),
        "attest-ssh-source": attest("A", [app], "--build-type", MAKE, "--source-uri",
                                    "git+ssh://git@git.example.com/example/app", "--source-revision",
                                    "refs/tags/v1.2.0"),
    }
    # ---- statements rampart attest does not write, signed here
    stmts = {
        "stmt-sha512": statement([{"name": "app-1.2.0.tar.gz", "digest": {"sha256": SHA256, "sha512": SHA512}}]),
        "stmt-sha512-only": statement([{"name": "app-1.2.0.tar.gz", "digest": {"sha512": SHA512}}]),
        "stmt-upper-hex": statement([{"name": "app-1.2.0.tar.gz", "digest": {"sha256": SHA256.upper()}}]),
        "stmt-other-predicate": statement([{"name": "app", "digest": {"sha256": SHA256}}],
                                          "https://in-toto.io/attestation/test-result/v0.1", {"result": "PASSED"}),
        "stmt-many-subjects": statement([{"name": "a", "digest": {"gitCommit": "0123456789abcdef"}},
                                         {"uri": "pkg:generic/b", "digest": {"sha256": OTHER256}},
                                         {"name": "app-1.2.0.tar.gz", "digest": {"sha256": SHA256}},
                                         {"digest": {"sha512": SHA512, "md5": "x"}}]),
        "stmt-full-slsa": statement(
            [{"name": "app-1.2.0.tar.gz", "digest": {"sha256": SHA256}, "annotations": {"k": "v"}}],
            predicate={"buildDefinition": {"buildType": MAKE,
                                           "externalParameters": {"source": {"uri": SOURCE}},
                                           "internalParameters": {"runner": "x"},
                                           "resolvedDependencies": [
                                               {"uri": SOURCE + "@refs/tags/1.2.0", "digest": {"gitCommit": "ab"},
                                                "name": "src", "mediaType": "text/plain"},
                                               {"content": "aGk=", "downloadLocation": "https://x"}]},
                       "runDetails": {"builder": {"id": BUILDER, "version": {"ci": "2.1"},
                                                  "builderDependencies": [{"uri": "https://img"}]},
                                      "metadata": {"invocationId": "1", "startedOn": "2030-01-01T00:00:00Z",
                                                   "finishedOn": "2030-01-01T00:10:00Z"},
                                      "byproducts": [{"name": "log", "digest": {"sha256": OTHER256}}]}}),
        "stmt-nulls": statement([{"name": None, "digest": {"sha256": SHA256}, "uri": None}],
                                predicate={"buildDefinition": {"buildType": GENERIC, "externalParameters": {},
                                                               "internalParameters": None,
                                                               "resolvedDependencies": None},
                                           "runDetails": {"builder": {"id": BUILDER, "version": None},
                                                          "metadata": None}}),
    }
    for name, data in att.items():
        put("dsse", name, data)
    for name, st in stmts.items():
        put("dsse", name, envelope(st, "A"))
    put("dsse", "stmt-other-type", envelope(stmts["stmt-sha512"], "A", "application/vnd.example+json"))
    put("dsse", "stmt-two-keys-url-safe", envelope(stmts["stmt-full-slsa"], "AB").replace(b"+", b"-")
        .replace(b"/", b"_").replace(b"=\"", b"\""))
    put("dsse", "spec-envelope", open(os.path.join(ROOT, "tests/vectors/dsse/spec-envelope.json"), "rb").read())

    # ---- policies
    base = {"provenance": "required", "keys": ["ci"], "builder_ids": [BUILDER],
            "source_uris": ["git+https://git.example.com/example/*"]}
    docs = {"name": "docs", "paths": ["docs/*", "*.md"], "provenance": "none"}
    pol = {
        "basic": policy({"ci": "A"}, base, [docs]),
        "strict": policy({"ci": "A"}, dict(base, version_tag=True, build_types=[GENERIC]), [docs]),
        "two": policy({"ci": "A", "ci2": "B"}, dict(base, keys=["ci", "ci2"], threshold=2)),
        "same-key-twice": policy({"ci": "A", "again": "A"}, dict(base, keys=["ci", "again"])),
        "other-builder": policy({"ci": "A"}, dict(base, builder_ids=["https://ci.example.com/builders/nightly@v1"])),
        "other-type": policy({"ci": "A"}, dict(base, build_types=[MAKE])),
        "other-source": policy({"ci": "A"}, dict(base, source_uris=["git+https://git.example.com/other/*"])),
        "ecdsa": policy({"spec": "E", "ci": "A"}, {"provenance": "optional", "keys": ["spec"],
                                                  "builder_ids": [BUILDER]},
                        [{"name": "app", "paths": ["app/*"], "keys": ["ci"], "provenance": "required"}]),
        "rules": policy({"ci": "A", "ci2": "B"}, {"provenance": "none"}, [
            {"name": "firmware", "paths": ["firmware/fw-?.?.bin", "firmware/[a-z]*"], "provenance": "required",
             "keys": ["ci", "ci2"], "threshold": 2, "builder_ids": [BUILDER]},
            {"paths": ["app/*"], "provenance": "required", "keys": ["ci"], "builder_ids": [BUILDER, "b"],
             "build_types": [GENERIC, MAKE], "version_tag": True},
            {"paths": ["plugins/*"], "provenance": "optional", "keys": ["ci2"], "builder_ids": [BUILDER],
             "version_tag": False},
            {"name": "rest", "paths": ["*"], "provenance": "none"}]),
        # refused: each a different rule of the format
        "bad-threshold": policy({"ci": "A", "again": "A"}, dict(base, keys=["ci", "again"], threshold=2)),
        "bad-member": policy({"ci": "A"}, dict(base, builder_id=[BUILDER])),
        "bad-no-paths": policy({"ci": "A"}, base, [{"name": "x", "provenance": "none"}]),
        "bad-unknown-key": policy({"ci": "A"}, dict(base, keys=["nope"])),
        "bad-no-builders": policy({"ci": "A"}, {"provenance": "required", "keys": ["ci"]}),
    }
    put("prov_policy", "example-policy", open(os.path.join(ROOT, "tests/vectors/prov/example-policy.json"),
                                              "rb").read())
    for name, data in pol.items():
        put("prov_policy", "policy-" + name, data)

    # ---- verification: POLICY %% ARTIFACT %% [ENVELOPE]
    def art(path="app/app-1.2.0.tar.gz", **kw):
        lines = ["path " + path] if path else []
        lines += ["%s %s" % (k, v) for k, v in kw.items()]
        return "\n".join(lines).encode()

    def verify(name, p, a, env=None):
        put("prov_verify", name, pol[p] + SEP + a + (SEP + env if env is not None else b""))

    a256 = art(sha256=SHA256)
    verify("ok", "strict", a256, att["attest-full"])
    verify("ok-two", "two", a256, att["attest-two-keys"])
    verify("below-threshold", "two", a256, att["attest-full"])
    verify("wrong-key", "basic", a256, att["attest-key-b"])
    verify("same-key-twice", "same-key-twice", a256, att["attest-full"])
    verify("subject", "basic", art(sha256=OTHER256), att["attest-full"])
    verify("sha512-only", "basic", art(sha512=SHA512), att["attest-full"])
    verify("builder", "other-builder", a256, att["attest-full"])
    verify("build-type", "other-type", a256, att["attest-full"])
    verify("source", "other-source", a256, att["attest-full"])
    verify("no-source", "basic", a256, att["attest-minimal"])
    verify("ssh-source", "rules", art(sha256=SHA256), att["attest-ssh-source"])
    verify("revision", "strict", art(sha256=SHA256, release="1.3.0"), att["attest-full"])
    verify("revision-custom", "strict", art(sha256=SHA256, custom='{"version":"1.2.0"}'), att["attest-full"])
    verify("revision-path", "strict", art("app/app-1.3.0.tar.gz", sha256=SHA256), att["attest-two-subjects"])
    verify("missing", "basic", a256)
    verify("missing-optional", "ecdsa", art("other/app", sha256=SHA256))
    verify("none", "basic", art("docs/app-1.2.0.tar.gz", sha256=SHA256), att["attest-full"])
    verify("firmware", "rules", art("firmware/fw-3.1.bin", sha256=SHA256), att["attest-two-keys"])
    spec = open(os.path.join(ROOT, "tests/vectors/dsse/spec-envelope.json"), "rb").read()
    verify("spec-ecdsa", "ecdsa", art("x/hello", sha256=SHA256), spec)
    verify("bad-digest", "basic", art(sha256="xyz"), att["attest-full"])
    verify("no-path", "basic", art(None, sha256=SHA256), att["attest-full"])
    for name, st in stmts.items():
        verify("sign-" + name, "basic", art(sha256=SHA256, sha512=SHA512), b"sign A\n" + st)
    verify("sign-two", "two", a256, b"sign AB\n" + stmts["stmt-full-slsa"])
    verify("sign-unsigned", "basic", a256, b"sign\n" + stmts["stmt-sha512"])
    verify("sign-other-type", "basic", a256, b"sign A text/plain\n" + stmts["stmt-sha512"])


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(tmp)
