#!/usr/bin/env bash
# bench/run.sh BUILD: every benchmark, one after the other; figures only.
set -u
B=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
"$here/imap_bench.sh" "$B" "${KITH_BENCH_COUNT:-100000}"
"$here/cli_bench.sh" "$B"
"$here/report_bench.sh" "$B"
# growth with the mailbox: 10k and 100k (KITH_BENCH_SIZES="10000 100000 1000000" for 1M)
"$here/scale_bench.sh" "$B"
