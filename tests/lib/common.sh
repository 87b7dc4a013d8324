# tests/lib/common.sh: shared shell helpers for kith's integration tests.
#
# Source it from a bash script:  . "$KITH_TOP/tests/lib/common.sh"
# It sets KITH_TOP/KITH_BUILD defaults, and gives: kt_tmpdir (a temp dir
# removed at exit), kt_on_exit (cleanup hooks run by one EXIT trap),
# kt_free_port, assertions that say what failed, kt_skip, kt_sql.

# Resolve the repo root and build dir when run by hand.
: "${KITH_TOP:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${KITH_BUILD:=$KITH_TOP/build}"
: "${KITH_CORPUS:=$KITH_TOP/../shared/corpus}"
: "${KITH_SANITIZER:=0}"
export KITH_TOP KITH_BUILD KITH_CORPUS KITH_SANITIZER

KT_FAILS=0
KT_CHECKS=0
KT_NAME=$(basename "${0:-test}" .sh)

# Cleanup hooks run in reverse order from one EXIT trap, so a test that
# dies half-way still stops its Dovecot and removes its temp files.  Why a
# file and not an array: hooks are often registered inside a command
# substitution (T=$(kt_tmpdir)), a subshell whose variables die with it.
KT_HOOKS_FILE=$(mktemp "${TMPDIR:-/tmp}/kith-hooks.XXXXXX") || exit 1
kt_on_exit() { printf '%s\n' "$*" >>"$KT_HOOKS_FILE"; }
kt__run_exit_hooks() {
	local rc=$? i hooks=()
	[ -f "$KT_HOOKS_FILE" ] && mapfile -t hooks <"$KT_HOOKS_FILE"
	rm -f "$KT_HOOKS_FILE"
	for ((i = ${#hooks[@]} - 1; i >= 0; i--)); do
		eval "${hooks[$i]}" || true
	done
	return $rc
}
trap kt__run_exit_hooks EXIT
trap 'exit 130' INT TERM

kt_log() { printf '%s: %s\n' "$KT_NAME" "$*"; }
kt_die() { printf '%s: FATAL: %s\n' "$KT_NAME" "$*" >&2; exit 1; }

# kt_skip REASON: exit 77 with the reason as the last line of output.
kt_skip() { echo "$*"; exit 77; }

# kt_now_ms: the clock in milliseconds, for measuring a wait.
kt_now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# kt_wait_until SECONDS COMMAND...: runs COMMAND every 0.1 s until it
# succeeds (returns 0) or SECONDS have passed (returns 1).  Why: a test
# waits for the event it needs, never for a fixed time that a busy machine
# can outlast; SECONDS is only the point at which to give up.
kt_wait_until() {
	local end=$(( $(date +%s) + $1 )); shift
	until "$@"; do
		[ "$(date +%s)" -ge "$end" ] && return 1
		sleep 0.1
	done
}

# kt_tmpdir [NAME]: echo a fresh temp dir, removed at exit unless
# KITH_KEEP_TMP=1 (then its path is printed instead).
kt_tmpdir() {
	local d
	d=$(mktemp -d "${TMPDIR:-/tmp}/kith-${1:-$KT_NAME}.XXXXXX") || kt_die "mktemp failed"
	chmod 0755 "$d"
	if [ "${KITH_KEEP_TMP:-0}" = 1 ]; then
		kt_on_exit "echo 'kept $d' >&2"
	else
		kt_on_exit "rm -rf '$d'"
	fi
	echo "$d"
}

# kt_free_port: print a TCP port on 127.0.0.1 that nobody listens on now.
# Picks at random in a high range and asks the kernel whether it binds.
kt_free_port() {
	python3 - <<'EOF'
import random, socket
for _ in range(200):
    p = random.randint(20000, 60000)
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p))
    except OSError:
        continue
    finally:
        s.close()
    print(p)
    break
else:
    raise SystemExit("no free port")
EOF
}

# kt_wait_port PORT [SECONDS]: wait until something accepts on 127.0.0.1:PORT.
kt_wait_port() {
	local port=$1 secs=${2:-60} i
	for ((i = 0; i < secs * 10; i++)); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
		sleep 0.1
	done
	return 1
}

# --- assertions: each prints what it checked and, on failure, why. ---
kt__pass() { KT_CHECKS=$((KT_CHECKS + 1)); echo "  ok   $*"; }
kt__fail() { KT_CHECKS=$((KT_CHECKS + 1)); KT_FAILS=$((KT_FAILS + 1)); echo "  FAIL $*"; }

# kt_eq WHAT EXPECTED ACTUAL
kt_eq() {
	if [ "$2" == "$3" ]; then kt__pass "$1 = $3"
	else kt__fail "$1: expected '$2', got '$3'"; fi
}
# kt_ne WHAT UNEXPECTED ACTUAL
kt_ne() {
	if [ "$2" != "$3" ]; then kt__pass "$1 = $3 (not $2)"
	else kt__fail "$1: must not be '$2'"; fi
}
# kt_ge WHAT MIN ACTUAL / kt_le WHAT MAX ACTUAL (integers)
kt_ge() {
	if [ "$3" -ge "$2" ] 2>/dev/null; then kt__pass "$1 = $3 (>= $2)"
	else kt__fail "$1: expected >= $2, got '$3'"; fi
}
kt_le() {
	if [ "$3" -le "$2" ] 2>/dev/null; then kt__pass "$1 = $3 (<= $2)"
	else kt__fail "$1: expected <= $2, got '$3'"; fi
}
# kt_between WHAT LO HI ACTUAL
kt_between() {
	if [ "$4" -ge "$2" ] 2>/dev/null && [ "$4" -le "$3" ]; then kt__pass "$1 = $4 (in $2..$3)"
	else kt__fail "$1: expected $2..$3, got '$4'"; fi
}
# kt_true WHAT COMMAND...: passes when the command exits 0.
kt_true() {
	local what=$1; shift
	if "$@"; then kt__pass "$what"; else kt__fail "$what (command failed: $*)"; fi
}
# kt_false WHAT COMMAND...: passes when the command exits non-zero.
kt_false() {
	local what=$1; shift
	if "$@"; then kt__fail "$what (command unexpectedly succeeded: $*)"; else kt__pass "$what"; fi
}
# kt_contains WHAT NEEDLE HAYSTACK
kt_contains() {
	case "$3" in
	*"$2"*) kt__pass "$1 contains '$2'" ;;
	*) kt__fail "$1: '$2' not found in: $(printf '%s' "$3" | head -c 600)" ;;
	esac
}
kt_not_contains() {
	case "$3" in
	*"$2"*) kt__fail "$1: must not contain '$2'" ;;
	*) kt__pass "$1 has no '$2'" ;;
	esac
}

