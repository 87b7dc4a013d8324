#!/usr/bin/env bash
# imap_sync: the IMAP source against a real Dovecot.
#  - implicit TLS and STARTTLS both deliver every header, headers only
#    (Dovecot's body_count=0), without changing a flag (\Seen untouched);
#  - folders: \Sent flagged, \Trash \Junk \Drafts and the exclude list skipped;
#  - batches of --batch UIDs each end in batch_end;
#  - incremental: a second run fetches only the new UIDs;
#  - a no-change poll is one STATUS per folder: no EXAMINE, no FETCH;
#  - a new UIDVALIDITY makes the folder read again from UID 1;
#  - the contained child reports exactly what the in-process session does;
#  - IDLE returns early when a message arrives.
. "$KITH_TOP/tests/lib/common.sh"
. "$KITH_TOP/tests/lib/certs.sh"
. "$KITH_TOP/tests/lib/dovecot.sh"

kt_need_tools dovecot doveadm certtool python3
FETCH=$KITH_BUILD/tools/kith-fetch
[ -x "$FETCH" ] || kt_skip "no $FETCH (make tests)"

T=$(kt_tmpdir)
msg() { # file from subject id
	printf 'From: %s\r\nTo: maya@lindqvist.example\r\nSubject: %s\r\nMessage-ID: <%s@kith.test>\r\nDate: Mon, 1 Jan 2024 10:00:00 +0000\r\n\r\nbody of %s\r\n' \
		"$2" "$3" "$4" "$4" >"$1"
}
mkdir -p "$T/tree/INBOX"
for i in 1 2 3 4 5 6 7; do msg "$T/tree/INBOX/$i.eml" "p$i@x.example" "inbox $i" "in$i"; done
for d in Sent Trash Junk Drafts Archive Skipme; do
	mkdir -p "$T/tree/$d"
	msg "$T/tree/$d/1.eml" "maya@lindqvist.example" "$d one" "$d-1"
done

# dovecot.sh leaves the default identity unquoted in kith.conf: quote it here.
export KT_IDENTITIES='"maya@lindqvist.example"'
kt_dovecot_init "$T/dc" || kt_die "dovecot init"
kt_dovecot_load_tree "$T/tree" >/dev/null || kt_die "load tree"
kt_dovecot_start || kt_die "dovecot start"
kt_kith_conf "$T/kith.conf" "$T/data" "$T/tasks" implicit 'folders = { exclude = [ "Skipme" ]; };'
kt_kith_conf "$T/kith-starttls.conf" "$T/data" "$T/tasks" starttls

unseen() { kt_doveadm search -u "$DC_USER" mailbox INBOX UNSEEN 2>/dev/null | wc -l; }
# new/ messages are unseen; the loader stored the tree as seen.
mkdir -p "$T/new"; msg "$T/new/a.eml" "new@x.example" "unseen one" "new-a"
kt_dovecot_add_new INBOX "$T/new/a.eml"
unseen_before=$(unseen)

out=$("$FETCH" --config "$T/kith.conf" --batch 3 --save-state "$T/state" 2>&1)
kt_contains "first run succeeds" "result 0 " "$out"
kt_contains "Sent is flagged \\Sent" "folder Sent flags=S " "$out"
kt_contains "Archive is read" "folder Archive " "$out"
for skip in Trash Junk Drafts Skipme; do
	kt_not_contains "$skip skipped" "folder $skip " "$out"
done
kt_eq "INBOX headers delivered" 8 "$(echo "$out" | grep -c '^message INBOX ')"
kt_eq "INBOX batches of 3 (3+3+2)" 3 "$(echo "$out" | grep -c '^batch INBOX ')"
kt_contains "last batch ends at UID 8" "batch INBOX uidvalidity=" "$(echo "$out" | grep '^batch INBOX' | tail -1 | grep 'last_uid=8 ')"
kt_contains "a header is a header" "message INBOX 1 " "$out"
kt_eq "\\Seen untouched" "$unseen_before" "$(unseen)"
kt_ge "one message was unseen" 1 "$unseen_before"

# Incremental: two new messages; only UIDs 9 and 10 come.
msg "$T/new/b.eml" "new@x.example" "new two" "new-b"
msg "$T/new/c.eml" "new@x.example" "new three" "new-c"
kt_dovecot_save INBOX "$T/new/b.eml" "$T/new/c.eml" || kt_die "save failed"
out=$("$FETCH" --config "$T/kith.conf" --state "$T/state" --save-state "$T/state" --protocol-log 2>&1)
kt_contains "second run succeeds" "result 0 " "$out"
kt_eq "second run: new INBOX headers only" "9 10" \
	"$(echo "$out" | awk '$1 == "message" && $2 == "INBOX" { printf "%s%s", sep, $3; sep = " " }')"
