#!/usr/bin/env bash
# e2e_demo_run.sh: `make demo` (demo/run.sh BUILD) runs start to finish: it
# syncs over TLS, shows people and follow-ups, leaves a usable kith.conf
# and database behind, never prints the IMAP password, and stops its Dovecot.
set -u
. "${KITH_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/common.sh"
kt_need_kithd
kt_need_tools dovecot doveadm certtool sqlite3 python3

out=$(kt_tmpdir)
# TMPDIR inside $out: the demo's Dovecot folder is ours to look for.
TMPDIR=$out KITH_DEMO_DIR=$out/run "$KITH_TOP/demo/run.sh" "$KITH_BUILD" >"$out/demo.log" 2>&1
rc=$?
kt_eq "demo/run.sh exit status" 0 $rc
[ $rc -eq 0 ] || tail -n 30 "$out/demo.log" | sed 's/^/    | /'
log=$(sed 's/\x1b\[[0-9;]*m//g' "$out/demo.log")
kt_contains "demo output" "thinking as of 2026-11-18" "$log"
kt_contains "demo output" "body_count=0" "$log"
kt_contains "demo output" "Priya Raman" "$log"
kt_contains "demo output" "Reply to Priya Raman" "$log"
kt_contains "demo output" "Stopping Dovecot" "$log"
kt_eq "database left behind" 126 "$(kt_sql "$out/run/data/kith.db" 'SELECT count(*) FROM messages')"
kt_eq "demo dir is 0700" 700 "$(stat -c %a "$out/run")"
kt_eq "password file is 0600" 600 "$(stat -c %a "$out/run/imap-pass")"
kt_no_secret "demo output" "$(cat "$out/run/imap-pass")" "$log"
kt_eq "no Dovecot left running for this demo" 0 \
	"$(ps -eo args | grep -c "[d]ovecot -F -c $out/")"
if [ -x "$KITH_BUILD/kith" ]; then
	kt_contains "the conf works afterwards" "Priya" \
		"$("$KITH_BUILD/kith" -c "$out/run/kith.conf" show priya@harbourlight.example 2>&1)"
fi
# A folder the demo did not make is never deleted.
mkdir -p "$out/precious"; : >"$out/precious/keep"
KITH_DEMO_DIR=$out/precious "$KITH_TOP/demo/run.sh" "$KITH_BUILD" >/dev/null 2>&1
kt_ne "refuses a foreign KITH_DEMO_DIR" 0 $?
kt_true "foreign folder untouched" test -f "$out/precious/keep"
kt_done