# kt_done: exit 0 when every assertion passed (and at least one ran).
kt_done() {
	if [ "$KT_FAILS" -gt 0 ]; then
		echo "$KT_NAME: $KT_FAILS of $KT_CHECKS checks FAILED"
		exit 1
	fi
	if [ "$KT_CHECKS" -eq 0 ]; then echo "$KT_NAME: no checks ran"; exit 1; fi
	echo "$KT_NAME: all $KT_CHECKS checks passed"
	exit 0
}

# kt_sql DB SQL: one query, '|'-separated, no header; fails loudly.
kt_sql() {
	local out
	if ! out=$(sqlite3 -batch -bail "$1" "$2" 2>&1); then
		echo "  sqlite3 failed on: $2" >&2
		echo "  $out" >&2
		echo "__SQL_ERROR__"
		return 1
	fi
	printf '%s\n' "$out"
}

# kt_need_kithd: skip unless the build has kithd.
kt_need_kithd() {
	[ -x "$KITH_BUILD/kithd" ] || kt_skip "no kithd in $KITH_BUILD (build it first)"
}

# kt_need_tools CMD...: skip when a required program is missing.
kt_need_tools() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || kt_skip "needs $c (not installed)"
	done
}

# kt_has_table DB TABLE
kt_has_table() {
	[ "$(sqlite3 "$1" "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='$2'" 2>/dev/null)" = 1 ]
}
# kt_has_column DB TABLE COLUMN
kt_has_column() {
	sqlite3 "$1" "PRAGMA table_info($2)" 2>/dev/null | cut -d'|' -f2 | grep -qx "$3"
}

