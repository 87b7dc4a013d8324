#!/usr/bin/env bash
# imap_faults: server faults a real server won't produce (tests/lib/fakeimap.py).
#  - no STARTTLS in CAPABILITY: refused (-KITH_E_NOTLS), no LOGIN ever sent;
#  - tls = none to a non-loopback host: refused before connecting;
#  - drop mid-literal, stall: an error within the read timeout (no hang, no spin);
#  - malformed FETCH, garbage, BYE: clean -KITH_E_PROTO;
#  - a {999999999999} literal in a FETCH reply: refused by kithd's reader
#    before anything is reserved (-KITH_E_PROTO);
#  - the same in a LIST reply (libetpan's to parse) and the PERMANENTFLAGS
#    "(" greeting that crashes libetpan: only the contained child dies
#    (-KITH_E_CRASH), the parent's memory stays small;
#  - a server trickling an endless line: the parent kills the child;
#  - IDLE ends when the server reports EXISTS;
#  - throttling and limits: [UNAVAILABLE] or "Too many simultaneous
#    connections" at the greeting, at LOGIN, a BYE during FETCH (with a
#    wait named), [OVERQUOTA] on EXAMINE, [LIMIT] on FETCH: read into a
#    class (lib/refusal.c) that crosses the child's pipe, the session ended.
. "$KITH_TOP/tests/lib/common.sh"
. "$KITH_TOP/tests/lib/certs.sh"

kt_need_tools python3 certtool
FETCH=$KITH_BUILD/tools/kith-fetch
[ -x "$FETCH" ] || kt_skip "no $FETCH (make tests)"
T=$(kt_tmpdir)
kt_certs_make "$T/certs" || kt_die "certs"
echo "not-a-real-password" >"$T/pw"; chmod 600 "$T/pw"

fake() { # mode: start fakeimap (TLS-capable), set FPORT and FTR (transcript)
	kt_fake_start "$T" "$1" --cert "$T/certs/server.pem" --key "$T/certs/server.key"
}
unfake() { kt_fake_stop; }

run() { # tls [args...]: kith-fetch against the fake; sets OUT and TOOK (ms)
	local tls=$1 t0; shift
	t0=$(kt_now_ms)
	OUT=$(timeout 60 "$FETCH" --host 127.0.0.1 --port "$FPORT" --user u --pass-file "$T/pw" \
		--ca-file "$T/certs/ca.pem" --tls "$tls" --timeout 3 "$@" 2>&1)
	TOOK=$(( $(kt_now_ms) - t0 ))
}

fake normal
run none
kt_contains "normal: plain loopback session works" "result 0 " "$OUT"
# What a whole session costs on this machine now: the timing checks below
# measure their waits beyond it, so that a busy machine does not fail them.
BASE=$TOOK
echo "  (a normal session: $BASE ms)"
kt_eq "normal: three headers" 3 "$(echo "$OUT" | grep -c '^message INBOX ')"
: >"$FTR"
run starttls
kt_contains "normal: STARTTLS session works" "result 0 " "$OUT"
kt_eq "normal: LOGIN sent only after STARTTLS" yes \
	"$(awk '/STARTTLS/ && !s { s = NR } / LOGIN / && !l { l = NR } END { print (s && l > s) ? "yes" : "no" }' "$FTR")"
printf 'token-%s\n' "$RANDOM$RANDOM" >"$T/token"
run none --oauth2 --protocol-log --pass-file "$T/token"
kt_contains "oauth2: session works" "result 0 " "$OUT"
want=$(printf 'user=u\001auth=Bearer %s\001\001' "$(head -n 1 "$T/token")" | base64 -w0)
kt_contains "oauth2: XOAUTH2 sent with the token" "AUTHENTICATE XOAUTH2 $want" "$(cat "$FTR")"
kt_not_contains "oauth2: token not in the protocol log" "$want" "$OUT"
kt_not_contains "oauth2: token not in the protocol log (plain)" "$(head -n 1 "$T/token")" "$OUT"
unfake

fake badfolder
run none
# the other folders are read and committed, but the session reports that the
# mailbox is not whole (so kithd decides no task from it this time)
kt_contains "badfolder: the session reports the refusal" "result -1004 " "$OUT"
kt_contains "badfolder: the error says why" "refused 1 folder" "$OUT"
kt_eq "badfolder: INBOX still read" 3 "$(echo "$OUT" | grep -c '^message INBOX ')"
kt_contains "badfolder: INBOX still committed" "batch INBOX" "$OUT"
kt_contains "badfolder: the refusal is logged" "skipping folder Broken" "$OUT"
unfake

