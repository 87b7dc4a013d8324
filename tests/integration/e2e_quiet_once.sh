#!/usr/bin/env bash
# e2e_quiet_once.sh: a `kithd --once` with nothing new keeps the saved
# analysis (no re-analysis, no task writing); new mail, each kind of user
# decision (pin, ignore, merge, split, done), another day, the moment the
# tasks could change with time alone (next_change), an edited
# configuration and a change in the task folder each make it analyse again.
# A newsletter that can touch nobody (lib/inert.h) is absorbed: the saved
# analysis is kept and only its message count moves; the same newsletter
# copied to a person kith knows is analysed.
# A daemon started while the saved analysis holds keeps it as well, until
# new mail arrives.
#
# How "analysed" is seen, without timing: a derived row is tampered with
# between runs (people.reason); a re-analysis rewrites it, a kept analysis
# leaves it.  kithd's log says which happened, too.
set -u
. "${KITH_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/common.sh"
. "$KITH_TOP/tests/lib/certs.sh"
. "$KITH_TOP/tests/lib/dovecot.sh"
kt_need_kithd
kt_need_tools dovecot doveadm certtool sqlite3 python3
K=$KITH_BUILD/kith

kt_e2e_server "$KITH_TOP/demo/mail"
kt_run_kithd "$E2E/run0.log" "$E2E_CONF" --once || kt_die "first sync failed"
kt_contains "the first run analyses" "tasks open (" "$(cat "$E2E/run0.log")"
kt_eq "the basis is recorded" 1 "$(kt_sql "$E2E_DB" 'SELECT with_tasks FROM analysis_basis')"
kt_eq "tallies: messages" "$(kt_sql "$E2E_DB" 'SELECT count(*) FROM messages')" \
	"$(kt_sql "$E2E_DB" "SELECT value FROM tallies WHERE name = 'messages'")"
kt_eq "tallies: the user's messages" \
	"$(kt_sql "$E2E_DB" "SELECT count(*) FROM messages WHERE direction = 'out'")" \
	"$(kt_sql "$E2E_DB" "SELECT value FROM tallies WHERE name = 'messages_out'")"
kt_eq "tallies: locations" "$(kt_sql "$E2E_DB" 'SELECT count(*) FROM locations')" \
	"$(kt_sql "$E2E_DB" "SELECT value FROM tallies WHERE name = 'locations'")"

n=0
tamper() { kt_sql "$E2E_DB" "UPDATE people SET reason = 'tampered'" >/dev/null; }
tampered() { kt_sql "$E2E_DB" "SELECT count(*) FROM people WHERE reason = 'tampered'"; }
# once WHAT kept|analysed [ARGS]: tamper, run --once, check which happened
once() {
	local what=$1 want=$2 log; shift 2
	n=$((n + 1)); log=$E2E/run$n.log
	tamper
	kt_run_kithd "$log" "$E2E_CONF" --once "$@"
	kt_eq "$what: exit status" 0 $?
	if [ "$want" = absorbed ]; then
		kt_contains "$what: the log says absorbed" "nothing: the analysis as of" "$(cat "$log")"
		kt_not_contains "$what: no analysis ran" "tasks open (" "$(cat "$log")"
		kt_ne "$what: the derived rows were left alone" 0 "$(tampered)"
	elif [ "$want" = kept ]; then
		kt_contains "$what: the log says kept" "nothing new since the analysis" "$(cat "$log")"
		kt_not_contains "$what: no analysis ran" "tasks open (" "$(cat "$log")"
		kt_ne "$what: the derived rows were left alone" 0 "$(tampered)"
	else
		kt_contains "$what: analysed" "tasks open (" "$(cat "$log")"
		kt_eq "$what: the derived rows were rewritten" 0 "$(tampered)"
	fi
}

once "nothing new" kept
once "nothing new, again" kept

new=$E2E/new; mkdir -p "$new"
printf 'From: Tomás Okafor <tomas@fernwood-studio.example>\nTo: maya@lindqvist.example\nSubject: Quiet\nDate: Mon, 16 Nov 2026 10:00:00 +0100\nMessage-ID: <quiet-1@fernwood-studio.example>\n\nbody\n' >"$new/1.eml"
kt_dovecot_save INBOX "$new/1.eml" || kt__fail "doveadm save"
once "new mail" analysed
once "after the new mail" kept

# newsletter N FROM CC: a bulk message from FROM (Cc CC when given)
newsletter() {
	printf 'From: Shop News <%s>\nTo: maya@lindqvist.example\n%bSubject: Deals %s\nDate: Tue, 17 Nov 2026 1%s:00:00 +0100\nMessage-ID: <news-%s@shop.example>\nList-Id: <weekly.shop.example>\nList-Unsubscribe: <mailto:u@shop.example>\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\nPrecedence: bulk\n\nbody\n' \
		"$2" "${3:+Cc: $3\n}" "$1" "$1" "$1" >"$new/news$1.eml"
	kt_dovecot_save INBOX "$new/news$1.eml" || kt__fail "doveadm save"
}
count_before=$(kt_sql "$E2E_DB" 'SELECT n_messages FROM analysis')
newsletter 1 news@shop.example
once "a first newsletter (a new list)" analysed
newsletter 2 news@shop.example
once "a newsletter" absorbed
kt_eq "the absorbed newsletter is counted" $((count_before + 2)) \
	"$(kt_sql "$E2E_DB" 'SELECT n_messages FROM analysis')"
