#!/usr/bin/env bash
# tasks_icalendar: every file kith writes is valid iCalendar for a second,
# independent parser (Python's icalendar module) as well as for libical.
#
# Hostile input on purpose: invalid UTF-8, control characters, very long and
# non-Latin subjects, Message-IDs with '/', '%', '?', and names in quotes.
# Checks the structure (one VCALENDAR, VERSION 2.0, PRODID, one VTODO whose
# UID names the file), UTC times, PRIORITY 1-9, CATEGORIES, the mid: URL
# (it decodes back to the Message-ID), CRLF line ends and 75-octet lines;
# then the same for all-day VEVENTs and for the one-file feed.
set -u
tool="${KITH_BUILD:?}/tools/kith-tasks"
py=/usr/bin/python3
[ -x "$tool" ] || { echo "kith-tasks tool not built"; exit 77; }
"$py" -c 'import icalendar' 2>/dev/null || { echo "python3-icalendar missing"; exit 77; }

work=$(mktemp -d /tmp/kith-icalendar.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

{
	echo "now 2024-06-01T12:00:00Z"
	echo "me me@example.org"
	echo 'person ana@example.com close 70 "Ana Ruiz"'
	echo "person bo@example.com inner 95 Bo 李"
	echo "person cy@example.com active 40 Cy"
	printf 'person dee@example.com active 41 De\xffe\x01 \n'
	echo "person eve@example.com wider 20 Eve"
	echo "sent -90 ana@example.com <a0@kith.test> Hello"
	echo "sent -90 bo@example.com <b0@kith.test> Hello"
	echo "sent -90 dee@example.com <d0@kith.test> Hello"
	echo "msg -3 ana@example.com <weird/id%with?chars#@kith.test> Budget; plans, and \"quotes\" \\ backslash"
	echo "msg -4 bo@example.com <b1@kith.test> 会议纪要：第三季度预算和下一步的计划，请尽快回复。这是一个很长的主题行，用来测试折行是否会把多字节字符切开。"
	printf 'msg -4.5 dee@example.com <d1@kith.test> Bad \xc3 bytes \x07 bell and a tab\there\n'
	echo "sent -6 cy@example.com <c1@kith.test> $(printf 'Long question %.0s' $(seq 30))?"
	echo "turn -400 eve@example.com"
} >"$work/scenario"

"$tool" --dir "$work/todo" --state "$work/state1" --feed "$work/feed-todo.ics" \
	"$work/scenario" >"$work/wants" || fail "kith-tasks (todo)"
"$tool" --dir "$work/events" --state "$work/state2" --feed "$work/feed-events.ics" --events \
	"$work/scenario" >/dev/null || fail "kith-tasks (events)"
n=$(wc -l <"$work/wants")
[ "$n" -eq 5 ] || { cat "$work/wants"; fail "expected 5 tasks, got $n"; }

# the cap: with max_open 2 only the two most important are written (the
# replies to Bo, depth 95, and Ana, 70); the rest are held in the records
{ cat "$work/scenario"; echo "param max_open 2"; } >"$work/scenario-cap"
"$tool" --dir "$work/capped" --state "$work/state3" "$work/scenario-cap" >"$work/wants-cap" ||
	fail "kith-tasks (cap)"
[ "$(ls "$work"/capped/*.ics | wc -l)" -eq 2 ] || fail "the cap did not hold: $(ls "$work"/capped)"
[ "$(grep -c '^held:' "$work/wants-cap")" -eq 3 ] || { cat "$work/wants-cap"; fail "expected 3 held"; }
head -2 "$work/wants-cap" | cut -f3 | grep -q '^Reply to Bo' || fail "Bo's reply is not first"

"$tool" --check "$work"/todo/*.ics "$work"/events/*.ics >/dev/null || fail "libical rejects a file"

"$py" - "$work" <<'EOF' || fail "python icalendar check"
import glob, os, sys, datetime, urllib.parse
import icalendar

work = sys.argv[1]
mids = {"weird/id%with?chars#@kith.test", "b1@kith.test", "d1@kith.test", "c1@kith.test"}
seen_mids = set()

def raw_checks(path, data):
    assert b"\r\n" in data and data.count(b"\n") == data.count(b"\r\n"), path + ": not CRLF"
    for line in data.split(b"\r\n"):
        assert len(line) <= 75, "%s: line of %d octets" % (path, len(line))
    data.decode("utf-8")  # strict: valid UTF-8 throughout

def utc(v, path, name):
    dt = v.dt
    assert isinstance(dt, datetime.datetime), (path, name)
    assert dt.utcoffset() == datetime.timedelta(0), (path, name, dt)

def check_item(path, it, kind):
    for k in ("UID", "SUMMARY", "DESCRIPTION", "DTSTAMP", "CREATED", "LAST-MODIFIED",
              "SEQUENCE", "PRIORITY", "CATEGORIES", "STATUS"):
        assert k in it, "%s: %s missing" % (path, k)
    for k in ("DTSTAMP", "CREATED", "LAST-MODIFIED"):
        utc(it[k], path, k)
    assert 1 <= int(it["PRIORITY"]) <= 9, path
    cats = it["CATEGORIES"]
    cats = cats if isinstance(cats, list) else [cats]
    assert not isinstance(it["CATEGORIES"], list), path + ": several CATEGORIES lines"
    values = [str(c) for c in cats[0].cats]
    assert values[0] == "kith" and values[1] in ("reply", "waiting", "keep-in-touch"), values
    if kind == "VTODO":
        utc(it["DUE"], path, "DUE")
        assert str(it["STATUS"]) == "NEEDS-ACTION", path
    else:
        assert isinstance(it["DTSTART"].dt, datetime.date) and not isinstance(
            it["DTSTART"].dt, datetime.datetime), path
        assert str(it["STATUS"]) == "CONFIRMED", path
    if "URL" in it:
        url = str(it["URL"])
        assert url.startswith("mid:"), url
        assert "/" not in url[4:] and "?" not in url and "#" not in url, url
        seen_mids.add(urllib.parse.unquote(url[4:]))
    assert "\x07" not in str(it["SUMMARY"]) and "\t" not in str(it["SUMMARY"])

def check_dir(d, kind):
    files = sorted(glob.glob(os.path.join(d, "*.ics")))
    assert len(files) == 5, files
    for path in files:
        data = open(path, "rb").read()
        raw_checks(path, data)
        cal = icalendar.Calendar.from_ical(data)
        assert cal.name == "VCALENDAR" and str(cal["VERSION"]) == "2.0" and "PRODID" in cal
        items = [c for c in cal.subcomponents if c.name in ("VTODO", "VEVENT")]
        assert len(items) == 1 and items[0].name == kind, path
        assert str(items[0]["UID"]) + ".ics" == os.path.basename(path), path
        check_item(path, items[0], kind)
    assert open(os.path.join(d, "displayname")).read() == "kith follow-ups"
    assert open(os.path.join(d, "color")).read().startswith("#")

check_dir(os.path.join(work, "todo"), "VTODO")
assert seen_mids == mids, seen_mids
check_dir(os.path.join(work, "events"), "VEVENT")
for feed, kind in (("feed-todo.ics", "VTODO"), ("feed-events.ics", "VEVENT")):
    data = open(os.path.join(work, feed), "rb").read()
    raw_checks(feed, data)
    cal = icalendar.Calendar.from_ical(data)
    items = [c for c in cal.subcomponents if c.name == kind]
    assert len(items) == 5, (feed, len(items))
    for it in items:
        check_item(feed, it, kind)
print("ok")
EOF
echo "python icalendar and libical accept every file (VTODO, VEVENT, feeds)"
exit 0
