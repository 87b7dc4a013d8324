# tests/lib/dovecot.sh: a private Dovecot 2.3 for tests and the demo.
#
# Source after common.sh and certs.sh.  Usage:
#
#   kt_dovecot_init DIR            # layout, certs, ports, password; sets DC_*
#   kt_dovecot_load_tree TREE      # folder tree of message files -> Maildir
#   kt_dovecot_start               # config + start + wait; stop hook at exit
#   ... IMAPS on 127.0.0.1:$DC_IMAPS_PORT, IMAP+STARTTLS on $DC_IMAP_PORT,
#       user $DC_USER, password in $DC_PASS_FILE (0600), CA in $DC_CA ...
#   kt_dovecot_save FOLDER FILE... # doveadm save into a running server
#   kt_dovecot_add_new FOLDER FILE...  # drop files into FOLDER's new/
#   kt_dovecot_uidvalidity FOLDER N
#   kt_dovecot_kick                # disconnect the user's sessions
#   kt_dovecot_log                 # print the log; kt_dovecot_stop
#
# Knobs (set before kt_dovecot_start): DC_CERT_NAME (server | wronghost |
# expired | unknown, see certs.sh), DC_SENT_FOLDERS (extra folder names that
# get \Sent special-use, space-separated), DC_USER.
#
# Dovecot refuses to run mail processes as root, so as root everything runs
# as `nobody` (setpriv) and DIR is chowned to it.  Every path (base_dir,
# state_dir, log) lives under DIR; the master's PID is kept in $DC_PID.

DC_RUN_USER=${DC_RUN_USER:-nobody}

kt__dc_as_user() { # command...: run as the Dovecot user
	if [ "$(id -u)" = 0 ]; then
		local gid
		gid=$(id -g "$DC_RUN_USER")
		setpriv --reuid="$DC_RUN_USER" --regid="$gid" --clear-groups -- "$@"
	else
		"$@"
	fi
}

kt_dovecot_init() {
	DC_DIR=$1
	DC_USER=${DC_USER:-maya}
	DC_CERT_NAME=${DC_CERT_NAME:-server}
	DC_SENT_FOLDERS=${DC_SENT_FOLDERS:-}
	DC_CONF=$DC_DIR/dovecot.conf
	DC_LOG=$DC_DIR/dovecot.log
	DC_HOME=$DC_DIR/home/$DC_USER
	DC_MAILDIR=$DC_HOME/Maildir
	DC_CERTS=$DC_DIR/certs
	DC_CA=$DC_CERTS/ca.pem
	DC_PASS_FILE=$DC_DIR/client/pass
	DC_PID=
	mkdir -p "$DC_DIR/run" "$DC_DIR/state" "$DC_MAILDIR" "$DC_DIR/client" || return 1
	chmod 0755 "$DC_DIR"
	chmod 0700 "$DC_DIR/client"
	if [ ! -f "$DC_CA" ]; then
		kt_certs_make "$DC_CERTS" || return 1
	fi
	DC_IMAPS_PORT=$(kt_free_port) || return 1
	DC_IMAP_PORT=$(kt_free_port) || return 1
	while [ "$DC_IMAP_PORT" = "$DC_IMAPS_PORT" ]; do DC_IMAP_PORT=$(kt_free_port); done
	# A random password per run; only the client file and passwd-file hold it.
	DC_PASS=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
	(umask 077; printf '%s\n' "$DC_PASS" >"$DC_PASS_FILE")
	(umask 077; printf '%s:{PLAIN}%s\n' "$DC_USER" "$DC_PASS" >"$DC_DIR/passwd")
	export DC_DIR DC_USER DC_CONF DC_LOG DC_MAILDIR DC_CA DC_PASS_FILE \
		DC_IMAPS_PORT DC_IMAP_PORT
}

# kt_dovecot_load_tree TREE: TREE/INBOX, TREE/Sent, TREE/a/b ... (see maildir.py)
kt_dovecot_load_tree() {
	python3 "$KITH_TOP/tests/lib/maildir.py" load "$1" "$DC_MAILDIR" || return 1
	kt__dc_chown
}

