#!/usr/bin/env bash
# imap_throttle: kithd backs off by what a server says (docs/servers.md
# "Throttling and limits"), against tests/lib/fakeimap.py switched between
# modes while kithd runs (--mode-file):
#  - "* BYE [UNAVAILABLE] Too many simultaneous connections" at the
#    greeting: kithd comes back no sooner than throttle_wait (4 s here),
#    then no sooner than twice that (the server's own clock), logs the
#    state once in plain words, and `kith status` (and --json) shows it
#    with the next try; once the server accepts again, that is logged once
#    and the state is cleared;
#  - "NO [AUTHENTICATIONFAILED]" to LOGIN: one LOGIN, and no other over a
#    window in which retry_wait = 1 s would have made several (measured
#    against the secret checks kithd makes meanwhile); `kith status` says
#    the login was refused and that kith will not try again on its own;
#    `kith sync` makes exactly one more attempt; a changed password makes
#    exactly one more;
#  - kithd --once: "[OVERQUOTA]" on EXAMINE and a plain BYE are logged in
#    plain words and shown by `kith status`.
. "$KITH_TOP/tests/lib/common.sh"

kt_need_kithd
kt_need_tools python3 sqlite3
K=$KITH_BUILD/kith
[ -x "$K" ] || kt_skip "no kith in $KITH_BUILD"
T=$(kt_tmpdir)
echo "not-a-real-password" >"$T/pw"; chmod 600 "$T/pw"
echo greetunavail >"$T/mode"
kt_fake_start "$T" throttle --mode-file "$T/mode"

# pass_cmd counts its runs: every login and every check of the secret
(umask 077; cat >"$T/kith.conf" <<CONF
data_dir = "$T/data";
tasks_dir = "$T/tasks";
runtime_dir = "$T/run";
identities = [ "maya@lindqvist.example" ];
poll_interval = 10;
retry_wait = 1;
throttle_wait = 4;
accounts = (
  {
    name = "work";
    host = "127.0.0.1";
    port = $FPORT;
    tls = "none";
    user = "u";
    pass_cmd = "echo run >>'$T/pass-runs'; cat '$T/pw'";
    timeout = 5;
  }
);
CONF
)
LOG=$T/kithd.log
conns() { grep -c '^(connection' "$FTR"; }
conns_reach() { [ "$(conns)" -ge "$1" ]; }
conn_at() { grep '^(connection' "$FTR" | sed -n "${1}p" | sed 's/.* at \([0-9.]*\))$/\1/'; }
gap_ms() { python3 -c "import sys; print(int((float(sys.argv[2]) - float(sys.argv[1])) * 1000))" "$@"; }
logins() { grep -cE '^[^ (]+ LOGIN ' "$FTR"; }
logins_reach() { [ "$(logins)" -ge "$1" ]; }
in_log() { grep -c -- "$1" "$LOG"; }
log_has() { [ "$(in_log "$1")" -ge "${2:-1}" ]; }
runs() { wc -l <"$T/pass-runs" 2>/dev/null || echo 0; }
runs_reach() { [ "$(runs)" -ge "$1" ]; }
status() { "$K" -c "$T/kith.conf" status "$@" 2>&1; }

"$KITH_BUILD/kithd" -c "$T/kith.conf" -v >"$LOG" 2>&1 &
KPID=$!
kt_on_exit "kill $KPID 2>/dev/null"

# --- throttled at the greeting ------------------------------------------
kt_true "three connections refused within 60 s" kt_wait_until 60 conns_reach 3
g1=$(gap_ms "$(conn_at 1)" "$(conn_at 2)")
g2=$(gap_ms "$(conn_at 2)" "$(conn_at 3)")
kt_ge "throttled: the second connection no sooner than throttle_wait (ms)" 4000 "$g1"
kt_ge "throttled: the third no sooner than twice that (ms)" 8000 "$g2"
kt_le "throttled: nor very much later (ms; +20% jitter, a busy machine)" 20000 "$g2"
said="work: 127.0.0.1 asks kith to slow down (\"[UNAVAILABLE] Too many simultaneous connections\"); kith waits 4 seconds before trying again"
kt_eq "throttled: said once in plain words, after three refusals" 1 "$(grep -cF -- "$said" "$LOG")"
kt_eq "throttled: no other line says it again" 1 "$(in_log 'asks kith to slow down')"
kt_eq "throttled: no LOGIN was sent" 0 "$(logins)"
out=$(status)
kt_contains "status: the state in words" "the server asked kith to slow down since" "$out"
kt_contains "status: the server's words" "[UNAVAILABLE] Too many simultaneous connections" "$out"
kt_contains "status: the next try" "next try" "$out"
json=$(status --json)
kt_eq "status --json: the state" throttled \
	"$(printf '%s' "$json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["accounts"][0]["state"])')"
