#!/usr/bin/env bash
# cli_decide.sh: the decision commands write what they say to the database
# (checked with sqlite3), report "nothing to do" with exit 1, reject bad
# input with exit 2, and work while another connection holds a write lock.
. "$KITH_TOP/tests/lib/common.sh"
. "$KITH_TOP/tests/lib/cli.sh"
kt_cli_setup --messages 600 --people 30
key=$(kt_sql "$DB" "SELECT key FROM people ORDER BY rank LIMIT 1")
name=$(kt_sql "$DB" "SELECT name FROM people ORDER BY rank LIMIT 1")

# ignore / unignore
"$K" "${C[@]}" ignore @Spam.Example >/dev/null; kt_eq "ignore exit" 0 $?
kt_eq "ignore stored lowercase" "@spam.example" "$(kt_sql "$DB" "SELECT pattern FROM ignores")"
"$K" "${C[@]}" ignore @spam.example >/dev/null; kt_eq "ignore again: nothing to do" 1 $?
"$K" "${C[@]}" ignore "not an address" >/dev/null 2>&1; kt_eq "ignore bad input" 2 $?
"$K" "${C[@]}" unignore @spam.example >/dev/null; kt_eq "unignore exit" 0 $?
"$K" "${C[@]}" unignore @spam.example >/dev/null; kt_eq "unignore again" 1 $?
kt_eq "ignores empty" 0 "$(kt_sql "$DB" "SELECT count(*) FROM ignores")"

# pin / unpin (by name: stored under the person's key)
"$K" "${C[@]}" pin "$name" close >/dev/null; kt_eq "pin exit" 0 $?
kt_eq "pin stored" "$key|close" "$(kt_sql "$DB" "SELECT addr, tier FROM pins")"
"$K" "${C[@]}" pin "$key" >/dev/null; kt_eq "pin without tier" 0 $?
kt_eq "pin keeps the current tier" "$(kt_sql "$DB" "SELECT tier FROM people WHERE key='$key'")" \
	"$(kt_sql "$DB" "SELECT tier FROM pins WHERE addr='$key'")"
"$K" "${C[@]}" pin "$key" galaxy >/dev/null 2>&1; kt_eq "pin bad tier" 2 $?
"$K" "${C[@]}" pin nobody-at-all >/dev/null 2>&1; kt_eq "pin unknown person" 1 $?
"$K" "${C[@]}" unpin "$key" >/dev/null; kt_eq "unpin" 0 $?
"$K" "${C[@]}" unpin "$key" >/dev/null; kt_eq "unpin again" 1 $?

# merge / split
"$K" "${C[@]}" merge a@x.example B@x.example >/dev/null; kt_eq "merge" 0 $?
"$K" "${C[@]}" merge b@x.example c@x.example >/dev/null; kt_eq "merge transitive" 0 $?
kt_eq "one group of three" "1|3" "$(kt_sql "$DB" "SELECT count(DISTINCT grp), count(*) FROM merge_addrs")"
"$K" "${C[@]}" merge only@x.example >/dev/null 2>&1; kt_eq "merge needs two" 2 $?
"$K" "${C[@]}" split c@x.example >/dev/null; kt_eq "split" 0 $?
kt_eq "split leaves two" 2 "$(kt_sql "$DB" "SELECT count(*) FROM merge_addrs")"
kt_eq "split recorded" c@x.example "$(kt_sql "$DB" "SELECT addr FROM splits")"

