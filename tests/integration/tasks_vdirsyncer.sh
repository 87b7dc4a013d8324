#!/usr/bin/env bash
# tasks_vdirsyncer: the task folder synced to a CalDAV server.
#
# Starts a private Radicale on 127.0.0.1 (a free port, no auth, storage in a
# temp dir), creates a calendar with MKCALENDAR, writes the tasks with
# tests/tools/kith-tasks, syncs with vdirsyncer (filesystem <-> caldav) and
# reads them back over CalDAV (REPORT calendar-query, GET).  Then:
#   - an exchange happens: kith completes the task, the server gets it;
#   - the user completes a task on the server (as a phone app would):
#     vdirsyncer brings it down and kith does not reopen it.
set -u
tool="${KITH_BUILD:?}/tools/kith-tasks"
py=/usr/bin/python3
[ -x "$tool" ] || { echo "kith-tasks tool not built"; exit 77; }
command -v vdirsyncer >/dev/null || { echo "vdirsyncer not installed"; exit 77; }
command -v radicale >/dev/null || { echo "radicale not installed"; exit 77; }
command -v curl >/dev/null || { echo "curl not installed"; exit 77; }
"$py" -c 'import icalendar' 2>/dev/null || { echo "python3-icalendar missing"; exit 77; }

work=$(mktemp -d /tmp/kith-vdirsyncer.XXXXXX)
rpid=""
cleanup() {
	[ -n "$rpid" ] && kill "$rpid" 2>/dev/null && wait "$rpid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; [ -f "$work/radicale.log" ] && tail -5 "$work/radicale.log"; exit 1; }

port=$("$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$work/radicale.conf" <<EOF
[server]
hosts = 127.0.0.1:$port
[auth]
type = none
[storage]
filesystem_folder = $work/radicale
[logging]
level = warning
EOF
radicale --config "$work/radicale.conf" >"$work/radicale.log" 2>&1 &
rpid=$!
base="http://127.0.0.1:$port"
url="$base/kith/tasks/"
for _ in $(seq 300); do # until it answers (60 s at most)
	curl -s -o /dev/null "$base/" && break
	sleep 0.2
done
curl -s -o /dev/null "$base/" || fail "radicale did not start"

code=$(curl -s -o /dev/null -w '%{http_code}' -u kith:x -X MKCALENDAR "$url" \
	-H 'Content-Type: application/xml' --data '<?xml version="1.0" encoding="utf-8"?>
<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop>
<D:displayname>kith follow-ups</D:displayname>
<C:supported-calendar-component-set><C:comp name="VTODO"/><C:comp name="VEVENT"/>
</C:supported-calendar-component-set></D:prop></D:set></C:mkcalendar>')
[ "$code" = 201 ] || fail "MKCALENDAR returned $code"

cat >"$work/scenario" <<'EOF'
now 2024-06-01T12:00:00Z
me me@example.org
person ana@example.com close 70 Ana Ruiz
person ben@example.com active 45 Ben Stone
person chloe@example.com inner 88 Chloë Müller
sent -60 ana@example.com <a0@kith.test> Hello
msg -3 ana@example.com <b1@kith.test> Presupuesto Q3 — ¿revisamos?
sent -6 ben@example.com <w1/2@kith.test> Can you send the report?
turn -70 chloe@example.com
turn -49 chloe@example.com
EOF
run() {
	"$tool" --dir "$work/cal" --state "$work/state" --now "$1" "$work/scenario" >/dev/null ||
		fail "kith-tasks failed at $1"
}

cat >"$work/vdirsyncer.conf" <<EOF
[general]
status_path = "$work/status/"

[pair kith]
a = "kith_local"
b = "kith_remote"
collections = null

[storage kith_local]
type = "filesystem"
path = "$work/cal/"
fileext = ".ics"

[storage kith_remote]
type = "caldav"
url = "$url"
username = "kith"
password = "x"
EOF
vsync() {
	timeout 120 vdirsyncer -c "$work/vdirsyncer.conf" sync >>"$work/vdirsyncer.log" 2>&1 ||
		{ cat "$work/vdirsyncer.log"; fail "vdirsyncer sync"; }
}

# The server's tasks as "UID|STATUS|SUMMARY" lines, via REPORT.
server_tasks() {
	curl -s -u kith:x -X REPORT "$url" -H 'Depth: 1' -H 'Content-Type: application/xml' \
		--data '<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
<D:prop><D:getetag/><C:calendar-data/></D:prop>
<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VTODO"/></C:comp-filter></C:filter>
</C:calendar-query>' | "$py" -c '
import sys, icalendar
import xml.etree.ElementTree as ET
ns = {"D": "DAV:", "C": "urn:ietf:params:xml:ns:caldav"}
root = ET.fromstring(sys.stdin.buffer.read())
out = []
for data in root.iterfind(".//C:calendar-data", ns):
    cal = icalendar.Calendar.from_ical(data.text)
    for t in cal.walk("VTODO"):
        out.append("%s|%s|%s" % (t["UID"], t.get("STATUS"), t["SUMMARY"]))
print("\n".join(sorted(out)))
'
}

run 2024-06-01T12:00:00Z
yes | timeout 60 vdirsyncer -c "$work/vdirsyncer.conf" discover >"$work/vdirsyncer.log" 2>&1 ||
	{ cat "$work/vdirsyncer.log"; fail "vdirsyncer discover"; }
vsync
got=$(server_tasks | cut -d'|' -f2- | sort)
want="NEEDS-ACTION|Ben Stone hasn't answered your 26 May mail: Can you send the report?
NEEDS-ACTION|Check in with Chloë Müller: it's been 7 weeks
NEEDS-ACTION|Reply to Ana Ruiz: Presupuesto Q3 — ¿revisamos?"
[ "$got" = "$want" ] || fail "server holds:
$got
--- expected:
$want"

# GET one task by its href and compare with the local file, property by property.
uid=$(server_tasks | grep '|Reply to Ana' | cut -d'|' -f1)
curl -s -u kith:x "$url$uid.ics" -o "$work/got.ics" || fail "GET $uid"
"$py" - "$work/got.ics" "$work/cal/$uid.ics" <<'EOF' || fail "served task differs from the file"
import sys, icalendar
a, b = (icalendar.Calendar.from_ical(open(p, "rb").read()).walk("VTODO")[0] for p in sys.argv[1:])
for k in ("UID", "SUMMARY", "DESCRIPTION", "URL", "PRIORITY", "STATUS", "SEQUENCE"):
    assert str(a.get(k)) == str(b.get(k)), k
assert a["DUE"].dt == b["DUE"].dt
assert str(a["URL"]).startswith("mid:b1@kith.test")
EOF

# Ana gets her answer: kith completes the task; the server follows.
echo "reply -1 ana@example.com <b2@kith.test> Re: Presupuesto Q3" >>"$work/scenario"
run 2024-06-02T12:00:00Z
vsync
server_tasks >"$work/srv"
grep -q "^$uid|COMPLETED|" "$work/srv" || fail "completion did not reach the server"

# The user completes the waiting task on the server (as a phone would).
wuid=$(server_tasks | grep '|Ben Stone' | cut -d'|' -f1)
curl -s -u kith:x "$url$wuid.ics" | sed 's/^STATUS:NEEDS-ACTION/STATUS:COMPLETED/' \
	>"$work/put.ics"
grep -q 'STATUS:COMPLETED' "$work/put.ics" || fail "could not edit the task"
code=$(curl -s -o /dev/null -w '%{http_code}' -u kith:x -X PUT "$url$wuid.ics" \
	-H 'Content-Type: text/calendar' --data-binary @"$work/put.ics")
case "$code" in 20?) ;; *) fail "PUT returned $code" ;; esac
vsync
grep -q 'STATUS:COMPLETED' "$work/cal/$wuid.ics" || fail "server change did not come down"
run 2024-06-03T12:00:00Z
vsync
server_tasks >"$work/srv"
grep -q "^$wuid|COMPLETED|" "$work/srv" || fail "kith reopened the task the user completed"
grep -q "^$wuid	[^	]*	[0-9]	[^	]*	2	" "$work/state" || fail "not recorded as done by the user"

"$tool" --check "$work"/cal/*.ics >/dev/null || fail "a file does not parse with libical"
n=$(ls "$work"/cal/*.ics | wc -l)
[ "$n" -eq 3 ] || fail "expected 3 task files, found $n"
echo "vdirsyncer + Radicale: tasks served over CalDAV; completion flows both ways"
exit 0
