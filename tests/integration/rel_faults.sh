#!/usr/bin/env bash
# rel_faults.sh: network faults between kithd and Dovecot, injected by
# tests/lib/faultproxy.py, never corrupt anything and never hang kithd.
#
# Each fault run starts from an empty data dir and runs `kithd --once` through
# the proxy with one random fault: on the implicit-TLS port byte-level faults
# (close, reset, stall, delay, garbage, a flipped bit, client side closed
# after N bytes); on the plaintext port (tls = "none", loopback only) the
# same plus protocol faults (an injected * BYE, a tagged NO or BAD, a literal
# cut in half).  N and K are drawn from the sizes of a clean session.  Every
# run must end within 3x the account timeout plus a second, beyond twice
# what a clean run through the proxy took (measured first, so that a busy
# machine is not taken for a hang).  Then kithd runs
# again through a clean proxy (up to 3 times) until it succeeds, and the
# database and task folder must equal a clean run's.
# Runs: KITH_FAULT_RUNS, else 100 with KITH_FULL=1, else 20.  KITH_SEED.
#
# STARTTLS stripping: a proxy that answers NO to STARTTLS, or removes it from
# CAPABILITY, makes kithd (tls = "starttls") give up before any LOGIN.
# kith-test: nosan
set -u
. "${KITH_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/common.sh"
. "$KITH_TOP/tests/lib/certs.sh"
. "$KITH_TOP/tests/lib/dovecot.sh"
. "$KITH_TOP/tests/lib/rel.sh"
kt_need_kithd
kt_need_tools dovecot doveadm certtool sqlite3 python3 timeout

if [ -n "${KITH_FAULT_RUNS:-}" ]; then R=$KITH_FAULT_RUNS
elif [ "${KITH_FULL:-0}" = 1 ]; then R=100
else R=20; fi
SEED=${KITH_SEED:-$(( $(date +%s) % 100000 ))}
RANDOM=$SEED
ASOF=2026-11-18
TMO=2                      # the account timeout, seconds
BUDGET=120                 # what one run may take, at most: set after the clean runs
EXTRA=${KITH_FAULT_MESSAGES:-1200}
echo "  fault runs: $R, seed $SEED, account timeout $TMO s"

# The demo mailbox plus EXTRA generated messages in INBOX: several batches of
# 500, so a fault can land after some of them were committed.
tree=$(kt_tmpdir tree)
python3 "$KITH_TOP/tests/lib/maildir.py" replicate "$KITH_TOP/demo/mail" "$tree/INBOX" "$EXTRA" >/dev/null \
	|| kt_die "cannot generate messages"
for f in INBOX Sent Archive; do
	mkdir -p "$tree/$f" && cp "$KITH_TOP/demo/mail/$f"/*.eml "$tree/$f/"
done
kt_e2e_server "$tree"

# conf NAME TLS PORT: $E2E/NAME.conf for the account at 127.0.0.1:PORT.
conf() {
	kt_kith_conf "$E2E/$1.conf" "$E2E/$1/data" "$E2E/$1/tasks" "$2" "timeout = $TMO;"
	sed -i "s/^    port = .*/    port = $3;/" "$E2E/$1.conf"
}

PX_PID=; PX_PORT=; PX_TR=
# proxy_start FAULT MODE: MODE tls (proxy the implicit-TLS port, raw bytes) or
# plain (the plaintext port, line-aware).  Sets PX_PORT and PX_TR.
proxy_start() {
	local fault=$1 mode=$2 target=$DC_IMAP_PORT raw="" i
	[ "$mode" = tls ] && { target=$DC_IMAPS_PORT; raw=--raw; }
	PX_TR=$E2E/proxy.transcript; : >"$PX_TR"; rm -f "$E2E/proxy.port"
	python3 "$KITH_TOP/tests/lib/faultproxy.py" --target "$target" --port-file "$E2E/proxy.port" \
		--transcript "$PX_TR" --fault "$fault" $raw &
	PX_PID=$!
	kt_wait_until 60 test -s "$E2E/proxy.port"
	PX_PORT=$(cat "$E2E/proxy.port" 2>/dev/null)
	[ -n "$PX_PORT" ] || kt_die "faultproxy did not start"
}
proxy_stop() {
	[ -n "$PX_PID" ] || return 0
	kill "$PX_PID" 2>/dev/null; wait "$PX_PID" 2>/dev/null; PX_PID=
}
kt_on_exit proxy_stop

