#!/usr/bin/env bash
# imap_tls_verify: a real Dovecot with a bad certificate (expired, wrong host
# name, unknown CA) is refused with -KITH_E_TLS and a message naming the
# reason, over implicit TLS and STARTTLS, before any LOGIN: the server log
# shows no login attempt.  The good certificate logs in (control).
. "$KITH_TOP/tests/lib/common.sh"
. "$KITH_TOP/tests/lib/certs.sh"
. "$KITH_TOP/tests/lib/dovecot.sh"

kt_need_tools dovecot certtool python3
FETCH=$KITH_BUILD/tools/kith-fetch
[ -x "$FETCH" ] || kt_skip "no $FETCH (make tests)"

T=$(kt_tmpdir)
mkdir -p "$T/tree/INBOX"
printf 'From: a@x.example\r\nTo: maya@lindqvist.example\r\nSubject: hi\r\nMessage-ID: <1@x>\r\n\r\nbody\r\n' \
	>"$T/tree/INBOX/1.eml"

fetch() { # tls port
	"$FETCH" --host 127.0.0.1 --port "$2" --user "$DC_USER" --pass-file "$DC_PASS_FILE" \
		--ca-file "$DC_CA" --tls "$1" --timeout 10 2>&1
}

# login_attempts: lines where Dovecot saw credentials (success or failure).
login_attempts() {
	grep -cE 'Login: user=|auth failed|Authentication failed|unknown user|password mismatch' \
		"$DC_LOG" 2>/dev/null
}

both_logged_out() { [ "$(login_attempts)" -ge 2 ] && kt_dovecot_logged_out; }
# Connections that ended in the TLS handshake.  Dovecot words the reason
# "no auth attempts", or "disconnected before auth was ready" when its auth
# service is not up yet on a busy machine; both carry the TLS state.  The
# port probe of kt_dovecot_start never starts TLS, so it is not counted.
closed_in_handshake() { grep -cE 'imap-login: .*Disconnected.*TLS handshaking' "$DC_LOG" 2>/dev/null; }
both_closed_unauthenticated() { [ "$(closed_in_handshake)" -ge 2 ]; }

check_cert() { # cert-name expected-reason
	local name=$1 why=$2 out
	DC_CERT_NAME=$name
	kt_dovecot_init "$T/dc-$name" || kt_die "dovecot init failed"
	kt_dovecot_load_tree "$T/tree" >/dev/null || kt_die "load failed"
	kt_dovecot_start || kt_die "dovecot did not start"
	for mode in implicit starttls; do
		port=$DC_IMAPS_PORT; [ $mode = starttls ] && port=$DC_IMAP_PORT
		out=$(fetch $mode "$port")
		if [ "$name" = server ]; then
			kt_contains "$name/$mode result" "result 0 " "$out"
		else
			kt_contains "$name/$mode refused as TLS failure" "result -1001 " "$out"
			kt_contains "$name/$mode names the reason" "$why" "$out"
			kt_not_contains "$name/$mode delivered nothing" "message " "$out"
		fi
	done
	# Dovecot writes its lines in its own time: wait for both connections'
	# last line (a logout after a login, or a close in the handshake); after it
	# nothing more can come from them.
	if [ "$name" = server ]; then
		kt_wait_until 60 both_logged_out
	else
		kt_wait_until 60 both_closed_unauthenticated
	fi
	if [ "$name" = server ]; then
		kt_eq "$name: logins in the server log" 2 "$(login_attempts)"
	else
		kt_eq "$name: login attempts in the server log" 0 "$(login_attempts)"
		kt_ge "$name: connections closed in the TLS handshake" 2 "$(closed_in_handshake)"
	fi
	kt_dovecot_stop
}

check_cert server ""
check_cert expired "certificate expired"
check_cert wronghost "host name mismatch"
check_cert unknown "unknown CA"
kt_done
