#!/usr/bin/env bash
# test_manpage.sh - docs/man/rampart.1 renders without a single groff
# warning, and cannot fall behind the CLI:
#   - every command that `rampart --help` lists, and every subcommand in the
#     usage lines of `rampart COMMAND --help`, is documented in the page's
#     SYNOPSIS and in its COMMANDS section (a line "rampart COMMAND ... SUB",
#     SUB being the first lower-case word after the command, as in the usage
#     lines themselves);
#   - every option (--long or -x) that any of those help texts prints, and
#     every option that the parsers in cli/*.c accept (option tables with
#     their short letters, options compared by hand), appears in the page's
#     OPTIONS or COMMANDS section.
# groff is not optional here: scripts/bootstrap installs it (groff-base),
# so a missing groff fails the test instead of skipping it.
here=$(cd "$(dirname "$0")/.." && pwd)
source "$here/lib/common.sh"
: "${RAMPART:?}" "${RAMPART_SRC:?}"
page=$RAMPART_SRC/docs/man/rampart.1

if ! command -v groff >/dev/null 2>&1; then
    t_bad "groff is not installed, so the man page cannot be checked (scripts/bootstrap installs groff-base)"
    t_done
    exit 1
fi
if [ ! -f "$page" ]; then
    t_bad "no man page at $page"
    t_done
    exit 1
fi

# (a) Rendering: every groff warning (-ww) fails the test.
if groff -man -ww -z -Tutf8 "$page" 2>"$T_WORK/warnings" && [ ! -s "$T_WORK/warnings" ]; then
    t_ok "groff -man -ww renders rampart.1 without warnings"
else
    t_bad "groff -man -ww warns about rampart.1:"
    sed 's/^/    | /' "$T_WORK/warnings" | head -40
fi

# (b), (c) The text as a reader sees it: wide lines and no hyphenation, so
# that a synopsis line or an option name is never split, and no
# overstriking or escape sequences.
if ! groff -man -Tutf8 -rLL=200n -rHY=0 -P-cbou "$page" >"$T_WORK/page.txt" 2>"$T_WORK/render.err"; then
    t_bad "groff cannot render rampart.1: $(head -5 "$T_WORK/render.err")"
    t_done
    exit 1
fi

python3 - "$RAMPART" "$RAMPART_SRC" "$T_WORK/page.txt" >"$T_WORK/checks" 2>&1 <<'PY'
import glob, os, re, subprocess, sys

rampart, src, page_txt = sys.argv[1:4]
text = open(page_txt, encoding="utf-8").read()
# groff may render "-" as a hyphen or minus sign glyph
text = text.translate({0x2010: "-", 0x2011: "-", 0x2212: "-"})

sections, cur = {}, None
for line in text.splitlines():
    if re.fullmatch(r"[A-Z][A-Z ]*[A-Z]", line):
        cur = line
        sections.setdefault(cur, [])
    elif cur is not None:
        sections[cur].append(line)
for name in ("SYNOPSIS", "OPTIONS", "COMMANDS"):
    if name not in sections:
        print(f"FAILED - the man page has no {name} section")
        sys.exit(0)

# An option: --long-name or -x, not part of a longer word.
OPT = re.compile(r"(?<![A-Za-z0-9_-])(--[A-Za-z][A-Za-z0-9-]*|-[A-Za-z])(?![A-Za-z0-9_-])")
documented = set(OPT.findall("\n".join(sections["OPTIONS"] + sections["COMMANDS"])))
WORD = re.compile(r"[a-z][a-z0-9-]*")


def first_word(tokens):
    """The subcommand of a usage line: its first bare lower-case word (options
    start with '-', their values and the operands are upper case, optional
    parts are bracketed)."""
    return next((t for t in tokens if WORD.fullmatch(t)), None)


def page_commands(lines, cmd):
    """(is `rampart cmd` documented, the subcommands documented) in `lines`:
    lines that start with "rampart CMD"."""
    pat = re.compile(r"^\s*rampart\s+" + re.escape(cmd) + r"(?=\s|$)(.*)$")
    seen, subs = False, set()
    for line in lines:
        m = pat.match(line)
        if m:
            seen = True
            w = first_word(m.group(1).split())
            if w:
                subs.add(w)
    return seen, subs


def usage_subcommands(help_text, cmd):
    """Subcommands named by the usage block (up to the first blank line):
    each entry starts "rampart CMD" and runs over its continuation lines."""
    start = re.compile(r"^\s*(?:usage:\s*)?rampart\s+" + re.escape(cmd) + r"(?=\s|$)(.*)$")
    entries = []
    for line in help_text.splitlines():
        if not line.strip():
            break
        m = start.match(line)
        if m:
            entries.append(m.group(1).split())
        elif entries:
            entries[-1] += line.split()
    subs = []
    for tokens in entries:
        w = first_word(tokens)
        if w and w not in subs:
            subs.append(w)
    return len(entries), subs


