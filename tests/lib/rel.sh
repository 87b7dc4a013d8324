# tests/lib/rel.sh: helpers shared by the reliability tests (rel_*.sh).
#
# Source after common.sh.
#   rel_dump DATA_DIR TASKS_DIR [open]   canonical state on stdout
#   rel_same WHAT DUMP_FILE DATA_DIR TASKS_DIR [open]
#   rel_alive PID...                     those alive and not zombies
#   rel_now_ms; rel_rand_below N

# rel_dump DATA_DIR TASKS_DIR [open]: the state a user could see, as sorted
# text independent of row ids and of when files were written: messages,
# locations, folders (kt_canon_dump), people with depth rounded, their
# addresses, the task records, and the task files unfolded without the
# stamps that hold the wall-clock time (DTSTAMP, CREATED, LAST-MODIFIED).
# With "open": only open tasks and their files, without SEQUENCE and
# DESCRIPTION (how often a task was rewritten is history, not state; kith
# does not rewrite a task when only its description's figures moved).
rel_dump() {
	local db=$1/kith.db tasks=$2 open=${3:-} st="" seq=sequence f
	[ "$open" = open ] && { st="WHERE status = 0"; seq="''"; }
	kt_canon_dump "$db"
	sqlite3 -batch "$db" "
	SELECT 'P', key, name, CAST(round(depth) AS INTEGER), tier, pinned, msgs_from, msgs_to,
	       conversations, turns_user, turns_them, unanswered_user, unanswered_them,
	       first_exchange, last_exchange
	  FROM people ORDER BY key;
	SELECT 'A', p.key, a.addr FROM person_addrs a JOIN people p ON p.id = a.person
	 ORDER BY p.key, a.addr;
	SELECT 'T', uid, person_key, kind, episode, summary, status, due, $seq, priority
	  FROM tasks $st ORDER BY uid;"
	for f in "$tasks"/*.ics; do
		[ -e "$f" ] || continue
		if [ "$open" = open ] &&
		   [ "$(sqlite3 "$db" "SELECT status FROM tasks WHERE uid = '$(basename "$f" .ics)'")" != 0 ]; then
			continue
		fi
		echo "F ${f##*/}"
		sed -e ':a' -e 'N' -e '$!ba' -e 's/\r\?\n //g' "$f" | tr -d '\r' |
			grep -vE "^(DTSTAMP|CREATED|LAST-MODIFIED${open:+|SEQUENCE|DESCRIPTION}):"
	done
}

# rel_same WHAT REF_DUMP DATA_DIR TASKS_DIR [open]: one check, with the first
# differences shown on failure.
rel_same() {
	local what=$1 ref=$2 out
	out=$(mktemp "${TMPDIR:-/tmp}/kith-reldump.XXXXXX")
	rel_dump "$3" "$4" "${5:-}" >"$out" 2>&1
	if cmp -s "$ref" "$out"; then
		kt__pass "$what"
	else
		kt__fail "$what: differs from the reference:"
		diff "$ref" "$out" | head -n 12 | sed 's/^/    /'
	fi
	rm -f "$out"
}

# rel_alive PID...: print the PIDs that exist and are not zombies.
rel_alive() {
	local p s
	for p in "$@"; do
		s=$(awk '{ print $3 }' "/proc/$p/stat" 2>/dev/null) || continue
		[ -n "$s" ] && [ "$s" != Z ] && echo "$p"
	done
}

rel_now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
# rel_rand_below N: a random integer in [0, N) from bash's RANDOM (seed it).
rel_rand_below() { echo $(( (RANDOM * 32768 + RANDOM) % ($1 > 0 ? $1 : 1) )); }

# rel_msleep MS: sleep MS milliseconds.
rel_msleep() { sleep "$(printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)))"; }
