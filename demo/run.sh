#!/usr/bin/env bash
# demo/run.sh BUILD_DIR: the kith demo (`make demo`).
#
# Starts a private Dovecot on 127.0.0.1 (TLS with a CA made right now) that
# holds Maya Lindqvist's fictional mailbox (demo/mail, see demo/README.md),
# points kithd at it over implicit TLS, syncs once as of 2026-11-18, then
# shows what kith found: people, recent exchanges, follow-up tasks.
#
# Output goes to $KITH_DEMO_DIR (default ./demo-run): kith.conf, the database
# and the tasks folder stay there for you to explore afterwards, e.g.
#   BUILD/kith -c demo-run/kith.conf show priya
# Dovecot itself runs in a temp folder and is stopped when the demo ends.
set -u
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
export KITH_TOP=$(cd "$here/.." && pwd)
case "$build" in /*) ;; *) build="$PWD/$build" ;; esac
export KITH_BUILD=$build
AS_OF=${KITH_DEMO_AS_OF:-2026-11-18}

. "$KITH_TOP/tests/lib/common.sh"
. "$KITH_TOP/tests/lib/certs.sh"
. "$KITH_TOP/tests/lib/dovecot.sh"
KT_NAME=demo

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
note() { printf '   (note: %s)\n' "$*"; }

[ -x "$build/kithd" ] || kt_die "no kithd in $build: run 'make' first"
for c in dovecot doveadm certtool python3; do
	command -v "$c" >/dev/null || kt_die "the demo needs $c (Debian: dovecot-imapd gnutls-bin python3)"
done

demo=${KITH_DEMO_DIR:-$PWD/demo-run}
case "$demo" in /*) ;; *) demo="$PWD/$demo" ;; esac
# Only ever remove a folder this script made before (it holds our marker).
if [ -e "$demo" ] && [ ! -f "$demo/.kith-demo" ]; then
	kt_die "$demo exists and was not made by the demo; set KITH_DEMO_DIR elsewhere"
fi
rm -rf "$demo"
mkdir -p "$demo" && chmod 0700 "$demo" && : >"$demo/.kith-demo"
conf=$demo/kith.conf

say "Starting a private Dovecot with the demo mailbox"
dc=$(kt_tmpdir demo-dovecot)
kt_dovecot_init "$dc" || kt_die "cannot prepare Dovecot"
loaded=$(kt_dovecot_load_tree "$here/mail") || kt_die "cannot load demo/mail"
printf '%s\n' "$loaded" | sed 's/^/   loaded /'
kt_dovecot_start || kt_die "Dovecot did not start (log above)"
echo "   Dovecot $(dovecot --version | cut -d' ' -f1) on 127.0.0.1:$DC_IMAPS_PORT (implicit TLS), user $DC_USER"

# The password file must be readable by kithd only; copy it next to the conf.
(umask 077; cp "$DC_PASS_FILE" "$demo/imap-pass")
DC_PASS_FILE=$demo/imap-pass
# the server's state goes with it at exit; the CA the config trusts stays,
# so `kith -c $conf ...` keeps working after the demo
cp "$DC_CA" "$demo/ca.pem" && DC_CA=$demo/ca.pem
kt_kith_conf "$conf" "$demo/data" "$demo/tasks" implicit
echo "   wrote $conf"

say "kithd --once: sync over TLS, find conversations, write follow-ups"
args=(-c "$conf" --once)
if "$build/kithd" --help 2>&1 | grep -q -- '--as-of'; then
	args+=(--as-of "$AS_OF")
	echo "   thinking as of $AS_OF (the mailbox ends on 2026-11-15)"
else
	note "this kithd has no --as-of; it thinks as of today, so follow-ups may differ"
fi
start=$(date +%s.%N)
"$build/kithd" "${args[@]}" -v 2>&1 | sed 's/^/   /'
rc=${PIPESTATUS[0]}
took=$(python3 -c "print('%.2f' % ($(date +%s.%N) - $start))")
[ "$rc" -eq 0 ] || { kt_dovecot_log | tail -n 20 >&2; kt_die "kithd failed (exit $rc)"; }
echo "   kithd finished in ${took}s"

db=$demo/data/kith.db
if [ -f "$db" ] && command -v sqlite3 >/dev/null; then
	echo "   stored: $(sqlite3 "$db" 'SELECT count(*) FROM messages') distinct messages" \
		"($(sqlite3 "$db" "SELECT count(*) FROM messages WHERE direction='out'") written by Maya)" \
		"from $(sqlite3 "$db" 'SELECT count(*) FROM locations') folder copies"
fi
bodies=$(kt_dovecot_logouts | grep -o 'body_count=[0-9]*' | sort -u | tr '\n' ' ')
echo "   Dovecot says: ${bodies:-no logout line logged}(0 = no message body was downloaded)"

kith_cmd() { # title, args...
	local title=$1 out rc; shift
	say "$title"
	if [ ! -x "$build/kith" ]; then note "no kith CLI in $build yet"; return; fi
	out=$("$build/kith" -c "$conf" "$@" 2>&1); rc=$?
	if [ $rc -eq 0 ] || [ $rc -eq 1 ]; then
		printf '%s\n' "${out:-(nothing)}" | sed 's/^/   /'
	else
		note "kith $* is not available yet (exit $rc): $(printf '%s' "$out" | head -n 1)"
	fi
}
kith_cmd "kith people: who matters, by relationship depth" people
kith_cmd "kith recent: the latest real exchanges" recent --days 60
kith_cmd "kith followups: what needs doing" followups

say "Follow-up tasks written to $demo/tasks"
shopt -s nullglob
ics=("$demo"/tasks/*.ics)
if [ ${#ics[@]} -eq 0 ]; then
	note "no task files were written"
else
	for f in "${ics[@]}"; do
		s=$(grep -m1 '^SUMMARY:' "$f" | cut -d: -f2- | tr -d '\r')
		d=$(grep -m1 '^DUE' "$f" | cut -d: -f2- | tr -d '\r')
		printf '   %-44s due %-16s %s\n' "$(basename "$f")" "${d:--}" "$s"
	done
	if command -v todoman >/dev/null; then
		say "todoman list (the same tasks, as any vdir app sees them)"
		export XDG_CONFIG_HOME=$demo/xdg
		mkdir -p "$XDG_CONFIG_HOME/todoman"
		cat >"$XDG_CONFIG_HOME/todoman/config.py" <<EOF
path = "$demo/tasks"
date_format = "%Y-%m-%d"
time_format = "%H:%M"
default_list = "tasks"
EOF
		todoman --porcelain list 2>/dev/null | python3 -c '
import json, sys
try:
    todos = json.load(sys.stdin)
except ValueError:
    todos = []
for t in todos:
    print("   [%s] %s" % ("x" if t.get("completed") else " ", t.get("summary")))
print("   %d open task(s)" % len(todos))' || note "todoman could not read the tasks"
	fi
fi

say "Stopping Dovecot"
kt_dovecot_stop
echo "   done.  Explore further with: $build/kith -c $conf show PERSON"
