#!/usr/bin/env bash
# imap_providers: what the big providers document that Dovecot does not do,
# emulated by tests/lib/fakeimap.py (sources in docs/servers.md).
#  - gmail: X-GM-EXT-1; [Gmail]/All Mail is \All and labels are folders, so
#    every message is in several folders: kith reads only \All and \Sent and
#    stores each message once;
#  - outlook: passwords refused (LOGIN and AUTHENTICATE PLAIN say NO): one
#    attempt, reported as a login failure, never retried in a loop; XOAUTH2
#    is accepted; and provider = "outlook" with a password is refused when
#    the configuration is read, before any connection.
. "$KITH_TOP/tests/lib/common.sh"
. "$KITH_TOP/tests/lib/certs.sh"

kt_need_kithd
kt_need_tools python3 sqlite3
FETCH=$KITH_BUILD/tools/kith-fetch
[ -x "$FETCH" ] || kt_skip "no $FETCH (make tests)"
T=$(kt_tmpdir)
echo "not-a-real-password" >"$T/pw"; chmod 600 "$T/pw"
N=7

fake() { kt_fake_start "$T" "$1" --messages "$N" --tls none; }
unfake() { kt_fake_stop; }
conf() { # file data secret-line [extra]
	(umask 077; cat >"$1" <<EOC
data_dir = "$2";
tasks_dir = "$2/tasks";
identities = [ "maya@lindqvist.example" ];
accounts = ( { name = "p"; host = "127.0.0.1"; port = $FPORT; tls = "none";
  user = "u"; $3 $4 } );
EOC
	)
}

fake gmail
OUT=$("$FETCH" --host 127.0.0.1 --port "$FPORT" --user u --pass-file "$T/pw" --tls none --timeout 5 2>&1)
kt_contains "gmail: session works" "result 0 " "$OUT"
kt_eq "gmail: only All Mail and Sent Mail read" \
	"folder [Gmail]/All Mail flags=A|folder [Gmail]/Sent Mail flags=S" \
	"$(echo "$OUT" | grep '^folder ' | sed 's/ uidvalidity.*//' | paste -sd'|')"
kt_eq "gmail: logged in with AUTHENTICATE PLAIN and SASL-IR" 1 "$(grep -c 'AUTHENTICATE PLAIN [A-Za-z0-9+/=]' "$FTR")"
# libetpan's custom command ended this line in a space; Cyrus refuses that
kt_eq "gmail: no command line ends in a space" 0 "$(grep -c ' $' "$FTR")"
kt_eq "gmail: no label folder examined" 0 "$(grep -cE 'EXAMINE "?(INBOX|Work|\[Gmail\]/(Starred|Important|Spam))' "$FTR")"
conf "$T/g.conf" "$T/g" "pass_file = \"$T/pw\";"
kt_run_kithd "$T/g.log" "$T/g.conf" --once
kt_eq "gmail: kithd exit status" 0 $?
kt_eq "gmail: each message stored once" "$N" "$(kt_sql "$T/g/kith.db" 'SELECT count(*) FROM messages')"
kt_eq "gmail: and found in two folders" $((2 * N)) "$(kt_sql "$T/g/kith.db" 'SELECT count(*) FROM locations')"
kt_eq "gmail: the Sent copy marks it sent" "$N" "$(kt_sql "$T/g/kith.db" 'SELECT count(*) FROM locations WHERE sent = 1')"
unfake

fake outlook
OUT=$("$FETCH" --host 127.0.0.1 --port "$FPORT" --user u --pass-file "$T/pw" --tls none --timeout 5 2>&1)
kt_contains "outlook, password: a login failure" "result -1002 " "$OUT"
kt_eq "outlook, password: one attempt" 1 "$(grep -ciE ' (LOGIN|AUTHENTICATE) ' "$FTR")"
: >"$FTR"
OUT=$("$FETCH" --host 127.0.0.1 --port "$FPORT" --user u --pass-file "$T/pw" --tls none --timeout 5 --oauth2 2>&1)
kt_contains "outlook, OAuth 2.0: session works" "result 0 " "$OUT"
kt_eq "outlook, OAuth 2.0: AUTHENTICATE XOAUTH2" 1 "$(grep -c 'AUTHENTICATE XOAUTH2' "$FTR")"
unfake

# the preset refuses a password before any connection
(umask 077; cat >"$T/o.conf" <<EOC
data_dir = "$T/o";
identities = [ "maya@lindqvist.example" ];
accounts = ( { name = "work"; provider = "outlook"; user = "me@example.org";
  pass_file = "$T/pw"; } );
EOC
)
out=$("$KITH_BUILD/kithd" -c "$T/o.conf" -n 2>&1); rc=$?
kt_ne "provider outlook with a password: kithd -n fails" 0 "$rc"
kt_contains "provider outlook with a password: says why" "refuses passwords over IMAP" "$out"
kt_done
