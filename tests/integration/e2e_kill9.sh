#!/usr/bin/env bash
# e2e_kill9.sh: kill -9 kithd in the middle of the first sync of a large
# folder (20,000 messages made from the demo mailbox's headers with fresh
# Message-IDs and dates), rerun it, and the database equals the one an
# uninterrupted run builds (canonical dump of messages, locations, folders).
set -u
. "${KITH_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/common.sh"
. "$KITH_TOP/tests/lib/certs.sh"
. "$KITH_TOP/tests/lib/dovecot.sh"
kt_need_kithd
kt_need_tools dovecot doveadm certtool sqlite3 python3
N=${KITH_KILL9_MESSAGES:-20000}

tree=$(kt_tmpdir tree)
python3 "$KITH_TOP/tests/lib/maildir.py" replicate "$KITH_TOP/demo/mail" "$tree/INBOX" "$N" >/dev/null \
	|| kt_die "cannot generate messages"
mkdir -p "$tree/Sent" && cp "$KITH_TOP"/demo/mail/Sent/*.eml "$tree/Sent/"
nsent=$(ls "$tree/Sent" | wc -l)
kt_e2e_server "$tree"

# The interrupted run: wait for the first committed batch of INBOX, then kill -9
# kithd and its contained IMAP child, leaving whatever was half-done.
kt_kill9_when_stored "$E2E/killed.log" "$E2E_DB" "SELECT count(*) FROM locations WHERE folder = 'INBOX'" "$E2E_CONF"
killed=$KILLED at_kill=$AT_KILL
echo "  (killed with $at_kill of $N INBOX messages stored," \
	"$(sqlite3 "$E2E_DB" 'SELECT count(*) FROM messages' 2>/dev/null) messages in all)"
kt_eq "kithd was still running when killed" 0 "$killed"
kt_between "kill landed in the middle of INBOX" 1 $((N - 1)) "$at_kill"
kt_eq "database intact after kill -9" ok "$(sqlite3 "$E2E_DB" 'PRAGMA integrity_check' 2>&1)"

kt_run_kithd "$E2E/resumed.log" "$E2E_CONF" --once
kt_eq "resumed run exit status" 0 $?

# The reference: an uninterrupted run into a fresh data dir.
ref=$E2E/ref.conf
kt_kith_conf "$ref" "$E2E/data-ref" "$E2E/tasks-ref" implicit
start=$SECONDS
kt_run_kithd "$E2E/ref.log" "$ref" --once
kt_eq "reference run exit status" 0 $?
echo "  (uninterrupted sync of $((N + nsent)) messages: $((SECONDS - start)) s)"

kt_eq "messages stored" $((N + nsent)) "$(kt_sql "$E2E_DB" 'SELECT count(*) FROM messages')"
kt_canon_dump "$E2E_DB" >"$E2E/resumed.dump"
kt_canon_dump "$E2E/data-ref/kith.db" >"$E2E/ref.dump"
kt_eq "dump lines (resumed vs reference)" "$(wc -l <"$E2E/ref.dump")" "$(wc -l <"$E2E/resumed.dump")"
if cmp -s "$E2E/resumed.dump" "$E2E/ref.dump"; then
	kt__pass "resumed database equals the uninterrupted one"
else
	kt__fail "resumed database differs from the uninterrupted one:"
	diff "$E2E/ref.dump" "$E2E/resumed.dump" | head -n 10 | sed 's/^/    /'
fi
kt_done
