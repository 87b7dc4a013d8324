#!/usr/bin/env bash
# rel_kill.sh: kill -9 kithd at many random moments and prove nothing is lost,
# duplicated or half-written.
#
# Phase A (first sync): a mailbox of KITH_KILL_MESSAGES (20,000) messages made
# from the demo mailbox's headers plus the demo mailbox itself.  Each round
# starts from an empty data dir and runs `kithd --once --as-of 2026-11-18`,
# killing it with SIGKILL after a random delay in [0, T] (T: how long an
# uninterrupted run takes) and restarting it, until a run finishes on its own.
# The round's database and task folder must then equal the uninterrupted run's
# (canonical dump of messages, locations, folders, people with depth rounded,
# tasks, task files without their wall-clock stamps).
# Phase B (rescoring, task writing): on a synced database, each run thinks as
# of a later day (so tasks change and are rewritten) and is killed at a random
# moment inside the analysis/task-writing part, then restarted for the same
# day until a run finishes.  The final state must equal a clean run of the
# same days on a copy taken before phase B.
# After EVERY kill: PRAGMA integrity_check is ok; kithd's contained IMAP child
# died with its parent (no orphan); every task file a vdir reader would read
# (no leading '.') is a complete, valid iCalendar file.
#
# Kills: KITH_KILLS, else 100 with KITH_FULL=1, else 25 (split 3:1 between
# phases A and B).  KITH_SEED makes the random moments repeatable.
# kith-test: nosan
set -u
. "${KITH_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/common.sh"
. "$KITH_TOP/tests/lib/certs.sh"
. "$KITH_TOP/tests/lib/dovecot.sh"
. "$KITH_TOP/tests/lib/rel.sh"
kt_need_kithd
kt_need_tools dovecot doveadm certtool sqlite3 python3 pgrep
CHECK=$KITH_BUILD/tools/kith-tasks
[ -x "$CHECK" ] || kt_skip "no $CHECK (make tests)"

if [ -n "${KITH_KILLS:-}" ]; then N=$KITH_KILLS
elif [ "${KITH_FULL:-0}" = 1 ]; then N=100
else N=25; fi
NA=$(((N * 3 + 3) / 4)); NB=$((N - NA))
M=${KITH_KILL_MESSAGES:-20000}
SEED=${KITH_SEED:-$(( $(date +%s) % 100000 ))}
RANDOM=$SEED
ASOF=2026-11-18
echo "  kill points: $N ($NA during first syncs, $NB during rescoring/task writing), seed $SEED, $M messages"

tree=$(kt_tmpdir tree)
python3 "$KITH_TOP/tests/lib/maildir.py" replicate "$KITH_TOP/demo/mail" "$tree/INBOX" "$M" >/dev/null \
	|| kt_die "cannot generate messages"
