# tests/lib/imapsrv.sh: one interface over the private test IMAP servers
# (Dovecot, Cyrus, Courier, GNU Mailutils), so that one test runs against
# each.  Source after common.sh and certs.sh.
#
#   kt_srv_use NAME         dovecot | cyrus | courier | mailutils; skips the
#                           test (kt_skip, with the reason) when NAME cannot
#                           run privately on this machine
#   kt_srv_init DIR         sets SRV_IMAPS_PORT SRV_IMAP_PORT SRV_LOGIN
#                           SRV_PASS_FILE SRV_CA SRV_DIR
#   kt_srv_load_tree TREE   TREE/INBOX, TREE/Sent, TREE/a/b ... (before start;
#                           servers loaded over IMAP are loaded after it)
#   kt_srv_start / kt_srv_stop
#   kt_srv_imap CMD...      tests/lib/imapcheck.py as the test user (implicit TLS)
#   kt_srv_add FOLDER FILE...        APPEND to a running server
#   kt_srv_folder NAME      the server's name for top-level folder NAME
#                           (Courier: INBOX.NAME)
#   kt_srv_new_uidvalidity FOLDER SRCDIR   give FOLDER a new UIDVALIDITY
#                           (SRCDIR: its messages, re-appended where the
#                           only way is to delete and re-create the folder)
#   kt_srv_body_fetches     FETCH commands for a body the server logged, or
#                           "" when it cannot log its protocol
#   kt_srv_kith_conf FILE DATA TASKS [implicit|starttls] [extra lines]

# dovecot.sh also holds kt_demo_expect (the demo mailbox's figures)
. "$KITH_TOP/tests/lib/dovecot.sh"

kt__stop_pid() { # PID WHAT: TERM, wait up to 10 s, then KILL
	local pid=$1 i
	kill -TERM "$pid" 2>/dev/null || return 0
	for ((i = 0; i < 100; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		# a detached daemon whose parent does not reap it stays a zombie
		[ "$(ps -o stat= -p "$pid" 2>/dev/null | cut -c1)" = Z ] && return 0
		sleep 0.1
	done
	echo "$2 ($pid) ignored TERM; killing" >&2
	kill -KILL "$pid" 2>/dev/null
	return 0
}

# kt_count_body_fetches: reads protocol lines sent by a client, prints how
# many are a FETCH of anything but header fields (BODY[], BODY[TEXT],
# BODY[1], RFC822, RFC822.TEXT, BINARY[...]).
kt_count_body_fetches() {
	grep -iE '(^|[^A-Z])FETCH ' | grep -icE 'BODY(\.PEEK)?\[(TEXT|[0-9]|\])|RFC822([^.A-Z]|$|\.TEXT)|BINARY(\.PEEK)?\['
}

# kt_srv_ports_pass DIR PREFIX: certs in DIR/certs (made once), two free
# ports and a random password (DIR/client/pass, 0600) into PREFIX_IMAPS_PORT,
# PREFIX_IMAP_PORT, PREFIX_PASS; the common start of each harness' init.
kt_srv_ports_pass() {
	local d=$1 p=$2 s i pw
	mkdir -p "$d/client" || return 1
	chmod 0755 "$d"; chmod 0700 "$d/client"
	[ -f "$d/certs/ca.pem" ] || kt_certs_make "$d/certs" || return 1
	s=$(kt_free_port) || return 1
	i=$(kt_free_port) || return 1
	while [ "$i" = "$s" ]; do i=$(kt_free_port); done
	pw=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
	printf -v "${p}_IMAPS_PORT" '%s' "$s"
	printf -v "${p}_IMAP_PORT" '%s' "$i"
	printf -v "${p}_PASS" '%s' "$pw"
	(umask 077; printf '%s\n' "$pw" >"$d/client/pass")
}

kt_srv_use() {
	SRV_NAME=$1
	local why=""
	case "$SRV_NAME" in
	dovecot)
		command -v dovecot >/dev/null && command -v doveadm >/dev/null || why="needs dovecot and doveadm (dovecot-imapd)" ;;
	cyrus) . "$KITH_TOP/tests/lib/cyrus.sh"; why=$(kt_cyrus_unusable) ;;
	courier) . "$KITH_TOP/tests/lib/courier.sh"; why=$(kt_courier_unusable) ;;
	mailutils)
		. "$KITH_TOP/tests/lib/mailutils.sh"
		command -v imap4d >/dev/null || why="needs imap4d (mailutils-imap4d)"
		command -v openssl >/dev/null || why="needs openssl" ;;
	*) kt_die "unknown server $SRV_NAME" ;;
	esac
	[ -z "$why" ] || kt_skip "$SRV_NAME: $why"
	export SRV_NAME
}

