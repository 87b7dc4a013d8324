#!/usr/bin/env bash
# tasks_todoman: the task folder as todoman sees it.
#
# A fixed scenario (a close friend owes a reply, a question awaits an
# answer, an inner friend has gone quiet, a shop sends bulk mail) goes
# through the follow-up rules and the writer (tests/tools/kith-tasks), then:
#   - `todoman --porcelain list` shows exactly the expected tasks, with
#     their summaries, due dates and priorities;
#   - `todoman done` on one, then the writer again: it stays done;
#   - the exchange happens: kith completes the task itself;
#   - every file parses with libical and with Python's icalendar module.
set -u
tool="${KITH_BUILD:?}/tools/kith-tasks"
todoman=$(command -v todoman || command -v todo || true)
py=/usr/bin/python3
[ -x "$tool" ] || { echo "kith-tasks tool not built"; exit 77; }
[ -n "$todoman" ] || { echo "todoman not installed"; exit 77; }
"$py" -c 'import icalendar' 2>/dev/null || { echo "python3-icalendar missing"; exit 77; }

work=$(mktemp -d /tmp/kith-todoman.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

export XDG_CONFIG_HOME="$work/config" XDG_CACHE_HOME="$work/cache" XDG_DATA_HOME="$work/data"
mkdir -p "$XDG_CONFIG_HOME/todoman" "$work/cal"
cat >"$XDG_CONFIG_HOME/todoman/config.py" <<EOF
path = "$work/cal/*"
date_format = "%Y-%m-%d"
time_format = "%H:%M"
default_list = "kith"
humanize = False
EOF

cat >"$work/scenario" <<'EOF'
now 2024-06-01T12:00:00Z
me me@example.org
person ana@example.com close 70 Ana Ruiz
person ben@example.com active 45 Ben Stone
person chloe@example.com inner 88 Chloe Martin
person news@shop.example none 1 Shop News
sent -60 ana@example.com <a0@kith.test> Hello
msg -3 ana@example.com <b1@kith.test> Budget for Q3
sent -6 ben@example.com <w1@kith.test> Can you send the report?
bulk -3 news@shop.example <n1@kith.test> Big sale
bulk -9 news@shop.example <n0@kith.test> Last chance
turn -112 chloe@example.com
turn -105 chloe@example.com
turn -98 chloe@example.com
turn -91 chloe@example.com
turn -49 chloe@example.com
EOF

run() { # NOW
	"$tool" --dir "$work/cal/kith" --state "$work/state" --now "$1" "$work/scenario" \
		>"$work/wants" || fail "kith-tasks failed at $1"
}

# porcelain list -> "summary|due|priority|completed" lines, sorted
listing() {
	"$todoman" --porcelain list --status ANY | "$py" -c '
import json, sys, datetime
for t in json.load(sys.stdin):
    due = datetime.datetime.fromtimestamp(t["due"], datetime.timezone.utc).strftime("%Y-%m-%dT%H:%MZ") if t["due"] else "-"
    print("%s|%s|%s|%s" % (t["summary"], due, t["priority"], t["completed"]))
' | sort
}

check_files() {
	"$tool" --check "$work"/cal/kith/*.ics >/dev/null || fail "a file does not parse with libical"
	"$py" - "$work"/cal/kith/*.ics <<'EOF' || fail "a file does not parse with python icalendar"
import sys, icalendar
for path in sys.argv[1:]:
    cal = icalendar.Calendar.from_ical(open(path, "rb").read())
    todos = [c for c in cal.walk() if c.name == "VTODO"]
    assert len(todos) == 1, path
    t = todos[0]
    assert str(t["UID"]) + ".ics" == path.rsplit("/", 1)[1], path
    assert t.get("DUE") is None or t["DUE"].dt.utcoffset().total_seconds() == 0, path
EOF
}

run 2024-06-01T12:00:00Z
[ -f "$work/cal/kith/displayname" ] || fail "no displayname"
got=$(listing)
want="Ben Stone hasn't answered your 26 May mail: Can you send the report?|2024-06-01T23:59Z|5|False
Check in with Chloe Martin: it's been 7 weeks|2024-06-01T23:59Z|1|False
Reply to Ana Ruiz: Budget for Q3|2024-06-01T23:59Z|3|False"
[ "$got" = "$want" ] || fail "todoman list differs:
$got
--- expected:
$want"
check_files
perm=$(stat -c %a "$work/cal/kith" "$work"/cal/kith/*.ics | sort -u | tr '\n' ' ')
[ "$perm" = "600 700 " ] || fail "permissions: $perm"

# Running again an hour later changes nothing.
sum1=$(cat "$work"/cal/kith/*.ics | md5sum)
run 2024-06-01T13:00:00Z
[ "$sum1" = "$(cat "$work"/cal/kith/*.ics | md5sum)" ] || fail "files rewritten without a change"

# The user completes the reply task in todoman; kith must not reopen it.
id=$("$todoman" --porcelain list | "$py" -c '
import json, sys
print([t["id"] for t in json.load(sys.stdin) if t["summary"].startswith("Reply to Ana")][0])')
"$todoman" done "$id" >/dev/null || fail "todoman done"
run 2024-06-02T12:00:00Z
got=$(listing | grep '^Reply to Ana')
[ "$got" = "Reply to Ana Ruiz: Budget for Q3|2024-06-01T23:59Z|3|True" ] ||
	fail "reopened after todoman done: $got"
grep -q "^kith-reply-.*	2	" "$work/state" || fail "record not marked done by the user"

# Ben answers: kith completes the waiting task itself (file kept).
echo "msg -0.5 ben@example.com <w2@kith.test> Re: Can you send the report?" >>"$work/scenario"
run 2024-06-02T12:00:00Z
got=$(listing | grep '^Ben Stone')
case "$got" in *"|True") ;; *) fail "waiting task not completed: $got" ;; esac
# His answer is mail from a relationship: it asks for a reply in turn.
[ "$(ls "$work"/cal/kith/*.ics | wc -l)" -eq 4 ] || fail "a task file vanished"
open=$("$todoman" --porcelain list | "$py" -c 'import json,sys; print(len(json.load(sys.stdin)))')
[ "$open" = 2 ] || fail "expected 2 open tasks, got $open"
listing | grep -q '^Reply to Ben Stone: Re: Can you send the report?|' || fail "no reply task for Ben's answer"
check_files
grep -q 'STATUS:COMPLETED' "$work"/cal/kith/kith-waiting-*.ics || fail "no STATUS:COMPLETED"
grep -q '^COMPLETED:' "$work"/cal/kith/kith-waiting-*.ics || fail "no COMPLETED"
echo "todoman sees exactly the expected tasks; done stays done"
exit 0
