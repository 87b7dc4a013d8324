#!/usr/bin/env bash
# cli_query.sh: `kith` query commands on a synthetic database: human and
# JSON output of people, recent, show, status, followups, suggest-merges;
# person lookup (exact, ambiguous, unknown); exit codes; colour rules.
. "$KITH_TOP/tests/lib/common.sh"
. "$KITH_TOP/tests/lib/cli.sh"
kt_cli_setup --messages 3000 --people 120 --as-of 2024-06-01
export NO_COLOR=   # empty: does not count; output is a pipe anyway

# --- people ---
out=$("$K" "${C[@]}" people); rc=$?
kt_eq "people exit" 0 "$rc"
kt_contains "people header" "NAME" "$out"
top=$(kt_sql "$DB" "SELECT name FROM people ORDER BY rank LIMIT 1")
kt_contains "people lists the deepest first" "$top" "$(echo "$out" | sed -n 2p)"
ntiered=$(kt_sql "$DB" "SELECT count(*) FROM people WHERE tier <> 'none'")
kt_eq "people rows = tiered people" "$ntiered" "$(($(echo "$out" | wc -l) - 1))"
kt_not_contains "no escape codes when piped" $'\033[' "$out"

json=$("$K" "${C[@]}" people --json --limit 25); rc=$?
kt_eq "people --json exit" 0 "$rc"
check=$(printf '%s' "$json" | python3 -c '
import json, sys, re
v = json.load(sys.stdin)
assert isinstance(v, list) and len(v) == 25, "25 rows"
d = [p["depth"] for p in v]
assert d == sorted(d, reverse=True), "deepest first"
iso = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
for p in v:
    for k in ("name", "addresses", "depth", "tier", "conversations", "last_exchange",
              "turns", "turns_you", "turns_them", "latency_you_seconds", "factors", "rank"):
        assert k in p, k
    assert isinstance(p["depth"], (int, float))
    assert all(a == a.lower() and "@" in a for a in p["addresses"])
    assert p["last_exchange"] is None or iso.match(p["last_exchange"])
    assert p["turns"] == p["turns_you"] + p["turns_them"]
    assert all({"name", "value", "unit", "points"} <= set(f) for f in p["factors"])
print("ok")' 2>&1)
kt_eq "people --json shape" ok "$check"
first_key=$(printf '%s' "$json" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["key"])')
kt_eq "json rank 1 = db rank 1" "$(kt_sql "$DB" "SELECT key FROM people ORDER BY rank LIMIT 1")" "$first_key"
inner=$("$K" "${C[@]}" people --tier inner --json | python3 -c 'import json,sys; v=json.load(sys.stdin); print(len(v), set(p["tier"] for p in v))')
kt_eq "--tier inner" "$(kt_sql "$DB" "SELECT count(*) FROM people WHERE tier='inner'") {'inner'}" "$inner"
fad=$("$K" "${C[@]}" people --fading --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
kt_eq "--fading" "$(kt_sql "$DB" "SELECT count(*) FROM people WHERE tier='fading'")" "$fad"
all=$("$K" "${C[@]}" people --all --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
kt_eq "--all" 120 "$all"
"$K" "${C[@]}" people --tier bogus >/dev/null 2>&1; kt_eq "bad tier is usage" 2 $?
"$K" "${C[@]}" people --limit x >/dev/null 2>&1; kt_eq "bad limit is usage" 2 $?

# --- recent ---
rj=$("$K" "${C[@]}" recent --json --days 30); rc=$?
kt_eq "recent --json exit" 0 "$rc"
check=$(printf '%s' "$rj" | python3 -c '
import json, sys
v = json.load(sys.stdin)
assert len(v) > 0, "some turns"
w = [t["when"] for t in v]
assert w == sorted(w, reverse=True), "newest first"
for t in v:
    assert {"who", "when", "subject", "by", "waiting", "waiting_on"} <= set(t)
    assert t["by"] in ("you", "them") and t["waiting_on"] in ("you", "them")
    assert t["when"] >= "2024-05-02", t["when"]
print(len(v))' 2>&1)
expect=$(kt_sql "$DB" "SELECT count(*) FROM turns WHERE date >= strftime('%s','2024-06-01') - 30*86400")
kt_eq "recent --days 30 count" "$expect" "$check"
rh=$("$K" "${C[@]}" recent --days 30)
kt_contains "recent human header" "WAITING" "$rh"
"$K" "${C[@]}" recent --days -3 >/dev/null 2>&1; kt_eq "negative days is usage" 2 $?
pr=$("$K" "${C[@]}" recent --json --days 3650 --person "$first_key" | python3 -c 'import json,sys; v=json.load(sys.stdin); print(len(set(t["key"] for t in v)))')
kt_eq "recent --person filters" 1 "$pr"

# --- show ---
sh=$("$K" "${C[@]}" show "$first_key"); rc=$?
kt_eq "show by address exit" 0 "$rc"
for w in "FACTOR" "reply latency" "turns" "exchanges by month" "recent conversations" "first"; do
	kt_contains "show has $w" "$w" "$sh"
done
kt_contains "show has a sparkline" "█" "$sh"
name=$(kt_sql "$DB" "SELECT name FROM people ORDER BY rank LIMIT 1")
"$K" "${C[@]}" show "$name" >/dev/null; kt_eq "show by exact name" 0 $?
sj=$("$K" "${C[@]}" show "$first_key" --json | python3 -c '
import json, sys
p = json.load(sys.stdin)
assert p["factors"] and p["months"] and p["recent_conversations"]
assert sum(m["exchanges"] for m in p["months"]) == p["turns"]
print(p["key"])' 2>&1)
kt_eq "show --json months add up to turns" "$first_key" "$sj"
amb=$("$K" "${C[@]}" show "synth.example" 2>&1); rc=$?
kt_eq "ambiguous show exit" 1 "$rc"
kt_contains "ambiguous lists candidates" "people match" "$amb"
nob=$("$K" "${C[@]}" show "nobody-here" 2>&1); rc=$?
kt_eq "unknown person exit" 1 "$rc"
kt_contains "unknown person message" "no one matches" "$nob"

# --- status, followups, suggest-merges ---
st=$("$K" "${C[@]}" status --json | python3 -c '
import json, sys
s = json.load(sys.stdin)
print(s["messages"], s["people"], s["kithd"]["running"])')
kt_eq "status --json" "3000 120 False" "$st"
sh=$("$K" "${C[@]}" status); kt_contains "status says kithd is not running" "not running" "$sh"
fj=$("$K" "${C[@]}" followups --json | python3 -c 'import json,sys; print(json.load(sys.stdin))')
kt_eq "followups --json empty" "[]" "$fj"
sg=$("$K" "${C[@]}" suggest-merges --json | python3 -c 'import json,sys; print(json.load(sys.stdin))')
kt_eq "suggest-merges --json empty" "[]" "$sg"

# --- usage, config, daemon, database errors ---
"$K" "${C[@]}" frobnicate >/dev/null 2>&1; kt_eq "unknown command" 2 $?
"$K" >/dev/null 2>&1; kt_eq "no command" 2 $?
h=$("$K" help people); kt_contains "help people" "--as-of" "$h"
h=$("$K" show --help); kt_contains "show --help" "PERSON" "$h"
"$K" -c "$T/missing.conf" people >/dev/null 2>&1; kt_eq "missing config file" 78 $?
echo 'data_dir = ' >"$T/bad.conf"
"$K" -c "$T/bad.conf" people >/dev/null 2>&1; kt_eq "unparsable config" 78 $?
sed "s|$T/data|$T/nodata|" "$T/kith.conf" >"$T/empty.conf"
msg=$("$K" -c "$T/empty.conf" people 2>&1); rc=$?
kt_eq "no database exit" 1 "$rc"
kt_contains "no database message" "no database" "$msg"
kt_false "a query does not create the database" test -e "$T/nodata/kith.db"
msg=$("$K" "${C[@]}" sync 2>&1); rc=$?
kt_eq "sync without kithd" 69 "$rc"
kt_contains "sync says so" "kithd is not running" "$msg"
"$K" "${C[@]}" reload >/dev/null 2>&1; kt_eq "reload without kithd" 69 $?

# --- colour only on a TTY, never with NO_COLOR ---
if command -v script >/dev/null 2>&1; then
	tty=$(NO_COLOR= script -qec "$K -c $T/kith.conf people --limit 3" /dev/null)
	kt_contains "colour on a TTY" $'\033[' "$tty"
	tty=$(NO_COLOR=1 script -qec "$K -c $T/kith.conf people --limit 3" /dev/null)
	kt_not_contains "no colour with NO_COLOR" $'\033[' "$tty"
fi
kt_done