def run(args):
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
    return p.returncode, p.stdout.decode("utf-8", "replace")


syn = {}
body = {}


def check_command(cmd, origin):
    ok = True
    for where, lines in (("SYNOPSIS", sections["SYNOPSIS"]), ("COMMANDS", sections["COMMANDS"])):
        seen, subs = page_commands(lines, cmd)
        (syn if where == "SYNOPSIS" else body)[cmd] = subs
        if not seen:
            print(f"FAILED - command 'rampart {cmd}' ({origin}) is missing from the man page's {where}")
            ok = False
    return ok


def check_options(opts, origin):
    missing = sorted(o for o in opts if o not in documented)
    for o in missing:
        print(f"FAILED - option {o} ({origin}) is not documented in the man page (OPTIONS or COMMANDS)")
    if opts and not missing:
        print(f"ok - {origin}: all {len(opts)} options documented")
    return not missing


rc, top = run([rampart, "--help"])
if rc != 0 or not top.startswith("usage:"):
    print(f"FAILED - 'rampart --help' exited {rc}: {top[:200]!r}")
    sys.exit(0)
commands, in_list = [], False
for line in top.splitlines():
    if line.strip() == "commands:":
        in_list = True
    elif in_list:
        m = re.match(r"^  (\S+)\s{2,}\S", line)
        if m:
            commands.append(m.group(1))
        elif not line.strip():
            break
if not commands:
    print("FAILED - parsed no commands from 'rampart --help' (has its format changed?)")
    sys.exit(0)
check_options(set(OPT.findall(top)), "printed by 'rampart --help'")

total_subs = 0
for cmd in commands:
    if check_command(cmd, "listed by 'rampart --help'"):
        print(f"ok - 'rampart {cmd}' is in SYNOPSIS and COMMANDS")
    rc, out = run([rampart, cmd, "--help"])
    if rc != 0:
        print(f"FAILED - 'rampart {cmd} --help' exited {rc}: {out[:200]!r}")
        continue
    if not out.startswith("usage:"):
        print(f"ok - 'rampart {cmd}' has no help text (no options)")
        continue
    nentries, subs = usage_subcommands(out, cmd)
    if nentries == 0:
        print(f"FAILED - found no 'rampart {cmd}' usage line in 'rampart {cmd} --help' (has its format changed?)")
    missing = []
    for sub in subs:
        for where, table in (("SYNOPSIS", syn), ("COMMANDS", body)):
            if sub not in table.get(cmd, set()):
                missing.append(sub)
                print(f"FAILED - subcommand 'rampart {cmd} {sub}' (listed by 'rampart {cmd} --help') "
                      f"is not documented in the man page's {where}")
    if subs and not missing:
        print(f"ok - 'rampart {cmd}': subcommands {', '.join(subs)} in SYNOPSIS and COMMANDS")
    total_subs += len(subs)
    check_options(set(OPT.findall(out)), f"printed by 'rampart {cmd} --help'")
if total_subs == 0:
    print("FAILED - parsed no subcommand from any help text (has their format changed?)")

# (c) What the parsers accept, whether or not a help text prints it.
total = 0
for path in sorted(glob.glob(os.path.join(src, "cli", "*.c"))):
    s = open(path, encoding="utf-8").read()
    opts = {"--" + n for n in re.findall(r'\{\s*"([A-Za-z0-9][A-Za-z0-9-]*)"\s*,\s*(?:no|required|optional)_argument', s)}
    # cli/opt.h tables: {"name", X_argument, ID, 'c', ...} also accept -c
    opts |= {"-" + c for c in re.findall(
        r'\{\s*"[A-Za-z0-9][A-Za-z0-9-]*"\s*,\s*(?:no|required|optional)_argument\s*,\s*[^,{}]+,\s*\'([A-Za-z])\'', s)}
    for optstring in re.findall(r'getopt_long\s*\([^,]+,[^,]+,\s*"([^"]*)"', s):
        opts |= {"-" + c for c in optstring if c.isalpha()}
    opts |= set(re.findall(r'strcmp\s*\(\s*\w+\s*,\s*"(--?[A-Za-z][A-Za-z0-9-]*)"\s*\)', s))
    total += len(opts)
    check_options(opts, f"accepted by cli/{os.path.basename(path)}")
if total == 0:
    print("FAILED - found no option in cli/*.c (has the parsing code moved?)")
PY
status=$?
while IFS= read -r line; do
    case $line in
        "ok - "*) t_ok "${line#ok - }" ;;
        "FAILED - "*) t_bad "${line#FAILED - }" ;;
        *) echo "    | $line" ;;
    esac
done <"$T_WORK/checks"
[ "$status" -eq 0 ] || t_bad "the checking script failed (exit $status)"

t_done
