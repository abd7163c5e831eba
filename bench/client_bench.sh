#!/usr/bin/env bash
# bench/client_bench.sh - wall time and peak memory of a one-target download,
# Rampart's client side by side with the reference clients python-tuf 5.1.0
# and tuf-js 5.0.1, all served the same repositories by one local nginx.
#
#   bench/client_bench.sh [--runs N] [--tufjs-runs N] [--timeout S] [--only rampart|python-tuf|tuf-js]
#                         [--skip-big] [--pretty]
#
# Scenarios (each cold: empty metadata folder; and warm: metadata current):
#   flat100k   one target from a flat repository of 100,000 targets
#   bins1m     one target from 1,000,000 targets in 16,384 succinct hash bins
#   big1g      one 1 GiB target (cold only), next to `curl -o FILE` of the same file
# Prints one line per client and scenario: median wall seconds and median
# peak RSS (MiB) over N runs (default 5), measured with /usr/bin/time.
# tuf-js is far slower on these shapes (minutes per run): it gets
# --tufjs-runs runs (default 1), and every run is stopped after --timeout
# seconds (default 900), reported as ">S".
# Needs a release build (build/release) and, for the peers, the set-up of
# ../shared/conformance/setup.sh ($RAMPART_PEERS).  Never part of ctest.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
runs=5
tufjs_runs=1
limit=900
only=""
skip_big=0
pretty=""
while [ $# -gt 0 ]; do
    case $1 in
        --runs) runs=$2; shift 2 ;;
        --tufjs-runs) tufjs_runs=$2; shift 2 ;;
        --timeout) limit=$2; shift 2 ;;
        --only) only=$2; shift 2 ;;
        --skip-big) skip_big=1; shift ;;
        --pretty) pretty=--pretty; shift ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done

build=$here/build/release
gen=$build/bench/bench_genrepo
rampart=$build/rampart-conformance-client
shared=$(cd "$here/../shared/conformance/clients" 2>/dev/null && pwd || true)
work=${BENCH_DIR:-${TMPDIR:-/tmp}/rampart-bench}
mkdir -p "$work"
[ -x "$gen" ] || { echo "build the release preset first (cmake --preset release && cmake --build --preset release)" >&2; exit 2; }
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 2; }

# python3 with pyca/cryptography >= 40 for python-tuf (the conformance set-up's rule)
export TUF_CONFORMANCE_PYTHON=${TUF_CONFORMANCE_PYTHON:-python3}

declare -A client_cmd
client_cmd[rampart]=$rampart
if [ -n "$shared" ] && [ -x "$shared/python-tuf-client" ]; then client_cmd[python-tuf]=$shared/python-tuf-client; fi
if [ -n "$shared" ] && [ -x "$shared/tuf-js-client" ] && command -v node >/dev/null; then client_cmd[tuf-js]=$shared/tuf-js-client; fi

gen_repo_flat() { [ -f "$work/flat100k$pretty/root.json" ] || { rm -rf "$work/flat100k$pretty"; "$gen" flat "$work/flat100k$pretty" 100000 $pretty; }; }
gen_repo_bins() { [ -f "$work/bins1m$pretty/root.json" ] || { rm -rf "$work/bins1m$pretty"; "$gen" bins "$work/bins1m$pretty" 1000000 14 $pretty; }; }
gen_repo_big() { [ -f "$work/big1g/root.json" ] || { rm -rf "$work/big1g"; "$gen" big "$work/big1g" 1024; }; }
echo "generating repositories in $work (once) ..." >&2
gen_repo_flat
gen_repo_bins
[ $skip_big -eq 1 ] || gen_repo_big

# shellcheck source=../tests/lib/nginx.sh
source "$here/tests/lib/nginx.sh"
nginx_start "$work"
run_dir=$(mktemp -d "$work/run.XXXXXX") # private: concurrent benchmarks never share it
trap 'nginx_stop; rm -rf "$run_dir"' EXIT

median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2}'; }

# one_run CLIENT REPO TARGET MODE(cold|warm) -> "seconds kib"
one_run() {
    local cmd=$1 repo=$2 target=$3 mode=$4
    local d=$run_dir/c
    if [ "$mode" = cold ] || [ ! -d "$d/md" ]; then
        rm -rf "$d"; mkdir -p "$d/md" "$d/tg"
        $cmd --metadata-dir "$d/md" init "$work/$repo/root.json" >/dev/null 2>&1
    fi
    if [ "$mode" = warm ]; then rm -rf "$d/tg"; mkdir -p "$d/tg"; fi
    local rc=0
    # timeout inside time: a client stopped at the limit dies with it (time
    # reports the peak of its whole process tree)
    # shellcheck disable=SC2086
    /usr/bin/time -f "%e %M" -o "$d/time" timeout -k 5 "$limit" $cmd --metadata-url "$NGINX_URL/$repo/metadata/" --metadata-dir "$d/md" \
        --target-name "$target" --target-dir "$d/tg" --target-base-url "$NGINX_URL/$repo/targets/" download \
        >"$d/out" 2>&1 || rc=$?
    if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then echo ">$limit nan"; return; fi  # timeout's "stopped" codes
    if [ $rc -ne 0 ]; then echo "FAILED: $cmd $repo $mode" >&2; tail -5 "$d/out" >&2; echo "nan nan"; return; fi
    tail -1 "$d/time"
}

