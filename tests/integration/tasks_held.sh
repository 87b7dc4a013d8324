#!/usr/bin/env bash
# tasks_held.sh: a follow-up the cap holds back keeps the day kith first
# wanted it.  The demo mailbox from a real Dovecot, kithd --once three
# times at later as-of dates: with followups.max_open 1 one task is written
# and the rest are held (KITH_TS_HELD records, no file); a day later the
# held records still carry the first day as their creation (they were made
# anew each cycle before); with the cap raised two days on, they are
# written, their files' CREATED that first day but due no earlier than the
# day they appear (a keep-in-touch task due that day: never overdue the
# moment it appears), and `kith status` and
# `kith show` tell open from held along the way.
. "${KITH_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/common.sh"
. "$KITH_TOP/tests/lib/certs.sh"
. "$KITH_TOP/tests/lib/dovecot.sh"
kt_need_kithd
kt_need_tools dovecot doveadm certtool sqlite3 python3
[ -x "$KITH_BUILD/kith" ] || kt_skip "no kith CLI in $KITH_BUILD"

kt_e2e_server "$KITH_TOP/demo/mail"
cp "$E2E_CONF" "$E2E/open.conf"
echo 'followups = { max_open = 1; };' >>"$E2E_CONF"
K=("$KITH_BUILD/kith" -c "$E2E_CONF")
d1=$(date -u -d 2026-11-18 +%s)
held() { kt_sql "$E2E_DB" "SELECT uid || '|' || created FROM tasks WHERE status = 5 ORDER BY uid"; }

kt_run_kithd "$E2E/run1.log" "$E2E_CONF" --once --as-of 2026-11-18 || kt_die "kithd (1) failed"
kt_eq "cap 1: one task open" 1 "$(kt_sql "$E2E_DB" "SELECT count(*) FROM tasks WHERE status = 0")"
kt_eq "cap 1: one file" 1 "$(ls "$E2E/tasks"/*.ics | wc -l)"
first=$(held)
n=$(echo "$first" | grep -c .)
kt_ge "some tasks held back" 2 "$n"
kt_eq "held records created on the first day" "$n" "$(echo "$first" | grep -c "|$d1\$")"
kt_contains "status: open and held" "1 open follow-ups, $n held back" "$("${K[@]}" status)"
who=$(kt_sql "$E2E_DB" "SELECT person_key FROM tasks WHERE status = 5 ORDER BY uid LIMIT 1")
kt_contains "show marks the held task" "held back (task cap)" "$("${K[@]}" show "$who")"

kt_run_kithd "$E2E/run2.log" "$E2E_CONF" --once --as-of 2026-11-19 || kt_die "kithd (2) failed"
second=$(held)
kt_true "a day later, tasks still held" test -n "$second"
kt_eq "a day later: the same held tasks, the same creation" \
	"$(echo "$first" | grep -F -f <(echo "$second" | cut -d'|' -f1))" "$second"

kt_run_kithd "$E2E/run3.log" "$E2E/open.conf" --once --as-of 2026-11-20 || kt_die "kithd (3) failed"
kt_eq "cap 12: nothing held" 0 "$(kt_sql "$E2E_DB" "SELECT count(*) FROM tasks WHERE status = 5")"
released=0
while IFS='|' read -r uid _; do
	f="$E2E/tasks/$uid.ics"
	[ -f "$f" ] || continue # wanted no more on the 20th
	released=$((released + 1))
	kt_contains "$uid written with its first day as CREATED" "CREATED:20261118T000000Z" "$(cat "$f")"
	kt_contains "$uid stamped the day it was written" "DTSTAMP:20261120T000000Z" "$(cat "$f")"
	case $uid in kith-keep-*) # keep in touch: due the day it appears
		kt_contains "$uid due the day it appears" "DUE:20261120T235959Z" "$(cat "$f")" ;;
	esac
	kt_ge "$uid not overdue when it appears: its DUE day" \
		20261120 "$(sed -n 's/^DUE[;:A-Z=]*//p' "$f" | tr -d '\r' | cut -c1-8)"
	kt_eq "$uid: its record keeps the first day" "$d1" \
		"$(kt_sql "$E2E_DB" "SELECT created FROM tasks WHERE uid = '$uid'")"
done <<<"$second"
kt_ge "held tasks written once the cap allows" 1 "$released"
kt_done
