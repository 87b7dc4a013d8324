#!/usr/bin/env bash
# report_browser.sh: `kith report` on the demo mailbox (synced from a real
# Dovecot by kithd --once --as-of 2026-11-18), opened in a real headless
# Chromium: no console message (a CSP violation or an error would be one),
# no network request made by the page (Chromium's own NetLog, with every
# host name mapped nowhere), a rendered PNG, and the expected people and
# sections in the DOM Chromium built.  Two control pages show that the
# console and NetLog checks do catch a blocked load and a request.  Also:
# a hostile name written into the database shows as text, never as markup;
# --as-of shows the page of an earlier day, with each person's why and
# factors; the rings' texts do not overlap as Chromium lays them out (on
# the demo and a crowded synthetic page); size and file mode.
set -u
. "${KITH_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/common.sh"
. "$KITH_TOP/tests/lib/demo.sh"
. "$KITH_TOP/tests/lib/cli.sh"
command -v chromium >/dev/null 2>&1 ||
	kt_skip "needs chromium (Debian package chromium, in scripts/dev.sh PACKAGES; not installed)"
kt_demo_synced 2026-11-18 sqlite3
kith() { "$KITH_BUILD/kith" -c "$E2E_CONF" "$@"; }
R=$E2E/report.html

# browse PAGE TAG: loads PAGE in headless Chromium; leaves $E2E/TAG.dom (the
# DOM), TAG.err (its log), TAG.net (NetLog) and TAG.png (a screenshot).
browse() {
	local flags=(--headless --no-sandbox --disable-gpu --hide-scrollbars
		"--host-resolver-rules=MAP * ~NOTFOUND" --disable-background-networking
		--disable-component-update --disable-sync --disable-extensions --no-first-run
		--disable-default-apps --enable-logging=stderr --v=0
		--user-data-dir="$E2E/chromium-$2")
	timeout 120 chromium "${flags[@]}" --log-net-log="$E2E/$2.net" --dump-dom \
		"file://$1" >"$E2E/$2.dom" 2>"$E2E/$2.err" || kt__fail "chromium --dump-dom $2 exited $?"
	timeout 120 chromium "${flags[@]}" --window-size=1100,2600 --screenshot="$E2E/$2.png" \
		"file://$1" >/dev/null 2>>"$E2E/$2.err" || kt__fail "chromium --screenshot $2 exited $?"
}
# console TAG: the console messages Chromium logged (CSP violations are some).
console() { grep -F ':CONSOLE' "$E2E/$1.err" || true; }
# requests TAG: the URLs the page itself asked the network for (the
# browser's own update and account requests carry no file:// page as
# their isolation key, so they are not the page's).
requests() {
	python3 - "$E2E/$1.net" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
kind = {v: k for k, v in d["constants"]["logEventTypes"].items()}
for e in d["events"]:
    p = e.get("params", {})
    if kind.get(e["type"]) == "URL_REQUEST_START_JOB" and "file://" in p.get("network_isolation_key", ""):
        print(p.get("url"))
EOF
}

# --- the controls: the checks can fail ---
cat >"$E2E/blocked.html" <<'EOF'
<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"></head><body><img src="http://kith-probe.invalid/blocked.png"></body></html>
EOF
cat >"$E2E/leaky.html" <<'EOF'
<!DOCTYPE html><html><body><img src="http://kith-probe.invalid/leak.png"></body></html>
EOF
browse "$E2E/blocked.html" blocked
browse "$E2E/leaky.html" leaky
kt_contains "control: a blocked load is a console message" "kith-probe.invalid/blocked.png" "$(console blocked)"
kt_contains "control: a page's request is in the NetLog" "http://kith-probe.invalid/leak.png" "$(requests leaky)"

# --- the report ---
kith report -o "$R" >"$E2E/report.out" 2>&1
kt_eq "kith report exits 0" 0 $?
kt_eq "report is 0600" 600 "$(stat -c %a "$R")"
kt_le "report under 300 KB" 307200 "$(stat -c %s "$R")"
kt_eq "nothing on stdout with -o" "" "$(cat "$E2E/report.out")"
kt_contains "strict CSP" "content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\"" "$(head -c 3000 "$R")"
kt_eq "no script element" 0 "$(grep -c '<script' "$R")"
kt_eq "no URL leaves the page" 0 "$(grep -Eco '(src|href)="?(https?:)?//' "$R")"
kith report >"$E2E/stdout.html"
kt_eq "without -o the page goes to stdout" "$(md5sum <"$R" | cut -d' ' -f1)" "$(md5sum <"$E2E/stdout.html" | cut -d' ' -f1)"

