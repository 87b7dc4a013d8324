#!/usr/bin/env bash
# sec_secrets.sh: the account password and an OAuth2 token never appear
# anywhere kith writes or shows, even with debug and protocol logging on.
#
#  1. pass_file, then pass_cmd: `kithd --once -v --protocol-log` against the
#     test Dovecot (a mailbox large enough that the run lasts a while), and
#     kithd as a daemon answering `kith status` over its control socket.
#     While each runs, /proc/PID/cmdline and /proc/PID/environ of kithd and
#     every descendant (the contained IMAP child) are sampled.
#  2. oauth2_token_cmd against Dovecot, which has no XOAUTH2: the login fails;
#     against tests/lib/fakeimap.py, which takes XOAUTH2: the login works and
#     its transcript proves the token was sent.
# Searched, as bytes: kithd's and kith's output, kith.db and its -wal/-shm,
# every file under the data, task and runtime dirs, the sampled /proc text.
# Searched for: the secret itself and the base64 forms that carry it on the
# wire (AUTHENTICATE PLAIN's "\0user\0pass", XOAUTH2's "user=..\1auth=Bearer
# ..\1\1", and the bare secret).
. "${KITH_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/common.sh"
. "$KITH_TOP/tests/lib/certs.sh"
. "$KITH_TOP/tests/lib/dovecot.sh"
kt_need_kithd
kt_need_tools dovecot doveadm certtool sqlite3 python3 base64 pgrep

tree=$(kt_tmpdir tree)
python3 "$KITH_TOP/tests/lib/maildir.py" replicate "$KITH_TOP/demo/mail" "$tree/INBOX" 4000 >/dev/null \
	|| kt_die "cannot generate messages"