# Why: a server may end a UID FETCH with NO after some replies; only the
# unbroken prefix may be committed, so the skipped message is fetched again
fake fetchgap
run none
kt_contains "fetchgap: the session fails" "did not return UID 2" "$OUT"
kt_eq "fetchgap: UID 1 delivered" 1 "$(echo "$OUT" | grep -c '^message INBOX 1 ')"
kt_contains "fetchgap: only UID 1 committed" "batch INBOX uidvalidity=42 last_uid=1 uidnext=0" "$OUT"
unfake

fake fetchno
run none
kt_contains "fetchno: reported as a refused folder" "skipping folder INBOX" "$OUT"
kt_eq "fetchno: nothing delivered" 0 "$(echo "$OUT" | grep -c '^message ')"
kt_not_contains "fetchno: nothing committed for INBOX" "batch INBOX" "$OUT"
unfake

fake xlist
run none
kt_contains "xlist: session works" "result 0 " "$OUT"
kt_eq "xlist: only All Mail and Sent Mail read" \
	"folder [Gmail]/All Mail flags=A|folder [Gmail]/Sent Mail flags=S" \
	"$(echo "$OUT" | grep '^folder ' | sed 's/ uidvalidity.*//' | paste -sd'|')"
kt_eq "xlist: XLIST asked after a LIST without special-use" 1 "$(grep -c ' XLIST ' "$FTR")"
unfake

fake nostarttls
run starttls
kt_contains "nostarttls: refused" "result -1003 " "$OUT"
kt_eq "nostarttls: no LOGIN reached the server" 0 "$(grep -ci 'LOGIN\|AUTHENTICATE' "$FTR")"
unfake

fake inject
run starttls
kt_contains "inject: plaintext after STARTTLS refused" "result -1001 " "$OUT"
kt_contains "inject: says why" "injected" "$OUT"
kt_eq "inject: no LOGIN reached the server" 0 "$(grep -ci 'LOGIN\|AUTHENTICATE' "$FTR")"
unfake

fake preauth
run starttls
kt_contains "preauth: PREAUTH before STARTTLS refused" "result -1001 " "$OUT"
kt_not_contains "preauth: nothing read" "folder " "$OUT"
unfake

fake badlogin
run none --contained 256
kt_contains "badlogin: credentials refused" "result -1002 " "$OUT"
kt_contains "badlogin: server text kept" "Authentication failed" "$OUT"
kt_not_contains "badlogin: password not echoed" "not-a-real-password" "$OUT"
unfake

# Throttling and limits (docs/servers.md): what the server said is read
# into a class that crosses the contained child's pipe; a throttle or a
# quota is -KITH_E_BUSY (1006), a refused login stays -KITH_E_AUTH.
refused() { # mode rc class [text]: one contained session against the fake
	fake "$1"
	run none --contained 256
	kt_contains "$1: result" "result $2 " "$OUT"
	kt_contains "$1: read as $3" "refusal $3 " "$OUT"
	[ -n "${4:-}" ] && kt_contains "$1: the server's words kept" "$4" "$OUT"
	unfake
}
refused greetunavail -1006 throttled "[UNAVAILABLE] Too many simultaneous connections"
refused greettoomany -1006 throttled "Too many simultaneous connections"
refused loginunavail -1006 throttled "[UNAVAILABLE] Too many simultaneous"
refused badlogin -1002 login-refused "[AUTHENTICATIONFAILED]"
refused examinequota -1006 over-quota "[OVERQUOTA]"
refused bye -1004 closed "not today"
refused fetchbye -1006 "throttled hint=120" "try again in 2 minutes"
fake fetchlimit
run none --contained 256
kt_contains "fetchlimit: a [LIMIT] on one folder ends the session" "result -1006 " "$OUT"
kt_not_contains "fetchlimit: not taken for a broken folder" "skipping folder" "$OUT"
# the fake lists INBOX and Archive: a skipped folder would send the next FETCH
kt_eq "fetchlimit: one UID FETCH, the other folder not asked" 1 "$(grep -c ' UID FETCH ' "$FTR")"
unfake

OUT=$(timeout 20 "$FETCH" --host 192.0.2.1 --port 143 --user u --pass-file "$T/pw" --tls none 2>&1)
kt_contains "tls=none to a non-loopback host refused" "result -1003 " "$OUT"
kt_contains "tls=none refusal says why" "loopback" "$OUT"

fake dropliteral
run none
kt_contains "dropliteral: stream error" "result -104 " "$OUT"
kt_le "dropliteral: returned on the error, before the 3 s timeout (ms beyond a session)" 3000 \
	$((TOOK - BASE))
run none --contained 256
kt_contains "dropliteral contained: same error" "result -104 " "$OUT"
unfake

fake stall
run none
kt_contains "stall: timed out" "result -110 " "$OUT"
kt_ge "stall: waited the 3 s timeout (ms)" 2000 "$TOOK"
kt_le "stall: took about the 3 s timeout, not two (ms beyond a session)" 6000 $((TOOK - BASE))
unfake

