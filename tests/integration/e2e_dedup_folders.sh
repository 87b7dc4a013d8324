#!/usr/bin/env bash
# e2e_dedup_folders.sh: the same message in several folders counts once:
# byte-identical copies (INBOX, Archive, a nested Projects/2026), and
# Enron-style copies that differ only in their synthetic Message-ID.  A
# different message with the same subject stays separate.  Each copy keeps
# its own location; a copy in Sent makes the message "out".
set -u
. "${KITH_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/common.sh"
. "$KITH_TOP/tests/lib/certs.sh"
. "$KITH_TOP/tests/lib/dovecot.sh"
kt_need_kithd
kt_need_tools dovecot doveadm certtool sqlite3 python3

tree=$(kt_tmpdir tree)
mkdir -p "$tree/INBOX" "$tree/Archive" "$tree/Projects/2026" "$tree/all_documents" "$tree/Sent"
msg() { # file from subject date msgid
	printf 'From: %s\nTo: Maya Lindqvist <maya@lindqvist.example>\nSubject: %s\nDate: %s\nMessage-ID: <%s>\n\nhello\n' \
		"$2" "$3" "$4" "$5" >"$1"
}
msg "$tree/INBOX/1.eml" "Ana Ruiz <ana@example.org>" "Plans" "Tue, 3 Nov 2026 10:00:00 +0000" "plans@example.org"
cp "$tree/INBOX/1.eml" "$tree/Archive/1.eml"
cp "$tree/INBOX/1.eml" "$tree/Projects/2026/1.eml"
# Same content, another Message-ID (the Enron export does this).
msg "$tree/INBOX/2.eml" "Ben Ode <ben@example.org>" "Budget" "Wed, 4 Nov 2026 09:00:00 -0800" "1.123.JavaMail.evans@thyme"
msg "$tree/all_documents/2.eml" "Ben Ode <ben@example.org>" "Budget" "Wed, 4 Nov 2026 09:00:00 -0800" "7.456.JavaMail.evans@thyme"
# Same subject and sender, another day: a different message.
msg "$tree/INBOX/3.eml" "Ben Ode <ben@example.org>" "Budget" "Thu, 5 Nov 2026 09:00:00 -0800" "2.123.JavaMail.evans@thyme"
# Maya's message, in Sent and filed in Archive too.
printf 'From: Maya Lindqvist <maya@lindqvist.example>\nTo: ana@example.org\nSubject: Re: Plans\nDate: Tue, 3 Nov 2026 12:00:00 +0100\nMessage-ID: <re-plans@lindqvist.example>\nIn-Reply-To: <plans@example.org>\n\nyes\n' >"$tree/Sent/1.eml"
cp "$tree/Sent/1.eml" "$tree/Archive/2.eml"

kt_e2e_server "$tree"
kt_run_kithd "$E2E/run.log" "$E2E_CONF" --once
kt_eq "kithd exit status" 0 $?
kt_eq "files loaded" 8 "$(awk '{ s += $2 } END { print s }' "$E2E/loaded.txt")"
kt_eq "distinct messages" 4 "$(kt_sql "$E2E_DB" 'SELECT count(*) FROM messages')"
kt_eq "locations" 8 "$(kt_sql "$E2E_DB" 'SELECT count(*) FROM locations')"
kt_eq "identical copy in 3 folders: 1 message, 3 locations" 3 \
	"$(kt_sql "$E2E_DB" "SELECT count(*) FROM locations l JOIN messages m ON m.id = l.msg WHERE m.message_id = 'plans@example.org'")"
kt_eq "nested folder name" "Projects/2026" \
	"$(kt_sql "$E2E_DB" "SELECT folder FROM locations WHERE folder LIKE 'Projects%' LIMIT 1")"
kt_eq "Enron-style copies: one message" 1 \
	"$(kt_sql "$E2E_DB" "SELECT count(*) FROM messages WHERE from_addr = 'ben@example.org' AND date = $(date -d 'Wed, 4 Nov 2026 09:00:00 -0800' +%s)")"
kt_eq "same subject, other day: separate" 2 \
	"$(kt_sql "$E2E_DB" "SELECT count(*) FROM messages WHERE from_addr = 'ben@example.org'")"
kt_eq "Maya's message is out" out \
	"$(kt_sql "$E2E_DB" "SELECT direction FROM messages WHERE message_id = 're-plans@lindqvist.example'")"
kt_eq "its Sent copy marked, its Archive copy not" "Archive:0 Sent:1" \
	"$(kt_sql "$E2E_DB" "SELECT l.folder || ':' || l.sent FROM locations l JOIN messages m ON m.id = l.msg
		WHERE m.message_id = 're-plans@lindqvist.example' ORDER BY l.folder" | tr '\n' ' ' | sed 's/ $//')"
kt_done
