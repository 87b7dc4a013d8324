#!/usr/bin/env bash
# bench/scale_bench.sh BUILD [SIZE...]: how kithd's costs grow with the
# mailbox (issue 19).  For each size (default 10000 100000; 1000000 when
# asked, by argument or KITH_BENCH_SIZES) a mailbox is built like
# imap_bench.sh's (the corpus' headers replicated, fresh Message-IDs and
# dates) and loaded into a real Dovecot on loopback.  Prints, per size:
#   raw      a bare header fetch (one UID FETCH 1:* of kithd's fields)
#   first    kithd --once from an empty data folder (sync + analysis + tasks),
#            and of it the IMAP sync alone and its rate against the raw fetch
#   rss      the peak RSS of that run: kithd's own (its log, -v) and the
#            whole tree's (/usr/bin/time's %M: the largest of kithd and its
#            waited-for children, the IMAP child and the task writer; a child
#            forked after the analysis counts the pages it shares with kithd)
#   full     a full re-analysis (after a decision), seconds from kithd's log
#   quiet    kithd --once with nothing new: wall seconds, and whether the
#            analysis was kept (it must be)
#   newmsg   CPU of kithd and its children (from /proc) for one new message
#            delivered to a running kithd in IDLE: the session, the
#            re-analysis and the tasks; first newsletters (which change
#            nothing: no analysis; the mean of 5), then a message from a new
#            person
#   queries  median wall ms (and CPU ms) of kith status, people, recent,
#            show (5 runs)
# then one table.  Asserts nothing; figures only.
set -u
BUILD=$(cd "${1:-build}" && pwd)
shift
SIZES=${*:-${KITH_BENCH_SIZES:-10000 100000}}
export KITH_TOP=$(cd "$(dirname "$0")/.." && pwd) KT_NAME=scale_bench
cd "$KITH_TOP"
. tests/lib/common.sh
. tests/lib/certs.sh
. tests/lib/dovecot.sh
# a million messages need more than Dovecot's default 256 MB per imap process
export DC_IMAP_VSZ=${DC_IMAP_VSZ:-2G}
CORPUS=${KITH_CORPUS:-$KITH_TOP/../shared/corpus}
SRC=$CORPUS/enron/skilling-j
[ -d "$SRC" ] || SRC=$KITH_TOP/demo/mail
K=$BUILD/kith
W=$(kt_tmpdir)
trap 'kt_dovecot_stop >/dev/null 2>&1; rm -rf "$W"' EXIT
FIELDS=$(sed -n '/kith_hdr_fields\[\] = {/,/};/p' lib/hdr.c | grep -o '"[A-Za-z-]*"' | tr -d '"' | tr '\n' ' ')

now() { date +%s.%N; }
secs() { python3 -c "import sys; print('%.2f' % (float(sys.argv[2]) - float(sys.argv[1])))" "$@"; }
raw_fetch() { python3 bench/rawfetch.py 127.0.0.1 "$DC_IMAPS_PORT" "$DC_CA" "$DC_USER" "$DC_PASS_FILE" "$FIELDS"; }
# the analysis' seconds from kithd's log line "... tasks open (S s)"
ana_secs() { sed -n 's/.*tasks open (\([0-9.]*\) s).*/\1/p' "$1" | tail -n 1; }
# kithd's own peak RSS in MiB, from its log (-v: "peak RSS of kithd itself")
own_rss() { sed -n 's/.*peak RSS of kithd itself: \([0-9]*\) KiB.*/\1/p' "$1" | awk '{ printf "%d", $1 / 1024 } END { if (!NR) printf "?" }'; }
# CPU seconds of a process and its reaped children, plus its live children
cpu_tree() {
	local hz p total=0
	hz=$(getconf CLK_TCK)
	for p in "$1" $(pgrep -P "$1"); do
		[ -r "/proc/$p/stat" ] || continue
		total=$(awk -v t="$total" -v hz="$hz" '{ sub(/^.*\) /, ""); printf "%.3f", t + ($12 + $13 + $14 + $15) / hz }' "/proc/$p/stat")
	done
	echo "$total"
}
# median_ms CMD...: 5 runs: "WALL (CPU)", the medians in ms (bench/timecmd.py)
median_ms() {
	python3 bench/timecmd.py 5 "$@" | awk '{ printf "%.0f (%.0f)", $1, $2 }'
}
# wait_log FILE PATTERN COUNT SECONDS: until PATTERN appears COUNT times
wait_log() {
	local end=$((SECONDS + $4))
	while [ "$(grep -c -- "$2" "$1" 2>/dev/null)" -lt "$3" ]; do
		[ $SECONDS -ge $end ] && return 1
		sleep 0.2
	done
}
# settle PID: until the tree's CPU stops moving for a second (the session
# idles), two minutes at most
settle() {
	local a b end=$((SECONDS + 120))
	a=$(cpu_tree "$1")
	while [ $SECONDS -lt $end ]; do
		sleep 1
		b=$(cpu_tree "$1")
		[ "$a" = "$b" ] && return 0
		a=$b
	done
}