kt__dc_chown() {
	[ "$(id -u)" = 0 ] && chown -R "$DC_RUN_USER:$(id -gn "$DC_RUN_USER")" \
		"$DC_DIR/home" "$DC_DIR/run" "$DC_DIR/state" "$DC_DIR/passwd" "$DC_CERTS"
	return 0
}

kt__dc_mailboxes() { # the special-use mailbox sections
	local f
	printf '  mailbox Sent {\n    special_use = \\Sent\n    auto = no\n  }\n'
	printf '  mailbox Drafts {\n    special_use = \\Drafts\n  }\n'
	printf '  mailbox Junk {\n    special_use = \\Junk\n  }\n'
	printf '  mailbox Trash {\n    special_use = \\Trash\n  }\n'
	for f in $DC_SENT_FOLDERS; do
		printf '  mailbox "%s" {\n    special_use = \\Sent\n  }\n' "$f"
	done
}

# With DC_ALL_VIRTUAL=1: a Gmail-like "All Mail", a virtual mailbox
# Virtual/All flagged \All that shows every message of every other folder
# (Dovecot's virtual plugin), beside the real folders holding them.
kt__dc_all_virtual() {
	[ "${DC_ALL_VIRTUAL:-0}" = 1 ] || return 0
	mkdir -p "$DC_HOME/virtual/All"
	printf '*\n-Trash\n-Junk\n-Virtual/*\n  all\n' >"$DC_HOME/virtual/All/dovecot-virtual"
	printf 'namespace virtual {\n  prefix = Virtual/\n  separator = /\n'
	printf '  location = virtual:~/virtual\n  mailbox All {\n    special_use = \\All\n  }\n}\n'
}

# With DC_IMAP_VSZ (e.g. 2G): the imap processes' address-space limit.
# Dovecot's default, 256 MB, ends the session ("Out of memory") when a
# maildir of a million messages is synced or fetched.
kt__dc_imap_vsz() {
	[ -n "${DC_IMAP_VSZ:-}" ] || return 0
	printf 'service imap {\n  vsz_limit = %s\n}\n' "$DC_IMAP_VSZ"
}

kt__dc_write_conf() {
	local uid gid grp
	uid=$(id -u "$DC_RUN_USER"); gid=$(id -g "$DC_RUN_USER"); grp=$(id -gn "$DC_RUN_USER")
	[ "$(id -u)" = 0 ] || { uid=$(id -u); gid=$(id -g); grp=$(id -gn); DC_RUN_USER=$(id -un); }
	cat >"$DC_CONF" <<EOF
# Private test Dovecot written by tests/lib/dovecot.sh
instance_name = kith-test-$DC_IMAPS_PORT
base_dir = $DC_DIR/run
state_dir = $DC_DIR/state
log_path = $DC_LOG
info_log_path = $DC_LOG
protocols = imap
listen = 127.0.0.1
default_internal_user = $DC_RUN_USER
default_internal_group = $grp
default_login_user = $DC_RUN_USER
first_valid_uid = 1
first_valid_gid = 1
ssl = yes
ssl_cert = <$DC_CERTS/$DC_CERT_NAME.pem
ssl_key = <$DC_CERTS/$DC_CERT_NAME.key
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = no
auth_mechanisms = plain login
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $DC_DIR/passwd
}
userdb {
  driver = static
  args = uid=$uid gid=$gid home=$DC_DIR/home/%u
}
mail_location = maildir:~/Maildir
mail_plugins = \$mail_plugins mail_log notify$( [ "${DC_ALL_VIRTUAL:-0}" = 1 ] && echo ' virtual')
plugin {
  mail_log_events = save copy expunge flag_change mailbox_create mailbox_delete
  mail_log_fields = uid box msgid
}
# Proves a client fetched headers only: body_count must stay 0.
imap_logout_format = in=%i out=%o hdr_count=%{fetch_hdr_count} hdr_bytes=%{fetch_hdr_bytes} body_count=%{fetch_body_count} body_bytes=%{fetch_body_bytes}
namespace inbox {
  inbox = yes
  separator = /
$(kt__dc_mailboxes)
}
$(kt__dc_all_virtual)
$(kt__dc_imap_vsz)
service anvil {
  chroot =
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = $DC_IMAP_PORT
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $DC_IMAPS_PORT
    ssl = yes
  }
}
service stats {
  unix_listener stats-reader {
    mode = 0600
  }
  unix_listener stats-writer {
    mode = 0600
  }
}
EOF
}