kt_srv_init() {
	SRV_DIR=$1
	case "$SRV_NAME" in
	dovecot)
		kt_dovecot_init "$1" || return 1
		SRV_IMAPS_PORT=$DC_IMAPS_PORT SRV_IMAP_PORT=$DC_IMAP_PORT SRV_LOGIN=$DC_USER
		SRV_PASS_FILE=$DC_PASS_FILE SRV_CA=$DC_CA SRV_PASS=$DC_PASS ;;
	cyrus)
		kt_cyrus_init "$1" || return 1
		SRV_IMAPS_PORT=$CY_IMAPS_PORT SRV_IMAP_PORT=$CY_IMAP_PORT SRV_LOGIN=$CY_LOGIN
		SRV_PASS_FILE=$CY_PASS_FILE SRV_CA=$CY_CA SRV_PASS=$CY_PASS ;;
	courier)
		kt_courier_init "$1" || return 1
		SRV_IMAPS_PORT=$CO_IMAPS_PORT SRV_IMAP_PORT=$CO_IMAP_PORT SRV_LOGIN=$CO_LOGIN
		SRV_PASS_FILE=$CO_PASS_FILE SRV_CA=$CO_CA SRV_PASS=$CO_PASS ;;
	mailutils)
		kt_mailutils_init "$1" || return 1
		SRV_IMAPS_PORT=$MU_IMAPS_PORT SRV_IMAP_PORT=$MU_IMAP_PORT SRV_LOGIN=$MU_LOGIN
		SRV_PASS_FILE=$MU_PASS_FILE SRV_CA=$MU_CA SRV_PASS=$MU_PASS ;;
	esac
	# kt_run_kithd fails a test whose log shows $DC_PASS
	DC_PASS=$SRV_PASS
	export SRV_IMAPS_PORT SRV_IMAP_PORT SRV_LOGIN SRV_PASS_FILE SRV_CA SRV_DIR
}

kt_srv_imap() {
	python3 "$KITH_TOP/tests/lib/imapcheck.py" implicit "$SRV_IMAPS_PORT" "$SRV_CA" \
		"$SRV_LOGIN" "$SRV_PASS_FILE" "$@"
}

# Cyrus keeps mail in its own format: it is loaded over IMAP once running.
kt_srv_load_tree() {
	SRV_TREE=$1
	case "$SRV_NAME" in
	dovecot) kt_dovecot_load_tree "$1" ;;
	courier) kt_courier_load_tree "$1" ;;
	mailutils) kt_mailutils_load_tree "$1" ;;
	cyrus) return 0 ;;
	esac
}

kt_srv_start() {
	case "$SRV_NAME" in
	dovecot) kt_dovecot_start ;;
	cyrus) kt_cyrus_start && { [ -z "${SRV_TREE:-}" ] || kt_srv_imap load "$SRV_TREE"; } ;;
	courier) kt_courier_start && kt_courier_select_all ;;
	mailutils) kt_mailutils_start ;;
	esac
}

kt_srv_stop() {
	case "$SRV_NAME" in
	dovecot) kt_dovecot_stop ;;
	cyrus) kt_cyrus_stop ;;
	courier) kt_courier_stop ;;
	mailutils) kt_mailutils_stop ;;
	esac
}

kt_srv_folder() {
	if [ "$SRV_NAME" = courier ] && [ "$1" != INBOX ]; then echo "INBOX.$1"; else echo "$1"; fi
}

kt_srv_add() {
	local folder
	folder=$(kt_srv_folder "$1"); shift
	kt_srv_imap append "$folder" "$@" >/dev/null
}

kt_srv_new_uidvalidity() {
	local folder=$1 src=$2 name
	name=$(kt_srv_folder "$folder")
	case "$SRV_NAME" in
	dovecot)
		local v
		v=$(kt_dovecot_status "$folder" | grep -o 'uidvalidity=[0-9]*' | cut -d= -f2)
		kt_dovecot_uidvalidity "$folder" $((v + 1000)) ;;
	courier) kt_courier_uidvalidity "$name" ;;
	mailutils) kt_mailutils_uidvalidity "$folder" ;;
	cyrus) kt_srv_imap delete "$name" >/dev/null && kt_srv_imap append "$name" "$src"/* >/dev/null ;;
	esac
}

kt_srv_body_fetches() {
	case "$SRV_NAME" in
	dovecot) kt_dovecot_logouts | grep -c 'body_count=[1-9]' ;;
	cyrus) kt_cyrus_body_fetches ;;
	courier) echo "" ;;
	mailutils) kt_mailutils_body_fetches ;;
	esac
}

# kt_srv_kith_conf FILE DATA_DIR TASKS_DIR [tls] [extra account lines]:
# dovecot.sh's kt_kith_conf, pointed at this server.
kt_srv_kith_conf() {
	DC_IMAPS_PORT=$SRV_IMAPS_PORT DC_IMAP_PORT=$SRV_IMAP_PORT DC_CA=$SRV_CA \
		DC_USER=$SRV_LOGIN DC_PASS_FILE=$SRV_PASS_FILE kt_kith_conf "$@"
}