# through NAME MODE FAULT [ARGS...]: one kithd --once via a fresh proxy with
# FAULT, under the time budget.  Sets RC and TOOK (ms).
through() {
	local name=$1 mode=$2 fault=$3 tls=implicit t0; shift 3
	[ "$mode" = plain ] && tls=none
	proxy_start "$fault" "$mode"
	conf "$name" "$tls" "$PX_PORT"
	t0=$(rel_now_ms)
	timeout -s KILL "$BUDGET" "$KITH_BUILD/kithd" -c "$E2E/$name.conf" --once \
		--as-of "$ASOF" "$@" >>"$E2E/$name.log" 2>&1
	RC=$?
	TOOK=$(($(rel_now_ms) - t0))
	proxy_stop
}

# field KEY FILE: the value of KEY=... on the transcript's last close line.
field() { grep '^# conn' "$2" | tail -n 1 | tr ' ' '\n' | sed -n "s/^$1=//p"; }

# --- the reference and the sizes of a clean session ---------------------------

kt_kith_conf "$E2E/ref.conf" "$E2E/ref/data" "$E2E/ref/tasks" implicit "timeout = $TMO;"
kt_run_kithd "$E2E/ref.log" "$E2E/ref.conf" --once --as-of "$ASOF"
kt_eq "reference run (no proxy)" 0 $?
rel_dump "$E2E/ref/data" "$E2E/ref/tasks" >"$E2E/ref.dump"
rel_dump "$E2E/ref/data" "$E2E/ref/tasks" open >"$E2E/ref.open"
sqlite3 "$E2E/ref/data/kith.db" "SELECT uid FROM tasks" >"$E2E/ref.uids"

through clean-tls tls pass
kt_eq "clean run through the proxy (implicit TLS)" 0 "$RC"
CLEAN_MS=$TOOK
TLS_BYTES=$(field s2c_bytes "$PX_TR"); TLS_CBYTES=$(field c2s_bytes "$PX_TR")
rel_same "clean run through the proxy (TLS) equals the reference" "$E2E/ref.dump" \
	"$E2E/clean-tls/data" "$E2E/clean-tls/tasks"
through clean-plain plain pass
kt_eq "clean run through the proxy (plaintext, loopback)" 0 "$RC"
[ "$TOOK" -gt "$CLEAN_MS" ] && CLEAN_MS=$TOOK
BUDGET=$((3 * TMO + 1 + 2 * (CLEAN_MS + 999) / 1000))
echo "  (a clean run through the proxy: $CLEAN_MS ms; budget per fault run $BUDGET s)"
PL_BYTES=$(field s2c_bytes "$PX_TR"); PL_CBYTES=$(field c2s_bytes "$PX_TR")
PL_UNITS=$(field units "$PX_TR"); PL_TAGGED=$(field tagged "$PX_TR"); PL_LITS=$(field literals "$PX_TR")
rel_same "clean run through the proxy (plaintext) equals the reference" "$E2E/ref.dump" \
	"$E2E/clean-plain/data" "$E2E/clean-plain/tasks"
echo "  (clean session: TLS $TLS_BYTES bytes down, $TLS_CBYTES up; plaintext $PL_BYTES bytes," \
	"$PL_UNITS lines, $PL_TAGGED tagged responses, $PL_LITS literals)"
kt_ge "the plaintext session fetched header literals" 100 "${PL_LITS:-0}"

# --- randomized fault runs ---------------------------------------------------------

