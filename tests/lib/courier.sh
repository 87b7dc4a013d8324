# tests/lib/courier.sh: a private Courier IMAP for tests.  Source after
# common.sh and certs.sh; used through tests/lib/imapsrv.sh (kt_srv_use
# courier).
#
#   kt_courier_init DIR        layout, certs, ports, password; sets CO_*
#   kt_courier_load_tree TREE  TREE/INBOX, TREE/Sent ... -> Maildir++
#   kt_courier_start / kt_courier_stop
#   kt_courier_uidvalidity FOLDER   give FOLDER a new UIDVALIDITY
#
# Why it is built like this:
#  - Debian's courier-imap conflicts with every other imap-server package
#    (dovecot-imapd among them), so the package is not installed: its files
#    are unpacked (scripts/dev.sh deps) into $KITH_TEST_SERVERS/courier-imap
#    and run from there.  Its helpers (couriertcpd, couriertls,
#    authdaemond, makeuserdb) come from courier-base and courier-authlib,
#    which install beside Dovecot.
#  - imaplogin asks authdaemond over a socket whose path is compiled in
#    (/run/courier/authdaemon), and authdaemond reads /etc/courier.  So the
#    whole server runs in a private mount namespace (unshare -m) where
#    DIR/etc is mounted over /etc/courier and DIR/run over /run/courier:
#    its own authdaemond with its own userdb, invisible to the rest of the
#    machine.  That needs root; without it the server cannot be private
#    and the harness says so (kt_courier_unusable).
#  - couriertcpd detaches itself; its PIDs come from its -pid files (under
#    DIR/run), and kt_courier_stop signals those PIDs.
#  - Courier writes a folder's UID list (courierimapuiddb) only when a
#    client SELECTs it read-write; a folder only ever EXAMINEd (as kithd
#    does) gets a new UIDVALIDITY at every session.  A user's mail client
#    SELECTs its folders, so the harness does too (kt_courier_select_all)
#    after loading; docs/servers.md tells what kithd does without it.
#  - Courier has no protocol log, so "no body fetched" is proven on the
#    client side only (kithd's protocol log).

KITH_TEST_SERVERS=${KITH_TEST_SERVERS:-/opt/kith-test-servers}
CO_BIN=$KITH_TEST_SERVERS/courier-imap/usr

# kt_courier_unusable: prints why this machine cannot run it (empty: can).
kt_courier_unusable() {
	[ -x "$CO_BIN/bin/imapd" ] || { echo "Courier imapd not unpacked in $CO_BIN (scripts/dev.sh deps)"; return; }
	local c
	for c in couriertcpd couriertls authdaemond makeuserdb unshare openssl; do
		command -v "$c" >/dev/null 2>&1 || { echo "needs $c (courier-base, courier-authlib-userdb)"; return; }
	done
	[ "$(id -u)" = 0 ] || { echo "Courier's authdaemond socket path is fixed; a private one needs a mount namespace (root)"; return; }
	unshare -m true 2>/dev/null || echo "unshare -m is not permitted here (no private mount namespace)"
}

kt_courier_init() {
	CO_DIR=$1
	CO_LOGIN=maya
	CO_HOME=$CO_DIR/home/maya
	CO_MAILDIR=$CO_HOME/Maildir
	CO_CERTS=$CO_DIR/certs
	CO_CA=$CO_CERTS/ca.pem
	CO_CERT_NAME=${CO_CERT_NAME:-server}
	CO_PASS_FILE=$CO_DIR/client/pass
	CO_LOG=$CO_DIR/courier.log
	mkdir -p "$CO_DIR/etc" "$CO_DIR/run/authdaemon" "$CO_DIR/client" "$CO_MAILDIR" || return 1
	kt_srv_ports_pass "$CO_DIR" CO || return 1
	python3 -c 'import sys; sys.path.insert(0, sys.argv[1]); import maildir; maildir.ensure(sys.argv[2])' \
		"$KITH_TOP/tests/lib" "$CO_MAILDIR" || return 1
	kt__co_etc
}

# The private /etc/courier: authdaemonrc (userdb only) and the userdb source.
kt__co_etc() {
	local hash
	hash=$(printf '%s\n' "$CO_PASS" | openssl passwd -6 -stdin) || return 1
	cat >"$CO_DIR/etc/authdaemonrc" <<EOF
authmodulelist="authuserdb"
authmodulelistorig="authuserdb"
daemons=1
authdaemonvar=/run/courier/authdaemon
DEBUG_LOGIN=0
DEFAULTOPTIONS=""
LOGGEROPTS=""
EOF
	(umask 077; printf 'maya\tuid=%s|gid=%s|home=%s|mail=%s|systempw=%s\n' \
		"$(id -u nobody)" "$(id -g nobody)" "$CO_HOME" "$CO_MAILDIR" "$hash" >"$CO_DIR/etc/userdb")
}

