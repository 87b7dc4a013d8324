#!/usr/bin/env bash
# e2e_demo_analysis.sh: the story of the demo mailbox (demo/README.md), told
# end to end through kithd --once --as-of 2026-11-18 and the kith CLI: the
# real correspondents are people and the bulk, automated and cold senders are
# not; the close colleague ranks near the top and answers fast, the slow
# correspondent is slow; exactly the expected
# follow-ups appear (reply to Priya, waiting on Samuel, keep in touch with
# Jonah) and none for the balanced threads; Ravi's two addresses are offered
# as a merge; `kith merge` of Hannah's old and new address takes effect on
# the next run; the task files are 0600 VTODOs that todoman reads.
set -u
. "${KITH_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/common.sh"
. "$KITH_TOP/tests/lib/certs.sh"
. "$KITH_TOP/tests/lib/dovecot.sh"
kt_need_kithd
[ -x "$KITH_BUILD/kith" ] || kt_skip "no kith CLI in $KITH_BUILD"
kt_need_tools dovecot doveadm certtool sqlite3 python3

kt_e2e_server "$KITH_TOP/demo/mail"
kt_run_kithd "$E2E/run1.log" "$E2E_CONF" --once --as-of 2026-11-18 || kt_die "kithd failed"
kith() { "$KITH_BUILD/kith" -c "$E2E_CONF" "$@"; }
kith people --json >"$E2E/people.json" 2>"$E2E/people.err" || kt__fail "kith people --json: $(cat "$E2E/people.err")"
kith followups --json >"$E2E/followups.json" 2>"$E2E/followups.err" || true

# jq-free JSON questions.
pj() { python3 - "$E2E/people.json" "$E2E/followups.json" "$@" <<'EOF'
import json, sys
people = json.load(open(sys.argv[1]))
try:
    tasks = json.load(open(sys.argv[2]))
except ValueError:
    tasks = []
q, args = sys.argv[3], sys.argv[4:]
def person(addr):
    for p in people:
        if addr in p.get("addresses", []) or p.get("key") == addr:
            return p
    return None
if q == "has":          # is ADDR somebody's address
    print("yes" if person(args[0]) else "no")
elif q == "rank":
    p = person(args[0]); print(p["rank"] if p else 999)
elif q == "field":
    p = person(args[0]); print(p.get(args[1]) if p else "none")
elif q == "same":       # are two addresses one person
    a, b = person(args[0]), person(args[1])
    print("yes" if a and b and a.get("key") == b.get("key") else "no")
elif q == "tasks":      # kinds of open tasks for ADDR's person
    p = person(args[0])
    keys = {args[0]} | set(p.get("addresses", []) if p else []) | ({p["key"]} if p else set())
    print(" ".join(sorted(t["kind"] for t in tasks if t.get("person") in keys)) or "none")
elif q == "ntasks":
    print(len(tasks))
EOF
}

for a in tomas@fernwood-studio.example elin.lindqvist@postbox.example \
	jonah.whitfield@mailbox.example priya@harbourlight.example \
	s.achterberg@rivermouth-uni.example hannah@bergstudio.example \
	ravi.desai@northwind-print.example amara@amaranwosu.example \
	lukas.brandt@mailhub.example ingrid@sjoberg-redovisning.example; do
	kt_eq "correspondent $a is a person" yes "$(pj has "$a")"
done
for a in hello@weeklysketch.example news@northbank.example no-reply@northbank.example \
	notifications@codehost.example calendar-noreply@cloudcal.example \
	mailer-daemon@mx.lindqvist.example derek.shaw@growthleadsmail.example \
	olivia@pixelperfect-stock.example claims@lucky-winner.example \
	urban-gardens@lists.greenhaven.example; do
	kt_eq "bulk/automated/cold sender $a is not a person" no "$(pj has "$a")"
done
kt_le "Tomás (close colleague) ranks in the top 3" 3 "$(pj rank tomas@fernwood-studio.example)"
# A turn answers the other side (docs/depth.md §4); openers are not turns.
kt_ge "Tomás: his answers to Maya (turns)" 4 "$(pj field tomas@fernwood-studio.example turns_them)"
kt_ge "Tomás: Maya's answers to him (turns)" 4 "$(pj field tomas@fernwood-studio.example turns_you)"
kt_le "Tomás answers within the hour (median seconds)" 3600 \
	"$(pj field tomas@fernwood-studio.example latency_them_seconds)"