next=$(printf '%s' "$json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["accounts"][0]["next_try"])')
kt_ne "status --json: a next try" None "$next"

echo normal >"$T/mode"
kt_true "the server accepts again: kithd says so" kt_wait_until 60 log_has "127.0.0.1 accepts kith again"
kt_eq "accepts again: said once" 1 "$(in_log 'accepts kith again')"
kt_true "accepts again: the state is cleared" kt_wait_until 30 \
	sh -c "'$K' -c '$T/kith.conf' status --json | python3 -c 'import json,sys; sys.exit(json.load(sys.stdin)[\"accounts\"][0][\"state\"] is not None)'"
kt_not_contains "accepts again: status says nothing of it" "slow down" "$(status)"

# --- a refused login ----------------------------------------------------
echo badlogin >"$T/mode"
before=$(logins)
"$K" -c "$T/kith.conf" sync >/dev/null 2>&1  # ends the IDLE: the next session meets badlogin
kt_true "badlogin: the refusal is logged" kt_wait_until 60 log_has "refused the login"
t0=$(kt_now_ms); r0=$(runs)
kt_eq "badlogin: one LOGIN" $((before + 1)) "$(logins)"
# kithd looks at the secret every poll_interval (10 s): a look comes at
# least 9 s later (the poll_interval, less what the session took), and in
# that time retry_wait = 1 s would have logged in again at about 1, 3 and 7 s
kt_true "badlogin: kithd looked at the secret" kt_wait_until 60 runs_reach $((r0 + 1))
el=$(( $(kt_now_ms) - t0 ))
kt_ge "badlogin: the window (ms)" 9000 "$el"
kt_eq "badlogin: still one LOGIN after the window" $((before + 1)) "$(logins)"
kt_eq "badlogin: said once" 1 "$(in_log 'refused the login')"
kt_contains "badlogin: in plain words" "will not log in again until the password or the configuration changes" "$(cat "$LOG")"
out=$(status)
kt_contains "status: login refused" "the server refused the login since" "$out"
kt_contains "status: the server's words" "[AUTHENTICATIONFAILED] Authentication failed." "$out"
kt_contains "status: no retry on its own" "kith will not log in again" "$out"
json=$(status --json)
kt_eq "status --json: login-refused, no next try" "login-refused None" \
	"$(printf '%s' "$json" | python3 -c 'import json,sys; a = json.load(sys.stdin)["accounts"][0]; print(a["state"], a["next_try"])')"

"$K" -c "$T/kith.conf" sync >/dev/null 2>&1
kt_true "kith sync: one more LOGIN" kt_wait_until 30 logins_reach $((before + 2))
r1=$(runs)
kt_true "kith sync: then a look at the secret" kt_wait_until 60 runs_reach $((r1 + 1))
kt_eq "kith sync: exactly one more LOGIN" $((before + 2)) "$(logins)"

echo "another-password" >"$T/pw"
kt_true "a new password: tried" kt_wait_until 60 logins_reach $((before + 3))
kt_true "a new password: said" kt_wait_until 10 log_has "the password changed; trying to log in again"
r2=$(runs)
kt_true "a new password: then a look at the secret" kt_wait_until 60 runs_reach $((r2 + 1))
kt_eq "a new password, refused too: exactly one more LOGIN" $((before + 3)) "$(logins)"

kill "$KPID"; wait "$KPID" 2>/dev/null

# --- kithd --once: a quota, a plain BYE -----------------------------------
# from an empty database: a folder known unchanged would not be EXAMINEd
rm -rf "$T/data"
echo examinequota >"$T/mode"
"$KITH_BUILD/kithd" -c "$T/kith.conf" --once >"$T/once.log" 2>&1
kt_ne "examinequota: kithd --once fails" 0 $?
kt_contains "examinequota: in plain words" "says the account is over a quota (\"[OVERQUOTA] Account is over its quota\")" "$(cat "$T/once.log")"
kt_contains "examinequota: status" "the server says the account is over a quota" "$(status)"
echo bye >"$T/mode"
"$KITH_BUILD/kithd" -c "$T/kith.conf" --once >"$T/once.log" 2>&1
kt_contains "bye: in plain words" "closed the connection (\"not today\")" "$(cat "$T/once.log")"
kt_contains "bye: status" "the server closed the connection since" "$(status)"
kt_done
