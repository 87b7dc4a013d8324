#!/usr/bin/env bash
# eval_hold: kithd keeps an analysis and its tasks until followup.h's
# next_change when no mail comes (daemon/basis.h).  Proved on real mail:
# at cut dates every 5 days across each dev mailbox (and the list as its
# other maintainer sees it), the tasks decided at ten moments before
# next_change must equal those decided at the cut, field by field
# (kith-eval --hold exits 1 otherwise); and at next_change they must move
# in some cuts (it is not merely early).  At each of those moments the
# rules also decide reading only the horizon's messages, the older ones'
# part from what the analysis gathered (lib/fu_prep.h, as kithd does): the
# same tasks and next_change, at every moment.
# kith-test: nosan
set -u
corpus=${KITH_CORPUS:-}
tool="${KITH_BUILD:-build}/tools/kith-eval"
if [ -z "$corpus" ] || [ ! -d "$corpus/enron/skilling-j" ] ||
	[ ! -f "$corpus/lore-linux-man/owner-mtk.tsv" ]; then
	echo "corpus not found (KITH_CORPUS=${corpus:-unset})"
	exit 77
fi
[ -x "$tool" ] || { echo "FAIL: $tool not built"; exit 1; }
rc=0
for box in "enron $corpus/enron/skilling-j" "lore $corpus/lore-linux-man" \
	"lore-alx $corpus/lore-linux-man"; do
	set -- $box
	out=$("$tool" "$1" "$2" --hold) || { echo "$out"; echo "FAIL: $1: the tasks changed before next_change"; rc=1; continue; }
	echo "$out" | tail -n 4
	line=$(echo "$out" | grep "^hold $1: .* checks before next_change differed")
	checks=$(echo "$line" | sed -n 's/^hold [a-z-]*: 0 of \([0-9]*\) checks.*/\1/p')
	[ "${checks:-0}" -gt 0 ] || { echo "FAIL: $1: $line"; rc=1; }
	moved=$(echo "$out" | sed -n "s/^hold $1: at next_change the tasks moved in \([0-9]*\) of.*/\1/p")
	[ "${moved:-0}" -gt 0 ] || { echo "FAIL: $1: the tasks never moved at next_change"; rc=1; }
	hz=$(echo "$out" | sed -n "s/^hold $1: reading only the horizon, 0 of \([0-9]*\) decisions differed$/\1/p")
	[ "${hz:-0}" -gt 0 ] || { echo "FAIL: $1: the horizon path was not proved"; rc=1; }
done
[ $rc -eq 0 ] && echo "PASS" || echo "FAIL"
exit $rc