# kt_dovecot_start: write the config, start Dovecot in the foreground mode as
# a background job, wait for both ports; registers kt_dovecot_stop at exit.
kt_dovecot_start() {
	kt__dc_write_conf || return 1
	kt__dc_chown
	: >"$DC_LOG"; [ "$(id -u)" = 0 ] && chown "$DC_RUN_USER" "$DC_LOG"
	kt__dc_as_user dovecot -F -c "$DC_CONF" >>"$DC_DIR/dovecot.stdout" 2>&1 &
	DC_JOB=$!
	DC_PID=$DC_JOB
	kt_on_exit kt_dovecot_stop
	if ! kt_wait_port "$DC_IMAPS_PORT" 60 || ! kt_wait_port "$DC_IMAP_PORT" 60; then
		echo "dovecot did not start; log follows:" >&2
		cat "$DC_DIR/dovecot.stdout" "$DC_LOG" >&2 2>/dev/null
		kt_dovecot_stop
		return 1
	fi
	# The job may be a subshell around setpriv: signal the master itself.
	if [ -s "$DC_DIR/run/master.pid" ]; then DC_PID=$(cat "$DC_DIR/run/master.pid"); fi
	export DC_PID
}

# kt_dovecot_stop: TERM the master (by PID) and wait for it; KILL after 10 s.
kt_dovecot_stop() {
	[ -n "${DC_PID:-}" ] || return 0
	local i
	kill -TERM "$DC_PID" 2>/dev/null
	for ((i = 0; i < 100; i++)); do
		kill -0 "$DC_PID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$DC_PID" 2>/dev/null; then
		echo "dovecot $DC_PID ignored TERM; killing" >&2
		kill -KILL "$DC_PID" 2>/dev/null
	fi
	wait "${DC_JOB:-$DC_PID}" 2>/dev/null
	DC_PID=; DC_JOB=
	return 0
}

kt_dovecot_running() { [ -n "${DC_PID:-}" ] && kill -0 "$DC_PID" 2>/dev/null; }

kt_dovecot_log() { cat "$DC_LOG" 2>/dev/null; }

# kt_doveadm ARGS...: doveadm against this instance, as the Dovecot user.
kt_doveadm() { kt__dc_as_user doveadm -c "$DC_CONF" "$@"; }

# kt_dovecot_save FOLDER FILE...: append messages through doveadm (normalised
# the same way as the loader); creates FOLDER if needed.
kt_dovecot_save() {
	local folder=$1 f; shift
	if [ "$folder" != INBOX ]; then
		kt_doveadm mailbox create -u "$DC_USER" "$folder" 2>/dev/null || true
	fi
	for f in "$@"; do
		python3 -c 'import sys; sys.path.insert(0, sys.argv[1]); import maildir; sys.stdout.buffer.write(maildir.normalize(open(sys.argv[2], "rb").read()))' \
			"$KITH_TOP/tests/lib" "$f" | kt_doveadm save -u "$DC_USER" -m "$folder" 2>>"$DC_DIR/doveadm.log" || return 1
	done
}

# kt_dovecot_add_new FOLDER FILE...: drop messages into FOLDER's new/ (the
# server notices them at its next sync of that folder).
kt_dovecot_add_new() {
	local folder=$1; shift
	python3 "$KITH_TOP/tests/lib/maildir.py" add "$DC_MAILDIR" "$folder" "$@" >/dev/null || return 1
	kt__dc_chown
}

# kt_dovecot_uidvalidity FOLDER N: force a new UIDVALIDITY (UIDs renumbered
# by clients' view: every message must be treated as new).
kt_dovecot_uidvalidity() {
	kt_doveadm mailbox update -u "$DC_USER" --uid-validity "$2" "$1"
}

# kt_dovecot_status FOLDER: "messages=N uidnext=N uidvalidity=N"
kt_dovecot_status() {
	kt_doveadm -f flow mailbox status -u "$DC_USER" "messages uidnext uidvalidity" "$1"
}

