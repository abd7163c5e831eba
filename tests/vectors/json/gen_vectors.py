#!/usr/bin/env python3
"""Generates the canonical-JSON vectors in this folder (see README.md).

Valid inputs are written as valid/NAME.json; their expected canonical form,
computed by securesystemslib's encode_canonical, as valid/NAME.canon.
Invalid inputs are written as invalid/NAME.json with their expected error
code in invalid.txt.  Run once; the output is committed as data.

    PYTHONPATH=~/.cache/rampart-peers/securesystemslib python3 gen_vectors.py
"""
import json
import os
import random
import sys

from securesystemslib.formats import encode_canonical

HERE = os.path.dirname(os.path.abspath(__file__))
rng = random.Random(20240601)  # fixed seed: the output is reproducible


def hexs(n):
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def shuffled_dict(d):
    """A dict with the same items in a random insertion order, recursively."""
    if isinstance(d, dict):
        items = list(d.items())
        rng.shuffle(items)
        return {k: shuffled_dict(v) for k, v in items}
    if isinstance(d, list):
        return [shuffled_dict(v) for v in d]
    return d


def tuf_root(with_pem=True):
    keys, roles = {}, {}
    for role in ("root", "snapshot", "targets", "timestamp"):
        ids = []
        for _ in range(2 if role == "root" else 1):
            kid = hexs(64)
            keys[kid] = {"keytype": "ed25519", "keyval": {"public": hexs(64)}, "scheme": "ed25519"}
            ids.append(kid)
        roles[role] = {"keyids": ids, "threshold": len(ids)}
    # An ECDSA key in PEM form: its newlines are \n escapes in the file.
    if not with_pem:
        return wrap_root(keys, roles)
    kid = hexs(64)
    pem = "-----BEGIN PUBLIC KEY-----\n" + "".join(
        rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") for _ in range(64)
    ) + "\n" + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(24)) + "==\n-----END PUBLIC KEY-----\n"
    keys[kid] = {"keytype": "ecdsa", "keyval": {"public": pem}, "scheme": "ecdsa-sha2-nistp256"}
    roles["targets"]["keyids"].append(kid)
    return wrap_root(keys, roles)


def wrap_root(keys, roles):
    signed = {
        "_type": "root",
        "consistent_snapshot": True,
        "expires": "2030-01-01T00:00:00Z",
        "keys": keys,
        "roles": roles,
        "spec_version": "1.0.31",
        "version": 7,
    }
    sigs = [{"keyid": k, "sig": hexs(128)} for k in roles["root"]["keyids"]]
    return {"signatures": sigs, "signed": signed}


def tuf_targets():
    targets = {}
    names = ["pkg/app-%d.%d.%d.tar.gz" % (rng.randrange(10), rng.randrange(10), i) for i in range(40)]
    names += ["docs/caf\u00e9 menu.txt", "docs/\u65e5\u672c\u8a9e.md", "emoji/\U0001F600.png",
              "odd/quote\"and\\backslash", "odd/tab\there", "odd/space name"]
    for name in names:
        t = {"hashes": {"sha256": hexs(64)}, "length": rng.randrange(1, 1 << 40)}
        if rng.random() < 0.3:
            t["hashes"]["sha512"] = hexs(128)
        if rng.random() < 0.2:
            t["custom"] = {"release": {"channel": rng.choice(["stable", "beta"]), "build": rng.randrange(1000)},
                           "notes": "line one\nline two\t\u00a7", "flags": [True, False, None, -1, 0]}
        targets[name] = t
    delegations = {
        "keys": {hexs(64): {"keytype": "ed25519", "keyval": {"public": hexs(64)}, "scheme": "ed25519"}},
        "roles": [
            {"keyids": [], "name": "pkg-role", "paths": ["pkg/*", "pkg/*/*.tar.gz"], "terminating": True,
             "threshold": 1},
            {"keyids": [], "name": "bins", "path_hash_prefixes": ["00", "01", "ff"], "terminating": False,
             "threshold": 1},
        ],
    }
    kid = next(iter(delegations["keys"]))
    for r in delegations["roles"]:
        r["keyids"].append(kid)
    signed = {"_type": "targets", "delegations": delegations, "expires": "2031-12-31T23:59:59Z",
              "spec_version": "1.0.31", "targets": targets, "version": 42}
    return {"signatures": [{"keyid": hexs(64), "sig": hexs(128)}], "signed": signed}


