#!/usr/bin/env bash
# tests/fuzz/run.sh [SECONDS [RUNS]]: build fuzz_hdr with clang's libFuzzer
# (+ASan+UBSan) and run it on a generated seed corpus.  `make fuzz` runs
# this for 300 s; tests/integration/fuzz_smoke.sh for ~20 s.
# Env: KITH_FUZZ_DIR (work dir, default build-fuzz), KITH_CORPUS (seeds).
# Exit: 0 clean, 77 when clang's fuzzer runtime is missing, else failure
# (crash inputs are left in the work dir as crash-*/leak-*/timeout-*).
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
secs=${1:-300}
runs=${2:--1}
dir=${KITH_FUZZ_DIR:-$top/build-fuzz}
cc=${FUZZ_CC:-clang}
mkdir -p "$dir/corpus" "$dir/seeds"

if ! command -v "$cc" >/dev/null 2>&1; then
	echo "clang not installed"; exit 77
fi
probe="$dir/probe.c"
echo 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }' >"$probe"
if ! "$cc" -fsanitize=fuzzer,address,undefined "$probe" -o "$dir/probe" 2>/dev/null; then
	echo "clang's libFuzzer runtime is missing"; exit 77
fi

# The parser's own sources only: the target must not depend on the rest.
src="msg hdr hdrfield hdrtext addr rfc2047 date msgid msgkey"
files=""
for s in $src; do files="$files $top/lib/$s.c"; done
# shellcheck disable=SC2086
"$cc" -std=c11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-I"$top/lib" -o "$dir/fuzz_hdr" "$here/fuzz_hdr.c" $files || exit 1
"$here/make_seeds.sh" "$dir/seeds" || exit 1

cd "$dir" || exit 1
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
nice -n 10 ./fuzz_hdr -max_total_time="$secs" -runs="$runs" -max_len=16384 -timeout=10 \
	-rss_limit_mb=2048 -dict="$here/hdr.dict" -print_final_stats=1 corpus seeds
rc=$?
[ $rc -eq 0 ] && echo "fuzz_hdr: no crash in ${secs}s"
exit $rc
