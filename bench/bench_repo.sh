#!/usr/bin/env bash
# bench/bench_repo.sh - scale of the repository writer against the file
# system it writes to.  In one run, on one disk (the work folder), it times
# (wall, user and system CPU seconds, peak RSS; GNU time):
#   1. `cp -r` of the input folder (T small files),
#   2. `cp -r` of it followed by `sync` (what `repo add` must match: it
#      returns only once everything it added is durable),
#   3. `init` with BINS succinct hash bins,
#   4. `repo add` of the whole folder in one call,
#   5. the first publish (every bin signed, T target files served),
#   6. adding one more target, and
#   7. publishing that: one bin, the snapshot and the timestamp re-signed;
# then prints the ratios (add + publish) / (cp -r + sync) and
# (add + publish) / (cp -r) of wall times, the same of CPU seconds (user +
# system, which a shared machine moves less), and the one-target re-publish.  With RUNS=n (default 1) it repeats 1-7 n
# times and prints the median of each.
#
# No step runs right after a mass deletion: every step of a run writes to
# new names under run.N/, and the runs' files are removed only at the end,
# when the disk has the inodes and space for all runs (about 4 x TARGETS
# files per run); otherwise each run's files are removed before the next.
# ext4 without a journal (this project's CI machines) skips recently freed
# inodes when it allocates new ones, and scans past every one of them at
# each creation: creating a million files within 60 s of deleting a
# million (360 s while their inode table blocks are dirty) took 2-5x the
# system time here.  So after removing files the script syncs and waits
# SETTLE seconds (default 370) before the next timed step.
# Usage: bench/bench_repo.sh [TARGETS [BINS]]    (default 1000000 16384)
# Env: RAMPART (default build/release/cli/rampart), BENCH_DIR (work folder,
# default a new one under /tmp; removed unless KEEP=1), RUNS, SETTLE.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
T=${1:-1000000}
BINS=${2:-16384}
RUNS=${RUNS:-1}
SETTLE=${SETTLE:-370}
RAMPART=${RAMPART:-$here/build/release/cli/rampart}
W=${BENCH_DIR:-$(mktemp -d /tmp/rampart-bench-repo.XXXXXX)}
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$W"' EXIT

echo "bench_repo: $T targets, $BINS bins, $RUNS run(s), in $W ($("$RAMPART" --version))"
mkdir -p "$W/keys"
echo "file system: $(df -hT "$W" | awk 'NR == 2 {print $1, $2, $3 " size"}')"
for k in root targets snapshot timestamp bins; do
    [ -e "$W/keys/$k.key" ] || "$RAMPART" key generate --no-passphrase "$W/keys/$k" >/dev/null
done
keys=()
for k in root targets snapshot timestamp bins; do keys+=(--key "$W/keys/$k.key"); done

# settle: after a mass deletion, lets the file system's freed inodes age
# (see the header) so that the next step is timed as on a disk at rest.
settle() {
    sync
    echo "  (waiting ${SETTLE} s after removing files: freed inodes must age on ext4 without a journal)"
    sleep "$SETTLE"
}
if [ -f "$W/in.count" ] && [ "$(cat "$W/in.count")" = "$T" ]; then
    echo "reusing the $T input files in $W/in"
else
    echo "generating $T input files..."
    if [ -e "$W/in" ]; then
        rm -rf "$W/in"
        settle
    fi
    python3 - "$W/in" "$T" <<'PY'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
per = 1000
for i in range(n):
    d = os.path.join(root, "d%04d" % (i // per))
    if i % per == 0:
        os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "pkg-%07d.txt" % i), "w") as f:
        f.write("target %d\n" % i)
PY
    echo "$T" >"$W/in.count"
fi

R=$W/results
rm -f "$R"
# step KEY LABEL CMD...: runs CMD under GNU time, prints and records
# "KEY wall user sys".
step() {
    local key=$1 name=$2 out
    shift 2
    out=$({ /usr/bin/time -f "%e %U %S %M" "$@" >/dev/null; } 2>&1 | tail -1)
    read -r e u s m <<<"$out"
    printf '  %-40s %8.2f s  (user %6.2f, sys %6.2f, %s KB)\n' "$name" "$e" "$u" "$s" "$m"
    echo "$key $e $u $s" >>"$R"
}