def nested(levels, inner):
    s = inner
    for i in range(levels):
        s = ('{"a":%s}' % s) if i % 2 else ("[%s]" % s)
    return s


def valid_vectors():
    v = {}
    v["int_zero"] = b"0"
    v["int_neg_zero"] = b"-0"
    v["int_max"] = b"9223372036854775807"
    v["int_min"] = b"-9223372036854775808"
    v["ints_array"] = (b"[0,-0,1,-1,7,10,-10,100,123456789,-123456789,4294967296,-4294967297,"
                       b"9007199254740993,9223372036854775807,-9223372036854775808]")
    v["lit_true"] = b"true"
    v["lit_false"] = b"false"
    v["lit_null"] = b"null"
    v["literals_array"] = b"[true,false,null]"
    v["string_empty"] = b'""'
    v["string_ascii"] = b'"hello, world ~!@#$%^&*()_+{}[]|:;<>?,./"'
    v["empty_object"] = b"{}"
    v["empty_array"] = b"[]"
    v["empty_nested"] = b'[{},[],"",{"":[]},[[]],{"e":{}}]'
    v["empty_key"] = b'{"":0}'
    v["ws_variants"] = b' \t\r\n{ \t"b" \n:\r1 ,\t"a"\n:\n[ 1 ,2 , { } ,[ ] ] , "c" : "x y" }\r\n\t '
    v["ws_scalar"] = b"\n  42  \n"
    v["ws_pretty"] = json.dumps({"k": [1, {"n": None}], "j": "v"}, indent=4).encode()
    v["unicode_bmp_escapes"] = b'"\\u00e9\\u00E9\\u4e2d\\u0080\\u07ff\\u0800\\uffff\\ufeff\\u2028\\u00a0"'
    v["unicode_raw"] = '"\u00e9\u4e2d\u20ac\u00ff\U0001F600\U0010FFFF\u07ff\u0800"'.encode()
    v["unicode_astral_escapes"] = b'"\\ud83d\\ude00 \\uD83D\\uDE00 \\ud800\\udc00 \\udbff\\udfff"'
    v["unicode_mixed"] = '["caf\\u00e9", "caf\u00e9", "\\ud83d\\ude00\U0001F600", "\\u00e9\u00e9\\u00e9"]'.encode()
    v["control_escapes"] = b'"\\n\\t\\r\\b\\f\\u0001\\u001f\\u001F\\u007f\\u0008"'
    v["control_all"] = ("[" + ",".join('"\\u%04x"' % c for c in range(1, 32)) + "]").encode()
    v["raw_del"] = b'"a\x7fb"'
    v["quotes_backslashes"] = b'"a\\"b\\\\c\\\\\\"d\\"\\"\\\\\\\\"'
    v["solidus"] = b'"\\/ and / and \\\\/ \\u002f"'
    v["escapes_in_keys"] = b'{"\\"q\\"":1,"back\\\\slash":2,"tab\\there":3,"nl\\n":4,"\\/":5}'
    v["key_order_ascii"] = b'{"b":1,"a":2,"aa":3,"Z":4,"ab":5,"A":6,"":7,"a ":8," ":9,"a\\"":10,"a\\\\":11,"~":12}'
    v["key_order_unicode"] = ('{"\u00e9":1,"z":2,"e":3,"\\ud83d\\ude00":4,"\\uffff":5,"\\uff5e":6,'
                              '"\u00fc":7,"\u00e9a":8,"\u00e9\u00e9":9,"\U0001F600a":10,"\u0800":11,"\u07ff":12}').encode()
    v["key_order_escaped_vs_raw"] = b'{"\\u0062":1,"a":2,"\\u0061b":3}'
    v["key_prefixes"] = b'{"abc":1,"ab":2,"a":3,"abcd":4,"b":5,"abd":6}'
    v["deep_64_arrays"] = (b"[" * 64) + (b"]" * 64)
    v["deep_64_mixed"] = nested(64, "1").encode()
    v["deep_64_objects"] = (b'{"k":' * 63) + b"{}" + (b"}" * 63)
    keys = ["k%04d" % i for i in range(1000)]
    rng.shuffle(keys)
    v["large_object_shuffled"] = ("{" + ",".join('"%s":%d' % (k, i) for i, k in enumerate(keys)) + "}").encode()
    pieces = []
    for i in range(20000):
        pieces.append(rng.choice(["ab", "\\n", '\\"', "\\\\", "\\u00e9", "\u00e9", "\\ud83d\\ude00", "/", "\\/", " "]))
    v["long_string_escapes"] = ('"' + "".join(pieces) + '"').encode()
    v["long_array"] = ("[" + ",".join(str(rng.randrange(-(1 << 63), 1 << 63)) for _ in range(2000)) + "]").encode()
    v["nested_mixed"] = b'{"arr":[1,"two",{"three":3},[4,[5]],null,true,false],"obj":{"z":{"y":{"x":[]}}},"n":-0}'
    root = tuf_root()
    targets = tuf_targets()
    # python-tuf writes metadata with indent=1 and sorted keys.
    v["tuf_root"] = json.dumps(root, indent=1, sort_keys=True).encode()
    # Canonical JSON is JSON only when no string holds a control character
    # (the PEM key's newlines are raw in canonical form), so this one has none.
    v["tuf_root_canonical"] = encode_canonical(tuf_root(with_pem=False)).encode()
    v["tuf_targets"] = json.dumps(targets, indent=1, sort_keys=True).encode()
    v["tuf_targets_unsorted"] = json.dumps(shuffled_dict(targets), indent="\t", ensure_ascii=False,
                                           separators=(" ,", " : ")).encode()
    v["tuf_root_unsorted_compact"] = json.dumps(shuffled_dict(root), separators=(",", ":")).encode()
    return v


