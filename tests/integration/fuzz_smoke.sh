#!/usr/bin/env bash
# fuzz_smoke.sh: a few seconds of libFuzzer (ASan+UBSan+LSan) on every fuzz
# target (hdr, analyze, config, ctlproto, imap), after replaying the saved
# reproducers in tests/fuzz/crashes/ (fixed bugs and the defused libetpan
# crashes must run clean; open bugs are reported).
# Builds its own clang binaries, so it runs once, in the normal tier.
# Exit 77 when clang's libFuzzer runtime is missing.
# kith-test: nosan
set -u
top=${KITH_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${KITH_BUILD:-$top/build}
export KITH_FUZZ_DIR="$build/fuzz-smoke"
export FUZZ_FLAVOUR=asan
unset FUZZ_CFLAGS
rm -rf "$KITH_FUZZ_DIR/corpus" "$KITH_FUZZ_DIR/artifacts"

FUZZ_REPLAY=1 "$top/tests/fuzz/run.sh"
rc=$?
[ $rc -eq 77 ] && exit 77
[ $rc -eq 0 ] || { echo "fuzz_smoke: a saved reproducer fails"; exit 1; }

# Seeds come from make_seeds.sh (with KITH_CORPUS when present).
FUZZ_SECONDS=${FUZZ_SMOKE_SECONDS:-5} FUZZ_RUNS=-1 "$top/tests/fuzz/run.sh" >"$KITH_FUZZ_DIR/smoke.out"
rc=$?
cat "$KITH_FUZZ_DIR/smoke.out"
[ $rc -eq 77 ] && exit 77
[ $rc -eq 0 ] || { echo "fuzz_smoke: a target crashed"; exit 1; }
# Every target must really have run: a count of executions each.
n=$(grep -c '\]: [0-9][0-9]* executions in .*: clean$' "$KITH_FUZZ_DIR/smoke.out")
[ "$n" -eq 5 ] || { echo "fuzz_smoke: $n of 5 targets ran"; exit 1; }
echo "fuzz_smoke: 5 targets clean"