pick() { # prints "MODE FAULT"
	local byte=(close reset stall delay garbage cclose) proto=(bye no bad cutlit dropfetch) k
	if [ $((RANDOM % 2)) = 0 ]; then
		k=${byte[$((RANDOM % 7))]:-flip}
		case $k in
		delay) echo "tls delay:$((1 + RANDOM % 20))" ;;
		cclose) echo "tls cclose:$(rel_rand_below "$TLS_CBYTES")" ;;
		*) echo "tls $k:$(rel_rand_below "$TLS_BYTES")" ;;
		esac
	elif [ $((RANDOM % 2)) = 0 ]; then
		k=${byte[$((RANDOM % 6))]}
		case $k in
		delay) echo "plain delay:$((1 + RANDOM % 20))" ;;
		cclose) echo "plain cclose:$(rel_rand_below "$PL_CBYTES")" ;;
		*) echo "plain $k:$(rel_rand_below "$PL_BYTES")" ;;
		esac
	else
		k=${proto[$((RANDOM % 5))]}
		case $k in
		bye) echo "plain bye:$((1 + $(rel_rand_below "$PL_UNITS")))" ;;
		no|bad) echo "plain $k:$((1 + $(rel_rand_below "$PL_TAGGED")))" ;;
		cutlit|dropfetch) echo "plain $k:$((1 + $(rel_rand_below "$PL_LITS")))" ;;
		esac
	fi
}

hangs=0; bad_int=0; failed_runs=0; ok_runs=0; not_equal=0; never_clean=0; slowest=0
history=0; spurious=0
silent=0; : >"$E2E/runs.txt"
for ((i = 1; i <= R; i++)); do
	read -r mode fault < <(pick)
	name=f$i
	through $name "$mode" "$fault"
	frc=$RC; ftook=$TOOK
	[ $ftook -gt $slowest ] && slowest=$ftook
	echo "$i $mode $fault rc=$frc ${ftook}ms" >>"$E2E/runs.txt"
	if [ $frc = 137 ] || [ $ftook -gt $((BUDGET * 1000)) ]; then
		hangs=$((hangs + 1)); echo "  run $i ($mode $fault): kithd did not finish within $BUDGET s"
	fi
	if [ $frc = 0 ]; then ok_runs=$((ok_runs + 1)); else failed_runs=$((failed_runs + 1)); fi
	db=$E2E/$name/data/kith.db
	if [ -f "$db" ] && [ "$(sqlite3 "$db" 'PRAGMA integrity_check' 2>&1)" != ok ]; then
		bad_int=$((bad_int + 1)); echo "  run $i ($mode $fault): integrity_check failed"
	fi
	if [ $frc != 0 ] && [ $frc != 137 ] && [ -f "$db" ] &&
	   [ -z "$(sqlite3 "$db" "SELECT last_error FROM accounts WHERE name = 'test' AND last_error <> ''" 2>/dev/null)" ] &&
	   ! grep -qE 'error|warning' "$E2E/$name.log"; then
		silent=$((silent + 1)); echo "  run $i ($mode $fault): failed without saying why"
	fi
	# Then clean runs until one passes (a real network heals).
	for ((t = 0; t < 3; t++)); do
		through $name "$mode" pass
		[ $RC = 0 ] && break
	done
	if [ $RC != 0 ]; then
		never_clean=$((never_clean + 1))
		echo "  run $i ($mode $fault): no clean pass after the fault (last rc $RC); log:"
		tail -n 5 "$E2E/$name.log" | sed 's/^/    | /'
		continue
	fi
	# Counted once below; the first differences are shown here.
	before=$KT_FAILS; checks=$KT_CHECKS
	rel_same "run $i ($mode $fault, rc $frc): mail, people and open tasks equal the reference" \
		"$E2E/ref.open" "$E2E/$name/data" "$E2E/$name/tasks" open >"$E2E/same.out"
	if [ $KT_FAILS -gt $before ]; then
		not_equal=$((not_equal + 1)); cat "$E2E/same.out"
	else
		rel_same "run $i ($mode $fault, rc $frc): whole state equals the reference" \
			"$E2E/ref.dump" "$E2E/$name/data" "$E2E/$name/tasks" >"$E2E/same.out"
		if [ $KT_FAILS -gt $before ]; then
			history=$((history + 1))
			[ $history -le 2 ] && cat "$E2E/same.out"
			extra=$(sqlite3 "$E2E/$name/data/kith.db" "SELECT uid FROM tasks" | grep -vxF -f "$E2E/ref.uids")
			[ -n "$extra" ] && spurious=$((spurious + 1)) && [ $spurious -le 3 ] &&
				echo "    tasks the complete mailbox does not justify: $(echo $extra)"
		fi
	fi
	KT_CHECKS=$checks; KT_FAILS=$before
	rm -rf "$E2E/$name"