def invalid_vectors():
    e = "EFORMAT"
    v = {}
    add = lambda name, data, code=e: v.__setitem__(name, (data, code))
    add("empty", b"")
    add("ws_only", b" \n\t\r ")
    add("dup_key", b'{"a":1,"a":2}')
    add("dup_key_escaped", b'{"a":1,"\\u0061":2}')
    add("dup_key_escaped_first", b'{"\\u0061":1,"a":2}')
    add("dup_key_unsorted", b'{"b":1,"a":2,"b":3}')
    add("dup_key_unsorted_far", ("{" + ",".join('"k%03d":0' % i for i in range(200, 0, -1)) + ',"k100":1}').encode())
    add("dup_key_nested", b'{"x":{"k":1,"j":0,"k":2}}')
    add("dup_key_astral", '{"\\ud83d\\ude00":1,"\U0001F600":2}'.encode())
    add("dup_key_empty", b'{"":1,"":2}')
    add("dup_key_in_array", b'[{"a":1},{"a":1,"b":2,"a":3}]')
    add("depth_65_arrays", (b"[" * 65) + (b"]" * 65))
    add("depth_65_objects", (b'{"k":' * 64) + b"{}" + (b"}" * 64))
    add("depth_65_mixed", nested(65, "1").encode())
    add("depth_65_unclosed", b"[" * 65)
    add("trailing_garbage", b"{}x")
    add("trailing_value", b"[1] 2")
    add("trailing_brace", b'{"a":1}}')
    add("trailing_scalar", b"1 1")
    add("trailing_word", b"truex")
    add("trailing_nul", b"[1]\x00")
    add("trailing_comma_array", b"[1,]")
    add("trailing_comma_object", b'{"a":1,}')
    add("comma_only_object", b"{,}")
    add("comma_only_array", b"[,]")
    add("leading_comma", b"[,1]")
    add("double_comma", b"[1,,2]")
    add("missing_comma", b"[1 2]")
    add("missing_comma_object", b'{"a":1 "b":2}')
    add("missing_colon", b'{"a" 1}')
    add("missing_value", b'{"a":}')
    add("non_string_key", b"{1:2}")
    add("bare_key", b"{a:1}")
    add("single_quotes", b"['a']")
    add("comment_block", b"[1 /* c */]")
    add("comment_line", b"// c\n1")
    add("mismatched_close", b"[1}")
    add("mismatched_close_obj", b'{"a":1]')
    add("lone_close", b"]")
    add("leading_zero", b"01")
    add("leading_zero_neg", b"-01")
    add("double_zero", b"00")
    add("leading_zero_in_array", b"[012]")
    add("minus_alone", b"-")
    add("minus_in_array", b"[-]")
    add("minus_letter", b"-a")
    add("plus", b"+1")
    add("real_one", b"1.0")
    add("real_half", b"[0.5]")
    add("real_neg_zero", b"-0.0")
    add("real_in_object", b'{"version":1.5}')
    add("exp_lower", b"1e3")
    add("exp_upper", b"1E3")
    add("exp_neg", b"1e-3")
    add("exp_plus", b"[1e+3]")
    add("exp_zero", b"0e0")
    add("real_overflow", b"1e999")
    add("dot_trailing", b"1.")
    add("dot_leading", b".5")
    add("exp_empty", b"1e")
    add("nan", b"NaN")
    add("infinity", b"[Infinity]")
    add("neg_infinity", b"-Infinity")
    add("int_2p63", b"9223372036854775808")
    add("int_neg_2p63_minus_1", b"-9223372036854775809")
    add("int_2p64", b"18446744073709551616")
    add("int_huge", b"[99999999999999999999999]")
    add("hex_number", b"0x10")
    add("lone_high_surrogate", b'"\\ud800"')
    add("high_surrogate_then_char", b'"\\ud800x"')
    add("high_surrogate_then_bmp_escape", b'"\\ud800\\u0041"')
    add("high_surrogate_twice", b'"\\ud800\\ud800"')
    add("high_surrogate_at_end", b'"\\udbff')
    add("lone_low_surrogate", b'"\\udc00"')
    add("reversed_surrogates", b'"\\udfff\\ud800"')
    add("surrogate_key", b'{"\\ud800":1}')
    add("utf8_surrogate_d800", b'"\xed\xa0\x80"')
    add("utf8_surrogate_dfff", b'"\xed\xbf\xbf"')
    add("utf8_surrogate_pair_cesu", b'"\xed\xa0\xbd\xed\xb8\x80"')
    add("overlong_2_c0", b'"\xc0\xaf"')
    add("overlong_2_c1", b'"\xc1\xbf"')
    add("overlong_3", b'"\xe0\x80\xaf"')
    add("overlong_3_max", b'"\xe0\x9f\xbf"')
    add("overlong_4", b'"\xf0\x8f\xbf\xbf"')
    add("overlong_nul", b'"\xc0\x80"')
    add("above_10ffff", b'"\xf4\x90\x80\x80"')
    add("lead_f5", b'"\xf5\x80\x80\x80"')
    add("byte_ff", b'"\xff"')
    add("byte_fe", b'"\xfe"')
    add("bad_continuation_2", b'"\xc3\x28"')
    add("bad_continuation_3", b'"\xe2\x82\x28"')
    add("bad_continuation_4", b'"\xf0\x9f\x98\x28"')
    add("lone_continuation", b'"\x80"')
    add("truncated_seq_2", b'"\xc3"')
    add("truncated_seq_3", b'"\xe2\x82"')
    add("truncated_seq_at_eof", b'"\xe2\x82')
    add("bad_utf8_in_key", b'{"\xc3\x28":1}')
    add("utf8_outside_string", b"[1]\xff")
    add("bom", b"\xef\xbb\xbf{}")
    add("nbsp_whitespace", b"\xc2\xa01")
    add("raw_nul", b'"\x00"')
    add("raw_soh", b'"\x01"')
    add("raw_newline", b'"a\nb"')
    add("raw_tab", b'"\t"')
    add("raw_us", b'"\x1f"')
    add("raw_control_in_key", b'{"a\x0a":1}')
    add("nul_escape", b'"\\u0000"')
    add("nul_escape_key", b'{"\\u0000":1}')
    add("nul_escape_mid", b'"ab\\u0000cd"')
    add("escape_x", b'"\\x41"')
    add("escape_upper_u", b'"\\U0041"')
    add("escape_bad_hex", b'"\\u00g0"')
    add("escape_short_hex", b'"\\u12"')
    add("escape_a", b'"\\a"')
    add("escape_single_quote", b"\"\\'\"")
    add("escape_unterminated", b'"\\"')
    add("escape_at_eof", b'"\\')
    add("escape_zero", b'"\\0"')
    add("unterminated_string", b'"abc')
    add("unterminated_array", b"[1")
    add("unterminated_array_comma", b"[1,")
    add("unterminated_object", b'{"a":1')
    add("unterminated_key", b'{"a')
    add("unterminated_after_key", b'{"a"')
    add("unterminated_after_colon", b'{"a":')
    add("open_bracket", b"[")
    add("open_brace", b"{")
    add("literal_short_true", b"tru")
    add("literal_short_null", b"[nul]")
    add("literal_case_true", b"True")
    add("literal_case_null", b"NULL")
    add("literal_short_false", b"fals")
    add("formfeed_ws", b"\x0c1")
    add("vtab_ws", b"[1,\x0b2]")
    add("two_roots", b"{}{}")
    # The canonical form of a string with a newline holds it raw: not JSON.
    add("canonical_raw_newline", encode_canonical({"public": "-----BEGIN\n"}).encode())
    add("string_then_string", b'"a" "b"')
    return v


