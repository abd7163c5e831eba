#!/usr/bin/env python3
"""check_public_api.py - the rules of docs/CODE_STYLE.md "Public API" for
every function declared in include/rampart/*.h.

  check_public_api.py INCLUDE_DIR [C_COMPILER [CXX_COMPILER]]

Checks, from the headers' text:
  - every function returning a value is declared RAMPART_MUST_USE;
  - a `rampart_error *` parameter is the last one;
  - a constructor (rampart_TYPE_new/_parse/_load/_load_file/_open/_init/_dup,
    TYPE an opaque handle) takes `rampart_TYPE **` first; no other function
    takes an out-parameter (`T **`) first;
  - every header states its thread-safety rule.
With a C compiler, also that RAMPART_MUST_USE takes effect: ignoring a
result does not compile with -Werror (from C, and from C++ when a C++
compiler is given), while using it does.

Exit status 0 when every rule holds, 1 otherwise (each failure on stderr).
"""
import os
import re
import subprocess
import sys
import tempfile

CTOR_VERBS = ("new", "parse", "load", "load_file", "open", "init", "dup")


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def split_params(params):
    """Splits a parameter list at the commas outside parentheses."""
    out, depth, cur = [], 0, ""
    for ch in params:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        out.append(cur.strip())
    return out


DECL = re.compile(r"\bRAMPART_API\s+(?P<ret>[^;()]*?)\b(?P<name>rampart_\w+)\s*\(")


def parse_header(path):
    """Yields (name, return type, parameters, attributes, line) per declaration."""
    text = strip_comments(open(path, encoding="utf-8").read())
    # Skip the macro definitions of error.h (#define RAMPART_API ...).
    text = re.sub(r"^\s*#.*$", "", text, flags=re.M)
    for m in DECL.finditer(text):
        # The parameter list ends at the matching ')' (callbacks nest).
        start = m.end()
        depth, i = 1, start
        while depth:
            if text[i] == "(":
                depth += 1
            elif text[i] == ")":
                depth -= 1
            i += 1
        params = text[start:i - 1]
        rest = text[i:text.index(";", i)]
        line = text.count("\n", 0, m.start()) + 1
        yield m.group("name"), " ".join(m.group("ret").split()), split_params(params), rest.strip(), line


def handle_types(texts):
    names = set()
    for t in texts:
        names.update(re.findall(r"typedef\s+struct\s+(rampart_\w+)\s+\1\s*;", t))
    return names


def check_headers(incdir):
    errors = []
    headers = sorted(f for f in os.listdir(incdir) if f.endswith(".h"))
    texts = {h: open(os.path.join(incdir, h), encoding="utf-8").read() for h in headers}
    handles = handle_types(texts.values())
    nfun = nctor = 0
    for h in headers:
        where = os.path.join("include", "rampart", h)
        opening = re.match(r"\s*/\*.*?\*/", texts[h], re.S)
        if opening is None or not re.search(r"\bThread(s| safety):", opening.group(0)):
            errors.append(f"{where}: the opening comment states no thread-safety rule ('Thread safety:')")
        for name, ret, params, attrs, line in parse_header(os.path.join(incdir, h)):
            nfun += 1
            at = f"{where}:{line}: {name}"
            if ret != "void" and "RAMPART_MUST_USE" not in attrs:
                errors.append(f"{at}: returns '{ret}' but is not declared RAMPART_MUST_USE")
            if ret == "void" and "RAMPART_MUST_USE" in attrs:
                errors.append(f"{at}: returns nothing but is declared RAMPART_MUST_USE")
            if params == ["void"]:
                params = []
            for i, p in enumerate(params):
                if re.match(r"(const\s+)?rampart_error\s*\*\s*\w*$", p) and i != len(params) - 1:
                    errors.append(f"{at}: its rampart_error * parameter is not the last")
            ctor = next((t for t in handles for v in CTOR_VERBS if name == f"{t}_{v}"), None)
            first = params[0] if params else ""
            if ctor is not None:
                nctor += 1
                if not re.match(rf"{ctor}\s*\*\*\s*\w+$", first):
                    errors.append(f"{at}: a constructor of {ctor} must take '{ctor} **out' first, not '{first}'")
            elif re.match(r"(const\s+)?\w+\s*\*\s*\*\s*\w+$", first):
                errors.append(f"{at}: the out-parameter '{first}' comes first, but {name} is not a constructor")
    if nfun < 50:
        errors.append(f"only {nfun} public functions found: the parser no longer reads the headers")
    return errors, nfun, nctor


def compiles(compiler, lang, std, incdir, source):
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, "t." + ("c" if lang == "c" else "cc"))
        with open(src, "w", encoding="utf-8") as f:
            f.write(source)
        r = subprocess.run([compiler, "-x", lang, f"-std={std}", "-Wall", "-Wextra", "-Werror", "-c", "-o", os.devnull,
                            "-I", os.path.dirname(incdir), src], capture_output=True, text=True)
        return r.returncode == 0, r.stderr


IGNORED = """#include <rampart/rampart.h>
int main(void)
{
    rampart_selftest(0);
    return 0;
}
"""
USED = """#include <rampart/rampart.h>
int main(void)
{
    int rc = rampart_selftest(0);
    return rc == RAMPART_OK && rampart_error_kind(rc) == RAMPART_KIND_OK ? 0 : 1;
}
"""


def check_compilers(incdir, cc, cxx):
    errors = []
    for compiler, lang, std in ((cc, "c", "c11"), (cxx, "c++", "c++11")):
        if not compiler:
            continue
        ok, err = compiles(compiler, lang, std, incdir, USED)
        if not ok:
            errors.append(f"{compiler} ({lang}): a program using the results does not compile:\n{err}")
        ok, _ = compiles(compiler, lang, std, incdir, IGNORED)
        if ok:
            errors.append(f"{compiler} ({lang}): ignoring rampart_selftest()'s result compiles: "
                          "RAMPART_MUST_USE has no effect")
    return errors


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    incdir = os.path.abspath(argv[1])
    errors, nfun, nctor = check_headers(incdir)
    errors += check_compilers(incdir, argv[2] if len(argv) > 2 else None, argv[3] if len(argv) > 3 else None)
    for e in errors:
        print(e, file=sys.stderr)
    print(f"{nfun} public functions, {nctor} of them constructors: {len(errors)} problems")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
