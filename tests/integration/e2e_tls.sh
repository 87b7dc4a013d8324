#!/usr/bin/env bash
# e2e_tls.sh: kithd over STARTTLS syncs like implicit TLS; and kithd refuses
# a server whose certificate is from an unknown CA, for the wrong host name,
# or expired (non-zero exit, nothing stored, the error recorded, no password
# in the output).
set -u
. "${KITH_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/common.sh"
. "$KITH_TOP/tests/lib/certs.sh"
. "$KITH_TOP/tests/lib/dovecot.sh"
kt_need_kithd
kt_need_tools dovecot doveadm certtool sqlite3 python3

kt_demo_expect
kt_e2e_server "$KITH_TOP/demo/mail"

# STARTTLS on the plaintext port.
st=$E2E/starttls.conf
kt_kith_conf "$st" "$E2E/data-st" "$E2E/tasks-st" starttls
kt_run_kithd "$E2E/st.log" "$st" --once
kt_eq "STARTTLS: kithd exit status" 0 $?
kt_eq "STARTTLS: distinct messages" "$DEMO_DISTINCT" \
	"$(kt_sql "$E2E/data-st/kith.db" 'SELECT count(*) FROM messages')"
kt_eq "STARTTLS: Sent copies marked" "$DEMO_SENT" \
	"$(kt_sql "$E2E/data-st/kith.db" "SELECT count(*) FROM locations WHERE sent = 1")"
kt_true "every session's logout is in Dovecot's log" kt_dovecot_settled
kt_eq "STARTTLS: sessions that fetched a body" 0 "$(kt_dovecot_logouts | grep -c 'body_count=[1-9]')"

# Implicit TLS against a server that presents each bad certificate.
kt_dovecot_stop
for cert in unknown wronghost expired; do
	DC_CERT_NAME=$cert kt_dovecot_start || { kt__fail "Dovecot with $cert cert"; continue; }
	conf=$E2E/$cert.conf
	kt_kith_conf "$conf" "$E2E/data-$cert" "$E2E/tasks-$cert" implicit
	kt_run_kithd "$E2E/$cert.log" "$conf" --once >/dev/null
	kt_ne "$cert certificate: kithd exit status" 0 $?
	n=$(sqlite3 "$E2E/data-$cert/kith.db" 'SELECT count(*) FROM messages' 2>/dev/null || echo 0)
	kt_eq "$cert certificate: messages stored" 0 "$n"
	err=$(sqlite3 "$E2E/data-$cert/kith.db" "SELECT ifnull(last_error,'') FROM accounts WHERE name='test'" 2>/dev/null)
	kt_ne "$cert certificate: error recorded for kith status" "" "$err"
	echo "  ($cert: kithd said: $(grep -i -m1 -E 'tls|cert|verif' "$E2E/$cert.log" | head -c 200))"
	kt_eq "$cert certificate: no LOGIN reached Dovecot" 0 \
		"$(grep -c "imap($DC_USER)" "$DC_LOG")"
	kt_dovecot_stop
	: >"$DC_LOG"
done

# Wrong password: refused, recorded, not retried into a loop.
DC_CERT_NAME=server kt_dovecot_start || kt_die "restart"
printf 'not-the-password\n' >"$E2E/badpass"; chmod 600 "$E2E/badpass"
sed "s|pass_file = \".*\"|pass_file = \"$E2E/badpass\"|" "$E2E_CONF" >"$E2E/badpass.conf"
sed -i "s|$E2E/data|$E2E/data-badpass|" "$E2E/badpass.conf"
kt_run_kithd "$E2E/badpass.log" "$E2E/badpass.conf" --once >/dev/null
kt_ne "wrong password: kithd exit status" 0 $?
kt_no_secret "wrong password not echoed" "not-the-password" "$(cat "$E2E/badpass.log")"
kt_done
