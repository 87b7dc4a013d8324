#!/usr/bin/env bash
# cli_asof.sh: `kith people --as-of DATE` recomputes the analysis live from
# the stored messages before DATE (kith_analyze), not from the saved tables.
. "$KITH_TOP/tests/lib/common.sh"
. "$KITH_TOP/tests/lib/cli.sh"
kt_cli_setup --messages 2000 --people 40 --as-of 2024-06-01

check() { # DATE: prints "N ok" when the live list is sane for DATE
	"$K" "${C[@]}" people --as-of "$1" --all --json | python3 -c '
import json, sys, re
cut = sys.argv[1] + "T00:00:00Z"
v = json.load(sys.stdin)
d = [p["depth"] for p in v]
assert d == sorted(d, reverse=True), "deepest first"
for p in v:
    assert p["last_exchange"] is None or p["last_exchange"] < cut, (p["last_exchange"], cut)
    assert all(re.match(r"^p\d{5}@synth\.example$", a) for a in p["addresses"]), p["addresses"]
    assert "me@synth.example" not in p["addresses"], "the user is not a person"
print(len([p for p in v if p["conversations"] > 0]), "ok")' "$1" 2>&1
}
late=$(check 2024-06-01); kt_contains "as of the end" " ok" "$late"
mid=$(check 2021-06-01); kt_contains "as of 2021" " ok" "$mid"
early=$(check 2019-07-01); kt_contains "as of mid 2019" " ok" "$early"
kt_ge "more people with conversations later than earlier" "${early%% *}" "${late%% *}"
kt_ge "someone by 2024" 1 "${late%% *}"
none=$("$K" "${C[@]}" people --as-of 2000-01-01 --json); rc=$?
# a live analysis says why each person ranks where they do, as kithd's does
why=$("$K" "${C[@]}" people --as-of 2024-06-01 --json | python3 -c '
import json, sys
v = json.load(sys.stdin)
print(len(v) > 0, all(p["reason"] and "conversations" in p["reason"] for p in v))')
kt_eq "people --as-of --json: every reason filled" "True True" "$why"
first=$("$K" "${C[@]}" people --as-of 2024-06-01 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["key"])')
kt_contains "show --as-of: the why line" "  why: " "$("$K" "${C[@]}" show "$first" --as-of 2024-06-01)"
# with a cap of 2 open tasks the live view holds the rest back, and `show`
# marks a held one as such
{ cat "$T/kith.conf"; echo 'followups = { max_open = 2; };'; } >"$T/cap.conf"
held=$("$K" -c "$T/cap.conf" followups --as-of 2024-06-01 --all --json | python3 -c '
import json, sys
v = json.load(sys.stdin)
h = [t for t in v if t.get("held")]
print(len(v) - len(h), h[0]["person"] if h else "none")')
kt_eq "live followups: two open" 2 "${held%% *}"
out=$("$K" -c "$T/cap.conf" show "${held#* }" --as-of 2024-06-01)
kt_contains "show --as-of marks a held task" "held back (task cap)" "$out"
kt_eq "before any mail: exit" 0 "$rc"
kt_eq "before any mail: empty" "[]" "$(echo $none)"
# the live run does not touch the saved analysis
before=$(kt_sql "$DB" "SELECT count(*), sum(depth) FROM people")
"$K" "${C[@]}" people --as-of 2022-01-01 >/dev/null
kt_eq "saved tables unchanged" "$before" "$(kt_sql "$DB" "SELECT count(*), sum(depth) FROM people")"
lim=$("$K" "${C[@]}" people --as-of 2024-06-01 --limit 3 --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
kt_eq "--as-of with --limit" 3 "$lim"
"$K" "${C[@]}" people --as-of 2024-13-45 >/dev/null 2>&1; kt_eq "bad date is usage" 2 $?
"$K" "${C[@]}" people --as-of yesterday >/dev/null 2>&1; kt_eq "words are usage" 2 $?
kt_done