for m in malformed garbage bye; do
	fake $m
	run none --contained 256
	kt_contains "$m: protocol error" "result -1004 " "$OUT"
	kt_le "$m: quick, before the 3 s timeout (ms beyond a session)" 3000 $((TOOK - BASE))
	unfake
done

fake permflags
run none --contained 256
kt_contains "permflags: only the child died" "result -1005 " "$OUT"
kt_contains "permflags: the parent says how" "IMAP child" "$OUT"
unfake

# a FETCH reply is read by kithd's own reader, which refuses the size
# before reserving anything
fake hugeliteral
run none --contained 256
kt_contains "hugeliteral: refused as a protocol error" "result -1004 " "$OUT"
kt_contains "hugeliteral: says why" "implausible size" "$OUT"
rss=$(echo "$OUT" | awk '$1 == "maxrss_kb" { print $2 }')
kt_le "hugeliteral: parent max RSS (KiB)" 65536 "${rss:-999999999}"
kt_le "hugeliteral: quick, before the 3 s timeout (ms beyond a session)" 3000 $((TOOK - BASE))
unfake

# any other reply is libetpan's to parse: the contained child pays
fake hugelist
run none --contained 256
if [ "$KITH_SANITIZER" = 1 ]; then
	# ASan cannot run under RLIMIT_AS: the child's allocation succeeds and it
	# then times out waiting for the literal.  Still only the child paid.
	# (how long that takes is ASan's allocator's business: no time check)
	kt_contains "hugelist (sanitizer): an error" "result -" "$OUT"
else
	kt_contains "hugelist: the child hit its memory limit" "result -1005 " "$OUT"
	kt_contains "hugelist: says so" "memory" "$OUT"
	kt_le "hugelist: quick (ms beyond a session)" 10000 $((TOOK - BASE))
fi
rss=$(echo "$OUT" | awk '$1 == "maxrss_kb" { print $2 }')
kt_le "hugelist: parent max RSS (KiB)" 65536 "${rss:-999999999}"
unfake

fake trickle
run none --contained 256
kt_contains "trickle: parent killed the silent child" "result -1005 " "$OUT"
kt_contains "trickle: says no progress" "no progress" "$OUT"
kt_le "trickle: within the inactivity limit (ms beyond a session)" 30000 $((TOOK - BASE))
unfake

fake logindisabled
run none
kt_contains "logindisabled: refused as a login failure" "result -1002 " "$OUT"
kt_contains "logindisabled: says why" "disables LOGIN and offers no AUTH=PLAIN" "$OUT"
kt_eq "logindisabled: no LOGIN or AUTHENTICATE sent" 0 "$(grep -ciE '^[^ ]+ (LOGIN|AUTHENTICATE)' "$FTR")"
unfake

fake plaincont
run none
kt_contains "plaincont: AUTHENTICATE PLAIN through SASL, logged in" "result 0 " "$OUT"
kt_eq "plaincont: no LOGIN sent" 0 "$(grep -ciE '^[^ ]+ LOGIN' "$FTR")"
kt_eq "plaincont: one AUTHENTICATE PLAIN" 1 "$(grep -ciE '^[^ ]+ AUTHENTICATE PLAIN$' "$FTR")"
kt_eq "plaincont: its response well-formed" 1 "$(grep -c 'PLAIN response well-formed' "$FTR")"
# without Cyrus SASL's PLAIN module: refused, nothing sent
mkdir -p "$T/no-sasl-modules"
OUT=$(SASL_PATH=$T/no-sasl-modules timeout 60 "$FETCH" --host 127.0.0.1 --port "$FPORT" --user u \
	--pass-file "$T/pw" --tls none --timeout 3 2>&1)
kt_contains "plaincont, no SASL module: refused" "result -1002 " "$OUT"
kt_contains "plaincont, no SASL module: says what to install" "libsasl2-modules" "$OUT"
kt_eq "plaincont, no SASL module: no second AUTHENTICATE" 1 "$(grep -ciE '^[^ ]+ AUTHENTICATE' "$FTR")"
unfake

fake idle
# a session that brings mail skips IDLE (the daemon analyses first) ...
run none --idle 20 --save-state "$T/idle.state"
kt_contains "idle: a session with new mail asks to go again" "result 1 " "$OUT"
kt_eq "idle: ... without idling" 0 "$(grep -c '^DONE$' "$FTR")"
# ... and one with nothing new idles until the server reports news
run none --idle 20 --state "$T/idle.state"
kt_contains "idle: session ok, news reported" "result 1 " "$OUT"
kt_le "idle: returned on EXISTS, not at its 20 s limit (ms beyond a session)" 15000 $((TOOK - BASE))
kt_eq "idle: DONE sent" 1 "$(grep -c '^DONE$' "$FTR")"
unfake

kt_done