kt_contains "unchanged Sent is not examined" "unchanged Sent" "$out"
kt_not_contains "protocol log hides the password" "$(cat "$DC_PASS_FILE")" "$out"
kt_contains "protocol log shows commands" "imap C: 1 CAPABILITY" "$out"
kt_eq "protocol log shows no LOGIN line" 0 "$(echo "$out" | grep -c 'imap C: .*LOGIN')"

# No-change poll: STATUS only.
out=$("$FETCH" --config "$T/kith.conf" --state "$T/state" --protocol-log 2>&1)
kt_contains "poll succeeds" "result 0 " "$out"
kt_eq "poll: every folder unchanged" 3 "$(echo "$out" | grep -c '^unchanged ')"
kt_eq "poll: no EXAMINE sent" 0 "$(echo "$out" | grep -c 'imap C: .*EXAMINE')"
kt_eq "poll: no FETCH sent" 0 "$(echo "$out" | grep -c 'imap C: .*FETCH')"
kt_eq "poll: one STATUS per folder" 3 "$(echo "$out" | grep -c 'imap C: [^ ]* STATUS')"

# UIDVALIDITY changes: the folder is read from UID 1 again.
kt_dovecot_kick
kt_dovecot_uidvalidity Archive 777 || kt_die "uidvalidity update failed"
out=$("$FETCH" --config "$T/kith.conf" --state "$T/state" 2>&1)
kt_contains "new uidvalidity reported" "folder Archive flags= uidvalidity=777 " "$out"
kt_contains "Archive read again from UID 1" "message Archive 1 " "$out"

# STARTTLS and the contained child deliver the same records.
a=$("$FETCH" --config "$T/kith-starttls.conf" 2>&1 | grep -v '^maxrss')
b=$("$FETCH" --config "$T/kith-starttls.conf" --contained 256 2>&1 | grep -v '^maxrss')
kt_contains "STARTTLS run succeeds" "result 0 " "$a"
kt_eq "contained output differs from in-process by (lines)" 0 \
	"$(diff <(echo "$a") <(echo "$b") | wc -l)"
kt_ge "contained output has the headers" 10 "$(echo "$b" | grep -c '^message ')"

# IDLE: a message saved once the session idles ends a 120 s IDLE early.
# The state first takes in what the runs above read (Archive's new
# UIDVALIDITY): a session that brings mail asks to go again without idling.
out=$("$FETCH" --config "$T/kith.conf" --state "$T/state" --save-state "$T/state" 2>&1)
kt_contains "state brought up to date" "result 0 " "$out"
"$FETCH" --config "$T/kith.conf" --state "$T/state" --idle 120 --protocol-log >"$T/idle.out" 2>&1 &
fetcher=$!
idling() { grep -q 'imap C: [^ ]* IDLE' "$T/idle.out" || ! kill -0 $fetcher 2>/dev/null; }
kt_wait_until 60 idling
kt_true "the session idles" grep -q 'imap C: [^ ]* IDLE' "$T/idle.out"
t0=$(kt_now_ms)
msg "$T/new/d.eml" "new@x.example" "idle news" "new-d"
kt_dovecot_save INBOX "$T/new/d.eml"
wait $fetcher
took=$(( $(kt_now_ms) - t0 ))
out=$(cat "$T/idle.out")
kt_contains "IDLE run succeeds, reporting news" "result 1 " "$out"
kt_le "IDLE returned on the news, not at its 120 s limit (ms after the save)" 60000 "$took"

# Wrong password: -KITH_E_AUTH, and nothing read.
echo "wrong-password" >"$T/badpass"; chmod 600 "$T/badpass"
out=$("$FETCH" --host 127.0.0.1 --port "$DC_IMAPS_PORT" --user "$DC_USER" --pass-file "$T/badpass" \
	--ca-file "$DC_CA" --tls implicit --contained 256 2>&1)
kt_contains "wrong password refused" "result -1002 " "$out"
kt_not_contains "wrong password: nothing read" "folder " "$out"

kt_true "every session's logout is in Dovecot's log" kt_dovecot_settled
kt_ge "Dovecot logouts seen" 6 "$(kt_dovecot_logouts | wc -l)"
kt_eq "no body was ever fetched" 0 "$(kt_dovecot_logouts | grep -vc 'body_count=0 body_bytes=0')"
kt_done