for f in INBOX Sent Archive; do
	mkdir -p "$tree/$f" && cp "$KITH_TOP/demo/mail/$f"/*.eml "$tree/$f/"
done
kt_e2e_server "$tree"
ncopies=$(find "$tree" -name '*.eml' | wc -l)

# --- helpers ---------------------------------------------------------------

# conf NAME: a kith.conf with its own data and tasks dirs under $E2E/NAME.
conf() { kt_kith_conf "$E2E/$1.conf" "$E2E/$1/data" "$E2E/$1/tasks" implicit; echo "$E2E/$1.conf"; }
dump() { rel_dump "$E2E/$1/data" "$E2E/$1/tasks" "${2:-}"; }
same() { rel_same "$1" "$3" "$E2E/$2/data" "$E2E/$2/tasks"; }
now_ms() { rel_now_ms; }
rand_below() { rel_rand_below "$1"; }
alive() { rel_alive "$@"; }

BAD_INTEGRITY=0; ORPHANS=0; BAD_FILES=0; KILL_LOG=$E2E/kills.txt
: >"$KILL_LOG"

# after_kill NAME CONF KIDS...: the checks that follow every kill.
after_kill() {
	local name=$1 cnf=$2 db=$E2E/$1/data/kith.db left i ic files bad; shift 2
	for ((i = 0; i < 200; i++)); do # 10 s at most: killed processes go at once
		left=$(alive "$@" $(pgrep -f -- "-c $cnf" 2>/dev/null))
		[ -z "$left" ] && break
		sleep 0.05
	done
	if [ -n "$left" ]; then
		ORPHANS=$((ORPHANS + 1))
		echo "  orphan after kill ($name): $(ps -o pid=,ppid=,stat=,args= -p "$(echo $left | tr ' ' ,)")"
		kill -KILL $left 2>/dev/null # ours: started by this test
	fi
	if [ -f "$db" ]; then
		ic=$(sqlite3 "$db" 'PRAGMA integrity_check' 2>&1)
		if [ "$ic" != ok ]; then
			BAD_INTEGRITY=$((BAD_INTEGRITY + 1)); echo "  integrity_check after kill ($name): $ic"
		fi
	fi
	files=$(find "$E2E/$name/tasks" -maxdepth 1 -type f ! -name '.*' ! -name color \
		! -name displayname 2>/dev/null)
	bad=$(echo "$files" | grep -v '\.ics$' | grep .)
	if [ -n "$files" ] && ! "$CHECK" --check $files >"$E2E/check.out" 2>&1; then
		bad="$bad $(grep -v ' checked, ' "$E2E/check.out")"
	fi
	if [ -n "$bad" ]; then
		BAD_FILES=$((BAD_FILES + 1)); echo "  bad task files after kill ($name): $bad"
	fi
}

# attempt NAME CONF DELAY_MS ARGS...: start kithd, SIGKILL it after DELAY_MS.
# Sets KILLED (1 when it was still running) and RC (its status otherwise).
attempt() {
	local name=$1 cnf=$2 delay=$3 pid kids; shift 3
	"$KITH_BUILD/kithd" -c "$cnf" --once "$@" >>"$E2E/$name.log" 2>&1 &
	pid=$!
	rel_msleep "$delay"
	kids=$(pgrep -P "$pid" 2>/dev/null)
	if kill -KILL "$pid" 2>/dev/null; then
		KILLED=1; RC=137
		{ wait "$pid"; } 2>/dev/null
		after_kill "$name" "$cnf" $kids
	else
		KILLED=0
		wait "$pid"; RC=$?
	fi
}

# --- the reference ---------------------------------------------------------

ref=$(conf ref)
t0=$(now_ms)
kt_run_kithd "$E2E/ref.log" "$ref" --once --as-of "$ASOF"
kt_eq "reference run exit status" 0 $?
T=$(($(now_ms) - t0))
echo "  (uninterrupted run, $ncopies folder copies: $T ms)"
dump ref >"$E2E/ref.dump"
kt_eq "reference: every folder copy stored once" "$ncopies" \
	"$(kt_sql "$E2E/ref/data/kith.db" 'SELECT count(*) FROM locations')"
kt_ge "reference: tasks were written" 1 "$(ls "$E2E/ref/tasks" | grep -c '\.ics$')"
total=$(kt_sql "$E2E/ref/data/kith.db" 'SELECT count(*) FROM messages')

# --- phase A: kills during first syncs ----------------------------------------

kills=0; sync_kills=0; late_kills=0; round=0; rounds_ok=0
while [ $kills -lt $NA ]; do
	round=$((round + 1)); name=a$round; cnf=$(conf $name)
	while :; do
		attempt $name "$cnf" "$(rand_below "$T")" --as-of "$ASOF"
		[ $KILLED = 1 ] || break
		kills=$((kills + 1))
		got=$(sqlite3 "$E2E/$name/data/kith.db" 'SELECT count(*) FROM messages' 2>/dev/null)
		if [ "${got:-0}" -lt "$total" ]; then sync_kills=$((sync_kills + 1)); else late_kills=$((late_kills + 1)); fi
		echo "A $round ${got:-0}" >>"$KILL_LOG"
		[ $kills -ge $NA ] && break
	done
	if [ $KILLED = 1 ]; then # the kill budget ran out: finish the round cleanly
		kt_run_kithd "$E2E/$name.final.log" "$cnf" --once --as-of "$ASOF"; RC=$?
	fi
	kt_eq "round $round: the run that finished exited" 0 "$RC"
	same "round $round: state after $(grep -c "^A $round " "$KILL_LOG") kills equals the uninterrupted run" \
		$name "$E2E/ref.dump"
	dups=$(kt_sql "$E2E/$name/data/kith.db" \
		"SELECT count(*) - count(DISTINCT message_id) FROM messages WHERE message_id IS NOT NULL")
	kt_eq "round $round: no duplicate messages" 0 "$dups"
	[ $round -gt 1 ] && rm -rf "$E2E/a$((round - 1))" # keep disk use small
done
echo "  phase A: $kills kills in $round rounds: $sync_kills during the sync, $late_kills after it"
kt_ge "phase A: kills landed during the first sync" 1 "$sync_kills"

# The narrowest window, made deterministic: a kill after the task files were
# renamed into place but before the tasks table was saved leaves files with no
# records.  The next run must adopt them as they are.
cp -a "$E2E/ref" "$E2E/lost"; conf lost >/dev/null
sqlite3 "$E2E/lost/data/kith.db" 'DELETE FROM tasks' || kt_die "cannot empty tasks"
kt_run_kithd "$E2E/lost.log" "$E2E/lost.conf" --once --as-of "$ASOF"
kt_eq "lost task records: run exit status" 0 $?
same "lost task records (kill between file rename and tasks save): files adopted unchanged" \
	lost "$E2E/ref.dump"

# --- phase B: kills during rescoring and task writing --------------------------

# Two synced copies (the reference's state): "b" gets the kills, "bref" runs
# the same days without any.  Each run thinks one day later than the last.
for d in b bref; do cp -a "$E2E/ref" "$E2E/$d"; conf $d >/dev/null; done
day() { date -u -d "$ASOF + $1 days" +%F; }
t0=$(now_ms)
kt_run_kithd "$E2E/probe.log" "$E2E/ref.conf" --once --as-of "$(day 1)"
TB=$(($(now_ms) - t0))
echo "  (an incremental run that rescores and rewrites tasks: $TB ms)"
# A killed run is restarted for the same day, as systemd restarts kithd at
# once: a day whose run never finished would legitimately think differently
# (a task created a day later says "9 months", not "8"), which is not a loss.
kills_b=0; j=0
while [ $kills_b -lt $NB ] && [ $j -lt $((NB * 4 + 10)) ]; do
	j=$((j + 1))
	while :; do
		attempt b "$E2E/b.conf" "$(rand_below "$TB")" --as-of "$(day $j)"
		[ $KILLED = 0 ] && break
		kills_b=$((kills_b + 1))
		if [ $kills_b -ge $NB ]; then # budget spent: finish the day cleanly
			kt_run_kithd "$E2E/b.log" "$E2E/b.conf" --once --as-of "$(day $j)"
			RC=$?; break
		fi
	done
	[ "$RC" != 0 ] && kt__fail "phase B run $j exited $RC"
	kt_run_kithd "$E2E/bref.log" "$E2E/bref.conf" --once --as-of "$(day $j)" ||
		kt__fail "phase B reference run $j failed"
done
echo "  phase B: $kills_b kills in $j runs (as of $(day 1) .. $(day $j))"
kt_eq "phase B: kills landed" "$NB" "$kills_b"
kt_run_kithd "$E2E/b.final.log" "$E2E/b.conf" --once --as-of "$(day $j)"
kt_eq "phase B: final clean run" 0 $?
kt_ge "phase B: open tasks at the end" 1 "$(kt_sql "$E2E/bref/data/kith.db" 'SELECT count(*) FROM tasks WHERE status = 0')"
dump bref open >"$E2E/bref.dump"
rel_same "phase B: state after $kills_b kills equals the run without kills (open tasks)" \
	"$E2E/bref.dump" "$E2E/b/data" "$E2E/b/tasks" open

# --- after every kill ------------------------------------------------------------

total_kills=$((kills + kills_b))
echo "  $total_kills kills in all"
kt_eq "kills performed" "$N" "$total_kills"
kt_eq "kills after which PRAGMA integrity_check was not ok" 0 "$BAD_INTEGRITY"
kt_eq "kills after which a kithd process (the IMAP child) survived" 0 "$ORPHANS"
kt_eq "kills after which a vdir reader saw a broken or foreign file" 0 "$BAD_FILES"
temps=$(find "$E2E"/a*/tasks "$E2E/b/tasks" -maxdepth 1 -name '.*' -type f 2>/dev/null | wc -l)
echo "  (dot-named temp files left in task folders after the kills: $temps; vdir readers skip them)"
kt_done
