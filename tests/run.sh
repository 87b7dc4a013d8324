#!/usr/bin/env bash
# tests/run.sh: run every unit test binary and integration script, then print
# "N passed, N failed" (and skips).  An integration script exits 0 (pass),
# 77 (skip, with its reason on stdout) or anything else (fail).
#
#   tests/run.sh --build DIR [--sanitizer] [PATTERN]
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
build=build; san=0; pattern=""
while [ $# -gt 0 ]; do
	case "$1" in
	--build) build=$2; shift 2 ;;
	--sanitizer) san=1; shift ;;
	*) pattern=$1; shift ;;
	esac
done
case "$build" in /*) ;; *) build="$top/$build" ;; esac
export KITH_BUILD="$build" KITH_TOP="$top" KITH_SANITIZER=$san
export KITH_CORPUS="${KITH_CORPUS:-$top/../shared/corpus}"
logdir="$build/test-logs"; mkdir -p "$logdir"
pass=0; fail=0; skip=0; failed=()

run_one() { # name, timeout, command...
	local name=$1 tmo=$2; shift 2
	if [ -n "$pattern" ] && [[ "$name" != *$pattern* ]]; then return; fi
	local log="$logdir/$(echo "$name" | tr '/' '_').log" rc start=$SECONDS
	timeout -k 5 "$tmo" "$@" >"$log" 2>&1; rc=$?
	local took=$((SECONDS - start))
	if [ $rc -eq 0 ]; then pass=$((pass + 1)); echo "PASS $name (${took}s)"
	elif [ $rc -eq 77 ]; then skip=$((skip + 1)); echo "SKIP $name: $(tail -n 1 "$log")"
	else fail=$((fail + 1)); failed+=("$name"); echo "FAIL $name (rc=$rc, ${took}s)"
		tail -n 30 "$log" | sed 's/^/    /'
	fi
}

for t in "$build"/tests/test_*; do
	[ -x "$t" ] || continue
	run_one "unit/$(basename "$t")" 300 "$t"
done
for s in "$top"/tests/integration/*.sh; do
	[ -x "$s" ] || continue
	# Slow, heavy or sanitizer-hostile scripts declare "# kith-test: nosan".
	if [ $san -eq 1 ] && grep -q '^# kith-test: nosan' "$s"; then continue; fi
	run_one "integration/$(basename "$s" .sh)" 900 "$s"
done

echo
[ ${#failed[@]} -gt 0 ] && echo "failed: ${failed[*]}"
echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ] && [ $((pass)) -gt 0 ]