def allow_nul_vectors():
    """Inputs that hold "\u0000": valid JSON (RFC 8259), refused by both
    parsers by default and accepted by util/jdoc with allow_nul (TUF
    "custom" metadata is opaque JSON).  NAME -> (data, None) when valid,
    (data, CODE) when invalid even with allow_nul."""
    v = {}
    v["nul_string"] = (b'"\\u0000"', None)
    v["nul_mid"] = (b'"ab\\u0000cd"', None)
    v["nul_key"] = (b'{"\\u0000":1}', None)
    v["nul_controls"] = (b'["\\u0000\\u0001\\u001f","\\u0000\\n\\t",'
                         b'"\\u0000\\\\\\"/\\u0000"]', None)
    v["nul_key_order"] = (b'{"a\\u0000":1,"a":2,"a\\u0000b":3,"\\u0000":4,"":5,"a\\u0001":6,'
                          b'"\\u0000\\u0000":7}', None)
    # Keys that a C string would cut to the same "a" are different keys.
    v["nul_not_duplicate"] = (b'{"a":1,"a\\u0000":2,"a\\u0000\\u0000":3}', None)
    custom = {"note": "a\u0000b", "\u0000key": ["\u0000", "x\u0000\u0001\n"], "plain": 1}
    signed = {"_type": "targets", "expires": "2031-12-31T23:59:59Z", "spec_version": "1.0.31",
              "targets": {"file.txt": {"custom": custom, "hashes": {"sha256": "ab" * 32}, "length": 4}},
              "version": 3}
    doc = {"signatures": [{"keyid": "cd" * 32, "sig": "ef" * 64}], "signed": signed}
    v["nul_tuf_targets_custom"] = (json.dumps(doc, indent=1, sort_keys=True).encode(), None)
    v["nul_dup_key"] = (b'{"a\\u0000":1,"a\\u0000":2}', "EFORMAT")
    v["nul_dup_key_unsorted"] = (b'{"b":0,"a\\u0000":1,"\\u0061\\u0000":2}', "EFORMAT")
    v["nul_raw_byte"] = (b'"a\x00b"', "EFORMAT")
    return v


