#!/usr/bin/env bash
# bench/run.sh BUILD: every benchmark, one after the other; figures only.
set -u
B=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
"$here/imap_bench.sh" "$B" "${KITH_BENCH_COUNT:-100000}"
"$here/cli_bench.sh" "$B"
"$here/report_bench.sh" "$B"
