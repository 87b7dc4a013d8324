#!/usr/bin/env bash
# rel_valgrind.sh: kithd and kith under valgrind's memcheck on the normal
# (unsanitized) build: 0 errors and 0 bytes definitely lost in every process.
#
#  - kithd --once --no-contain: the IMAP session (libetpan, GnuTLS) runs in
#    kithd itself, so memcheck sees it;
#  - kithd --once contained: the forked IMAP child is checked too (valgrind
#    follows fork; each process writes its own log);
#  - every run's task writer kithd-tasks (libical), exec'd by kithd, too
#    (--trace-children);
#  - a second, incremental kithd --once (folders unchanged);
#  - kith people, kith show PERSON, kith followups on the result.
# Against the demo mailbox over implicit TLS.
# kith-test: nosan
set -u
. "${KITH_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/common.sh"
. "$KITH_TOP/tests/lib/certs.sh"
. "$KITH_TOP/tests/lib/dovecot.sh"
kt_need_kithd
kt_need_tools valgrind dovecot doveadm certtool sqlite3
[ "$KITH_SANITIZER" = 1 ] && kt_skip "valgrind cannot run a sanitizer build"

kt_e2e_server "$KITH_TOP/demo/mail"
VG=$E2E/vg; mkdir -p "$VG"
ASOF=2026-11-18

# vg NAME PROGRAM ARGS...: run under memcheck, logs in $VG/NAME.PID.log.
# Sets RC (the program's status; valgrind's own error exit is 99).
vg() {
	local name=$1; shift
	valgrind --tool=memcheck --error-exitcode=99 --leak-check=full \
		--errors-for-leak-kinds=definite --show-leak-kinds=definite \
		--track-origins=yes --num-callers=30 --child-silent-after-fork=no --trace-children=yes \
		--log-file="$VG/$name.%p.log" "$@" >"$E2E/$name.out" 2>&1
	RC=$?
}

# clean NAME: every log of NAME says 0 errors and nothing definitely lost.
# Sets CHECKED (how many process logs).
clean() {
	local name=$1 f errs lost n=0
	for f in "$VG/$name".*.log; do
		[ -e "$f" ] || continue
		n=$((n + 1))
		errs=$(sed -n 's/.*ERROR SUMMARY: \([0-9,]*\) errors.*/\1/p' "$f" | tr -d ,)
		lost=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' "$f" | tr -d ,)
		kt_eq "$name ($(basename "$f" .log)): memcheck errors" 0 "${errs:-no summary}"
		kt_eq "$name ($(basename "$f" .log)): bytes definitely lost" 0 "${lost:-0}"
		if [ "${errs:-1}" != 0 ] || [ "${lost:-0}" != 0 ]; then
			grep -A 14 -E 'Invalid|uninitialised|definitely lost in' "$f" | head -n 40 | sed 's/^/    | /'
		fi
	done
	CHECKED=$n
}

vg nocontain "$KITH_BUILD/kithd" -c "$E2E_CONF" --once --no-contain --as-of "$ASOF"
kt_eq "kithd --once --no-contain under valgrind" 0 "$RC"
clean nocontain
kt_eq "nocontain: kithd and its task writer checked" 2 "$CHECKED"
kt_ge "the run stored the mailbox" 100 "$(kt_sql "$E2E_DB" 'SELECT count(*) FROM messages')"

rm -rf "$E2E/data" "$E2E/tasks"
vg contained "$KITH_BUILD/kithd" -c "$E2E_CONF" --once --as-of "$ASOF"
kt_eq "kithd --once (contained child) under valgrind" 0 "$RC"
clean contained
kt_ge "contained: kithd, its IMAP child and its task writer checked" 3 "$CHECKED"

vg again "$KITH_BUILD/kithd" -c "$E2E_CONF" --once --as-of "$ASOF"
kt_eq "incremental kithd --once under valgrind" 0 "$RC"
clean again

person=$(kt_sql "$E2E_DB" "SELECT key FROM people ORDER BY rank LIMIT 1")
for c in "people" "show $person" "followups" "status"; do
	n=${c%% *}
	vg "kith-$n" "$KITH_BUILD/kith" -c "$E2E_CONF" $c
	kt_eq "kith $c under valgrind" 0 "$RC"
	clean "kith-$n"
done
kt_contains "kith show printed the person" "$person" "$(cat "$E2E/kith-show.out")"
kt_done
