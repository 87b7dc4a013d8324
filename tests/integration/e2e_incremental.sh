#!/usr/bin/env bash
# e2e_incremental.sh: after a first sync, three new messages (two appended
# with doveadm save, one dropped into the maildir's new/) give exactly three
# new rows on the next run, fetched without re-reading the old ones; then a
# UIDVALIDITY change on INBOX makes kithd rescan that folder without creating
# a single duplicate, and the counts kept for `kith status` stay exact.
set -u
. "${KITH_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/common.sh"
. "$KITH_TOP/tests/lib/certs.sh"
. "$KITH_TOP/tests/lib/dovecot.sh"
kt_need_kithd
kt_need_tools dovecot doveadm certtool sqlite3 python3

kt_demo_expect
kt_e2e_server "$KITH_TOP/demo/mail"
kt_run_kithd "$E2E/run1.log" "$E2E_CONF" --once || kt_die "first sync failed"
n1=$(kt_sql "$E2E_DB" 'SELECT count(*) FROM messages')
l1=$(kt_sql "$E2E_DB" 'SELECT count(*) FROM locations')
kt_eq "first sync" "$DEMO_DISTINCT" "$n1"
last_inbox=$(kt_sql "$E2E_DB" "SELECT last_uid FROM folders WHERE name='INBOX'")

new=$E2E/new; mkdir -p "$new"
for i in 1 2 3; do
	printf 'From: Tomás Okafor <tomas@fernwood-studio.example>\nTo: maya@lindqvist.example\nSubject: Follow-up %d\nDate: Mon, 16 Nov 2026 1%d:00:00 +0100\nMessage-ID: <incr-%d@fernwood-studio.example>\n\nbody %d\n' \
		"$i" "$i" "$i" "$i" >"$new/$i.eml"
done
kt_dovecot_save INBOX "$new/1.eml" "$new/2.eml" || kt__fail "doveadm save"
kt_dovecot_add_new Sent "$new/3.eml" || kt__fail "drop into Sent/new"
hdr_before=$(kt_dovecot_logouts | wc -l)

kt_run_kithd "$E2E/run2.log" "$E2E_CONF" --once
kt_eq "second sync exit status" 0 $?
kt_eq "exactly three new messages" $((n1 + 3)) "$(kt_sql "$E2E_DB" 'SELECT count(*) FROM messages')"
kt_eq "exactly three new locations" $((l1 + 3)) "$(kt_sql "$E2E_DB" 'SELECT count(*) FROM locations')"
kt_eq "new ones stored with their ids" 3 \
	"$(kt_sql "$E2E_DB" "SELECT count(*) FROM messages WHERE message_id LIKE 'incr-%'")"
kt_eq "the one in Sent is marked sent" 1 \
	"$(kt_sql "$E2E_DB" "SELECT count(*) FROM locations l JOIN messages m ON m.id = l.msg
		WHERE m.message_id = 'incr-3@fernwood-studio.example' AND l.sent = 1")"
kt_eq "INBOX last_uid advanced by two" $((last_inbox + 2)) \
	"$(kt_sql "$E2E_DB" "SELECT last_uid FROM folders WHERE name='INBOX'")"
kt_true "every session's logout is in Dovecot's log" kt_dovecot_settled
second=$(kt_dovecot_logouts | tail -n +$((hdr_before + 1)) | grep -o 'hdr_count=[0-9]*' | cut -d= -f2 | awk '{ s += $1 } END { print s + 0 }')
first=$(kt_dovecot_logouts | head -n "$hdr_before" | grep -o 'hdr_count=[0-9]*' | cut -d= -f2 | awk '{ s += $1 } END { print s + 0 }')
echo "  (headers fetched: first run ${first:-?}, second run ${second:-?})"
if [ "${first:-0}" -gt 0 ]; then
	kt_le "second run fetched only the new headers" 3 "${second:-999}"
fi

# UIDVALIDITY change: the whole INBOX is "new" to a client; no duplicates.
old_v=$(kt_sql "$E2E_DB" "SELECT uidvalidity FROM folders WHERE name='INBOX'")
kt_dovecot_uidvalidity INBOX $((old_v + 1000)) || kt__fail "doveadm mailbox update"
inbox_locs=$(kt_sql "$E2E_DB" "SELECT count(*) FROM locations WHERE folder='INBOX'")
kt_run_kithd "$E2E/run3.log" "$E2E_CONF" --once
kt_eq "after UIDVALIDITY change: exit status" 0 $?
kt_eq "after UIDVALIDITY change: no new messages" $((n1 + 3)) \
	"$(kt_sql "$E2E_DB" 'SELECT count(*) FROM messages')"
kt_eq "after UIDVALIDITY change: INBOX locations rebuilt" "$inbox_locs" \
	"$(kt_sql "$E2E_DB" "SELECT count(*) FROM locations WHERE folder='INBOX'")"
kt_eq "after UIDVALIDITY change: every INBOX location has the new UIDVALIDITY" 0 \
	"$(kt_sql "$E2E_DB" "SELECT count(*) FROM locations WHERE folder='INBOX' AND uidvalidity <> $((old_v + 1000))")"
kt_eq "folder state has the new UIDVALIDITY" $((old_v + 1000)) \
	"$(kt_sql "$E2E_DB" "SELECT uidvalidity FROM folders WHERE name='INBOX'")"
kt_eq "Archive copy of the duplicate survived" 1 \
	"$(kt_sql "$E2E_DB" "SELECT count(*) FROM locations l JOIN messages m ON m.id = l.msg
		WHERE m.message_id = '$DEMO_DUP_ID' AND l.folder = 'Archive'")"
kt_eq "no key stored twice" 0 \
	"$(kt_sql "$E2E_DB" 'SELECT count(*) FROM (SELECT key FROM messages GROUP BY key HAVING count(*) > 1)')"
# the tallies `kith status` shows stayed exact through the rescan
for t in "messages|SELECT count(*) FROM messages" \
	 "messages_out|SELECT count(*) FROM messages WHERE direction = 'out'" \
	 "locations|SELECT count(*) FROM locations" \
	 "locations:test|SELECT count(*) FROM locations WHERE account = 'test'"; do
	kt_eq "tally ${t%%|*}" "$(kt_sql "$E2E_DB" "${t#*|}")" \
		"$(kt_sql "$E2E_DB" "SELECT value FROM tallies WHERE name = '${t%%|*}'")"
done
kt_done
