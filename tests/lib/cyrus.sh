# tests/lib/cyrus.sh: a private Cyrus IMAP 3.6 for tests.  Source after
# common.sh and certs.sh; used through tests/lib/imapsrv.sh (kt_srv_use
# cyrus).
#
#   kt_cyrus_init DIR        layout, certs, ports, password; sets CY_*
#   kt_cyrus_load_tree TREE  APPEND every message (server running)
#   kt_cyrus_start / kt_cyrus_stop
#   kt_cyrus_body_fetches    body fetches in Cyrus' own protocol log
#
# Why it is built like this:
#  - Debian's cyrus-imapd conflicts with every other imap-server package
#    (dovecot-imapd among them), so it is not installed: its three binaries
#    are unpacked (scripts/dev.sh deps) into $KITH_TEST_SERVERS/cyrus-imapd;
#    master and the tools come from cyrus-common, which installs beside
#    Dovecot.
#  - Everything is in DIR: imapd.conf (given to master and, with -C, to
#    each imapd), cyrus.conf, the mailbox database, the spool, the sockets
#    and a private sasldb (saslpasswd2, sasl2-bin) holding the password.
#  - master refuses to run as anyone but root or the `cyrus` user, and as
#    root it switches to `cyrus` itself; so as root it is started as
#    `cyrus` (setpriv) and DIR belongs to cyrus.  Without root it cannot
#    run (kt_cyrus_unusable says so).
#  - The mailbox is created at the first login (autocreate_quota) with
#    Sent, Drafts, Trash and Junk carrying their special-use flags.
#  - IDLE: Cyrus looks for changes every imapidlepoll seconds (2 here);
#    its push daemon idled, started privately, never woke an IDLE in our
#    runs (unexplained; not needed for the test).
#  - "Telemetry": when CONFIGDIR/log/USER exists, imapd writes the whole
#    protocol of that user's sessions there; that is the server-side proof
#    that no body was fetched.

KITH_TEST_SERVERS=${KITH_TEST_SERVERS:-/opt/kith-test-servers}
CY_IMAPD=$KITH_TEST_SERVERS/cyrus-imapd/usr/lib/cyrus/bin/imapd
CY_MASTER=/usr/lib/cyrus/bin/master

kt_cyrus_unusable() {
	[ -x "$CY_IMAPD" ] || { echo "Cyrus imapd not unpacked in $KITH_TEST_SERVERS/cyrus-imapd (scripts/dev.sh deps)"; return; }
	[ -x "$CY_MASTER" ] || { echo "needs $CY_MASTER (cyrus-common)"; return; }
	command -v saslpasswd2 >/dev/null 2>&1 || { echo "needs saslpasswd2 (sasl2-bin)"; return; }
	id cyrus >/dev/null 2>&1 || { echo "no cyrus user (cyrus-common creates it)"; return; }
	[ "$(id -u)" = 0 ] || echo "Cyrus master runs only as root or the cyrus user (run the tests as root)"
}

kt_cyrus_init() {
	CY_DIR=$1
	CY_LOGIN=maya
	CY_CERTS=$CY_DIR/certs
	CY_CA=$CY_CERTS/ca.pem
	CY_CERT_NAME=${CY_CERT_NAME:-server}
	CY_PASS_FILE=$CY_DIR/client/pass
	CY_CONF=$CY_DIR/imapd.conf
	CY_LOG=$CY_DIR/master.log
	CY_PID=
	mkdir -p "$CY_DIR/conf/log/$CY_LOGIN" "$CY_DIR/spool" "$CY_DIR/run" "$CY_DIR/client" || return 1
	kt_srv_ports_pass "$CY_DIR" CY || return 1
	# the realm is the servername (localhost) in imapd.conf
	printf '%s' "$CY_PASS" | saslpasswd2 -p -c -f "$CY_DIR/sasldb2" -u localhost "$CY_LOGIN" || return 1
}

kt__cy_write_conf() {
	cat >"$CY_CONF" <<EOF
# Private test Cyrus written by tests/lib/cyrus.sh
configdirectory: $CY_DIR/conf
partition-default: $CY_DIR/spool
servername: localhost
unixhierarchysep: yes
altnamespace: yes
sasl_pwcheck_method: auxprop
sasl_auxprop_plugin: sasldb
sasl_sasldb_path: $CY_DIR/sasldb2
sasl_mech_list: PLAIN LOGIN
allowplaintext: yes
autocreate_quota: 0
autocreate_inbox_folders: Sent | Drafts | Trash | Junk
xlist-sent: Sent
xlist-drafts: Drafts
xlist-trash: Trash
xlist-junk: Junk
tls_server_cert: $CY_CERTS/$CY_CERT_NAME.pem
tls_server_key: $CY_CERTS/$CY_CERT_NAME.key
idlesocket: $CY_DIR/run/idle
notifysocket: $CY_DIR/run/notify
lmtpsocket: $CY_DIR/run/lmtp
proc_path: $CY_DIR/run/proc
mboxname_lockpath: $CY_DIR/run/lock
syslog_prefix: kith-test-cyrus
imapidlepoll: 2
EOF
	cat >"$CY_DIR/cyrus.conf" <<EOF
START {
  recover cmd="/usr/lib/cyrus/bin/ctl_cyrusdb -C $CY_CONF -r"
}
SERVICES {
  imap cmd="$CY_IMAPD -C $CY_CONF" listen="127.0.0.1:$CY_IMAP_PORT" prefork=0
  imaps cmd="$CY_IMAPD -s -C $CY_CONF" listen="127.0.0.1:$CY_IMAPS_PORT" prefork=0
}
EVENTS {
}
EOF
}

kt_cyrus_start() {
	kt__cy_write_conf || return 1
	chown -R cyrus:"$(id -gn cyrus)" "$CY_DIR/conf" "$CY_DIR/spool" "$CY_DIR/run" \
		"$CY_DIR/sasldb2" "$CY_CERTS" "$CY_CONF" "$CY_DIR/cyrus.conf"
	: >"$CY_LOG"
	setpriv --reuid=cyrus --regid="$(id -g cyrus)" --clear-groups -- \
		"$CY_MASTER" -C "$CY_CONF" -M "$CY_DIR/cyrus.conf" -p "$CY_DIR/run/master.pid" -D \
		>>"$CY_LOG" 2>&1 &
	CY_JOB=$!
	CY_PID=$CY_JOB
	kt_on_exit kt_cyrus_stop
	if ! kt_wait_port "$CY_IMAPS_PORT" 20 || ! kt_wait_port "$CY_IMAP_PORT" 5; then
		echo "cyrus did not start; log follows:" >&2
		cat "$CY_LOG" >&2
		kt_cyrus_stop
		return 1
	fi
}

kt_cyrus_stop() {
	[ -n "${CY_PID:-}" ] || return 0
	kt__stop_pid "$CY_PID" "cyrus master"
	wait "${CY_JOB:-}" 2>/dev/null
	CY_PID=; CY_JOB=
	return 0
}

# Cyrus has no tool to set a UIDVALIDITY: the folder is deleted and made
# again (the tests then re-append its messages); Cyrus gives a new one.
kt_cyrus_uidvalidity() { return 2; }

# The protocol log lines of client commands start with "<TIME<".
kt_cyrus_body_fetches() {
	cat "$CY_DIR/conf/log/$CY_LOGIN"/* 2>/dev/null | sed -n 's/^<[0-9]*<//p' | kt_count_body_fetches
}
