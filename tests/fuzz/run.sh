#!/usr/bin/env bash
# tests/fuzz/run.sh [TARGET...]: build kith's libFuzzer targets with clang and
# run each in turn (one at a time, under nice -n 10) on a seed corpus made by
# make_seeds.sh, printing executions and the result per target.
#
# Targets: hdr analyze config ctlproto imap (default: all).  `make fuzz`
# runs this with the defaults; tests/integration/fuzz_smoke.sh runs a few
# seconds of each.
#
# Env:
#   FUZZ_SECONDS  time per target (default 60)
#   FUZZ_RUNS     executions per target (default -1: until FUZZ_SECONDS)
#   FUZZ_FLAVOUR  asan: -fsanitize=fuzzer,address,undefined (+LeakSanitizer),
#                 the default; fast: -fsanitize=fuzzer,undefined at -O2, for
#                 throughput (about 5-20x the executions, no ASan/LSan)
#   FUZZ_CFLAGS   extra compiler flags
#   FUZZ_REPLAY   1: only replay tests/fuzz/crashes/TARGET/* (regressions)
#   KITH_FUZZ_DIR work dir (default build-fuzz): binaries, seeds, the
#                 growing corpus per target, crash-*/leak-*/timeout-* files
#   KITH_CORPUS   the real-mail corpus for seeds (optional)
# Exit: 0 clean, 77 when clang's fuzzer runtime is missing, 1 when any
# target crashed (its reproducer is named in the summary).
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
secs=${FUZZ_SECONDS:-60}
runs=${FUZZ_RUNS:--1}
flavour=${FUZZ_FLAVOUR:-asan}
dir=${KITH_FUZZ_DIR:-$top/build-fuzz}
cc=${FUZZ_CC:-clang}
targets=${*:-hdr analyze config ctlproto imap}
mkdir -p "$dir/$flavour" "$dir/corpus" "$dir/artifacts"
dir=$(cd "$dir" && pwd)

if ! command -v "$cc" >/dev/null 2>&1; then
	echo "clang not installed"; exit 77
fi
probe="$dir/probe.c"
echo 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }' >"$probe"
if ! "$cc" -fsanitize=fuzzer,address,undefined "$probe" -o "$dir/probe" 2>/dev/null; then
	echo "clang's libFuzzer runtime is missing"; exit 77
fi

case $flavour in
asan) san="-O1 -fsanitize=fuzzer,address,undefined" ;;
fast) san="-O2 -fsanitize=fuzzer,undefined" ;;
*) echo "FUZZ_FLAVOUR must be asan or fast"; exit 2 ;;
esac
cflags="-std=c11 -D_GNU_SOURCE -g -fno-omit-frame-pointer -fno-sanitize-recover=undefined
	-Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wvla
	-Wno-unused-parameter -I$top/lib -I$top/config -I$top/source -I$top/daemon ${FUZZ_CFLAGS:-}"