kt_ge "Ravi: Maya answers him slowly (median > 5 days)" 432000 \
	"$(pj field ravi.desai@northwind-print.example latency_you_seconds)"
kt_eq "Amara: Maya answered each of her 3 messages" 3 "$(pj field amara@amaranwosu.example turns_you)"

kt_eq "Priya: owe a reply" reply "$(pj tasks priya@harbourlight.example)"
kt_eq "Samuel: waiting on him" waiting "$(pj tasks s.achterberg@rivermouth-uni.example)"
kt_eq "Jonah: keep in touch" keep-in-touch "$(pj tasks jonah.whitfield@mailbox.example)"
kt_eq "Tomás: nothing to do" none "$(pj tasks tomas@fernwood-studio.example)"
kt_eq "Elin: nothing to do" none "$(pj tasks elin.lindqvist@postbox.example)"
kt_eq "Ravi: nothing to do (answered, slowly)" none "$(pj tasks ravi.desai@northwind-print.example)"
kt_eq "Derek (cold mail): nothing to do" none "$(pj tasks derek.shaw@growthleadsmail.example)"

merges=$(kith suggest-merges 2>&1)
kt_contains "Ravi's two addresses suggested as one" "ravi.desai@homemail.example" "$merges"

# Task files: one 0600 VTODO per open task, readable by todoman.
shopt -s nullglob
ics=("$E2E"/tasks/*.ics)
kt_eq "one .ics per open task" "$(pj ntasks)" "${#ics[@]}"
kt_eq "task files are 0600" "" "$(for f in "${ics[@]}"; do [ "$(stat -c %a "$f")" = 600 ] || echo "$f"; done)"
kt_eq "tasks dir is 0700" 700 "$(stat -c %a "$E2E/tasks")"
icalpy=
for p in python3 /usr/bin/python3; do
	if "$p" -c 'import icalendar' 2>/dev/null; then icalpy=$p; break; fi
done
if [ -n "$icalpy" ] && [ ${#ics[@]} -gt 0 ]; then
	kt_eq "every task file is one VTODO that python-icalendar parses" "" "$("$icalpy" - "${ics[@]}" <<'EOF'
import sys, icalendar
for f in sys.argv[1:]:
    cal = icalendar.Calendar.from_ical(open(f, "rb").read())
    todos = [c for c in cal.walk() if c.name == "VTODO"]
    if len(todos) != 1 or not todos[0].get("UID") or not todos[0].get("SUMMARY"):
        print(f)
EOF
)"
fi
if command -v todoman >/dev/null && [ ${#ics[@]} -gt 0 ]; then
	export XDG_CONFIG_HOME=$E2E/xdg; mkdir -p "$XDG_CONFIG_HOME/todoman"
	printf 'path = "%s"\ndate_format = "%%Y-%%m-%%d"\ntime_format = "%%H:%%M"\n' "$E2E/tasks" \
		>"$XDG_CONFIG_HOME/todoman/config.py"
	kt_eq "todoman sees every task" "${#ics[@]}" \
		"$(todoman --porcelain list 2>/dev/null | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')"
fi

# The user joins Hannah's two addresses; the next run treats them as one.
kith merge hannah.moreau@cobalt-agency.example hannah@bergstudio.example >/dev/null 2>&1 \
	|| kt__fail "kith merge"
kt_run_kithd "$E2E/run2.log" "$E2E_CONF" --once --as-of 2026-11-18 || kt__fail "kithd after merge"
kith people --json >"$E2E/people.json" 2>/dev/null
kith followups --json >"$E2E/followups.json" 2>/dev/null || true
kt_eq "after kith merge: Hannah is one person" yes \
	"$(pj same hannah.moreau@cobalt-agency.example hannah@bergstudio.example)"
kt_not_contains "after kith merge: no keep-in-touch for her old address" "keep-in-touch" \
	"$(pj tasks hannah.moreau@cobalt-agency.example)"
kt_done
