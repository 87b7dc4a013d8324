#!/usr/bin/env bash
# e2e_demo_sync.sh: kithd syncs the demo mailbox from a real Dovecot over
# implicit TLS.  Every distinct message is stored once (the INBOX+Archive copy
# once, with two locations), Maya's Sent mail is marked sent/out, Junk is
# left out, Dovecot's logout line proves no body was fetched, the password
# never appears in kithd's output, and a second run adds nothing.
set -u
. "${KITH_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/common.sh"
. "$KITH_TOP/tests/lib/certs.sh"
. "$KITH_TOP/tests/lib/dovecot.sh"
kt_need_kithd
kt_need_tools dovecot doveadm certtool sqlite3 python3

kt_demo_expect
kt_e2e_server "$KITH_TOP/demo/mail"
kt_run_kithd "$E2E/run1.log" "$E2E_CONF" --once
kt_eq "kithd --once exit status" 0 $?
[ -f "$E2E_DB" ] || { kt__fail "no database at $E2E_DB"; kt_done; }
kt_eq "database file mode" 600 "$(stat -c %a "$E2E_DB")"
kt_eq "data dir mode" 700 "$(stat -c %a "$E2E/data")"

kt_eq "distinct messages stored (index.tsv minus Junk)" "$DEMO_DISTINCT" \
	"$(kt_sql "$E2E_DB" 'SELECT count(*) FROM messages')"
kt_eq "locations (one per folder copy)" "$DEMO_COPIES" \
	"$(kt_sql "$E2E_DB" 'SELECT count(*) FROM locations')"
kt_eq "no key stored twice" 0 \
	"$(kt_sql "$E2E_DB" 'SELECT count(*) FROM (SELECT key FROM messages GROUP BY key HAVING count(*) > 1)')"
kt_eq "INBOX+Archive copy: one message" 1 \
	"$(kt_sql "$E2E_DB" "SELECT count(*) FROM messages WHERE message_id = '$DEMO_DUP_ID'")"
kt_eq "INBOX+Archive copy: two locations" "INBOX Archive" \
	"$(kt_sql "$E2E_DB" "SELECT l.folder FROM locations l JOIN messages m ON m.id = l.msg
		WHERE m.message_id = '$DEMO_DUP_ID' ORDER BY l.folder DESC" | tr '\n' ' ' | sed 's/ $//')"
kt_eq "Junk folder not stored" 0 \
	"$(kt_sql "$E2E_DB" "SELECT count(*) FROM locations WHERE folder = 'Junk'")"
kt_eq "Sent copies marked sent" "$DEMO_SENT" \
	"$(kt_sql "$E2E_DB" "SELECT count(*) FROM locations WHERE folder = 'Sent' AND sent = 1")"
kt_eq "nothing outside Sent marked sent" 0 \
	"$(kt_sql "$E2E_DB" "SELECT count(*) FROM locations WHERE folder <> 'Sent' AND sent <> 0")"
kt_eq "messages from Maya are direction out" "$DEMO_FROM_MAYA" \
	"$(kt_sql "$E2E_DB" "SELECT count(*) FROM messages WHERE direction = 'out'")"
kt_eq "Sent folder has the \\Sent flag" 1 \
	"$(kt_sql "$E2E_DB" "SELECT flags & 1 FROM folders WHERE name = 'Sent'")"
kt_eq "RFC 2047 name decoded" "Tomás Okafor" \
	"$(kt_sql "$E2E_DB" "SELECT DISTINCT from_name FROM messages WHERE from_addr = 'tomas@fernwood-studio.example'")"
kt_eq "List-Id recorded for list mail" 1 \
	"$(kt_sql "$E2E_DB" "SELECT count(DISTINCT list_id) FROM messages WHERE list_id LIKE 'urban-gardens%'")"
kt_ge "In-Reply-To kept" 40 \
	"$(kt_sql "$E2E_DB" "SELECT count(*) FROM messages WHERE in_reply_to IS NOT NULL")"
kt_eq "no message without a date" 0 \
	"$(kt_sql "$E2E_DB" "SELECT count(*) FROM messages WHERE date IS NULL")"

# Dovecot's own accounting: kithd logged out cleanly and fetched no body.
kt_true "every session's logout is in Dovecot's log" kt_dovecot_settled
logouts=$(kt_dovecot_logouts)
kt_ge "Dovecot logout lines" 1 "$(printf '%s\n' "$logouts" | grep -c 'body_count=')"
kt_eq "sessions that fetched a body" 0 \
	"$(printf '%s\n' "$logouts" | grep -c 'body_count=[1-9]')"
echo "  (dovecot: $(printf '%s\n' "$logouts" | grep -o 'hdr_count=[0-9]* hdr_bytes=[0-9]* body_count=[0-9]*' | head -n 3 | tr '\n' ';'))"

# A second run changes nothing.
before=$(kt_canon_dump "$E2E_DB" | grep -v '^F' | md5sum)
kt_run_kithd "$E2E/run2.log" "$E2E_CONF" --once
kt_eq "second run exit status" 0 $?
kt_eq "second run: same messages and locations" "$before" \
	"$(kt_canon_dump "$E2E_DB" | grep -v '^F' | md5sum)"
kt_done