# What ends a delivery in kithd's log: the new mail judged inert, or an
# analysis (with the tasks) done.
OUTCOME='changes nothing: the analysis as of\|tasks open ('

# deliver_cpu N PID FILE: deliver FILE to the running kithd PID, wait
# until its log shows one more outcome and its session idles once more,
# print the CPU it took (ms) and 1 when an analysis ran meanwhile, else 0.
# Why outcomes are counted from the log as it stands: an analysis that
# time alone brings (mail dated ahead coming of age: the bench dates its
# mail up to the minute) may land in any delivery.
deliver_cpu() {
	local log=$W/daemon$1.log c0 c1 done idles ana analysed=0
	settle "$2"
	c0=$(cpu_tree "$2")
	done=$(grep -c -- "$OUTCOME" "$log")
	idles=$(grep -c -- "imap C: [^ ]* IDLE$" "$log")
	ana=$(grep -c -- "tasks open (" "$log")
	kt_dovecot_save INBOX "$3"
	wait_log "$log" "$OUTCOME" $((done + 1)) 600 &&
		wait_log "$log" "imap C: [^ ]* IDLE$" $((idles + 1)) 300 || { echo "? 0"; return; }
	settle "$2"
	c1=$(cpu_tree "$2")
	[ "$(grep -c -- "tasks open (" "$log")" -gt "$ana" ] && analysed=1
	python3 -c "import sys; print('%.0f %s' % (1000 * (float(sys.argv[2]) - float(sys.argv[1])), sys.argv[3]))" "$c0" "$c1" $analysed
}

# NEWS newsletters, one at a time: /proc counts CPU in 10 ms ticks, and
# one costs about that
NEWS=5

# new_message_cpu N: deliver a newsletter, then a message from a new
# person, to a running kithd; sets T[N,newbulk] and T[N,newmsg] (ms CPU).
# Why IDLE counts: the daemon's session idles once it is synced (with
# nothing new it does not analyse first); the new message ends that IDLE,
# the daemon judges it (a newsletter changes nothing: no analysis,
# docs/architecture.md) or analyses and writes tasks, and its next session
# idles again.
new_message_cpu() {
	local log=$W/daemon$1.log pid
	T[$1,newbulk]=? T[$1,newmsg]=?
	sed -i "s|^accounts|poll_interval = 600;\nruntime_dir = \"$W/run$1\";\naccounts|" "$W/kith$1.conf"
	# the edit changes the configuration: analyse once for it first, so
	# that the daemon starts on a saved analysis that holds
	"$BUILD/kithd" -c "$W/kith$1.conf" --once 2>/dev/null
	"$BUILD/kithd" -c "$W/kith$1.conf" -v --protocol-log 2>"$log" &
	pid=$!
	if wait_log "$log" "imap C: [^ ]* IDLE$" 1 300; then
		local k ms total=0 inert=0 missed=0
		for ((k = 1; k <= NEWS; k++)); do
			printf 'From: Shop <no-reply@shop.example>\nTo: jeff.skilling@enron.com\nSubject: this week only\nDate: %s\nMessage-ID: <scale-news-%s-%s@shop.example>\nList-Unsubscribe: <mailto:u@shop.example>\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\n\nhello\n' \
				"$(date -R)" "$1" "$k" >"$W/news$1.eml"
			ms=$(deliver_cpu "$1" $pid "$W/news$1.eml")
			[ "${ms% *}" = "?" ] && { total="?"; break; }
			# a delivery that met an analysis brought by time is not counted
			[ "${ms#* }" = 1 ] && { missed=$((missed + 1)); continue; }
			total=$((total + ${ms% *}))
			inert=$((inert + 1))
		done
		[ "$total" = "?" ] || [ $inert -eq 0 ] ||
			T[$1,newbulk]=$(python3 -c "print('%.0f' % ($total / $inert))")
		[ $missed -gt 0 ] && echo "($missed of $NEWS newsletters met an analysis that time brought: left out of the mean)"
		printf 'From: New Person <new.person@example.org>\nTo: jeff.skilling@enron.com\nSubject: one more\nDate: %s\nMessage-ID: <scale-new-%s@example.org>\n\nhello\n' \
			"$(date -R)" "$1" >"$W/new$1.eml"
		ms=$(deliver_cpu "$1" $pid "$W/new$1.eml")
		T[$1,newmsg]=${ms% *}
	fi
	kill -TERM $pid; wait $pid
}

declare -A T
measure() {
	local n=$1 t0 t1 e u s rss who
	echo "== $n messages"
	kt_dovecot_stop >/dev/null 2>&1
	rm -rf "$W/dc" "$W/tree" "$W/data$n" "$W/tasks$n"
	t0=$(now)
	python3 tests/lib/maildir.py replicate "$SRC" "$W/tree/INBOX" "$n" >/dev/null || return 1
	kt_dovecot_init "$W/dc" || return 1
	kt_dovecot_load_tree "$W/tree" >/dev/null || return 1
	rm -rf "$W/tree"
	kt_dovecot_start || return 1
	kt_doveadm index -u "$DC_USER" INBOX >/dev/null 2>&1
	raw_fetch >/dev/null # Dovecot's header cache, built once, untimed
	echo "mailbox built and loaded in $(secs "$t0" "$(now)") s"
	t0=$(now); bytes=$(raw_fetch); t1=$(now)
	T[$n,raw]=$(secs "$t0" "$t1")
	[ -n "$bytes" ] || T[$n,raw]=failed
	echo "raw fetch: ${T[$n,raw]} s, $bytes bytes"

	kt_kith_conf "$W/kith$n.conf" "$W/data$n" "$W/tasks$n" implicit
	[ "$SRC" = "$CORPUS/enron/skilling-j" ] && sed -i 's/^identities = \[/identities = [ "jeff.skilling@enron.com", "jskilli@enron.com", "sherri.sera@enron.com", "joannie.williamson@enron.com",/' "$W/kith$n.conf"
	/usr/bin/time -f "%e %U %S %M" -o "$W/time" "$BUILD/kithd" -c "$W/kith$n.conf" -v --once 2>"$W/first$n.log"
	read -r e u s rss < <(tail -n 1 "$W/time")
	T[$n,first]=$e T[$n,rss]="$(own_rss "$W/first$n.log") / $((rss / 1024))"
	T[$n,sync]=$(sed -n 's/.*info: .*: [0-9]* messages in \([0-9.]*\) s,.*/\1/p' "$W/first$n.log" | head -n 1)
	T[$n,rate]=?
	[ -n "${T[$n,sync]}" ] && [ "${T[$n,raw]}" != failed ] && T[$n,rate]=$(python3 -c "import sys; print('%.0f' % (100 * float(sys.argv[1]) / float(sys.argv[2])))" "${T[$n,raw]}" "${T[$n,sync]}")
	[ -n "${T[$n,sync]}" ] || echo "the first sync did not complete: $(grep -m 1 'error:' "$W/first$n.log")"
	echo "first --once: $e s wall (sync ${T[$n,sync]} s: ${T[$n,rate]}% of the raw fetch rate; analysis $(ana_secs "$W/first$n.log") s), peak RSS ${T[$n,rss]} MiB (kithd / with its children)"

	"$K" -c "$W/kith$n.conf" ignore nobody@bench.invalid >/dev/null
	/usr/bin/time -f "%e %U %S %M" -o "$W/time" "$BUILD/kithd" -c "$W/kith$n.conf" -v --once 2>"$W/full$n.log"
	read -r e u s rss < <(tail -n 1 "$W/time")
	T[$n,full]=$(ana_secs "$W/full$n.log")
	echo "after a decision: $e s wall, of it the full re-analysis with the tasks ${T[$n,full]} s, peak RSS $(own_rss "$W/full$n.log") / $((rss / 1024)) MiB (kithd / with its children)"

	/usr/bin/time -f "%e %U %S %M" -o "$W/time" "$BUILD/kithd" -c "$W/kith$n.conf" --once 2>"$W/quiet$n.log"
	read -r e u s rss < <(tail -n 1 "$W/time")
	T[$n,quiet]=$e
	if grep -q 'nothing new since the analysis' "$W/quiet$n.log"; then T[$n,kept]=kept; else T[$n,kept]=ANALYSED; fi
	echo "nothing new: $e s wall (CPU $u + $s s), analysis ${T[$n,kept]}"

	who=$("$K" -c "$W/kith$n.conf" people --limit 1 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["key"])')
	T[$n,status]=$(median_ms "$K" -c "$W/kith$n.conf" status)
	T[$n,people]=$(median_ms "$K" -c "$W/kith$n.conf" people)
	T[$n,recent]=$(median_ms "$K" -c "$W/kith$n.conf" recent)
	T[$n,show]=$(median_ms "$K" -c "$W/kith$n.conf" show "$who")
	echo "queries (median wall ms, CPU ms in brackets): status ${T[$n,status]}, people ${T[$n,people]}, recent ${T[$n,recent]}, show ${T[$n,show]}"

	new_message_cpu "$n"
	echo "one new newsletter to a running kithd: ${T[$n,newbulk]} ms CPU; one message from a new person: ${T[$n,newmsg]} ms CPU"
	kt_dovecot_stop >/dev/null 2>&1
	rm -rf "$W/dc" "$W/data$n" "$W/tasks$n"
	echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
}

for n in $SIZES; do
	measure "$n" || echo "$n: could not build or load the mailbox"
done

echo
echo "| messages | raw fetch s | first --once s | of it sync s (% of raw rate) | peak RSS MiB: kithd / with children | full re-analysis s | nothing new --once s | CPU per new message ms: newsletter / from a person | status / people / recent / show ms, wall (CPU) |"
echo "|---|---|---|---|---|---|---|---|---|"
for n in $SIZES; do
	printf '| %s | %s | %s | %s (%s%%) | %s | %s | %s (%s) | %s / %s | %s / %s / %s / %s |\n' "$n" \
		"${T[$n,raw]:-?}" "${T[$n,first]:-?}" "${T[$n,sync]:-?}" "${T[$n,rate]:-?}" "${T[$n,rss]:-?}" \
		"${T[$n,full]:-?}" "${T[$n,quiet]:-?}" "${T[$n,kept]:-?}" "${T[$n,newbulk]:-?}" "${T[$n,newmsg]:-?}" \
		"${T[$n,status]:-?}" "${T[$n,people]:-?}" "${T[$n,recent]:-?}" "${T[$n,show]:-?}"
done
