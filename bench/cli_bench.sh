#!/usr/bin/env bash
# bench/cli_bench.sh: median wall time of `kith people`, `kith recent` and
# `kith show X` on a synthetic database (default 1,000,000 messages, 20,000
# people, built once by tests/tools/kith-synth and kept in the work dir).
#
#   bench/cli_bench.sh [BUILD_DIR] [--messages N] [--people P] [--runs R] [--dir D]
#
# Target: each under 20 ms.  Prints one line per command and exits 1 when a
# median misses the target (so `make bench` shows it).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=$top/build messages=1000000 people=20000 runs=21 dir=""
. "$top/bench/synth_db.sh"
bench_args "$@"
bench_db bench

# median_ms CMD...: runs CMD $runs times (output discarded), prints the median in ms.
median_ms() {
	local i t0 t1 times=()
	"$@" >/dev/null 2>&1 || { echo "FAILED: $*" >&2; echo 99999; return; }
	for ((i = 0; i < runs; i++)); do
		t0=$(date +%s%N)
		"$@" >/dev/null 2>&1
		t1=$(date +%s%N)
		times+=($(( (t1 - t0) / 1000 )))
	done
	printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.1f\n", a[int((NR+1)/2)]/1000}'
}

who=$("$kith" -c "$conf" people --limit 1 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["key"])')
fail=0
for cmd in "people" "people --json" "recent" "recent --json" "show $who" "show $who --json" "status"; do
	# shellcheck disable=SC2086
	ms=$(median_ms "$kith" -c "$conf" $cmd)
	verdict=ok
	case "$cmd" in status) ;; *) awk -v m="$ms" 'BEGIN{exit !(m >= 20)}' && { verdict=SLOW; fail=1; } ;; esac
	printf '%-28s median %7s ms over %d runs  %s\n' "kith $cmd" "$ms" "$runs" "$verdict"
done
exit $fail
