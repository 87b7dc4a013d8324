#!/usr/bin/env bash
# bench/cli_bench.sh: median wall time of `kith status`, `kith people`,
# `kith recent` and `kith show X` on a synthetic database (default 1,000,000 messages, 20,000
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

# median CMD...: runs CMD $runs times (output discarded), prints the median
# wall and CPU ms (bench/timecmd.py): on a busy machine the CPU time is
# what the command itself costs
median() {
	python3 "$top/bench/timecmd.py" "$runs" "$@" || echo "99999 99999"
}

who=$("$kith" -c "$conf" people --limit 1 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["key"])')
fail=0
read -r ms cpu < <(median "$kith" --version)
printf '%-28s median %7s ms over %d runs, CPU %6s ms  (the floor: starting kith)\n' "kith --version" "$ms" "$runs" "$cpu"
for cmd in "people" "people --json" "recent" "recent --json" "show $who" "show $who --json" "status"; do
	# shellcheck disable=SC2086
	read -r ms cpu < <(median "$kith" -c "$conf" $cmd)
	verdict=ok
	awk -v m="$ms" 'BEGIN{exit !(m >= 20)}' && { verdict=SLOW; fail=1; }
	printf '%-28s median %7s ms over %d runs, CPU %6s ms  %s\n' "kith $cmd" "$ms" "$runs" "$cpu" "$verdict"
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) (wall times count the other processes too)"

# kithd --once on a copy of the same database, its one account unreachable
# (a closed port on loopback): the sync fails at once, so the run is a full
# analysis of every message (tasks are written only after every account
# synced); then the same with nothing new, which must keep the analysis.
k=$dir/kithd-run
rm -rf "$k"; mkdir -p "$k/data"; chmod 700 "$k"
python3 -c 'import sqlite3,sys; sqlite3.connect(sys.argv[1]).backup(sqlite3.connect(sys.argv[2]))' \
	"$dir/data/kith.db" "$k/data/kith.db"
(umask 077; printf 'unused\n' >"$k/pass"; cat >"$k/kith.conf" <<CONF
data_dir = "$k/data";
tasks_dir = "$k/tasks";
identities = [ "me@synth.example" ];
accounts = ( { name = "synth"; host = "127.0.0.1"; port = 9; tls = "implicit";
               user = "me"; pass_file = "$k/pass"; } );
CONF
)
i=0
for run in "full analysis" "nothing new"; do
	i=$((i + 1))
	/usr/bin/time -f "%e %U %S %M" -o "$k/time" "$build/kithd" -c "$k/kith.conf" --once 2>"$k/log$i"
	read -r e u s rss < <(tail -n 1 "$k/time")
	kept=$(grep -q 'nothing new since the analysis' "$k/log$i" && echo "analysis kept" || echo "analysed")
	printf 'kithd --once, %-14s %6s s wall, CPU %s + %s s, peak RSS %d MiB, %s\n' "$run:" "$e" "$u" "$s" $((rss / 1024)) "$kept"
done
grep -hE 'messages, [0-9]+ people' "$k/log1" | sed 's/^/  /'
rm -rf "$k"
exit $fail