if compgen -G "$W/run.*" >/dev/null || [ -e "$W/repo" ]; then
    rm -rf "$W"/run.* "$W/repo" "$W/copy" "$W/one.txt"
    settle
fi
# Room for every run side by side: inodes and 1 KiB blocks (a small file
# takes a 4 KiB block; folders and metadata are small next to that).
need_inodes=$((RUNS * (4 * T + 20000)))
read -r free_inodes free_kb < <(df --output=iavail,avail -k "$W" | awk 'NR == 2 {print $1, $2}')
keep_runs=1
if [ "$need_inodes" -gt "$free_inodes" ] || [ $((need_inodes * 4)) -gt "$free_kb" ]; then
    keep_runs=0
    echo "  (not room for $RUNS runs side by side: each run's files are removed before the next)"
fi
for run in $(seq 1 "$RUNS"); do
    echo "run $run:"
    D=$W/run.$run
    if [ "$run" -gt 1 ] && [ "$keep_runs" = 0 ]; then
        rm -rf "$W/run.$((run - 1))"
        settle
    fi
    mkdir -p "$D"
    sync
    step cp "cp -r" cp -r "$W/in" "$D/copy"
    sync
    step cpsync "cp -r + sync" sh -c 'cp -r "$1" "$2" && sync' sh "$W/in" "$D/copy2"
    step init "init ($BINS bins)" "$RAMPART" repo init "$D/repo" --root-key "$W/keys/root.pub" \
        --targets-key "$W/keys/targets.pub" --snapshot-key "$W/keys/snapshot.pub" \
        --timestamp-key "$W/keys/timestamp.pub" --bins "$BINS" --bins-key "$W/keys/bins.pub"
    sync
    step add "add $T targets" "$RAMPART" repo add "$D/repo" "$W/in" --path pkgs
    step publish "publish (first)" "$RAMPART" repo publish "$D/repo" "${keys[@]}"
    echo "one more" >"$D/one.txt"
    step add1 "add 1 target" "$RAMPART" repo add "$D/repo" "$D/one.txt" --path pkgs/extra/one.txt
    step publish1 "publish (1 bin + snapshot + timestamp)" "$RAMPART" repo publish "$D/repo" "${keys[@]}"
    step refresh "refresh-timestamp" "$RAMPART" repo refresh-timestamp "$D/repo" "${keys[@]}"
done
m=$D/repo/public/metadata
echo "metadata files: $(find "$m" -type f | wc -l), snapshot $(stat -c %s "$m"/2.snapshot.json) bytes, a bin ~$(stat -c %s "$(find "$m" -name '1.bins-*.json' | head -1)") bytes"
echo "target files: $(find "$D/repo/public/targets" -type f | wc -l)"

# Medians over the runs (wall, user, sys) and the ratios of the medians.
python3 - "$R" "$RUNS" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    k, e, u, s = line.split()
    rows.setdefault(k, []).append((float(e), float(u), float(s)))
med = {k: tuple(statistics.median(x[i] for x in v) for i in range(3)) for k, v in rows.items()}
print("median of %s run(s): wall / user / sys seconds" % sys.argv[2])
for k in ["cp", "cpsync", "init", "add", "publish", "add1", "publish1", "refresh"]:
    e, u, s = med[k]
    print("  %-10s %8.2f %8.2f %8.2f" % (k, e, u, s))
ap = med["add"][0] + med["publish"][0]
print("(add + publish) / (cp -r + sync) = %.2f" % (ap / med["cpsync"][0]))
print("(add + publish) / (cp -r)        = %.2f" % (ap / med["cp"][0]))
# CPU (user + system): what a shared machine changes least.
cpu = {k: v[1] + v[2] for k, v in med.items()}
apc = cpu["add"] + cpu["publish"]
print("CPU seconds: add %.2f + publish %.2f = %.2f; cp -r %.2f, cp -r + sync %.2f" %
      (cpu["add"], cpu["publish"], apc, cpu["cp"], cpu["cpsync"]))
print("CPU (add + publish) / (cp -r)    = %.2f" % (apc / max(cpu["cp"], 0.01)))
print("republish of 1 target (add 1 + publish): %.2f s" % (med["add1"][0] + med["publish1"][0]))
PY