for f in INBOX Sent Archive; do
	mkdir -p "$tree/$f" && cp "$KITH_TOP/demo/mail/$f"/*.eml "$tree/$f/"
done
kt_e2e_server "$tree"
PROCS=$E2E/proc.txt; : >"$PROCS"

# forms SECRET [oauth2]: the secret and its wire encodings, one per line.
forms() {
	printf '%s\n' "$1"
	printf '%s' "$1" | base64 -w0; echo
	printf '\0%s\0%s' "$DC_USER" "$1" | base64 -w0; echo
	printf 'user=%s\001auth=Bearer %s\001\001' "$DC_USER" "$1" | base64 -w0; echo
}

# sample PID: append the cmdline and environ of PID and its descendants.
sample() {
	local p kids
	for p in "$1" $(pgrep -P "$1" 2>/dev/null); do
		{ echo "pid $p"; tr '\0' ' ' <"/proc/$p/cmdline"; echo
		  tr '\0' '\n' <"/proc/$p/environ"; } >>"$PROCS" 2>/dev/null
		[ "$p" != "$1" ] && for kids in $(pgrep -P "$p" 2>/dev/null); do
			tr '\0' ' ' <"/proc/$kids/cmdline" >>"$PROCS" 2>/dev/null; echo >>"$PROCS"
		done
	done
}

# watch LOG CONF ARGS...: run kithd, sampling /proc until it exits.  Sets
# RC and SAMPLES.
watch() {
	local log=$1 conf=$2 pid; shift 2
	"$KITH_BUILD/kithd" -c "$conf" "$@" >"$log" 2>&1 &
	pid=$!
	SAMPLES=0
	while kill -0 "$pid" 2>/dev/null; do
		sample "$pid"; SAMPLES=$((SAMPLES + 1)); sleep 0.01
	done
	wait "$pid"; RC=$?
}

# nowhere WHAT SECRET FILES...: none of the forms of SECRET is in any FILE.
nowhere() {
	local what=$1 secret=$2 f form hits=""; shift 2
	while IFS= read -r form; do
		for f in "$@"; do
			[ -e "$f" ] || continue
			if grep -rqaF -- "$form" "$f" 2>/dev/null; then hits="$hits $f"; fi
		done
	done < <(forms "$secret")
	kt_eq "$what: files holding the secret" "" "$hits"
}

# --- 1. password: pass_file, then pass_cmd --------------------------------

conf=$E2E/kith.conf
rt=$E2E/run; mkdir -p "$rt"; chmod 700 "$rt"
cat >>"$conf" <<EOF
runtime_dir = "$rt";
poll_interval = 10;
EOF
watch "$E2E/once.log" "$conf" --once -v --protocol-log --as-of 2026-11-18
kt_eq "pass_file: kithd --once -v --protocol-log" 0 "$RC"
kt_ge "pass_file: /proc samples taken while it ran" 3 "$SAMPLES"
kt_contains "the protocol log is really on" "UID FETCH" "$(cat "$E2E/once.log")"
kt_ge "processes sampled (kithd and its IMAP child)" 2 "$(grep '^pid ' "$PROCS" | sort -u | wc -l)"

# The same with pass_cmd and a daemon answering the control socket.
sed -i "s|pass_file = .*|pass_cmd = \"cat '$DC_PASS_FILE'\";|" "$conf"
kt_contains "config now uses pass_cmd" "pass_cmd" "$(cat "$conf")"
"$KITH_BUILD/kithd" -c "$conf" -v --protocol-log >"$E2E/daemon.log" 2>&1 &
dpid=$!
kt_on_exit "kill $dpid 2>/dev/null"
serving() { sample "$dpid"; [ -S "$rt/control" ] && grep -q 'INBOX' "$E2E/daemon.log"; }
kt_true "the daemon serves its socket and has read INBOX" kt_wait_until 60 serving
"$KITH_BUILD/kith" -c "$conf" status >"$E2E/status.out" 2>&1
kt_eq "kith status answered" 0 $?
"$KITH_BUILD/kith" -c "$conf" people --all >"$E2E/people.out" 2>&1
"$KITH_BUILD/kith" -c "$conf" show tomas >"$E2E/show.out" 2>&1
sessions() { grep -c 'messages in .* folders changed' "$E2E/daemon.log"; }
before=$(sessions)
"$KITH_BUILD/kith" -c "$conf" sync >"$E2E/sync.out" 2>&1
session_ended() { sample "$dpid"; [ "$(sessions)" -gt "$before" ]; }
kt_true "the session kith sync asked for ran (sampled until it ended)" kt_wait_until 60 session_ended
cp -a "$E2E/data" "$E2E/data-live" # the -wal and -shm exist only while it runs
kill -TERM "$dpid"; wait "$dpid"
kt_eq "daemon stopped by TERM" 0 $?
kt_contains "the daemon ran a session (protocol log)" "imap C:" "$(cat "$E2E/daemon.log")"

nowhere "password" "$DC_PASS" "$E2E/once.log" "$E2E/daemon.log" "$E2E"/*.out \
	"$E2E/data" "$E2E/data-live" "$E2E/tasks" "$rt" "$PROCS"
kt_ge "task files were searched" 1 "$(ls "$E2E/tasks" | grep -c '\.ics$')"
kt_ge "database files were searched (with -wal, -shm)" 3 "$(ls "$E2E/data-live" | grep -c '^kith\.db')"

# --- 2. OAuth2 token ------------------------------------------------------

tok="ya29.test-$(head -c 24 /dev/urandom | base64 | tr -d '/+=')"
(umask 077; printf '%s\n' "$tok" >"$E2E/token")
oconf=$E2E/oauth.conf
kt_kith_conf "$oconf" "$E2E/odata" "$E2E/otasks" implicit
sed -i "s|pass_file = .*|oauth2_token_cmd = \"cat '$E2E/token'\";|" "$oconf"
watch "$E2E/oauth-dovecot.log" "$oconf" --once -v --protocol-log
kt_ne "oauth2 against Dovecot (no XOAUTH2) fails" 0 "$RC"
kt_contains "and says why" "XOAUTH2" "$(cat "$E2E/oauth-dovecot.log")"

python3 "$KITH_TOP/tests/lib/fakeimap.py" --port-file "$E2E/fport" --mode normal \
	--messages 5 --transcript "$E2E/fake.transcript" &
fpid=$!
kt_on_exit "kill $fpid 2>/dev/null"
kt_wait_until 60 test -s "$E2E/fport"
fconf=$E2E/fake.conf
kt_kith_conf "$fconf" "$E2E/fdata" "$E2E/ftasks" none
sed -i -e "s|pass_file = .*|oauth2_token_cmd = \"cat '$E2E/token'\";|" \
	-e "s|^    port = .*|    port = $(cat "$E2E/fport");|" "$fconf"
watch "$E2E/oauth-fake.log" "$fconf" --once -v --protocol-log
kt_eq "oauth2 against the fake server works" 0 "$RC"
kill "$fpid" 2>/dev/null; wait "$fpid" 2>/dev/null
want=$(printf 'user=%s\001auth=Bearer %s\001\001' "$DC_USER" "$tok" | base64 -w0)
kt_contains "the token really went over the wire (fake's transcript)" "XOAUTH2 $want" \
	"$(cat "$E2E/fake.transcript")"
kt_ge "the fake's messages were stored" 5 \
	"$(kt_sql "$E2E/fdata/kith.db" 'SELECT count(*) FROM messages')"
nowhere "oauth2 token" "$tok" "$E2E/oauth-dovecot.log" "$E2E/oauth-fake.log" \
	"$E2E/odata" "$E2E/fdata" "$E2E/ftasks" "$PROCS"
kt_done