done
echo "  $R fault runs: $failed_runs failed as they should or could, $ok_runs succeeded" \
	"despite the fault; slowest $slowest ms"
awk '{ split($3, a, ":"); n[$2 " " a[1]]++ } END { for (k in n) printf "    %s: %d\n", k, n[k] }' \
	"$E2E/runs.txt" | sort
kt_eq "fault runs where kithd hung past $BUDGET s" 0 "$hangs"
kt_eq "fault runs that left the database not ok" 0 "$bad_int"
kt_eq "fault runs that failed without an error message" 0 "$silent"
kt_eq "fault runs after which a clean run did not succeed" 0 "$never_clean"
kt_eq "fault runs whose recovered mail, people or open tasks differ from the reference" 0 "$not_equal"
# A failed sync is followed by an analysis of the part that was read, which
# can open a follow-up (e.g. "X hasn't answered") that the rest of the mail
# contradicts; kith closes it at the next good sync, but the user saw it.
echo "  (fault runs whose task history differs from the reference: $history)"
kt_eq "fault runs that left tasks a complete mailbox does not justify" 0 "$spurious"

# --- a FETCH answered NO with one message left out ------------------------------
# What a server says when it cannot read a message right now (Dovecot: "NO
# Some messages could not be FETCHed").  The message must not be lost for
# good: a later clean sync has to store it.
k=$((PL_LITS / 2))
through dropfetch plain "dropfetch:$k"
echo "  (dropfetch:$k: kithd exited $RC)"
kt_eq "dropfetch: the proxy left a message out" 1 "$(grep -c '^S: (dropped) \* [0-9]* FETCH' "$PX_TR")"
through dropfetch plain pass
kt_eq "dropfetch: the clean run after it" 0 "$RC"
kt_eq "dropfetch: every message stored after the clean run" \
	"$(kt_sql "$E2E/ref/data/kith.db" 'SELECT count(*) FROM locations')" \
	"$(kt_sql "$E2E/dropfetch/data/kith.db" 'SELECT count(*) FROM locations')"

# --- STARTTLS stripping --------------------------------------------------------------

for f in pass starttls-no strip-starttls; do
	proxy_start "$f" plain
	conf st-$f starttls "$PX_PORT"
	timeout -s KILL "$BUDGET" "$KITH_BUILD/kithd" -c "$E2E/st-$f.conf" --once \
		--as-of "$ASOF" >"$E2E/st-$f.log" 2>&1
	RC=$?
	proxy_stop
	logins=$(grep -ciE '^C: [^ ]+ (LOGIN|AUTHENTICATE)' "$PX_TR")
	if [ "$f" = pass ]; then
		kt_eq "STARTTLS through the proxy works" 0 "$RC"
		kt_eq "STARTTLS: the proxy saw the upgrade" 1 "$(grep -ciE '^C: [^ ]+ STARTTLS' "$PX_TR")"
		kt_eq "STARTTLS: no LOGIN in the clear" 0 "$logins"
	else
		kt_ne "$f: kithd refuses" 0 "$RC"
		kt_eq "$f: no LOGIN or AUTHENTICATE reached the wire" 0 "$logins"
		kt_not_contains "$f: password not on the wire" "$DC_PASS" "$(cat "$PX_TR")"
		kt_contains "$f: kithd says why" "TLS" "$(cat "$E2E/st-$f.log")"
	fi
done
kt_done
