#!/usr/bin/env bash
# bench/refresh_scaling.sh - the cost of a refresh that finds a new snapshot,
# against the number of roles the snapshot lists: TAP 15 repositories of
# 2^BITS succinct hash bins (one target per bin), served by a local nginx.
#
#   bench/refresh_scaling.sh [--runs N] [BITS ...]    (default 10 12 14 16:
#                                                       1,024 to 65,536 bins)
#
# Each run starts from a client that trusts timestamp 1 and snapshot 1 (an
# `init` and a first refresh, not measured), then serves timestamp 2, which
# names snapshot 2 listing the same roles, and measures that second refresh
# with /usr/bin/time: it downloads and verifies the new snapshot and checks
# it against the trusted one (TUF 5.5.5: every role still listed, at a
# version no lower), the step that must stay linear in the number of roles.
# Prints one line per size: the snapshot's size, the median CPU time (user +
# system) and wall time of the refresh, its peak RSS, and the CPU time per
# listed role, which stays flat when the cost is linear.
# Needs a release build (build/release).  Never part of ctest.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
runs=5
bits_list=()
while [ $# -gt 0 ]; do
    case $1 in
        --runs) runs=$2; shift 2 ;;
        [0-9]*) bits_list+=("$1"); shift ;;
        *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
done
[ ${#bits_list[@]} -gt 0 ] || bits_list=(10 12 14 16)

build=$here/build/release
gen=$build/bench/bench_genrepo
rampart=$build/cli/rampart
work=${BENCH_DIR:-${TMPDIR:-/tmp}/rampart-bench}
mkdir -p "$work"
[ -x "$gen" ] && [ -x "$rampart" ] ||
    { echo "build the release preset first (cmake --preset release && cmake --build --preset release)" >&2; exit 2; }
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 2; }

echo "generating repositories in $work (once) ..." >&2
for bits in "${bits_list[@]}"; do
    repo=$work/scale$bits
    [ -f "$repo/timestamp.v2.json" ] || { rm -rf "$repo"; "$gen" bins "$repo" $((1 << bits)) "$bits"; }
done

# shellcheck source=../tests/lib/nginx.sh
source "$here/tests/lib/nginx.sh"
nginx_start "$work"
run_dir=$(mktemp -d "$work/run.XXXXXX") # private: concurrent benchmarks never share it
trap 'nginx_stop; rm -rf "$run_dir"' EXIT

median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2}'; }

# one_run BITS -> "cpu_seconds wall_seconds peak_kib"
one_run() {
    local repo=scale$1 d=$run_dir/c
    local url=$NGINX_URL/$repo/metadata/
    rm -rf "$d"
    mkdir -p "$d"
    cp "$work/$repo/timestamp.v1.json" "$work/$repo/metadata/timestamp.json"
    "$rampart" client --metadata-dir "$d/md" init "$work/$repo/root.json" >/dev/null
    "$rampart" client --metadata-dir "$d/md" --metadata-url "$url" refresh >/dev/null
    cp "$work/$repo/timestamp.v2.json" "$work/$repo/metadata/timestamp.json"
    /usr/bin/time -f "%U %S %e %M" -o "$d/time" "$rampart" client --metadata-dir "$d/md" --metadata-url "$url" \
        refresh >"$d/out" 2>&1 || { echo "refresh failed:" >&2; cat "$d/out" >&2; exit 1; }
    cp "$work/$repo/timestamp.v1.json" "$work/$repo/metadata/timestamp.json"
    grep -q "snapshot  version 1 -> 2" "$d/out" || { echo "the refresh did not load snapshot 2:" >&2; cat "$d/out" >&2; exit 1; }
    read -r u s e m <"$d/time"
    printf "%.2f %s %s\n" "$(echo "$u + $s" | bc -l)" "$e" "$m"
}

echo "nginx on $NGINX_URL; $runs runs each; medians" >&2
printf "%8s %14s %12s %10s %10s %16s\n" bins "snapshot KiB" "refresh CPU" wall "peak MiB" "CPU per role"
for bits in "${bits_list[@]}"; do
    cpus=() walls=() mems=()
    for _ in $(seq 1 "$runs"); do
        read -r c w m < <(one_run "$bits")
        cpus+=("$c"); walls+=("$w"); mems+=("$m")
    done
    roles=$(((1 << bits) + 1)) # the bins and targets.json
    size=$(stat -c %s "$work/scale$bits/metadata/2.snapshot.json")
    c=$(printf '%s\n' "${cpus[@]}" | median)
    printf "%8d %14.1f %10.3f s %8.3f s %10.1f %13.2f us   (CPU runs: %s)\n" $((1 << bits)) "$(echo "$size / 1024" | bc -l)" \
        "$c" "$(printf '%s\n' "${walls[@]}" | median)" "$(echo "$(printf '%s\n' "${mems[@]}" | median) / 1024" | bc -l)" \
        "$(echo "$c * 1000000 / $roles" | bc -l)" "${cpus[*]}"
done