# kt_run_kithd LOG CONF ARGS...: run kithd once with its output in LOG; on a
# non-zero exit print the log's tail.  Returns kithd's exit status.  Fails
# the test if the account password ($DC_PASS, when set) shows up in the log.
kt_run_kithd() {
	local log=$1 conf=$2 rc; shift 2
	"$KITH_BUILD/kithd" -c "$conf" "$@" >"$log" 2>&1; rc=$?
	if [ $rc -ne 0 ]; then
		echo "  kithd $* exited $rc; its output ends:"
		tail -n 15 "$log" | sed 's/^/    | /'
	fi
	if [ -n "${DC_PASS:-}" ] && grep -qF -- "$DC_PASS" "$log"; then
		kt__fail "kithd printed the account password"
	fi
	return $rc
}

# kt_canon_dump DB: the stored messages and their locations as sorted text,
# independent of row ids and insertion order (for comparing two databases).
kt_canon_dump() {
	sqlite3 -batch "$1" "
	SELECT 'M', key, ifnull(message_id,''), ifnull(in_reply_to,''), ifnull(refs,''),
	       ifnull(date,''), ifnull(from_addr,''), ifnull(from_name,''), ifnull(rcpt,''),
	       n_to, n_cc, n_rcpt_total, ifnull(subject,''), ifnull(list_id,''),
	       signals, flags, parse_errors, direction
	  FROM messages ORDER BY key;
	SELECT 'L', l.account, l.folder, l.uid, l.uidvalidity, m.key, l.sent
	  FROM locations l JOIN messages m ON m.id = l.msg
	 ORDER BY l.account, l.folder, l.uid;
	SELECT 'F', account, name, flags, uidvalidity, last_uid, uidnext, messages
	  FROM folders ORDER BY account, name;"
}

# kt_no_secret WHAT SECRET HAYSTACK: like kt_not_contains, but never prints
# the secret itself.
kt_no_secret() {
	case "$3" in
	*"$2"*) kt__fail "$1: the secret appears in it" ;;
	*) kt__pass "$1 does not contain the secret" ;;
	esac
}

# kt_kill9_when_stored LOG DB SQL CONF: start kithd --once (output in LOG),
# wait until SQL on DB counts more than 0 (a committed batch), then kill -9
# kithd and its children mid-sync.  Sets KILLED (kill's status, 0: it was
# still running) and AT_KILL (SQL's count after the kill).
kt_kill9_when_stored() {
	local log=$1 db=$2 sql=$3 conf=$4 pid kids seen=0 i k
	"$KITH_BUILD/kithd" -c "$conf" --once >"$log" 2>&1 &
	pid=$!
	for ((i = 0; i < 6000; i++)); do
		# never let the probe create the database file itself
		[ -f "$db" ] && seen=$(sqlite3 "$db" "$sql" 2>/dev/null)
		[ "${seen:-0}" -gt 0 ] && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.02
	done
	kids=$(pgrep -P "$pid" 2>/dev/null | tr '\n' ' ')
	kill -KILL "$pid" 2>/dev/null; KILLED=$?
	for k in $kids; do kill -KILL "$k" 2>/dev/null; done
	{ wait "$pid"; } 2>/dev/null
	AT_KILL=$(sqlite3 "$db" "$sql" 2>/dev/null || echo 0)
}

# kt_fake_start DIR MODE [fakeimap.py args...]: start tests/lib/fakeimap.py
# in MODE (transcript DIR/transcript.MODE), wait for its port; sets FPORT,
# FTR and FPID (stopped at exit, or earlier by kt_fake_stop).
kt_fake_start() {
	local d=$1 mode=$2; shift 2
	rm -f "$d/port"; FTR=$d/transcript.$mode; : >"$FTR"
	python3 "$KITH_TOP/tests/lib/fakeimap.py" --port-file "$d/port" --mode "$mode" \
		--transcript "$FTR" "$@" &
	FPID=$!
	kt_on_exit "kill $FPID 2>/dev/null"
	kt_wait_until 60 test -s "$d/port"
	FPORT=$(cat "$d/port")
}
kt_fake_stop() { kill "$FPID" 2>/dev/null; wait "$FPID" 2>/dev/null; }