# The sources and libraries of each target: each links only what it tests.
sources() {
	local s f=""
	case $1 in
	hdr) for s in msg hdr hdrfield hdrtext addr rfc2047 date isodate msgid msgkey strpool msgwire wire; do
		f="$f $top/lib/$s.c"; done; echo "$f" ;;
	analyze) echo "$top"/lib/*.c -lm ;;
	config) echo "$top/config/config.c" "$top/config/provider.c" "$top"/lib/*.c -lconfig -lm ;;
	ctlproto) echo "$top/lib/ctlproto.c" ;;
	# imap: the harness's fake server stands in for the network through
	# the kith_conn_* three (fuzz_imap.c, pump()), and defuses a libetpan
	# crash in mailimap_capability; kithd's code is linked unchanged
	imap) echo "$top/source/imap_etpan.c $top/source/imap_fetch.c $top/source/tls_gnutls.c" \
		"$top/source/source_folders.c" "$top"/lib/*.c -letpan -lgnutls -lm \
		"-Wl,--wrap=kith_conn_open,--wrap=kith_conn_read,--wrap=kith_conn_wait_readable" \
		"-Wl,--wrap=mailimap_capability" ;;
	*) return 1 ;;
	esac
}

# Builds fuzz_TARGET unless the binary is newer than every source and was
# built with the same flags.
build() {
	local t=$1 src bin=$dir/$flavour/fuzz_$1 stamp
	src=$(sources "$t") || { echo "unknown target $t"; return 1; }
	stamp="$cc $cflags $san $src"
	if [ -x "$bin" ] && [ "$(cat "$bin.flags" 2>/dev/null)" = "$stamp" ] &&
		[ -z "$(find "$top/lib" "$top/config" "$top/source" "$top/daemon" "$here" -newer "$bin" -name '*.[ch]' | head -1)" ]; then
		return 0
	fi
	# shellcheck disable=SC2086
	"$cc" $cflags $san -o "$bin" "$here/fuzz_$t.c" $src && echo "$stamp" >"$bin.flags"
}

# Per-target libFuzzer options.
opts() {
	case $1 in
	hdr) echo "-max_len=16384 -dict=$here/hdr.dict" ;;
	analyze) echo "-max_len=8192 -dict=$here/hdr.dict" ;;
	config) echo "-max_len=8192" ;;
	ctlproto) echo "-max_len=4096" ;;
	imap) echo "-max_len=32768 -dict=$here/imap.dict -rss_limit_mb=4096" ;; # libetpan leaks add up
	esac
}

# libetpan has no frame pointers: the fast unwinder would stop inside it and
# leave lsan.supp nothing to match; so the imap replay unwinds slowly.
asan_extra() { [ "$1" = imap ] && echo ":fast_unwind_on_malloc=0"; }
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:allocator_may_return_null=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# Leaks inside libconfig and libetpan themselves (see the .supp files).
export LSAN_OPTIONS=suppressions=$here/lsan.supp:print_suppressions=0

# Replays the saved reproducers of a target (docs/fuzzing.md):
#   crashes/TARGET/*       fixed kith bugs: must run clean (a regression else)
#   crashes/libetpan/*     libetpan crashes (imap): clean through the filter
#   crashes/open/TARGET/*  open kith bugs: reported, never a failure here
replay() {
	local t=$1 f n=0 bad=0 open=0 bin=$dir/$flavour/fuzz_$1 log=$dir/artifacts/replay-$1.log
	local d=("$here/crashes/$t")
	if [ "$t" = imap ]; then
		# the libetpan crashes (defused), and whole sessions: leak-checked
		[ -d "$dir/seeds/imap" ] || "$here/make_seeds.sh" "$dir/seeds" imap >/dev/null
		d+=("$here/crashes/libetpan" "$dir/seeds/imap")
	fi
	: >"$log"
	for f in $(find "${d[@]}" -maxdepth 1 -type f 2>/dev/null | sort); do
		n=$((n + 1))
		if ! ASAN_OPTIONS=$ASAN_OPTIONS$(asan_extra "$t") "$bin" "$f" >>"$log" 2>&1; then
			echo "fuzz_$t: REPRODUCER FAILS: $f (log: $log)"
			bad=1
		fi
	done
	for f in $(find "$here/crashes/open/$t" -maxdepth 1 -type f 2>/dev/null | sort); do
		if "$bin" "$f" >>"$log" 2>&1; then
			echo "fuzz_$t: open bug no longer reproduces (fixed? move it to crashes/$t/): $f"
		else
			open=$((open + 1))
		fi
	done
	echo "fuzz_$t [$flavour]: replayed $n reproducers: $([ $bad = 0 ] && echo clean || echo FAIL)$([ $open -gt 0 ] && echo ", $open open bug(s) still reproduce")"
	return $bad
}

fuzz() {
	local t=$1 log rc execs tsec rate art extra lsan
	log=$dir/artifacts/fuzz_$t.log
	mkdir -p "$dir/corpus/$t"
	[ -d "$dir/seeds/$t" ] || "$here/make_seeds.sh" "$dir/seeds" "$t" >/dev/null || return 1
	tsec=$(date +%s)
	# Where the library under kith leaks on bad input (libconfig, libetpan),
	# libFuzzer's check after each such input costs more than the input:
	# there leaks are checked once, at exit, and fuzz_imap lets go of all of
	# libetpan's own (lsan-imap.supp; the replay checks them narrowly).
	extra="-detect_leaks=1"
	lsan=$LSAN_OPTIONS
	case $t in
	config) extra="-detect_leaks=0" ;;
	imap) extra="-detect_leaks=0"
		lsan=suppressions=$here/lsan-imap.supp:print_suppressions=0 ;;
	esac
	# shellcheck disable=SC2046 # opts are words
	(cd "$dir/artifacts" && LSAN_OPTIONS=$lsan \
		nice -n 10 "$dir/$flavour/fuzz_$t" -max_total_time="$secs" $extra \
		-runs="$runs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$dir/artifacts/$t-" $(opts "$t") \
		"$dir/corpus/$t" "$dir/seeds/$t") >"$log" 2>&1
	rc=$?
	tsec=$(($(date +%s) - tsec))
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	[ -n "$execs" ] || execs=$(grep -o '^#[0-9]*' "$log" | tail -1 | tr -d '#')
	rate=$((${execs:-0} / (tsec > 0 ? tsec : 1)))
	if [ $rc -eq 0 ]; then
		echo "fuzz_$t [$flavour]: ${execs:-0} executions in ${tsec}s (${rate}/s): clean"
	else
		art=$(sed -n 's/.*Test unit written to //p' "$log" | tail -1)
		echo "fuzz_$t [$flavour]: ${execs:-?} executions in ${tsec}s: CRASH rc=$rc ${art:-}"
		grep -m1 -E 'ERROR|SUMMARY|deadly' "$log" | sed 's/^/    /'
		echo "    log: $log"
	fi
	grep -h '^fuzz_imap: ' "$log" | tail -1 | sed 's/^/    /'
	return $rc
}

fail=0
for t in $targets; do
	if ! build "$t"; then
		echo "fuzz_$t: BUILD FAILED"; fail=1; continue
	fi
	if [ "${FUZZ_REPLAY:-0}" = 1 ]; then
		replay "$t" || fail=1
	else
		fuzz "$t" || fail=1
	fi
done
exit $fail