# snooze / done
"$K" "${C[@]}" snooze "$key" 10 >/dev/null; kt_eq "snooze" 0 $?
until=$(kt_sql "$DB" "SELECT until - strftime('%s','now') FROM snoozes WHERE person_key='$key'")
kt_between "snooze until ~10 days ahead" 863000 864100 "$until"
"$K" "${C[@]}" snooze "$key" soon >/dev/null 2>&1; kt_eq "snooze bad days" 2 $?
"$K" "${C[@]}" done "$key" >/dev/null; kt_eq "done with nothing open" 1 $?
kt_sql "$DB" "INSERT INTO tasks(uid, person_key, kind, status, due) VALUES('t1', '$key', 0, 0, 1)" >/dev/null
kt_sql "$DB" "INSERT INTO tasks(uid, person_key, kind, status, due) VALUES('t2', '$key', 1, 0, 2)" >/dev/null
out=$("$K" "${C[@]}" followups --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
kt_eq "followups lists open tasks" 2 "$out"
# a task held back by the cap (status 5): only --all shows it, with the reason
kt_sql "$DB" "INSERT INTO tasks(uid, person_key, kind, summary, status, due) VALUES('t3', '$key', 2, 'Check in with someone', 5, 3)" >/dev/null
out=$("$K" "${C[@]}" followups --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
kt_eq "held tasks are not open" 2 "$out"
out=$("$K" "${C[@]}" followups --all --json | python3 -c 'import json,sys; v=json.load(sys.stdin); print(len(v), [t["uid"] for t in v if t.get("held")], "max_open" in v[-1].get("reason", ""))')
kt_eq "followups --all lists held tasks with the reason" "3 ['t3'] True" "$out"
out=$("$K" "${C[@]}" followups --all | grep -c 'held back (1)')
kt_eq "followups --all (text) names what is held back" 1 "$out"
# kith show lists the held task, marked; kith status counts it
out=$("$K" "${C[@]}" show "$key" | grep -c 'Check in with someone  held back (task cap)')
kt_eq "show marks the held task" 1 "$out"
out=$("$K" "${C[@]}" show "$key" | grep -c 'held back (task cap)')
kt_eq "show marks only the held task" 1 "$out"
out=$("$K" "${C[@]}" show "$key" --json | python3 -c 'import json,sys; v=json.load(sys.stdin); print(len(v["open_tasks"]), [t["summary"] for t in v["held_tasks"]])')
kt_eq "show --json: open and held tasks apart" "2 ['Check in with someone']" "$out"
kt_contains "status counts the held task" "2 open follow-ups, 1 held back" "$("$K" "${C[@]}" status)"
out=$("$K" "${C[@]}" status --json | python3 -c 'import json,sys; v=json.load(sys.stdin); print(v["tasks_open"], v["tasks_held"])')
kt_eq "status --json: tasks_held" "2 1" "$out"
"$K" "${C[@]}" done "$name" >/dev/null; kt_eq "done" 0 $?
kt_eq "tasks done by hand (held left alone)" "4|4|5" "$(kt_sql "$DB" "SELECT group_concat(status, '|') FROM (SELECT status FROM tasks ORDER BY uid)")"

# a decision waits for a writer instead of failing (busy timeout): the
# writer says when its transaction is open (a file), and commits 1 s after
# the decision has started (another file), well within the 5 s timeout
python3 - "$DB" "$T/open" "$T/started" <<'PY' &
import os, sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN IMMEDIATE")
c.execute("INSERT INTO counters(name, value) VALUES('lock', 1)")
open(sys.argv[2], "w").close()
for _ in range(600):
    if os.path.exists(sys.argv[3]):
        break
    time.sleep(0.1)
time.sleep(1)
c.execute("COMMIT")
PY
writer=$!
kt_true "the writer's transaction is open" kt_wait_until 60 test -e "$T/open"
"$K" "${C[@]}" people >/dev/null; kt_eq "query during a write transaction" 0 $?
touch "$T/started"
"$K" "${C[@]}" ignore @late.example >/dev/null; kt_eq "decision waits for the writer" 0 $?
wait $writer
kt_eq "both writes landed" "1|1" "$(kt_sql "$DB" "SELECT (SELECT value FROM counters WHERE name='lock'), (SELECT count(*) FROM ignores)")"
kt_eq "db still 0600" 600 "$(stat -c %a "$DB")"
kt_done
