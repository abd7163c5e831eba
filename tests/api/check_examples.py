#!/usr/bin/env python3
"""check_examples.py - the code examples of the public headers and of the docs
compile, so that they cannot drift from the API.

  check_examples.py SOURCE_DIR C_COMPILER

Examples:
  - in include/rampart/*.h, a comment paragraph introduced by a line ending in
    "Typical use:" or "(compiled by tests/api/check_examples.py):", made of
    the following lines indented by " *     ", up to the first line that is
    not (blank comment lines inside are kept);
  - in README.md and docs/*.md, every block fenced with ```c.
A block with an #include line is a whole translation unit; any other block
is the body of `int example(void)`, compiled after <stdio.h>, <stdlib.h>,
<string.h> and <rampart/rampart.h>.  Each is compiled as C11 with -Wall
-Wextra -Werror (unused variables and results allowed nowhere).

Exit status 0 when every example compiles and at least one per source kind
was found, 1 otherwise (each failure on stderr).
"""
import glob
import os
import re
import subprocess
import sys
import tempfile

PRELUDE = "#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n#include <rampart/rampart.h>\n"


def header_examples(path):
    lines = open(path, encoding="utf-8").read().split("\n")
    out = []
    i = 0
    while i < len(lines):
        if re.search(r"(Typical use|compiled by tests/api/check_examples\.py\)):\s*$", lines[i]):
            body, j = [], i + 1
            while j < len(lines) and (lines[j].startswith(" *     ") or lines[j].rstrip() == " *"):
                body.append(lines[j][7:] if lines[j].startswith(" *     ") else "")
                j += 1
            while body and body[-1] == "":
                body.pop()
            if body:
                out.append((f"{path}:{i + 1}", "\n".join(body)))
            i = j
        else:
            i += 1
    return out


def doc_examples(path):
    text = open(path, encoding="utf-8").read()
    out = []
    for m in re.finditer(r"^```c\n(.*?)^```", text, flags=re.S | re.M):
        line = text.count("\n", 0, m.start()) + 1
        out.append((f"{path}:{line}", m.group(1)))
    return out


def compile_example(cc, incdir, where, code):
    if re.search(r"^\s*#include", code, flags=re.M):
        src = code
    else:
        src = PRELUDE + "int example(void);\nint example(void)\n{\n" + code + "\n}\n"
    with tempfile.TemporaryDirectory() as d:
        f = os.path.join(d, "example.c")
        with open(f, "w", encoding="utf-8") as fh:
            fh.write(src)
        r = subprocess.run([cc, "-std=c11", "-Wall", "-Wextra", "-Werror", "-c", "-o", os.devnull, "-I", incdir, f],
                           capture_output=True, text=True)
    if r.returncode != 0:
        sys.stderr.write(f"{where}: the example does not compile:\n{r.stderr}\n")
        return False
    print(f"ok - {where}")
    return True


def main():
    src, cc = sys.argv[1], sys.argv[2]
    incdir = os.path.join(src, "include")
    hdr = [e for h in sorted(glob.glob(os.path.join(incdir, "rampart", "*.h"))) for e in header_examples(h)]
    docs = [e for f in [os.path.join(src, "README.md")] + sorted(glob.glob(os.path.join(src, "docs", "*.md")))
            for e in doc_examples(f)]
    ok = True
    if not hdr or not docs:
        sys.stderr.write(f"found {len(hdr)} header and {len(docs)} docs examples: expected some of each\n")
        ok = False
    for where, code in hdr + docs:
        ok = compile_example(cc, incdir, where, code) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