def no_duplicates(pairs):
    """object_pairs_hook: Python keeps the last duplicate; a valid vector has none."""
    d = dict(pairs)
    if len(d) != len(pairs):
        raise ValueError("duplicate key")
    return d


def main():
    for sub in ("valid", "invalid"):
        os.makedirs(os.path.join(HERE, sub), exist_ok=True)
    valid = valid_vectors()
    with open(os.path.join(HERE, "valid.txt"), "w") as idx:
        for name, data in valid.items():
            try:
                value = json.loads(data.decode("utf-8"), object_pairs_hook=no_duplicates)
            except ValueError as err:
                sys.exit("valid vector %s does not parse: %s" % (name, err))
            canon = encode_canonical(value).encode("utf-8")
            with open(os.path.join(HERE, "valid", name + ".json"), "wb") as f:
                f.write(data)
            with open(os.path.join(HERE, "valid", name + ".canon"), "wb") as f:
                f.write(canon)
            idx.write(name + "\n")
    invalid = invalid_vectors()
    with open(os.path.join(HERE, "invalid.txt"), "w") as idx:
        for name, (data, code) in invalid.items():
            with open(os.path.join(HERE, "invalid", name + ".json"), "wb") as f:
                f.write(data)
            idx.write("%s %s\n" % (name, code))
    nul = allow_nul_vectors()
    os.makedirs(os.path.join(HERE, "allow_nul"), exist_ok=True)
    with open(os.path.join(HERE, "allow_nul.txt"), "w") as idx:
        for name, (data, code) in nul.items():
            with open(os.path.join(HERE, "allow_nul", name + ".json"), "wb") as f:
                f.write(data)
            if code is None:
                value = json.loads(data.decode("utf-8"), object_pairs_hook=no_duplicates)
                with open(os.path.join(HERE, "allow_nul", name + ".canon"), "wb") as f:
                    f.write(encode_canonical(value).encode("utf-8"))
            idx.write("%s %s\n" % (name, code or "ok"))
    print("%d valid, %d invalid, %d allow_nul vectors" % (len(valid), len(invalid), len(nul)), file=sys.stderr)


if __name__ == "__main__":
    main()
