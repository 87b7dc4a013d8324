#!/usr/bin/env bash
# harness_dovecot.sh: proves the private-Dovecot harness (tests/lib/dovecot.sh)
# works before any kith test relies on it: start, load a maildir tree, TLS
# handshake verified against the test CA (and refused for the bad certs),
# LOGIN over implicit TLS and STARTTLS, special-use folders, header-only fetch
# logged as body_count=0, doveadm save / UIDVALIDITY / kick, clean stop.
set -u
. "${KITH_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/common.sh"
. "$KITH_TOP/tests/lib/certs.sh"
. "$KITH_TOP/tests/lib/dovecot.sh"
kt_need_tools dovecot doveadm certtool gnutls-cli python3

tmp=$(kt_tmpdir)
tree=$tmp/tree
mkdir -p "$tree/INBOX" "$tree/Sent" "$tree/Archive/2026"
# One message in the mbox style (From_ line, bare LF), one CRLF already.
printf 'From someone Mon Nov  2 10:00:00 2026\nFrom: Ana <ana@example.org>\nTo: maya@lindqvist.example\nSubject: one\nDate: Mon, 2 Nov 2026 10:00:00 +0000\nMessage-ID: <one@example.org>\n\nbody one\n' >"$tree/INBOX/1.eml"
printf 'From: maya@lindqvist.example\r\nTo: ana@example.org\r\nSubject: Re: one\r\nDate: Mon, 2 Nov 2026 11:00:00 +0000\r\nMessage-ID: <two@lindqvist.example>\r\n\r\nbody two\r\n' >"$tree/Sent/2.eml"
cp "$tree/INBOX/1.eml" "$tree/Archive/2026/1.eml"

kt_dovecot_init "$tmp/dc" || kt_die "init failed"
kt_dovecot_load_tree "$tree" >/dev/null || kt_die "load failed"
first=$(find "$DC_MAILDIR/cur" -type f | head -n 1)
kt_eq "stored message has no From_ line" "From: Ana <ana@example.org>" "$(head -n 1 "$first" | tr -d '\r')"
kt_eq "bare LF lines converted" 0 "$(grep -c $'[^\r]$' "$first")"
kt_true "stored as cur/NAME:2,S" test -n "$(find "$DC_MAILDIR/cur" -name '*:2,S')"
kt_dovecot_start || kt_die "dovecot did not start"
kt_true "dovecot is running" kt_dovecot_running

# TLS handshake verified by gnutls-cli against the test CA.  It sends LOGOUT
# and keeps its input open until the server has answered and closed: with
# </dev/null it hung up as soon as the handshake was done, and under load the
# greeting had not arrived yet (a flake, about 1 run in 8).  Its input stays
# open until the server's answer to LOGOUT is in (an event, not a pause).
answered() { grep -q '^a OK' "$tmp/hs.out"; }
(printf 'a LOGOUT\r\n'; kt_wait_until 60 answered) |
	timeout 60 gnutls-cli --x509cafile="$DC_CA" -p "$DC_IMAPS_PORT" localhost >"$tmp/hs.out" 2>&1
hs=$(cat "$tmp/hs.out")
kt_contains "gnutls-cli handshake" "Handshake was completed" "$hs"
kt_contains "IMAP greeting over TLS" "* OK" "$hs"
hs=$(gnutls-cli --x509cafile="$DC_CERTS/rogue-ca.pem" -p "$DC_IMAPS_PORT" localhost </dev/null 2>&1)
kt_not_contains "handshake with a foreign CA" "Handshake was completed" "$hs"

chk() { python3 "$KITH_TOP/tests/lib/imapcheck.py" "$@"; }
kt_eq "LOGIN over implicit TLS, INBOX count" 1 \
	"$(chk implicit "$DC_IMAPS_PORT" "$DC_CA" "$DC_USER" "$DC_PASS_FILE" count INBOX)"
kt_eq "LOGIN after STARTTLS, Sent count" 1 \
	"$(chk starttls "$DC_IMAP_PORT" "$DC_CA" "$DC_USER" "$DC_PASS_FILE" count Sent)"
bad=$tmp/badpass; printf 'wrong\n' >"$bad"
chk implicit "$DC_IMAPS_PORT" "$DC_CA" "$DC_USER" "$bad" >/dev/null; kt_eq "wrong password refused" 3 $?
list=$(chk implicit "$DC_IMAPS_PORT" "$DC_CA" "$DC_USER" "$DC_PASS_FILE" list)
# Dovecot may add \Marked (new mail since the last SELECT, judged from maildir
# times), so look for the flag, not for the whole line.
kt_eq "Sent has \\Sent special-use" 1 \
	"$(printf '%s\n' "$list" | grep -c $'^Sent\t.*\\\\Sent')"
kt_contains "nested folder listed" "Archive/2026" "$list"
kt_eq "header fetch of INBOX" 1 \
	"$(chk implicit "$DC_IMAPS_PORT" "$DC_CA" "$DC_USER" "$DC_PASS_FILE" headers INBOX)"
kt_true "every session's logout is in Dovecot's log" kt_dovecot_settled
logouts=$(kt_dovecot_logouts)
kt_contains "logout line counts bodies" "body_count=0 body_bytes=0" "$logouts"
kt_contains "logout line counts headers" "hdr_count=1" "$logouts"

# doveadm: save, new/ drop, UIDVALIDITY, kick.
kt_dovecot_save INBOX "$tree/Sent/2.eml" || kt__fail "doveadm save"
kt_dovecot_add_new INBOX "$tree/Sent/2.eml"
kt_contains "INBOX after save + new/" "messages=3" "$(kt_dovecot_status INBOX)"
kt_dovecot_uidvalidity Sent 4242 || kt__fail "mailbox update"
kt_contains "UIDVALIDITY changed" "uidvalidity=4242" "$(kt_dovecot_status Sent)"
kt_true "doveadm kick runs" kt_dovecot_kick

pid=$DC_PID
kt_dovecot_stop
kt_false "master gone after stop" kill -0 "$pid" 2>/dev/null
kt_contains "log has the start-up line" "starting up" "$(kt_dovecot_log)"

# The bad certificates: each served in turn, each refused by a verifying client.
for cert in wronghost expired unknown; do
	DC_CERT_NAME=$cert kt_dovecot_start || { kt__fail "start with $cert"; continue; }
	chk implicit "$DC_IMAPS_PORT" "$DC_CA" "$DC_USER" "$DC_PASS_FILE" count INBOX >/dev/null
	kt_eq "client refuses the $cert certificate" 2 $?
	kt_dovecot_stop
done
kt_done