kt_dovecot_kick() { kt_doveadm kick "$DC_USER" >/dev/null 2>&1 || true; }

# kt_dovecot_logouts: the logout lines (with body_count=...) seen so far.
kt_dovecot_logouts() { grep -E 'imap\(.*\).*(Logged out|Disconnected).*body_count=' "$DC_LOG" 2>/dev/null; }

# kt_dovecot_logged_out: 0 when every IMAP session that logged in has its
# logout line (Dovecot writes it after the client has gone, in its own time).
kt_dovecot_logged_out() {
	[ "$(kt_dovecot_logouts | wc -l)" -ge "$(grep -c 'imap-login: .*Login: user=' "$DC_LOG" 2>/dev/null)" ]
}
# kt_dovecot_settled [SECONDS]: waits for that (default: up to 60 s).
kt_dovecot_settled() { kt_wait_until "${1:-60}" kt_dovecot_logged_out; }

# kt_kith_conf FILE DATA_DIR TASKS_DIR [tls] [extra account lines]: a kith.conf
# for one account named "test" on this Dovecot.  tls: implicit | starttls.
kt_kith_conf() {
	local file=$1 data=$2 tasks=$3 tls=${4:-implicit} extra=${5:-} port
	if [ "$tls" = implicit ]; then port=$DC_IMAPS_PORT; else port=$DC_IMAP_PORT; fi
	# data and tasks dirs are left for kithd to create (0700).
	(umask 077; cat >"$file" <<EOF
# written by tests/lib/dovecot.sh
data_dir = "$data";
tasks_dir = "$tasks";
identities = [ ${KT_IDENTITIES:-"\"maya@lindqvist.example\""} ];
accounts = (
  {
    name = "test";
    host = "127.0.0.1";
    port = $port;
    tls = "$tls";
    ca_file = "$DC_CA";
    user = "$DC_USER";
    pass_file = "$DC_PASS_FILE";
    $extra
  }
);
EOF
	)
}

# kt_e2e_server TREE: the usual start of an end-to-end test.  Makes $E2E
# (temp dir), starts Dovecot with TREE loaded, writes $E2E/kith.conf for
# implicit TLS (data in $E2E/data, tasks in $E2E/tasks).  Dies on failure.
kt_e2e_server() {
	E2E=$(kt_tmpdir)
	kt_dovecot_init "$E2E/dc" || kt_die "cannot prepare Dovecot"
	kt_dovecot_load_tree "$1" >"$E2E/loaded.txt" || kt_die "cannot load $1"
	kt_dovecot_start || kt_die "Dovecot did not start"
	E2E_CONF=$E2E/kith.conf
	E2E_DB=$E2E/data/kith.db
	kt_kith_conf "$E2E_CONF" "$E2E/data" "$E2E/tasks" implicit
}

# kt_demo_expect: derive the demo mailbox's expected figures from
# demo/index.tsv (never hard-coded): sets DEMO_DISTINCT (distinct messages
# outside Junk), DEMO_COPIES (files outside Junk), DEMO_SENT (files in Sent),
# DEMO_FROM_MAYA (distinct messages from maya@), DEMO_JUNK, DEMO_DUP_ID (a
# Message-ID stored in two folders).
kt_demo_expect() {
	local idx=$KITH_TOP/demo/index.tsv
	DEMO_DISTINCT=$(awk -F'\t' 'NR > 1 && $1 != "Junk" { print $3 }' "$idx" | sort -u | wc -l)
	DEMO_COPIES=$(awk -F'\t' 'NR > 1 && $1 != "Junk"' "$idx" | wc -l)
	DEMO_SENT=$(awk -F'\t' 'NR > 1 && $1 == "Sent"' "$idx" | wc -l)
	DEMO_FROM_MAYA=$(awk -F'\t' 'NR > 1 && $4 == "maya@lindqvist.example" { print $3 }' "$idx" | sort -u | wc -l)
	DEMO_JUNK=$(awk -F'\t' 'NR > 1 && $1 == "Junk"' "$idx" | wc -l)
	DEMO_DUP_ID=$(awk -F'\t' 'NR > 1 { print $3 }' "$idx" | sort | uniq -d | head -n 1)
}
