#!/usr/bin/env bash
# e2e_enron.sh: the real Enron mailbox enron/skilling-j ($KITH_CORPUS), every
# folder loaded into Dovecot (sent, _sent_mail and sent_items with \Sent),
# synced by kithd.  The 4,139 files hold about 2,586 distinct messages (the
# corpus README's figure): kithd must land close to it, and every message
# seen in a sent folder must be marked sent.
set -u
. "${KITH_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/common.sh"
. "$KITH_TOP/tests/lib/certs.sh"
. "$KITH_TOP/tests/lib/dovecot.sh"
src=$KITH_CORPUS/enron/skilling-j
[ -d "$src" ] || kt_skip "no Enron corpus at $src (set KITH_CORPUS)"
kt_need_kithd
kt_need_tools dovecot doveadm certtool sqlite3 python3
EXPECT=${KITH_ENRON_DISTINCT:-2586}
TOL=${KITH_ENRON_TOLERANCE:-40}   # about 1.5%

DC_SENT_FOLDERS="sent _sent_mail sent_items"
KT_IDENTITIES='"jeff.skilling@enron.com", "jskilli@enron.com", "sherri.sera@enron.com", "joannie.williamson@enron.com"'
kt_e2e_server "$src"
files=$(find "$src" -type f | wc -l)
kt_eq "files loaded into Dovecot" "$files" "$(awk '{ s += $2 } END { print s }' "$E2E/loaded.txt")"

start=$SECONDS
kt_run_kithd "$E2E/run.log" "$E2E_CONF" --once
kt_eq "kithd exit status" 0 $?
took=$((SECONDS - start))

distinct=$(kt_sql "$E2E_DB" 'SELECT count(*) FROM messages')
locs=$(kt_sql "$E2E_DB" 'SELECT count(*) FROM locations')
echo "  (enron/skilling-j: $files files, $locs locations, $distinct distinct messages, synced in ${took}s)"
kt_eq "every file has a location" "$files" "$locs"
kt_between "distinct messages (README: about $EXPECT)" $((EXPECT - TOL)) $((EXPECT + TOL)) "$distinct"

sentq="folder IN ('sent', '_sent_mail', 'sent_items')"
kt_eq "sent folders flagged \\Sent" 3 \
	"$(kt_sql "$E2E_DB" "SELECT count(*) FROM folders WHERE ${sentq/folder/name} AND flags & 1")"
kt_eq "every sent-folder copy marked sent" 0 \
	"$(kt_sql "$E2E_DB" "SELECT count(*) FROM locations WHERE $sentq AND sent = 0")"
kt_eq "every message seen in a sent folder is out" 0 \
	"$(kt_sql "$E2E_DB" "SELECT count(*) FROM messages WHERE direction <> 'out'
		AND id IN (SELECT msg FROM locations WHERE $sentq)")"
insent=$(kt_sql "$E2E_DB" "SELECT count(DISTINCT msg) FROM locations WHERE $sentq")
out=$(kt_sql "$E2E_DB" "SELECT count(*) FROM messages WHERE direction = 'out'")
echo "  (distinct messages in sent folders: $insent; direction out: $out)"
kt_ge "messages marked out" "$insent" "$out"
kt_eq "nested inbox/genie folder synced" 1 \
	"$(kt_sql "$E2E_DB" "SELECT count(*) FROM folders WHERE name = 'INBOX/genie'")"
bogus=$(kt_sql "$E2E_DB" "SELECT count(*) FROM messages WHERE date = $(date -d 'Mon, 31 Dec 1979 16:00:00 -0800' +%s)")
echo "  (messages with the bogus 1979 date: $bogus)"
kt_true "every session's logout is in Dovecot's log" kt_dovecot_settled
kt_eq "sessions that fetched a body" 0 "$(kt_dovecot_logouts | grep -c 'body_count=[1-9]')"
kt_done