browse "$R" report
kt_eq "no console message" "" "$(console report)"
kt_eq "no request made by the page" "" "$(requests report)"
kt_true "screenshot written" test -s "$E2E/report.png"
shot=$(python3 - "$E2E/report.png" <<'EOF'
import struct, sys, zlib
b = open(sys.argv[1], "rb").read()
assert b[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
w, h = struct.unpack(">II", b[16:24])
i, idat = 8, b""
while i < len(b):
    n, t = struct.unpack(">I4s", b[i:i + 8])
    if t == b"IDAT":
        idat += b[i + 8:i + 8 + n]
    i += 12 + n
raw = zlib.decompress(idat)
print(w, h, len(set(raw[::7])) > 16)
EOF
)
kt_eq "screenshot: size and more than a blank page" "1100 2600 True" "$shot"

# the DOM Chromium built: sections, people, links, charts and their text
dom=$(python3 - "$E2E/report.dom" <<'EOF'
import sys
from html.parser import HTMLParser
class P(HTMLParser):
    def __init__(s):
        super().__init__(); s.ids, s.hrefs, s.text, s.svgs, s.labelled = set(), [], [], 0, 0
        s.sec = []
    def handle_starttag(s, tag, a):
        a = dict(a)
        if "id" in a: s.ids.add(a["id"])
        if tag == "a" and "href" in a: s.hrefs.append(a["href"])
        if tag == "svg" and a.get("aria-hidden") != "true":  # legend keys are decoration
            s.svgs += 1
            s.labelled += a.get("role") == "img" and bool(a.get("aria-label") or a.get("aria-labelledby"))
        if tag == "section": s.sec.append("p" if a.get("class") == "p" else a.get("id"))
    def handle_data(s, d): s.text.append(d)
p = P(); p.feed(open(sys.argv[1]).read())
text = " ".join(p.text)
print("sections", " ".join(x for x in p.sec if x != "p"))
print("people", sum(1 for x in p.sec if x == "p"))
print("dangling", [h for h in p.hrefs if h.startswith("#") and h[1:] not in p.ids])
print("svgs", p.svgs, "labelled", p.labelled)
for name in ["Tomás Okafor", "Elin Lindqvist", "Priya Raman", "Jonah Whitfield", "Samuel"]:
    print("name", name, name in text)
print("texts", "You owe a reply" in text, "Held back" in text, "Depth by factor" in text)
EOF
)
kt_contains "sections in order" "sections layers year followups people" "$dom"
kt_contains "every link has its target" "dangling []" "$dom"
for name in "Tomás Okafor" "Elin Lindqvist" "Priya Raman" "Jonah Whitfield" "Samuel"; do
	kt_contains "$name is on the page" "name $name True" "$dom"
done
kt_contains "the year, follow-ups, factors" "texts True True True" "$dom"
np=$(echo "$dom" | sed -n 's/^people //p')
ranked=$(sqlite3 "$E2E_DB" "SELECT count(*) FROM people WHERE tier != 'none'")
kt_eq "a section per ranked person" "$ranked" "$np"
kt_contains "every chart is labelled (rings + a timeline each)" "svgs $((np + 1)) labelled $((np + 1))" "$dom"
kt_contains "Priya's reply is owed" "Priya Raman" "$(sed -n '/You owe a reply/,/<\/ol>/p' "$E2E/report.dom")"
kt_contains "keep in touch with Jonah is open" "Jonah" "$(sed -n '/id="followups"/,/Held back/p' "$E2E/report.dom")"

# a hostile name from mail is text in the page, never markup
evil='<img src=x onerror=alert(1)><script>alert(2)</script>'
sqlite3 "$E2E_DB" "UPDATE people SET name = '$evil' WHERE key = 'priya@harbourlight.example'"
kith report -o "$E2E/evil.html" || kt__fail "kith report with a hostile name"
browse "$E2E/evil.html" evil
kt_eq "hostile name: no console message" "" "$(console evil)"
kt_eq "hostile name: no img or script element" 0 "$(grep -Ec '<(img|script)' "$E2E/evil.dom")"
kt_contains "hostile name: shown as text" "&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;" "$(cat "$E2E/evil.dom")"

# --as-of: the page of an earlier day (Jonah was lively until April; Priya's
# unanswered question came in November)
kith report --as-of 2026-04-01 -o "$E2E/april.html"
kt_eq "report --as-of exits 0" 0 $?
kt_contains "as-of day in the title" "as of 2026-04-01" "$(head -c 4000 "$E2E/april.html")"
kt_contains "as-of Jonah is ranked" "Jonah Whitfield" "$(sed -n '/id="layers"/,/id="year"/p' "$E2E/april.html")"
kt_not_contains "as-of nobody owes Priya yet" "Reply to Priya" "$(cat "$E2E/april.html")"
# the as-of page says why, factor by factor, as the live one does: every
# person's section, Jonah's with his figures
why=$(python3 - "$E2E/april.html" "$R" <<'EOF'
import re, sys
for path in sys.argv[1:]:
    secs = re.findall(r"<section class=p id=p\d+>.*?</section>", open(path).read(), re.S)
    why = [s for s in secs if re.search(r"<p class=f>Why: [^<]*(conversations|pinned|role)", s)]
    fac = [s for s in secs if re.search(r"<p class=f>Depth by factor: [a-z -]+ <b>[+-]\d", s)]
    print(len(secs) > 0, len(secs) == len(why), len(secs) == len(fac))
EOF
)
kt_eq "as-of and live pages: every person's why and factors" "True True True
True True True" "$why"
kt_contains "as-of: Jonah's why" "Why: " "$(grep -o '<section class=p id=p[0-9]*><h3>Jonah Whitfield.*' "$E2E/april.html" | head -c 3000)"
kith report --as-of 2026-99-01 >/dev/null 2>&1; kt_eq "bad --as-of is usage" 2 $?
kith report extra >/dev/null 2>&1; kt_eq "an extra argument is usage" 2 $?
# the rings' texts as Chromium lays them out: no two overlap (their real
# boxes, getBBox, measured by a script in a copy of the page without its
# CSP), on the demo's page and on a crowded one (400 people, 220 of them
# in the layers); the crowded one still names people in every layer
measure() { # PAGE TAG: "texts N overlaps K" and the first overlapping pairs
	python3 - "$1" "$E2E/$2-m.html" <<'EOF'
import re, sys
page = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", open(sys.argv[1]).read())
js = """<script>
const t = [...document.querySelectorAll('svg.rings text')].map(e => {
  const b = e.getBBox(); return [b.x, b.y, b.x + b.width, b.y + b.height, e.textContent]; });
const bad = [];
for (let i = 0; i < t.length; i++) for (let j = i + 1; j < t.length; j++) {
  const a = t[i], b = t[j];
  if (a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3]) bad.push(a[4] + " / " + b[4]);
}
const pre = document.createElement("pre"); pre.id = "bbox";
pre.textContent = "texts " + t.length + " overlaps " + bad.length + " " + bad.slice(0, 3).join("; ");
document.body.appendChild(pre);
</script></body>"""
open(sys.argv[2], "w").write(page.replace("</body>", js))
EOF
	browse "$E2E/$2-m.html" "$2-m"
	python3 -c 'import re,sys; m = re.search(r"<pre id=\"bbox\">([^<]*)", open(sys.argv[1]).read()); print(m.group(1) if m else "no measure")' "$E2E/$2-m.dom"
}
m=$(measure "$R" demo)
kt_contains "demo rings: every name and title measured" "texts $((ranked + 6)) " "$m"
kt_contains "demo rings: no two texts overlap" "overlaps 0 " "$m"
kt_cli_setup --messages 20000 --people 400 # K, C: a synthetic database
"$K" "${C[@]}" report -o "$E2E/crowd.html" || kt__fail "report of the crowded page"
m=$(measure "$E2E/crowd.html" crowd)
kt_contains "crowded rings: no two texts overlap" "overlaps 0 " "$m"
n=$(echo "$m" | sed -n 's/^texts \([0-9]*\) .*/\1/p')
kt_ge "crowded rings: many names (and 6 titles)" 40 "${n:-0}"
kt_eq "crowded rings: every layer names someone" 0 "$(python3 - "$E2E/crowd.html" <<'EOF'
import re, sys
svg = re.search(r'<svg class="rings".*?</svg>', open(sys.argv[1]).read(), re.S).group(0)
names = set(re.findall(r"<a href=#p(\d+)><text ", svg))
tiers = {}
for i, t in re.findall(r"<section class=p id=p(\d+)><h3>.*?<span class=t>(\w+)</span>", open(sys.argv[1]).read()):
    tiers.setdefault(t, []).append(i)
print(sum(1 for t, ids in tiers.items() if not names & set(ids)))
EOF
)"
kt_contains "crowded rings: the rest counted, linked to the list" '<a href=#lt4><text class="rl"' "$(cat "$E2E/crowd.html")"
if [ -n "${KITH_REPORT_SHOT:-}" ]; then cp "$E2E/report.png" "$KITH_REPORT_SHOT"; fi
kt_done
