#!/usr/bin/env bash
# systemd_notify: kithd speaks systemd's notify protocol and serves its
# control socket, against a private Dovecot, with no systemd around:
#  - a datagram socket of our own as $NOTIFY_SOCKET receives STATUS=,
#    READY=1 (after the first sync) and WATCHDOG=1 (with $WATCHDOG_USEC);
#  - SIGHUP gives RELOADING=1 then READY=1; a broken file is refused on
#    reload and kithd keeps running; SIGTERM gives STOPPING=1 and exit 0;
#  - the control socket: dir 0700, socket 0600, ping/status/sync answer
#    "ok", nonsense gets "err", and the socket is removed at exit.
. "$KITH_TOP/tests/lib/common.sh"
. "$KITH_TOP/tests/lib/certs.sh"
. "$KITH_TOP/tests/lib/dovecot.sh"

kt_need_kithd
kt_need_tools dovecot doveadm certtool python3

T=$(kt_tmpdir)
mkdir -p "$T/tree/INBOX"
printf 'From: ana@x.example\r\nTo: maya@lindqvist.example\r\nSubject: hi\r\nMessage-ID: <n1@kith.test>\r\nDate: Mon, 1 Jan 2024 10:00:00 +0000\r\n\r\nbody\r\n' \
	>"$T/tree/INBOX/1.eml"
export KT_IDENTITIES='"maya@lindqvist.example"'
kt_dovecot_init "$T/dc" || kt_die "dovecot init"
kt_dovecot_load_tree "$T/tree" >/dev/null || kt_die "load tree"
kt_dovecot_start || kt_die "dovecot start"
kt_kith_conf "$T/kith.conf" "$T/data" "$T/tasks" implicit
printf 'runtime_dir = "%s/run";\npoll_interval = 10;\n' "$T" >>"$T/kith.conf"
cp "$T/kith.conf" "$T/kith.conf.good"

# The listener: one line per datagram, newlines shown as '|'.
python3 - "$T/notify.sock" "$T/notify.log" <<'PY' >/dev/null 2>&1 &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a", buffering=1) as log:
    while True:
        log.write(s.recv(8192).decode("utf-8", "replace").replace("\n", "|") + "\n")
PY
listener=$!
kt_on_exit "kill $listener 2>/dev/null"
kt_wait_until 60 test -S "$T/notify.sock"

ctl() { # COMMAND: one exchange on the control socket, reply on stdout
	local t0=$(date +%s%N)
	ctl_ "$@"
	echo "  (ctl $1: $(( ($(date +%s%N) - t0) / 1000000 )) ms)" >&2
}
ctl_() {
	python3 - "$T/run/control" "$1" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(20)
s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode() + b"\n")
out = b""
while True:
    b = s.recv(65536)
    if not b:
        break
    out += b
sys.stdout.write(out.decode("utf-8", "replace"))
PY
}
has() { grep -q -- "$1" "$T/notify.log" 2>/dev/null; }
wait_for() { kt_wait_until "$2" has "$1"; } # PATTERN SECONDS: a line matching
count() { grep -c -- "$1" "$T/notify.log" 2>/dev/null; }
reaches() { [ "$(count "$1")" -ge "$2" ]; } # PATTERN N: N lines match
idles() { grep -c 'imap C: [^ ]* IDLE' "$T/kithd.log"; } # IDLEs kithd sent
idles_after() { [ "$(idles)" -gt "$1" ]; }

NOTIFY_SOCKET=$T/notify.sock WATCHDOG_USEC=2000000 \
	"$KITH_BUILD/kithd" -c "$T/kith.conf" --protocol-log >"$T/kithd.log" 2>&1 &
kithd=$!
kt_on_exit "kill $kithd 2>/dev/null"

kt_true "READY=1 within 60 s" wait_for 'READY=1' 60
kt_contains "a STATUS= before READY" "STATUS=" "$(sed -n '1,/READY=1/p' "$T/notify.log")"
kt_true "WATCHDOG=1 arrives" wait_for '^WATCHDOG=1$' 60
# WATCHDOG_USEC is 2 s, so kithd pings every 1 s.  Counted against the time
# measured around a wait for three more pings (an event, not a sleep): over
# E ms at least floor(E / 1000) - 1 pings, however busy the machine.
n0=$(count '^WATCHDOG=1$'); t0=$(kt_now_ms)
kt_true "three more WATCHDOG=1" kt_wait_until 60 reaches '^WATCHDOG=1$' $((n0 + 3))
el=$(( $(kt_now_ms) - t0 )); pings=$(( $(count '^WATCHDOG=1$') - n0 ))
kt_ge "WATCHDOG=1 keeps coming (every <= 1 s): pings in $el ms" $((el / 1000 - 1)) "$pings"

# The control socket.
kt_eq "runtime dir mode" 700 "$(stat -c %a "$T/run")"
kt_eq "control socket mode" 600 "$(stat -c %a "$T/run/control")"
kt_contains "ping" "ok kithd" "$(ctl ping)"
kt_contains "status" "ok " "$(ctl status)"
idles_before=$(idles)
kt_contains "sync" "ok " "$(ctl sync)"
kt_contains "nonsense" "err unknown command" "$(ctl 'rm -rf')"
# While the single account waits in IMAP IDLE the loop may be busy; measure
# how long a reply takes then (poll_interval = 10 bounds it).  The session
# `sync` started idles once its protocol log says IDLE.
kt_true "the session idles" kt_wait_until 60 idles_after "$idles_before"
t0=$(date +%s%N); out=$(ctl ping); ms=$(( ($(date +%s%N) - t0) / 1000000 ))
kt_contains "ping while idle" "ok kithd" "$out"
echo "  (control reply while idle took $ms ms)"
kt_le "control reply while idle, ms" 12000 "$ms"

# Reload: good, then broken (refused, still running).
ready_before=$(count 'READY=1')
kill -HUP $kithd
kt_true "RELOADING=1 on SIGHUP" wait_for 'RELOADING=1' 60
kt_wait_until 60 reaches 'READY=1' $((ready_before + 1))
kt_ge "READY=1 again after the reload" $((ready_before + 1)) "$(count 'READY=1')"
echo 'pol_interval = 10;' >>"$T/kith.conf"
bad_line=$(wc -l <"$T/kith.conf")
kill -HUP $kithd
kt_wait_until 60 grep -q 'reload refused' "$T/kithd.log"
kt_true "kithd survives a broken reload" kill -0 $kithd
kt_contains "the reload error names FILE:LINE" "$T/kith.conf:$bad_line: unknown key 'pol_interval'" \
	"$(cat "$T/kithd.log")"
kt_contains "still answers after it" "ok kithd" "$(ctl ping)"
cp "$T/kith.conf.good" "$T/kith.conf"

kill -TERM $kithd
rc=0; wait $kithd || rc=$?
kt_eq "exit status after SIGTERM" 0 "$rc"
kt_contains "STOPPING=1 at exit" "STOPPING=1" "$(cat "$T/notify.log")"
kt_false "control socket removed at exit" test -e "$T/run/control"
kt_not_contains "no password in kithd's log" "$(cat "$DC_PASS_FILE")" "$(cat "$T/kithd.log")"
echo "--- notify datagrams:"; sed 's/^/    /' "$T/notify.log" | sort | uniq -c | sort -rn | head -20
kt_done
