# tests/lib/mailutils.sh: a private GNU Mailutils imap4d (Debian package
# mailutils-imap4d) for tests.  Source after common.sh and certs.sh; used
# through tests/lib/imapsrv.sh (kt_srv_use mailutils).
#
#   kt_mailutils_init DIR        layout, certs, ports, password; sets MU_*
#   kt_mailutils_load_tree TREE  TREE/INBOX -> the INBOX maildir, TREE/a/b
#                                -> folder a/b (server stopped or running)
#   kt_mailutils_start / kt_mailutils_stop
#   kt_mailutils_uidvalidity FOLDER   give FOLDER a new UIDVALIDITY
#   kt_mailutils_body_fetches    body fetches in the server's transcript
#
# imap4d reads only its own config file (--config-file implies no site
# config); users come from a private virtual-domain passwd file (login
# maya@lindqvist.example, crypt(3) hash made by openssl); mail is plain
# Maildir: the INBOX in DIR/home/maya/INBOX, folders under
# DIR/home/maya/Maildir.  `transcript yes` makes imap4d log every command
# and reply line (passwords masked), which is how a test proves that no
# body was fetched.  As root it runs as `nobody` (the virtual user's uid is
# the run user's, so imap4d never needs to switch users).  One process
# (the daemon, --foreground) forks a child per connection; its PID is kept.

MU_RUN_USER=${MU_RUN_USER:-nobody}

kt__mu_as_user() {
	if [ "$(id -u)" = 0 ]; then
		setpriv --reuid="$MU_RUN_USER" --regid="$(id -g "$MU_RUN_USER")" --clear-groups -- "$@"
	else
		"$@"
	fi
}

kt_mailutils_init() {
	MU_DIR=$1
	MU_DOMAIN=lindqvist.example
	MU_LOGIN=maya@$MU_DOMAIN
	MU_HOME=$MU_DIR/home/maya
	MU_CERTS=$MU_DIR/certs
	MU_CA=$MU_CERTS/ca.pem
	MU_CERT_NAME=${MU_CERT_NAME:-server}
	MU_PASS_FILE=$MU_DIR/client/pass
	MU_CONF=$MU_DIR/imap4d.conf
	MU_LOG=$MU_DIR/imap4d.log
	MU_PID=
	mkdir -p "$MU_DIR/pw" "$MU_DIR/client" "$MU_HOME/INBOX" "$MU_HOME/Maildir" || return 1
	kt_srv_ports_pass "$MU_DIR" MU || return 1
	kt__mu_passwd || return 1
	python3 -c 'import sys; sys.path.insert(0, sys.argv[1]); import maildir; maildir.ensure(sys.argv[2])' \
		"$KITH_TOP/tests/lib" "$MU_HOME/INBOX" || return 1
}

kt__mu_passwd() { # the virtual domain's passwd file: name:hash:uid:gid:gecos:home:shell
	local uid gid hash
	uid=$(id -u "$MU_RUN_USER"); gid=$(id -g "$MU_RUN_USER")
	[ "$(id -u)" = 0 ] || { uid=$(id -u); gid=$(id -g); }
	hash=$(printf '%s\n' "$MU_PASS" | openssl passwd -6 -stdin) || return 1
	(umask 077; printf 'maya:%s:%s:%s::%s:/bin/false\n' "$hash" "$uid" "$gid" "$MU_HOME" \
		>"$MU_DIR/pw/$MU_DOMAIN")
}

kt__mu_chown() {
	[ "$(id -u)" = 0 ] && chown -R "$MU_RUN_USER:$(id -gn "$MU_RUN_USER")" \
		"$MU_DIR/home" "$MU_DIR/pw" "$MU_CERTS"
	return 0
}

kt_mailutils_load_tree() {
	python3 "$KITH_TOP/tests/lib/maildir.py" --lf load-dirs "$1" "$MU_HOME/INBOX" "$MU_HOME/Maildir" || return 1
	kt__mu_chown
}

kt__mu_write_conf() {
	local tls="tls { ssl-certificate-file $MU_CERTS/$MU_CERT_NAME.pem; ssl-key-file $MU_CERTS/$MU_CERT_NAME.key; };"
	cat >"$MU_CONF" <<EOF
# Private test imap4d written by tests/lib/mailutils.sh
logging { syslog no; }
auth { authentication generic; authorization virtdomain; }
virtdomain { passwd-dir "$MU_DIR/pw"; }
mailbox { mailbox-type maildir; mail-spool "maildir://$MU_HOME/INBOX"; }
namespace personal {
  prefix "" { directory "$MU_HOME/Maildir"; delimiter "/"; mailbox-type maildir; };
};
pidfile "$MU_DIR/imap4d.pid";
mode daemon;
foreground yes;
server 127.0.0.1:$MU_IMAP_PORT { tls-mode stls; transcript yes; $tls };
server 127.0.0.1:$MU_IMAPS_PORT { tls-mode connection; transcript yes; $tls };
EOF
}

kt_mailutils_start() {
	kt__mu_write_conf || return 1
	kt__mu_chown
	: >"$MU_LOG"
	kt__mu_as_user imap4d --config-file="$MU_CONF" >>"$MU_LOG" 2>&1 &
	MU_JOB=$!
	MU_PID=$MU_JOB
	kt_on_exit kt_mailutils_stop
	if ! kt_wait_port "$MU_IMAPS_PORT" 15 || ! kt_wait_port "$MU_IMAP_PORT" 5; then
		echo "imap4d did not start; log follows:" >&2
		cat "$MU_LOG" >&2
		kt_mailutils_stop
		return 1
	fi
	[ -s "$MU_DIR/imap4d.pid" ] && MU_PID=$(cat "$MU_DIR/imap4d.pid")
	return 0
}

# imap4d forks a child per session, and a child outlives the daemon; the
# children (found by parent PID) are stopped after it.
kt_mailutils_stop() {
	[ -n "${MU_PID:-}" ] || return 0
	local kids k
	kids=$(pgrep -P "$MU_PID" 2>/dev/null)
	kt__stop_pid "$MU_PID" imap4d
	for k in $kids; do kt__stop_pid "$k" "imap4d session"; done
	wait "${MU_JOB:-}" 2>/dev/null
	MU_PID=; MU_JOB=
	return 0
}

# kt_mailutils_uidvalidity FOLDER: imap4d keeps each folder's UIDVALIDITY
# in its .mu-prop file; every session (a fresh child) reads it anew.
kt_mailutils_uidvalidity() {
	local d prop old
	if [ "$1" = INBOX ]; then d=$MU_HOME/INBOX; else d=$MU_HOME/Maildir/$1; fi
	prop=$d/.mu-prop
	old=$(sed -n 's/^uid-validity: *//p' "$prop") || return 1
	[ -n "$old" ] || return 1
	sed -i "s/^uid-validity: .*/uid-validity: $((old + 1000))/" "$prop"
}

# The transcript logs each command as "imap4d: C: TAG COMMAND ..."
kt_mailutils_body_fetches() { kt_count_body_fetches <"$MU_LOG"; }
