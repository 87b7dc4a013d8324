#!/usr/bin/env bash
# imap_all_real.sh: a server with an \All folder, for real.  Dovecot's
# virtual plugin gives the demo mailbox a Gmail-like "All Mail"
# (Virtual/All, special-use \All, showing every message of every folder but
# Trash and Junk) beside the real folders.  kithd must read only \All and
# \Sent (the other folders hold the same messages again): the protocol log
# shows EXAMINE of those two only; each distinct message is stored once;
# messages seen in Sent are the user's; Dovecot fetched no body.
set -u
. "${KITH_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/common.sh"
. "$KITH_TOP/tests/lib/certs.sh"
. "$KITH_TOP/tests/lib/dovecot.sh"
kt_need_kithd
kt_need_tools dovecot doveadm certtool sqlite3 python3
[ -f /usr/lib/dovecot/modules/lib20_virtual_plugin.so ] || kt_skip "Dovecot's virtual plugin is not installed"

kt_demo_expect
export DC_ALL_VIRTUAL=1
kt_e2e_server "$KITH_TOP/demo/mail"
kt_run_kithd "$E2E/run.log" "$E2E_CONF" --once -v --protocol-log
kt_eq "kithd --once exit status" 0 $?

examined=$(grep -o 'imap C: [0-9]* EXAMINE .*' "$E2E/run.log" | sed 's/^imap C: [0-9]* EXAMINE //; s/"//g' | sort | tr '\n' ' ')
kt_eq "folders examined: \\All and \\Sent only" "Sent Virtual/All " "$examined"
kt_eq "folders recorded" "Sent Virtual/All" \
	"$(kt_sql "$E2E_DB" "SELECT group_concat(name, ' ') FROM (SELECT name FROM folders ORDER BY name)")"
kt_eq "\\All flag recorded" 1 \
	"$(kt_sql "$E2E_DB" "SELECT count(*) FROM folders WHERE name = 'Virtual/All' AND flags & 2")"
kt_eq "distinct messages stored once each (index.tsv minus Junk)" "$DEMO_DISTINCT" \
	"$(kt_sql "$E2E_DB" 'SELECT count(*) FROM messages')"
kt_eq "no key stored twice" 0 \
	"$(kt_sql "$E2E_DB" 'SELECT count(*) FROM (SELECT key FROM messages GROUP BY key HAVING count(*) > 1)')"
kt_eq "Sent copies marked sent" "$DEMO_SENT" \
	"$(kt_sql "$E2E_DB" "SELECT count(*) FROM locations WHERE folder = 'Sent' AND sent = 1")"
kt_eq "messages from Maya are direction out" "$DEMO_FROM_MAYA" \
	"$(kt_sql "$E2E_DB" "SELECT count(*) FROM messages WHERE direction = 'out'")"
kt_eq "no INBOX, Archive or Junk location" 0 \
	"$(kt_sql "$E2E_DB" "SELECT count(*) FROM locations WHERE folder IN ('INBOX', 'Archive', 'Junk')")"
kt_true "every session's logout is in Dovecot's log" kt_dovecot_settled
logouts=$(kt_dovecot_logouts)
kt_ge "Dovecot logout lines" 1 "$(printf '%s\n' "$logouts" | grep -c 'body_count=')"
kt_eq "sessions that fetched a body" 0 "$(printf '%s\n' "$logouts" | grep -c 'body_count=[1-9]')"
kt_done