kt_courier_load_tree() {
	python3 "$KITH_TOP/tests/lib/maildir.py" --lf load "$1" "$CO_MAILDIR" || return 1
	chown -R nobody:"$(id -gn nobody)" "$CO_DIR/home"
}

# The script run inside the namespace: mounts, authdaemond, two couriertcpd.
# The certificate is world-readable: imaplogin reads it for STARTTLS after
# dropping to the courier user (a test key, nothing secret).
kt__co_script() {
	cat "$CO_CERTS/$CO_CERT_NAME.key" "$CO_CERTS/$CO_CERT_NAME.pem" >"$CO_DIR/etc/imapd.pem"
	chmod 0644 "$CO_DIR/etc/imapd.pem"
	cat >"$CO_DIR/start.sh" <<EOF
set -e
mount --bind "$CO_DIR/etc" /etc/courier
mount --bind "$CO_DIR/run" /run/courier
makeuserdb
authdaemond start
for i in \$(seq 100); do [ -S /run/courier/authdaemon/socket ] && break; sleep 0.1; done
export IMAP_CAPABILITY="IMAP4rev1 UIDPLUS CHILDREN NAMESPACE THREAD=ORDEREDSUBJECT THREAD=REFERENCES SORT QUOTA IDLE"
export IMAP_CAPABILITY_TLS="\$IMAP_CAPABILITY AUTH=PLAIN"
export IMAP_STARTTLS=YES IMAP_TLS_REQUIRED=0 COURIERTLS=\$(command -v couriertls)
export TLS_CERTFILE="$CO_DIR/etc/imapd.pem" TLS_VERIFYPEER=NONE
export IMAP_IDLE_TIMEOUT=\${CO_IDLE_TIMEOUT:-5} IMAP_ENHANCEDIDLE=0 IMAP_USELOCKS=1
export IMAP_MAILBOX_SANITY_CHECK=1 IMAP_UMASK=022
T="-address=127.0.0.1 -maxprocs=10 -nodnslookup -noidentlookup"
couriertcpd \$T -pid="$CO_DIR/run/imap.pid" $CO_IMAP_PORT \\
	"$CO_BIN/lib/courier/courier/imaplogin" "$CO_BIN/bin/imapd" Maildir
IMAP_TLS=1 couriertcpd \$T -pid="$CO_DIR/run/imaps.pid" $CO_IMAPS_PORT \\
	"\$COURIERTLS" -server -tcpd "$CO_BIN/lib/courier/courier/imaplogin" "$CO_BIN/bin/imapd" Maildir
EOF
}

kt_courier_start() {
	kt__co_script || return 1
	: >"$CO_LOG"
	unshare -m --propagation private bash "$CO_DIR/start.sh" >>"$CO_LOG" 2>&1 || {
		echo "courier did not start; log follows:" >&2; cat "$CO_LOG" >&2; kt_courier_stop; return 1; }
	kt_on_exit kt_courier_stop
	if ! kt_wait_port "$CO_IMAPS_PORT" 15 || ! kt_wait_port "$CO_IMAP_PORT" 5; then
		echo "courier did not listen; log follows:" >&2
		cat "$CO_LOG" >&2
		kt_courier_stop
		return 1
	fi
}

# kt_courier_select_all: one read-write SELECT of every folder, as the
# user's own mail client would have done.
kt_courier_select_all() {
	local args=() f
	while IFS=$'\t' read -r f _; do args+=(select "$f"); done < <(kt_srv_imap list)
	kt_srv_imap "${args[@]}" >/dev/null
}

# Stops both couriertcpd and authdaemond, each by the PID its pid file holds.
kt_courier_stop() {
	local f
	for f in "$CO_DIR/run/imap.pid" "$CO_DIR/run/imaps.pid" "$CO_DIR/run/authdaemon/pid"; do
		[ -s "$f" ] && kt__stop_pid "$(head -n 1 "$f")" "courier $(basename "$f")"
		rm -f "$f"
	done
	return 0
}

# kt_courier_uidvalidity FOLDER: Courier keeps UIDVALIDITY in the first
# line of the folder's courierimapuiddb ("1 UIDVALIDITY NEXTUID").
kt_courier_uidvalidity() {
	local d=$CO_MAILDIR f
	[ "$1" = INBOX ] || d=$CO_MAILDIR/.$(printf '%s' "$1" | sed 's/^INBOX\.//; s|/|.|g')
	f=$d/courierimapuiddb
	[ -s "$f" ] || return 1
	awk 'NR == 1 { $2 = $2 + 1000 } { print }' "$f" >"$f.new" && mv "$f.new" "$f" &&
		chown nobody "$f"
}

kt_courier_body_fetches() { echo ""; }
