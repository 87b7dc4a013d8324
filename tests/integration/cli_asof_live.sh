#!/usr/bin/env bash
# cli_asof_live.sh: --as-of on `show`, `recent`, `followups` (and `people`)
# shows what the user would have seen that day.  On the demo mailbox,
# synced by kithd --once --as-of 2026-11-18 from a real Dovecot: the live
# answers for 2026-11-18 equal the stored ones (the same analysis and the
# same follow-up rules), and the answers for earlier days hold only what
# was known then.
set -u
. "${KITH_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/common.sh"
. "$KITH_TOP/tests/lib/demo.sh"
kt_demo_synced 2026-11-18
kith() { "$KITH_BUILD/kith" -c "$E2E_CONF" "$@"; }

# canon: JSON from stdin, sorted, without the stored "why" line (a live
# analysis has none); lists of follow-ups sorted as they have no order key.
canon() {
	python3 -c '
import json, sys
def strip(v):
    if isinstance(v, dict):
        return {k: strip(x) for k, x in v.items() if k != "reason"}
    if isinstance(v, list):
        return [strip(x) for x in v]
    return v
v = strip(json.load(sys.stdin))
if isinstance(v, list) and v and "uid" in v[0]:
    v.sort(key=lambda t: (t["person"], t["kind"]))
print(json.dumps(v, sort_keys=True))'
}

same() { # WHAT ARGS...: the stored answer equals the live one for 2026-11-18
	local what=$1; shift
	kith "$@" --json | canon >"$E2E/stored.json"
	kith "$@" --as-of 2026-11-18 --json | canon >"$E2E/live.json"
	kt_true "$what: non-empty" test "$(stat -c %s "$E2E/stored.json")" -gt 4
	if cmp -s "$E2E/stored.json" "$E2E/live.json"; then
		kt__pass "$what: live as of the sync's day = stored"
	else
		kt__fail "$what: live as of the sync's day differs from stored:"
		diff <(tr ',' '\n' <"$E2E/stored.json") <(tr ',' '\n' <"$E2E/live.json") | head -n 20
	fi
}
same "people" people --all
same "recent" recent --days 400
same "followups" followups
for p in tomas jonah priya elin; do same "show $p" show "$p"; done

# earlier days: only what was known then
j=$(kith show jonah --as-of 2026-05-01 --json)
now=$(kith show jonah --json)
kt_contains "Jonah in May: last exchange 30 April" '"last_exchange":"2026-04-30' "$j"
kt_eq "Jonah in May: no month after April" "" "$(echo "$j" | python3 -c '
import json, sys
print(" ".join(m["month"] for m in json.load(sys.stdin)["months"] if m["month"] > "2026-04"))')"
deeper=$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["depth"] > json.loads(sys.argv[2])["depth"])' "$j" "$now")
kt_eq "Jonah was deeper in May than after half a year of silence" True "$deeper"
kt_contains "Jonah's sparkline as of May is not empty" "█" "$(kith show jonah --as-of 2026-05-01)"

win=$(kith recent --as-of 2026-05-01 --days 30 --json | python3 -c '
import json, sys
v = json.load(sys.stdin)
print(len(v), all("2026-04-01" <= t["when"] < "2026-05-01" for t in v))')
kt_contains "recent as of 1 May: only April" " True" "$win"
kt_ge "recent as of 1 May: something" 1 "${win%% *}"

f=$(kith followups --as-of 2026-11-01 --json)
kt_contains "follow-ups on 1 Nov: the reply owed to Hannah" "hannah@bergstudio.example" "$f"
kt_not_contains "follow-ups on 1 Nov: Priya had not asked yet" "spine width" "$f"
kt_contains "follow-ups on 18 Nov: Priya asked" "spine width" "$(kith followups --as-of 2026-11-18 --json)"
kt_eq "before any mail: no follow-ups" "[]" "$(kith followups --as-of 2025-01-01 --json | tr -d '\n ')"
kith show jonah --as-of 2025-01-01 >/dev/null 2>&1; kt_eq "before any mail: nobody to show" 1 $?
kith recent --as-of 2026-13-01 >/dev/null 2>&1; kt_eq "bad date is usage" 2 $?
kith status --as-of 2026-01-01 >/dev/null 2>&1; kt_eq "status takes no --as-of" 2 $?
kt_done