measure() { # client repo target mode
    local client=$1 repo=$2 target=$3 mode=$4 times=() mems=() n=$runs
    [ "$client" = tuf-js ] && n=$tufjs_runs
    if [ "$mode" = warm ]; then
        read -r t _ < <(one_run "${client_cmd[$client]}" "$repo" "$target" cold)
        case $t in ">"*|nan) printf "%-10s %-12s %-5s wall %8s s   (cold run did not finish)\n" "$client" "$repo" "$mode" "$t"; return ;; esac
    fi
    for _ in $(seq 1 "$n"); do
        read -r t m < <(one_run "${client_cmd[$client]}" "$repo" "$target" "$mode")
        times+=("$t"); mems+=("$m")
    done
    local mt mm
    if printf '%s\n' "${times[@]}" | grep -q '^>'; then
        printf "%-10s %-12s %-5s wall %8s s   (stopped at the time limit; runs: %s)\n" "$client" "$repo" "$mode" ">$limit" "${times[*]}"
        return
    fi
    mt=$(printf '%s\n' "${times[@]}" | median)
    mm=$(printf '%s\n' "${mems[@]}" | median)
    printf "%-10s %-12s %-5s wall %8.3f s   peak %8.1f MiB   (runs: %s)\n" "$client" "$repo$pretty" "$mode" "$mt" \
        "$(echo "$mm / 1024" | bc -l)" "${times[*]}"
}

echo "nginx on $NGINX_URL; $runs runs each; medians" >&2
for client in rampart python-tuf tuf-js; do
    [ -n "${client_cmd[$client]:-}" ] || { echo "$client: not set up, skipped" >&2; continue; }
    [ -z "$only" ] || [ "$only" = "$client" ] || continue
    for mode in cold warm; do
        measure "$client" "flat100k$pretty" "files/pkg-0050000.tar.gz" "$mode"
        measure "$client" "bins1m$pretty" "files/pkg-0500000.tar.gz" "$mode"
    done
    # rampart's 1 GiB runs alternate with curl's below (same disk, same moment)
    if [ $skip_big -eq 0 ] && [ "$client" != rampart ]; then
        measure "$client" big1g big.bin cold
    fi
done
if [ $skip_big -eq 0 ] && { [ -z "$only" ] || [ "$only" = rampart ]; }; then
    # The 1 GiB target: rampart and `curl -o FILE` of the same file in turns,
    # so that both see the same state of the disk and the page cache.  Both
    # write into $run_dir; rampart also hashes, fsyncs and renames.
    hash=$(ls "$work/big1g/targets/" | grep big.bin)
    rt=() rm_=() ct=() cm=()
    big_rampart() {
        read -r t m < <(one_run "${client_cmd[rampart]}" big1g big.bin cold)
        rt+=("$t"); rm_+=("$m")
        rm -rf "$run_dir/c/tg"
    }
    big_curl() {
        rm -f "$run_dir/curl.bin"
        /usr/bin/time -f "%e %M" -o "$run_dir/curl.time" curl -s -o "$run_dir/curl.bin" "$NGINX_URL/big1g/targets/$hash"
        read -r t m <"$run_dir/curl.time"
        ct+=("$t"); cm+=("$m")
        rm -f "$run_dir/curl.bin"
    }
    # Turns alternate who goes first, so neither always follows the other.
    for i in $(seq 1 "$runs"); do
        if [ $((i % 2)) -eq 1 ]; then big_rampart; big_curl; else big_curl; big_rampart; fi
    done
    r=$(printf '%s\n' "${rt[@]}" | median) c=$(printf '%s\n' "${ct[@]}" | median)
    printf "%-10s %-12s %-5s wall %8.3f s   peak %8.1f MiB   (runs: %s)\n" rampart big1g cold "$r" \
        "$(echo "$(printf '%s\n' "${rm_[@]}" | median) / 1024" | bc -l)" "${rt[*]}"
    printf "%-10s %-12s %-5s wall %8.3f s   peak %8.1f MiB   (runs: %s)\n" "curl -o" big1g cold "$c" \
        "$(echo "$(printf '%s\n' "${cm[@]}" | median) / 1024" | bc -l)" "${ct[*]}"
    printf "rampart / curl -o (1 GiB, medians): %.2fx\n" "$(echo "$r / $c" | bc -l)"
fi
