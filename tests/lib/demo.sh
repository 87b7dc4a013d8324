# tests/lib/demo.sh: the demo mailbox synced into a fresh kith database,
# for tests of what the CLI shows of it.  Source after common.sh.
#
# kt_demo_synced DATE [TOOL...]: skips unless kithd, kith and Dovecot's
# tools (and each TOOL) are there; starts Dovecot with demo/mail
# (kt_e2e_server: $E2E, $E2E_CONF, $E2E_DB) and runs kithd --once --as-of
# DATE over TLS.  Dies when kithd fails.
. "$KITH_TOP/tests/lib/certs.sh"
. "$KITH_TOP/tests/lib/dovecot.sh"

kt_demo_synced() {
	local day=$1; shift
	kt_need_kithd
	[ -x "$KITH_BUILD/kith" ] || kt_skip "no kith CLI in $KITH_BUILD"
	kt_need_tools dovecot doveadm certtool python3 "$@"
	kt_e2e_server "$KITH_TOP/demo/mail"
	kt_run_kithd "$E2E/run1.log" "$E2E_CONF" --once --as-of "$day" || kt_die "kithd failed"
}
