#!/usr/bin/env bash
# imap_auth: password login against a real Dovecot (which offers AUTH=PLAIN
# with SASL-IR, and LOGIN, inside TLS).
#  - kithd's IMAP layer uses AUTHENTICATE PLAIN with the initial response
#    (SASL-IR), in process and in the contained child, over implicit TLS
#    and STARTTLS; Dovecot logs exactly one login each time;
#  - that needs no Cyrus SASL module (SASL_PATH at an empty dir);
#  - a wrong password fails as a login failure (-KITH_E_AUTH), once;
#  - neither the password nor the PLAIN payload (base64 of user and
#    password) appears in any output, protocol log included.
# (LOGIN, Cyrus SASL's continuation path, LOGINDISABLED: imap_faults.sh.)
. "$KITH_TOP/tests/lib/common.sh"
. "$KITH_TOP/tests/lib/certs.sh"
. "$KITH_TOP/tests/lib/dovecot.sh"

kt_need_tools dovecot doveadm certtool python3 base64
FETCH=$KITH_BUILD/tools/kith-fetch
[ -x "$FETCH" ] || kt_skip "no $FETCH (make tests)"

kt_e2e_server "$KITH_TOP/demo/mail"
pass=$(head -n 1 "$DC_PASS_FILE")
payload=$(printf '\0%s\0%s' "$DC_USER" "$pass" | base64 -w0)
payload2=$(printf '%s\0%s\0%s' "$DC_USER" "$DC_USER" "$pass" | base64 -w0)

fetch() { # tls pass-file [args...]
	local tls=$1 pf=$2; shift 2
	local port=$DC_IMAPS_PORT
	[ "$tls" = starttls ] && port=$DC_IMAP_PORT
	"$FETCH" --host 127.0.0.1 --port "$port" --user "$DC_USER" --pass-file "$pf" \
		--ca-file "$DC_CA" --tls "$tls" --protocol-log "$@" 2>&1
}
secret_free() { # label output
	kt_eq "$1: password nowhere in the output" 0 "$(printf '%s' "$2" | grep -cF -- "$pass")"
	kt_eq "$1: PLAIN payload nowhere in the output" 0 \
		"$(printf '%s' "$2" | grep -cF -e "$payload" -e "$payload2")"
}
logins() { grep -c "imap-login: Info: Login: user=<$DC_USER>" "$DC_LOG"; }

for mode in implicit starttls; do
	for where in "" "--contained 256"; do
		n=$(logins)
		# shellcheck disable=SC2086
		out=$(fetch $mode "$DC_PASS_FILE" $where)
		label="$mode${where:+ contained}"
		kt_contains "$label: session ok" "result 0 " "$out"
		kt_contains "$label: AUTHENTICATE PLAIN used" "logging in with AUTHENTICATE PLAIN (SASL-IR)" "$out"
		kt_not_contains "$label: no LOGIN command" "logging in with LOGIN" "$out"
		kt_eq "$label: Dovecot logged one login" $((n + 1)) "$(logins)"
		secret_free "$label" "$out"
	done
done

# no Cyrus SASL module where kithd runs: SASL-IR does not need one
mkdir -p "$E2E/no-sasl-modules"
out=$(SASL_PATH=$E2E/no-sasl-modules fetch implicit "$DC_PASS_FILE")
kt_contains "no SASL module: session ok" "result 0 " "$out"
kt_contains "no SASL module: still AUTHENTICATE PLAIN" "logging in with AUTHENTICATE PLAIN (SASL-IR)" "$out"
secret_free "no SASL module" "$out"

# a wrong password: one refused attempt, reported as such
printf 'not-the-password\n' >"$E2E/wrong"; chmod 600 "$E2E/wrong"
before=$(grep -c 'auth failed' "$DC_LOG")
out=$(fetch implicit "$E2E/wrong")
kt_contains "wrong password: login failure" "result -1002 " "$out"
kt_contains "wrong password: via AUTHENTICATE PLAIN" "AUTHENTICATE PLAIN failed" "$out"
auth_failures_reach() { [ "$(grep -c 'auth failed' "$DC_LOG")" -ge "$1" ]; }
kt_wait_until 60 auth_failures_reach $((before + 1))
kt_eq "wrong password: one failed attempt in Dovecot's log" $((before + 1)) "$(grep -c 'auth failed' "$DC_LOG")"
kt_done
