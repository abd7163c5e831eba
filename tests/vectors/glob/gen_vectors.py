#!/usr/bin/env python3
"""Writes cases.json: delegation path patterns (TUF 4.5 PATHPATTERN) and
target paths, each with python-tuf's verdict on whether the pattern covers
the path.  The oracle is python-tuf itself (DelegatedRole's pattern check,
called, not copied); see README.md.  Run once; the output is committed as data.

    PYTHONPATH=~/.cache/rampart-peers/python-tuf:~/.cache/rampart-peers/securesystemslib \
        python3 gen_vectors.py
"""
import json
import os
import random

from tuf.api.metadata import DelegatedRole

HERE = os.path.dirname(os.path.abspath(__file__))
rng = random.Random(20250611)  # fixed seed: the output is reproducible

# Written by hand: each names a rule (the comment says which).
HAND = [
    # '/' inside a bracket: the pattern is split at it first, so "[a" and "!]"
    # are literal ("[" without its "]" is a literal '[').
    ("x[a/!]y", "x[a/!]y"), ("x[a/!]y", "xay"), ("x[a/!]y", "x!y"), ("x[a/!]y", "x/y"),
    ("[a/]b", "[a/]b"), ("[a/]b", "a"), ("a[/]b", "a/b"), ("a[/]b", "a[/]b"),
    ("a[!/]b", "a[!/]b"), ("a[!/]b", "axb"), ("[/]", "[/]"), ("[/]", "/"),
    # wildcards never cross '/': one segment each
    ("*", "a/b"), ("*/*", "a/b"), ("a?b", "a/b"), ("*.md", "docs/a.md"), ("docs/*.md", "docs/a.md"),
    ("a/*", "a/"), ("a/*", "a"), ("*/", "a/"), ("", ""), ("*", ""), ("/a", "/a"), ("/*", "/a"), ("*", "/a"),
    ("a//b", "a//b"), ("a/*/b", "a//b"), ("a*/b", "a/b"), ("**", "a/b"), ("**/**", "a/b"),
    # brackets: negation is '!', '^' is a literal, ']' first is a literal
    ("[!a]", "b"), ("[!a]", "a"), ("[^a]", "^"), ("[^a]", "b"), ("[]]", "]"), ("[]a]", "a"), ("[!]]", "]"),
    ("[!]]", "x"), ("[!]", "[!]"), ("[!]", "!"), ("[]", "[]"), ("[", "["), ("a[", "a["), ("[[]", "["),
    ("[a-c]", "b"), ("[a-c]", "d"), ("[c-a]", "b"), ("[c-a]", "c"), ("[!c-a]", "x"), ("[a-]", "-"),
    ("[-a]", "-"), ("[--]", "-"), ("[a-c-e]", "-"), ("[a-c-e]", "d"), ("[a-c-e]", "e"), ("[a--]", "a"),
    ("[az-ab]", "b"), ("[az-ab]", "m"), ("[\\]", "\\"), ("[\\-a]", "_"), ("\\*", "\\x"), ("\\*", "*"),
    ("[&&]", "&"), ("[~~]", "~"), ("[||]", "|"), ("[a&&b]", "&"),
    # code points, not bytes
    ("?", "\u00e9"), ("??", "\u00e9"), ("[\u00e0-\u00ff]", "\u00e9"), ("[!\u00e9]", "\u00e9"),
    ("?", "\U0001F600"), ("[\U0001F600-\U0001F64F]", "\U0001F60A"), ("*\u00e9", "caf\u00e9"),
    ("\u00e9*", "\u00e9t\u00e9"), ("[\u00e9]", "e"),
    # case-sensitive
    ("README.MD", "README.md"), ("[A-Z]", "a"),
    # the specification's examples
    ("targets/*.tgz", "targets/foo.tgz"), ("targets/*.tgz", "targets/foo.txt"),
    ("foo-version-?.tgz", "foo-version-2.tgz"), ("foo-version-?.tgz", "foo-version-alpha.tgz"),
    ("*.tgz", "targets/foo.tgz"), ("foo.tgz", "foo.tgz"),
]

PAT_ALPHABET = ["a", "b", "/", "*", "?", "[", "]", "!", "-", "^", "\\", "\u00e9", "\U0001F600", "z"]
PATH_ALPHABET = ["a", "b", "/", "-", "!", "]", "[", "^", "\\", "\u00e9", "\U0001F600", "z", "*", "?"]


def instantiate(pat):
    """A path the pattern may well cover: wildcards filled in at random."""
    out = []
    for c in pat:
        no_slash = [x for x in PATH_ALPHABET if x != "/"]
        if c == "*":
            out.extend(rng.choice(no_slash) for _ in range(rng.randrange(0, 3)))
        elif c == "?":
            out.append(rng.choice(no_slash))
        elif c in "[]!-^" and rng.random() < 0.5:
            out.append(rng.choice(no_slash))
        else:
            out.append(c)
    return "".join(out)


def main():
    cases = []
    seen = set()
    for pat, path in HAND:
        seen.add((pat, path))
        cases.append([pat, path, DelegatedRole._is_target_in_pathpattern(path, pat)])
    while len(cases) < 12000:
        pat = "".join(rng.choice(PAT_ALPHABET) for _ in range(rng.randrange(0, 9)))
        # Half the paths are drawn from the pattern itself, so that matches
        # are not rare; the others at random.
        if rng.random() < 0.5:
            path = instantiate(pat)
        else:
            path = "".join(rng.choice(PATH_ALPHABET) for _ in range(rng.randrange(0, 7)))
        if (pat, path) in seen:
            continue
        seen.add((pat, path))
        cases.append([pat, path, DelegatedRole._is_target_in_pathpattern(path, pat)])
    doc = {
        "about": "TUF delegation path patterns: [pattern, target path, covered] as python-tuf 5.1.0 judges them "
                 "(tests/vectors/glob/README.md)",
        "cases": cases,
    }
    with open(os.path.join(HERE, "cases.json"), "w", encoding="utf-8") as f:
        f.write('{"about": %s,\n"cases": [\n' % json.dumps(doc["about"]))
        f.write(",\n".join(json.dumps(c, ensure_ascii=False) for c in cases))
        f.write("\n]}\n")
    print("%d cases, %d covered" % (len(cases), sum(1 for c in cases if c[2])))


if __name__ == "__main__":
    main()