once "after the newsletter" kept
newsletter 3 news@shop.example tomas@fernwood-studio.example
once "a newsletter copied to a person" analysed

who=$(kt_sql "$E2E_DB" "SELECT key FROM people ORDER BY rank LIMIT 1")
other=$(kt_sql "$E2E_DB" "SELECT key FROM people ORDER BY rank LIMIT 1 OFFSET 1")
"$K" -c "$E2E_CONF" pin "$who" close >/dev/null || kt__fail "kith pin"
once "a pin" analysed
"$K" -c "$E2E_CONF" ignore "$other" >/dev/null || kt__fail "kith ignore"
once "an ignore" analysed
"$K" -c "$E2E_CONF" merge a-quiet@example.org b-quiet@example.org >/dev/null || kt__fail "kith merge"
once "a merge" analysed
"$K" -c "$E2E_CONF" split b-quiet@example.org >/dev/null || kt__fail "kith split"
once "a split" analysed
once "after the decisions" kept
open_for=$(kt_sql "$E2E_DB" "SELECT person_key FROM tasks WHERE status = 0 LIMIT 1")
if [ -n "$open_for" ]; then
	"$K" -c "$E2E_CONF" done "$open_for" >/dev/null || kt__fail "kith done"
	once "kith done" analysed
else
	kt__fail "the demo mailbox should leave an open task"
fi

echo "# edited" >>"$E2E_CONF"
once "an edited configuration" analysed
touch "$E2E/tasks/stray.ics" # what a task app does: a file appears or goes
once "a change in the task folder" analysed
once "after that" kept

# the saved tasks hold until the moment time alone could change them
# (followup.h's next_change), and at the latest until the day ends
nc=$(kt_sql "$E2E_DB" 'SELECT next_change FROM analysis_basis')
at=$(kt_sql "$E2E_DB" 'SELECT at FROM analysis_basis')
kt_true "next_change is after the analysis ($nc > $at)" test "${nc:-0}" -gt "${at:-0}"
kt_true "next_change is at most the day's end" test "${nc:-0}" -le $(((at / 86400 + 1) * 86400))
kt_sql "$E2E_DB" 'UPDATE analysis_basis SET next_change = at' >/dev/null
once "the tasks' next change has come" analysed
once "after that, again" kept

once "a fixed day" analysed --as-of 2026-11-20
once "the same fixed day" kept --as-of 2026-11-20
once "the next day" analysed --as-of 2026-11-21

# a daemon started on a database whose saved analysis holds keeps it too
# (within the hour): the end of its first session (a `kith sync`)
# analyses nothing; new mail then does
printf 'runtime_dir = "%s/run";\npoll_interval = 3600;\n' "$E2E" >>"$E2E_CONF"
once "before the daemon" analysed # the edit above
tamper
dlog=$E2E/daemon.log
"$KITH_BUILD/kithd" -c "$E2E_CONF" -v >"$dlog" 2>&1 &
dpid=$!
kt_on_exit "kill $dpid 2>/dev/null"
# wait_for PATTERN N: until the daemon's log holds PATTERN N times (20 s at most)
wait_for() {
	local i
	for ((i = 0; i < 400; i++)); do
		[ "$(grep -c -- "$1" "$dlog")" -ge "$2" ] && return 0
		sleep 0.05
	done
	return 1
}
for ((i = 0; i < 400; i++)); do [ -S "$E2E/run/control" ] && break; sleep 0.05; done
kt_true "daemon: control socket" test -S "$E2E/run/control"
"$K" -c "$E2E_CONF" sync >/dev/null; kt_eq "daemon: kith sync accepted" 0 $?
kt_true "daemon: the saved analysis is kept" wait_for "nothing new since the analysis" 1
kt_eq "daemon: no analysis ran" 0 "$(grep -c 'tasks open (' "$dlog")"
kt_ne "daemon: the derived rows were left alone" 0 "$(tampered)"
newsletter 4 news@shop.example
kt_true "daemon: a newsletter is absorbed" wait_for "nothing: the analysis as of" 1
kt_eq "daemon: no analysis ran for it" 0 "$(grep -c 'tasks open (' "$dlog")"
kt_ne "daemon: the derived rows were still left alone" 0 "$(tampered)"
printf 'From: Tomás Okafor <tomas@fernwood-studio.example>\nTo: maya@lindqvist.example\nSubject: Quiet 2\nDate: Mon, 16 Nov 2026 11:00:00 +0100\nMessage-ID: <quiet-2@fernwood-studio.example>\n\nbody\n' >"$new/2.eml"
kt_dovecot_save INBOX "$new/2.eml" || kt__fail "doveadm save"
kt_true "daemon: new mail is analysed" wait_for "tasks open (" 1
kt_eq "daemon: the derived rows were rewritten" 0 "$(tampered)"
kill -TERM $dpid; wait $dpid; [ -n "${KT_DEBUG:-}" ] && cat "$dlog"

# the tallies stayed exact through all of it (inserts, decisions)
kt_eq "tallies after all: messages" "$(kt_sql "$E2E_DB" 'SELECT count(*) FROM messages')" \
	"$(kt_sql "$E2E_DB" "SELECT value FROM tallies WHERE name = 'messages'")"
kt_eq "kith status shows the tallied count" \
	"$(kt_sql "$E2E_DB" 'SELECT count(*) FROM messages')" \
	"$("$K" -c "$E2E_CONF" status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["messages"])')"
kt_done
