#!/usr/bin/env bash
# e2e_broken_headers.sh: messages with broken headers, served by a real
# Dovecot, are stored as far as they parse and counted; kithd neither crashes
# nor drops them, and the good message next to them is untouched.
set -u
. "${KITH_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/common.sh"
. "$KITH_TOP/tests/lib/certs.sh"
. "$KITH_TOP/tests/lib/dovecot.sh"
kt_need_kithd
kt_need_tools dovecot doveadm certtool sqlite3 python3

tree=$(kt_tmpdir tree)
mkdir -p "$tree/INBOX"
python3 - "$tree/INBOX" <<'EOF'
import os, sys
d = sys.argv[1]
T = "To: maya@lindqvist.example\n"
msgs = {
 "01-good": "From: Good Sender <good@example.org>\n" + T + "Subject: All fine\nDate: Tue, 3 Nov 2026 10:00:00 +0000\nMessage-ID: <good@example.org>\n\nok\n",
 "02-from-quote": 'From: "Unterminated quote <broken@example.org>\n' + T + "Subject: Broken from\nDate: Tue, 3 Nov 2026 10:01:00 +0000\nMessage-ID: <b1@example.org>\n\nx\n",
 "03-bad-date": "From: a@example.org\n" + T + "Subject: Bad date\nDate: the day after tomorrow, maybe\nMessage-ID: <b2@example.org>\n\nx\n",
 "04-no-colon": "From: b@example.org\n" + T + "This line has no colon at all\nSubject: No colon line\nDate: Tue, 3 Nov 2026 10:03:00 +0000\nMessage-ID: <b3@example.org>\n\nx\n",
 "05-8bit": "From: c@example.org\n" + T + "Subject: Caf\xe9 menu \xff\xfe\nDate: Tue, 3 Nov 2026 10:04:00 +0000\nMessage-ID: <b4@example.org>\n\nx\n",
 "06-bad-2047": "From: =?utf-8?B?!!!notbase64?= <d@example.org>\n" + T + "Subject: =?utf-8?Q?half=E2=8?= open =?x-unknown?q?zz?=\nDate: Tue, 3 Nov 2026 10:05:00 +0000\nMessage-ID: <b5@example.org>\n\nx\n",
 "07-many-rcpt": "From: e@example.org\nTo: " + ", ".join("r%d@example.org" % i for i in range(200)) + "\nSubject: Many recipients\nDate: Tue, 3 Nov 2026 10:06:00 +0000\nMessage-ID: <b6@example.org>\n\nx\n",
 "08-long-subject": "From: f@example.org\n" + T + "Subject: " + ("long " * 6000) + "\nDate: Tue, 3 Nov 2026 10:07:00 +0000\nMessage-ID: <b7@example.org>\n\nx\n",
 "09-bad-refs": "From: g@example.org\n" + T + "Subject: Bad refs\nDate: Tue, 3 Nov 2026 10:08:00 +0000\nMessage-ID: no angle brackets here\nIn-Reply-To: <<<>>>\nReferences: <a@b <c@d> >>> <\n\nx\n",
 "10-no-from": T + "Subject: No sender\nDate: Tue, 3 Nov 2026 10:09:00 +0000\nMessage-ID: <b9@example.org>\n\nx\n",
 "11-dup-fields": "From: h@example.org\nFrom: i@example.org\n" + T + T + "Subject: One\nSubject: Two\nDate: Tue, 3 Nov 2026 10:10:00 +0000\nDate: Wed, 4 Nov 2026 10:10:00 +0000\nMessage-ID: <b10@example.org>\n\nx\n",
 "12-group-syntax": "From: j@example.org\nTo: undisclosed-recipients:;\nCc: Team: a@example.org, b@example.org;, \"Odd, Name\" <odd@example.org>\nSubject: Groups\nDate: Tue, 3 Nov 2026 10:11:00 +0000\nMessage-ID: <b11@example.org>\n\nx\n",
 "13-nul": "From: k@example.org\n" + T + "Subject: nul\x00byte\nDate: Tue, 3 Nov 2026 10:12:00 +0000\nMessage-ID: <b12@example.org>\n\nx\n",
 "14-folded-forever": "From: l@example.org\n" + T + "Subject: folded\n" + (" more\n" * 3000) + "Date: Tue, 3 Nov 2026 10:13:00 +0000\nMessage-ID: <b13@example.org>\n\nx\n",
}
for name, text in msgs.items():
    with open(os.path.join(d, name + ".eml"), "wb") as f:
        f.write(text.encode("latin-1"))

EOF
n=$(ls "$tree/INBOX" | wc -l)

kt_e2e_server "$tree"
kt_run_kithd "$E2E/run.log" "$E2E_CONF" --once
kt_eq "kithd exit status" 0 $?
# Dovecot may refuse none of them; what it serves is what kithd must store.
served=$(kt_dovecot_status INBOX | grep -o 'messages=[0-9]*' | cut -d= -f2)
kt_eq "Dovecot serves every file" "$n" "$served"
kt_eq "every message stored" "$n" "$(kt_sql "$E2E_DB" 'SELECT count(*) FROM locations')"
kt_eq "good message intact" "good@example.org|All fine|good@example.org" \
	"$(kt_sql "$E2E_DB" "SELECT from_addr, subject, message_id FROM messages WHERE message_id = 'good@example.org'")"
kt_eq "broken From: subject still stored" 1 \
	"$(kt_sql "$E2E_DB" "SELECT count(*) FROM messages WHERE subject = 'Broken from'")"
kt_eq "bad date: stored without a date or marked repaired" 1 \
	"$(kt_sql "$E2E_DB" "SELECT count(*) FROM messages WHERE message_id = 'b2@example.org'
		AND (date IS NULL OR parse_errors > 0 OR flags & 2)")"
kt_eq "line without a colon: the next field still read" 1 \
	"$(kt_sql "$E2E_DB" "SELECT count(*) FROM messages WHERE subject = 'No colon line'")"
kt_eq "200 recipients counted" 200 \
	"$(kt_sql "$E2E_DB" "SELECT n_rcpt_total FROM messages WHERE message_id = 'b6@example.org'")"
kt_le "recipients kept" 64 \
	"$(kt_sql "$E2E_DB" "SELECT n_to + n_cc FROM messages WHERE message_id = 'b6@example.org'")"
kt_eq "no sender: stored" 1 \
	"$(kt_sql "$E2E_DB" "SELECT count(*) FROM messages WHERE subject = 'No sender'")"
kt_ge "messages with a repaired field" 1 \
	"$(kt_sql "$E2E_DB" 'SELECT count(*) FROM messages WHERE parse_errors > 0 OR flags & 2')"
echo "  (repaired: $(kt_sql "$E2E_DB" "SELECT group_concat(coalesce(message_id, '-') || '=' || parse_errors, ' ') FROM messages WHERE parse_errors > 0"))"
echo "  (counters: $(kt_sql "$E2E_DB" "SELECT group_concat(name || '=' || value, ' ') FROM counters"))"
python3 - "$E2E_DB" <<'EOF' && kt__pass "every stored text decodes as UTF-8" || kt__fail "stored text that is not UTF-8"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.text_factory = bytes
bad = 0
for row in db.execute("SELECT from_name, subject, from_addr, rcpt FROM messages"):
    for v in row:
        if isinstance(v, bytes):
            try:
                v.decode("utf-8")
            except UnicodeDecodeError:
                bad += 1
sys.exit(1 if bad else 0)
EOF
kt_done
