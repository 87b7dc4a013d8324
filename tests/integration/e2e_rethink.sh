#!/usr/bin/env bash
# e2e_rethink.sh: the running daemon recomputes scores only when something
# changed, and new mail reaches the analysis at once.  Against a real
# Dovecot with the demo mailbox, kithd (foreground loop, -v, hour-long poll
# interval) analyses right after its first sync; a `kith sync` that brings
# nothing new keeps that analysis (logged, people's rows untouched); a task
# file rewritten by a task app, a decision written by the CLI (another
# SQLite connection) and a new message are each picked up at the next
# sync; and mail that arrives while kithd idles is fetched and analysed
# with no `kith sync` (IDLE push).  A session that brings mail ends before
# IDLE so the daemon can analyse it; the next session idles.
. "${KITH_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/common.sh"
. "$KITH_TOP/tests/lib/certs.sh"
. "$KITH_TOP/tests/lib/dovecot.sh"
kt_need_kithd
kt_need_tools dovecot doveadm certtool sqlite3 python3

kt_e2e_server "$KITH_TOP/demo/mail"
cat >>"$E2E_CONF" <<EOF
runtime_dir = "$E2E/run";
poll_interval = 3600;
EOF
K=("$KITH_BUILD/kith" -c "$E2E_CONF")
log=$E2E/daemon.log
"$KITH_BUILD/kithd" -c "$E2E_CONF" -v >"$log" 2>&1 &
dpid=$!
kt_on_exit "kill $dpid 2>/dev/null"

analyses() { grep -c 'info: [0-9]* messages, [0-9]* people' "$log"; }
kept() { grep -c 'nothing changed since the analysis' "$log"; }
# wait_for FN N: until FN prints at least N (60 s at most)
at_least() { [ "$($1)" -ge "$2" ]; }
wait_for() { kt_wait_until 60 at_least "$1" "$2"; }
people() { kt_sql "$E2E_DB" "SELECT group_concat(key || ':' || depth, ',') FROM people"; }

kt_true "first analysis" wait_for analyses 1
kt_true "control socket" test -S "$E2E/run/control"
before=$(people)

"${K[@]}" sync >/dev/null; kt_eq "kith sync accepted" 0 $?
kt_true "a sync with nothing new keeps the analysis" wait_for kept 1
kt_eq "no second analysis" 1 "$(analyses)"
kt_eq "people rows untouched" "$before" "$(people)"

# a task app rewriting a task file (as todoman does: a new file renamed
# over the old one): the next sync analyses again, to see what it did
f=$(ls "$E2E/tasks"/*.ics | head -n 1)
kt_true "a task file to touch" test -f "$f"
cp "$f" "$f.tmp" && mv "$f.tmp" "$f"
"${K[@]}" sync >/dev/null
kt_true "a changed task folder brings a new analysis" wait_for analyses 2

# a decision from the CLI: the next sync analyses again, and it shows
key=$(kt_sql "$E2E_DB" "SELECT key FROM people ORDER BY rank LIMIT 1")
kt_true "someone to ignore" test -n "$key"
"${K[@]}" ignore "$key" >/dev/null; kt_eq "kith ignore" 0 $?
"${K[@]}" sync >/dev/null
kt_true "a decision brings a new analysis" wait_for analyses 3
kt_eq "the ignored person is gone" 0 "$(kt_sql "$E2E_DB" "SELECT count(*) FROM people WHERE key = '$key'")"

# a new message: analysed at the next sync
n0=$(kt_sql "$E2E_DB" "SELECT count(*) FROM messages")
msg=$E2E/new.eml
printf 'From: Someone New <new@elsewhere.example>\r\nTo: maya@lindqvist.example\r\nSubject: hello\r\nDate: Mon, 16 Nov 2026 10:00:00 +0000\r\nMessage-ID: <rethink-test@elsewhere.example>\r\n\r\nhi\r\n' >"$msg"
kt_dovecot_save INBOX "$msg" || kt_die "cannot add a message"
"${K[@]}" sync >/dev/null
kt_true "new mail brings a new analysis" wait_for analyses 4
kt_eq "the message is stored" $((n0 + 1)) "$(kt_sql "$E2E_DB" "SELECT count(*) FROM messages")"
kt_eq "no analysis kept while new mail waited" 4 "$(analyses)"

# IDLE push: mail arriving while kithd idles is fetched and analysed with
# no `kith sync` at all
sed 's/rethink-test@/rethink-push@/; s/Subject: hello/Subject: pushed/' "$msg" >"$E2E/push.eml"
kt_dovecot_save INBOX "$E2E/push.eml" || kt_die "cannot add a message"
kt_true "IDLE news is fetched and analysed" wait_for analyses 5
kt_eq "the pushed message is stored" $((n0 + 2)) "$(kt_sql "$E2E_DB" "SELECT count(*) FROM messages")"
kt_done
