#!/usr/bin/env bash
# sec_files.sh: what kith creates is private whatever the umask, and the
# control socket serves only its own user.
#
# Under umask 000 kithd runs as a daemon with data and task dirs that do not
# exist yet (nested two levels deep) and a new runtime dir (with a missing
# parent): every dir it creates is 0700,
# kith.db, its -wal and -shm, every task file 0600, the control socket 0600 in
# a 0700 dir.  A pre-existing database left 0644 is made 0600, a data dir
# left 0755 is made 0700.
# The control socket: root gets "ok"; uid nobody (setpriv) cannot even reach it
# (the dir is 0700); and when the dir and socket are opened up on purpose,
# kithd itself still refuses nobody (SO_PEERCRED) without answering.
# A runtime dir that another user made first (the /tmp/kith-UID trap) is not
# used.  The binaries' hardening (PIE, RELRO, BIND_NOW, stack protector) is
# checked by install_tree.sh, not here.
umask 000
. "${KITH_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/common.sh"
. "$KITH_TOP/tests/lib/certs.sh"
. "$KITH_TOP/tests/lib/dovecot.sh"
kt_need_kithd
kt_need_tools dovecot doveadm certtool sqlite3 python3 setpriv stat
[ "$(id -u)" = 0 ] || kt_skip "needs root (to connect as another uid with setpriv)"
id nobody >/dev/null 2>&1 || kt_skip "no user nobody"

kt_e2e_server "$KITH_TOP/demo/mail"
base=$E2E/new; mkdir "$base"; chmod 0755 "$base"
conf=$E2E/files.conf
kt_kith_conf "$conf" "$base/a/b/data" "$base/t/u/tasks" implicit
cat >>"$conf" <<EOF
runtime_dir = "$base/r/run";
poll_interval = 10;
EOF
kt_eq "the test itself runs with umask" 0000 "$(umask)"

mode() { stat -c %a "$1" 2>/dev/null || echo missing; }

"$KITH_BUILD/kithd" -c "$conf" --as-of 2026-11-18 >"$E2E/daemon.log" 2>&1 &
dpid=$!
kt_on_exit "kill $dpid 2>/dev/null"
sock=$base/r/run/control
first_cycle_done() { [ -S "$sock" ] && [ -n "$(ls "$base/t/u/tasks" 2>/dev/null | grep '\.ics$')" ]; }
kt_wait_until 60 first_cycle_done
kt_true "control socket exists" test -S "$sock"

for d in a a/b a/b/data t t/u t/u/tasks r r/run; do
	kt_eq "dir $d mode" 700 "$(mode "$base/$d")"
done
for f in kith.db kith.db-wal kith.db-shm; do
	kt_eq "data/$f mode" 600 "$(mode "$base/a/b/data/$f")"
done
n=0
for f in "$base/t/u/tasks"/*; do
	[ -e "$f" ] || continue
	n=$((n + 1))
	kt_eq "tasks/${f##*/} mode" 600 "$(mode "$f")"
done
kt_ge "task files checked" 1 "$n"
kt_eq "control socket mode" 600 "$(mode "$sock")"
kt_eq "nothing in the new tree is group/other accessible" "" \
	"$(find "$base" -mindepth 1 -perm /077 ! -type l ! -type s -printf '%m %P\n')"

# ask [USER]: send "ping" to the socket (as USER via setpriv) and print the
# reply or the connect error.
ask() {
	local code='
import socket, sys
s = socket.socket(socket.AF_UNIX)
try:
    s.connect(sys.argv[1])
except OSError as e:
    print("connect-failed", e.strerror); sys.exit(0)
try:
    s.sendall(b"status\n")
except OSError:
    pass  # a refusing server may answer and close before reading
out = b""
while True:
    try:
        d = s.recv(4096)
    except OSError:
        break
    if not d: break
    out += d
print(out.decode("utf-8", "replace").strip())'
	if [ -n "${1:-}" ]; then
		# The system python: a per-user shim under /root is not nobody's.
		setpriv --reuid="$1" --regid="$(id -g "$1")" --clear-groups -- \
			"$(PATH=/usr/bin:/bin command -v python3)" -c "$code" "$sock"
	else
		python3 -c "$code" "$sock"
	fi
}
kt_contains "the owner gets an answer" "ok" "$(ask | head -n 1)"
kt_contains "nobody cannot reach the socket" "connect-failed" "$(ask nobody)"
# Open the way on purpose: only kithd's own check is left.
chmod 0711 "$base/r" "$base/r/run"; chmod 0666 "$sock"
reply=$(ask nobody)
kt_not_contains "nobody connected through opened modes" "connect-failed" "$reply"
kt_contains "kithd refuses nobody itself" "err permission denied" "$reply"
kt_not_contains "and tells nobody nothing" "test" "$(echo "$reply" | tail -n +2)"
kt_contains "the owner still gets an answer" "ok" "$(ask | head -n 1)"
kill -TERM "$dpid"; wait "$dpid"
kt_eq "daemon stopped by TERM" 0 $?
kt_eq "control socket removed at exit" missing "$(mode "$sock")"

# A database someone left readable is made private again.
chmod 0644 "$base/a/b/data/kith.db"
kt_run_kithd "$E2E/again.log" "$conf" --once --as-of 2026-11-18
kt_eq "rerun on a loosened database" 0 $?
kt_eq "kith.db made 0600 again" 600 "$(mode "$base/a/b/data/kith.db")"

# A data dir someone opened up is made private again (its parents, which
# may be the user's own, are left alone).
chmod 0755 "$base/a/b/data" "$base/a"
kt_run_kithd "$E2E/again2.log" "$conf" --once --as-of 2026-11-18
kt_eq "rerun on a loosened data dir" 0 $?
kt_eq "data dir made 0700 again" 700 "$(mode "$base/a/b/data")"
kt_eq "its parent left as it was" 755 "$(mode "$base/a")"

# Another user made the runtime dir first: kithd must not put its socket there.
trap_dir=$E2E/trap; mkdir -m 0777 "$trap_dir"; chown nobody "$trap_dir"
sed -i "s|^runtime_dir = .*|runtime_dir = \"$trap_dir\";|" "$conf"
: >"$E2E/trap.log"
"$KITH_BUILD/kithd" -c "$conf" --as-of 2026-11-18 >"$E2E/trap.log" 2>&1 &
tpid=$!
kt_on_exit "kill $tpid 2>/dev/null"
refused() { ! kill -0 "$tpid" 2>/dev/null || grep -q 'not to us\|refused\|belongs' "$E2E/trap.log"; }
kt_wait_until 60 refused
kt_eq "no socket in a dir owned by someone else" "" "$(ls -A "$trap_dir")"
kt_contains "kithd says why" "belongs to uid" "$(cat "$E2E/trap.log")"
kill -TERM "$tpid" 2>/dev/null; wait "$tpid" 2>/dev/null
kt_done
